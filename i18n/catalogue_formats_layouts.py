"""Words of the problems of the two Chinese layouts' own statement readers and writers
(bank_formats/delimited: amounts, statements; bank_formats/fixed_width_gbk: fields, readers,
statements, the format's options and writer): ``format.layouts.*``.

The conventions are catalogue_formats.py's: the English words are the texts these modules wrote
before they had a Chinese twin, byte for byte; values in ``{...}`` are data (the file's bytes as
quoted, numbers, dates, a bank's codes, option values) shown as they are in both languages; a
field is named by its ``field.*`` name. Words that are the same as a generic reader's reuse that
reader's ``format.*`` key instead of being written twice.
"""
WORDS: dict[str, tuple[str, str]] = {
    # fields of a statement that the other catalogues do not name
    "field.statement_id": ("对账单编号", "statement_id"),
    "field.opening_balance_fen": ("期初余额（分）", "opening_balance_fen"),
    "field.closing_balance_fen": ("期末余额（分）", "closing_balance_fen"),
    "field.credit_fen": ("贷方金额（分）", "credit_fen"),
    "field.debit_fen": ("借方金额（分）", "debit_fen"),
    "field.currency": ("币种", "currency"),
    "field.side": ("借贷方向", "side"),
    "field.booking_date": ("记账日期", "booking_date"),
    "field.reference": ("交易流水号", "reference"),
    "field.line_seq": ("批次明细序号", "line_seq"),
    "field.counterparty_name": ("对方户名", "counterparty_name"),
    "field.counterparty_account": ("对方账号", "counterparty_account"),
    # a format's options, refused when a bank profile or a test sets them wrong
    "format.layouts.option_one_of": ("{option} 必须是 {allowed} 之一，不能是 {given}",
                                     "{option} must be one of {allowed}, not {given}"),
    "format.layouts.option_either": ("{option} 必须是 {one} 或 {other}，不能是 {given}",
                                     "{option} must be {one} or {other}, not {given}"),
    # the delimited family's amounts (delimited/core.py AmountStyle); unsigned: format.not_whole, format.not_yuan
    "format.layouts.not_signed_whole": ("{raw} 不是整数（只能是 ASCII 数字，前面可带 '-'：不带小数点或空格）",
                                        "{raw} is not a whole number (ASCII digits only, a '-' allowed in front: "
                                        "no point, no spaces)"),
    "format.layouts.not_signed_yuan": ("{raw} 不是以元为单位的金额（ASCII 数字、小数点和正好两位小数，例如 -1234.56："
                                       "前面可带 '-'，不带空格）",
                                       "{raw} is not an amount in yuan (ASCII digits, a point and exactly two "
                                       "decimals, e.g. -1234.56: a '-' allowed in front, no spaces)"),
    # the fixed-width family's fields (fixed_width_gbk/readers.py)
    "format.layouts.not_signed_amount": ("{raw} 不是带符号的金额（+ 或 -，{shape}）",
                                         "{raw} is not a signed amount (+ or -, {shape})"),
    "format.layouts.zero_with_plus": ("{raw}：金额为零时符号应为 +", "{raw}: zero is written with +"),
    "format.layouts.not_currency_iso": ("{raw} 不是币种代码（三个大写字母，ISO 4217）",
                                        "{raw} is not a currency code (three capital letters, ISO 4217)"),
    "format.layouts.title.statement header": ("对账单文件头", "statement header"),
    "format.layouts.title.statement detail": ("对账单明细", "statement detail"),
    # a statement's header and entries, read or written (delimited/statements.py, fixed_width_gbk/statements.py)
    "format.layouts.not_currency": ("{raw} 不是币种代码（3 个大写字母 A-Z）", "{raw} is not a currency code (3 letters A-Z)"),
    "format.layouts.to_before_from": ("结束日期 {last} 早于开始日期 {first}", "to_date {last} is before from_date {first}"),
    "format.layouts.before_from": ("{last} 早于开始日期 {first}", "{last} is before from_date {first}"),
    "format.layouts.closing_differs": ("期末余额 {closing} 不等于期初余额 {opening} + 贷方 {credit} - 借方 {debit} = {follows}",
                                       "closing balance {closing} is not opening balance {opening} + credit {credit} "
                                       "- debit {debit} = {follows}"),
    "format.layouts.closing_not_opening": ("期末余额 {closing} 不等于期初余额 {opening} + 贷方 {credit} - 借方 {debit} = "
                                           "{follows}",
                                           "closing balance {closing} is not opening {opening} + credit {credit} - "
                                           "debit {debit} = {follows}"),
    "format.layouts.entries_in_file": ("文件头记载 {stated} 笔分录，文件中有 {actual} 笔",
                                       "header says {stated} entries, {actual} in the file"),
    "format.layouts.entries_given": ("文件头记载 {stated} 笔分录，实际给出 {actual} 笔",
                                     "header says {stated} entries, {actual} were given"),
    "format.layouts.entries_file_has": ("文件头记载 {stated} 笔分录，文件中有 {actual} 笔",
                                        "header says {stated} entries, the file has {actual}"),
    "format.layouts.entries_fen_differ": ("文件头记载 {stated} 分，分录合计 {actual} 分",
                                          "header says {stated} fen, the entries add up to {actual}"),
    "format.layouts.entries_give": ("文件头记载{what} {stated}，分录合计为 {actual}",
                                    "header says {stated} {what}, the entries give {actual}"),
    "format.layouts.total.count": ("分录笔数", "entries"),
    "format.layouts.total.credit_fen": ("贷方金额（分）", "fen credited"),
    "format.layouts.total.debit_fen": ("借方金额（分）", "fen debited"),
    "format.layouts.not_side_cd": ("{raw} 不是借贷方向（C 贷方，D 借方）", "{raw} is not a side (C credit, D debit)"),
    "format.layouts.not_side": ("{raw} 不是借贷方向（C 或 D）", "{raw} is not a side (C or D)"),
    "format.layouts.zero_entry": ("分录金额必须为正数，不能为 0", "an entry moves a positive amount, not 0"),
    "format.layouts.outside_period": ("{booking} 不在对账单期间 {first} 至 {last} 之内",
                                      "{booking} is outside the statement's period {first} .. {last}"),
    "format.layouts.line_seq_needs_batch": ("有批次明细序号时必须给出所在的批次号", "a line_seq needs the batch_id it is in"),
    "format.layouts.seq_not_position": ("序号 {seq} 与该记录的位置 {position} 不符：序号应从 1 起按分录顺序编号",
                                        "seq {seq} is not the record's position {position}: seqs count the entries "
                                        "from 1"),
    "format.layouts.seq_not_entry_position": ("序号 {seq} 与该分录的位置 {position} 不符：序号应从 1 起按分录顺序编号",
                                              "seq {seq} is not the entry's position {position}: seqs count the "
                                              "entries from 1"),
    # values the writers cannot write (files we write: delimited/core.py, fixed_width_gbk/fields.py and format.py)
    "format.layouts.of_seq": ("序号 {seq}：{problem}", "seq {seq}: {problem}"),
    "format.layouts.missing": ("没有给出", "is missing"),
    "format.layouts.named_missing": ("没有给出{what}", "{what} is missing"),
    "format.layouts.not_text": ("必须是文本，实际是 {type}", "must be a text, got {type}"),
    "format.layouts.not_int": ("必须是整数，实际是 {type}", "must be an int, got {type}"),
    "format.layouts.named_not_int": ("{what}必须是整数，实际是 {type}", "{what} must be an int, got {type}"),
    "format.layouts.outside": ("{what} {value} 不在 {low}..{high} 范围内", "{what} {value} is outside {low}..{high}"),
    "format.layouts.not_within": ("{value} 不在 {low}..{high} 范围内", "{value} is not within {low}..{high}"),
    "format.layouts.not_within_fen": ("{value} 不在 {low}..{high} 分的范围内", "{value} is not within {low}..{high} fen"),
    "format.layouts.has_separator": ("含有字段分隔符 '|'；该格式无法转义", "contains '|', the field separator; the format "
                                                                  "has no escaping"),
    "format.layouts.has_line_break": ("含有换行符（CR 或 LF）；该格式无法转义",
                                      "contains a line break (CR or LF); the format has no escaping"),
    "format.layouts.cannot_encode": ("字符 {char}（U+{code}）无法用 {encoding} 写出",
                                     "character {char} (U+{code}) cannot be written in {encoding}"),
    "format.layouts.trailing_space": ("以空格结尾，读回时会被当作填充空格", "ends with a space, which reads back as padding"),
    "format.layouts.too_many_bytes": ("按 {encoding} 编码为 {length} 字节；该字段只能容纳 {width} 字节",
                                      "is {length} bytes in {encoding}; the field holds {width}"),
    "format.layouts.must_be_datetime": ("必须是日期时间，实际是 {type}", "must be a datetime, got {type}"),
    "format.layouts.must_be_date_and_time": ("必须是日期时间，实际是 {type}", "must be a date and time, got {type}"),
    "format.layouts.must_be_date": ("必须是日期，实际是 {type}", "must be a date, got {type}"),
    "format.layouts.offset_minutes": ("时区偏移 {offset} 不是整分钟数", "time zone offset {offset} is not a whole number of "
                                                                "minutes"),
    "format.layouts.seq_not_positive": ("序号 {seq} 不是不超过 18 位的正整数",
                                        "seq {seq} is not a positive integer of at most 18 digits"),
    "format.layouts.unknown_side": ("未知的借贷方向 {side}", "unknown side {side}"),
    "format.layouts.cannot_write": ("无法写出：{entry}", "cannot be written: {entry}"),
    "format.layouts.not_entry": ("不是对账单分录：{type} 没有 {missing}", "is not a statement entry: {type} has no {missing}"),
}
