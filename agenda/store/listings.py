"""Sources, listings, memberships, decisions and the review queue in the store.

Part of the one SQLite door (``agenda.store.database.Store`` combines these tables);
nothing outside ``agenda.store`` builds SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import msgspec

from agenda.model import Listing, SourceConfig
from agenda.store.base import (
    ListingRow,
    StoreBase,
    chunks,
    encoder,
    listing_decoder,
)
from agenda.timeutil import utc_iso


class ListingsTable(StoreBase):
    """The listings queries of ``Store``."""

    def save_source(self, source: SourceConfig, now: datetime) -> None:
        stamp = utc_iso(now)
        self.db.execute(
            """INSERT INTO sources (id, name, format, url, kind, city, venue, config, created,
                                    updated)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(id) DO UPDATE SET name=excluded.name, format=excluded.format,
                 url=excluded.url, kind=excluded.kind, city=excluded.city,
                 venue=excluded.venue, config=excluded.config,
                 updated=CASE WHEN sources.config = excluded.config THEN sources.updated
                              ELSE excluded.updated END""",
            (
                source.id, source.name, source.format, source.url, source.kind, source.city,
                source.venue, encoder.encode(source).decode(), stamp, stamp,
            ),
        )  # fmt: skip

    def source_ids(self) -> list[str]:
        """Every source ever imported (partner submissions' own sources included)."""
        return [row[0] for row in self._rows("SELECT id FROM sources ORDER BY id")]

    def source_kinds(self) -> dict[str, str]:
        return dict(self._rows("SELECT id, kind FROM sources"))

    def source_cities(self) -> dict[str, str | None]:
        """Each source's default city (the ``city`` of its config block)."""
        return dict(self._rows("SELECT id, city FROM sources"))

    def validators(self, source_id: str) -> tuple[str | None, str | None]:
        """The ETag and Last-Modified remembered from the source's last good fetch."""
        rows = self._rows("SELECT etag, last_modified FROM sources WHERE id = ?", (source_id,))
        return (rows[0][0], rows[0][1]) if rows else (None, None)

    def set_validators(self, source_id: str, etag: str | None, last_modified: str | None) -> None:
        self.db.execute(
            "UPDATE sources SET etag = ?, last_modified = ? WHERE id = ?",
            (etag, last_modified, source_id),
        )

    def listing_index(self, source_id: str) -> dict[str, ListingRow]:
        rows = self._rows(
            "SELECT key, content_hash, state, start_utc, end_utc FROM listings WHERE source_id = ?",
            (source_id,),
        )
        return {r[0]: ListingRow(*r) for r in rows}

    def write_listings(self, rows: Iterable[tuple[Listing, str, str, str]], now: datetime) -> None:
        """Insert or replace listings given as (listing, content hash, start_utc, end_utc)."""
        stamp = utc_iso(now)
        self.db.conn.executemany(
            """INSERT INTO listings (key, source_id, external_id, data, content_hash, state,
                                     start_utc, end_utc, first_seen, changed)
               VALUES (?, ?, ?, ?, ?, 'active', ?, ?, ?, ?)
               ON CONFLICT(key) DO UPDATE SET data=excluded.data,
                 content_hash=excluded.content_hash, state='active', withdrawn_at=NULL,
                 start_utc=excluded.start_utc, end_utc=excluded.end_utc,
                 changed=excluded.changed""",
            (
                (
                    listing.key, listing.source_id, listing.external_id,
                    encoder.encode(listing).decode(), digest, start, end, stamp, stamp,
                )
                for listing, digest, start, end in rows
            ),
        )  # fmt: skip

    def withdraw_listings(self, keys: Iterable[str], now: datetime) -> None:
        stamp = utc_iso(now)
        self.db.conn.executemany(
            "UPDATE listings SET state = 'withdrawn', withdrawn_at = ?, changed = ? WHERE key = ?",
            ((stamp, stamp, key) for key in keys),
        )

    def category_words(self) -> list[tuple[str, str, int]]:
        """(source, category word as the source wrote it, active public listings with it)."""
        rows = self._rows(
            """SELECT l.source_id, c.value, count(*)
               FROM listings l, json_each(l.data, '$.categories') c
               WHERE l.state = 'active'
                 AND coalesce(json_extract(l.data, '$.visibility'), 'public') = 'public'
                 AND json_extract(l.data, '$.embargo_until') IS NULL
               GROUP BY l.source_id, c.value ORDER BY l.source_id, count(*) DESC, c.value"""
        )
        return [(str(r[0]), str(r[1]), int(r[2])) for r in rows]

    def active_listings(self) -> list[Listing]:
        """Every active listing, by key. Read in the table's own order and sorted here:
        ``ORDER BY key`` walks the key index and fetches each row from anywhere in a
        table much larger than the page cache."""
        rows = sorted(self._rows("SELECT key, data FROM listings WHERE state = 'active'"))
        return [listing_decoder.decode(r[1]) for r in rows]

    def listings(self, keys: Iterable[str]) -> dict[str, tuple[Listing, str]]:
        """Listings by key with their state."""
        found: dict[str, tuple[Listing, str]] = {}
        for chunk in chunks(list(keys), 500):
            marks = ",".join("?" * len(chunk))
            for key, data, state in self._rows(
                f"SELECT key, data, state FROM listings WHERE key IN ({marks})", chunk
            ):
                found[key] = (listing_decoder.decode(data), state)
        return found

    def listings_by_external_id(self, external_id: str) -> dict[str, tuple[Listing, str]]:
        rows = self._rows(
            "SELECT key, data, state FROM listings WHERE external_id = ?", (external_id,)
        )
        return {key: (listing_decoder.decode(data), state) for key, data, state in rows}

    def memberships(self) -> dict[str, str]:
        """listing key -> event id, for every listing ever clustered."""
        return dict(self._rows("SELECT listing_key, event_id FROM memberships"))

    def members_of(self, event_ids: Iterable[str]) -> dict[str, list[str]]:
        """Each event's listing keys, sorted."""
        wanted = set(event_ids)
        result: dict[str, list[str]] = {}
        if len(wanted) >= 500 and len(wanted) * 8 >= self._memberships_size():
            # A region-wide rebuild asks for most events: one pass over the table in its
            # own order costs less than a seek into the event index for each.
            for key, event_id in self._rows("SELECT listing_key, event_id FROM memberships"):
                if event_id in wanted:
                    result.setdefault(event_id, []).append(key)
            for keys in result.values():
                keys.sort()
            return result
        for chunk in chunks(sorted(wanted), 500):
            marks = ",".join("?" * len(chunk))
            for key, event_id in self._rows(
                f"SELECT listing_key, event_id FROM memberships WHERE event_id IN ({marks})"
                " ORDER BY listing_key",
                chunk,
            ):
                result.setdefault(event_id, []).append(key)
        return result

    def _memberships_size(self) -> int:
        """About how many memberships there are (the largest rowid: no count, no scan)."""
        rows = self._rows("SELECT max(rowid) FROM memberships")
        return int(rows[0][0] or 0)

    def set_memberships(self, rows: Iterable[tuple[str, str, str]]) -> None:
        """(listing key, event id, reason) rows; replaces each listing's membership."""
        self.db.conn.executemany(
            """INSERT INTO memberships (listing_key, event_id, reason) VALUES (?, ?, ?)
               ON CONFLICT(listing_key) DO UPDATE SET event_id=excluded.event_id,
                 reason=excluded.reason""",
            rows,
        )

    def add_pending(self, keys: Iterable[str]) -> None:
        """Listings whose events must be rebuilt before the agenda is consistent again."""
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO pending (listing_key) VALUES (?)", ((k,) for k in keys)
        )

    def pending(self, limit: int | None = None) -> list[str]:
        """Pending listing keys, in the order of their starts (neighbours rebuild together)."""
        sql = (
            "SELECT p.listing_key FROM pending p LEFT JOIN listings l ON l.key = p.listing_key"
            " ORDER BY l.start_utc, p.listing_key"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [r[0] for r in self._rows(sql)]

    def clear_pending(self, keys: Iterable[str] | None = None) -> None:
        if keys is None:
            self.db.execute("DELETE FROM pending")
            return
        # In key order: neighbouring deletes share their index pages.
        self.db.conn.executemany(
            "DELETE FROM pending WHERE listing_key = ?", ((k,) for k in sorted(keys))
        )

    def add_decision(self, kind: str, keys: Sequence[str], note: str, now: datetime) -> int:
        cursor = self.db.execute(
            "INSERT INTO decisions (kind, keys, note, created) VALUES (?, ?, ?, ?)",
            (kind, encoder.encode(list(keys)).decode(), note, utc_iso(now)),
        )
        return int(cursor.lastrowid or 0)

    def decisions(self) -> list[tuple[str, list[str]]]:
        """(kind, listing keys) in the order they were taken."""
        return [
            (kind, msgspec.json.decode(keys))
            for kind, keys in self._rows("SELECT kind, keys FROM decisions ORDER BY id")
        ]

    def replace_review(
        self, keys: set[str], pairs: Iterable[tuple[str, str, float, Sequence[str]]]
    ) -> None:
        """Replace the review pairs that involve ``keys`` with ``pairs``."""
        stale = [(a, b) for a, b in self._rows("SELECT a, b FROM review") if a in keys or b in keys]
        self.db.conn.executemany("DELETE FROM review WHERE a = ? AND b = ?", stale)
        self.db.conn.executemany(
            "INSERT INTO review (a, b, score, reasons) VALUES (?, ?, ?, ?)",
            ((a, b, score, encoder.encode(list(r)).decode()) for a, b, score, r in pairs),
        )

    def review(self) -> list[tuple[str, str, float, list[str]]]:
        return [
            (a, b, score, msgspec.json.decode(reasons))
            for a, b, score, reasons in self._rows(
                "SELECT a, b, score, reasons FROM review ORDER BY score DESC, a, b"
            )
        ]

    def delete_listing(self, key: str) -> None:
        """Remove a listing, its membership and its review pairs (never-public ones only)."""
        self.db.execute("DELETE FROM memberships WHERE listing_key = ?", (key,))
        self.db.execute("DELETE FROM review WHERE a = ? OR b = ?", (key, key))
        self.db.execute("DELETE FROM pending WHERE listing_key = ?", (key,))
        self.db.execute("DELETE FROM listings WHERE key = ?", (key,))

    def events_with_partner_listings(self) -> list[str]:
        """Events that hold a partner's submission beside another source's listing."""
        rows = self._rows(
            """SELECT event_id FROM memberships GROUP BY event_id
               HAVING sum(listing_key LIKE 'partner-%') > 0
                  AND sum(listing_key NOT LIKE 'partner-%') > 0
               ORDER BY event_id"""
        )
        return [r[0] for r in rows]

    def memberships_with_reasons(self, event_id: str) -> list[tuple[str, str]]:
        return [
            (k, r)
            for k, r in self._rows(
                "SELECT listing_key, reason FROM memberships WHERE event_id = ?"
                " ORDER BY listing_key",
                (event_id,),
            )
        ]
