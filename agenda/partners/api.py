"""The partners' API: submit, change and withdraw their institution's events, with embargoes.

Keys travel as ``Authorization: Bearer KEY``. No key or a revoked key is a 401, another
institution's event a 403; after too many failed keys from one address, a 429. Every
write is audited. Submissions are listings of the source ``partner-{institution}`` and
take part in deduplication like any other source.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

import anyio
import msgspec
from litestar import Request, Response, Router, delete, get, patch, post
from litestar.params import FromPath

from agenda.classify import AUDIENCES
from agenda.dedup.decisions import event_conflicts
from agenda.errors import ForbiddenError, InvalidSubmissionError, NotFoundError
from agenda.filters import parse_filters
from agenda.model import Listing, SourceConfig, is_public
from agenda.normalize import KNOWN_CITIES, normalize_city
from agenda.partners.accounts import Partner, audit
from agenda.partners.auth import partner_guard, require_partner
from agenda.partners.fields import day_field, moment_field
from agenda.partners.holds import release_hold
from agenda.sanitize import DESCRIPTION_LIMIT, clean_description_cut, clean_title
from agenda.store.query import list_events
from agenda.sync.ingest import erase_listing, put_listing, withdraw_listing
from agenda.timeutil import AMSTERDAM
from agenda.web.runtime import Runtime
from agenda.web.views import event_out

_FIELDS = ("title", "start", "end", "all_day", "venue", "city", "url", "description",
           "categories", "visibility", "embargo_until", "external_id", "title_nl", "title_en",
           "description_nl", "description_en", "audience", "price", "ticket_url",
           "accessible", "image", "from_hold")  # fmt: skip
TEXT_LANGUAGES = ("nl", "en")
# A picture uploaded through the partner pages: stored by ``agenda.partners.pictures``.
UPLOADED_IMAGE = re.compile(r"^/images/[0-9a-f]{32}-1200\.jpg$")
PRICE_LIMIT = 200
URL_LIMIT = 2000


def _http_url(name: str, value: object, errors: list[dict[str, str]]) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        errors.append({"field": name, "message": "must be a string"})
        return None
    if not value.startswith(("http://", "https://")) or len(value) > URL_LIMIT or " " in value:
        errors.append({"field": name, "message": "must be an http(s) address"})
        return None
    return value


def listing_from(
    body: Any, partner: Partner, external_id: str | None, warnings: list[str] | None = None
) -> Listing:
    """Validate a submission; every bad field is named in one 400 answer.

    Title, description, venue and city are cleaned here, on the way in, as an importer
    cleans what it reads: what is stored is what every reader (API, feeds, exports,
    pages) may show. A description cut to the limit adds a line to ``warnings``.
    """
    errors: list[dict[str, str]] = []
    if not isinstance(body, dict):
        raise InvalidSubmissionError([{"field": "(body)", "message": "must be a JSON object"}])
    for name in sorted(set(body) - set(_FIELDS)):
        errors.append({"field": name, "message": "unknown field"})
    for name in ("venue", "city", "url", "description", "price", "title_nl", "title_en",
                 "description_nl", "description_en"):  # fmt: skip
        if body.get(name) is not None and not isinstance(body[name], str):
            errors.append({"field": name, "message": "must be a string"})
    titles = {
        lang: clean_title(body[f"title_{lang}"])
        for lang in TEXT_LANGUAGES
        if isinstance(body.get(f"title_{lang}"), str) and clean_title(body[f"title_{lang}"])
    }
    title = clean_title(body.get("title")) if isinstance(body.get("title"), str) else ""
    title = title or titles.get("nl") or titles.get("en") or ""
    if not title:
        errors.append({"field": "title", "message": "is required"})
    all_day = body.get("all_day", False)
    if not isinstance(all_day, bool):
        errors.append({"field": "all_day", "message": "must be true or false"})
        all_day = False
    times: dict[str, Any] = {}
    if "start" not in body:
        errors.append({"field": "start", "message": "is required"})
    elif all_day:
        times["start_date"] = day_field("start", body["start"], errors)
        if body.get("end"):
            times["end_date"] = day_field("end", body["end"], errors)
    else:
        times["start"] = moment_field("start", body["start"], errors)
        times["end"] = moment_field("end", body.get("end"), errors)
        if times["start"] and times["end"] and times["end"] < times["start"]:
            errors.append({"field": "end", "message": "is before start"})
    visibility = body.get("visibility", "public")
    if visibility not in ("public", "partners"):
        errors.append({"field": "visibility", "message": "must be public or partners"})
    embargo = moment_field("embargo_until", body.get("embargo_until"), errors)
    categories = body.get("categories", [])
    if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
        errors.append({"field": "categories", "message": "must be a list of strings"})
        categories = []
    audience = body.get("audience", [])
    if not isinstance(audience, list) or not all(isinstance(a, str) for a in audience):
        errors.append({"field": "audience", "message": "must be a list of strings"})
        audience = []
    elif unknown := [a for a in audience if a not in AUDIENCES]:
        known = ", ".join(AUDIENCES)
        errors.append({"field": "audience", "message": f"{unknown[0]!r} is not one of {known}"})
    accessible = body.get("accessible")
    if accessible is not None and not isinstance(accessible, bool):
        errors.append({"field": "accessible", "message": "must be true, false or null"})
    price = clean_title(body.get("price")) if isinstance(body.get("price"), str) else ""
    if len(price) > PRICE_LIMIT:
        errors.append({"field": "price", "message": f"is longer than {PRICE_LIMIT} characters"})
    ticket_url = _http_url("ticket_url", body.get("ticket_url"), errors)
    image = body.get("image")
    if isinstance(image, str) and UPLOADED_IMAGE.match(image):
        pass  # a picture uploaded through the partner pages, already on our origin
    else:
        image = _http_url("image", image, errors)
    city = body.get("city")
    if isinstance(city, str) and city.strip() and normalize_city(city) not in KNOWN_CITIES:
        region = ", ".join(sorted(KNOWN_CITIES))
        errors.append({"field": "city", "message": f"{city!r} is not in the region ({region})"})
    url = body.get("url")
    if isinstance(url, str) and url and not url.startswith(("http://", "https://")):
        errors.append({"field": "url", "message": "must be an http(s) address"})
    if errors:
        raise InvalidSubmissionError(errors)
    description, cut = clean_description_cut(body.get("description"))
    if cut and warnings is not None:
        warnings.append(f"description: cut to {DESCRIPTION_LIMIT:,} characters")
    descriptions: dict[str, str] = {}
    for lang in TEXT_LANGUAGES:
        text, cut = clean_description_cut(body.get(f"description_{lang}"))
        if text:
            descriptions[lang] = text
        if cut and warnings is not None:
            warnings.append(f"description_{lang}: cut to {DESCRIPTION_LIMIT:,} characters")
    description = description or descriptions.get("nl") or descriptions.get("en") or ""
    try:
        return Listing(
            source_id=partner.source_id,
            external_id=external_id or body.get("external_id") or uuid.uuid4().hex[:12],
            title=title,
            description=description,
            url=url or None,
            venue_name=clean_title(body.get("venue")) or None,
            city=normalize_city(clean_title(body.get("city"))) or None,
            categories=tuple(categories),
            visibility=visibility,
            embargo_until=embargo,
            titles=titles,
            descriptions=descriptions,
            audience=tuple(a for a in AUDIENCES if a in audience),
            accessible=accessible,
            price=price or None,
            ticket_url=ticket_url,
            image=image or None,
            **{k: v for k, v in times.items() if v is not None},
        )
    except ValueError as exc:
        raise InvalidSubmissionError([{"field": "start", "message": str(exc)}]) from None


def source_of(partner: Partner) -> SourceConfig:
    return SourceConfig(
        id=partner.source_id, name=f"{partner.institution} (partner)", format="partner",
        url=f"partner:{partner.institution}", kind="venue",
    )  # fmt: skip


def runtime_of(request: Request[Any, Any, Any]) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def own_submission(partner: Partner, external_id: str, runtime: Runtime) -> Listing:
    """The partner's own submission (a coordinator may take any partner's); 404 if there is
    none, 403 if it belongs to another institution."""
    submissions = {
        key: listing
        for key, (listing, _) in runtime.stores.get().listings_by_external_id(external_id).items()
        if key.startswith("partner-")
    }
    own = submissions.get(f"{partner.source_id}:{external_id}")
    if own is not None:
        return own
    if submissions and partner.role == "coordinator":
        return submissions[min(submissions)]
    if submissions:
        raise ForbiddenError("this event belongs to another institution")
    raise NotFoundError(f"no submission {external_id!r}")


async def _json_body(request: Request[Any, Any, Any]) -> Any:
    try:
        return msgspec.json.decode(await request.body())
    except msgspec.DecodeError as exc:
        raise InvalidSubmissionError([{"field": "(body)", "message": f"not JSON: {exc}"}]) from None


async def _store(
    runtime: Runtime, partner: Partner, owner: Partner, listing: Listing, action: str, details: Any
) -> str:
    """Store a submission for ``owner``, audited as ``partner``'s ``action``; its event id."""
    now = runtime.clock()

    def work() -> str:
        store = runtime.stores.get()
        event_id = put_listing(store, source_of(owner), listing, now)
        with store.transaction():
            audit(store, partner, partner.name, action, listing.key, now, details)
        return event_id

    result: str = await write(runtime, work)
    return result


