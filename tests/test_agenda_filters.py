"""The shared filter model: parsing with clear errors, and every filter applied to a real store."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from conftest import NOW, make_listing, make_source

from agenda.errors import InvalidFilterError
from agenda.filters import parse_filters
from agenda.store.database import Store
from agenda.store.query import count_events, list_events
from agenda.sync.ingest import ingest

TODAY = date(2027, 1, 10)


def test_defaults_are_today_for_twelve_months() -> None:
    f = parse_filters({}, TODAY)
    assert (f.from_date, f.to_date) == (TODAY, date(2028, 1, 10))
    assert parse_filters({}, date(2028, 2, 29)).to_date == date(2029, 2, 28)


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"from": "10-01-2027"}, "from"),
        ({"to": "morgen"}, "to"),
        ({"from": "2027-02-01", "to": "2027-01-01"}, "to"),
        ({"free": "misschien"}, "free"),
        ({"accessible": "2"}, "accessible"),
        ({"audience": "dogs"}, "audience"),
        ({"lang": "fr"}, "lang"),
        ({"language": "fr"}, "language"),
        ({"category": "Kermis op de maan"}, "category"),
        ({"kind": "circus"}, "kind"),
        ({"limit": "ten"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"limit": "100000"}, "limit"),
        ({"q": "x" * 500}, "q"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_values_name_the_parameter(params: dict[str, str], param: str) -> None:
    with pytest.raises(InvalidFilterError) as error:
        parse_filters(params, TODAY)
    assert error.value.param == param
    assert str(error.value).startswith(f"{param}: ")


def seed(store: Store) -> None:
    lakenhal = make_source()
    listings = [
        make_listing(external_id="lezing", title="Lezing: Rembrandt en de wetenschap",
                     description="Rolstoeltoegankelijk. Over schilders.", is_free=True,
                     categories=("Lezing",)),
        make_listing(external_id="expo", title="Tentoonstelling: Jonge Rembrandt", start=None, end=None,
                     start_date=date(2027, 2, 1), end_date=date(2027, 5, 31), categories=("Tentoonstelling",)),
        make_listing(external_id="kids", title="Kerstvakantie: sterrenkijken (4+)", categories=("Familie",),
                     start=datetime(2027, 12, 28, 10, tzinfo=UTC), end=None),
        make_listing(external_id="en", title="Lecture: Rembrandt and science", language="en",
                     categories=("Lecture",),
                     start=datetime(2027, 3, 1, 19, tzinfo=UTC), end=None),
    ]  # fmt: skip
    ingest(store, lakenhal, listings, [], NOW)
    delft = make_source(id="prinsenhof", city="Delft", venue="Museum Prinsenhof Delft")
    ingest(store, delft, [make_listing(source_id="prinsenhof", external_id="c", title="Orgelconcert",
                                       venue_name="Museum Prinsenhof Delft", city="Delft",
                                       categories=("Klassiek",))], [], NOW)  # fmt: skip


def titles(store: Store, params: dict[str, str]) -> list[str]:
    return [e.title for e in list_events(store, parse_filters(params, TODAY))]


def test_each_filter_selects(store: Store) -> None:
    seed(store)
    wide = {"from": "2027-01-01", "to": "2027-12-31"}
    assert len(titles(store, wide)) == 5
    assert titles(store, {**wide, "city": "delft"}) == ["Orgelconcert"]
    assert titles(store, {**wide, "city": "'s-Gravenhage"}) == []
    assert titles(store, {**wide, "venue": "prinsenhof"}) == ["Orgelconcert"]
    assert titles(store, {**wide, "source": "prinsenhof"}) == ["Orgelconcert"]
    assert titles(store, {**wide, "category": "tentoonstelling"}) == [
        "Tentoonstelling: Jonge Rembrandt"
    ]
    assert titles(store, {**wide, "kind": "exhibition"}) == ["Tentoonstelling: Jonge Rembrandt"]
    assert "Tentoonstelling: Jonge Rembrandt" not in titles(store, {**wide, "kind": "-exhibition"})
    assert titles(store, {**wide, "audience": "family"}) == ["Kerstvakantie: sterrenkijken (4+)"]
    assert titles(store, {**wide, "free": "true"}) == ["Lezing: Rembrandt en de wetenschap"]
    assert titles(store, {**wide, "accessible": "true"}) == ["Lezing: Rembrandt en de wetenschap"]
    # ``lang`` is the language people read and never drops events; ``language`` selects.
    assert len(titles(store, {**wide, "lang": "en"})) == 5
    assert titles(store, {**wide, "language": "en"}) == ["Lecture: Rembrandt and science"]
    assert set(titles(store, {**wide, "q": "rembrandt"})) == {
        "Lezing: Rembrandt en de wetenschap", "Tentoonstelling: Jonge Rembrandt", "Lecture: Rembrandt and science",
    }  # fmt: skip
    assert titles(store, {**wide, "q": "schilder"}) == [
        "Lezing: Rembrandt en de wetenschap"
    ]  # prefix
    assert titles(store, {**wide, "q": '"; DROP TABLE events; --'}) == []
    assert titles(store, {**wide, "theme": "rembrandt-2019"}) == []
    assert len(titles(store, {**wide, "limit": "2"})) == 2
    # an exhibition running on a day counts for that day
    assert titles(store, {"from": "2027-04-01", "to": "2027-04-01"}) == [
        "Tentoonstelling: Jonge Rembrandt"
    ]
    assert count_events(store, parse_filters(wide, TODAY)) == 5


def test_a_category_in_either_language_finds_the_same_events(store: Store) -> None:
    seed(store)
    wide = {"from": "2027-01-01", "to": "2027-12-31"}
    lectures = ["Lezing: Rembrandt en de wetenschap", "Lecture: Rembrandt and science"]
    for spelling in ("Lecture", "lezing", "LEZINGEN", "lecture"):
        assert sorted(titles(store, {**wide, "category": spelling})) == sorted(lectures)
    assert titles(store, {**wide, "category": "Exhibition"}) == ["Tentoonstelling: Jonge Rembrandt"]
    assert titles(store, {**wide, "category": "classical"}) == ["Orgelconcert"]
    assert parse_filters({"category": "Klassiek"}, TODAY).category == "classical"


def test_events_carry_canonical_ids(store: Store) -> None:
    seed(store)
    events = list_events(store, parse_filters({"from": "2027-01-01", "to": "2027-12-31"}, TODAY))
    assert {c for e in events for c in e.categories} == {
        "lecture", "exhibition", "family", "classical"
    }  # fmt: skip
