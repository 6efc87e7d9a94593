"""Themes: rules, curated includes and excludes, and the bundled Rembrandt 2019 example."""

from __future__ import annotations

from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path

from agenda.jobs import import_source
from agenda.model import SourceConfig
from agenda.query import EventFilter, list_events
from agenda.store import Store
from agenda.themes import EventFacts, Theme, ThemeRules, belongs, bundled_themes

THEME = Theme(id="t", name_nl="T", name_en="T", start=date(2019, 1, 1), end=date(2019, 12, 31),
              rules=ThemeRules(keywords=("Rembrandt", "Gouden Eeuw"), cities=("Leiden", "Den Haag")))  # fmt: skip


def facts(**overrides: object) -> EventFacts:
    values: dict[str, object] = {"id": "e1", "listing_keys": ("lakenhal:1",), "first_day": date(2019, 11, 2),
              "last_day": date(2020, 2, 9), "title": "Jonge Rembrandt", "description": "", "city": "Leiden",
              "venue_id": "lakenhal", "categories": ("Tentoonstelling",), "sources": ("lakenhal",)}  # fmt: skip
    values.update(overrides)
    return EventFacts(**values)  # type: ignore[arg-type]


def test_rules() -> None:
    assert belongs(THEME, facts())
    assert belongs(
        THEME,
        facts(
            title="Glans en misère", description="De Gouden Eeuw in Den Haag", city="'s-Gravenhage"
        ),
    )
    assert not belongs(THEME, facts(title="Cyprus – eiland in beweging"))  # no keyword
    assert not belongs(THEME, facts(city="Amsterdam"))  # other city
    assert not belongs(
        THEME, facts(first_day=date(2020, 3, 1), last_day=date(2020, 4, 1))
    )  # outside the year
    assert belongs(
        THEME, facts(first_day=date(2018, 11, 30), last_day=date(2019, 9, 1))
    )  # runs into it
    assert not belongs(THEME, facts(title="Rembrandtplein feest"))  # whole words only
    only_lakenhal = Theme(id="v", name_nl="V", name_en="V", start=date(2019, 1, 1), end=date(2019, 12, 31),
                          rules=ThemeRules(venues=("lakenhal",)))  # fmt: skip
    assert belongs(only_lakenhal, facts(title="Iets anders"))
    assert not belongs(only_lakenhal, facts(venue_id="rmo"))


def test_curated_includes_and_excludes_beat_the_rules() -> None:
    curated = Theme(id="t", name_nl="T", name_en="T", start=date(2019, 1, 1), end=date(2019, 12, 31),
                    rules=THEME.rules, include=("rmo:cyprus",), exclude=("e1",))  # fmt: skip
    assert belongs(curated, facts(id="x", listing_keys=("rmo:cyprus",), title="Cyprus"))
    assert not belongs(curated, facts())


def test_bundled_rembrandt_2019_theme_on_its_sample_data(tmp_path: Path) -> None:
    (theme,) = bundled_themes()
    assert theme.id == "rembrandt-2019" and theme.name_en.startswith("Rembrandt")
    sample = resources.files("agenda").joinpath("data/rembrandt-2019.ics")
    path = tmp_path / "rembrandt-2019.ics"
    path.write_bytes(sample.read_bytes())
    store = Store.open(tmp_path / "a.db")
    source = SourceConfig(
        id="themajaar-2019", name="Themajaar", format="ics", url=str(path), kind="aggregator"
    )
    run = import_source(store, source, clock=lambda: datetime(2019, 1, 15, tzinfo=UTC))
    assert run.outcome == "ok" and run.new == 11
    events = list_events(store, EventFilter())
    themed = sorted(e.title for e in events if "rembrandt-2019" in e.themes)
    assert "Rembrandt en het Mauritshuis" in themed
    assert "Jonge Rembrandt – Rising Star" in themed
    assert "Pieter de Hooch in Delft. Uit de schaduw van Vermeer" in themed
    assert "Herman Boerhaave & de Gouden Eeuw van de wetenschap" in themed
    assert "Cyprus – eiland in beweging" not in themed
    assert "Museumnacht Leiden 2019" not in themed
    assert "Alle Rembrandts" not in themed  # Amsterdam: outside the region
    by_theme = list_events(store, EventFilter(theme="rembrandt-2019"))
    assert sorted(e.title for e in by_theme) == themed
    assert store.theme_ids() == ["rembrandt-2019"]
