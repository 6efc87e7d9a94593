"""Structured logs: one JSON line per import run, with its figures."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from agenda.cli import logs
from agenda.model import SourceConfig
from agenda.store.database import Store
from agenda.sync.jobs import import_source


def test_one_json_line_per_import_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure()
    try:
        (tmp_path / "a.ics").write_text("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1\r\n"
                                        "DTSTART:20270201T190000Z\r\nSUMMARY:X\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")  # fmt: skip
        store = Store.open(tmp_path / "a.db")
        source = SourceConfig(id="a", name="A", format="ics", url=str(tmp_path / "a.ics"))
        import_source(store, source, clock=lambda: datetime(2027, 1, 1, tzinfo=UTC))
        broken = SourceConfig(id="b", name="B", format="ics", url=str(tmp_path / "missing.ics"))
        import_source(store, broken, clock=lambda: datetime(2027, 1, 1, tzinfo=UTC))
    finally:
        logging.getLogger("agenda").handlers.clear()
        logging.getLogger("agenda").propagate = True
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    ok, failed = [line for line in lines if line.get("event") == "import"]
    assert (
        ok["source"] == "a" and ok["outcome"] == "ok" and ok["new"] == 1 and ok["level"] == "info"
    )
    assert failed["outcome"] == "failed" and "not found" in failed["detail"]
    assert logging.getLogger("apscheduler").level == logging.WARNING
