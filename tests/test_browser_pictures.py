"""Pictures in a real browser: every picture a visitor's browser loads comes from the agenda.

A real uvicorn on 127.0.0.1 and Debian's Chromium: the pages, the widget's cards and the
feeds name only the agenda's own /images/ copies (or its placeholders), every <img> has
its width and height, and the browser never asks the sources' picture server for anything.
A bomb and a web page at picture addresses are refused and the pages still show.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.etree import ElementTree

import pytest
from browser import CLOCK, seed_pages, serve_app
from conftest import NOW, make_listing, make_source
from httpserver import serve
from test_agenda_pictures import png, png_bomb

from agenda.pictures import default_images_dir
from agenda.store.database import Store
from agenda.sync.ingest import ingest
from agenda.sync.pictures import PictureBudget, fetch_pictures

pytestmark = pytest.mark.slow

# Every <img> in the document and in open shadow roots: where it points and its size attributes.
IMAGES = """() => {
  const found = [];
  const walk = (root) => {
    for (const img of root.querySelectorAll("img")) {
      found.push({src: img.currentSrc || img.src, srcset: img.getAttribute("srcset") || "",
                  width: img.getAttribute("width"), height: img.getAttribute("height"),
                  loading: img.getAttribute("loading"), complete: img.complete,
                  natural: img.naturalWidth});
    }
    for (const el of root.querySelectorAll("*")) if (el.shadowRoot) walk(el.shadowRoot);
  };
  walk(document);
  return found;
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    db = tmp_path_factory.mktemp("pictures") / "agenda.db"
    seed_pages(db)
    routes = {"/foyer.png": png(1600, 1000), "/zaal.png": png(900, 1200, (150, 60, 40)),
              "/bomb.png": png_bomb(), "/page.jpg": b"<!doctype html><p>no picture</p>"}  # fmt: skip
    with serve(routes) as pictures:
        listings = [
            make_listing(
                source_id="stadsgehoorzaal", external_id=name[1:], title=f"Avond {name[1:]} in Leiden",
                venue_name="Stadsgehoorzaal Leiden", categories=("Concert",),
                url=f"https://www.stadsgehoorzaal.nl{name}", image=f"{pictures}{name}",
                start=datetime(2027, 1, 22, 19, tzinfo=UTC) + timedelta(days=i), end=None,
            )
            for i, name in enumerate(routes)
        ]  # fmt: skip
        store = Store.open(db)
        source = make_source(id="stadsgehoorzaal", name="Stadsgehoorzaal", venue=None)
        ingest(store, source, listings, [], NOW)
        report = fetch_pictures(store, default_images_dir(str(db)),
                                budget=PictureBudget(spacing=0), clock=lambda: CLOCK)  # fmt: skip
        store.close()
        assert (report.ok, report.refused) == (2, 2)
        fetched_by_job = len(pictures.requests)
        with serve_app(db) as base:
            yield {"base": base, "pictures": pictures, "job_requests": fetched_by_job}


def _visit(browser: Any, site: dict[str, Any], path: str) -> tuple[list[str], list[dict]]:
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    try:
        page.goto(site["base"] + path)
        page.wait_for_load_state("networkidle")
        page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
        page.wait_for_load_state("networkidle")
        images = page.evaluate(IMAGES)
    finally:
        context.close()
    return requested, images


def _event_id(site: dict[str, Any], title: str) -> str:
    with urllib.request.urlopen(site["base"] + "/api/events?limit=500") as answer:
        events = json.load(answer)["events"]
    return next(e["id"] for e in events if e["title"] == title)


@pytest.mark.parametrize(
    "path",
    ["/", "/events/{foyer}", "/events/{bomb}", "/venues/stadsgehoorzaal-leiden",
     "/widgets/embed?city=Leiden&layout=cards&limit=20"],
)  # fmt: skip
def test_pages_and_widget_cards_load_pictures_only_from_the_agenda(
    browser: Any, site: dict[str, Any], path: str
) -> None:
    base = site["base"]
    refused = "{bomb}" in path  # its picture was refused: the page shows, without a picture
    path = path.format(foyer=_event_id(site, "Avond foyer.png in Leiden"),
                       bomb=_event_id(site, "Avond bomb.png in Leiden"))  # fmt: skip
    if path.startswith("/venues/"):
        with urllib.request.urlopen(base + "/api/venues") as answer:
            venues = json.load(answer)
        venues = venues.get("venues", venues) if isinstance(venues, dict) else venues
        ids = [v["id"] for v in venues if "stadsgehoorzaal" in v["id"]]
        path = f"/venues/{ids[0]}" if ids else path
    requested, images = _visit(browser, site, path)
    assert requested, path
    foreign = [u for u in requested if not (u.startswith(base + "/") or u.startswith("data:"))]
    assert foreign == [], foreign
    assert bool(images) != refused, f"pictures on {path}: {images}"
    for image in images:
        assert image["src"].startswith(base + "/"), image
        for candidate in filter(
            None, (c.strip().split(" ")[0] for c in image["srcset"].split(","))
        ):
            assert candidate.startswith((base + "/", "/")), image
        assert int(image["width"]) > 0 and int(image["height"]) > 0, image
    # The sources' picture server heard only from the picture job, never from a browser.
    assert len(site["pictures"].requests) == site["job_requests"]


def test_an_event_with_a_picture_shows_it_and_others_show_a_placeholder(
    browser: Any, site: dict[str, Any]
) -> None:
    _, hero = _visit(browser, site, f"/events/{_event_id(site, 'Avond zaal.png in Leiden')}")
    (picture,) = [i for i in hero if "/images/" in i["src"]]
    assert picture["natural"] > 0 and picture["loading"] is None  # the hero is not lazy
    assert (int(picture["width"]), int(picture["height"])) == (900, 1200)
    _, listed = _visit(browser, site, "/")
    kinds = {re.sub(r".*/", "", i["src"]) for i in listed}
    assert any(k.startswith("placeholder-") for k in kinds)
    assert any(re.fullmatch(r"[0-9a-f]{32}-480\.(webp|jpg)", k) for k in kinds)
    assert all(i["natural"] > 0 for i in listed if i["complete"] and i["loading"] != "lazy")
    lazy = [i for i in listed if i["loading"] == "lazy"]
    assert len(lazy) >= len(listed) - 3


def test_pictures_are_served_immutable_and_unknown_names_are_404(site: dict[str, Any]) -> None:
    base = site["base"]
    with urllib.request.urlopen(base + "/api/events?city=Leiden&limit=500") as answer:
        pictures = [e["picture"] for e in json.load(answer)["events"]]
    real = [p for p in pictures if not p["placeholder"]]
    assert len(real) == 2 and all(p["src"].startswith(base + "/images/") for p in real)
    for url in (real[0]["src"], real[0]["webp_srcset"].split(" ")[0]):
        with urllib.request.urlopen(url) as answer:
            assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
            assert answer.headers["Content-Type"] in ("image/jpeg", "image/webp")
    for name in ("../agenda.db", "abc-480.jpg", f"{'0' * 32}-480.jpg", f"{'0' * 32}-999.jpg"):
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{base}/images/{name}")
        assert missing.value.code == 404
        missing.value.close()


def test_feeds_name_only_the_agendas_pictures(site: dict[str, Any]) -> None:
    base = site["base"]
    found: list[str] = []
    for name in ("agenda.rss", "agenda.atom"):
        with urllib.request.urlopen(f"{base}/feeds/{name}") as answer:
            root = ElementTree.fromstring(answer.read())
        found += [e.get("url", "") for e in root.iter("enclosure")]
        found += [e.get("href", "") for e in root.iter("{http://www.w3.org/2005/Atom}link")
                  if e.get("rel") == "enclosure"]  # fmt: skip
    with urllib.request.urlopen(f"{base}/feeds/agenda.json") as answer:
        found += [i["image"] for i in json.load(answer)["items"] if "image" in i]
    assert len(found) == 2 * 3  # two pictures in three feeds; the refused ones are not there
    assert all(url.startswith(base + "/images/") and url.endswith("-1200.jpg") for url in found)
    with urllib.request.urlopen(
        f"{base}/events/{_event_id(site, 'Avond foyer.png in Leiden')}"
    ) as answer:
        html = answer.read().decode()
    og = re.search(r'<meta property="og:image" content="([^"]+)">', html)
    assert og is not None and og.group(1).startswith(base + "/images/")
