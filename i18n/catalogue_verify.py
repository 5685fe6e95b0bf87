"""Words of what ``ykt verify`` finds (ledger/journal.py ``Break``: ``verify.*``): a broken hash
chain, a transaction or a state that disagrees with the journal, a broken ledger invariant, a
damaged database or one unlike this code's schema, said in the reader's language.

The English words are the texts ledger/journal.py wrote before they had a Chinese twin, byte for
byte (``Break.problem`` is unchanged: tests and auditors' scripts read it). Values in ``{...}`` are
data shown as they are: entry numbers, digests, transaction and batch ids, amounts in fen, paths
and sizes, table, index, trigger and constraint names, schema revisions, and what the database
itself wrote (SQLite's integrity_check lines, a driver's or amcheck's message). States are codes
(named in Chinese, the code in English); tables are named with their database name beside.
"""
WORDS: dict[str, tuple[str, str]] = {
    # a break the journal's entry is blamed for
    "verify.entry": ("第 {seq} 条日志：{problem}", "entry {seq}: {problem}"),
    # the hash chain
    "verify.chain.follows": ("排在第 {last} 条日志之后：{missing}", "follows entry {last}: {missing}"),
    "verify.chain.one_missing": ("缺少第 {seq} 条日志", "entry {seq} is missing"),
    "verify.chain.missing": ("缺少第 {first} 至第 {last} 条日志", "entries {first}..{last} are missing"),
    "verify.chain.prev_digest": ("所记的前一条摘要值 {prev_digest} 不是第 {last} 条日志的摘要值 {digest}",
                                 "prev_digest {prev_digest} is not entry {last}'s digest {digest}"),
    "verify.chain.content": ("内容与其摘要值不符（存储的为 {stored}，重新计算为 {recomputed}）",
                             "content does not match its digest (stored {stored}, recomputed {recomputed})"),
    "verify.chain.head": ("日志链头记载日志止于第 {head_seq} 条（{head_digest}），实际止于第 {last_seq} 条（{last_digest}）",
                          "the head says the journal ends at entry {head_seq} ({head_digest}), "
                          "it ends at entry {last_seq} ({last_digest})"),
    # ledger transactions against their entries, and the ledger's own rules
    "verify.txn.not_in_ledger": ("账务交易 {txn} 不在账簿中", "transaction {txn} is not in the ledger"),
    "verify.txn.differs": ("账务交易 {txn} 与其日志不符：{what}", "transaction {txn} differs from its entry: {what}"),
    "verify.txn.field_differs": ("{field}日志记为 {journaled}，账簿中为 {found}",
                                 "{field} journaled {journaled}, ledger has {found}"),
    "verify.txn_field.kind": ("交易类型", "kind"),
    "verify.txn_field.memo": ("摘要", "memo"),
    "verify.txn_field.postings": ("分录笔数", "postings"),
    "verify.txn_field.postings_digest": ("分录摘要值", "postings_digest"),
    "verify.txn_field.moved_fen": ("发生金额（分）", "moved_fen"),
    "verify.txn.unbalanced": ("账务交易 {txn}：{count} 笔分录合计 {total} 分，借贷不平（应为零）",
                              "transaction {txn}: {count} postings sum to {total} fen, not zero"),
    "verify.txn.unjournaled": ("账务交易 {txn} 没有对应的日志", "transaction {txn} has no journal entry"),
    "verify.batch.funded_differs": ("批次 {batch}：批次记录的拨付金额为 {funded} 分，账簿中拨付了 {ledger} 分",
                                    "batch {batch}: funded_fen is {funded}, the ledger funded {ledger} fen"),
    "verify.batch.unbalanced": ("批次 {batch}：拨付 {funded} 分 ≠ 已发放 {paid} + 已退回 {refunded} + 未结清 {outstanding}",
                                "batch {batch}: funded {funded} fen != paid {paid} + refunded {refunded} "
                                "+ outstanding {outstanding}"),
    "verify.batch.clearing_left": ("批次 {batch} 已结束，但清算账户中仍有 {fen} 分",
                                   "batch {batch} is CLOSED with {fen} fen left in clearing"),
    "verify.batch.due_differs": ("批次 {batch}：应由银行退回 {due} 分，但银行未经指令的付款为 {unauthorized} 分",
                                 "batch {batch}: due back from the bank {due} fen, but the bank's "
                                 "unauthorized payments are {unauthorized} fen"),
    # states in the tables against the journal's last record of them
    "verify.thing": ("{what} {id}", "{what} {id}"),
    "verify.thing.file": ("文件", "file"),
    "verify.thing.batch": ("批次", "batch"),
    "verify.table.files": ("文件表（files）", "files"),
    "verify.table.batches": ("批次表（batches）", "batches"),
    "verify.row.unrecorded": ("{thing}：{table}中为“{state}”，日志从未记录过它",
                              "{thing}: the {table} table has it {state}, the journal never recorded it"),
    "verify.row.differs": ("{thing}：{table}中的{name}为“{state}”，但这条日志（日志对它的最后记录）记为“{journaled}”",
                           "{thing}: {name} is {state} in the {table} table, but this entry, the journal's last "
                           "record of it, set {journaled}"),
    "verify.row.missing": ("{thing}（日志对它的最后记录为“{journaled}”）在{table}中不存在",
                           "{thing} ({journaled} here, the journal's last record of it) is missing from the {table} "
                           "table"),
    "verify.lines.unrecorded": ("批次 {batch}：其 {count} 行明细的状态在日志中没有记录",
                                "batch {batch}: its {count} lines have no state recorded in the journal"),
    "verify.lines.differ": ("批次 {batch} 的明细：{problem}（这条日志是对它们的最后记录）",
                            "lines of batch {batch}: {problem} (this entry recorded them last)"),
    "verify.line.changed": ("第 {seq} 行在明细表（lines）中为“{status}”，日志最后记为“{recorded}”",
                            "line {seq} is {status} in the lines table, the journal last recorded it {recorded}"),
    "verify.line.missing": ("第 {seq} 行（日志中为“{recorded}”）在明细表（lines）中不存在",
                            "line {seq} ({recorded} in the journal) is missing from the lines table"),
    "verify.line.unrecorded": ("第 {seq} 行（“{status}”）在明细表（lines）中，日志从未记录过它",
                               "line {seq} ({status}) is in the lines table, the journal never recorded it"),
    "verify.lines.counts": ("明细表（lines）中：{counts}", "the lines table has {counts}"),
    "verify.lines.count": ("“{status}” {n} 行（日志为 {recorded} 行；序号之和 {sum}，日志为 {recorded_sum}）",
                           "{status} {n} (journal {recorded}, seq sum {sum} against {recorded_sum})"),
    # the database itself
    "verify.database": ("数据库：{problem}", "database: {problem}"),
    "verify.db.not_a_file": ("{path} 不存在或不是文件", "{path} does not exist or is not a file"),
    "verify.db.not_sqlite": ("{path} 不是 SQLite 数据库（{size} 字节，没有 SQLite 文件头）",
                             "{path} is not a SQLite database ({size} bytes, no SQLite header)"),
    "verify.db.truncated": ("{path} 被截短：只有 {size} 字节，文件头记载为 {pages} 页、每页 {page_size} 字节（共 {total} 字节）",
                            "{path} is truncated: {size} bytes, its header says {pages} pages of {page_size} bytes "
                            "({total} bytes)"),
    "verify.db.integrity_check": ("SQLite 完整性检查（PRAGMA integrity_check）发现：{found}",
                                  "PRAGMA integrity_check: {found}"),
    "verify.db.dangling": ("{table} 表第 {rowid} 行引用的 {parent} 表记录不存在",
                           "{table} row {rowid} refers to a {parent} row that does not exist"),
    "verify.db.guard_missing": ("防篡改触发器 {name} 缺失", "guard trigger {name} is missing"),
    "verify.db.index_invalid": ("{table} 表上的索引 {name} 无效（CREATE INDEX CONCURRENTLY 或 REINDEX 未成功）",
                                "index {name} on {table} is not valid (a failed CREATE INDEX CONCURRENTLY or REINDEX)"),
    "verify.db.trigger_disabled": ("{table} 表上的触发器 {name} 已被停用", "trigger {name} on {table} is disabled"),
    "verify.db.constraint_unvalidated": ("{table} 表上的约束 {name} 未经验证", "constraint {name} on {table} is not validated"),
    "verify.db.amcheck": ("索引 {name} 的 amcheck 检查发现：{error}", "amcheck on index {name}: {error}"),
    "verify.db.revision": ("表结构版本为 {at}，本程序的版本为 {head}（请运行 ykt migrate）",
                           "schema revision {at}, this code's is {head} (ykt migrate)"),
    "verify.db.unreadable": ("无法读取：{error}", "cannot be read: {error}"),
    "verify.db.schema_differs": ("表结构与 ledger/schema.py 不一致：{diff}", "schema differs from ledger/schema.py: {diff}"),
    # one difference from ledger/schema.py (Alembic's comparison)
    "verify.schema.modified": ("列 {table}.{column} {what}：数据库中为 {found}，表结构定义为 {wanted}",
                               "column {table}.{column}: {what} is {found}, the schema says {wanted}"),
    "verify.schema.missing": ("数据库中缺少：{thing}", "{thing} is missing"),
    "verify.schema.extra": ("数据库中多出（表结构定义中没有）：{thing}", "{thing} is not in the schema"),
    "verify.schema.column": ("列 {table}.{name}", "column {table}.{name}"),
    "verify.schema.on_table": ("{table} 表上的{kind} {name}", "{kind} {name} on {table}"),
    "verify.schema.named": ("{kind} {name}", "{kind} {name}"),
    "verify.schema_kind.table": ("表", "table"),
    "verify.schema_kind.index": ("索引", "index"),
    "verify.schema_kind.constraint": ("约束", "constraint"),
    "verify.schema_kind.fk": ("外键", "fk"),
    "verify.schema_kind.table_comment": ("表注释", "table_comment"),
    "verify.schema_property.type": ("类型", "type"),
    "verify.schema_property.nullable": ("是否允许为空", "nullable"),
    "verify.schema_property.default": ("默认值", "default"),
    "verify.schema_property.comment": ("注释", "comment"),
    # what was checked of the database itself (ledger.journal.database_checks)
    "verify.checks.sqlite": ("PRAGMA integrity_check（完整性）、foreign_key_check（外键）、保护触发器，以及数据库结构版本和各表与 "
                             "ledger/schema.py 是否一致",
                             "PRAGMA integrity_check, foreign_key_check, guard triggers, schema revision and tables "
                             "against ledger/schema.py"),
    "verify.checks.postgresql": ("数据库目录（索引有效、触发器已启用且存在、约束已验证），未安装 amcheck：未检查索引页，"
                                 "以及数据库结构版本和各表与 ledger/schema.py 是否一致",
                                 "catalogue (indexes valid, triggers enabled and present, constraints validated), "
                                 "amcheck not installed: index pages not checked, schema revision and tables against "
                                 "ledger/schema.py"),
    "verify.checks.postgresql_amcheck": ("数据库目录（索引有效、触发器已启用且存在、约束已验证）、用 amcheck 检查每个 B 树索引，"
                                         "以及数据库结构版本和各表与 ledger/schema.py 是否一致",
                                         "catalogue (indexes valid, triggers enabled and present, constraints "
                                         "validated), amcheck of every B-tree index, schema revision and tables "
                                         "against ledger/schema.py"),
}
