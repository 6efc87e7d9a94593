"""``eventSchedule`` expansion for the JSON-LD importer: schema.org Schedules -> occurrences.

Owns expanding a ``Schedule`` (``repeatFrequency``, ``byDay``, ``byMonthDay``,
``byMonth``, ``byMonthWeek``, ``repeatCount``, ``exceptDate``, ``scheduleTimezone``)
into occurrences inside a bounded window around ``now``.

``byMonthWeek`` restricts ``byDay`` to those weeks of the month, counted the way
iCalendar counts ``BYDAY=1WE``: week 1 holds days 1-7, so ``[1, 3]`` + Wednesday is
"the first and third Wednesday", and -1 is the last seven days of the month. It is a
filter on whatever the frequency gives (a ``P1W`` rule keeps only those Wednesdays),
and with no ``repeatFrequency`` it implies monthly (schema.org's own example eg-0303).
Without ``byDay`` it is ignored with a warning: "the first week" names no day. Reading the single time values
is ``importers.jsonld_times``. Pure functions: no I/O, no Listing construction
(``importers.jsonld`` turns occurrences into listings).
"""

from __future__ import annotations

import calendar
import json
import re
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.relativedelta import relativedelta  # type: ignore[import-untyped]
from dateutil.rrule import (  # type: ignore[import-untyped]
    DAILY,
    MONTHLY,
    WEEKLY,
    YEARLY,
    rrule,
    weekday,
)
from dateutil.rrule import weekdays as RRULE_WEEKDAYS

from importers.clean import AMSTERDAM
from importers.jsonld_times import Duration, parse_clock, parse_duration, parse_when

# The expansion window: a little history (so a listing does not vanish the moment it
# starts) and a year and a half ahead, the horizon marketing teams plan for.
WINDOW_BEFORE = timedelta(days=30)
WINDOW_AFTER = relativedelta(months=18)
# A "daily, weekdays, twice a day" schedule over the window is ~800; more is a runaway.
MAX_OCCURRENCES = 1000
# Rule steps walked before the window (repeatCount schedules start at their first date).
MAX_STEPS = 25000

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


class Occurrence(NamedTuple):
    """One expanded occurrence: timed (aware datetimes) or all-day (dates)."""

    start: datetime | date
    end: datetime | date | None


class Note(NamedTuple):
    """Why a schedule gave fewer occurrences than it seems to promise."""

    message: str
    severity: str = "error"


def window(now: datetime, tz: tzinfo) -> tuple[datetime, datetime]:
    """The naive wall-clock bounds in ``tz`` between which schedules are expanded."""
    local = now.astimezone(tz) if now.tzinfo is not None else now
    naive = local.replace(tzinfo=None)
    return naive - WINDOW_BEFORE, naive + WINDOW_AFTER


def expand_schedules(
    value: Any, now: datetime, *, duration: Duration | None = None
) -> tuple[list[Occurrence], list[Note]]:
    """Every occurrence of one Schedule or a list of them, inside the window, sorted."""
    schedules = value if isinstance(value, list) else [value]
    found: dict[tuple[str, str], Occurrence] = {}
    notes: list[Note] = []
    for number, schedule in enumerate(schedules, 1):
        if not isinstance(schedule, dict):
            notes.append(Note(f"eventSchedule {number} is not a Schedule object"))
            continue
        occurrences, more = expand_schedule(schedule, now, duration=duration)
        notes.extend(more)
        for occurrence in occurrences:
            found.setdefault(
                (type(occurrence.start).__name__, occurrence.start.isoformat()), occurrence
            )
    return sorted(found.values(), key=_sort_key), notes


