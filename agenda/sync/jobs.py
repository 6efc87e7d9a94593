"""The job runner: fetch, parse and ingest one source, recording every outcome.

This is the only catch-all in the agenda: whatever goes wrong with one source is
recorded as a failed import run and never stops the others. A lease in the database
keeps two imports of one source from running at once, across processes; while an import
runs, a heartbeat thread renews it, so a killed import's lease is taken over at once (its
process is gone) or within two minutes (its heartbeat stopped). A source's webhook hears
when it starts failing and when it recovers.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import msgspec

from agenda.errors import SourceBusyError
from agenda.model import ImportRun, SourceConfig
from agenda.store.database import Store
from agenda.sync.ingest import FetchInfo, ingest
from importers.collect import collect
from importers.errors import FetchError, ParseError
from importers.fetch import FetchLimits, Validators, post_json

log = logging.getLogger("agenda.sync.jobs")
LOCK_TTL = timedelta(minutes=30)
HEARTBEAT_SECONDS = 30.0


def utc_now() -> datetime:
    return datetime.now(UTC)


def owner_name() -> str:
    """Who holds a lease: host, process and thread."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def import_source(
    store: Store,
    source: SourceConfig,
    *,
    limits: FetchLimits | None = None,
    clock: Callable[[], datetime] = utc_now,
    defer: bool = False,
    force: bool = False,
) -> ImportRun:
    """Import one source now; returns the recorded run (ok, not_modified, failed or refused).

    ``defer`` leaves deduplication to a later ``rebuild_pending`` (batch imports);
    ``force`` applies an answer the withdrawal guard held back (a coordinator confirmed).
    Raises ``SourceBusyError`` when another import of the source is running.
    """
    started = clock()
    lock, owner = f"import:{source.id}", owner_name()
    if not store.acquire(lock, owner, started + LOCK_TTL, started):
        raise SourceBusyError(f"{source.id}: another import of this source is running")
    try:
        with _heartbeat(store.path, lock, owner, clock):
            previous = store.last_outcome(source.id)
            run = _import(store, source, limits or FetchLimits(), clock, started, defer, force)
    finally:
        store.release(lock, owner)
    log.info(
        "import %s: %s",
        source.id,
        run.outcome,
        extra={
            "event": "import",
            "source": source.id,
            "outcome": run.outcome,
            "http_status": run.http_status,
            "bytes": run.bytes,
            "new": run.new,
            "updated": run.updated,
            "unchanged": run.unchanged,
            "withdrawn": run.withdrawn,
            "problems": len(run.problems),
            "seconds": round((run.finished - run.started).total_seconds(), 3),
            "detail": run.message,
        },
    )
    _alert(source, previous, run)
    return run


@contextmanager
def _heartbeat(path: str, lock: str, owner: str, clock: Callable[[], datetime]) -> Iterator[None]:
    """Renew the lease every ``HEARTBEAT_SECONDS`` from a thread with its own connection
    (the import's own connection may be inside a long transaction)."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(HEARTBEAT_SECONDS):
            try:
                with Store.opened(path, check=False) as own:
                    now = clock()
                    own.heartbeat(lock, owner, now + LOCK_TTL, now)
            except Exception as exc:  # a missed beat is retried; the import goes on
                log.warning("heartbeat of %s failed: %s", lock, exc)

    thread = threading.Thread(target=beat, name=f"heartbeat {lock}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _import(
    store: Store,
    source: SourceConfig,
    limits: FetchLimits,
    clock: Callable[[], datetime],
    started: datetime,
    defer: bool,
    force: bool,
) -> ImportRun:
    etag, last_modified = store.validators(source.id)
    if force:  # a confirmation re-reads the source whatever its validators say
        etag = last_modified = None
    try:
        collected = collect(
            source,
            started,
            validators=Validators(etag=etag, last_modified=last_modified),
            limits=limits,
        )
    except (FetchError, ParseError) as exc:
        status = exc.status if isinstance(exc, FetchError) else None
        return _failed(store, source, started, clock(), str(exc), status)
    except Exception as exc:  # a bug in one parser must not stop the other sources
        log.exception("import of %s crashed", source.id)
        return _failed(store, source, started, clock(), f"internal error: {exc!r}", None)
    info = FetchInfo(
        started=started,
        http_status=collected.status,
        bytes=collected.bytes,
        etag=collected.validators.etag,
        last_modified=collected.validators.last_modified,
        complete=collected.result.complete,
    )
    if collected.not_modified:
        run = ImportRun(
            source_id=source.id,
            started=started,
            finished=clock(),
            outcome="not_modified",
            http_status=collected.status,
            message="not modified since the last import",
        )
        with store.transaction():
            store.save_source(source, started)
            store.record_run(run)
        return run
    try:
        return ingest(
            store,
            source,
            collected.result.listings,
            collected.result.problems,
            clock(),
            info,
            defer=defer,
            force=force,
        )
    except Exception as exc:
        log.exception("ingest of %s failed", source.id)
        return _failed(
            store, source, started, clock(), f"internal error: {exc!r}", info.http_status
        )


def _failed(
    store: Store,
    source: SourceConfig,
    started: datetime,
    finished: datetime,
    message: str,
    status: int | None,
) -> ImportRun:
    run = ImportRun(
        source_id=source.id,
        started=started,
        finished=finished,
        outcome="failed",
        http_status=status,
        message=message,
    )
    with store.transaction():
        store.save_source(source, started)
        store.record_run(run)
    return run


class Alert(msgspec.Struct, frozen=True):
    """What a source's webhook receives."""

    source: str
    state: str  # "failing" or "recovered"
    message: str
    at: str


def _alert(source: SourceConfig, previous: str | None, run: ImportRun) -> None:
    failing = run.outcome == "failed"
    was_failing = previous == "failed"
    if not source.webhook or failing == was_failing or run.outcome == "refused":
        return
    alert = Alert(
        source=source.id,
        state="failing" if failing else "recovered",
        message=run.message or run.outcome,
        at=run.finished.isoformat(),
    )
    try:
        post_json(source.webhook, msgspec.json.encode(alert))
    except FetchError as exc:  # an alert that cannot be sent must not fail the import
        log.warning("alert for %s not delivered: %s", source.id, exc)
