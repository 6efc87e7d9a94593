"""The public pages through Litestar's TestClient: content in Dutch and English, filters,
errors (400, 404), redirects (301 for merged events), JSON-LD, caching and the CSP rules."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from html import escape, unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import pytest
from browser import CLOCK, SERIES, WALKS, seed_city_life, seed_pages
from litestar.testing import TestClient

from agenda.app import create_app
from agenda.classify import AUDIENCES, KINDS
from agenda.config import Settings
from agenda.dedup.decisions import merge
from agenda.model import Event, VenueRef
from agenda.store.database import Store
from agenda.web.i18n import AUDIENCE_NAMES, KIND_NAMES, LABELS, negotiate, parse_accept_language
from agenda.web.page_data import (
    absolute_url,
    description_html,
    event_summary,
    feed_links,
    json_ld,
    json_ld_data,
    long_day,
    price_text,
    when_text,
)

BASE = "https://agenda.example"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pages") / "agenda.db"
    seed_pages(path)
    return path


def client_for(db: Path) -> TestClient:
    settings = Settings(db=str(db), base_url=BASE, generation_check=0)
    return TestClient(create_app(settings, clock=lambda: CLOCK))


@pytest.fixture(scope="module")
def client(seeded: Path) -> Iterator[TestClient]:
    with client_for(seeded) as test_client:
        yield test_client


def page(
    client: TestClient, url: str, status: int = 200, headers: dict[str, str] | None = None
) -> str:
    response = client.get(url, headers=headers or {}, follow_redirects=False)
    assert response.status_code == status, response.text[:2000]
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def text_of(html: str) -> str:
    """The visible text, whitespace collapsed (enough for 'is this shown' checks)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"</?(a|span|strong|em|b|i|time)\b[^>]*>", "", html)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def event_ids(html: str) -> list[str]:
    return re.findall(r'href="/events/([0-9a-z]+)', html)


def event_id_of(client: TestClient, title: str) -> str:
    html = page(client, "/?q=" + title.split()[0])
    match = re.search(r'href="/events/([0-9a-z]+)"[^>]*>' + re.escape(escape(title)), html)
    assert match, title
    return match.group(1)


def lang_of(html: str) -> str:
    match = re.search(r'<html lang="(\w+)">', html)
    assert match
    return match.group(1)


# --- the agenda -----------------------------------------------------------------------------


def test_agenda_in_dutch(client: TestClient) -> None:
    html = page(client, "/")
    text = text_of(html)
    assert lang_of(html) == "nl"
    assert "<h1>Agenda</h1>" in html
    # A running exhibition sits in the "Nu te zien" strip, not under a day.
    assert "Nu te zien" in text and "woensdag 20 januari 2027 (vandaag)" not in text
    assert "Rembrandt & Lievens t/m ma 31 mei Museum De Lakenhal, Leiden · € 17,50" in text
    # Grouped by day with Babel's long dates; each item: time, kind, title, badges, place.
    assert "woensdag 3 februari 2027" in text
    assert "20:00–21:15 lezing Lezing: Leiden in de Gouden Eeuw Museum De Lakenhal, Leiden" in text
    assert "Orgelconcert Hooglandse Kerk Geannuleerd" in text
    assert "Kinderworkshop Delfts Blauw Gratis Museum Prinsenhof Delft, Delft" in text
    assert f"{SERIES + 5} evenementen gevonden" in text
    # Every form field has a label; an option standing on its own starts with a capital.
    for field in re.findall(r'<(?:input|select)[^>]*\bid="(f-[a-z-]+)"', html):
        assert f'<label for="{field}">' in html
    assert '<option value="family">Gezinnen</option>' in html
    assert '<option value="exhibition">Tentoonstelling</option>' in html
    # The English tour keeps its language for screen readers.
    assert 'lang="en">Guided tour in English</a>' in html
    assert 'href="/?lang=en" hreflang="en" lang="en"' in html


