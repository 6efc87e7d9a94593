"""The JSON API through Litestar's TestClient: filters, errors, pagination, redirects, caching."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from conftest import NOW, make_listing, make_source
from litestar.testing import TestClient
from openapi_spec_validator import validate

from agenda.app import create_app
from agenda.config import Settings
from agenda.dedup.decisions import merge
from agenda.store.database import Store
from agenda.sync.ingest import ingest

CLOCK = datetime(2027, 1, 20, 12, tzinfo=UTC)


def seed(db: Path) -> None:
    store = Store.open(db)
    listings = [
        make_listing(external_id=f"c{i}", title=f"Concert {i}", categories=("Klassiek",),
                     start=datetime(2027, 2, 1, 19, tzinfo=UTC) + timedelta(days=i), end=None)
        for i in range(7)
    ]  # fmt: skip
    listings.append(make_listing(external_id="expo", title="Rembrandt & Lievens", start=None, end=None,
                                 start_date=date(2027, 2, 1), end_date=date(2027, 5, 31),
                                 categories=("Tentoonstelling",)))  # fmt: skip
    ingest(store, make_source(), listings, [], NOW)
    ingest(store, make_source(id="prinsenhof", city="Delft", venue="Museum Prinsenhof Delft"), [
        make_listing(source_id="prinsenhof", external_id="k", title="Kinderworkshop (6+)", city="Delft",
                     venue_name="Museum Prinsenhof Delft", categories=("Familie",), is_free=True,
                     start=datetime(2027, 3, 1, 13, tzinfo=UTC), end=None),
    ], [], NOW)  # fmt: skip
    store.close()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "agenda.db"
    seed(path)
    return path


def client_for(db: Path, **settings: object) -> TestClient:
    app = create_app(Settings(db=str(db), generation_check=0, **settings), clock=lambda: CLOCK)  # type: ignore[arg-type]
    return TestClient(app)


@pytest.fixture
def client(db: Path) -> Iterator[TestClient]:
    with client_for(db) as test_client:
        yield test_client


def titles(client: TestClient, query: str) -> list[str]:
    response = client.get(f"/api/events?{query}")
    assert response.status_code == 200, response.text
    return [e["title"] for e in response.json()["events"]]


def test_list_shape_matches_the_export(client: TestClient) -> None:
    body = client.get("/api/events").json()
    assert set(body) == {"events", "next"}
    first = body["events"][0]
    assert set(first) == {"id", "title", "description", "start", "end", "all_day", "status", "venue",
                          "city", "url", "categories", "themes", "sources", "price", "is_free",
                          "titles", "picture"}  # fmt: skip
    assert first["start"] == "2027-02-01" or first["start"].endswith("+01:00")


def test_every_filter(client: TestClient) -> None:
    assert titles(client, "city=Delft") == ["Kinderworkshop (6+)"]
    assert titles(client, "venue=prinsenhof") == ["Kinderworkshop (6+)"]
    assert titles(client, "source=prinsenhof") == ["Kinderworkshop (6+)"]
    assert titles(client, "category=klassiek&limit=2") == ["Concert 0", "Concert 1"]
    assert titles(client, "audience=family") == ["Kinderworkshop (6+)"]
    assert titles(client, "free=true") == ["Kinderworkshop (6+)"]
    assert titles(client, "kind=exhibition") == ["Rembrandt & Lievens"]
    assert "Rembrandt & Lievens" not in titles(client, "kind=-exhibition")
    assert titles(client, "q=lievens") == ["Rembrandt & Lievens"]
    assert titles(client, "from=2027-03-01&to=2027-03-01") == [
        "Rembrandt & Lievens",
        "Kinderworkshop (6+)",
    ]
    assert titles(client, "theme=rembrandt-2019") == []
    assert titles(client, "accessible=true") == []
    assert titles(client, "language=en") == []  # held in English: none here
    assert titles(client, "lang=en") == titles(client, "")  # a language to read selects nothing


@pytest.mark.parametrize("query,param", [("from=x", "from"), ("limit=-1", "limit"), ("kind=circus", "kind"),
                                         ("free=maybe", "free"), ("colour=red", "colour"),
                                         ("cursor=%%%", "cursor")])  # fmt: skip
def test_bad_values_are_400_problems(client: TestClient, query: str, param: str) -> None:
    response = client.get(f"/api/events?{query}")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 400 and problem["param"] == param and problem["detail"]


def test_pagination_is_stable_when_events_are_added_before_the_cursor(db: Path) -> None:
    with client_for(db) as client:
        first = client.get("/api/events?limit=3").json()
        second = client.get(f"/api/events?limit=3&cursor={first['next']}").json()
        store = Store.open(db)
        early = make_listing(source_id="prinsenhof", external_id="early", title="Vroeg", city="Delft",
                             start=datetime(2027, 1, 25, 10, tzinfo=UTC), end=None)  # fmt: skip
        ingest(
            store,
            make_source(id="prinsenhof", city="Delft"),
            [early, *[]],
            [],
            NOW + timedelta(hours=1),
            force=True,
        )
        store.close()
        again = client.get(f"/api/events?limit=3&cursor={first['next']}").json()
        assert [e["id"] for e in again["events"]] == [e["id"] for e in second["events"]]
        seen: list[str] = []
        cursor = None
        while True:
            page = client.get(
                "/api/events?limit=2" + (f"&cursor={cursor}" if cursor else "")
            ).json()
            seen += [e["id"] for e in page["events"]]
            cursor = page["next"]
            if cursor is None:
                break
        assert (
            len(seen) == len(set(seen)) == len(client.get("/api/events?limit=500").json()["events"])
        )


def test_detail_has_listings_and_provenance_and_merged_ids_redirect(db: Path) -> None:
    with client_for(db) as client:
        events = client.get("/api/events?limit=500").json()["events"]
        ids = [e["id"] for e in events[:2]]
        detail = client.get(f"/api/events/{ids[0]}").json()
        assert detail["listings"][0]["source"] == "lakenhal"
        assert detail["provenance"]["title"] == "lakenhal"
        store = Store.open(db)
        survivor = merge(store, ids, CLOCK)
        store.close()
        gone = next(i for i in ids if i != survivor)
        redirect = client.get(f"/api/events/{gone}", follow_redirects=False)
        assert redirect.status_code == 301
        assert redirect.headers["location"] == f"/api/events/{survivor}"
        assert len(client.get(f"/api/events/{survivor}").json()["listings"]) == 2
        assert client.get("/api/events/nope").status_code == 404
        changes = client.get("/api/changes?since=2020-01-01T00:00Z").json()["changes"]
        assert {"id": gone, "change": "merged"}.items() <= next(
            c for c in changes if c["id"] == gone
        ).items()


def test_etag_304_cors_and_security_headers(client: TestClient) -> None:
    first = client.get("/api/events", headers={"Origin": "https://museum.example"})
    assert first.headers["access-control-allow-origin"] == "*"
    assert "script-src 'self'" in first.headers["content-security-policy"]
    assert "unsafe-inline" not in first.headers["content-security-policy"]
    assert first.headers["x-content-type-options"] == "nosniff"
    assert first.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    again = client.get("/api/events", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    event_id = first.json()["events"][0]["id"]
    detail = client.get(f"/api/events/{event_id}")
    assert (
        client.get(
            f"/api/events/{event_id}", headers={"If-None-Match": detail.headers["etag"]}
        ).status_code
        == 304
    )


def test_venues_categories_themes_sources_changes(client: TestClient) -> None:
    venues = {v["id"]: v for v in client.get("/api/venues").json()}
    assert venues["prinsenhof"]["upcoming"] == 1 and venues["prinsenhof"]["city"] == "Delft"
    venue = client.get("/api/venues/prinsenhof").json()
    assert [e["title"] for e in venue["events"]] == ["Kinderworkshop (6+)"]
    assert client.get("/api/venues/nope").status_code == 404
    answer = client.get("/api/categories").json()
    categories = {c["id"]: c["count"] for c in answer}
    assert categories["classical"] == 7
    assert answer[0]["id"] == "exhibition"  # the vocabulary's display order
    assert answer[1] == {"id": "classical", "nl": "Klassieke muziek", "en": "Classical music",
                         "count": 7}  # fmt: skip
    themes = client.get("/api/themes").json()
    assert [t["id"] for t in themes] == ["rembrandt-2019"]
    assert (
        themes[0]["name_nl"] == "Rembrandt en de Gouden Eeuw" and themes[0]["start"] == "2019-01-01"
    )
    sources = {s["id"]: s for s in client.get("/api/sources").json()}
    assert sources["lakenhal"]["last_outcome"] == "ok" and sources["lakenhal"]["listings"] == 8
    assert sources["lakenhal"]["last_counts"]["new"] == 8
    assert sources["lakenhal"]["recent"] == [
        {"at": sources["lakenhal"]["last_import"], "outcome": "ok", "listings": 8}
    ]
    assert sources["lakenhal"]["next_run"] is None  # no scheduler in this app
    changes = client.get("/api/changes?since=2026-01-01T00:00:00%2B01:00").json()
    assert {c["change"] for c in changes["changes"]} == {"created"} and changes["next"] is None
    assert client.get("/api/changes").status_code == 400
    assert client.get("/api/changes?since=yesterday").json()["param"] == "since"
    assert client.get("/api/changes?since=2027-01-01T00:00").json()["param"] == "since"


def test_rate_limit_on_the_api_only(db: Path) -> None:
    with client_for(db, api_rate_limit=3) as client:
        codes = [client.get("/api/categories").status_code for _ in range(5)]
        assert codes[:3] == [200, 200, 200] and codes[-1] == 429
        assert (
            client.get("/api/categories")
            .headers["content-type"]
            .startswith("application/problem+json")
        )
        assert client.get("/feeds/agenda.ics").status_code == 200


def test_openapi_document_lists_every_route(client: TestClient) -> None:
    schema = client.get("/schema/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    validate(schema)  # raises on an invalid document
    paths = set(schema["paths"])
    for route in ["/api/events", "/api/events/{event_id}", "/api/venues", "/api/venues/{venue_id}",
                  "/api/themes", "/api/categories", "/api/sources", "/api/changes", "/feeds/{name}"]:  # fmt: skip
        assert route in paths
    for route in client.app.routes:
        documented = any(h.include_in_schema for h in route.route_handlers)
        if route.path.startswith(("/api", "/feeds")) and documented:
            assert route.path.replace(":str", "") in paths
    assert client.get("/schema").status_code == 200
