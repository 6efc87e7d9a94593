"""Partner accounts and the audit trail in the store.

Part of the one SQLite door (``agenda.store.database.Store`` combines these tables);
nothing outside ``agenda.store`` builds SQL.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from agenda.store.base import (
    StoreBase,
)
from agenda.timeutil import utc_iso


class AccountsTable(StoreBase):
    """The accounts queries of ``Store``."""

    def insert_partner(
        self, name: str, institution: str, role: str, key_hash: str, now: datetime
    ) -> int:
        cursor = self.db.execute(
            "INSERT INTO partners (name, institution, role, key_hash, created)"
            " VALUES (?, ?, ?, ?, ?)",
            (name, institution, role, key_hash, utc_iso(now)),
        )
        return int(cursor.lastrowid or 0)

    def partner_rows(
        self,
        *,
        partner_id: int | None = None,
        key_hash: str | None = None,
        preview_hash: str | None = None,
    ) -> list[dict[str, Any]]:
        """Accounts by id, or live accounts by key or preview-token hash, or all."""
        if partner_id is not None:
            return list(self.db.query("SELECT * FROM partners WHERE id = ?", [partner_id]))
        if key_hash is not None:
            return list(
                self.db.query(
                    "SELECT * FROM partners WHERE key_hash = ? AND revoked IS NULL", [key_hash]
                )
            )
        if preview_hash is not None:
            return list(
                self.db.query(
                    "SELECT * FROM partners WHERE preview_hash = ? AND revoked IS NULL",
                    [preview_hash],
                )
            )
        return list(self.db.query("SELECT * FROM partners ORDER BY id"))

    def revoke_partner(self, partner_id: int, now: datetime) -> None:
        self.db.execute(
            "UPDATE partners SET revoked = ?, preview_hash = NULL WHERE id = ? AND revoked IS NULL",
            (utc_iso(now), partner_id),
        )

    def set_preview_hash(self, partner_id: int, preview_hash: str) -> None:
        self.db.execute(
            "UPDATE partners SET preview_hash = ? WHERE id = ? AND revoked IS NULL",
            (preview_hash, partner_id),
        )

    def revoke_session(self, mac: str, expires: int, now: int) -> None:
        """End one signed browser session (by its signature) before its own expiry;
        sessions past their expiry are forgotten here, they end by themselves."""
        with self.transaction():
            self.db.execute("DELETE FROM revoked_sessions WHERE expires <= ?", (now,))
            self.db.execute(
                "INSERT OR IGNORE INTO revoked_sessions (mac, expires) VALUES (?, ?)",
                (mac, expires),
            )

    def session_revoked(self, mac: str) -> bool:
        rows = self._rows("SELECT 1 FROM revoked_sessions WHERE mac = ?", (mac,))
        return bool(rows)

    def add_audit(
        self,
        at: datetime,
        partner_id: int | None,
        who: str,
        action: str,
        target: str,
        details: str,
    ) -> None:
        self.db.execute(
            "INSERT INTO audit (at, partner_id, partner, action, target, details)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (utc_iso(at), partner_id, who, action, target, details),
        )

    def audit_rows(
        self,
        limit: int,
        *,
        who: str | None = None,
        action: str | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> list[dict[str, Any]]:
        """The newest audit rows; ``who`` a part of the name, ``action`` its start (``event.``),
        ``since``/``until`` UTC ISO moments (``until`` exclusive)."""
        where, params = ["1 = 1"], []
        if who:
            where.append("instr(lower(partner), lower(?)) > 0")
            params.append(who)
        if action:
            where.append("substr(action, 1, length(?)) = ?")
            params += [action, action]
        if since:
            where.append("at >= ?")
            params.append(since)
        if until:
            where.append("at < ?")
            params.append(until)
        sql = f"SELECT * FROM audit WHERE {' AND '.join(where)} ORDER BY id DESC LIMIT ?"
        return list(self.db.query(sql, [*params, limit]))

    def audit_actions(self) -> list[str]:
        return [str(r[0]) for r in self._rows("SELECT DISTINCT action FROM audit ORDER BY action")]
