"""A damaged or read-only database file, met by the real command line in a subprocess."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from agenda.model import SourceConfig
from agenda.store.database import Store
from agenda.sync.jobs import import_source

NOW = datetime(2027, 1, 10, 9, tzinfo=UTC)


def ics(n: int) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//NL"]
    for i in range(n):
        lines += ["BEGIN:VEVENT", f"UID:ev-{i}@test", f"DTSTART:202702{1 + i % 27:02d}T190000Z",
                  f"SUMMARY:Concert {i} " + "lang verhaal " * 20, "END:VEVENT"]  # fmt: skip
    return ("\r\n".join([*lines, "END:VCALENDAR"]) + "\r\n").encode()


def agenda(*args: str, wrap: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    command = [*(wrap or []), sys.executable, "-m", "agenda.cli", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "agenda.ics").write_bytes(ics(400))
    (folder / "sources.toml").write_text(
        '[[source]]\nid = "lakenhal"\nformat = "ics"\nurl = "agenda.ics"\ncity = "Leiden"\n'
    )
    db = folder / "agenda.db"
    with Store.opened(db) as store:
        src = SourceConfig(id="lakenhal", name="L", format="ics", url=str(folder / "agenda.ics"))
        assert import_source(store, src, clock=lambda: NOW).outcome == "ok"
    return db


def test_a_damaged_page_is_one_line_and_exit_two(filled: Path) -> None:
    size = filled.stat().st_size
    page = 4096
    assert size > 40 * page
    with filled.open("r+b") as file:  # a page in the middle, overwritten with junk
        file.seek((size // page // 2) * page)
        file.write(b"\xa5" * page)
    for args in (
        ["import", "--config", str(filled.parent / "sources.toml"), "--db", str(filled)],
        ["export", "--db", str(filled), "--format", "json"],
    ):
        result = agenda(*args)
        assert result.returncode == 2, (args, result.stdout[:200], result.stderr)
        assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
        assert "damaged" in result.stderr or "malformed" in result.stderr, result.stderr


def _read_only(folder: Path) -> list[str]:
    """A command prefix that runs with ``folder`` read-only, even for root (a ro mount)."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return []
    if shutil.which("unshare") is None:
        pytest.skip("root without unshare: cannot make a folder read-only")
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("root without user namespaces: cannot make a folder read-only")
    return ["unshare", "-rm", "sh", "-c", 'mount --bind -o ro "$0" "$0" && exec "$@"', str(folder)]


def test_a_read_only_database_can_still_be_exported(filled: Path) -> None:
    writable = agenda("export", "--db", str(filled), "--format", "json").stdout
    filled.chmod(0o444)
    try:
        wrap = _read_only(filled.parent)
        result = agenda("export", "--db", str(filled), "--format", "json", wrap=wrap)
        assert result.returncode == 0, result.stderr
        assert result.stdout == writable and '"Concert 399' in result.stdout
        # writing is refused in one line, not with a traceback
        write = agenda("partner", "add", "Anna", "--institution", "lakenhal", "--db",
                       str(filled), wrap=wrap)  # fmt: skip
        assert write.returncode == 2 and "Traceback" not in write.stderr, write.stderr
        assert write.stderr.count("\n") == 1
    finally:
        filled.parent.chmod(0o755)
        filled.chmod(0o644)