def expand_schedule(
    schedule: dict[str, Any], now: datetime, *, duration: Duration | None = None
) -> tuple[list[Occurrence], list[Note]]:
    """Occurrences of one schema.org Schedule between 30 days before ``now`` and 18 months on."""
    notes: list[Note] = []
    tz: tzinfo = AMSTERDAM
    zone_name = _scalar(schedule.get("scheduleTimezone"))
    if zone_name:
        try:
            tz = ZoneInfo(zone_name.strip())
        except (ZoneInfoNotFoundError, ValueError):
            notes.append(
                Note(f"unknown scheduleTimezone {zone_name!r}; using Europe/Amsterdam", "warning")
            )
    first, last = (
        _schedule_bound(schedule, "startDate", tz),
        _schedule_bound(schedule, "endDate", tz),
    )
    start_time, end_time, clock_zone = _schedule_clock(schedule, first, tz)
    if clock_zone is not None and not zone_name:
        tz = clock_zone  # "startTime": "19:00+02:00" with no scheduleTimezone: that offset
    if isinstance(first, datetime):
        first = first.date()
    if isinstance(last, datetime):
        last = last.date()
    own_duration = _duration_of(schedule.get("duration"))
    duration = own_duration or duration
    rule_args, problem = _rule_args(schedule, first)
    if problem:
        return [], [*notes, Note(problem)]
    low, high = window(now, tz)
    anchor_day = first or low.date()
    dtstart = datetime.combine(anchor_day, start_time or time(0, 0))
    until = datetime.combine(last, time(23, 59, 59)) if last else None
    count = _count(schedule.get("repeatCount"))
    weeks = _month_weeks(schedule)
    if weeks and not (rule_args or {}).get("byweekday"):
        notes.append(Note("eventSchedule byMonthWeek without byDay names no day; ignored", "warning"))
        weeks = []
    if rule_args is None:  # no repetition at all: the schedule is one date
        starts = [dtstart] if first and low <= dtstart <= high else []
    else:
        if count is None:
            dtstart, rule_args = _fast_forward(dtstart, low, rule_args)
        # dateutil deprecates count together with until: count in the rule, until here.
        # byMonthWeek filters the rule's dates, so then repeatCount is counted here.
        in_rule = count if not weeks else None
        rule = rrule(dtstart=dtstart, until=None if in_rule else until, count=in_rule, **rule_args)
        starts = []
        taken = 0
        for steps, start in enumerate(rule, 1):
            if start > high or (until is not None and start > until):
                break
            if steps > MAX_STEPS or len(starts) >= MAX_OCCURRENCES:
                notes.append(Note("schedule stopped early: too many occurrences", "warning"))
                break
            if weeks and not _in_month_weeks(start.date(), weeks):
                continue
            taken += 1
            if count is not None and taken > count:
                break
            if start >= low:
                starts.append(start)
    excluded = _excepted(schedule.get("exceptDate"), tz)
    occurrences = []
    for start in starts:
        if start.date() in excluded or start in excluded:
            continue
        occurrences.append(_occurrence(start, start_time, end_time, duration, tz))
    if not occurrences:
        notes.append(
            Note(
                f"schedule has no occurrences between {low:%Y-%m-%d} and {high:%Y-%m-%d}", "warning"
            )
        )
    return occurrences, notes


def _occurrence(
    start: datetime,
    start_time: time | None,
    end_time: time | None,
    duration: Duration | None,
    tz: tzinfo,
) -> Occurrence:
    if start_time is None:  # no clock time: an all-day occurrence
        end_date = None
        if duration is not None and duration.delta.days > 1 and not duration.months:
            end_date = start.date() + timedelta(days=duration.delta.days - 1)
        return Occurrence(start.date(), end_date)
    aware = start.replace(tzinfo=tz)
    if end_time is not None:
        end = datetime.combine(start.date(), end_time)
        if end <= start:  # "22:00-01:00" ends the next day
            end += timedelta(days=1)
        return Occurrence(aware, end.replace(tzinfo=tz))
    if duration is not None:
        return Occurrence(aware, duration.add_to(start).replace(tzinfo=tz))
    return Occurrence(aware, None)


