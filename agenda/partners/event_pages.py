"""A partner's own events in the browser: "My events", the event form, withdraw and delete.

/partners/events lists the institution's submissions and its source's listings, each with
its public state and its conflicts (``agenda.partners.api.submission_view``, the same
answer as ``GET /api/partner/events/{id}``). /partners/events/new and /partners/events/{id}
are one form whose input names are the API's field names: the form becomes an API body
(``form_body``) and goes through the API's own ``listing_from``, so a bad field gets the
API's message, shown next to it. A picture is uploaded (checked and stored by
``agenda.sync.pictures``, served from /images) or given as an address. Every write passes
``require_session`` (CSRF) and is audited. This module must not sign sessions, and must
not validate a submission in any way the API does not.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import anyio
from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.response import Redirect

from agenda import vocabulary
from agenda.classify import AUDIENCES
from agenda.dedup.gazetteer import Gazetteer
from agenda.errors import AgendaError, InvalidSubmissionError, NotFoundError
from agenda.model import Event, Listing, is_public
from agenda.normalize import KNOWN_CITIES
from agenda.partners.accounts import Partner, audit
from agenda.partners.api import (
    listing_from,
    own_submission,
    owner_of,
    source_of,
    submission_view,
    write,
)
from agenda.partners.holds import Hold, get_hold, release_hold
from agenda.partners.session import (
    Viewer,
    html_response,
    message_page,
    require_session,
    viewer_context,
)
from agenda.partners.session import runtime_of as session_runtime
from agenda.pictures import picture_for
from agenda.store.database import Store
from agenda.sync.ingest import erase_listing, put_listing, withdraw_listing
from agenda.sync.pictures import Processed, Refused, process, store_upload
from agenda.timeutil import AMSTERDAM, to_local
from agenda.web.i18n import audience_name, standing
from agenda.web.pages import Page
from agenda.web.runtime import Runtime
from feeds.labels import clock, short_day

# The form's fields in the order they are shown (the first bad one gets the focus).
FORM_FIELDS = (
    "title",
    "start",
    "end",
    "all_day",
    "venue",
    "city",
    "categories",
    "audience",
    "description",
    "title_nl",
    "title_en",
    "description_nl",
    "description_en",
    "url",
    "price",
    "ticket_url",
    "accessible",
    "picture",
    "image",
    "visibility",
    "embargo_until",
)
_TEXT = (
    "title",
    "start",
    "end",
    "venue",
    "city",
    "url",
    "description",
    "title_nl",
    "title_en",
    "description_nl",
    "description_en",
    "price",
    "ticket_url",
    "image",
    "visibility",
    "embargo_until",
)
REGION_CITIES = ("Den Haag", "Leiden", "Delft")
LISTED = 300  # "My events" shows at most this many listings


# --- the form as an API body (pure) ---------------------------------------------------------


def _all(form: Mapping[str, Any], name: str) -> list[str]:
    getall = getattr(form, "getall", None)
    values = getall(name, []) if getall else form.get(name, [])
    values = values if isinstance(values, list) else [values]
    return [str(v) for v in values if isinstance(v, str) and v.strip()]


def form_body(form: Mapping[str, Any]) -> dict[str, Any]:
    """The API body a submitted form means: the same field names, the API's types."""
    body: dict[str, Any] = {}
    for name in _TEXT:
        value = form.get(name)
        text = value.strip() if isinstance(value, str) else ""
        body[name] = text or None
    body["title"] = body["title"] or ""
    body["visibility"] = body["visibility"] or "public"
    body["all_day"] = form.get("all_day") in ("on", "true", "1")
    body["categories"] = _all(form, "categories")
    body["audience"] = _all(form, "audience")
    body["accessible"] = {"yes": True, "no": False}.get(str(form.get("accessible") or ""))
    if body["start"] is None:
        del body["start"]  # the API's "is required"
    return body


def _local_input(value: str | None, all_day: bool) -> str:
    """An ISO moment or day as a ``datetime-local`` input shows it (Amsterdam time)."""
    if not value:
        return ""
    try:
        if all_day or len(value) == 10:
            return f"{date.fromisoformat(value[:10]).isoformat()}T00:00"
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:  # as typed: already Amsterdam time
            return moment.strftime("%Y-%m-%dT%H:%M")
        return moment.astimezone(AMSTERDAM).strftime("%Y-%m-%dT%H:%M")
    except ValueError:
        return value


