"""HTTP routes for the feeds: ``/feeds/{name}`` and the single-event calendar download.

``agenda.ics|rss|atom|json`` is the whole region; named slices narrow it
(``leiden.ics``, ``den-haag.rss``, ``theme-rembrandt-2019.ics``, ``venue-lakenhal.ics``,
``source-lakenhal.ics``), and every filter of the shared model works as a query parameter.
Rendered feeds are cached per data generation and day, and answered with strong ETags.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import anyio
import msgspec
from litestar import Request, Response, get
from litestar.params import FromPath

from agenda.errors import InvalidFilterError, NotFoundError
from agenda.filters import parse_filters
from agenda.normalize import slugify
from agenda.store import query
from agenda.store.query import list_events
from agenda.timeutil import AMSTERDAM
from agenda.web.http import Cached, cached_response
from agenda.web.runtime import Runtime
from feeds.formats import MEDIA_TYPES, feed_options, render_format

EXTENSIONS = {"ics": "ics", "rss": "rss", "atom": "atom", "json": "jsonfeed"}
CITY_SLICES = {"den-haag": "Den Haag", "leiden": "Leiden", "delft": "Delft"}
PREFIXES = ("theme", "venue", "source")
EXHIBITIONS = ("span", "daily", "exclude")


def slice_params(base: str) -> dict[str, str]:
    """The filters a feed's name stands for; unknown names are a 404."""
    if base == "agenda":
        return {}
    if base in CITY_SLICES:
        return {"city": CITY_SLICES[base]}
    prefix, _, rest = base.partition("-")
    if prefix in PREFIXES and rest and slugify(rest) == rest:
        return {prefix: rest}
    raise NotFoundError(f"no feed named {base!r}")


def _runtime(request: Request[Any, Any, Any]) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


@get("/feeds/{name:str}", include_in_schema=True, summary="A subscribable feed")
async def feed(request: Request[Any, Any, Any], name: FromPath[str]) -> Response[bytes]:
    """``agenda.ics``, ``leiden.rss``, ``theme-….atom``, ``venue-….json`` with filters."""
    runtime = _runtime(request)
    now = runtime.clock()
    today = now.astimezone(AMSTERDAM).date()
    # The fast path: the same address, data and day as an answer already rendered.
    fast_key = ("feed", name, request.scope["query_string"], runtime.generation(), today)
    entry = runtime.cache.feeds.peek(fast_key)
    if entry is None:
        entry = await _render_feed(request, runtime, name, now, fast_key)
    return cached_response(request, entry, max_age=runtime.settings.feed_max_age)


async def _render_feed(
    request: Request[Any, Any, Any],
    runtime: Runtime,
    name: str,
    now: datetime,
    key: tuple[Any, ...],
) -> Cached:
    base, dot, extension = name.rpartition(".")
    if not dot or extension not in EXTENSIONS:
        raise NotFoundError(f"no feed named {name!r}; use .ics, .rss, .atom or .json")
    fmt = EXTENSIONS[extension]
    params = {k: v for k, v in request.query_params.items()}
    exhibitions = params.pop("exhibitions", "span")
    if exhibitions not in EXHIBITIONS:
        raise InvalidFilterError("exhibitions", f"{exhibitions!r} is not span, daily or exclude")
    sliced = slice_params(base)
    venue = sliced.get("venue")
    if venue is not None and not query.is_public_venue(runtime.stores.get(), venue):
        raise NotFoundError(f"no feed named {name!r}")
    for field, value in sliced.items():
        if params.get(field, value) != value:
            raise InvalidFilterError(field, f"the feed {name} already selects {field}={value}")
        params[field] = value
    filters = parse_filters(params, now.astimezone(AMSTERDAM).date())
    lang = filters.lang or "nl"
    options = feed_options(runtime.settings.base_url, fmt, now, lang, exhibitions, name=base)

    def render() -> tuple[bytes, datetime | None]:
        store = runtime.stores.get()
        events = list_events(store, filters)
        updated = [e.updated for e in events if e.updated is not None]
        with_pictures = msgspec.structs.replace(options, pictures=query.pictures(store, events))
        return render_format(fmt, events, with_pictures), max(updated, default=None)

    return await anyio.to_thread.run_sync(
        lambda: runtime.cache.feeds.get_or_render(key, render, MEDIA_TYPES[fmt])
    )


@get("/feeds/event/{name:str}", summary="One event as an iCalendar file")
async def event_ics(request: Request[Any, Any, Any], name: FromPath[str]) -> Response[bytes]:
    """``/feeds/event/{id}.ics``: the "add to calendar" download for one event."""
    from feeds.ical import render_event_ics

    runtime = _runtime(request)
    event_id, dot, extension = name.rpartition(".")
    if not dot or extension != "ics":
        raise NotFoundError(f"no calendar file named {name!r}")
    store = runtime.stores.get()
    key = ("event", event_id, runtime.generation())
    # One file per event, like the event pages: cached beside them, so a crawl of these
    # downloads never evicts the subscribed feeds.
    entry = runtime.cache.pages.peek(key)
    if entry is None:
        event = query.get_event(store, event_id)
        if event.id != event_id or query.merged_into(store, event_id):
            raise NotFoundError(f"event {event_id!r} was merged into another")
        options = feed_options(runtime.settings.base_url, "ics", runtime.clock(), name="event")

        def render() -> tuple[bytes, datetime | None]:
            return render_event_ics(event, options), event.updated

        entry = runtime.cache.pages.get_or_render(key, render, MEDIA_TYPES["ics"])
    response = cached_response(request, entry, max_age=runtime.settings.feed_max_age)
    response.headers["Content-Disposition"] = f'attachment; filename="{event_id}.ics"'
    return response


ROUTES = [feed, event_ics]
