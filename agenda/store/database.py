"""The only door to SQLite: one file, WAL mode, migrations, and the queries the agenda needs.

Callers group writes with ``with store.transaction():``; everything inside commits
together or not at all. Rows cross this boundary as msgspec Structs or plain tuples.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec
from sqlite_utils import Database

from agenda.errors import NotFoundError, StoreError
from agenda.model import Event, ImportRun, Listing, SourceConfig, Venue
from agenda.store.migrations import MIGRATIONS
from agenda.themes import Theme
from agenda.timeutil import local_date, utc_iso

_listing_decoder = msgspec.json.Decoder(Listing)
# The condition every public read adds: partner-only and embargoed events are not there.
PUBLIC = "visibility = 'public'"
_event_decoder = msgspec.json.Decoder(Event)
_theme_decoder = msgspec.json.Decoder(Theme)
_encoder = msgspec.json.Encoder()


class ListingRow(msgspec.Struct, frozen=True):
    """What the sync step needs to know about a stored listing."""

    key: str
    content_hash: str
    state: str
    start_utc: str
    end_utc: str


class EventRow(msgspec.Struct, frozen=True):
    """An event's bookkeeping columns (its data stays JSON)."""

    id: str
    data_hash: str
    sequence: int
    created: str
    updated: str
    replaced_by: str | None
    withdrawn: bool


