"""Partner pages in the browser: sign-in, the planner, the review queue; and the public /sources.

Partners sign in with their API key once; the browser then holds a signed session cookie
(``regio_session``: HMAC-SHA256 over ``partner_id|expiry`` with a secret made when the
app starts, HttpOnly, SameSite=Strict, Path=/partners, Secure on https). No session
table: the account is looked up on every request, so a revoked key ends its sessions at
once. Every POST form carries a CSRF token (an HMAC of the session). Without a session a
GET answers a redirect to the sign-in page and a POST a 401; a bad CSRF token is a 403,
and so is the review queue for a partner (coordinators only). Partner pages are never
cached (``private, no-store``); wrong keys count towards the API's failed-key limit.

Handlers are thin: the pages' data comes from ``agenda.planner_data`` in a worker thread.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Callable, Mapping
from typing import Any

import anyio
import msgspec
from litestar import Request, Response, Router, get, post
from litestar.datastructures import Cookie
from litestar.response import Redirect

from agenda import decide
from agenda.clashes import plan_window, rank_clashes
from agenda.errors import AgendaError, InvalidFilterError, NotFoundError, SourceBusyError
from agenda.filters import parse_filters
from agenda.i18n import CITIES, city_name
from agenda.jobs import import_source
from agenda.model import Event
from agenda.page_data import filter_choices, filter_error, page_url
from agenda.pages import Page, bad_filter_page, not_found_page
from agenda.partners import Partner, audit, authenticate, digest, get_partner
from agenda.planner_data import (
    PROBLEMS_SHOWN,
    SERVER_COORDINATOR,
    SESSION_COOKIE,
    SESSION_SECONDS,
    TREND_RUNS,
    Period,
    check_plan,
    clash_rows,
    csrf_ok,
    csrf_token,
    month_weeks,
    origin_allowed,
    period_slug,
    period_title,
    planner_csv,
    planner_days,
    planner_period,
    read_session,
    review_rows,
    safe_next,
    sign_session,
    source_health,
    weekday_names,
)
from agenda.query import list_events
from agenda.runtime import Runtime
from agenda.store import Store
from agenda.timeutil import day_start, utc_iso
from feeds.formats import feed_options
from feeds.ical import render_ics

HTML = "text/html"
PRIVATE = "private, no-store"
FILTERS = ("city", "category", "audience", "theme")
CHECK_FIELDS = ("check_date", "check_time", "check_city", "check_category")
REVIEW_SHOWN = 50
CLASHES_SHOWN = 20
Built = tuple[int, bytes]


class Viewer(msgspec.Struct, frozen=True):
    """Who is signed in: an account, or (``partner`` None) the server's coordinator key."""

    partner: Partner | None
    name: str
    role: str
    session: str
    csrf: str


def _runtime(request: Request[Any, Any, Any]) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _secret(request: Request[Any, Any, Any]) -> bytes:
    """The signing secret, made once per app (handlers run on one event loop: no race)."""
    state = request.app.state
    secret = getattr(state, "partner_session_secret", None)
    if secret is None:
        secret = secrets.token_bytes(32)
        state.partner_session_secret = secret
    return bytes(secret)


def _viewer(request: Request[Any, Any, Any]) -> Viewer | None:
    runtime, secret = _runtime(request), _secret(request)
    session = request.cookies.get(SESSION_COOKIE) or ""
    partner_id = read_session(secret, session, int(runtime.clock().timestamp()))
    if partner_id is None:
        return None
    partner: Partner | None = None
    if partner_id == SERVER_COORDINATOR:
        if not runtime.settings.coordinator_key_hash:
            return None
        name, role = "coordinator key", "coordinator"
    else:
        try:
            partner = get_partner(runtime.stores.get(), partner_id)
        except NotFoundError:
            return None
        if partner.revoked:
            return None
        name, role = partner.name, partner.role
    return Viewer(partner, name, role, session, csrf_token(secret, session))


def _html(body: bytes, status: int, lang: str, cache: str = PRIVATE) -> Response[bytes]:
    headers = {"Content-Language": lang, "Vary": "Cookie, Accept-Language", "Cache-Control": cache}
    return Response(body, status_code=status, media_type=HTML, headers=headers)


def _message(page: Page, status: int, title: str, text: str) -> Response[bytes]:
    return _html(page.render("message.html", title=title, message=text), status, page.lang)


