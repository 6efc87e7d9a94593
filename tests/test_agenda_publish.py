"""Static publishing: every slice written, incremental, atomic, stale files removed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner
from conftest import NOW, make_listing, make_source
from icalendar import Calendar

from agenda.cli.main import main
from agenda.store.database import Store
from agenda.sync.ingest import ingest
from agenda.web.publish import publish

CLOCK = datetime(2027, 1, 20, 12, tzinfo=UTC)


def seeded(tmp_path: Path) -> Store:
    store = Store.open(tmp_path / "a.db")
    ingest(store, make_source(), [make_listing(external_id=str(i), title=f"Lezing {i}",
                                               start=datetime(2027, 2, 1, 19, tzinfo=UTC) + timedelta(days=i), end=None)
                                  for i in range(3)], [], NOW)  # fmt: skip
    ingest(store, make_source(id="prinsenhof", city="Delft", venue="Museum Prinsenhof Delft"),
           [make_listing(source_id="prinsenhof", external_id="d", title="Orgelconcert", city="Delft",
                         venue_name="Museum Prinsenhof Delft")], [], NOW)  # fmt: skip
    return store


def test_publish_writes_every_slice_and_then_only_what_changed(tmp_path: Path) -> None:
    store = seeded(tmp_path)
    out = tmp_path / "site"
    first = publish(store, out, "https://cdn.example", CLOCK)
    names = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    for name in ["feeds/agenda.ics", "feeds/agenda.rss", "feeds/agenda.atom", "feeds/agenda.json",
                 "feeds/leiden.ics", "feeds/delft.ics", "feeds/den-haag.ics", "feeds/venue-prinsenhof.ics",
                 "api/events.json"]:  # fmt: skip
        assert name in names, name
    assert len([n for n in names if n.startswith("api/events/")]) == 4
    delft = Calendar.from_ical((out / "feeds/delft.ics").read_bytes())
    assert [str(e["SUMMARY"]) for e in delft.walk("VEVENT")] == ["Orgelconcert"]
    assert json.loads((out / "api/events.json").read_bytes())["events"][0]["title"] == "Lezing 0"
    assert first.written == len(names) - 1  # the manifest is not counted

    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    again = publish(store, out, "https://cdn.example", CLOCK)
    assert again.written == 0 and again.unchanged == first.written
    assert all(p.stat().st_mtime_ns == t for p, t in mtimes.items() if p.name != ".published.json")

    ingest(store, make_source(id="prinsenhof", city="Delft", venue="Museum Prinsenhof Delft"),
           [make_listing(source_id="prinsenhof", external_id="d", title="Orgelconcert (verplaatst)",
                         city="Delft", venue_name="Museum Prinsenhof Delft")], [], NOW + timedelta(hours=1))  # fmt: skip
    changed = publish(store, out, "https://cdn.example", CLOCK)
    assert 0 < changed.written < first.written / 2
    assert b"verplaatst" in (out / "feeds/delft.ics").read_bytes()
    assert b"verplaatst" not in (out / "feeds/leiden.ics").read_bytes()
    assert not [
        p for p in out.rglob(".*") if p.name != ".published.json"
    ]  # no temporary files left


def test_a_reader_holding_the_old_file_keeps_a_whole_file(tmp_path: Path) -> None:
    store = seeded(tmp_path)
    out = tmp_path / "site"
    publish(store, out, "https://cdn.example", CLOCK)
    reader = (out / "feeds/delft.ics").open("rb")
    old = (out / "feeds/delft.ics").read_bytes()
    ingest(
        store,
        make_source(id="prinsenhof", city="Delft"),
        [],
        [],
        NOW + timedelta(hours=1),
        force=True,
    )
    publish(store, out, "https://cdn.example", CLOCK)
    assert reader.read() == old  # the rename left the open file intact
    reader.close()
    assert b"STATUS:CANCELLED" in (out / "feeds/delft.ics").read_bytes()


def test_files_no_longer_published_are_removed(tmp_path: Path) -> None:
    store = seeded(tmp_path)
    out = tmp_path / "site"
    publish(store, out, "https://cdn.example", CLOCK)
    assert (out / "feeds/venue-prinsenhof.ics").exists()
    later = CLOCK + timedelta(days=400)  # everything is past: the venue has nothing upcoming
    report = publish(store, out, "https://cdn.example", later)
    assert report.removed > 0 and not (out / "feeds/venue-prinsenhof.ics").exists()


def test_cli_publish(tmp_path: Path) -> None:
    seeded(tmp_path).close()
    result = CliRunner().invoke(
        main, ["publish", "--db", str(tmp_path / "a.db"), "--out", str(tmp_path / "site")]
    )
    assert result.exit_code == 0 and "written" in result.output


def test_feeds_with_unchanged_inputs_are_not_even_rendered(tmp_path: Path, monkeypatch) -> None:
    from agenda.web import publish as publishing

    store = seeded(tmp_path)
    out = tmp_path / "site"
    publish(store, out, "https://cdn.example", CLOCK)
    calls: list[str] = []
    real = publishing.render_format

    def counting(fmt, events, options):
        calls.append(options.self_url)
        return real(fmt, events, options)

    monkeypatch.setattr(publishing, "render_format", counting)
    publish(store, out, "https://cdn.example", CLOCK)
    assert calls == []
    ingest(store, make_source(id="prinsenhof", city="Delft", venue="Museum Prinsenhof Delft"),
           [make_listing(source_id="prinsenhof", external_id="d", title="Orgelconcert (nieuw)", city="Delft",
                         venue_name="Museum Prinsenhof Delft")], [], NOW + timedelta(hours=1))  # fmt: skip
    publish(store, out, "https://cdn.example", CLOCK)
    rendered = {url.rsplit("/", 1)[1] for url in calls}
    assert "delft.ics" in rendered and "agenda.ics" in rendered and "leiden.ics" not in rendered


def test_the_published_site_carries_its_pictures_and_points_to_them(tmp_path: Path) -> None:
    from agenda.pictures import StoredPicture

    store = Store.open(tmp_path / "a.db")
    listing = make_listing(image="https://www.lakenhal.nl/beeld.jpg", start=NOW + timedelta(days=3),
                           end=None)  # fmt: skip
    ingest(store, make_source(), [listing], [], NOW)
    digest = "0123456789abcdef0123456789abcdef"
    with store.transaction():
        store.record_picture(StoredPicture(url=listing.image or "", status="ok", hash=digest,
                                           width=1600, height=1000, fetched="2027-01-01"))  # fmt: skip
    images = tmp_path / "a.db.images"
    images.mkdir()
    for name in (f"{digest}-480.webp", f"{digest}-480.jpg", f"{digest}-1200.webp",
                 f"{digest}-1200.jpg"):  # fmt: skip
        (images / name).write_bytes(b"picture " + name.encode())
    out = tmp_path / "site"
    publish(store, out, "https://agenda.example", NOW, str(images))
    assert (
        out / "images" / f"{digest}-1200.jpg"
    ).read_bytes() == f"picture {digest}-1200.jpg".encode()
    ours = f"https://agenda.example/images/{digest}-1200.jpg"
    assert ours in (out / "feeds" / "agenda.rss").read_text()
    assert ours in (out / "feeds" / "agenda.json").read_text()
    listed = json.loads((out / "api" / "events.json").read_text())["events"]
    assert listed[0]["picture"]["src"] == ours
    assert "lakenhal.nl/beeld.jpg" not in (out / "feeds" / "agenda.rss").read_text()
    again = publish(store, out, "https://agenda.example", NOW, str(images))
    assert again.written == 0  # nothing changed: nothing rewritten, pictures included
    store.close()
