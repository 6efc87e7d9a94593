"""Records -> store with sync semantics, one source at a time, one transaction each.

- Unchanged listings are left alone (no new ids, no timestamps bumped).
- Changed listings are updated; their events are recomputed.
- Upcoming listings missing from a healthy answer are withdrawn (kept, marked).
- The withdrawal guard refuses an import that would withdraw more than 20 % (and
  more than 5) of a source's upcoming listings, or an empty answer from a source that
  has upcoming listings: nothing is applied, the run is recorded as refused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

import msgspec

from agenda.dedup.rebuild import rebuild_events
from agenda.model import ImportRun, Listing, Problem, SourceConfig
from agenda.store.database import Store
from agenda.timeutil import span_utc, utc_iso

WITHDRAW_SHARE = 0.20
WITHDRAW_MIN = 5
_encoder = msgspec.json.Encoder()


class FetchInfo(msgspec.Struct, frozen=True, kw_only=True):
    """What the fetch step knew, for the import run record."""

    started: datetime
    http_status: int | None = None
    bytes: int = 0
    # Validators to remember for the next conditional GET, saved only if the import applies.
    etag: str | None = None
    last_modified: str | None = None


def content_hash(listing: Listing) -> str:
    return hashlib.sha256(_encoder.encode(listing)).hexdigest()


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
    """Apply one source's complete answer; returns the recorded ``ImportRun``.

    ``force`` skips the withdrawal guard (a coordinator confirmed the shrink).
    ``defer`` records the changed listings as pending instead of rebuilding their
    events now, so a run over many sources clusters once (``rebuild_pending``).
    """
    info = fetch or FetchInfo(started=now)
    problems = list(problems)
    unique: dict[str, Listing] = {}
    for listing in listings:
        if listing.source_id != source.id:
            raise ValueError(f"listing {listing.key} does not belong to source {source.id}")
        if listing.key in unique:
            problems.append(
                Problem(
                    source_id=source.id,
                    external_id=listing.external_id,
                    message="the source lists this id twice; the first one is kept",
                    severity="warning",
                )
            )
            continue
        unique[listing.key] = listing

    with store.transaction():
        store.save_source(source, now)
        stored = store.listing_index(source.id)
        now_utc = utc_iso(now)
        upcoming = {
            k for k, row in stored.items() if row.state == "active" and row.end_utc >= now_utc
        }
        missing = sorted(upcoming - set(unique))
        empty = not unique and bool(upcoming)
        if not force and (
            empty or (len(missing) > WITHDRAW_MIN and len(missing) > WITHDRAW_SHARE * len(upcoming))
        ):
            message = (
                f"refused: this answer would withdraw {len(missing)} of {len(upcoming)} upcoming "
                "listings; the earlier listings are kept until the source recovers or a "
                "coordinator confirms"
            )
            if empty:
                message = (
                    "refused: the source answered with no events at all; its earlier "
                    f"{len(upcoming)} upcoming listings are kept until it recovers or a "
                    "coordinator confirms"
                )
            run = _run(source, info, now, "refused", problems, message=message)
            store.record_run(run)
            return run

        new: list[tuple[Listing, str, str, str]] = []
        updated: list[tuple[Listing, str, str, str]] = []
        for key, listing in unique.items():
            digest = content_hash(listing)
            row = stored.get(key)
            if row is not None and row.content_hash == digest and row.state == "active":
                continue
            start, end = span_utc(listing.start, listing.start_date, listing.end, listing.end_date)
            (new if row is None else updated).append((listing, digest, start, end))
        store.write_listings([*new, *updated], now)
        store.withdraw_listings(missing, now)
        dirty = [item[0].key for item in (*new, *updated)] + missing
        store.add_pending(dirty)
        if not defer:
            _rebuild(store, now)
        run = _run(
            source,
            info,
            now,
            "ok",
            problems,
            new=len(new),
            updated=len(updated),
            unchanged=len(unique) - len(new) - len(updated),
            withdrawn=len(missing),
        )
        store.record_run(run)
        if info.etag or info.last_modified:
            store.set_validators(source.id, info.etag, info.last_modified)
    return run


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


def rebuild_pending(store: Store, now: datetime) -> int:
    """Rebuild the events of every pending listing in one transaction; returns events written."""
    with store.transaction():
        return _rebuild(store, now)


def _rebuild(store: Store, now: datetime) -> int:
    pending = store.pending()
    if not pending:
        return 0
    written = rebuild_events(store, now, pending)
    store.clear_pending()
    return written


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
        problems=tuple(problems),
        message=message,
    )