def form_values(body: Mapping[str, Any]) -> dict[str, Any]:
    """What the form's inputs show for an API body (a stored submission's or a posted one)."""
    values = {name: body.get(name) or "" for name in _TEXT}
    all_day = bool(body.get("all_day"))
    for name in ("start", "end", "embargo_until"):
        raw = body.get(name)
        values[name] = _local_input(raw, all_day and name != "embargo_until") if raw else ""
    values["all_day"] = all_day
    values["categories"] = list(body.get("categories") or [])
    values["audience"] = list(body.get("audience") or [])
    values["accessible"] = {True: "yes", False: "no"}.get(body.get("accessible"), "")  # type: ignore[arg-type]
    values["visibility"] = body.get("visibility") or "public"
    return values


def field_errors(errors: list[dict[str, str]]) -> tuple[dict[str, str], list[str]]:
    """The API's errors by form field, and those no field of the form shows."""
    by_field: dict[str, str] = {}
    other: list[str] = []
    for error in errors:
        name = error["field"]
        if name in FORM_FIELDS:
            by_field[name] = (
                f"{by_field[name]}; {error['message']}" if name in by_field else (error["message"])
            )
        else:
            other.append(f"{name}: {error['message']}")
    return by_field, other


# --- reading ------------------------------------------------------------------------------


def _acting_partner(viewer: Viewer) -> Partner:
    """Who the API would see: the account, or (the server's key) a coordinator without one."""
    if viewer.partner is not None:
        return viewer.partner
    return Partner(id=0, name=viewer.name, institution="", role="coordinator", created="")


def _when(listing: Listing, lang: str, all_day_label: str) -> str:
    if listing.start is not None:
        return f"{short_day(to_local(listing.start).date(), lang)} {clock(listing.start, lang)}"
    assert listing.start_date is not None
    return f"{short_day(listing.start_date, lang)} ({all_day_label})"


def _sort_key(listing: Listing) -> str:
    if listing.start is not None:
        return listing.start.isoformat()
    return (listing.start_date or date.min).isoformat()


def _last_day(listing: Listing) -> str:
    if listing.start is not None:
        return to_local(listing.end or listing.start).date().isoformat()
    return (listing.end_date or listing.start_date or date.min).isoformat()


def _status(page: Page, state: Mapping[str, str], withdrawn: bool) -> str:
    """A submission's public state in words (``submission_state``'s, or withdrawn)."""
    if withdrawn:
        return page.t["pe_state_withdrawn"]
    if state["visibility"] == "embargo":
        until = datetime.fromisoformat(state["until"])
        moment = f"{short_day(to_local(until).date(), page.lang)} {clock(until, page.lang)}"
        return page.t["pe_state_embargo"].format(moment=moment)
    return page.t[f"pe_state_{state['visibility']}"]


def _row(
    store: Store,
    listing: Listing,
    state: str,
    event_id: str | None,
    page: Page,
    members: Mapping[str, list[str]],
    names: Mapping[str, str],
) -> dict[str, Any]:
    """One line of "My events": the submission's view (as the API answers) and its state."""
    view = submission_view(store, listing, page.now, event_id)
    t = page.t
    status = _status(page, view["state"], state == "withdrawn")
    if listing.status == "cancelled" and state != "withdrawn":
        status = f"{status} · {t['pe_cancelled']}"
    others = [k for k in members.get(str(event_id), []) if k != listing.key]
    merged = None
    if event_id and others:
        title = view["public"]["title"] if view["public"] else listing.title
        sources = sorted({names.get(k.split(":")[0], k.split(":")[0]) for k in others})
        merged = {"event": event_id, "title": title, "sources": ", ".join(sources)}
    return {
        "id": listing.external_id,
        "key": listing.key,
        "title": listing.title,
        "when": _when(listing, page.lang, t["all_day"]),
        "status": status,
        "withdrawn": state == "withdrawn",
        "merged": merged,
        "event": event_id,
        "public": view["public"] is not None and state != "withdrawn",
        "own": listing.source_id.startswith("partner-"),
        "conflicts": [
            {
                **c,
                "field": t.get(f"pp_field_{c['field']}", c["field"]),
                "source": names.get(c["source"], c["source"]),
            }
            for c in view["conflicts"]
        ],
    }


