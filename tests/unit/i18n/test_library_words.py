"""A library's error read back into catalogue words (i18n/library_words.py): each of tomllib's
sentences, the usual OSErrors and a UnicodeDecodeError, each produced for real (a bad TOML text
parsed, a missing file or a folder opened, bytes that are not UTF-8 decoded). The English said is
the exception's text byte for byte (written here from the library's rules); the Chinese is the
words written here; a text the words do not rebuild is kept as it is.
"""
from __future__ import annotations

import errno
import json
import os
import socket
import tomllib
from pathlib import Path

import pytest

import i18n
from domain.workdays import CalendarDataError, calendar_from_table
from i18n import Phrase
from i18n.library_words import briefly, said


def _say(words: Phrase | str, lang: str | None = None) -> str:
    return i18n.say(words.key, lang, **dict(words.fields)) if isinstance(words, Phrase) else words


def _caught(make) -> BaseException:
    try:
        make()
    except Exception as exc:  # noqa: BLE001 - the test is what the library raises
        return exc
    raise AssertionError("nothing raised")


def _toml_error(text: str) -> tomllib.TOMLDecodeError:
    with pytest.raises(tomllib.TOMLDecodeError) as caught:
        tomllib.loads(text)
    return caught.value


# (bad TOML, tomllib's English, the Chinese): one case per sentence of Python 3.11's tomllib
TOML_CASES = [
    ("a = 1\n= 2", "Invalid statement (at line 2, column 1)", "无法识别的语句（第 2 行第 1 列）"),
    ("a = 1 b = 2", "Expected newline or end of document after a statement (at line 1, column 7)",
     "一条语句之后应换行或结束文件（第 1 行第 7 列）"),
    ("a = 'abc", "Expected \"'\" (at end of document)", "缺少 \"'\"（在文件末尾）"),
    ("a = '''abc", "Expected \"'''\" (at end of document)", "缺少 \"'''\"（在文件末尾）"),
    ("a = 'a\x01b'", "Found invalid character '\\x01' (at line 1, column 7)", "发现无效字符 '\\x01'（第 1 行第 7 列）"),
    ("[a]\n[a]", "Cannot declare ('a',) twice (at line 2, column 3)", "('a',) 重复声明（第 2 行第 3 列）"),
    ("a = 1\na = 2", "Cannot overwrite a value (at end of document)", "不能覆盖已经有值的键（在文件末尾）"),
    ("[a\nb = 1", "Expected ']' at the end of a table declaration (at line 1, column 3)",
     "表头末尾应为 ']'（第 1 行第 3 列）"),
    ("a = {b = 1}\na.c = 2", "Cannot mutate immutable namespace ('a',) (at end of document)",
     "('a',) 是已写完的内联表或数组，不能再添加内容（在文件末尾）"),
    ("[[a]\n", "Expected ']]' at the end of an array declaration (at line 1, column 4)",
     "表数组的表头末尾应为 ']]'（第 1 行第 4 列）"),
    ("[a.b]\nc = 1\n[a]\nb.d = 2", "Cannot redefine namespace ('a', 'b') (at end of document)",
     "不能用带点的键重新定义已声明的表 ('a', 'b')（在文件末尾）"),
    ("a b = 1", "Expected '=' after a key in a key/value pair (at line 1, column 3)", "键之后应为 '='（键 = 值）（第 1 行第 3 列）"),
    ("a. = 1", "Invalid initial character for a key part (at line 1, column 4)", "键名的第一个字符无效（第 1 行第 4 列）"),
    ("a = [1, 2", "Unclosed array (at end of document)", "数组没有闭合（缺少 ']'）（在文件末尾）"),
    ("a = {b = 1, b = 2}", "Duplicate inline table key 'b' (at line 1, column 18)", "内联表中的键 'b' 重复（第 1 行第 18 列）"),
    ("a = {b = 1", "Unclosed inline table (at end of document)", "内联表没有闭合（在文件末尾）"),
    ('a = "\\q"', "Unescaped '\\' in a string (at line 1, column 8)", "字符串中有未转义的 '\\'（第 1 行第 8 列）"),
    ('a = "\\uZZZZ"', "Invalid hex value (at line 1, column 8)", "无效的十六进制值（第 1 行第 8 列）"),
    ('a = "\\uD800"', "Escaped character is not a Unicode scalar value (at line 1, column 12)",
     "转义的字符不是有效的 Unicode 字符（第 1 行第 12 列）"),
    ('a = "abc', "Unterminated string (at end of document)", "字符串没有结束（缺少结束的引号）（在文件末尾）"),
    ('a = "a\x01"', "Illegal character '\\x01' (at line 1, column 7)", "非法字符 '\\x01'（第 1 行第 7 列）"),
    ("a = 2027-02-30", "Invalid date or datetime (at line 1, column 5)", "无效的日期或日期时间（第 1 行第 5 列）"),
    ("a = what", "Invalid value (at line 1, column 5)", "无效的值（第 1 行第 5 列）"),
    ("lease_s = ", "Invalid value (at end of document)", "无效的值（在文件末尾）"),
]


