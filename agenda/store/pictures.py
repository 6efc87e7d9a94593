"""Pictures: what the picture job found at each source image URL (the files live on disk).

Part of the one SQLite door (``agenda.store.database.Store`` combines these tables);
nothing outside ``agenda.store`` builds SQL. One row per source URL: ``ok`` with the
content hash and the original's size, ``refused`` (not a picture we accept) or ``failed``
(could not be fetched), each with its reason and when.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from agenda.pictures import StoredPicture
from agenda.store.base import StoreBase, chunks
from agenda.timeutil import utc_iso

_COLUMNS = "url, status, reason, hash, width, height, fetched"


class PicturesTable(StoreBase):
    """The pictures queries of ``Store``."""

    def wanted_pictures(self, now: datetime, retry_before: datetime, limit: int) -> list[str]:
        """Image URLs of current and coming events that have no picture record yet, or whose
        fetch failed before ``retry_before``; the soonest events first. A URL that was
        fetched (ok or refused) is never fetched again: a changed picture has a new URL."""
        rows = self._rows(
            """SELECT image FROM (
                 SELECT json_extract(coalesce(private_data, data), '$.image') AS image,
                        min(start_utc) AS first
                 FROM events WHERE replaced_by IS NULL AND withdrawn = 0 AND end_utc > ?
                 GROUP BY image)
               WHERE image IS NOT NULL AND image != '' AND NOT EXISTS (
                 SELECT 1 FROM pictures p WHERE p.url = image
                 AND (p.status != 'failed' OR p.fetched >= ?))
               ORDER BY first, image LIMIT ?""",
            (utc_iso(now), utc_iso(retry_before), int(limit)),
        )
        return [r[0] for r in rows]

    def record_picture(self, picture: StoredPicture) -> None:
        """Record what one source URL gave (replacing an earlier record of it)."""
        with self.db.atomic():
            self.db.execute(
                f"""INSERT INTO pictures ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT(url) DO UPDATE SET status = excluded.status,
                     reason = excluded.reason, hash = excluded.hash, width = excluded.width,
                     height = excluded.height, fetched = excluded.fetched,
                     attempts = pictures.attempts + 1""",
                (picture.url, picture.status, picture.reason, picture.hash, picture.width,
                 picture.height, picture.fetched),
            )  # fmt: skip
            if picture.status == "ok":
                # Pages and feeds with this picture change: let the caches know.
                self.db.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")

    def forget_unused_pictures(self, before: datetime) -> set[str]:
        """Drop the records of pictures no current event shows (public or not) that were
        recorded before ``before``; returns the content hashes the remaining records use.

        A tombstoned event shows nothing; a cancelled or past one still has its page. A
        forgotten URL that an event names again is simply fetched again.
        """
        with self.transaction():
            self.db.execute(
                """DELETE FROM pictures WHERE fetched < ? AND url NOT IN (
                     SELECT json_extract(data, '$.image') FROM events
                     WHERE replaced_by IS NULL AND json_extract(data, '$.image') IS NOT NULL
                     UNION
                     SELECT json_extract(private_data, '$.image') FROM events
                     WHERE replaced_by IS NULL AND private_data IS NOT NULL
                       AND json_extract(private_data, '$.image') IS NOT NULL)""",
                (utc_iso(before),),
            )
            rows = self._rows("SELECT DISTINCT hash FROM pictures WHERE hash IS NOT NULL")
        return {r[0] for r in rows}

    def pictures(self, urls: Iterable[str]) -> dict[str, StoredPicture]:
        """The records of these source URLs (those that have one)."""
        found: dict[str, StoredPicture] = {}
        for part in chunks(sorted(set(urls)), 500):
            marks = ",".join("?" * len(part))
            for row in self._rows(f"SELECT {_COLUMNS} FROM pictures WHERE url IN ({marks})", part):
                found[row[0]] = StoredPicture(
                    url=row[0], status=row[1], reason=row[2], hash=row[3], width=row[4],
                    height=row[5], fetched=row[6],
                )  # fmt: skip
        return found

    def stored_pictures(self) -> dict[str, StoredPicture]:
        """Every picture the job stored (status ok), by its source URL."""
        found: dict[str, StoredPicture] = {}
        for row in self._rows(f"SELECT {_COLUMNS} FROM pictures WHERE status = 'ok' ORDER BY url"):
            found[row[0]] = StoredPicture(
                url=row[0], status=row[1], reason=row[2], hash=row[3], width=row[4],
                height=row[5], fetched=row[6],
            )  # fmt: skip
        return found

    def picture_problems(self, limit: int = 20) -> list[StoredPicture]:
        """The latest refused or failed pictures, newest first."""
        rows = self._rows(
            f"SELECT {_COLUMNS} FROM pictures WHERE status != 'ok' ORDER BY fetched DESC LIMIT ?",
            (int(limit),),
        )
        return [
            StoredPicture(url=r[0], status=r[1], reason=r[2], hash=r[3], width=r[4],
                          height=r[5], fetched=r[6])
            for r in rows
        ]  # fmt: skip
