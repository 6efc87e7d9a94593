"""The job runner: fetch, parse and ingest one source, recording every outcome.

This is the only catch-all in the agenda: whatever goes wrong with one source is
recorded as a failed import run and never stops the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from agenda.ingest import FetchInfo, ingest
from agenda.model import ImportRun, SourceConfig
from agenda.store import Store
from importers.collect import collect
from importers.errors import FetchError, ParseError
from importers.fetch import FetchLimits, Validators

log = logging.getLogger("agenda.jobs")


def utc_now() -> datetime:
    return datetime.now(UTC)


def import_source(
    store: Store,
    source: SourceConfig,
    *,
    limits: FetchLimits | None = None,
    clock: Callable[[], datetime] = utc_now,
    defer: bool = False,
) -> ImportRun:
    """Import one source now; returns the recorded run (ok, not_modified, failed or refused).

    ``defer`` leaves deduplication to a later ``rebuild_pending`` (batch imports).
    """
    started = clock()
    etag, last_modified = store.validators(source.id)
    try:
        collected = collect(
            source,
            started,
            validators=Validators(etag=etag, last_modified=last_modified),
            limits=limits or FetchLimits(),
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
    log.warning("import of %s failed: %s", source.id, message)
    return run
