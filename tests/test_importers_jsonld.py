"""importers.jsonld: schema.org events in HTML pages, on real pages and one fixture per quirk."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agenda.model import Listing, SourceConfig
from importers.base import ParseResult
from importers.errors import ParseError
from importers.jsonld import parse
from importers.jsonld_schedule import expand_schedule, parse_when
from importers.jsonld_zones import place_zone
from importers.registry import get_parser

HTML = Path(__file__).parent / "fixtures" / "html"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2027, 2, 15, 12, 0, tzinfo=AMSTERDAM)


def make_source(**overrides: object) -> SourceConfig:
    values: dict[str, object] = {
        "id": "zaal",
        "name": "Zaal",
        "format": "jsonld",
        "url": "https://zaal.example.nl/agenda/",
        "city": "Leiden",
        "venue": "Stadsgehoorzaal",
        "language": "nl",
    }
    values.update(overrides)
    return SourceConfig(**values)  # type: ignore[arg-type]


def parse_file(
    name: str, *, now: datetime = NOW, url: str | None = None, **source: object
) -> ParseResult:
    return parse((HTML / name).read_bytes(), make_source(**source), now, url=url)


def by_title(result: ParseResult) -> dict[str, Listing]:
    return {listing.title: listing for listing in result.listings}


def by_id(result: ParseResult) -> dict[str, Listing]:
    return {listing.external_id: listing for listing in result.listings}


def errors(result: ParseResult) -> list[str]:
    return [p.message for p in result.problems if p.severity == "error"]


# --- real pages ---------------------------------------------------------------


def test_songkick_top_level_array_of_music_events() -> None:
    result = parse_file("songkick_artist_page_jsonld_musicevents.html")
    assert result.problems == ()
    assert result.follow == ()
    [concert] = result.listings
    assert concert.title == "Tove Styrke"
    assert concert.event_type == "performance"
    # "+0100" without a colon is read as an offset: 20:00 in London (BST) is 19:00 UTC.
    assert concert.start == datetime(2017, 6, 12, 19, 0, tzinfo=UTC)
    assert concert.start is not None and concert.start.utcoffset() == timedelta(hours=1)
    assert concert.end is None
    assert concert.venue_name == "Hoxton Square Bar & Kitchen"
    assert concert.address == "2-4 Hoxton Square"
    assert concert.postcode == "N1 6NU"
    assert concert.city == "London"
    assert concert.latitude == pytest.approx(51.527476)
    assert concert.longitude == pytest.approx(-0.081657)
    # No @id: the url is the identity, with its "\u0026" decoded.
    assert concert.url is not None and "utm_medium=organic&utm_source=microformat" in concert.url
    assert concert.external_id == concert.url
    assert concert.language == "nl"  # the source's default


def test_songkick_follow_links_are_same_site_and_deduplicated() -> None:
    page = "https://www.songkick.com/artists/3407026-tove-styrke"
    result = parse_file(
        "songkick_artist_page_jsonld_musicevents.html", url=page, follow="/concerts/"
    )
    assert len(result.listings) == 1
    assert "https://www.songkick.com/concerts/33118744-beach-house-at-troxy" in result.follow
    assert len(result.follow) == len(set(result.follow)) > 5
    for link in result.follow:
        assert link.startswith("https://www.songkick.com/") and "/concerts/" in link
        assert "#" not in link


def test_songkick_festivals_with_a_timed_start_and_a_date_end_keep_their_start_time() -> None:
    result = parse_file("songkick_gigography_timed_start_date_end.html")
    assert result.problems == ()
    assert len(result.listings) == 48  # 49 MusicEvents, one listed twice
    events = {x.url.split("?")[0]: x for x in result.listings if x.url}
    bst = timezone(timedelta(hours=1))
    base = "http://www.songkick.com/festivals/"
    t_in_the_park = events[f"{base}1926-t-in-the-park/id/17443834-t-in-the-park-2014"]
    assert not t_in_the_park.all_day
    assert t_in_the_park.start == datetime(2014, 7, 11, 10, 30, tzinfo=bst)
    assert t_in_the_park.end == datetime(2014, 7, 14, 0, 0, tzinfo=bst)  # all of the 13th
    hop_farm = events[f"{base}7661-hop-farm-music/id/19439184-the-hop-farm-music-festival-2014"]
    assert (hop_farm.start, hop_farm.end) == (
        datetime(2014, 7, 4, 11, 0, tzinfo=bst),
        datetime(2014, 7, 7, 0, 0, tzinfo=bst),
    )
    # Five events have a timed start and a date-only end; none becomes all-day.
    spans = sorted((x.start, x.end) for x in result.listings if x.start and x.end)
    edt = timezone(timedelta(hours=-4))
    assert spans == [
        (datetime(2014, 5, 23, 23, 59, 20, tzinfo=edt), datetime(2014, 5, 26, tzinfo=edt)),
        (datetime(2014, 7, 4, 11, 0, tzinfo=bst), datetime(2014, 7, 7, tzinfo=bst)),
        (datetime(2014, 7, 10, 20, 0, tzinfo=bst), datetime(2014, 7, 12, tzinfo=bst)),
        (datetime(2014, 7, 11, 10, 30, tzinfo=bst), datetime(2014, 7, 14, tzinfo=bst)),
    ]
    # The fifth ends on its own start day: the date adds nothing, so no end.
    same_day = [x for x in result.listings if x.start == datetime(2014, 7, 5, 12, 30, tzinfo=bst)]
    assert len(same_day) == 1 and same_day[0].end is None
    # Date-only festivals stay all-day spans.
    rock = events[f"{base}1237-rock-am-ring/id/18852609-rock-am-ring-2014"]
    assert (rock.start_date, rock.end_date) == (date(2014, 6, 5), date(2014, 6, 8))


def test_exhibition_date_only_span_and_string_location() -> None:
    result = parse_file("schemaorg_exhibitionevent_date_only_string_location.html")
    assert result.problems == ()
    [show] = result.listings
    assert show.title == "Shoes: Pleasure and Pain"
    assert show.all_day
    assert (show.start_date, show.end_date) == (date(2015, 6, 13), date(2016, 1, 31))
    assert show.start is None and show.end is None
    assert show.event_type == "exhibition"
    assert show.venue_name == "Victoria and Albert Museum"
    assert show.city == "Leiden"  # the string names no city: the source's
    url = "http://www.vam.ac.uk/whatson/event/5150/shoes-pleasure-and-pain-696789408/"
    assert show.url == show.external_id == url
    # An offer with only an @id says nothing about price.
    assert (show.price, show.is_free, show.ticket_url) == (None, None, None)


def test_rescheduled_bare_enums_and_naive_times() -> None:
    result = parse_file("schemaorg_event_rescheduled_and_virtual_location.html")
    assert result.problems == ()
    king = by_title(result)['B.B. King with Jonathon "Boogie" Long']
    assert king.status == "scheduled"  # EventRescheduled: it happens, at the new time
    # No seconds, no zone: wall-clock time at the place, Providence, RI, US (New York's
    # zone), not Amsterdam's; doorTime (18:30) is not the start.
    new_york = ZoneInfo("America/New_York")
    assert king.previous_start == datetime(2013, 9, 30, 19, 30, tzinfo=new_york)
    assert king.start == datetime(2014, 4, 12, 19, 30, tzinfo=new_york)
    assert king.start is not None and king.start.utcoffset() == timedelta(hours=-4)
    assert king.end == datetime(2014, 4, 12, 22, 0, tzinfo=new_york)
    assert king.venue_name == "Lupo's Heartbreak Hotel"
    assert (king.address, king.postcode, king.city) == ("79 Washington St.", "02903", "Providence")
    assert king.price == "USD 63,25 – USD 299,00"
    assert king.is_free is False
    assert king.ticket_url == "http://www.ticketmaster.com/event/17004C29"
    assert king.image == "http://www.bbking.com/gallery/b-b-king-live.jpg"


def test_location_array_with_virtual_location_uses_the_place() -> None:
    result = parse_file("schemaorg_event_rescheduled_and_virtual_location.html")
    kira = by_title(result)["The Adventures of Kira and Morrison"]
    assert kira.venue_name == "Snickerpark Stadium"
    assert kira.city == "Snickertown"
    assert kira.start == datetime(2025, 7, 22, 0, 0, tzinfo=UTC)  # 19:00-05:00
    assert kira.organizer == "Kira and Morrison Music"
    assert kira.image == "https://example.com/photos/1x1/photo.jpg"
    assert kira.price == "USD 30,00"


def test_virtual_only_event_has_no_venue_and_keeps_its_url() -> None:
    result = parse_file("schemaorg_event_rescheduled_and_virtual_location.html")
    story = by_title(result)["Story Time Reading"]
    assert story.venue_name is None
    assert story.url == "https://stream.storytimereadings.com/"
    assert story.start == datetime(2020, 7, 24, 16, 0, tzinfo=UTC)
    assert story.event_type == "children"
    assert story.is_free is True and story.price is None


def test_real_event_schedules_expand_around_now() -> None:
    now = datetime(2017, 1, 1, 12, 0, tzinfo=ZoneInfo("Europe/London"))
    result = parse_file("schemaorg_eventschedule_recurring_examples.html", now=now)
    assert errors(result) == []
    series: dict[str, list[Listing]] = {}
    for listing in result.listings:
        assert listing.series_id is not None
        assert listing.external_id.startswith(f"{listing.series_id}/")
        series.setdefault(listing.series_id, []).append(listing)
    assert len(result.listings) == len(by_id(result))  # every occurrence its own id
    assert len(series) == 5  # two events named "Example" stay apart

    london = ZoneInfo("Europe/London")
    tai_chi = series["http://www.example.org/events/1"]
    assert len(tai_chi) == 52  # every Wednesday of 2017
    assert tai_chi[0].start == datetime(2017, 1, 4, 19, 0, tzinfo=london)
    assert tai_chi[0].end == datetime(2017, 1, 4, 20, 0, tzinfo=london)
    assert tai_chi[0].external_id == "http://www.example.org/events/1/20170104T1900"
    assert tai_chi[-1].start == datetime(2017, 12, 27, 19, 0, tzinfo=london)
    assert all(item.start is not None and item.start.weekday() == 2 for item in tai_chi)

    counted = next(s for s in series.values() if s[0].title == "Count Example")
    assert [item.start for item in counted] == [
        datetime(2016, 12, 24, 9, 0, tzinfo=london) + timedelta(days=n) for n in range(10)
    ]

    glace_bay = ZoneInfo("America/Glace_Bay")
    meetup = next(s for s in series.values() if s[0].title == "Example Meetup")
    assert {item.start.day for item in meetup if item.start} == {1, 15}
    # Window 2 Dec 2016 08:00 - 1 Jul 2018 08:00 Glace Bay time: 15 Dec 2016, 24 in
    # 2017, 12 in January-June 2018 (1 July 09:00 is past the window's end).
    assert len(meetup) == 1 + 24 + 12
    assert meetup[0].start == datetime(2016, 12, 15, 9, 0, tzinfo=glace_bay)

    examples = [s for s in series.values() if s[0].title == "Example"]
    weekdays = next(s for s in examples if len(s) > 100)
    assert all(item.start is not None and item.start.weekday() < 5 for item in weekdays)
    # Weekdays 2-30 Dec 2016 (21), all of 2017 (260), 1 Jan - 29 Jun 2018 (130); twice a day.
    assert len(weekdays) == 2 * (21 + 260 + 130)
    assert {item.start.hour for item in weekdays if item.start} == {9, 14}
    second_mondays = next(s for s in examples if len(s) < 100)
    # 12 Dec 2016, twelve in 2017, six in January-June 2018 (9 July is past the window).
    assert len(second_mondays) == 1 + 12 + 6
    for item in second_mondays:
        assert item.start is not None and item.start.tzinfo == ZoneInfo("Asia/Shanghai")
        assert item.start.weekday() == 0 and 8 <= item.start.day <= 14
        assert (item.start.hour, item.start.minute) == (18, 0)


def test_by_month_week_without_frequency_is_those_weeks_of_each_month() -> None:
    # schema.org eg-0303: byDay Wednesday, byMonthWeek [1, 3], no repeatFrequency.
    result = parse_file("schemaorg_eventschedule_bymonthweek_eg0303.html")
    # The schedule names no zone and the source is in the region: Amsterdam, no warning.
    assert not result.problems
    starts = [x.start for x in result.listings if x.start]
    # Window 16 Jan 2027 - 15 Aug 2028: 20 Jan 2027 (the 6th is before it), two a month
    # February 2027 - July 2028 (36), 2 Aug 2028 (the third, 16 Aug, is past it).
    assert len(starts) == len(result.listings) == 1 + 36 + 1
    assert starts[0] == datetime(2027, 1, 20, 20, 0, tzinfo=AMSTERDAM)
    assert starts[1:4] == [
        datetime(2027, 2, 3, 20, 0, tzinfo=AMSTERDAM),
        datetime(2027, 2, 17, 20, 0, tzinfo=AMSTERDAM),
        datetime(2027, 3, 3, 20, 0, tzinfo=AMSTERDAM),
    ]
    assert starts[-1] == datetime(2028, 8, 2, 20, 0, tzinfo=AMSTERDAM)
    for start in starts:
        assert start.weekday() == 2 and (start.day <= 7 or 15 <= start.day <= 21)
    assert result.listings[0].end == datetime(2027, 1, 20, 22, 0, tzinfo=AMSTERDAM)


def test_by_month_week_counts_back_from_the_end_and_filters_any_frequency() -> None:
    last_friday = {
        "byDay": "Friday",
        "byMonthWeek": -1,
        "startDate": "2027-03-01",
        "repeatCount": 3,
        "startTime": "21:00",
    }
    occurrences, notes = expand_schedule(last_friday, NOW)
    assert notes == []
    # The last Fridays of March, April and May 2027; repeatCount counts them, not Fridays.
    assert [o.start for o in occurrences] == [
        datetime(2027, 3, 26, 21, 0, tzinfo=AMSTERDAM),
        datetime(2027, 4, 30, 21, 0, tzinfo=AMSTERDAM),
        datetime(2027, 5, 28, 21, 0, tzinfo=AMSTERDAM),
    ]
    weekly = {
        "repeatFrequency": "P1W",
        "byDay": "Monday",
        "byMonthWeek": [2],
        "startDate": "2027-03-01",
        "endDate": "2027-05-31",
        "startTime": "10:00",
    }
    days = [o.start.day for o in expand_schedule(weekly, NOW)[0] if isinstance(o.start, datetime)]
    assert days == [8, 12, 10]  # second Mondays, though the rule walks every week
    dayless = {"byMonthWeek": [1], "startDate": "2027-03-01", "repeatFrequency": "P1M"}
    occurrences, notes = expand_schedule(dayless, NOW)
    assert any("byMonthWeek" in n.message and n.severity == "warning" for n in notes)


def test_schedule_outside_the_window_is_a_clear_warning() -> None:
    now = datetime(2017, 6, 1, 12, 0, tzinfo=UTC)
    result = parse_file("schemaorg_eventschedule_recurring_examples.html", now=now)
    assert not any(listing.title == "Count Example" for listing in result.listings)
    [warning] = [p for p in result.problems if "no occurrences" in p.message]
    assert warning.severity == "warning" and warning.field == "eventSchedule"


# --- hand-written quirks ---------------------------------------------------------


def test_graph_references_nested_and_typed_events() -> None:
    result = parse_file(
        "jsonld_graph_references_nested.html", url="https://theater.example.nl/agenda/"
    )
    assert result.problems == ()
    titles = [listing.title for listing in result.listings]
    assert sorted(titles) == sorted(
        [
            "Hamlet",  # in @graph and again as a subEvent: once
            "Strijkkwartet",
            "Leids Theaterfestival",  # the festival itself, not its superEvent reference
            "Dansavond",
            "Kindermiddag",  # a Place's "event"
            "Lezing over varens",  # a Place's "events"
            "Cursus tekenen",  # CourseInstance in a top-level array
        ]
    )
    events = by_title(result)
    hamlet = events["Hamlet"]
    assert hamlet.external_id == "https://theater.example.nl/agenda/hamlet/#event"
    assert hamlet.url == "https://theater.example.nl/agenda/hamlet/"
    assert hamlet.event_type == "performance"  # @type ["Event", "TheaterEvent"]
    assert hamlet.venue_name == "Voorbeeldtheater"  # location {"@id": ...} resolved
    assert (hamlet.address, hamlet.postcode, hamlet.city) == ("Breestraat 12", "2311 CS", "Leiden")
    assert (hamlet.latitude, hamlet.longitude) == (pytest.approx(52.159), pytest.approx(4.487))
    assert hamlet.organizer == "Stichting Voorbeeldtheater"
    assert hamlet.end == datetime(2027, 3, 5, 22, 30, tzinfo=AMSTERDAM)
    quartet = events["Strijkkwartet"]
    assert quartet.event_type == "performance"  # http://schema.org/MusicEvent
    # Its superEvent, a full EventSeries, is context: a series id, not a listing.
    assert quartet.series_id == "https://theater.example.nl/series/kamermuziek"
    assert hamlet.series_id is None  # a Festival superEvent is no series
    festival = events["Leids Theaterfestival"]
    assert festival.event_type == "festival"
    assert (festival.start_date, festival.end_date) == (date(2027, 3, 4), date(2027, 3, 7))
    assert events["Dansavond"].event_type == "performance"
    assert events["Kindermiddag"].event_type == "children"
    assert events["Lezing over varens"].event_type == "education"  # "schema:EducationEvent"
    assert events["Cursus tekenen"].event_type == "education"
    assert events["Kindermiddag"].venue_name == "Stadsgehoorzaal"  # no location: the source's


def test_malformed_block_is_a_problem_and_the_others_still_count() -> None:
    result = parse_file("jsonld_malformed_block_next_to_good.html")
    assert sorted(by_id(result)) == ["urn:example:first", "urn:example:second"]
    [bad] = [p for p in result.problems if p.severity == "error"]
    assert "block 2" in bad.message
    # Block 3 (uppercase type with a charset, comment-wrapped, trailing comma) is read.
    [lenient] = [p for p in result.problems if p.severity == "warning"]
    assert "block 3" in lenient.message


def test_ten_thousand_levels_of_nesting_do_not_crash() -> None:
    result = parse_file("jsonld_deep_nesting_10000.html")
    assert [listing.external_id for listing in result.listings] == ["urn:deep:good"]
    [problem] = result.problems
    assert "block 2" in problem.message and "deep" in problem.message


def test_page_without_json_ld_is_a_warning_not_an_error() -> None:
    result = parse_file("jsonld_no_jsonld.html")
    assert result.listings == ()
    [problem] = result.problems
    assert problem.severity == "warning"
    assert problem.message == "no schema.org events found"
    assert result.follow == ()


def test_json_ld_without_events_is_the_same_warning() -> None:
    page = b"""<html><head><script type="application/ld+json">
    {"@context": "https://schema.org", "@type": "Organization", "name": "Museum"}
    </script></head><body></body></html>"""
    result = parse(page, make_source(), NOW)
    assert result.listings == ()
    assert [p.message for p in result.problems] == ["no schema.org events found"]


@pytest.mark.parametrize(
    "data",
    [b"", b"   \n", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", bytes(range(32)) * 20],
)
def test_bytes_that_are_no_page_at_all_are_a_parse_error(data: bytes) -> None:
    with pytest.raises(ParseError):
        parse(data, make_source(), NOW)


def test_a_bare_json_ld_document_is_read_too() -> None:
    data = b'{"@context": "https://schema.org", "@type": "Event", "name": "Los", "startDate": "2027-03-01"}'
    [listing] = parse(data, make_source(), NOW).listings
    assert (listing.title, listing.start_date) == ("Los", date(2027, 3, 1))


def test_event_status_cancelled_postponed_rescheduled() -> None:
    events = by_title(parse_file("jsonld_status_cancelled_postponed.html"))
    assert events["Afgelast"].status == "cancelled"  # full URI
    assert events["Uitgesteld"].status == "postponed"  # bare name
    moved = events["Verplaatst"]
    assert moved.status == "scheduled"
    assert moved.previous_start == datetime(2027, 4, 3, 20, 0, tzinfo=AMSTERDAM)
    assert moved.start == datetime(2027, 6, 3, 20, 0, tzinfo=AMSTERDAM)
    assert events["Gewoon"].status == "scheduled"
    assert events["Gewoon"].previous_start is None


def test_offers_free_and_priced() -> None:
    events = by_id(parse_file("jsonld_offers_free_priced.html"))

    def offer(key: str) -> tuple[str | None, bool | None, str | None]:
        listing = events[f"urn:offer:{key}"]
        return listing.price, listing.is_free, listing.ticket_url

    assert offer("free") == (None, True, "https://kaart.example.nl/gratis")
    assert offer("single") == ("€ 12,50", False, "https://zaal.example.nl/tickets/betaald")
    assert offer("list") == ("€ 15,00 – € 25,00", False, "https://kaart.example.nl/twee")
    assert offer("text") == ("9,75", False, None)  # no priceCurrency: no currency invented
    assert offer("aggregate") == ("€ 10,00 – € 30,00", False, None)
    assert offer("accessible") == (None, True, None)  # isAccessibleForFree
    assert offer("gratis") == (None, True, None)
    assert offer("none") == (None, None, None)


def test_follow_returns_same_host_links_containing_the_substring() -> None:
    result = parse_file("jsonld_follow_listing_page.html", follow="/agenda/")
    assert result.follow == (
        "https://zaal.example.nl/agenda/concert-lente/",
        "https://zaal.example.nl/agenda/rondleiding/",
        "https://zaal.example.nl/agenda/lezing/?lang=nl",
    )
    # A listing page that only links to detail pages is not "no events found".
    assert result.problems == ()
    assert result.listings == ()


def test_follow_respects_max_pages_and_is_off_without_follow() -> None:
    capped = parse_file("jsonld_follow_listing_page.html", follow="/agenda/", max_pages=2)
    assert len(capped.follow) == 2
    plain = parse_file("jsonld_follow_listing_page.html")
    assert plain.follow == ()
    assert [p.message for p in plain.problems] == ["no schema.org events found"]


def test_date_forms() -> None:
    result = parse_file("jsonld_dates_and_fields.html")
    events = by_id(result)
    allday = events["urn:d:allday"]
    assert (allday.start_date, allday.end_date) == (date(2027, 1, 30), date(2027, 5, 21))
    # A timed start with a later date-only end keeps its hour; the end day is whole.
    mixed = events["urn:d:mixed"]
    plus_one = timezone(timedelta(hours=1))
    assert mixed.start == datetime(2027, 1, 30, 10, 0, tzinfo=plus_one)
    assert mixed.end == datetime(2027, 5, 22, 0, 0, tzinfo=plus_one)
    summer = events["urn:d:naive-summer"]
    assert summer.start == datetime(2027, 7, 1, 20, 0, tzinfo=AMSTERDAM)
    assert summer.start is not None and summer.start.utcoffset() == timedelta(hours=2)
    assert summer.end == datetime(2027, 7, 1, 21, 30, tzinfo=AMSTERDAM)  # duration PT90M
    winter = events["urn:d:naive-winter"]
    assert winter.start is not None and winter.start.utcoffset() == timedelta(hours=1)
    assert winter.end == datetime(2027, 1, 15, 22, 0, tzinfo=AMSTERDAM)
    zulu = events["urn:d:zulu"]
    assert zulu.start is not None
    assert zulu.start.replace(microsecond=0) == datetime(2027, 3, 1, 19, 0, tzinfo=UTC)
    assert zulu.end == datetime(2027, 3, 1, 21, 0, tzinfo=UTC)
    assert events["urn:d:nocolon"].start == datetime(2027, 3, 2, 19, 0, tzinfo=UTC)
    backwards = events["urn:d:backwards"]
    assert backwards.start is not None and backwards.end is None


def test_unreadable_or_missing_start_is_a_problem() -> None:
    result = parse_file("jsonld_dates_and_fields.html")
    problems = {p.external_id: p for p in result.problems}
    assert problems["urn:d:bad"].field == "startDate"
    assert "binnenkort" in problems["urn:d:bad"].message
    assert problems["urn:d:missing"].field == "startDate"
    assert problems["urn:d:missing"].severity == "error"
    assert problems["urn:d:backwards"].field == "endDate"
    assert problems["urn:d:backwards"].severity == "warning"
    assert [p.field for p in result.problems if "no name" in p.message] == ["name"]
    assert {"urn:d:bad", "urn:d:missing"}.isdisjoint(by_id(result))


def test_fields_and_source_defaults() -> None:
    events = by_id(parse_file("jsonld_dates_and_fields.html"))
    full = events["urn:d:fields"]
    assert full.title == "Rembrandt & Lievens live"
    assert "<script" not in full.description and "alert" not in full.description
    assert "<strong>avond</strong>" in full.description
    assert full.url == "https://zaal.example.nl/agenda/rembrandt-en-lievens/"
    assert full.language == "en"  # a Language object
    assert full.image == "https://zaal.example.nl/media/rembrandt.jpg"
    assert full.organizer == "Leiden Marketing"
    assert full.categories == ("Rembrandt", "Gouden Eeuw", "Schilderkunst")
    assert full.venue_name == "Stadsgehoorzaal"
    assert (full.address, full.postcode, full.city) == ("Breestraat 60", "2311 CS", "Leiden")
    assert (full.latitude, full.longitude) == (pytest.approx(52.1585), pytest.approx(4.488))
    # A location string "Street 150 City" is an address, not a venue name.
    allday = events["urn:d:allday"]
    assert (allday.venue_name, allday.address, allday.city) == (None, "Spuiplein 150", "Den Haag")
    # No location: the source's venue and city; no inLanguage: the source's language.
    plain = events["urn:d:naive-summer"]
    assert (plain.venue_name, plain.city, plain.language) == ("Stadsgehoorzaal", "Leiden", "nl")
    # No @id: the url; neither: a content hash that stays the same on the next import.
    assert events["https://zaal.example.nl/agenda/zonder-id"].language == "en"  # "en-GB"
    again = by_id(parse_file("jsonld_dates_and_fields.html"))
    hashed = [key for key, value in events.items() if value.title == "Zonder id of url"]
    assert len(hashed) == 1 and hashed[0] in again and len(hashed[0]) == 20


def test_shared_ids_and_repeated_events() -> None:
    result = parse_file("jsonld_shared_ids.html")
    assert result.problems == ()
    listings = result.listings
    assert len(listings) == len(by_id(result)) == 5
    assert [x.title for x in listings] == [
        "Kaart een",
        "Kaart twee",
        "Rondleiding",
        "Rondleiding",
        "Concert",
    ]
    # "#event" on every card: the second card falls back to its own url.
    assert listings[0].external_id == "https://zaal.example.nl/agenda/#event"
    assert listings[1].external_id == "https://zaal.example.nl/agenda/twee"
    # Two tour dates sharing one url keep apart.
    assert listings[2].external_id == "https://zaal.example.nl/rondleiding"
    assert listings[3].external_id != listings[2].external_id
    # The same concert twice (+01:00 and Z): one listing, the fuller copy.
    concert = listings[4]
    assert concert.start == datetime(2027, 3, 20, 19, 0, tzinfo=UTC)
    assert (concert.venue_name, concert.price) == ("Grote zaal", "€ 20,00")


def test_schedule_quirks() -> None:
    result = parse_file("jsonld_schedule_quirks.html")
    series: dict[str | None, list[Listing]] = {}
    for listing in result.listings:
        series.setdefault(listing.series_id, []).append(listing)
    base = "https://museum.example.nl/"

    workshop = series[f"{base}workshop#event"]
    days = [x.start.date() for x in workshop if x.start]
    # Saturdays 6 Feb - 27 Mar, without the excepted 20 Feb (date) and 13 Mar 14:00.
    assert days == [date(2027, 2, d) for d in (6, 13, 27)] + [date(2027, 3, d) for d in (6, 20, 27)]
    assert workshop[0].external_id == f"{base}workshop#event/20270206T1400"
    assert workshop[0].end == datetime(2027, 2, 6, 16, 0, tzinfo=AMSTERDAM)

    fortnightly = series[f"{base}tweewekelijks#event"]
    assert [x.start for x in fortnightly] == [
        datetime(2027, 3, 2, 11, 0, tzinfo=AMSTERDAM) + timedelta(weeks=2 * n) for n in range(4)
    ]
    assert fortnightly[0].end == datetime(2027, 3, 2, 11, 45, tzinfo=AMSTERDAM)  # PT45M

    first_sundays = series[f"{base}maandelijks#event"]
    for item in first_sundays:
        assert item.start is not None and item.start.weekday() == 6 and item.start.day <= 7
    assert first_sundays[0].start == datetime(2027, 2, 7, 15, 0, tzinfo=AMSTERDAM)
    assert first_sundays[-1].start is not None
    assert first_sundays[-1].start <= NOW + timedelta(days=18 * 31)

    open_days = series[f"{base}dagelijks#event"]
    assert [x.start_date for x in open_days] == [date(2027, 4, d) for d in range(1, 6)]
    assert open_days[0].external_id == f"{base}dagelijks#event/20270401T0000"

    # An exhibition with a startDate: its schedule is opening hours, not 100 listings.
    [expo] = series[None]
    assert expo.title == "Expositie met openingstijden"
    assert (expo.start_date, expo.end_date) == (date(2027, 2, 1), date(2027, 6, 30))

    problems = {p.external_id: p for p in result.problems}
    assert problems[f"{base}zonder-anker#event"].field == "eventSchedule"
    assert "startDate" in problems[f"{base}zonder-anker#event"].message
    assert "Someday" in problems[f"{base}raar#event"].message


def test_events_without_a_name_are_titled_from_parent_topic_or_description() -> None:
    result = parse_file("jsonld_nameless_and_zones.html")
    events = by_id(result)
    assert events["urn:n:day-one"].title == "Leids Jazzfestival"  # superEvent by @id
    assert events["urn:n:about"].title == "Varens van de Hortus"
    assert events["urn:n:description"].title == "Open podium voor jonge dichters"
    long = events["urn:n:long"].title
    assert len(long) <= 80 and long.endswith("…")
    assert long.startswith("An evening with the Leiden Chamber Orchestra")
    warned = {p.external_id: p for p in result.problems if p.field == "name"}
    for key, origin in [
        ("urn:n:day-one", "superEvent"),
        ("urn:n:about", "about"),
        ("urn:n:description", "description"),
        ("urn:n:long", "description"),
    ]:
        assert warned[key].severity == "warning" and origin in warned[key].message
    # Nothing to name it by: rejected, as before.
    assert "urn:n:nothing" not in events
    assert warned["urn:n:nothing"].severity == "error"


def test_zone_less_times_are_read_in_the_zone_of_the_place() -> None:
    result = parse_file("jsonld_nameless_and_zones.html")
    events = by_id(result)
    # "1026 Spring Garden St, Philadelphia, PA 19123": a state and ZIP in the text.
    philadelphia = ZoneInfo("America/New_York")
    assert events["urn:z:philadelphia"].start == datetime(2019, 5, 1, 20, 0, tzinfo=philadelphia)
    london = ZoneInfo("Europe/London")
    assert events["urn:z:london"].start == datetime(2027, 7, 1, 19, 30, tzinfo=london)
    assert events["urn:z:london"].end == datetime(2027, 7, 1, 22, 0, tzinfo=london)
    # A Dutch postcode is the Netherlands even without addressCountry.
    assert events["urn:z:leiden"].start == datetime(2027, 7, 2, 20, 0, tzinfo=AMSTERDAM)
    canary = ZoneInfo("Atlantic/Canary")
    assert events["urn:z:tenerife"].start == datetime(2027, 7, 3, 21, 0, tzinfo=canary)
    # A written offset is kept whatever the place.
    assert events["urn:z:offset"].start == datetime(2027, 7, 6, 3, 0, tzinfo=UTC)
    # A schedule without scheduleTimezone at a place in Germany: Berlin time.
    berlin = ZoneInfo("Europe/Berlin")
    weekly = [x.start for x in result.listings if x.series_id == "urn:z:schedule"]
    assert weekly == [datetime(2027, 7, d, 20, 0, tzinfo=berlin) for d in (5, 12)]
    # Texas has two zones: Amsterdam, and a warning. No place at all, from a source of the
    # region (Leiden): Amsterdam without a warning on every event of a Dutch page.
    assumed = {p.external_id for p in result.problems if "Europe/Amsterdam" in p.message}
    assert assumed == {"urn:z:houston"}
    assert events["urn:z:houston"].start == datetime(2019, 5, 2, 20, 0, tzinfo=AMSTERDAM)
    for problem in result.problems:
        if problem.external_id in assumed:
            assert (problem.field, problem.severity) == ("startDate", "warning")


@pytest.mark.parametrize(
    ("location", "zone"),
    [
        (
            {"address": {"addressRegion": "Pennsylvania", "addressCountry": "USA"}},
            "America/New_York",
        ),
        ({"address": {"addressRegion": "IL", "postalCode": "60614"}}, "America/Chicago"),
        ({"address": {"addressRegion": "CA", "addressCountry": "US"}}, "America/Los_Angeles"),
        ({"address": {"addressLocality": "Gent", "addressCountry": "BE"}}, "Europe/Brussels"),
        (
            {
                "address": {
                    "addressLocality": "Ponta Delgada",
                    "addressRegion": "Açores",
                    "addressCountry": "PT",
                }
            },
            "Atlantic/Azores",
        ),
        ("Paradiso, Weteringschans 6-8, 1017 SG Amsterdam", "Europe/Amsterdam"),
        ("Vorst Nationaal, Brussels, Belgium", "Europe/Brussels"),
        ({"address": {"addressRegion": "FL", "addressCountry": "US"}}, None),  # two zones
        ({"address": {"addressCountry": "US"}}, None),  # which state?
        ({"address": {"addressCountry": "CA"}}, None),  # Canada: six zones
        ({"address": {"addressCountry": "Australia"}}, None),
        ([{"@type": "VirtualLocation", "url": "https://x.example"}], None),
        ("Stadsgehoorzaal", None),
    ],
)
def test_place_zone_names_only_unambiguous_zones(location: object, zone: str | None) -> None:
    found = place_zone(location, lambda value: value)
    assert (found.key if found else None) == zone


def test_registry_serves_this_parser() -> None:
    assert get_parser("jsonld") is parse


@pytest.mark.parametrize("path", sorted(HTML.glob("*.html")), ids=lambda p: p.name)
def test_every_fixture_gives_unique_ids_and_valid_listings(path: Path) -> None:
    now = datetime(2017, 1, 1, 12, 0, tzinfo=UTC) if "schedule" in path.name else NOW
    result = parse(path.read_bytes(), make_source(), now)
    assert len({x.external_id for x in result.listings}) == len(result.listings)
    for listing in result.listings:
        assert listing.source_id == "zaal"
        assert listing.title
        assert (listing.start is None) != (listing.start_date is None)


# --- time values and schedule expansion on their own ---------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-01-30", date(2027, 1, 30)),
        ("2017-06-12T20:00:00+0100", datetime(2017, 6, 12, 19, 0, tzinfo=UTC)),
        ("2014-04-12T19:30", datetime(2014, 4, 12, 19, 30, tzinfo=AMSTERDAM)),
        ("2025-07-21T19:00-05:00", datetime(2025, 7, 22, 0, 0, tzinfo=UTC)),
        ("2020-07-24T16:00Z", datetime(2020, 7, 24, 16, 0, tzinfo=UTC)),
        ("2025-04-04T13:00:00.0000000-04:00", datetime(2025, 4, 4, 17, 0, tzinfo=UTC)),
        ("2027-01-27 19:30:00 +01:00", datetime(2027, 1, 27, 18, 30, tzinfo=UTC)),
        ("2027-01-27T24:00", datetime(2027, 1, 28, 0, 0, tzinfo=AMSTERDAM)),
        ("24-01-2027", date(2027, 1, 24)),
    ],
)
def test_parse_when_reads_what_producers_write(text: str, expected: date) -> None:
    parsed = parse_when(text)
    assert parsed == expected
    assert type(parsed) is type(expected)
    if isinstance(parsed, datetime):
        assert parsed.utcoffset() is not None


@pytest.mark.parametrize("text", ["binnenkort", "2027-02-30", "2027-01-27T", "T19:00", ""])
def test_parse_when_refuses_what_is_no_date(text: str) -> None:
    with pytest.raises(ValueError):
        parse_when(text)


def test_a_schedule_anchored_long_ago_is_expanded_quickly_and_in_phase() -> None:
    schedule = {"startDate": "1900-01-31", "repeatFrequency": "P3W", "startTime": "10:00"}
    occurrences, notes = expand_schedule(schedule, NOW)
    assert notes == []
    first = occurrences[0].start
    assert isinstance(first, datetime)
    assert (first.date() - date(1900, 1, 31)).days % 21 == 0
    assert NOW - timedelta(days=30) <= first < NOW - timedelta(days=9)
    monthly = {"startDate": "1900-01-31", "repeatFrequency": "P1M", "startTime": "10:00"}
    days = {o.start.day for o in expand_schedule(monthly, NOW)[0] if isinstance(o.start, date)}
    assert days == {31}  # the 31st stays the 31st (months without one are skipped)
    counted = {"startDate": "0001-01-01", "repeatFrequency": "P1D", "repeatCount": 10**9}
    occurrences, notes = expand_schedule(counted, NOW)
    assert occurrences == [] and any("too many" in note.message for note in notes)


# --- robustness: hostile or broken input never escapes as anything but ParseError ------

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
_event_keys = st.sampled_from(
    [
        "name",
        "startDate",
        "endDate",
        "location",
        "offers",
        "eventSchedule",
        "image",
        "url",
        "@id",
        "inLanguage",
        "organizer",
        "keywords",
        "eventStatus",
        "previousStartDate",
        "subEvent",
    ]
)


@settings(max_examples=150, deadline=None)
@given(fields=st.dictionaries(_event_keys, _json_values, max_size=8))
def test_any_json_in_an_event_gives_listings_or_problems(fields: dict[str, object]) -> None:
    event = {"@type": "Event", "name": "x", "startDate": "2027-03-01", **fields}
    page = b'<script type="application/ld+json">' + json.dumps(event).encode() + b"</script>"
    result = parse(page, make_source(), NOW)
    assert len(result.listings) + len(result.problems) >= 1


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=300))
def test_any_bytes_give_a_result_or_a_parse_error(data: bytes) -> None:
    with contextlib.suppress(ParseError):
        parse(data, make_source(follow="/"), NOW)
