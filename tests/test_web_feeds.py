"""Feed routes over HTTP: formats, slices, filters, ETag/304, Last-Modified, gzip, errors."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from conftest import NOW, make_listing, make_source
from icalendar import Calendar
from litestar.testing import TestClient

from agenda.app import create_app
from agenda.config import Settings
from agenda.store.database import Store
from agenda.sync.ingest import ingest

CLOCK = datetime(2027, 1, 20, 12, tzinfo=UTC)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    db = tmp_path / "agenda.db"
    store = Store.open(db)
    ingest(store, make_source(), [
        make_listing(external_id="a", title="Lezing: Leiden in de Gouden Eeuw"),
        make_listing(external_id="b", title="Rembrandt & Lievens", start=None, end=None,
                     start_date=date(2027, 2, 1), end_date=date(2027, 5, 31), categories=("Tentoonstelling",)),
    ], [], NOW)  # fmt: skip
    ingest(store, make_source(id="prinsenhof", city="Delft", venue="Museum Prinsenhof Delft"), [
        make_listing(source_id="prinsenhof", external_id="c", title="Orgelconcert", city="Delft",
                     venue_name="Museum Prinsenhof Delft", start=datetime(2027, 7, 1, 18, tzinfo=UTC), end=None),
    ], [], NOW)  # fmt: skip
    store.close()
    app = create_app(
        Settings(db=str(db), base_url="https://agenda.example", generation_check=0),
        clock=lambda: CLOCK,
    )
    with TestClient(app) as test_client:
        yield test_client


def test_every_format_is_served_with_its_media_type(client: TestClient) -> None:
    for name, media in [("agenda.ics", "text/calendar"), ("agenda.rss", "application/rss+xml"),
                        ("agenda.atom", "application/atom+xml"), ("agenda.json", "application/feed+json")]:  # fmt: skip
        response = client.get(f"/feeds/{name}")
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith(media)
        assert response.headers["cache-control"].startswith("public, max-age=")
        assert response.headers["etag"].startswith('"')
        assert "last-modified" in response.headers


def test_ics_holds_the_events_with_stable_uids(client: TestClient) -> None:
    calendar = Calendar.from_ical(client.get("/feeds/agenda.ics").content)
    uids = sorted(str(e["UID"]) for e in calendar.walk("VEVENT"))
    assert len(uids) == 3 and all(u.endswith("@agenda.example") for u in uids)


def test_named_slices_and_filters(client: TestClient) -> None:
    delft = Calendar.from_ical(client.get("/feeds/delft.ics").content)
    assert [str(e["SUMMARY"]) for e in delft.walk("VEVENT")] == ["Orgelconcert"]
    leiden = feedparser.parse(client.get("/feeds/leiden.rss").content)
    assert leiden.bozo == 0 and len(leiden.entries) == 2
    venue = feedparser.parse(client.get("/feeds/venue-prinsenhof.atom").content)
    assert len(venue.entries) == 1
    no_expo = Calendar.from_ical(client.get("/feeds/leiden.ics?kind=-exhibition").content)
    assert len(list(no_expo.walk("VEVENT"))) == 1
    source = Calendar.from_ical(client.get("/feeds/source-prinsenhof.ics").content)
    assert len(list(source.walk("VEVENT"))) == 1
    assert client.get("/feeds/theme-rembrandt-2019.ics").status_code == 200


def test_etag_and_last_modified_answer_304(client: TestClient) -> None:
    first = client.get("/feeds/agenda.ics")
    etag = first.headers["etag"]
    again = client.get("/feeds/agenda.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    since = client.get(
        "/feeds/agenda.ics", headers={"If-Modified-Since": first.headers["last-modified"]}
    )
    assert since.status_code == 304
    other = client.get("/feeds/agenda.ics", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


def test_gzip_when_accepted(client: TestClient) -> None:
    response = client.get("/feeds/agenda.ics", headers={"Accept-Encoding": "gzip"})
    assert response.headers.get("content-encoding") == "gzip"
    assert b"BEGIN:VCALENDAR" in response.content  # the client decompresses
    raw = client.get("/feeds/agenda.ics", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers
    assert gzip.decompress(gzip.compress(raw.content)) == raw.content


def test_a_change_in_the_data_changes_the_etag(client: TestClient, tmp_path: Path) -> None:
    before = client.get("/feeds/agenda.ics").headers["etag"]
    store = Store.open(tmp_path / "agenda.db")
    ingest(store, make_source(), [make_listing(external_id="a", title="Lezing: verplaatst",
                                               start=datetime(2027, 2, 4, 19, tzinfo=UTC), end=None)],
           [], NOW + timedelta(hours=1), force=True)  # fmt: skip
    store.close()
    after = client.get("/feeds/agenda.ics")
    assert after.headers["etag"] != before
    assert b"SEQUENCE:1" in after.content


def test_bad_input_is_a_problem(client: TestClient) -> None:
    bad = client.get("/feeds/agenda.ics?from=gisteren")
    assert bad.status_code == 400
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert bad.json()["param"] == "from" and "gisteren" in bad.json()["detail"]
    assert client.get("/feeds/agenda.ics?exhibitions=sometimes").json()["param"] == "exhibitions"
    assert client.get("/feeds/delft.ics?city=Leiden").status_code == 400
    assert client.get("/feeds/agenda.pdf").status_code == 404
    assert client.get("/feeds/nope.ics").status_code == 404


def test_single_event_download(client: TestClient) -> None:
    calendar = Calendar.from_ical(client.get("/feeds/agenda.ics").content)
    uid = str(next(iter(calendar.walk("VEVENT")))["UID"])
    event_id = uid.split("@")[0]
    response = client.get(f"/feeds/event/{event_id}.ics")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == f'attachment; filename="{event_id}.ics"'
    assert len(list(Calendar.from_ical(response.content).walk("VEVENT"))) == 1
    assert client.get("/feeds/event/nope.ics").status_code == 404


def test_one_render_per_key_at_a_time_the_others_wait_for_it() -> None:
    import threading
    import time

    from agenda.web.http import ResponseCache

    cache = ResponseCache()
    renders = []
    started = threading.Barrier(8)

    def render() -> tuple[bytes, None]:
        renders.append(1)
        time.sleep(0.2)
        return b"BEGIN:VCALENDAR", None

    results = []

    def ask() -> None:
        started.wait()
        results.append(cache.get_or_render(("feed", "agenda.ics", 1), render, "text/calendar"))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(renders) == 1
    assert len({id(entry) for entry in results}) == 1


def test_a_failed_render_fails_its_waiters_and_is_not_kept() -> None:
    from agenda.web.http import ResponseCache

    cache = ResponseCache()

    def broken() -> tuple[bytes, None]:
        raise ValueError("no")

    with pytest.raises(ValueError):
        cache.get_or_render(("k",), broken, "text/plain")
    assert cache.peek(("k",)) is None
    assert cache.get_or_render(("k",), lambda: (b"ok", None), "text/plain").body == b"ok"


def test_caches_are_bounded_by_bytes_and_kinds_do_not_evict_each_other() -> None:
    import os

    from agenda.web.http import ResponseCaches

    caches = ResponseCaches(feeds=(64, 4 * 2**20), pages=(1000, 2**20))
    feed = caches.feeds.get_or_render(("agenda.ics",), lambda: (os.urandom(2**20), None), "x")
    for i in range(2000):  # a crawl of event pages
        caches.pages.get_or_render(("page", i), lambda: (os.urandom(4000), None), "text/html")
    assert caches.pages.size_bytes <= 2**20
    assert len(caches.pages) < 2000
    assert caches.feeds.peek(("agenda.ics",)) is feed
    too_big = caches.pages.get_or_render(("big",), lambda: (os.urandom(2**21), None), "x")
    assert too_big.body and caches.pages.peek(("big",)) is None
