"""Words of the layout engine's last English texts (issue 16 item 3): the delimited family's line
scanner (bank_formats/delimited/lines.py: the digest line, lines too long, a source that hands out
no bytes), and the refusals of the declared layouts' writers (bank_formats/layout/codecs.py and
records.py: a value a field cannot hold; files.py: a line the encoding cannot write), and of a
format's carriage (bank_formats/carriage.py): ``format.engine.*``. The writers' totals, seq checks
and "seq S: " reuse the catalogue's words (bank_formats/layout/wording.py names them).

The conventions are catalogue_formats.py's: the English words are the texts these modules wrote
before they had a Chinese twin, byte for byte; values in ``{...}`` are data (the file's bytes and
the values given, as quoted by the writer, numbers, the layout's declared codes and constants)
shown as they are in both languages; a field is named by its ``field.*`` name, a failure reason by
its ``reason.*`` name. Words that are the same as a generic reader's or writer's reuse that key
(``format.line_too_long``, ``format.cannot_read``, ``format.empty``, ``format.control_char``, the
``format.layouts.*`` refusals) instead of being written twice.
"""
WORDS: dict[str, tuple[str, str]] = {
    "field.algorithm": ("摘要算法", "algorithm"),
    # a declared field without a name (a constant, a filler, a digest) is called by its place in its
    # record, "field 3" (bank_formats/layout/declaration.py FieldDecl.label), up to field 99 (a later
    # one is shown as that text)
    "format.field_n": ("第 {n} 个字段", "field {n}"),  # a field the layout leaves unnamed (bank_formats.base)
    # the delimited family's line scanner (delimited/lines.py)
    "format.engine.source_none": ("无法读取：数据源没有返回任何数据（None）", "cannot be read: the source returned None"),
    "format.engine.source_not_bytes": ("无法读取：数据源返回的是 {type}，不是字节",
                                       "cannot be read: the source returned {type}, not bytes"),
    "format.engine.after_digest_line": ("摘要行（第 {line} 行）之后文件还有内容：摘要行必须是最后一行",
                                        "the file goes on after its digest line (line {line}), which must be the "
                                        "last line"),
    "format.engine.no_digest_line": ("文件在第 {line} 行之后结束，缺少摘要行（{lead}{algorithm}|...）：文件不完整",
                                     "the file ends after line {line} without its digest line "
                                     "({lead}{algorithm}|...): it is incomplete"),
    "format.engine.digest_not_ascii": ("摘要行不是 ASCII 文本", "the digest line is not ASCII text"),
    "format.engine.digest_fields": ("{count} 个字段；摘要行应有 {expected} 个（{lead}{algorithm}|<十六进制摘要值>）",
                                    "{count} fields; a digest line has {expected} ({lead}{algorithm}|<hex digest>)"),
    "format.engine.not_agreed_algorithm": ("{got} 不是约定的摘要算法 {algorithm}", "{got} is not the agreed {algorithm}"),
    "format.engine.not_hex64": ("{stated} 不是 64 位十六进制数字", "{stated} is not 64 hexadecimal digits"),
    "format.engine.no_header": ("没有文件头", "no header"),
    "format.engine.line_unreadable": ("该行无法读取", "the line cannot be read"),
    # what a declared field cannot hold (layout/codecs.py); the rest are format.layouts.* words
    "format.engine.bytes_too_long": ("{piece} 为 {length} 字节；该字段只能容纳 {width} 字节",
                                     "{piece} is {length} bytes; the field holds {width}"),
    "format.engine.characters_too_long": ("{text} 为 {length} 个字符；该字段只能容纳 {width} 个字符",
                                          "{text} is {length} characters; the field holds {width}"),
    "format.engine.unknown_code": ("未知的{what} {value}", "unknown {what} {value}"),
    "format_code_field.account kind": ("账户类型", "account kind"),
    "format_code_field.outcome": ("处理结果", "outcome"),
    "format_code_field.status": ("处理状态", "status"),
    "format.engine.holds_separator": ("含有字段分隔符 {sep}", "holds {sep}, the field separator"),
    "format.engine.contains_separator": ("含有字段分隔符 {sep}；该格式无法转义",
                                         "contains {sep}, the field separator; the format has no escaping"),
    "format.engine.leading_space": ("以空格开头，读回时会被当作填充空格", "starts with a space, which reads back as padding"),
    "format.engine.ends_with_pad": ("以 {pad} 结尾，读回时会被当作填充字符", "ends with {pad}, which reads back as padding"),
    "format.engine.starts_with_pad": ("以 {pad} 开头，读回时会被当作填充字符",
                                      "starts with {pad}, which reads back as padding"),
    "format.engine.named_not_text": ("{what}必须是文本，实际是 {type}", "{what} must be a text, got {type}"),
    # a result record's status and bank code (layout/codecs.py, layout/records.py)
    "format.engine.paid_with_code": ("成功的记录没有银行失败代码（文件中记为 {paid}），实际给出 {code}",
                                     "a paid record has no bank code (the file says {paid}), got {code}"),
    "format.engine.paid_code_failed": ("{paid} 表示成功；该记录是失败的", "{paid} means paid; the record failed"),
    "format.engine.code_not_alnum": ("银行失败代码 {code} 不是 ASCII 字母和数字",
                                     "bank code {code} is not ASCII letters and digits"),
    "format.engine.code_not_alnum_n": ("银行失败代码 {code} 不是 1 到 {width} 个 ASCII 字母和数字",
                                       "bank code {code} is not 1 to {width} ASCII letters and digits"),
    "format.engine.code_not_declared": ("银行失败代码 {code} 不在该格式声明的代码之中（{listed}）",
                                        "bank code {code} is not one this layout declares ({listed})"),
    "format.engine.code_reads_back": ("银行失败代码 {code} 读回时是“{reads}”，不是“{reason}”",
                                      "bank code {code} reads back as {reads}, not {reason}"),
    "format.engine.code_reads_back_leave": ("银行失败代码 {code} 读回时是“{reads}”，不是“{reason}”；"
                                            "银行失败代码留空即写出 {default}",
                                            "bank code {code} reads back as {reads}, not {reason}; leave bank_code "
                                            "empty to write {default}"),
    "format.engine.code_reads_back_cannot": ("银行失败代码 {code} 读回时是“{reads}”，不是“{reason}”：不能用它写出这一失败原因",
                                             "code {code} reads back as {reads}, not {reason}: it cannot be written "
                                             "for that reason"),
    "format.engine.missing_value": ("缺少 {name}", "missing {name}"),
    # a line a writer cannot encode (layout/files.py); {reason} is Python's codec's own words
    "format.engine.line_not_encodable": ("无法用 {encoding} 写出：{reason}", "cannot be written in {encoding}: {reason}"),
    # a format's carriage (carriage.py): a mistake of the format's own code, refused at start-up
    "format.engine.carriage_texts": ("格式的可承载字段表必须列出付款明细的每个文本字段：{texts}",
                                     "a carriage lists every text of a line: {texts}"),
}
