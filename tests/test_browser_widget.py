"""The widget in a real browser, embedded in a venue's site on another origin.

The agenda runs under uvicorn on one 127.0.0.1 port (seeded, clock fixed at ``CLOCK``);
the "venue's website" is a second server on another port, so every widget request is
cross-origin, as on a real site. Debian's Chromium through Playwright; the browser's
clock is fixed on the same day, so "today" in the widget is the agenda's today.
Screenshots of each layout go to tests/artifacts/widget-<layout>.png; with
``REGIO_UPDATE_SCREENSHOTS=1`` (or when missing) the cards one is copied to
docs/widget-cards.png for the README.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from browser import ARTIFACTS, axe_violations, serve_app
from conftest import NOW, make_listing, make_source
from httpserver import Response as HostResponse
from httpserver import Server, serve
from playwright.sync_api import Browser, BrowserContext, Page, expect
from playwright.sync_api import Error as PlaywrightError

from agenda.store.database import Store
from agenda.sync.ingest import ingest
from widgets.payload import WidgetOptions, element_snippet, iframe_snippet

ROOT = Path(__file__).parent.parent
DOCS_SCREENSHOT = ROOT / "docs" / "widget-cards.png"
XSS = "<img src=x onerror=alert(1)>"
BROWSER_NOW = "2027-01-20T11:00:00Z"  # the browser's clock: the agenda's day (CLOCK)
LEIDEN = [
    "Rembrandt & Lievens",
    "Lezing: Leiden in de Gouden Eeuw",
    "Rondleiding door het depot",
    "Bach: Matthäus-Passion",
]
DELFT = ["Kinderworkshop Delfts Blauw"]


def seed(db: Path) -> None:
    """Events after CLOCK (one exhibition still running), one cancelled, one hostile title."""
    store = Store.open(db)
    ingest(store, make_source(), [
        make_listing(external_id="expo", title="Rembrandt & Lievens", start=None, end=None,
                     start_date=date(2027, 1, 1), end_date=date(2027, 5, 31),
                     categories=("Tentoonstelling",), url="https://example.org/expo"),
        make_listing(),  # Lezing: Leiden in de Gouden Eeuw, 3 February 20:00-21:15 Amsterdam
        make_listing(external_id="tour", title="Rondleiding door het depot", status="cancelled",
                     categories=("Rondleiding",), url="https://example.org/tour",
                     start=datetime(2027, 2, 4, 13, tzinfo=UTC), end=None),
    ], [], NOW)  # fmt: skip
    ingest(store, make_source(id="stadsgehoorzaal", name="Stadsgehoorzaal Leiden",
                              venue="Stadsgehoorzaal Leiden"), [
        make_listing(source_id="stadsgehoorzaal", external_id="bach", title="Bach: Matthäus-Passion",
                     venue_name="Stadsgehoorzaal Leiden", categories=("Concert",),
                     url="https://example.org/bach",
                     start=datetime(2027, 2, 5, 18, 30, tzinfo=UTC), end=None),
    ], [], NOW)  # fmt: skip
    ingest(store, make_source(id="prinsenhof", name="Museum Prinsenhof Delft", city="Delft",
                              venue="Museum Prinsenhof Delft"), [
        make_listing(source_id="prinsenhof", external_id="k", title="Kinderworkshop Delfts Blauw",
                     city="Delft", venue_name="Museum Prinsenhof Delft", categories=("Familie",),
                     is_free=True, url="https://example.org/workshop",
                     start=datetime(2027, 1, 24, 13, tzinfo=UTC),
                     end=datetime(2027, 1, 24, 15, tzinfo=UTC)),
    ], [], NOW)  # fmt: skip
    ingest(store, make_source(id="mauritshuis", name="Mauritshuis", city="Den Haag",
                              venue="Mauritshuis"), [
        make_listing(source_id="mauritshuis", external_id="xss", title=XSS, city="Den Haag",
                     venue_name="Mauritshuis", categories=("Lezing",), url="https://example.org/x",
                     start=datetime(2027, 1, 22, 18, tzinfo=UTC), end=None),
        *[make_listing(source_id="mauritshuis", external_id=f"c{i}", title=f"Lunchconcert {i}",
                       city="Den Haag", venue_name="Mauritshuis", categories=("Concert",),
                       url=f"https://example.org/c{i}",
                       start=datetime(2027, 2, 10, 11, tzinfo=UTC) + timedelta(days=i), end=None)
          for i in range(1, 7)],
    ], [], NOW)  # fmt: skip
    store.close()


# --- the two origins and the browser ----------------------------------------------------------


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("widget") / "agenda.db"
    seed(db)
    with serve_app(db) as url:
        yield url


HOST_CSS = """
body { color: rgb(255, 0, 0); font: italic 30px serif; letter-spacing: 5px; text-align: right;
       line-height: 3; }
