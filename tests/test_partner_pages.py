"""Partner pages in the browser (TestClient): sign-in, the planner, the review queue, /sources.

Sessions are signed cookies, POST forms carry a CSRF token, partners see embargoes in the
planner and its exports, coordinators decide in the review queue (audited), and none of
it answers without a session.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from conftest import NOW, make_listing, make_source
from icalendar import Calendar
from litestar.testing import TestClient

from agenda.app import create_app
from agenda.config import Settings, load_sources
from agenda.partners.accounts import add_partner, audit_log, revoke_partner
from agenda.partners.planner_data import planner_period, reason_text
from agenda.partners.session import (
    csrf_ok,
    csrf_token,
    origin_allowed,
    read_session,
    safe_next,
    sign_session,
)
from agenda.store.database import Store
from agenda.sync.ingest import ingest
from agenda.sync.jobs import import_source
from agenda.themes import Theme

SECRET = "Geheim concert in de Hooglandse Kerk"
CLOCK = {"now": datetime(2027, 1, 20, 12, tzinfo=UTC)}
HELD = "Stadsarchief Leiden"


def clock() -> datetime:
    return CLOCK["now"]


def ics(n: int) -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//NL"]
    for i in range(n):
        lines += ["BEGIN:VEVENT", f"UID:wandeling-{i}@archief", "DTSTART;TZID=Europe/Amsterdam:"
                  f"202706{1 + i:02d}T140000", f"SUMMARY:Archiefwandeling {i}",
                  "LOCATION:Stadsarchief, Leiden", "END:VEVENT"]  # fmt: skip
    return "\r\n".join([*lines, "END:VCALENDAR"]) + "\r\n"


SOURCES = """
[[source]]
id = "archief"
name = "Stadsarchief Leiden"
format = "ics"
url = "archief.ics"
city = "Leiden"

[[source]]
id = "uitburo"
name = "Uitburo Leiden"
format = "csv"
url = "uit.csv"
city = "Leiden"

[[source]]
id = "kapot"
name = "Kapotte bron"
format = "ics"
url = "missing.ics"
city = "Delft"
"""
UIT_CSV = (
    "titel;datum;begintijd;locatie;plaats\n"
    "Stadswandeling;12-06-2027;14:00;Stadhuis;Leiden\n"
    "Foute datum;31-02-2027;20:00;Stadhuis;Leiden\n"
)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A March 2027 moment given in UTC (Amsterdam is UTC+1 then)."""
    return datetime(2027, 3, day, hour, minute, tzinfo=UTC)


