"""Import runs and their problems: what each source's imports did.

Part of the one SQLite door (``agenda.store.database.Store`` combines these tables);
nothing outside ``agenda.store`` builds SQL.
"""

from __future__ import annotations

from typing import Any

from agenda.model import ImportRun
from agenda.store.base import (
    StoreBase,
)
from agenda.timeutil import utc_iso


class RunsTable(StoreBase):
    """The runs queries of ``Store``."""

    def record_run(self, run: ImportRun) -> int:
        cursor = self.db.execute(
            """INSERT INTO import_runs (source_id, started, finished, outcome, http_status, bytes,
                                        new, updated, unchanged, withdrawn, message, upcoming,
                                        forced)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                run.source_id, utc_iso(run.started), utc_iso(run.finished), run.outcome,
                run.http_status, run.bytes, run.new, run.updated, run.unchanged, run.withdrawn,
                run.message, run.upcoming, int(run.forced),
            ),
        )  # fmt: skip
        run_id = int(cursor.lastrowid or 0)
        self.db.conn.executemany(
            """INSERT INTO problems (run_id, source_id, external_id, field, message, severity)
               VALUES (?, ?, ?, ?, ?, ?)""",
            (
                (run_id, p.source_id, p.external_id, p.field, p.message, p.severity)
                for p in run.problems
            ),
        )
        return run_id

    def recent_drain(self, source_id: str, runs: int) -> tuple[int, int]:
        """(listings withdrawn, most upcoming listings) over the source's last ``runs``
        applied runs, counted back to (not including) the last one a coordinator forced."""
        rows = self._rows(
            """SELECT withdrawn, upcoming, forced FROM import_runs
               WHERE source_id = ? AND outcome = 'ok' ORDER BY id DESC LIMIT ?""",
            (source_id, runs),
        )
        withdrawn = peak = 0
        for gone, upcoming, forced in rows:
            if forced:
                break
            withdrawn += int(gone or 0)
            peak = max(peak, int(upcoming or 0) + int(gone or 0))
        return withdrawn, peak

    def last_outcome(self, source_id: str) -> str | None:
        rows = self._rows(
            "SELECT outcome FROM import_runs WHERE source_id = ? ORDER BY id DESC LIMIT 1",
            (source_id,),
        )
        return rows[0][0] if rows else None

    def runs(self, source_id: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT * FROM import_runs"
        params: tuple[str, ...] = ()
        if source_id is not None:
            sql += " WHERE source_id = ?"
            params = (source_id,)
        return list(self.db.query(sql + " ORDER BY id", params))

    def source_rows(self) -> list[dict[str, Any]]:
        """Every source with its latest import run and how many listings it has now."""
        return list(
            self.db.query(
                """SELECT s.id, s.name, s.format, s.url, s.kind, s.city,
                     (SELECT count(*) FROM listings l WHERE l.source_id = s.id
                        AND l.state = 'active') AS active,
                     (SELECT count(*) FROM listings l WHERE l.source_id = s.id
                        AND l.state = 'withdrawn') AS withdrawn_total,
                     r.started, r.finished, r.outcome, r.http_status, r.new, r.updated,
                     r.unchanged, r.withdrawn, r.message,
                     (SELECT count(*) FROM problems p WHERE p.run_id = r.id) AS problems,
                     (SELECT max(finished) FROM import_runs o WHERE o.source_id = s.id
                        AND o.outcome IN ('ok', 'not_modified')) AS last_success
                   FROM sources s LEFT JOIN import_runs r ON r.id =
                     (SELECT max(id) FROM import_runs x WHERE x.source_id = s.id)
                   WHERE s.format != 'partner'
                   ORDER BY s.id"""
            )
        )

    def recent_runs(self, per_source: int = 10) -> dict[str, list[tuple[str, str, int]]]:
        """The latest runs of every source, oldest first: (finished, outcome, listings seen)."""
        rows = self._rows(
            """SELECT source_id, finished, outcome, new + updated + unchanged FROM (
                 SELECT *, row_number() OVER (PARTITION BY source_id ORDER BY id DESC) AS n
                 FROM import_runs) WHERE n <= ? ORDER BY source_id, id""",
            (per_source,),
        )
        recent: dict[str, list[tuple[str, str, int]]] = {}
        for source_id, finished, outcome, seen in rows:
            recent.setdefault(source_id, []).append((finished, outcome, int(seen)))
        return recent

    def source_runs(self, source_id: str, limit: int) -> list[dict[str, Any]]:
        """The latest ``limit`` import runs of a source, oldest first."""
        rows = self.db.query(
            "SELECT * FROM import_runs WHERE source_id = ? ORDER BY id DESC LIMIT ?",
            [source_id, limit],
        )
        return list(reversed(list(rows)))

    def latest_problems(self, source_id: str, limit: int) -> list[dict[str, Any]]:
        """The problems of a source's latest import run (the first ``limit``)."""
        return list(
            self.db.query(
                """SELECT external_id, field, message, severity FROM problems WHERE run_id =
                     (SELECT max(id) FROM import_runs WHERE source_id = ?) ORDER BY id LIMIT ?""",
                [source_id, limit],
            )
        )