def my_events(page: Page, viewer: Viewer) -> list[dict[str, Any]]:
    """The institution's submissions and its source's listings (a coordinator: every
    partner's submissions), upcoming first."""
    store = page.runtime.stores.get()
    if viewer.partner is not None and viewer.role != "coordinator":
        sources = [viewer.partner.source_id, viewer.partner.institution]
    else:
        sources = [s for s in store.source_ids() if s.startswith("partner-")]
        if viewer.partner is not None:
            sources.append(viewer.partner.institution)
    keys = [key for source in sources for key in store.listing_index(source)]
    found = store.listings(keys)
    memberships = store.memberships()
    members = store.members_of({memberships[k] for k in found if k in memberships})
    names = {row["id"]: row["name"] for row in store.source_rows()}
    today = page.today.isoformat()
    ordered = sorted(found.values(), key=lambda pair: _sort_key(pair[0]))
    upcoming = [p for p in ordered if _last_day(p[0]) >= today]
    past = [p for p in reversed(ordered) if _last_day(p[0]) < today]
    return [
        _row(store, listing, state, memberships.get(listing.key), page, members, names)
        for listing, state in [*upcoming, *past][:LISTED]
    ]


# --- the pages ----------------------------------------------------------------------------


def _choices(page: Page, venue_query: str = "") -> dict[str, Any]:
    gazetteer = Gazetteer.bundled()
    venues = sorted({(v.name, v.city) for v in gazetteer.venues()}, key=lambda v: v[0].lower())
    if venue_query:
        wanted = venue_query.casefold()
        venues = [v for v in venues if wanted in v[0].casefold()]
    return {
        "venues": [{"name": name, "city": city} for name, city in venues],
        "cities": [c for c in REGION_CITIES if c in KNOWN_CITIES] or sorted(KNOWN_CITIES),
        "categories": [
            (t.id, vocabulary.label(t.id, page.lang)) for t in vocabulary.load().categories
        ],
        "audiences": [(a, standing(audience_name(a, page.lang))) for a in AUDIENCES],
    }


def _form_page(
    page: Page,
    viewer: Viewer,
    *,
    values: Mapping[str, Any],
    current: Listing | None = None,
    errors: Mapping[str, str] | None = None,
    other_errors: list[str] | None = None,
    preview: Mapping[str, Any] | None = None,
    status: int = 200,
    flash: str = "",
    view: Mapping[str, Any] | None = None,
) -> Response[bytes]:
    errors = errors or {}
    first = next((name for name in FORM_FIELDS if name in errors), None)
    store = page.runtime.stores.get()
    picture = None
    image = values.get("image")
    if image:
        stored = store.pictures([str(image)])
        picture = picture_for(
            Event(
                id="preview",
                title=str(values.get("title") or ""),
                start_date=page.today,
                image=str(image),
            ),
            stored,
        )
    body = page.render(
        "partner_event_form.html",
        **_viewer(page, viewer),
        section="events",
        values=values,
        current=current.external_id if current else None,
        current_title=current.title if current else "",
        erasable=current is not None and not is_public(current, page.now),
        errors=errors,
        other_errors=other_errors or [],
        first_error=first,
        preview=preview,
        picture=picture,
        flash=flash,
        view=view,
        venue_query=page.params.get("venue_q", ""),
        **_choices(page, page.params.get("venue_q", "")),
    )
    return html_response(body, status, page.lang)


def _viewer(page: Page, viewer: Viewer) -> dict[str, Any]:
    return viewer_context(page, viewer)


@get("/partners/events", name="partners-events", include_in_schema=False)
async def events_list(request: Request[Any, Any, Any]) -> Response[Any]:
    entry = await require_session(request)
    if isinstance(entry, Response):
        return entry
    page, viewer = Page(request), entry[0]
    rows = await anyio.to_thread.run_sync(lambda: my_events(page, viewer))
    done = page.params.get("done", "")
    flash = page.t.get(f"pe_done_{done}", "") if done.isidentifier() else ""
    body = page.render(
        "partner_events.html", **_viewer(page, viewer), section="events", rows=rows, flash=flash
    )
    return html_response(body, 200, page.lang)


@get("/partners/events/new", name="partners-event-new", include_in_schema=False)
async def event_new(request: Request[Any, Any, Any]) -> Response[Any]:
    entry = await require_session(request)
    if isinstance(entry, Response):
        return entry
    page = Page(request)
    partner = entry[0].partner
    if partner is None:
        return message_page(page, 403, page.t["pp_forbidden_title"], page.t["pe_no_institution"])
    values = form_values({})
    hold_id = page.params.get("from_hold", "")
    if hold_id.isdigit():
        hold = await anyio.to_thread.run_sync(lambda: _own_hold(page, partner, int(hold_id)))
        if hold is not None:
            values = {**form_values(hold_body(hold)), "from_hold": str(hold.id)}
    return _form_page(page, entry[0], values=values)


