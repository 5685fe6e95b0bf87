"""Words of why ``ykt backup`` or ``ykt restore`` cannot be done (service/backup.py
``BackupError``: ``backup.*``), said in the reader's language.

The English words are the texts service/backup.py wrote before they had a Chinese twin, byte for
byte (``str(error)`` is unchanged: scripts and tests read it). Values in ``{...}`` are data shown
as they are: paths, archive member names and lists as Python writes them, SHA-256 digests, schema
revisions, schema and database names, format versions, and what other programs and libraries
wrote (pg_dump's and pg_restore's messages, a driver's, SQLite's, the key files' own words).
Key ids are listed as they are (joined with 、 in Chinese, ", " in English).
"""
WORDS: dict[str, tuple[str, str]] = {
    # how ykt prints a refusal (adapter/ops_cli.py): one problem a line
    "backup.refused.backup": ("无法备份：{why}", "backup: {why}"),
    "backup.refused.restore": ("无法恢复：{why}", "restore: {why}"),
    # backing up
    "backup.exists": ("{out} 已存在；不会覆盖它", "{out} already exists; refusing to replace it"),
    "backup.dialect": ("数据库 {backend}：只能备份 SQLite 和 PostgreSQL 账簿",
                       "database {backend}: only SQLite and PostgreSQL ledgers are backed up"),
    "backup.sqlite_missing": ("SQLite 账簿 {source} 不存在", "the SQLite ledger {source} does not exist"),
    "backup.copy_damaged": ("{source} 的副本未通过 SQLite 完整性检查（PRAGMA integrity_check）：{found}；请运行 ykt verify",
                            "the copy of {source} fails PRAGMA integrity_check: {found}; run ykt verify"),
    "backup.no_revision": ("{path}：没有表结构版本（{error}）；这是否为已迁移的账簿？（ykt migrate）",
                           "{path}: no schema revision ({error}); is it a migrated ledger? (ykt migrate)"),
    "backup.revisions": ("{where}：alembic_version 中有 {count} 个表结构版本，应只有一个",
                         "{where}: {count} schema revisions in alembic_version; expected one"),
    "backup.pg_schema": ("模式 {schema}", "schema {schema}"),
    "backup.pg_no_schema": ("PostgreSQL 账簿的模式（search_path）不存在",
                            "the PostgreSQL ledger's schema (search_path) does not exist"),
    "backup.pg_unreadable": ("PostgreSQL 账簿：{error}", "the PostgreSQL ledger: {error}"),
    "backup.no_program": ("没有安装 {name}：请安装 PostgreSQL 客户端程序（Debian：apt-get install postgresql-client），"
                          "版本不低于服务器的主版本",
                          "{name} is not installed: install the PostgreSQL client programs "
                          "(Debian: apt-get install postgresql-client), of the server's major version or newer"),
    "backup.pg_dump_failed": ("pg_dump 失败：{error}", "pg_dump failed: {error}"),
    "backup.pii_keys": ("个人信息密钥：{why}；缺少它们的备份将无法读取",
                        "personal-data keys: {why}; a backup without them could not be read"),
    "backup.signing_keys": ("报表签名密钥：{why}", "report-signing keys: {why}"),
    "backup.archive_pii_keys": ("备份中的个人信息密钥无法载入：{why}；未恢复任何内容",
                                "the archive's personal-data keys do not load: {why}; nothing was restored"),
    "backup.archive_signing_keys": ("备份中的报表签名密钥无法载入：{why}；未恢复任何内容",
                                    "the archive's report-signing keys do not load: {why}; nothing was restored"),
    # the archive to restore from
    "backup.archive": ("{archive}：{problem}", "{archive}: {problem}"),
    "backup.not_archive": ("不是 ykt 备份文件：{why}", "not a ykt backup archive: {why}"),
    "backup.archive_damaged": ("备份文件已损坏：{why}", "the archive is damaged: {why}"),
    "backup.unexpected_member": ("含有意外的成员 {member}；不是 ykt backup 生成的备份文件",
                                 "unexpected member {member}; not an archive ykt backup wrote"),
    "backup.no_manifest": ("没有 {manifest}；不是 ykt backup 生成的备份文件",
                           "no {manifest}; not an archive ykt backup wrote"),
    "backup.manifest_unreadable": ("{manifest} 无法读取：{why}", "{manifest} is unreadable: {why}"),
    "backup.manifest_foreign": ("{manifest} 不是 {format} 清单", "{manifest} is not a {format} manifest"),
    "backup.format_version": ("备份文件格式版本为 {version}；此版本的 ykt 只能读取版本 {reads}",
                              "archive format version {version}; this version of ykt reads version {reads}"),
    "backup.members_differ": ("备份文件中的成员 {members} 与清单所列 {listed} 不一致",
                              "the members {members} are not the manifest's {listed}"),
    "backup.member_damaged": ("{member} 已损坏：{why}", "{member} is damaged: {why}"),
    "backup.member_altered": ("{member} 的 SHA-256 为 {sha256}，清单记载为 {listed}：备份文件被改动或已损坏；未恢复任何内容",
                              "{member} has SHA-256 {sha256}, the manifest says {listed}: the archive was altered or "
                              "damaged; nothing restored"),
    "backup.members_lacking": ("备份文件缺少 {dialect} 账簿所需的 {lacking}",
                               "the archive lacks {lacking} for a {dialect} ledger"),
    # the target of a restore
    "backup.revision_unknown": ("备份文件的表结构版本 {revision} 不为此版本的 ykt（{version}）所知：请用生成它的版本（{made_by}）恢复",
                                "the archive's schema revision {revision} is unknown to this version of ykt "
                                "({version}): restore it with the version that made it ({made_by})"),
    "backup.other_dialect": ("备份文件中是 {dialect} 账簿，而设置的 database_url 是 {backend}：请恢复到同一种数据库",
                             "the archive holds a {dialect} ledger; the settings' database_url is {backend}: "
                             "restore into the same kind of database"),
    "backup.sqlite_not_empty": ("SQLite 账簿 {target} 不是空的；请恢复到一个新文件（或先把它移走）",
                                "the SQLite ledger {target} is not empty; restore into a new file (or move it away)"),
    "backup.left_over": ("{path} 是以前的账簿留下的；请先把它移走", "{path} is left from an earlier ledger; move it away first"),
    "backup.pii_keys_in_env": ("已设置 YKT_PII_KEYS：恢复的个人信息密钥要写入密钥文件；请取消该设置，"
                               "并让 YKT_PII_KEY_FILE（或 pii_key_file）指向要写入的位置",
                               "YKT_PII_KEYS is set: the restored personal-data keys go to a key file; unset it and "
                               "point YKT_PII_KEY_FILE (or pii_key_file) at where they should go"),
    "backup.pii_key_file_exists": ("个人信息密钥文件 {path} 已存在；恢复从不替换密钥（如果它不是正在使用的密钥，请先移走）",
                                   "the personal-data key file {path} exists; restore never replaces keys "
                                   "(move it away if it is not the live one)"),
    "backup.signing_key_file_exists": ("报表签名密钥文件 {path} 已存在；恢复从不替换密钥（如果它不是正在使用的密钥，请先移走）",
                                       "the report-signing key file {path} exists; restore never replaces keys "
                                       "(move it away if it is not the live one)"),
    "backup.pg_target_unreadable": ("目标 PostgreSQL 数据库：{error}", "the target PostgreSQL database: {error}"),
    "backup.other_schema": ("备份文件中是模式 {archived}，而设置的 database_url 使用模式 {schema}：请恢复到 search_path "
                            "指向 {archived} 的数据库（例如 ?options=-csearch_path%3D{search_path}），"
                            "如果旧数据库还在，请用一个新数据库",
                            "the archive holds schema {archived}; the settings' database_url uses schema {schema}: "
                            "restore into a database whose search_path names {archived} "
                            "(e.g. ?options=-csearch_path%3D{search_path}), a new database if the old one is there"),
    "backup.pg_not_empty": ("数据库 {database} 的模式 {schema} 中已有 {tables} 个表和序列；请恢复到空的模式或新数据库",
                            "schema {schema} of database {database} holds {tables} tables and sequences; "
                            "restore into an empty schema or a new database"),
    "backup.pg_list_failed": ("pg_restore --list 失败：{error}", "pg_restore --list failed: {error}"),
    "backup.pg_restore_failed": ("pg_restore 失败（在一个事务中进行，未恢复任何内容）：{error}",
                                 "pg_restore failed (nothing restored: one transaction): {error}"),
    # what an archive holds of keys (its manifest's "keys", in English there; ykt backup's summary)
    "backup.held.pii_keys": ("个人信息密钥（{keys}，当前 {current}；索引密钥）",
                             "personal-data keys ({keys}, current {current}; index key)"),
    "backup.held.signing_keys": ("报表签名密钥（{keys}，当前 {current}）", "report-signing keys ({keys}, current {current})"),
    # what a restore wrote (ykt restore's summary, one line each)
    "backup.wrote.sqlite": ("SQLite 账簿 {target}（表结构版本 {revision}）",
                            "the SQLite ledger {target} (schema revision {revision})"),
    "backup.wrote.postgresql": ("PostgreSQL 账簿，写入数据库 {database} 的模式 {schema}（表结构版本 {revision}）",
                                "the PostgreSQL ledger into schema {schema} of database {database} "
                                "(schema revision {revision})"),
    "backup.wrote.schema_created": ("（新建）", "(created)"),
    "backup.wrote.pii_keys": ("个人信息密钥 {path}（权限 0600；{keys}，当前 {current}）",
                              "the personal-data keys {path} (mode 0600; {keys}, current {current})"),
    "backup.wrote.signing_keys": ("报表签名密钥 {path}（权限 0600；{keys}，当前 {current}）",
                                  "the report-signing keys {path} (mode 0600; {keys}, current {current})"),
}
