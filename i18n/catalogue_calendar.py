"""Words of the official calendar's refusals (domain/workdays.py ``CalendarDataError``,
``calendar.*``): a year's arrangement the operator copies each November from the State Council's
notice into the settings' calendar file, or into ``[calendar.years.YYYY]``.

``{where}`` is the dotted path of the refused value in that file (``years.2027.holidays``), as
the operator wrote it; ``holidays``, ``workdays`` and ``source`` are the file's own keys, so the
Chinese names them as they are, with what they mean. The other values are data (dates, years,
the value given, the package's name and years) shown as they are. The English words are the
texts the calendar raised before it had words, byte for byte.
"""
WORDS: dict[str, tuple[str, str]] = {
    "calendar.source_missing": ("{where}：缺少此项：请写明本年安排所依据的国务院通知（例如 {example}）",
                                "{where}: missing: name the State Council notice the arrangement is copied from "
                                "(e.g. {example})"),
    "calendar.not_a_day": ("{where}：{value} 不是日期", "{where}: {value} is not a date"),
    "calendar.not_a_date": ("{where}：{value} 不是日期（应为 YYYY-MM-DD）", "{where}: {value} is not a date (YYYY-MM-DD)"),
    "calendar.in_both": ("{where}：{day} 同时列在 holidays（放假日）和 workdays（调休上班日）中",
                         "{where}: {day} is in both holidays and workdays"),
    "calendar.other_year": ("{where}：{day} 不在 {year} 年内", "{where}: {day} is not in {year}"),
    "calendar.holiday_on_weekend": ("{where}：{day} 是{weekday}：holidays 只列放假的工作日（周末本来就休息）",
                                    "{where}: {day} is a {weekday}: holidays lists only the weekdays that are off "
                                    "(a weekend is off anyway)"),
    "calendar.workday_on_weekday": ("{where}：{day} 是{weekday}：workdays 只列需要上班的星期六、星期日（调休）",
                                    "{where}: {day} is a {weekday}: workdays lists only the Saturdays and Sundays "
                                    "that are worked (调休)"),
    "calendar.package_year": ("{where}：该年已由 {package} 提供（{first}-{last}），不能覆盖：每年只能有一个来源",
                              "{where}: already known from {package} ({first}-{last}), which may not be overridden: "
                              "one source per year"),
    "calendar.given_twice": ("{where}：重复给出：每年只能有一个来源", "{where}: given twice: one source per year"),
    "calendar.gap": ("{where}：没有紧接已知年份（{first}-{last}）{missing}：补充的年份须紧接已知年份，不能有空缺",
                     "{where}: does not follow on from the known years ({first}-{last}){missing}: "
                     "supplied years continue them without a gap"),
    "calendar.gap_missing": ("；缺少 {year} 年", "; {year} is missing"),
    "calendar.years_not_table": ("{where}：应为表，每年一个 [years.YYYY] 表",
                                 "{where}: expected a table with a [years.YYYY] table per year"),
    "calendar.not_table": ("{where}：应为表（{hint}）", "{where}: expected a table ({hint})"),
    "calendar.unknown_key": ("{where}：未知的键（{hint}）", "{where}: unknown key ({hint})"),
    "calendar.hint.years": ("每年一个 [years.YYYY] 表", "one [years.YYYY] table per year"),
    "calendar.not_a_year": ("{where}：应为年份（四位数字），实际为 {got}", "{where}: expected a year (four digits), got {got}"),
    "calendar.list_missing": ("{where}：缺少此项（日期列表，没有则写空列表）", "{where}: missing (a list of dates, empty if none)"),
    "calendar.not_a_list": ("{where}：应为日期列表，实际为 {got}", "{where}: expected a list of dates, got {got}"),
    "calendar.listed_twice": ("{where}：{day} 列出了两次", "{where}: {day} is listed twice"),
    # the days of the week, as the calendar names a weekend day or a weekday (a Named code)
    "weekday.Monday": ("星期一", "Monday"),
    "weekday.Tuesday": ("星期二", "Tuesday"),
    "weekday.Wednesday": ("星期三", "Wednesday"),
    "weekday.Thursday": ("星期四", "Thursday"),
    "weekday.Friday": ("星期五", "Friday"),
    "weekday.Saturday": ("星期六", "Saturday"),
    "weekday.Sunday": ("星期日", "Sunday"),
    # a date beyond the calendar known (domain.workdays.CalendarRangeError)
    "calendar.out_of_range": ("日期 {day} 超出国家法定节假日安排的已知范围（{first} 至 {last}，{known}）；如需延长，"
                              "请把国务院办公厅公布的下一年节假日安排抄入设置中的日历文件（[calendar] file = ...，"
                              "一个 [years.{next}] 表：source、holidays、workdays）",
                              "date {day} is outside the Chinese official holiday calendar, which is known only from "
                              "{first} to {last} ({known}); to extend it, copy the next year's arrangement from the "
                              "State Council's notice into the calendar file of the settings ([calendar] file = ..., a "
                              "[years.{next}] table: source, holidays, workdays)"),
    "calendar.known_package": ("{package}", "{package}"),
    "calendar.known_with_settings": ("{package} 提供至 {last} 年，设置中的日历提供 {years} 年",
                                     "{package} to {last}, the settings' calendar for {years}"),
}
