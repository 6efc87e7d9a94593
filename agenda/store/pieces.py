"""Rendered pieces kept between static publishes, in a small SQLite file of their own.

Publishing composes every feed and list from one piece per event (``feeds.pieces``). A
piece depends on the event's stored revision and on how it was rendered: the kind names
the format and the feed options, the namespace the renderer's code, the address and the
pictures. A file made for another namespace starts empty. It is a cache, not data: a
file that cannot be read is replaced, and losing it costs one full render.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS pieces (
        kind TEXT NOT NULL, event_id TEXT NOT NULL, version TEXT NOT NULL, data BLOB NOT NULL,
        PRIMARY KEY (kind, event_id)) WITHOUT ROWID""",
)


class PieceCache:
    """``feeds.pieces.Memo`` on a file: reads a kind at its first use, writes on ``close``."""

    def __init__(self, path: Path, namespace: str) -> None:
        self.path = path
        try:
            self._conn = self._connect(namespace)
        except sqlite3.DatabaseError:
            path.unlink(missing_ok=True)  # unreadable: a cache starts over
            self._conn = self._connect(namespace)
        self._kinds: dict[str, dict[str, tuple[str, bytes]]] = {}
        self._new: list[tuple[str, str, str, bytes]] = []
        self._gone: list[tuple[str, str]] = []

    def _connect(self, namespace: str) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None)
        try:
            for statement in SCHEMA:
                conn.execute(statement)
            row = conn.execute("SELECT value FROM meta WHERE key = 'namespace'").fetchone()
            if row is None or row[0] != namespace:
                conn.execute("BEGIN")
                conn.execute("DELETE FROM pieces")
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('namespace', ?)", (namespace,))
                conn.execute("COMMIT")
        except sqlite3.DatabaseError:
            conn.close()
            raise
        return conn

    def get(self, kind: str, event_id: str, version: str) -> bytes | None:
        known = self._kinds.get(kind)
        if known is None:
            rows = self._conn.execute(
                "SELECT event_id, version, data FROM pieces WHERE kind = ?", (kind,)
            )
            known = self._kinds[kind] = {r[0]: (r[1], r[2]) for r in rows}
        found = known.get(event_id)
        if found is None or found[0] != version:
            return None
        return found[1]

    def put(self, kind: str, event_id: str, version: str, data: bytes) -> None:
        self._kinds.setdefault(kind, {})[event_id] = (version, data)
        self._new.append((kind, event_id, version, data))

    def keep_only(self, event_ids: set[str]) -> None:
        """Forget the pieces of events no longer published (at the next ``close``)."""
        rows = self._conn.execute("SELECT kind, event_id FROM pieces")
        self._gone = [(kind, event_id) for kind, event_id in rows if event_id not in event_ids]

    def close(self) -> None:
        """Write what was rendered (and forget what is gone) in one transaction."""
        try:
            self._conn.execute("BEGIN")
            self._conn.executemany("INSERT OR REPLACE INTO pieces VALUES (?, ?, ?, ?)", self._new)
            self._conn.executemany("DELETE FROM pieces WHERE kind = ? AND event_id = ?", self._gone)
            self._conn.execute("COMMIT")
        finally:
            self._conn.close()
