"""A tribe source over a real local HTTP server: the site root, then three API pages."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from httpserver import serve

from agenda.model import SourceConfig
from importers.collect import collect

NOW = datetime(2027, 1, 10, tzinfo=UTC)


def page(server: str, number: int, last: int) -> bytes:
    events = [
        {"id": number * 10 + i, "title": f"Voorstelling {number}-{i}", "url": f"https://theater.example/{number}-{i}",
         "start_date": f"2027-02-0{number + 1} 20:00:00", "end_date": f"2027-02-0{number + 1} 22:00:00",
         "utc_start_date": f"2027-02-0{number + 1} 19:00:00", "utc_end_date": f"2027-02-0{number + 1} 21:00:00",
         "timezone": "Europe/Amsterdam", "all_day": False, "venue": {"venue": "Leidse Schouwburg", "city": "Leiden"},
         "categories": [{"name": "Theater"}], "tags": [], "cost": "€ 25"}
        for i in range(2)
    ]  # fmt: skip
    body = {"events": events, "rest_url": f"{server}/wp-json/tribe/events/v1/events?page={number}",
            "total": 2 * last, "total_pages": last}  # fmt: skip
    if number < last:
        body["next_rest_url"] = f"{server}/wp-json/tribe/events/v1/events?page={number + 1}"
    return json.dumps(body).encode()


def test_site_root_then_three_pages() -> None:
    with serve({}) as server:
        base = str(server)
        root = f'<html><head><link rel="https://api.w.org/" href="{base}/wp-json/"></head></html>'
        server.routes.update({
            "/": root,
            "/wp-json/tribe/events/v1/events": page(base, 1, 3),
            "/wp-json/tribe/events/v1/events?page=2": page(base, 2, 3),
            "/wp-json/tribe/events/v1/events?page=3": page(base, 3, 3),
        })  # fmt: skip
        source = SourceConfig(
            id="schouwburg", name="Leidse Schouwburg", format="tribe", url=f"{base}/", city="Leiden"
        )
        collected = collect(source, NOW)
        paths = [request.path for request in server.requests]
    assert paths == ["/", "/wp-json/tribe/events/v1/events", "/wp-json/tribe/events/v1/events?page=2",
                     "/wp-json/tribe/events/v1/events?page=3"]  # fmt: skip
    assert collected.pages == 4
    listings = collected.result.listings
    assert len(listings) == 6 and len({x.external_id for x in listings}) == 6
    first = next(x for x in listings if x.external_id == "10")
    assert (
        first.start == datetime(2027, 2, 2, 19, 0, tzinfo=UTC)
        and first.venue_name == "Leidse Schouwburg"
    )


def test_a_page_pointing_back_to_itself_stops() -> None:
    with serve({}) as server:
        base = str(server)
        looping = json.loads(page(base, 1, 3))
        looping["next_rest_url"] = f"{base}/wp-json/tribe/events/v1/events"
        server.routes["/wp-json/tribe/events/v1/events"] = json.dumps(looping).encode()
        source = SourceConfig(
            id="s", name="S", format="tribe", url=f"{base}/wp-json/tribe/events/v1/events"
        )
        collected = collect(source, NOW)
        assert len(server.requests) == 1
    assert len(collected.result.listings) == 2
