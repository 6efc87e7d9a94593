"""Records -> store with sync semantics, one source at a time, one transaction each.

An import is planned, then applied. ``plan_sync`` is pure: from the source's answer and
what the store holds it decides what to add, update and withdraw, and whether the
withdrawal guard refuses. ``ingest`` reads what the plan needs, applies it in one
transaction and records the run.

- Unchanged listings are left alone (no new ids, no timestamps bumped).
- Changed listings are updated; their events are recomputed.
- Upcoming listings missing from a complete, healthy answer are withdrawn (kept, marked).
- An incomplete answer (a page failed, a budget was hit, a document was cut off)
  withdraws nothing: what is whole is kept and the run says why nothing was withdrawn.
- The withdrawal guard refuses an import that would withdraw more than 20 % (and more
  than 5) of a source's upcoming listings, an empty answer from a source that has
  upcoming listings, and a slow drain: withdrawals over the source's recent runs (since
  a coordinator last confirmed) that add up past the same share of its recent maximum.
  Nothing is applied; the run is recorded as refused.
- Problems are capped per run: the first ``PROBLEM_LIMIT`` are kept, the rest counted.
- A failing deduplication step never loses the source's listings: they are stored, the
  failure is the run's problem, and their events are rebuilt by the next run.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from datetime import datetime

import msgspec

from agenda import vocabulary
from agenda.dedup.rebuild import rebuild_events
from agenda.model import ImportRun, Listing, Problem, SourceConfig, cap_problems
from agenda.store.base import ListingRow
from agenda.store.database import Store
from agenda.timeutil import span_utc, utc_iso

WITHDRAW_SHARE = 0.20
WITHDRAW_MIN = 5
# How far back the slow-drain guard looks: this many runs (since the last confirmation).
DRAIN_RUNS = 20
# Listings rebuilt per transaction by a batch import. Every slice reclusters the spans
# (exhibitions reach across days), so slices cost more than they save below this size:
# a 20,000-listing region rebuilds in about 5 s in one transaction on a 2-core machine
# (bench/dedup.py), while slices of 1,000 took 40 s and of 5,000 12 s. Larger regions are
# still cut, so no writer waits behind a whole region's deduplication.
REBUILD_BATCH = 50_000
_encoder = msgspec.json.Encoder()
log = logging.getLogger("agenda.sync.ingest")


class FetchInfo(msgspec.Struct, frozen=True, kw_only=True):
    """What the fetch step knew, for the import run record."""

    started: datetime
    http_status: int | None = None
    bytes: int = 0
    # Validators to remember for the next conditional GET, saved only if the import applies.
    etag: str | None = None
    last_modified: str | None = None
    # False when the answer is known to be partial: nothing may be withdrawn on it.
    complete: bool = True


class Recent(msgspec.Struct, frozen=True):
    """The source's recent history, for the slow-drain guard."""

    withdrawn: int = 0  # listings withdrawn by the runs since the last confirmation
    peak: int = 0  # the most upcoming listings it had after any of those runs


class Written(msgspec.Struct, frozen=True):
    """One listing to write: the listing, its content hash and its span in UTC."""

    listing: Listing
    digest: str
    start_utc: str
    end_utc: str


class SyncPlan(msgspec.Struct, frozen=True, kw_only=True):
    """What one answer would do to the store (pure: nothing is applied yet)."""

    new: tuple[Written, ...] = ()
    updated: tuple[Written, ...] = ()
    unchanged: int = 0
    withdraw: tuple[str, ...] = ()
    upcoming_after: int = 0
    refused: str | None = None  # the guard's reason, when it refuses
    problems: tuple[Problem, ...] = ()


# Fields added to Listing later: left out of the hash while empty, so adding them did not
# make every stored listing look changed.
_LATER_FIELDS = ("titles", "descriptions", "audience", "accessible")


def content_hash(listing: Listing) -> str:
    fields = msgspec.structs.asdict(listing)
    for name in _LATER_FIELDS:
        if fields[name] in ({}, (), None):
            del fields[name]
    return hashlib.sha256(_encoder.encode(fields)).hexdigest()


def _unique(
    source: SourceConfig, listings: Sequence[Listing]
) -> tuple[dict[str, Listing], list[Problem]]:
    unique: dict[str, Listing] = {}
    problems: list[Problem] = []
    for listing in listings:
        if listing.source_id != source.id:
            raise ValueError(f"listing {listing.key} does not belong to source {source.id}")
        if listing.key in unique:
            problems.append(
                Problem(source_id=source.id, external_id=listing.external_id, severity="warning",
                        message="the source lists this id twice; the first one is kept")
            )  # fmt: skip
            continue
        unique[listing.key] = listing
    return unique, problems


