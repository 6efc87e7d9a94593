"""ICS conformance: per quirk class a minimal hand-written file and what a correct reader gives.

The files live in ``tests/fixtures/ics/conformance/``; each test names the RFC 5545 rule
(or the real producer's habit) it pins down.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from agenda.model import SourceConfig
from importers.base import ParseResult
from importers.ics import parse

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
