"""JSON Feed 1.1: structure, the ``_regio_agenda`` extension, determinism, golden file.

Regenerate the golden file after an intended change with
``REGEN_GOLDEN=1 .venv/bin/python -m pytest tests/test_feeds_jsonfeed.py`` and review
the diff. The events come from the RSS/Atom tests' factory.
"""

from __future__ import annotations

import json
import random
import re
from typing import Any

import feedparser
import pytest
from test_feeds_rss_atom import (
    LISTED,
    NOW,
    OUR_CONCERT,
    check_golden,
    make_event,
    make_options,
    many_events,
    sample_events,
)

from feeds.jsonfeed import render_json_feed
from feeds.rss import render_rss

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
JSON_OPTIONS = {"self_url": "https://agenda.example.org/feeds/leiden.json"}


@pytest.fixture(scope="module")
def data() -> bytes:
    return render_json_feed(sample_events(), make_options(**JSON_OPTIONS))


@pytest.fixture(scope="module")
def feed(data: bytes) -> dict[str, Any]:
    return json.loads(data)


def items_by_id(feed: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["_regio_agenda"]["id"]: item for item in feed["items"]}


def test_top_level_is_json_feed_1_1(feed: dict[str, Any]) -> None:
    assert list(feed) == [
        "version",
        "title",
        "home_page_url",
        "feed_url",
        "description",
        "language",
        "items",
    ]
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == "Regio-agenda Leiden"
    assert feed["home_page_url"] == "https://agenda.example.org"
    assert feed["feed_url"] == "https://agenda.example.org/feeds/leiden.json"
    assert feed["language"] == "nl"


def test_every_item_is_valid(feed: dict[str, Any]) -> None:
    assert len(feed["items"]) == len(LISTED)
    for item in feed["items"]:
        # JSON Feed: id is required and a string; content_html or content_text is required.
        assert isinstance(item["id"], str) and item["id"].endswith("@agenda.example.org")
        assert item["url"].startswith("https://agenda.example.org/events/")
        assert isinstance(item["title"], str) and item["title"]
        assert isinstance(item["content_html"], str) and item["content_html"]
        for key in ("date_published", "date_modified"):
            if key in item:
                assert RFC3339.match(item[key]), item[key]
        assert all(isinstance(t, str) for t in item.get("tags", []))
        # Absent optional members are left out, never null.
        assert None not in {k: v for k, v in item.items() if k != "_regio_agenda"}.values()
        assert set(item) <= {
            "id",
            "url",
            "title",
            "content_html",
            "date_published",
            "date_modified",
            "tags",
            "image",
            "_regio_agenda",
        }


def test_items_ordered_by_start_and_old_withdrawn_gone(feed: dict[str, Any]) -> None:
    assert [item["_regio_agenda"]["id"] for item in feed["items"]] == LISTED


def test_items_match_the_rss_items(feed: dict[str, Any]) -> None:
    rss = feedparser.parse(render_rss(sample_events(), make_options()))
    assert [e.id for e in rss.entries] == [item["id"] for item in feed["items"]]
    assert [e.title for e in rss.entries] == [item["title"] for item in feed["items"]]


def test_dates_are_the_bookkeeping_not_the_start(feed: dict[str, Any]) -> None:
    winter = items_by_id(feed)["e-winter"]
    assert winter["date_published"] == "2026-12-01T10:00:00Z"
    assert winter["date_modified"] == "2027-01-03T08:30:00Z"


def test_extension_times_carry_amsterdam_offsets(feed: dict[str, Any]) -> None:
    items = items_by_id(feed)
    winter = items["e-winter"]["_regio_agenda"]
    assert winter["start"] == "2027-02-03T20:00:00+01:00"
    assert winter["end"] == "2027-02-03T21:15:00+01:00"
    assert winter["all_day"] is False
    summer = items["e-summer"]["_regio_agenda"]
    assert summer["start"] == "2027-07-10T20:00:00+02:00"
    assert summer["end"] == "2027-07-10T22:00:00+02:00"
    span = items["e-span"]["_regio_agenda"]
    assert (span["start"], span["end"], span["all_day"]) == ("2026-11-07", "2027-03-14", True)
    allday = items["e-allday"]["_regio_agenda"]
    assert (allday["start"], allday["end"], allday["all_day"]) == ("2027-09-11", None, True)