li { color: red !important; display: none !important; }
a { color: rgb(0, 128, 0) !important; font-size: 40px !important; text-decoration: none; }
p, ol, ul { margin: 50px !important; padding: 30px !important; }
time { display: none !important; }
regio-agenda.themed { --regio-accent: rgb(1, 2, 3); --regio-font: Georgia, serif; }
regio-agenda.themed::part(title) { text-transform: uppercase; }
"""
PLAIN_CSS = "iframe { width: 100%; border: 0; }"


class Host:
    """The venue's website: pages on a second origin, under a strict CSP unless told otherwise."""

    def __init__(self, server: Server, app: str, iframe_listener: str) -> None:
        self.server = server
        self.app = app
        self._ids = count()
        server.routes.update({
            "/host.css": HostResponse(200, HOST_CSS, {"Content-Type": "text/css"}),
            # a strict CSP blocks the snippet's style attribute: a site sets it in its own CSS
            "/plain.css": HostResponse(200, PLAIN_CSS, {"Content-Type": "text/css"}),
            "/listener.js": HostResponse(200, iframe_listener, {"Content-Type": "text/javascript"}),
        })  # fmt: skip

    def csp(self, *, frame: bool = False) -> str:
        policy = (
            f"default-src 'self'; script-src 'self' {self.app}; connect-src {self.app}; "
            f"img-src 'self' {self.app}; style-src 'self'"
        )
        return policy + (f"; frame-src {self.app}" if frame else "")

    def page(
        self,
        body: str,
        *,
        css: str = "/plain.css",
        script: bool = True,
        csp: bool = True,
        frame: bool = False,
        lang: str = "en",
    ) -> str:
        path = f"/page-{next(self._ids)}.html"
        module = f'<script type="module" src="{self.app}/widgets/regio-agenda.js"></script>'
        html = (
            f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            f'<title>A venue</title><link rel="stylesheet" href="{css}">'
            f"{module if script else ''}</head>"
            f"<body><main><h1>A venue's website</h1>{body}</main></body></html>"
        )
        headers = {"Content-Type": "text/html; charset=utf-8"}
        if csp:
            headers["Content-Security-Policy"] = self.csp(frame=frame)
        self.server.routes[path] = HostResponse(200, html, headers)
        return self.server.url + path


def _listener(app: str) -> str:
    """The host-side lines of the documented iframe snippet, as a venue would put them in a file."""
    snippet = iframe_snippet(app, WidgetOptions())
    return snippet.split("<script>\n", 1)[1].rsplit("</script>", 1)[0]


@pytest.fixture(scope="module")
def host(app: str) -> Iterator[Host]:
    with serve({}) as server:
        yield Host(server, app, _listener(app))


@pytest.fixture(scope="module")
def widget_browser(browser: Browser) -> Browser:
    """The session's Chromium (conftest.py)."""
    return browser


