"""An operator's set-up mistakes said fully in Chinese by default and in English on request: a
settings file, a bank profile or a calendar file that does not parse, is missing or is not UTF-8
(the library's own sentence said in words, i18n/library_words.py), and a calendar whose data the
calendar refuses (domain/workdays.py, words in i18n/catalogue_calendar.py). The English lines are
the texts these errors always had; the Chinese are written here from each file's fault.
"""
from __future__ import annotations

import errno
from pathlib import Path

import pytest

import i18n
from domain import workdays
from service import config
from service.profiles import ProfileError, load_profile
from tests.support.catalogue_scan import made_in

ROOT = Path(__file__).resolve().parents[3]
YEAR = {"source": "synthetic", "holidays": ["2027-01-01", "2027-02-04"], "workdays": ["2027-01-30"]}
CALENDAR = '[years.2027]\nsource = "synthetic"\nholidays = ["2027-01-01", "2027-02-04"]\nworkdays = ["2027-01-30"]\n'


def _loading(settings: Path) -> config.ConfigError:
    with pytest.raises(config.ConfigError) as caught:
        config.load(settings, environ={})
    return caught.value


def _inline(calendar: dict) -> config.ConfigError:
    with pytest.raises(config.ConfigError) as caught:
        config.from_dict({"calendar": calendar}, base=ROOT, source="s.toml", environ={})
    return caught.value


def _with_calendar_file(tmp_path: Path, content: bytes | None) -> tuple[Path, Path]:
    settings, calendar = tmp_path / "ykt.toml", tmp_path / "calendar.toml"
    settings.write_text('[calendar]\nfile = "calendar.toml"\n', encoding="utf-8")
    if content is not None:
        calendar.write_bytes(content)
    return settings, calendar


def test_a_settings_file_with_a_toml_mistake(tmp_path):
    settings = tmp_path / "ykt.toml"
    settings.write_text('database_url = "sqlite:///x.db"\npoll_interval_s 5\n', encoding="utf-8")
    exc = _loading(settings)
    assert exc.said() == (f"{settings}：无法读取或解析：键之后应为 '='（键 = 值）（第 2 行第 17 列）",)
    assert exc.said("en") == (f"{settings}: Expected '=' after a key in a key/value pair (at line 2, column 17)",)
    assert str(exc) == exc.said("en")[0] and exc.codes == ("config.unreadable",)


def test_a_missing_settings_file_and_one_that_is_not_utf8(tmp_path):
    missing = tmp_path / "nope.toml"
    exc = _loading(missing)
    assert exc.said("zh") == (f"{missing}：无法读取或解析：文件或文件夹不存在：'{missing}'（系统错误号 {errno.ENOENT}）",)
    assert exc.said("en") == (f"{missing}: [Errno {errno.ENOENT}] No such file or directory: '{missing}'",)
    gbk = tmp_path / "gbk.toml"
    gbk.write_bytes('language = "zh"\n# 设置\n'.encode("gbk"))  # saved by an editor in GBK: 设 is 0xc9 0xe8
    exc = _loading(gbk)
    assert exc.said("zh") == (f"{gbk}：无法读取或解析：不是有效的 utf-8 文本：位置 18（从 0 起算）的字节 0xc9："
                              "不能作为字符的后续字节",)
    assert exc.said("en") == (f"{gbk}: 'utf-8' codec can't decode byte 0xc9 in position 18: invalid continuation byte",)