def _fast_forward(
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


def _rule_args(
    schedule: dict[str, Any], first: date | None
) -> tuple[dict[str, Any] | None, str | None]:
    """dateutil rrule keyword arguments, or (None, None) for a one-date schedule, or a problem."""
    by_day, bad = _weekdays(schedule.get("byDay"))
    if bad:
        return None, f"eventSchedule byDay {bad!r} is not a weekday"
    month_days = _ints(schedule.get("byMonthDay"), -31, 31)
    months = _ints(schedule.get("byMonth"), 1, 12)
    raw = _scalar(schedule.get("repeatFrequency"))
    if raw is None:
        if by_day and _month_weeks(schedule):
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
        text = _scalar(item)
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


def _month_weeks(schedule: dict[str, Any]) -> list[int]:
    """byMonthWeek as week numbers 1..5 or -1..-5 (from the month's end); [] when absent."""
    return _ints(schedule.get("byMonthWeek"), -5, 5)


def _in_month_weeks(day: date, weeks: list[int]) -> bool:
    """Whether ``day`` lies in one of ``weeks``: week n is days 7n-6..7n, -n counts back."""
    last = calendar.monthrange(day.year, day.month)[1]
    return (day.day - 1) // 7 + 1 in weeks or -((last - day.day) // 7 + 1) in weeks


def _schedule_bound(schedule: dict[str, Any], key: str, tz: tzinfo) -> datetime | date | None:
    text = _scalar(schedule.get(key))
    if not text:
        return None
    try:
        return parse_when(text, tz)
    except ValueError:
        return None


def _schedule_clock(
    schedule: dict[str, Any], first: datetime | date | None, tz: tzinfo
) -> tuple[time | None, time | None, tzinfo | None]:
    """Start and end wall-clock times; a timed schedule startDate supplies a missing startTime."""
    start = end = zone = None
    text = _scalar(schedule.get("startTime"))
    if text:
        try:
            start, zone = parse_clock(text)
        except ValueError:
            start = None
    if start is None and isinstance(first, datetime):
        start = first.astimezone(tz).time().replace(tzinfo=None)
    text = _scalar(schedule.get("endTime"))
    if text and start is not None:
        try:
            end, _ = parse_clock(text)
        except ValueError:
            end = None
    return start, end, zone


def _excepted(value: Any, tz: tzinfo) -> set[date | datetime]:
    """exceptDate values: a date excludes that whole day, a date-time that one start."""
    items = value if isinstance(value, list) else [] if value is None else [value]
    result: set[date | datetime] = set()
    for item in items:
        text = _scalar(item)
        if not text:
            continue
        try:
            parsed = parse_when(text, tz)
        except ValueError:
            continue
        if isinstance(parsed, datetime):
            result.add(parsed.astimezone(tz).replace(tzinfo=None))
        else:
            result.add(parsed)
    return result


def _duration_of(value: Any) -> Duration | None:
    text = _scalar(value)
    return parse_duration(text) if text else None


def _count(value: Any) -> int | None:
    try:
        number = int(str(_scalar(value) or "").strip())
    except ValueError:
        return None
    return number if number > 0 else None


def _ints(value: Any, low: int, high: int) -> list[int]:
    items = value if isinstance(value, list) else [] if value is None else [value]
    result = []
    for item in items:
        try:
            number = int(str(_scalar(item) or "").strip())
        except ValueError:
            continue
        if low <= number <= high and number != 0:
            result.append(number)
    return result


def _scalar(value: Any) -> str | None:
    """A plain string from a JSON-LD value (``{"@value": ...}`` unwrapped, numbers as text)."""
    if isinstance(value, dict):
        value = value.get("@value", value.get("@id"))
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def _sort_key(occurrence: Occurrence) -> tuple[str, str]:
    start = occurrence.start
    if isinstance(start, datetime):
        return start.astimezone(AMSTERDAM).isoformat(), ""
    return start.isoformat(), "0"


def schedule_fingerprint(value: Any) -> str:
    """A stable text of a schedule, to tell apart events that share a name but not a schedule."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
