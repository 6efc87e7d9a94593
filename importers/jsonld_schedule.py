"""``eventSchedule`` expansion for the JSON-LD importer: schema.org Schedules -> occurrences.

Owns expanding a ``Schedule`` (``repeatFrequency``, ``byDay``, ``byMonthDay``,
``byMonth``, ``byMonthWeek``, ``repeatCount``, ``exceptDate``, ``scheduleTimezone``)
into occurrences inside a bounded window around ``now``.

``byMonthWeek`` restricts ``byDay`` to those weeks of the month, counted the way
iCalendar counts ``BYDAY=1WE``: week 1 holds days 1-7, so ``[1, 3]`` + Wednesday is
"the first and third Wednesday", and -1 is the last seven days of the month. It is a
filter on whatever the frequency gives (a ``P1W`` rule keeps only those Wednesdays),
and with no ``repeatFrequency`` it implies monthly (schema.org's own example eg-0303).
Without ``byDay`` it is ignored with a warning: "the first week" names no day. What
the rule fields mean is ``importers.jsonld_rules``; reading single time values is
``importers.jsonld_times``. Pure functions: no I/O, no Listing construction
(``importers.jsonld`` turns occurrences into listings).
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.relativedelta import relativedelta  # type: ignore[import-untyped]
from dateutil.rrule import rrule  # type: ignore[import-untyped]

from importers.clean import AMSTERDAM
from importers.jsonld_rules import (
    fast_forward,
    in_month_weeks,
    month_weeks,
    rule_args,
    scalar,
)
from importers.jsonld_times import (
    Duration,
    is_floating,
    parse_clock,
    parse_duration,
    parse_when,
)

# The expansion window: a little history (so a listing does not vanish the moment it
# starts) and a year and a half ahead, the horizon marketing teams plan for.
WINDOW_BEFORE = timedelta(days=30)
WINDOW_AFTER = relativedelta(months=18)
# A "daily, weekdays, twice a day" schedule over the window is ~800; more is a runaway.
MAX_OCCURRENCES = 1000
# Rule steps walked before the window (repeatCount schedules start at their first date).
MAX_STEPS = 25000


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
    value: Any, now: datetime, *, duration: Duration | None = None, zone: tzinfo = AMSTERDAM
) -> tuple[list[Occurrence], list[Note]]:
    """Every occurrence of one Schedule or a list of them, inside the window, sorted.

    ``zone`` is the place's zone, for schedules without ``scheduleTimezone``.
    """
    schedules = value if isinstance(value, list) else [value]
    found: dict[tuple[str, str], Occurrence] = {}
    notes: list[Note] = []
    for number, schedule in enumerate(schedules, 1):
        if not isinstance(schedule, dict):
            notes.append(Note(f"eventSchedule {number} is not a Schedule object"))
            continue
        occurrences, more = expand_schedule(schedule, now, duration=duration, zone=zone)
        notes.extend(more)
        for occurrence in occurrences:
            found.setdefault(
                (type(occurrence.start).__name__, occurrence.start.isoformat()), occurrence
            )
    return sorted(found.values(), key=_sort_key), notes


def expand_schedule(
    schedule: dict[str, Any],
    now: datetime,
    *,
    duration: Duration | None = None,
    zone: tzinfo = AMSTERDAM,
) -> tuple[list[Occurrence], list[Note]]:
    """Occurrences of one schema.org Schedule between 30 days before ``now`` and 18 months on."""
    notes: list[Note] = []
    tz: tzinfo = zone
    zone_name = scalar(schedule.get("scheduleTimezone"))
    if zone_name:
        try:
            tz = ZoneInfo(zone_name.strip())
        except (ZoneInfoNotFoundError, ValueError):
            notes.append(Note(f"unknown scheduleTimezone {zone_name!r}; using {zone}", "warning"))
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
    args, problem = rule_args(schedule, first)
    if problem:
        return [], [*notes, Note(problem)]
    low, high = window(now, tz)
    anchor_day = first or low.date()
    dtstart = datetime.combine(anchor_day, start_time or time(0, 0))
    until = datetime.combine(last, time(23, 59, 59)) if last else None
    count = _count(schedule.get("repeatCount"))
    weeks = month_weeks(schedule)
    if weeks and not (args or {}).get("byweekday"):
        notes.append(
            Note("eventSchedule byMonthWeek without byDay names no day; ignored", "warning")
        )
        weeks = []
    if args is None:  # no repetition at all: the schedule is one date
        starts = [dtstart] if first and low <= dtstart <= high else []
    else:
        if count is None:
            dtstart, args = fast_forward(dtstart, low, args)
        # dateutil deprecates count together with until: count in the rule, until here.
        # byMonthWeek filters the rule's dates, so then repeatCount is counted here.
        in_rule = count if not weeks else None
        rule = rrule(dtstart=dtstart, until=None if in_rule else until, count=in_rule, **args)
        starts = []
        taken = 0
        for steps, start in enumerate(rule, 1):
            if start > high or (until is not None and start > until):
                break
            if steps > MAX_STEPS or len(starts) >= MAX_OCCURRENCES:
                notes.append(Note("schedule stopped early: too many occurrences", "warning"))
                break
            if weeks and not in_month_weeks(start.date(), weeks):
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


def needs_zone(value: Any) -> bool:
    """Whether a Schedule (or any in a list) has clock times but names no zone or offset."""
    for schedule in value if isinstance(value, list) else [value]:
        if not isinstance(schedule, dict) or scalar(schedule.get("scheduleTimezone")):
            continue
        clock = scalar(schedule.get("startTime"))
        if clock:
            try:
                if parse_clock(clock)[1] is None:
                    return True
            except ValueError:
                pass
        first = scalar(schedule.get("startDate"))
        if not clock and first and is_floating(first):
            return True
    return False


def _schedule_bound(schedule: dict[str, Any], key: str, tz: tzinfo) -> datetime | date | None:
    text = scalar(schedule.get(key))
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
    text = scalar(schedule.get("startTime"))
    if text:
        try:
            start, zone = parse_clock(text)
        except ValueError:
            start = None
    if start is None and isinstance(first, datetime):
        start = first.astimezone(tz).time().replace(tzinfo=None)
    text = scalar(schedule.get("endTime"))
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
        text = scalar(item)
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
    text = scalar(value)
    return parse_duration(text) if text else None


def _count(value: Any) -> int | None:
    try:
        number = int(str(scalar(value) or "").strip())
    except ValueError:
        return None
    return number if number > 0 else None


def _sort_key(occurrence: Occurrence) -> tuple[str, str]:
    start = occurrence.start
    if isinstance(start, datetime):
        return start.astimezone(AMSTERDAM).isoformat(), ""
    return start.isoformat(), "0"


def schedule_fingerprint(value: Any) -> str:
    """A stable text of a schedule, to tell apart events that share a name but not a schedule."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