@pytest.mark.parametrize("text, english, chinese", TOML_CASES)
def test_each_tomllib_sentence_is_said_in_chinese_by_default_and_as_it_was_in_english(text, english, chinese):
    exc = _toml_error(text)
    assert str(exc) == english
    words = said(exc)
    assert isinstance(words, Phrase)
    assert _say(words) == chinese
    assert _say(words, "en") == str(words) == english


def test_every_tomllib_sentence_with_words_is_met_by_a_case():
    met = {dict(said(_toml_error(text)).fields)["what"].key for text, _, _ in TOML_CASES}
    written = {key for key in i18n.WORDS if key.startswith("library.toml.what.")}
    assert met == written, written ^ met


def test_a_sentence_of_another_tomllib_keeps_its_text():
    """Python 3.14's tomllib words some sentences differently: a text no words rebuild is not guessed."""
    for text in ("Unknown trouble (at line 1, column 1)", "Invalid value at line 1", "Invalid value"):
        assert said(tomllib.TOMLDecodeError(text)) == text


def test_a_missing_file_a_folder_and_a_path_through_a_file_are_said_with_the_file(tmp_path):
    missing, folder, plain = tmp_path / "nope.toml", tmp_path / "conf.d", tmp_path / "ykt.toml"
    folder.mkdir()
    plain.write_text("", encoding="utf-8")
    cases = [
        (missing, errno.ENOENT, "No such file or directory", f"文件或文件夹不存在：'{missing}'（系统错误号 {errno.ENOENT}）"),
        (folder, errno.EISDIR, "Is a directory", f"这是一个文件夹，不是文件：'{folder}'（系统错误号 {errno.EISDIR}）"),
        (plain / "x.toml", errno.ENOTDIR, "Not a directory",
         f"路径中有一部分不是文件夹：'{plain / 'x.toml'}'（系统错误号 {errno.ENOTDIR}）"),
    ]
    for path, number, english, chinese in cases:
        exc = _caught(lambda: path.read_text(encoding="utf-8"))
        assert str(exc) == f"[Errno {number}] {english}: '{path}'"
        assert _say(said(exc)) == chinese
        assert _say(said(exc), "en") == str(exc)


def test_a_name_too_long_and_a_loop_of_links(tmp_path):
    long = tmp_path / ("x" * 300 + ".toml")
    exc = _caught(lambda: long.read_text(encoding="utf-8"))
    assert str(exc) == f"[Errno {errno.ENAMETOOLONG}] File name too long: '{long}'"
    assert _say(said(exc), "zh") == f"文件名太长：'{long}'（系统错误号 {errno.ENAMETOOLONG}）"
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    exc = _caught(lambda: (tmp_path / "a").read_text(encoding="utf-8"))
    assert str(exc) == f"[Errno {errno.ELOOP}] Too many levels of symbolic links: '{tmp_path / 'a'}'"
    assert _say(said(exc), "zh") == f"符号链接层数太多（可能互相指向）：'{tmp_path / 'a'}'（系统错误号 {errno.ELOOP}）"
    assert _say(said(exc), "en") == str(exc)


def test_an_error_naming_no_file_is_said_without_one(tmp_path):
    with socket.socket(socket.AF_UNIX) as sock:
        exc = _caught(lambda: sock.connect(str(tmp_path / "no.sock")))
    assert str(exc) == f"[Errno {errno.ENOENT}] No such file or directory"
    assert _say(said(exc)) == f"文件或文件夹不存在（系统错误号 {errno.ENOENT}）"
    assert _say(said(exc), "en") == str(exc)


def _unreadable_as_nobody(path: Path) -> list[str]:
    """Root reads any file: a forked child that is nobody tries, and sends back what it was told."""
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        try:
            os.setgid(65534)
            os.setuid(65534)
            exc = _caught(lambda: path.read_text(encoding="utf-8"))
            os.write(writer, json.dumps([str(exc), _say(said(exc), "zh"), _say(said(exc), "en")]).encode())
        finally:
            os._exit(0)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        told = pipe.read()
    os.waitpid(child, 0)
    return json.loads(told)