async def write(runtime: Runtime, work: Any) -> Any:
    """Run ``work`` (store writes) off the event loop, then drop the cached answers."""

    def run() -> Any:
        result = work()
        runtime.cache.clear()
        return result

    return await anyio.to_thread.run_sync(run)


@get("/api/partner/events", summary="Everything partners may see, embargoes included")
async def partner_events(request: Request[Any, Any, Any]) -> Response[Any]:
    runtime = runtime_of(request)
    require_partner(request)
    params = {k: v for k, v in request.query_params.items()}
    filters = parse_filters(params, runtime.clock().astimezone(AMSTERDAM).date())
    events = list_events(runtime.stores.get(), filters, private=True)
    body = {
        "events": [
            {**msgspec.structs.asdict(event_out(e)), "visibility": e.visibility,
             "embargo_until": e.embargo_until.isoformat() if e.embargo_until else None}
            for e in events
        ]
    }  # fmt: skip
    return Response(msgspec.json.encode(body), media_type="application/json",
                    headers={"Cache-Control": "private, no-store"})  # fmt: skip


@post("/api/partner/events", summary="Submit an event (partner)", status_code=201)
async def submit(request: Request[Any, Any, Any]) -> Response[Any]:
    runtime = runtime_of(request)
    partner = require_partner(request)
    body = await _json_body(request)
    warnings: list[str] = []
    from_hold = body.get("from_hold") if isinstance(body, dict) else None
    if from_hold is not None and (not isinstance(from_hold, int) or isinstance(from_hold, bool)):
        raise InvalidSubmissionError([{"field": "from_hold", "message": "must be a hold id"}])
    listing = listing_from(body, partner, None, warnings)
    event_id = await _store(runtime, partner, partner, listing, "event.create", body)
    if from_hold is not None:
        await write(runtime, lambda: release_hold(runtime.stores.get(), partner, from_hold,
                                                  event_id, runtime.clock()))  # fmt: skip
    answer = {"id": listing.external_id, "event": event_id, "listing": listing.key,
              "conflicts": await _conflicts(runtime, event_id, listing.key)}  # fmt: skip
    return Response(
        {**answer, **({"warnings": warnings} if warnings else {})},
        status_code=201, headers={"Location": f"/api/partner/events/{listing.external_id}"},
    )  # fmt: skip


