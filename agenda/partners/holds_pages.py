"""Holds over HTTP: /partners/holds (list and form) and /api/partner/holds.

A partner pencils in a date in the browser (CSRF-checked form) or over the API (same
validation, ``agenda.partners.holds.parse_hold``); every partner sees the live holds, the
owner (or a coordinator) removes one, and "make it an event" opens the submission form
pre-filled (``/partners/events/new?from_hold=ID``). Every write is audited. The handlers
are thin: the rules live in ``agenda.partners.holds``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import anyio
import msgspec
from litestar import Request, Response, Router, delete, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from agenda.errors import AgendaError, InvalidSubmissionError, NotFoundError
from agenda.partners.auth import partner_guard, request_identity
from agenda.partners.holds import (
    FIELDS,
    Hold,
    Owner,
    create_hold,
    live_holds,
    parse_hold,
    remove_hold,
)
from agenda.partners.session import Viewer, html_response, require_session, viewer_context
from agenda.vocabulary import category_ids
from agenda.vocabulary import label as category_label
from agenda.web.i18n import CITIES, audience_name, city_name, standing
from agenda.web.pages import Page
from agenda.web.runtime import Runtime
from feeds.labels import long_day

AUDIENCES = ("family", "children", "students", "adults", "seniors")


def _owner_of_viewer(viewer: Viewer) -> Owner:
    return Owner(viewer.partner, viewer.name, viewer.role)


def hold_item(hold: Hold, lang: str, owner: Owner | None = None) -> dict[str, Any]:
    """A hold as pages show it, in ``lang``."""
    mine = owner is not None and (owner.institution == hold.institution)
    return {
        "id": hold.id,
        "day": hold.day.isoformat(),
        "day_text": long_day(hold.day, lang),
        "time": hold.time or "",
        "category": category_label(hold.category, lang),
        "city": city_name(hold.city, lang),
        "audience": audience_name(hold.audience, lang) if hold.audience else "",
        "title": hold.title or "",
        "institution": hold.institution,
        "partner": hold.partner,
        "expires": hold.expires.isoformat(),
        "expires_text": long_day(hold.expires, lang),
        "mine": mine,
        "removable": mine or (owner is not None and owner.role == "coordinator"),
    }


def _holds_page(
    page: Page,
    viewer: Viewer,
    status: int = 200,
    form: Mapping[str, Any] | None = None,
    errors: list[dict[str, str]] | None = None,
) -> tuple[int, bytes]:
    store = page.runtime.stores.get()
    owner = _owner_of_viewer(viewer)
    holds = [hold_item(h, page.lang, owner) for h in live_holds(store, page.today)]
    done = page.params.get("done", "")
    values = {k: str((form or {}).get(k) or "") for k in FIELDS}
    if not values["day"]:
        values["day"] = page.params.get("day", "")
    bad = {e["field"] for e in errors or []}
    body = page.render(
        "holds.html",
        **viewer_context(page, viewer),
        section="holds",
        holds=holds,
        mine=[h for h in holds if h["mine"]],
        others=[h for h in holds if not h["mine"]],
        values=values,
        bad=bad,
        errors=[page.t[f"hold_err_{e['field']}"] for e in errors or []
                if f"hold_err_{e['field']}" in page.t],
        categories=[(c, category_label(c, page.lang)) for c in category_ids()],
        cities=[(c, city_name(c, page.lang)) for c in CITIES],
        audiences=[(a, standing(audience_name(a, page.lang))) for a in AUDIENCES],
        flash=page.t.get(f"hold_done_{done}", "") if done.isidentifier() else "",
        today=page.today.isoformat(),
    )  # fmt: skip
    return status, body


@get("/partners/holds", name="partners-holds", include_in_schema=False)
async def holds_page(request: Request[Any, Any, Any]) -> Response[Any]:
    entry = await require_session(request)
    if isinstance(entry, Response):
        return entry
    page = Page(request)
    status, body = await anyio.to_thread.run_sync(lambda: _holds_page(page, entry[0]))
    return html_response(body, status, page.lang)


def _runtime(request: Request[Any, Any, Any]) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


@post("/partners/holds", name="partners-holds-create", include_in_schema=False, status_code=303)
async def holds_create(request: Request[Any, Any, Any]) -> Response[Any]:
    entry = await require_session(request)
    if isinstance(entry, Response):
        return entry
    viewer, form = entry
    page, runtime = Page(request), _runtime(request)
    fields = {k: form.get(k) for k in FIELDS if form.get(k) not in (None, "")}

    def work() -> Response[Any]:
        try:
            parsed = parse_hold(fields, page.today)
            create_hold(runtime.stores.get(), _owner_of_viewer(viewer), parsed, runtime.clock())
        except InvalidSubmissionError as exc:
            status, body = _holds_page(page, viewer, 400, form, exc.errors)
            return html_response(body, status, page.lang)
        runtime.cache.clear()
        return Redirect(page.link("/partners/holds", {"done": "created"}), status_code=303)

    return await anyio.to_thread.run_sync(work)


@post("/partners/holds/remove", name="partners-holds-remove", include_in_schema=False,
      status_code=303)  # fmt: skip
async def holds_remove(request: Request[Any, Any, Any]) -> Response[Any]:
    entry = await require_session(request)
    if isinstance(entry, Response):
        return entry
    viewer, form = entry
    page, runtime = Page(request), _runtime(request)
    text = str(form.get("hold") or "")

    def work() -> str:
        if not text.isdigit():
            return "stale"
        try:
            remove_hold(runtime.stores.get(), _owner_of_viewer(viewer), int(text), runtime.clock())
        except AgendaError:
            return "stale"
        runtime.cache.clear()
        return "removed"

    done = await anyio.to_thread.run_sync(work)
    return Redirect(page.link("/partners/holds", {"done": done}), status_code=303)


# --- the API ------------------------------------------------------------------------------


def _api_owner(request: Request[Any, Any, Any]) -> Owner:
    found = request_identity(request)
    return Owner(found.partner, found.name, found.role)


def _json(body: Any, status: int = 200) -> Response[Any]:
    return Response(msgspec.json.encode(body), status_code=status, media_type="application/json",
                    headers={"Cache-Control": "private, no-store"})  # fmt: skip


@get("/api/partner/holds", summary="Live holds of every partner (dates pencilled in)")
async def api_holds(request: Request[Any, Any, Any]) -> Response[Any]:
    runtime = _runtime(request)
    today = Page(request).today
    holds = await anyio.to_thread.run_sync(lambda: live_holds(runtime.stores.get(), today))
    return _json({"holds": [h.as_json() for h in holds]})


@post("/api/partner/holds", summary="Pencil in a date (partner)", status_code=201)
async def api_hold_create(request: Request[Any, Any, Any]) -> Response[Any]:
    """``day`` (YYYY-MM-DD), optional ``time`` (HH:MM), ``category``, ``city``, optional
    ``audience`` and ``title``, ``expires`` (a day, at the latest ``day``; default ``day``)."""
    runtime, owner = _runtime(request), _api_owner(request)
    try:
        body = msgspec.json.decode(await request.body())
    except msgspec.DecodeError as exc:
        raise InvalidSubmissionError([{"field": "(body)", "message": f"not JSON: {exc}"}],
                                     "hold") from None  # fmt: skip
    parsed = parse_hold(body, Page(request).today)

    def work() -> Hold:
        hold = create_hold(runtime.stores.get(), owner, parsed, runtime.clock())
        runtime.cache.clear()
        return hold

    hold = await anyio.to_thread.run_sync(work)
    response = _json(hold.as_json(), 201)
    response.headers["Location"] = f"/api/partner/holds/{hold.id}"
    return response


@delete("/api/partner/holds/{hold_id:str}", summary="Remove a hold (its owner)", status_code=200)
async def api_hold_delete(request: Request[Any, Any, Any], hold_id: FromPath[str]) -> Response[Any]:
    runtime, owner = _runtime(request), _api_owner(request)
    if not hold_id.isdigit() or len(hold_id) > 12:
        raise NotFoundError(f"no hold {hold_id!r}")

    def work() -> Hold:
        hold = remove_hold(runtime.stores.get(), owner, int(hold_id), runtime.clock())
        runtime.cache.clear()
        return hold

    hold = await anyio.to_thread.run_sync(work)
    return _json({"id": hold.id, "removed": True})


PAGE_ROUTES = [holds_page, holds_create, holds_remove]
API_ROUTES = [
    Router(path="/", route_handlers=[api_holds, api_hold_create, api_hold_delete],
           guards=[partner_guard])
]  # fmt: skip
