"""The demo region as `agenda demo` leaves it for the partner pages: grey-zone pairs and a
conflict for the review queue, a held-back import, an embargoed premiere, two partners'
holds, and the exact commands that make a partner's and a coordinator's key."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from agenda.cli.demo import key_commands
from agenda.cli.demo_coordination import SHRINKING, add_coordination
from agenda.config import load_sources
from agenda.dedup.decisions import event_conflicts
from agenda.demo.region import write_region
from agenda.demo.server import serve_folder
from agenda.store.database import Store
from agenda.sync.ingest import rebuild_pending
from agenda.sync.jobs import import_source

TODAY = date(2027, 2, 15)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "region"
    folder.mkdir()
    now = datetime.combine(TODAY, time(7), UTC)
    db = folder.parent / "demo.db"
    with serve_folder(folder) as server:
        sources = load_sources(write_region(folder, TODAY, server.url))
        store = Store.open(db)
        for source in sources:
            import_source(store, source, defer=True, clock=lambda: now)
        rebuild_pending(store, now)
        made = add_coordination(store, sources, folder, server.url, now)
        store.close()
    assert made == {"refused": 1, "conflicts": 1, "embargoed": 1, "holds": 4}
    return db


def test_the_review_queue_has_pairs_a_conflict_and_a_held_back_import(demo_db: Path) -> None:
    store = Store.open(demo_db)
    try:
        pairs = store.review()
        assert len(pairs) >= 3 and all(0.6 <= score < 1 for _, _, score, _ in pairs)
        conflicts = event_conflicts(store)
        assert any(c.field == "status" for found in conflicts.values() for c in found)
        refused = [row["id"] for row in store.source_rows() if row["outcome"] == "refused"]
        assert refused == [SHRINKING]
        holds = store.hold_rows(today=TODAY)
        assert len(holds) == 4 and len({h["institution"] for h in holds}) == 2
        hidden = store.db.execute(
            "SELECT count(*) FROM events WHERE visibility != 'public'"
        ).fetchone()[0]
        assert hidden >= 1
    finally:
        store.close()


def test_demo_prints_the_commands_for_a_partner_and_a_coordinator_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    program = tmp_path / "bin" / "agenda"
    program.parent.mkdir()
    program.write_text("#!/bin/sh\n")
    monkeypatch.setattr(sys, "argv", [str(program), "demo"])
    lines = key_commands(tmp_path / "demo.db")
    partner = next(line for line in lines if "--role partner" in line)
    coordinator = next(line for line in lines if "--role coordinator" in line)
    for line in (partner, coordinator):
        assert line.split(":", 1)[1].strip().startswith(f"{program} partner add ")
        assert line.endswith(f"--db {tmp_path / 'demo.db'}")
