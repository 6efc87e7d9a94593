"""Whole regions of real files in one database: what a combined import must survive.

One venue name with a separator used to poison its city: every later deduplication that
fuzzy-matched a new venue there raised, and every later import of the city failed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SHARED_REAL = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "real"
AGENDA = [sys.executable, "-m", "agenda.cli"]


def _source(i: int, fmt: str, url: str, city: str = "Leiden") -> str:
    return (
        f'[[source]]\nid = "src{i}"\nname = "source {i}"\nformat = "{fmt}"\n'
        f'url = "{url}"\nkind = "venue"\ncity = "{city}"\n\n'
    )


def _csv_with_venues(folder: Path, names: list[str], start: int) -> Path:
    rows = ["titel;datum;begintijd;locatie;plaats;id"]
    for i, name in enumerate(names):
        rows.append(
            f"Voorstelling {start + i};{10 + i:02d}-03-2027;20:00;{name};Leiden;v{start + i}"
        )
    path = folder / f"venues{start}.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _import(config: Path, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*AGENDA, "import", "--config", str(config), "--db", str(db)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def _export_count(db: Path) -> int:
    out = subprocess.run(
        [*AGENDA, "export", "--db", str(db), "--format", "json"],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return len(json.loads(out.stdout)["events"])


def test_venues_with_separators_never_poison_a_city(tmp_path: Path) -> None:
    separators = [
        "Theater Noord - Kleine zaal",
        "Ypsilanti, Mich.",
        "House of Blues Boston 15 Landsdowne Street",
        "Zaal: Boven | Achter",
    ]
    config = tmp_path / "sources.toml"
    text = _source(1, "ics", (FIXTURES / "ics/google_export_machbar_fablab_2019.ics").as_uri())
    text += _source(
        2, "ics", (FIXTURES / "ics/icalcreator_fablab_cottbus_allday_multiday.ics").as_uri()
    )
    text += _source(3, "csv", _csv_with_venues(tmp_path, separators, 1).as_uri())
    config.write_text(text)
    db = tmp_path / "a.db"
    first = _import(config, db)
    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stderr
    # New venues in the same city afterwards: the fuzzy matcher meets the learned ones.
    text += _source(
        4, "csv", _csv_with_venues(tmp_path, ["Theater Noord", "Nieuwe Zaal Noord"], 10).as_uri()
    )
    config.write_text(text)
    second = _import(config, db)
    assert second.returncode == 0, second.stderr
    assert "Traceback" not in second.stderr
    assert "deduplication failed" not in second.stdout + second.stderr
    assert _export_count(db) > 60


@pytest.mark.slow
@pytest.mark.skipif(
    not SHARED_REAL.is_dir(), reason="../shared/fixtures/real is not beside this checkout"
)
def test_every_real_fixture_imports_in_one_combined_run_twice(tmp_path: Path) -> None:
    text = ""
    files = sorted(
        [
            *SHARED_REAL.glob("ics/*.ics"),
            *SHARED_REAL.glob("html/*.html"),
            *SHARED_REAL.glob("rss/*.xml"),
        ]
    )
    for i, path in enumerate(files, start=1):
        fmt = {".ics": "ics", ".html": "jsonld", ".xml": "rss"}[path.suffix]
        text += _source(i, fmt, path.as_uri())
    config = tmp_path / "fx.toml"
    config.write_text(text)
    db = tmp_path / "fx.db"
    for _ in range(2):
        run = _import(config, db)
        assert run.returncode == 0, run.stderr[-2000:]
        assert "Traceback" not in run.stdout + run.stderr
    assert _export_count(db) > 500
