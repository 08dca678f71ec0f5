"""Reporting periods as offices name them: `parse_period(text, today)` -> `Period(first, last)`.

`report --since/--until` and `log --since` take a period, not a deadline: a month, quarter,
half-year, year or week stands for all its days, so `--since` uses its first day and `--until`
its last (`since_day`, `until_day`). `--since 2026-11 --until 2026-11` is the whole of November
and `--since 一季度` starts on 01-01. A deadline (dates.parse_due) reads a month as its last day
instead; the two grammars share their day forms but never their meaning of a span.

Accepted (full-width forms folded, spaces ignored, case ignored):

* a day: `2026-11-16`, `2026/11/16`, `2026年11月16日`, `16 Nov 2026`, `today`/`今天`,
  `yesterday`/`昨天`, `前天`, `11月16日`, `Nov 16`; a weekday: `周二`/`星期二`/`礼拜二`/`tuesday`/`tue`
  (the latest one on or before today), `本周二`/`这周二` (this week's), `上周二`/`上星期二` (last
  week's, weeks running Monday to Sunday);
* a week (Monday to Sunday): `本周`/`这周`/`this week`, `上周`/`last week`;
* a month: `2026-11`, `2026年11月`, `Nov 2026`, `11月`, `十一月`, `本月`/`this month`,
  `上月`/`上个月`/`last month`;
* a quarter: `2026Q1`, `2026-Q1`, `Q1 2026`, `2026年一季度`, `一季度`, `第一季度`, `1季度`, `Q1`,
  `本季度`/`this quarter`, `上季度`/`last quarter`;
* a half-year: `2026年上半年`, `上半年`, `下半年`, `2026H1`, `H2`;
* a year: `2026`, `2026年`, `2026年度`, `今年`/`本年`/`年内`/`this year`, `去年`/`last year`;
* a period's first or last day: a period followed by 初 (start) or 底/末 (end): `年初`, `月底`,
  `一季度末`, `2026年6月底`;
* back from today: `-7d`, `-2w`, `-1m`, `-1y` (that day), `7天前`, `3个月前` (that day),
  `最近30天`/`近30天`/`过去30天`, `最近2周`, `近3个月`, `最近一年` (the span ending today).

A month, quarter or half-year without a year is the latest one that has begun: reports look
back, so `12月` typed in January is last December (a deadline, which looks ahead, takes the
next one; dates.YEARLESS_RULE). Years outside dates.YEAR_MIN..YEAR_MAX are refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from imtrack.domain import dates
from imtrack.errors import InvalidValue
from imtrack.i18n import N_, _

FORMS = N_(
    "a day (2026-11-16, 2026年11月16日, 昨天), a week (本周, 上周), a month (2026-11, 2026年11月, "
    "11月, 本月, 上月), a quarter (2026Q1, 一季度, 本季度, 上季度), a half-year (上半年, 下半年), "
    "a year (2026, 今年, 年内, 去年), or back from today (-7d, -2w, -1m, 最近30天, 近3个月)"
)

# The examples the --help of report and log offers; a test checks every one is accepted.
HELP_EXAMPLES = "2026-11-16, 2026-11, 2026年11月, 一季度, 上半年, 本周, 上月, 今年, -7d, 最近30天"


@dataclass(frozen=True, slots=True)
class Period:
    """The days from `first` to `last`, both included."""

    first: date
    last: date


def _day(day: date) -> Period:
    return Period(day, day)


def _month(year: int, month: int) -> Period:
    return Period(date(year, month, 1), dates.month_end(year, month))


def _quarter(year: int, quarter: int) -> Period:
    return Period(date(year, quarter * 3 - 2, 1), dates.quarter_end(year, quarter))


def _half(year: int, half: int) -> Period:
    return Period(date(year, 1, 1), date(year, 6, 30)) if half == 1 else Period(date(year, 7, 1), date(year, 12, 31))


def _year(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31))


def _week(monday: date) -> Period:
    return Period(monday, monday + timedelta(days=6))


def _latest_begun(in_year: Callable[[int], Period], today: date) -> Period:
    """A span named without its year: this year's if it has begun, else last year's."""
    period = in_year(today.year)
    return period if period.first <= today else in_year(today.year - 1)


def _keywords(today: date) -> dict[str, Period]:
    monday = today - timedelta(days=today.weekday())
    last_month = (today.replace(day=1) - timedelta(days=1))
    quarter = (today.month - 1) // 3 + 1
    last_quarter = (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)
    this_year, last_year = _year(today.year), _year(today.year - 1)
    this_month = _month(today.year, today.month)
    words: dict[tuple[str, ...], Period] = {
        ("today", "今天", "今日"): _day(today),
        ("yesterday", "昨天", "昨日"): _day(today - timedelta(days=1)),
        ("前天", "前日"): _day(today - timedelta(days=2)),
        ("this week", "本周", "这周", "本星期", "这个星期", "本礼拜"): _week(monday),
        ("last week", "上周", "上星期", "上个星期", "上一周", "上礼拜"): _week(monday - timedelta(days=7)),
        ("this month", "本月", "这个月", "当月"): this_month,
        ("last month", "上月", "上个月", "上一个月"): _month(last_month.year, last_month.month),
        ("this quarter", "本季度", "这个季度", "本季"): _quarter(today.year, quarter),
        ("last quarter", "上季度", "上个季度", "上一季度", "上季"): _quarter(*last_quarter),
        ("this year", "今年", "本年", "本年度", "年内", "今年内", "当年"): this_year,
        ("last year", "去年", "上年", "上一年", "去年全年"): last_year,
    }
    return {word: period for names, period in words.items() for word in names}


_CN_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_CN_WEEKDAY = re.compile(r"(本|这|上|上个)?(?:周|星期|礼拜)([一二三四五六日天])")


def _weekday(text: str, today: date) -> Period | None:
    """周二 (the latest Tuesday on or before today, as a yearless month is the latest begun),
    本周二/这周二 (this week's), 上周二 (last week's); English `tuesday`, `tue` as 周二."""
    monday = today - timedelta(days=today.weekday())
    if text in dates.WEEKDAYS:
        wanted = dates.WEEKDAYS[text]
        return _day(today - timedelta(days=(today.weekday() - wanted) % 7))
    match = _CN_WEEKDAY.fullmatch(text)
    if not match:
        return None
    wanted = _CN_WEEKDAYS[match.group(2)]
    if match.group(1) in ("本", "这"):
        return _day(monday + timedelta(days=wanted))
    if match.group(1):
        return _day(monday - timedelta(days=7 - wanted))
    return _day(today - timedelta(days=(today.weekday() - wanted) % 7))


_UNITS = {"d": "d", "天": "d", "日": "d", "w": "w", "周": "w", "个星期": "w", "星期": "w",
          "m": "m", "个月": "m", "月": "m", "y": "y", "年": "y"}
_N = r"\d{1,4}|[一二两三四五六七八九十]{1,3}"
_AGO = re.compile(r"-(\d{1,4})([dwmy])")
_AGO_CN = re.compile(rf"({_N})(天|日|周|个星期|星期|个月|年)(?:前|之前|以前)")
_RECENT = re.compile(rf"(?:最近|近|过去)({_N})(天|日|周|个星期|星期|个月|年)")

_YEAR = r"(?P<year>\d{4}|今|去|前|明)年"
_CN_SPAN = re.compile(
    rf"(?:{_YEAR})?(?:(?P<whole>度|全年)|(?P<half>上|下)半年|第?(?P<q>[一二三四1-4])季度?"
    rf"|(?P<month>\d{{1,2}}|[一二三四五六七八九十]{{1,3}})月份?(?:(?P<day>\d{{1,2}}|[一二三四五六七八九十]{{1,3}})[日号])?)?"
    r"(?P<edge>初|底|末)?"
)
_ISO_MONTH = re.compile(r"(\d{4})[-/.](\d{1,2})")
_ISO_QUARTER = re.compile(r"(\d{4})-?q([1-4])|q([1-4])(?: ?(\d{4}))?")
_ISO_HALF = re.compile(r"(\d{4})-?h([12])|h([12])(?: ?(\d{4}))?")


def _count(text: str) -> int:
    return int(text) if text.isdigit() else dates.cn_number(text)


def _back(today: date, n: int, unit: str) -> date:
    if unit == "d":
        return today - timedelta(days=n)
    if unit == "w":
        return today - timedelta(weeks=n)
    from dateutil.relativedelta import relativedelta  # lazy: start-up time

    return today - relativedelta(months=n * (12 if unit == "y" else 1))


def _year_of(word: str | None, today: date) -> int | None:
    if word is None:
        return None
    if word.isdigit():
        return int(word)
    return today.year + {"今": 0, "去": -1, "前": -2, "明": 1}[word]


def _chinese(text: str, today: date, original: str) -> Period | None:
    match = _CN_SPAN.fullmatch(text)
    if not match or not any(match.group(g) for g in ("year", "whole", "half", "q", "month")):
        return None
    year = _year_of(match.group("year"), today)
    if match.group("day"):
        month, day = dates.cn_number(match.group("month")), dates.cn_number(match.group("day"))
        if match.group("edge"):
            return None
        if year is not None:
            return _day(dates.make_date(year, month, day, original))
        return _latest_begun(lambda y: _day(dates.make_date(y, month, day, original)), today)
    in_year: Callable[[int], Period]
    if match.group("half"):
        half = 1 if match.group("half") == "上" else 2
        in_year = lambda y: _half(y, half)
    elif match.group("q"):
        quarter = dates.cn_number(match.group("q"))
        in_year = lambda y: _quarter(y, quarter)
    elif match.group("month"):
        month = dates.cn_number(match.group("month"))
        if not 1 <= month <= 12:
            raise dates.invalid_month(month)
        in_year = lambda y: _month(y, month)
    else:  # 2026年, 2026年度, 今年全年
        in_year = _year
    period = in_year(year) if year is not None else _latest_begun(in_year, today)
    return _edge(period, match.group("edge"))


def _edge(period: Period, edge: str | None) -> Period:
    if edge == "初":
        return _day(period.first)
    if edge in ("底", "末"):
        return _day(period.last)
    return period


def _edged_keyword(text: str, today: date) -> Period | None:
    """本月底, 上月末, 本季度末, 年初, 年底, 今年初: a keyword period's first or last day."""
    if text in ("年初", "年底", "年末"):
        return _edge(_year(today.year), text[-1])
    if text[-1:] in ("初", "底", "末"):
        base = _keywords(today).get(text[:-1])
        if base is not None and base.first != base.last:
            return _edge(base, text[-1])
    return None


