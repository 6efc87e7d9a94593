"""The partner workspace in a real browser: My events, the event form, accounts, themes, audit.

uvicorn on 127.0.0.1 with the seeded page data, a partner account for the Lakenhal and a
coordinator account; Debian's Chromium through the session's shared ``browser`` fixture.
A partner submits an event with a picture upload, finds it in "Mijn evenementen", moves
it and withdraws it; a bad field shows the API's message next to it; a coordinator makes
an account (its key shown once) and a theme whose public page then lists its events;
the audit page lists every write; a POST without its CSRF token is refused; axe-core
finds nothing on any new page in Dutch and English at 390 and 1280 px.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import CLOCK, PartnerTab, seed_pages, serve_app
from PIL import Image
from playwright.sync_api import Browser

from agenda.partners.accounts import add_partner
from agenda.store.database import Store


def seed(db: Path) -> dict[str, str]:
    seed_pages(db)
    store = Store.open(db)
    _, partner = add_partner(store, "Lakenhal marketing", "lakenhal", "partner", CLOCK)
    _, coordinator = add_partner(store, "Regio coordinator", "leiden-marketing", "coordinator",
                                 CLOCK)  # fmt: skip
    store.close()
    return {"partner": partner, "coordinator": coordinator}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    db = tmp_path_factory.mktemp("partner-workspace") / "agenda.db"
    keys = seed(db)
    with serve_app(db) as url:
        yield url, keys


@pytest.fixture
def tab(browser: Browser, server: tuple[str, dict[str, str]]) -> Iterator[PartnerTab]:
    context = browser.new_context(locale="nl-NL")
    yield PartnerTab(context, server[0])
    context.close()


def picture_file(tmp_path: Path) -> Path:
    out = io.BytesIO()
    image = Image.new("RGB", (900, 600), (18, 58, 92))
    for x in range(0, 900, 60):
        image.paste((255, 191, 0), (x, 250, x + 30, 350))
    image.save(out, "JPEG")
    path = tmp_path / "affiche.jpg"
    path.write_bytes(out.getvalue())
    return path


def test_a_partner_submits_edits_and_withdraws_an_event(
    tab: PartnerTab, server: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    page = tab.sign_in(server[1]["partner"], "/partners/events")
    assert page.locator("h1").inner_text() == "Mijn evenementen"
    assert "Rembrandt & Lievens" in page.locator(".my-events").inner_text()
    page.get_by_role("link", name="Nieuw evenement").click()
    page.wait_for_url("**/partners/events/new")
    page.get_by_label("Titel (verplicht)").fill("Nachtconcert in de Lakenhal")
    page.get_by_label("Begin").fill("2027-03-05T20:00")
    page.get_by_label("Einde").fill("2027-03-05T22:00")
    page.get_by_label("Locatie").fill("Museum De Lakenhal")
    page.get_by_label("Plaats").select_option("Leiden")
    page.get_by_role("checkbox", name="Concert, pop en jazz").check()
    page.get_by_role("checkbox", name="Gezinnen", exact=True).check()
    page.get_by_label("Titel in het Engels").fill("Night concert at the Lakenhal")
    page.get_by_label("Prijs").fill("€ 15")
    page.get_by_label("Rolstoeltoegankelijk").select_option("yes")
    page.get_by_label("Afbeelding uploaden").set_input_files(str(picture_file(tmp_path)))
    page.get_by_role("button", name="Voorbeeld").click()
    page.wait_for_selector("#preview")
    assert "Nachtconcert in de Lakenhal" in page.locator("#preview").inner_text()
    tab.assert_accessible()
    tab.shot("partner-event-preview")
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_url("**/partners/events/*?done=created")
    assert page.locator("#flash").inner_text() == "Het evenement is opgeslagen."
    assert page.locator("#state").inner_text().startswith("openbaar")
    picture = page.locator("img.form-picture")
    assert picture.get_attribute("src", timeout=2000).startswith("/images/")  # type: ignore[union-attr]
    assert page.evaluate("() => document.querySelector('img.form-picture').naturalWidth") > 0
    edit_url = page.url.split("?")[0]

    page.get_by_role("link", name="Mijn evenementen").click()
    row = page.locator(".my-event", has_text="Nachtconcert in de Lakenhal")
    assert "vr 5 mrt 20:00" in row.inner_text() and "openbaar" in row.inner_text()
    row.get_by_role("link", name="Nachtconcert in de Lakenhal", exact=True).click()
    page.wait_for_url(edit_url)
    page.get_by_label("Begin").fill("2027-03-05T21:00")
    page.get_by_label("Einde").fill("2027-03-05T23:00")
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_url("**?done=updated")
    page.get_by_role("link", name="Mijn evenementen").click()
    assert "vr 5 mrt 21:00" in page.locator(".my-event", has_text="Nachtconcert").inner_text()

    tab.open(edit_url.removeprefix(tab.base_url))
    page.get_by_role("button", name="Intrekken").click()
    page.wait_for_url("**?done=withdrawn")
    assert "ingetrokken" in page.locator("#state").inner_text()
    public = tab.page.context.new_page()
    public.goto(tab.base_url + "/?q=Nachtconcert")
    assert "Nachtconcert in de Lakenhal" in public.content()
    public.close()
    assert tab.errors == []


def test_a_bad_field_shows_the_api_message_next_to_it(
    tab: PartnerTab, server: tuple[str, dict[str, str]]
) -> None:
    page = tab.sign_in(server[1]["partner"], "/partners/events/new")
    page.get_by_label("Titel (verplicht)").fill("Foute tijden")
    page.get_by_label("Begin").fill("2027-03-06T20:00")
    page.get_by_label("Einde").fill("2027-03-06T19:00")
    page.get_by_label("Kaartjes (link)").fill("ftp://tickets")
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_selector("#e-end")
    assert page.locator("#e-end").inner_text().endswith("is before start")
    assert page.locator("#f-end").get_attribute("aria-describedby") == "e-end"
    assert page.locator("#f-end").get_attribute("aria-invalid") == "true"
    assert "must be an http(s) address" in page.locator("#e-ticket_url").inner_text()
    assert page.evaluate("() => document.activeElement.id") == "f-end"
    tab.assert_accessible()
    tab.shot("partner-event-errors")
    assert page.title().startswith("Fout:")


def test_a_coordinator_makes_an_account_and_a_theme(
    tab: PartnerTab, server: tuple[str, dict[str, str]]
) -> None:
    page = tab.sign_in(server[1]["coordinator"], "/partners/accounts")
    page.get_by_label("Naam").fill("Prinsenhof communicatie")
    page.get_by_label("Instelling (bron)").select_option("prinsenhof")
    page.get_by_role("button", name="Account aanmaken").click()
    key = page.locator("#the-key").inner_text()
    assert re.fullmatch(r"ra_[\w-]{40,}", key)
    tab.assert_accessible()
    tab.shot("partner-accounts-new-key")
    tab.open("/partners/accounts")
    assert key not in page.content()  # shown once
    assert "Prinsenhof communicatie" in page.locator("#accounts").inner_text()

    page.get_by_role("navigation", name="Partnermenu").get_by_role("link", name="Thema's").click()
    page.wait_for_url("**/partners/themes")
    page.get_by_label("Id (in het adres)").fill("lunch-2027")
    page.get_by_label("Naam in het Nederlands").fill("Lunchconcerten 2027")
    page.get_by_label("Naam in het Engels").fill("Lunch concerts 2027")
    page.get_by_label("Eerste dag").fill("2027-04-01")
    page.get_by_label("Laatste dag").fill("2027-04-30")
    page.get_by_label("Trefwoorden (nl en en)").fill("lunchconcert")
    page.get_by_role("button", name="Toon welke evenementen erbij horen").click()
    page.wait_for_selector("#preview")
    assert page.locator("#preview-title").inner_text() == "Evenementen in dit thema: 30"
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_url("**/partners/themes/lunch-2027?done=saved")
    tab.assert_accessible()
    tab.shot("partner-theme")
    tab.open("/themes/lunch-2027")
    assert "Lunchconcerten 2027" in page.locator("h1").inner_text()  # by its name, not its id
    assert "Lunchconcert 1" in page.content()

    tab.open("/partners/audit")
    log = page.locator("#audit").inner_text()
    assert "partner.add" in log and "theme.save" in log and "Regio coordinator" in log
    page.get_by_label("Wat").select_option("theme.save")
    page.get_by_role("button", name="Toon").click()
    page.wait_for_url("**action=theme.save*")
    assert "partner.add" not in page.locator("#audit").inner_text()
    tab.assert_accessible()
    tab.shot("partner-audit")
    assert tab.errors == []


def test_every_form_write_is_audited_and_a_post_without_csrf_is_refused(
    tab: PartnerTab, server: tuple[str, dict[str, str]]
) -> None:
    page = tab.sign_in(server[1]["coordinator"], "/partners/audit")
    log = page.locator("#audit").inner_text()
    for action in ("event.create", "event.update", "event.withdraw", "picture.upload",
                   "partner.add", "theme.save"):  # fmt: skip
        assert action in log, action
    for path in ("/partners/events/new", "/partners/accounts", "/partners/themes"):
        answer = page.request.post(tab.base_url + path, form={"title": "x", "name": "x"})
        assert answer.status == 403, path


PAGES = ["/partners/events", "/partners/events/new", "/partners/accounts", "/partners/themes",
         "/partners/themes/lunch-2027", "/partners/audit"]  # fmt: skip


@pytest.mark.parametrize("width", [390, 1280])
def test_every_new_page_is_accessible_in_both_languages(
    browser: Browser, server: tuple[str, dict[str, str]], width: int
) -> None:
    context = browser.new_context(locale="nl-NL", viewport={"width": width, "height": 900})
    try:
        tab = PartnerTab(context, server[0])
        tab.sign_in(server[1]["coordinator"], "/partners/events")
        mine = tab.page.locator(".my-event a").first.get_attribute("href")
        for path in [*PAGES, str(mine)]:
            for lang in ("nl", "en"):
                page = tab.open(f"{path}?lang={lang}")
                assert page.evaluate("() => document.documentElement.lang") == lang
                tab.assert_accessible()
                assert page.evaluate("() => document.documentElement.scrollWidth") <= width, path
                name = path.strip("/").replace("/", "-")
                if path in ("/partners/events", "/partners/events/new"):
                    tab.shot(f"{name}-{lang}-{width}")
        assert tab.errors == []
    finally:
        context.close()
