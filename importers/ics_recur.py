"""Recurrence rules for ``importers.ics``: reading RRULE lines and bounding their expansion.

Owns: reading every RRULE line of a VEVENT (RFC 2445 and Apple iCal allow several; the
occurrences are their union), refusing rules that can never match before anyone loops
over them (``BYMONTHDAY=30;BYMONTH=2``), moving DTSTART forward by whole periods so
dateutil does not crawl from 1900, and expanding sub-daily rules (HOURLY, MINUTELY,
SECONDLY) ourselves, day by day over the time window, under an occurrence cap and a
time budget. dateutil iterates a rule that never matches one period at a time up to the
year 9999 and cannot be interrupted; a sub-daily rule is where that hurts (24 s a VEVENT),
so those never reach it: their occurrences are handed on as RDATEs.
Must not: build listings or read other properties.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from datetime import time as clock

from icalendar import vRecur

from importers.ics_zones import InvalidValue

# Rules with a COUNT are expanded from their first occurrence; bigger ones are refused.
MAX_COUNT = 5000
_DAY = timedelta(days=1)
_STEPS = {"SECONDLY": timedelta(seconds=1), "MINUTELY": timedelta(minutes=1)}
_STEPS |= {"HOURLY": timedelta(hours=1), "DAILY": _DAY, "WEEKLY": 7 * _DAY}
SUB_DAILY = frozenset({"HOURLY", "MINUTELY", "SECONDLY"})
_MONTH_DAYS = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31}
_MONTH_DAYS |= {11: 30, 12: 31}
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def read_rule(value: str) -> vRecur:
    """One RRULE value, or InvalidValue saying why it cannot be used."""
    try:  # "BYDAY=MO, TU" (Exchange CDO) is read without its spaces
        rule = vRecur.from_ical("".join(value.split()).upper())
    except (ValueError, TypeError, KeyError) as exc:
        raise InvalidValue("RRULE", f"RRULE {value!r} cannot be read: {exc}") from None
    if rule.get("COUNT", [0])[0] > MAX_COUNT:
        raise InvalidValue("RRULE", f"RRULE {value!r}: COUNT is above {MAX_COUNT}")
    if not 1 <= rule.get("INTERVAL", [1])[0] <= 10_000:
        raise InvalidValue("RRULE", f"RRULE {value!r}: INTERVAL is out of range")
    reason = impossible(rule)
    if reason is not None:
        raise InvalidValue("RRULE", f"RRULE {value!r} never occurs: {reason}")
    return rule


def impossible(rule: vRecur) -> str | None:
    """Why a rule can never produce an occurrence, found without iterating; None if it may.

    Catches day-of-month lists that fit no month the rule allows (30 February), which
    dateutil would otherwise search for until the year 9999.
    """
    days = [int(day) for day in rule.get("BYMONTHDAY", [])]
    months = [int(month) for month in rule.get("BYMONTH", [])] or list(_MONTH_DAYS)
    if days and not any(0 < abs(day) <= _MONTH_DAYS.get(m, 0) for day in days for m in months):
        return f"no month in BYMONTH={months} has day {days}"
    if any(not 1 <= m <= 12 for m in months):
        return f"BYMONTH={months} is not a month"
    return None


def period(rule: vRecur) -> timedelta | None:
    """FREQ × INTERVAL for the frequencies with a fixed length (not MONTHLY or YEARLY)."""
    step = _STEPS.get(str(rule.get("FREQ", [""])[0]))
    return step * rule.get("INTERVAL", [1])[0] if step is not None else None


def skip_ahead(start: date, rules: list[vRecur], low: datetime) -> timedelta:
    """Whole rule periods to move DTSTART forward so expansion starts near the window.

    Expanding DAILY from 1900 up to ``now`` takes long; moving DTSTART by a multiple of
    every rule's period keeps each occurrence on its grid. Rules with COUNT, or without a
    fixed period (MONTHLY, YEARLY), are left alone.
    """
    periods = [period(rule) for rule in rules]
    if not rules or any(p is None or "COUNT" in r for p, r in zip(periods, rules, strict=True)):
        return timedelta(0)
    seconds = math.lcm(*(int(p.total_seconds()) for p in periods if p is not None))
    common = timedelta(seconds=seconds)
    if common < _DAY and not isinstance(start, datetime):
        return timedelta(0)
    floor = low if isinstance(start, datetime) else low.date()
    count = (floor - start) // common - 1
    return common * count if count > 0 else timedelta(0)


@dataclass
class Expansion:
    """Occurrence starts of one sub-daily rule, and why the list stopped short, if it did."""

    starts: list[date]
    cut: str | None = None  # "cap" or "budget"


def expand_sub_daily(
    start: date, rule: vRecur, window: tuple[datetime, datetime], cap: int, deadline: float
) -> Expansion:
    """Occurrences of an HOURLY/MINUTELY/SECONDLY rule inside ``window``, day by day.

    Day-level parts (BYMONTH, BYMONTHDAY, BYYEARDAY, BYDAY) only limit which days count,
    so a day that fails them costs one check; the time parts pick the instants of a day
    on the rule's grid (DTSTART + k × INTERVAL units, in wall-clock time as dateutil
    counts). COUNT is counted from DTSTART. More than ``cap`` occurrences, or passing
    ``deadline`` (``time.monotonic()``), stops the expansion and says so.
    """
    if "BYSETPOS" in rule:
        raise InvalidValue("RRULE", "BYSETPOS on an hourly, minutely or secondly rule")
    zone: tzinfo | None = start.tzinfo if isinstance(start, datetime) else None
    origin = (
        start.replace(tzinfo=None)
        if isinstance(start, datetime)
        else datetime.combine(start, clock())
    )
    low, high = (_wall(moment, zone) for moment in window)
    until = _until(rule, zone)
    count = rule.get("COUNT", [None])[0]
    last = min(high, until) if until is not None else high
    day = origin.date() if count is not None else max(origin.date(), low.date())
    grid = _Grid(rule, origin)
    found: list[date] = []
    seen = 0
    while day <= last.date():
        if time.monotonic() > deadline:
            return Expansion(found, "budget")
        if grid.day_matches(day):
            for moment in grid.times(day):
                if moment < origin:
                    continue
                if moment > last or (count is not None and seen >= count):
                    return Expansion(found)
                seen += 1
                if moment >= low:  # an occurrence that began before the window is left out
                    if len(found) >= cap:
                        return Expansion(found, "cap")
                    found.append(moment.replace(tzinfo=zone) if zone else moment)
        day += _DAY
    if not isinstance(start, datetime):
        found = sorted({moment.date() for moment in found if isinstance(moment, datetime)})
    return Expansion(found)


def _wall(moment: datetime, zone: tzinfo | None) -> datetime:
    """An aware window bound as a naive wall-clock time in the series' zone."""
    return moment.astimezone(zone).replace(tzinfo=None) if zone else moment.replace(tzinfo=None)