def _iso_like(text: str, today: date) -> Period | None:
    if m := _ISO_MONTH.fullmatch(text):
        month = int(m.group(2))
        if not 1 <= month <= 12:
            raise dates.invalid_month(month)
        return _month(int(m.group(1)), month)
    if m := _ISO_QUARTER.fullmatch(text):
        if m.group(1):
            return _quarter(int(m.group(1)), int(m.group(2)))
        quarter = int(m.group(3))
        if m.group(4):
            return _quarter(int(m.group(4)), quarter)
        return _latest_begun(lambda y: _quarter(y, quarter), today)
    if m := _ISO_HALF.fullmatch(text):
        if m.group(1):
            return _half(int(m.group(1)), int(m.group(2)))
        half = int(m.group(3))
        if m.group(4):
            return _half(int(m.group(4)), half)
        return _latest_begun(lambda y: _half(y, half), today)
    if re.fullmatch(r"\d{4}", text):
        return _year(int(text))
    words = text.split(" ")
    if len(words) == 2 and words[0].rstrip(".") in dates.MONTHS and re.fullmatch(r"\d{4}", words[1]):
        return _month(int(words[1]), dates.MONTHS[words[0].rstrip(".")])
    if text.rstrip(".") in dates.MONTHS:
        month = dates.MONTHS[text.rstrip(".")]
        return _latest_begun(lambda y: _month(y, month), today)
    return None


