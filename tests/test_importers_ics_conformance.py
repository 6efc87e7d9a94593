"""ICS conformance: per quirk class a minimal hand-written file and what a correct reader gives.

The files live in ``tests/fixtures/ics/conformance/``; each test names the RFC 5545 rule
(or the real producer's habit) it pins down.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from agenda.model import SourceConfig
from importers import ics, ics_zones
from importers.base import ParseResult
from importers.ics import MAX_OCCURRENCES, parse

CONFORMANCE = Path(__file__).parent / "fixtures" / "ics" / "conformance"
NOW = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)
SOURCE = SourceConfig(id="conf", name="Conformance", format="ics", url="https://c.example/a.ics")


def read(name: str, now: datetime = NOW) -> ParseResult:
    return parse((CONFORMANCE / name).read_bytes(), SOURCE, now)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


# --- lines and names ------------------------------------------------------------------


def test_a_fold_may_sit_anywhere_even_right_after_the_name() -> None:
    # CRLF and bare LF folds, a space or a tab, inside the name and before ";" or ":".
    (listing,) = read("fold_anywhere.ics").listings
    assert listing.external_id == "fold@conf.example"
    assert listing.start == utc(2027, 1, 15, 19)
    assert listing.title == "Gevouwen"
    assert read("fold_anywhere.ics").problems == ()


def test_property_names_are_case_insensitive_and_may_have_a_group() -> None:
    result = read("mixed_case_names.ics")
    (listing,) = result.listings
    assert listing.external_id == "case@conf.example"
    assert listing.start == utc(2027, 1, 15, 19)
    assert listing.title.startswith("Groepsnaam")  # item2.Summary is SUMMARY
    # "Contact: Jan ..." in Title-case is prose that lost its fold, not a CONTACT property.
    assert listing.title.endswith("forgot to fold")
    assert result.problems == () and result.complete


# --- component structure --------------------------------------------------------------


def test_an_end_that_does_not_match_its_begin_loses_nothing_after_it() -> None:
    result = read("end_typo.ics")
    assert sorted(x.external_id for x in result.listings) == [
        "after-typo-1@conf.example",
        "after-typo-2@conf.example",
        "after-typo-3@conf.example",
    ]
    messages = [p.message for p in result.problems]
    assert len(messages) == 2, messages  # one per mistyped END
    assert "END:VTOOD does not match BEGIN:VTODO" in messages[0]
    assert "END:VEVNT does not match BEGIN:VEVENT" in messages[1]
    assert {p.field for p in result.problems} == {"END"}
    assert result.complete


def test_a_cut_off_file_keeps_closed_events_and_drops_the_open_one() -> None:
    result = read("truncated.ics")
    assert [x.external_id for x in result.listings] == ["closed@conf.example"]
    assert "Testco" not in {x.title for x in result.listings}
    assert result.complete is False
    (problem,) = result.problems
    assert "cut off" in problem.message and "VEVENT was left out" in problem.message


def test_a_file_cut_between_events_is_incomplete_too() -> None:
    result = read("truncated_after_event.ics")
    assert [x.external_id for x in result.listings] == ["closed@conf.example"]
    assert result.complete is False
    assert [p.field for p in result.problems] == ["END"]


def test_without_begin_vcalendar_an_unclosed_event_is_kept_as_before() -> None:
    result = read("no_vcalendar_unclosed.ics")
    assert [x.external_id for x in result.listings] == ["open@conf.example"]
    assert result.complete and result.problems == ()


# --- recurrence -----------------------------------------------------------------------


def starts_of(result: ParseResult, uid: str) -> list[datetime]:
    return sorted(x.start for x in result.listings if x.series_id == uid and x.start)


def test_sub_daily_rules_are_expanded_over_the_window() -> None:
    result = read("sub_daily.ics")
    hourly = starts_of(result, "hourly@conf.example")
    # 10 Jan 2027 09:00 minus 30 days is before 1 Jan: all of January, twice a day.
    assert len(hourly) == 62
    assert hourly[:3] == [utc(2027, 1, 1, 11), utc(2027, 1, 1, 15), utc(2027, 1, 2, 11)]
    assert hourly[-1] == utc(2027, 1, 31, 15)
    half = starts_of(result, "half-hourly@conf.example")
    assert len(half) == 40  # 10:00, 10:30, 11:00, 11:30 on 1..10 January
    assert half[:4] == [
        utc(2027, 1, 1, 10),
        utc(2027, 1, 1, 10, 30),
        utc(2027, 1, 1, 11),
        utc(2027, 1, 1, 11, 30),
    ]
    counted = starts_of(result, "counted@conf.example")
    assert counted == [utc(2027, 1, 5, 9 + 3 * k, 30) for k in range(5)]


def test_endless_sub_daily_rules_stop_at_the_cap_with_a_problem_naming_them() -> None:
    result = read("sub_daily.ics")
    endless = starts_of(result, "hourly-endless@conf.example")
    assert len(endless) == MAX_OCCURRENCES
    assert endless[0] == utc(2026, 12, 11, 11)  # the first one inside the window
    assert all(x.astimezone(UTC).hour in (11, 15) for x in endless)
    assert endless[-1] == utc(2028, 4, 23, 15)  # 500 days of two: 11 Dec 2026 + 499 days
    seconds = starts_of(result, "every-second@conf.example")
    assert len(seconds) == MAX_OCCURRENCES
    assert seconds[-1] - seconds[0] == timedelta(seconds=MAX_OCCURRENCES - 1)
    problems = {p.external_id: p for p in result.problems}
    assert set(problems) == {"hourly-endless@conf.example", "every-second@conf.example"}
    assert "Eindeloos twee keer per dag" in problems["hourly-endless@conf.example"].message
    assert "'every-second@conf.example'" in problems["every-second@conf.example"].message
    assert result.complete


def test_ten_never_matching_secondly_rules_are_refused_quickly() -> None:
    # Run in a subprocess so a hang shows as a timeout, not a stuck test run.
    code = (
        "import sys, time; from datetime import datetime, UTC;"
        "from agenda.model import SourceConfig; from importers.ics import parse;"
        "s = SourceConfig(id='c', name='c', format='ics', url='https://c.example/');"
        "t = time.monotonic();"
        f"r = parse(open({str(CONFORMANCE / 'never_matching_rules.ics')!r}, 'rb').read(), s,"
        " datetime(2027, 1, 10, tzinfo=UTC));"
        "print(len(r.listings), len(r.problems), time.monotonic() - t)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=20, check=True
    )
    listings, problems, _seconds = done.stdout.split()
    assert (listings, problems) == ("0", "10")
    result = read("never_matching_rules.ics")
    assert all("never occurs" in p.message and p.field == "RRULE" for p in result.problems)
    assert {p.external_id for p in result.problems} == {
        f"never-{i}@conf.example" for i in range(10)
    }


def test_a_series_that_runs_out_of_time_is_cut_with_a_problem(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ics, "SERIES_BUDGET", -1.0)
    result = read("sub_daily.ics")
    problems = [p for p in result.problems if "budget" in p.message]
    assert {p.external_id for p in problems} == {
        "hourly@conf.example",
        "half-hourly@conf.example",
        "hourly-endless@conf.example",
        "every-second@conf.example",
        "counted@conf.example",
    }
    assert "'Twee keer per dag'" in " ".join(p.message for p in problems)
    assert result.complete is False


def test_a_document_that_runs_out_of_time_skips_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ics, "DOCUMENT_BUDGET", -1.0)
    result = read("this_and_future.ics")
    assert result.listings == ()
    (problem,) = result.problems
    assert problem.external_id == "future@conf.example" and "'Cursus'" in problem.message
    assert result.complete is False


def test_several_rrule_lines_give_the_union_and_a_bad_one_is_a_problem() -> None:
    result = read("several_rrules.ics")
    assert starts_of(result, "two-rules@conf.example") == [
        utc(2027, 1, 4, 19),
        utc(2027, 1, 7, 19),
        utc(2027, 1, 11, 19),
        utc(2027, 1, 14, 19),
        utc(2027, 1, 18, 19),
    ]
    (problem,) = result.problems
    assert "FORTNIGHTLY" in problem.message and problem.severity == "warning"


def test_this_and_future_moves_every_later_occurrence_keeping_each_identity() -> None:
    result = read("this_and_future.ics")
    listings = {x.external_id: x for x in result.listings}
    uid = "future@conf.example"
    assert sorted(listings) == [
        f"{uid}/20270105T190000Z",
        f"{uid}/20270112T190000Z",
        f"{uid}/20270119T190000Z",
        f"{uid}/20270126T190000Z",
        f"{uid}/20270202T190000Z",
    ]
    assert listings[f"{uid}/20270112T190000Z"].title == "Cursus"
    later = listings[f"{uid}/20270126T190000Z"]
    # Moved as the override moved its own (+23 h) and two hours long, as it is.
    assert (later.start, later.end) == (utc(2027, 1, 27, 18), utc(2027, 1, 27, 20))
    assert later.title == "Cursus (nu op woensdag)"
    assert result.problems == ()


# --- values -----------------------------------------------------------------------------


def test_one_bad_value_never_discards_a_valid_event_or_series() -> None:
    result = read("bad_values.ics")
    listings = {x.external_id: x for x in result.listings}
    assert sorted(k for k in listings if k.startswith("bad-rdate@")) == [
        "bad-rdate@conf.example/20270110",
        "bad-rdate@conf.example/20270401",  # the good RDATE of the pair
        "bad-rdate@conf.example/20280110",
    ]
    assert listings["bad-end@conf.example"].start == utc(2027, 1, 15, 19)
    assert listings["bad-end@conf.example"].end is None
    assert len([k for k in listings if k.startswith("bad-duration@")]) == 2
    found = {(p.external_id, p.field, p.severity) for p in result.problems}
    assert found == {
        ("bad-rdate@conf.example", "RDATE", "warning"),
        ("bad-rdate@conf.example", "EXDATE", "warning"),
        ("bad-end@conf.example", "DTEND", "warning"),
        ("bad-duration@conf.example", "DURATION", "warning"),
    }


def test_an_empty_rdate_leaves_a_single_event_single() -> None:
    # A 2025 event read in 2027: as a series it would fall outside the window and vanish.
    listing = {x.external_id: x for x in read("bad_values.ics").listings}[
        "empty-rdate@conf.example"
    ]
    assert listing.start == utc(2025, 1, 1, 10) and listing.series_id is None


# --- time zones: an IANA TZID with the file's own VTIMEZONE ------------------------------


def starts(result: ParseResult) -> dict[str, datetime | None]:
    return {x.external_id: x.start for x in result.listings}


def test_a_full_vtimezone_that_agrees_with_tzdata_reads_as_tzdata() -> None:
    # Mozilla's prefixed TZID with the 1970 rules: the same offsets as tzdata, no warning.
    result = read("vtimezone_agrees_with_tzdata.ics")
    assert starts(result) == {
        "winter@conf.example": utc(2027, 1, 15, 19),
        "summer@conf.example": utc(2027, 7, 15, 18),
        "weekly@conf.example/20270323T190000Z": utc(2027, 3, 23, 19),
        "weekly@conf.example/20270330T180000Z": utc(2027, 3, 30, 18),  # after 28 March
    }
    assert {x.external_id: x.end for x in result.listings}["winter@conf.example"] == utc(
        2027, 1, 15, 21
    )
    assert result.problems == () and result.complete


def test_a_truncated_vtimezone_under_an_iana_name_reads_as_tzdata() -> None:
    # Read literally, each of these would be an hour off; tzdata gives the intended time.
    read("vtimezone_own_rules.ics")  # a differing America/New_York elsewhere must not leak
    result = read("vtimezone_truncated.ics")
    assert starts(result) == {
        # Only STANDARD +0100: a summer evening is still +0200.
        "standard-only@conf.example": utc(2027, 7, 15, 18),
        # STANDARD and DAYLIGHT from 1970 without a rule: no onset in 2027.
        "from-1970-only@conf.example": utc(2027, 7, 15, 18),
        # Only DAYLIGHT -0400: a January evening is -0500.
        "daylight-only@conf.example": utc(2027, 1, 16, 0),
        # Full rules that stop in 2006 (UNTIL): 20 March 2027 is already CDT, -0500.
        "rules-ended@conf.example": utc(2027, 3, 21, 0),
    }
    assert result.problems == () and result.complete


def test_a_full_vtimezone_of_its_own_under_an_iana_name_is_followed_with_a_warning() -> None:
    # America/New_York with summer time from the first Sunday of May to the last Sunday
    # of September: April and October evenings are -0500 by the file, -0400 by tzdata.
    result = read("vtimezone_own_rules.ics")
    assert starts(result) == {
        "april@conf.example": utc(2027, 4, 16, 0),
        "july@conf.example": utc(2027, 7, 15, 23),
        "october@conf.example": utc(2027, 10, 16, 0),
        "weekly@conf.example/20270402T000000Z": utc(2027, 4, 2, 0),
        "weekly@conf.example/20270409T000000Z": utc(2027, 4, 9, 0),
        "weekly@conf.example/20270416T000000Z": utc(2027, 4, 16, 0),
    }
    assert {x.external_id: x.end for x in result.listings}["april@conf.example"] == utc(
        2027, 4, 16, 2
    )
    (problem,) = result.problems
    assert (problem.field, problem.severity) == ("TZID", "warning")
    assert problem.message == (
        "the calendar's own VTIMEZONE for 'America/New_York' differs from the tz database; "
        "its own rules were used"
    )
    assert result.complete


def test_without_time_to_compare_a_vtimezone_tzdata_is_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ics_zones, "OWN_RULES_BUDGET", 0.0)
    result = read("vtimezone_own_rules.ics")
    assert starts(result)["april@conf.example"] == utc(2027, 4, 15, 23)
    assert result.problems == ()


def test_a_fixed_offset_with_both_blocks_is_a_full_definition_of_its_own() -> None:
    # Both blocks -0400 all year: it differs from tzdata in winter only, and is followed.
    vtimezone = [
        "TZID:America/New_York",
        *("BEGIN:STANDARD", "TZOFFSETFROM:-0400", "TZOFFSETTO:-0400"),
        *("DTSTART:19701101T020000", "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU", "END:STANDARD"),
        *("BEGIN:DAYLIGHT", "TZOFFSETFROM:-0400", "TZOFFSETTO:-0400"),
        *("DTSTART:19700308T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", "END:DAYLIGHT"),
    ]
    zones = ics_zones.Zones({"America/New_York": vtimezone}, None)
    zones.expect("America/New_York", "20270115T190000", {})
    zone = zones.resolve("America/New_York")
    assert datetime(2027, 1, 15, 19, tzinfo=zone).astimezone(UTC) == utc(2027, 1, 15, 23)
    assert zones.own == ["America/New_York"]
    # The same file whose events are all in summer agrees with tzdata: tzdata.
    summer = ics_zones.Zones({"America/New_York": vtimezone}, None)
    summer.expect("America/New_York", "20270715T190000", {})
    assert summer.resolve("America/New_York") == ZoneInfo("America/New_York")
    assert summer.own == []
