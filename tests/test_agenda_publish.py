"""Static publishing: every slice written, incremental, atomic, stale files removed."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import msgspec
from click.testing import CliRunner
from conftest import NOW, make_listing, make_source
from icalendar import Calendar

from agenda.cli.main import main
from agenda.store.database import Store
from agenda.sync.ingest import ingest
from agenda.themes import Theme, ThemeRules
from agenda.web.publish import publish

CLOCK = datetime(2027, 1, 20, 12, tzinfo=UTC)


BOOKKEEPING = (".published.json", ".published.pieces")


def seeded(tmp_path: Path) -> Store:
    store = Store.open(tmp_path / "a.db")
    ingest(store, make_source(), [make_listing(external_id=str(i), title=f"Lezing {i}",
                                               start=datetime(2027, 2, 1, 19, tzinfo=UTC) + timedelta(days=i), end=None)
                                  for i in range(3)], [], NOW)  # fmt: skip
    ingest(store, make_source(id="prinsenhof", city="Delft", venue="Museum Prinsenhof Delft"),
           [make_listing(source_id="prinsenhof", external_id="d", title="Orgelconcert", city="Delft",
                         venue_name="Museum Prinsenhof Delft")], [], NOW)  # fmt: skip
    return store


def seeded_and_published(tmp_path: Path) -> tuple[Store, Path]:
    """The seeded store, published once to ``tmp_path / "site"``."""
    store = seeded(tmp_path)
    out = tmp_path / "site"
    publish(store, out, "https://cdn.example", CLOCK)
    return store, out


def rename_the_concert(store: Store) -> None:
    """One change an hour later: the Prinsenhof renames its only event."""
    ingest(store, make_source(id="prinsenhof", city="Delft", venue="Museum Prinsenhof Delft"),
           [make_listing(source_id="prinsenhof", external_id="d", title="Orgelconcert (nieuw)", city="Delft",
                         venue_name="Museum Prinsenhof Delft")], [], NOW + timedelta(hours=1))  # fmt: skip


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
    assert first.written == len(names) - 2  # the manifest and the pieces are not counted

    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    again = publish(store, out, "https://cdn.example", CLOCK)
    assert again.written == 0 and again.unchanged == first.written
    assert all(p.stat().st_mtime_ns == t for p, t in mtimes.items() if p.name not in BOOKKEEPING)

    ingest(store, make_source(id="prinsenhof", city="Delft", venue="Museum Prinsenhof Delft"),
           [make_listing(source_id="prinsenhof", external_id="d", title="Orgelconcert (verplaatst)",
                         city="Delft", venue_name="Museum Prinsenhof Delft")], [], NOW + timedelta(hours=1))  # fmt: skip
    changed = publish(store, out, "https://cdn.example", CLOCK)
    assert 0 < changed.written < first.written / 2
    assert b"verplaatst" in (out / "feeds/delft.ics").read_bytes()
    assert b"verplaatst" not in (out / "feeds/leiden.ics").read_bytes()
    assert not [p for p in out.rglob(".*") if p.name not in BOOKKEEPING]  # no temporary files


def test_a_reader_holding_the_old_file_keeps_a_whole_file(tmp_path: Path) -> None:
    store, out = seeded_and_published(tmp_path)
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
    store, out = seeded_and_published(tmp_path)
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

    store, out = seeded_and_published(tmp_path)
    calls: list[str] = []
    real = publishing.render_format

    def counting(fmt, events, options):
        calls.append(options.self_url)
        return real(fmt, events, options)

    monkeypatch.setattr(publishing, "render_format", counting)
    publish(store, out, "https://cdn.example", CLOCK)
    assert calls == []
    rename_the_concert(store)
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


def site(out: Path) -> dict[str, bytes]:
    """Every published file and its bytes (bookkeeping left out)."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in out.rglob("*")
        if p.is_file() and p.name not in BOOKKEEPING
    }


def test_an_incremental_publish_gives_the_same_site_as_a_full_one(tmp_path: Path) -> None:
    store = seeded(tmp_path)
    store.save_theme(Theme(id="orgel", name_nl="Orgeljaar", name_en="Organ year",
                           start=date(2027, 1, 1), end=date(2027, 12, 31),
                           rules=ThemeRules(keywords=("orgel",))), NOW)  # fmt: skip
    out = tmp_path / "site"
    publish(store, out, "https://cdn.example", CLOCK)
    leiden = make_source()
    prinsenhof = make_source(id="prinsenhof", city="Delft", venue="Museum Prinsenhof Delft")
    # A title change, a move from Leiden to Delft (between city and venue feeds), a new
    # event joining a theme, a cancellation, and an event its source no longer lists.
    ingest(store, leiden, [
        make_listing(external_id="0", title="Lezing 0 (gewijzigd)", end=None,
                     start=datetime(2027, 2, 1, 19, tzinfo=UTC)),
        make_listing(external_id="1", title="Lezing 1", city="Delft", end=None,
                     venue_name="Museum Prinsenhof Delft",
                     start=datetime(2027, 2, 2, 19, tzinfo=UTC)),
    ], [], NOW + timedelta(hours=1), force=True)  # fmt: skip
    ingest(store, prinsenhof, [
        make_listing(source_id="prinsenhof", external_id="d", title="Orgelconcert", city="Delft",
                     venue_name="Museum Prinsenhof Delft", status="cancelled"),
        make_listing(source_id="prinsenhof", external_id="e", title="Orgel en koor", city="Delft",
                     venue_name="Museum Prinsenhof Delft", start=datetime(2027, 3, 5, 20, tzinfo=UTC),
                     end=None),
    ], [], NOW + timedelta(hours=1))  # fmt: skip
    report = publish(store, out, "https://cdn.example", CLOCK)
    fresh = tmp_path / "fresh"
    publish(store, fresh, "https://cdn.example", CLOCK)
    assert site(out) == site(fresh)
    assert 0 < report.written < len(site(fresh))
    assert b"Orgel en koor" in site(out)["feeds/theme-orgel.ics"]
    assert b"gewijzigd" in site(out)["feeds/leiden.rss"]
    assert b"Lezing 1" in site(out)["feeds/delft.atom"]
    assert b"Lezing 1" not in site(out)["feeds/leiden.json"]


