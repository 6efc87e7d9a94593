"""Leases (one importer per source, one scheduler) and the data generation.

A lease records its holder (owner, host, process id) and a heartbeat. It is taken over at
once when its holder is gone: the process died on this host (``os.kill(pid, 0)`` finds
nothing), the heartbeat is older than ``stale_after``, or the lease expired. So a killed
import never blocks its source until the expiry time.

Part of the one SQLite door (``agenda.store.database.Store`` combines these tables);
nothing outside ``agenda.store`` builds SQL.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta
from typing import Any

from agenda.store.base import (
    StoreBase,
)
from agenda.timeutil import utc_iso

HOST = socket.gethostname()
STALE_AFTER = timedelta(minutes=2)


def process_alive(pid: int) -> bool:
    """Whether a process with this id runs on this host (signal 0 only asks)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


def lapsed(row: tuple[Any, ...], now: datetime, stale_after: timedelta) -> bool:
    """Whether the holder of a lease row (owner, expires, host, pid, heartbeat) is gone."""
    _, expires, host, pid, heartbeat = row
    if expires <= utc_iso(now):
        return True
    if heartbeat is not None and heartbeat < utc_iso(now - stale_after):
        return True
    return host == HOST and pid is not None and not process_alive(int(pid))


class LocksTable(StoreBase):
    """The locks queries of ``Store``."""

    def acquire(
        self,
        name: str,
        owner: str,
        until: datetime,
        now: datetime,
        *,
        stale_after: timedelta = STALE_AFTER,
    ) -> bool:
        """Take (or renew) the lease ``name`` for ``owner`` unless a live holder has it."""
        with self.transaction():
            rows = self._rows(
                "SELECT owner, expires, host, pid, heartbeat FROM locks WHERE name = ?", (name,)
            )
            if rows and rows[0][0] != owner and not lapsed(rows[0], now, stale_after):
                return False
            self.db.execute(
                """INSERT INTO locks (name, owner, expires, host, pid, heartbeat)
                   VALUES (?, ?, ?, ?, ?, ?)
                   ON CONFLICT(name) DO UPDATE SET owner = excluded.owner,
                     expires = excluded.expires, host = excluded.host, pid = excluded.pid,
                     heartbeat = excluded.heartbeat""",
                (name, owner, utc_iso(until), HOST, os.getpid(), utc_iso(now)),
            )
        return True

    def heartbeat(self, name: str, owner: str, until: datetime, now: datetime) -> bool:
        """Show the holder still works (and push the expiry on); False if it lost the lease."""
        with self.transaction():
            cursor = self.db.execute(
                "UPDATE locks SET heartbeat = ?, expires = ? WHERE name = ? AND owner = ?",
                (utc_iso(now), utc_iso(until), name, owner),
            )
        return cursor.rowcount == 1

    def release(self, name: str, owner: str) -> None:
        with self.transaction():
            self.db.execute("DELETE FROM locks WHERE name = ? AND owner = ?", (name, owner))

    def generation(self) -> int:
        """A number that changes whenever published events change (for caches and ETags)."""
        return int(self._rows("SELECT value FROM meta WHERE key = 'generation'")[0][0])

    def meta_value(self, key: str) -> int | None:
        rows = self._rows("SELECT value FROM meta WHERE key = ?", (key,))
        return int(rows[0][0]) if rows else None

    def set_meta(self, key: str, value: int) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def mark_demo(self) -> None:
        """Mark this database as made by ``agenda demo`` (which replaces only such files)."""
        with self.transaction():
            self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('demo', 1)")

    def bump_generation(self) -> None:
        self.db.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")

    def optimize(self, changed: int) -> None:
        """Keep the query planner's statistics current after a write of ``changed`` rows.

        After a write that changed many events (a tenth of them, or the first import),
        ``ANALYZE`` reads a bounded sample of every index (``analysis_limit``: a few
        milliseconds even at 100,000 events); otherwise ``PRAGMA optimize`` refreshes only
        what SQLite itself thinks is stale. Outside a transaction, after the commit.
        """
        events = int(self._rows("SELECT count(*) FROM events")[0][0])
        analyzed = self._rows("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        self.db.execute("PRAGMA analysis_limit = 1000")
        if not analyzed or changed * 10 >= events:
            self.db.execute("ANALYZE")
        else:
            self.db.execute("PRAGMA optimize")
