"""What every table of the store shares: the connection, row helpers, encoders, row types.

The condition every public read adds lives here too (``PUBLIC``), so no table forgets it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, NamedTuple, Self

import msgspec
from sqlite_utils import Database

from agenda.model import Event, EventSummary, Listing
from agenda.themes import Theme
from agenda.timeutil import local_date

listing_decoder = msgspec.json.Decoder(Listing)
event_decoder = msgspec.json.Decoder(Event)
theme_decoder = msgspec.json.Decoder(Theme)
encoder = msgspec.json.Encoder()
_SAVEPOINTS = itertools.count(1)
# The condition every public read adds: partner-only and embargoed events are not there.
PUBLIC = "visibility = 'public'"


class ListingRow(msgspec.Struct, frozen=True):
    """What the sync step needs to know about a stored listing."""

    key: str
    content_hash: str
    state: str
    start_utc: str
    end_utc: str


class EventRow(msgspec.Struct, frozen=True):
    """An event's bookkeeping columns (its data stays JSON)."""

    id: str
    data_hash: str
    sequence: int
    created: str
    updated: str
    replaced_by: str | None
    withdrawn: bool


class SummaryRow(NamedTuple):
    """A listed event's columns: enough to place it in a list without decoding it (its
    ``summary`` is built only where a list needs one) and to know where it takes place."""

    id: str
    revision: int  # changes with every write of the event
    start_utc: str
    local_date: str
    span: bool
    cancelled: bool
    changed: str | None
    city: str | None
    venue_id: str | None
    themes_json: str  # a JSON list, ``[]`` for most events

    @property
    def themes(self) -> list[str]:
        return [] if self.themes_json == "[]" else msgspec.json.decode(self.themes_json)

    @property
    def version(self) -> str:
        return str(self.revision)

    def summary(self) -> EventSummary:
        parse = datetime.fromisoformat
        return EventSummary(
            id=self.id,
            start=parse(self.start_utc),
            first_day=date.fromisoformat(self.local_date),
            span=self.span,
            cancelled=self.cancelled,
            changed=parse(self.changed) if self.changed else None,
            version=self.version,
        )


class StoreBase:
    """The open connection every table works on."""

    def __init__(self, db: Database, path: str, *, read_only: bool = False) -> None:
        self.db = db
        self.path = path
        self.read_only = read_only

    @contextmanager
    def transaction(self) -> Iterator[Self]:
        """Everything inside commits together, or is rolled back on any exception.

        The outermost block starts with ``BEGIN IMMEDIATE``: it takes the write lock first
        (waiting up to the busy timeout for another writer), so a transaction that reads and
        then writes can never fail with "database is locked" when another process committed
        in between, as a deferred ``BEGIN`` does in WAL mode. Nested blocks are savepoints.
        Keep them short: every other writer waits while one is open.
        """
        conn = self.db.conn
        if conn.in_transaction:
            name = f"agenda_{next(_SAVEPOINTS)}"
            conn.execute(f"SAVEPOINT {name}")
            try:
                yield self
            except BaseException:
                if conn.in_transaction:  # an error may already have ended the transaction
                    conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
                    conn.execute(f"RELEASE SAVEPOINT {name}")
                raise
            conn.execute(f"RELEASE SAVEPOINT {name}")
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Memberships and their events are written in either order inside one import.
            conn.execute("PRAGMA defer_foreign_keys = ON")
            yield self
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    @contextmanager
    def snapshot(self) -> Iterator[Self]:
        """Every read inside sees the database as the first one saw it (a read
        transaction: writers go on, their commits stay out of sight until it ends), so
        what was listed first is still there when it is read in full later."""
        conn = self.db.conn
        if conn.in_transaction:
            yield self
            return
        conn.execute("BEGIN")
        try:
            yield self
        finally:
            if conn.in_transaction:
                conn.execute("COMMIT")

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.db.execute(sql, params).fetchall()


def local_day(event: Event) -> str:
    return local_date(event.start, event.start_date).isoformat()


def chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
