"""The public pages: the agenda, events, venues, themes, subscribe and about (HTML, Jinja).

Handlers are thin: each one reads its input, builds a template context from the
query facade (pure helpers in ``agenda.web.page_data``) in a worker thread, and answers
through the response cache, so pages get strong ETags and 304s like the API.
Pages are Dutch unless ``?lang=en`` or Accept-Language asks for English (``agenda.web.i18n``).
A filter value that cannot be used shows the page again with a message (400); an
unknown id a translated 404 page. No inline scripts or styles: CSS and the small
progressive-enhancement script are files under ``/static``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import anyio
import msgspec
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from litestar import Request, Response, Router, get
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect
from litestar.template.config import TemplateConfig

from agenda.dedup.decisions import current_id
from agenda.errors import InvalidFilterError, NotFoundError
from agenda.filters import PARAMS, EventFilter, parse_filters
from agenda.model import Event, VenueRef
from agenda.normalize import slugify
from agenda.pictures import StoredPicture, picture_for
from agenda.store import query
from agenda.store.query import count_events, decode_cursor, list_events, list_page
from agenda.timeutil import AMSTERDAM
from agenda.web.assets import Asset, asset_response, load_assets
from agenda.web.discovery import ROUTES as DISCOVERY_ROUTES
from agenda.web.http import Cached, cached_response
from agenda.web.i18n import CITIES, city_name, labels, negotiate
from agenda.web.page_data import (
    VENUE_FIELDS,
    address_lines,
    agenda_view,
    calendar_links,
    canonical_form,
    dated_item,
    event_page,
    event_summary,
    feed_links,
    filter_choices,
    filter_error,
    map_url,
    month_groups,
    page_url,
    series_key,
    short_address,
    source_table,
    theme_info,
    theme_name,
)
from agenda.web.runtime import Runtime
from feeds.base import is_span
from feeds.formats import feed_options
from feeds.ical import google_calendar_event_url

HERE = Path(__file__).parent.parent  # the agenda package: templates/ and static/
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
PAGE_SIZE = 40
LISTED = 200  # events on a venue or theme page
SERIES_LOOKUP = 500  # occurrences read to show a series' whole run
PAGE_MAX_AGE = 60
HTML = "text/html"  # Litestar appends the charset
AGENDA_PARAMS = tuple(p for p in PARAMS if p not in ("lang", "limit", "accessible"))
SUBSCRIBE_PARAMS = ("city", "category", "theme", "audience", "kind", "feed_lang", "exhibitions")
EXHIBITION_MODES = ("span", "daily", "exclude")
PREVIEW = 5  # next events shown with the feed being built


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    """The Jinja environment of the pages (autoescaped; a missing variable is an error)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # Static addresses carry a content hash, so a changed file is never served stale.
    versions = {name: asset.version for name, asset in static_assets().items()}
    env.globals["static"] = lambda name: f"/static/{name}?v={versions.get(name, '0')}"
    return TemplateConfig(instance=JinjaTemplateEngine(engine_instance=env))


