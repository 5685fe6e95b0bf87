"""Words of the libraries' own errors an operator meets setting up: a TOML file that does not parse
(Python 3.11's tomllib, ``library.toml.*``), a file that cannot be opened (``OSError`` by errno,
``library.os.*``) or is not UTF-8 (``UnicodeDecodeError``, ``library.decode.*``).

i18n/library_words.py reads an exception's text back into these words, so the English words are
the library's sentences byte for byte (a ``{field}`` stands for any text there) and an exception
whose text they do not rebuild keeps its own. Values in ``{...}`` are the library's data (a key
as tomllib writes it, a character's repr, a file name's repr, a byte, a position, an encoding)
shown as they are.
"""
WORDS: dict[str, tuple[str, str]] = {
    # tomllib: where in the file, then what is wrong there
    "library.toml.at.line": ("{what}（第 {line} 行第 {column} 列）", "{what} (at line {line}, column {column})"),
    "library.toml.at.end": ("{what}（在文件末尾）", "{what} (at end of document)"),
    "library.toml.what.invalid_statement": ("无法识别的语句", "Invalid statement"),
    "library.toml.what.newline_after_statement": ("一条语句之后应换行或结束文件",
                                                  "Expected newline or end of document after a statement"),
    "library.toml.what.expected": ("缺少 {text}", "Expected {text}"),
    "library.toml.what.found_invalid_character": ("发现无效字符 {char}", "Found invalid character {char}"),
    "library.toml.what.declared_twice": ("{name} 重复声明", "Cannot declare {name} twice"),
    "library.toml.what.overwrite_value": ("不能覆盖已经有值的键", "Cannot overwrite a value"),
    "library.toml.what.table_header_end": ("表头末尾应为 ']'", "Expected ']' at the end of a table declaration"),
    "library.toml.what.immutable": ("{name} 是已写完的内联表或数组，不能再添加内容",
                                    "Cannot mutate immutable namespace {name}"),
    "library.toml.what.array_header_end": ("表数组的表头末尾应为 ']]'", "Expected ']]' at the end of an array declaration"),
    "library.toml.what.redefine": ("不能用带点的键重新定义已声明的表 {name}", "Cannot redefine namespace {name}"),
    "library.toml.what.expected_equals": ("键之后应为 '='（键 = 值）", "Expected '=' after a key in a key/value pair"),
    "library.toml.what.key_start": ("键名的第一个字符无效", "Invalid initial character for a key part"),
    "library.toml.what.unclosed_array": ("数组没有闭合（缺少 ']'）", "Unclosed array"),
    "library.toml.what.inline_key_twice": ("内联表中的键 {name} 重复", "Duplicate inline table key {name}"),
    "library.toml.what.unclosed_inline_table": ("内联表没有闭合", "Unclosed inline table"),
    "library.toml.what.unescaped_backslash": ("字符串中有未转义的 '\\'", "Unescaped '\\' in a string"),
    "library.toml.what.invalid_hex": ("无效的十六进制值", "Invalid hex value"),
    "library.toml.what.not_scalar": ("转义的字符不是有效的 Unicode 字符", "Escaped character is not a Unicode scalar value"),
    "library.toml.what.unterminated_string": ("字符串没有结束（缺少结束的引号）", "Unterminated string"),
    "library.toml.what.illegal_character": ("非法字符 {char}", "Illegal character {char}"),
    "library.toml.what.invalid_date": ("无效的日期或日期时间", "Invalid date or datetime"),
    "library.toml.what.invalid_value": ("无效的值", "Invalid value"),
    # a file that cannot be opened: the system's error and its number, with the file when it names one
    "library.os.error": ("{why}（系统错误号 {errno}）", "[Errno {errno}] {why}"),
    "library.os.error_file": ("{why}：{file}（系统错误号 {errno}）", "[Errno {errno}] {why}: {file}"),
    "library.os.why.ENOENT": ("文件或文件夹不存在", "No such file or directory"),
    "library.os.why.EACCES": ("没有访问权限", "Permission denied"),
    "library.os.why.EISDIR": ("这是一个文件夹，不是文件", "Is a directory"),
    "library.os.why.ENOTDIR": ("路径中有一部分不是文件夹", "Not a directory"),
    "library.os.why.ENAMETOOLONG": ("文件名太长", "File name too long"),
    "library.os.why.ELOOP": ("符号链接层数太多（可能互相指向）", "Too many levels of symbolic links"),
    "library.os.why.ENOSPC": ("磁盘空间已满", "No space left on device"),
    "library.os.why.EDQUOT": ("超出磁盘配额", "Disk quota exceeded"),
    "library.os.why.EROFS": ("文件系统只读", "Read-only file system"),
    # a file that is not text in its encoding (positions count bytes from 0)
    "library.decode.byte": ("不是有效的 {encoding} 文本：位置 {position}（从 0 起算）的字节 {byte}：{reason}",
                            "'{encoding}' codec can't decode byte {byte} in position {position}: {reason}"),
    "library.decode.bytes": ("不是有效的 {encoding} 文本：位置 {start}-{end}（从 0 起算）的字节：{reason}",
                             "'{encoding}' codec can't decode bytes in position {start}-{end}: {reason}"),
    "library.decode.reason.start": ("不能作为字符的开头", "invalid start byte"),
    "library.decode.reason.continuation": ("不能作为字符的后续字节", "invalid continuation byte"),
    "library.decode.reason.end": ("文件在一个字符的中间结束", "unexpected end of data"),
}