def seed(folder: Path) -> tuple[Path, Path, dict[str, str]]:
    db, config = folder / "a.db", folder / "sources.toml"
    (folder / "archief.ics").write_text(ics(8))
    (folder / "uit.csv").write_text(UIT_CSV)
    config.write_text(SOURCES)
    store = Store.open(db)
    march = [
        make_listing(external_id="bach", title="Avondconcert Bach", categories=("Concert",),
                     start=at(5, 19), end=at(5, 21)),
        make_listing(external_id="stud", title="Concert voor studenten", categories=("CONCERTS",),
                     venue_name="Pieterskerk", start=at(5, 19, 30), end=at(5, 21)),
        make_listing(external_id="vermeer", title="Lezing over Vermeer", categories=("Lezing",),
                     city="Delft", venue_name="Museum Prinsenhof Delft", start=at(5, 19), end=at(5, 20)),
        make_listing(external_id="fam", title="Familiemiddag schilderen", categories=("Familie",),
                     start=at(6, 13), end=at(6, 15)),
        make_listing(external_id="orgel", title="Orgelavond", categories=("Concert",),
                     venue_name="Hooglandse Kerk", start=at(12, 19), end=at(12, 21)),
        make_listing(external_id="haag", title="Residentie Orkest", categories=("Concert",),
                     city="Den Haag", venue_name="Amare", start=at(12, 19), end=at(12, 21)),
        make_listing(external_id="formule", title="=HYPERLINK(\"http://x\")", categories=("Film",),
                     city="Delft", venue_name="Filmhuis Lumen", start=at(20, 19), end=at(20, 21)),
        # the grey zone: the same lecture listed by an aggregator a quarter earlier
        make_listing(),
    ]  # fmt: skip
    ingest(store, make_source(), march, [], NOW)
    uit = make_listing(source_id="uit", external_id="9", start=datetime(2027, 2, 3, 18, 45, tzinfo=UTC),
                       title="Leiden in de Gouden Eeuw: lezing met borrel")  # fmt: skip
    ingest(
        store,
        make_source(id="uit", name="Uit in Leiden", kind="aggregator", venue=None),
        [uit],
        [],
        NOW,
    )
    # an exact copy from a third source: merged with the lecture, so that event has two listings
    copy = make_listing(source_id="agenda-zh", external_id="7", url="https://zh.example/7")
    ingest(store, make_source(id="agenda-zh", name="Agenda Zuid-Holland", kind="aggregator",
                              venue=None), [copy], [], NOW)  # fmt: skip
    store.save_theme(Theme(id="lente-2027", name_nl="Lente in Leiden", name_en="Spring in Leiden",
                           start=date(2027, 3, 10), end=date(2027, 3, 20)), NOW)  # fmt: skip
    sources = {s.id: s for s in load_sources(str(config))}
    for source in sources.values():
        import_source(store, source, clock=lambda: NOW)
    (folder / "archief.ics").write_text(ics(0))
    assert (
        import_source(store, sources["archief"], clock=lambda: NOW + timedelta(hours=1)).outcome
        == "refused"
    )
    keys = {
        "partner": add_partner(store, "Lakenhal marketing", "lakenhal", "partner", NOW)[1],
        "coordinator": add_partner(store, "Regio coordinator", "leiden-marketing", "coordinator", NOW)[1],
    }  # fmt: skip
    store.close()
    return db, config, keys


@pytest.fixture
def world(tmp_path: Path) -> Iterator[dict]:
    CLOCK["now"] = datetime(2027, 1, 20, 12, tzinfo=UTC)
    db, config, keys = seed(tmp_path)
    settings = Settings(db=str(db), config=str(config), generation_check=0)
    with TestClient(create_app(settings, clock=clock)) as client:
        made = client.post("/api/partner/events", headers={"Authorization": f"Bearer {keys['partner']}"}, json={
            "title": SECRET, "start": "2027-03-12T20:15:00+01:00", "end": "2027-03-12T22:00:00+01:00",
            "venue": "Hooglandse Kerk", "city": "Leiden", "categories": ["Concert"],
            "embargo_until": "2027-06-01T09:00:00+02:00"})  # fmt: skip
        assert made.status_code == 201, made.text
        yield {"client": client, "db": db, "secret_id": made.json()["event"], **keys}


def sign_in(client: TestClient, key: str, next_url: str = "/partners/planner") -> str:
    """Sign in through the form; returns the CSRF token of the new session."""
    response = client.post(
        "/partners/login", data={"key": key, "next": next_url}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    page = client.get("/partners/planner?date=2027-03-01")
    assert page.status_code == 200
    return csrf_of(page.text)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]{64})"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def cell(html: str, day: str) -> str:
    """One day of the month."""
    start = html.index(f'id="d-{day}"')
    ends = [html.find(m, start + 10) for m in ('<li id="d-', '<li class="rp-day', "</ol>")]
    return html[start : min(e for e in ends if e > 0)]


def band_titles(html: str) -> list[str]:
    return re.findall(
        r'<li class="rp-band rp-band-\w+[^"]*">\s*(?:<a[^>]*>|<span[^>]*>)([^<]+)<', html
    )


def store_of(world: dict) -> Store:
    return Store.open(world["db"])


# --- sessions ------------------------------------------------------------------------------