def _login_page(page: Page, status: int, target: str, error: str | None = None,
                notice: str | None = None) -> Response[bytes]:  # fmt: skip
    body = page.render("login.html", target=target, error=error, notice=notice)
    headers = {"WWW-Authenticate": 'Bearer realm="regio-agenda"'} if status == 401 else {}
    response = _html(body, status, page.lang)
    response.headers.update(headers)
    return response


Entry = tuple[Viewer, Mapping[str, Any]] | Response[Any]


async def _entry(request: Request[Any, Any, Any], *, coordinator: bool = False) -> Entry:
    """The signed-in viewer (and a POST's form, CSRF-checked), or the answer to give instead."""
    page = Page(request)
    viewer = _viewer(request)
    if viewer is None:
        if request.method == "GET":
            here = page_url(request.url.path, request.query_params.items())
            return Redirect(page.link("/partners/login", {"next": here}), status_code=303)
        return _login_page(page, 401, "/partners/planner", error=page.t["pp_login_expired"])
    form: Mapping[str, Any] = {}
    if request.method == "POST":
        form = await request.form()
        if not csrf_ok(_secret(request), viewer.session, form.get("csrf")):
            return _message(page, 403, page.t["pp_forbidden_title"], page.t["pp_forbidden_csrf"])
    if coordinator and viewer.role != "coordinator":
        return _message(page, 403, page.t["pp_forbidden_title"], page.t["pp_forbidden_review"])
    return viewer, form


def _viewer_context(page: Page, viewer: Viewer) -> dict[str, Any]:
    role = page.t[f"pp_role_{viewer.role}"]
    return {"viewer": {"name": viewer.name, "role": role, "csrf": viewer.csrf,
                       "coordinator": viewer.role == "coordinator"}}  # fmt: skip


# --- signing in and out ---------------------------------------------------------------------


@get("/partners", name="partners-home", include_in_schema=False)
async def partners_home(request: Request[Any, Any, Any]) -> Response[Any]:
    return Redirect(Page(request).link("/partners/planner"), status_code=303)


@get("/partners/login", name="partners-login-form", include_in_schema=False)
async def login_form(request: Request[Any, Any, Any]) -> Response[Any]:
    page = Page(request)
    target = safe_next(page.params.get("next"))
    if _viewer(request) is not None:
        return Redirect(target, status_code=303)
    notice = page.t["pp_signed_out"] if page.params.get("done") == "out" else None
    return _login_page(page, 200, target, notice=notice)


def _identify(runtime: Runtime, key: str) -> int | None:
    """The account id a key belongs to (``SERVER_COORDINATOR`` for the server's key)."""
    expected = runtime.settings.coordinator_key_hash
    if key and expected and hmac.compare_digest(digest(key), expected):
        return SERVER_COORDINATOR
    partner = authenticate(runtime.stores.get(), key) if key else None
    return partner.id if partner is not None else None


@post("/partners/login", name="partners-login", include_in_schema=False, status_code=303)
async def login(request: Request[Any, Any, Any]) -> Response[Any]:
    runtime, page = _runtime(request), Page(request)
    origin = request.headers.get("origin")
    host = request.headers.get("host", "")
    if not origin_allowed(origin, request.url.scheme, host, runtime.settings.base_url):
        return _message(page, 403, page.t["pp_forbidden_title"], page.t["pp_forbidden_csrf"])
    form = await request.form()
    target = safe_next(form.get("next"))
    client = (request.client.host if request.client else "unknown") or "unknown"
    moment = time.monotonic()
    if runtime.auth_failures.blocked(client, moment):
        return _login_page(page, 429, target, error=page.t["pp_login_blocked"])
    key = str(form.get("key") or "").strip()
    partner_id = await anyio.to_thread.run_sync(lambda: _identify(runtime, key))
    if partner_id is None:
        runtime.auth_failures.failed(client, moment)
        return _login_page(page, 401, target, error=page.t["pp_login_wrong"])
    now = runtime.clock()
    session = sign_session(_secret(request), partner_id, int(now.timestamp()) + SESSION_SECONDS)
    cookie = Cookie(key=SESSION_COOKIE, value=session, path="/partners", httponly=True,
                    samesite="strict", secure=request.url.scheme == "https",
                    max_age=SESSION_SECONDS)  # fmt: skip

    def record() -> None:
        store = runtime.stores.get()
        partner = None if partner_id == SERVER_COORDINATOR else get_partner(store, partner_id)
        with store.transaction():
            audit(store, partner, "coordinator key", "session.login", "partners", now, {})

    await anyio.to_thread.run_sync(record)
    return Redirect(target, status_code=303, cookies=[cookie])


