"""Coordinator actions over HTTP: import a source now, confirm a held-back import.

``POST /api/sources/{id}/import`` and ``POST /api/sources/{id}/confirm`` take
``Authorization: Bearer KEY`` with the coordinator key; the import runs in a worker
thread, never on the event loop, and the answer is the recorded import run.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import anyio
import msgspec
from litestar import Request, Response, post, put
from litestar.params import FromPath

from agenda.dedup.rebuild import rebuild_events
from agenda.errors import NotFoundError
from agenda.partners.accounts import audit, authenticate
from agenda.store.database import Store
from agenda.sync.jobs import import_source
from agenda.themes import Theme
from agenda.web.http import problem
from agenda.web.runtime import Runtime
from importers.fetch import FetchLimits


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


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _coordinator(request: Request[Any, Any, Any], runtime: Runtime) -> str | None:
    """Who is acting: the server's coordinator key or a coordinator account; None if neither."""
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        return None
    key = header[7:].strip()
    expected = runtime.settings.coordinator_key_hash
    if expected and hmac.compare_digest(key_hash(key), expected):
        return "coordinator key"
    partner = authenticate(runtime.stores.get(), key)
    return partner.name if partner is not None and partner.role == "coordinator" else None


def _authorised(request: Request[Any, Any, Any], runtime: Runtime) -> bool:
    return _coordinator(request, runtime) is not None


async def _run(request: Request[Any, Any, Any], source_id: str, *, force: bool) -> Response[Any]:
    runtime: Runtime = request.app.state.runtime
    who = _coordinator(request, runtime)
    if who is None:
        return problem(401, "Unauthorized", "a coordinator key is needed (Authorization: Bearer)")
    source = runtime.sources.get(source_id)
    if source is None:
        raise NotFoundError(f"no source {source_id!r} in the sources file")

    def work() -> RunOut:
        store = Store.open(runtime.settings.db)
        try:
            limits = FetchLimits(max_bytes=runtime.settings.max_body_bytes)
            run = import_source(store, source, clock=runtime.clock, force=force, limits=limits)
            with store.transaction():
                action = "source.confirm" if force else "source.import"
                details = {"outcome": run.outcome, "new": run.new, "withdrawn": run.withdrawn}
                audit(store, None, who, action, f"source:{source_id}", run.finished, details)
        finally:
            store.close()
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
    if not _authorised(request, runtime):
        return problem(401, "Unauthorized", "a coordinator key is needed (Authorization: Bearer)")
    try:
        body = msgspec.json.decode(await request.body())
        theme = msgspec.convert({**body, "id": theme_id}, Theme)
    except (msgspec.DecodeError, msgspec.ValidationError, TypeError) as exc:
        return problem(400, "Invalid theme", str(exc))
    if theme.end < theme.start:
        return problem(400, "Invalid theme", "end is before start")

    def work() -> None:
        store = Store.open(runtime.settings.db)
        try:
            now = runtime.clock()
            with store.transaction():
                store.save_theme(theme, now)
                rebuild_events(store, now, None)
                audit(store, None, "coordinator", "theme.save", f"theme:{theme_id}", now, body)
        finally:
            store.close()
        runtime.cache.clear()

    await anyio.to_thread.run_sync(work)
    return Response({"id": theme_id, "saved": True})


ROUTES = [import_now, confirm, put_theme]