def test_sign_in_sets_a_strict_http_only_session_and_sign_out_clears_it(world: dict) -> None:
    client = world["client"]
    form = client.get("/partners/login?next=/partners/review")
    assert (
        form.status_code == 200
        and 'name="key"' in form.text
        and 'value="/partners/review"' in form.text
    )
    wrong = client.post("/partners/login", data={"key": "ra_wrong"}, follow_redirects=False)
    assert wrong.status_code == 401 and "onbekend of ingetrokken" in wrong.text
    assert "set-cookie" not in wrong.headers
    response = client.post("/partners/login", data={"key": world["partner"], "next": "/partners/planner?view=week"},
                           follow_redirects=False)  # fmt: skip
    assert (
        response.status_code == 303
        and response.headers["location"] == "/partners/planner?view=week"
    )
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("regio_session=") and world["partner"] not in cookie
    assert (
        "HttpOnly" in cookie and "samesite=strict" in cookie.lower() and "Path=/partners" in cookie
    )
    assert "Secure" not in cookie  # plain http here
    planner = client.get("/partners/planner")
    assert planner.status_code == 200 and "Lakenhal marketing (partner)" in planner.text
    assert planner.headers["cache-control"] == "private, no-store"
    assert client.post("/partners/logout", data={}, follow_redirects=False).status_code == 403
    out = client.post(
        "/partners/logout", data={"csrf": csrf_of(planner.text)}, follow_redirects=False
    )
    assert out.status_code == 303 and out.headers["location"] == "/partners/login?done=out"
    assert (
        "regio_session=" in out.headers["set-cookie"] and "Max-Age=0" in out.headers["set-cookie"]
    )
    client.cookies.clear()  # what the browser does with Max-Age=0
    again = client.get("/partners/planner", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"].startswith(
        "/partners/login?next="
    )
    assert "Je bent uitgelogd" in client.get("/partners/login?done=out").text
    # signing in never sends anyone off-site
    off = client.post("/partners/login", data={"key": world["partner"], "next": "https://evil.example/"},
                      follow_redirects=False)  # fmt: skip
    assert off.headers["location"] == "/partners/planner"


def test_sign_in_from_another_site_is_refused(world: dict) -> None:
    client = world["client"]
    foreign = client.post("/partners/login", data={"key": world["partner"]},
                          headers={"Origin": "https://evil.example"}, follow_redirects=False)  # fmt: skip
    assert foreign.status_code == 403 and "set-cookie" not in foreign.headers
    own = client.post("/partners/login", data={"key": world["partner"]},
                      headers={"Origin": "http://testserver.local"}, follow_redirects=False)  # fmt: skip
    assert own.status_code == 303
    assert origin_allowed(
        "https://agenda.example", "http", "127.0.0.1:8000", "https://agenda.example/"
    )
    assert not origin_allowed("null", "http", "127.0.0.1:8000", "https://agenda.example")


def test_the_session_cookie_is_secure_on_https(world: dict) -> None:
    response = world["client"].post("https://testserver.local/partners/login",
                                     data={"key": world["partner"]}, follow_redirects=False)  # fmt: skip
    assert response.status_code == 303 and "Secure" in response.headers["set-cookie"]


def test_wrong_keys_count_towards_the_failed_key_limit(world: dict) -> None:
    client = world["client"]
    codes = [
        client.post("/partners/login", data={"key": f"ra_guess{i}"}).status_code for i in range(11)
    ]
    assert codes == [401] * 10 + [429]
    assert (
        "Te veel mislukte pogingen"
        in client.post("/partners/login", data={"key": world["partner"]}).text
    )
    # the same brake as the API's
    assert (
        client.get(
            "/api/partner/events", headers={"Authorization": f"Bearer {world['partner']}"}
        ).status_code
        == 429
    )


