"""Pieces shared by the readers of The Events Calendar's two REST APIs (``importers.tribe``).

Owns converting a list of events with one converter per API shape into listings and
per-event Problems (``collect_events``; a bad event is a ``Skip``, never an exception
out of the page), and the small readers both shapes need: ids that are real ids, TEC's
local date-time strings, truthy flags, all-day spans, names from object lists, the
event-status field. Pure functions: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from agenda.model import Listing, Problem, SourceConfig, Status
from agenda.sanitize import clean_text
from importers.base import ParseResult


class Skip(Exception):
    """One event that cannot be imported: becomes a Problem on ``field``."""

    def __init__(self, field: str, message: str, ident: str | None, warning: bool = False) -> None:
        super().__init__(message)
        self.field, self.ident, self.warning = field, ident, warning


Convert = Callable[[dict[str, Any], SourceConfig, str | None, set[str]], Listing]


def collect_events(
    source: SourceConfig, events: list[Any], convert: Convert, base: str | None
) -> ParseResult:
    """Convert each event; a bad one becomes a Problem and the rest still import."""
    listings: list[Listing] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, event in enumerate(events, start=1):
        if not isinstance(event, dict):
            problems.append(Problem(source_id=source.id, message=f"event {index} is not an object"))
            continue
        try:
            listing = convert(event, source, base, seen)
        except Skip as skip:
            problems.append(
                Problem(
                    source_id=source.id,
                    external_id=skip.ident,
                    field=skip.field,
                    message=f"event {index}: {skip}",
                    severity="warning" if skip.warning else "error",
                )
            )
            continue
        except (TypeError, ValueError, AttributeError, KeyError, OverflowError) as exc:
            ident = clean_text(event.get("id") or event.get("uid")) or None
            problems.append(
                Problem(source_id=source.id, external_id=ident, message=f"event {index}: {exc}")
            )
            continue
        seen.add(listing.external_id)
        listings.append(listing)
    return ParseResult(listings=tuple(listings), problems=tuple(problems))


def usable_id(value: object) -> str | None:
    """An id as text; snapshot placeholders such as ``{EVENT_ID}`` are not ids."""
    if isinstance(value, bool) or value is None:
        return None
    text = str(value).strip()
    return None if not text or "{" in text else text


def naive(value: object) -> datetime | None:
    text = clean_text(value)
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def truthy(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("yes", "true", "1", "ja", "on")
    return bool(value)


def all_day_span(start: datetime, end: datetime | None) -> tuple[date, date | None]:
    first = start.date()
    if end is None:
        return first, None
    last = end.date()
    # An all-day end written as the next midnight is exclusive; the model's is inclusive.
    if end.time() == datetime.min.time() and last > first:
        last -= timedelta(days=1)
    return first, (last if last >= first else None)


def aware(naive: datetime | None, given: tzinfo, shown: tzinfo) -> datetime | None:
    """``naive`` read in zone ``given``, expressed in zone ``shown`` (same instant)."""
    if naive is None:
        return None
    if naive.tzinfo is not None:
        return naive.astimezone(shown)
    return naive.replace(tzinfo=given).astimezone(shown)


def event_times(
    event: dict[str, Any],
    local: tuple[datetime | None, datetime | None],
    utc: tuple[datetime | None, datetime | None],
    zone: tzinfo,
    ident: str | None,
) -> dict[str, Any]:
    """start/end (or start_date/end_date for all-day) from an event's local and UTC times.

    The UTC fields carry the instant exactly; local wall time is the fallback. Both APIs
    of The Events Calendar give the same pairs under slightly different names.
    """
    (local_start, local_end), (utc_start, utc_end) = local, utc
    times: dict[str, Any] = {}
    if truthy(event.get("all_day")):
        first = local_start or aware(utc_start, UTC, zone)
        if first is None:
            raise Skip("start_date", "no start; skipped", ident)
        times["start_date"], times["end_date"] = all_day_span(first, local_end)
        return times
    start = aware(utc_start, UTC, zone) or aware(local_start, zone, zone)
    if start is None:
        raise Skip("start_date", f"no readable start {event.get('start_date')!r}", ident)
    end = aware(utc_end, UTC, zone) or aware(local_end, zone, zone)
    times["start"], times["end"] = start, (end if end is not None and end > start else None)
    return times


def first_object(value: object) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, list):
        return next((v for v in value if isinstance(v, dict)), {})
    return {}


def names(value: object, key: str) -> list[str]:
    """Names from a list of objects (or one object, or plain strings); ``[]`` gives none."""
    items = value if isinstance(value, list) else [value] if value else []
    names = []
    for item in items:
        name = clean_text(item.get(key) or item.get("name")) if isinstance(item, dict) else ""
        name = name or (clean_text(item) if isinstance(item, str) else "")
        if name:
            names.append(name)
    return names


def event_status(value: object) -> Status | None:
    """TEC's optional event-status field (``canceled`` / ``postponed``)."""
    text = clean_text(value).lower()
    if text in ("canceled", "cancelled"):
        return "cancelled"
    if text == "postponed":
        return "postponed"
    return None
