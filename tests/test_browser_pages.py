"""The public pages in a real browser: uvicorn on 127.0.0.1, Debian's Chromium via Playwright.

Checks what a visitor sees in Dutch and English, that the filter form and the copy
buttons work, that axe-core finds no accessibility violations, that nothing breaks
the CSP (no console errors), and saves a 390-px-wide screenshot to tests/artifacts/.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from browser import ARTIFACTS, axe_violations, seed_city_life, seed_pages, serve_app
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    expect,
)


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("browser") / "agenda.db"
    seed_pages(db)
    with serve_app(db) as url:
        yield url


class Visitor:
    """A browser tab with its console errors (a CSP violation shows up there)."""

    def __init__(self, context: BrowserContext, base_url: str) -> None:
        self.context = context
        self.base_url = base_url
        self.page = context.new_page()
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            self.errors.append(message.text)

    def open(self, path: str) -> Page:
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.status == 200, path
        return self.page

    def query(self) -> dict[str, str]:
        return dict(parse_qsl(urlsplit(self.page.url).query))

    def assert_accessible(self) -> None:
        violations = axe_violations(self.page)
        assert violations == [], json.dumps(violations, indent=1)

    def assert_clean(self) -> None:
        assert self.errors == []


def visitor_for(browser: Browser, base_url: str, locale: str, **options: object) -> Visitor:
    context = browser.new_context(locale=locale, **options)  # type: ignore[arg-type]
    return Visitor(context, base_url)


@pytest.fixture
def dutch(browser: Browser, base_url: str) -> Iterator[Visitor]:
    visitor = visitor_for(browser, base_url, "nl-NL")
    yield visitor
    visitor.context.close()


@pytest.fixture
def english(browser: Browser, base_url: str) -> Iterator[Visitor]:
    visitor = visitor_for(browser, base_url, "en-GB")
    yield visitor
    visitor.context.close()


def test_agenda_page_in_dutch_then_english(dutch: Visitor) -> None:
    page = dutch.open("/")
    assert page.get_attribute("html", "lang") == "nl"
    assert page.locator("h1").inner_text() == "Agenda"
    headings = page.locator(".day-heading").all_inner_texts()
    # The running exhibition is in the "Nu te zien" strip, so the days start with February.
    assert headings[:2] == ["woensdag 3 februari 2027", "vrijdag 5 februari 2027"]
    assert page.locator(".on-now .event-title").all_inner_texts() == ["Rembrandt & Lievens"]
    cancelled = page.locator(".event", has_text="Orgelconcert Hooglandse Kerk")
    assert cancelled.locator(".badge").inner_text() == "Geannuleerd"
    assert page.locator(".count").inner_text() == "50 evenementen gevonden"
    dutch.assert_accessible()

    page.get_by_role("link", name="English", exact=True).click()
    page.wait_for_url(lambda url: url.endswith("/?lang=en"))
    assert dutch.query() == {"lang": "en"}
    assert page.get_attribute("html", "lang") == "en"
    assert page.locator("h1").inner_text() == "What's on"
    assert "Wednesday 3 February 2027" in page.locator(".day-heading").all_inner_texts()
    assert cancelled.locator(".badge").inner_text() == "Cancelled"
    dutch.assert_accessible()
    dutch.assert_clean()


def test_browser_language_chooses_english(english: Visitor) -> None:
    page = english.open("/")
    assert page.get_attribute("html", "lang") == "en"
    assert page.locator("h1").inner_text() == "What's on"
    assert not page.get_by_label("City").is_visible()  # the filters fold into a panel
    page.get_by_text("Search and filter").click()
    assert page.get_by_label("City").is_visible()
    english.assert_clean()


def test_filter_form_narrows_the_list_and_the_address_carries_it(dutch: Visitor) -> None:
    page = dutch.open("/")
    page.get_by_text("Zoeken en filteren").click()
    page.get_by_label("Plaats").select_option("Delft")
    page.get_by_label("Vanaf").fill("2027-02-01")
    page.get_by_role("button", name="Toon evenementen").click()
    page.wait_for_url(lambda url: "city=" in url)
    assert dutch.query() == {"city": "Delft", "from": "2027-02-01"}  # empty fields left out
    titles = page.locator(".event-title a").all_inner_texts()
    assert titles == ["Kinderworkshop Delfts Blauw"]
    assert page.get_by_label("Plaats").input_value() == "Delft"
    assert page.locator(".event-place").inner_text() == "Museum Prinsenhof Delft, Delft"
    assert page.locator(".event .badge").inner_text() == "Gratis"
    dutch.assert_accessible()

    # The same in English, by text search; the chosen language stays in the address.
    page = dutch.open("/?lang=en")
    page.get_by_text("Search and filter").click()
    page.get_by_label("Search for").fill("lievens")
    page.get_by_label("Search for").press("Enter")
    page.wait_for_url(lambda url: "q=" in url)
    assert dutch.query() == {"lang": "en", "q": "lievens"}
    assert page.locator(".on-now .event-title a").all_inner_texts() == ["Rembrandt & Lievens"]
    assert page.locator(".count").inner_text() == "1 event found"

    # A value the agenda cannot use: the page says so, in the form's language.
    response = page.goto(dutch.base_url + "/?from=2027-03-01&to=2027-02-01&lang=en")
    assert response is not None and response.status == 400
    assert "Please check ‘Until’" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Until").get_attribute("aria-invalid") == "true"
    dutch.assert_accessible()


def test_event_page_in_dutch_and_english(dutch: Visitor) -> None:
    page = dutch.open("/")
    page.get_by_role("link", name="Lezing: Leiden in de Gouden Eeuw").click()
    page.wait_for_url("**/events/*")
    assert page.locator("h1").inner_text() == "Lezing: Leiden in de Gouden Eeuw"
    assert page.locator(".when-line time").inner_text() == "woensdag 3 februari 2027 20:00–21:15"
    assert page.get_by_role("link", name="Museum De Lakenhal").first.is_visible()
    assert "openstreetmap.org" in (
        page.get_by_role("link", name="Bekijk op de kaart").get_attribute("href") or ""
    )
    ics = page.get_by_role("link", name="Download als .ics")
    assert (ics.get_attribute("href") or "").endswith(".ics")
    assert page.get_by_role("link", name="Zet in Google Agenda").is_visible()
    assert "Museum De Lakenhal (lakenhal)" in page.locator(".sources").inner_text()
    data = json.loads(page.locator('script[type="application/ld+json"]').text_content() or "")
    assert data["@type"] == "Event" and data["startDate"] == "2027-02-03T20:00:00+01:00"
    dutch.assert_accessible()

    page.get_by_role("link", name="English", exact=True).click()
    page.wait_for_url(lambda url: url.endswith("?lang=en"))
    assert page.get_attribute("html", "lang") == "en"
    assert page.locator(".when-line time").inner_text() == ("Wednesday 3 February 2027 20:00–21:15")
    assert page.get_by_role("heading", name="Add to your calendar").is_visible()
    assert page.get_by_role("link", name="Add to Google Calendar").is_visible()
    dutch.assert_accessible()
    dutch.assert_clean()


def test_subscribe_page_builds_a_feed_and_copies_it(browser: Browser, base_url: str) -> None:
    visitor = visitor_for(browser, base_url, "nl-NL")
    try:
        visitor.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
        page = visitor.open("/subscribe")
        assert page.locator("h1").inner_text() == "Abonneren op de agenda"
        page.get_by_label("Plaats").select_option("Leiden")
        page.get_by_label("Taal van de feed").select_option("en")
        page.get_by_role("button", name="Maak de feed").click()
        page.wait_for_url(lambda url: "/subscribe?" in url)
        assert visitor.query() == {"city": "Leiden", "feed_lang": "en"}
        address = f"{base_url}/feeds/leiden.ics?lang=en"
        assert (
            page.get_by_role("textbox", name="Adres van de iCalendar-feed").input_value() == address
        )
        webcal = page.locator("#webcal-link").get_attribute("href")
        assert webcal == address.replace("http://", "webcal://")
        assert "calendar.google.com" in (page.locator("#google-link").get_attribute("href") or "")
        assert (
            page.get_by_role("textbox", name="Adres van de RSS-feed")
            .input_value()
            .endswith("/feeds/leiden.rss?lang=en")
        )
        # The copy buttons come with the script; clicking one copies the address.
        copy = page.get_by_role("button", name="Kopieer: Adres van de iCalendar-feed")
        expect(copy).to_be_visible()
        copy.click()
        expect(page.locator("#feed-ics-status")).to_have_text("Gekopieerd")
        assert page.evaluate("() => navigator.clipboard.readText()") == address
        visitor.assert_accessible()

        page = visitor.open("/subscribe?lang=en")
        assert page.locator("h1").inner_text() == "Subscribe to the agenda"
        expect(page.get_by_role("button", name="Copy: Address of the Atom feed")).to_be_visible()
        visitor.assert_accessible()
        visitor.assert_clean()
    finally:
        visitor.context.close()


def test_about_venue_and_missing_pages_are_accessible(dutch: Visitor) -> None:
    for path in ("/about", "/about?lang=en", "/venues/lakenhal", "/themes", "/venues"):
        dutch.open(path)
        dutch.assert_accessible()
    response = dutch.page.goto(dutch.base_url + "/events/nope?lang=en")
    assert response is not None and response.status == 404
    assert dutch.page.locator("h1").inner_text() == "Not found"
    dutch.assert_accessible()
    # The 404 answer itself is a console error in Chromium; nothing else may be.
    assert all("404" in error for error in dutch.errors)


def test_mobile_layout_and_screenshot(browser: Browser, base_url: str) -> None:
    visitor = visitor_for(
        browser, base_url, "nl-NL", viewport={"width": 390, "height": 844}, device_scale_factor=2
    )
    try:
        page = visitor.open("/")
        # Nothing wider than the screen: no sideways scrolling on a phone.
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        visitor.assert_accessible()
        ARTIFACTS.mkdir(exist_ok=True)
        shot = ARTIFACTS / "agenda-mobile-390.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        page.get_by_role("link", name="Rembrandt & Lievens").click()
        page.wait_for_url("**/events/*")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(ARTIFACTS / "event-mobile-390.png"), full_page=True)
        page = visitor.open("/subscribe")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(ARTIFACTS / "subscribe-mobile-390.png"), full_page=True)
        # The skip link is the first thing the keyboard reaches, and it is visible then.
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.className") == "skip-link"
        assert page.locator(".skip-link").is_visible()
        visitor.assert_clean()
    finally:
        visitor.context.close()


def test_artifacts_folder_is_ignored_by_git() -> None:
    ignored = (Path(__file__).parent.parent / ".gitignore").read_text(encoding="utf-8")
    assert "tests/artifacts/" in ignored.splitlines()


def test_the_api_documentation_renders_offline_under_the_apps_csp(english: Visitor) -> None:
    outside: list[str] = []
    english.page.on(
        "request",
        lambda request: (
            outside.append(request.url) if not request.url.startswith(english.base_url) else None
        ),
    )
    page = english.open("/schema")
    page.wait_for_selector(".opblock-tag", timeout=20000)
    assert page.locator(".opblock-summary-path", has_text="/api/events").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "schema-1280.png"))
    english.assert_clean()
    assert outside == []  # no CDN, no fonts from elsewhere


def test_the_openapi_document_lists_the_filters_and_the_answers(base_url: str) -> None:
    import httpx

    from agenda.filters import PARAMS

    schema = httpx.get(f"{base_url}/schema/openapi.json").json()
    listed = {p["name"] for p in schema["paths"]["/api/events"]["get"]["parameters"]}
    assert set(PARAMS) | {"cursor"} <= listed
    ok = schema["paths"]["/api/events"]["get"]["responses"]["200"]["content"]["application/json"]
    assert ok["schema"] == {"$ref": "#/components/schemas/EventPage"}
    assert "EventPage" in schema["components"]["schemas"]
    assert ok["example"]["events"][0]["title"]
    feed = {p["name"] for p in schema["paths"]["/feeds/{name}"]["get"]["parameters"]}
    assert "exhibitions" in feed and "city" in feed


# --- a city's agenda: the phone first, every page accessible, screenshots to look at --------


@pytest.fixture(scope="module")
def city_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The seeded region plus themes and a weekly walking tour (``seed_city_life``)."""
    db = tmp_path_factory.mktemp("city") / "agenda.db"
    seed_pages(db)
    seed_city_life(db)
    with serve_app(db) as url:
        yield url


