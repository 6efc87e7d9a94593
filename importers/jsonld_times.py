"""schema.org time values for the JSON-LD importer: dates, date-times, clock times, durations.

Owns reading ``startDate``-style values as real producers write them (date-only,
no seconds, ``+0100`` offsets without a colon, ``Z``, long fractions, ``T24:00``, Dutch
``24-01-2027``, no zone at all = the caller's zone, Europe/Amsterdam by default),
``startTime``-style clock times, ISO 8601 durations (``PT90M``, ``P1W``), and an
event's start/end span. Pure functions: no I/O; expanding an ``eventSchedule`` is
``importers.jsonld_schedule``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Any, NamedTuple

from dateutil.relativedelta import relativedelta  # type: ignore[import-untyped]

from importers.clean import AMSTERDAM

_DURATION = re.compile(
    r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
    r"(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)S)?)?",
    re.IGNORECASE,
)
_DMY = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")
_SPACE_BEFORE_ZONE = re.compile(r"\s+(?=[+-]\d{2}:?\d{2}$|Z$)")
_PLUS_ONE = timezone(timedelta(hours=1))


class Duration(NamedTuple):
    """An ISO 8601 duration split into calendar months and an exact remainder."""

    months: int
    delta: timedelta

    def add_to(self, value: datetime) -> datetime:
        later: datetime = value + relativedelta(months=self.months) + self.delta
        return later


def parse_when(value: str, tz: tzinfo = AMSTERDAM) -> datetime | date:
    """A schema.org Date or DateTime; a DateTime without zone is wall-clock time in ``tz``.

    Raises ValueError for text that is neither.
    """
    text = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}|\d{8}", text):
        return date.fromisoformat(text)
    dmy = _DMY.fullmatch(text)
    if dmy:  # "24-01-2027": not schema.org, but Dutch CMSs write it
        return date(int(dmy.group(3)), int(dmy.group(2)), int(dmy.group(1)))
    text = _SPACE_BEFORE_ZONE.sub("", text)
    if len(text) > 10 and text[10] in "tT ":
        text = f"{text[:10]}T{text[11:]}"
    text = re.sub(r"z$", "Z", text)
    # Python wants at most 6 fraction digits; .NET writes 7.
    text = re.sub(r"(\.\d{6})\d+", r"\1", text)
    next_day = False
    if re.match(r"\d{4}-\d{2}-\d{2}T24:00(:00)?", text):
        text, next_day = text.replace("T24:00", "T00:00", 1), True
    if "T" not in text:
        raise ValueError(f"not a date or date-time: {value!r}")
    parsed = datetime.fromisoformat(text)
    if next_day:
        parsed += timedelta(days=1)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=tz)


def is_floating(value: str) -> bool:
    """Whether ``value`` is a readable date-time without zone or offset (a date is not)."""
    try:
        return parse_when(value, UTC) != parse_when(value, _PLUS_ONE)
    except ValueError:
        return False


def parse_clock(value: str) -> tuple[time, tzinfo | None]:
    """``"19:00"``, ``"19:00:00"``, ``"T19:00:00+01:00"`` -> (wall-clock time, offset or None)."""
    text = _SPACE_BEFORE_ZONE.sub("", value.strip()).lstrip("Tt")
    text = re.sub(r"[zZ]$", "+00:00", text)
    parsed = time.fromisoformat(re.sub(r"(\.\d{6})\d+", r"\1", text))
    return parsed.replace(tzinfo=None), parsed.tzinfo


def parse_duration(value: str) -> Duration | None:
    """An ISO 8601 duration such as ``PT90M``, ``P1W``, ``P1DT2H``; None when unreadable."""
    match = _DURATION.fullmatch(value.strip())
    if not match or not any(match.groups()):
        return None
    years, months, weeks, days, hours, minutes, seconds = (
        float((g or "0").replace(",", ".")) for g in match.groups()
    )
    delta = timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)
    return Duration(int(years) * 12 + int(months), delta)


def event_span(
    start: datetime | date, raw_end: str | None, raw_duration: str | None, tz: tzinfo
) -> tuple[dict[str, Any], str | None]:
    """Listing start/end fields from a parsed start, ``endDate`` and ``duration`` texts.

    Also a warning when the end is unreadable or before the start (it is then dropped).
    A timed start keeps its time whatever the end looks like: a date-only end after the
    start's day ends at the midnight after it, in the start's zone (a festival from
    10:30 on the 11th "until the 13th" covers all of the 13th); on the start's own day
    it adds nothing. ``duration`` counts only without an ``endDate``.
    """
    end: datetime | date | None = None
    if raw_end:
        try:
            end = parse_when(raw_end, tz)
        except ValueError:
            return _without_end(start), f"endDate {raw_end!r} is not a date; ignored"
    elif isinstance(start, datetime):
        duration = parse_duration(raw_duration or "")
        end = duration.add_to(start) if duration else None
    backwards = "endDate is before startDate; ignored"
    if isinstance(start, datetime):
        if isinstance(end, datetime):
            return (
                ({"start": start}, backwards)
                if end < start
                else ({"start": start, "end": end}, None)
            )
        if end is not None and end > start.date():
            last = datetime.combine(end + timedelta(days=1), time(0, 0), start.tzinfo)
            return {"start": start, "end": last}, None
        return {"start": start}, None
    end_day = end.date() if isinstance(end, datetime) else end
    if end_day is not None and end_day < start:
        return {"start_date": start, "end_date": None}, backwards
    return {"start_date": start, "end_date": end_day}, None


def _without_end(start: datetime | date) -> dict[str, Any]:
    return (
        {"start": start} if isinstance(start, datetime) else {"start_date": start, "end_date": None}
    )
