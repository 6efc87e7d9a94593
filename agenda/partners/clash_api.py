"""The clash radar over HTTP: ``GET /api/clashes``, what competes with a planned event.

Anyone may ask (the answer is built from public events and cached briefly); with a
partner key the answer also weighs embargoed and partner-only plans and is private.
"""

from __future__ import annotations

from typing import Any

import anyio
import msgspec
from litestar import Request, Response, get

from agenda.errors import InvalidFilterError
from agenda.partners.auth import optional_partner
from agenda.partners.clashes import Plan, clash_level, rank_clashes
from agenda.partners.fields import day_field, moment_field
from agenda.partners.holds import live_holds, plan_competitors
from agenda.timeutil import AMSTERDAM
from agenda.web.runtime import Runtime
from agenda.web.views import EventOut, event_out


class ClashOut(msgspec.Struct, frozen=True):
    score: float
    level: str  # strong | moderate | light
    reasons: list[str]
    event: EventOut
    hold: dict[str, Any] | None = None  # a partner's pencilled-in date, not an event yet


@get("/api/clashes", summary="What competes with a planned event (partners also see embargoes)")
async def clashes(request: Request[Any, Any, Any]) -> Response[Any]:
    """``start`` (a moment with offset, or a day), optional ``end``, ``city``, ``category``,
    ``audience``, ``limit``. Each clash has a ``score``, its ``level`` in words (``strong``,
    ``moderate``, ``light``) and its reasons. With a partner key the answer includes
    embargoed plans and partners' holds (``hold`` set, ``event.id`` ``hold-ID``)."""
    runtime: Runtime = request.app.state.runtime
    partner = optional_partner(request)
    params = request.query_params
    start_text = params.get("start")
    if not start_text:
        raise InvalidFilterError("start", "is required: a moment (2027-03-01T20:00+01:00) or a day")
    errors: list[dict[str, str]] = []
    plan_start = plan_day = None
    if len(start_text) == 10:
        plan_day = day_field("start", start_text, errors)
    else:
        plan_start = moment_field("start", start_text, errors)
    plan_end = moment_field("end", params.get("end"), errors)
    if errors:
        raise InvalidFilterError(errors[0]["field"], errors[0]["message"])
    limit = params.get("limit", "20")
    if not limit.isdigit() or not 1 <= int(limit) <= 200:
        raise InvalidFilterError("limit", "must be a whole number from 1 to 200")
    audience = params.get("audience")
    plan = Plan(start=plan_start, day=plan_day, end=plan_end, city=params.get("city"),
                category=params.get("category"), audience=audience)  # fmt: skip
    today = runtime.clock().astimezone(AMSTERDAM).date()

    def work() -> list[ClashOut]:
        store = runtime.stores.get()
        events = plan_competitors(store, plan, today, private=partner is not None)
        holds = {f"hold-{h.id}": h for h in live_holds(store, today)} if partner else {}
        return [
            ClashOut(score=c.score, level=clash_level(c.score), reasons=list(c.reasons),
                     event=event_out(c.event),
                     hold=holds[c.event.id].as_json() if c.event.id in holds else None)
            for c in rank_clashes(plan, events, int(limit))
        ]  # fmt: skip

    found = await anyio.to_thread.run_sync(work)
    headers = {"Cache-Control": "private, no-store" if partner else "public, max-age=60"}
    return Response(msgspec.json.encode({"clashes": found}), media_type="application/json",
                    headers=headers)  # fmt: skip


ROUTES = [clashes]