def test_agenda_in_english_by_parameter_and_by_accept_language(client: TestClient) -> None:
    html = page(client, "/?lang=en")
    text = text_of(html)
    assert lang_of(html) == "en"
    assert "<h1>What&#39;s on</h1>" in html
    assert "Wednesday 3 February 2027" in text  # British, not "Wednesday, February 3"
    assert "Orgelconcert Hooglandse Kerk Cancelled" in text
    assert "Kinderworkshop Delfts Blauw Free Museum Prinsenhof Delft, Delft" in text
    assert "On now" in text and "Museum De Lakenhal, Leiden · €17.50" in text
    assert f"{SERIES + 5} events found" in text
    assert "Mauritshuis, The Hague" in text
    # A language chosen in the address is kept in links and the form; the switch goes back.
    assert 'href="/subscribe?lang=en"' in html
    assert '<input type="hidden" name="lang" value="en">' in html
    assert 'href="/?lang=nl" hreflang="nl" lang="nl"' in html

    response = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9,nl;q=0.5"})
    assert lang_of(response.text) == "en"
    assert response.headers["content-language"] == "en"
    assert "Accept-Language" in response.headers["vary"]
    assert 'href="/subscribe"' in response.text  # negotiated, so links stay clean
    assert lang_of(page(client, "/?lang=nl", headers={"Accept-Language": "en"})) == "nl"


@pytest.mark.parametrize(
    "query,header,expected",
    [
        (None, None, ("nl", False)),
        (None, "en-US,en;q=0.9", ("en", False)),
        (None, "de-DE, en;q=0.5, nl;q=0.4", ("en", False)),
        (None, "nl;q=0.2, en;q=0.8", ("en", False)),
        (None, "fr, de", ("nl", False)),
        (None, "en;q=0", ("nl", False)),
        ("en", "nl", ("en", True)),
        ("NL", "en", ("nl", True)),
        ("fr", "en", ("en", False)),
    ],
)
def test_language_negotiation(
    query: str | None, header: str | None, expected: tuple[str, bool]
) -> None:
    assert negotiate(query, header) == expected


def test_accept_language_parsing_orders_by_quality() -> None:
    assert parse_accept_language("da, en-gb;q=0.8, en;q=0.7") == ["da", "en", "en"]
    assert parse_accept_language("en;q=x, nl") == ["nl"]
    assert parse_accept_language("") == []


def titles_on(html: str) -> list[str]:
    return [unescape(t) for t in re.findall(r'href="/events/[0-9a-z]+"[^>]*>([^<]+)</a>', html)]


def test_filters_narrow_the_list_and_stay_in_the_form(client: TestClient) -> None:
    html = page(client, "/?city=Delft")
    assert titles_on(html) == ["Kinderworkshop Delfts Blauw"]
    assert '<option value="Delft" selected>' in html
    assert titles_on(page(client, "/?kind=exhibition")) == ["Rembrandt & Lievens"]
    assert titles_on(page(client, "/?q=lievens")) == ["Rembrandt & Lievens"]
    assert 'value="lievens"' in page(client, "/?q=lievens")
    assert titles_on(page(client, "/?free=true")) == ["Kinderworkshop Delfts Blauw"]
    assert 'name="free" type="checkbox" value="true" checked' in page(client, "/?free=true")
    assert titles_on(page(client, "/?from=2027-02-05&to=2027-02-06")) == [
        "Rembrandt & Lievens",
        "Orgelconcert Hooglandse Kerk",
        "Guided tour in English",
    ]
    assert titles_on(page(client, "/?category=concert&city=Leiden")) == [
        "Orgelconcert Hooglandse Kerk"
    ]
    assert titles_on(page(client, "/?audience=family")) == ["Kinderworkshop Delfts Blauw"]
    assert "Geen evenementen gevonden." in page(client, "/?q=zzzzz")
    # A venue from a venue page's link is kept as a hidden field.
    venue = page(client, "/?venue=prinsenhof")
    assert titles_on(venue) == ["Kinderworkshop Delfts Blauw"]
    assert '<input type="hidden" name="venue" value="prinsenhof">' in venue
    # Tracking parameters and the like are ignored, not errors.
    assert titles_on(page(client, "/?city=Delft&utm_source=x")) == ["Kinderworkshop Delfts Blauw"]