class Tab:
    """A tab that records its requests, responses, dialogs, errors and CSP violations."""

    def __init__(self, context: BrowserContext) -> None:
        self.context = context
        context.clock.set_fixed_time(BROWSER_NOW)
        context.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => (window.__csp ||= [])"
            ".push(e.effectiveDirective + ' ' + e.blockedURI));"
        )
        self.page = context.new_page()
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.responses: list[tuple[str, int, dict[str, str]]] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append((r.method, r.url, r.headers)))
        self.page.on("response", lambda r: self.responses.append((r.url, r.status, r.headers)))
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, url: str) -> Page:
        response = self.page.goto(url)
        assert response is not None and response.status == 200, url
        return self.page

    def settle(self, *ids: str) -> None:
        """Wait until these widgets have rendered data, nothing, or an error."""
        try:
            self.page.wait_for_function(
                "ids => ids.every(id => ['ready', 'empty', 'error']"
                ".includes(document.getElementById(id).state))",
                arg=list(ids),
                timeout=10000,
            )
        except PlaywrightError:
            states = self.page.evaluate(
                "ids => ids.map(id => [id, document.getElementById(id).state])", list(ids)
            )
            raise AssertionError(f"not rendered: {states}; errors {self.errors}") from None

    def texts(self, selector: str) -> list[str]:
        return self.page.locator(selector).all_text_contents()

    def api_gets(self) -> list[str]:
        return [url for method, url, _ in self.requests if method == "GET" and "/api/" in url]


@pytest.fixture
def tab(widget_browser: Browser) -> Iterator[Tab]:
    context = widget_browser.new_context(viewport={"width": 1000, "height": 800})
    yield Tab(context)
    context.close()


def api(app: str, tab: Tab, query: str) -> list[dict[str, Any]]:
    """What the agenda's API answers (asked through the browser's request context)."""
    response = tab.context.request.get(f"{app}/api/events?{query}")
    assert response.ok
    events: list[dict[str, Any]] = response.json()["events"]
    return events


# --- what the widget shows --------------------------------------------------------------------

COMBINATIONS = {
    "w-city": ('city="Leiden"', LEIDEN),
    "w-venue": ('venue="stadsgehoorzaal"', ["Bach: Matthäus-Passion"]),
    "w-category": ('category="Concert" limit="3"', ["Bach: Matthäus-Passion", "Lunchconcert 1",
                                                    "Lunchconcert 2"]),
    "w-limit": ('city="Den Haag" limit="2"', [XSS, "Lunchconcert 1"]),
    "w-audience": ('audience="family"', DELFT),
    "w-region": ("", ["Rembrandt & Lievens", XSS, *DELFT, *LEIDEN[1:3]]),
    "w-compact": ('city="Leiden" layout="compact"', LEIDEN),
    "w-cards": ('city="Leiden" layout="cards"', LEIDEN),
    "w-nothing": ('city="Delft" category="Lezing"', []),
}  # fmt: skip


