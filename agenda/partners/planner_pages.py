"""The partners' planner in the browser: /partners/planner, its exports and the programme.

A signed-in partner (or coordinator) sees a month (each day's titles, clashes naming the
events that clash, exhibitions and theme periods as bands) or a week (a time grid with
spans as bands on top) of every event, embargoed and partner-only ones too, with the
holds partners pencilled in, and a clash check for a date they have in mind (levels in
words). The exports carry the same selection: ``.xlsx``, CSV for Dutch Excel (or RFC 4180),
iCalendar, and ``/partners/programme``, a printable programme and the same as e-mail HTML.
The handlers are thin: ``require_session`` (``agenda.partners.session``) lets them in, the
data comes from ``planner_data``, ``planner_days`` and ``planner_exports`` in a worker
thread. This module must not sign sessions, decide anything, or write to the store.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio
from litestar import Request, Response, get

from agenda.errors import InvalidFilterError
from agenda.filters import parse_filters
from agenda.model import Event
from agenda.normalize import normalize_city
from agenda.partners.clashes import rank_clashes
from agenda.partners.holds import Hold, hold_event, live_holds, plan_competitors
from agenda.partners.planner_data import (
    Period,
    check_plan,
    clash_rows,
    period_slug,
    period_title,
    planner_period,
)
from agenda.partners.planner_days import month_weeks, week_view, weekday_names
from agenda.partners.planner_exports import DIALECTS, planner_csv, planner_xlsx, programme_weeks
from agenda.partners.session import (
    PRIVATE,
    Viewer,
    html_response,
    require_session,
    viewer_context,
)
from agenda.store.query import list_events, pictures
from agenda.themes import Theme
from agenda.timeutil import day_start, utc_iso
from agenda.vocabulary import canonical, category_ids
from agenda.web.i18n import CITIES, city_name
from agenda.web.page_data import canonical_form, filter_choices, filter_error, page_url
from agenda.web.pages import Page
from feeds.formats import feed_options
from feeds.ical import render_ics

FILTERS = ("city", "category", "audience", "theme")
CHECK_FIELDS = ("check_date", "check_time", "check_city", "check_category")
CLASHES_SHOWN = 20
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The e-mail form is meant to be pasted into a newsletter: inline styles, no scripts.
EMAIL_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data: https: http:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)
Built = tuple[int, bytes]


class Selection:
    """The planner's filters, the events they select (embargoed and partner-only too), the
    holds that match them and the themes of the period."""

    def __init__(self, page: Page, period: Period) -> None:
        self.form = canonical_form({k: page.params[k] for k in FILTERS if page.params.get(k)})
        bounds = {"from": period.first.isoformat(), "to": period.last.isoformat()}
        filters = parse_filters({**self.form, **bounds}, page.today)
        store = page.runtime.stores.get()
        self.events: list[Event] = list_events(store, filters, private=True)
        self.holds: list[Hold] = [
            h for h in live_holds(store, page.today, period.first, period.last) if self._keeps(h)
        ]
        wanted = self.form.get("theme")
        self.themes: list[Theme] = [
            t for t in store.themes()
            if t.start <= period.last and t.end >= period.first and (not wanted or t.id == wanted)
        ]  # fmt: skip

    def _keeps(self, hold: Hold) -> bool:
        form = self.form
        if form.get("theme"):
            return False
        if form.get("city") and normalize_city(form["city"]) != hold.city:
            return False
        if form.get("category") and canonical(form["category"]) != hold.category:
            return False
        return not (form.get("audience") and form["audience"] != hold.audience)

    def hold_events(self) -> tuple[list[Event], dict[str, Hold]]:
        found = {f"hold-{h.id}": h for h in self.holds}
        return [hold_event(h) for h in self.holds], found


def _period(page: Page) -> Period:
    return planner_period(page.params.get("view"), page.params.get("date"), page.today)


def _planner(page: Page, viewer: Viewer) -> Built:
    period = _period(page)
    selection = Selection(page, period)
    form, events = selection.form, selection.events
    store = page.runtime.stores.get()
    themes = store.themes()
    view = {"view": "week"} if period.view == "week" else {}
    first_day = period.first.isoformat()
    here = {**form, **view, "date": first_day}

    def go(**changes: str) -> str:
        return page.link("/partners/planner", {**here, **changes})

    categories = {n for n, _ in store.category_counts(utc_iso(day_start(page.today)))}
    categories |= {c for e in events for c in e.categories}
    order = category_ids()
    listed = sorted(categories, key=lambda c: (order.index(c) if c in order else len(order), c))
    choices = filter_choices(page.lang, form, listed, [])
    choices["theme"] = [(t.id, t.name_en if page.lang == "en" else t.name_nl) for t in themes]
    hold_events, holds = selection.hold_events()
    shown = [*events, *hold_events]
    check = {k: page.params.get(k, "") for k in CHECK_FIELDS}
    rows, error, error_param, status = None, None, None, 200
    try:
        plan = check_plan(page.params)
        if plan is not None:
            found = plan_competitors(store, plan, page.today, private=True)
            whose = {f"hold-{h.id}": h.partner for h in live_holds(store, page.today)}
            ranked = rank_clashes(plan, found, CLASHES_SHOWN)
            rows = clash_rows(ranked, page.lang, {k: page.t["hold_by"].format(who=v)
                                                  for k, v in whose.items()})  # fmt: skip
    except InvalidFilterError as exc:
        status, error, error_param = 400, filter_error(exc, page.lang), exc.param
    query = {**here, **({"lang": page.lang} if page.explicit else {})}
    week = week_view(period, shown, selection.themes, page.lang, page.today, holds) \
        if period.view == "week" else None  # fmt: skip
    body = page.render(
        "planner.html",
        **viewer_context(page, viewer),
        section="planner",
        period=period,
        title=period_title(period, page.lang),
        form=form,
        choices=choices,
        hidden={**view, "date": period.first.isoformat()},
        weekdays=weekday_names(page.lang),
        weeks=month_weeks(period, shown, selection.themes, page.lang, page.today, holds)
        if period.view == "month" else [],
        week=week,
        count=len(events),
        hidden_count=sum(1 for e in events if e.visibility != "public"),
        hold_count=len(selection.holds),
        prev_url=go(date=period.previous.isoformat()),
        next_url=go(date=period.following.isoformat()),
        today_url=go(date=page.today.isoformat()),
        month_url=page.link("/partners/planner", {**form, "date": first_day}),
        week_url=page.link("/partners/planner", {**form, "view": "week", "date": first_day}),
        week_link=lambda day: go(view="week", date=day) + f"#day-{day}",
        csv_url=page_url("/partners/planner.csv", query),
        rfc_url=page_url("/partners/planner.csv", {**query, "dialect": "rfc4180"}),
        xlsx_url=page_url("/partners/planner.xlsx", query),
        ics_url=page_url("/partners/planner.ics", query),
        programme_url=page_url("/partners/programme", query),
        email_url=page_url("/partners/programme", {**query, "format": "email"}),
        holds_url=page.link("/partners/holds"),
        reset_url=page.link("/partners/planner", {**view, "date": period.first.isoformat()}),
        check=check,
        check_rows=rows,
        error=error,
        error_param=error_param,
        city_choices=[(c, city_name(c, page.lang)) for c in CITIES],
        stylesheet="planner.css",
    )  # fmt: skip
    return status, body


@get("/partners/planner", name="partners-planner", include_in_schema=False)
async def planner(request: Request[Any, Any, Any]) -> Response[Any]:
    entry = await require_session(request)
    if isinstance(entry, Response):
        return entry
    page = Page(request)
    status, body = await anyio.to_thread.run_sync(lambda: _planner(page, entry[0]))
    return html_response(body, status, page.lang)


def _export(request: Request[Any, Any, Any], fmt: str) -> Callable[[], Response[bytes]]:
    page = Page(request)

    def work() -> Response[bytes]:
        period = _period(page)
        selection = Selection(page, period)
        events = selection.events
        name = f"planner-{period_slug(period)}.{fmt}"
        if fmt == "csv":
            dialect = page.params.get("dialect") or "excel-nl"
            if dialect not in DIALECTS:
                raise InvalidFilterError("dialect", "must be excel-nl or rfc4180")
            body = planner_csv(events, page.lang, dialect)
            media = "text/csv; charset=utf-8"
        elif fmt == "xlsx":
            title = period_title(period, page.lang)
            body = planner_xlsx(events, selection.themes, selection.holds, page.lang, title)
            media = XLSX
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
    """CSV for Dutch Excel (``;``, UTF-8 with a BOM); ``?dialect=rfc4180`` for commas."""
    entry = await require_session(request)
    if isinstance(entry, Response):
        return entry
    return await anyio.to_thread.run_sync(_export(request, "csv"))


@get("/partners/planner.xlsx", name="partners-planner-xlsx", include_in_schema=False)
async def planner_xlsx_export(request: Request[Any, Any, Any]) -> Response[Any]:
    entry = await require_session(request)
    if isinstance(entry, Response):
        return entry
    return await anyio.to_thread.run_sync(_export(request, "xlsx"))


@get("/partners/planner.ics", name="partners-planner-ics", include_in_schema=False)
async def planner_ics_export(request: Request[Any, Any, Any]) -> Response[Any]:
    entry = await require_session(request)
    if isinstance(entry, Response):
        return entry
    return await anyio.to_thread.run_sync(_export(request, "ics"))


def _programme(page: Page, viewer: Viewer, email: bool) -> bytes:
    period = _period(page)
    selection = Selection(page, period)
    events = [e for e in selection.events if e.status != "cancelled" and not e.withdrawn]
    store = page.runtime.stores.get()
    base = page.base_url if email else ""
    weeks = programme_weeks(events, page.lang, period.first, pictures(store, events), base)
    theme = selection.themes[0] if selection.form.get("theme") and selection.themes else None
    theme_name = (theme.name_en if page.lang == "en" else theme.name_nl) if theme else ""
    heading = page.t["prog_title"].format(period=period_title(period, page.lang))
    if theme_name:
        heading = f"{theme_name}: {heading}"
    back = {**selection.form, **({"view": "week"} if period.view == "week" else {}),
            "date": period.first.isoformat()}  # fmt: skip
    return page.render(
        "programme_email.html" if email else "programme.html",
        **viewer_context(page, viewer),
        section="planner",
        heading=heading,
        weeks=weeks,
        count=len(events),
        hidden_count=sum(1 for e in events if e.visibility != "public"),
        base=page.base_url,
        planner_url=page.link("/partners/planner", back),
        email_url=page.link("/partners/programme", {**back, "format": "email"}),
        stylesheet="planner.css",
    )


@get("/partners/programme", name="partners-programme", include_in_schema=False)
async def programme(request: Request[Any, Any, Any]) -> Response[Any]:
    """A printable programme of the planner's selection (A4), or (``?format=email``) the
    same as e-mail HTML: tables, inline styles, absolute image addresses."""
    entry = await require_session(request)
    if isinstance(entry, Response):
        return entry
    page = Page(request)
    fmt = page.params.get("format") or "print"
    if fmt not in ("print", "email"):
        raise InvalidFilterError("format", "must be print or email")
    body = await anyio.to_thread.run_sync(lambda: _programme(page, entry[0], fmt == "email"))
    response = html_response(body, 200, page.lang)
    if fmt == "email":
        response.headers["Content-Security-Policy"] = EMAIL_CSP
    return response


ROUTES = [planner, planner_csv_export, planner_xlsx_export, planner_ics_export, programme]
