"""The store: WAL, migrations, full-text search, unusable files, the import-time boundary."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import NOW, make_listing, make_source

from agenda.errors import StoreError
from agenda.store.database import Store
from agenda.store.migrations import MIGRATIONS
from agenda.sync.ingest import ingest


def test_new_database_is_migrated_and_in_wal_mode(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "a.db")
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = set(store.db.table_names())
    assert {"sources", "listings", "events", "memberships", "venues", "import_runs"} <= tables
    store.close()
    # Opening again migrates nothing and keeps the data.
    again = Store.open(tmp_path / "a.db")
    assert again.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    again.close()


def test_full_text_search_over_titles_and_descriptions(store: Store) -> None:
    listings = [
        make_listing(
            external_id="1", title="Rembrandt & Lievens", description="Twee jonge schilders"
        ),
        make_listing(external_id="2", title="Orgelconcert", description="Muziek in de Pieterskerk"),
    ]
    ingest(store, make_source(), listings, [], NOW)
    hits = store.db.execute(
        "SELECT e.title FROM events_fts f JOIN events e ON e.rowid = f.rowid"
        " WHERE events_fts MATCH ?",
        ("schilders",),
    ).fetchall()
    assert hits == [("Rembrandt & Lievens",)]
    accent = store.db.execute(
        "SELECT count(*) FROM events_fts WHERE events_fts MATCH 'pieterskerk'"
    )
    assert accent.fetchone()[0] == 1


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database" * 100)
    with pytest.raises(StoreError, match="not a usable Regio-agenda database"):
        Store.open(path)


def test_a_database_from_a_newer_agenda_is_refused(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "new.db")
    store.db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    store.close()
    with pytest.raises(StoreError, match="newer than this agenda knows"):
        Store.open(tmp_path / "new.db")


def test_importing_agenda_loads_no_web_framework_or_sqlite_layer() -> None:
    code = (
        "import sys, agenda, agenda.model, agenda.config, agenda.dedup.cluster, agenda.normalize;"
        "heavy = [m for m in ('litestar', 'sqlite_utils', 'httpx') if m in sys.modules];"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def _planned(tmp_path: Path, analyzed: bool) -> Store:
    from datetime import timedelta

    from agenda.sync.ingest import rebuild_pending

    store = Store.open(tmp_path / "plans.db")
    venues = [("Leiden", "Museum De Lakenhal"), ("Delft", "Museum Prinsenhof Delft")]
    for n, (city, venue) in enumerate(venues):
        source = make_source(id=f"src{n}", city=city, venue=venue)
        listings = [
            make_listing(source_id=f"src{n}", external_id=str(i), title=f"Lezing {i} over water",
                         city=city, venue_name=venue, start=NOW + timedelta(hours=7 * i),
                         end=NOW + timedelta(hours=7 * i + 2))
            for i in range(300)
        ]  # fmt: skip
        ingest(store, source, listings, [], NOW, defer=True)
    if analyzed:
        rebuild_pending(store, NOW)  # keeps the statistics current (ANALYZE)
    else:
        with store.transaction():
            from agenda.dedup.rebuild import rebuild_events

            rebuild_events(store, NOW, None)
        store.db.execute("DROP TABLE IF EXISTS sqlite_stat1")
    return store


@pytest.mark.parametrize("analyzed", [True, False])
def test_main_filters_read_an_index_in_order(tmp_path: Path, analyzed: bool) -> None:
    """Region-wide, city and venue pages read their index in start order (no sort of every
    event); category filters ride the start index; full text reads the FTS index."""
    from agenda.filters import parse_filters
    from agenda.store.query import query_plan

    store = _planned(tmp_path, analyzed)
    today = NOW.date()
    shapes = {
        "region": ({}, "events_public"),
        "city": ({"city": "Leiden"}, "events_city"),
        "venue": ({"venue": "lakenhal"}, "events_venue"),
        "category": ({"category": "Lezing"}, "events_public"),
        "kind": ({"kind": "lecture"}, "events_public"),
    }
    for name, (params, index) in shapes.items():
        plan = " / ".join(query_plan(store, parse_filters(params, today)))
        assert f"USING INDEX {index}" in plan or f"USING COVERING INDEX {index}" in plan, (
            name,
            plan,
        )
        assert "TEMP B-TREE" not in plan, (name, plan)
    plan = " / ".join(query_plan(store, parse_filters({"q": "water"}, today)))
    assert "VIRTUAL TABLE INDEX" in plan and "SCAN events" not in plan.replace(
        "SCAN events_fts", ""
    ), plan
    store.close()


def test_a_large_import_refreshes_the_planner_statistics(tmp_path: Path) -> None:
    store = _planned(tmp_path, analyzed=True)
    stats = store.db.execute("SELECT tbl, idx FROM sqlite_stat1 WHERE tbl = 'events'").fetchall()
    assert ("events", "events_public") in {tuple(r) for r in stats}
    store.close()


def test_every_write_of_an_event_takes_the_next_revision(tmp_path: Path) -> None:
    from datetime import timedelta

    from agenda.filters import parse_filters
    from agenda.store import query

    store = Store.open(tmp_path / "a.db")
    ingest(store, make_source(), [make_listing(external_id="a", title="Lezing")], [], NOW)
    window = parse_filters({}, NOW.date())
    (first,) = query.summaries(store, window)
    ingest(store, make_source(), [make_listing(external_id="a", title="Lezing (verzet)")], [],
           NOW + timedelta(hours=1))  # fmt: skip
    (second,) = query.summaries(store, window)
    assert second.id == first.id and second.revision > first.revision
    ingest(store, make_source(), [make_listing(external_id="a", title="Lezing (verzet)")], [],
           NOW + timedelta(hours=2))  # fmt: skip
    assert query.summaries(store, window)[0].revision == second.revision  # nothing changed
    with store.transaction():
        store.mark_replaced(first.id, "elsewhere", NOW)
    revision = store.db.execute("SELECT revision FROM events WHERE id = ?", (first.id,)).fetchone()
    assert revision[0] > second.revision
    store.close()


def test_migration_14_reads_span_and_themes_from_stored_events(tmp_path: Path) -> None:
    from datetime import timedelta

    from agenda.filters import parse_filters
    from agenda.model import is_span
    from agenda.store import query

    store = Store.open(tmp_path / "a.db")
    start = NOW + timedelta(days=2)
    ingest(store, make_source(), [
        make_listing(external_id="evening", title="Avond", start=start, end=start + timedelta(hours=2)),
        make_listing(external_id="show", title="Tentoonstelling", start=start,
                     end=start + timedelta(days=40)),
    ], [], NOW)  # fmt: skip
    window = parse_filters({}, NOW.date())
    expected = {(r.id, r.span, r.themes_json) for r in query.summaries(store, window)}
    events = {e.id: e for e in query.list_events(store, window)}
    assert {(i, is_span(events[i])) for i, _, _ in expected} == {(i, s) for i, s, _ in expected}
    assert {s for _, s, _ in expected} == {True, False}
    for statement in ("DROP INDEX events_revision", "ALTER TABLE events DROP COLUMN revision",
                      "ALTER TABLE events DROP COLUMN span", "ALTER TABLE events DROP COLUMN themes",
                      "PRAGMA user_version = 13"):  # fmt: skip
        store.db.execute(statement)
    store.close()
    again = Store.open(tmp_path / "a.db")
    rows = query.summaries(again, window)
    assert {(r.id, r.span, r.themes_json) for r in rows} == expected
    assert len({r.revision for r in rows}) == len(rows) and min(r.revision for r in rows) > 0
    again.close()


def test_active_listings_come_in_key_order_and_a_drained_batch_empties_pending(
    tmp_path: Path,
) -> None:
    store = Store.open(tmp_path / "a.db")
    listings = [make_listing(external_id=name, title=f"Lezing {name}") for name in "qbzam"]
    ingest(store, make_source(), listings, [], NOW, defer=True)
    keys = [listing.key for listing in store.active_listings()]
    assert keys == sorted(keys) and len(keys) == 5
    assert len(store.pending()) == 5
    from agenda.sync.ingest import rebuild_pending

    rebuild_pending(store, NOW, batch=2)  # slices of two, then the last one alone
    assert store.pending() == [] and store.count("events") == 5
    store.close()


def test_migration_15_rebuilds_the_search_index_without_column_sizes(tmp_path: Path) -> None:
    from agenda.filters import parse_filters
    from agenda.store import query
    from agenda.store.migrations import FTS_TRIGGERS

    store = Store.open(tmp_path / "a.db")
    ingest(store, make_source(), [
        make_listing(external_id="1", title="Rembrandt & Lievens", description="Twee schilders"),
        make_listing(external_id="2", title="Orgelconcert", description="In de Pieterskerk"),
    ], [], NOW)  # fmt: skip
    # The index as migration 1 made it, with its column sizes.
    for statement in ("DROP TRIGGER events_ai", "DROP TRIGGER events_ad", "DROP TRIGGER events_au",
                      "DROP TABLE events_fts",
                      "CREATE VIRTUAL TABLE events_fts USING fts5(title, description,"
                      " content='events', content_rowid='rowid',"
                      " tokenize='unicode61 remove_diacritics 2')",
                      *FTS_TRIGGERS, "INSERT INTO events_fts(events_fts) VALUES ('rebuild')",
                      "PRAGMA user_version = 14"):  # fmt: skip
        store.db.execute(statement)
    assert "events_fts_docsize" in store.db.table_names()
    store.close()
    again = Store.open(tmp_path / "a.db")
    assert "events_fts_docsize" not in again.db.table_names()
    found = query.list_events(again, parse_filters({"q": "pieterskerk"}, NOW.date()))
    assert [e.title for e in found] == ["Orgelconcert"]
    # Still followed by the triggers: a new title is found, the old one no longer.
    ingest(again, make_source(), [
        make_listing(external_id="2", title="Koorconcert", description="In de Pieterskerk"),
    ], [], NOW)  # fmt: skip
    assert [
        e.title for e in query.list_events(again, parse_filters({"q": "koor"}, NOW.date()))
    ] == ["Koorconcert"]
    assert query.list_events(again, parse_filters({"q": "orgelconcert"}, NOW.date())) == []
    again.close()


def test_migration_16_drops_the_index_no_query_reads(tmp_path: Path) -> None:
    """Every event written went into an index on replaced_by that no query used."""
    from agenda.filters import parse_filters
    from agenda.store import query

    store = Store.open(tmp_path / "a.db")
    ingest(store, make_source(), [make_listing(external_id="1")], [], NOW)
    store.db.execute("CREATE INDEX events_replaced ON events(replaced_by)")
    store.db.execute("PRAGMA user_version = 15")
    store.close()
    again = Store.open(tmp_path / "a.db")
    indexes = {
        r[0] for r in again.db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
    }
    assert "events_replaced" not in indexes and "events_public" in indexes
    assert len(query.list_events(again, parse_filters({}, NOW.date()))) == 1
    again.close()


def test_members_of_answers_alike_by_scan_and_by_seek(tmp_path: Path) -> None:
    """Asked for most events, it reads the table once; asked for a few, it seeks: the
    same keys, sorted, either way."""
    from datetime import timedelta

    store = Store.open(tmp_path / "a.db")
    for source in ("lakenhal", "uit"):
        ingest(store, make_source(id=source), [
            make_listing(source_id=source, external_id=f"{source}-{i}", title=f"Avond {i}",
                         start=NOW + timedelta(days=i // 3, hours=i % 3), end=None)
            for i in range(700)
        ], [], NOW)  # fmt: skip
    events = sorted(set(store.memberships().values()))
    assert 500 <= len(events) < 1400  # the two sources' listings merged in pairs
    scanned = store.members_of(events)
    sought: dict[str, list[str]] = {}
    for i in range(0, len(events), 100):
        sought.update(store.members_of(events[i : i + 100]))
    assert scanned == sought and all(keys == sorted(keys) for keys in scanned.values())
    assert {len(keys) for keys in scanned.values()} == {2}
    store.close()