@patch("/api/partner/events/{external_id:str}", summary="Change a submitted event (partner)")
async def change(request: Request[Any, Any, Any], external_id: FromPath[str]) -> Response[Any]:
    runtime = runtime_of(request)
    partner = require_partner(request)
    current = own_submission(partner, external_id, runtime)
    changes = await _json_body(request)
    if not isinstance(changes, dict):
        raise InvalidSubmissionError([{"field": "(body)", "message": "must be a JSON object"}])
    merged = {**_as_body(current), **changes}
    owner = partner if current.source_id == partner.source_id else owner_of(current)
    warnings: list[str] = []
    listing = listing_from(merged, owner, current.external_id, warnings)
    event_id = await _store(runtime, partner, owner, listing, "event.update", changes)
    answer = {"id": listing.external_id, "event": event_id, "listing": listing.key,
              "conflicts": await _conflicts(runtime, event_id, listing.key)}  # fmt: skip
    return Response({**answer, **({"warnings": warnings} if warnings else {})})


@delete("/api/partner/events/{external_id:str}", summary="Withdraw a submitted event (partner)",
        status_code=200)  # fmt: skip
async def withdraw(request: Request[Any, Any, Any], external_id: FromPath[str]) -> Response[Any]:
    """Withdraw: a public event stays, shown as cancelled. ``?erase=true`` deletes a
    submission that was never public (a mistake, a test) as if it had never been."""
    runtime = runtime_of(request)
    partner = require_partner(request)
    current = own_submission(partner, external_id, runtime)
    now = runtime.clock()
    erase = request.query_params.get("erase", "").lower() in ("1", "true", "yes")
    if erase and is_public(current, now):
        raise InvalidSubmissionError(
            [{"field": "erase", "message": "this event has been public; withdraw it instead "
              "(it stays visible as cancelled)"}]
        )  # fmt: skip

    def work() -> None:
        store = runtime.stores.get()
        if erase:
            erase_listing(store, current.key, now)
        else:
            withdraw_listing(store, current.key, now)
        with store.transaction():
            action = "event.erase" if erase else "event.withdraw"
            audit(store, partner, partner.name, action, current.key, now, {})

    await write(runtime, work)
    if erase:
        return Response({"id": external_id, "erased": True})
    return Response({"id": external_id, "withdrawn": True})


