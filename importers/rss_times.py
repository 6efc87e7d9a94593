"""Event times of the ``rss``/``atom`` importer: raw time text -> starts and ends.

Owns parsing the time notations feeds use (ISO 8601 basic or extended with any fraction
and offset, RFC 822, xCal ``tzid``s with vendor prefixes), reading an h-event/hCalendar
microformat inside an item's HTML, choosing the first kind of event element with a
readable start (``ev:``, xCal, bare ``<start>``, ``gd:when``, microformat) and turning a
start/end pair into Listing time fields. Pure functions: no I/O, no Listing construction.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from selectolax.lexbor import LexborHTMLParser

from agenda.sanitize import clean_text
from importers.clean import AMSTERDAM, localize

_ISO = re.compile(
    r"(\d{4})-?(\d{2})-?(\d{2})"
    r"(?:[T ](\d{2}):?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?",
    re.I,
)

When = tuple[datetime | date, datetime | date | None]


def microformat(html_text: str) -> dict[str, str]:
    """Start, end, location and description of an h-event/hCalendar vevent in HTML."""
    if "dtstart" not in html_text and "dt-start" not in html_text:
        return {}
    tree = LexborHTMLParser(html_text)
    found: dict[str, str] = {}
    for role, selector in (("start", ".dtstart, .dt-start"), ("end", ".dtend, .dt-end")):
        if node := tree.css_first(selector):
            attrs = node.attributes  # <time datetime>, <abbr title>, <data value>, else text
            value = attrs.get("datetime") or attrs.get("title") or attrs.get("value")
            found[role] = value or node.text(separator=" ")
    if node := tree.css_first(".p-location, .location"):
        found["location"] = clean_text(node.text(separator=" "))
    if node := tree.css_first(".p-description, .e-content, .description"):
        found["description"] = node.inner_html or ""
    return found


def parse_time(value: str, tzid: str | None = None) -> datetime | date | None:
    """ISO 8601 (basic or extended, any fraction, any offset) or RFC 822.

    A date is all-day; a time without offset is wall-clock time in ``tzid`` (Amsterdam);
    a time with an offset keeps its instant.
    """
    match = _ISO.fullmatch(value.strip())
    if match is None:
        return _parse_rfc822(value.strip())
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))  # .NET writes 7 digits
    try:
        tz: tzinfo = _zone(tzid)
        if offset and offset.upper() == "Z":
            tz = UTC
        elif offset:
            digits = offset[1:].replace(":", "").ljust(4, "0")
            delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4]))
            tz = timezone(-delta if offset[0] == "-" else delta)  # ValueError past 24 h
        if hour is None:
            return date(int(year), int(month), int(day))
        next_day = hour == "24" and minute == "00"  # "T24:00" is the end of the day
        fields = (int(year), int(month), int(day), 0 if next_day else int(hour), int(minute))
        moment = datetime(*fields, int(second or 0), micro, tzinfo=tz)
        return moment + timedelta(days=1) if next_day else moment
    except ValueError:
        return None


def _zone(tzid: str | None) -> ZoneInfo:
    """An xCal tzid as a zone, vendor prefixes (``/citadel.org/…/Europe/Amsterdam``) too."""
    parts = [p for p in (tzid or "").strip().split("/") if p]
    for i in range(len(parts)):
        try:
            return ZoneInfo("/".join(parts[i:]))
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Europe" is a folder
            continue
    return AMSTERDAM


def _parse_rfc822(value: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        # "-0000" is UTC with no known local zone; an unknown zone name (CET) is ours.
        return parsed.replace(tzinfo=UTC) if value.endswith("-0000") else localize(parsed)
    return parsed


def event_whens(
    raw: Mapping[str, str], gd_whens: list[tuple[str, str]], micro: Mapping[str, str]
) -> tuple[list[When], str | None]:
    """(start, end) pairs from the first kind of element that has a readable start.

    Also returns the text of a start that was present but unreadable. xCal and gd:when
    follow iCalendar, whose all-day end date is exclusive; the others are inclusive.
    """
    get = raw.get
    candidates: list[tuple[list[tuple[str, str]], str | None, bool]] = [
        ([(get("ev:startdate", ""), get("ev:enddate", ""))], None, False),
        ([(get("xcal:dtstart", ""), get("xcal:dtend", ""))], get("xcal:tzid"), True),
        ([(get("plain:start", ""), get("plain:end", ""))], None, False),
        (gd_whens, None, True),
        ([(micro.get("start", ""), micro.get("end", ""))], None, False),
    ]
    unreadable = None
    for pairs, tzid, exclusive in candidates:
        whens: list[When] = []
        for start_text, end_text in pairs:
            start = parse_time(start_text, tzid) if start_text else None
            if start is None:
                unreadable = unreadable or start_text or None
                continue
            end = parse_time(end_text, tzid) if end_text else None
            if exclusive and type(end) is date and type(start) is date and end > start:
                end -= timedelta(days=1)
            whens.append((start, end))
        if whens:
            return whens, None
    return [], unreadable


def time_fields(start: datetime | date, end: datetime | date | None) -> dict[str, Any] | None:
    """Listing time fields (all-day ``end_date`` inclusive); None when the end is before start."""
    if isinstance(start, datetime):
        timed_end = end if isinstance(end, datetime) else None
        if timed_end is not None and timed_end < start:
            return None
        return {"start": start, "end": timed_end}
    end_day = end.date() if isinstance(end, datetime) else end
    if end_day is not None and end_day < start:
        return None
    return {"start_date": start, "end_date": end_day}
