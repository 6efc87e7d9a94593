"""Events, venues and themes in the store: the deduplicated happenings as stored.

Part of the one SQLite door (``agenda.store.database.Store`` combines these tables);
nothing outside ``agenda.store`` builds SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from agenda.errors import NotFoundError
from agenda.model import Event, Venue, is_span
from agenda.store.base import (
    PUBLIC,
    EventRow,
    StoreBase,
    SummaryRow,
    chunks,
    encoder,
    event_decoder,
    local_day,
    theme_decoder,
)
from agenda.themes import Theme
from agenda.timeutil import utc_iso


class EventsTable(StoreBase):
    """The events queries of ``Store``."""

    def event_rows(self, ids: Iterable[str]) -> dict[str, EventRow]:
        found: dict[str, EventRow] = {}
        for chunk in chunks(list(ids), 500):
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

    def get_event(
        self, event_id: str, *, private: bool = False, public_face: bool = False
    ) -> Event:
        """The stored event, tombstoned or not; ``NotFoundError`` if there is none.

        Unless ``private``, an event that is not public is not there at all: the same
        answer as for an id that never existed, so nothing leaks. ``private`` gives what
        partners see (embargoed listings included); ``public_face`` the stored public face
        whatever the event's visibility (for the rebuild's own comparisons).
        """
        column = "coalesce(private_data, data)" if private else "data"
        sql = f"SELECT {column} FROM events WHERE id = ?"
        if not (private or public_face):
            sql += f" AND {PUBLIC}"
        rows = self._rows(sql, (event_id,))
        if not rows:
            raise NotFoundError(f"no event {event_id!r}")
        return event_decoder.decode(rows[0][0])

    def replaced_by(self, event_id: str) -> str | None:
        rows = self._rows(f"SELECT replaced_by FROM events WHERE id = ? AND {PUBLIC}", (event_id,))
        return rows[0][0] if rows else None

    def due_embargoes(self, now: datetime) -> list[str]:
        """Ids of embargoed events whose moment has come."""
        rows = self._rows(
            "SELECT id FROM events WHERE replaced_by IS NULL AND (next_embargo <= ?"
            " OR (visibility = 'embargo' AND embargo_until <= ?)) ORDER BY id",
            (utc_iso(now), utc_iso(now)),
        )
        return [r[0] for r in rows]

    def replaced_by_any(self, event_id: str) -> str | None:
        """The survivor of a merge, whoever may see it (for following merge chains)."""
        rows = self._rows("SELECT replaced_by FROM events WHERE id = ?", (event_id,))
        return rows[0][0] if rows else None

    def event_exists(self, event_id: str) -> bool:
        return bool(self._rows("SELECT 1 FROM events WHERE id = ?", (event_id,)))

    def save_event(
        self,
        event: Event,
        data_hash: str,
        start_utc: str,
        end_utc: str,
        *,
        private: Event | None = None,
        next_embargo: datetime | None = None,
    ) -> None:
        """Insert or update one event (its id, created and sequence are the caller's).

        ``event`` is its public face (every column and the search index come from it);
        ``private`` what partners see when that differs; ``next_embargo`` the moment the
        next of its listings leaves its embargo.
        """
        assert event.created is not None and event.updated is not None
        self.db.execute(
            """INSERT INTO events (id, title, description, start_utc, end_utc, local_date, city,
                                   venue_id, status, withdrawn, data, data_hash, sequence,
                                   created, updated, replaced_by, visibility, embargo_until,
                                   private_data, next_embargo, span, themes, revision)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?,
                       (SELECT coalesce(max(revision), 0) + 1 FROM events))
               ON CONFLICT(id) DO UPDATE SET title=excluded.title,
                 description=excluded.description, start_utc=excluded.start_utc,
                 end_utc=excluded.end_utc, local_date=excluded.local_date, city=excluded.city,
                 venue_id=excluded.venue_id, status=excluded.status,
                 withdrawn=excluded.withdrawn, data=excluded.data,
                 data_hash=excluded.data_hash, sequence=excluded.sequence,
                 updated=excluded.updated, replaced_by=NULL, visibility=excluded.visibility,
                 embargo_until=excluded.embargo_until, private_data=excluded.private_data,
                 next_embargo=excluded.next_embargo, span=excluded.span,
                 themes=excluded.themes, revision=excluded.revision""",
            (
                event.id, event.title, event.description, start_utc, end_utc,
                local_day(event), event.city, event.venue.id if event.venue else None,
                event.status, int(event.withdrawn), encoder.encode(event).decode(), data_hash,
                event.sequence, utc_iso(event.created), utc_iso(event.updated), event.visibility,
                utc_iso(event.embargo_until) if event.embargo_until else None,
                encoder.encode(private).decode() if private is not None else None,
                utc_iso(next_embargo) if next_embargo else None, int(is_span(event)),
                encoder.encode(list(event.themes)).decode(),
            ),
        )  # fmt: skip

    def delete_event(self, event_id: str) -> None:
        """Remove an event that was never public (nothing public may point to it)."""
        self.db.execute("DELETE FROM events WHERE id = ? AND visibility != 'public'", (event_id,))

    def mark_replaced(self, event_id: str, replaced_by: str, now: datetime) -> None:
        """Tombstone: the event was merged into ``replaced_by``; its id keeps answering."""
        self.db.execute(
            "UPDATE events SET replaced_by = ?, updated = ?,"
            " revision = (SELECT coalesce(max(revision), 0) + 1 FROM events) WHERE id = ?",
            (replaced_by, utc_iso(now), event_id),
        )

    def query_events(
        self, where: str, params: Sequence[Any], *, limit: int | None, private: bool = False
    ) -> list[Event]:
        """Events matching a WHERE clause built by ``agenda.store.query`` (never user text).

        Only public events unless ``private`` (partners and coordinators).
        """
        sql = self._events_sql(where, limit=limit, private=private)
        return [event_decoder.decode(r[0]) for r in self._rows(sql, params)]

    @staticmethod
    def _events_sql(where: str, *, limit: int | None, private: bool) -> str:
        column = "coalesce(private_data, data)" if private else "data"
        sql = f"SELECT {column} FROM events WHERE replaced_by IS NULL AND ({where})"
        if not private:
            sql += f" AND {PUBLIC}"
        sql += " ORDER BY start_utc, id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return sql

    def query_plan(
        self, where: str, params: Sequence[Any], *, limit: int | None, private: bool = False
    ) -> list[str]:
        """SQLite's plan (EXPLAIN QUERY PLAN details) for ``query_events`` with these
        arguments: for tests that keep the main filters on their indexes."""
        sql = self._events_sql(where, limit=limit, private=private)
        return [str(r[3]) for r in self._rows("EXPLAIN QUERY PLAN " + sql, params)]

    def summary_rows(self, where: str, params: Sequence[Any]) -> list[SummaryRow]:
        """The public events ``query_events`` would list, in its order, as summaries read
        from their columns (no event is decoded), with their city and venue."""
        sql = (
            "SELECT id, revision, start_utc, local_date, span,"
            " withdrawn OR status = 'cancelled', coalesce(updated, created), city, venue_id,"
            " themes"
            f" FROM events WHERE replaced_by IS NULL AND ({where}) AND {PUBLIC}"
            " ORDER BY start_utc, id"
        )
        return [
            SummaryRow(r[0], r[1], r[2], r[3], bool(r[4]), bool(r[5]), r[6], r[7], r[8], r[9])
            for r in self._rows(sql, params)
        ]

    def events_by_id(self, ids: Sequence[str]) -> dict[str, Event]:
        """The public events with these ids (those that are not public are left out)."""
        found: dict[str, Event] = {}
        for chunk in chunks(list(ids), 500):
            marks = ",".join("?" * len(chunk))
            for event in self.query_events(f"id IN ({marks})", chunk, limit=None):
                found[event.id] = event
        return found

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

    def count_where(self, where: str, params: Sequence[Any], *, private: bool = False) -> int:
        sql = f"SELECT count(*) FROM events WHERE replaced_by IS NULL AND ({where})"
        if not private:
            sql += f" AND {PUBLIC}"
        return int(self._rows(sql, params)[0][0])

    def venue_is_public(self, venue_id: str) -> bool:
        return bool(
            self._rows(
                "SELECT 1 FROM events WHERE venue_id = ? AND replaced_by IS NULL"
                f" AND {PUBLIC} LIMIT 1",
                (venue_id,),
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

    def theme_ids(self) -> list[str]:
        """Themes that published events belong to."""
        rows = self._rows(
            """SELECT DISTINCT t.value FROM events e, json_each(e.themes) t
               WHERE e.replaced_by IS NULL AND e.visibility = 'public' AND e.themes != '[]'
               ORDER BY 1"""
        )
        return [str(r[0]) for r in rows]

    def themes(self) -> list[Theme]:
        return [
            theme_decoder.decode(r[0]) for r in self._rows("SELECT data FROM themes ORDER BY id")
        ]

    def save_theme(self, theme: Theme, now: datetime) -> None:
        self.db.execute(
            """INSERT INTO themes (id, data, updated) VALUES (?, ?, ?)
               ON CONFLICT(id) DO UPDATE SET data = excluded.data, updated = excluded.updated""",
            (theme.id, encoder.encode(theme).decode(), utc_iso(now)),
        )

    def ensure_venue(self, venue: Venue, now: datetime) -> None:
        self.db.execute(
            """INSERT INTO venues (id, name, city, address, postcode, latitude, longitude,
                                   aliases, kind, created)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING""",
            (
                venue.id, venue.name, venue.city, venue.address, venue.postcode, venue.latitude,
                venue.longitude, encoder.encode(list(venue.aliases)).decode(), venue.kind,
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

    def venue_rows(self, from_utc: str) -> list[dict[str, Any]]:
        """Venues a public event names, with the number of their events still to come.

        A venue learned only from embargoed or partner-only listings is not listed.
        """
        return list(
            self.db.query(
                """SELECT v.id, v.name, v.city, v.address, v.postcode, v.latitude, v.longitude,
                          v.aliases, v.kind,
                          (SELECT count(*) FROM events e WHERE e.venue_id = v.id
                             AND e.replaced_by IS NULL AND e.end_utc > :from
                             AND e.visibility = 'public') AS upcoming
                   FROM venues v
                   WHERE EXISTS (SELECT 1 FROM events e WHERE e.venue_id = v.id
                                   AND e.replaced_by IS NULL AND e.visibility = 'public')
                   ORDER BY v.city, v.name""",
                {"from": from_utc},
            )
        )

    def count(self, table: str) -> int:
        assert table in {"events", "listings", "memberships", "import_runs", "venues", "problems"}
        return int(self._rows(f"SELECT count(*) FROM {table}")[0][0])
