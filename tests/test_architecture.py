"""The house's rules, checked: import contracts catch planted violations, the package
loads light, the command line starts both ways, and every error class maps to HTTP."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")
PACKAGES = ("agenda", "importers", "feeds", "widgets")


def _scratch(tmp_path: Path) -> Path:
    for name in PACKAGES:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _lint(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT), "--no-cache"], cwd=folder, capture_output=True, text=True, timeout=120
    )


def test_the_contracts_hold_on_the_real_tree(tmp_path: Path) -> None:
    result = _lint(_scratch(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


PLANTS = [
    ("feeds/ical.py", "import sqlite3\n", "SQLite only through the store"),
    ("agenda/themes.py", "import litestar\n", "Litestar only in"),
    ("agenda/themes.py", "import sqlite_utils\n", "SQLite only through the store"),
    ("importers/ics.py", "import httpx\n", "HTTP out only through importers.fetch"),
    ("importers/ics.py", "import agenda.store.database\n", "Importers parse"),
    ("agenda/sync/jobs.py", "import apscheduler\n", "APScheduler only in the scheduler"),
    ("agenda/web/api.py", "import click\n", "click, uvicorn and rich"),
    ("agenda/web/api.py", "import agenda.partners.accounts\n", "imports only point down"),
    ("agenda/store/query.py", "import agenda.dedup.rebuild\n", "imports only point down"),
    ("agenda/dedup/matching.py", "import agenda.store.database\n", "pure core"),
    ("feeds/rss.py", "import agenda.store.query\n", "Renderers never query"),
    ("agenda/newthing.py", '"""A module outside every layer."""\n', "imports only point down"),
]


@pytest.mark.parametrize(("module", "line", "contract"), PLANTS)
def test_a_planted_forbidden_import_breaks_a_contract(
    tmp_path: Path, module: str, line: str, contract: str
) -> None:
    folder = _scratch(tmp_path)
    target = folder / module
    target.write_text((target.read_text() if target.exists() else "") + line)
    result = _lint(folder)
    assert result.returncode != 0, f"{module}: {line!r} went uncaught"
    broken = [row for row in result.stdout.splitlines() if row.endswith("BROKEN")]
    assert any(contract in row for row in broken), result.stdout


def test_importing_agenda_loads_no_web_framework_and_no_sqlite_layer() -> None:
    code = (
        "import sys, agenda, agenda.model, agenda.errors, agenda.filters, agenda.themes; "
        "print(sorted(m for m in ('litestar', 'sqlite_utils', 'sqlite3', 'httpx') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_python_dash_m_agenda_cli_and_the_entry_point_both_work() -> None:
    by_module = subprocess.run(
        [sys.executable, "-m", "agenda.cli", "--help"], capture_output=True, text=True, timeout=60
    )
    assert by_module.returncode == 0, by_module.stderr
    assert "import" in by_module.stdout and "serve" in by_module.stdout
    entry = Path(sys.executable).with_name("agenda")
    by_entry = subprocess.run([str(entry), "--help"], capture_output=True, text=True, timeout=60)
    assert by_entry.returncode == 0, by_entry.stderr
    assert by_entry.stdout.replace("agenda", "", 1) == by_module.stdout.replace(
        "python -m agenda.cli", "", 1
    )


def test_every_error_class_maps_to_one_http_status() -> None:
    import agenda.errors as errors
    from agenda.app import STATUS

    classes = [
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, errors.AgendaError)
    ]
    assert len(classes) >= 10
    missing = [cls.__name__ for cls in classes if cls not in STATUS]
    assert not missing, f"no HTTP status for {missing}"


def test_every_folder_says_what_it_owns() -> None:
    for init in (ROOT / "agenda").glob("*/__init__.py"):
        doc = init.read_text().split('"""')[1]
        assert "Owns:" in doc and "Must not" in doc, init


def test_an_unexpected_error_is_logged_with_its_traceback_and_answered_as_a_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import logging

    from litestar.testing import TestClient

    import agenda.web.api as api
    from agenda.app import create_app
    from agenda.config import Settings

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a secret internal detail")

    monkeypatch.setattr(api, "list_page", boom)
    records: list[logging.LogRecord] = []
    catcher = logging.Handler()
    catcher.emit = records.append  # type: ignore[method-assign]
    monkeypatch.setattr(logging.getLogger("agenda.web"), "handlers", [catcher])
    with TestClient(create_app(Settings(db=str(tmp_path / "a.db")))) as client:
        answer = client.get("/api/events")
        page = client.get("/nowhere", headers={"Accept": "text/html"})
        machine = client.get("/nowhere", headers={"Accept": "application/json"})
    assert answer.status_code == 500
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["status"] == 500
    assert "secret" not in answer.text
    assert any(r.exc_info and "secret internal detail" in str(r.exc_info[1]) for r in records)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert machine.status_code == 404
    assert machine.headers["content-type"].startswith("application/problem+json")