def test_revoked_tampered_and_expired_sessions_end(world: dict) -> None:
    client = world["client"]
    sign_in(client, world["partner"])
    value = client.cookies["regio_session"]
    partner_id, rest = value.split(".", 1)  # id.expiry.nonce.mac
    client.cookies.set("regio_session", f"{int(partner_id) + 1}.{rest}", path="/partners")
    assert client.get("/partners/planner", follow_redirects=False).status_code == 303
    client.cookies.set("regio_session", value, path="/partners")
    assert client.get("/partners/planner", follow_redirects=False).status_code == 200
    CLOCK["now"] += timedelta(hours=9)
    assert client.get("/partners/planner", follow_redirects=False).status_code == 303
    CLOCK["now"] -= timedelta(hours=9)
    store = store_of(world)
    revoke_partner(store, "Lakenhal marketing", NOW)
    store.close()
    assert client.get("/partners/planner", follow_redirects=False).status_code == 303


def test_session_tokens() -> None:
    secret = b"k" * 32
    value = sign_session(secret, 7, 1000)
    assert read_session(secret, value, 999) == 7
    assert read_session(secret, value, 1000) is None  # expired
    assert read_session(b"x" * 32, value, 10) is None
    assert read_session(secret, value.replace("7.", "8.", 1), 10) is None
    assert read_session(secret, "nonsense", 10) is None and read_session(secret, None, 10) is None
    token = csrf_token(secret, value)
    assert csrf_ok(secret, value, token) and not csrf_ok(secret, value, None)
    assert not csrf_ok(secret, sign_session(secret, 7, 2000), token)
    assert safe_next("/partners/review?x=1") == "/partners/review?x=1"
    for bad in ("//evil.example/partners/", "https://evil.example/partners/x", "/about",
                "/partners/login", "\\\\evil", "/partners/x\r\nSet-Cookie: a=b", None):  # fmt: skip
        assert safe_next(bad) == "/partners/planner"


def test_no_partner_page_answers_without_a_session_or_a_csrf_token(world: dict) -> None:
    client = world["client"]
    gets, posts = [], []
    for route in client.app.routes:
        if not route.path.startswith("/partners"):
            continue
        for handler in route.route_handlers:
            if "GET" in handler.http_methods:
                gets.append(route.path)
            elif "POST" in handler.http_methods:
                posts.append(route.path)
    assert len(gets) >= 5 and len(posts) >= 6
    for path in gets:
        if path == "/partners/login":
            continue
        response = client.get(f"{path}?date=2027-03-01", follow_redirects=False)
        assert response.status_code == 303, path
        if path != "/partners":
            assert response.headers["location"].startswith("/partners/login?next=%2Fpartners"), path
    for path in posts:
        if path == "/partners/login":
            continue
        response = client.post(
            path, data={"a": world["secret_id"], "b": "x"}, follow_redirects=False
        )
        assert response.status_code == 401, path
        assert SECRET not in response.text
    sign_in(client, world["coordinator"])
    for path in posts:
        if path == "/partners/login":
            continue
        for data in ({}, {"csrf": "0" * 64}):
            response = client.post(path, data=data, follow_redirects=False)
            assert response.status_code == 403, path
    # the embargoed event is nowhere in a public page, /sources included
    for path in ("/sources", "/sources?lang=en", "/partners/login"):
        client.cookies.clear()
        assert SECRET not in client.get(path).text


def test_partners_may_not_use_the_review_queue(world: dict) -> None:
    client = world["client"]
    csrf = sign_in(client, world["partner"])
    page = client.get("/partners/review")
    assert page.status_code == 403 and "Alleen coördinatoren" in page.text
    store = store_of(world)
    before = store.memberships()
    store.close()
    events = sorted(set(before.values()))[:2]
    assert client.post("/partners/review/merge", data={"csrf": csrf, "a": events[0], "b": events[1]},
                       follow_redirects=False).status_code == 403  # fmt: skip
    store = store_of(world)
    assert store.memberships() == before
    store.close()
    assert 'href="/partners/review"' not in client.get("/partners/planner").text


# --- the planner ---------------------------------------------------------------------------


