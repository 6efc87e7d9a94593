"""Whose rules an in-file VTIMEZONE under an IANA name gets: the tz database's or its own.

Why: most calendars that carry a VTIMEZONE called ``Europe/Amsterdam`` carry a bad copy of
it. DAVx5, WordPress plugins and mail clients write only the STANDARD or only the DAYLIGHT
block, or blocks from 1970 without a rule; read literally, every summer (or winter) event
would be an hour off. The tz database knows that zone better, so by default the name wins.
But some producers (Apple iCal's 2003 "Earth Seasons" style) fully define rules of their
own under an IANA-looking name; then the file is the only evidence of the clock its author
meant, and silently reading tzdata instead moves events by an hour.

So the choice is made by evidence, per TZID, over the wall times the document reads in
that zone (``walls``: its events' starts and ends and a few dates of a series' window, one
a day except on tzdata's transition days; ``Zones`` picks them):

- the file's own rules are followed only when the VTIMEZONE *fully* defines them (a
  STANDARD and a DAYLIGHT block whose DTSTART, yearly RRULE or RDATE give an onset in
  every sampled year) *and* its UTC offset differs from tzdata's at a sampled wall time;
- otherwise tzdata is used, as before: offsets that agree everywhere, a truncated block
  (one kind missing, or no rule reaching the sampled years), a VTIMEZONE that icalendar
  cannot read or convert, no samples, or a check that ran out of its time budget.

A wall time that falls in tzdata's spring gap or autumn fold is no evidence either way.
Must not: use icalendar's process-wide zone cache (``to_tz(lookup_tzid=False)``), or spend
more than the caller's deadline (a hostile rule that never matches makes dateutil search
up to the year 9999, about 0.2 s; the deadline is checked between such calls).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import date, datetime, tzinfo
from datetime import time as clock
from typing import Any

from dateutil.rrule import rrulestr
from icalendar import Component, Timezone

_KINDS = ("STANDARD", "DAYLIGHT")


def own_rules(
    vtimezone: Timezone, tzdata: tzinfo, walls: Iterable[datetime], deadline: float
) -> tzinfo | None:
    """The VTIMEZONE as a tzinfo when its full rules differ from ``tzdata``; else None.

    None means: use tzdata. ``walls`` are naive local times read in this zone; ``deadline``
    is a ``time.monotonic()`` value after which the answer is None (no evidence).
    """
    samples = sorted(set(walls))
    if not samples or not _defines_every_year(vtimezone, {w.year for w in samples}, deadline):
        return None
    try:
        own = vtimezone.to_tz(lookup_tzid=False)
    except Exception:  # a hostile VTIMEZONE may fail anywhere in icalendar/dateutil
        return None
    for wall in samples:
        if time.monotonic() > deadline:
            return None
        expected = wall.replace(tzinfo=tzdata).utcoffset()
        if expected != wall.replace(tzinfo=tzdata, fold=1).utcoffset():
            continue  # in tzdata's gap or fold: no evidence either way
        try:
            found = wall.replace(tzinfo=own).utcoffset()
        except Exception:
            return None
        if found != expected:
            return own
    return None


def _defines_every_year(vtimezone: Timezone, years: set[int], deadline: float) -> bool:
    """Whether STANDARD and DAYLIGHT blocks both have an onset in every one of ``years``."""
    for kind in _KINDS:
        found: set[int] = set()
        for block in vtimezone.walk(kind):
            if time.monotonic() > deadline:
                return False
            found |= _onset_years(block, min(years), max(years))
        if not years <= found:
            return False
    return True


def _onset_years(block: Component, first: int, last: int) -> set[int]:
    """The years from ``first`` to ``last`` in which one STANDARD/DAYLIGHT block begins."""
    try:
        dtstart: Any = block["DTSTART"]
        start = _naive(dtstart.dt)
        onsets = [start]
        for rule in _as_list(block.get("RRULE")):
            if str(rule.get("FREQ", [""])[0]).upper() != "YEARLY":
                continue  # not a time zone rule; it covers nothing
            expansion = rrulestr(rule.to_ical().decode(), dtstart=start, ignoretz=True)
            low = datetime.combine(date(first, 1, 1), clock())
            high = datetime.combine(date(last, 12, 31), clock(23, 59, 59))
            onsets.extend(expansion.between(low, high, inc=True))
        for rdates in _as_list(block.get("RDATE")):
            for item in _as_list(rdates.dts):
                value = item.dt[0] if isinstance(item.dt, tuple) else item.dt  # a PERIOD
                if isinstance(value, date):
                    onsets.append(_naive(value))
    except Exception:  # an unreadable block defines nothing
        return set()
    return {onset.year for onset in onsets if first <= onset.year <= last}


def _naive(value: date) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return datetime.combine(value, clock())


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]
