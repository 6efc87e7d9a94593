"""The partners' planner in the browser: /partners/planner and its CSV and iCalendar exports.

A signed-in partner (or coordinator) sees a month or a week of every event, embargoed
and partner-only ones too, with counts, evening clashes, themes and a clash check for a
date they have in mind; the exports carry the same selection. The handlers are thin:
``require_session`` (``agenda.partners.session``) lets them in, the data comes from
``agenda.partners.planner_data`` and ``agenda.partners.planner_days`` in a worker thread.
This module must not sign sessions, decide anything, or write to the store.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio
from litestar import Request, Response, get

from agenda.errors import InvalidFilterError
from agenda.filters import parse_filters
from agenda.model import Event
from agenda.partners.clashes import plan_window, rank_clashes
from agenda.partners.planner_data import (
    Period,
    check_plan,
    clash_rows,
    period_slug,
    period_title,
    planner_csv,
    planner_period,
)
from agenda.partners.planner_days import month_weeks, planner_days, weekday_names
from agenda.partners.session import (
    PRIVATE,
    Viewer,
    html_response,
    require_session,
    viewer_context,
)
from agenda.store.query import list_events
from agenda.timeutil import day_start, utc_iso
from agenda.vocabulary import category_ids
from agenda.web.i18n import CITIES, city_name
from agenda.web.page_data import canonical_form, filter_choices, filter_error, page_url
from agenda.web.pages import Page
from feeds.formats import feed_options
from feeds.ical import render_ics

FILTERS = ("city", "category", "audience", "theme")
CHECK_FIELDS = ("check_date", "check_time", "check_city", "check_category")
CLASHES_SHOWN = 20
Built = tuple[int, bytes]


def _selection(page: Page, period: Period) -> tuple[dict[str, str], list[Event]]:
    """The planner's filters and the events they select (embargoed and partner-only too)."""
    form = canonical_form({k: page.params[k] for k in FILTERS if page.params.get(k)})
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
    order = category_ids()
    listed = sorted(categories, key=lambda c: (order.index(c) if c in order else len(order), c))
    choices = filter_choices(page.lang, form, listed, [])
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
        **viewer_context(page, viewer),
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
    entry = await require_session(request)
    if isinstance(entry, Response):
        return entry
    return await anyio.to_thread.run_sync(_export(request, "csv"))


@get("/partners/planner.ics", name="partners-planner-ics", include_in_schema=False)
async def planner_ics_export(request: Request[Any, Any, Any]) -> Response[Any]:
    entry = await require_session(request)
    if isinstance(entry, Response):
        return entry
    return await anyio.to_thread.run_sync(_export(request, "ics"))


ROUTES = [planner, planner_csv_export, planner_ics_export]