def test_each_attribute_combination_shows_its_events(app: str, host: Host, tab: Tab) -> None:
    body = "".join(
        f'<regio-agenda id="{ident}" {attrs} lang="nl"><a href="{app}/">Agenda</a></regio-agenda>'
        for ident, (attrs, _) in COMBINATIONS.items()
    )
    tab.open(host.page(body))
    tab.settle(*COMBINATIONS)
    for ident, (_, titles) in COMBINATIONS.items():
        assert tab.texts(f"#{ident} [part=title]") == titles, ident
        assert tab.page.evaluate(f"document.getElementById('{ident}').state") == (
            "ready" if titles else "empty"
        )
    leiden = api(app, tab, "city=Leiden&limit=5")
    links = tab.page.locator("#w-city [part=title]")
    assert [links.nth(i).get_attribute("href") for i in range(4)] == [
        f"{app}/events/{e['id']}?lang=nl" for e in leiden
    ]
    assert tab.page.locator("#w-city [part=date] time").evaluate_all(
        "times => times.map(t => t.getAttribute('datetime'))"
    ) == [e["start"] for e in leiden]
    # grouped by day; the exhibition that is still running shows today
    assert tab.page.locator("#w-city [part=day] time").evaluate_all(
        "times => times.map(t => [t.getAttribute('datetime'), t.textContent])"
    ) == [
        ["2027-01-20", "vandaag, woensdag 20 januari"],
        ["2027-02-03", "woensdag 3 februari"],
        ["2027-02-04", "donderdag 4 februari"],
        ["2027-02-05", "vrijdag 5 februari"],
    ]
    assert tab.texts("#w-city [part=date]") == ["t/m 31 mei", "20:00–21:15", "14:00", "19:30"]
    assert tab.texts("#w-city [part=venue]")[:2] == ["Museum De Lakenhal, Leiden"] * 2
    assert tab.texts("#w-city [part=badge]") == ["Geannuleerd"]
    assert tab.texts("#w-audience [part=venue]") == ["Museum Prinsenhof Delft, Delft"]
    assert tab.texts("#w-audience [part=price]") == ["gratis"]  # the price comes with the list
    more = tab.page.locator("#w-city [part=more]")
    assert more.text_content() == "Meer in de regionale agenda"
    assert more.get_attribute("href") == f"{app}/?city=Leiden&lang=nl"
    assert tab.texts("#w-nothing [part=status]") == ["Geen activiteiten gevonden."]
    # semantic structure: an ordered list of days, each an ordered list of events
    assert tab.page.locator("#w-city ol[part=list] > li > ol > li[part=item]").count() == 4
    assert tab.page.locator("#w-compact [part=day]").count() == 4
    assert tab.page.locator("#w-cards [part=day]").count() == 0
    assert tab.page.locator("#w-cards ol[part=list] > li[part=item]").count() == 4
    assert re.fullmatch(r"wo 3 feb\.? 20:00–21:15", tab.texts("#w-cards [part=date]")[1])
    # one request for the script; one per distinct set of filters (three widgets share one)
    scripts = [u for m, u, _ in tab.requests if u.startswith(f"{app}/widgets/regio-agenda.js")]
    assert len(scripts) == 1
    assert len(tab.api_gets()) == len(set(tab.api_gets())) == len(COMBINATIONS) - 2
    (script,) = [r for r in tab.responses if r[0] == scripts[0]]
    assert script[2]["content-type"] == "text/javascript; charset=utf-8"
    assert script[2]["content-encoding"] == "gzip"
    assert int(script[2]["content-length"]) <= 8 * 1024  # the budget, as sent
    assert not tab.errors and not tab.dialogs


def test_english_labels_dates_and_states(app: str, host: Host, tab: Tab) -> None:
    body = (
        '<regio-agenda id="en" city="Leiden" lang="en"></regio-agenda>'
        '<regio-agenda id="page-lang" city="Leiden"></regio-agenda>'
        '<regio-agenda id="nl" city="Leiden" lang="nl"></regio-agenda>'
        '<regio-agenda id="none" city="Delft" category="Lezing" lang="en"></regio-agenda>'
        f'<regio-agenda id="broken" api="{app}/nowhere/" lang="en"></regio-agenda>'
        f'<regio-agenda id="kapot" api="{app}/nowhere/" lang="nl"></regio-agenda>'
    )
    tab.open(host.page(body))  # the host page is lang="en"
    tab.settle("en", "page-lang", "nl", "none", "broken", "kapot")
    assert tab.texts("#en [part=day]") == [
        "today, Wednesday 20 January", "Wednesday 3 February", "Thursday 4 February",
        "Friday 5 February",
    ]  # fmt: skip
    assert tab.texts("#en [part=date]") == ["until 31 May", "20:00–21:15", "14:00", "19:30"]
    assert tab.texts("#en [part=badge]") == ["Cancelled"]
    assert tab.texts("#en [part=more]") == ["More in the regional agenda"]
    assert tab.page.locator("#en [part=list]").get_attribute("aria-label") == "What's on"
    assert tab.page.locator("#en [part=title]").first.get_attribute("href").endswith("?lang=en")
    assert tab.texts("#page-lang [part=more]") == ["More in the regional agenda"]
    assert tab.texts("#nl [part=more]") == ["Meer in de regionale agenda"]
    assert tab.texts("#none [part=status]") == ["No events found."]
    # A wrong api address is the snippet's fault, not an outage: the webmaster is told.
    assert tab.texts("#broken [part=status]") == [
        "This widget is set up wrongly: the agenda address answered 404"
    ]
    assert tab.texts("#kapot [part=status]") == [
        "Deze widget is verkeerd ingesteld: het agenda-adres antwoordde 404"
    ]
    assert tab.page.locator("#broken [part=more]").count() == 1  # still a way to the agenda


