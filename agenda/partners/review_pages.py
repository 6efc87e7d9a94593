"""The coordinators' review queue in the browser: /partners/review and its four actions.

Coordinators see the grey-zone pairs of listings still apart (each side as its event
with every listing it holds) and the sources held back for confirmation; they merge two
events, keep them apart for good, split a listing off, or confirm a held source. Every
action is audited and goes back to the queue with a flash message; a pair changed in
another tab meanwhile is reported as stale. ``require_session`` (``agenda.partners.session``)
lets only coordinators in and checks each POST's CSRF token. This module owns the
queue's rows too (``review_rows``); it must not sign sessions or change events other
than through ``agenda.dedup.decisions`` and ``agenda.partners.imports.run_import``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import anyio
from litestar import Request, Response, get, post
from litestar.response import Redirect

from agenda.dedup import decisions as decide
from agenda.errors import AgendaError, NotFoundError, SourceBusyError
from agenda.model import Listing
from agenda.normalize import fold
from agenda.partners.accounts import audit
from agenda.partners.imports import run_import
from agenda.partners.session import (
    Viewer,
    html_response,
    require_session,
    runtime_of,
    viewer_context,
)
from agenda.store.database import Store
from agenda.timeutil import to_local
from agenda.web.i18n import city_name, labels
from agenda.web.pages import Page
from agenda.web.runtime import Runtime
from feeds.base import plain_text
from feeds.labels import clock, short_day

REVIEW_SHOWN = 50


# --- the queue's rows -----------------------------------------------------------------------


def _listing_when(listing: Listing, lang: str) -> str:
    if listing.start is not None:
        return f"{short_day(to_local(listing.start).date(), lang)} {clock(listing.start, lang)}"
    assert listing.start_date is not None
    return f"{short_day(listing.start_date, lang)} ({labels(lang)['all_day']})"


_REASONS_NL = [
    (re.compile(r"^same date range$"), "dezelfde periode"),
    (re.compile(r"^date ranges share a first or last day$"),
     "de periodes beginnen of eindigen op dezelfde dag"),
    (re.compile(r"^overlapping date ranges$"), "de periodes overlappen"),
    (re.compile(r"^one-day listing on the first day of a span$"),
     "een eendaagse vermelding op de eerste dag van een periode"),
    (re.compile(r"^same start$"), "zelfde begintijd"),
    (re.compile(r"^starts (?P<n>\d+) min earlier in a secondary source$"),
     "begint {n} min eerder bij een tweede bron"),
    (re.compile(r"^same day$"), "dezelfde dag"),
    (re.compile(r"^a timed listing on an all-day listing's day$"),
     "een vermelding met tijd op de dag van een hele-dagvermelding"),
    (re.compile(r"^same venue$"), "dezelfde locatie"),
    (re.compile(r"^same street address$"), "hetzelfde adres"),
    (re.compile(r"^venue unknown on one side$"), "locatie aan één kant onbekend"),
    (re.compile(r"^different venue names (?P<n>\d+) m apart$"),
     "andere locatienaam, {n} m uit elkaar"),
    (re.compile(r"^different venue names, same postcode$"), "andere locatienaam, zelfde postcode"),
    (re.compile(r"^different venue names, no location to compare$"),
     "andere locatienaam, geen plek om te vergelijken"),
]  # fmt: skip
_TITLE_SCORE = re.compile(r"^title (?P<x>[01](?:\.\d+)?)$")


def reason_words(reason: str, lang: str) -> str:
    """A matching reason (``agenda.dedup.matching``, English) in words in ``lang``."""
    if found := _TITLE_SCORE.match(reason):
        return labels(lang)["rv_title_alike"].format(p=round(float(found["x"]) * 100))
    if lang == "en":
        return reason
    for pattern, dutch in _REASONS_NL:
        if hit := pattern.match(reason):
            return dutch.format(**hit.groupdict())
    return reason


def verdict(score: float, lang: str) -> str:
    """A grey-zone score in words: probably, possibly, or a doubtful case."""
    key = (
        "rv_verdict_high"
        if score >= 0.8
        else "rv_verdict_mid"
        if score >= 0.7
        else "rv_verdict_low"
    )
    return labels(lang)[key]


def _excerpt(text: str | None, limit: int = 200) -> str:
    plain = " ".join(plain_text(text or "").split())
    return plain if len(plain) <= limit else plain[: limit - 1].rsplit(" ", 1)[0] + "…"


def compare_listings(
    a: Listing, b: Listing, source_names: Mapping[str, str], lang: str
) -> list[dict[str, Any]]:
    """Two listings field by field (title, start, status, venue, city, source, url,
    description excerpt), each row marked where they differ."""
    t = labels(lang)
    rows = []
    fields = [
        ("title", a.title, b.title),
        ("start", _listing_when(a, lang), _listing_when(b, lang)),
        ("status", t[f"status_{a.status}"], t[f"status_{b.status}"]),
        ("venue", a.venue_name or "", b.venue_name or ""),
        ("city", city_name(a.city, lang), city_name(b.city, lang)),
        ("source", source_names.get(a.source_id, a.source_id),
         source_names.get(b.source_id, b.source_id)),
        ("url", a.url or "", b.url or ""),
        ("description", _excerpt(a.description), _excerpt(b.description)),
    ]  # fmt: skip
    for name, left, right in fields:
        rows.append({"field": name, "label": t[f"pp_field_{name}"], "left": left,
                     "right": right, "differs": fold(left) != fold(right)})  # fmt: skip
    return rows


def _review_listing(
    key: str, listing: Listing, in_pair: bool, source_names: Mapping[str, str], lang: str
) -> dict[str, Any]:
    source = source_names.get(listing.source_id, listing.source_id)
    when = _listing_when(listing, lang)
    return {"key": key, "title": listing.title, "when": when, "source": source, "in_pair": in_pair}


def review_rows(
    pairs: Sequence[tuple[str, str, float, Sequence[str]]],
    memberships: Mapping[str, str],
    members: Mapping[str, Sequence[str]],
    listings: Mapping[str, tuple[Listing, str]],
    source_names: Mapping[str, str],
    lang: str,
) -> list[dict[str, Any]]:
    """Grey-zone pairs still apart, each side as its event with every listing it holds.

    Two listing pairs between the same two events are one decision: the strongest is shown.
    """
    rows = []
    seen: set[frozenset[str | None]] = set()
    for a, b, score, reasons in pairs:
        events = [memberships.get(a), memberships.get(b)]
        if None in events or events[0] == events[1] or frozenset(events) in seen:
            continue
        seen.add(frozenset(events))
        sides = []
        for key, event_id in zip((a, b), events, strict=True):
            keys = [k for k in members.get(str(event_id), [key]) if k in listings]
            side = [_review_listing(k, listings[k][0], k == key, source_names, lang) for k in keys]
            sides.append({"event": event_id, "key": key, "listings": side})
        compare = (
            compare_listings(listings[a][0], listings[b][0], source_names, lang)
            if a in listings and b in listings else []
        )  # fmt: skip
        rows.append({"score": f"{score:.2f}", "percent": round(score * 100),
                     "verdict": verdict(score, lang),
                     "reasons": [reason_words(r, lang) for r in reasons], "sides": sides,
                     "compare": compare})  # fmt: skip
    return rows


# --- the queue and its actions --------------------------------------------------------------


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
    # A partner's submissions are the source "partner-<institution>": name them after it.
    partner = page.t["pp_role_partner"]
    names.update({f"partner-{sid}": f"{name} ({partner})" for sid, name in list(names.items())})
    held = [
        {"id": r["id"], "name": r["name"], "message": r["message"] or "",
         "configured": r["id"] in page.runtime.sources}
        for r in sources if r["outcome"] == "refused"
    ]  # fmt: skip
    done = page.params.get("done", "")
    found_conflicts = decide.event_conflicts(store)
    keys = {k for found in found_conflicts.values() for c in found
            for k in (c.partner_key, c.other_key)}  # fmt: skip
    sides = store.listings(keys)
    disagreements = []
    for event_id, found in found_conflicts.items():
        for c in found:
            partner = c.partner_key.split(":")[0]
            other = c.other_key.split(":")[0]
            compare = (
                compare_listings(sides[c.partner_key][0], sides[c.other_key][0], names, page.lang)
                if c.partner_key in sides and c.other_key in sides else []
            )  # fmt: skip
            # Values in the page's language, as the table below shows them.
            ours, theirs = c.ours, c.theirs
            if c.field == "status":
                ours, theirs = page.t[f"status_{ours}"], page.t[f"status_{theirs}"]
            elif c.field == "start" and c.partner_key in sides and c.other_key in sides:
                ours = _listing_when(sides[c.partner_key][0], page.lang)
                theirs = _listing_when(sides[c.other_key][0], page.lang)
            disagreements.append({
                "event": event_id, "field": page.t[f"pp_field_{c.field}"], "ours": ours,
                "theirs": theirs, "partner": names.get(partner, partner),
                "other": names.get(other, other), "listing": c.partner_key,
                "compare": compare,
            })  # fmt: skip
    return page.render(
        "review.html",
        conflicts=disagreements,
        **viewer_context(page, viewer),
        section="review",
        stylesheet="planner.css",
        pairs=review_rows(shown, memberships, members, listings, names, page.lang),
        more=max(0, len(pairs) - REVIEW_SHOWN),
        held=held,
        flash=page.t.get(f"pp_done_{done}", "") if done.isidentifier() else "",
        flash_event=page.params.get("event", "") if done == "merged" else "",
        flash_ok=done in ("merged", "apart", "split", "confirmed"),
    )  # fmt: skip


@get("/partners/review", name="partners-review", include_in_schema=False)
async def review(request: Request[Any, Any, Any]) -> Response[Any]:
    entry = await require_session(request, coordinator=True)
    if isinstance(entry, Response):
        return entry
    page = Page(request)
    body = await anyio.to_thread.run_sync(lambda: _review(page, entry[0]))
    return html_response(body, 200, page.lang)


Action = Callable[[Runtime, Store, Mapping[str, Any], Viewer], dict[str, str]]


async def _act(request: Request[Any, Any, Any], action: Action) -> Response[Any]:
    """Run one coordinator action (audited) and go back to the queue with a flash message."""
    entry = await require_session(request, coordinator=True)
    if isinstance(entry, Response):
        return entry
    viewer, form = entry
    runtime, page = runtime_of(request), Page(request)

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
    run = run_import(runtime, store, source, force=True, partner=viewer.partner, who=viewer.name)
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


ROUTES = [review, review_merge, review_apart, review_split, review_confirm]
