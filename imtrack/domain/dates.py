"""Due dates as ledgers write them: `parse_due(text, today)` -> `DueDate`.

A due date is either a calendar day or *ongoing* (持续推进: a measure with no deadline). The
parser never guesses: each accepted form has exactly one meaning, and anything else raises
`InvalidValue` whose message lists the accepted forms (`ACCEPTED_FORMS`).

Callers pass `today` explicitly (`clock.now().date()` at the call site) so every relative form
is reproducible in tests and in replayed histories; nothing here reads the system clock.

Accepted forms (full-width digits and letters are folded first, surrounding spaces ignored):

* ISO and other year-first numbers: `2025-12-31`, `2025/12/31`, `2025.12.31`.
* Dates python-dateutil reads with one meaning only: `31 Dec 2025`, `December 31, 2025`,
  `31/12/2025`, `12/31/2025`. Every one of day, month and year (four digits) must be written;
  a form that reads differently day-first or month-first (`03/04/2025`) is rejected, as are
  times of day, time zones and a weekday that does not match the date. Fuzzy parsing is never
  used (pitfalls §4: it drops years and fills missing fields from today).
* A month alone means its last day, as ledgers use it (`2026年3月` is "by the end of March
  2026"): `2026年3月`, `2026年3月底`, `2026-03`, `Mar 2026`, `March 2026`.
* Relative to `today`: `today`, `tomorrow`, `+3d`, `+2w`, `+3m`, `+1y` (months and years via
  relativedelta: Jan 31 +1m is Feb 28), `eom`, `eoq`, `eoy` (end of this month/quarter/year);
  in Chinese `今天`, `明天`, `3天内`, `2周内`, `3个月内`, `1年内` (also with 后), `月底`/`本月底`,
  `季度末`/`本季度末`.
* Chinese ledger forms, where `今年`/`明年`/`后年` stand for this/next/the year after, and a
  trailing `前`/`之前`/`以前` ("by") is allowed: `2025年底`, `2025年末`, `2025年内`, `2025年度`,
  `2025年` and `明年` (a year alone: its last day), `年底`, `年内`, `上半年` (Jun 30), `下半年`
  (Dec 31), `一季度末`/`第一季度末`/`1季度`/`2026年一季度` (quarter end), `6月底`, `6月末`,
  `6月份`, `十二月底`, `2025年12月31日`, `12月31号`.
* No year written (`3月底`, `12月10日`, `上半年`, `一季度末`, `Dec 31`, `31 Dec`, `Dec`): the
  next such date, on or after today. A deadline is set ahead of time, so `3月底` typed in
  November is next March, and Chinese and English forms follow the same rule (`YEARLESS_RULE`).
* No deadline: `ongoing`, `持续推进`, `持续`, `长期`, `长期坚持`, `常态化` -> `DueDate.ongoing`.

Rejected on purpose: `03/04/2025` (day-month order unknown), `12`, `2025` (a bare number is
not a date), `31 Dec 25` (two-digit year), `2025年2月30日`, and any year before `YEAR_MIN` or
after `YEAR_MAX` (`1900-01-01` is a slip of the keyboard, not a deadline of a current plan).

Stored form (Measure.due): the ISO date, or the string "ongoing" (`DueDate.stored`,
`DueDate.from_stored`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from imtrack.errors import InvalidValue
from imtrack.i18n import N_, _

ONGOING_VALUE = "ongoing"

# Deadlines and reporting periods of a policy ledger fall in this century; a year outside it is
# a typing error (1900, 20255) that would otherwise sit in the ledger as "overdue for 126 years".
YEAR_MIN = 2000
YEAR_MAX = 2100

YEARLESS_RULE = "a date without a year (3月底, 12月10日, Dec 31) is the next such date"

ACCEPTED_FORMS = N_(
    "2025-12-31, 2025/12/31, 31 Dec 2025, December 31, 2025; a month alone means its last day "
    "(2026-03, Mar 2026, 2026年3月); today, tomorrow, +3d, +2w, +3m, +1y, eom, eoq, eoy; "
    "2025年12月31日, 2025年底(前), 2025年6月底, 6月底前, 年内, 年底前, 上半年, 下半年, "
    "一季度末, 2026年一季度, 明年3月, 3个月内, Dec 31 (without a year: the next such date); "
    "ongoing or 持续推进 for no deadline"
)


@dataclass(frozen=True, slots=True)
class DueDate:
    """A deadline: `date` is the day, or None when the measure is ongoing (no deadline)."""

    date: date | None

    @property
    def ongoing(self) -> bool:
        return self.date is None

    @property
    def stored(self) -> str:
        """What Measure.due holds: the ISO date, or "ongoing"."""
        return ONGOING_VALUE if self.date is None else self.date.isoformat()

    @classmethod
    def from_stored(cls, value: str | None) -> DueDate | None:
        """Read Measure.due back; None when no due date is set. Raises ValueError on a value
        imtrack never writes (a corrupt record is a bug to surface, not a user error)."""
        if value is None or value == "":
            return None
        if value == ONGOING_VALUE:
            return ONGOING
        return cls(date.fromisoformat(value))

    def __str__(self) -> str:
        return self.stored


ONGOING = DueDate(None)

_ONGOING_WORDS = {
    "ongoing",
    "持续推进",
    "持续",
    "长期",
    "长期推进",
    "长期坚持",
    "常态化",
    "常态化推进",
}

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
WEEKDAYS = {
    name: number
    for number, names in enumerate(
        [
            ("mon", "monday"),
            ("tue", "tues", "tuesday"),
            ("wed", "wednesday"),
            ("thu", "thur", "thurs", "thursday"),
            ("fri", "friday"),
            ("sat", "saturday"),
            ("sun", "sunday"),
        ]
    )
    for name in names
}

_WEEKDAY_NAMES = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"),
                  N_("Sunday"))

_CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_NUM = r"\d{1,2}|[一二两三四五六七八九十]{1,3}"


def cn_number(text: str) -> int:
    """1-2 Arabic digits, or a Chinese numeral from 一 to 三十九 (months and days)."""
    if text.isdigit():
        return int(text)
    if "十" not in text:
        if len(text) != 1:
            raise ValueError(text)
        return _CN_DIGITS[text]
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1:
        raise ValueError(text)
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def month_end(year: int, month: int) -> date:
    if not 1 <= month <= 12:
        raise invalid_month(month)
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - timedelta(days=1)


def quarter_end(year: int, quarter: int) -> date:
    return month_end(year, quarter * 3)


def _add_months(day: date, months: int) -> date:
    from dateutil.relativedelta import relativedelta  # lazy: dateutil costs start-up time

    return day + relativedelta(months=months)


def invalid_month(month: int) -> InvalidValue:
    return InvalidValue(_("there is no month {month}; months run from 1 to 12").format(month=month))


def make_date(year: int, month: int, day: int, original: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidValue(
            _("{text!r} is not a calendar date ({date} does not exist)").format(
                text=original, date=f"{year}-{month:02d}-{day:02d}")
        ) from None


def normalise(text: str) -> str:
    # NFKC folds full-width digits, letters, slashes and brackets; spaces carry no meaning in
    # the Chinese forms and the English ones are matched on single spaces.
    text = unicodedata.normalize("NFKC", text).strip().casefold()
    return re.sub(r"\s+", " ", text)


# --- the grammar --------------------------------------------------------------------------

_YEAR_FIRST = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_YEAR_MONTH = re.compile(r"(\d{4})[-/.](\d{1,2})")
_MONTH_YEAR = re.compile(r"([a-z]+)\.?,? (\d{4})")
MONTH_DAY = re.compile(r"([a-z]+)\.? (\d{1,2})(?:st|nd|rd|th)?")
DAY_MONTH = re.compile(r"(\d{1,2})(?:st|nd|rd|th)? (?:of )?([a-z]+)\.?")
_RELATIVE = re.compile(r"\+(\d{1,4})([dwmy])")
# At most three digits, so that 2025年内 stays a year, not 2025 years from now; 月 needs 个
# (3个月内) because 3月内 is "within March".
_CN_RELATIVE = re.compile(r"(\d{1,3})(天|日|周|个星期|星期|个月|年)(?:之内|以内|内|后|之后|以后)")
_CN_BY = re.compile(r"(?:之前|以前|前)$")
_CN_YEAR = re.compile(r"^(?:(\d{4})|(今|明|后))年")
_CN_DATE = re.compile(rf"^({_NUM})月({_NUM})[日号]$")
_CN_MONTH = re.compile(rf"^({_NUM})月(?:底|末|份|内)?$")
_CN_QUARTER = re.compile(r"^第?([一二三四1-4])季度(?:末|底)?$")


def _relative(text: str, today: date) -> date | None:
    match = _RELATIVE.fullmatch(text) or _CN_RELATIVE.fullmatch(text)
    if not match:
        return None
    n, unit = int(match.group(1)), match.group(2)
    if unit in ("d", "天", "日"):
        return today + timedelta(days=n)
    if unit in ("w", "周", "个星期", "星期"):
        return today + timedelta(weeks=n)
    if unit in ("m", "个月"):
        return _add_months(today, n)
    return _add_months(today, 12 * n)


def _keyword(text: str, today: date) -> date | None:
    quarter = (today.month - 1) // 3 + 1
    return {
        "today": today,
        "今天": today,
        "今日": today,
        "tomorrow": today + timedelta(days=1),
        "明天": today + timedelta(days=1),
        "明日": today + timedelta(days=1),
        "eom": month_end(today.year, today.month),
        "月底": month_end(today.year, today.month),
        "月末": month_end(today.year, today.month),
        "本月底": month_end(today.year, today.month),
        "本月末": month_end(today.year, today.month),
        "eoq": quarter_end(today.year, quarter),
        "季度末": quarter_end(today.year, quarter),
        "本季度末": quarter_end(today.year, quarter),
        "eoy": date(today.year, 12, 31),
    }.get(text)


def _chinese(text: str, today: date, original: str) -> date | None:
    """The ledger forms: [year] + period, optionally followed by 前 ("by")."""
    text = text.replace(" ", "")
    text = _CN_BY.sub("", text)
    match = _CN_YEAR.match(text)
    if match:
        if match.group(1):
            year = int(match.group(1))
        else:
            year = today.year + {"今": 0, "明": 1, "后": 2}[match.group(2)]
        rest = text[match.end() :]
        if rest in ("", "底", "末", "内", "度"):
            return date(year, 12, 31)
        return _chinese_in_year(rest, year, original)
    if text.startswith("年") or "月" in text or "季度" in text or text.endswith("半年"):
        return _next_such(lambda year: _chinese_in_year(text, year, original), today)
    return None


def _chinese_in_year(rest: str, year: int, original: str) -> date | None:
    """The day `rest` (年底, 上半年, 一季度末, 6月底, 12月31日...) names in `year`."""
    if rest in ("年底", "年末", "年内"):
        return date(year, 12, 31)
    if rest == "上半年":
        return date(year, 6, 30)
    if rest == "下半年":
        return date(year, 12, 31)
    try:
        if m := _CN_QUARTER.match(rest):
            return quarter_end(year, cn_number(m.group(1)))
        if m := _CN_MONTH.match(rest):
            return month_end(year, cn_number(m.group(1)))
        if m := _CN_DATE.match(rest):
            return make_date(year, cn_number(m.group(1)), cn_number(m.group(2)), original)
    except (KeyError, ValueError):
        return None
    return None


def _next_such(in_year: Callable[[int], date | None], today: date) -> date | None:
    """A form written without a year: the first such day on or after `today` (YEARLESS_RULE).
    Looks up to four years ahead so that 2月29日 finds the next leap year."""
    first_error: InvalidValue | None = None
    for year in range(today.year, today.year + 5):
        try:
            day = in_year(year)
        except InvalidValue as exc:
            first_error = first_error or exc
            continue  # 2月29日 in a common year: try the next
        if day is None or day >= today:
            return day
    if first_error is not None:
        raise first_error
    return None


def _english_month_year(text: str) -> date | None:
    match = _MONTH_YEAR.fullmatch(text)
    if match and match.group(1) in MONTHS:
        return month_end(int(match.group(2)), MONTHS[match.group(1)])
    return None


def _english_yearless(text: str, today: date, original: str) -> date | None:
    """`Dec 31`, `31 Dec`, `December 31st`, `Dec` (its last day): the next such date, the same
    rule as 12月31日 and 12月底."""
    text = text.replace(",", "")
    if text.rstrip(".") in MONTHS:
        month = MONTHS[text.rstrip(".")]
        return _next_such(lambda year: month_end(year, month), today)
    day_text = month_text = ""
    if m := MONTH_DAY.fullmatch(text):
        month_text, day_text = m.group(1), m.group(2)
    elif m := DAY_MONTH.fullmatch(text):
        day_text, month_text = m.group(1), m.group(2)
    if month_text not in MONTHS:
        return None
    month, day = MONTHS[month_text], int(day_text)
    return _next_such(lambda year: make_date(year, month, day, original), today)


def _dateutil(text: str, original: str) -> date | None:
    """A date dateutil reads the same way under every reading order and default, with day,
    month and a four-digit year all written (see module docstring)."""
    if len(re.findall(r"(?<!\d)\d{4}(?!\d)", text)) != 1 and not re.fullmatch(r"\d{8}", text):
        return None
    from datetime import datetime

    from dateutil.parser import ParserError
    from dateutil.parser import parse as du_parse

    readings = set()
    try:
        for default in (datetime(1, 1, 1, 0, 0), datetime(2, 2, 2, 1, 1)):
            for dayfirst in (False, True):
                for yearfirst in (False, True):
                    moment = du_parse(text, default=default, dayfirst=dayfirst, yearfirst=yearfirst)
                    if moment.tzinfo is not None:
                        return None
                    readings.add(
                        (
                            moment.date(),
                            (moment.hour, moment.minute) == (default.hour, default.minute),
                        )
                    )
    except (ParserError, ValueError, OverflowError):
        return None
    dates = {d for d, _ in readings}
    if len(dates) != 1:
        return None  # ambiguous, or a field filled in from the default
    if not all(untimed for _, untimed in readings):
        return None  # a time of day: due dates are days
    (day,) = dates
    for word in re.findall(r"[a-z]+", text):
        if word in WEEKDAYS and WEEKDAYS[word] != day.weekday():
            weekday = _WEEKDAY_NAMES[day.weekday()]
            raise InvalidValue(
                _("{text!r} does not agree with itself: {date} is a {weekday}").format(
                    text=original, date=day.isoformat(), weekday=_(weekday))
            )
    return day


def parse_due(text: str, today: date) -> DueDate:
    """Parse a deadline typed by a user; see the module docstring for the grammar."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidValue(_("the date is empty; use one of: {forms}").format(forms=_(ACCEPTED_FORMS)))
    original = text
    text = normalise(text)
    if text in _ONGOING_WORDS or text.replace(" ", "") in _ONGOING_WORDS:
        return ONGOING
    try:
        day = _read(text, today, original)
    except (OverflowError, ValueError) as exc:  # +9999y and the like: past the calendar's end
        if isinstance(exc, InvalidValue):
            raise
        raise out_of_range(original, None) from None
    if day is None:
        raise InvalidValue(
            _("cannot read {text!r} as a due date without guessing; use one of: {forms}").format(
                text=original, forms=_(ACCEPTED_FORMS))
        )
    check_year(day, original)
    return DueDate(day)


def _read(text: str, today: date, original: str) -> date | None:
    day = _keyword(text, today) or _relative(text, today)
    if day is None and (m := _YEAR_FIRST.fullmatch(_CN_BY.sub("", text.replace(" ", "")))):
        day = make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)), original)
    if day is None and (m := _YEAR_MONTH.fullmatch(text)):
        day = month_end(int(m.group(1)), int(m.group(2)))
    if day is None and not text.isascii():
        day = _chinese(text, today, original)
    if day is None and text.isascii():
        day = (
            _english_month_year(text)
            or _english_yearless(text, today, original)
            or _dateutil(text, original)
        )
    return day


def out_of_range(original: str, day: date | None) -> InvalidValue:
    what = f"{original!r}" + (f" ({day.isoformat()})" if day is not None and str(day) != original else "")
    return InvalidValue(
        _("{what} is outside the years {first}-{last} that a ledger date can fall in; "
          "check the year").format(what=what, first=YEAR_MIN, last=YEAR_MAX)
    )


def check_year(day: date, original: str) -> None:
    """Refuse a day outside YEAR_MIN..YEAR_MAX (see there why)."""
    if not YEAR_MIN <= day.year <= YEAR_MAX:
        raise out_of_range(original, day)
