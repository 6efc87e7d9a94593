"""The JSON API under ``/api``: thin handlers over the query facade, cached with ETags.

Every list and detail answer carries a strong ETag and answers 304 to a match; an
event merged into another answers 301 with the surviving id.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import anyio
import msgspec
from litestar import Request, Response, get
from litestar.params import FromPath
from litestar.response import Redirect

from agenda.dedup.decisions import current_id
from agenda.errors import InvalidFilterError, NotFoundError
from agenda.filters import parse_filters, parse_moment
from agenda.model import Event as EventFull
from agenda.store import query
from agenda.store.query import count_events, decode_cursor, encode_cursor, list_events, list_page
from agenda.timeutil import AMSTERDAM, utc_iso
from agenda.vocabulary import label
from agenda.web.http import Cached, cached_response
from agenda.web.runtime import Runtime
from agenda.web.views import (
    EventDetail,
    EventOut,
    EventPage,
    event_detail,
    event_out,
)

PAGE = 50
MAX_PAGE = 500
API_MAX_AGE = 60


class VenueSummary(msgspec.Struct, frozen=True):
    id: str
    name: str
    city: str | None
    address: str | None
    postcode: str | None
    latitude: float | None
    longitude: float | None
    upcoming: int


class VenueDetail(msgspec.Struct, frozen=True):
    venue: VenueSummary
    events: list[EventOut]


class Category(msgspec.Struct, frozen=True):
    """A canonical category (``agenda/data/vocabulary.toml``) with both labels."""

    id: str
    nl: str
    en: str
    count: int


class ThemeOut(msgspec.Struct, frozen=True):
    id: str
    name_nl: str
    name_en: str
    description_nl: str
    description_en: str
    start: str
    end: str
    owner: str
    events: int


class RunPoint(msgspec.Struct, frozen=True):
    at: str
    outcome: str
    listings: int


class SourceHealth(msgspec.Struct, frozen=True):
    id: str
    name: str
    format: str
    kind: str
    city: str | None
    listings: int
    last_import: str | None
    last_outcome: str | None
    last_success: str | None
    last_message: str
    last_counts: dict[str, int]
    problems: int
    next_run: str | None
    recent: list[RunPoint]


class Change(msgspec.Struct, frozen=True):
    id: str
    change: str  # created, changed, cancelled, merged
    at: str
    replaced_by: str | None = None
    event: EventOut | None = None


class ChangePage(msgspec.Struct, frozen=True):
    changes: list[Change]
    next: str | None


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _runtime(request: Request[Any, Any, Any]) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _key(request: Request[Any, Any, Any], runtime: Runtime) -> tuple[Any, ...]:
    today = runtime.clock().astimezone(AMSTERDAM).date()
    return (request.scope["path"], request.scope["query_string"], runtime.generation(), today)


async def _answer(
    request: Request[Any, Any, Any],
    build: Callable[[], Any],
    key: tuple[Any, ...] | None = None,
) -> Response[bytes]:
    """Serve ``build()`` as JSON through the response cache (ETag, 304, gzip)."""
    runtime = _runtime(request)
    key = key or _key(request, runtime)
    entry: Cached | None = runtime.cache.api.peek(key)
    if entry is None:

        def render() -> tuple[bytes, datetime | None]:
            return msgspec.json.encode(build()), None

        entry = await anyio.to_thread.run_sync(
            lambda: runtime.cache.api.get_or_render(key, render, "application/json")
        )
    return cached_response(request, entry, max_age=API_MAX_AGE)


@get("/api/events", summary="Events, filtered, sorted by start, a page at a time")
async def events(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Filters as in the README; ``limit`` is the page size (default 50, at most 500);
    ``cursor`` continues where the previous page's ``next`` left off."""
    runtime = _runtime(request)
    key = _key(request, runtime)
    entry = runtime.cache.api.peek(key)
    if entry is None:
        params = {k: v for k, v in request.query_params.items()}
        cursor = params.pop("cursor", None)
        filters = parse_filters(params, runtime.clock().astimezone(AMSTERDAM).date())
        if cursor:
            decode_cursor(cursor)
        size = min(filters.limit or PAGE, MAX_PAGE)
        lang = filters.lang

        def build() -> EventPage:
            store = runtime.stores.get()
            page, following = list_page(store, filters, cursor, size)
            pictures = query.pictures(store, page)
            base = runtime.settings.base_url
            return EventPage(
                events=[event_out(e, lang, pictures, base) for e in page], next=following
            )

        return await _answer(request, build, key)
    return cached_response(request, entry, max_age=API_MAX_AGE)


@get("/api/events/{event_id:str}", summary="One event with every listing and provenance")
async def event(
    request: Request[Any, Any, Any], event_id: FromPath[str]
) -> Response[bytes] | Redirect:
    runtime = _runtime(request)
    key = _key(request, runtime)
    if runtime.cache.api.peek(key) is None:
        store = runtime.stores.get()
        survivor = current_id(store, event_id)
        if survivor != event_id:
            return Redirect(path=f"/api/events/{survivor}", status_code=301)

    def build() -> EventDetail:
        store = runtime.stores.get()
        found = query.get_event(store, event_id)
        listings = query.event_listings(store, [event_id], runtime.clock())
        return event_detail(found, listings.get(event_id, []))

    return await _answer(request, build, key)


