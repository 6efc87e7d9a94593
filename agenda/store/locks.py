"""Leases (one importer per source, one scheduler) and the data generation.

Part of the one SQLite door (``agenda.store.database.Store`` combines these tables);
nothing outside ``agenda.store`` builds SQL.
"""

from __future__ import annotations

from datetime import datetime

from agenda.store.base import (
    StoreBase,
)
from agenda.timeutil import utc_iso


class LocksTable(StoreBase):
    """The locks queries of ``Store``."""

    def acquire(self, name: str, owner: str, until: datetime, now: datetime) -> bool:
        """Take (or renew) the lease ``name`` for ``owner`` unless another holds it unexpired."""
        with self.db.atomic():
            self.db.execute(
                """INSERT INTO locks (name, owner, expires) VALUES (?, ?, ?)
                   ON CONFLICT(name) DO UPDATE SET owner = excluded.owner,
                     expires = excluded.expires
                   WHERE locks.owner = excluded.owner OR locks.expires <= ?""",
                (name, owner, utc_iso(until), utc_iso(now)),
            )
            rows = self._rows("SELECT owner FROM locks WHERE name = ?", (name,))
        return bool(rows) and rows[0][0] == owner

    def release(self, name: str, owner: str) -> None:
        with self.db.atomic():
            self.db.execute("DELETE FROM locks WHERE name = ? AND owner = ?", (name, owner))

    def generation(self) -> int:
        """A number that changes whenever published events change (for caches and ETags)."""
        return int(self._rows("SELECT value FROM meta WHERE key = 'generation'")[0][0])

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
