"""The planner, holds, programme and review queue in a real Chromium: titles and bands in
the month, a hold of one partner seen by another (page and clash radar), the review queue
side by side, axe-core in Dutch and English at phone and laptop width, screenshots in
tests/artifacts/."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from browser import ARTIFACTS, CLOCK, axe_violations, serve_app
from conftest import NOW, make_listing
from playwright.sync_api import Browser, Page
from test_browser_partner_pages import seed

from agenda.partners.accounts import add_partner
from agenda.partners.holds import Owner, create_hold, parse_hold
from agenda.store.database import Store

WIDTHS = (390, 1280)


def seed_planner(db: Path) -> dict[str, str]:
    coordinator = seed(db)
    store = Store.open(db)
    theatre, theatre_key = add_partner(store, "Marketing Schouwburg", "schouwburg", "partner", NOW)
    _, museum_key = add_partner(store, "Marketing Lakenhal", "lakenhal", "partner", NOW)
    fields = parse_hold({"day": "2027-01-29", "time": "20:00", "category": "theatre",
                         "city": "Leiden", "title": "Premiere De storm"}, CLOCK.date())  # fmt: skip
    create_hold(store, Owner(theatre, theatre.name, "partner"), fields, CLOCK)
    # a partner's word against the venue's feed: a conflict for the review queue
    from agenda.partners.accounts import get_partner
    from agenda.partners.api import source_of
    from agenda.sync.ingest import put_listing

    lakenhal = get_partner(store, 3)
    put_listing(store, source_of(lakenhal), make_listing(
        source_id=lakenhal.source_id, external_id="tour", title="Guided tour in English",
        language="en", categories=("Rondleiding",), status="cancelled",
        start=datetime(2027, 2, 6, 13, tzinfo=UTC), end=datetime(2027, 2, 6, 14, tzinfo=UTC),
    ), NOW)  # fmt: skip
    store.close()
    return {"coordinator": coordinator, "theatre": theatre_key, "museum": museum_key}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    db = tmp_path_factory.mktemp("planner-browser") / "agenda.db"
    keys = seed_planner(db)
    with serve_app(db) as url:
        yield url, keys


def signed_in(browser: Browser, base: str, key: str, width: int = 1280) -> Page:
    context = browser.new_context(locale="nl-NL", viewport={"width": width, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(base + "/partners/planner")
    page.get_by_label("API-sleutel").fill(key)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url("**/partners/planner")
    page.errors = errors  # type: ignore[attr-defined]
    return page


def accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=1)


def test_month_shows_titles_and_an_exhibition_as_one_band(
    browser: Browser, server: tuple[str, dict[str, str]]
) -> None:
    base, keys = server
    page = signed_in(browser, base, keys["museum"])
    try:
        day = page.locator("#d-2027-01-28")
        assert "Avondconcert Pieterskerk" in day.inner_text()
        assert "Geheim concert in de Hooglandse Kerk" in day.inner_text()
        assert "Botsing (sterk)" in day.inner_text()
        week = page.locator(".rp-mweek", has=page.locator("#d-2027-01-20"))
        bands = week.locator(".rp-band", has_text="Rembrandt & Lievens")
        assert bands.count() == 1 and "Rembrandt" not in page.locator("#d-2027-01-20").inner_text()
        band = bands.bounding_box()
        cell = page.locator("#d-2027-01-20").bounding_box()
        assert band is not None and cell is not None and band["width"] > 5 * cell["width"]
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 1280
        assert page.errors == []  # type: ignore[attr-defined]
    finally:
        page.context.close()


def test_a_band_sits_under_the_dates_of_its_own_week(
    browser: Browser, server: tuple[str, dict[str, str]]
) -> None:
    """Dates, then the week's bands, then each day's events: a band drawn above its
    week's dates read as part of the week before (an exhibition opening on Sunday the
    10th looked as if it ran on Sunday the 3rd)."""
    base, keys = server
    page = signed_in(browser, base, keys["museum"])
    try:
        for first, opening in (("2027-01-04", "2027-01-10"), ("2027-01-25", "2027-01-28")):
            week = page.locator(".rp-mweek", has=page.locator(f"#d-{first}"))
            band = week.locator(".rp-band", has_text="Rembrandt & Lievens").bounding_box()
            dates = [page.locator(f"#d-{day} .rp-date").bounding_box() for day in (first, opening)]
            column = page.locator(f"#d-{opening}").bounding_box()
            assert band is not None and column is not None and None not in dates
            assert all(band["y"] >= d["y"] + d["height"] for d in dates)  # type: ignore[index]
            assert band["y"] < column["y"] + column["height"]  # inside its own week's row
            items = page.locator(f"#d-{first} .rp-item, #d-2027-01-28 .rp-item")
            for i in range(items.count()):
                box = items.nth(i).bounding_box()
                if box is not None and first == "2027-01-25":
                    assert box["y"] >= band["y"] + band["height"]  # events below the band
        # The week of the 10th: the band starts in the Sunday column, not before it.
        week = page.locator(".rp-mweek", has=page.locator("#d-2027-01-04"))
        band = week.locator(".rp-band", has_text="Rembrandt & Lievens").bounding_box()
        sunday = page.locator("#d-2027-01-10").bounding_box()
        assert band is not None and sunday is not None and abs(band["x"] - sunday["x"]) < 3
        page.screenshot(path=str(ARTIFACTS / "planner-month-bands-1280.png"), full_page=True)
    finally:
        page.context.close()


def test_clashing_events_in_the_week_grid_wrap_their_words_inside_their_lane(
    browser: Browser, server: tuple[str, dict[str, str]]
) -> None:
    """Two events at once share a day's column: a long word breaks inside its lane
    instead of running out of it and being cut off ("Geh" of "Geheim")."""
    base, keys = server
    page = signed_in(browser, base, keys["museum"])
    try:
        page.goto(base + "/partners/planner?view=week&date=2027-01-25")
        items = page.locator(".rp-slots .rp-item")
        assert items.count() >= 3
        widths = items.evaluate_all("els => els.map(e => [e.scrollWidth, e.clientWidth])")
        assert all(scroll <= client + 1 for scroll, client in widths), widths
    finally:
        page.context.close()


def test_on_a_phone_the_planner_opens_on_its_calendar_and_filters_fold_open(
    browser: Browser, server: tuple[str, dict[str, str]]
) -> None:
    """The filters are folded away as on the public agenda: on a phone the period and its
    navigation are on the first screen, and a chosen filter is counted on the fold."""
    base, keys = server
    page = signed_in(browser, base, keys["museum"], width=390)
    try:
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(base + "/partners/planner?date=2027-01-01")
        # The period and the way to the next one are on the first screen.
        nav = page.locator("nav.period-nav").bounding_box()
        assert nav is not None and nav["y"] + nav["height"] < 844, nav
        page.get_by_text("Filters", exact=True).click()
        filters = page.get_by_role("form", name="Filters")
        filters.get_by_label("Plaats").select_option("Leiden")
        filters.get_by_role("button", name="Toon").click()
        page.wait_for_url("**city=Leiden**")
        assert page.locator("details.filters summary").inner_text().endswith("1 actief")
    finally:
        page.context.close()


def test_a_hold_is_seen_by_another_partner_in_the_planner_and_the_radar(
    browser: Browser, server: tuple[str, dict[str, str]]
) -> None:
    base, keys = server
    page = signed_in(browser, base, keys["museum"])
    try:
        assert "Optie: Premiere De storm" in page.locator("#d-2027-01-29").inner_text()
        page.goto(base + "/partners/holds")
        others = page.locator("#holds-others")
        assert "Premiere De storm" in others.inner_text()
        assert others.get_by_role("link", name="Maak er een evenement van").count() == 0
        answer = page.request.get(
            base + "/api/clashes?start=2027-01-29T20:30%2B01:00&city=Leiden&category=theatre",
            headers={"Authorization": f"Bearer {keys['museum']}"},
        ).json()
        holds = [c for c in answer["clashes"] if c["hold"]]
        assert holds and holds[0]["hold"]["title"] == "Premiere De storm"
        assert holds[0]["level"] == "strong"
    finally:
        page.context.close()


def test_the_review_queue_shows_a_pair_side_by_side(
    browser: Browser, server: tuple[str, dict[str, str]]
) -> None:
    base, keys = server
    page = signed_in(browser, base, keys["coordinator"])
    try:
        page.goto(base + "/partners/review")
        pair = page.locator(".review-pair").first
        assert "Paar 1: waarschijnlijk hetzelfde evenement" in pair.inner_text()
        table = pair.locator("table.rp-compare")
        header = table.locator("thead th").all_inner_texts()
        assert header[1:] == ["Museum De Lakenhal", "Uit in Leiden"]
        start = table.locator("tr.rp-row-start")
        assert "verschilt" in start.inner_text() and "rp-differs" in (
            start.get_attribute("class") or ""
        )
        venue = table.locator("tr.rp-row-title")
        assert "rp-differs" in (venue.get_attribute("class") or "")
        conflict = page.locator(".rp-conflict").first
        assert "Status" in conflict.inner_text() and conflict.locator(".rp-differs").count() >= 1
        # What they disagree on is a row of the table, in words of the page's language.
        status = conflict.locator("tr.rp-row-status")
        assert "rp-differs" in (status.get_attribute("class") or "")
        assert "geannuleerd" in status.inner_text() and "gaat door" in status.inner_text()
        # A field's name is never broken inside the word ("Beschrijvin g"): one line each.
        lines = conflict.locator("tbody th").evaluate_all(
            """els => els.map(e => {
                 const range = document.createRange();
                 range.selectNodeContents(e.firstChild);
                 return [e.firstChild.textContent.trim(), range.getClientRects().length];
               })"""
        )
        assert all(count == 1 for _, count in lines), lines
        summary = conflict.locator(".reasons").inner_text()
        assert "Museum De Lakenhal (partner): geannuleerd · Museum De Lakenhal: gaat door" in (
            summary
        ), summary
    finally:
        page.context.close()


PAGES = {
    "planner-month": "/partners/planner?date=2027-01-01",
    "planner-week": "/partners/planner?view=week&date=2027-01-25",
    "planner-check": "/partners/planner?date=2027-01-01&check_date=2027-01-28&check_time=20:00"
    "&check_city=Leiden&check_category=concert",
    "holds": "/partners/holds",
    "review": "/partners/review",
    "programme": "/partners/programme?date=2027-02-01",
}


@pytest.mark.parametrize("width", WIDTHS)
def test_pages_have_no_axe_violations_in_both_languages(
    browser: Browser, server: tuple[str, dict[str, str]], width: int
) -> None:
    base, keys = server
    page = signed_in(browser, base, keys["coordinator"], width)
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        for name, path in PAGES.items():
            for lang in ("nl", "en"):
                joiner = "&" if "?" in path else "?"
                response = page.goto(f"{base}{path}{joiner}lang={lang}")
                assert response is not None and response.status == 200, path
                accessible(page)
                assert page.evaluate("() => document.documentElement.scrollWidth") <= width, (
                    name, lang)  # fmt: skip
                shot = ARTIFACTS / f"{name}-{lang}-{width}.png"
                page.screenshot(path=str(shot), full_page=True)
        page.goto(base + "/partners/programme?date=2027-02-01&format=email")
        page.screenshot(path=str(ARTIFACTS / f"programme-email-{width}.png"), full_page=True)
        page.emulate_media(media="print")
        page.goto(base + "/partners/programme?date=2027-02-01")
        page.screenshot(path=str(ARTIFACTS / f"programme-print-{width}.png"), full_page=True)
        assert page.locator(".site-header").is_hidden()
        assert page.errors == []  # type: ignore[attr-defined]
    finally:
        page.context.close()
