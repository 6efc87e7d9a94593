"""The read facade: filters in, events out. Renderers and the web layer read through here."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from agenda.filters import EventFilter, parse_day
from agenda.model import Event
from agenda.store import Store
from agenda.timeutil import day_start, utc_iso

__all__ = ["EventFilter", "count_events", "list_events", "parse_day"]
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


def list_events(store: Store, filters: EventFilter) -> list[Event]:
    """Events matching ``filters``, sorted by start; merged-away events are not listed."""
    where, params = where_clause(filters)
    return store.query_events(where, params, limit=filters.limit)


def count_events(store: Store, filters: EventFilter) -> int:
    where, params = where_clause(filters)
    return store.count_where(where, params)