def test_a_submitted_form_redirects_to_the_short_address(client: TestClient) -> None:
    response = client.get("/?q=&from=&to=&city=Delft&category=&kind=", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == "/?city=Delft"
    response = client.get("/subscribe?city=Leiden&kind=&lang=en", follow_redirects=False)
    assert response.headers["location"] == "/subscribe?city=Leiden&lang=en"


@pytest.mark.parametrize(
    "query,field,nl,en",
    [
        ("from=morgen", "from", "Controleer ‘Vanaf’", "Please check ‘From’: use a date"),
        ("from=2027-03-01&to=2027-02-01", "to", "ligt vóór de begindatum", "is before the start"),
        ("kind=circus", "kind", "Controleer ‘Soort’", "choose one of the listed values"),
        ("audience=aliens", "audience", "Controleer ‘Publiek’", "‘Audience’"),
        ("q=" + "x" * 300, "q", "de tekst is te lang", "the text is too long"),
        ("cursor=%25%25%25", None, "verder te bladeren", "no longer works"),
    ],
)
def test_bad_filter_values_show_the_page_with_a_message(
    client: TestClient, query: str, field: str | None, nl: str, en: str
) -> None:
    html = page(client, f"/?{query}", status=400)
    assert nl in text_of(html)
    assert 'role="alert"' in html and "<form" in html
    if field:
        assert re.search(rf'name="{field}"[^>]*aria-invalid="true"', html)
    assert en in text_of(page(client, f"/?{query}&lang=en", status=400))


def test_more_link_continues_with_the_cursor(client: TestClient) -> None:
    first = page(client, "/?city=Den+Haag")
    assert len(titles_on(first)) == 40
    more = re.search(r'<a class="button" href="([^"]+)" rel="next">Meer evenementen</a>', first)
    assert more
    url = unescape(more.group(1))
    assert parse_qs(urlsplit(url).query)["city"] == ["Den Haag"]
    second = page(client, url)
    assert titles_on(second) == [f"Lunchconcert {i}" for i in range(41, SERIES + 1)]
    assert 'rel="next"' not in second
    assert "Terug naar het begin" in second


def test_pages_carry_etags_and_answer_304(client: TestClient) -> None:
    first = client.get("/?city=Leiden")
    assert first.status_code == 200 and first.headers["etag"]
    again = client.get("/?city=Leiden", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    english = client.get("/?city=Leiden", headers={"Accept-Language": "en"})
    assert english.headers["etag"] != first.headers["etag"]


# --- one event ------------------------------------------------------------------------------


def json_ld_of(html: str) -> dict[str, object]:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match
    data: dict[str, object] = json.loads(match.group(1))
    return data


def test_event_page_in_dutch(client: TestClient) -> None:
    event_id = event_id_of(client, "Lezing: Leiden in de Gouden Eeuw")
    html = page(client, f"/events/{event_id}")
    text = text_of(html)
    assert lang_of(html) == "nl"
    assert "<h1>Lezing: Leiden in de Gouden Eeuw</h1>" in html
    assert "woensdag 3 februari 2027 20:00–21:15" in text
    assert "Museum De Lakenhal Oude Singel 28 2312 RA Leiden" in text
    assert "https://www.openstreetmap.org/?mlat=52.16270&amp;mlon=4.48710" in html
    assert f'href="/feeds/event/{event_id}.ics"' in html
    assert "https://calendar.google.com/calendar/render?action=TEMPLATE" in html
    assert "Zet in je agenda" in text
    assert "Museum De Lakenhal (lakenhal): bekijk bij de bron" in text
    assert 'href="https://www.lakenhal.nl/agenda/lezing"' in html
    # Its kind is a word starting a line of the table, said once (not again as category).
    assert "Soort Lezing" in text and "Categorieën Lezing" not in text
    assert f'<link rel="canonical" href="{BASE}/events/{event_id}">' in html
    data = json_ld_of(html)
    assert data["@type"] == "Event"
    assert data["startDate"] == "2027-02-03T20:00:00+01:00"
    assert data["endDate"] == "2027-02-03T21:15:00+01:00"
    assert data["location"]["name"] == "Museum De Lakenhal"  # type: ignore[index]
    assert data["location"]["address"]["streetAddress"] == "Oude Singel 28"  # type: ignore[index]
    assert data["url"] == f"{BASE}/events/{event_id}"
    ics = client.get(f"/feeds/event/{event_id}.ics")
    assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")


def test_event_page_in_english(client: TestClient) -> None:
    event_id = event_id_of(client, "Rembrandt & Lievens")
    html = page(client, f"/events/{event_id}?lang=en")
    text = text_of(html)
    assert lang_of(html) == "en"
    assert "Sunday 10 January 2027 until Monday 31 May 2027" in text
    assert "Add to your calendar" in text and "Buy tickets" in text
    assert "Price €17.50" in text
    assert "<p>Twee jonge <strong>Leidse</strong> schilders.</p>" in html
    assert 'class="description" lang="nl"' in html  # a Dutch text on an English page
    data = json_ld_of(html)
    assert data["@type"] == "Event"
    assert (data["startDate"], data["endDate"]) == ("2027-01-10", "2027-05-31")
    assert data["offers"] == {  # type: ignore[comparison-overlap]
        "@type": "Offer", "url": "https://www.lakenhal.nl/tickets", "price": "17.50",
        "priceCurrency": "EUR",
    }  # fmt: skip
    assert data["eventStatus"] == "https://schema.org/EventScheduled"


def test_cancelled_event_is_marked_on_its_page_and_in_json_ld(client: TestClient) -> None:
    event_id = event_id_of(client, "Orgelconcert Hooglandse Kerk")
    html = page(client, f"/events/{event_id}")
    assert '<span class="badge badge-cancelled">Geannuleerd</span>' in html
    assert json_ld_of(html)["eventStatus"] == "https://schema.org/EventCancelled"


def test_merged_event_answers_301_to_the_survivor(tmp_path: Path) -> None:
    db = tmp_path / "agenda.db"
    seed_pages(db)
    with client_for(db) as client:
        html = page(client, "/?city=Den+Haag")
        ids = event_ids(html)[:2]
        store = Store.open(db)
        survivor = merge(store, ids, CLOCK)
        store.close()
        gone = next(i for i in ids if i != survivor)
        response = client.get(f"/events/{gone}?lang=en", follow_redirects=False)
        assert response.status_code == 301
        assert response.headers["location"] == f"/events/{survivor}?lang=en"
        assert client.get(f"/events/{survivor}").status_code == 200


def test_unknown_event_is_a_translated_404_page(client: TestClient) -> None:
    html = page(client, "/events/does-not-exist", status=404)
    assert lang_of(html) == "nl" and "<h1>Niet gevonden</h1>" in html
    assert 'href="/">Terug naar de agenda' in html
    html = page(client, "/events/does-not-exist", status=404, headers={"Accept-Language": "en"})
    assert lang_of(html) == "en" and "<h1>Not found</h1>" in html


def make_event(**overrides: object) -> Event:
    values: dict[str, object] = {
        "id": "e1",
        "title": "Concert",
        "start": datetime(2027, 7, 15, 18, tzinfo=UTC),
        "venue": VenueRef(id="v", name="Zaal", city="Delft"),
        "city": "Delft",
    }
    values.update(overrides)
    return Event(**values)  # type: ignore[arg-type]


def test_json_ld_cannot_break_out_of_its_script_element() -> None:
    hostile = "</script><script>alert(1)</script> & <!--"
    event = make_event(title=hostile, description=f"<p>{hostile}</p>", price="gratis")
    text = str(json_ld(event, "nl", BASE))
    assert "<" not in text and ">" not in text and "&" not in text
    data = json.loads(text)
    assert data["name"] == hostile
    assert data["startDate"] == "2027-07-15T20:00:00+02:00"  # summer time
    assert data["location"]["address"] == {
        "@type": "PostalAddress", "addressLocality": "Delft", "addressCountry": "NL",
    }  # fmt: skip
    assert "offers" not in data  # no url and no number: nothing to offer search engines
    free = json_ld_data(
        make_event(is_free=True, start_date=date(2027, 8, 1), start=None), "en", BASE
    )
    assert free["isAccessibleForFree"] is True and free["offers"]["price"] == "0"
    assert free["startDate"] == "2027-08-01" and "endDate" not in free


def test_descriptions_render_as_safe_html() -> None:
    dirty = '<p>Goed</p><script>alert(1)</script><img src=x onerror="alert(2)"><a href="javascript:x">l</a>'
    cleaned = str(description_html(dirty))
    assert "<p>Goed</p>" in cleaned
    assert "script" not in cleaned and "onerror" not in cleaned and "javascript" not in cleaned
    assert str(description_html("Eerste regel\ntweede <3\n\nNieuwe alinea")) == (
        "<p>Eerste regel<br>tweede &lt;3</p><p>Nieuwe alinea</p>"
    )
    assert str(description_html("  ")) == ""


# --- venues and themes ----------------------------------------------------------------------


def test_venue_page(client: TestClient) -> None:
    html = page(client, "/venues/lakenhal")
    text = text_of(html)
    assert "<h1>Museum De Lakenhal</h1>" in html
    assert "Oude Singel 28 2312 RA Leiden" in text
    assert "openstreetmap.org/?mlat=" in html
    assert "Lezing: Leiden in de Gouden Eeuw" in text and "Lunchconcert" not in text
    assert 'href="webcal://agenda.example/feeds/venue-lakenhal.ics"' in html
    assert 'href="/?venue=lakenhal"' in html
    english = page(client, "/venues/mauritshuis?lang=en")
    assert "Upcoming events" in english and "The Hague" in text_of(english)
    page(client, "/venues/nowhere", status=404)


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The seeded region plus themes and a weekly walking tour (``seed_city_life``)."""
    path = tmp_path_factory.mktemp("city") / "agenda.db"
    seed_pages(path)
    seed_city_life(path)
    with client_for(path) as test_client:
        yield test_client


def test_theme_page_has_its_name_description_period_and_programme_by_month(
    city: TestClient,
) -> None:
    html = page(city, "/themes/gouden-eeuw")
    text = text_of(html)
    assert "<h1>Gouden Eeuw</h1>" in html and "gouden-eeuw</h1>" not in html
    assert "Schilders, geleerden en handelaren van de zeventiende eeuw." in text
    assert "Periode: vrijdag 1 januari 2027 – vrijdag 31 december 2027" in text
    months = re.findall(r'<h3 class="day-heading"><time datetime="([\d-]+)">([^<]+)<', html)
    assert months[:3] == [("2027-01", "januari 2027"), ("2027-02", "februari 2027"),
                          ("2027-03", "maart 2027")]  # fmt: skip
    assert "zo 24 jan · 14:00–15:30" in text
    assert "webcal://agenda.example/feeds/theme-gouden-eeuw.ics" in html
    english = page(city, "/themes/gouden-eeuw?lang=en")
    assert "<h1>Golden Age</h1>" in english
    assert "Period: Friday 1 January 2027 – Friday 31 December 2027" in text_of(english)
    assert "<title>Golden Age · Regio-agenda</title>" in english
    # A stored theme nothing belongs to still has a page, saying so.
    assert "Er zijn (nog) geen evenementen met dit thema." in page(city, "/themes/gouden-eeuw-2019")


@pytest.mark.parametrize("path", ["/themes/nope", "/venues/nope", "/themes/Not%20A%20Slug"])
def test_unknown_themes_and_venues_are_404_pages(city: TestClient, path: str) -> None:
    html = page(city, path, status=404, headers={"Accept": "text/html"})
    assert "<h1>Niet gevonden</h1>" in html and '<meta name="robots" content="noindex">' in html


def test_unknown_paths_are_pages_for_browsers_and_problems_for_programs(city: TestClient) -> None:
    html = page(city, "/nope?lang=en", status=404, headers={"Accept": "text/html"})
    assert "<h1>Not found</h1>" in html and 'href="/?lang=en">Back to the agenda' in html
    api = city.get("/api/nope", headers={"Accept": "text/html"})
    assert api.status_code == 404
    assert api.headers["content-type"].startswith("application/problem+json")
    program = city.get("/nope", headers={"Accept": "application/json"})
    assert program.headers["content-type"].startswith("application/problem+json")


def test_themes_and_venues_index_pages(city: TestClient) -> None:
    html = page(city, "/themes")
    assert 'href="/themes" aria-current="page"' in html
    assert html.count('href="/themes/gouden-eeuw"') == 1
    assert "/themes/gouden-eeuw-2019" not in html  # same name, over, nothing programmed
    assert f"{WALKS} evenementen" in text_of(html)
    assert "Golden Age" in page(city, "/themes?lang=en")
    venues = page(city, "/venues?lang=en")
    text = text_of(venues)
    assert text.index("The Hague") < text.index("Leiden") < text.index("Delft")
    for venue in ("mauritshuis", "lakenhal"):
        assert f'href="/venues/{venue}?lang=en"' in venues


def test_a_weekly_series_shows_once_with_its_dates(city: TestClient) -> None:
    html = page(city, "/?city=Delft")
    assert titles_on(html) == ["Stadswandeling: Delft in de Gouden Eeuw",
                               "Kinderworkshop Delfts Blauw"]  # fmt: skip
    text = text_of(html)
    assert "elke zondag 14:00 t/m 9 mei" in text
    assert "Ook op: zo 31 jan, zo 7 feb, zo 14 feb, zo 21 feb, zo 28 feb, zo 7 mrt en nog 9" in text
    english = text_of(page(city, "/?city=Delft&lang=en"))
    assert "every Sunday 14:00 until 9 May" in english
    # Narrowed to a few weeks, the series still shows once, with the dates in that window.
    march = text_of(page(city, "/?city=Delft&from=2027-03-01&to=2027-03-31"))
    assert march.count("Stadswandeling") == 1 and "elke zondag 14:00 t/m 28 mrt" in march


def test_exhibitions_are_on_now_not_under_each_day(city: TestClient) -> None:
    html = page(city, "/?city=Leiden")
    strip = html.split('class="on-now"', 1)[1].split("</section>", 1)[0]
    assert "Rembrandt &amp; Lievens" in strip
    rest = html.split("</section>", 1)[1]
    assert "Rembrandt &amp; Lievens" not in rest.split('class="results"', 1)[1]
    # A later page of the list has no strip.
    assert 'class="on-now"' not in page(city, "/?city=Den+Haag&from=2027-04-01")


def test_quick_chips_are_links_and_the_filter_form_folds(city: TestClient) -> None:
    html = page(city, "/")
    # CLOCK is Wednesday 20 January 2027: the weekend is Friday 22 to Sunday 24.
    assert 'href="/?from=2027-01-20&amp;to=2027-01-20">Vandaag</a>' in html
    assert 'href="/?from=2027-01-21&amp;to=2027-01-21">Morgen</a>' in html
    assert 'href="/?from=2027-01-22&amp;to=2027-01-24">Dit weekend</a>' in html
    assert 'href="/?from=2027-01-20&amp;to=2027-01-24">Deze week</a>' in html
    assert 'href="/?city=Leiden">Leiden</a>' in html
    assert '<details class="filters">' in html  # folded; open only to show an error
    chosen = page(city, "/?city=Leiden&from=2027-01-22&to=2027-01-24")
    assert 'href="/?city=Leiden" aria-current="true">Dit weekend</a>' in chosen
    assert 'href="/?from=2027-01-22&amp;to=2027-01-24" aria-current="true">Leiden</a>' in chosen
    assert "3 actief" in chosen
    assert '<details class="filters" open>' in page(city, "/?kind=circus", status=400)


def test_every_page_has_a_real_description_canonical_alternates_and_open_graph(
    city: TestClient,
) -> None:
    tagline = LABELS["nl"]["tagline"]
    event_id = event_id_of(city, "Lezing: Leiden in de Gouden Eeuw")
    expo = event_id_of(city, "Rembrandt & Lievens")
    for path in ["/", "/themes", "/venues", "/themes/gouden-eeuw", "/venues/lakenhal",
                 "/subscribe", "/about", "/sources", f"/events/{event_id}"]:  # fmt: skip
        for lang in ("nl", "en"):
            url = path + ("?lang=en" if lang == "en" else "")
            html = page(city, url)
            head = html.split("</head>", 1)[0]
            description = re.search(r'<meta name="description" content="([^"]*)">', head)
            assert description and description.group(1).strip(), url
            assert unescape(description.group(1)) not in (tagline, LABELS["en"]["tagline"]), url
            assert f'<link rel="canonical" href="{BASE}{url}">' in head, url
            assert f'<link rel="alternate" hreflang="nl" href="{BASE}{path}">' in head
            assert f'<link rel="alternate" hreflang="en" href="{BASE}{path}?lang=en">' in head
            assert '<link rel="alternate" hreflang="x-default"' in head
            assert '<meta property="og:title" content="' in head, url
            assert '<meta name="twitter:card" content="summary">' in head
    html = page(city, f"/events/{expo}?lang=en")
    assert '<meta property="og:title" content="Rembrandt &amp; Lievens · Regio-agenda">' in html
    assert '<meta property="og:description" content="Twee jonge Leidse schilders.">' in html
    assert '<meta name="description" content="Twee jonge Leidse schilders.">' in html
    # Without a description the summary says when and where.
    lecture = page(city, f"/events/{event_id}")
    assert (
        '<meta name="description" content="woensdag 3 februari 2027 20:00–21:15 · '
        'Museum De Lakenhal, Leiden · Lezing">'
    ) in lecture


def test_og_image_is_set_when_the_event_has_a_picture() -> None:
    event = make_event(image="/images/e1.jpg", description="<p>Een avond vol muziek.</p>")
    assert absolute_url(BASE, event.image) == f"{BASE}/images/e1.jpg"
    assert absolute_url(BASE, "javascript:alert(1)") is None
    assert event_summary(event, "nl") == "Een avond vol muziek."
    long = make_event(description="woord " * 100)
    summary = event_summary(long, "en")
    assert len(summary) <= 160 and summary.endswith("woord…")


def test_sitemap_lists_pages_in_both_languages_with_alternates(city: TestClient) -> None:
    response = city.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    root = ElementTree.fromstring(response.content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    locs = [u.findtext("s:loc", namespaces=ns) for u in root.findall("s:url", ns)]
    event_id = event_id_of(city, "Lezing: Leiden in de Gouden Eeuw")
    for path in (f"/events/{event_id}", "/venues/lakenhal", "/themes/gouden-eeuw", "/themes"):
        assert f"{BASE}{path}" in locs and f"{BASE}{path}?lang=en" in locs, path
    assert f"{BASE}/themes/gouden-eeuw-2019" not in locs
    first = root.find("s:url", ns)
    assert first is not None
    links = {a.get("hreflang"): a.get("href") for a in first.findall("x:link", ns)}
    assert links == {"nl": f"{BASE}/", "en": f"{BASE}/?lang=en", "x-default": f"{BASE}/"}
    etag = response.headers["etag"]
    assert city.get("/sitemap.xml", headers={"If-None-Match": etag}).status_code == 304


def test_robots_txt_points_to_the_sitemap(city: TestClient) -> None:
    response = city.get("/robots.txt")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    lines = response.text.splitlines()
    assert f"Sitemap: {BASE}/sitemap.xml" in lines
    assert {"Disallow: /partners", "Disallow: /api/", "Allow: /"} <= set(lines)


def test_british_dates_and_prices_in_english() -> None:
    event = make_event(price="€ 17,50", start=datetime(2026, 12, 6, 19, tzinfo=UTC))
    assert long_day(date(2026, 12, 6), "en") == "Sunday 6 December 2026"
    assert long_day(date(2026, 12, 6), "nl") == "zondag 6 december 2026"
    assert price_text(event, "en") == "€17.50" and price_text(event, "nl") == "€ 17,50"
    assert price_text(make_event(price="€12,-"), "en") == "€12"
    assert (
        price_text(make_event(price="vanaf € 10"), "en") == "vanaf €10"
    )  # amounts inside a text follow the language too
    assert when_text(event, "en") == "Sunday 6 December 2026 20:00"


# --- subscribe and about --------------------------------------------------------------------


def field_value(html: str, field_id: str) -> str:
    match = re.search(rf'<input id="{field_id}"[^>]*value="([^"]*)"', html)
    assert match, field_id
    return unescape(match.group(1))


def test_subscribe_page_builds_feed_addresses(client: TestClient) -> None:
    html = page(client, "/subscribe")
    assert lang_of(html) == "nl" and "<h1>Abonneren op de agenda</h1>" in html
    assert field_value(html, "feed-ics") == f"{BASE}/feeds/agenda.ics"
    assert 'href="webcal://agenda.example/feeds/agenda.ics"' in html
    assert "https://calendar.google.com/calendar/r?cid=webcal%3A%2F%2Fagenda.example" in html
    assert f"Deze feed bevat nu {SERIES + 5} evenementen" in text_of(html)
    assert '<script src="/static/agenda.js?v=' in html
    assert 'aria-label="Kopieer: Adres van de iCalendar-feed" hidden>Kopieer</button>' in html

    html = page(client, "/subscribe?city=Leiden&kind=concert&feed_lang=nl&lang=en")
    assert lang_of(html) == "en" and "Your feed" in html
    assert field_value(html, "feed-ics") == f"{BASE}/feeds/leiden.ics?kind=concert&lang=nl"
    assert field_value(html, "feed-rss") == f"{BASE}/feeds/leiden.rss?kind=concert&lang=nl"
    assert field_value(html, "feed-atom") == f"{BASE}/feeds/leiden.atom?kind=concert&lang=nl"
    assert field_value(html, "feed-json") == f"{BASE}/feeds/leiden.json?kind=concert&lang=nl"
    assert "This feed now holds 1 event in the coming twelve months." in text_of(html)
    assert '<option value="concert" selected>' in html

    html = page(client, "/subscribe?city=the+hague")
    assert field_value(html, "feed-ics") == f"{BASE}/feeds/den-haag.ics"
    html = page(client, "/subscribe?feed_lang=fr", status=400)
    assert "Controleer ‘Taal van de feed’" in text_of(html)
    assert re.search(r'name="feed_lang"[^>]*aria-invalid="true"', html)


def test_feed_links_use_slices_where_they_can() -> None:
    assert feed_links(BASE, {"theme": "rembrandt-2027", "audience": "family"})["ics"] == (
        f"{BASE}/feeds/theme-rembrandt-2027.ics?audience=family"
    )
    assert feed_links(BASE, {"city": "Delft", "theme": "x"})["atom"] == (
        f"{BASE}/feeds/delft.atom?theme=x"
    )
    assert feed_links(BASE, {"category": "Lezing & debat"})["json"] == (
        f"{BASE}/feeds/agenda.json?category=Lezing+%26+debat"
    )


def test_subscribe_addresses_serve_feeds(client: TestClient) -> None:
    html = page(client, "/subscribe?city=Delft&audience=family")
    for field in ("feed-ics", "feed-rss", "feed-atom", "feed-json"):
        url = field_value(html, field).removeprefix(BASE)
        assert client.get(url).status_code == 200, url


def test_about_page_lists_the_sources_in_both_languages(client: TestClient) -> None:
    html = page(client, "/about")
    text = text_of(html)
    assert "<h1>Over Regio-agenda</h1>" in html
    assert "Den Haag (Haaglanden), Leiden (Rijnland) en Delft" in text
    assert "Museum Prinsenhof Delft (prinsenhof) Delft ics 1 10 jan 2027, 10:00 gelukt" in text
    assert f"Mauritshuis (mauritshuis) Den Haag ics {SERIES}" in text
    english = text_of(page(client, "/about?lang=en"))
    assert "The Hague (Haaglanden)" in english
    assert "Mauritshuis (mauritshuis) The Hague ics" in english and "succeeded" in english


# --- every page: language, labels, CSP ------------------------------------------------------


PAGES = ["/", "/subscribe", "/about", "/venues/lakenhal", "/themes", "/venues", "/?from=x"]


def test_no_inline_scripts_styles_or_handlers(client: TestClient) -> None:
    event_id = event_id_of(client, "Rembrandt & Lievens")
    for url in [*PAGES, f"/events/{event_id}", "/events/nope"]:
        for lang in ("nl", "en"):
            response = client.get(f"{url}{'&' if '?' in url else '?'}lang={lang}")
            html = response.text
            assert lang_of(html) == lang
            assert "script-src 'self'" in response.headers["content-security-policy"]
            assert not re.search(r"\sstyle=", html), url
            assert not re.search(r"\son[a-z]+=", html), url
            assert "<style" not in html
            for script in re.findall(r"<script\b[^>]*>", html):
                assert "src=" in script or 'type="application/ld+json"' in script, script
            assert html.count("<h1") == 1
            assert '<a class="skip-link" href="#main">' in html and '<main id="main"' in html


def test_static_files(client: TestClient) -> None:
    css = client.get("/static/agenda.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert ":focus-visible" in css.text
    js = client.get("/static/agenda.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]


def test_every_label_exists_in_both_languages() -> None:
    assert set(LABELS["nl"]) == set(LABELS["en"])
    # Templates read labels as t.name: a key named like a dict method would be shadowed.
    assert not set(LABELS["nl"]) & set(dir(dict))
    for lang in ("nl", "en"):
        assert all(value.strip() for value in LABELS[lang].values())
        assert set(KIND_NAMES[lang]) == set(KINDS)
        assert set(AUDIENCE_NAMES[lang]) == set(AUDIENCES)
    templates = Path(__file__).parent.parent / "agenda" / "templates"
    used = set()
    for template in templates.glob("*.html"):
        used |= set(re.findall(r"\bt\.([a-z_0-9]+)", template.read_text(encoding="utf-8")))
    assert used <= set(LABELS["nl"]), used - set(LABELS["nl"])


def test_pages_json_and_css_are_compressed_and_versioned_assets_cached_a_year(
    client: TestClient,
) -> None:
    home = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert home.headers.get("content-encoding") == "gzip"
    assert "Accept-Encoding" in home.headers.get("vary", "")
    assert "<!doctype html>" in home.text.lower()  # the client decoded it
    raw = client.get("/", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers
    css = re.search(r'href="(/static/agenda\.css\?v=\w+)"', home.text)
    assert css is not None
    versioned = client.get(css.group(1), headers={"Accept-Encoding": "gzip"})
    assert versioned.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert versioned.headers["content-encoding"] == "gzip"
    bare = client.get("/static/agenda.css")
    assert "max-age=86400" in bare.headers["cache-control"]
    again = client.get(css.group(1), headers={"If-None-Match": versioned.headers["etag"]})
    assert again.status_code == 304
    detail = client.get("/api/events?limit=50", headers={"Accept-Encoding": "gzip"})
    assert detail.headers.get("content-encoding") == "gzip"
    assert client.get("/static/nope.css").status_code == 404
    assert client.get("/static/..%2Fpages.py").status_code == 404
