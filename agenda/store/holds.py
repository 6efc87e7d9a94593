"""Holds in the store: dates partners have pencilled in (``agenda.partners.holds`` decides).

Part of the one SQLite door (``agenda.store.database.Store`` combines these tables);
nothing outside ``agenda.store`` builds SQL. A hold is live until it is removed (by its
owner, or because an event was submitted from it) or its expiry day has passed.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from agenda.store.base import StoreBase
from agenda.timeutil import utc_iso

_COLUMNS = (
    "id, partner_id, institution, partner, day, time, category, city, audience, title, "
    "expires, created, removed, removed_reason"
)


class HoldsTable(StoreBase):
    """The holds queries of ``Store``."""

    def insert_hold(self, row: dict[str, Any], now: datetime) -> int:
        cursor = self.db.execute(
            "INSERT INTO holds (partner_id, institution, partner, day, time, category, city,"
            " audience, title, expires, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (row["partner_id"], row["institution"], row["partner"], row["day"], row["time"],
             row["category"], row["city"], row["audience"], row["title"], row["expires"],
             utc_iso(now)),
        )  # fmt: skip
        return int(cursor.lastrowid or 0)

    def hold_rows(
        self,
        *,
        today: date | None = None,
        first: date | None = None,
        last: date | None = None,
        hold_id: int | None = None,
    ) -> list[dict[str, Any]]:
        """Live holds (not removed, not expired on ``today``), optionally on days from
        ``first`` to ``last``; or one hold by id, live or not."""
        if hold_id is not None:
            return list(self.db.query(f"SELECT {_COLUMNS} FROM holds WHERE id = ?", [hold_id]))
        sql = f"SELECT {_COLUMNS} FROM holds WHERE removed IS NULL"
        params: list[Any] = []
        if today is not None:
            sql += " AND expires >= ? AND day >= ?"
            params += [today.isoformat(), today.isoformat()]
        if first is not None:
            sql += " AND day >= ?"
            params.append(first.isoformat())
        if last is not None:
            sql += " AND day <= ?"
            params.append(last.isoformat())
        return list(self.db.query(sql + " ORDER BY day, time, id", params))

    def remove_hold(self, hold_id: int, reason: str, now: datetime) -> bool:
        """Mark a live hold removed (``owner`` or ``event:ID``); False if it was not live."""
        cursor = self.db.execute(
            "UPDATE holds SET removed = ?, removed_reason = ? WHERE id = ? AND removed IS NULL",
            (utc_iso(now), reason, hold_id),
        )
        return bool(cursor.rowcount)
