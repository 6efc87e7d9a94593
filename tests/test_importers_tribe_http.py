"""A tribe source over a real local HTTP server: the site root, then three API pages."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

from httpserver import Answer, Request, Server, serve

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
        index = {"namespaces": ["oembed/1.0", "tribe/events/v1", "tec/v1", "wp/v2"], "routes": {}}
        server.routes.update({
            "/": root,
            "/wp-json/": json.dumps(index),
            "/wp-json/tribe/events/v1/events": page(base, 1, 3),
            "/wp-json/tribe/events/v1/events?page=2": page(base, 2, 3),
            "/wp-json/tribe/events/v1/events?page=3": page(base, 3, 3),
        })  # fmt: skip
        source = SourceConfig(
            id="schouwburg", name="Leidse Schouwburg", format="tribe", url=f"{base}/", city="Leiden"
        )
        collected = collect(source, NOW)
        paths = [request.path for request in server.requests]
    assert paths == ["/", "/wp-json/", "/wp-json/tribe/events/v1/events",
                     "/wp-json/tribe/events/v1/events?page=2",
                     "/wp-json/tribe/events/v1/events?page=3"]  # fmt: skip
    assert collected.pages == 5
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


def city_page(server: str, number: int, total: int, per_page: int = 12) -> bytes:
    """One page of a tribe API listing ``total`` events ``per_page`` at a time."""
    last = -(-total // per_page)
    first = (number - 1) * per_page
    events = [
        {"id": n, "title": f"Activiteit {n}", "url": f"https://stad.example/agenda/{n}",
         "start_date": "2027-03-01 20:00:00", "utc_start_date": "2027-03-01 19:00:00",
         "timezone": "Europe/Amsterdam", "all_day": False, "venue": [], "organizer": []}
        for n in range(first + 1, min(first + per_page, total) + 1)
    ]  # fmt: skip
    body: dict[str, object] = {
        "events": events,
        "rest_url": f"{server}/wp-json/tribe/events/v1/events?page={number}",
        "total": total,
        "total_pages": last,
    }
    if number < last:
        body["next_rest_url"] = f"{server}/wp-json/tribe/events/v1/events?page={number + 1}"
    return json.dumps(body).encode()


def paged_api(server: Server, total: int) -> Callable[[Request], bytes]:
    """Serve ``total`` events as the tribe API at its usual path; the handler, to wrap."""

    def answer(request: Request) -> bytes:
        query = request.path.partition("?")[2]
        number = int(query.removeprefix("page=")) if query.startswith("page=") else 1
        return city_page(server.url, number, total)

    server.routes["/wp-json/tribe/events/v1/events"] = answer
    return answer


def test_a_city_agenda_of_733_events_in_62_pages_is_read_whole_by_default() -> None:
    with serve({}) as server:
        paged_api(server, 733)
        source = SourceConfig(
            id="stad", name="Stad", format="tribe", url=f"{server}/wp-json/tribe/events/v1/events"
        )
        collected = collect(source, NOW)
        assert len(server.requests) == 62
    assert collected.pages == 62
    assert len(collected.result.listings) == 733
    assert collected.result.problems == ()
    assert collected.result.complete is True


def test_a_page_that_fails_makes_the_answer_incomplete() -> None:
    failures: list[str] = []

    with serve({}) as server:
        pages = paged_api(server, 5 * 12)

        def third_fails_once(request: Request) -> Answer:
            if request.path.endswith("page=3") and not failures:
                failures.append(request.path)
                return 500
            return pages(request)

        server.routes["/wp-json/tribe/events/v1/events"] = third_fails_once
        source = SourceConfig(
            id="stad", name="Stad", format="tribe", url=f"{server}/wp-json/tribe/events/v1/events"
        )
        collected = collect(source, NOW)
    # Page 3 failed and named page 4, so pages 4 and 5 were never known either.
    assert failures == ["/wp-json/tribe/events/v1/events?page=3"]
    assert len(collected.result.listings) == 24
    assert collected.result.complete is False
    failed, incomplete = collected.result.problems
    assert failed.severity == "error" and "HTTP 500" in failed.message
    assert "incomplete" in incomplete.message and "not be withdrawn" in incomplete.message


def tec_posts(server: Server, total: int) -> Callable[[Request], bytes]:
    """The tec/v1 events route: a bare list of posts, ``per_page`` at a time, then ``[]``."""

    def answer(request: Request) -> bytes:
        query = dict(parse_qsl(urlsplit(request.path).query))
        per_page, number = int(query.get("per_page", "10")), int(query.get("page", "1"))
        first = (number - 1) * per_page
        posts = [
            {"id": n, "link": f"{server.url}/evenement/{n}/", "title": {"rendered": f"Les {n}"},
             "start_date": "2027-03-01 10:00:00", "end_date": "2027-03-01 11:00:00",
             "all_day": False, "timezone": "Europe/Amsterdam", "venues": [], "organizers": []}
            for n in range(first + 1, min(first + per_page, total) + 1)
        ]  # fmt: skip
        return json.dumps(posts).encode()

    server.routes["/wp-json/tec/v1/events"] = answer
    return answer


def test_a_site_with_only_tec_v1_is_found_and_paged_to_the_empty_page() -> None:
    with serve({}) as server:
        root = f'<html><head><link rel="https://api.w.org/" href="{server}/wp-json/"></head></html>'
        index = {"namespaces": ["oembed/1.0", "tec/v1", "wp/v2"], "routes": {}}
        server.routes.update({"/": root, "/wp-json/": json.dumps(index)})
        tec_posts(server, 200)
        source = SourceConfig(id="cursus", name="Cursus", format="tribe", url=f"{server}/")
        collected = collect(source, NOW)
        paths = [request.path for request in server.requests]
    # 100 per page as asked: two full pages, then an empty one ends it.
    assert paths == ["/", "/wp-json/", "/wp-json/tec/v1/events?per_page=100",
                     "/wp-json/tec/v1/events?per_page=100&page=2",
                     "/wp-json/tec/v1/events?per_page=100&page=3"]  # fmt: skip
    assert len(collected.result.listings) == 200
    assert collected.result.problems == () and collected.result.complete is True
