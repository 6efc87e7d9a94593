"""The iCalendar importer on real producers' files and hand-written quirk samples."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from agenda.model import Listing, SourceConfig
from importers.base import ParseResult
from importers.clean import content_id
from importers.errors import ParseError
from importers.ics import MAX_OCCURRENCES, parse
from importers.ics_zones import Zones, mapped_zone

ICS = Path(__file__).parent / "fixtures" / "ics"
NOW = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
SOURCE = SourceConfig(
    id="lakenhal",
    name="Museum De Lakenhal",
    format="ics",
    url="https://www.lakenhal.example/agenda.ics",
    city="Leiden",
    venue="Museum De Lakenhal",
    language="nl",
)
REAL_FILES = [
    "categories_with_escaped_commas.ics",
    "dclicious_invalid_date_values.ics",
    "discourse_events_no_dtend.ics",
    "eventful_folded_vvenue_param.ics",
    "exchange2010_gmt_standard_time_allday_biweekly.ics",
    "exchange2010_w_europe_standard_time_broken.ics",
    "exchange_cdo_custom_tzid_rrule_byday_spaces.ics",
    "google_duration_instead_of_dtend.ics",
    "google_export_apple_structured_location.ics",
    "google_export_machbar_fablab_2019.ics",
    "google_x_wr_timezone_utc_times.ics",
    "icalcreator_fablab_cottbus_allday_multiday.ics",
    "icsparser_messy_invalid_dates_windows_tzids.ics",
    "mozilla_latin1_not_utf8.ics",
    "nl_meetup_tec_aggregate_no_vcalendar_begin.ics",
    "upcoming_org_vvenue_bad_continuation.ics",
    "vtimezone_europe_amsterdam_prefixed_tzid.ics",
    "zimbra_rdate_exdate_recurrence_id_bad_vtimezone.ics",
]


def read(name: str, now: datetime = NOW, url: str | None = None) -> ParseResult:
    return parse((ICS / name).read_bytes(), SOURCE, now, url=url)


def by_id(result: ParseResult) -> dict[str, Listing]:
    return {listing.external_id: listing for listing in result.listings}


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- every real file ----------------------------------------------------------------


def test_all_real_files_are_copied() -> None:
    assert sorted(REAL_FILES) == sorted(p.name for p in ICS.glob("*.ics") if p.name in REAL_FILES)
    assert len(REAL_FILES) == 18


@pytest.mark.parametrize("name", sorted(p.name for p in ICS.glob("*.ics")))
@pytest.mark.parametrize("now", [NOW, utc(2019, 3, 1), utc(2012, 10, 1)])
def test_every_file_parses_into_valid_listings(name: str, now: datetime) -> None:
    result = read(name, now)
    for listing in result.listings:
        assert listing.source_id == "lakenhal"
        assert listing.external_id
        if listing.start is not None:
            assert listing.start.utcoffset() is not None
            assert listing.end is None or listing.end > listing.start
        else:
            assert listing.start_date is not None and listing.end_date is not None
            assert listing.end_date >= listing.start_date
    for problem in result.problems:
        assert problem.source_id == "lakenhal" and problem.message


# --- real files: specific behaviour -------------------------------------------------


def test_escaped_commas_make_three_categories() -> None:
    (listing,) = read("categories_with_escaped_commas.ics").listings
    assert listing.categories == ("Meeting, John", "Work, Sarah", "Project")
    assert listing.start == utc(2014, 2, 4, 14)


def test_latin1_file_without_uid_with_floating_times() -> None:
    result = read("mozilla_latin1_not_utf8.ics")
    titles = {listing.title: listing for listing in result.listings}
    assert set(titles) == {"Event One", "Event Två", "Event Three", "Event Four"}
    two = titles["Event Två"]
    # Floating 16:00 on 1 January is Amsterdam winter time: 15:00 UTC.
    assert two.start == utc(2019, 1, 1, 15) and two.end == utc(2019, 1, 1, 16)
    assert two.external_id == content_id("Event Två", two.start.isoformat())
    assert len({listing.external_id for listing in result.listings}) == 4
    assert not result.problems


def test_google_duration_gives_the_end() -> None:
    (listing,) = read("google_duration_instead_of_dtend.ics").listings
    # 06:00 in Los Angeles summer time (UTC-7), DURATION:P1D.
    assert listing.start == utc(2012, 6, 30, 13)
    assert listing.end == utc(2012, 7, 1, 13)
    assert listing.description == "" and listing.venue_name == "Museum De Lakenhal"


def test_x_wr_timezone_does_not_reinterpret_utc_times() -> None:
    listings = by_id(read("google_x_wr_timezone_utc_times.ics"))
    noon = listings["3bc4jff97631or97ntnk75n4se@google.com"]
    assert noon.start == utc(2021, 12, 22, 17) and noon.end == utc(2021, 12, 22, 18)
    nine = listings["14n7h56i35m32ukcq76s46d45p@google.com"]
    assert nine.start == utc(2021, 12, 23, 2)
    assert nine.start.astimezone(ZoneInfo("America/New_York")).hour == 21


def test_exchange_windows_zone_file_with_folded_values_and_blank_lines() -> None:
    result = read("exchange2010_w_europe_standard_time_broken.ics", utc(2020, 4, 25))
    uid = "3bbe38c205956551730fc9233525fe268296ec02"
    # Daily 14:00 Berlin until the floating UNTIL; the EXDATE 12:00Z (=14:00) drops the 27th.
    assert sorted(by_id(result)) == [f"{uid}/20200426T120000Z", f"{uid}/20200428T120000Z"]
    first = by_id(result)[f"{uid}/20200426T120000Z"]
    assert first.start == utc(2020, 4, 26, 12) and first.end == utc(2020, 4, 26, 12, 30)
    assert first.series_id == uid and first.title == "Reoccur"
    assert not result.problems


def test_exchange_allday_biweekly_with_datetime_recurrence_ids() -> None:
    result = read("exchange2010_gmt_standard_time_allday_biweekly.ics", utc(2020, 4, 1))
    uid = (
        "040000008200E00074C5B7101A82E00800000000017E1BADC42ED601000000000000000"
        "010000000FBF1FBAE2E9FBC4D81F16854E2F4D51B"
    )
    black = sorted(
        (listing for listing in result.listings if listing.series_id == uid),
        key=lambda listing: listing.external_id,
    )
    days = [listing.start_date for listing in black]
    assert days[:3] == [date(2020, 4, 2), date(2020, 4, 17), date(2020, 4, 30)]
    moved = by_id(result)[f"{uid}/20200416"]
    assert moved.start_date == moved.end_date == date(2020, 4, 17)
    assert date(2020, 4, 16) not in days
    assert len(black) == 12 and not result.problems


def test_custom_tzid_defined_by_vtimezone_and_rrule_with_spaces() -> None:
    result = read("exchange_cdo_custom_tzid_rrule_byday_spaces.ics", utc(2015, 7, 1))
    starts = sorted(listing.start for listing in result.listings if listing.start)
    # Weekdays 3-22 July 2015 at 10:00 CEST (08:00Z), UNTIL 22 July 08:00Z inclusive.
    assert len(starts) == 14
    assert starts[0] == utc(2015, 7, 3, 8) and starts[-1] == utc(2015, 7, 22, 8)
    assert all(start.weekday() < 5 for start in starts)
    assert not result.problems  # the custom TZID is defined, so no unknown-zone warning


def test_messy_file_gives_problems_and_listings() -> None:
    result = read("icsparser_messy_invalid_dates_windows_tzids.ics", utc(2017, 1, 1))
    errors = [p for p in result.problems if p.severity == "error"]
    assert [(p.external_id, p.field) for p in errors] == [
        ("f81b0b41a2e138ae0903daee0a966e1e", "DTSTART")
    ]
    assert "20171032T000000" in errors[0].message and "not a valid date" in errors[0].message
    warnings = [p for p in result.problems if p.severity == "warning"]
    assert [p.field for p in warnings] == ["TZID"]
    assert "(UTC-05:00) Eastern Time (US & Canada)" in warnings[0].message
    listings = by_id(result)
    assert len(result.listings) > 50
    # Single events are kept whatever their date; VALUE=DATE with a TZID is still a date.
    zuse = listings["dh3fki5du0opa7cs5n5s87ca02@google.com"]
    assert zuse.start_date == zuse.end_date == date(1941, 5, 12)
    assert listings["dh3fki5du0opa7cs5n5s87ca01@google.com"].start_date == date(2038, 2, 1)
    # A continuation line without its leading space is joined, not dropped.
    holidays = listings["15lc1nvupht8dtfiptenljoiv4@google.com"]
    assert holidays.description.endswith("too. And a non-breaking space.")
    assert holidays.organizer == "My Name" and holidays.language == "en"
    moved = listings["testuid@google.com/20170813T090000Z"]
    assert moved.title == "Override Parent Recurrence Event"
    assert moved.venue_name is not None and moved.venue_name.startswith("Melbourne VIC")


def test_no_begin_vcalendar_dutch_aggregate() -> None:
    result = read("nl_meetup_tec_aggregate_no_vcalendar_begin.ics")
    listings = by_id(result)
    assert len(listings) == 13 and not result.problems
    webinar = listings["event_292210266@meetup.com"]
    assert webinar.start == utc(2023, 3, 21, 16)
    assert webinar.title.startswith('WEBINAR "Making Machine Learning Easy')
    assert (webinar.latitude, webinar.longitude) == (52.36, 4.88)
    assert webinar.categories == ()  # CATEGORIES:NA
    assert webinar.organizer == "Erasmus Centre for Data Analytics"  # percent-decoded CN
    xomnia = listings["event_291312436@meetup.com"]
    assert (xomnia.venue_name, xomnia.address, xomnia.postcode, xomnia.city) == (
        "Xomnia",
        "Raamstraat 7",
        "1016 XL",
        "Amsterdam",
    )
    tec = listings["13716-1681804800-1688504400@ecda.eur.nl"]
    assert tec.latitude is None  # GEO absent, not NA-parsed
    assert tec.categories == ("Leadership Challenges with Data Analytics",)


def test_vvenue_component_and_six_space_continuations() -> None:
    (listing,) = read("upcoming_org_vvenue_bad_continuation.ics").listings
    assert listing.venue_name == "Bagdad Theater and Pub"
    assert listing.address == "3702 S.E. Hawthorne Blvd"
    assert (listing.city, listing.postcode) == ("Portland", "97214")
    assert (listing.latitude, listing.longitude) == (45.5121, -122.626)
    assert "Come join us for the second Ignite Portland!" in listing.description
    assert "What is Ignite Portland?" in listing.description
    assert listing.organizer == "tiesque"
    assert listing.start == datetime(2008, 2, 5, 18, 0, tzinfo=AMSTERDAM)


def test_two_space_folds_are_unfolded_without_stray_spaces() -> None:
    listings = by_id(read("eventful_folded_vvenue_param.ics"))
    pioneer = listings["E0-001-013482921-1"]
    assert pioneer.venue_name == "Apple Store Pioneer Place"
    assert pioneer.description.startswith("iMovie has been rebuilt from the ground up")
    assert "the fastest way ever" in pioneer.description


def test_relative_url_is_absolutised_and_missing_end_stays_missing() -> None:
    result = read("discourse_events_no_dtend.ics", url="https://talk.example.org/c/x.ics")
    first = by_id(result)["0ab03762-6e6d-40d7-9ceb-b49844ba61a4"]
    assert first.url == "https://talk.example.org/c/machbar/calendar"
    assert first.end is None
    assert first.start == datetime(2019, 1, 17, 18, 0, 25, tzinfo=AMSTERDAM)
    assert read("discourse_events_no_dtend.ics").listings[0].url == (
        "https://www.lakenhal.example/c/machbar/calendar"  # falls back to the source url
    )


def test_zimbra_rdate_exdate_and_utc_recurrence_id() -> None:
    result = read("zimbra_rdate_exdate_recurrence_id_bad_vtimezone.ics", utc(2012, 10, 1))
    uid = "623c13c0-6c2b-45d6-a12b-c33ad61c4868"
    listings = by_id(result)
    moved = listings[f"{uid}/20121002T170000Z"]  # 10:00 PDT, moved to 15:00
    assert moved.start == utc(2012, 10, 2, 22) and moved.description == "I HAZ CHANGED!"
    late = listings[f"{uid}/20121105T180000Z"]  # an RDATE, moved by a UTC RECURRENCE-ID
    assert late.start == utc(2012, 11, 7, 4)
    assert f"{uid}/20121110T180000Z" in listings  # RDATE
    assert f"{uid}/20121204T180000Z" not in listings  # EXDATE
    assert f"{uid}/20130205T180000Z" not in listings  # EXDATE
    assert f"{uid}/20130108T180000Z" not in listings  # not a first Tuesday
    assert f"{uid}/20130101T180000Z" in listings
    assert all(listing.series_id == uid for listing in result.listings)
    assert not result.problems


def test_html_alt_description_is_sanitised_from_a_real_wordpress_file() -> None:
    result = read("icalcreator_fablab_cottbus_allday_multiday.ics", utc(2019, 3, 1))
    closed = by_id(result)["ai1ec-1862@blog.fablab-cottbus.de"]
    assert closed.start_date == closed.end_date == date(2018, 6, 9)
    assert closed.description.startswith("<p>Wir sind auf dem Karlstraßenfest")
    for listing in result.listings:
        assert "<!DOCTYPE" not in listing.description and "<HTML>" not in listing.description
        assert "\\n" not in listing.description


def test_prefixed_vtimezone_file_has_no_events() -> None:
    result = read("vtimezone_europe_amsterdam_prefixed_tzid.ics")
    assert result.listings == () and result.problems == ()


def test_far_future_date_only_event_is_kept() -> None:
    (listing,) = read("dclicious_invalid_date_values.ics").listings
    assert listing.start_date == date(3011, 8, 11)
    assert listing.venue_name == "Green Dragon Bistro and Brewpub"


# --- hand-written: times ------------------------------------------------------------


@pytest.mark.parametrize(
    ("uid", "start", "end"),
    [
        ("winter@dst.example", utc(2027, 1, 15, 19), utc(2027, 1, 15, 21)),
        ("summer@dst.example", utc(2027, 7, 15, 18), utc(2027, 7, 15, 20)),
        ("eve-of-spring-switch@dst.example", utc(2027, 3, 27, 19), None),
        ("spring-switch-night@dst.example", utc(2027, 3, 28, 1, 30), None),
        # 02:30 does not exist on 28 March; RFC 5545 reads it with the offset before the gap.
        ("spring-gap@dst.example", utc(2027, 3, 28, 1, 30), None),
        ("day-of-spring-switch@dst.example", utc(2027, 3, 28, 18), None),
        ("autumn-switch-night@dst.example", utc(2027, 10, 30, 23, 30), None),
        # 02:30 happens twice on 31 October; RFC 5545 means the first (summer time).
        ("autumn-ambiguous@dst.example", utc(2027, 10, 31, 0, 30), None),
        ("autumn-after@dst.example", utc(2027, 10, 31, 2, 30), None),
        ("across-autumn-switch@dst.example", utc(2027, 10, 30, 20), utc(2027, 10, 31, 3)),
        ("floating-summer@dst.example", utc(2027, 7, 15, 18), None),
        ("utc-summer@dst.example", utc(2027, 7, 15, 18), None),
    ],
)
def test_amsterdam_instants_across_dst(uid: str, start: datetime, end: datetime | None) -> None:
    listing = by_id(read("dst_amsterdam.ics"))[uid]
    # Compared in UTC: Python never calls an ambiguous local time equal to another zone's.
    assert listing.start is not None and listing.start.astimezone(UTC) == start
    assert (listing.end and listing.end.astimezone(UTC)) == end
    assert listing.start.tzinfo == AMSTERDAM
    assert listing.start.utcoffset() == start.astimezone(AMSTERDAM).utcoffset()


def test_weekly_series_across_dst_keeps_wall_clock_time() -> None:
    result = read("dst_amsterdam.ics")
    series = [x for x in result.listings if x.series_id == "weekly-across-spring@dst.example"]
    assert [x.start for x in series] == [
        utc(2027, 3, 18, 19),
        utc(2027, 3, 25, 19),
        utc(2027, 4, 1, 18),
    ]
    assert [x.end - x.start for x in series if x.end and x.start] == [timedelta(hours=1.5)] * 3


def test_windows_zone_names_are_amsterdam_equivalent() -> None:
    result = read("windows_zone_names.ics")
    listings = by_id(result)
    assert listings["winter@windows.example"].start == utc(2027, 1, 15, 19)
    assert listings["summer@windows.example"].start == utc(2027, 7, 15, 18)
    assert listings["summer@windows.example"].end == utc(2027, 7, 15, 20)
    assert listings["london@windows.example"].start == utc(2027, 7, 15, 19)
    assert listings["brussels@windows.example"].start == utc(2027, 1, 15, 19)
    weekly = sorted(k for k in listings if k.startswith("weekly@"))
    assert weekly == [
        "weekly@windows.example/20270318T190000Z",
        "weekly@windows.example/20270325T190000Z",
        "weekly@windows.example/20270401T180000Z",
    ]
    assert not result.problems


def test_prefixed_custom_and_unknown_tzids() -> None:
    result = read("prefixed_custom_unknown_tzids.ics")
    listings = by_id(result)
    assert listings["citadel@tzid.example"].start == utc(2027, 7, 15, 18)
    assert listings["mozilla@tzid.example"].start == utc(2027, 1, 15, 19)
    assert listings["new-york@tzid.example"].start == utc(2027, 1, 16, 1)
    assert listings["custom@tzid.example"].start == utc(2027, 7, 15, 18)
    assert listings["unknown@tzid.example"].start == utc(2027, 7, 15, 18)  # as Amsterdam
    assert listings["floating@tzid.example"].start == utc(2027, 7, 15, 19)  # X-WR London
    assert listings["utc@tzid.example"].start == utc(2027, 7, 15, 19)
    (warning,) = result.problems
    assert (warning.severity, warning.field) == ("warning", "TZID")
    assert "Mars/Olympus_Mons" in warning.message and "Europe/Amsterdam" in warning.message


def test_zone_mapping_rules() -> None:
    assert mapped_zone("/citadel.org/20260108_1/Europe/Amsterdam") == AMSTERDAM
    assert mapped_zone("/mozilla.org/20070129_1/Europe/Berlin") == ZoneInfo("Europe/Berlin")
    assert mapped_zone("W. Europe Standard Time") == ZoneInfo("Europe/Berlin")
    assert mapped_zone('"GMT Standard Time"') == ZoneInfo("Europe/London")
    assert mapped_zone("Germany/Berlin") is None  # not "Berlin", not a guess
    assert mapped_zone("../../etc/passwd") is None
    assert Zones({}, "Not/AZone").floating == AMSTERDAM
    assert Zones({}, "US/Eastern").floating == ZoneInfo("US/Eastern")


@pytest.mark.parametrize("rule", ["", "RRULE:FREQ=DAILY;COUNT=1\n"])
def test_custom_vtimezone_of_one_file_does_not_leak_into_the_next(rule: str) -> None:
    # icalendar caches VTIMEZONEs process-wide by TZID; each file must use its own.
    def calendar(offset: str) -> bytes:
        return (
            "BEGIN:VCALENDAR\nBEGIN:VTIMEZONE\nTZID:Huiszone\nBEGIN:STANDARD\n"
            f"DTSTART:19700101T000000\nTZOFFSETFROM:{offset}\nTZOFFSETTO:{offset}\n"
            "END:STANDARD\nEND:VTIMEZONE\nBEGIN:VEVENT\nUID:a\n"
            f"DTSTART;TZID=Huiszone:20270115T120000\n{rule}SUMMARY:x\nEND:VEVENT\nEND:VCALENDAR\n"
        ).encode()

    (first,) = parse(calendar("+0500"), SOURCE, NOW).listings
    (second,) = parse(calendar("-0300"), SOURCE, NOW).listings
    assert first.start is not None and first.start.astimezone(UTC) == utc(2027, 1, 15, 7)
    assert second.start is not None and second.start.astimezone(UTC) == utc(2027, 1, 15, 15)


# --- hand-written: recurrence -------------------------------------------------------


def test_weekly_series_with_exdate_moved_and_cancelled_occurrence() -> None:
    result = read("recurrence_weekly_exdate_moved.ics", utc(2027, 1, 1))
    uid = "lezingen-2027@lakenhal.example"
    series = {x.external_id: x for x in result.listings if x.series_id == uid}
    assert sorted(series) == [
        f"{uid}/20270107T190000Z",
        f"{uid}/20270114T190000Z",
        f"{uid}/20270128T190000Z",
        f"{uid}/20270204T190000Z",
        f"{uid}/20270211T190000Z",
    ]
    assert f"{uid}/20270121T190000Z" not in series  # EXDATE
    assert all(x.start and x.start.date() != date(2027, 1, 21) for x in series.values())
    moved = series[f"{uid}/20270128T190000Z"]  # keeps the id of its ORIGINAL start
    assert moved.start == utc(2027, 1, 29, 18) and moved.end == utc(2027, 1, 29, 19, 30)
    assert moved.title == "Lezing: Leiden in de Gouden Eeuw (verplaatst naar vrijdag)"
    regular = series[f"{uid}/20270107T190000Z"]
    assert regular.title == "Lezing: Leiden in de Gouden Eeuw"
    assert (regular.venue_name, regular.address, regular.postcode, regular.city) == (
        "Museum De Lakenhal",
        "Oude Singel 32",
        "2312 RA",
        "Leiden",
    )
    assert series[f"{uid}/20270211T190000Z"].status == "cancelled"
    assert {x.status for x in series.values()} == {"scheduled", "cancelled"}
    atelier = sorted(x.external_id for x in result.listings if x.series_id != uid)
    assert atelier == [
        "open-atelier@lakenhal.example/20270106",
        "open-atelier@lakenhal.example/20270120",
    ]
    assert not result.problems


def test_window_bounds_singles_and_runaway_rules() -> None:
    result = read("window_and_limits.ics")
    listings = by_id(result)
    assert listings["old-single@window.example"].start_date == date(2001, 5, 5)
    assert not [k for k in listings if k.startswith("old-series@")]
    weekly = sorted(
        x.start for x in result.listings if x.series_id == "endless-weekly@window.example"
    )
    # 30 days before now (11 Dec 2026) up to 18 months after it (10 Jul 2028).
    assert weekly[0] == utc(2026, 12, 17, 19) and weekly[-1] == utc(2028, 7, 6, 18)
    assert len(weekly) == 82
    minutes = [x for x in result.listings if x.series_id == "every-minute@window.example"]
    assert len(minutes) == MAX_OCCURRENCES
    assert minutes[0].start is not None and minutes[0].start >= NOW - timedelta(days=30)
    problems = {p.external_id: p for p in result.problems}
    assert problems["every-minute@window.example"].severity == "warning"
    assert problems["huge-count@window.example"].field == "RRULE"
    assert "huge-count@window.example" not in {x.series_id for x in result.listings}


# --- hand-written: problems and fields ----------------------------------------------


def test_bad_events_are_problems_and_the_rest_imports() -> None:
    result = read("problems_isolated.ics")
    problems = {(p.external_id, p.field, p.severity) for p in result.problems}
    assert problems == {
        ("no-start@problems.example", "DTSTART", "error"),
        ("impossible-date@problems.example", "DTSTART", "error"),
        ("truncated-end@problems.example", "DTEND", "warning"),  # kept without an end
        ("broken-rule@problems.example", "RRULE", "error"),
        ("twice@problems.example", "UID", "warning"),
        ("backwards@problems.example", "DTEND", "warning"),
        (None, "END", "error"),  # the file stops inside its last VEVENT
    }
    assert result.complete is False
    messages = {p.external_id: p.message for p in result.problems}
    assert messages["no-start@problems.example"] == "VEVENT has no DTSTART"
    assert "'20271101T2300'" in messages["truncated-end@problems.example"]
    assert "FORTNIGHTLY" in messages["broken-rule@problems.example"]
    listings = by_id(result)
    assert sorted(listings) == [
        "backwards@problems.example",
        "cancelled@problems.example",
        "good@problems.example",
        "tentative@problems.example",
        "truncated-end@problems.example",
        "twice@problems.example",
    ]  # unterminated@ has no END:VEVENT and no END:VCALENDAR: cut off, left out
    assert listings["twice@problems.example"].title == "Dubbel (versie 2)"  # highest SEQUENCE
    assert listings["cancelled@problems.example"].status == "cancelled"
    tentative = listings["tentative@problems.example"]
    assert tentative.status == "scheduled"
    assert (tentative.start_date, tentative.end_date) == (date(2027, 3, 11), date(2027, 3, 13))
    assert listings["backwards@problems.example"].end is None
    assert listings["truncated-end@problems.example"].end is None
    good = listings["good@problems.example"]
    assert (good.venue_name, good.city, good.language) == ("Museum De Lakenhal", "Leiden", "nl")


def test_duplicate_uid_with_equal_sequence_keeps_the_last() -> None:
    data = (
        b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:d\nDTSTART:20270101T100000Z\nSUMMARY:eerste\n"
        b"END:VEVENT\nBEGIN:VEVENT\nUID:d\nDTSTART:20270102T100000Z\nSUMMARY:tweede\n"
        b"END:VEVENT\nEND:VCALENDAR\n"
    )
    result = parse(data, SOURCE, NOW)
    assert [x.title for x in result.listings] == ["tweede"]
    assert [p.severity for p in result.problems] == ["warning"]


def test_fields_html_description_location_geo_categories_organizer() -> None:
    result = read("html_description_fields.ics", url="https://www.pieterskerk.example/a/b.ics")
    listings = by_id(result)
    bach = listings["html@fields.example"]
    assert bach.title == "Bach & Händel in de Pieterskerk"
    assert bach.start == utc(2027, 4, 10, 18, 15) and bach.end == utc(2027, 4, 10, 20, 30)
    assert "<script" not in bach.description and "alert" not in bach.description
    assert "onclick" not in bach.description and "onerror" not in bach.description
    assert bach.description.startswith('<p>Een <b>avond</b> vol <a href="https://example.org/bach"')
    assert bach.url == "https://www.pieterskerk.example/agenda/bach-en-handel"
    assert (bach.venue_name, bach.address, bach.postcode, bach.city) == (
        "Pieterskerk",
        "Pieterskerkhof 1a",
        "2311 SR",
        "Leiden",
    )
    assert (bach.latitude, bach.longitude) == (52.1572, 4.4881)
    assert bach.categories == ("Muziek", "Klassiek, barok")
    assert bach.organizer == "Stichting Oude Muziek"
    assert bach.image == "https://example.org/img/bach.jpg"
    open_day = listings["script@fields.example"]
    assert open_day.description == "<p>Welkom</p>"
    assert open_day.venue_name == "Museum De Lakenhal"  # LOCATION:NA -> the source's venue
    assert open_day.latitude is None and open_day.longitude is None  # GEO:NA
    assert (open_day.start_date, open_day.end_date) == (date(2027, 4, 11), date(2027, 4, 11))
    assert not result.problems


# --- not iCalendar at all -----------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"  \r\n\r\n",
        b"<!DOCTYPE html><html><head><title>Agenda</title></head><body>BEGIN:VEVENT</body></html>",
        b'{"events": [{"title": "BEGIN:VCALENDAR"}]}',
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"title;date\nConcert;01-02-2027\n",
    ],
)
def test_not_icalendar_raises_parse_error(data: bytes) -> None:
    with pytest.raises(ParseError, match="not an iCalendar document"):
        parse(data, SOURCE, NOW)
