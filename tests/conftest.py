"""Shared factories and fixtures: small readable records with fixed values."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from agenda.model import Listing, SourceConfig
from agenda.store.database import Store

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)


def make_source(**overrides: Any) -> SourceConfig:
    values: dict[str, Any] = {
        "id": "lakenhal",
        "name": "Museum De Lakenhal",
        "format": "ics",
        "url": "lakenhal.ics",
        "kind": "venue",
        "city": "Leiden",
        "venue": "Museum De Lakenhal",
    }
    values.update(overrides)
    return SourceConfig(**values)


def make_listing(**overrides: Any) -> Listing:
    values: dict[str, Any] = {
        "source_id": "lakenhal",
        "external_id": "evt-1",
        "title": "Lezing: Leiden in de Gouden Eeuw",
        "start": datetime(2027, 2, 3, 19, 0, tzinfo=UTC),
        "end": datetime(2027, 2, 3, 20, 15, tzinfo=UTC),
        "venue_name": "Museum De Lakenhal",
        "city": "Leiden",
        "url": "https://www.lakenhal.nl/agenda/lezing",
        "categories": ("Lezing",),
    }
    values.update(overrides)
    return Listing(**values)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One Debian Chromium for the whole session, shared by every browser test module.

    (A second Playwright cannot start while one runs, so modules must not each start one.)
    """
    from browser import launch_chromium
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    db = Store.open(tmp_path / "agenda.db")
    yield db
    db.close()


def dump(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, for 'nothing changed' assertions."""
    tables = ["sources", "listings", "events", "memberships", "venues", "import_runs", "problems"]
    return {t: store.db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in tables}