def _refusal(missing: int, upcoming: int, empty: bool, recent: Recent) -> str | None:
    """The withdrawal guard: why this answer may not be applied, or None."""
    if empty:
        return (
            "refused: the source answered with no events at all; its earlier "
            f"{upcoming} upcoming listings are kept until it recovers or a coordinator confirms"
        )
    if missing > WITHDRAW_MIN and missing > WITHDRAW_SHARE * upcoming:
        return (
            f"refused: this answer would withdraw {missing} of {upcoming} upcoming "
            "listings; the earlier listings are kept until the source recovers or a "
            "coordinator confirms"
        )
    drained, peak = recent.withdrawn + missing, max(recent.peak, upcoming)
    if missing and drained > WITHDRAW_MIN and drained > WITHDRAW_SHARE * peak:
        return (
            f"refused: with this answer the source would have withdrawn {drained} of the "
            f"{peak} upcoming listings it recently had, a little at a time; the earlier "
            "listings are kept until a coordinator confirms"
        )
    return None


def plan_sync(
    source: SourceConfig,
    listings: Sequence[Listing],
    stored: dict[str, ListingRow],
    now: datetime,
    *,
    complete: bool = True,
    force: bool = False,
    recent: Recent | None = None,
) -> SyncPlan:
    """Decide what one answer adds, updates and withdraws, and whether the guard refuses."""
    unique, problems = _unique(source, listings)
    now_utc = utc_iso(now)
    upcoming = {k for k, row in stored.items() if row.state == "active" and row.end_utc >= now_utc}
    missing = sorted(upcoming - set(unique))
    if not complete and missing:
        problems.append(
            Problem(source_id=source.id, severity="warning",
                    message=f"the answer was incomplete, so {len(missing)} listing(s) it did not "
                    "mention were not withdrawn")
        )  # fmt: skip
        missing = []
    new: list[Written] = []
    updated: list[Written] = []
    for key, listing in unique.items():
        digest = content_hash(listing)
        row = stored.get(key)
        if row is not None and row.content_hash == digest and row.state == "active":
            continue
        start, end = span_utc(listing.start, listing.start_date, listing.end, listing.end_date)
        (new if row is None else updated).append(Written(listing, digest, start, end))
    upcoming_after = len(upcoming) - len(missing)
    upcoming_after += sum(1 for w in new if w.end_utc >= now_utc)
    refused = None
    if not force:
        empty = complete and not unique and bool(upcoming)
        refused = _refusal(len(missing), len(upcoming), empty, recent or Recent())
    return SyncPlan(
        new=tuple(new), updated=tuple(updated), unchanged=len(unique) - len(new) - len(updated),
        withdraw=tuple(missing), upcoming_after=upcoming_after, refused=refused,
        problems=tuple(problems),
    )  # fmt: skip


def ingest(
    store: Store,
    source: SourceConfig,
    listings: Sequence[Listing],
    problems: Sequence[Problem],
    now: datetime,
    fetch: FetchInfo | None = None,
    *,
    force: bool = False,
    defer: bool = False,
) -> ImportRun:
    """Apply one source's answer; returns the recorded ``ImportRun``.

    ``force`` skips the withdrawal guard (a coordinator confirmed the shrink).
    ``defer`` records the changed listings as pending instead of rebuilding their
    events now, so a run over many sources clusters once (``rebuild_pending``).
    """
    info = fetch or FetchInfo(started=now)
    with store.transaction():
        store.save_source(source, now)
        withdrawn, peak = store.recent_drain(source.id, DRAIN_RUNS)
        plan = plan_sync(
            source, listings, store.listing_index(source.id), now, complete=info.complete,
            force=force, recent=Recent(withdrawn, peak),
        )  # fmt: skip
        every = [*problems, *plan.problems]
        if plan.refused is not None:
            run = _run(source, info, now, "refused", every, message=plan.refused)
            store.record_run(run)
            return run
        _apply(store, plan, now)
        if not defer and not _rebuild_safely(store, now):
            every.append(
                Problem(source_id=source.id, severity="error",
                        message="deduplication failed; the listings are stored and their "
                        "events will be rebuilt by the next import")
            )  # fmt: skip
        run = _run(
            source, info, now, "ok", every, new=len(plan.new), updated=len(plan.updated),
            unchanged=plan.unchanged, withdrawn=len(plan.withdraw),
            upcoming=plan.upcoming_after, forced=force,
        )  # fmt: skip
        store.record_run(run)
        if info.etag or info.last_modified:
            store.set_validators(source.id, info.etag, info.last_modified)
    changed = len(plan.new) + len(plan.updated) + len(plan.withdraw)
    if changed and not defer:
        store.optimize(changed)
    return run


