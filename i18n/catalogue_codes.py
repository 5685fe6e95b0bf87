"""The names people read for every stable code they see: ``<kind>.<CODE>`` → (zh, en).

Machines keep the codes (the ledger, JSON, ``google.rpc`` details, a report's signed content);
every rendering for people shows ``i18n.name(kind, code)``. The kinds and the enums they name
(the test ``tests/unit/i18n/test_catalogue.py`` checks that every member has both words):

=================  ==========================================================
batch_status       domain.model.BatchStatus
line_status        domain.model.LineStatus
file_state         domain.model.FileState
statement_state    service.statements.StatementState
account_kind       domain.model.AccountKind
reason             domain.model.FailureReason, plus NO_RESULT and PAID_SHORT of reports
follow_up          domain.reasons.FollowUp, plus ASK_BANK of the refund report
disposition        domain.booking.Disposition (how a bank's record was booked)
discrepancy        reports.discrepancies.DiscrepancyClass (多发 / 重发 / 漏发 / 迟发)
break              domain.statement_match.BreakKind (statement reconciliation)
check              the checks of the reconciliation, refund, aggregate and monthly reports
duty / part        domain.duties.Duty and Part (who may not do what)
role               service.identity.Role
stop_kind          domain.eligibility.StopKind
=================  ==========================================================

The Chinese is what the department, the finance bureau and the bank write on their own forms
(名册, 三联单); reports/names.py was the first home of most of these words.
"""
WORDS: dict[str, tuple[str, str]] = {
    # batch states
    "batch_status.NEEDS_CORRECTION": ("待更正", "needs correction"),
    "batch_status.SUBMITTED": ("待审核", "waiting for approval"),
    "batch_status.APPROVED": ("已审核", "approved"),
    "batch_status.FUNDED": ("已拨付", "funded"),
    "batch_status.DISPATCHED": ("已发送银行", "sent to the bank"),
    "batch_status.RESULTS_COMPLETE": ("已全部回盘", "all results in"),
    "batch_status.CLOSED": ("已结束", "closed"),
    # line states
    "line_status.REJECTED": ("校验未通过", "rejected by the checks"),
    "line_status.HELD": ("暂停发放（待核）", "held for review"),
    "line_status.REMOVED": ("已移出名册", "removed from the roster"),
    "line_status.PENDING": ("待回盘", "waiting for the bank's result"),
    "line_status.PAID": ("已发放", "paid"),
    "line_status.FAILED": ("发放失败", "failed"),
    "line_status.GIVEN_UP": ("放弃补发", "given up"),
    "line_status.REFUNDED": ("已退回财政", "refunded to finance"),
    # file states (payment files out, result files in)
    "file_state.GENERATED": ("已生成待发送", "generated, waiting for upload"),
    "file_state.UPLOADING": ("发送中", "uploading"),
    "file_state.FAILED": ("发送失败待重试", "upload failed, to be retried"),
    "file_state.DELIVERED": ("已送达银行", "delivered to the bank"),
    "file_state.ACKNOWLEDGED": ("银行已接收", "taken by the bank"),
    "file_state.RECEIVED": ("已收到回盘", "result received"),
    "file_state.BOOKED": ("已入账", "booked"),
    "file_state.DUPLICATE": ("重复文件（未入账）", "duplicate, booked nothing"),
    "file_state.QUARANTINED": ("已隔离（未入账）", "quarantined, booked nothing"),
    # bank statements
    "statement_state.STORED": ("已存储", "stored"),
    "statement_state.DUPLICATE": ("重复对账单（未存储）", "duplicate, stored nothing"),
    "statement_state.QUARANTINED": ("已隔离（未存储）", "quarantined, stored nothing"),
    # account kinds
    "account_kind.CARD": ("银行卡", "bank card"),
    "account_kind.PASSBOOK": ("存折", "passbook"),
    "account_kind.SOCIAL_SECURITY_CARD": ("社保卡", "social security card"),
    # failure reasons
    "reason.ACCOUNT_NOT_FOUND": ("账户不存在", "account not found"),
    "reason.NAME_MISMATCH": ("户名不符", "name does not match the account"),
    "reason.ACCOUNT_CLOSED": ("账户已销户", "account closed"),
    "reason.ACCOUNT_FROZEN": ("账户冻结", "account frozen"),
    "reason.ID_MISMATCH": ("证件号码不符", "ID number does not match"),
    "reason.CARD_LOST": ("卡已挂失或换卡", "card lost or replaced"),
    "reason.OTHER": ("其他原因", "other reason"),
    "reason.NO_RESULT": ("银行未回盘", "no result from the bank"),
    "reason.PAID_SHORT": ("少付", "paid short"),
    # follow-ups of a failed line
    "follow_up.REISSUE_AFTER_CORRECTION": ("更正后补发", "correct and re-issue"),
    "follow_up.STOP": ("停发待核", "stop until checked"),
    "follow_up.REFUND": ("退回财政", "refund to finance"),
    "follow_up.ASK_BANK": ("向银行核实", "ask the bank"),
    # how a bank's record was booked
    "disposition.PAID": ("已发放", "paid"),
    "disposition.PAID_SHORT": ("少付", "paid short"),
    "disposition.PAID_OVER": ("多付", "paid over"),
    "disposition.FAILED": ("失败", "failed"),
    "disposition.NOT_INSTRUCTED": ("未经指令的付款", "paid without an instruction"),
    "disposition.OTHER_ACCOUNT": ("户名账号与指令不符", "another account or person than instructed"),
    "disposition.SECOND_PAYMENT": ("重复付款", "paid a second time"),
    "disposition.REREPORT": ("重复回盘", "reported again"),
    "disposition.CONFLICT": ("回盘结果矛盾", "contradicting results"),
    "disposition.IGNORED_FAILURE": ("未指令行报失败（不处理）", "failure of a line never instructed (ignored)"),
    # discrepancy classes of the reconciliation
    "discrepancy.OVER": ("多发", "over-payment"),
    "discrepancy.DUPLICATE": ("重发", "duplicate payment"),
    "discrepancy.MISSED": ("漏发", "missed payment"),
    "discrepancy.LATE": ("迟发", "late payment"),
    # statement breaks
    "break.STATEMENT_ONLY": ("对账单有、账簿无", "on the statement, not in the ledger"),
    "break.LEDGER_ONLY": ("账簿有、对账单无", "in the ledger, not on the statement"),
    "break.AMOUNT_MISMATCH": ("金额不符", "amount differs"),
    "break.DATE_MISMATCH": ("日期不符", "booked on dates too far apart"),
    "break.STATEMENT_UNBALANCED": ("对账单自身不平", "statement does not add up"),
    "break.BALANCE_GAP": ("余额不连续", "opening is not the previous closing"),
    "break.BALANCE_MISMATCH": ("余额不符", "closing balance differs from the ledger"),
    # report checks: the reconciliation
    "check.every_transaction_sums_to_zero": ("每笔记账借贷平衡", "every transaction sums to zero"),
    "check.roster_equals_submission": ("名册与报送一致", "roster equals submission"),
    "check.instruction_equals_accepted_lines": ("发放指令与受理名单一致", "instruction equals accepted lines"),
    "check.funded_equals_instruction": ("拨付金额与指令一致", "funded equals instruction"),
    "check.funded_equals_paid_refunded_outstanding": ("拨付 = 已发放 + 已退回 + 在途",
                                                      "funded = paid + refunded + outstanding"),
    "check.bank_paid_equals_ledger_paid": ("银行已发放与账簿一致", "bank paid equals ledger paid"),
    "check.bank_due_back_equals_ledger_due_back": ("应收银行退回与账簿一致",
                                                   "bank due back equals ledger due back"),
    "check.closed_clearing_is_zero": ("结束批次清算户余额为零", "closed batch's clearing balance is zero"),
    "check.outcome_adds_up_to_instruction": ("首发 + 补发 + 失败 + 未回盘 = 指令",
                                             "first paid + re-issued + failed + unanswered = instruction"),
    # the refund report
    "check.surplus_equals_refund": ("结余资金等于退回金额", "surplus equals refund"),
    "check.items_sum_to_refund": ("退回明细合计等于退回金额", "items sum to the refund"),
    "check.due_back_listed": ("应收银行退回逐笔列明", "money due back from the bank listed item by item"),
    # the aggregate and monthly reports
    "check.every_batch_passes_its_checks": ("各批次核对全部通过", "every batch passes its checks"),
    "check.outstanding_equals_funded_less_paid_and_refunded": ("月末在途 = 拨付 - 已发放 - 已退回",
                                                               "outstanding = funded - paid - refunded"),
    "check.outstanding_lines_not_negative": ("在途笔数不为负", "outstanding lines not negative"),
    # duties and the parts that bar someone from them
    "duty.APPROVE_BATCH": ("审核批次", "approve the batch"),
    "duty.FUND_BATCH": ("拨付批次资金", "fund the batch"),
    "duty.APPROVE_LINE_CHANGE": ("审核收款人变更", "approve a change of who is paid"),
    "duty.REISSUE_ON_LEAVE": ("凭本人批准补发", "re-issue a line on the leave they gave"),
    "part.SUBMITTED": ("报送人", "its submitter"),
    "part.CORRECTED": ("更正人", "whoever corrected its lines"),
    "part.APPROVED": ("审核人", "its approver"),
    "part.CHANGED": ("变更申请人", "whoever made the change"),
    "part.GAVE_LEAVE": ("批准补发的人", "whoever gave the leave"),
    # roles
    "role.CLERK": ("经办员", "clerk"),
    "role.APPROVER": ("审核员", "approver"),
    "role.FINANCE": ("财政", "finance"),
    "role.BANK": ("代发银行", "bank"),
    "role.AUDITOR": ("审计", "auditor"),
    # stop list
    "stop_kind.DECEASED": ("死亡", "deceased"),
    "stop_kind.IMPRISONED": ("服刑", "imprisoned"),
    "stop_kind.INELIGIBLE": ("不再符合条件", "no longer eligible"),
}