def test_a_file_the_process_may_not_read(tmp_path):
    secret = tmp_path / "secret.toml"
    secret.write_text("a = 1\n", encoding="utf-8")
    secret.chmod(0)
    if os.geteuid() == 0:
        text, chinese, english = _unreadable_as_nobody(secret)
    else:
        exc = _caught(lambda: secret.read_text(encoding="utf-8"))
        text, chinese, english = str(exc), _say(said(exc), "zh"), _say(said(exc), "en")
    assert text == english == f"[Errno {errno.EACCES}] Permission denied: '{secret}'"
    assert chinese == f"没有访问权限：'{secret}'（系统错误号 {errno.EACCES}）"


def test_an_os_error_the_words_do_not_rebuild_keeps_its_text(tmp_path):
    exc = _caught(lambda: os.fstat(10_000))  # no words for EBADF
    assert said(exc) == str(exc) == f"[Errno {errno.EBADF}] Bad file descriptor"
    exc = _caught(lambda: os.rename(tmp_path / "a", tmp_path / "b"))  # two file names
    assert said(exc) == str(exc) == f"[Errno {errno.ENOENT}] No such file or directory: '{tmp_path / 'a'}' -> " \
                                    f"'{tmp_path / 'b'}'"
    assert said(OSError("disk on fire")) == "disk on fire"


@pytest.mark.parametrize("data, english, chinese", [
    (b"a = '\xb5'", "'utf-8' codec can't decode byte 0xb5 in position 5: invalid start byte",
     "不是有效的 utf-8 文本：位置 5（从 0 起算）的字节 0xb5：不能作为字符的开头"),
    (b"a = '\xe4\xb8x'", "'utf-8' codec can't decode bytes in position 5-6: invalid continuation byte",
     "不是有效的 utf-8 文本：位置 5-6（从 0 起算）的字节：不能作为字符的后续字节"),
    (b"a = '\xe4\xb8", "'utf-8' codec can't decode bytes in position 5-6: unexpected end of data",
     "不是有效的 utf-8 文本：位置 5-6（从 0 起算）的字节：文件在一个字符的中间结束"),
])
def test_a_file_that_is_not_utf8(tmp_path, data, english, chinese):
    (tmp_path / "gbk.toml").write_bytes(data)
    exc = _caught(lambda: (tmp_path / "gbk.toml").read_text(encoding="utf-8"))
    assert str(exc) == english
    assert _say(said(exc)) == chinese
    assert _say(said(exc), "en") == english


def test_a_decoding_reason_without_words_is_framed_and_kept():
    exc = _caught(lambda: b"\x81".decode("gbk"))
    assert str(exc) == "'gbk' codec can't decode byte 0x81 in position 0: incomplete multibyte sequence"
    assert _say(said(exc)) == "不是有效的 gbk 文本：位置 0（从 0 起算）的字节 0x81：incomplete multibyte sequence"
    assert _say(said(exc), "en") == str(exc)


def test_a_refusal_with_its_own_words_is_said_by_them_and_another_error_by_its_text():
    exc = _caught(lambda: calendar_from_table({"years": {"2027": "x"}}))
    assert isinstance(exc, CalendarDataError) and said(exc) is exc.phrase
    assert _say(said(exc)) == "years.2027：应为表（source, holidays, workdays）"
    exc = _caught(lambda: tomllib.loads("a = " + "1" * 5000))  # Python's own limit, no TOMLDecodeError
    assert said(exc) == str(exc)
    assert said(KeyError("x")) == "'x'"


def test_chinese_is_the_default_and_english_on_request_through_the_context():
    words = said(_toml_error("a b = 1"))
    token = i18n.use("en")
    try:
        assert _say(words) == "Expected '=' after a key in a key/value pair (at line 1, column 3)"
    finally:
        i18n.reset(token)
    assert _say(words) == "键之后应为 '='（键 = 值）（第 1 行第 3 列）"


def test_briefly_says_the_system_reason_alone_for_a_message_that_names_the_file(tmp_path):
    missing = _caught(lambda: open(tmp_path / "nope"))
    words = briefly(missing)
    assert (_say(words, "en"), _say(words, "zh")) == ("No such file or directory", "文件或文件夹不存在")
    full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/var/lib/ykt/x")  # what a full disk raises
    assert (_say(briefly(full), "en"), _say(briefly(full), "zh")) == ("No space left on device", "磁盘空间已满")
    odd = OSError(errno.EBUSY, os.strerror(errno.EBUSY))  # no words: the system's own text
    assert briefly(odd) == "Device or resource busy"
    bad_toml = _toml_error("a = \n")
    assert briefly(bad_toml) == said(bad_toml)  # not an OSError: as said() says it