def _apply(store: Store, plan: SyncPlan, now: datetime) -> None:
    written = [(w.listing, w.digest, w.start_utc, w.end_utc) for w in (*plan.new, *plan.updated)]
    store.write_listings(written, now)
    store.withdraw_listings(plan.withdraw, now)
    store.add_pending([w[0].key for w in written] + list(plan.withdraw))


def put_listing(store: Store, source: SourceConfig, listing: Listing, now: datetime) -> str:
    """Add or replace one listing of ``source`` (a partner's submission); returns its event."""
    with store.transaction():
        store.save_source(source, now)
        start, end = span_utc(listing.start, listing.start_date, listing.end, listing.end_date)
        store.write_listings([(listing, content_hash(listing), start, end)], now)
        store.add_pending([listing.key])
        _rebuild(store, now)
    return store.memberships()[listing.key]


def withdraw_listing(store: Store, key: str, now: datetime) -> None:
    """Withdraw one listing (a partner deleted its submission): kept, shown as cancelled."""
    with store.transaction():
        store.withdraw_listings([key], now)
        store.add_pending([key])
        _rebuild(store, now)


def erase_listing(store: Store, key: str, now: datetime) -> None:
    """Delete a listing that was never public (a partner's mistake or test) as if it had
    never been: its event is rebuilt from the rest, or goes when it has no other listing.
    Callers check that it was never public; a public one is withdrawn instead."""
    with store.transaction():
        event_id = store.memberships().get(key)
        store.delete_listing(key)
        others = store.members_of([event_id]).get(event_id, []) if event_id else []
        if event_id is not None and not others:
            store.delete_event(event_id)
        store.add_pending(others)
        _rebuild(store, now)
        store.bump_generation()


def rebuild_pending(store: Store, now: datetime, batch: int = REBUILD_BATCH) -> int:
    """Rebuild the events of every pending listing; returns events written.

    A large batch import is rebuilt a slice of neighbouring listings at a time, each in
    its own short transaction, so a partner's write or a scheduled import waits seconds,
    not the whole deduplication of a region. Each slice leaves the agenda consistent (a
    slice's scope is closed, see ``rebuild_events``); should one fail, its transaction is
    undone and its listings stay pending for the next run.
    """
    written = 0
    while True:
        with store.transaction():
            if _stale_vocabulary(store):
                written += _rebuild(store, now)  # a full rebuild, once
                continue
            keys = store.pending(limit=batch)
            if not keys:
                return written
            done = rebuild_events(store, now, keys)
            written += done
            # Fewer than a batch: every pending listing was taken (no other writer can add
            # one inside this transaction), so the table is emptied at once.
            store.clear_pending(keys if len(keys) >= batch else None)
            if done:
                store.optimize(done)


def _stale_vocabulary(store: Store) -> bool:
    """Whether stored events were built with another vocabulary (a fresh store is not)."""
    if store.meta_value("vocabulary") == vocabulary.version():
        return False
    if store.count("events") == 0:
        store.set_meta("vocabulary", vocabulary.version())
        return False
    return True


def _rebuild(store: Store, now: datetime) -> int:
    if _stale_vocabulary(store):
        # Events built with another vocabulary carry other category ids: rebuild them all.
        written = rebuild_events(store, now, None)
        store.set_meta("vocabulary", vocabulary.version())
        store.clear_pending()
        return written
    pending = store.pending()
    if not pending:
        return 0
    written = rebuild_events(store, now, pending)
    store.clear_pending()
    return written


def _rebuild_safely(store: Store, now: datetime) -> bool:
    """Rebuild inside a savepoint: a failure rolls back only the rebuild (logged), the
    listings stay stored and pending for the next run."""
    store.db.execute("SAVEPOINT rebuild")
    try:
        _rebuild(store, now)
    except Exception:
        log.exception("deduplication failed; listings kept pending")
        store.db.execute("ROLLBACK TO SAVEPOINT rebuild")
        store.db.execute("RELEASE SAVEPOINT rebuild")
        return False
    store.db.execute("RELEASE SAVEPOINT rebuild")
    return True


def _run(
    source: SourceConfig,
    info: FetchInfo,
    now: datetime,
    outcome: str,
    problems: Sequence[Problem],
    *,
    message: str = "",
    new: int = 0,
    updated: int = 0,
    unchanged: int = 0,
    withdrawn: int = 0,
    upcoming: int | None = None,
    forced: bool = False,
) -> ImportRun:
    return ImportRun(
        source_id=source.id,
        started=info.started,
        finished=now,
        outcome=outcome,  # type: ignore[arg-type]
        http_status=info.http_status,
        bytes=info.bytes,
        new=new,
        updated=updated,
        unchanged=unchanged,
        withdrawn=withdrawn,
        problems=cap_problems(problems, source.id),
        message=message,
        upcoming=upcoming,
        forced=forced,
    )