def test_planner_month_shows_titles_clashes_themes_and_embargoes(world: dict) -> None:
    client = world["client"]
    sign_in(client, world["partner"])
    html = client.get("/partners/planner?date=2027-03-17").text
    assert '<h2 id="period-title">maart 2027</h2>' in html
    fifth = cell(html, "2027-03-05")
    # the first three titles of the day; the two Leiden concerts clash, named, in words
    assert fifth.count('<li class="rp-item') == 3
    assert "Botsing (sterk): Concert, pop en jazz in Leiden" in fifth
    assert "Delft" not in fifth.split("Botsing")[1]  # the Delft lecture clashes with nothing
    twelfth = cell(html, "2027-03-12")
    # the embargoed concert shows by title, marked, and clashes with the public one in Leiden
    assert SECRET in twelfth and "embargo tot 1 jun 2027 09:00" in twelfth
    assert "Botsing (sterk): Concert, pop en jazz in Leiden" in twelfth
    assert re.search(r"botst met [^<]*Orgelavond", twelfth)
    # the theme is a band across its days, never a badge in each cell
    assert "Thema: Lente in Leiden" not in twelfth
    assert band_titles(html).count("Thema: Lente in Leiden") == 2  # 10-20 March: two week rows
    assert "waarvan 1 nog niet openbaar" in html
    assert (
        'href="/partners/planner?date=2027-02-01"' in html
        and 'href="/partners/planner?date=2027-04-01"' in html
    )
    english = client.get("/partners/planner?date=2027-03-01&lang=en").text
    assert "Clash (strong): Concert, pop and jazz in Leiden" in cell(english, "2027-03-05")
    assert "Theme: Spring in Leiden" in band_titles(english)


def test_planner_week_lists_embargoed_events_marked_and_filters_narrow(world: dict) -> None:
    client = world["client"]
    sign_in(client, world["partner"])
    week = client.get("/partners/planner?view=week&date=2027-03-12").text
    assert "8 mrt" in week and "14 mrt" in week  # Monday to Sunday
    day = week[week.index('id="day-2027-03-12"') :]
    day = day[: day.index("</section>")]
    assert SECRET in day and "embargo tot 1 jun 2027 09:00" in day
    assert f'href="/events/{world["secret_id"]}"' not in day  # no public page to link to
    assert re.search(r'<a href="/events/\w+">Orgelavond</a>', day)
    assert day.count("rp-badge-clash") == 2
    delft = client.get("/partners/planner?date=2027-03-01&city=Delft").text
    assert cell(delft, "2027-03-05").count('<li class="rp-item') == 1
    assert "rp-has-clash" not in delft
    concerts = client.get(
        "/partners/planner?date=2027-03-01&category=concert&audience=students"
    ).text
    assert cell(concerts, "2027-03-05").count('<li class="rp-item') == 1
    assert client.get("/partners/planner?date=2027-13-01").status_code == 400
    assert client.get("/partners/planner?view=year").status_code == 400


def test_planner_exports_as_csv_and_ics_with_embargoes(world: dict) -> None:
    client = world["client"]
    sign_in(client, world["partner"])
    response = client.get("/partners/planner.csv?date=2027-03-01")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == 'attachment; filename="planner-2027-03.csv"'
    assert response.headers["cache-control"] == "private, no-store"
    reader = csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")
    header, *rows = list(reader)
    assert header == ["datum", "begintijd", "einddatum", "eindtijd", "titel", "locatie", "plaats",
                      "categorieën", "publiek", "zichtbaarheid", "embargo tot", "link"]  # fmt: skip
    by_title = {row[4]: dict(zip(header, row, strict=True)) for row in rows}
    assert len(rows) == 8 and "Lezing: Leiden in de Gouden Eeuw" not in by_title  # that is February
    secret = by_title[SECRET]
    assert secret["zichtbaarheid"] == "embargo" and secret["embargo tot"] == "2027-06-01 09:00"
    assert secret["begintijd"] == "20:15" and secret["datum"] == "2027-03-12"
    assert secret["eindtijd"] == "22:00"
    assert by_title["Concert voor studenten"]["publiek"] == "studenten"
    assert '\'=HYPERLINK("http://x")' in by_title  # a spreadsheet will not run it
    week = client.get("/partners/planner.csv?view=week&date=2027-03-03&city=Leiden&lang=en")
    assert 'filename="planner-2027-W09.csv"' in week.headers["content-disposition"]
    english = list(csv.reader(io.StringIO(week.content.decode("utf-8-sig")), delimiter=";"))
    assert english[0][:2] == ["date", "start time"] and {row[6] for row in english[1:]} == {
        "Leiden"
    }
    ics_response = client.get("/partners/planner.ics?date=2027-03-01")
    assert ics_response.status_code == 200 and ics_response.headers["content-type"].startswith(
        "text/calendar"
    )
    calendar = Calendar.from_ical(ics_response.content)
    titles = {str(e["SUMMARY"]) for e in calendar.walk("VEVENT")}
    assert SECRET in titles and "Orgelavond" in titles and len(titles) == 8
    # the public feed keeps it out
    assert SECRET not in client.get("/feeds/agenda.ics?from=2027-03-01").text


