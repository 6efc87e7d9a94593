"""Date and time notations people type into spreadsheet cells, for ``importers.spreadsheet``.

Owns reading a date cell (ISO ``2027-01-24``, numeric ``24-01-2027`` / ``1/24/27`` in
day-first or month-first order, ``zo 3 november 2019``, ``Sunday, November 3, 2019``,
a year left out meaning the coming one, a time in the same cell), telling a date
column's order from its values, and clock times and ranges (``20:00``, ``20.00 uur``,
``8 pm``, ``20:00 - 22:30``, ``24:00``). An unreadable cell raises ``CellError`` naming
its field. Pure functions: no I/O.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

_MONTH_NAMES = (
    "januari january jan",
    "februari february feb",
    "maart march mrt mar",
    "april apr",
    "mei may",
    "juni june jun",
    "juli july jul",
    "augustus august aug",
    "september sept sep",
    "oktober october okt oct",
    "november nov",
    "december dec",
)
_MONTHS = {name: n for n, names in enumerate(_MONTH_NAMES, 1) for name in names.split()}
_WEEKDAYS = frozenset(
    word
    for words in (
        "ma maandag di dinsdag wo woensdag do donderdag vr vrijdag za zaterdag zo zondag",
        "mon monday tue tues tuesday wed wednesday thu thur thurs thursday fri friday",
        "sat saturday sun sunday",
    )
    for word in words.split()
)
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]+(.+))?")
_NUMERIC = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})(?:[T ]+(.+))?")
_DAY_MONTH = re.compile(
    r"(?:([a-z]+)\.?,?\s+)?(\d{1,2})(?:e|ste|de|st|nd|rd|th)?\s+([a-z]+)\.?,?"
    r"(?:\s+(\d{4}))?(?:,?\s+(?:om\s+)?(.+))?"
)
_MONTH_DAY = re.compile(
    r"(?:([a-z]+)\.?,?\s+)?([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?"
    r"(?:\s+(\d{4}))?(?:,?\s+(?:at\s+)?(.+))?"
)
_TIME = re.compile(
    r"(?:om\s+|at\s+)?(\d{1,2})(?:\s*[:.hu]\s*(\d{2}))?(?::(\d{2}))?"
    r"\s*(?:uur|u|h)?\.?\s*(am|pm|a\.m\.|p\.m\.)?"
)
_RANGE = re.compile(r"\s*(?:-|–|tot|to|till|until)\s*")
Clock = tuple[time, int]  # a time of day and the days it carries over ("24:00")


class CellError(Exception):
    """A cell that cannot be read: its field and what is wrong with it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def date_order(values: list[str]) -> bool | None:
    """Day-first (True) or month-first (False) for a column of numeric dates, None if unsure."""
    pairs = [
        (int(m.group(1)), int(m.group(2)))
        for m in (_NUMERIC.fullmatch(v.strip()) for v in values)
        if m
    ]
    if any(a > 12 for a, _ in pairs):
        return True
    if any(b > 12 for _, b in pairs):
        return False
    return None


def read_date(text: str, day_first: bool, now: datetime, field: str) -> tuple[date, Clock | None]:
    """A date in any of the notations below, plus a time written in the same cell."""
    value = text.strip().lower()
    year: int | None
    if match := _ISO.fullmatch(value):
        year, month, day, rest = int(match[1]), int(match[2]), int(match[3]), match[4]
    elif match := _NUMERIC.fullmatch(value):
        first, second, year, rest = int(match[1]), int(match[2]), int(match[3]), match[4]
        day, month = (first, second) if day_first else (second, first)
        year += 2000 if year < 100 else 0
    elif match := _DAY_MONTH.fullmatch(value) or _MONTH_DAY.fullmatch(value):
        # "zo 3 november 2019" and "Sunday, November 3, 2019": the same groups, two orders.
        weekday, year, rest = match[1], int(match[4]) if match[4] else None, match[5]
        digits, name = (match[2], match[3]) if match.re is _DAY_MONTH else (match[3], match[2])
        if name not in _MONTHS or (weekday and weekday not in _WEEKDAYS):
            raise CellError(field, f"date {text!r} is not a date I can read")
        day, month = int(digits), _MONTHS[name]
    else:
        raise CellError(field, f"date {text!r} is not a date I can read")
    try:
        result = date(year or now.year, month, day)
        if year is None and result < now.date() - timedelta(days=183):
            result = date(now.year + 1, month, day)  # "3 november": the coming one
    except ValueError:
        raise CellError(field, f"date {text!r} does not exist") from None
    return result, (_time(rest, field) if rest else None)


def read_time_range(text: str, field: str) -> tuple[Clock | None, Clock | None]:
    """``20:00`` or a range ``20:00 - 22:30`` in one cell."""
    parts = _RANGE.split(text.strip(), maxsplit=1)
    if len(parts) == 2 and parts[1]:
        return _time(parts[0], field), _time(parts[1], field)
    return _time(text, field), None


def _time(text: str, field: str) -> Clock:
    """A clock time and the days it carries over (``24:00`` is the next midnight)."""
    match = _TIME.fullmatch(text.strip().lower())
    if not match:
        raise CellError(field, f"time {text!r} is not a time I can read")
    hour, minute, second = int(match[1]), int(match[2] or 0), int(match[3] or 0)
    if match[4]:
        if not 1 <= hour <= 12:
            raise CellError(field, f"time {text!r} does not exist")
        hour = hour % 12 + (12 if match[4].startswith("p") else 0)
    if hour == 24 and minute == second == 0:
        return time(0), 1
    if hour > 23 or minute > 59 or second > 59:
        raise CellError(field, f"time {text!r} does not exist")
    return time(hour, minute, second), 0