def test_a_changed_attribute_renders_again_and_known_answers_are_revalidated(
    app: str, host: Host, tab: Tab
) -> None:
    tab.open(host.page('<regio-agenda id="w" city="Leiden"></regio-agenda>'))
    tab.settle("w")
    page = tab.page
    assert len(tab.api_gets()) == 1
    page.eval_on_selector("#w", "el => el.setAttribute('city', 'Delft')")
    expect(page.locator("#w [part=title]")).to_have_text(DELFT)
    assert len(tab.api_gets()) == 2
    page.eval_on_selector("#w", "el => el.setAttribute('lang', 'nl')")
    expect(page.locator("#w [part=more]")).to_have_text("Meer in de regionale agenda")
    assert len(tab.api_gets()) == 3  # the titles in another language: one request
    page.eval_on_selector("#w", "el => el.setAttribute('layout', 'cards')")
    expect(page.locator("#w [part=day]")).to_have_count(0)
    page.eval_on_selector("#w", "el => el.setAttribute('city', 'Leiden')")
    expect(page.locator("#w [part=title]")).to_have_text(LEIDEN)
    assert len(tab.api_gets()) == 4
    page.eval_on_selector("#w", "el => el.setAttribute('lang', 'en')")
    expect(page.locator("#w [part=more]")).to_have_text("More in the regional agenda")
    assert len(tab.api_gets()) == 4  # layout and a known answer: no new request
    page.eval_on_selector(
        "#w", "el => { el.setAttribute('city', 'Delft'); el.setAttribute('limit', '1'); }"
    )
    expect(page.locator("#w [part=title]")).to_have_text(DELFT)
    assert len(tab.api_gets()) == 5  # two attributes in one go: one request
    # asking again sends the ETag; the unchanged agenda answers 304 and the list stays
    with page.expect_response(
        lambda r: "/api/events" in r.url and r.request.method == "GET"
    ) as info:
        page.eval_on_selector("#w", "el => el.refresh()")
    assert info.value.status == 304
    assert info.value.request.headers["if-none-match"].startswith('"')
    expect(page.locator("#w [part=title]")).to_have_text(DELFT)
    assert not tab.errors


def test_a_hostile_title_is_text_and_nothing_runs(app: str, host: Host, tab: Tab) -> None:
    tab.open(host.page('<regio-agenda id="w" city="Den Haag" limit="2" seo></regio-agenda>'))
    tab.settle("w")
    page = tab.page
    assert api(app, tab, "city=Den+Haag&limit=1")[0]["title"] == XSS  # the API passes it on as is
    assert tab.texts("#w [part=title]")[0] == XSS
    assert (
        page.evaluate("document.getElementById('w').shadowRoot.querySelectorAll('img').length") == 0
    )
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    # JSON-LD for search engines: data in the host page, "<" escaped, never executed
    ld = page.locator("#w > script[type='application/ld+json']")
    assert ld.count() == 1
    text = ld.text_content() or ""
    assert "<" not in text
    events = json.loads(text)
    assert [e["name"] for e in events] == [XSS, "Lunchconcert 1"]
    assert events[0]["@type"] == "Event" and events[0]["location"]["name"] == "Mauritshuis"
    assert events[0]["startDate"] == "2027-01-22T19:00:00+01:00"
    page.wait_for_timeout(300)
    assert tab.dialogs == [] and not tab.errors
    page.eval_on_selector("#w", "el => el.removeAttribute('seo')")
    expect(ld).to_have_count(0)


STYLES = """([host, inner]) => {
  const root = document.querySelector(host);
  const el = inner ? root.shadowRoot.querySelector(inner) : root;
  const s = getComputedStyle(el);
  return Object.fromEntries(['color', 'display', 'font-family', 'font-size', 'font-style',
    'letter-spacing', 'line-height', 'text-align', 'text-decoration-line', 'margin-top',
    'padding-left', 'text-transform', 'background-color', 'list-style-type']
    .map(p => [p, s.getPropertyValue(p)]));
}"""
INSIDE = ["[part=title]", "[part=item]", "[part=day]", "time", "[part=list]", "[part=venue]",
          "[part=more]"]  # fmt: skip
