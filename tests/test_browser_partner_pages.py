"""Partner pages in a real browser: sign in, plan with embargoes, decide in the review queue.

uvicorn on 127.0.0.1 with the seeded page data plus a grey-zone pair, an embargoed and a
public concert on one evening, and a coordinator account; Debian's Chromium through the
session's shared ``browser`` fixture (conftest); axe-core on the planner (month, week,
clash check), the review queue and the source-health page; no console errors (so nothing
broke the CSP); a phone-sized planner without sideways scrolling.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from browser import ARTIFACTS, PartnerTab, seed_pages, serve_app
from conftest import NOW, make_listing, make_source
from playwright.sync_api import Browser

from agenda.model import SourceConfig
from agenda.partners.accounts import add_partner
from agenda.store.database import Store
from agenda.sync.ingest import ingest, put_listing

SECRET = "Geheim concert in de Hooglandse Kerk"


def seed(db: Path) -> str:
    """The page data, a grey-zone pair, two concerts on one Leiden evening; the coordinator's key."""
    seed_pages(db)
    store = Store.open(db)
    uit = make_listing(source_id="uit", external_id="9", start=datetime(2027, 2, 3, 18, 45, tzinfo=UTC),
                       title="Leiden in de Gouden Eeuw: lezing met borrel")  # fmt: skip
    ingest(
        store,
        make_source(id="uit", name="Uit in Leiden", kind="aggregator", venue=None),
        [uit],
        [],
        NOW,
    )
    partner = SourceConfig(id="partner-lakenhal", name="lakenhal (partner)", format="partner",
                           url="partner:lakenhal", kind="venue")  # fmt: skip
    evening = {"city": "Leiden", "categories": ("Concert",), "source_id": partner.id, "url": None}
    put_listing(store, partner, make_listing(
        external_id="secret", title=SECRET, venue_name="Hooglandse Kerk",
        start=datetime(2027, 1, 28, 19, tzinfo=UTC), end=datetime(2027, 1, 28, 21, tzinfo=UTC),
        embargo_until=datetime(2027, 6, 1, 7, tzinfo=UTC), **evening), NOW)  # fmt: skip
    put_listing(store, partner, make_listing(
        external_id="public", title="Avondconcert Pieterskerk", venue_name="Pieterskerk",
        start=datetime(2027, 1, 28, 19, 30, tzinfo=UTC), end=datetime(2027, 1, 28, 21, tzinfo=UTC),
        **evening), NOW)  # fmt: skip
    _, key = add_partner(store, "Regio coordinator", "leiden-marketing", "coordinator", NOW)
    store.close()
    return key


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    db = tmp_path_factory.mktemp("partner-browser") / "agenda.db"
    key = seed(db)
    with serve_app(db) as url:
        yield url, key


@pytest.fixture
def tab(browser: Browser, server: tuple[str, str]) -> Iterator[PartnerTab]:
    context = browser.new_context(locale="nl-NL")
    yield PartnerTab(context, server[0])
    context.close()


def test_sign_in_and_plan_with_an_embargoed_event(tab: PartnerTab, server: tuple[str, str]) -> None:
    page = tab.sign_in(server[1])
    assert page.locator("h1").inner_text() == "Planning"
    assert page.locator("#period-title").inner_text() == "januari 2027"
    day = page.locator("#d-2027-01-28")
    assert "Botsing (sterk): Concert, pop en jazz in Leiden" in day.inner_text()
    assert SECRET in day.inner_text() and "embargo tot 1 jun 2027 09:00" in day.inner_text()
    tab.assert_accessible()

    day.locator(".rp-date").click()
    page.wait_for_url("**/partners/planner?*view=week*")
    secret = page.locator("#day-2027-01-28 .rp-item.rp-is-hidden")
    assert (
        "embargo tot 1 jun 2027 09:00" in secret.inner_text()
        and "botst met Avondconcert Pieterskerk" in secret.inner_text()
    )
    assert secret.get_by_role("link").count() == 0  # no public page to link to
    tab.assert_accessible()

    check = page.locator("#clash-check")
    check.get_by_label("Datum").fill("2027-01-28")
    check.get_by_label("Tijd").fill("20:00")
    check.get_by_label("Plaats").select_option("Leiden")
    check.get_by_label("Categorie").select_option("concert")
    check.get_by_role("button", name="Controleer").click()
    page.wait_for_url("**check_date=2027-01-28*")
    rows = page.locator(".clash-table tbody th").all_inner_texts()
    assert any(SECRET in row for row in rows) and any(
        "Avondconcert Pieterskerk" in row for row in rows
    )
    tab.assert_accessible()
    assert tab.errors == []


def test_review_queue_merges_in_the_browser(tab: PartnerTab, server: tuple[str, str]) -> None:
    page = tab.sign_in(server[1])
    page.get_by_role("link", name="Beoordelen").click()
    page.wait_for_url("**/partners/review")
    assert page.locator("h1").inner_text() == "Beoordelen"
    pair = page.locator(".review-pair").first
    assert "Paar 1: waarschijnlijk hetzelfde evenement" in pair.inner_text()
    assert "Uit in Leiden" in pair.inner_text()
    tab.assert_accessible()
    pair.get_by_role("button", name="Samenvoegen").click()
    page.wait_for_url("**/partners/review?done=merged*")
    assert page.locator("#flash").inner_text().startswith("Samengevoegd.")
    assert page.locator("#no-pairs").is_visible()
    tab.assert_accessible()
    assert tab.errors == []


def test_source_health_page_is_accessible_in_both_languages(tab: PartnerTab) -> None:
    page = tab.open("/sources")
    assert page.locator("h1").inner_text() == "Bronstatus"
    assert "Museum De Lakenhal (lakenhal)" in page.locator("#source-lakenhal h2").inner_text()
    assert "partner-lakenhal" not in page.content()
    tab.assert_accessible()
    page = tab.open("/sources?lang=en")
    assert page.locator("h1").inner_text() == "Source health"
    tab.assert_accessible()
    assert tab.errors == []


def test_planner_fits_a_phone(browser: Browser, server: tuple[str, str]) -> None:
    context = browser.new_context(locale="nl-NL", viewport={"width": 390, "height": 844})
    try:
        tab = PartnerTab(context, server[0])
        page = tab.sign_in(server[1])
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        tab.assert_accessible()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "planner-mobile-390.png"), full_page=True)
        tab.open("/partners/planner?view=week&date=2027-01-28")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        tab.assert_accessible()
        assert tab.errors == []
    finally:
        context.close()
