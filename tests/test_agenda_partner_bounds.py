"""Partner submissions: hostile uploads stay bounded and off the event loop; every title
and description is cleaned on the way in, so no script reaches any reader."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hostile import dimension_bomb_xlsx, run_bounded
from test_agenda_partners import auth, submit, world  # noqa: F401  (the fixture)

import agenda.partners.upload as upload
from agenda.cli.main import main

HOSTILE = (
    '<p>Lezing</p><script>alert("x")</script><img src=x onerror="alert(1)">'
    '<a href="javascript:alert(2)">klik</a><a href="https://www.lakenhal.nl/">site</a>'
)
FORBIDDEN = ("<script", "onerror", "javascript:")

# The child: a web app with one partner; upload the file at argv[2]; print status and body.
UPLOAD = """
import sys
from litestar.testing import TestClient
from datetime import UTC, datetime
from agenda.app import create_app
from agenda.config import Settings
from agenda.partners.accounts import add_partner
from agenda.store.database import Store
db, path = sys.argv[1], sys.argv[2]
store = Store.open(db)
_, key = add_partner(store, "Lakenhal", "lakenhal", "partner", datetime(2027, 1, 1, tzinfo=UTC))
store.close()
with TestClient(create_app(Settings(db=db, generation_check=0))) as client:
    answer = client.post("/api/partner/events.csv", content=open(path, "rb").read(),
                         headers={"Authorization": f"Bearer {key}"})
print(answer.status_code)
print(answer.text)
"""


def test_a_dimension_bomb_upload_is_refused_with_a_reason_in_bounded_memory(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(dimension_bomb_xlsx())
    measured = run_bounded(UPLOAD, [str(tmp_path / "a.db"), str(path)], timeout=120,
                           memory_mb=1536)  # fmt: skip
    assert not measured.timed_out and measured.returncode == 0, measured.stderr[-2000:]
    # The whole web app, store and parse included; the parse once took it to 2.3 GB.
    assert measured.peak_mb < 300 and measured.seconds < 60
    status, body = measured.stdout.split("\n", 1)
    assert status == "400"
    errors = json.loads(body)["errors"]
    assert errors and all(e["message"].strip() for e in errors)
    assert "row 500000, column datum: no date" in [e["message"] for e in errors]


def test_health_answers_while_an_upload_is_being_parsed(
    world: dict,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    entered, release, parsed = threading.Event(), threading.Event(), threading.Event()
    real = upload.parse_spreadsheet

    def slow_parse(*args: object, **kwargs: object) -> object:
        entered.set()
        release.wait(5)  # on the event loop, this would hold every other request
        parsed.set()
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(upload, "parse_spreadsheet", slow_parse)
    client = world["client"]
    good = b"titel;datum;begintijd\r\nRondleiding depot;12-03-2027;14:00\r\n"
    answers: list[int] = []

    def post() -> None:
        answer = client.post("/api/partner/events.csv", content=good,
                             headers=auth(world["lakenhal"]))  # fmt: skip
        answers.append(answer.status_code)

    uploader = threading.Thread(target=post)
    uploader.start()
    try:
        assert entered.wait(10)
        began = time.monotonic()
        health = client.get("/health")
        # Answered while the parse still waits: it does not run on the event loop.
        assert health.status_code == 200 and not parsed.is_set()
        assert time.monotonic() - began < 4
    finally:
        release.set()
        uploader.join(30)
    assert answers == [201]


def _never_hostile(text: str) -> None:
    for bad in FORBIDDEN:
        assert bad not in text.lower(), bad


def test_partner_descriptions_and_titles_are_cleaned_before_they_are_stored(
    world: dict,  # noqa: F811
) -> None:
    client = world["client"]
    made = submit(world, world["lakenhal"], title='<script>x()</script>Lezing <b>"Vermeer"</b>',
                  description=HOSTILE)  # fmt: skip
    detail = client.get(f"/api/events/{made['event']}").json()
    assert detail["title"] == 'x() Lezing "Vermeer"'  # tags gone, the text stays text
    assert 'href="https://www.lakenhal.nl/"' in detail["description"]
    _never_hostile(json.dumps(detail))
    # A change goes through the same cleaning.
    changed = client.patch(f"/api/partner/events/{made['id']}",
                           json={"description": HOSTILE.replace("Lezing", "Nieuw")},
                           headers=auth(world["lakenhal"]))  # fmt: skip
    assert changed.status_code == 200, changed.text
    detail = client.get(f"/api/events/{made['event']}").json()
    assert "Nieuw" in detail["description"]
    _never_hostile(json.dumps(detail))
    # An upload too.
    sheet = ("titel;datum;begintijd;omschrijving\r\n"
             f"Rondleiding<script>y()</script>;12-03-2027;14:00;{HOSTILE}\r\n").encode()  # fmt: skip
    uploaded = client.post("/api/partner/events.csv", content=sheet,
                           headers=auth(world["lakenhal"]))  # fmt: skip
    assert uploaded.status_code == 201, uploaded.text
    (event_id,) = uploaded.json()["events"]
    _never_hostile(client.get(f"/api/events/{event_id}").text)
    _never_hostile(client.get("/api/events?from=2027-01-01").text)
    export = CliRunner().invoke(
        main, ["export", "--db", str(world["db"]), "--format", "json", "--from", "2027-01-01"]
    )
    assert export.exit_code == 0 and "Lezing" in export.output and "Rondleiding" in export.output
    _never_hostile(export.output)


def test_a_long_partner_description_is_cut_with_a_warning(world: dict) -> None:  # noqa: F811
    made = submit(world, world["lakenhal"], description="woord " * 5000)
    assert made["warnings"] == ["description: cut to 20,000 characters"]
    detail = world["client"].get(f"/api/events/{made['event']}").json()
    # (merge shows a description over 5,000 characters only under ``descriptions``)
    (stored,) = detail["descriptions"].values()
    assert len(stored) <= 20_000 and stored.endswith("woord…")
