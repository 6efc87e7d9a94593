"""The only door to SQLite: one file, WAL mode, migrations, and the queries the agenda needs.

``Store`` combines the tables, one module per concern: ``events`` (events, venues,
themes), ``listings`` (sources, listings, memberships, decisions, review), ``runs``
(import runs and problems), ``accounts`` (partners and the audit trail), ``locks``
(leases and the data generation), ``pictures`` (what each source image URL gave) and
``holds`` (dates partners pencilled in).
Callers group writes with ``with store.transaction():``;
everything inside commits together or not at all. ``with Store.opened(path) as store:``
closes the connection however the block ends. Rows cross this boundary as msgspec Structs
or plain tuples.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database

from agenda.errors import StoreError
from agenda.store.accounts import AccountsTable
from agenda.store.base import PUBLIC, EventRow, ListingRow
from agenda.store.events import EventsTable
from agenda.store.holds import HoldsTable
from agenda.store.listings import ListingsTable
from agenda.store.locks import LocksTable
from agenda.store.migrations import MIGRATIONS
from agenda.store.pictures import PicturesTable
from agenda.store.runs import RunsTable

__all__ = [
    "PUBLIC",
    "DatabaseError",
    "EventRow",
    "ListingRow",
    "Store",
    "explain",
    "is_demo_database",
]


# What SQLite raises; the command line and the app catch it at their edge (they may not
# import sqlite3 themselves) and turn it into one line or a 503.
DatabaseError = sqlite3.Error
BUSY_TIMEOUT_MS = 30_000


def is_busy(exc: BaseException) -> bool:
    """Whether an SQLite error means another connection holds the lock (waited for in vain)."""
    return isinstance(exc, sqlite3.OperationalError) and (
        "locked" in str(exc) or "busy" in str(exc)
    )


def explain(exc: BaseException) -> str:
    """One line for an SQLite error a person can act on ("database is busy" for locks)."""
    text = str(exc)
    if is_busy(exc):
        return "database is busy (another process is writing); try again in a moment"
    if "readonly" in text:
        return "the database is read-only here (its file or folder is not writable)"
    return f"database error: {text}"


def _writable(path: Path) -> bool:
    """Whether this process may write the file and create its -wal and -shm beside it."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def _sqlite(target: str, uri: bool = False) -> sqlite3.Connection:
    # isolation_level=None: no implicit transactions; `transaction()` begins them.
    return sqlite3.connect(
        target,
        timeout=BUSY_TIMEOUT_MS / 1000,
        isolation_level=None,
        check_same_thread=False,
        uri=uri,
    )


def _connect(path: Path, read_only: bool) -> sqlite3.Connection:
    if not read_only:
        return _sqlite(str(path))
    uri = path.resolve().as_uri()
    conn = _sqlite(f"{uri}?mode=ro", uri=True)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError:
        # A WAL database in a read-only folder without its -shm: nobody can be writing it
        # (no one can create the -wal there), so read it as an immutable file.
        conn.close()
        conn = _sqlite(f"{uri}?mode=ro&immutable=1", uri=True)
    return conn


class Store(
    EventsTable, ListingsTable, RunsTable, AccountsTable, LocksTable, PicturesTable, HoldsTable
):
    """A Regio-agenda database. Open with ``Store.open(path)`` or ``Store.opened(path)``."""

    @classmethod
    def open(cls, path: str | Path, *, check: bool = True) -> Store:
        """Open (creating if needed), check and migrate the database at ``path``.

        ``check`` runs ``PRAGMA quick_check`` first (0.05 s for a 52 MB file, warm cache),
        so a damaged file is one clear ``StoreError``, not tracebacks or half-done imports;
        the app checks once at start and skips it for its per-thread connections. A file
        this process cannot write (mode 0444, a read-only folder or mount) is opened
        read-only, which is enough to read and export it if its schema is current.
        """
        target = Path(path)
        read_only = target.exists() and not _writable(target)
        try:
            return cls._open(target, read_only, check)
        except sqlite3.OperationalError as exc:
            # Permission checks can say yes where the file system says no (a read-only
            # mount seen through an older handle, user namespaces): try reading only.
            if read_only or not target.exists() or is_busy(exc):
                raise _store_error(path, exc) from None
            try:
                return cls._open(target, True, check)
            except sqlite3.Error:
                raise _store_error(path, exc) from None
        except sqlite3.Error as exc:
            raise _store_error(path, exc) from None

    @classmethod
    def _open(cls, target: Path, read_only: bool, check: bool) -> Store:
        conn = _connect(target, read_only)
        try:
            db = Database(conn)
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            db.execute("PRAGMA foreign_keys = ON")
            # Statement journals in memory, not in temporary files: every upsert inside an
            # import's transaction (an event and its search-index trigger) journals the pages
            # it changes, which as files cost ten page writes per event (700 MB written to
            # rebuild a 55 MB region of 20,000 listings). They live for one statement.
            db.execute("PRAGMA temp_store = MEMORY")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > len(MIGRATIONS):
                raise StoreError(
                    f"{target}: schema version {version} is newer than this agenda knows"
                )
            if check:
                _quick_check(db, target)
            if read_only and version < len(MIGRATIONS):
                raise StoreError(
                    f"{target}: read-only, and its schema must first be upgraded by a run "
                    "with write access"
                )
            if not read_only and db.journal_mode != "wal":
                db.enable_wal()
            store = cls(db, str(target), read_only=read_only)
            store._migrate(version)
        except BaseException:
            conn.close()
            raise
        return store

    def _migrate(self, version: int) -> None:
        for number, statements in enumerate(MIGRATIONS[version:], start=version + 1):
            with self.transaction():
                for statement in statements:
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {number}")

    def close(self) -> None:
        self.db.close()

    @classmethod
    @contextmanager
    def opened(cls, path: str | Path, *, check: bool = True) -> Iterator[Store]:
        """The store at ``path`` for the length of a ``with`` block, closed however it ends."""
        store = cls.open(path, check=check)
        try:
            yield store
        finally:
            store.close()


def _store_error(path: str | Path, exc: sqlite3.Error) -> StoreError:
    if is_busy(exc):
        return StoreError(f"{path}: {explain(exc)}")
    return StoreError(f"{path}: not a usable Regio-agenda database ({exc})")


def is_demo_database(path: str | Path) -> bool:
    """Whether ``path`` is a database ``agenda demo`` made (it carries the demo marker).

    Opens the file read-only and changes nothing in it, so any other file, an agenda
    database without the marker, or an unreadable one, answers False.
    """
    conn = None
    try:
        conn = _connect(Path(path), read_only=True)
        row = conn.execute("SELECT value FROM meta WHERE key = 'demo'").fetchone()
    except sqlite3.Error:
        return False
    finally:
        if conn is not None:
            conn.close()
    return row is not None and row[0] == 1


def _quick_check(db: Database, path: str | Path) -> None:
    rows = db.execute("PRAGMA quick_check(3)").fetchall()
    if [row[0] for row in rows] != ["ok"]:
        # SQLite's own report may span lines ("*** in database main ***\nPage 206: ..."):
        # the message stays one line.
        first = " ".join(str(rows[0][0]).split()) if rows else "no answer"
        raise StoreError(
            f"{path}: the database file is damaged ({first}); restore a backup "
            "or export what is readable with the sqlite3 .recover command"
        )
