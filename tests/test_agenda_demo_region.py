"""The bundled demo region, imported the way `agenda demo` imports it: served over real HTTP,
fetched, parsed, ingested and deduplicated by the production code path."""

from __future__ import annotations

import itertools
import json
import re
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from agenda.config import load_sources
from agenda.demo.region import AMSTERDAM, items_of, load_region, write_region
from agenda.demo.server import serve_folder
from agenda.filters import parse_filters
from agenda.model import FORMATS, Event, ImportRun, SourceConfig
from agenda.store.database import Store
from agenda.store.query import list_events
from agenda.sync.ingest import rebuild_pending
from agenda.sync.jobs import import_source
from agenda.sync.pictures import PictureBudget, PictureReport, fetch_pictures

# A Monday; the four months ahead cross the change to summer time on 28 March 2027.
TODAY = date(2027, 2, 15)
SHIFT = timedelta(weeks=5)  # whole weeks, so the weekly tour keeps its weekday
THEME = re.compile(r"rembrandt|gouden eeuw|golden age", re.IGNORECASE)


@dataclass(frozen=True)
class Imported:
    today: date
    sources: list[SourceConfig]
    runs: list[ImportRun]
    events: list[Event]
    # (source id, listing url) -> the region.toml entry it was written from
    entries: dict[tuple[str, str], dict]
    pictures: PictureReport
    picture_rows: list[tuple[str, str]]

    def happening(self, ref_source: str, url: str | None) -> str:
        entry = self.entries[(ref_source, (url or "").rstrip("/"))]
        return str(entry.get("same", entry["id"]))

    def happenings(self, event: Event) -> set[str]:
        return {self.happening(s.source, s.url) for s in event.sources}

    def by_happening(self, key: str) -> list[Event]:
        return [e for e in self.events if key in self.happenings(e)]


def _import(folder: Path, today: date) -> Imported:
    folder.mkdir(parents=True)
    now = datetime.combine(today, time(7), UTC)
    with serve_folder(folder) as server:
        config = write_region(folder, today, server.url)
        sources = load_sources(config)
        store = Store.open(folder.parent / f"{folder.name}.db")
        try:
            runs = [import_source(store, s, defer=True, clock=lambda: now) for s in sources]
            rebuild_pending(store, now)
            window = {"from": str(today - timedelta(days=120)), "to": str(today + SHIFT * 80)}
            events = list_events(store, parse_filters(window, today))
            pictures = fetch_pictures(store, folder.parent / f"{folder.name}.images",
                                      budget=PictureBudget(spacing=0), clock=lambda: now)  # fmt: skip
            rows = store.db.execute("SELECT url, status FROM pictures").fetchall()
        finally:
            store.close()
    region = load_region()
    entries = {
        (source["id"], item.url): item.data
        for source in region["source"]
        for item in items_of(region, source, today)
    }
    return Imported(today, sources, runs, events, entries, pictures, rows)


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    return _import(tmp_path_factory.mktemp("demo") / "region", TODAY)


