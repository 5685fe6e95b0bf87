"""Words of what an ISO 20022 or layout reader says of a record it skipped (``Skipped.said``,
``format.skip.*``), kept in the file's reading report and said in the reader's language.

The English words are the ``Skipped.detail`` texts the readers wrote before, byte for byte (logs
and tests read ``detail``). As in ``catalogue_formats``, values in ``{...}`` are data shown as
they are: the bank's references and codes, quoted ids as the reader quoted them, currencies.
A label the reader made up when the file named nothing (``a transaction``, ``entry``,
``missing``) is a phrase of its own, so it is said in Chinese too.
"""
WORDS: dict[str, tuple[str, str]] = {
    # labels for a record the file gives no reference of its own
    "format.skip.a_transaction": ("某笔交易", "a transaction"),
    "format.skip.entry": ("分录", "entry"),
    "format.skip.missing": ("缺失", "missing"),
    "format.skip.whole_file": ("整个文件", "the whole file"),
    "format.skip.payment_info": ("付款信息 {id}", "payment information {id}"),
    # status reports (iso20022/status_report.py, pain002.py)
    "format.skip.whole_file_status": ("整个付款文件的状态（{outcome}）与逐笔交易的状态同时给出：未采用",
                                      "status for the whole payment file ({outcome}) beside transactions of their own: "
                                      "not applied"),
    "format.skip.status_no_transaction": ("状态 {status}（针对{what}），未列出任何交易",
                                          "status {status} for {what}, no transaction listed"),
    "format.skip.status_no_transaction_final": ("状态 {status}（针对{what}），未列出任何交易：不据此记账任何一行",
                                                "status {status} for {what}, no transaction listed: no line is booked "
                                                "from it"),
    "format.skip.answers_other": ("{label}：该报告回复的是 {answers}，不是付款文件（pain.001）",
                                  "{label}: the report answers a {answers}, not a payment file (pain.001)"),
    "format.skip.not_final": ("{label}：状态 {status} 不是最终状态（处理中）", "{label}: status {status} is not final (in progress)"),
    "format.skip.foreign_amount": ("{label}：金额币种为 {currency}，不是 {expected}", "{label}: {currency} amount, not {expected}"),
    "format.skip.other_batch": ("{label}：付款信息 {named}，不是本批次 {batch}", "{label}: payment information {named}, not {batch}"),
    "format.skip.no_line_refs": ("{label}：未指向我方任何一行（端到端标识 EndToEndId {e2e}，指令标识 InstrId {instr}）",
                                 "{label}: names none of our lines (EndToEndId {e2e}, InstrId {instr})"),
    "format.skip.no_amount": ("第 {seq} 行：状态 {status}，但没有金额", "line {seq}: status {status} without an amount"),
    # account entries (iso20022/account_entries.py, camt053.py)
    "format.skip.of_entry": ("{entry}：{detail}", "{entry}: {detail}"),
    "format.skip.other_account": ("账户 {account} 的分录，不是本账户 {expected}", "entry of account {account}, not {expected}"),
    "format.skip.entry_not_booked": ("分录状态 {status}，不是 {booked}（已记账）", "entry status {status}, not {booked}"),
    "format.skip.foreign_entry": ("{currency} 分录，不是 {expected}", "{currency} entry, not {expected}"),
    "format.skip.foreign_balance": ("对账单 {id}：{code} 余额的币种为 {currency}，不是该账户的币种：未读取",
                                    "statement {id}: balance {code} in {currency}, not the account's currency: not read"),
    "format.skip.entry_status": ("分录 {entry}：状态 {status}，不是 BOOK（已记账）", "entry {entry}: status {status}, not BOOK"),
    "format.skip.entry_currency": ("分录 {entry}：币种 {currency}，不是 {expected}", "entry {entry}: {currency}, not {expected}"),
    "format.skip.entry_no_line": ("分录 {entry}：{what}；无法从中确定是哪一行", "entry {entry}: {what}; no line can be told from it"),
    "format.skip.batch_booking": ("付款信息 {id} 的批量记账", "batch booking of payment information {id}"),
    "format.skip.no_tx_details": ("没有交易明细的分录", "an entry without transaction details"),
    "format.skip.currency": ("{label}：币种 {currency}，不是 {expected}", "{label}: {currency}, not {expected}"),
    "format.skip.credit_entry": ("{label}：资金转入，不是付款退回", "{label}: money in, no return of a payment"),
    "format.skip.credit_reversal": ("{label}：贷记冲正", "{label}: reversal of a credit"),
    "format.skip.no_line": ("{label}：未指向我方任何一行", "{label}: names none of our lines"),
    # lines of a layout file (layout/files.py)
    "format.skip.empty_line": ("空行", "an empty line"),
}