PROBES = '<ul id="probe-list"><li id="probe-li">host item</li></ul><p id="probe-p">text</p><a id="probe-a" href="#x">link</a><ol id="probe-ol"><li>x</li></ol>'


def _styles(page: Page, host: str, inner: str | None) -> dict[str, str]:
    result: dict[str, str] = page.evaluate(STYLES, [host, inner])
    return result


def test_styles_do_not_leak_in_or_out(host: Host, tab: Tab) -> None:
    widget = '<regio-agenda id="w" city="Leiden"></regio-agenda>'
    themed = '<regio-agenda id="t" class="themed" city="Leiden"></regio-agenda>'
    page = tab.page
    tab.open(host.page(widget + PROBES))
    tab.settle("w")
    plain = {inner: _styles(page, "#w", inner) for inner in INSIDE}
    tab.open(host.page(widget + themed + PROBES, css="/host.css"))
    tab.settle("w", "t")
    for inner in INSIDE:
        assert _styles(page, "#w", inner) == plain[inner], inner
    with_widget = {
        p: _styles(page, p, None) for p in ("#probe-li", "#probe-p", "#probe-a", "#probe-ol")
    }
    assert with_widget["#probe-li"]["display"] == "none"  # the host's own rules still apply
    # what the host asks for on purpose does apply: custom properties and ::part()
    title = _styles(page, "#t", "[part=title]")
    assert title["color"] == "rgb(1, 2, 3)"
    assert title["font-family"].startswith("Georgia")
    assert title["text-transform"] == "uppercase"
    assert _styles(page, "#t", "[part=venue]")["text-transform"] == "none"
    # the same host page without the widget: identical host styles
    tab.open(host.page(PROBES, css="/host.css", script=False))
    for probe, styles in with_widget.items():
        assert _styles(page, probe, None) == styles, probe


def test_strict_host_csp_no_cookies_no_third_parties(app: str, host: Host, tab: Tab) -> None:
    body = (
        '<regio-agenda id="w" city="Leiden" layout="cards" accent="#7a1f5c"></regio-agenda>'
        "<script>window.inlineRan = true</script>"  # proves the host's CSP is enforced
    )
    url = host.page(body)
    page = tab.open(url)
    tab.settle("w")
    assert tab.texts("#w [part=title]") == LEIDEN
    assert page.evaluate("window.inlineRan") is None
    violations = page.evaluate("window.__csp || []")
    assert violations == ["script-src-elem inline"], violations  # only the host's own
    assert _styles(page, "#w", "[part=title]")["color"] == "rgb(122, 31, 92)"  # accent, via CSSOM
    # no cookies, no storage, nobody but the two origins
    assert tab.context.cookies() == []
    assert page.evaluate("document.cookie") == ""
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    origins = {f"{urlsplit(u).scheme}://{urlsplit(u).netloc}" for _, u, _ in tab.requests}
    assert origins == {host.server.url, app}
    assert not [r for r in tab.responses if "set-cookie" in r[2]]
    assert all(h.get("cookie") is None for _, _, h in tab.requests)
    assert not tab.errors


def test_the_iframe_sizes_its_parent(app: str, host: Host, tab: Tab) -> None:
    opts = WidgetOptions(filters=(("city", "Leiden"),), lang="en", layout="cards")
    frame_html = iframe_snippet(app, opts).split("<script>")[0]
    body = f'<p>Above</p>{frame_html}<p id="below">Below</p><script src="/listener.js"></script>'
    page = tab.open(host.page(body, frame=True))
    frame = page.frame_locator("iframe")
    expect(frame.locator("regio-agenda [part=title]")).to_have_count(4)
    inner = next(f for f in page.frames if f.url.startswith(f"{app}/widgets/embed"))

    def heights() -> tuple[float, float]:
        # the iframe's inner height (its border, drawn by default, is the host's business)
        outer = page.evaluate("document.querySelector('iframe').clientHeight")
        return outer, inner.evaluate("document.documentElement.getBoundingClientRect().height")

    def fits() -> bool:
        outer, content = heights()
        return abs(outer - content) <= 1

    page.wait_for_function("document.querySelector('iframe').style.height !== ''")
    _wait(page, fits)
    wide = heights()[1]
    assert wide > 150  # taller than an iframe's default, so it was really resized
    assert inner.evaluate("document.documentElement.scrollHeight <= innerHeight")  # no scrollbar
    # a narrow screen stacks the cards: the iframe follows
    page.set_viewport_size({"width": 380, "height": 800})
    _wait(page, lambda: fits() and heights()[1] > wide + 100)
    assert inner.evaluate("document.documentElement.scrollHeight <= innerHeight")
    # links in the iframe open in the top window
    first = frame.locator("regio-agenda [part=title]").first
    href = first.get_attribute("href")
    assert href and href.startswith(f"{app}/events/")
    first.click()
    page.wait_for_url(href)