def test_clash_check_ranks_competitors_embargoes_included(world: dict) -> None:
    client = world["client"]
    sign_in(client, world["partner"])
    html = client.get("/partners/planner?date=2027-03-01&check_date=2027-03-12&check_time=20:00"
                      "&check_city=Leiden&check_category=Concert").text  # fmt: skip
    table = html[html.index('<table class="sources-table clash-table">') :]
    rows = re.findall(r'<th scope="row"><span>([^<]+)</span>', table)
    assert set(rows[:2]) == {"Orgelavond", SECRET} and rows[2] == "Residentie Orkest"
    assert "tegelijk; dezelfde avond; ook in Leiden; ook Concert" in table
    assert '<span class="rp-level rp-level-strong">sterk</span>' in table
    assert "embargo tot" in table
    whole_day = client.get("/partners/planner?check_date=2027-03-06").text
    assert "Familiemiddag schilderen" in whole_day
    assert (
        "Geen concurrerende evenementen"
        in client.get("/partners/planner?check_date=2027-03-25").text
    )
    bad = client.get("/partners/planner?date=2027-03-01&check_date=2027-03-12&check_time=25:00")
    assert (
        bad.status_code == 400
        and 'id="f-check_time"' in bad.text
        and 'aria-invalid="true"' in bad.text
    )
    assert reason_text("in Den Haag, nearby", "nl") == "in Den Haag, vlakbij"
    assert reason_text("something new", "nl") == "something new"


def test_planner_period() -> None:
    today = date(2027, 1, 20)
    month = planner_period(None, None, today)
    assert (month.first, month.last, month.grid_first, month.grid_last) == (
        date(2027, 1, 1), date(2027, 1, 31), date(2026, 12, 28), date(2027, 1, 31))  # fmt: skip
    assert (month.previous, month.following) == (date(2026, 12, 1), date(2027, 2, 1))
    week = planner_period("week", "2027-03-28", today)  # a Sunday, the night the clocks change
    assert (week.first, week.last, week.following) == (
        date(2027, 3, 22),
        date(2027, 3, 28),
        date(2027, 3, 29),
    )


# --- the review queue ----------------------------------------------------------------------


def _pair(store: Store) -> tuple[str, str]:
    memberships = store.memberships()
    return memberships["lakenhal:evt-1"], memberships["uit:9"]