class Store:
    """A Regio-agenda database. Open with ``Store.open(path)``."""

    def __init__(self, db: Database, path: str) -> None:
        self.db = db
        self.path = path

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

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.db.execute(sql, params).fetchall()

    # -- sources ---------------------------------------------------------------------------

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
                source.venue, _encoder.encode(source).decode(), stamp, stamp,
            ),
        )  # fmt: skip

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

    # -- listings --------------------------------------------------------------------------

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
                    _encoder.encode(listing).decode(), digest, start, end, stamp, stamp,
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

    def active_listings(self) -> list[Listing]:
        rows = self._rows("SELECT data FROM listings WHERE state = 'active' ORDER BY key")
        return [_listing_decoder.decode(r[0]) for r in rows]

    def listings(self, keys: Iterable[str]) -> dict[str, tuple[Listing, str]]:
        """Listings by key with their state."""
        found: dict[str, tuple[Listing, str]] = {}
        for chunk in _chunks(list(keys), 500):
            marks = ",".join("?" * len(chunk))
            for key, data, state in self._rows(
                f"SELECT key, data, state FROM listings WHERE key IN ({marks})", chunk
            ):
                found[key] = (_listing_decoder.decode(data), state)
        return found

    def listings_by_external_id(self, external_id: str) -> dict[str, tuple[Listing, str]]:
        rows = self._rows(
            "SELECT key, data, state FROM listings WHERE external_id = ?", (external_id,)
        )
        return {key: (_listing_decoder.decode(data), state) for key, data, state in rows}

    # -- memberships -----------------------------------------------------------------------

    def memberships(self) -> dict[str, str]:
        """listing key -> event id, for every listing ever clustered."""
        return dict(self._rows("SELECT listing_key, event_id FROM memberships"))

    def members_of(self, event_ids: Iterable[str]) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {}
        for chunk in _chunks(list(event_ids), 500):
            marks = ",".join("?" * len(chunk))
            for key, event_id in self._rows(
                f"SELECT listing_key, event_id FROM memberships WHERE event_id IN ({marks})"
                " ORDER BY listing_key",
                chunk,
            ):
                result.setdefault(event_id, []).append(key)
        return result

    def set_memberships(self, rows: Iterable[tuple[str, str, str]]) -> None:
        """(listing key, event id, reason) rows; replaces each listing's membership."""
        self.db.conn.executemany(
            """INSERT INTO memberships (listing_key, event_id, reason) VALUES (?, ?, ?)
               ON CONFLICT(listing_key) DO UPDATE SET event_id=excluded.event_id,
                 reason=excluded.reason""",
            rows,
        )

    # -- events ----------------------------------------------------------------------------

    def event_rows(self, ids: Iterable[str]) -> dict[str, EventRow]:
        found: dict[str, EventRow] = {}
        for chunk in _chunks(list(ids), 500):
            marks = ",".join("?" * len(chunk))
            for row in self._rows(
                "SELECT id, data_hash, sequence, created, updated, replaced_by, withdrawn"
                f" FROM events WHERE id IN ({marks})",
                chunk,
            ):
                found[row[0]] = EventRow(
                    id=row[0], data_hash=row[1], sequence=row[2], created=row[3],
                    updated=row[4], replaced_by=row[5], withdrawn=bool(row[6]),
                )  # fmt: skip
        return found

    def get_event(self, event_id: str, *, private: bool = False) -> Event:
        """The stored event, tombstoned or not; ``NotFoundError`` if there is none.

        Unless ``private``, an event that is not public is not there at all: the same
        answer as for an id that never existed, so nothing leaks.
        """
        sql = "SELECT data FROM events WHERE id = ?" + ("" if private else f" AND {PUBLIC}")
        rows = self._rows(sql, (event_id,))
        if not rows:
            raise NotFoundError(f"no event {event_id!r}")
        return _event_decoder.decode(rows[0][0])

    def replaced_by(self, event_id: str) -> str | None:
        rows = self._rows(f"SELECT replaced_by FROM events WHERE id = ? AND {PUBLIC}", (event_id,))
        return rows[0][0] if rows else None

    def due_embargoes(self, now: datetime) -> list[str]:
        """Ids of embargoed events whose moment has come."""
        rows = self._rows(
            "SELECT id FROM events WHERE visibility = 'embargo' AND embargo_until <= ?"
            " AND replaced_by IS NULL ORDER BY id",
            (utc_iso(now),),
        )
        return [r[0] for r in rows]

    def replaced_by_any(self, event_id: str) -> str | None:
        """The survivor of a merge, whoever may see it (for following merge chains)."""
        rows = self._rows("SELECT replaced_by FROM events WHERE id = ?", (event_id,))
        return rows[0][0] if rows else None

    def event_exists(self, event_id: str) -> bool:
        return bool(self._rows("SELECT 1 FROM events WHERE id = ?", (event_id,)))

    def save_event(self, event: Event, data_hash: str, start_utc: str, end_utc: str) -> None:
        """Insert or update one event (its id, created and sequence are the caller's)."""
        assert event.created is not None and event.updated is not None
        self.db.execute(
            """INSERT INTO events (id, title, description, start_utc, end_utc, local_date, city,
                                   venue_id, status, withdrawn, data, data_hash, sequence,
                                   created, updated, replaced_by, visibility, embargo_until)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)
               ON CONFLICT(id) DO UPDATE SET title=excluded.title,
                 description=excluded.description, start_utc=excluded.start_utc,
                 end_utc=excluded.end_utc, local_date=excluded.local_date, city=excluded.city,
                 venue_id=excluded.venue_id, status=excluded.status,
                 withdrawn=excluded.withdrawn, data=excluded.data,
                 data_hash=excluded.data_hash, sequence=excluded.sequence,
                 updated=excluded.updated, replaced_by=NULL, visibility=excluded.visibility,
                 embargo_until=excluded.embargo_until""",
            (
                event.id, event.title, event.description, start_utc, end_utc,
                _local_date(event), event.city, event.venue.id if event.venue else None,
                event.status, int(event.withdrawn), _encoder.encode(event).decode(), data_hash,
                event.sequence, utc_iso(event.created), utc_iso(event.updated), event.visibility,
                utc_iso(event.embargo_until) if event.embargo_until else None,
            ),
        )  # fmt: skip

    def mark_replaced(self, event_id: str, replaced_by: str, now: datetime) -> None:
        """Tombstone: the event was merged into ``replaced_by``; its id keeps answering."""
        self.db.execute(
            "UPDATE events SET replaced_by = ?, updated = ? WHERE id = ?",
            (replaced_by, utc_iso(now), event_id),
        )

    def query_events(
        self, where: str, params: Sequence[Any], *, limit: int | None, private: bool = False
    ) -> list[Event]:
        """Events matching a WHERE clause built by ``agenda.store.query`` (never user text).

        Only public events unless ``private`` (partners and coordinators).
        """
        sql = f"SELECT data FROM events WHERE replaced_by IS NULL AND ({where})"
        if not private:
            sql += f" AND {PUBLIC}"
        sql += " ORDER BY start_utc, id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [_event_decoder.decode(r[0]) for r in self._rows(sql, params)]

    def change_rows(
        self, since: str, after: tuple[str, str] | None, limit: int
    ) -> list[tuple[str, str, str, str | None, str]]:
        """(id, created, updated, replaced_by, data) of events changed after ``since``."""
        sql = (
            "SELECT id, created, updated, replaced_by, data FROM events"
            f" WHERE updated > ? AND {PUBLIC}"
        )
        params: list[Any] = [since]
        if after is not None:
            sql += " AND (updated, id) > (?, ?)"
            params.extend(after)
        sql += f" ORDER BY updated, id LIMIT {int(limit)}"
        return [tuple(r) for r in self._rows(sql, params)]  # type: ignore[misc]

    def venue_rows(self, from_utc: str) -> list[dict[str, Any]]:
        """Venues with the number of their events still to come."""
        return list(
            self.db.query(
                """SELECT v.id, v.name, v.city, v.address, v.postcode, v.latitude, v.longitude,
                          v.aliases, v.kind,
                          (SELECT count(*) FROM events e WHERE e.venue_id = v.id
                             AND e.replaced_by IS NULL AND e.end_utc > :from
                             AND e.visibility = 'public') AS upcoming
                   FROM venues v ORDER BY v.city, v.name""",
                {"from": from_utc},
            )
        )

    def category_counts(self, from_utc: str) -> list[tuple[str, int]]:
        rows = self._rows(
            """SELECT c.value, count(*) FROM events e, json_each(e.data, '$.categories') c
               WHERE e.replaced_by IS NULL AND e.end_utc > ? AND e.visibility = 'public'
               GROUP BY lower(c.value) ORDER BY count(*) DESC, c.value""",
            (from_utc,),
        )
        return [(str(r[0]), int(r[1])) for r in rows]

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

    def themes(self) -> list[Theme]:
        return [
            _theme_decoder.decode(r[0]) for r in self._rows("SELECT data FROM themes ORDER BY id")
        ]

    def save_theme(self, theme: Theme, now: datetime) -> None:
        self.db.execute(
            """INSERT INTO themes (id, data, updated) VALUES (?, ?, ?)
               ON CONFLICT(id) DO UPDATE SET data = excluded.data, updated = excluded.updated""",
            (theme.id, _encoder.encode(theme).decode(), utc_iso(now)),
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

    def theme_ids(self) -> list[str]:
        """Themes that published events belong to."""
        rows = self._rows(
            """SELECT DISTINCT t.value FROM events e, json_each(e.data, '$.themes') t
               WHERE e.replaced_by IS NULL AND e.visibility = 'public' ORDER BY 1"""
        )
        return [str(r[0]) for r in rows]

    def count_where(self, where: str, params: Sequence[Any], *, private: bool = False) -> int:
        sql = f"SELECT count(*) FROM events WHERE replaced_by IS NULL AND ({where})"
        if not private:
            sql += f" AND {PUBLIC}"
        return int(self._rows(sql, params)[0][0])

    def count(self, table: str) -> int:
        assert table in {"events", "listings", "memberships", "import_runs", "venues", "problems"}
        return int(self._rows(f"SELECT count(*) FROM {table}")[0][0])

    # -- venues ----------------------------------------------------------------------------

    def ensure_venue(self, venue: Venue, now: datetime) -> None:
        self.db.execute(
            """INSERT INTO venues (id, name, city, address, postcode, latitude, longitude,
                                   aliases, kind, created)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING""",
            (
                venue.id, venue.name, venue.city, venue.address, venue.postcode, venue.latitude,
                venue.longitude, _encoder.encode(list(venue.aliases)).decode(), venue.kind,
                utc_iso(now),
            ),
        )  # fmt: skip

    def learned_venues(self) -> list[Venue]:
        rows = self._rows(
            "SELECT id, name, city, address, postcode, latitude, longitude, kind FROM venues"
            " ORDER BY id"
        )
        return [
            Venue(
                id=r[0], name=r[1], city=r[2], address=r[3], postcode=r[4], latitude=r[5],
                longitude=r[6], kind=r[7],
            )
            for r in rows
        ]  # fmt: skip

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

    def add_pending(self, keys: Iterable[str]) -> None:
        """Listings whose events must be rebuilt before the agenda is consistent again."""
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO pending (listing_key) VALUES (?)", ((k,) for k in keys)
        )

    def pending(self) -> list[str]:
        return [r[0] for r in self._rows("SELECT listing_key FROM pending ORDER BY 1")]

    def clear_pending(self) -> None:
        self.db.execute("DELETE FROM pending")

    # -- partners and the audit trail ---------------------------------------------------------

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

    def audit_rows(self, limit: int) -> list[dict[str, Any]]:
        return list(self.db.query("SELECT * FROM audit ORDER BY id DESC LIMIT ?", [limit]))

    # -- decisions and review ----------------------------------------------------------------

    def add_decision(self, kind: str, keys: Sequence[str], note: str, now: datetime) -> int:
        cursor = self.db.execute(
            "INSERT INTO decisions (kind, keys, note, created) VALUES (?, ?, ?, ?)",
            (kind, _encoder.encode(list(keys)).decode(), note, utc_iso(now)),
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
            ((a, b, score, _encoder.encode(list(r)).decode()) for a, b, score, r in pairs),
        )

    def review(self) -> list[tuple[str, str, float, list[str]]]:
        return [
            (a, b, score, msgspec.json.decode(reasons))
            for a, b, score, reasons in self._rows(
                "SELECT a, b, score, reasons FROM review ORDER BY score DESC, a, b"
            )
        ]

    def memberships_with_reasons(self, event_id: str) -> list[tuple[str, str]]:
        return [
            (k, r)
            for k, r in self._rows(
                "SELECT listing_key, reason FROM memberships WHERE event_id = ?"
                " ORDER BY listing_key",
                (event_id,),
            )
        ]

    # -- import runs -----------------------------------------------------------------------

    def record_run(self, run: ImportRun) -> int:
        cursor = self.db.execute(
            """INSERT INTO import_runs (source_id, started, finished, outcome, http_status, bytes,
                                        new, updated, unchanged, withdrawn, message)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                run.source_id, utc_iso(run.started), utc_iso(run.finished), run.outcome,
                run.http_status, run.bytes, run.new, run.updated, run.unchanged, run.withdrawn,
                run.message,
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


def _local_date(event: Event) -> str:
    return local_date(event.start, event.start_date).isoformat()


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