def _own_hold(page: Page, partner: Partner, hold_id: int) -> Hold | None:
    """The institution's own live hold, or None (another's, expired or removed: no prefill)."""
    try:
        hold = get_hold(page.runtime.stores.get(), hold_id)
    except NotFoundError:
        return None
    live = hold.removed is None and hold.expires >= page.today
    return hold if live and hold.institution == partner.institution else None


def hold_body(hold: Hold) -> dict[str, Any]:
    """What a hold already says about the event it becomes (the form starts from it)."""
    start = hold.start
    return {
        "title": hold.title or "",
        "start": start.isoformat() if start is not None else hold.day.isoformat(),
        "all_day": start is None,
        "city": hold.city,
        "categories": [hold.category],
        "audience": [hold.audience] if hold.audience else [],
    }


def _submission(runtime: Runtime, viewer: Viewer, external_id: str) -> Listing:
    return own_submission(_acting_partner(viewer), external_id, runtime)


@get("/partners/events/{external_id:str}", name="partners-event", include_in_schema=False)
async def event_edit(request: Request[Any, Any, Any], external_id: FromPath[str]) -> Response[Any]:
    entry = await require_session(request)
    if isinstance(entry, Response):
        return entry
    page, viewer = Page(request), entry[0]
    runtime = session_runtime(request)

    def read() -> tuple[Listing, dict[str, Any]]:
        current = _submission(runtime, viewer, external_id)
        store = runtime.stores.get()
        view = submission_view(store, current, page.now)
        state = store.listings([current.key]).get(current.key, (current, "active"))[1]
        return current, {**view, "withdrawn": state == "withdrawn"}

    current, view = await anyio.to_thread.run_sync(read)
    done = page.params.get("done", "")
    flash = page.t.get(f"pe_done_{done}", "") if done.isidentifier() else ""
    return _form_page(
        page,
        viewer,
        values=form_values(view["submission"]),
        current=current,
        flash=flash,
        view=_view_text(page, view),
    )


def _view_text(page: Page, view: Mapping[str, Any]) -> dict[str, Any]:
    names = {row["id"]: row["name"] for row in page.runtime.stores.get().source_rows()}
    return {
        "event": view["event"],
        "public": view["public"],
        "status": _status(page, view["state"], bool(view.get("withdrawn"))),
        "withdrawn": bool(view.get("withdrawn")),
        "conflicts": [
            {
                **c,
                "field": page.t.get(f"pp_field_{c['field']}", c["field"]),
                "source": names.get(c["source"], c["source"]),
            }
            for c in view["conflicts"]
        ],
    }


async def _upload(
    runtime: Runtime, form: Mapping[str, Any], viewer: Viewer
) -> tuple[str | None, str | None]:
    """The uploaded picture's address once checked and stored (audited), or its problem."""
    upload = form.get("picture")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None, None
    data = await upload.read()
    if not data:
        return None, None
    try:
        processed: Processed = await anyio.to_thread.run_sync(process, data)
    except Refused as exc:
        return None, str(exc)
    now = runtime.clock()

    def keep() -> str:
        store = runtime.stores.get()
        url = store_upload(store, runtime.settings.images_folder, processed, now)
        with store.transaction():
            audit(
                store,
                viewer.partner,
                viewer.name,
                "picture.upload",
                url,
                now,
                {"file": str(upload.filename)[:200], "bytes": len(data)},
            )
        return url

    return await write(runtime, keep), None


