"""The read facade: filters in, events out. Renderers and the web layer read through here."""

from __future__ import annotations

import base64
import re
from datetime import timedelta
from typing import Any

from agenda.errors import InvalidFilterError
from agenda.filters import EventFilter, parse_day
from agenda.model import Event
from agenda.store.database import Store
from agenda.timeutil import day_start, span_utc, utc_iso

__all__ = ["EventFilter", "count_events", "list_events", "list_page", "parse_day"]
_WORD = re.compile(r"\w+", re.UNICODE)


def fts_query(text: str) -> str | None:
    """User text as an FTS5 query: every word must appear (prefixes allowed); no syntax."""
    words = _WORD.findall(text)
    return " ".join(f'"{w}"*' for w in words[:12]) or None


def where_clause(filters: EventFilter) -> tuple[str, list[Any]]:
    """SQL conditions and parameters for ``filters`` (values are always parameters)."""
    where = ["1 = 1"]
    params: list[Any] = []
    if filters.from_date is not None:
        # An event that is still running on the first day counts (exhibitions).
        where.append("end_utc > ?")
        params.append(utc_iso(day_start(filters.from_date)))
    if filters.to_date is not None:
        where.append("start_utc < ?")
        params.append(utc_iso(day_start(filters.to_date + timedelta(days=1))))
    if filters.city:
        where.append("city = ?")
        params.append(filters.city)
    if filters.venue:
        where.append("venue_id = ?")
        params.append(filters.venue)
    if filters.source:
        where.append(
            "id IN (SELECT m.event_id FROM memberships m JOIN listings l"
            " ON l.key = m.listing_key WHERE l.source_id = ?)"
        )
        params.append(filters.source)
    for name, value in (("themes", filters.theme), ("audience", filters.audience)):
        if value:
            where.append(
                f"EXISTS (SELECT 1 FROM json_each(events.data, '$.{name}') WHERE value = ?)"
            )
            params.append(value)
    if filters.category:
        where.append(
            "EXISTS (SELECT 1 FROM json_each(events.data, '$.categories')"
            " WHERE lower(value) = lower(?))"
        )
        params.append(filters.category)
    if filters.lang:
        where.append("(json_extract(data, '$.titles.' || ?) IS NOT NULL)")
        params.append(filters.lang)
    if filters.free is not None:
        where.append("coalesce(json_extract(data, '$.is_free'), 0) = ?")
        params.append(1 if filters.free else 0)
    if filters.accessible is not None:
        where.append("coalesce(json_extract(data, '$.accessible'), 0) = ?")
        params.append(1 if filters.accessible else 0)
    if filters.kinds:
        where.append(f"json_extract(data, '$.kind') IN ({','.join('?' * len(filters.kinds))})")
        params.extend(filters.kinds)
    if filters.exclude_kinds:
        marks = ",".join("?" * len(filters.exclude_kinds))
        where.append(f"coalesce(json_extract(data, '$.kind'), '') NOT IN ({marks})")
        params.extend(filters.exclude_kinds)
    if filters.q:
        match = fts_query(filters.q)
        if match is None:
            where.append("0 = 1")
        else:
            where.append("rowid IN (SELECT rowid FROM events_fts WHERE events_fts MATCH ?)")
            params.append(match)
    return " AND ".join(where), params


def encode_cursor(*parts: str) -> str:
    return base64.urlsafe_b64encode("|".join(parts).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, param: str = "cursor") -> tuple[str, str]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        first, second = text.split("|", 1)
    except (ValueError, UnicodeDecodeError):
        raise InvalidFilterError(param, "is not a cursor this agenda gave out") from None
    return first, second


def list_page(
    store: Store, filters: EventFilter, cursor: str | None, size: int, *, private: bool = False
) -> tuple[list[Event], str | None]:
    """One page of events by start; ``next`` continues after the last one (stable cursor)."""
    where, params = where_clause(filters)
    if cursor:
        where += " AND (start_utc, id) > (?, ?)"
        params.extend(decode_cursor(cursor))
    limit = size if filters.limit is None else min(size, filters.limit)
    events = store.query_events(where, params, limit=limit + 1, private=private)
    if len(events) <= limit:
        return events, None
    page = events[:limit]
    last = page[-1]
    start_utc, _ = span_utc(last.start, last.start_date, last.end, last.end_date)
    return page, encode_cursor(start_utc, last.id)


def list_events(store: Store, filters: EventFilter, *, private: bool = False) -> list[Event]:
    """Events matching ``filters``, sorted by start; merged-away events are not listed.

    Only public events unless ``private`` (partners see embargoed and partner-only ones).
    """
    where, params = where_clause(filters)
    return store.query_events(where, params, limit=filters.limit, private=private)


def count_events(store: Store, filters: EventFilter) -> int:
    where, params = where_clause(filters)
    return store.count_where(where, params)
