"""Far-off days and moments, and odd paths, are 400 problems naming the parameter, never 500s.

Days and moments are bounded to the years 1900..2200 where they are parsed (``parse_day``,
``parse_moment`` and the partner submission fields); every URL here answered 500 before.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import NOW, make_listing, make_source
from litestar.testing import TestClient

from agenda.app import create_app
from agenda.config import Settings
from agenda.errors import InvalidFilterError
from agenda.filters import parse_day
from agenda.partners.accounts import add_partner
from agenda.store.database import Store
from agenda.sync.ingest import ingest

CLOCK = datetime(2027, 1, 20, 12, tzinfo=UTC)
FAR = ["9999-12-31", "0001-01-01", "1899-12-31", "2201-01-01"]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[dict]:
    db = tmp_path / "a.db"
    with Store.opened(db) as store:
        ingest(store, make_source(), [make_listing()], [], NOW)
        _, key = add_partner(store, "Lakenhal marketing", "lakenhal", "partner", NOW)
    app = create_app(Settings(db=str(db), generation_check=0), clock=lambda: CLOCK)
    with TestClient(app) as client:
        yield {"client": client, "key": key}


def problem_param(response: object) -> str:
    assert response.status_code == 400, (response.status_code, response.text[:300])  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith("application/problem+json")  # type: ignore[attr-defined]
    return str(response.json().get("param"))  # type: ignore[attr-defined]


@pytest.mark.parametrize("day", FAR)
@pytest.mark.parametrize("param", ["from", "to"])
@pytest.mark.parametrize("path", ["/api/events", "/feeds/agenda.ics", "/feeds/agenda.rss"])
def test_far_days_on_the_api_and_feeds(world: dict, path: str, param: str, day: str) -> None:
    response = world["client"].get(f"{path}?{param}={day}")
    assert problem_param(response) == param


@pytest.mark.parametrize("day", FAR)
@pytest.mark.parametrize("param", ["from", "to"])
def test_far_days_on_pages(world: dict, param: str, day: str) -> None:
    response = world["client"].get(f"/?{param}={day}", headers={"Accept": "text/html"})
    assert response.status_code == 400 and "text/html" in response.headers["content-type"]
    api = world["client"].get(f"/?{param}={day}", headers={"Accept": "application/json"})
    assert api.status_code == 400


@pytest.mark.parametrize("start", ["9999-12-31T20:00+01:00", "0001-01-01T00:00Z", "9999-12-31",
                                   "0001-01-01"])  # fmt: skip
def test_far_clash_start(world: dict, start: str) -> None:
    response = world["client"].get("/api/clashes", params={"start": start})
    assert problem_param(response) == "start"
    end = world["client"].get(
        "/api/clashes", params={"start": "2027-03-01T20:00+01:00", "end": start}
    )
    assert problem_param(end) == "end"


def test_far_changes_since(world: dict) -> None:
    response = world["client"].get("/api/changes", params={"since": "0001-01-01T00:00Z"})
    assert problem_param(response) == "since"


@pytest.mark.parametrize("start", ["9999-12-31T20:00:00+01:00", "0001-01-01T00:00:00Z"])
def test_far_partner_submission(world: dict, start: str) -> None:
    headers = {"Authorization": f"Bearer {world['key']}"}
    body = {"title": "Concert", "start": start, "city": "Leiden"}
    response = world["client"].post("/api/partner/events", json=body, headers=headers)
    assert response.status_code == 400, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["start"]
    day = world["client"].post("/api/partner/events", headers=headers,
                               json={**body, "start": start[:10], "all_day": True})  # fmt: skip
    assert day.status_code == 400 and [e["field"] for e in day.json()["errors"]] == ["start"]


@pytest.mark.parametrize("query", ["date=9999-12-31", "date=0001-01-01",
                                   "check_date=9999-12-31", "check_date=0001-01-01"])  # fmt: skip
def test_far_planner_days(world: dict, query: str) -> None:
    client = world["client"]
    signed = client.post("/partners/login", data={"key": world["key"]}, follow_redirects=False)
    assert signed.status_code == 303
    response = client.get(f"/partners/planner?{query}")
    assert response.status_code == 400, response.text[:300]
    assert query.split("=")[0] in response.text
    for export in ("csv", "ics") if query.startswith("date=") else ():
        assert client.get(f"/partners/planner.{export}?{query}").status_code == 400


@pytest.mark.parametrize("path", ["/static/app.css%00", "/static/%00", "/static/a%00b.js"])
def test_a_nul_in_a_static_path(world: dict, path: str) -> None:
    response = world["client"].get(path)
    assert response.status_code in (400, 404), response.text[:300]


def test_parse_day_bounds() -> None:
    assert parse_day("from", "1900-01-01") and parse_day("to", "2200-12-31")
    for day in FAR:
        with pytest.raises(InvalidFilterError, match=re.escape("between 1900 and 2200")):
            parse_day("from", day)


def test_a_write_that_waits_too_long_is_a_503(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import agenda.store.database as database

    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 200)
    db = tmp_path / "a.db"
    with Store.opened(db) as store:
        ingest(store, make_source(), [make_listing()], [], NOW)
        _, key = add_partner(store, "Lakenhal marketing", "lakenhal", "partner", NOW)
    app = create_app(Settings(db=str(db), generation_check=0), clock=lambda: CLOCK)
    holder = Store.open(db)
    with TestClient(app) as client, holder.transaction():
        holder.add_audit(NOW, None, "holder", "test.hold", "x", "{}")  # a long import's lock
        response = client.post("/api/partner/events", headers={"Authorization": f"Bearer {key}"},
                               json={"title": "Concert", "start": "2027-03-01T20:00:00+01:00"})  # fmt: skip
    holder.close()
    assert response.status_code == 503 and response.headers["retry-after"] == "5"
    assert "database is busy" in response.json()["detail"]