def test_merge_from_the_review_queue_is_applied_and_audited(world: dict) -> None:
    client = world["client"]
    csrf = sign_in(client, world["coordinator"])
    store = store_of(world)
    first, second = _pair(store)
    store.close()
    page = client.get("/partners/review")
    assert page.status_code == 200 and "Paar 1: waarschijnlijk hetzelfde evenement" in page.text
    assert first in page.text and second in page.text and "Uit in Leiden" in page.text
    assert (
        "overeenkomst 80%" in page.text and "begint 15 min eerder bij een tweede bron" in page.text
    )
    # side by side: the start differs (marked), the venue does not
    assert re.search(r'<tr class="rp-row-start rp-differs">\s*<th scope="row">Begin '
                     r'<span class="rp-diff-mark">verschilt</span>', page.text)  # fmt: skip
    english = client.get("/partners/review?lang=en").text
    assert "Pair 1: probably the same event" in english and "starts 15 min earlier" in english
    response = client.post("/partners/review/merge", data={"csrf": csrf, "a": first, "b": second},
                           follow_redirects=False)  # fmt: skip
    assert response.status_code == 303
    assert response.headers["location"].startswith("/partners/review?done=merged&event=")
    store = store_of(world)
    memberships = store.memberships()
    log = audit_log(store)
    store.close()
    assert memberships["lakenhal:evt-1"] == memberships["uit:9"] == memberships["agenda-zh:7"]
    entry = next(e for e in log if e["action"] == "review.merge")
    assert (
        entry["partner"] == "Regio coordinator"
        and entry["target"] == f"event:{memberships['uit:9']}"
    )
    after = client.get(response.headers["location"]).text
    assert "Samengevoegd." in after and 'id="no-pairs"' in after


def test_keep_apart_and_split_are_applied_and_audited(world: dict) -> None:
    client = world["client"]
    csrf = sign_in(client, world["coordinator"])
    store = store_of(world)
    first, second = _pair(store)
    store.close()
    page = client.get("/partners/review").text
    # the lecture's event holds two listings, so each can be split off
    assert page.count('action="/partners/review/split"') == 2 and "agenda-zh:7" in page
    assert page.count('action="/partners/review/merge"') == 1  # two listing pairs, one decision
    apart = client.post("/partners/review/apart", data={"csrf": csrf, "a": first, "b": second})
    assert (
        apart.status_code == 200
        and "Apart gehouden." in apart.text
        and 'id="no-pairs"' in apart.text
    )
    split = client.post("/partners/review/split", data={"csrf": csrf, "event": first, "listing": "agenda-zh:7"},
                        follow_redirects=False)  # fmt: skip
    assert split.headers["location"] == "/partners/review?done=split"
    store = store_of(world)
    memberships = store.memberships()
    actions = [(e["partner"], e["action"]) for e in audit_log(store)]
    store.close()
    assert memberships["lakenhal:evt-1"] != memberships["agenda-zh:7"]
    assert memberships["lakenhal:evt-1"] != memberships["uit:9"]
    assert ("Regio coordinator", "review.never_merge") in actions
    assert ("Regio coordinator", "review.split") in actions
    stale = client.post("/partners/review/split", data={"csrf": csrf, "event": first, "listing": "agenda-zh:7"},
                        follow_redirects=False)  # fmt: skip
    assert stale.headers["location"] == "/partners/review?done=stale"


def test_confirm_a_held_back_import_from_the_review_queue(world: dict) -> None:
    client = world["client"]
    csrf = sign_in(client, world["coordinator"])
    page = client.get("/partners/review").text
    assert HELD in page and 'name="source" value="archief"' in page and "refused: " in page
    response = client.post("/partners/review/confirm", data={"csrf": csrf, "source": "archief"},
                           follow_redirects=False)  # fmt: skip
    assert response.headers["location"] == "/partners/review?done=confirmed"
    store = store_of(world)
    assert store.last_outcome("archief") == "ok"
    assert next(r for r in store.source_rows() if r["id"] == "archief")["withdrawn"] == 8
    entry = next(e for e in audit_log(store) if e["action"] == "source.confirm")
    store.close()
    assert entry["target"] == "source:archief" and '"withdrawn":8' in entry["details"]
    assert 'id="no-held"' in client.get("/partners/review").text
    unknown = client.post(
        "/partners/review/confirm", data={"csrf": csrf, "source": "nope"}, follow_redirects=False
    )
    assert unknown.headers["location"] == "/partners/review?done=unknown_source"


# --- source health -------------------------------------------------------------------------