def _wait(page: Page, condition: Any, timeout: float = 5000) -> None:
    waited = 0
    while not condition():
        assert waited < timeout, f"timed out: {getattr(condition, 'state', '')}"
        page.wait_for_timeout(50)
        waited += 50


def test_without_scripts_the_fallback_link_shows(
    app: str, host: Host, widget_browser: Browser
) -> None:
    body = f'<regio-agenda id="w" city="Leiden"><a id="fallback" href="{app}/?city=Leiden">Agenda Leiden</a></regio-agenda>'
    url = host.page(body)
    context = widget_browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(url)
        expect(page.locator("#fallback")).to_be_visible()
    finally:
        context.close()
    context = widget_browser.new_context()
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_function("document.getElementById('w').state === 'ready'")
        expect(page.locator("#fallback")).to_be_hidden()
    finally:
        context.close()


def test_axe_finds_no_violations(app: str, host: Host, tab: Tab) -> None:
    body = (
        '<regio-agenda id="list" city="Leiden"></regio-agenda>'
        '<regio-agenda id="compact" city="Den Haag" layout="compact" lang="en"></regio-agenda>'
        '<regio-agenda id="cards" city="Leiden" layout="cards"></regio-agenda>'
        '<regio-agenda id="empty" city="Delft" category="Lezing"></regio-agenda>'
        f'<regio-agenda id="error" api="{app}/nowhere/"></regio-agenda>'
    )
    page = tab.open(host.page(body))
    tab.settle("list", "compact", "cards", "empty", "error")
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        assert axe_violations(page) == [], scheme
    background = _styles(page, "#list", ".w")["background-color"]
    assert background == "rgb(29, 29, 32)"  # dark
    page.emulate_media(color_scheme="light")
    assert _styles(page, "#list", ".w")["background-color"] == "rgb(255, 255, 255)"
    for path in ("/widgets", "/widgets?lang=en", "/widgets/embed?city=Leiden&layout=cards"):
        tab.open(app + path)
        # Polled from here: wait_for_function's own polling evaluates strings, which the
        # page's CSP (no 'unsafe-eval') refuses when the widget is not ready at once.
        deadline = time.monotonic() + 10
        while page.evaluate("document.querySelector('regio-agenda').state") != "ready":
            assert time.monotonic() < deadline, path
            time.sleep(0.05)
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            assert axe_violations(page) == [], (path, scheme)


@pytest.mark.parametrize("layout", ["list", "compact", "cards"])
def test_screenshot_of_each_layout(host: Host, tab: Tab, layout: str) -> None:
    body = f'<regio-agenda id="w" city="Leiden" layout="{layout}" limit="4"></regio-agenda>'
    page = tab.open(host.page(body))
    page.set_viewport_size({"width": 900 if layout == "cards" else 640, "height": 800})
    tab.settle("w")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"widget-{layout}.png"
    page.locator("#w").screenshot(path=shot)
    assert shot.stat().st_size > 1000
    if layout == "cards" and (
        os.environ.get("REGIO_UPDATE_SCREENSHOTS") or not DOCS_SCREENSHOT.exists()
    ):
        DOCS_SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, DOCS_SCREENSHOT)