@post("/partners/logout", name="partners-logout", include_in_schema=False, status_code=303)
async def logout(request: Request[Any, Any, Any]) -> Response[Any]:
    entry = await _entry(request)
    if isinstance(entry, Response):
        return entry
    gone = Cookie(key=SESSION_COOKIE, value="", path="/partners", httponly=True,
                  samesite="strict", secure=request.url.scheme == "https", max_age=0)  # fmt: skip
    target = Page(request).link("/partners/login", {"done": "out"})
    return Redirect(target, status_code=303, cookies=[gone])


# --- the planner ----------------------------------------------------------------------------


def _selection(page: Page, period: Period) -> tuple[dict[str, str], list[Event]]:
    """The planner's filters and the events they select (embargoed and partner-only too)."""
    form = {k: page.params[k] for k in FILTERS if page.params.get(k)}
    bounds = {"from": period.first.isoformat(), "to": period.last.isoformat()}
    filters = parse_filters({**form, **bounds}, page.today)
    return form, list_events(page.runtime.stores.get(), filters, private=True)


def _period(page: Page) -> Period:
    return planner_period(page.params.get("view"), page.params.get("date"), page.today)


def _planner(page: Page, viewer: Viewer) -> Built:
    period = _period(page)
    form, events = _selection(page, period)
    store = page.runtime.stores.get()
    themes = store.themes()
    view = {"view": "week"} if period.view == "week" else {}
    first_day = period.first.isoformat()
    here = {**form, **view, "date": first_day}

    def go(**changes: str) -> str:
        return page.link("/partners/planner", {**here, **changes})

    categories = {n for n, _ in store.category_counts(utc_iso(day_start(page.today)))}
    categories |= {c for e in events for c in e.categories}
    choices = filter_choices(page.lang, form, sorted(categories, key=str.lower), [])
    choices["theme"] = [(t.id, t.name_en if page.lang == "en" else t.name_nl) for t in themes]
    cells = planner_days(period, events, themes, page.lang, page.today)
    check = {k: page.params.get(k, "") for k in CHECK_FIELDS}
    rows, error, error_param, status = None, None, None, 200
    try:
        plan = check_plan(page.params)
        if plan is not None:
            first, last = plan_window(plan)
            bounds = parse_filters({"from": first.isoformat(), "to": last.isoformat()}, first)
            found = rank_clashes(plan, list_events(store, bounds, private=True), CLASHES_SHOWN)
            rows = clash_rows(found, page.lang)
    except InvalidFilterError as exc:
        status, error, error_param = 400, filter_error(exc, page.lang), exc.param
    query = {**here, **({"lang": page.lang} if page.explicit else {})}
    body = page.render(
        "planner.html",
        **_viewer_context(page, viewer),
        section="planner",
        period=period,
        title=period_title(period, page.lang),
        form=form,
        choices=choices,
        hidden={**view, "date": period.first.isoformat()},
        weekdays=weekday_names(page.lang),
        weeks=month_weeks(cells) if period.view == "month" else [],
        days=[c for c in cells if c["inside"]],
        count=len(events),
        hidden_count=sum(1 for e in events if e.visibility != "public"),
        themes=[
            {"id": t.id, "name": t.name_en if page.lang == "en" else t.name_nl}
            for t in themes
            if t.start <= period.last and t.end >= period.first
        ],
        prev_url=go(date=period.previous.isoformat()),
        next_url=go(date=period.following.isoformat()),
        today_url=go(date=page.today.isoformat()),
        month_url=page.link("/partners/planner", {**form, "date": first_day}),
        week_url=page.link("/partners/planner", {**form, "view": "week", "date": first_day}),
        week_link=lambda day: go(view="week", date=day) + f"#day-{day}",
        csv_url=page_url("/partners/planner.csv", query),
        ics_url=page_url("/partners/planner.ics", query),
        reset_url=page.link("/partners/planner", {**view, "date": period.first.isoformat()}),
        check=check,
        check_rows=rows,
        error=error,
        error_param=error_param,
        city_choices=[(c, city_name(c, page.lang)) for c in CITIES],
    )  # fmt: skip
    return status, body


@get("/partners/planner", name="partners-planner", include_in_schema=False)
async def planner(request: Request[Any, Any, Any]) -> Response[Any]:
    entry = await _entry(request)
    if isinstance(entry, Response):
        return entry
    page = Page(request)
    status, body = await anyio.to_thread.run_sync(lambda: _planner(page, entry[0]))
    return _html(body, status, page.lang)