def test_after_one_change_only_that_event_is_read_and_rendered(tmp_path: Path, monkeypatch) -> None:
    from agenda.store import query
    from feeds import atom, ical, jsonfeed, rss

    store, out = seeded_and_published(tmp_path)
    rename_the_concert(store)
    read: list[str] = []
    rendered: list[str] = []
    real_read = query.events_by_id
    monkeypatch.setattr(query, "events_by_id", lambda s, ids: read.extend(ids) or real_read(s, ids))
    for module, name in ((rss, "rss_item"), (atom, "atom_entry"), (jsonfeed, "json_item"),
                         (ical, "_piece")):  # fmt: skip
        real = getattr(module, name)
        monkeypatch.setattr(
            module, name, lambda e, options, real=real: rendered.append(e.title) or real(e, options)
        )
    publish(store, out, "https://cdn.example", CLOCK)
    listed = json.loads(site(out)["api/events.json"])["events"]
    assert set(read) == {e["id"] for e in listed if e["title"] == "Orgelconcert (nieuw)"}
    assert set(rendered) == {"Orgelconcert (nieuw)"} and len(rendered) == 4  # once per format
    assert b"(nieuw)" in site(out)["api/events.json"]


def test_a_listing_that_changes_without_changing_the_event_still_reaches_its_detail(
    tmp_path: Path,
) -> None:
    store = Store.open(tmp_path / "a.db")
    start = datetime(2027, 2, 1, 19, tzinfo=UTC)
    ingest(
        store,
        make_source(),
        [make_listing(title="Jonge Rembrandt", start=start, end=None)],
        [],
        NOW,
    )
    other = make_source(id="uitburo", kind="aggregator")
    listing = make_listing(source_id="uitburo", title="Jonge Rembrandt", start=start, end=None,
                           url="https://uitburo.example/a")  # fmt: skip
    ingest(store, other, [listing], [], NOW)
    out = tmp_path / "site"
    publish(store, out, "https://cdn.example", CLOCK)
    (detail,) = [v for k, v in site(out).items() if k.startswith("api/events/")]
    assert b"uitburo.example/a" in detail
    moved = msgspec.structs.replace(listing, url="https://uitburo.example/b")
    ingest(store, other, [moved], [], NOW + timedelta(hours=1))
    publish(store, out, "https://cdn.example", CLOCK)
    (detail,) = [v for k, v in site(out).items() if k.startswith("api/events/")]
    assert b"uitburo.example/b" in detail
    fresh = tmp_path / "fresh"
    publish(store, fresh, "https://cdn.example", CLOCK)
    assert site(out) == site(fresh)


def test_a_new_renderer_or_a_broken_piece_file_renders_everything_again(
    tmp_path: Path, monkeypatch
) -> None:
    from agenda.web import publish as publishing

    store, out = seeded_and_published(tmp_path)
    before = site(out)
    calls: list[str] = []
    real = publishing.render_format
    monkeypatch.setattr(publishing, "render_format",
                        lambda fmt, events, options: calls.append(fmt) or real(fmt, events, options))  # fmt: skip
    monkeypatch.setattr(publishing, "renderer_version", lambda: "a newer release")
    report = publish(store, out, "https://cdn.example", CLOCK)
    assert len(calls) == len([n for n in before if n.startswith("feeds/")])
    assert report.written == 0 and site(out) == before  # same bytes: nothing rewritten
    (out / ".published.pieces").write_bytes(b"not a database at all" * 100)
    (out / ".published.json").write_bytes(b"{broken")
    publish(store, out, "https://cdn.example", CLOCK)
    assert site(out) == before


def test_an_import_committing_during_a_publish_takes_nothing_away_from_it(
    tmp_path: Path, monkeypatch
) -> None:
    from agenda.store import query

    store, out = seeded_and_published(tmp_path)
    rename_the_concert(store)
    other = Store.open(tmp_path / "a.db")  # another process's connection
    real = query.events_by_id

    def meanwhile(s: Store, ids):  # type: ignore[no-untyped-def]
        # Between listing the region and reading the changed event, an import merges
        # that event away and commits.
        if not other.db.execute("SELECT 1 FROM events WHERE replaced_by IS NOT NULL").fetchone():
            with other.transaction():
                for event_id in ids:
                    other.mark_replaced(event_id, "elsewhere", NOW + timedelta(hours=2))
        return real(s, ids)

    monkeypatch.setattr(query, "events_by_id", meanwhile)
    publish(store, out, "https://cdn.example", CLOCK)  # no KeyError: one snapshot
    assert b"(nieuw)" in site(out)["api/events.json"]
    monkeypatch.undo()
    publish(store, out, "https://cdn.example", CLOCK)  # the next publish sees the merge
    assert b"(nieuw)" not in site(out)["api/events.json"]
    other.close()