def test_configurator_live_preview_and_copy(app: str, tab: Tab) -> None:
    tab.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app)
    page = tab.open(f"{app}/widgets")
    expect(page.locator("h1")).to_have_text("Agenda-widget voor je website")
    tab.settle("preview")
    page.select_option("#f-city", "Leiden")
    page.check("input[name=layout][value=cards]")
    page.check("input[name=language][value=en]")
    page.locator("#f-accent").fill("#aa0000")
    page.fill("#f-limit", "3")
    page.check("#f-seo")
    opts = WidgetOptions(filters=(("city", "Leiden"),), limit=3, lang="en", layout="cards",
                         accent="#aa0000", seo=True)  # fmt: skip
    expect(page.locator("#snippet")).to_have_value(element_snippet(app, opts))
    expect(page.locator("#iframe-snippet")).to_have_value(iframe_snippet(app, opts))
    expect(page.locator("#preview [part=title]")).to_have_text(LEIDEN[:3])
    expect(page.locator("#preview [part=more]")).to_have_text("More in the regional agenda")
    assert _styles(page, "#preview", "[part=title]")["color"] == "rgb(170, 0, 0)"
    expect(page.locator("#preview > script[type='application/ld+json']")).to_have_count(1)
    # typing a venue asks once the typing stops
    before = len(tab.api_gets())
    with page.expect_response(lambda r: "venue=stadsgehoorzaal" in r.url):
        page.locator("#f-venue").press_sequentially("stadsgehoorzaal", delay=20)
    expect(page.locator("#preview [part=title]")).to_have_text(["Bach: Matthäus-Passion"])
    page.wait_for_timeout(400)
    assert len(tab.api_gets()) == before + 1
    # copy
    page.click("button[data-copy=snippet]")
    expect(page.locator("#copy-status")).to_have_text("Gekopieerd.")
    assert page.evaluate("navigator.clipboard.readText()") == page.input_value("#snippet")
    # the address keeps the choices; the server builds the same snippet without scripts
    snippet = page.input_value("#snippet")
    page.reload()
    assert page.input_value("#snippet") == snippet
    tab.open(f"{app}/widgets?lang=en")
    expect(page.locator("h1")).to_have_text("Agenda widget for your website")
    assert not tab.errors


def _status(page: Page, widget: str) -> str:
    text: str = page.evaluate(
        "id => document.getElementById(id).shadowRoot.querySelector('[part=status]').textContent",
        widget,
    )
    return text


def test_a_wrong_setting_is_told_to_the_webmaster_and_an_outage_is_an_outage(
    app: str, host: Host, tab: Tab
) -> None:
    console: list[str] = []
    tab.page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    body = (
        '<regio-agenda id="opera" kind="opera" lang="en"></regio-agenda>'
        '<regio-agenda id="opera-nl" kind="opera" city="Leiden" lang="nl"></regio-agenda>'
    )
    page = tab.open(host.page(body))
    tab.settle("opera", "opera-nl")
    assert page.evaluate("document.getElementById('opera').state") == "error"
    assert _status(page, "opera").startswith(
        "This widget is set up wrongly: kind: 'opera' is not one of exhibition, concert"
    )
    assert _status(page, "opera-nl").startswith("Deze widget is verkeerd ingesteld: kind: 'opera'")
    assert any(
        m.startswith("regio-agenda: this widget is set up wrongly: kind: 'opera'") for m in console
    )
    # A 5xx and a network error are outages: the usual message, nothing blamed on the snippet.
    for outage, widget in ((503, "down"), (None, "offline")):
        console.clear()

        def answer(route: Any, status: int | None = outage) -> None:
            if status is None:
                route.abort()
            else:
                route.fulfill(status=status, content_type="application/problem+json",
                              body='{"status": 503, "detail": "Database unavailable"}')  # fmt: skip

        page.route("**/api/events?*", lambda route, _request, a=answer: a(route))
        page = tab.open(host.page(f'<regio-agenda id="{widget}" lang="en"></regio-agenda>'))
        tab.settle(widget)
        assert _status(page, widget) == "The agenda cannot be loaded right now."
        assert not any("set up wrongly" in m for m in console)
        page.unroute("**/api/events?*")
