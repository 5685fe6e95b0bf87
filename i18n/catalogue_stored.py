"""Messages the ledger stores and shows later (i18n/stored.py): an exception's detail
(``booking.*``), why a file was quarantined or failed (``ingest.*``, ``dispatch.*``,
``statement.*``), the audit log's detail (``audit.*``), and the texts a report's signed content
keeps (``detail.*``).

They are stored as a key and its arguments and said in the reader's language. The English words
are the sentences the ledger stored before, so a reader of English sees what it always saw.
Values in ``{...}`` are data (ids, file names, amounts in fen, a bank's or a library's own words)
and are shown as they are in both languages; ``{status}``-like fields hold codes, named in
Chinese and kept as the code in English.
"""
WORDS: dict[str, tuple[str, str]] = {
    # what one record of a result file booked, when it is an exception (domain/booking.py)
    "booking.same_payment_again": ("第 {seq} 行：同一笔付款（{ref}）再次回盘", "line {seq}: the same payment ({ref}) reported again"),
    "booking.contradicts_file": ("第 {seq} 行：本文件的前一条记录已将其记为「{status}」；本条（{disposition}）与之矛盾",
                                 "line {seq}: an earlier record of this file already made it {status}; this one "
                                 "({disposition}) contradicts it"),
    "booking.paid_but": ("已付款，但{why}", "paid, but {why}"),
    "booking.failed_but": ("报失败，但{why}", "failed, but {why}"),
    "booking.why.not_in_batch": ("第 {seq} 行不在本批次中", "line {seq} is not in the batch"),
    "booking.why.never_instructed": ("第 {seq} 行的状态是「{status}」，从未指令付款",
                                     "line {seq} is {status}, never instructed to be paid"),
    "booking.paid_not_ours": ("{mismatch}：已付款，但不是本方的行", "{mismatch}: paid, but not our line"),
    "booking.failed_not_ours": ("{mismatch}：报失败，但不是本方的行", "{mismatch}: a failure, but not our line's"),
    "booking.why.other_account": ("记录中的账号与第 {seq} 行不同", "the record names another account than line {seq}"),
    "booking.why.other_person": ("记录中的户名与第 {seq} 行不同", "the record names another person than line {seq}"),
    "booking.failed_earlier_round": ("前一轮付款文件（第 {round} 轮）的失败；第 {seq} 行此后已补发",
                                     "failure of an earlier payment file (round {round}); line {seq} was re-issued "
                                     "since"),
    "booking.failed": ("发放失败", "failed"),
    "booking.failed_again": ("第 {seq} 行此前已失败；再次报失败", "line {seq} failed before; reported failed again"),
    "booking.paid_then_failed": ("第 {seq} 行已回盘成功；现又报失败", "line {seq} was reported paid; now reported failed"),
    "booking.nothing_more": ("第 {seq} 行的状态是「{status}」；不再记账", "line {seq} is {status}; nothing more is booked on it"),
    "booking.paid": ("已发放", "paid"),
    "booking.paid_after_failure": ("报失败后又付款", "paid after it was reported failed"),
    "booking.paid_short": ("指令 {instructed} 分，付款 {amount} 分；{unpaid} 分未付",
                           "paid {amount} fen of {instructed} instructed; {unpaid} fen unpaid"),
    "booking.paid_short_after_failure": ("报失败后又付款：指令 {instructed} 分，付款 {amount} 分；{unpaid} 分未付",
                                         "paid {amount} fen of {instructed} instructed after it was reported failed; "
                                         "{unpaid} fen unpaid"),
    "booking.paid_over": ("付款 {amount} 分，比指令的 {instructed} 分多 {excess} 分",
                          "paid {amount} fen, {excess} fen more than the {instructed} instructed"),
    "booking.paid_over_after_failure": ("报失败后又付款：付款 {amount} 分，比指令的 {instructed} 分多 {excess} 分",
                                        "paid {amount} fen, {excess} fen more than the {instructed} instructed after "
                                        "it was reported failed"),
    "booking.second_payment": ("第 {seq} 行以银行流水号 {ref} 再次付款（此前已记账：{first}）",
                               "line {seq} paid again under bank reference {ref} (booked before: {first})"),
    "booking.paid_again_no_ref": ("第 {seq} 行再次回盘成功；没有银行流水号可区分第二笔付款与同一笔付款（对账单上的第二笔扣款可以）",
                                  "line {seq} reported paid again; no bank reference tells a second payment from the "
                                  "same one (a second debit on the statement would)"),
    # a result file taken in (service/ingest.py)
    "ingest.duplicate": ("与文件 {file}（{name}）内容相同；未记账", "same content as file {file} ({name}); nothing booked"),
    "ingest.duplicate_empty": ("空文件（0 字节），与文件 {file}（{name}）相同；未记账",
                               "empty file (0 bytes), like file {file} ({name}); nothing booked"),
    "ingest.file_security": ("文件安全校验未通过：{error}", "file security: {error}"),
    "ingest.empty": ("空文件（0 字节）：没有表头，也没有记录", "empty file (0 bytes): no header and no records"),
    "ingest.unreadable_header": ("表头无法读取：{error}", "unreadable header: {error}"),
    "ingest.unreadable": ("无法读取：{error}", "unreadable: {error}"),
    "ingest.batch_unknown": ("回盘文件指向批次 {batch}，该批次不存在（回应付款文件 {file}）",
                             "result file names batch {batch}, which does not exist (answers payment file {file})"),
    "ingest.other_bank": ("批次 {batch} 属于银行 {owner}，不属于 {bank}", "batch {batch} belongs to bank {owner}, not {bank}"),
    "ingest.not_sent": ("回盘文件回应的付款文件 {file} 并未为批次 {batch} 发送",
                        "result file answers payment file {file}, which was not sent for batch {batch}"),
    "ingest.unattributed": ("本通知涵盖批次 {batches}，其中 {count} 笔交易未指明批次（无 PmtInfId、批量记账或"
                            "「批次-行号」形式的 EndToEndId），无法判断是哪个批次的哪一行；整个文件未记账",
                            "{count} transaction(s) name no batch (no PmtInfId, batch booking or EndToEndId "
                            "\"<batch>-<seq>\") while the notification covers batches {batches}: whose line each "
                            "pays cannot be told; nothing in the file booked"),
    "ingest.part_problem": ("批次 {batch}（部分文件 {file}）：{problem}", "batch {batch} (part file {file}): {problem}"),
    "ingest.not_answerable": ("批次 {batch} 的状态是「{status}」；不接受回盘",
                              "batch {batch} is {status}; results are not accepted"),
    "ingest.record_exception": ("第 {record} 条记录（第 {seq} 行）：{disposition}：{detail}",
                                "record {record} (line {seq}): {disposition}: {detail}"),
    "ingest.exceptions": ("例外：{counts}", "{counts}"),
    "ingest.exception_count": ("{kind} {count} 笔", "{count} {kind}"),
    "ingest.answered_first": ("银行在记录送达之前已回盘（{name}）", "the bank answered it ({name}) before its delivery was "
                                                              "recorded"),
    # a payment file sent (service/dispatch.py)
    "dispatch.unexpected": ("意外错误（{error}）；未发送任何内容；详见服务日志",
                            "unexpected error ({error}); nothing was sent; see the service log"),
    # followed by the writer's first problems, each a stored format.problem
    "dispatch.unwritable": ("付款文件无法按银行的格式写出（{count} 个问题）；未发送任何内容",
                            "the payment file cannot be written in the bank's format ({count} problems); nothing "
                            "was sent"),
    "dispatch.bytes_differ": ("需人工处理：重新生成后文件内容与记录不同（sha256 {digest}…，记录为 {recorded}…）；"
                              "未发送任何内容。若银行未收到，可用 RegenerateFile 重新生成并排队发送",
                              "needs an operator: rendered again, the file's bytes differ from the ones recorded "
                              "(sha256 {digest}…, recorded {recorded}…); nothing was sent. If it is not at the bank, "
                              "RegenerateFile renders and queues it anew"),
    "dispatch.upload_failed": ("上传失败：{error}", "{error}"),
    "dispatch.upload_refused": ("需人工处理：{error}", "needs an operator: {error}"),
    "dispatch.not_sent": ("{why}；未发送任何内容", "{why}; nothing was sent"),
    # a statement taken in (service/statements.py)
    "statement.duplicate": ("与对账单文件 {file}（{name}）内容相同；未存储", "same content as statement file {file} ({name}); "
                                                                  "nothing stored"),
    "statement.empty": ("{name}：空文件（0 字节）：没有对账单", "{name}: empty file (0 bytes): no statement"),
    "statement.unreadable": ("{name}：无法读取：{error}", "{name}: unreadable: {error}"),
    "statement.currency": ("{name}：币种 {currency}：清算账户以人民币分记账",
                           "{name}: currency {currency}: the clearing account is kept in CNY fen"),
    "statement.other_content": ("{name}：账户 {account} 的对账单 {statement} 已作为对账单文件 {file}（{other}）收到，内容不同",
                                "{name}: statement {statement} of account {account} was already received as "
                                "statement file {file} ({other}) with other content"),
    "statement.format_problem": ("{name}：{problem}", "{name}: {problem}"),
    "statement.no_reason": ("未记录原因", "no reason recorded"),
    # the audit log (store.audit)
    "audit.reason": ("{reason}", "{reason}"),
    "audit.submit": ("{count} 行，{fen} 分", "{count} lines, {fen} fen"),
    "audit.approve": ("指令 {count} 行，{fen} 分", "{count} lines, {fen} fen instructed"),
    "audit.approve_held": ("指令 {count} 行，{fen} 分；{held} 行被停发名单暂停",
                           "{count} lines, {fen} fen instructed; {held} held by the stop list"),
    "audit.fund": ("{fen} 分", "{fen} fen"),
    "audit.dispatch": ("付款文件 {name}", "payment file {name}"),
    "audit.regenerate": ("文件 {file} {name}（{state}，已尝试 {attempts} 次，{was}）：重新生成，sha256 {digest}…，"
                         "排队上传；原因：{reason}",
                         "file {file} {name} ({state}, {attempts} attempts, {was}): rendered anew, sha256 {digest}…, "
                         "queued for upload; reason: {reason}"),
    "audit.was_sha256": ("sha256 {digest}…", "sha256 {digest}…"),
    "audit.never_uploaded": ("从未上传", "never uploaded"),
    "audit.mark_delivered": ("文件 {file} {name}（{state}，已尝试 {attempts} 次）由 {actor} 标记为已送达；原因：{reason}",
                             "file {file} {name} ({state}, {attempts} attempts) marked delivered by {actor}; "
                             "reason: {reason}"),
    "audit.book_results": ("文件 {file} {name}：{count} 行，{fen} 分", "file {file} {name}: {count} lines, {fen} fen"),
    "audit.book_results_exceptions": ("文件 {file} {name}：{count} 行，{fen} 分；{exceptions}",
                                      "file {file} {name}: {count} lines, {fen} fen; {exceptions}"),
    "audit.stop_add": ("停发条目 {entry}：{id_number} {kind}，自 {start} 起（{source}）",
                       "entry {entry}: {id_number} {kind} from {start} ({source})"),
    "audit.stop_revoke": ("停发条目 {entry}：{reason}", "entry {entry}: {reason}"),
    "audit.corrected": ("该行已更正并重新发送", "line sent again, corrected"),
    "audit.change_requested": ("变更 {change}：{what}；待第二人审核（ApproveLineChanges）",
                               "change {change}: {what}; waits for a second person's approval (ApproveLineChanges)"),
    "audit.reissue_as_is": ("按原样补发", "re-issue as it is"),
    "audit.reissue_changed": ("补发至新的{fields}", "re-issue to another {fields}"),
    "audit.change_approved": ("{requester} 提交的变更 {change} 已批准；随文件 {file} 发出",
                              "change {change} by {requester} approved; goes out in file {file}"),
    "audit.change_refused": ("{requester} 提交的变更 {change} 被拒绝：{reason}",
                             "change {change} by {requester} refused: {reason}"),
    "audit.reissue": ("{why}；随文件 {file} 再次发出", "{why}; goes out again in file {file}"),
    "audit.reissue_approved": ("{why}；由 {approver} 批准；随文件 {file} 再次发出",
                               "{why}; approved by {approver}; goes out again in file {file}"),
    "audit.reissue.unanswered": ("银行从未回盘", "never answered by the bank"),
    "audit.reissue.corrected": ("银行报失败后已更正", "corrected after the bank's failure"),
    "audit.leave": ("批准补发：{reason}", "leave to re-issue: {reason}"),
    "audit.given_up": ("放弃补发：{reason}", "given up: {reason}"),
    # what a report's content keeps and shows in the reader's language (service/reporting.py,
    # reports/discrepancies.py)
    "detail.due_record": ("文件 {file} 第 {record} 条记录：{detail}", "file {file} record {record}: {detail}"),
    "detail.paid_late": ("{paid_on} 发放，期限 {due}", "paid on {paid_on}, due {due}"),
    "detail.concerns_this_batch": ("本批次", "this batch"),
    "detail.concerns_unknown_batch": ("指向批次 {batch}，该批次不存在", "names batch {batch}, unknown"),
    "detail.concerns_no_batch": ("无法从中读出批次", "no batch could be read from it"),
}
