"""Versioned schema migrations, applied in order and recorded in ``PRAGMA user_version``.

Each migration is a list of SQL statements run in one transaction; never edit a
released migration, append a new one.
"""

from __future__ import annotations

import msgspec

from agenda.themes import bundled_themes


def _seed_themes() -> list[str]:
    statements = []
    for theme in bundled_themes():
        data = msgspec.json.encode(theme).decode().replace("'", "''")
        statements.append(
            f"INSERT INTO themes (id, data, updated) VALUES ('{theme.id}', '{data}', "
            "'1970-01-01T00:00:00Z')"
        )
    return statements


# The search index follows the events table (external content) through these triggers.
FTS_TRIGGERS = (
    """CREATE TRIGGER events_ai AFTER INSERT ON events BEGIN
        INSERT INTO events_fts(rowid, title, description)
        VALUES (new.rowid, new.title, new.description); END""",
    """CREATE TRIGGER events_ad AFTER DELETE ON events BEGIN
        INSERT INTO events_fts(events_fts, rowid, title, description)
        VALUES ('delete', old.rowid, old.title, old.description); END""",
    """CREATE TRIGGER events_au AFTER UPDATE OF title, description ON events BEGIN
        INSERT INTO events_fts(events_fts, rowid, title, description)
        VALUES ('delete', old.rowid, old.title, old.description);
        INSERT INTO events_fts(rowid, title, description)
        VALUES (new.rowid, new.title, new.description); END""",
)

