"""What every table of the store shares: the connection, row helpers, encoders, row types.

The condition every public read adds lives here too (``PUBLIC``), so no table forgets it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Self

import msgspec
from sqlite_utils import Database

from agenda.model import Event, Listing
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

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.db.execute(sql, params).fetchall()


def local_day(event: Event) -> str:
    return local_date(event.start, event.start_date).isoformat()


def chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
