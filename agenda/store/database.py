"""The only door to SQLite: one file, WAL mode, migrations, and the queries the agenda needs.

``Store`` combines the tables, one module per concern: ``events`` (events, venues,
themes), ``listings`` (sources, listings, memberships, decisions, review), ``runs``
(import runs and problems), ``accounts`` (partners and the audit trail), ``locks``
(leases and the data generation) and ``pictures`` (what each source image URL gave).
Callers group writes with ``with store.transaction():``;
everything inside commits together or not at all. ``with Store.opened(path) as store:``
closes the connection however the block ends. Rows cross this boundary as msgspec Structs
or plain tuples.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database

from agenda.errors import StoreError
from agenda.store.accounts import AccountsTable
from agenda.store.base import PUBLIC, EventRow, ListingRow
from agenda.store.events import EventsTable
from agenda.store.listings import ListingsTable
from agenda.store.locks import LocksTable
from agenda.store.migrations import MIGRATIONS
from agenda.store.pictures import PicturesTable
from agenda.store.runs import RunsTable

__all__ = ["PUBLIC", "EventRow", "ListingRow", "Store"]


class Store(EventsTable, ListingsTable, RunsTable, AccountsTable, LocksTable, PicturesTable):
    """A Regio-agenda database. Open with ``Store.open(path)`` or ``Store.opened(path)``."""

    @classmethod
    def open(cls, path: str | Path) -> Store:
        """Open (creating if needed) and migrate the database at ``path``."""
        try:
            conn = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
            db = Database(conn)
            db.execute("PRAGMA busy_timeout = 30000")
            db.execute("PRAGMA foreign_keys = ON")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > len(MIGRATIONS):
                raise StoreError(
                    f"{path}: schema version {version} is newer than this agenda knows"
                )
            if db.journal_mode != "wal":
                db.enable_wal()
            store = cls(db, str(path))
            store._migrate(version)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: not a usable Regio-agenda database ({exc})") from None
        return store

    def _migrate(self, version: int) -> None:
        for number, statements in enumerate(MIGRATIONS[version:], start=version + 1):
            with self.db.atomic():
                for statement in statements:
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {number}")

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """Everything inside commits together, or is rolled back on any exception."""
        with self.db.atomic():
            # Memberships and their events are written in either order inside one import.
            self.db.execute("PRAGMA defer_foreign_keys = ON")
            yield self

    @classmethod
    @contextmanager
    def opened(cls, path: str | Path) -> Iterator[Store]:
        """The store at ``path`` for the length of a ``with`` block, closed however it ends."""
        store = cls.open(path)
        try:
            yield store
        finally:
            store.close()