MIGRATIONS: list[list[str]] = [
    # 1: the foundation
    [
        """CREATE TABLE sources (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, format TEXT NOT NULL, url TEXT NOT NULL,
            kind TEXT NOT NULL, city TEXT, venue TEXT, config TEXT NOT NULL,
            etag TEXT, last_modified TEXT, created TEXT NOT NULL, updated TEXT NOT NULL)""",
        """CREATE TABLE venues (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, city TEXT, address TEXT, postcode TEXT,
            latitude REAL, longitude REAL, aliases TEXT NOT NULL DEFAULT '[]', kind TEXT,
            created TEXT NOT NULL)""",
        """CREATE TABLE listings (
            key TEXT PRIMARY KEY, source_id TEXT NOT NULL REFERENCES sources(id),
            external_id TEXT NOT NULL, data TEXT NOT NULL, content_hash TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('active', 'withdrawn')),
            start_utc TEXT NOT NULL, end_utc TEXT NOT NULL,
            first_seen TEXT NOT NULL, changed TEXT NOT NULL, withdrawn_at TEXT)""",
        "CREATE INDEX listings_source ON listings(source_id, state)",
        """CREATE TABLE events (
            id TEXT PRIMARY KEY, title TEXT NOT NULL, description TEXT NOT NULL DEFAULT '',
            start_utc TEXT NOT NULL, end_utc TEXT NOT NULL, local_date TEXT NOT NULL,
            city TEXT, venue_id TEXT, status TEXT NOT NULL, withdrawn INTEGER NOT NULL DEFAULT 0,
            data TEXT NOT NULL, data_hash TEXT NOT NULL, sequence INTEGER NOT NULL DEFAULT 0,
            created TEXT NOT NULL, updated TEXT NOT NULL, replaced_by TEXT)""",
        "CREATE INDEX events_start ON events(start_utc)",
        "CREATE INDEX events_end ON events(end_utc)",
        "CREATE INDEX events_city ON events(city, start_utc)",
        "CREATE INDEX events_replaced ON events(replaced_by)",
        """CREATE TABLE memberships (
            listing_key TEXT PRIMARY KEY REFERENCES listings(key),
            event_id TEXT NOT NULL REFERENCES events(id), reason TEXT NOT NULL DEFAULT '')""",
        "CREATE INDEX memberships_event ON memberships(event_id)",
        """CREATE TABLE import_runs (
            id INTEGER PRIMARY KEY, source_id TEXT NOT NULL, started TEXT NOT NULL,
            finished TEXT NOT NULL, outcome TEXT NOT NULL, http_status INTEGER,
            bytes INTEGER NOT NULL DEFAULT 0, new INTEGER NOT NULL DEFAULT 0,
            updated INTEGER NOT NULL DEFAULT 0, unchanged INTEGER NOT NULL DEFAULT 0,
            withdrawn INTEGER NOT NULL DEFAULT 0, message TEXT NOT NULL DEFAULT '')""",
        "CREATE INDEX import_runs_source ON import_runs(source_id, id)",
        """CREATE TABLE problems (
            id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES import_runs(id),
            source_id TEXT NOT NULL, external_id TEXT, field TEXT, message TEXT NOT NULL,
            severity TEXT NOT NULL)""",
        "CREATE INDEX problems_run ON problems(run_id)",
        """CREATE VIRTUAL TABLE events_fts USING fts5(
            title, description, content='events', content_rowid='rowid',
            tokenize='unicode61 remove_diacritics 2')""",
        *FTS_TRIGGERS,
    ],
    # 2: deduplication: a person's decisions and the grey-zone review list
    [
        """CREATE TABLE decisions (
            id INTEGER PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('together', 'apart')),
            keys TEXT NOT NULL, note TEXT NOT NULL DEFAULT '', created TEXT NOT NULL)""",
        """CREATE TABLE review (
            a TEXT NOT NULL, b TEXT NOT NULL, score REAL NOT NULL, reasons TEXT NOT NULL,
            PRIMARY KEY (a, b))""",
    ],
    # 3: listings whose events still have to be rebuilt (batch imports defer the rebuild)
    [
        "CREATE TABLE pending (listing_key TEXT PRIMARY KEY)",
    ],
    # 4: a generation number that changes whenever published events change (HTTP caches)
    [
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)",
        "INSERT INTO meta (key, value) VALUES ('generation', 0)",
    ],
    # 5: leases, so one process schedules and one import of a source runs at a time
    [
        """CREATE TABLE locks (
            name TEXT PRIMARY KEY, owner TEXT NOT NULL, expires TEXT NOT NULL)""",
    ],
    # 6: themes (themed years, festivals, campaigns), seeded with the bundled example
    [
        "CREATE TABLE themes (id TEXT PRIMARY KEY, data TEXT NOT NULL, updated TEXT NOT NULL)",
        *_seed_themes(),
    ],
    # 7: partners and roles, the audit trail, and who may see an event (embargoes)
    [
        """CREATE TABLE partners (
            id INTEGER PRIMARY KEY, name TEXT NOT NULL, institution TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('partner', 'coordinator')),
            key_hash TEXT NOT NULL UNIQUE, preview_hash TEXT UNIQUE,
            created TEXT NOT NULL, revoked TEXT)""",
        """CREATE TABLE audit (
            id INTEGER PRIMARY KEY, at TEXT NOT NULL, partner_id INTEGER, partner TEXT NOT NULL,
            action TEXT NOT NULL, target TEXT NOT NULL, details TEXT NOT NULL DEFAULT '{}')""",
        "ALTER TABLE events ADD COLUMN visibility TEXT NOT NULL DEFAULT 'public'",
        "ALTER TABLE events ADD COLUMN embargo_until TEXT",
        "CREATE INDEX events_visibility ON events(visibility, embargo_until)",
    ],
    # 8: what a run left (upcoming listings) and whether a coordinator forced it, for the
    # slow-drain guard; an event's partner view beside its public one (embargoes never
    # leak through a merged event); the next embargo moment of any of an event's listings
    [
        "ALTER TABLE import_runs ADD COLUMN upcoming INTEGER",
        "ALTER TABLE import_runs ADD COLUMN forced INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE events ADD COLUMN private_data TEXT",
        "ALTER TABLE events ADD COLUMN next_embargo TEXT",
        "CREATE INDEX events_next_embargo ON events(next_embargo) WHERE next_embargo IS NOT NULL",
    ],
    # 9: a lease names its holder (host and process) and its heartbeat, so a lease whose
    # process died is taken over at once instead of blocking its source until it expires
    [
        "ALTER TABLE locks ADD COLUMN host TEXT",
        "ALTER TABLE locks ADD COLUMN pid INTEGER",
        "ALTER TABLE locks ADD COLUMN heartbeat TEXT",
    ],
    # 10: partner browser sessions ended by signing out (until their own expiry passes)
    [
        "CREATE TABLE revoked_sessions (mac TEXT PRIMARY KEY, expires INTEGER NOT NULL)",
    ],
    # 11: pictures: what the picture job found at each source image URL (files live on disk)
    [
        """CREATE TABLE pictures (
            url TEXT PRIMARY KEY,
            status TEXT NOT NULL CHECK (status IN ('ok', 'refused', 'failed')),
            reason TEXT NOT NULL DEFAULT '', hash TEXT, width INTEGER, height INTEGER,
            fetched TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 1)""",
    ],
    # 12: indexes in the order public reads ask (visibility, then start and id), so a page of
    # the region, a city or a venue reads its first rows in order and sorts nothing; the
    # end is carried along so events already over are skipped inside the index.
    [
        "DROP INDEX events_visibility",
        "CREATE INDEX events_public ON events(visibility, start_utc, id, end_utc)",
        "DROP INDEX events_city",
        "CREATE INDEX events_city ON events(city, visibility, start_utc, id, end_utc)",
        "CREATE INDEX events_venue ON events(venue_id, visibility, start_utc, id, end_utc)",
        "ANALYZE",
    ],
    # 13: holds: a partner pencils in a date ("we plan a premiere here") that every partner
    # sees in the planner and the clash radar counts, until it expires, becomes an event
    # or its owner removes it
    [
        """CREATE TABLE holds (
            id INTEGER PRIMARY KEY, partner_id INTEGER NOT NULL, institution TEXT NOT NULL,
            partner TEXT NOT NULL, day TEXT NOT NULL, time TEXT, category TEXT NOT NULL,
            city TEXT NOT NULL, audience TEXT, title TEXT, expires TEXT NOT NULL,
            created TEXT NOT NULL, removed TEXT, removed_reason TEXT)""",
        "CREATE INDEX holds_day ON holds(removed, expires, day)",
    ],
    # 14: every write of an event takes the next revision (in commit order: writers take
    # the write lock first), so a reader knows what changed since a revision it saw; and
    # whether the event is a multi-day span and its themes, so lists are composed and
    # sliced without decoding events
    [
        "ALTER TABLE events ADD COLUMN revision INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE events ADD COLUMN span INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE events ADD COLUMN themes TEXT NOT NULL DEFAULT '[]'",
        """UPDATE events SET revision = rowid,
             themes = coalesce(json_extract(data, '$.themes'), '[]'), span = CASE
             WHEN json_extract(data, '$.start_date') IS NOT NULL
             THEN coalesce(json_extract(data, '$.end_date') > json_extract(data, '$.start_date'), 0)
             ELSE strftime('%s', end_utc) - strftime('%s', start_utc) > 72000 END""",
        "CREATE INDEX events_revision ON events(revision)",
    ],
    # 15: the search index keeps no per-row column sizes (columnsize=0): they serve only
    # ranking functions, which the agenda does not use (search filters, events sort by
    # start), and keeping them made every indexed event dearer as the region grew (the
    # largest part of a 20,000-listing import's cost above linear)
    [
        "DROP TRIGGER events_ai",
        "DROP TRIGGER events_ad",
        "DROP TRIGGER events_au",
        "DROP TABLE events_fts",
        """CREATE VIRTUAL TABLE events_fts USING fts5(
            title, description, content='events', content_rowid='rowid',
            tokenize='unicode61 remove_diacritics 2', columnsize=0)""",
        *FTS_TRIGGERS,
        "INSERT INTO events_fts(events_fts) VALUES ('rebuild')",
    ],
    # 16: no index on replaced_by: no query looks an event up by its survivor (merge
    # chains are followed by id), yet every event written went into it as well
    [
        "DROP INDEX IF EXISTS events_replaced",
    ],
]