def _export(request: Request[Any, Any, Any], fmt: str) -> Callable[[], Response[bytes]]:
    page = Page(request)

    def work() -> Response[bytes]:
        period = _period(page)
        _, events = _selection(page, period)
        name = f"planner-{period_slug(period)}.{fmt}"
        if fmt == "csv":
            body, media = planner_csv(events), "text/csv"
        else:
            options = feed_options(page.base_url, "ics", page.now, page.lang, name="planner",
                                   title=page.t["pp_ics_title"])  # fmt: skip
            body, media = render_ics(events, options), "text/calendar"
        headers = {
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": PRIVATE,
        }
        return Response(body, media_type=media, headers=headers)

    return work


@get("/partners/planner.csv", name="partners-planner-csv", include_in_schema=False)
async def planner_csv_export(request: Request[Any, Any, Any]) -> Response[Any]:
    entry = await _entry(request)
    if isinstance(entry, Response):
        return entry
    return await anyio.to_thread.run_sync(_export(request, "csv"))


@get("/partners/planner.ics", name="partners-planner-ics", include_in_schema=False)
async def planner_ics_export(request: Request[Any, Any, Any]) -> Response[Any]:
    entry = await _entry(request)
    if isinstance(entry, Response):
        return entry
    return await anyio.to_thread.run_sync(_export(request, "ics"))


# --- the review queue -----------------------------------------------------------------------


def _review(page: Page, viewer: Viewer) -> bytes:
    store = page.runtime.stores.get()
    pairs = store.review()
    memberships = store.memberships()
    shown = pairs[:REVIEW_SHOWN]
    event_ids = {memberships[k] for a, b, _, _ in shown for k in (a, b) if k in memberships}
    members = store.members_of(event_ids)
    listings = store.listings(k for keys in members.values() for k in keys)
    sources = store.source_rows()
    names = {row["id"]: row["name"] for row in sources}
    held = [
        {"id": r["id"], "name": r["name"], "message": r["message"] or "",
         "configured": r["id"] in page.runtime.sources}
        for r in sources if r["outcome"] == "refused"
    ]  # fmt: skip
    done = page.params.get("done", "")
    return page.render(
        "review.html",
        **_viewer_context(page, viewer),
        section="review",
        pairs=review_rows(shown, memberships, members, listings, names, page.lang),
        more=max(0, len(pairs) - REVIEW_SHOWN),
        held=held,
        flash=page.t.get(f"pp_done_{done}", "") if done.isidentifier() else "",
        flash_event=page.params.get("event", "") if done == "merged" else "",
        flash_ok=done in ("merged", "apart", "split", "confirmed"),
    )  # fmt: skip


@get("/partners/review", name="partners-review", include_in_schema=False)
async def review(request: Request[Any, Any, Any]) -> Response[Any]:
    entry = await _entry(request, coordinator=True)
    if isinstance(entry, Response):
        return entry
    page = Page(request)
    body = await anyio.to_thread.run_sync(lambda: _review(page, entry[0]))
    return _html(body, 200, page.lang)


Action = Callable[[Runtime, Store, Mapping[str, Any], Viewer], dict[str, str]]


async def _act(request: Request[Any, Any, Any], action: Action) -> Response[Any]:
    """Run one coordinator action (audited) and go back to the queue with a flash message."""
    entry = await _entry(request, coordinator=True)
    if isinstance(entry, Response):
        return entry
    viewer, form = entry
    runtime, page = _runtime(request), Page(request)

    def work() -> dict[str, str]:
        try:
            result = action(runtime, runtime.stores.get(), form, viewer)
        except SourceBusyError:
            return {"done": "busy"}
        except AgendaError:  # gone, merged or split meanwhile (a second tab, another person)
            return {"done": "stale"}
        runtime.cache.clear()
        return result

    result = await anyio.to_thread.run_sync(work)
    return Redirect(page.link("/partners/review", result), status_code=303)


def _field(form: Mapping[str, Any], name: str) -> str:
    value = str(form.get(name) or "").strip()
    if not value or len(value) > 300:
        raise NotFoundError(f"the form has no {name}")
    return value


def _merge(
    runtime: Runtime, store: Store, form: Mapping[str, Any], viewer: Viewer
) -> dict[str, str]:
    events, now = [_field(form, "a"), _field(form, "b")], runtime.clock()
    with store.transaction():
        survivor = decide.merge(store, events, now, note=f"review queue: {viewer.name}")
        audit(store, viewer.partner, viewer.name, "review.merge", f"event:{survivor}", now,
              {"events": events, "survivor": survivor})  # fmt: skip
    return {"done": "merged", "event": survivor}


