"""The same happening written in all six formats reads as the same instants, place and status."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import FIXTURES

from agenda.model import SourceConfig
from importers.registry import get_parser

SAME = FIXTURES / "same"
NOW = datetime(2027, 1, 10, tzinfo=UTC)
FILES = [("ics", "lezing.ics"), ("rss", "lezing-rss.xml"), ("atom", "lezing-atom.xml"),
         ("jsonld", "lezing.html"), ("tribe", "lezing-tribe.json"), ("csv", "lezing.csv")]  # fmt: skip


@pytest.mark.parametrize(("fmt", "name"), FILES)
def test_one_happening_in_every_format(fmt: str, name: str) -> None:
    source = SourceConfig(id="lakenhal", name="Lakenhal", format=fmt, url="https://lakenhal.example/agenda",
                          city="Leiden")  # fmt: skip
    result = get_parser(fmt)(Path(SAME / name).read_bytes(), source, NOW)
    assert [p for p in result.problems if p.severity == "error"] == []
    (listing,) = result.listings
    assert listing.start is not None and listing.start.astimezone(UTC) == datetime(
        2027, 3, 28, 18, 0, tzinfo=UTC
    )
    assert listing.end is not None and listing.end.astimezone(UTC) == datetime(
        2027, 3, 28, 19, 30, tzinfo=UTC
    )
    assert listing.title == "Lezing: Rembrandt & Lievens"
    assert listing.venue_name == "Museum De Lakenhal"
    assert (
        listing.address == "Oude Singel 32"
        and listing.postcode == "2312 RA"
        and listing.city == "Leiden"
    )
    assert listing.status == "cancelled"
    assert listing.url == "https://lakenhal.example/agenda/lezing-rembrandt"
