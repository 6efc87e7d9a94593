"""The iCalendar importer on real calendars whose quirks the best readers handle.

Expected counts and instants were counted by hand from each file and agree with what
ical.js and recurring-ical-events give (on a corrected copy where the file is broken).
Expansion is anchored at ``now``; each test passes a ``now`` inside the calendar's own
dates. Also: every real file parses, and any calendar ``feeds.ical`` writes, folded at
random places, reads back to the same instants.
"""

from __future__ import annotations

import random
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agenda.model import Event, Listing, SourceConfig
from feeds.base import FeedOptions
from feeds.ical import render_ics
from importers.base import ParseResult
from importers.ics import parse

ICS = Path(__file__).parent / "fixtures" / "ics"
SHARED_ICS = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "real" / "ics"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
SOURCE = SourceConfig(id="real", name="Real", format="ics", url="https://r.example/a.ics")


def read(name: str, now: datetime) -> ParseResult:
    return parse((ICS / name).read_bytes(), SOURCE, now)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def by_id(result: ParseResult) -> dict[str, Listing]:
    return {listing.external_id: listing for listing in result.listings}


# --- the quirks, one real file each --------------------------------------------------


def test_sunbird_folds_right_after_the_property_name() -> None:
    result = read("sunbird_fold_after_property_name.ics", utc(2003, 1, 10))
    assert len(result.listings) == 182 and len(by_id(result)) == 182
    assert result.problems == () and result.complete
    first = by_id(result)["C20350E0-22CF-11D7-B452-0050E4C50C66"]
    assert first.start_date == first.end_date == date(2003, 1, 9)
    assert first.title.startswith("Catch Me If You Can - Leonardo DiCaprio stars")
    assert by_id(result)["F4D3A90A-B826-11D7-BABE-0050E4C50C66"].start_date == date(2004, 12, 26)
    assert sum(1 for x in result.listings if x.start_date is not None) == 177


def test_korganizer_mixed_case_names_give_the_yearly_birthday() -> None:
    result = read("korganizer_mixed_case_property_names.ics", utc(2005, 1, 10))
    assert sorted(by_id(result)) == [
        "KOrganizer-1441301191.241/20050116",
        "KOrganizer-1441301191.241/20060116",
    ]
    birthday = result.listings[0]
    assert birthday.title == "Ted's Birthday" and birthday.organizer == "Tom"  # Cn=Tom
    assert result.problems == () and result.complete


def test_range_thisandfuture_keeps_every_occurrence_with_its_own_identity() -> None:
    result = read("range_thisandfuture_override.ics", utc(2024, 9, 10))
    listings = by_id(result)
    assert len(result.listings) == len(listings) == 193
    assert listings["210/20240911T120000Z"].start == utc(2024, 9, 11, 12)
    assert listings["210/20240911T120000Z"].title == "ORIGINAL EVENT"
    # From 13 September on: 3 hours earlier and 7 hours long, the RDATE too.
    moved = listings["210/20240917T120000Z"]
    assert (moved.start, moved.end, moved.title) == (
        utc(2024, 9, 17, 9),
        utc(2024, 9, 17, 16),
        "MODIFIED EVENT",
    )
    assert listings["210/20240914T090000Z"].start == utc(2024, 9, 14, 6)
    only = listings["210/20240915T120000Z"]  # a plain override in between
    assert (only.start, only.end) == (utc(2024, 9, 15, 17), utc(2024, 9, 15, 19))
    # From 21 September on: a day, 2 h 22 min later and 1 h 51 min long.
    edited = listings["210/20240923T120000Z"]
    assert (edited.start, edited.end) == (utc(2024, 9, 24, 14, 22), utc(2024, 9, 24, 16, 13))
    last = listings["210/20250918T120000Z"]
    assert last.start == utc(2025, 9, 19, 14, 22) and last.title == "EDITED EVENT"
    assert result.problems == ()


def test_apple_several_rrules_are_a_union() -> None:
    result = read("apple_multiple_rrules.ics", utc(2012, 3, 20))
    starts = sorted(x.start for x in result.listings if x.start)
    # Weekly on Mondays from 26 March plus every Sunday (monthly BYDAY=SU), 11:00 in
    # Los Angeles (18:00Z), until 30 July 06:59:59Z: 18 Mondays and 18 Sundays.
    assert len(starts) == 36
    assert starts[:3] == [utc(2012, 3, 26, 18), utc(2012, 4, 1, 18), utc(2012, 4, 2, 18)]
    assert starts[-2:] == [utc(2012, 7, 23, 18), utc(2012, 7, 29, 18)]
    assert sum(1 for s in starts if s.weekday() == 6) == 18
    assert result.problems == ()


def test_google_birthday_bad_rdate_keeps_the_series() -> None:
    result = read("google_birthdays_bad_rdate.ics", utc(2014, 12, 1))
    listings = by_id(result)
    kept = listings["2014_BIRTHDAY_79d389868f96182e@google.com/20141210"]
    assert kept.start_date == date(2014, 12, 10) and kept.title == "PErson #2's birthday"
    assert "BIRTHDAY_79d389868f96182e@google.com/20141210" in listings  # the other UID
    problems = [(p.external_id, p.field, p.severity) for p in result.problems]
    uid = "2014_BIRTHDAY_79d389868f96182e@google.com"
    assert problems == [(uid, "RDATE", "warning"), (uid, "RDATE", "warning")]
    assert "'20131210Z'" in result.problems[0].message


