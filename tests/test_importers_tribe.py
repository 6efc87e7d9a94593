"""importers.tribe: The Events Calendar REST API pages, site-root discovery, odd shapes."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agenda.model import Listing, SourceConfig
from importers.base import ParseResult
from importers.errors import ParseError
from importers.tribe import free_from_cost, parse, status_from_text, zone_from_name

JSON = Path(__file__).parent / "fixtures" / "json"
NOW = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)
API = "https://theater.example/wp-json/tribe/events/v1/events"


def source(**overrides: object) -> SourceConfig:
    values: dict[str, object] = {
        "id": "theater",
        "name": "Theater Voorbeeld",
        "format": "tribe",
        "url": API,
        "city": "Leiden",
        "venue": "Theater Voorbeeld",
        "language": "nl",
    }
    values.update(overrides)
    return SourceConfig(**values)  # type: ignore[arg-type]


def read(name: str, url: str | None = API, **overrides: object) -> ParseResult:
    return parse((JSON / name).read_bytes(), source(**overrides), NOW, url=url)


def instant(moment: datetime | None) -> datetime:
    """The UTC instant: aware datetimes in one ZoneInfo subtract and compare by wall clock
    (and PEP 495 makes a repeated-hour time unequal to every other zone), so convert first."""
    assert moment is not None
    return moment.astimezone(UTC)


def by_id(result: ParseResult) -> dict[str, Listing]:
    return {listing.external_id: listing for listing in result.listings}


# -- real files -------------------------------------------------------------------------


def test_real_tec_snapshot_placeholder_ids_all_import_with_distinct_ids() -> None:
    result = read("tribe_rest_v1_events_archive.json", url=None)
    assert len(result.listings) == 5
    ids = [listing.external_id for listing in result.listings]
    # "{EVENT_ID}" is a snapshot placeholder, not an id: each event's own page names it.
    assert len(set(ids)) == 5
    assert ids[0] == "http://wordpress.test/?tribe_events=test-event-1"
    first = result.listings[0]
    assert first.title == "Test Event 1"
    assert first.start == datetime(2024, 7, 14, 12, 0, tzinfo=UTC)
    assert first.end == datetime(2024, 7, 14, 14, 0, tzinfo=UTC)
    # all_day null and false are both timed; venue [] falls back to the source default.
    assert all(listing.start is not None for listing in result.listings)
    assert first.venue_name == "Theater Voorbeeld"
    assert first.city == "Leiden"
    assert first.image is None
    assert result.follow == ()
    assert result.problems == ()


def test_real_event_aggregator_response_gives_listings() -> None:
    result = read("tribe_event_aggregator_gcal_import_juneau_excerpt.json")
    assert len(result.listings) == 60
    ids = by_id(result)
    first = ids["56499fd6p2slkhds1lk8ch45a4@google.com0"]
    # "all_day": "yes" encoded as 00:01-23:59 is one all-day date.
    assert (first.start_date, first.end_date) == (date(2017, 8, 23), date(2017, 8, 23))
    tour = ids["ov8ql4svc47eeomupsvlvvfkm4@google.com-2017-08-23 10:00:00 America/Anchorage"]
    assert tour.start == datetime(2017, 8, 23, 18, 0, tzinfo=UTC)  # 10:00 AKDT
    assert tour.end == datetime(2017, 8, 24, 1, 0, tzinfo=UTC)
    assert tour.venue_name == "Wickersham State Historic Site"
    karaoke = next(x for x in result.listings if x.title == "AbbyOke Karaoke")
    assert karaoke.venue_name == "McGivney's Sports Bar & Grill"  # &amp; unescaped
    assert karaoke.latitude == pytest.approx(58.3715771)


def test_real_meetup_event_is_a_clear_parse_error() -> None:
    with pytest.raises(ParseError, match="Meetup"):
        read("meetup_api_event_with_venue.json")


# -- hand-written quirks ----------------------------------------------------------------


def test_all_day_null_false_true_and_yes() -> None:
    listings = by_id(read("tribe_quirks_allday_venue_entities.json"))
    assert listings["101"].start is not None  # all_day: null
    assert listings["104"].start is not None  # all_day: false
    dino = listings["102"]  # all_day: true, 00:00:00 .. 23:59:59 on one day
    assert (dino.start_date, dino.end_date, dino.start) == (
        date(2027, 5, 23),
        date(2027, 5, 23),
        None,
    )
    expo = listings["103"]  # all_day: "yes" over two months, end inclusive
    assert (expo.start_date, expo.end_date) == (date(2027, 5, 13), date(2027, 7, 21))


def test_venue_object_versus_empty_array() -> None:
    listings = by_id(read("tribe_quirks_allday_venue_entities.json"))
    bach = listings["101"]
    assert bach.venue_name == "Stadsgehoorzaal Leiden"
    assert (bach.address, bach.postcode, bach.city) == ("Breestraat 60", "2311 CS", "Leiden")
    assert bach.latitude == pytest.approx(52.1589)
    assert bach.longitude == pytest.approx(4.4878)  # given as a string
    dino = listings["102"]  # "venue": []
    assert (dino.venue_name, dino.city, dino.address) == ("Theater Voorbeeld", "Leiden", None)
    expo = listings["103"]  # postcode only inside the address
    assert expo.postcode == "2312 RA"


def test_html_entities_description_and_fields() -> None:
    listings = by_id(read("tribe_quirks_allday_venue_entities.json"))
    bach = listings["101"]
    assert bach.title == "Bach & Händel – Holland Baroque"
    assert listings["102"].title == "Familiedag. Dino’s"
    assert "<script" not in bach.description and "onclick" not in bach.description
    assert "<strong>meesterwerken</strong>" in bach.description
    assert bach.categories == ("Klassiek", "Rembrandt en de Gouden Eeuw")
    assert bach.organizer == "Holland Baroque"
    assert listings["104"].organizer == "Studium Generale"  # an object, not a list
    assert bach.image == "https://theater.example/wp-content/uploads/bach.jpg"
    assert bach.url == "https://theater.example/event/101/"
    assert bach.language == "nl"


def test_cost_and_free() -> None:
    listings = by_id(read("tribe_quirks_allday_venue_entities.json"))
    assert (listings["101"].price, listings["101"].is_free) == ("€ 25,00 - € 45,00", False)
    assert listings["102"].is_free is True  # "Gratis"
    assert listings["103"].is_free is True  # "0"
    assert listings["104"].is_free is None  # "Gratis met museumkaart": not for everyone
    assert free_from_cost("Free") is True
    assert free_from_cost("") is None


def test_cancelled_by_title_or_category() -> None:
    listings = by_id(read("tribe_quirks_allday_venue_entities.json"))
    assert listings["105"].status == "cancelled"  # "Geannuleerd: ..."
    assert listings["106"].status == "cancelled"  # category "Cancelled"
    assert listings["101"].status == "scheduled"
    assert status_from_text("[AFGELAST] Workshop") == "cancelled"
    assert status_from_text("Uitgesteld: concert") == "postponed"
    assert status_from_text("GEANNULEERD Concert") == "cancelled"
    assert status_from_text("Cancelled Flights, a play") is None  # a title, not a marker
    assert status_from_text("Een avond") is None


def test_bad_events_are_problems_and_the_rest_import() -> None:
    result = read("tribe_quirks_allday_venue_entities.json")
    assert len(result.listings) == 6
    fields = {(p.external_id, p.field) for p in result.problems}
    assert fields == {("107", "title"), ("108", "start_date")}


def test_next_rest_url_is_followed_absolutised() -> None:
    result = read("tribe_quirks_allday_venue_entities.json")
    assert result.follow == (f"{API}?page=2",)


def test_next_rest_url_pointing_to_itself_is_not_followed() -> None:
    result = read("tribe_next_rest_url_self.json", url=f"{API}?page=3")
    assert result.follow == ()
    assert len(result.listings) == 1
    # Also when the caller's url differs in form but the page names itself as rest_url.
    assert read("tribe_next_rest_url_self.json", url=API).follow == ()


def test_relative_next_rest_url() -> None:
    body = json.dumps({"events": [], "next_rest_url": "?page=2"}).encode()
    result = parse(body, source(), NOW, url=f"{API}?page=1")
    assert result.follow == (f"{API}?page=2",)


# -- times ------------------------------------------------------------------------------


def test_utc_fields_give_exact_instants_across_spring_dst_change() -> None:
    night = by_id(read("tribe_dst_utc_vs_local.json"))["201"]
    assert instant(night.start) == datetime(2027, 3, 28, 0, 30, tzinfo=UTC)
    assert instant(night.end) == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert instant(night.end) - instant(night.start) == timedelta(hours=1)
    assert night.start.isoformat() == "2027-03-28T01:30:00+01:00"  # shown in local time
    assert night.end is not None and night.end.isoformat() == "2027-03-28T03:30:00+02:00"


def test_utc_fields_pick_the_right_repeated_hour_in_autumn() -> None:
    listings = by_id(read("tribe_dst_utc_vs_local.json"))
    first, second = listings["202"], listings["203"]
    assert instant(first.start) == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    assert instant(second.start) == datetime(2027, 10, 31, 1, 30, tzinfo=UTC)
    assert first.start is not None and second.start is not None
    assert first.start.isoformat() == "2027-10-31T02:30:00+02:00"
    assert second.start.isoformat() == "2027-10-31T02:30:00+01:00"


def test_local_times_without_utc_fields() -> None:
    listings = by_id(read("tribe_dst_utc_vs_local.json"))
    assert instant(listings["204"].start) == datetime(2027, 7, 1, 18, 0, tzinfo=UTC)
    assert instant(listings["205"].start) == datetime(2027, 1, 15, 19, 0, tzinfo=UTC)
    assert instant(listings["206"].start) == datetime(2027, 7, 1, 18, 0, tzinfo=UTC)  # "UTC+2"
    assert instant(listings["207"].start) == datetime(2027, 7, 1, 14, 30, tzinfo=UTC)  # "UTC+5.5"
    assert instant(listings["208"].start) == datetime(2027, 3, 20, 23, 0, tzinfo=UTC)  # NY, EDT


def test_zone_from_name_forms() -> None:
    assert zone_from_name("UTC") is UTC
    assert zone_from_name("UTC+3:30") == timezone(timedelta(hours=3, minutes=30))
    assert zone_from_name("UTC-5") == timezone(timedelta(hours=-5))
    assert zone_from_name("UTC+5.75") == timezone(timedelta(hours=5, minutes=45))
    assert str(zone_from_name("Europe/Amsterdam")) == "Europe/Amsterdam"
    assert zone_from_name("Mars/Olympus") is None
    assert zone_from_name("../../etc/passwd") is None
    assert zone_from_name("") is None


# -- site root and not-tribe documents --------------------------------------------------


def test_site_root_html_follows_the_wordpress_api_link_to_its_index() -> None:
    # Which of TEC's two APIs the site offers is in the REST index: read that next.
    result = read("tribe_site_root_wordpress.html", url="https://theater.example/agenda/")
    assert result.listings == () and result.problems == ()
    assert result.follow == ("https://theater.example/wp-json/",)


def test_site_root_html_naming_the_tribe_api_goes_straight_to_its_events() -> None:
    page = (
        b'<html><head><link rel="https://api.w.org/" href="https://t.example/wp-json/">'
        b'<meta name="tec-api-version" content="v1">'
        b'<meta name="tec-api-origin" content="https://t.example">'
        b'<link rel="alternate" href="https://t.example/wp-json/tribe/events/v1/"></head></html>'
    )
    result = parse(page, source(), NOW, url="https://t.example/")
    assert result.follow == ("https://t.example/wp-json/tribe/events/v1/events",)


# -- tec/v1: the newer REST API ----------------------------------------------------------
#
# No real tec/v1 answer was found, so tec_v1_events_page.json is written from the public
# shape in TEC's own docs (docs/REST/TEC/V1/definitions/event.md, venue.md) and the
# WordPress post shape the endpoint is built on. Modelled: a bare JSON list; post fields
# id, link, title as {"rendered"} (WordPress) and as a plain string (TEC's docs),
# content/excerpt {"rendered"}; event fields start_date/end_date as local wall time,
# with a space or a "T", start_date_utc/end_date_utc on one event only, all_day,
# timezone, cost, venues (a list of venue objects: name, address, city, zip, country)
# and a bare venue object, organizers, categories as term objects and tags as bare ids.

TEC_API = "https://theater.example/wp-json/tec/v1/events"


def test_tec_v1_page_of_posts_gives_listings() -> None:
    result = read("tec_v1_events_page.json", url=f"{TEC_API}?per_page=100")
    events = by_id(result)
    assert sorted(events) == ["4211", "4302", "4377"]
    [problem] = result.problems
    assert problem.field == "title" and problem.external_id == "4400"

    concert = events["4211"]
    assert concert.title == "Strijkkwartet – Haydn & Britten"
    assert instant(concert.start) == datetime(2027, 3, 12, 19, 15, tzinfo=UTC)
    assert instant(concert.end) == datetime(2027, 3, 12, 21, 0, tzinfo=UTC)
    assert concert.url == "https://theater.example/evenement/strijkkwartet-in-de-hooglandse-kerk/"
    assert "<strong>kamermuziek</strong>" in concert.description
    assert (concert.venue_name, concert.address, concert.postcode, concert.city) == (
        "Hooglandse Kerk",
        "Middelweg 2",
        "2312 KG",
        "Leiden",
    )
    assert concert.organizer == "Stichting Kamermuziek Leiden"
    assert concert.categories == ("Concert",)  # tags as bare ids carry no names
    assert (concert.price, concert.is_free) == ("€ 18,50", False)

    show = events["4302"]
    assert (show.start_date, show.end_date) == (date(2027, 4, 1), date(2027, 5, 15))
    assert show.is_free is True and show.description == "<p>Zes weken prenten.</p>"
    assert show.venue_name == "Theater Voorbeeld"  # no venue: the source's

    talk = events["4377"]  # local time in its own zone, no UTC fields
    assert instant(talk.start) == datetime(2027, 3, 20, 18, 0, tzinfo=UTC)
    assert talk.organizer == "Leiden University, NYU"
    assert talk.venue_name == "Online"


def test_tec_v1_pages_by_page_number_until_a_short_page() -> None:
    body = (JSON / "tec_v1_events_page.json").read_bytes()
    # 4 items where 4 per page were asked for: there may be more.
    full = parse(body, source(url=TEC_API), NOW, url=f"{TEC_API}?per_page=4&page=2")
    assert full.follow == (f"{TEC_API}?per_page=4&page=3",)
    # Fewer than asked for (100), or fewer than TEC's default of 10: the last page.
    assert read("tec_v1_events_page.json", url=f"{TEC_API}?per_page=100").follow == ()
    assert read("tec_v1_events_page.json", url=TEC_API).follow == ()
    # An empty list past the last page ends it too, and is no error.
    empty = parse(b"[]", source(url=TEC_API), NOW, url=f"{TEC_API}?page=7")
    assert empty == ParseResult()


def test_tec_v1_single_event_endpoint() -> None:
    events = json.loads((JSON / "tec_v1_events_page.json").read_bytes())
    one = json.dumps(events[0]).encode()
    [listing] = parse(one, source(), NOW, url=f"{TEC_API}/4211").listings
    assert listing.title == "Strijkkwartet – Haydn & Britten"


def test_site_root_html_without_api_link_guesses_wp_json() -> None:
    result = read("tribe_site_root_no_api_link.html", url="https://www.museum.example/agenda/")
    assert result.follow == ("https://www.museum.example/wp-json/",)


def rest_index(*namespaces: str) -> bytes:
    """A WordPress REST index (``/wp-json/``), cut down to what discovery reads."""
    routes = {f"/{n}": {"namespace": n} for n in namespaces}
    return json.dumps(
        {"name": "Theater", "namespaces": list(namespaces), "routes": routes}
    ).encode()


def test_rest_index_prefers_tribe_then_tec() -> None:
    root = "https://theater.example/wp-json/"
    both = parse(
        rest_index("oembed/1.0", "tribe/events/v1", "tec/v1", "wp/v2"), source(), NOW, url=root
    )
    assert both.follow == (API,)
    tec = parse(rest_index("oembed/1.0", "tec/v1", "wp/v2"), source(), NOW, url=root)
    assert tec.follow == ("https://theater.example/wp-json/tec/v1/events?per_page=100",)
    plain = parse(rest_index("tec/v1"), source(), NOW, url="https://x.example/?rest_route=/")
    assert plain.follow == ("https://x.example/?rest_route=/tec/v1/events&per_page=100",)
    with pytest.raises(ParseError, match="without The Events Calendar"):
        parse(rest_index("oembed/1.0", "wp/v2"), source(), NOW, url=root)


def test_html_from_the_api_url_itself_is_an_error_not_a_loop() -> None:
    with pytest.raises(ParseError):
        read(
            "tribe_site_root_no_api_link.html",
            url="https://m.example/wp-json/tribe/events/v1/events",
        )


def test_plain_permalinks_api_root() -> None:
    page = b'<html><head><link rel="https://api.w.org/" href="https://x.example/?rest_route=/"></head></html>'
    result = parse(page, source(), NOW, url="https://x.example/")
    assert result.follow == ("https://x.example/?rest_route=/",)


def test_php_notice_before_the_json_is_skipped() -> None:
    body = (JSON / "tribe_next_rest_url_self.json").read_bytes()
    noisy = b"<br />\n<b>Deprecated</b>: Creation of dynamic property in x.php<br />\n" + body
    assert len(parse(noisy, source(), NOW, url=API).listings) == 1


@pytest.mark.parametrize(
    "body",
    [
        b'{"posts": []}',
        b"[1, 2, 3]",
        b'{"code": "rest_no_route", "message": "No route was found", "data": {"status": 404}}',
        b"not json at all",
        b"",
        b'{"events": [',
    ],
)
def test_json_that_is_not_a_tribe_envelope_is_a_parse_error(body: bytes) -> None:
    with pytest.raises(ParseError):
        parse(body, source(), NOW, url=API)


def test_json_nested_ten_thousand_deep_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        parse(b"[" * 10_000 + b"]" * 10_000, source(), NOW, url=API)
    with pytest.raises(ParseError):
        parse(b'{"events": ' + b"[" * 10_000 + b"]" * 10_000 + b"}", source(), NOW, url=API)


def test_events_that_are_not_objects_are_problems() -> None:
    body = json.dumps(
        {"events": ["x", {"id": 5, "title": "Echt", "start_date": "2027-02-01 20:00:00"}]}
    )
    result = parse(body.encode(), source(), NOW, url=API)
    assert [x.external_id for x in result.listings] == ["5"]
    assert len(result.problems) == 1


def test_duplicate_id_in_one_page_is_kept_once() -> None:
    event = {"id": 5, "title": "Echt", "start_date": "2027-02-01 20:00:00"}
    result = parse(json.dumps({"events": [event, event]}).encode(), source(), NOW, url=API)
    assert len(result.listings) == 1
    assert result.problems[0].external_id == "5"
    assert result.problems[0].severity == "warning"


def test_eval_style_site_without_venue_uses_source_defaults_per_source() -> None:
    event = {"id": 7, "title": "X", "start_date": "2027-02-01 20:00:00", "venue": []}
    result = parse(
        json.dumps({"events": [event]}).encode(), source(venue=None, city="Delft"), NOW, url=API
    )
    assert (result.listings[0].venue_name, result.listings[0].city) == (None, "Delft")


# -- hostile input ----------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
EVENT_KEYS = [
    "id",
    "title",
    "start_date",
    "end_date",
    "utc_start_date",
    "utc_end_date",
    "all_day",
    "timezone",
    "venue",
    "organizer",
    "categories",
    "tags",
    "cost",
    "image",
    "url",
    "description",
    "uid",
    "start_hour",
    "start_minute",
]


@settings(max_examples=150, deadline=None)
@given(
    events=st.lists(st.dictionaries(st.sampled_from(EVENT_KEYS), JSON_VALUES), max_size=4),
    wrap=st.sampled_from(["rest", "aggregator"]),
)
def test_any_event_fields_give_listings_or_problems(
    events: list[dict[str, object]], wrap: str
) -> None:
    doc = {"events": events} if wrap == "rest" else {"data": {"events": events}}
    result = parse(json.dumps(doc).encode(), source(), NOW, url=API)
    # Every event gives exactly one listing or one problem, never an exception.
    assert len(result.listings) + len(result.problems) == len(events)


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=300))
def test_any_bytes_give_a_result_or_a_parse_error(data: bytes) -> None:
    try:
        parse(data, source(), NOW, url=API)
    except ParseError:
        return
