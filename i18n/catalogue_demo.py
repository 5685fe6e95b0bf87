"""Words of ``ykt demo``: its step lines, stages, progress lines and timing table.

The step lines keep the demo's numbering ([1/10] ... [10/10]) in both languages; ids, file names,
digests and amounts are data, shown as they are; states are :class:`~i18n.Named` codes.
"""
WORDS: dict[str, tuple[str, str]] = {
    "demo.stage.submit": ("提交名册", "submit"),
    "demo.stage.approve": ("复核批准", "approve"),
    "demo.stage.fund": ("拨付资金", "fund"),
    "demo.stage.dispatch": ("生成并上传代发文件", "dispatch and upload"),
    "demo.stage.bank": ("银行处理", "bank processing"),
    "demo.stage.book": ("回盘入账", "ingest and booking"),
    "demo.stage.reissue": ("补发", "re-issue"),
    "demo.stage.reconcile": ("对账、结项与三联单", "reconciliation, close and reports"),
    "demo.rows_per_s": ("行/秒", "rows/s"),
    "demo.progress.waiting": ("{label}：进行中，已用 {seconds:.0f} 秒", "{label}: under way, {seconds:.0f} s so far"),
    "demo.progress.done": ("{label}：完成，用时 {seconds:.1f} 秒", "{label}: done, took {seconds:.1f} s"),
    "demo.progress.rows": ("{label}：{done:,} / {total} 行，{rate:,.0f} 行/秒",
                           "{label}: {done:,} of {total} rows, {rate:,.0f} rows/s"),
    "demo.progress.left": ("，约剩 {seconds:.0f} 秒", ", about {seconds:.0f} s left"),
    "demo.progress.took": ("，用时 {seconds:.1f} 秒", ", took {seconds:.1f} s"),
    "demo.timing.title": ("各阶段用时（秒）：", "time per stage (seconds):"),
    "demo.timing.total": ("合计", "total"),
    "demo.needs_correction": ("批次 {batch} 待更正（NEEDS_CORRECTION）：{count:,} 行未通过名册校验，待更正前不予复核批准",
                              "batch {batch} is waiting for correction (NEEDS_CORRECTION): {count:,} line(s) failed "
                              "the roster check; it is not approved while they wait"),
    "demo.left_waiting": ("批次 {batch} 仍待更正（{status}）：保留不批准，不拨付",
                          "batch {batch} still waits for correction ({status}): left as it is, never approved, "
                          "nothing funded"),
    # the step lines (adapter/demo.py)
    "demo.step.bank": ("[1/10] 启动模拟银行 {code} {name}（{format}，内置 SFTP 服务器）",
                       "[1/10] starting simulated bank {code} {name} ({format}, embedded SFTP server)"),
    "demo.step.bank_deviant": ("[1/10] 启动模拟银行 {code} {name}（{format}，内置 SFTP 服务器）：它将表现异常",
                               "[1/10] starting simulated bank {code} {name} ({format}, embedded SFTP server): "
                               "it will misbehave"),
    "demo.step.service": ("[2/10] 服务在 127.0.0.1:{port} 监听，账簿 {ledger}；用户 {users}，各持一次性令牌",
                          "[2/10] service listening on 127.0.0.1:{port}, ledger {ledger}; users {users} with "
                          "throwaway tokens"),
    "demo.step.submit": ("[3/10] 以经办人身份为银行 {bank} 提交 {lines:,} 名受益人，共 {amount} 元",
                         "[3/10] submitting {lines:,} beneficiaries for bank {bank}, {amount} CNY, as clerk"),
    "demo.submitted": ("      批次 {batch} {status}：受理 {accepted:,} 行，拒绝 {rejected:,} 行，暂缓 {held:,} 行，"
                       "记录问题 {issues:,} 个",
                       "      batch {batch} {status}: {accepted:,} accepted, {rejected:,} rejected, {held:,} held, "
                       "{issues:,} issue(s) noted"),
    "demo.removed": ("      {count:,} 行被拒（例如此人本期已在另一批次中发放），由主管部门移出名册：不予指令付款",
                     "      {count:,} rejected line(s) (a person already paid in another batch of the period, say) "
                     "removed from the roster by the department: never instructed"),
    "demo.step.approve": ("[4/10] 由第二人复核批准", "[4/10] approving as a second person"),
    "demo.step.fund": ("[5/10] 拨付资金：财政将批次总额划入银行的清算账户",
                       "[5/10] funding: finance transfers the batch total to the bank's clearing account"),
    "demo.payment_due": ("      应于 {due} 前发放", "      payment due by {due}"),
    "demo.step.dispatch": ("[6/10] 服务的后台任务通过 SFTP 向 {bank} 发送代发文件",
                           "[6/10] the service's worker dispatches the payment file to {bank} over SFTP"),
    "demo.sent": ("      {name}：{size:,} 字节，sha256 {digest}…", "      {name}: {size:,} bytes, sha256 {digest}…"),
    "demo.step.bank_answer": ("[7/10] 等待 {bank} 的回盘文件", "[7/10] waiting for {bank}'s result file"),
    "demo.step.reissue": ("[8/10] 以经办人身份用更正后的账户补发 {count:,} 行失败的发放",
                          "[8/10] re-issuing {count:,} failed lines with corrected accounts (补发), as clerk"),
    "demo.reissue.change": ("      收款人变更（换了账户）：变更 {change} 须由第二人批准；已由审核人批准",
                            "      a change of who is paid (other accounts): change {change} waits for a second "
                            "person; approved by the approver"),
    "demo.reissue.file": ("      {name}：只含更正后的行，沿用原序号", "      {name}: only the corrected lines, under their "
                          "original seqs"),
    "demo.reissue.again": ("      {count:,} 行再次失败：由审核人放弃，结项时退回",
                           "      {count:,} failed again: given up by the approver, refunded at close"),
    "demo.step.deviant": ("[8/10] 一家表现异常的银行：{bank}，{count:,} 行", "[8/10] a bank that misbehaves: {bank}, "
                          "{count:,} lines"),
    "demo.deviant.late": ("      演示时钟拨到北京时间 {moment}，已过发放期限 {due}：银行迟发",
                          "      the demo's clock moves to {moment} Beijing time, past the payment deadline {due}: "
                          "the bank answers late (迟发)"),
    "demo.deviant.twice": ("      {name}：银行以新的流水号再次支付第 {seqs} 行（重发），并再次发送回盘（重复回盘）",
                           "      {name}: the bank paid lines {seqs} a second time under new references (重发) and "
                           "sent its answer again (a re-report)"),
    "demo.deviant.stray": ("      银行提交的文件支付了批次中从未有过的第 {seq} 行（多发）：{state}，{problem}",
                           "      the bank hands in a file paying line {seq}, which the batch never had (多发): "
                           "{state}, {problem}"),
    "demo.deviant.missed": ("      {count:,} 行失败既未补发也未放弃：结项时计为漏发",
                            "      {count:,} failed lines are left neither re-issued nor given up: missed (漏发) at "
                            "close"),
    "demo.step.close": ("[9/10] 批次 {batch} 结项：余款退回财政", "[9/10] closing batch {batch}: surplus goes back to "
                        "finance"),
    "demo.statement.none": ("      银行 {bank} 尚未发来对账单", "      bank {bank} sent no statement yet"),
    "demo.statement.clean": ("      清算账户的银行对账单：{files} 个文件，{matched:,} 笔相符，无差异，余额相符",
                             "      bank statement(s) of the clearing account: {files} file(s), {matched:,} entries "
                             "matched, CLEAN, in balance"),
    "demo.statement.breaks": ("      清算账户的银行对账单：{files} 个文件，{matched:,} 笔相符，{breaks} 处不符",
                              "      bank statement(s) of the clearing account: {files} file(s), {matched:,} entries "
                              "matched, {breaks} break(s)"),
    "demo.copies": ("三联单：同一个内容摘要，每联的签名均经服务验证：",
                    "three copies, one content digest, each signature verified by the service:"),
    "demo.copy.verified": ("已验证", "verified"),
    "demo.copy.invalid": ("无效（NOT VALID）", "NOT VALID"),
    "demo.exceptions": ("异常（ykt exceptions）：银行文件中不是单纯已付或失败的记录",
                        "exceptions (ykt exceptions): records of the bank's files that were not simply paid or failed"),
    "demo.summary.waiting": ("{bank} 批次 {batch}：{state}{verdict}", "{bank} batch {batch}: {state}{verdict}"),
    "demo.summary.figures": ("{bank} 批次 {batch}：拨付 {funded} = 已发放 {paid}（{paid_count:,} 行）+ 退回 {refunded}"
                             "（{refunded_count:,} 行）",
                             "{bank} batch {batch}: funded {funded} = paid {paid} ({paid_count:,} lines) + refunded "
                             "{refunded} ({refunded_count:,} lines)"),
    "demo.summary.due_back": ("；应由银行退回 {amount}（未经指令的付款）",
                              "; due back from the bank {amount} (paid without our instruction)"),
    "demo.summary.classes": ("；多发 {over}，重发 {duplicate}，漏发 {missed}，迟发 {late}",
                             "; 多发 {over}, 重发 {duplicate}, 漏发 {missed}, 迟发 {late}"),
    "demo.verdict.ok": ("：账实相符", ": OK"),
    "demo.verdict.mismatch": ("：不符（MISMATCH）", ": MISMATCH"),
    "demo.step.trail": ("[10/10] 证据链：{entries:,} 条日志记录，涉及 {transactions:,} 笔账务；哈希链与账簿不变式验证通过",
                        "[10/10] evidence trail: {entries:,} journal entries over {transactions:,} ledger "
                        "transactions; chain and ledger invariants verify"),
    "demo.step.trail_broken": ("[10/10] 证据链：{entries:,} 条日志记录，涉及 {transactions:,} 笔账务；哈希链与账簿不变式被破坏："
                               "{first}",
                               "[10/10] evidence trail: {entries:,} journal entries over {transactions:,} ledger "
                               "transactions; chain and ledger invariants BROKEN: {first}"),
    "demo.reports": ("报表已写入 {folder}", "reports written to {folder}"),
    "demo.all_accounted": ("每个批次均已对清", "every batch accounted for"),
    "demo.mismatch": ("不符（MISMATCH）：见上文", "MISMATCH: see above"),
}
