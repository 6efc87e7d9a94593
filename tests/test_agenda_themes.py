"""Themes: rules, curated includes and excludes, and the bundled Rembrandt 2019 example."""

from __future__ import annotations

from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path

from agenda.model import SourceConfig
from agenda.store.database import Store
from agenda.store.query import EventFilter, list_events
from agenda.sync.jobs import import_source
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


def test_a_coordinator_curates_a_theme_and_membership_follows(tmp_path: Path) -> None:
    from litestar.testing import TestClient

    from agenda.app import create_app
    from agenda.config import Settings
    from agenda.partners.accounts import add_partner
    from agenda.sync.ingest import ingest

    sys_path_store = Store.open(tmp_path / "a.db")
    from conftest import NOW, make_listing, make_source

    ingest(sys_path_store, make_source(), [make_listing(external_id="1", title="Jonge Rembrandt"),
                                           make_listing(external_id="2", title="Orgelconcert")], [], NOW)  # fmt: skip
    _, coordinator = add_partner(
        sys_path_store, "Coördinator", "leiden-marketing", "coordinator", NOW
    )
    _, partner = add_partner(sys_path_store, "Lakenhal", "lakenhal", "partner", NOW)
    sys_path_store.close()
    app = create_app(Settings(db=str(tmp_path / "a.db"), generation_check=0), clock=lambda: NOW)
    theme = {"name_nl": "Gouden Eeuw 2027", "name_en": "Golden Age 2027", "start": "2027-01-01", "end": "2027-12-31",
             "rules": {"keywords": ["Rembrandt"]}, "include": ["lakenhal:2"]}  # fmt: skip
    with TestClient(app) as client:
        assert client.put("/api/themes/gouden-eeuw-2027", json=theme).status_code == 401
        assert client.put("/api/themes/gouden-eeuw-2027", json=theme,
                          headers={"Authorization": f"Bearer {partner}"}).status_code == 401  # fmt: skip
        saved = client.put(
            "/api/themes/gouden-eeuw-2027",
            json=theme,
            headers={"Authorization": f"Bearer {coordinator}"},
        )
        assert saved.status_code == 200
        titles = {
            e["title"]
            for e in client.get("/api/events?theme=gouden-eeuw-2027&from=2027-01-01").json()[
                "events"
            ]
        }
        assert titles == {"Jonge Rembrandt", "Orgelconcert"}  # the keyword, and the curated include
        listed = {t["id"]: t for t in client.get("/api/themes").json()}
        assert listed["gouden-eeuw-2027"]["events"] == 2
        bad = client.put(
            "/api/themes/x",
            json={"name_nl": "X"},
            headers={"Authorization": f"Bearer {coordinator}"},
        )
        assert bad.status_code == 400