def phone(browser: Browser, base_url: str, locale: str = "nl-NL") -> Visitor:
    return visitor_for(browser, base_url, locale, viewport={"width": 390, "height": 844})


def first_title_in_view(page: Page) -> str:
    """The first event of the day list, asserted to be within the first screen."""
    title = page.locator(".results .event-title").first
    box = title.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] <= 844, box
    assert page.evaluate("() => window.scrollY") == 0
    return title.inner_text()


def test_on_a_phone_the_first_event_is_in_view_before_and_after_filtering(
    browser: Browser, city_url: str
) -> None:
    visitor = phone(browser, city_url)
    try:
        page = visitor.open("/")
        assert first_title_in_view(page).startswith("Stadswandeling")
        # The filter panel opens without JavaScript (a <details>), and after submitting it
        # the results, not the form, are at the top.
        page.get_by_text("Zoeken en filteren").click()
        page.get_by_label("Plaats").select_option("Leiden")
        page.get_by_role("button", name="Toon evenementen").click()
        page.wait_for_url(lambda url: "city=Leiden" in url)
        assert first_title_in_view(page) == "Lezing: Leiden in de Gouden Eeuw"
        assert not page.get_by_label("Plaats").is_visible()
        # A chip is a plain link that keeps the city.
        page.get_by_role("link", name="Dit weekend").click()
        page.wait_for_url(lambda url: "from=" in url)
        assert visitor.query() == {"city": "Leiden", "from": "2027-01-22", "to": "2027-01-24"}
        assert page.get_by_role("link", name="Dit weekend").get_attribute("aria-current") == "true"
        visitor.assert_accessible()
        visitor.assert_clean()
    finally:
        visitor.context.close()