def _apart(
    runtime: Runtime, store: Store, form: Mapping[str, Any], viewer: Viewer
) -> dict[str, str]:
    first, second, now = _field(form, "a"), _field(form, "b"), runtime.clock()
    with store.transaction():
        decide.never_merge(store, first, second, now, note=f"review queue: {viewer.name}")
        audit(store, viewer.partner, viewer.name, "review.never_merge", f"event:{first}", now,
              {"events": [first, second]})  # fmt: skip
    return {"done": "apart"}


def _split(
    runtime: Runtime, store: Store, form: Mapping[str, Any], viewer: Viewer
) -> dict[str, str]:
    event_id, key, now = _field(form, "event"), _field(form, "listing"), runtime.clock()
    with store.transaction():
        new_id = decide.split(store, event_id, key, now, note=f"review queue: {viewer.name}")
        audit(store, viewer.partner, viewer.name, "review.split", f"event:{event_id}", now,
              {"listing": key, "new_event": new_id})  # fmt: skip
    return {"done": "split"}


def _confirm(
    runtime: Runtime, store: Store, form: Mapping[str, Any], viewer: Viewer
) -> dict[str, str]:
    source = runtime.sources.get(_field(form, "source"))
    if source is None:
        return {"done": "unknown_source"}
    run = import_source(store, source, clock=runtime.clock, force=True)
    with store.transaction():
        audit(store, viewer.partner, viewer.name, "source.confirm", f"source:{source.id}",
              runtime.clock(), {"outcome": run.outcome, "new": run.new, "updated": run.updated,
                                "withdrawn": run.withdrawn, "message": run.message})  # fmt: skip
    return {"done": "confirmed" if run.outcome == "ok" else "failed_confirm"}


@post("/partners/review/merge", name="partners-merge", include_in_schema=False, status_code=303)
async def review_merge(request: Request[Any, Any, Any]) -> Response[Any]:
    return await _act(request, _merge)


@post("/partners/review/apart", name="partners-apart", include_in_schema=False, status_code=303)
async def review_apart(request: Request[Any, Any, Any]) -> Response[Any]:
    return await _act(request, _apart)


@post("/partners/review/split", name="partners-split", include_in_schema=False, status_code=303)
async def review_split(request: Request[Any, Any, Any]) -> Response[Any]:
    return await _act(request, _split)


@post("/partners/review/confirm", name="partners-confirm", include_in_schema=False,
      status_code=303)  # fmt: skip
async def review_confirm(request: Request[Any, Any, Any]) -> Response[Any]:
    return await _act(request, _confirm)


# --- source health (public) -----------------------------------------------------------------


def _sources(page: Page) -> bytes:
    runtime = page.runtime
    store = runtime.stores.get()
    rows = store.source_rows()
    listed = {row["id"] for row in rows}
    empty = dict.fromkeys(("active", "finished", "outcome", "message", "last_success",
                           "problems", "http_status"))  # fmt: skip
    rows += [
        {**empty, "id": s.id, "name": s.name, "city": s.city, "format": s.format}
        for s in runtime.sources.values()
        if s.id not in listed and s.format != "partner"
    ]
    next_runs = runtime.scheduler.next_runs() if runtime.scheduler is not None else None
    health = source_health(
        rows,
        {row["id"]: store.source_runs(row["id"], TREND_RUNS) for row in rows},
        {row["id"]: store.latest_problems(row["id"], PROBLEMS_SHOWN) for row in rows},
        next_runs,
        page.lang,
    )
    return page.render("sources.html", sources=health)


@get("/sources", name="page-sources", include_in_schema=False)
async def sources(request: Request[Any, Any, Any]) -> Response[Any]:
    page = Page(request)
    body = await anyio.to_thread.run_sync(lambda: _sources(page))
    response = _html(body, 200, page.lang, cache="no-cache")
    response.headers["Vary"] = "Accept-Language"
    return response


PARTNER_PAGES = Router(
    path="/",
    route_handlers=[
        partners_home, login_form, login, logout, planner, planner_csv_export, planner_ics_export,
        review, review_merge, review_apart, review_split, review_confirm, sources,
    ],
    exception_handlers={NotFoundError: not_found_page, InvalidFilterError: bad_filter_page},
    include_in_schema=False,
)  # fmt: skip
ROUTES = [PARTNER_PAGES]