def test_extension_event_data(feed: dict[str, Any]) -> None:
    items = items_by_id(feed)
    winter = items["e-winter"]["_regio_agenda"]
    assert list(winter) == [
        "id",
        "start",
        "end",
        "all_day",
        "status",
        "venue",
        "city",
        "kind",
        "audience",
        "themes",
        "price",
        "is_free",
        "ticket_url",
        "url",
        "sources",
    ]
    assert winter["venue"] == {
        "id": "museum-de-lakenhal-leiden",
        "name": "Museum De Lakenhal",
        "city": "Leiden",
        "address": "Oude Singel 32",
        "latitude": 52.1626,
        "longitude": 4.4935,
    }
    assert winter["status"] == "scheduled"
    assert (winter["kind"], winter["price"], winter["is_free"]) == ("lecture", "€ 12,50", None)
    assert winter["url"] == "https://www.lakenhal.nl/agenda/lezing-gouden-eeuw"
    assert winter["sources"] == [
        {
            "source": "lakenhal",
            "external_id": "evt-1",
            "url": "https://www.lakenhal.nl/agenda/lezing-gouden-eeuw",
        }
    ]
    summer = items["e-summer"]
    assert summer["_regio_agenda"]["is_free"] is True
    assert summer["_regio_agenda"]["audience"] == ["family"]
    assert summer["image"] == OUR_CONCERT
    assert summer["tags"] == ["Muziek", "Klassiek"]
    assert items["e-allday"]["_regio_agenda"]["venue"] is None
    assert items["e-span"]["_regio_agenda"]["themes"] == ["rembrandt-2027"]
    assert "image" not in items["e-winter"]


def test_cancelled_and_withdrawn_are_cancelled(feed: dict[str, Any]) -> None:
    items = items_by_id(feed)
    assert items["e-cancelled"]["_regio_agenda"]["status"] == "cancelled"
    assert items["e-cancelled"]["title"].startswith("GEANNULEERD: ")
    assert items["e-withdrawn-recent"]["_regio_agenda"]["status"] == "cancelled"
    assert items["e-postponed"]["_regio_agenda"]["status"] == "postponed"


def test_html_content_is_sanitised_and_text_survives(feed: dict[str, Any]) -> None:
    items = items_by_id(feed)
    html = items["e-html"]["content_html"]
    assert "Bach &amp; Händel &lt;live&gt;" in html and "<script" not in html
    escapes = items["e-escapes"]
    assert escapes["title"] == 'di 1 jun · Café-concert: jazz, blues; soul \\ één "avond" — Korzo'
    assert "Tweede regel &amp; meer &lt;3" in escapes["content_html"]


def test_english_feed() -> None:
    feed = json.loads(render_json_feed(sample_events(), make_options(lang="en")))
    assert feed["language"] == "en"
    span = items_by_id(feed)["e-span"]
    assert span["title"] == "Sat 7 Nov · Young Rembrandt — Museum De Lakenhal"
    assert "Rembrandt's early years in Leiden." in span["content_html"]


def test_event_without_bookkeeping_leaves_the_dates_out() -> None:
    feed = json.loads(
        render_json_feed([make_event(created=None, updated=None)], make_options(now=NOW))
    )
    (item,) = feed["items"]
    assert "date_published" not in item and "date_modified" not in item


def test_empty_feed() -> None:
    feed = json.loads(render_json_feed([], make_options()))
    assert feed["items"] == []


def test_deterministic_whatever_the_input_order(data: bytes) -> None:
    shuffled = sample_events()
    random.Random(3).shuffle(shuffled)
    assert render_json_feed(shuffled, make_options(**JSON_OPTIONS)) == data
    assert data.endswith(b"}\n") and data.count(b"\n") == 1


def test_golden_json(data: bytes) -> None:
    check_golden("feed.json", data)


def test_two_thousand_events_render_the_same_twice() -> None:
    events = many_events(2000)
    first = render_json_feed(events, make_options(max_bytes=10_000_000))
    assert first == render_json_feed(list(reversed(events)), make_options(max_bytes=10_000_000))
    assert len(json.loads(first)["items"]) == 2000