@pytest.fixture(scope="module")
def later(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    return _import(tmp_path_factory.mktemp("demo") / "later", TODAY + SHIFT)


def _local(event: Event) -> datetime:
    assert event.start is not None
    return event.start.astimezone(AMSTERDAM)


def _day(event: Event) -> date:
    return event.start_date if event.start_date is not None else _local(event).date()


def test_every_source_imports_over_http_with_no_problems(region: Imported) -> None:
    assert 10 <= len(region.sources) <= 12
    for run in region.runs:
        assert (run.source_id, run.outcome, run.http_status) == (run.source_id, "ok", 200)
        # Not even warnings: every document is written the way its importer expects.
        assert run.problems == (), run.problems
        assert run.new > 0
    assert all(s.url.startswith("http://127.0.0.1:") for s in region.sources)


def test_all_six_formats_three_kinds_and_three_cities(region: Imported) -> None:
    assert {s.format for s in region.sources} == set(FORMATS)
    assert {s.kind for s in region.sources} == {"venue", "institution", "aggregator"}
    assert {s.language for s in region.sources} == {"nl", "en"}
    cities = Counter(e.city for e in region.events)
    assert {"Den Haag", "Leiden", "Delft"} <= set(cities)
    assert all(cities[c] >= 5 for c in ("Den Haag", "Leiden", "Delft")), cities


def test_every_listing_lands_in_exactly_one_event(region: Imported) -> None:
    refs = [(s.source, s.external_id) for e in region.events for s in e.sources]
    assert len(refs) == len(set(refs))
    assert len(refs) == sum(run.new for run in region.runs)


def test_duplicates_across_sources_become_one_event(region: Imported) -> None:
    listed_by = defaultdict(set)
    for (source_id, _), entry in region.entries.items():
        listed_by[entry.get("same", entry["id"])].add(source_id)
    shared = {key for key, sources in listed_by.items() if len(sources) > 1}
    assert len(shared) >= 10
    for key in sorted(shared):  # recall: each shared happening is one event with every source
        (event,) = region.by_happening(key)
        assert {s.source for s in event.sources} == listed_by[key], key
    for event in region.events:  # precision: no event mixes two happenings
        assert len(region.happenings(event)) == 1, event.title
    merged = [e for e in region.events if len({s.source for s in e.sources}) > 1]
    assert len(merged) >= 5
    assert any(len({s.source for s in e.sources}) == 3 for e in merged)


def test_doors_open_translations_and_place_suffixes_merge(region: Imported) -> None:
    (concert,) = region.by_happening("beethoven")  # the aggregator says 19:45, doors open
    assert _local(concert).time() == time(20, 15)
    assert concert.venue is not None and concert.venue.name == "Amare"
    (baroque,) = region.by_happening("holland-baroque")
    assert baroque.titles["en"] == "Holland Baroque: music from Rembrandt's time"
    assert baroque.title == "Holland Baroque: muziek uit Rembrandts tijd"
    (lecture,) = region.by_happening("zelfportretten")
    assert "|" not in lecture.title
    assert any("en" in e.titles and "nl" in e.titles for e in region.events)


def test_openings_stay_apart_from_their_exhibitions(region: Imported) -> None:
    openings = [e for e in region.events if e.title.startswith("Opening:")]
    assert len(openings) == 2
    for opening in openings:
        assert len(opening.sources) == 1 and opening.start is not None


def test_weekly_tour_is_expanded_into_occurrences(region: Imported) -> None:
    tours = sorted(region.by_happening("hortus-rondleiding"), key=_local)
    assert len(tours) == 15  # sixteen Sundays, one left out with EXDATE
    starts = [_local(t) for t in tours]
    assert all(s.weekday() == 6 and s.time() == time(14, 0) for s in starts)
    assert {s.utcoffset() for s in starts} == {timedelta(hours=1), timedelta(hours=2)}
    gaps = Counter((b.date() - a.date()).days for a, b in itertools.pairwise(starts))
    assert gaps == Counter({7: 13, 14: 1})
    assert len({t.id for t in tours}) == 15


def test_cancelled_event_is_cancelled_and_the_rest_are_not(region: Imported) -> None:
    cancelled = [e for e in region.events if e.status == "cancelled"]
    assert [region.happenings(e) for e in cancelled] == [{"ndt"}]
    assert {s.source for s in cancelled[0].sources} == {"amare", "denhaag-com"}


def test_exhibitions_festival_and_far_future(region: Imported) -> None:
    running = [
        e
        for e in region.events
        if e.start_date and e.end_date and e.start_date < TODAY <= e.end_date
    ]
    assert len(running) >= 3
    (festival,) = region.by_happening("festival")
    assert festival.start_date is not None and festival.city == "Delft"
    assert festival.end_date == festival.start_date + timedelta(days=2)  # three days, all-day
    assert max(_day(e) for e in region.events) >= TODAY + timedelta(days=270)
    # Besides that one, the programme runs from today to about four months ahead.
    days = sorted(_day(e) for e in region.events if _day(e) >= TODAY)
    assert days[0] <= TODAY + timedelta(days=3)
    assert TODAY + timedelta(days=100) <= days[-2] <= TODAY + timedelta(days=140)


def test_rembrandt_theme_has_a_programme(region: Imported) -> None:
    themed = [e for e in region.events if THEME.search(f"{e.title} {e.description}")]
    assert len({e.id for e in themed}) >= 8
    assert {e.city for e in themed} >= {"Den Haag", "Leiden", "Delft"}
    assert {e.kind for e in themed} >= {"exhibition", "lecture", "concert", "festival"}


def _one_off(imported: Imported) -> dict[str, Event]:
    """Happening key -> its event, for everything but the weekly series."""
    events = {}
    for event in imported.events:
        (key,) = imported.happenings(event)
        if key != "hortus-rondleiding":
            events[key] = event
    return events


def test_dates_move_with_today(region: Imported, later: Imported) -> None:
    assert len(later.events) == len(region.events)
    first, moved = _one_off(region), _one_off(later)
    assert first.keys() == moved.keys()
    for key, event in first.items():
        other = moved[key]
        assert _day(other) - _day(event) == SHIFT, key
        if event.start is not None:  # the same wall-clock time, whatever the offset
            assert _local(other).time() == _local(event).time(), key
        else:
            assert other.end_date is not None and event.end_date is not None
            assert other.end_date - event.end_date == SHIFT, key
    first_tour = min(_day(e) for e in later.by_happening("hortus-rondleiding"))
    assert first_tour - min(_day(e) for e in region.by_happening("hortus-rondleiding")) == SHIFT


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_same_today_same_bytes(tmp_path: Path) -> None:
    base = "http://127.0.0.1:8123"
    one = write_region(tmp_path / "one", TODAY, base)
    two = write_region(tmp_path / "two", TODAY, base + "/")
    other = write_region(tmp_path / "other", TODAY + timedelta(days=1), base)
    assert one.name == "sources.toml" and one.parent == tmp_path / "one"
    assert _files(one.parent) == _files(two.parent)
    assert _files(one.parent).keys() == _files(other.parent).keys()
    assert all(v != _files(other.parent)[k] for k, v in _files(one.parent).items())
    assert f'url = "{base}/themajaar.csv"' in one.read_text(encoding="utf-8")


def test_documents_have_the_shapes_of_their_formats(tmp_path: Path) -> None:
    folder = write_region(tmp_path, TODAY, "http://127.0.0.1:8123").parent
    csv_bytes = (folder / "themajaar.csv").read_bytes()
    assert csv_bytes.startswith(b"\xef\xbb\xbfid;titel;datum;begintijd;einddatum;")
    assert b"\r\n" in csv_bytes
    ics = (folder / "hortus.ics").read_bytes()
    assert b"BEGIN:VTIMEZONE" in ics and b"DTSTART;TZID=Europe/Amsterdam:" in ics
    assert max(len(line) for line in ics.split(b"\r\n")) <= 75
    assert (
        b'"next_rest_url": "http://127.0.0.1:8123/leidse-theaters-p2.json"'
        in (folder / "leidse-theaters.json").read_bytes()
    )
    assert b'xml:lang="en"' in (folder / "students.atom").read_bytes()
    assert (
        b'href="http://127.0.0.1:8123/delft-agenda.rss" rel="self"'
        in (folder / "delft-agenda.rss").read_bytes()
    )
    assert b'"@graph"' in (folder / "denhaag-com.html").read_bytes()


def test_documents_parse_with_independent_parsers(tmp_path: Path) -> None:
    import feedparser
    import icalendar

    folder = write_region(tmp_path, TODAY, "http://127.0.0.1:8123").parent
    for name in ("hortus.ics", "amare.ics", "prinsenhof.ics"):
        calendar = icalendar.Calendar.from_ical((folder / name).read_bytes())
        assert calendar.walk("VEVENT") and calendar.walk("VTIMEZONE")
    for name, version in [
        ("delft-agenda.rss", "rss20"),
        ("studium-generale.rss", "rss20"),
        ("students.atom", "atom10"),
    ]:
        feed = feedparser.parse((folder / name).read_bytes())
        assert (feed.bozo, feed.version) == (False, version), name
    assert feedparser.parse((folder / "students.atom").read_bytes()).feed.language == "en"
    for name in ("leidse-theaters.json", "leidse-theaters-p2.json"):
        assert len(json.loads((folder / name).read_bytes())["events"]) == 4
    for name in ("lakenhal.html", "mauritshuis.html", "denhaag-com.html"):
        page = (folder / name).read_text(encoding="utf-8")
        blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
        assert len(blocks) >= 2 and all(json.loads(b) for b in blocks)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    with serve_folder(tmp_path) as server:
        write_region(tmp_path, TODAY, server.url)
        yield server.url


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("hortus.ics", "text/calendar"),
        ("delft-agenda.rss", "application/rss+xml"),
        ("students.atom", "application/atom+xml"),
        ("lakenhal.html", "text/html"),
        ("leidse-theaters-p2.json", "application/json"),
        ("themajaar.csv", "text/csv"),
    ],
)
def test_server_answers_with_each_formats_content_type(
    served: str, name: str, content_type: str
) -> None:
    with urllib.request.urlopen(f"{served}/{name}", timeout=5) as answer:
        assert answer.status == 200
        assert answer.headers["Content-Type"].split(";")[0] == content_type
        assert answer.headers["Last-Modified"]
        assert len(answer.read()) > 500


