"""The picture job: fetched once through importers.fetch, checked, resized, recorded, bounded."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import NOW, make_listing, make_source
from httpserver import serve
from PIL import Image

from agenda.model import Event
from agenda.pictures import WIDTHS, StoredPicture, picture_for, placeholder_for, variant_size
from agenda.store.database import Store
from agenda.sync.ingest import ingest
from agenda.sync.pictures import PictureBudget, Refused, fetch_pictures, process


def png(
    width: int = 1600, height: int = 900, colour: tuple[int, int, int] = (30, 90, 150)
) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def png_bomb(width: int = 30_000, height: int = 30_000) -> bytes:
    """A PNG whose header claims width×height pixels, a few hundred bytes on disk."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 4096))
        + chunk(b"IEND", b"")
    )


def events_with(store: Store, images: dict[str, str]) -> None:
    """One event per external id, each with its image URL."""
    listings = [
        make_listing(
            external_id=eid,
            title=f"Concert {eid}",
            start=NOW + timedelta(days=3 + i),
            end=NOW + timedelta(days=3 + i, hours=2),
            image=url,
        )
        for i, (eid, url) in enumerate(sorted(images.items()))
    ]
    ingest(store, make_source(), listings, [], NOW)


def rows(store: Store) -> dict[str, tuple[str, str]]:
    found = store.db.execute("SELECT url, status, reason FROM pictures").fetchall()
    return {url: (status, reason) for url, status, reason in found}


FAST = PictureBudget(spacing=0.0)


def test_process_makes_webp_and_jpeg_variants_without_metadata() -> None:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90°: the stored picture is upright
    exif[0x010F] = "Camera maker"
    Image.new("RGB", (1600, 1000), (200, 100, 50)).save(out, "JPEG", exif=exif)
    done = process(out.getvalue())
    assert (done.width, done.height) == (1000, 1600)
    assert set(done.files) == {f"{done.digest}-{w}.{f}" for w in WIDTHS for f in ("webp", "jpg")}
    for name, data in done.files.items():
        with Image.open(io.BytesIO(data)) as variant:
            width = int(name.split("-")[1].split(".")[0])
            assert variant.size == variant_size(1000, 1600, width)
            assert not variant.getexif()
            assert "icc_profile" not in variant.info


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (png_bomb(), "too many pixels"),
        (png_bomb(8000, 8000), "pixels"),  # below Pillow's hard limit, above ours
        (b"<!doctype html><title>Not found</title>", "not a picture"),
        (b"%PDF-1.4\n", "not a picture"),
        (png()[:200], "broken"),
    ],
    ids=["bomb-30000", "bomb-8000", "html", "pdf", "truncated"],
)
def test_process_refuses_bombs_and_non_pictures(data: bytes, reason: str) -> None:
    assert len(png_bomb()) < 1000
    with pytest.raises(Refused, match=reason):
        process(data)


def test_a_bomb_and_a_non_image_are_recorded_problems_and_nothing_breaks(
    store: Store, tmp_path: Path
) -> None:
    routes = {"/bomb.png": png_bomb(), "/page.jpg": b"<html>hello</html>", "/ok.png": png()}
    with serve(routes) as server:
        images = {"a": f"{server}/bomb.png", "b": f"{server}/page.jpg", "c": f"{server}/ok.png",
                  "d": f"{server}/missing.jpg"}  # fmt: skip
        events_with(store, images)
        report = fetch_pictures(store, tmp_path / "img", budget=FAST, clock=lambda: NOW)
    assert (report.ok, report.refused, report.failed) == (1, 2, 1)
    found = rows(store)
    assert found[images["a"]][0] == "refused" and "pixels" in found[images["a"]][1]
    assert found[images["b"]][0] == "refused" and "not a picture" in found[images["b"]][1]
    assert found[images["c"]] == ("ok", "")
    assert found[images["d"]][0] == "failed" and "404" in found[images["d"]][1]
    assert len(list((tmp_path / "img").iterdir())) == 2 * len(WIDTHS)  # only the good one


def test_a_picture_is_fetched_once_and_again_only_when_its_url_changes(
    store: Store, tmp_path: Path
) -> None:
    with serve({"/one.png": png(), "/two.png": png(colour=(1, 2, 3))}) as server:
        events_with(store, {"a": f"{server}/one.png"})
        for _ in range(3):
            fetch_pictures(store, tmp_path, budget=FAST, clock=lambda: NOW)
        assert [r.path for r in server.requests] == ["/one.png"]
        events_with(store, {"a": f"{server}/two.png"})
        fetch_pictures(store, tmp_path, budget=FAST, clock=lambda: NOW)
        fetch_pictures(store, tmp_path, budget=FAST, clock=lambda: NOW)
        assert [r.path for r in server.requests] == ["/one.png", "/two.png"]
        assert server.requests[0].headers["user-agent"].startswith("Regio-agenda")


def test_the_job_keeps_its_run_and_host_budgets_and_spaces_its_fetches(
    store: Store, tmp_path: Path
) -> None:
    routes = {f"/{i}.png": png(64, 48, (i, i, i)) for i in range(8)}
    waits: list[float] = []
    with serve(routes) as server:
        events_with(store, {f"e{i}": f"{server}/{i}.png" for i in range(8)})
        budget = PictureBudget(per_run=5, per_host=3, spacing=0.5)
        report = fetch_pictures(store, tmp_path, budget=budget, clock=lambda: NOW,
                                sleep=waits.append)  # fmt: skip
        assert len(server.requests) == 3 and report.ok == 3 and report.deferred == 5
        assert len(waits) == 2 and all(0 < w <= 0.5 for w in waits)
        report = fetch_pictures(store, tmp_path, budget=PictureBudget(per_run=2, spacing=0),
                                clock=lambda: NOW)  # fmt: skip
        assert len(server.requests) == 5 and report.ok == 2 and report.deferred == 3


