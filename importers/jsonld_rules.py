"""schema.org ``Schedule`` rules as dateutil ``rrule`` arguments, for the JSON-LD importer.

Owns what a Schedule's repetition fields mean: ``repeatFrequency`` (ISO 8601 or a word),
``byDay`` (URIs, names, iCal ``"2MO"``), ``byMonthDay``, ``byMonth``, ``byMonthWeek`` and
the frequency each implies when ``repeatFrequency`` is absent, plus moving a far-past
anchor close to the window. ``byMonthWeek`` counts weeks the way iCalendar counts
``BYDAY=1WE``: week 1 is days 1-7, -1 the last seven days of the month; it is applied
as a filter by ``importers.jsonld_schedule``, which expands the rules. Pure functions.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta  # type: ignore[import-untyped]
from dateutil.rrule import (  # type: ignore[import-untyped]
    DAILY,
    MONTHLY,
    WEEKLY,
    YEARLY,
    weekday,
)
from dateutil.rrule import weekdays as RRULE_WEEKDAYS

from importers.jsonld_times import Duration, parse_duration

_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ICAL_DAY = re.compile(r"([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)", re.IGNORECASE)
_ICAL_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_WORD_FREQUENCY = {
    "daily": "P1D",
    "weekly": "P1W",
    "monthly": "P1M",
    "yearly": "P1Y",
    "annually": "P1Y",
}


def fast_forward(
    dtstart: datetime, low: datetime, args: dict[str, Any]
) -> tuple[datetime, dict[str, Any]]:
    """Move a far-past anchor to just before the window, keeping the rule's phase.

    Without this a schedule "daily since 0001-01-01" walks 740,000 days to reach now.
    Only used without repeatCount, which counts from the real first occurrence.
    """
    if dtstart >= low - timedelta(days=800):
        return dtstart, args
    freq, interval, args = args["freq"], args["interval"], dict(args)
    if freq in (DAILY, WEEKLY):
        period = interval * (7 if freq == WEEKLY else 1)
        periods = (low - dtstart).days // period - 1
        return dtstart + timedelta(days=periods * period), args
    # Monthly and yearly rules default their day (and month) to the anchor's: pin them,
    # since moving 31 January by whole months would clamp it to the 28th.
    if "bymonthday" not in args and "byweekday" not in args:
        args["bymonthday"] = dtstart.day
        if freq == YEARLY and "bymonth" not in args:
            args["bymonth"] = dtstart.month
    step = interval * (12 if freq == YEARLY else 1)
    months = (low.year - dtstart.year) * 12 + low.month - dtstart.month
    moved = dtstart.replace(day=1) + relativedelta(months=(months // step - 1) * step)
    return moved, args


def rule_args(
    schedule: dict[str, Any], first: date | None
) -> tuple[dict[str, Any] | None, str | None]:
    """dateutil rrule keyword arguments, or (None, None) for a one-date schedule, or a problem."""
    by_day, bad = _weekdays(schedule.get("byDay"))
    if bad:
        return None, f"eventSchedule byDay {bad!r} is not a weekday"
    month_days = ints(schedule.get("byMonthDay"), -31, 31)
    months = ints(schedule.get("byMonth"), 1, 12)
    raw = scalar(schedule.get("repeatFrequency"))
    if raw is None:
        if by_day and month_weeks(schedule):
            raw = "P1M"  # "the first and third Wednesday" repeats by the month
        elif by_day:
            raw = "P1W"
        elif month_days:
            raw = "P1M"
        elif first is None:
            return None, "eventSchedule has no repeatFrequency and no startDate"
        else:
            return None, None
    frequency = parse_duration(_WORD_FREQUENCY.get(raw.strip().lower(), raw))
    if frequency is None:
        return None, f"eventSchedule repeatFrequency {raw!r} is not an ISO 8601 duration"
    freq, interval = _frequency(frequency)
    if freq is None:
        return None, f"eventSchedule repeatFrequency {raw!r} is not a whole number of days"
    if first is None:
        # Without a startDate the first occurrence anchors nowhere: only rules whose
        # dates do not depend on the anchor ("every Wednesday", "the 1st and 15th") work.
        anchored = interval == 1 and (
            freq == DAILY
            or (freq == WEEKLY and by_day)
            or (freq == MONTHLY and (by_day or month_days))
            or (freq == YEARLY and months and (month_days or by_day))
        )
        if not anchored:
            return None, f"eventSchedule repeatFrequency {raw!r} needs a startDate or byDay"
    args: dict[str, Any] = {"freq": freq, "interval": interval}
    if by_day:
        args["byweekday"] = by_day
    if month_days:
        args["bymonthday"] = month_days
    if months:
        args["bymonth"] = months
    return args, None


def _frequency(value: Duration) -> tuple[int | None, int]:
    seconds = value.delta.total_seconds()
    if value.months and not seconds:
        return (YEARLY, value.months // 12) if value.months % 12 == 0 else (MONTHLY, value.months)
    if value.months or seconds <= 0 or seconds % 86400:
        return None, 0
    days = int(seconds // 86400)
    return (WEEKLY, days // 7) if days % 7 == 0 else (DAILY, days)


def _weekdays(value: Any) -> tuple[list[weekday], str | None]:
    """byDay as schema.org URIs, bare names or iCal ``"2MO"`` (an ordinal within the month)."""
    items = value if isinstance(value, list) else [] if value is None else [value]
    result: list[weekday] = []
    for item in items:
        text = scalar(item)
        if not text:
            continue
        name = re.split(r"[/#:]", text.strip())[-1].strip()
        if name.lower() in _DAY_NAMES:
            result.append(RRULE_WEEKDAYS[_DAY_NAMES.index(name.lower())])
            continue
        ical = _ICAL_DAY.fullmatch(name)
        if not ical:
            return [], text
        day = RRULE_WEEKDAYS[_ICAL_CODES.index(ical.group(2).upper())]
        result.append(day(int(ical.group(1))) if ical.group(1) else day)
    return result, None


def month_weeks(schedule: dict[str, Any]) -> list[int]:
    """byMonthWeek as week numbers 1..5 or -1..-5 (from the month's end); [] when absent."""
    return ints(schedule.get("byMonthWeek"), -5, 5)


def in_month_weeks(day: date, weeks: list[int]) -> bool:
    """Whether ``day`` lies in one of ``weeks``: week n is days 7n-6..7n, -n counts back."""
    last = calendar.monthrange(day.year, day.month)[1]
    return (day.day - 1) // 7 + 1 in weeks or -((last - day.day) // 7 + 1) in weeks


def ints(value: Any, low: int, high: int) -> list[int]:
    items = value if isinstance(value, list) else [] if value is None else [value]
    result = []
    for item in items:
        try:
            number = int(str(scalar(item) or "").strip())
        except ValueError:
            continue
        if low <= number <= high and number != 0:
            result.append(number)
    return result


def scalar(value: Any) -> str | None:
    """A plain string from a JSON-LD value (``{"@value": ...}`` unwrapped, numbers as text)."""
    if isinstance(value, dict):
        value = value.get("@value", value.get("@id"))
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int, float)):
        return str(value)
    return None