def test_server_refuses_missing_files_and_folder_listings(served: str) -> None:
    for path in ("/nothing.ics", "/", "/../etc/passwd"):
        with pytest.raises(urllib.error.HTTPError) as failure:
            urllib.request.urlopen(served + path, timeout=5)
        assert failure.value.code == 404
        failure.value.close()


def test_server_close_frees_its_port(tmp_path: Path) -> None:
    server = serve_folder(tmp_path)
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", server.url)
    with pytest.raises(OSError):
        serve_folder(tmp_path, port=server.port)
    server.close()
    reused = serve_folder(tmp_path, port=server.port)
    reused.close()


def test_venues_have_pictures_made_locally_and_fetched_by_the_picture_job(
    region: Imported, tmp_path: Path
) -> None:
    assert region.pictures.ok >= 5 and region.pictures.problems == []
    assert region.picture_rows and all(status == "ok" for _, status in region.picture_rows)
    assert all(url.startswith("http://127.0.0.1:") for url, _ in region.picture_rows)
    with_picture = [e for e in region.events if e.image]
    assert len(with_picture) > len(region.events) // 2
    write_region(tmp_path / "a", TODAY, "http://127.0.0.1:1")
    write_region(tmp_path / "b", TODAY + SHIFT, "http://127.0.0.1:1")
    for a in sorted((tmp_path / "a" / "images").iterdir()):
        assert a.read_bytes() == (tmp_path / "b" / "images" / a.name).read_bytes()
        assert a.read_bytes()[:3] == b"\xff\xd8\xff"