def _until(rule: vRecur, zone: tzinfo | None) -> datetime | None:
    value = rule.get("UNTIL", [None])[0]
    if value is None:
        return None
    if not isinstance(value, datetime):  # a DATE UNTIL includes that whole day
        return datetime.combine(value, clock(23, 59, 59))
    if value.tzinfo is not None:
        return _wall(value, zone)
    return value


class _Grid:
    """The day filters and the per-day instants of one sub-daily rule."""

    def __init__(self, rule: vRecur, origin: datetime) -> None:
        self.freq = str(rule["FREQ"][0])
        self.interval = int(rule.get("INTERVAL", [1])[0])
        self.origin = origin
        self.months = {int(m) for m in rule.get("BYMONTH", [])}
        self.month_days = {int(d) for d in rule.get("BYMONTHDAY", [])}
        self.year_days = {int(d) for d in rule.get("BYYEARDAY", [])}
        # Ordinals ("1MO") have no meaning below MONTHLY; the weekday still limits.
        self.weekdays = {_WEEKDAYS.index(str(d)[-2:]) for d in rule.get("BYDAY", [])}
        self.hours = sorted({int(h) for h in rule.get("BYHOUR", [])}) or list(range(24))
        self.minutes = sorted({int(m) for m in rule.get("BYMINUTE", [])}) or list(range(60))
        self.seconds = sorted({int(s) for s in rule.get("BYSECOND", [])}) or list(range(60))
        if self.freq == "HOURLY":
            self.minutes = sorted({int(m) for m in rule.get("BYMINUTE", [])}) or [origin.minute]
        if self.freq != "SECONDLY":
            self.seconds = sorted({int(s) for s in rule.get("BYSECOND", [])}) or [origin.second]

    def day_matches(self, day: date) -> bool:
        if self.months and day.month not in self.months:
            return False
        if self.weekdays and day.weekday() not in self.weekdays:
            return False
        if self.month_days:
            length = _month_length(day)
            if day.day not in self.month_days and day.day - length - 1 not in self.month_days:
                return False
        if self.year_days:
            number = day.timetuple().tm_yday
            length = 366 if _month_length(date(day.year, 2, 1)) == 29 else 365
            if number not in self.year_days and number - length - 1 not in self.year_days:
                return False
        return True

    def times(self, day: date) -> list[datetime]:
        """The day's instants on the grid, in order."""
        base = datetime.combine(day, clock())
        start = self.origin.replace(minute=0, second=0)
        out: list[datetime] = []
        for hour in self.hours:
            if self.freq == "HOURLY":
                hours = int((base.replace(hour=hour) - start).total_seconds()) // 3600
                if hours % self.interval:
                    continue
            for minute in self.minutes:
                if self.freq == "MINUTELY":
                    moment = base.replace(hour=hour, minute=minute)
                    minutes = int((moment - start).total_seconds()) // 60 - self.origin.minute
                    if minutes % self.interval:
                        continue
                for second in self.seconds:
                    moment = base.replace(hour=hour, minute=minute, second=second)
                    if self.freq == "SECONDLY":
                        seconds = int((moment - self.origin).total_seconds())
                        if seconds % self.interval:
                            continue
                    out.append(moment)
        return out


def _month_length(day: date) -> int:
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return (following - date(day.year, day.month, 1)).days
