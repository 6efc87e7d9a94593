"""The widget's routes through Litestar's TestClient, its snippets, its size, and its node tests.

The widget's behaviour in a real browser is tests/test_browser_widget.py.
"""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess
from collections.abc import Iterator
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from litestar.testing import TestClient

from agenda.app import create_app
from agenda.config import Settings
from widgets.payload import (
    DEFAULT_ACCENT,
    WidgetOptions,
    element_snippet,
    embed_url,
    iframe_snippet,
    options_from_query,
    origin_of,
)
from widgets.routes import assets

ROOT = Path(__file__).parent.parent
SCRIPT = ROOT / "widgets" / "static" / "regio-agenda.js"
BUDGET = 8 * 1024  # bytes, gzipped (issue 7)
BASE = "https://agenda.example"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(Settings(db=str(tmp_path / "agenda.db"), base_url=BASE))
    with TestClient(app) as test_client:
        yield test_client


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text of <style> and <script> elements."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.inline: list[str] = []
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._open = tag

    def handle_data(self, data: str) -> None:
        if self._open in ("script", "style") and data.strip():
            self.inline.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._open = None

    def find(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


def parse(html: str) -> Tags:
    tags = Tags()
    tags.feed(html)
    return tags


def assert_no_inline_code(tags: Tags) -> None:
    """The site's CSP forbids inline scripts and styles: the pages must not need them."""
    assert not tags.inline
    assert not tags.find("style")
    assert all(attrs.get("src") for attrs in tags.find("script"))
    assert not [attrs for _, attrs in tags.tags if "style" in attrs]
    assert not [attrs for _, attrs in tags.tags if any(k.startswith("on") for k in attrs)]


# --- the static files -------------------------------------------------------------------------


def test_script_is_served_as_javascript_with_a_long_cache(client: TestClient) -> None:
    response = client.get("/widgets/regio-agenda.js", headers={"Origin": "https://venue.example"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert response.content == SCRIPT.read_bytes()
    assert response.headers["cache-control"].startswith("public, max-age=86400")
    # module scripts load in CORS mode: a venue's site must be allowed to run it
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["cross-origin-resource-policy"] == "cross-origin"
    assert response.headers["x-content-type-options"] == "nosniff"
    etag = response.headers["etag"]
    again = client.get("/widgets/regio-agenda.js", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""


def test_versioned_addresses_are_immutable_and_gzip_is_offered(client: TestClient) -> None:
    version = assets()["regio-agenda.js"].version
    response = client.get(
        f"/widgets/regio-agenda.js?v={version}", headers={"Accept-Encoding": "gzip"}
    )
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["content-encoding"] == "gzip"
    assert response.content == SCRIPT.read_bytes()  # httpx decodes it
    stale = client.get("/widgets/regio-agenda.js?v=0000000000")
    assert "immutable" not in stale.headers["cache-control"]


@pytest.mark.parametrize(
    "name,media_type",
    [("embed.js", "text/javascript"), ("configurator.js", "text/javascript"),
     ("widgets.css", "text/css")],
)  # fmt: skip
def test_other_files(client: TestClient, name: str, media_type: str) -> None:
    response = client.get(f"/widgets/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{media_type}; charset=utf-8"


@pytest.mark.parametrize(
    "path", ["/widgets/nope.js", "/widgets/..%2Froutes.py", "/widgets/payload.py"]
)
def test_nothing_else_is_served(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


def test_the_script_stays_within_its_budget() -> None:
    size = len(gzip.compress(SCRIPT.read_bytes(), compresslevel=9))
    assert size <= BUDGET, f"regio-agenda.js is {size} bytes gzipped, the budget is {BUDGET}"
    assert len(assets()["regio-agenda.js"].gzipped) <= BUDGET  # what the server sends


def test_the_script_is_safe_by_construction() -> None:
    """No innerHTML/eval, no storage or cookies, no address but its own agenda's."""
    code = SCRIPT.read_text()
    for banned in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                   "new Function", "localStorage", "sessionStorage", "document.cookie",
                   "indexedDB"):  # fmt: skip
        assert banned not in code, banned
    hosts = set(re.findall(r"https?://([^/\s\"'`]+)", code))
    assert hosts <= {"HOST", "schema.org"}, hosts
    assert 'credentials: "omit"' in code


# --- the iframe page --------------------------------------------------------------------------


def test_embed_page_may_be_framed_anywhere_and_has_no_inline_code(client: TestClient) -> None:
    response = client.get("/widgets/embed?city=Leiden&layout=cards&lang=en&limit=3")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "frame-ancestors *" in response.headers["content-security-policy"]
    assert "x-frame-options" not in response.headers
    tags = parse(response.text)
    assert_no_inline_code(tags)
    scripts = [a["src"] or "" for a in tags.find("script")]
    assert [s.split("?")[0] for s in scripts] == ["/widgets/regio-agenda.js", "/widgets/embed.js"]
    assert all(a["type"] == "module" for a in tags.find("script"))
    (widget,) = tags.find("regio-agenda")
    assert widget == {"city": "Leiden", "limit": "3", "lang": "en", "layout": "cards"}
    assert tags.find("html")[0]["lang"] == "en"
    assert tags.find("base") == [{"target": "_top"}]  # links open in the top window
    assert tags.find("a")[0]["href"] == f"{BASE}/?city=Leiden&lang=en"


def test_embed_page_escapes_and_drops_unusable_values(client: TestClient) -> None:
    response = client.get(
        "/widgets/embed",
        params={"city": '"><script>alert(1)</script>', "layout": "grid", "lang": "fr",
                "limit": "999", "accent": "red;x", "seo": "1", "colour": "x"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "<script>alert" not in response.text
    tags = parse(response.text)
    assert_no_inline_code(tags)
    (widget,) = tags.find("regio-agenda")
    assert widget == {"city": '"><script>alert(1)</script>', "limit": "50", "lang": "nl",
                      "layout": "list", "seo": None}  # fmt: skip


def test_embed_page_takes_an_accent_colour(client: TestClient) -> None:
    response = client.get("/widgets/embed?accent=%23AA0000")
    (widget,) = parse(response.text).find("regio-agenda")
    assert widget["accent"] == "#aa0000"


# --- the configurator -------------------------------------------------------------------------


def test_configurator_is_dutch_by_default_and_english_on_request(client: TestClient) -> None:
    dutch = client.get("/widgets")
    assert dutch.status_code == 200
    assert dutch.headers["content-language"] == "nl"
    assert dutch.headers["x-frame-options"] == "SAMEORIGIN"
    assert '<html lang="nl">' in dutch.text and "Agenda-widget voor je website" in dutch.text
    english = client.get("/widgets?lang=en")
    assert '<html lang="en">' in english.text and "Agenda widget for your website" in english.text
    for page in (dutch, english):
        assert_no_inline_code(parse(page.text))
        assert "built-in method" not in page.text and "Undefined" not in page.text
    assert "Kopiëren</button>" in dutch.text and "Copy</button>" in english.text


def test_configurator_form_is_labelled(client: TestClient) -> None:
    tags = parse(client.get("/widgets").text)
    labelled = {a["for"] for a in tags.find("label") if a.get("for")}
    fields = [a for name, a in tags.tags if name in ("input", "select", "textarea")]
    for field in fields:
        if field.get("type") in ("hidden", "radio"):
            continue  # radios sit inside their label
        assert field.get("id") in labelled, field
    assert len(tags.find("main")) == 1 and tags.find("header") and tags.find("footer")
    assert len(tags.find("h1")) == 1


def test_configurator_without_scripts_builds_the_snippet_on_the_server(client: TestClient) -> None:
    query = "lang=en&city=Leiden&language=en&layout=cards&limit=3&accent=%23aa0000&seo=1"
    html = client.get(f"/widgets?{query}").text
    opts = WidgetOptions(filters=(("city", "Leiden"),), limit=3, lang="en", layout="cards",
                         accent="#aa0000", seo=True)  # fmt: skip
    assert _textarea(html, "snippet") == element_snippet(BASE, opts)
    assert _textarea(html, "iframe-snippet") == iframe_snippet(BASE, opts)
    tags = parse(html)
    (preview,) = tags.find("regio-agenda")
    assert preview == {"id": "preview", "city": "Leiden", "limit": "3", "lang": "en",
                       "layout": "cards", "accent": "#aa0000", "seo": None}  # fmt: skip
    selected = [a["value"] for a in tags.find("option") if "selected" in a]
    assert selected == ["Leiden"]
    assert {a["value"] for a in tags.find("input") if "checked" in a} == {"cards", "en", "1"}


def _textarea(html: str, ident: str) -> str:
    match = re.search(rf'<textarea id="{ident}"[^>]*>(.*?)</textarea>', html, re.S)
    assert match, ident
    return unescape(match.group(1))


# --- the snippets -----------------------------------------------------------------------------


def test_element_snippet() -> None:
    opts = options_from_query({"city": "Den Haag", "category": 'Lezing & "debat"', "limit": "3"})
    assert element_snippet(BASE + "/", opts) == (
        '<script type="module" src="https://agenda.example/widgets/regio-agenda.js"></script>\n'
        '<regio-agenda city="Den Haag" category="Lezing &amp; &quot;debat&quot;" limit="3" '
        'lang="nl" layout="list">\n'
        '  <a href="https://agenda.example/?city=Den+Haag&amp;category=Lezing+%26+%22debat%22'
        '&amp;lang=nl">Meer in de regionale agenda</a>\n'
        "</regio-agenda>"
    )


def test_iframe_snippet_checks_the_sender() -> None:
    opts = options_from_query({"city": "Delft", "lang": "en", "accent": "#123456"})
    snippet = iframe_snippet("https://agenda.example/", opts)
    assert snippet.startswith(
        '<iframe src="https://agenda.example/widgets/embed?city=Delft&amp;limit=5&amp;lang=en'
        '&amp;layout=list&amp;accent=%23123456" title="Regional agenda"'
    )
    assert 'event.origin !== "https://agenda.example"' in snippet
    assert "frame.contentWindow === event.source" in snippet
    assert len(snippet.splitlines()) <= 13


def test_options_are_read_leniently() -> None:
    assert options_from_query({}) == WidgetOptions()
    opts = options_from_query({"city": "  Den   Haag ", "venue": "", "limit": "0", "lang": "EN",
                               "layout": "cards", "accent": DEFAULT_ACCENT, "seo": "on"})  # fmt: skip
    assert opts == WidgetOptions(filters=(("city", "Den Haag"),), limit=5, lang="en",
                                 layout="cards", accent=None, seo=True)  # fmt: skip
    assert options_from_query({"limit": "-4"}).limit == 1
    assert options_from_query({"limit": "x"}).limit == 5
    assert options_from_query({"q": "x" * 500}).get("q") == "x" * 100
    assert embed_url(BASE, WidgetOptions()) == f"{BASE}/widgets/embed?limit=5&lang=nl&layout=list"


@pytest.mark.parametrize(
    "base,origin",
    [("https://agenda.example", "https://agenda.example"),
     ("https://Agenda.Example:443/sub/", "https://agenda.example"),
     ("http://127.0.0.1:8000", "http://127.0.0.1:8000")],
)  # fmt: skip
def test_origin_as_a_browser_writes_it(base: str, origin: str) -> None:
    assert origin_of(base) == origin


# --- the JavaScript helpers under node --------------------------------------------------------


def test_node_tests_of_the_widget_helpers() -> None:
    node = shutil.which("node")
    assert node, "node is needed for tests/js/widget.test.mjs"
    result = subprocess.run(
        [node, "--test", "tests/js/widget.test.mjs"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "# fail 0" in result.stdout


def test_configurator_offers_only_themes_with_events(tmp_path: Path) -> None:
    """Two themes share the name "Gouden Eeuw"; only the one with events is offered."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from browser import CLOCK, seed_city_life, seed_pages

    db = tmp_path / "agenda.db"
    seed_pages(db)
    seed_city_life(db)
    app = create_app(Settings(db=str(db), base_url=BASE), clock=lambda: CLOCK)
    with TestClient(app) as client:
        html = client.get("/widgets").text
        datalist = html.split("<datalist", 1)[1].split("</datalist>", 1)[0]
        choices = re.findall(r'<option value="([^"]*)">([^<]*)</option>', datalist)
        assert choices == [("gouden-eeuw", "Gouden Eeuw")]
        assert 'list="theme-choices"' in html
        english = client.get("/widgets?lang=en").text
        assert '<option value="gouden-eeuw">Golden Age</option>' in english
        assert "gouden-eeuw-2019" not in english
