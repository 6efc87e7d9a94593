"""Coordinator actions over HTTP: import a source now, confirm a held-back import.

``POST /api/sources/{id}/import`` and ``POST /api/sources/{id}/confirm`` take
``Authorization: Bearer KEY`` with the coordinator key or a coordinator account's key
(``agenda.partners.auth``, with its failed-key brake); the import runs in a worker
thread, never on the event loop, and the answer is the recorded import run.
"""

from __future__ import annotations

from typing import Any

import anyio
import msgspec
from litestar import Request, Response, Router, post, put
from litestar.params import FromPath

from agenda.dedup.rebuild import rebuild_events
from agenda.errors import InvalidSubmissionError, NotFoundError
from agenda.partners.accounts import Partner, audit
from agenda.partners.auth import coordinator_guard, require_coordinator
from agenda.partners.imports import run_import
from agenda.store.database import Store
from agenda.themes import Theme
from agenda.web.runtime import Runtime


class RunOut(msgspec.Struct, frozen=True):
    source: str
    outcome: str
    started: str
    finished: str
    http_status: int | None
    new: int
    updated: int
    unchanged: int
    withdrawn: int
    problems: list[str]
    message: str


async def _run(request: Request[Any, Any, Any], source_id: str, *, force: bool) -> Response[Any]:
    runtime: Runtime = request.app.state.runtime
    who = require_coordinator(request)
    source = runtime.sources.get(source_id)
    if source is None:
        raise NotFoundError(f"no source {source_id!r} in the sources file")

    def work() -> RunOut:
        with Store.opened(runtime.settings.db, check=False) as store:
            run = run_import(runtime, store, source, force=force, partner=who.partner,
                             who=who.name)  # fmt: skip
        return RunOut(
            source=run.source_id, outcome=run.outcome, started=run.started.isoformat(),
            finished=run.finished.isoformat(), http_status=run.http_status, new=run.new,
            updated=run.updated, unchanged=run.unchanged, withdrawn=run.withdrawn,
            problems=[p.message for p in run.problems], message=run.message,
        )  # fmt: skip

    result = await anyio.to_thread.run_sync(work)
    return Response(msgspec.json.encode(result), media_type="application/json")


@post("/api/sources/{source_id:str}/import", summary="Import a source now (coordinator)")
async def import_now(request: Request[Any, Any, Any], source_id: FromPath[str]) -> Response[Any]:
    return await _run(request, source_id, force=False)


@post(
    "/api/sources/{source_id:str}/confirm",
    summary="Apply an import the withdrawal guard held back (coordinator)",
)
async def confirm(request: Request[Any, Any, Any], source_id: FromPath[str]) -> Response[Any]:
    return await _run(request, source_id, force=True)


@put("/api/themes/{theme_id:str}", summary="Create or change a theme (coordinator)")
async def put_theme(request: Request[Any, Any, Any], theme_id: FromPath[str]) -> Response[Any]:
    """The body is a theme as ``GET /api/themes`` shows it, plus ``rules``, ``include`` and
    ``exclude``; membership is recomputed for every event."""
    runtime: Runtime = request.app.state.runtime
    who = require_coordinator(request)
    try:
        body = msgspec.json.decode(await request.body())
        theme = msgspec.convert({**body, "id": theme_id}, Theme)
    except (msgspec.DecodeError, msgspec.ValidationError, TypeError) as exc:
        raise InvalidSubmissionError([{"field": "(body)", "message": str(exc)}], "theme") from None
    if problems := theme_problems(theme):
        raise InvalidSubmissionError(problems, "theme")

    await anyio.to_thread.run_sync(lambda: save_theme(runtime, who.partner, who.name, theme, body))
    return Response({"id": theme_id, "saved": True})


def theme_problems(theme: Theme) -> list[dict[str, str]]:
    """What is wrong with a theme beyond its types (the API and the themes page say the same)."""
    if theme.end < theme.start:
        return [{"field": "end", "message": "is before start"}]
    return []


def save_theme(
    runtime: Runtime, partner: Partner | None, who: str, theme: Theme, details: Any
) -> None:
    """Store a theme, recompute every event's membership, audit it (in a worker thread)."""
    with Store.opened(runtime.settings.db, check=False) as store, store.transaction():
        now = runtime.clock()
        store.save_theme(theme, now)
        rebuild_events(store, now, None)
        audit(store, partner, who, "theme.save", f"theme:{theme.id}", now, details)
    runtime.cache.clear()


# Every route here needs the coordinator key or a coordinator account's key.
ROUTES = [
    Router(path="/", route_handlers=[import_now, confirm, put_theme], guards=[coordinator_guard])
]