class Page:
    """One page request: the visitor's language, the query, the day, and how to render."""

    def __init__(self, request: Request[Any, Any, Any]) -> None:
        self.runtime: Runtime = request.app.state.runtime
        engine = request.app.template_engine
        assert isinstance(engine, JinjaTemplateEngine), "create_app sets template_config()"
        self.engine = engine
        self.now = self.runtime.clock()
        self.today = self.now.astimezone(AMSTERDAM).date()
        self.lang, self.explicit = negotiate(
            request.query_params.get("lang"), request.headers.get("accept-language")
        )
        self.path = request.url.path
        self.params = {k: v for k, v in request.query_params.items() if k != "lang"}
        self.t = labels(self.lang)

    @property
    def base_url(self) -> str:
        return self.runtime.settings.base_url.rstrip("/")

    def link(self, path: str, params: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> str:
        """An address on this site that keeps a language the visitor chose by hand."""
        items = list(params.items() if isinstance(params, Mapping) else params)
        if self.explicit:
            items.append(("lang", self.lang))
        return page_url(path, items)

    def absolute(self, path: str, lang: str) -> str:
        """This page's public address in ``lang`` (Dutch is the address without ``lang``)."""
        here = [(k, v) for k, v in self.params.items() if k != "cursor"]
        return self.base_url + page_url(path, [*here, *([("lang", "en")] if lang == "en" else [])])

    def render(self, template: str, **context: Any) -> bytes:
        other = "en" if self.lang == "nl" else "nl"
        here = list(self.params.items())
        base = {
            "t": self.t,
            "lang": self.lang,
            "locale": "en_GB" if self.lang == "en" else "nl_NL",
            "explicit_lang": self.explicit,
            "other_lang": other,
            "switch_url": page_url(self.path, [*here, ("lang", other)]),
            "alternates": [
                {"lang": code, "url": self.absolute(self.path, code)} for code in ("nl", "en")
            ],
            "x_default": self.absolute(self.path, "nl"),
            "canonical": self.absolute(self.path, self.lang),
            "description": self.t["agenda_intro"],
            "og_type": "website",
            # An absolute address of a picture for Open Graph (og:image), when there is one.
            "og_image": None,
            "noindex": self.path.startswith("/partners"),
            "link": self.link,
            "nav": "",
        }
        return self.engine.get_template(template).render({**base, **context}).encode()

    def choices(self, form: Mapping[str, str]) -> dict[str, list[tuple[str, str]]]:
        store = self.runtime.stores.get()
        names = [name for name, _ in query.categories(store, self.today)]
        theme_ids = query.theme_ids(store)
        choices = filter_choices(self.lang, form, names, theme_ids)
        known = {theme.id: theme for theme in query.themes(store)}
        # Themes by their name in the page's language (the value stays the id).
        choices["theme"] = [
            (value, theme_name(known.get(value), value, self.lang) if value in theme_ids else text)
            for value, text in choices["theme"]
        ]
        return choices


def first_picture(
    events: Iterable[Event], pictures: Mapping[str, StoredPicture], base_url: str
) -> str | None:
    """The absolute address of the first of these events' pictures (for og:image)."""
    for event in events:
        picture = picture_for(event, pictures, base_url)
        if picture is not None:
            return picture.src
    return None


Built = tuple[int, bytes] | Redirect
Builder = Callable[[Page], Built]


async def _serve(request: Request[Any, Any, Any], name: str, build: Builder) -> Response[Any]:
    """Build in a worker thread; a 200 is cached per address, language, data and day."""
    page = Page(request)
    runtime = page.runtime
    key = ("page", name, page.path, request.scope["query_string"], page.lang,
           runtime.generation(), page.today)  # fmt: skip
    entry: Cached | None = runtime.cache.pages.peek(key)
    if entry is None:

        def work() -> Cached | Built:
            built = build(page)
            if isinstance(built, Redirect) or built[0] != 200:
                return built
            body = built[1]
            return runtime.cache.pages.get_or_render(key, lambda: (body, None), HTML)

        result = await anyio.to_thread.run_sync(work)
        if isinstance(result, Redirect):
            return result
        if not isinstance(result, Cached):
            return _html(result[1], result[0], page.lang)
        entry = result
    response = cached_response(request, entry, max_age=PAGE_MAX_AGE)
    response.headers["Vary"] = "Accept-Encoding, Accept-Language"
    response.headers["Content-Language"] = page.lang
    return response


def _html(body: bytes, status: int, lang: str) -> Response[bytes]:
    headers = {"Content-Language": lang, "Vary": "Accept-Language", "Cache-Control": "no-cache"}
    return Response(body, status_code=status, media_type=HTML, headers=headers)


def _short(request: Request[Any, Any, Any], path: str) -> Redirect | None:
    """A submitted form leaves empty fields in the address; send the short, shareable one."""
    short = short_address(path, request.scope["query_string"].decode("utf-8", "replace"))
    return Redirect(short, status_code=302) if short is not None else None


# --- the agenda -----------------------------------------------------------------------------


def _series_runs(
    store: Any, filters: EventFilter, events: Sequence[Event], following: bool, today: date
) -> dict[tuple[str, str, str], list[Event]]:
    """The whole run of each series on this page (it may reach past the page)."""
    counts: dict[tuple[str, str, str], int] = {}
    venues: dict[tuple[str, str, str], str] = {}
    for event in events:
        key = series_key(event)
        if key is not None and event.venue is not None and event.venue.id:
            counts[key] = counts.get(key, 0) + 1
            venues[key] = event.venue.id
    wanted = {key for key, n in counts.items() if n >= 2}
    if following and events and (last := series_key(events[-1])) in venues:
        wanted.add(last)  # a series that starts at the bottom of this page
    runs: dict[tuple[str, str, str], list[Event]] = {}
    for key in sorted(wanted):
        narrowed = msgspec.structs.replace(
            filters, venue=venues[key], from_date=filters.from_date or today, limit=SERIES_LOOKUP
        )
        runs[key] = [e for e in list_events(store, narrowed) if series_key(e) == key]
    return runs


def quick_links(page: Page, form: Mapping[str, str]) -> dict[str, list[dict[str, Any]]]:
    """The chips above the list: when (today, tomorrow, this weekend, this week) and where."""
    today = page.today
    weekday = today.weekday()  # Monday 0
    friday = today + timedelta(days=max(0, 4 - weekday))
    sunday = today + timedelta(days=6 - weekday)
    spans = [
        ("chip_today", today, today),
        ("chip_tomorrow", today + timedelta(days=1), today + timedelta(days=1)),
        ("chip_weekend", friday, sunday),
        ("chip_week", today, sunday),
    ]
    rest = [(k, v) for k, v in form.items() if k not in ("from", "to")]
    when = []
    for key, first, last in spans:
        chosen = form.get("from") == first.isoformat() and form.get("to") == last.isoformat()
        params = rest if chosen else [*rest, ("from", first.isoformat()), ("to", last.isoformat())]
        when.append({"label": page.t[key], "url": page.link("/", params), "current": chosen})
    others = [(k, v) for k, v in form.items() if k != "city"]
    where = []
    for city in CITIES:
        chosen = (form.get("city") or "").casefold() == city.casefold()
        params = others if chosen else [*others, ("city", city)]
        where.append({"label": city_name(city, page.lang), "url": page.link("/", params),
                      "current": chosen})  # fmt: skip
    return {"when": when, "where": where}


def _agenda(page: Page) -> Built:
    form = canonical_form({k: v for k, v in page.params.items() if k in AGENDA_PARAMS})
    cursor = page.params.get("cursor") or None
    store = page.runtime.stores.get()
    context: dict[str, Any] = {"groups": [], "on_now": [], "count": None, "more_url": None,
                               "error": None, "error_param": None}  # fmt: skip
    status = 200
    try:
        filters = parse_filters(form, page.today)
        if cursor:
            decode_cursor(cursor)
        events, following = list_page(store, filters, cursor, PAGE_SIZE)
        context["count"] = count_events(store, filters)
        first = filters.from_date or page.today
        pictures = query.pictures(store, events)
        runs = _series_runs(store, filters, events, following is not None, page.today)
        context.update(
            agenda_view(
                events, page.lang, page.today, first, runs, strip=not cursor, pictures=pictures
            )
        )
        if following:
            context["more_url"] = page.link("/", [*form.items(), ("cursor", following)])
    except InvalidFilterError as exc:
        status = 400
        context.update(error=filter_error(exc, page.lang), error_param=exc.param)
    active = sum(1 for k, v in form.items() if v and k not in ("venue", "source"))
    body = page.render(
        "agenda.html",
        nav="agenda",
        form=form,
        active=active,
        quick=quick_links(page, form),
        choices=page.choices(form),
        first_url=page.link("/", form) if cursor else None,
        reset_url=page.link("/"),
        description=page.t["agenda_description"],
        **context,
    )
    return status, body


@get("/", name="page-agenda", include_in_schema=False)
async def agenda(request: Request[Any, Any, Any]) -> Response[Any]:
    if (short := _short(request, "/")) is not None:
        return short
    return await _serve(request, "agenda", _agenda)


# --- one event ------------------------------------------------------------------------------


def _event(page: Page, event_id: str) -> Built:
    store = page.runtime.stores.get()
    survivor = current_id(store, event_id)
    if survivor != event_id:
        return Redirect(page.link(f"/events/{survivor}", page.params), status_code=301)
    event = query.get_event(store, event_id)
    names = {row["id"]: row["name"] for row in query.source_health(store)}
    options = feed_options(page.base_url, "ics", page.now, page.lang, name="event")
    pictures = query.pictures(store, [event])
    picture = picture_for(event, pictures, page.base_url)
    ev = event_page(event, page.lang, names, page.base_url, pictures)
    known = {theme.id: theme for theme in query.themes(store)}
    themes = [
        {"id": tid, "name": theme_name(known.get(tid), tid, page.lang)} for tid in event.themes
    ]
    body = page.render(
        "event.html",
        ev=ev,
        themes=themes,
        description=event_summary(event, page.lang),
        og_type="article",
        og_image=picture.src if picture else None,
        ics_url=f"/feeds/event/{event.id}.ics",
        google_url=google_calendar_event_url(event, options),
    )
    return 200, body


@get("/events/{event_id:str}", name="page-event", include_in_schema=False)
async def event(request: Request[Any, Any, Any], event_id: FromPath[str]) -> Response[Any]:
    return await _serve(request, "event", lambda page: _event(page, event_id))


# --- venues and themes ----------------------------------------------------------------------


def _venue(page: Page, venue_id: str) -> Built:
    store = page.runtime.stores.get()
    rows = [r for r in query.venues(store, page.today) if r["id"] == venue_id]
    if not rows:
        raise NotFoundError(f"no venue {venue_id!r}")
    venue = VenueRef(**{k: rows[0][k] for k in VENUE_FIELDS})
    filters = parse_filters({"venue": venue_id, "limit": str(LISTED)}, page.today)
    feed = f"{page.base_url}/feeds/venue-{venue_id}.ics"
    events = list_events(store, filters)
    pictures = query.pictures(store, events)
    view = agenda_view(events, page.lang, page.today, page.today, pictures=pictures)
    city = city_name(venue.city, page.lang)
    body = page.render(
        "venue.html",
        nav="venues",
        og_image=first_picture(events, pictures, page.base_url),
        venue=venue,
        address=address_lines(venue, venue.city, page.lang),
        map_url=map_url(venue),
        feed=calendar_links(feed) if slugify(venue_id) == venue_id else None,
        all_url=page.link("/", {"venue": venue_id}),
        description=page.t["venue_description"].format(
            venue=venue.name, city=city or page.t["site_name"], n=rows[0]["upcoming"]
        ),
        **view,
    )
    return 200, body


@get("/venues/{venue_id:str}", name="page-venue", include_in_schema=False)
async def venue(request: Request[Any, Any, Any], venue_id: FromPath[str]) -> Response[Any]:
    return await _serve(request, "venue", lambda page: _venue(page, venue_id))


def _venues(page: Page) -> Built:
    rows = query.venues(page.runtime.stores.get(), page.today)
    cities: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if not row["upcoming"]:
            continue
        name = city_name(row["city"], page.lang) or page.t["other_places"]
        cities.setdefault(name, []).append(
            {"id": row["id"], "name": row["name"], "upcoming": row["upcoming"],
             "address": row["address"] or ""}
        )  # fmt: skip
    order = {city_name(c, page.lang): i for i, c in enumerate(CITIES)}
    groups = [
        {"city": city, "venues": venues}
        for city, venues in sorted(cities.items(), key=lambda kv: (order.get(kv[0], 9), kv[0]))
    ]
    body = page.render(
        "venues.html", nav="venues", groups=groups, description=page.t["venues_intro"]
    )
    return 200, body


@get("/venues", name="page-venues", include_in_schema=False)
async def venues(request: Request[Any, Any, Any]) -> Response[Any]:
    return await _serve(request, "venues", _venues)


def _theme(page: Page, theme_id: str) -> Built:
    store = page.runtime.stores.get()
    known = {theme.id: theme for theme in query.themes(store)}
    found = known.get(theme_id)
    if found is None and theme_id not in query.theme_ids(store):
        raise NotFoundError(f"no theme {theme_id!r}")
    filters = parse_filters({"theme": theme_id, "limit": str(LISTED)}, page.today)
    events = list_events(store, filters)
    pictures = query.pictures(store, events)
    info = theme_info(found, theme_id, page.lang)
    body = page.render(
        "theme.html",
        nav="themes",
        theme=info,
        og_image=first_picture(events, pictures, page.base_url),
        months=month_groups(events, page.lang, page.today, pictures),
        feed=calendar_links(f"{page.base_url}/feeds/theme-{theme_id}.ics"),
        description=info["description"] or page.t["theme_intro"],
    )
    return 200, body


@get("/themes/{theme_id:str}", name="page-theme", include_in_schema=False)
async def theme(request: Request[Any, Any, Any], theme_id: FromPath[str]) -> Response[Any]:
    return await _serve(request, "theme", lambda page: _theme(page, theme_id))


def _themes(page: Page) -> Built:
    store = page.runtime.stores.get()
    with_events = set(query.theme_ids(store))
    known = {theme.id: theme for theme in query.themes(store)}
    shown = []
    for theme_id in sorted(with_events | set(known)):
        found = known.get(theme_id)
        if theme_id not in with_events and (found is None or found.end < page.today):
            continue  # a theme that is over and had nothing programmed is not offered
        count = count_events(store, parse_filters({"theme": theme_id}, page.today))
        shown.append({**theme_info(found, theme_id, page.lang), "count": count})
    shown.sort(key=lambda row: (-row["count"], row["name"].casefold()))
    body = page.render(
        "themes.html", nav="themes", themes=shown, description=page.t["themes_intro"]
    )
    return 200, body


@get("/themes", name="page-themes", include_in_schema=False)
async def themes(request: Request[Any, Any, Any]) -> Response[Any]:
    return await _serve(request, "themes", _themes)


# --- subscribe and about --------------------------------------------------------------------


def _subscribe(page: Page) -> Built:
    form = canonical_form({k: v for k, v in page.params.items() if k in SUBSCRIBE_PARAMS and v})
    # The page's own ``lang`` is the language of the page; the feed's is ``feed_lang``.
    choice = {("lang" if k == "feed_lang" else k): v for k, v in form.items()}
    if page.lang != "nl":
        # A feed in the visitor's language unless they chose one; ``lang`` selects nothing.
        choice.setdefault("lang", page.lang)
    exhibitions = choice.pop("exhibitions", "span")
    context: dict[str, Any] = {"feeds": None, "count": None, "error": None, "error_param": None,
                               "preview": []}  # fmt: skip
    status = 200
    try:
        if exhibitions not in EXHIBITION_MODES:
            raise InvalidFilterError("exhibitions", "use span, daily or exclude")
        filters = parse_filters(choice, page.today)
        if filters.city:
            choice["city"] = filters.city  # 'the hague' -> Den Haag -> /feeds/den-haag.ics
        if exhibitions != "span":
            choice["exhibitions"] = exhibitions
        links = feed_links(page.base_url, choice)
        context["feeds"] = {**links, **calendar_links(links["ics"])}
        store = page.runtime.stores.get()
        if exhibitions == "exclude":  # as the feeds do: spans are left out
            kept = [e for e in list_events(store, filters) if not is_span(e)]
            context["count"], upcoming = len(kept), kept[:PREVIEW]
        else:
            context["count"] = count_events(store, filters)
            upcoming = list_events(store, msgspec.structs.replace(filters, limit=PREVIEW))
        context["preview"] = [dated_item(e, page.lang, page.today) for e in upcoming]
    except InvalidFilterError as exc:
        status = 400
        param = "feed_lang" if exc.param == "lang" else exc.param
        context.update(error=filter_error(exc, page.lang), error_param=param)
    body = page.render(
        "subscribe.html",
        nav="subscribe",
        form=form,
        exhibitions=exhibitions,
        choices=page.choices(form),
        description=page.t["subscribe_intro"],
        **context,
    )
    return status, body


@get("/subscribe", name="page-subscribe", include_in_schema=False)
async def subscribe(request: Request[Any, Any, Any]) -> Response[Any]:
    if (short := _short(request, "/subscribe")) is not None:
        return short
    return await _serve(request, "subscribe", _subscribe)


def _about(page: Page) -> Built:
    rows = query.source_health(page.runtime.stores.get())
    table = source_table(rows, page.lang)
    return 200, page.render("about.html", nav="about", sources=table, description=page.t["about_1"])


@get("/about", name="page-about", include_in_schema=False)
async def about(request: Request[Any, Any, Any]) -> Response[Any]:
    return await _serve(request, "about", _about)


# --- errors ---------------------------------------------------------------------------------


def error_page(request: Request[Any, Any, Any], status: int, exc: Exception) -> Response[bytes]:
    """An error as a page in the visitor's language (the app factory decides when)."""
    page = Page(request)
    if isinstance(exc, InvalidFilterError):
        title, message = page.t["error_title"], filter_error(exc, page.lang)
    elif status == 404:
        title, message = page.t["not_found_title"], page.t["not_found_text"]
    elif status < 500:
        title, message = page.t["error_title"], str(exc)
    else:
        title, message = page.t["error_title"], page.t["server_error_text"]
    body = page.render(
        "message.html", title=title, message=message, description=message, noindex=True
    )
    return _html(body, status, page.lang)


@cache
def static_assets() -> dict[str, Asset]:
    """The pages' static files, read once (see ``agenda.web.assets``)."""
    return load_assets(STATIC)


@get("/static/{name:str}", name="static", include_in_schema=False)
async def static_file(request: Request[Any, Any, Any], name: FromPath[str]) -> Response[bytes]:
    """A file of the pages: a year's cache at its versioned address; any other name is a 404."""
    found = static_assets().get(name)
    if found is None:
        raise NotFoundError(f"no static file {name!r}")
    return asset_response(request, found)


PAGES = Router(
    path="/",
    route_handlers=[agenda, event, venue, venues, theme, themes, subscribe, about],
    opt={"html_errors": True},
    include_in_schema=False,
)
ROUTES: list[Router | HTTPRouteHandler] = [PAGES, static_file, *DISCOVERY_ROUTES]