async def _save(request: Request[Any, Any, Any], external_id: str | None) -> Response[Any]:
    entry = await require_session(request)
    if isinstance(entry, Response):
        return entry
    viewer, form = entry
    runtime, page = session_runtime(request), Page(request)
    acting = _acting_partner(viewer)
    current = None
    if external_id is not None:
        current = await anyio.to_thread.run_sync(lambda: _submission(runtime, viewer, external_id))
        owner = acting if current.source_id == acting.source_id else owner_of(current)
    elif viewer.partner is None:
        return message_page(page, 403, page.t["pp_forbidden_title"], page.t["pe_no_institution"])
    else:
        owner = viewer.partner
    body = form_body(form)
    hold_text = str(form.get("from_hold") or "")
    hold_id = int(hold_text) if hold_text.isdigit() and current is None else None
    image, picture_problem = await _upload(runtime, form, viewer)
    if image:
        body["image"] = image
    values = form_values(body)
    if hold_id is not None:
        values["from_hold"] = str(hold_id)
    errors: list[dict[str, str]] = []
    warnings: list[str] = []
    listing = None
    try:
        listing = listing_from(body, owner, current.external_id if current else None, warnings)
    except InvalidSubmissionError as exc:
        errors = list(exc.errors)
    if picture_problem:
        errors.append({"field": "picture", "message": picture_problem})
    if errors or listing is None:
        by_field, other = field_errors(errors)
        return _form_page(
            page,
            viewer,
            values=values,
            current=current,
            errors=by_field,
            other_errors=other,
            status=400,
        )
    if form.get("action") == "preview":
        return _form_page(
            page, viewer, values=values, current=current, preview=_preview(page, listing)
        )
    action = "event.update" if current else "event.create"
    now = runtime.clock()
    saved = listing

    def work() -> str:
        store = runtime.stores.get()
        event_id = put_listing(store, source_of(owner), saved, now)
        with store.transaction():
            audit(
                store, viewer.partner, viewer.name, action, saved.key, now, {**body, "via": "form"}
            )
        if hold_id is not None:  # the pencilled-in date became this event
            release_hold(store, owner, hold_id, event_id, now)
        return event_id

    await write(runtime, work)
    done = "updated" if current else "created"
    target = page.link(f"/partners/events/{listing.external_id}", {"done": done})
    return Redirect(target, status_code=303)


def _preview(page: Page, listing: Listing) -> dict[str, Any]:
    """What the public page will show (in the page's language)."""
    title = listing.titles.get(page.lang) or listing.title
    description = listing.descriptions.get(page.lang) or listing.description
    return {
        "title": title,
        "when": _when(listing, page.lang, page.t["all_day"]),
        "venue": listing.venue_name,
        "city": listing.city,
        "description": description,
        "price": listing.price,
        "ticket_url": listing.ticket_url,
        "categories": [vocabulary.label(c, page.lang) for c in listing.categories],
        "audience": [vocabulary.audience_labels(page.lang).get(a, a) for a in listing.audience],
        "accessible": listing.accessible,
    }


@post("/partners/events/new", name="partners-event-create", include_in_schema=False)
async def event_create(request: Request[Any, Any, Any]) -> Response[Any]:
    return await _save(request, None)


@post("/partners/events/{external_id:str}", name="partners-event-update", include_in_schema=False)
async def event_update(
    request: Request[Any, Any, Any], external_id: FromPath[str]
) -> Response[Any]:
    return await _save(request, external_id)


async def _end(request: Request[Any, Any, Any], external_id: str, erase: bool) -> Response[Any]:
    """Withdraw (a public event stays, shown as cancelled) or delete what was never public."""
    entry = await require_session(request)
    if isinstance(entry, Response):
        return entry
    viewer = entry[0]
    runtime, page = session_runtime(request), Page(request)
    current = await anyio.to_thread.run_sync(lambda: _submission(runtime, viewer, external_id))
    now = runtime.clock()
    if erase and is_public(current, now):
        return message_page(page, 400, page.t["pe_cannot_delete_title"], page.t["pe_cannot_delete"])

    def work() -> None:
        store = runtime.stores.get()
        if erase:
            erase_listing(store, current.key, now)
        else:
            withdraw_listing(store, current.key, now)
        with store.transaction():
            action = "event.erase" if erase else "event.withdraw"
            audit(store, viewer.partner, viewer.name, action, current.key, now, {"via": "form"})

    try:
        await write(runtime, work)
    except (NotFoundError, AgendaError):
        return message_page(page, 409, page.t["pe_stale_title"], page.t["pe_stale"])
    if erase:
        return Redirect(page.link("/partners/events", {"done": "erased"}), status_code=303)
    return Redirect(
        page.link(f"/partners/events/{external_id}", {"done": "withdrawn"}), status_code=303
    )


@post(
    "/partners/events/{external_id:str}/withdraw",
    name="partners-event-withdraw",
    include_in_schema=False,
)
async def event_withdraw(
    request: Request[Any, Any, Any], external_id: FromPath[str]
) -> Response[Any]:
    return await _end(request, external_id, erase=False)


@post(
    "/partners/events/{external_id:str}/delete",
    name="partners-event-delete",
    include_in_schema=False,
)
async def event_delete(
    request: Request[Any, Any, Any], external_id: FromPath[str]
) -> Response[Any]:
    return await _end(request, external_id, erase=True)


ROUTES = [
    events_list,
    event_new,
    event_edit,
    event_create,
    event_update,
    event_withdraw,
    event_delete,
]
