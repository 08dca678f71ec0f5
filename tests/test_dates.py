"""parse_due: every accepted form, every rejected one, with an explicit `today`."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from imtrack.domain.dates import ACCEPTED_FORMS, ONGOING, DueDate, parse_due
from imtrack.errors import InvalidValue

TODAY = date(2026, 11, 23)  # a Monday in Q4


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # ISO and year-first numbers
        ("2025-12-31", date(2025, 12, 31)),
        ("2025-1-5", date(2025, 1, 5)),
        ("2025/12/31", date(2025, 12, 31)),
        ("2025/01/02", date(2025, 1, 2)),  # dayfirst would flip this in dateutil; we do not
        ("2025.12.31", date(2025, 12, 31)),
        ("  2025-12-31 ", date(2025, 12, 31)),
        ("２０２５－１２－３１", date(2025, 12, 31)),
        ("2025-12-31前", date(2025, 12, 31)),
        ("2025-12-31 之前", date(2025, 12, 31)),
        # what dateutil reads one way only
        ("31 Dec 2025", date(2025, 12, 31)),
        ("December 31, 2025", date(2025, 12, 31)),
        ("Dec 31 2025", date(2025, 12, 31)),
        ("31st December 2025", date(2025, 12, 31)),
        ("31-Dec-2025", date(2025, 12, 31)),
        ("Wed 31 Dec 2025", date(2025, 12, 31)),
        ("31/12/2025", date(2025, 12, 31)),
        ("12/31/2025", date(2025, 12, 31)),
        ("03/03/2025", date(2025, 3, 3)),  # same either way round
        ("31.12.2025", date(2025, 12, 31)),
        ("20251231", date(2025, 12, 31)),
        # a month alone is its last day
        ("2026-03", date(2026, 3, 31)),
        ("2024-02", date(2024, 2, 29)),
        ("Mar 2026", date(2026, 3, 31)),
        ("March 2026", date(2026, 3, 31)),
        ("2026年3月", date(2026, 3, 31)),
        ("2026年2月", date(2026, 2, 28)),
        ("2026年3月份", date(2026, 3, 31)),
        # relative to today
        ("today", TODAY),
        ("TODAY", TODAY),
        ("tomorrow", date(2026, 11, 24)),
        ("今天", TODAY),
        ("明天", date(2026, 11, 24)),
        ("+0d", TODAY),
        ("+3d", date(2026, 11, 26)),
        ("+2w", date(2026, 12, 7)),
        ("+3m", date(2027, 2, 23)),
        ("+1y", date(2027, 11, 23)),
        ("＋３ｄ", date(2026, 11, 26)),
        ("eom", date(2026, 11, 30)),
        ("eoq", date(2026, 12, 31)),
        ("eoy", date(2026, 12, 31)),
        ("月底", date(2026, 11, 30)),
        ("本月底", date(2026, 11, 30)),
        ("本季度末", date(2026, 12, 31)),
        ("3天内", date(2026, 11, 26)),
        ("2周内", date(2026, 12, 7)),
        ("3个月内", date(2027, 2, 23)),
        ("3个月后", date(2027, 2, 23)),
        ("1年内", date(2027, 11, 23)),
        # Chinese ledger forms
        ("2025年底", date(2025, 12, 31)),
        ("2025年底前", date(2025, 12, 31)),
        ("2025年末", date(2025, 12, 31)),
        ("2025年内", date(2025, 12, 31)),
        ("2025年", date(2025, 12, 31)),
        ("2025年度", date(2025, 12, 31)),
        ("２０２５年底前", date(2025, 12, 31)),
        ("2025 年底", date(2025, 12, 31)),
        ("2025年6月底", date(2025, 6, 30)),
        ("2025年6月底前", date(2025, 6, 30)),
        ("2025年6月末", date(2025, 6, 30)),
        ("2025年12月底", date(2025, 12, 31)),
        # no year written: the next such date (TODAY is 2026-11-23)
        ("6月底", date(2027, 6, 30)),
        ("6月底前", date(2027, 6, 30)),
        ("6月底之前", date(2027, 6, 30)),
        ("3月", date(2027, 3, 31)),
        ("3月内", date(2027, 3, 31)),  # within March, not three months
        ("十二月底", date(2026, 12, 31)),
        ("十一月底", date(2026, 11, 30)),
        ("六月底前", date(2027, 6, 30)),
        ("2025年12月31日", date(2025, 12, 31)),
        ("2025年12月31日前", date(2025, 12, 31)),
        ("2025年十二月三十一日", date(2025, 12, 31)),
        ("12月31日", date(2026, 12, 31)),
        ("12月31号", date(2026, 12, 31)),
        ("11月23日", TODAY),  # today is not past
        ("11月22日", date(2027, 11, 22)),
        ("12月10日", date(2026, 12, 10)),
        ("2月29日", date(2028, 2, 29)),  # the next one that exists
        # English without a year: the same rule
        ("Dec 31", date(2026, 12, 31)),
        ("31 Dec", date(2026, 12, 31)),
        ("December 31st", date(2026, 12, 31)),
        ("Nov 22", date(2027, 11, 22)),
        ("Mar 31", date(2027, 3, 31)),
        ("Dec", date(2026, 12, 31)),
        ("March", date(2027, 3, 31)),
        ("年内", date(2026, 12, 31)),
        ("年底", date(2026, 12, 31)),
        ("年底前", date(2026, 12, 31)),
        ("上半年", date(2027, 6, 30)),
        ("下半年", date(2026, 12, 31)),
        ("2027年上半年", date(2027, 6, 30)),
        ("一季度末", date(2027, 3, 31)),
        ("二季度末", date(2027, 6, 30)),
        ("三季度末", date(2027, 9, 30)),
        ("四季度末", date(2026, 12, 31)),
        ("第一季度末", date(2027, 3, 31)),
        ("1季度末", date(2027, 3, 31)),
        ("今年3月底", date(2026, 3, 31)),  # a year written is kept, even when past
        ("2026年一季度", date(2026, 3, 31)),
        ("2026年第二季度末前", date(2026, 6, 30)),
        ("今年底", date(2026, 12, 31)),
        ("今年年底", date(2026, 12, 31)),
        ("明年3月", date(2027, 3, 31)),
        ("明年底", date(2027, 12, 31)),
        ("明年", date(2027, 12, 31)),
        ("后年6月底", date(2028, 6, 30)),
    ],
)
def test_accepted_forms(text: str, expected: date) -> None:
    assert parse_due(text, TODAY) == DueDate(expected)


@pytest.mark.parametrize(
    "text", ["持续推进", "持续", "长期", "长期坚持", "常态化", "ongoing", "Ongoing", " 持续推进 "]
)
def test_ongoing(text: str) -> None:
    due = parse_due(text, TODAY)
    assert due is ONGOING or due == ONGOING
    assert due.ongoing and due.date is None and due.stored == "ongoing"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "03/04/2025",  # March 4 or April 3
        "01/02/2025",
        "12",
        "2025",
        "Decem",
        "31 Dec 25",  # two-digit year
        "12/31",  # numbers without a year: which is the month is not certain in general
        "1900-01-01",  # outside 2000-2100
        "1999年底",
        "2101-01-01",
        "+100y",
        "+9999y",
        "+99999d",
        "12/2025",
        "2025-12-31T10:00",
        "31 Dec 2025 10:00",
        "31 Dec 2025 UTC",
        "next friday",
        "soon",
        "+3",
        "+3x",
        "下月底",
        "年前",
        "去年底",
        "2025年13月",
        "13月底",
        "五季度末",
        "2025-13-01",
        "2025-02-30",
        "2025年2月30日",
        "2025年12月32日",
        "Mon 31 Dec 2025",  # 2025-12-31 is a Wednesday
    ],
)
def test_rejected_forms(text: str) -> None:
    with pytest.raises(InvalidValue):
        parse_due(text, TODAY)


def test_error_lists_accepted_forms() -> None:
    with pytest.raises(InvalidValue) as info:
        parse_due("03/04/2025", TODAY)
    message = str(info.value)
    assert "'03/04/2025'" in message and ACCEPTED_FORMS in message
    assert "2025年底" in message and "+3m" in message and "持续推进" in message


def test_impossible_date_names_the_problem() -> None:
    with pytest.raises(InvalidValue, match="2025-02-30 does not exist"):
        parse_due("2025年2月30日", TODAY)
    with pytest.raises(InvalidValue, match="no month 13"):
        parse_due("2025-13", TODAY)
    with pytest.raises(InvalidValue, match="Wednesday"):
        parse_due("Mon 31 Dec 2025", TODAY)


def test_relative_forms_follow_today_not_the_clock() -> None:
    assert parse_due("+1m", date(2025, 1, 31)).date == date(2025, 2, 28)  # relativedelta
    assert parse_due("eoq", date(2025, 2, 1)).date == date(2025, 3, 31)
    assert parse_due("eoq", date(2025, 4, 1)).date == date(2025, 6, 30)
    assert parse_due("eom", date(2024, 2, 10)).date == date(2024, 2, 29)
    assert parse_due("tomorrow", date(2025, 12, 31)).date == date(2026, 1, 1)
    assert parse_due("年底", date(2030, 1, 1)).date == date(2030, 12, 31)
    assert parse_due("明年3月", date(2025, 12, 31)).date == date(2026, 3, 31)


@pytest.mark.parametrize(
    ("today", "text", "expected"),
    [
        # the boundary: on the day itself the date is this year's, the day after it is next year's
        (date(2026, 3, 31), "3月底", date(2026, 3, 31)),
        (date(2026, 4, 1), "3月底", date(2027, 3, 31)),
        (date(2026, 3, 31), "Mar 31", date(2026, 3, 31)),
        (date(2026, 4, 1), "Mar 31", date(2027, 3, 31)),
        (date(2026, 12, 10), "12月10日", date(2026, 12, 10)),
        (date(2026, 12, 11), "12月10日", date(2027, 12, 10)),
        (date(2026, 12, 11), "Dec 10", date(2027, 12, 10)),
        (date(2026, 6, 30), "上半年", date(2026, 6, 30)),
        (date(2026, 7, 1), "上半年", date(2027, 6, 30)),
        (date(2026, 12, 31), "年底", date(2026, 12, 31)),
    ],
)
def test_yearless_dates_take_the_next_such_date_chinese_and_english_alike(
    today: date, text: str, expected: date
) -> None:
    assert parse_due(text, today).date == expected


def test_absurd_years_are_refused_with_the_range_named() -> None:
    for text in ("1900-01-01", "2101年1月1日", "+200y"):
        with pytest.raises(InvalidValue, match="2000-2100"):
            parse_due(text, TODAY)
    assert parse_due("2000-01-01", TODAY).date == date(2000, 1, 1)
    assert parse_due("2100-12-31", TODAY).date == date(2100, 12, 31)


def test_empty_due_date_is_refused() -> None:
    with pytest.raises(InvalidValue, match="the date is empty"):
        parse_due("", TODAY)


def test_stored_round_trip() -> None:
    assert DueDate.from_stored(None) is None
    assert DueDate.from_stored("") is None
    assert DueDate.from_stored("ongoing") == ONGOING
    due = parse_due("2025年底", TODAY)
    assert due.stored == "2025-12-31" and str(due) == "2025-12-31"
    assert DueDate.from_stored(due.stored) == due


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_iso_and_chinese_round_trip(day: date) -> None:
    assert parse_due(day.isoformat(), TODAY).date == day
    assert parse_due(f"{day.year}年{day.month}月{day.day}日", TODAY).date == day
    assert parse_due(day.strftime("%d %b %Y"), TODAY).date == day


@given(st.text(max_size=12))
def test_never_crashes_with_anything_but_invalid_value(text: str) -> None:
    try:
        result = parse_due(text, TODAY)
    except InvalidValue:
        return
    assert isinstance(result, DueDate)
