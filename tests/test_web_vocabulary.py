"""What tourists saw: one category per meaning in either language, and ``lang`` translating
instead of filtering (pages, feeds, /subscribe, /sources)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from html import unescape
from urllib.parse import urlsplit

import pytest
from browser import CLOCK, seed_pages
from conftest import make_listing, make_source
from litestar.testing import TestClient

from agenda.app import create_app
from agenda.config import Settings
from agenda.store.database import Store
from agenda.sync.ingest import ingest
from agenda.vocabulary import canonical

BASE = "https://agenda.example"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db = tmp_path_factory.mktemp("vocab") / "agenda.db"
    seed_pages(db)
    store = Store.open(db)
    visit = make_source(id="visit", name="Visit The Hague", kind="aggregator",
                        city="Den Haag", venue=None, language="en")  # fmt: skip
    at = lambda day: datetime(2027, 2, day, 18, 30, tzinfo=UTC)  # noqa: E731
    listings = [
        make_listing(source_id="visit", external_id="l1", title="Lecture: Dutch masters",
                     language="en", categories=("Lecture",), city="Den Haag",
                     venue_name="Mauritshuis", start=at(10), end=None),
        make_listing(source_id="visit", external_id="l2", title="Lezing: Hollandse meesters",
                     language="nl", categories=("lezing",), city="Den Haag",
                     venue_name="Mauritshuis", start=at(11), end=None),
        make_listing(source_id="visit", external_id="x1", title="Exhibition: Delft Blue",
                     language="en", categories=("Exhibition", "Kermis"), city="Den Haag",
                     venue_name="Mauritshuis", start=None, end=None,
                     start_date=date(2027, 2, 1), end_date=date(2027, 4, 30)),
        make_listing(source_id="visit", external_id="w1", title="Stadswandeling Den Haag",
                     language="nl", categories=("wandeling", "Kermis"), city="Den Haag",
                     venue_name="Mauritshuis", start=at(12), end=None),
    ]  # fmt: skip
    ingest(store, visit, listings, [], CLOCK)
    store.close()
    settings = Settings(db=str(db), base_url=BASE, generation_check=0)
    with TestClient(create_app(settings, clock=lambda: CLOCK)) as test_client:
        yield test_client


def options(html: str, name: str) -> list[tuple[str, str]]:
    select = re.search(rf'<select id="f-{name}" name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, name
    found = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(1))
    return [(value, unescape(text)) for value, text in found if value]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_category_options_have_one_entry_per_category(client: TestClient, lang: str) -> None:
    html = client.get(f"/?lang={lang}").text
    found = options(html, "category")
    meanings = [canonical(text) for _, text in found]
    assert len(found) >= 5
    assert None not in meanings, found  # every label is a word of the vocabulary
    assert len(meanings) == len(set(meanings)), found  # never one category in two languages
    assert [value for value, _ in found] == meanings  # the values are the canonical ids
    labels = dict(found)
    assert labels["lecture"] == ("Lecture" if lang == "en" else "Lezing")
    assert labels["exhibition"] == ("Exhibition" if lang == "en" else "Tentoonstelling")


def test_lecture_and_lezing_find_the_same_events(client: TestClient) -> None:
    def ids(query: str) -> list[str]:
        return re.findall(r'href="/events/([0-9a-z]+)', client.get(f"/?{query}").text)

    english, dutch = ids("category=Lecture&from=2027-02-01"), ids("category=lezing&from=2027-02-01")
    assert len(english) >= 2 and english == dutch
    api = client.get("/api/events?category=Lecture").json()["events"]
    assert {e["id"] for e in api} == {
        e["id"] for e in client.get("/api/events?category=lezing").json()["events"]
    }
    assert all("lecture" in e["categories"] for e in api)
    # The chosen category stays chosen, as one option, whatever the spelling in the address.
    html = client.get("/?category=LEZING&lang=en").text
    assert '<option value="lecture" selected>Lecture</option>' in html


def uids(ics: str) -> set[str]:
    return set(re.findall(r"^UID:(.+?)\r$", ics, re.M))


def test_an_english_feed_holds_every_event_with_english_labels(client: TestClient) -> None:
    dutch = client.get("/feeds/den-haag.ics").text
    english = client.get("/feeds/den-haag.ics?lang=en").text
    assert len(uids(dutch)) >= 4 and uids(english) == uids(dutch)
    assert "CATEGORIES:Lecture" in english and "CATEGORIES:Lezing" in dutch
    assert "CATEGORIES:Walk" in english and "CATEGORIES:Wandeling" in dutch
    assert "SUMMARY:Lecture: Dutch masters" in english
    held = client.get("/api/events?language=en&city=Den Haag").json()["events"]
    assert {e["title"] for e in held} == {"Lecture: Dutch masters", "Exhibition: Delft Blue"}


def test_subscribe_builds_english_feeds_that_hold_every_event(client: TestClient) -> None:
    html = client.get("/subscribe?city=Den+Haag&lang=en").text
    link = re.search(r'(?:href|value)="(https://agenda\.example/feeds/den-haag\.ics[^"]*)"', html)
    assert link, html
    address = unescape(link.group(1))
    assert "lang=en" in address
    path = urlsplit(address)
    english = client.get(f"{path.path}?{path.query}").text
    assert uids(english) == uids(client.get("/feeds/den-haag.ics").text)


def test_event_page_labels_categories_in_its_language(client: TestClient) -> None:
    api = client.get("/api/events?category=exhibition&city=Den Haag").json()["events"]
    event_id = next(e["id"] for e in api if e["title"] == "Exhibition: Delft Blue")
    english = client.get(f"/events/{event_id}?lang=en").text
    dutch = client.get(f"/events/{event_id}?lang=nl").text
    assert "<dd>Exhibition</dd>" in english and "Tentoonstelling" not in english
    assert "<dd>Tentoonstelling</dd>" in dutch


def test_an_unknown_category_is_listed_for_its_source(client: TestClient) -> None:
    html = client.get("/sources?lang=en").text
    section = html[html.index('id="source-visit"') :]
    section = section[: section.index("</section>")]
    assert "Unmapped categories: <q>Kermis</q> (2 events)" in section
    assert "Lezing" not in section and "Lecture" not in section  # mapped words are not
    other = html[html.index('id="source-') : html.index('id="source-visit"')]
    assert "Kermis" not in other