def test_empty_rdate_is_still_one_event() -> None:
    for now in (utc(2025, 1, 1), utc(2027, 1, 10)):  # far from 2025 too: a single event
        (listing,) = read("empty_rdate_single_event.ics", now).listings
        assert listing.external_id == "test-123" and listing.start == utc(2025, 1, 1, 10)
        assert listing.series_id is None


# --- every real file ------------------------------------------------------------------


def _shared_files() -> list[str]:
    return sorted(p.name for p in SHARED_ICS.glob("*.ics")) if SHARED_ICS.is_dir() else []


@pytest.mark.skipif(not SHARED_ICS.is_dir(), reason=f"shared fixtures not found at {SHARED_ICS}")
@pytest.mark.parametrize("name", _shared_files() or ["(none)"])
def test_every_shared_real_file_parses_whole(name: str) -> None:
    result = parse((SHARED_ICS / name).read_bytes(), SOURCE, utc(2027, 1, 10))
    assert result.complete, [p.message for p in result.problems]
    for problem in result.problems:
        assert problem.message
        # Every real VTIMEZONE under an IANA name agrees with tzdata or is truncated.
        assert "differs from the tz database" not in problem.message


@pytest.mark.parametrize("name", sorted(p.name for p in ICS.glob("*.ics")))
def test_every_copied_file_parses_without_an_exception(name: str) -> None:
    result = read(name, utc(2027, 1, 10))
    assert result.complete or name == "problems_isolated.ics"


# --- any calendar feeds.ical writes, folded anywhere, reads back the same --------------

_OPTIONS = FeedOptions(
    title="Regio-agenda",
    description="Test",
    base_url="https://agenda.example.org",
    self_url="https://agenda.example.org/feeds/agenda.ics",
    now=utc(2027, 1, 10, 9),
)
_MOMENTS = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2029, 12, 31), timezones=st.just(UTC)
).map(lambda moment: moment.replace(second=0, microsecond=0).astimezone(AMSTERDAM))


@st.composite
def _events(draw: st.DrawFn) -> list[Event]:
    events = []
    for index in range(draw(st.integers(1, 4))):
        title = draw(
            st.text(
                st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
                min_size=1,
                max_size=80,
            ).filter(str.strip)
        )
        if draw(st.booleans()):
            start = draw(_MOMENTS)
            end = start + timedelta(minutes=draw(st.integers(1, 600)))
            events.append(Event(id=f"e{index}", title=title, start=start, end=end))
        else:
            day = draw(st.dates(date(2026, 1, 1), date(2029, 12, 31)))
            last = day + timedelta(days=draw(st.integers(0, 5)))
            events.append(Event(id=f"e{index}", title=title, start_date=day, end_date=last))
    return events


def _unfold(data: str) -> list[str]:
    return re.sub(r"\r\n[ \t]", "", data).split("\r\n")


def _refold(lines: list[str], rng: random.Random) -> str:
    """RFC 5545 folds at random places (often right after the name), CRLF or LF, space or tab."""
    out: list[str] = []
    for line in lines:
        if not line:
            continue
        name_end = min(i for i in (line.find(":"), line.find(";"), len(line)) if i > 0)
        cuts = {rng.randrange(1, len(line)) for _ in range(rng.randrange(0, 4)) if len(line) > 1}
        if rng.random() < 0.5 and name_end < len(line):
            cuts.add(name_end)
        pieces, last = [], 0
        for cut in sorted(cuts):
            pieces.append(line[last:cut])
            last = cut
        pieces.append(line[last:])
        text = pieces[0]
        for piece in pieces[1:]:
            text += rng.choice(["\r\n", "\n"]) + rng.choice([" ", "\t"]) + piece
        out.append(text)
    return "\r\n".join(out) + "\r\n"


def _instants(result: ParseResult) -> dict[str, tuple[object, object]]:
    return {
        x.external_id: (
            x.start.astimezone(UTC) if x.start else x.start_date,
            x.end.astimezone(UTC) if x.end else x.end_date,
        )
        for x in result.listings
    }


@settings(max_examples=50, deadline=None)
@given(events=_events(), seed=st.integers(0, 2**32))
def test_a_written_calendar_folded_anywhere_reads_back_the_same(
    events: list[Event], seed: int
) -> None:
    data = render_ics(events, _OPTIONS).decode("utf-8")
    plain = parse(data.encode(), SOURCE, _OPTIONS.now)
    folded = _refold(_unfold(data), random.Random(seed))
    again = parse(folded.encode(), SOURCE, _OPTIONS.now)
    assert _instants(again) == _instants(plain)
    assert len(plain.listings) == len(events)
    for event in events:
        (listing,) = [x for x in plain.listings if x.external_id.startswith(f"{event.id}")]
        if event.start is not None:
            assert listing.start == event.start
        else:
            assert listing.start_date == event.start_date
    assert again.complete and again.problems == ()