@get("/api/partner/events/{external_id:str}", summary="One submission, its state and conflicts")
async def submission(request: Request[Any, Any, Any], external_id: FromPath[str]) -> Response[Any]:
    """The submission as sent, its event as partners and as the public see it, its public
    state, and where another source disagrees (nobody is silently overruled)."""
    runtime = runtime_of(request)
    partner = require_partner(request)
    current = own_submission(partner, external_id, runtime)
    now = runtime.clock()

    return Response(
        await anyio.to_thread.run_sync(lambda: submission_view(runtime.stores.get(), current, now))
    )


def submission_view(
    store: Any, current: Listing, now: datetime, event_id: str | None = None
) -> dict[str, Any]:
    """What ``GET /api/partner/events/{id}`` answers (and the partner pages show): the
    submission, its event, its public state, what the public sees, and its conflicts."""
    if event_id is None:
        event_id = store.memberships().get(current.key)
    state = submission_state(current, now)
    public = None
    if event_id is not None:
        try:
            shown = store.get_event(event_id)
            public = {"title": shown.title, "start": event_out(shown).start,
                      "venue": shown.venue.name if shown.venue else None,
                      "status": shown.status}  # fmt: skip
        except NotFoundError:
            public = None
    conflicts = conflict_rows(store, event_id, current.key) if event_id else []
    return {"id": current.external_id, "listing": current.key, "event": event_id,
            "state": state, "submission": _as_body(current), "public": public,
            "conflicts": conflicts}  # fmt: skip


def submission_state(listing: Listing, now: datetime) -> dict[str, Any]:
    """Where a submission stands: public, embargoed until a moment, or partners only."""
    if listing.embargo_until is not None and listing.embargo_until > now:
        return {"visibility": "embargo", "until": listing.embargo_until.isoformat()}
    if listing.visibility == "partners" and listing.embargo_until is None:
        return {"visibility": "partners"}
    return {"visibility": "public"}


def conflict_rows(store: Any, event_id: str, key: str) -> list[dict[str, str]]:
    found = event_conflicts(store, [event_id]).get(event_id, [])
    return [
        {
            "field": c.field,
            "ours": c.ours,
            "theirs": c.theirs,
            "source": c.other_key.split(":", 1)[0],
        }
        for c in found
        if c.partner_key == key
    ]


async def _conflicts(runtime: Runtime, event_id: str, key: str) -> list[dict[str, str]]:
    return await anyio.to_thread.run_sync(
        lambda: conflict_rows(runtime.stores.get(), event_id, key)
    )


def owner_of(listing: Listing) -> Partner:
    institution = listing.source_id.removeprefix("partner-")
    return Partner(id=0, name=institution, institution=institution, role="partner", created="")


def _as_body(listing: Listing) -> dict[str, Any]:
    all_day = listing.start_date is not None
    start = listing.start_date if all_day else listing.start
    end = listing.end_date if all_day else listing.end
    return {
        "title": listing.title,
        "start": start.isoformat() if start else None,
        "end": end.isoformat() if end else None,
        "all_day": all_day,
        "venue": listing.venue_name,
        "city": listing.city,
        "url": listing.url,
        "description": listing.description,
        "categories": list(listing.categories),
        "visibility": listing.visibility,
        "embargo_until": listing.embargo_until.isoformat() if listing.embargo_until else None,
        **{f"title_{lang}": listing.titles.get(lang) for lang in TEXT_LANGUAGES},
        **{f"description_{lang}": listing.descriptions.get(lang) for lang in TEXT_LANGUAGES},
        "audience": list(listing.audience),
        "price": listing.price,
        "ticket_url": listing.ticket_url,
        "accessible": listing.accessible,
        "image": listing.image,
    }


# Every route here needs a live key; the guard applies it (and the failed-key brake) once.
ROUTES = [
    Router(
        path="/",
        route_handlers=[partner_events, submission, submit, change, withdraw],
        guards=[partner_guard],
    )
]
