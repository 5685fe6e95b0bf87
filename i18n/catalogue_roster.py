"""Words of rosters from Excel (``ykt batch template``, ``ykt batch submit``; adapter/roster_cli.py
and adapter/roster_sheet.py): what the command says, the result sheet's headers and outcomes,
and the sheet's own problem codes (``problem.SHEET_*``), read beside the domain's
(``problem.ID_CHECKSUM``...) with ``i18n.name("problem", code)``.
"""
WORDS: dict[str, tuple[str, str]] = {
    # the sheet's own problems (adapter/roster_sheet.py)
    "problem.SHEET_FORMAT": ("不是可读的名册文件(支持 .xlsx、.csv、.jsonl)",
                             "not a roster file we read (.xlsx, .csv, .jsonl)"),
    "problem.SHEET_ENCODING": ("文件编码有误(请整份存为 UTF-8 或 GBK)",
                               "bytes that are not text (save the whole file as UTF-8 or GBK)"),
    "problem.SHEET_NO_HEADER": ("找不到列名行", "no row names the columns"),
    "problem.SHEET_COLUMN_MISSING": ("缺少必填列", "a required column is missing"),
    "problem.SHEET_COLUMN_TWICE": ("同一字段有两列", "two columns for one field"),
    "problem.SHEET_COLUMN_UNKNOWN": ("无法识别的列,已忽略", "a column we do not know, ignored"),
    "problem.SHEET_AMOUNT": ("金额须为元,最多两位小数", "the amount must be yuan with at most two decimals"),
    "problem.SHEET_NUMBER_CELL": ("号码被存成了数字,可能已丢位;请把该列设为文本后重填",
                                  "a number stored as a number may have lost digits: format the column as text"),
    "problem.SHEET_CELL_TYPE": ("此处应为文字", "text belongs here"),
    "problem.SHEET_HIDDEN_ROW": ("该行在表中被隐藏（或被筛选掉）：请取消隐藏；不发放的行请删除",
                                 "the row is hidden in the sheet (or filtered out): unhide it, or delete it if it is "
                                 "not to be paid"),
    "problem.SHEET_CELL_ERROR": ("单元格显示 Excel 错误值(公式出错),不是数据",
                                 "the cell shows an Excel error (a formula failed), not a value"),
    "problem.SHEET_SEQ": ("序号须为整数", "the sequence number must be a whole number"),
    "problem.SHEET_ROW": ("该行不是 JSON 对象", "the line is not a JSON object"),
    "problem.SHEET_TIDIED": ("已整理:号码中的空格、横线或全角字符已去除,文字中的换行已换成空格(仅提示)",
                             "tidied: spaces, dashes or full-width characters taken out of a number, line breaks "
                             "in a text made spaces (warning only)"),
    "problem.SHEET_TOTAL_ROW": ("表中合计行与各行之和不符", "the sheet's total row does not match its rows"),
    "roster.skipped.title": ("第 {row} 行是列名上方的标题「{text}」,已跳过。", "row {row} is a title above the "
                             "header ('{text}'): skipped."),
    "roster.skipped.total": ("第 {row} 行是表中的合计行「{text}」,已跳过(已与各行之和核对)。",
                             "row {row} is the sheet's total row ('{text}'): skipped (checked against the rows)."),
    "roster.skipped.footer": ("第 {row} 行在合计行之下「{text}」,已跳过。", "row {row} is below the total row "
                              "('{text}'): skipped."),
    # where a problem is
    "roster.where.row": ("第 {row} 行", "row {row}"),
    "roster.where.seq": ("(序号 {seq})", " (seq {seq})"),
    "roster.where.file": ("整个名册", "the roster as a whole"),
    "roster.severity.error": ("错误", "error"),
    "roster.severity.warning": ("提示", "warning"),
    # what the command says
    "roster.checking": ("检查名册", "checking"),
    "roster.sending": ("提交名册", "submitting"),
    "roster.writing": ("写结果表", "writing results"),
    "roster.waiting": ("服务检查并保存", "the service checks and stores"),
    "roster.fetching": ("取回问题清单", "fetching issues"),
    "roster.rate": ("{rate} 行/秒", "{rate} rows/s"),
    "roster.refused": ("名册有 {errors} 处错误,涉及 {rows} 行;未提交任何内容。请改正后再提交。",
                       "the roster has {errors} error(s) on {rows} row(s); nothing was sent. Correct them and "
                       "submit again."),
    "roster.warned": ("另有 {warnings} 条提示,不影响提交。", "{warnings} warning(s) besides, which do not stop it."),
    "roster.checked": ("名册检查通过:{count} 行,合计 {total} 元。", "roster checked: {count} rows, {total} yuan."),
    "roster.blank_rows": ("跳过空行 {count} 行。", "{count} blank row(s) skipped."),
    "roster.example_skipped": ("第 {row} 行是模板的示例行,已跳过。", "row {row} is the template's example row: skipped."),
    "roster.empty": ("名册没有数据行,未提交。", "the roster has no rows; nothing was sent."),
    "roster.submitted": ("批次 {batch}:{status}。接受 {accepted} 行,拒绝 {rejected} 行,暂停 {held} 行;共 {count} 行,"
                         "合计 {total} 元。",
                         "batch {batch}: {status}. {accepted} accepted, {rejected} rejected, {held} held; {count} "
                         "rows, {total} yuan."),
    "roster.replayed": ("这份名册此前已提交过(同一幂等键),以下是那次的结果。",
                        "this roster was submitted before (same idempotency key): these are that submission's results."),
    "roster.correct_hint": ("被拒绝的行请用 ykt lines correct 更正或 ykt lines remove 删除。",
                            "correct rejected rows with ykt lines correct or remove them with ykt lines remove."),
    "roster.more_warnings": ("另有 {count} 条提示未逐条列出,全部提示见 {path}", "{count} more warning(s) not listed "
                             "one by one: every warning is in {path}"),
    "roster.problems_written": ("问题清单:{path}", "the problems, one a row: {path}"),
    "roster.problems.sheet": ("检查问题", "problems"),
    "roster.problems.row": ("原表行号", "row"),
    "roster.problems.seq": ("序号", "seq"),
    "roster.problems.column": ("列", "column"),
    "roster.problems.severity": ("类别", "kind"),
    "roster.problems.code": ("原因代码", "code"),
    "roster.problems.words": ("问题", "problem"),
    "roster.problems.detail": ("说明", "detail"),
    "roster.result_written": ("结果表:{path}", "result sheet: {path}"),
    "roster.server_refused": ("服务拒绝了这份名册,未保存任何内容:{detail}", "the service refused the roster; nothing "
                              "was stored: {detail}"),
    "roster.server_error": ("服务出错:{detail}", "the service failed: {detail}"),
    "roster.file_exists": ("{path} 已存在,不覆盖;请用 --out / --result 另选文件名。",
                           "{path} exists and is not overwritten: choose another name with --out / --result."),
    "roster.template_written": ("模板已写入 {path}:第 1 行列名,第 2 行英文代码,第 3 行示例(提交时自动跳过)。",
                                "template written to {path}: row 1 the columns, row 2 their codes, row 3 an example "
                                "(skipped when submitted)."),
    "roster.bad_option": ("{option}:{why}", "{option}: {why}"),
    "roster.not_positive": ("{value} 不是大于零的金额", "{value} is not an amount above zero"),
    # the commands' help
    "roster.help.template": ("写出 XLSX 发放名册模板(列名和一行示例)", "write an XLSX roster template (columns and "
                             "one example row)"),
    "roster.help.out": ("写到这个文件(默认 roster-template.xlsx;不覆盖已有文件)",
                        "the file to write (default roster-template.xlsx; never over an existing file)"),
    "roster.help.submit": ("先在本地检查名册(XLSX、CSV 或 JSON lines),再提交", "check a roster (XLSX, CSV or JSON "
                           "lines) here, then submit it"),
    "roster.help.file": ("名册文件:.xlsx、.csv(UTF-8 或 GBK)或 .jsonl", "the roster: .xlsx, .csv (UTF-8 or GBK) or "
                         ".jsonl"),
    "roster.help.program": ("补贴项目代码", "subsidy program code"),
    "roster.help.period": ("发放期间,如 2026-11", "the period, e.g. 2026-11"),
    "roster.help.region": ("6 位行政区划代码", "6-digit administrative division code"),
    "roster.help.bank": ("代理银行代码", "the agency bank's code"),
    "roster.help.payer-name": ("付款账户户名", "the paying account's name"),
    "roster.help.payer-account": ("付款账号", "the paying account"),
    "roster.help.key": ("幂等键(默认:由文件内容和批次信息算出)", "idempotency key (default: a digest of the file "
                        "and the header)"),
    "roster.help.control-count": ("名册申报的行数(默认:实际行数)", "the roster's stated line count (default: the "
                                  "rows counted)"),
    "roster.help.control-total": ("名册申报的合计金额,元(默认:各行相加)", "the roster's stated total in yuan "
                                  "(default: the rows summed)"),
    "roster.help.max-amount": ("每行不得超过的补贴标准,元(默认:无)", "the program's standard per line in yuan "
                               "(default: none)"),
    "roster.help.result": ("结果表(默认:与名册同目录的 名册名-result.xlsx)", "the result sheet (default: FILE's "
                           "name + -result.xlsx beside it)"),
    "roster.help.check-only": ("只在本地检查,不提交", "check the roster here and send nothing"),
    "roster.help.json": ("供脚本使用:结果以一个 JSON 对象输出(金额为分,代码原样)", "for scripts: the outcome as one "
                         "JSON object (amounts in fen, codes as codes)"),
    # the result sheet
    "roster.sheet.results": ("提交结果", "results"),
    "roster.sheet.summary": ("汇总", "summary"),
    "roster.other_line": ("(批次 {batch} 序号 {seq})", " (batch {batch} seq {seq})"),
    "roster.col.row": ("原表行号", "row"),
    "roster.col.seq": ("序号", "seq"),
    "roster.col.name": ("姓名", "name"),
    "roster.col.id_number": ("身份证号(遮蔽)", "ID number (masked)"),
    "roster.col.account_no": ("账号(遮蔽)", "account (masked)"),
    "roster.col.amount": ("金额(元)", "amount (yuan)"),
    "roster.col.outcome": ("结果", "outcome"),
    "roster.col.codes": ("原因代码", "reason codes"),
    "roster.col.reasons": ("原因", "reasons"),
    "roster.outcome.ACCEPTED": ("已接受", "accepted"),
    "roster.outcome.REJECTED": ("已拒绝", "rejected"),
    "roster.outcome.HELD": ("暂停,待复核", "held for review"),
    "roster.summary.file": ("名册文件", "roster file"),
    "roster.summary.batch": ("批次号", "batch"),
    "roster.summary.status": ("批次状态", "batch status"),
    "roster.summary.count": ("行数", "rows"),
    "roster.summary.total": ("合计金额(元)", "total (yuan)"),
    "roster.summary.accepted": ("已接受", "accepted"),
    "roster.summary.rejected": ("已拒绝", "rejected"),
    "roster.summary.held": ("暂停,待复核", "held for review"),
    "roster.summary.replayed": ("重复提交", "submitted before"),
    "roster.summary.written_at": ("生成时间(北京时间)", "written at (Beijing time)"),
    # the template
    "roster.template.sheet": ("发放名册", "roster"),
    "roster.template.help_sheet": ("填写说明", "how to fill in"),
    "roster.template.required": ("必填", "required"),
    "roster.template.optional": ("选填", "optional"),
    "roster.template.help_cols": ("列名|英文代码|是否必填|说明", "column|code|required|notes"),
}
