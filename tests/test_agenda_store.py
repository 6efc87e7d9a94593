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
