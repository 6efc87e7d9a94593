"""The API keeps step with the event form: the same new fields, the same validation.

A submission with titles and descriptions per language, audience, price, ticket link,
accessibility and a picture address is stored and shown on the event; a bad one names
each bad field; adding these fields to listings did not change the content hash of a
listing without them (so no stored listing looks changed after the upgrade).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import NOW, make_listing
from litestar.testing import TestClient

from agenda.app import create_app
from agenda.config import Settings
from agenda.partners.accounts import add_partner
from agenda.partners.event_pages import field_errors, form_body
from agenda.store.database import Store
from agenda.sync.ingest import content_hash


def test_a_listing_without_the_new_fields_hashes_as_before() -> None:
    # The hash of this listing before the fields existed (commit 01d47bd).
    assert content_hash(make_listing()) == (
        "03f696885d18634259e8d99f34e942fd6e40fb7ad21574818bf3497330de2fa5"
    )
    assert content_hash(make_listing(audience=("family",))) != content_hash(make_listing())


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:  # type: ignore[type-arg]
    db = tmp_path / "agenda.db"
    store = Store.open(db)
    _, key = add_partner(store, "Lakenhal", "lakenhal", "partner", NOW)
    store.close()
    with TestClient(create_app(Settings(db=str(db), generation_check=0), clock=lambda: NOW)) as c:
        c.headers["Authorization"] = f"Bearer {key}"
        yield c


def test_the_api_takes_the_forms_fields(client: TestClient) -> None:  # type: ignore[type-arg]
    made = client.post("/api/partner/events", json={
        "title": "Nachtconcert", "title_en": "Night concert", "start": "2027-03-05T20:00",
        "city": "Leiden", "description_en": "<p>Music at night.</p>", "audience": ["family"],
        "price": "€ 15", "ticket_url": "https://example.org/t", "accessible": True,
        "image": "https://example.org/p.jpg", "categories": ["concert"]})  # fmt: skip
    assert made.status_code == 201, made.text
    event = client.get(f"/api/events/{made.json()['event']}").json()
    assert event["audience"] == ["family"] and event["accessible"] is True
    assert event["price"] == "€ 15" and event["ticket_url"] == "https://example.org/t"
    assert "Music at night." in event["descriptions"]["en"]
    mine = client.get(f"/api/partner/events/{made.json()['id']}").json()
    assert mine["submission"]["title_en"] == "Night concert"
    assert mine["submission"]["ticket_url"] == "https://example.org/t"


def test_the_api_and_the_form_refuse_the_same_fields(client: TestClient) -> None:  # type: ignore[type-arg]
    body = {"title": "X", "start": "2027-03-05T20:00", "audience": ["toddlers"],
            "ticket_url": "ftp://x", "accessible": "maybe", "image": "/etc/passwd"}  # fmt: skip
    answer = client.post("/api/partner/events", json=body)
    assert answer.status_code == 400
    fields = {e["field"] for e in answer.json()["errors"]}
    assert fields == {"audience", "ticket_url", "accessible", "image"}
    form = form_body({"title": "X", "start": "2027-03-05T20:00", "ticket_url": "ftp://x"})
    assert form["ticket_url"] == "ftp://x" and form["all_day"] is False
    by_field, other = field_errors(
        [{"field": "ticket_url", "message": "m"}, {"field": "(body)", "message": "b"}]
    )
    assert by_field == {"ticket_url": "m"} and other == ["(body): b"]