def test_a_series_shows_once_and_exhibitions_are_on_now(browser: Browser, city_url: str) -> None:
    visitor = phone(browser, city_url, "en-GB")
    try:
        page = visitor.open("/?city=Delft")
        walks = page.locator(".results .event", has_text="Stadswandeling")
        assert walks.count() == 1
        assert walks.locator(".series-rule").inner_text() == "every Sunday 14:00 until 9 May"
        assert walks.locator(".series-dates a").count() == 6
        page = visitor.open("/?city=Leiden")
        assert page.locator(".on-now .event-title").all_inner_texts() == ["Rembrandt & Lievens"]
        assert page.locator(".results", has_text="Rembrandt").count() == 0
        visitor.assert_clean()
    finally:
        visitor.context.close()


def test_unknown_theme_venue_and_path_are_html_404_pages(browser: Browser, city_url: str) -> None:
    visitor = phone(browser, city_url)
    try:
        for path in ("/themes/nope", "/venues/nope", "/no/such/page?lang=en"):
            response = visitor.page.goto(city_url + path)
            assert response is not None and response.status == 404, path
            assert response.headers["content-type"].startswith("text/html")
            heading = visitor.page.locator("h1").inner_text()
            assert heading == ("Not found" if "lang=en" in path else "Niet gevonden")
            visitor.assert_accessible()
        visitor.page.screenshot(path=str(ARTIFACTS / "not-found-390-en.png"))
        assert all("404" in error for error in visitor.errors)
    finally:
        visitor.context.close()