def _venues(runtime: Runtime) -> list[VenueSummary]:
    today = runtime.clock().astimezone(AMSTERDAM).date()
    rows = query.venues(runtime.stores.get(), today)
    return [
        VenueSummary(
            id=r["id"], name=r["name"], city=r["city"], address=r["address"],
            postcode=r["postcode"], latitude=r["latitude"], longitude=r["longitude"],
            upcoming=r["upcoming"],
        )
        for r in rows
    ]  # fmt: skip


@get("/api/venues", summary="Venues with their number of upcoming events")
async def venues(request: Request[Any, Any, Any]) -> Response[bytes]:
    runtime = _runtime(request)
    return await _answer(request, lambda: _venues(runtime))


@get("/api/venues/{venue_id:str}", summary="One venue and its upcoming events")
async def venue(request: Request[Any, Any, Any], venue_id: FromPath[str]) -> Response[bytes]:
    runtime = _runtime(request)
    found = [v for v in _venues(runtime) if v.id == venue_id]
    if not found:
        raise NotFoundError(f"no venue {venue_id!r}")

    def build() -> VenueDetail:
        filters = parse_filters({"venue": venue_id}, runtime.clock().astimezone(AMSTERDAM).date())
        listed = list_events(runtime.stores.get(), filters)
        return VenueDetail(venue=found[0], events=[event_out(e) for e in listed])

    return await _answer(request, build)


@get("/api/categories", summary="Categories of upcoming events with counts")
async def categories(request: Request[Any, Any, Any]) -> Response[bytes]:
    runtime = _runtime(request)

    def build() -> list[Category]:
        today = runtime.clock().astimezone(AMSTERDAM).date()
        rows = query.categories(runtime.stores.get(), today)
        return [
            Category(id=c, nl=label(c, "nl"), en=label(c, "en"), count=count) for c, count in rows
        ]

    return await _answer(request, build)


@get("/api/themes", summary="Themed years, festivals and campaigns")
async def themes(request: Request[Any, Any, Any]) -> Response[bytes]:
    runtime = _runtime(request)

    def build() -> list[ThemeOut]:
        store = runtime.stores.get()
        today = runtime.clock().astimezone(AMSTERDAM).date()
        out = []
        for theme in query.themes(store):
            filters = parse_filters({"theme": theme.id, "from": theme.start.isoformat(),
                                     "to": max(theme.end, today).isoformat()}, today)  # fmt: skip
            out.append(
                ThemeOut(
                    id=theme.id,
                    name_nl=theme.name_nl,
                    name_en=theme.name_en,
                    description_nl=theme.description_nl,
                    description_en=theme.description_en,
                    start=theme.start.isoformat(),
                    end=theme.end.isoformat(),
                    owner=theme.owner,
                    events=count_events(store, filters),
                )
            )
        return out

    return await _answer(request, build)


@get("/api/sources", summary="Every source with its last import")
async def sources(request: Request[Any, Any, Any]) -> Response[bytes]:
    runtime = _runtime(request)

    def build() -> list[SourceHealth]:
        store = runtime.stores.get()
        recent = query.recent_runs(store)
        due = runtime.scheduler.next_runs() if runtime.scheduler is not None else {}
        return [
            SourceHealth(
                id=r["id"], name=r["name"], format=r["format"], kind=r["kind"], city=r["city"],
                listings=r["active"], last_import=r["finished"], last_outcome=r["outcome"],
                last_success=r["last_success"], last_message=r["message"] or "",
                last_counts={k: r[k] or 0 for k in ("new", "updated", "unchanged", "withdrawn")},
                problems=r["problems"] or 0,
                next_run=_iso(due.get(r["id"])),
                recent=[RunPoint(*point) for point in recent.get(r["id"], [])],
            )
            for r in query.source_health(store)
        ]  # fmt: skip

    return await _answer(request, build)


@get("/api/changes", summary="Events created, changed, cancelled or merged since a moment")
async def changes(request: Request[Any, Any, Any]) -> Response[bytes]:
    """``since`` is an ISO 8601 moment with an offset; ``cursor`` continues a long list."""
    runtime = _runtime(request)
    since_text = request.query_params.get("since")
    if not since_text:
        raise InvalidFilterError(
            "since", "is required (an ISO 8601 moment, e.g. 2027-01-01T00:00Z)"
        )
    try:
        since = parse_moment(since_text)
    except ValueError as exc:
        reason = str(exc) if "between" in str(exc) else f"{since_text!r} is not an ISO 8601 moment"
        raise InvalidFilterError("since", reason) from None
    if since.tzinfo is None:
        raise InvalidFilterError("since", "needs an offset or Z")
    cursor = request.query_params.get("cursor")
    after = decode_cursor(cursor) if cursor else None

    def build() -> ChangePage:
        rows = query.changes(runtime.stores.get(), utc_iso(since), after, MAX_PAGE + 1)
        page = rows[:MAX_PAGE]
        out = []
        for event_id, created, updated, replaced_by, data in page:
            found = msgspec.json.decode(data, type=EventFull)
            if replaced_by:
                out.append(
                    Change(id=event_id, change="merged", at=updated, replaced_by=replaced_by)
                )
                continue
            kind = "created" if created > utc_iso(since) else "changed"
            if found.withdrawn or found.status == "cancelled":
                kind = "cancelled"
            out.append(Change(id=event_id, change=kind, at=updated, event=event_out(found)))
        following = encode_cursor(page[-1][2], page[-1][0]) if len(rows) > MAX_PAGE else None
        return ChangePage(changes=out, next=following)

    return await _answer(request, build)


ROUTES = [events, event, venues, venue, categories, themes, sources, changes]
