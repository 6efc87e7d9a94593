"""importers.spreadsheet: marketing spreadsheets as CSV (and .xlsx) with every quirk we know."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agenda.model import Listing, SourceConfig
from importers.base import ParseResult
from importers.errors import ParseError
from importers.spreadsheet import parse

CSV = Path(__file__).parent / "fixtures" / "csv"
NOW = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)


def source(**overrides: object) -> SourceConfig:
    values: dict[str, object] = {
        "id": "themajaar",
        "name": "Themajaar",
        "format": "csv",
        "url": "https://programma.example/export.csv",
        "kind": "aggregator",
        "city": "Leiden",
        "language": "nl",
    }
    values.update(overrides)
    return SourceConfig(**values)  # type: ignore[arg-type]


def read(name: str, **overrides: object) -> ParseResult:
    return parse((CSV / name).read_bytes(), source(**overrides), NOW)


def by_title(result: ParseResult) -> dict[str, Listing]:
    return {listing.title: listing for listing in result.listings}


def instant(moment: datetime | None) -> datetime:
    assert moment is not None
    return moment.astimezone(UTC)


def local(listing: Listing) -> tuple[str, str | None]:
    """Start and end as ISO text with their offsets (what an export shows)."""
    assert listing.start is not None
    return listing.start.isoformat(), listing.end.isoformat() if listing.end else None


# -- real files (The Events Calendar's CSV import test files) ---------------------------


def test_real_tec_timezones_file_month_first_and_zone_column() -> None:
    result = read("tec_csv_import_events_timezones.csv")
    assert len(result.listings) == 4
    listings = by_title(result)
    # "TRUE" and "Yes" in All Day Event: all-day, times ignored; 11/19/2014 is month-first.
    limo = listings["Five Star Limousines Of Tx Inc"]
    assert (limo.start_date, limo.end_date) == (date(2014, 11, 19), date(2014, 11, 19))
    assert limo.categories == ("Convention", "Conference")
    assert (limo.price, limo.is_free) == ("76", False)
    assert listings["Ankh-Sto Associates"].start_date == date(2014, 11, 25)
    # Atlantic/Bermuda in November is UTC-4; Europe/Nicosia is UTC+2.
    mccaleb = listings["Mccaleb, John A Esq"]
    assert instant(mccaleb.start) == datetime(2014, 11, 10, 13, 30, tzinfo=UTC)
    marriott = listings["Marriott Hotels Resorts Suites"]
    assert instant(marriott.start) == datetime(2014, 11, 10, 19, 45, tzinfo=UTC)
    assert marriott.is_free is True  # cost "0"
    assert [p.message for p in result.problems] == [
        "columns not used: Event Show Map Link, Event Show Map"
    ]


def test_real_tec_ragged_rows_import_without_crashing() -> None:
    result = read("tec_csv_import_events_ragged_rows.csv")
    assert len(result.listings) == 4
    listings = by_title(result)
    # No timezone column: Amsterdam. "0" and "FALSE" in All Day Event are timed.
    assert local(listings["Mccaleb, John A Esq"]) == (
        "2014-11-10T09:30:00+01:00",
        "2014-11-10T17:30:00+01:00",
    )
    assert listings["Five Star Limousines Of Tx Inc"].url == "http://theaveragedev.com"
    messages = [p.message for p in result.problems]
    assert any("rows 2:" in m and "more fields than the header" in m for m in messages)
    assert any(m.startswith("columns not used:") and "Hide" in m for m in messages)
    assert all(p.severity == "warning" for p in result.problems)


# -- encodings and delimiters -----------------------------------------------------------


def test_semicolon_with_utf8_bom_and_dutch_headers() -> None:
    result = read("nl_semicolon_bom_dutch_dates.csv")
    listings = {x.external_id: x for x in result.listings}
    opening = listings["RJ-01"]  # the BOM is not part of the first header name "ID"
    assert opening.title == "Opening: Rembrandt & Lievens"
    assert local(opening) == ("2027-01-29T20:00:00+01:00", "2027-01-29T22:00:00+01:00")
    assert (opening.venue_name, opening.address, opening.postcode, opening.city) == (
        "Museum De Lakenhal",
        "Oude Singel 32",
        "2312 RA",
        "Leiden",
    )
    assert (opening.price, opening.is_free) == ("Gratis", True)
    assert opening.url == "https://programma.example/opening"
    assert listings["RJ-02"].categories == ("tentoonstelling", "familie")
    assert listings["RJ-07"].city == "Leiden"  # from "Steenstraat 1, 2312 BS Leiden"
    assert listings["RJ-07"].address == "Steenstraat 1"


def test_tab_delimited_utf16_with_english_headers() -> None:
    result = read("en_tab_utf16le_bom.csv")
    listings = by_title(result)
    cafe = listings["Café Chantant"]
    assert local(cafe) == ("2027-04-10T20:30:00+02:00", "2027-04-10T23:00:00+02:00")
    assert (cafe.venue_name, cafe.city) == ("De Nieuwe Liefde", "Den Haag")
    assert cafe.description == "Chansons en ëten"
    # "Sunday, April 11, 2027" with "2:30 PM".
    assert local(listings["Sunday Matinée"]) == (
        "2027-04-11T14:30:00+02:00",
        "2027-04-11T16:00:00+02:00",
    )
    assert result.problems == ()


def test_utf16_without_bom_is_read_too() -> None:
    body = (CSV / "en_tab_utf16le_bom.csv").read_bytes()[2:]
    assert len(parse(body, source(), NOW).listings) == 2


def test_windows_1252_accents() -> None:
    result = read("nl_cp1252_accents.csv")
    titles = [x.title for x in result.listings]
    assert titles == ["Café-concert: Debussy & Satie", "Poëzieavond"]
    first = result.listings[0]
    assert first.venue_name == "Théâtre Ëxpo"
    assert first.description == "Pianorecital, met koffie en crème brûlée"
    assert result.listings[1].venue_name == "Zaal België"


def test_excel_sep_hint_line() -> None:
    body = b"sep=;\r\ntitel;datum\r\nConcert;01-02-2027\r\nKapot;99-99-2027\r\n"
    result = parse(body, source(), NOW)
    assert [x.title for x in result.listings] == ["Concert"]
    assert result.problems[0].message.startswith("row 3, column datum:")


def test_sheet_title_above_the_header() -> None:
    body = b"Programma voorjaar 2027;;\ntitel;datum;tijd\nConcert;01-02-2027;20:00\n"
    result = parse(body, source(), NOW)
    assert [x.title for x in result.listings] == ["Concert"]


# -- dates and times --------------------------------------------------------------------


def test_dutch_and_numeric_date_notations() -> None:
    listings = {x.external_id: x for x in read("nl_semicolon_bom_dutch_dates.csv").listings}
    assert listings["RJ-03"].start is not None
    assert listings["RJ-03"].start.date() == date(2027, 2, 9)  # "9-2-27"
    assert local(listings["RJ-04"])[0] == "2019-11-03T15:00:00+01:00"  # "zo 3 november 2019"
    assert local(listings["RJ-05"]) == (  # "3 nov 2019"
        "2019-11-03T11:30:00+01:00",
        "2019-11-03T13:00:00+01:00",
    )
    assert local(listings["RJ-07"])[0] == "2027-10-12T12:30:00+02:00"  # ISO
    assert listings["RJ-09"].start_date == date(2027, 3, 1)  # "maandag 1 maart 2027", no time


def test_no_time_is_all_day_with_inclusive_end() -> None:
    listings = {x.external_id: x for x in read("nl_semicolon_bom_dutch_dates.csv").listings}
    expo = listings["RJ-02"]
    assert (expo.start, expo.start_date, expo.end_date) == (
        None,
        date(2027, 1, 30),
        date(2027, 5, 21),
    )
    festival = listings["RJ-10"]
    assert (festival.start_date, festival.end_date) == (date(2027, 8, 13), date(2027, 8, 15))
    assert listings["RJ-09"].end_date is None


def test_end_time_before_start_time_ends_the_next_day() -> None:
    night = {x.external_id: x for x in read("nl_semicolon_bom_dutch_dates.csv").listings}["RJ-06"]
    assert local(night) == ("2027-05-22T19:00:00+02:00", "2027-05-23T01:00:00+02:00")


def test_every_time_notation() -> None:
    listings = by_title(read("time_notations.csv"))
    expected = {
        "Colon": ("20:00", "22:00"),
        "Dot": ("20:00", "22:15"),
        "Bare u": ("20:00", "22:00"),
        "u with minutes": ("20:30", "22:45"),
        "Uur word": ("20:00", "22:00"),
        "PM": ("20:00", "22:30"),
        "Seconds": ("07:30", "09:30"),
        "Range in one cell": ("20:00", "22:30"),
        "Noon AM PM": ("12:00", "12:30"),
        "No end": ("19:45", None),
    }
    for title, (start, end) in expected.items():
        listing = listings[title]
        assert listing.start is not None, title
        assert listing.start.strftime("%H:%M") == start, title
        assert listing.start.date() == date(2027, 3, 10), title
        assert (listing.end.strftime("%H:%M") if listing.end else None) == end, title
    late = listings["Past midnight"]
    assert local(late) == ("2027-03-10T22:00:00+01:00", "2027-03-11T01:30:00+01:00")
    midnight = listings["Until midnight"]
    assert local(midnight)[1] == "2027-03-11T00:00:00+01:00"  # "24:00"


def test_times_across_the_dst_change_keep_their_instants() -> None:
    body = b"titel;datum;begintijd;eindtijd\nNacht;27-03-2027;23:00;04:00\nHerfst;30-10-2027;23:00;04:00\n"
    result = parse(body, source(), NOW)
    spring, autumn = result.listings
    assert instant(spring.end) - instant(spring.start) == timedelta(hours=4)
    assert instant(autumn.end) - instant(autumn.start) == timedelta(hours=6)
    assert instant(spring.end) == datetime(2027, 3, 28, 2, 0, tzinfo=UTC)


def test_month_first_detected_per_column_and_day_first_by_default() -> None:
    month_first = b"title,date\nA,03/04/2027\nB,11/19/2027\n"
    assert [x.start_date for x in parse(month_first, source(), NOW).listings] == [
        date(2027, 3, 4),
        date(2027, 11, 19),
    ]
    day_first = b"title,date\nA,03/04/2027\nB,19/11/2027\n"
    assert [x.start_date for x in parse(day_first, source(), NOW).listings] == [
        date(2027, 4, 3),
        date(2027, 11, 19),
    ]
    unsure = b"title,date\nA,03/04/2027\n"
    assert parse(unsure, source(), NOW).listings[0].start_date == date(2027, 4, 3)


def test_placeholder_times_mean_no_time() -> None:
    body = b"titel;datum;begintijd;eindtijd\nA;01-02-2027;hele dag;\nB;02-02-2027;20:00;n.t.b.\n"
    first, second = parse(body, source(), NOW).listings
    assert (first.start, first.start_date) == (None, date(2027, 2, 1))
    assert local(second) == ("2027-02-02T20:00:00+01:00", None)


def test_date_without_year_is_the_coming_one() -> None:
    body = b"titel;datum\nA;3 november\nB;5 januari\n"
    assert [x.start_date for x in parse(body, source(), NOW).listings] == [
        date(2027, 11, 3),
        date(2027, 1, 5),
    ]


# -- problems ---------------------------------------------------------------------------


def test_bad_date_row_is_a_problem_with_row_and_column_and_others_import() -> None:
    result = read("nl_semicolon_bom_dutch_dates.csv")
    errors = [p for p in result.problems if p.severity == "error"]
    assert [p.message for p in errors] == [
        "row 9, column Datum: date '31-02-2027' does not exist",
        "row 13, column Begin tijd: time '25:00' does not exist",
    ]
    assert [(p.field, p.external_id) for p in errors] == [
        ("Datum", "RJ-08"),
        ("Begin tijd", "RJ-11"),
    ]
    # 13 data rows, one of them blank, two broken: the other ten import.
    assert len(result.listings) == 10


def test_unknown_column_is_one_warning() -> None:
    result = read("nl_semicolon_bom_dutch_dates.csv")
    unknown = [p for p in result.problems if "columns not used" in p.message]
    assert len(unknown) == 1
    assert unknown[0].message == "columns not used: Opmerkingen intern"
    assert unknown[0].severity == "warning"


def test_external_id_from_id_column_else_a_stable_content_hash() -> None:
    first = read("nl_semicolon_bom_dutch_dates.csv")
    again = read("nl_semicolon_bom_dutch_dates.csv")
    hashed = [x.external_id for x in first.listings if x.title == "Geen id, wel inhoud"]
    assert len(hashed) == 1 and len(hashed[0]) == 20
    assert [x.external_id for x in first.listings] == [x.external_id for x in again.listings]


def test_repeated_row_is_kept_once() -> None:
    body = b"titel,datum,tijd\nConcert,01-02-2027,20:00\nConcert,01-02-2027,20:00\n"
    result = parse(body, source(), NOW)
    assert len(result.listings) == 1
    assert result.problems[0].message == "row 3 repeats row 2; kept row 2"


def test_formula_cells_stay_plain_text_and_never_links() -> None:
    result = read("formula_cells_ragged_rows.csv")
    titles = [x.title for x in result.listings]
    assert titles[0] == '=HYPERLINK("http://evil.example","klik")'
    assert titles[1] == "@SUM(1+1)"
    first, second = result.listings[0], result.listings[1]
    assert first.url is None
    assert first.description == "+cmd|' /C calc'!A0"
    assert second.description == "-2+3"
    assert second.url == "https://ok.example/a"
    assert by_title(result)["Relatieve link"].url is None
    assert all("evil" not in (x.url or "") for x in result.listings)


def test_ragged_rows_more_and_fewer_fields() -> None:
    result = read("formula_cells_ragged_rows.csv")
    listings = by_title(result)
    assert listings["Te veel velden"].url == "https://ok.example/b"
    assert listings["Te weinig velden"].start_date == date(2027, 4, 15)
    messages = [p.message for p in result.problems]
    assert "rows 4: more fields than the header; extra ignored" in messages


def test_status_and_language_columns() -> None:
    body = (
        b"titel;datum;status;taal\n"
        b"Concert;01-02-2027;Geannuleerd;Engels\n"
        b"Lezing;02-02-2027;uitgesteld;\n"
        b"[AFGELAST] Workshop;03-02-2027;;nl\n"
    )
    listings = parse(body, source(), NOW).listings
    assert [x.status for x in listings] == ["cancelled", "postponed", "cancelled"]
    assert [x.language for x in listings] == ["en", "nl", "nl"]


@pytest.mark.parametrize(
    "body",
    [
        b"<!DOCTYPE html><html><body><table><tr><td>titel</td></tr></table></body></html>",
        b'{"events": []}',
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00",
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\x01\x02\x03\x04\x05\x06\x07",
        b"just some words\nwith no header row at all\n",
        b"",
        b"PK\x03\x04this is not really a workbook",
    ],
)
def test_not_a_spreadsheet_is_a_parse_error(body: bytes) -> None:
    with pytest.raises(ParseError):
        parse(body, source(), NOW)


# -- xlsx -------------------------------------------------------------------------------


def test_xlsx_first_sheet_read_with_the_same_header_logic() -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Programma 2027"])
    sheet.append(["Titel", "Datum", "Begintijd", "Einddatum", "Link", "Prijs"])
    sheet.append(
        ["Opening", datetime(2027, 1, 29), "20:00", None, '=HYPERLINK("http://e.x","x")', 0]
    )
    sheet.append(["Tentoonstelling", date(2027, 1, 30), None, datetime(2027, 5, 21), None, 17.5])
    sheet.append(["Kapot", "31-02-2027", "19:30", None, None, None])
    buffer = io.BytesIO()
    book.save(buffer)
    result = parse(buffer.getvalue(), source(), NOW)
    listings = by_title(result)
    assert local(listings["Opening"]) == ("2027-01-29T20:00:00+01:00", None)
    assert listings["Opening"].url is None  # a formula is never a link
    assert listings["Opening"].is_free is True
    expo = listings["Tentoonstelling"]
    assert (expo.start_date, expo.end_date, expo.price) == (
        date(2027, 1, 30),
        date(2027, 5, 21),
        "17.5",
    )
    errors = [p.message for p in result.problems if p.severity == "error"]
    assert errors == ["row 5, column Datum: date '31-02-2027' does not exist"]


# -- hostile input ----------------------------------------------------------------------

CELLS = st.sampled_from(
    ["", "20:00", "8 PM", "31-02-2027", "3 nov 2019", "=1+1", "x", '"', ";", "\n", "2027-13-01"]
) | st.text(max_size=12)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(st.lists(CELLS, max_size=8), max_size=6), sep=st.sampled_from([",", ";", "\t"])
)
def test_any_rows_under_a_good_header_give_listings_or_problems(
    rows: list[list[str]], sep: str
) -> None:
    lines = [sep.join(["titel", "datum", "begintijd", "eindtijd", "link"])]
    lines += [sep.join(row) for row in rows]
    try:
        parse("\n".join(lines).encode(), source(), NOW)
    except ParseError:
        return  # a body made of junk may also be judged not to be a spreadsheet at all


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=300))
def test_any_bytes_give_a_result_or_a_parse_error(data: bytes) -> None:
    try:
        parse(data, source(), NOW)
    except ParseError:
        return