def _english_day(text: str, today: date, original: str) -> Period | None:
    """`Nov 16` / `16 Nov` without a year: the latest one on or before today."""
    for pattern, month_group, day_group in ((dates.MONTH_DAY, 1, 2), (dates.DAY_MONTH, 2, 1)):
        if (m := pattern.fullmatch(text.replace(",", ""))) and m.group(month_group) in dates.MONTHS:
            month, day = dates.MONTHS[m.group(month_group)], int(m.group(day_group))
            return _latest_begun(lambda y, mo=month, d=day: _day(dates.make_date(y, mo, d, original)), today)
    return None


def _read(text: str, today: date, original: str) -> Period | None:
    keyword = _keywords(today).get(text) or _keywords(today).get(text.replace(" ", ""))
    if keyword is not None:
        return keyword
    compact = text.replace(" ", "")
    if m := _AGO.fullmatch(compact):
        return _day(_back(today, int(m.group(1)), m.group(2)))
    if m := _AGO_CN.fullmatch(compact):
        return _day(_back(today, _count(m.group(1)), _UNITS[m.group(2)]))
    if m := _RECENT.fullmatch(compact):
        n = _count(m.group(1))
        if n < 1:
            return None
        return Period(_back(today, n, _UNITS[m.group(2)]) + timedelta(days=1), today)
    period = _edged_keyword(compact, today) or _weekday(compact, today) or _iso_like(text, today)
    if period is None and not text.isascii():
        period = _chinese(compact, today, original)
    if period is None and text.isascii():
        period = _english_day(text, today, original)
    # A full date in any form a deadline takes (2026/11/16, 16 Nov 2026, 2026年11月16日); only
    # forms that name their year, so that no deadline rule (a month's last day) leaks in.
    if period is None and (re.search(r"(?<!\d)\d{4}(?!\d)", text) or re.fullmatch(r"\d{8}", compact)):
        try:
            due = dates.parse_due(original, today)
        except InvalidValue:
            return None
        if due.date is not None:
            return _day(due.date)
    return period