def test_sources_page_shows_health_in_plain_words(world: dict) -> None:
    client = world["client"]
    response = client.get("/sources")
    assert response.status_code == 200 and response.headers["cache-control"] == "no-cache"
    html = response.text
    archief = html[html.index('id="source-archief"') :]
    archief = archief[: archief.index("</section>")]
    assert (
        "tegengehouden: ziet er verdacht uit; wacht tot de bron herstelt of een coördinator bevestigt"
        in archief
    )
    assert "niet ingepland" in archief and "<dd>8</dd>" in archief
    assert '<span class="trend-count">8</span><span class="trend-bar w-100"' in archief
    assert '<span class="trend-count">–</span><span class="trend-bar w-0"' in archief
    uitburo = html[html.index('id="source-uitburo"') :]
    assert (
        "row 3, column datum: date &#39;31-02-2027&#39; does not exist"
        in uitburo[: uitburo.index("</section>")]
    )
    kapot = html[html.index('id="source-kapot"') :]
    kapot = kapot[: kapot.index("</section>")]
    assert "het adres bestaat niet (meer)" in kapot and "file not found" in kapot
    assert "Laatst gelukt</dt>\n    <dd>nog niet" in kapot
    assert "partner-lakenhal" not in html and "Lakenhal marketing" not in html
    english = client.get("/sources?lang=en").text
    assert (
        "held back: looks suspicious, waiting for the source to recover or a coordinator to confirm"
        in english
    )
    assert "the address does not exist (any more)" in english and "not scheduled" in english


def test_sources_page_shows_the_next_scheduled_run(tmp_path: Path) -> None:
    db, config, _ = seed(tmp_path)
    settings = Settings(db=str(db), config=str(config), generation_check=0, schedule=True)
    # APScheduler runs on the real clock: an app clock far ahead keeps every job waiting
    later = datetime(2090, 1, 2, 12, tzinfo=UTC)
    with TestClient(create_app(settings, clock=lambda: later)) as client:
        html = client.get("/sources?lang=en").text
    archief = html[html.index('id="source-archief"') :]
    archief = archief[: archief.index("</section>")]
    # the first scheduled imports are spread over the first minute after start
    assert 'Next import</dt>\n    <dd><time datetime="2090-01-02T12:00:' in archief
    assert "not scheduled" not in archief
    lakenhal = html[html.index('id="source-lakenhal"') :]
    assert "not scheduled" in lakenhal[: lakenhal.index("</section>")]  # not in the sources file


def test_a_configured_session_secret_is_shared_by_app_instances(tmp_path) -> None:
    from litestar.testing import TestClient

    from agenda.app import create_app
    from agenda.config import Settings
    from agenda.partners.accounts import add_partner
    from agenda.store.database import Store

    db = tmp_path / "a.db"
    store = Store.open(db)
    _, key = add_partner(store, "Lakenhal", "lakenhal", "partner", datetime(2027, 1, 1, tzinfo=UTC))
    store.close()
    settings = Settings(db=str(db), session_secret="one secret for every worker")
    with TestClient(create_app(settings)) as first:
        first.post("/partners/login", data={"key": key}, follow_redirects=False)
        cookie = first.cookies.get("regio_session")
    assert cookie
    with TestClient(create_app(settings)) as second:  # another worker, or after a restart
        second.cookies.set("regio_session", cookie, path="/partners")
        assert second.get("/partners/planner", follow_redirects=False).status_code == 200
    with TestClient(create_app(Settings(db=str(db)))) as other:
        other.cookies.set("regio_session", cookie, path="/partners")
        assert other.get("/partners/planner", follow_redirects=False).status_code == 303


def test_a_signed_out_session_cookie_no_longer_works(world: dict) -> None:
    client = world["client"]
    csrf = sign_in(client, world["partner"])
    copied = client.cookies.get("regio_session")  # e.g. kept by someone at a shared computer
    assert copied
    out = client.post("/partners/logout", data={"csrf": csrf}, follow_redirects=False)
    assert out.status_code == 303
    client.cookies.clear()
    client.cookies.set("regio_session", copied, path="/partners")
    again = client.get("/partners/planner", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"].startswith("/partners/login")
    # signing in again gives a fresh session that works
    client.cookies.clear()
    sign_in(client, world["partner"])
    assert client.get("/partners/planner").status_code == 200
