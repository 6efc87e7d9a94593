"""The read facade: filters in, events out. Renderers and the web layer read through here."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from agenda.errors import InvalidFilterError
from agenda.filters import EventFilter, parse_day
from agenda.model import Event, Listing, is_public
from agenda.pictures import StoredPicture
from agenda.store.base import SummaryRow
from agenda.store.database import Store
from agenda.themes import Theme
from agenda.timeutil import day_start, span_utc, utc_iso
from agenda.vocabulary import canonical, category_ids

__all__ = ["EventFilter", "count_events", "list_events", "list_page", "parse_day"]
_WORD = re.compile(r"\w+", re.UNICODE)


def fts_query(text: str) -> str | None:
    """User text as an FTS5 query: every word must appear (prefixes allowed); no syntax."""
    words = _WORD.findall(text)
    return " ".join(f'"{w}"*' for w in words[:12]) or None


def where_clause(filters: EventFilter, *, private: bool = False) -> tuple[str, list[Any]]:
    """SQL conditions and parameters for ``filters`` (values are always parameters).

    Public reads filter on the public face only (``data``): a hidden listing's source,
    category or language never makes a public event match.
    """
    doc = "coalesce(events.private_data, events.data)" if private else "events.data"
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
            f"EXISTS (SELECT 1 FROM json_each({doc}, '$.sources') s"
            " WHERE json_extract(s.value, '$.source') = ?)"
        )
        params.append(filters.source)
    for name, value in (("themes", filters.theme), ("audience", filters.audience)):
        if value:
            where.append(f"EXISTS (SELECT 1 FROM json_each({doc}, '$.{name}') WHERE value = ?)")
            params.append(value)
    if filters.category:  # a canonical id (agenda.vocabulary), as events carry them
        where.append(f"EXISTS (SELECT 1 FROM json_each({doc}, '$.categories') WHERE value = ?)")
        params.append(filters.category)
    # ``lang`` is only the language people read; ``language`` selects (``en``, ``en-GB``).
    if filters.language:
        where.append(
            f"(lower(json_extract({doc}, '$.language')) = ?"
            f" OR lower(json_extract({doc}, '$.language')) LIKE ?)"
        )
        params.extend([filters.language, f"{filters.language}-%"])
    if filters.free is not None:
        where.append(f"coalesce(json_extract({doc}, '$.is_free'), 0) = ?")
        params.append(1 if filters.free else 0)
    if filters.accessible is not None:
        where.append(f"coalesce(json_extract({doc}, '$.accessible'), 0) = ?")
        params.append(1 if filters.accessible else 0)
    if filters.kinds:
        marks = ",".join("?" * len(filters.kinds))
        where.append(f"json_extract({doc}, '$.kind') IN ({marks})")
        params.extend(filters.kinds)
    if filters.exclude_kinds:
        marks = ",".join("?" * len(filters.exclude_kinds))
        where.append(f"coalesce(json_extract({doc}, '$.kind'), '') NOT IN ({marks})")
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
    where, params = where_clause(filters, private=private)
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
    where, params = where_clause(filters, private=private)
    return store.query_events(where, params, limit=filters.limit, private=private)


def query_plan(store: Store, filters: EventFilter, limit: int | None = 21) -> list[str]:
    """How SQLite will read a public page of ``filters`` (EXPLAIN QUERY PLAN details)."""
    where, params = where_clause(filters)
    return store.query_plan(where, params, limit=limit)


def summaries(store: Store, filters: EventFilter) -> list[SummaryRow]:
    """The public events ``list_events`` gives, as summaries (nothing decoded), with their
    city and venue: what composing feeds and lists from stored pieces needs."""
    where, params = where_clause(filters)
    return store.summary_rows(where, params)


def events_by_id(store: Store, ids: Sequence[str]) -> dict[str, Event]:
    """The public events with these ids, by id (one read for many)."""
    return store.events_by_id(ids)


def count_events(store: Store, filters: EventFilter) -> int:
    where, params = where_clause(filters)
    return store.count_where(where, params)


# --- what the public pages and the API read besides event lists -----------------------------
# The web layer reads through these, never through the store's own methods, so what a
# public surface may show is decided here, once.


def get_event(store: Store, event_id: str) -> Event:
    """A public event by id (``NotFoundError`` for an id that is unknown or not public)."""
    return store.get_event(event_id)


def merged_into(store: Store, event_id: str) -> str | None:
    """The public event this public id was merged into, if it was."""
    return store.replaced_by(event_id)


def event_listings(
    store: Store, event_ids: Iterable[str], now: datetime, *, private: bool = False
) -> dict[str, list[tuple[Listing, str]]]:
    """Each event's member listings with their state; only public listings unless
    ``private`` (an embargoed listing inside a public event stays out of sight)."""
    members = store.members_of(event_ids)
    listings = store.listings(k for keys in members.values() for k in keys)
    return {
        event_id: [
            listings[k]
            for k in keys
            if k in listings and (private or is_public(listings[k][0], now))
        ]
        for event_id, keys in members.items()
    }


def venues(store: Store, today: date) -> list[dict[str, Any]]:
    """Venues public events name, with their number of upcoming events."""
    return store.venue_rows(utc_iso(day_start(today)))


def is_public_venue(store: Store, venue_id: str) -> bool:
    """Whether a public event names this venue (one learned from hidden listings is not)."""
    return store.venue_is_public(venue_id)


def categories(store: Store, today: date) -> list[tuple[str, int]]:
    """Canonical categories of upcoming public events with counts, in display order."""
    order = {c: i for i, c in enumerate(category_ids())}
    rows = store.category_counts(utc_iso(day_start(today)))
    return sorted(rows, key=lambda row: (order.get(row[0], len(order)), row[0]))


def unmapped_categories(store: Store) -> dict[str, list[tuple[str, int]]]:
    """Per source, the category words of its public listings that the vocabulary does not
    know, with how many listings use them (most first), for a coordinator to map.

    Read from the listings each time rather than stored, so a word added to
    ``agenda/data/vocabulary.toml`` leaves the list at once."""
    found: dict[str, list[tuple[str, int]]] = {}
    for source, word, count in store.category_words():
        if word.strip() and canonical(word) is None:
            found.setdefault(source, []).append((word, count))
    return found


def themes(store: Store) -> list[Theme]:
    return store.themes()


def theme_ids(store: Store) -> list[str]:
    """Themes that public events belong to."""
    return store.theme_ids()


def source_health(store: Store) -> list[dict[str, Any]]:
    """Every (non-partner) source with its latest run and listing counts."""
    return store.source_rows()


def source_trend(
    store: Store, source_ids: Iterable[str], runs: int, problems: int
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, list[dict[str, Any]]]]:
    """Per source its latest ``runs`` import runs and its latest run's first problems."""
    ids = list(source_ids)
    return (
        {s: store.source_runs(s, runs) for s in ids},
        {s: store.latest_problems(s, problems) for s in ids},
    )


def recent_runs(store: Store) -> dict[str, list[tuple[str, str, int]]]:
    return store.recent_runs()


def changes(
    store: Store, since: str, after: tuple[str, str] | None, limit: int
) -> list[tuple[str, str, str, str | None, str]]:
    """Public events changed after ``since`` (their public face only)."""
    return store.change_rows(since, after, limit)


def pictures(store: Store, events: Iterable[Event]) -> dict[str, StoredPicture]:
    """What the picture job recorded for these events' images (for ``agenda.pictures``)."""
    return store.pictures(e.image for e in events if e.image)


def stored_pictures(store: Store) -> dict[str, StoredPicture]:
    """Every picture the job stored, by source URL (for static publishing)."""
    return store.stored_pictures()


def generation(store: Store) -> int:
    return store.generation()