def parse_period(text: str, today: date, option: str | None = None) -> Period:
    """Read a period typed by a user (module docstring); InvalidValue names `option`."""
    option = option or _("the period")
    if not isinstance(text, str) or not text.strip():
        raise InvalidValue(_("{option} is empty; give a period: {forms}").format(option=option, forms=_(FORMS)))
    original = text
    normal = dates.normalise(text)
    try:
        period = _read(normal, today, original)
    except InvalidValue as exc:
        raise InvalidValue(_("{option}: {problem}").format(option=option, problem=exc)) from None
    except (KeyError, ValueError, OverflowError):  # a numeral or a year past the calendar
        period = None
    if period is None:
        raise InvalidValue(_("{option}: cannot read {text!r} as a period; use {forms}").format(
            option=option, text=original, forms=_(FORMS)))
    for day in (period.first, period.last):
        if not dates.YEAR_MIN <= day.year <= dates.YEAR_MAX:
            raise InvalidValue(_("{option}: {problem}").format(option=option, problem=dates.out_of_range(original, day)))
    return period


def since_day(text: str, today: date, option: str = "--since") -> date:
    """The first day of the period `text` names."""
    return parse_period(text, today, option).first


def until_day(text: str, today: date, option: str = "--until") -> date:
    """The last day of the period `text` names."""
    return parse_period(text, today, option).last


# The forms `--on` offers in its messages and --help.
ON_EXAMPLES = "2026-11-24, 11月24日, 昨天, 周二, 上周二, -3d"


def effective_on(text: str, today: date) -> date:
    """The day a change took effect, typed with `--on`: one day (any day form of
    parse_period), never after today (a change cannot be recorded ahead of time)."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidValue(_("--on is empty; give the day it happened, e.g. {examples}").format(examples=ON_EXAMPLES))
    try:
        period = parse_period(text, today, "--on")
    except InvalidValue:
        ahead = _ahead(text, today)  # 明天, +3d: read by the deadline grammar, to say why not
        if ahead is not None:
            period = _day(ahead)
        else:
            raise InvalidValue(
                _("--on: cannot read {text!r} as a day; give the day it happened, e.g. {examples}").format(
                    text=text, examples=ON_EXAMPLES
                )
            ) from None
    if period.first != period.last:
        raise InvalidValue(
            _("--on {text} names {first} to {last}, not one day; give the day it happened, e.g. {examples}").format(
                text=text, first=period.first, last=period.last, examples=ON_EXAMPLES
            )
        )
    day = period.first
    if day > today:
        shown = text.strip() if text.strip() == day.isoformat() else f"{text.strip()} ({day})"
        raise InvalidValue(
            _("--on {shown} is after today ({today}); record what has happened, on the day it happened").format(
                shown=shown, today=today
            )
        )
    return day


def _ahead(text: str, today: date) -> date | None:
    """A day after today that only the deadline grammar reads (明天, tomorrow, +3d), else None."""
    try:
        due = dates.parse_due(text, today)
    except InvalidValue:
        return None
    return due.date if due.date is not None and due.date > today else None