def test_a_file_url_is_never_read_as_a_picture(store: Store, tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(png())
    events_with(store, {"a": secret.as_uri(), "b": str(secret)})
    report = fetch_pictures(store, tmp_path / "img", budget=FAST, clock=lambda: NOW)
    assert report.refused == 2 and not (tmp_path / "img").exists()


def test_picture_for_gives_our_addresses_sizes_and_alt_or_none() -> None:
    event = Event(id="e1", title="Orgelconcert", start=NOW, image="https://x.example/a.jpg",
                  kind="concert")  # fmt: skip
    ok = StoredPicture(url=event.image or "", status="ok", hash="a" * 32, width=2400,
                       height=1600)  # fmt: skip
    picture = picture_for(event, {ok.url: ok}, "https://agenda.example/")
    assert picture is not None
    assert picture.src == f"https://agenda.example/images/{'a' * 32}-1200.jpg"
    assert (picture.width, picture.height, picture.alt) == (1200, 800, "Orgelconcert")
    assert picture.webp_srcset.endswith("-1200.webp 1200w") and "480w" in picture.jpeg_srcset
    refused = StoredPicture(url=ok.url, status="refused", reason="bomb")
    assert picture_for(event, {ok.url: refused}) is None
    assert picture_for(event, {}) is None
    assert placeholder_for(event) == "/static/placeholder-concert.svg"
    assert placeholder_for(Event(id="e", title="t", start=NOW, kind="??")).endswith("other.svg")


def test_pictures_no_event_shows_are_forgotten_and_their_files_removed(
    store: Store, tmp_path: Path
) -> None:
    """A changed picture leaves no file behind; young files (being fetched or uploaded),
    files the job did not write and pictures still shown stay."""
    import os

    from agenda.sync.pictures import PRUNE_GRACE

    later = NOW + PRUNE_GRACE * 2
    folder = tmp_path / "img"
    with serve({"/one.png": png(), "/two.png": png(colour=(1, 2, 3)),
                "/three.png": png(colour=(9, 9, 9))}) as server:  # fmt: skip
        events_with(store, {"a": f"{server}/one.png", "b": f"{server}/three.png"})
        fetch_pictures(store, folder, budget=FAST, clock=lambda: NOW)
        first = {p.name for p in folder.iterdir()}
        events_with(store, {"a": f"{server}/two.png", "b": f"{server}/three.png"})
        old = (NOW - PRUNE_GRACE).timestamp()
        for path in folder.iterdir():
            os.utime(path, (old, old))
        (folder / "notes.txt").write_text("not the job's")
        (folder / ".abc.jpg.123.part").write_bytes(b"half")
        young = folder / f"{'f' * 32}-480.jpg"  # written, not recorded yet
        young.write_bytes(b"x")
        os.utime(young, (later.timestamp() - 60, later.timestamp() - 60))
        os.utime(folder / ".abc.jpg.123.part", (old, old))
        report = fetch_pictures(store, folder, budget=FAST, clock=lambda: later)
        now_there = {p.name for p in folder.iterdir()}
        shown = store.stored_pictures()
        assert set(shown) == {f"{server}/two.png", f"{server}/three.png"}
        kept = {shown[f"{server}/three.png"].hash, shown[f"{server}/two.png"].hash}
        gone = {name for name in first if name.split("-")[0] not in kept}
        assert gone and not gone & now_there  # the first picture's variants
        assert {n for n in first if n.split("-")[0] in kept} <= now_there
        assert "notes.txt" in now_there and young.name in now_there
        assert ".abc.jpg.123.part" not in now_there
        assert report.removed == len(gone) + 1 and "unused files removed" in report.line()
        # Named again, a forgotten picture is simply fetched again.
        events_with(store, {"a": f"{server}/one.png", "b": f"{server}/three.png"})
        fetch_pictures(store, folder, budget=FAST, clock=lambda: later)
        assert [r.path for r in server.requests].count("/one.png") == 2
        assert gone <= {p.name for p in folder.iterdir()}


def test_a_picture_file_that_cannot_be_removed_stops_nothing(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from agenda.sync import pictures as job

    folder = tmp_path / "img"
    folder.mkdir()
    stale = [folder / f"{c * 32}-480.jpg" for c in "abc"]
    for path in stale:
        path.write_bytes(b"x")
        os.utime(path, (0, 0))
    real_unlink = Path.unlink

    def unlink(self: Path, missing_ok: bool = False) -> None:
        if self.name.startswith("b"):
            raise PermissionError("read-only")
        real_unlink(self, missing_ok)

    monkeypatch.setattr(Path, "unlink", unlink)
    assert job.prune_pictures(store, folder, clock=lambda: NOW) == 2
    assert [p.name[0] for p in folder.iterdir()] == ["b"]


def test_an_unreadable_picture_folder_keeps_the_runs_report(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: Path) -> None:
        raise PermissionError("no listing")

    with serve({"/one.png": png()}) as server:
        events_with(store, {"a": f"{server}/one.png"})
        monkeypatch.setattr(Path, "iterdir", refuse)
        report = fetch_pictures(store, tmp_path, budget=FAST, clock=lambda: NOW)
    assert report.ok == 1 and report.removed == 0
