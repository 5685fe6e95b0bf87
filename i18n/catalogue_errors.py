"""The service's messages to people: why a gRPC call was refused (``error.*``), and the phrases
they are made of (``place.*``, ``where.*``, ``action.*``).

A use case raises ``FailedPrecondition("error.batch.state", batch=..., status=Named(...), ...)``
(service/errors.py); the gRPC layer says it in the caller's language, the codes stay in the
status and its ``google.rpc`` details. The English texts are the service's messages as they
were before they had a Chinese twin, so logs, scripts and tests that read them keep working.
Values in ``{...}`` are data (ids, names of files, numbers, a bank's own words) and are shown as
they are in both languages.
"""
WORDS: dict[str, tuple[str, str]] = {
    # the gRPC layer
    "error.internal": ("内部错误，详见服务日志", "internal error; see the service log"),
    "error.showing": ("{message}（仅列出 {shown} 项）", "{message} (showing {shown})"),
    "error.request.missing": ("缺少 {fields}", "missing {fields}"),
    "error.request.too_long": ("请求被拒绝：{count} 个字段过长，未做任何处理",
                               "request refused: {count} field(s) too long; nothing was done"),
    "error.request.page_size": ("每页条数须为 1 至 {most}（0 表示默认 {default}）",
                                "page_size must be 1 to {most} (0: {default})"),
    "error.request.page_token": ("page_token 不是本服务给出的", "page_token is not one this service gave"),
    "error.request.not_a_date": ("{field}：不是日期", "{field}: not a date"),
    "error.request.bad_date": ("日期有误", "bad date"),
    "error.reason.required": ("必须填写原因", "a reason is required"),
    "error.lines.none_named": ("没有指明任何行", "no lines named"),
    # authentication and roles (adapter/auth.py)
    "error.auth.bad_token": ("令牌无效", "the bearer token is not valid"),
    "error.auth.mixed": ("客户端证书（CN={cn}）与令牌属于不同用户",
                         "the client certificate (CN={cn}) and the bearer token belong to different users"),
    "error.auth.unknown_cert": ("客户端证书 CN={cn} 不是已配置的用户", "the client certificate CN={cn} is not a configured user"),
    "error.auth.none": ("未提供凭据：请发送 'authorization: Bearer <令牌>' 元数据",
                        "no credentials: send 'authorization: Bearer <token>' metadata"),
    "error.auth.none_or_cert": ("未提供凭据：请发送 'authorization: Bearer <令牌>' 元数据或使用客户端证书",
                                "no credentials: send 'authorization: Bearer <token>' metadata or use a client "
                                "certificate"),
    "error.auth.two_headers": ("authorization 元数据不止一个", "more than one authorization header"),
    "error.auth.not_bearer": ("authorization 元数据须为 'Bearer <令牌>'", "the authorization metadata must be 'Bearer <token>'"),
    "error.auth.no_rule": ("{method} 不在角色表中（adapter/auth.py）：拒绝所有人",
                           "{method} is not in the role table (adapter/auth.py): refused to everyone"),
    "error.auth.role": ("{method} 需要角色 {needed}；用户 {user} 的角色是 {held}",
                        "{method} needs role {needed}; user {user} has {held}"),
    "error.auth.or": (" 或 ", " or "),
    "error.auth.no_method": ("没有这个方法", "no such method"),
    # separation of duties (domain/duties.py)
    "error.duty": ("{where}：{why}", "{where}: {why}"),
    "error.duty.anonymous": ("未认证的用户不得{duty}", "nobody may {duty} anonymously"),
    "error.duty.conflict": ("用户 {user} 不得{duty}：须由{others}以外的人办理",
                            "user {user} may not {duty}: it must be someone other than {others}"),
    "where.batch": ("批次 {batch}", "batch {batch}"),
    "where.batch_change": ("批次 {batch} 变更 {change}", "batch {batch} change {change}"),
    "where.batch_line": ("批次 {batch} 第 {seq} 行", "batch {batch} line {seq}"),
    # a batch
    "error.batch.none": ("没有批次 {batch}", "no batch {batch}"),
    "error.batch.state": ("批次 {batch} 的状态是「{status}」；只有「{wanted}」的批次可以{action}",
                          "batch {batch} is {status}; only a {wanted} batch can {action}"),
    "error.batch.nothing_to_pay": ("批次 {batch} 没有可发放的受理行", "batch {batch} has no accepted line to pay"),
    "error.batch.funding_mismatch": ("批次 {batch}：拨付金额须等于批次总额",
                                     "batch {batch}: funding must equal the batch total"),
    "error.batch.deadline": ("批次 {batch}：无法确定付款期限：{error}", "batch {batch}: cannot set its payment deadline: {error}"),
    "error.batch.unknown_line_status": ("未知的行状态 {status}", "unknown line status {status}"),
    "error.batch.header_rejected": ("批次表头有误，未存储任何内容", "batch header rejected; nothing was stored"),
    "error.batch.structure_rejected": ("批次被拒绝：结构有 {count} 处问题，未存储任何内容",
                                       "batch rejected: {count} problem(s) in its structure; nothing was stored"),
    "error.batch.first_message": ("SubmitBatch 的第一条消息必须是批次表头",
                                  "the first message of SubmitBatch must carry the header"),
    "error.batch.header_repeated": ("表头之后只能发送明细行", "only line chunks may follow the header"),
    "error.batch.totals_last": ("控制笔数和金额只能在表头为 0 时、于全部明细行之后作为最后一条消息发送，未存储任何内容",
                                "the control count and total follow the lines only when the header's are 0, and "
                                "only as the last message; nothing was stored"),
    "error.batch.totals_missing": ("数据流在控制笔数和金额到达之前结束（表头中为 0），未存储任何内容",
                                   "the stream ended before the control count and total it left to the end came; "
                                   "nothing was stored"),
    "error.batch.idempotency": ("幂等键已用于内容不同的批次 {batch}",
                                "idempotency key already used for batch {batch} with different content"),
    "error.batch.not_editable": ("批次 {batch} 的状态是「{status}」；只有审核前才能修改明细行",
                                 "batch {batch} is {status}; lines can be changed only before approval"),
    "error.batch.last_error": ("批次 {batch}：{error}", "batch {batch}: {error}"),
    "error.batch.not_closed": ("批次 {batch} 的状态是「{status}」；批次结束后才有退款报告",
                               "batch {batch} is {status}; the refund report exists once it is closed"),
    "error.batch.not_closable": ("批次 {batch} 的状态是「{status}」；每行都有银行结果后才能结束",
                                 "batch {batch} is {status}; it can be closed once every line has a bank result"),
    "error.batch.not_closable_yet": ("批次 {batch} 的状态是「{status}」；每行都有银行结果后才能结束"
                                     "(或在发送银行后使用 allow_unreported)",
                                     "batch {batch} is {status}; it can be closed once every line has a bank result "
                                     "(or with allow_unreported after dispatch)"),
    "error.batch.not_answered": ("批次 {batch} 的状态是「{status}」；银行回盘后、批次结束前才能{action}",
                                 "batch {batch} is {status}; one can {action} once the bank has answered, and "
                                 "until the batch is closed"),
    "error.batch.dispatching": ("批次 {batch} 正由实例 {owner} 发送（租约至 {until}）；ListFiles 可查看其付款文件",
                                "batch {batch} is being dispatched by instance {owner} (lease until {until}); "
                                "ListFiles shows its payment file"),
    "error.batch.upload_failed": ("批次 {batch}：上传到银行 {bank} 失败：{error}",
                                  "batch {batch}: bank {bank} upload failed: {error}"),
    "error.batch.none_of_program": ("项目 {program}、期间 {period}、地区 {region} 没有批次",
                                    "no batch of program {program}, period {period}, region {region}"),
    "error.batch.none_in_region": ("项目 {program} 在地区 {region} 没有批次",
                                   "no batch of program {program} in region {region}"),
    "error.month.format": ("月份 {month} 的格式不是 YYYY-MM", "month {month} is not YYYY-MM"),
    # lines
    "error.lines.none_to_correct": ("没有要更正的行", "no lines to correct"),
    "error.lines.correction_refused": ("批次 {batch}：更正被拒绝，未做任何修改",
                                       "batch {batch}: correction refused; nothing was changed"),
    "error.lines.stopped": ("批次 {batch}：第 {seqs} 行在停发名单中；请撤销停发条目或移出该行",
                            "batch {batch}: line(s) {seqs} are held by the stop list; revoke the stop entry or "
                            "remove the line"),
    "error.lines.nothing_changed": ("批次 {batch}：未做任何修改", "batch {batch}: nothing was changed"),
    "error.lines.none_to_reissue": ("没有要补发的行", "no lines to re-issue"),
    "error.lines.reissue_refused": ("批次 {batch}：补发被拒绝，未做任何修改",
                                    "batch {batch}: re-issue refused; nothing was changed"),
    "error.lines.reissue_conflicts": ("批次 {batch}：补发未通过名册核查（重复、一人一卡、停发名单），未做任何修改",
                                      "batch {batch}: re-issue refused by the roster checks (duplicates, one person "
                                      "one card, the stop list); nothing was changed"),
    "error.lines.in_flight": ("批次 {batch}：付款文件 {file} 仍在送往银行途中；送达后再补发",
                              "batch {batch}: payment file {file} is still on its way to the bank; re-issue once it is "
                              "delivered"),
    "error.lines.no_leave": ("批次 {batch}：未批准补发", "batch {batch}: no leave was given"),
    "error.lines.nothing_given_up": ("批次 {batch}：未放弃任何行", "batch {batch}: nothing was given up"),
    # changes of who is paid
    "error.change.none": ("批次 {batch} 没有变更 {change}", "batch {batch} has no change {change}"),
    "error.change.decided": ("批次 {batch} 变更 {change} 已被他人处理", "batch {batch} change {change} was decided meanwhile"),
    "error.change.not_pending.approve": ("批次 {batch} 变更 {change} 的状态是 {state}；只有待审核的变更可以批准",
                                         "batch {batch} change {change} is {state}; only a pending change can be "
                                         "approved"),
    "error.change.not_pending.refuse": ("批次 {batch} 变更 {change} 的状态是 {state}；只有待审核的变更可以拒绝",
                                        "batch {batch} change {change} is {state}; only a pending change can be "
                                        "refused"),
    "error.change.unknown_state": ("未知的变更状态 {state}", "unknown change state {state}"),
    # files
    "error.file.none": ("没有文件 {file}", "no file {file}"),
    "error.file.changed": ("文件 {file} 已被他人修改，未做任何处理", "file {file} changed meanwhile; nothing was done"),
    "error.file.inbound": ("文件 {file} 是银行的回盘文件；只有付款文件会被发送",
                           "file {file} is a result file from the bank; only payment files are sent"),
    "error.file.at_bank": ("文件 {file}（{name}）的状态是「{state}」：已在银行，付款文件绝不重复发送",
                           "file {file} ({name}) is {state}: it is at the bank, and a payment file is never sent "
                           "twice"),
    "error.file.leased": ("文件 {file} 正由实例 {owner} 处理（租约至 {until}）；请在该次处理结束后重试",
                          "file {file} is being worked on by instance {owner} (lease until {until}); try again once "
                          "that attempt has ended"),
    "error.file.cannot_secure": ("银行 {bank}：无法按其配置要求加密或签名 {file}：{error}；未发送任何内容",
                                 "bank {bank}: cannot secure {file} as its profile demands: {error}; nothing was "
                                 "sent"),
    "error.file.superseded": ("文件 {file} 现为「{state}」，不再发送任何内容", "file {file} is {state} now; nothing more is sent"),
    "error.lease.lost": ("{unit}：本实例（{owner}）已失去租约（栅栏号 {fence}），现由 {by} 持有；未做任何修改",
                         "{unit}: this instance ({owner}) lost its lease (fence {fence}); now held by {by}"),
    "error.file.first_message": ("第一条消息必须指明银行和文件", "the first message must name the bank and file"),
    "error.file.signature_refused": ("签名被拒绝", "signature refused"),
    "error.file.name_missing": ("缺少文件名", "file name missing"),
    "error.file.name_refused": ("文件名被拒绝", "file name refused"),
    "error.file.too_large": ("{name}：文件超过 {cap} 字节（handed_in_max_bytes），已拒绝，未保留任何内容",
                             "{name}: the file is larger than {cap} bytes (handed_in_max_bytes); refused, nothing was "
                             "kept"),
    "error.file.other_bank": ("该用户代表银行 {banks}；不得递交银行 {bank} 的文件",
                              "this user acts for bank {banks}; it may not hand in files of bank {bank}"),
    "error.bank.unknown": ("未配置的银行 {bank}；已配置的银行：{known}", "unknown bank {bank}; known banks: {known}"),
    # statements
    "error.statement.none": ("没有对账单文件 {file}", "no statement file {file}"),
    "error.statement.no_account": ("缺少账号", "no account"),
    "error.statement.period": ("期间的结束早于开始", "period ends before it starts"),
    "error.statement.not_stored": ("对账单文件 {file} 的状态是「{state}」：其内容未被存储（{error}）",
                                   "statement file {file} is {state}: nothing of it was stored ({error})"),
    # the stop list
    "error.stop.no_entries": ("没有停发条目", "no stop entries"),
    "error.stop.rejected": ("停发条目被拒绝：{count} 处问题，未存储任何内容",
                            "stop entries rejected: {count} problem(s); nothing was stored"),
    "error.stop.bad_id": ("证件号码无效", "not a valid ID number"),
    "error.stop.none": ("没有生效中的停发条目 {entry}", "no active stop entry {entry}"),
    # the machine: disks, folders, the database
    "error.env.full": ("{where}已满（{cause}）；未做任何修改：请清理空间，工作会自动继续",
                       "{where} is full ({cause}); nothing was changed: free space there, the work is taken up "
                       "again by itself"),
    "error.env.read_only": ("{where}无法写入（{cause}）；未做任何修改：请让服务可以写入，工作会自动继续",
                            "{where} cannot be written ({cause}); nothing was changed: make it writable for the "
                            "service, the work is taken up again by itself"),
    "error.env.read_only_db": ("{where}无法写入（{cause}）；未做任何修改", "{where} cannot be written ({cause}); nothing "
                                                                   "was changed"),
    "error.env.unreachable": ("{where}无法连接（{cause}）；未做任何修改：恢复后请重试",
                              "{where} cannot be reached ({cause}); nothing was changed: try again once it is back"),
    "place.ledger": ("账簿数据库", "the ledger's database"),
    "place.folder_of": ("服务存放 {file} 的文件夹", "the service's folder of {file}"),
    "place.data": ("服务的数据文件夹", "the service's folder of its data"),
    "place.data_folder": ("数据文件夹 {path} ", "the data folder {path}"),
    # what a batch in the wrong state cannot do (service/batches.expect_status and its callers)
    "action.approve": ("审核", "approve"),
    "action.fund": ("拨付", "fund"),
    "action.be_dispatched": ("发送银行", "be dispatched"),
    "action.have_its_payment_file_regenerated": ("重新生成付款文件", "have its payment file regenerated"),
    "action.have_its_payment_file_marked_delivered": ("将付款文件标记为已送达",
                                                      "have its payment file marked delivered"),
    "action.re-issue_lines": ("补发", "re-issue lines"),
    "action.allow_a_re-issue": ("批准补发", "allow a re-issue"),
    "action.give_up_lines": ("放弃补发", "give up lines"),
}