def test_every_page_is_accessible_in_both_languages_at_both_widths(
    browser: Browser, city_url: str
) -> None:
    import httpx

    listed = httpx.get(city_url + "/?q=lezing").text
    event_id = listed.split('href="/events/', 1)[1].split('"', 1)[0]
    pages = {
        "agenda": "/", "event": f"/events/{event_id}", "venue": "/venues/lakenhal",
        "theme": "/themes/gouden-eeuw", "themes": "/themes", "venues": "/venues",
        "subscribe": "/subscribe", "about": "/about", "sources": "/sources",
    }  # fmt: skip
    ARTIFACTS.mkdir(exist_ok=True)
    for width, height in ((390, 844), (1280, 900)):
        for lang in ("nl", "en"):
            visitor = visitor_for(
                browser, city_url, "nl-NL", viewport={"width": width, "height": height}
            )
            try:
                for name, path in pages.items():
                    url = path + ("?lang=en" if lang == "en" else "")
                    page = visitor.open(url)
                    assert page.get_attribute("html", "lang") == lang
                    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
                    visitor.assert_accessible()
                    page.screenshot(
                        path=str(ARTIFACTS / f"{name}-{width}-{lang}.png"), full_page=True
                    )
                    # The first screen, as a visitor lands on it.
                    page.screenshot(path=str(ARTIFACTS / f"{name}-{width}-{lang}-top.png"))
                visitor.assert_clean()
            finally:
                visitor.context.close()


def test_dark_mode_is_accessible_too(browser: Browser, city_url: str) -> None:
    visitor = visitor_for(
        browser, city_url, "en-GB", viewport={"width": 390, "height": 844}, color_scheme="dark"
    )
    try:
        for path in ("/", "/themes/gouden-eeuw", "/subscribe?city=Delft"):
            page = visitor.open(path)
            background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
            assert background == "rgb(21, 23, 27)"
            visitor.assert_accessible()
        visitor.open("/")
        visitor.page.screenshot(path=str(ARTIFACTS / "agenda-390-en-dark.png"), full_page=True)
        visitor.assert_clean()
    finally:
        visitor.context.close()
