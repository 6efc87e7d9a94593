"""The planner as a marketer uses it (TestClient): holds seen by every partner and counted
by the clash radar, clash levels in words, exports for Excel and newsletters."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date, datetime, time

import pytest
from browser import CLOCK
from litestar.testing import TestClient
from openpyxl import load_workbook
from test_browser_partner_pages import SECRET, seed

from agenda.app import create_app
from agenda.config import Settings
from agenda.errors import InvalidSubmissionError
from agenda.partners.accounts import add_partner, audit_log
from agenda.partners.clashes import clash_level
from agenda.partners.holds import parse_hold
from agenda.store.database import Store


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    db = tmp_path_factory.mktemp("planner") / "agenda.db"
    coordinator = seed(db)
    store = Store.open(db)
    _, theatre = add_partner(store, "Marketing Schouwburg", "schouwburg", "partner", CLOCK)
    _, museum = add_partner(store, "Marketing Lakenhal", "lakenhal", "partner", CLOCK)
    store.close()
    app = create_app(Settings(db=str(db), generation_check=0, base_url="https://agenda.example"),
                     clock=lambda: CLOCK)  # fmt: skip
    with TestClient(app) as client:
        yield {"client": client, "db": db, "theatre": theatre, "museum": museum,
               "coordinator": coordinator}  # fmt: skip


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def sign_in(client: TestClient, key: str) -> str:
    client.cookies.clear()
    client.post("/partners/login", data={"key": key, "next": "/partners/planner"})
    page = client.get("/partners/holds").text
    return re.search(r'name="csrf" value="([^"]+)"', page)[1]  # type: ignore[index]


def test_clash_levels_in_words() -> None:
    assert [clash_level(s) for s in (13.5, 9, 7, 6.5, 4, 3.75, 0.5)] == [
        "strong", "strong", "strong", "moderate", "moderate", "light", "light"]  # fmt: skip


def test_hold_validation_names_every_bad_field() -> None:
    today = date(2027, 1, 20)
    with pytest.raises(InvalidSubmissionError) as caught:
        parse_hold({"day": "2027-01-10", "time": "25:00", "category": "kermis", "city": "Paris",
                    "audience": "aliens", "expires": "2027-02-01", "colour": "red"}, today)  # fmt: skip
    fields = {e["field"] for e in caught.value.errors}
    assert fields == {"day", "time", "category", "city", "audience", "expires", "colour"}
    with pytest.raises(InvalidSubmissionError) as late:
        parse_hold({"day": "2027-02-01", "category": "Concert", "city": "Leiden",
                    "expires": "2027-02-02"}, today)  # fmt: skip
    assert [e["field"] for e in late.value.errors] == ["expires"]
    ok = parse_hold({"day": "2027-02-01", "category": "Klassiek", "city": "'s-Gravenhage"}, today)
    assert ok["category"] == "classical" and ok["city"] == "Den Haag"
    assert ok["expires"] == date(2027, 2, 1)  # a hold expires on its own day by default


def test_a_hold_of_one_partner_shows_for_another_in_the_planner_and_the_clash_radar(
    world: dict,
) -> None:
    client = world["client"]
    hold = {"day": "2027-01-28", "time": "20:00", "category": "concert", "city": "Leiden",
            "title": "Premiere Stadsorkest", "expires": "2027-01-27"}  # fmt: skip
    made = client.post("/api/partner/holds", json=hold, headers=bearer(world["theatre"]))
    assert made.status_code == 201, made.text
    hold_id = made.json()["id"]
    bad = client.post("/api/partner/holds", json={**hold, "city": "Utrecht"},
                      headers=bearer(world["theatre"]))  # fmt: skip
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "city"
    assert client.post("/api/partner/holds", json=hold).status_code == 401
    seen = client.get("/api/partner/holds", headers=bearer(world["museum"])).json()["holds"]
    assert [h["title"] for h in seen] == ["Premiere Stadsorkest"]
    # the clash radar, with the other partner's key: the hold is there, marked as a hold
    query = "/api/clashes?start=2027-01-28T20:15%2B01:00&city=Leiden&category=concert"
    clashes = client.get(query, headers=bearer(world["museum"])).json()["clashes"]
    holds = [c for c in clashes if c["hold"]]
    assert len(holds) == 1 and holds[0]["hold"]["institution"] == "schouwburg"
    assert holds[0]["event"]["id"] == f"hold-{hold_id}" and holds[0]["level"] == "strong"
    assert {c["level"] for c in clashes} <= {"strong", "moderate", "light"}
    assert all("score" in c for c in clashes)
    # the public radar knows nothing of holds
    assert not [c for c in client.get(query).json()["clashes"] if c["hold"]]
    # the other partner's planner: the hold by its title, in the day, in the clash
    sign_in(client, world["museum"])
    month = client.get("/partners/planner?date=2027-01-01").text
    day = month[month.index('id="d-2027-01-28"') :]
    day = day[: day.index("</li>\n      \n")] if "</li>\n      \n" in day else day[:6000]
    assert "Optie: Premiere Stadsorkest" in day and "optie van Marketing Schouwburg" in day
    assert "Botsing (sterk): Concert, pop en jazz in Leiden" in day
    check = client.get("/partners/planner?check_date=2027-01-28&check_time=20:00"
                       "&check_city=Leiden&check_category=concert").text  # fmt: skip
    table = check[check.index("clash-table") :]
    assert "Optie: Premiere Stadsorkest" in table and ">sterk<" in table
    assert not re.search(r"<td>\d+(\.\d+)?</td>", table)  # no raw scores
    english = client.get("/partners/planner?check_date=2027-01-28&check_time=20:00"
                         "&check_city=Leiden&check_category=concert&lang=en").text  # fmt: skip
    assert ">strong<" in english and "Hold: Premiere Stadsorkest" in english
    # the museum may not remove the theatre's hold; the theatre turns it into an event
    csrf = sign_in(client, world["museum"])
    gone = client.post("/partners/holds/remove", data={"csrf": csrf, "hold": str(hold_id)})
    assert "Die optie bestaat niet meer of is niet van jullie." in gone.text
    page = client.get("/partners/holds").text
    assert f"/partners/events/new?from_hold={hold_id}" not in page
    sign_in(client, world["theatre"])
    assert f"/partners/events/new?from_hold={hold_id}" in client.get("/partners/holds").text
    event = {"title": "Premiere Stadsorkest", "start": "2027-01-28T20:00:00+01:00",
             "city": "Leiden", "categories": ["concert"], "visibility": "partners",
             "from_hold": hold_id}  # fmt: skip
    assert client.post("/api/partner/events", json=event,
                       headers=bearer(world["theatre"])).status_code == 201  # fmt: skip
    assert client.get("/api/partner/holds", headers=bearer(world["museum"])).json()["holds"] == []
    store = Store.open(world["db"])
    actions = [row["action"] for row in audit_log(store)]
    store.close()
    assert "hold.create" in actions and "hold.remove" in actions


def test_holds_page_makes_and_removes_a_hold_with_csrf(world: dict) -> None:
    client = world["client"]
    csrf = sign_in(client, world["museum"])
    fields = {"day": "2027-02-10", "category": "lecture", "city": "Leiden",
              "title": "Avondlezing"}  # fmt: skip
    assert client.post("/partners/holds", data=fields).status_code == 403  # no CSRF token
    made = client.post("/partners/holds", data={**fields, "csrf": csrf})
    assert "Optie opgeslagen." in made.text and "Avondlezing" in made.text
    bad = client.post("/partners/holds", data={"csrf": csrf, "day": "2027-01-01",
                                               "category": "lecture", "city": "Leiden"})  # fmt: skip
    assert bad.status_code == 400 and "Kies een datum vanaf vandaag." in bad.text
    assert (
        'id="h-day" name="day" type="date" required min="2027-01-20" value="2027-01-01" aria-invalid="true"'
        in bad.text
    )
    hold_id = re.search(r'name="hold" value="(\d+)"', made.text)[1]  # type: ignore[index]
    removed = client.post("/partners/holds/remove", data={"csrf": csrf, "hold": hold_id})
    assert "Optie weggehaald." in removed.text and "Avondlezing" not in removed.text


def test_month_shows_titles_and_exhibitions_as_bands(world: dict) -> None:
    client = world["client"]
    sign_in(client, world["museum"])
    month = client.get("/partners/planner?date=2027-01-01").text
    # the exhibition (from 10 January): one band per week row, never inside a day
    assert month.count(">Rembrandt &amp; Lievens</a>") == 4  # weeks from 10 January on
    days = re.findall(r'<li id="d-2027-01-\d\d".*?</li>\n', month, re.S)
    assert days and not any("Rembrandt" in d for d in days)
    day = month[month.index('id="d-2027-01-28"') :][:4000]
    assert SECRET in day and "Avondconcert Pieterskerk" in day
    assert re.search(r"botst met [^<]*Avondconcert Pieterskerk", day)
    week = client.get("/partners/planner?view=week&date=2027-01-28").text
    assert week.count(">Rembrandt &amp; Lievens</a>") == 1  # one band on top of the week
    assert re.search(r'class="rp-item rp-r25 rp-l4 rp-lane1[^"]*"', week)  # 20:00, two hours


def test_dutch_csv_splits_into_columns_with_dates_and_times_apart(world: dict) -> None:
    client = world["client"]
    sign_in(client, world["museum"])
    response = client.get("/partners/planner.csv?date=2027-02-01")
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header, *body = rows
    assert header[:5] == ["datum", "begintijd", "einddatum", "eindtijd", "titel"]
    assert all(len(row) == len(header) for row in body)
    by_title = {row[4]: dict(zip(header, row, strict=True)) for row in body}
    lecture = by_title["Lezing: Leiden in de Gouden Eeuw"]
    assert lecture["datum"] == "2027-02-03" and lecture["begintijd"] == "20:00"
    expo = by_title["Rembrandt & Lievens"]
    assert expo["datum"] == "2027-01-10" and expo["einddatum"] == "2027-05-31"
    assert expo["begintijd"] == ""
    comma = client.get("/partners/planner.csv?date=2027-02-01&dialect=rfc4180")
    header = next(csv.reader(io.StringIO(comma.content.decode("utf-8-sig"))))
    assert header[:4] == ["date", "start", "end_date", "end"]
    assert client.get("/partners/planner.csv?dialect=tsv").status_code == 400


def test_xlsx_has_date_and_time_cells_and_a_sheet_per_theme(world: dict) -> None:
    client = world["client"]
    sign_in(client, world["museum"])
    response = client.get("/partners/planner.xlsx?date=2027-01-01")
    assert response.status_code == 200 and "spreadsheetml" in response.headers["content-type"]
    assert 'filename="planner-2027-01.xlsx"' in response.headers["content-disposition"]
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert sheet.title == "januari 2027"
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["datum", "begintijd", "einddatum", "eindtijd", "titel"]
    rows = {r[4]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    secret = rows[SECRET]
    assert isinstance(secret[0], datetime) and secret[0].date() == date(2027, 1, 28)
    assert secret[1] == time(20, 0)
    assert sheet["A2"].number_format == "dd-mm-yyyy" and sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["E"].width == 48


def test_programme_prints_and_pastes_into_a_newsletter(world: dict) -> None:
    client = world["client"]
    sign_in(client, world["museum"])
    page = client.get("/partners/programme?date=2027-02-01&city=Leiden")
    assert page.status_code == 200
    html = page.text
    assert "Programma februari 2027" in html and "Week 5:" in html
    assert "Lezing: Leiden in de Gouden Eeuw" in html and "Kinderworkshop" not in html
    assert "/static/placeholder-" in html and "planner.css" in html
    email = client.get("/partners/programme?date=2027-02-01&city=Leiden&format=email")
    assert email.status_code == 200 and "style-src 'unsafe-inline'" in email.headers[
        "content-security-policy"]  # fmt: skip
    body = email.text
    assert '<table role="presentation"' in body and "<script" not in body
    assert 'src="https://agenda.example/static/placeholder-' in body
    assert 'href="https://agenda.example/events/' in body and "stylesheet" not in body
    assert client.get("/partners/programme?format=pdf").status_code == 400


def test_api_removes_only_its_own_holds(world: dict) -> None:
    client = world["client"]
    hold = {"day": "2027-03-01", "category": "dance", "city": "Delft"}
    made = client.post("/api/partner/holds", json=hold, headers=bearer(world["theatre"])).json()
    path = f"/api/partner/holds/{made['id']}"
    assert client.delete(path, headers=bearer(world["museum"])).status_code == 403
    assert (
        client.delete("/api/partner/holds/abc", headers=bearer(world["theatre"])).status_code == 404
    )
    assert client.delete(path, headers=bearer(world["theatre"])).json() == {
        "id": made["id"], "removed": True}  # fmt: skip
    assert client.delete(path, headers=bearer(world["theatre"])).status_code == 404


def test_the_event_form_starts_from_a_hold_and_ends_it(world: dict) -> None:
    client = world["client"]
    hold = {"day": "2027-02-11", "time": "20:30", "category": "theatre", "city": "Leiden",
            "title": "Voorstelling in optie", "expires": "2027-02-01"}  # fmt: skip
    made = client.post("/api/partner/holds", json=hold, headers=bearer(world["theatre"]))
    assert made.status_code == 201, made.text
    hold_id = made.json()["id"]
    sign_in(client, world["museum"])  # another institution's hold fills in nothing
    other = client.get(f"/partners/events/new?from_hold={hold_id}").text
    assert "Voorstelling in optie" not in other and 'name="from_hold"' not in other
    csrf = sign_in(client, world["theatre"])
    form = client.get(f"/partners/events/new?from_hold={hold_id}").text
    assert 'value="Voorstelling in optie"' in form and 'value="2027-02-11T20:30"' in form
    assert f'name="from_hold" value="{hold_id}"' in form
    saved = client.post("/partners/events/new", data={
        "csrf": csrf, "from_hold": str(hold_id), "title": "Voorstelling in optie",
        "start": "2027-02-11T20:30", "city": "Leiden", "categories": "theatre",
        "visibility": "partners"}, follow_redirects=False)  # fmt: skip
    assert saved.status_code == 303, saved.text[:500]
    holds = client.get("/api/partner/holds", headers=bearer(world["theatre"])).json()["holds"]
    assert all(h["id"] != hold_id for h in holds)  # the pencilled-in date became the event
