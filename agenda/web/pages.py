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

import hashlib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import anyio
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from litestar import Request, Response, Router, get
from litestar.datastructures import CacheControlHeader
from litestar.params import FromPath
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from agenda.dedup.decisions import current_id
from agenda.errors import InvalidFilterError, NotFoundError
from agenda.filters import PARAMS, parse_filters
from agenda.model import VenueRef
from agenda.normalize import slugify
from agenda.store import query
from agenda.store.query import count_events, decode_cursor, list_events, list_page
from agenda.timeutil import AMSTERDAM
from agenda.web.http import Cached, cached_response
from agenda.web.i18n import labels, negotiate
from agenda.web.page_data import (
    VENUE_FIELDS,
    address_lines,
    calendar_links,
    day_groups,
    event_page,
    feed_links,
    filter_choices,
    filter_error,
    map_url,
    page_url,
    short_address,
    source_table,
)
from agenda.web.runtime import Runtime
from feeds.formats import feed_options
from feeds.ical import google_calendar_event_url

HERE = Path(__file__).parent.parent  # the agenda package: templates/ and static/
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
PAGE_SIZE = 40
LISTED = 200  # events on a venue or theme page
PAGE_MAX_AGE = 60
HTML = "text/html"  # Litestar appends the charset
AGENDA_PARAMS = tuple(p for p in PARAMS if p not in ("lang", "limit", "accessible"))
SUBSCRIBE_PARAMS = ("city", "category", "theme", "audience", "kind", "feed_lang")


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
    versions = {
        f.name: hashlib.sha256(f.read_bytes()).hexdigest()[:10]
        for f in STATIC.iterdir()
        if f.is_file()
    }
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

    def render(self, template: str, **context: Any) -> bytes:
        other = "en" if self.lang == "nl" else "nl"
        here = list(self.params.items())
        base = {
            "t": self.t,
            "lang": self.lang,
            "explicit_lang": self.explicit,
            "other_lang": other,
            "switch_url": page_url(self.path, [*here, ("lang", other)]),
            "alternates": [
                {"lang": code, "url": self.base_url + page_url(self.path, [*here, ("lang", code)])}
                for code in ("nl", "en")
            ],
            "link": self.link,
            "nav": "",
        }
        return self.engine.get_template(template).render({**base, **context}).encode()

    def choices(self, form: Mapping[str, str]) -> dict[str, list[tuple[str, str]]]:
        store = self.runtime.stores.get()
        names = [name for name, _ in query.categories(store, self.today)]
        return filter_choices(self.lang, form, names, query.theme_ids(store))


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


def _agenda(page: Page) -> Built:
    form = {k: v for k, v in page.params.items() if k in AGENDA_PARAMS}
    cursor = page.params.get("cursor") or None
    store = page.runtime.stores.get()
    context: dict[str, Any] = {"groups": [], "count": None, "more_url": None, "error": None,
                               "error_param": None}  # fmt: skip
    status = 200
    try:
        filters = parse_filters(form, page.today)
        if cursor:
            decode_cursor(cursor)
        events, following = list_page(store, filters, cursor, PAGE_SIZE)
        context["count"] = count_events(store, filters)
        first = filters.from_date or page.today
        context["groups"] = day_groups(events, page.lang, page.today, first)
        if following:
            context["more_url"] = page.link("/", [*form.items(), ("cursor", following)])
    except InvalidFilterError as exc:
        status = 400
        context.update(error=filter_error(exc, page.lang), error_param=exc.param)
    body = page.render(
        "agenda.html",
        nav="agenda",
        form=form,
        choices=page.choices(form),
        first_url=page.link("/", form) if cursor else None,
        reset_url=page.link("/"),
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
    body = page.render(
        "event.html",
        ev=event_page(event, page.lang, names, page.base_url),
        canonical=f"{page.base_url}/events/{event.id}",
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
    body = page.render(
        "venue.html",
        venue=venue,
        address=address_lines(venue, venue.city, page.lang),
        map_url=map_url(venue),
        groups=day_groups(list_events(store, filters), page.lang, page.today, page.today),
        feed=calendar_links(feed) if slugify(venue_id) == venue_id else None,
        all_url=page.link("/", {"venue": venue_id}),
    )
    return 200, body


@get("/venues/{venue_id:str}", name="page-venue", include_in_schema=False)
async def venue(request: Request[Any, Any, Any], venue_id: FromPath[str]) -> Response[Any]:
    return await _serve(request, "venue", lambda page: _venue(page, venue_id))


def _theme(page: Page, theme_id: str) -> Built:
    if slugify(theme_id) != theme_id:
        raise NotFoundError(f"no theme {theme_id!r}")
    store = page.runtime.stores.get()
    filters = parse_filters({"theme": theme_id, "limit": str(LISTED)}, page.today)
    body = page.render(
        "theme.html",
        theme=theme_id,
        groups=day_groups(list_events(store, filters), page.lang, page.today, page.today),
        feed=calendar_links(f"{page.base_url}/feeds/theme-{theme_id}.ics"),
    )
    return 200, body


@get("/themes/{theme_id:str}", name="page-theme", include_in_schema=False)
async def theme(request: Request[Any, Any, Any], theme_id: FromPath[str]) -> Response[Any]:
    return await _serve(request, "theme", lambda page: _theme(page, theme_id))


# --- subscribe and about --------------------------------------------------------------------


def _subscribe(page: Page) -> Built:
    form = {k: v for k, v in page.params.items() if k in SUBSCRIBE_PARAMS and v}
    # The page's own ``lang`` is the language of the page; the feed's is ``feed_lang``.
    choice = {("lang" if k == "feed_lang" else k): v for k, v in form.items()}
    context: dict[str, Any] = {"feeds": None, "count": None, "error": None, "error_param": None}
    status = 200
    try:
        filters = parse_filters(choice, page.today)
        if filters.city:
            choice["city"] = filters.city  # 'the hague' -> Den Haag -> /feeds/den-haag.ics
        links = feed_links(page.base_url, choice)
        context["feeds"] = {**links, **calendar_links(links["ics"])}
        context["count"] = count_events(page.runtime.stores.get(), filters)
    except InvalidFilterError as exc:
        status = 400
        param = "feed_lang" if exc.param == "lang" else exc.param
        context.update(error=filter_error(exc, page.lang), error_param=param)
    body = page.render(
        "subscribe.html", nav="subscribe", form=form, choices=page.choices(form), **context
    )
    return status, body


@get("/subscribe", name="page-subscribe", include_in_schema=False)
async def subscribe(request: Request[Any, Any, Any]) -> Response[Any]:
    if (short := _short(request, "/subscribe")) is not None:
        return short
    return await _serve(request, "subscribe", _subscribe)


def _about(page: Page) -> Built:
    rows = query.source_health(page.runtime.stores.get())
    return 200, page.render("about.html", nav="about", sources=source_table(rows, page.lang))


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
    return _html(page.render("message.html", title=title, message=message), status, page.lang)


STATIC_ROUTER = create_static_files_router(
    path="/static",
    directories=[STATIC],
    name="static",
    cache_control=CacheControlHeader(max_age=86400, public=True),
    include_in_schema=False,
)
PAGES = Router(
    path="/",
    route_handlers=[agenda, event, venue, theme, subscribe, about],
    opt={"html_errors": True},
    include_in_schema=False,
)
ROUTES = [PAGES, STATIC_ROUTER]
