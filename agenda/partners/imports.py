"""A coordinator's import of one source: now, or confirming one the guard held back.

One function for the coordinator API and the review queue, so both fetch with the same
limits (the server's body limit) and leave the same audit line.
"""

from __future__ import annotations

from agenda.model import ImportRun, SourceConfig
from agenda.partners.accounts import Partner, audit
from agenda.store.database import Store
from agenda.sync.jobs import import_source
from agenda.web.runtime import Runtime
from importers.fetch import FetchLimits


def run_import(
    runtime: Runtime,
    store: Store,
    source: SourceConfig,
    *,
    force: bool,
    partner: Partner | None,
    who: str,
) -> ImportRun:
    """Import ``source`` (``force``: apply what the withdrawal guard held back), audited."""
    limits = FetchLimits(max_bytes=runtime.settings.max_body_bytes)
    run = import_source(store, source, clock=runtime.clock, force=force, limits=limits)
    details = {"outcome": run.outcome, "new": run.new, "updated": run.updated,
               "withdrawn": run.withdrawn, "message": run.message}  # fmt: skip
    action = "source.confirm" if force else "source.import"
    with store.transaction():
        audit(store, partner, who, action, f"source:{source.id}", run.finished, details)
    return run