def test_a_bank_profile_with_a_toml_mistake_said_alone_and_through_the_settings(tmp_path):
    profile = tmp_path / "p.toml"
    profile.write_text('[bank]\ncode = "X"\n[format\nfamily = "delimited"\n', encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        load_profile(profile)
    assert caught.value.said("zh") == f"{profile}：无法读取或解析：表头末尾应为 ']'（第 3 行第 8 列）"
    assert caught.value.said("en") == str(caught.value) == (f"{profile}: Expected ']' at the end of a table declaration "
                                                            "(at line 3, column 8)")
    with pytest.raises(config.ConfigError) as caught:
        config.from_dict({"banks": {"X": {"profile": str(profile), "sftp": {
            "host": "h", "port": 22, "username": "u", "host_key": "k"}}}}, base=ROOT, source="s.toml", environ={})
    assert caught.value.said() == (f"s.toml：banks.X.profile：{profile}：无法读取或解析：表头末尾应为 ']'（第 3 行第 8 列）",)
    assert caught.value.said("en") == (f"s.toml: banks.X.profile: {profile}: Expected ']' at the end of a table "
                                       "declaration (at line 3, column 8)",)
    assert caught.value.codes == ("profile.unreadable",)


def test_a_bank_profile_that_is_a_folder_or_not_utf8_is_a_profile_error(tmp_path):
    with pytest.raises(ProfileError) as caught:
        load_profile(tmp_path)
    assert caught.value.said("zh") == f"{tmp_path}：无法读取或解析：这是一个文件夹，不是文件：'{tmp_path}'（系统错误号 {errno.EISDIR}）"
    assert caught.value.said("en") == f"{tmp_path}: [Errno {errno.EISDIR}] Is a directory: '{tmp_path}'"
    profile = tmp_path / "p.toml"
    profile.write_bytes(b'[bank]\nname = "\xc5\xa9\xd0\xc5"\n')  # 农信 in GBK: c5 a9 is UTF-8 (ũ), d0 c5 not
    with pytest.raises(ProfileError) as caught:
        load_profile(profile)
    assert caught.value.code == "profile.unreadable"
    assert caught.value.said("zh") == (f"{profile}：无法读取或解析：不是有效的 utf-8 文本：位置 17（从 0 起算）的字节 0xd0："
                                       "不能作为字符的后续字节")
    assert caught.value.said("en") == (f"{profile}: 'utf-8' codec can't decode byte 0xd0 in position 17: "
                                       "invalid continuation byte")


def test_a_missing_calendar_file(tmp_path):
    settings, calendar = _with_calendar_file(tmp_path, None)
    exc = _loading(settings)
    assert exc.said() == (f"{settings}：calendar.file（{calendar}）：文件或文件夹不存在：'{calendar}'"
                          f"（系统错误号 {errno.ENOENT}）",)
    assert exc.said("en") == (f"{settings}: calendar.file ({calendar}): [Errno {errno.ENOENT}] No such file or "
                              f"directory: '{calendar}'",)
    assert exc.codes == ("config.calendar.file",)


def test_a_calendar_file_with_a_toml_mistake(tmp_path):
    settings, calendar = _with_calendar_file(tmp_path, CALENDAR.replace('holidays = ["2027-01-01"',
                                                                        'holidays = ["2027-01-01" "2027-02-04"').encode())
    exc = _loading(settings)
    assert exc.said("zh") == (f"{settings}：calendar.file（{calendar}）：数组没有闭合（缺少 ']'）（第 3 行第 26 列）",)
    assert exc.said("en") == (f"{settings}: calendar.file ({calendar}): Unclosed array (at line 3, column 26)",)


@pytest.mark.parametrize("change, chinese, english", [
    (("2027-02-04", "2027-02-06"), "years.2027.holidays：2027-02-06 是星期六：holidays 只列放假的工作日（周末本来就休息）",
     "years.2027.holidays: 2027-02-06 is a Saturday: holidays lists only the weekdays that are off "
     "(a weekend is off anyway)"),
    (("2027-01-30", "2027-02-01"), "years.2027.workdays：2027-02-01 是星期一：workdays 只列需要上班的星期六、星期日（调休）",
     "years.2027.workdays: 2027-02-01 is a Monday: workdays lists only the Saturdays and Sundays that are worked (调休)"),
    (("2027-01-30", "2027-01-01"), "years.2027：2027-01-01 同时列在 holidays（放假日）和 workdays（调休上班日）中",
     "years.2027: 2027-01-01 is in both holidays and workdays"),
    (("2027-02-04", "2028-02-04"), "years.2027.holidays：2028-02-04 不在 2027 年内",
     "years.2027.holidays: 2028-02-04 is not in 2027"),
    (('"2027-02-04"', '"2027-2-4"'), "years.2027.holidays：'2027-2-4' 不是日期（应为 YYYY-MM-DD）",
     "years.2027.holidays: '2027-2-4' is not a date (YYYY-MM-DD)"),
    (('"2027-02-04"', '"2027-01-01"'), "years.2027.holidays：2027-01-01 列出了两次",
     "years.2027.holidays: 2027-01-01 is listed twice"),
    (('source = "synthetic"\n', ""),
     "years.2027.source：缺少此项：请写明本年安排所依据的国务院通知（例如 国办发明电〔2026〕N号）",
     "years.2027.source: missing: name the State Council notice the arrangement is copied from "
     "(e.g. 国办发明电〔2026〕N号)"),
    (("[years.2027]", "[years.2028]"), "years.2028.holidays：2027-01-01 不在 2028 年内",
     "years.2028.holidays: 2027-01-01 is not in 2028"),
    (("[years.2027]", "[years.27]"), "years.27：应为年份（四位数字），实际为 '27'",
     "years.27: expected a year (four digits), got '27'"),
    (('workdays = ["2027-01-30"]\n', 'workday = ["2027-01-30"]\n'),
     "years.2027.workday：未知的键（source, holidays, workdays）", "years.2027.workday: unknown key (source, holidays, workdays)"),
])
def test_a_calendar_file_the_calendar_refuses(tmp_path, change, chinese, english):
    settings, calendar = _with_calendar_file(tmp_path, CALENDAR.replace(*change).encode())
    exc = _loading(settings)
    assert exc.said() == (f"{settings}：calendar.file（{calendar}）：{chinese}",)
    assert exc.said("en") == (f"{settings}: calendar.file ({calendar}): {english}",)
    assert exc.codes == ("config.calendar.file",)


def test_a_calendar_with_a_missing_year_and_whole_years_refused(tmp_path):
    last = workdays.SUPPORTED_LAST.year
    following = "".join(f'[years.{year}]\nsource = "s"\nholidays = []\nworkdays = []\n' for year in (last + 1, last + 3))
    settings, calendar = _with_calendar_file(tmp_path, following.encode())
    first = workdays.SUPPORTED_FIRST.year
    assert _loading(settings).said("zh") == (
        f"{settings}：calendar.file（{calendar}）：years.{last + 3}：没有紧接已知年份（{first}-{last + 1}）"
        f"；缺少 {last + 2} 年：补充的年份须紧接已知年份，不能有空缺",)
    assert _loading(settings).said("en") == (
        f"{settings}: calendar.file ({calendar}): years.{last + 3}: does not follow on from the known years "
        f"({first}-{last + 1}); {last + 2} is missing: supplied years continue them without a gap",)


@pytest.mark.parametrize("calendar, chinese, english", [
    ({"years": {"2027": {**YEAR, "holidays": ["2027-01-02"]}}},
     "s.toml：calendar.years.2027.holidays：2027-01-02 是星期六：holidays 只列放假的工作日（周末本来就休息）",
     "s.toml: calendar.years.2027.holidays: 2027-01-02 is a Saturday: holidays lists only the weekdays that are off "
     "(a weekend is off anyway)"),
    ({"years": {"2027": {k: v for k, v in YEAR.items() if k != "workdays"}}},
     "s.toml：calendar.years.2027.workdays：缺少此项（日期列表，没有则写空列表）",
     "s.toml: calendar.years.2027.workdays: missing (a list of dates, empty if none)"),
    ({"years": {"2027": {**YEAR, "holidays": "2027-01-01"}}},
     "s.toml：calendar.years.2027.holidays：应为日期列表，实际为 '2027-01-01'",
     "s.toml: calendar.years.2027.holidays: expected a list of dates, got '2027-01-01'"),
    ({"years": {"2027": "x"}}, "s.toml：calendar.years.2027：应为表（source, holidays, workdays）",
     "s.toml: calendar.years.2027: expected a table (source, holidays, workdays)"),
])
def test_calendar_years_in_the_settings_the_calendar_refuses(calendar, chinese, english):
    exc = _inline(calendar)
    assert exc.said() == (chinese,)
    assert exc.said("en") == (english,) and str(exc) == english
    assert exc.codes == ("config.calendar.years",)


def test_a_year_the_package_already_knows(tmp_path):
    year = workdays.SUPPORTED_LAST.year
    exc = _inline({"years": {str(year): {"source": "s", "holidays": [], "workdays": []}}})
    known = f"{workdays.SUPPORTED_FIRST.year}-{year}"
    package = workdays.PACKAGE_CALENDAR.describe()
    assert exc.said("zh") == (f"s.toml：calendar.years.{year}：该年已由 {package} 提供（{known}），不能覆盖：每年只能有一个来源",)
    assert exc.said("en") == (f"s.toml: calendar.years.{year}: already known from {package} ({known}), which may "
                              "not be overridden: one source per year",)


def test_the_calendars_own_refusals_outside_the_settings_have_words():
    """A year built in code (not read from a file): a value that is no date, a year given twice,
    a calendar that is no table, years that are no table."""
    cases = [
        (lambda: workdays.SuppliedYear(2027, "s", frozenset({"2027-01-01"}), frozenset()),
         "years.2027.holidays：'2027-01-01' 不是日期", "years.2027.holidays: '2027-01-01' is not a date"),
        (lambda: workdays.Calendar(workdays.calendar_from_table({"years": {"2027": YEAR}}).supplied * 2),
         "years.2027：重复给出：每年只能有一个来源", "years.2027: given twice: one source per year"),
        (lambda: workdays.calendar_from_table([]), "calendar：应为表（每年一个 [years.YYYY] 表）",
         "calendar: expected a table (one [years.YYYY] table per year)"),
        (lambda: workdays.calendar_from_table({"years": []}), "years：应为表，每年一个 [years.YYYY] 表",
         "years: expected a table with a [years.YYYY] table per year"),
        (lambda: workdays.calendar_from_table({"year": {}}), "year：未知的键（每年一个 [years.YYYY] 表）",
         "year: unknown key (one [years.YYYY] table per year)"),
    ]
    for make, chinese, english in cases:
        with pytest.raises(workdays.CalendarDataError) as caught:
            make()
        phrase = caught.value.phrase
        assert i18n.say(phrase.key, "zh", **dict(phrase.fields)) == chinese
        assert i18n.say(phrase.key, "en", **dict(phrase.fields)) == str(caught.value) == english


def test_every_calendar_refusal_has_its_key_written_out():
    """Each ``CalendarDataError("calendar.x", ...)`` in domain/workdays.py (both keys of an
    ``a if c else b``; each with exactly its fields: tests/unit/i18n/test_catalogue_keys_made.py)."""
    made = [m for m in made_in([ROOT / "domain" / "workdays.py"]) if m.callee == "CalendarDataError"]
    assert [m.where for m in made if m.key is None] == [], "the key is not written out"
    assert len(made) == 17  # the 16 refusals, one choosing between two keys


def test_an_integer_too_long_for_python_is_a_settings_mistake_not_a_crash(tmp_path):
    settings = tmp_path / "ykt.toml"
    settings.write_text("poll_interval_s = " + "9" * 5000 + "\n", encoding="utf-8")
    error = _loading(settings)  # Python refuses int() of over 4,300 digits with a plain ValueError
    assert error.codes == ("config.unreadable",)
    assert error.said("en")[0].startswith(f"{settings}: Exceeds the limit (4300 digits) for integer string conversion")


def test_a_deadline_beyond_the_known_calendar_is_said_in_chinese_and_as_it_was_in_english():
    with pytest.raises(workdays.CalendarRangeError) as caught:
        workdays.add_working_days(workdays.SUPPORTED_LAST, 3)  # three working days after the last day known
    error = caught.value
    first, last, day = workdays.SUPPORTED_FIRST, workdays.SUPPORTED_LAST, error.date
    package = workdays.PACKAGE_CALENDAR.describe()
    english = (f"date {day} is outside the Chinese official holiday calendar, which is known only from {first} to "
               f"{last} ({package}); to extend it, copy the next year's arrangement from the State Council's notice "
               f"into the calendar file of the settings ([calendar] file = ..., a [years.{last.year + 1}] table: "
               "source, holidays, workdays)")
    assert str(error) == english
    assert i18n.say(error.phrase.key, "en", **dict(error.phrase.fields)) == english
    assert i18n.say(error.phrase.key, "zh", **dict(error.phrase.fields)) == (
        f"日期 {day} 超出国家法定节假日安排的已知范围（{first} 至 {last}，{package}）；如需延长，请把国务院办公厅公布的"
        f"下一年节假日安排抄入设置中的日历文件（[calendar] file = ...，一个 [years.{last.year + 1}] 表："
        "source、holidays、workdays）")
