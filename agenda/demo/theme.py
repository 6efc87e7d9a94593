"""The demo's theme: the region's Golden Age programme, on today's dates.

The bundled ``rembrandt-2019`` theme covers 2019; the demo region runs from today, so
the demo adds the same programme as a current theme and recomputes membership.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from agenda.dedup.rebuild import rebuild_events
from agenda.store.database import Store
from agenda.themes import Theme, bundled_themes
from agenda.timeutil import AMSTERDAM

DEMO_THEME = "gouden-eeuw"


def add_demo_theme(store: Store, now: datetime) -> None:
    """Save a current "Gouden Eeuw" theme (the 2019 rules, this year's dates) and apply it."""
    example = next(t for t in bundled_themes() if t.id == "rembrandt-2019")
    today = now.astimezone(AMSTERDAM).date()
    theme = Theme(
        id=DEMO_THEME,
        name_nl="Rembrandt en de Gouden Eeuw",
        name_en="Rembrandt and the Dutch Golden Age",
        description_nl=example.description_nl,
        description_en=example.description_en,
        start=today - timedelta(days=60),
        end=today + timedelta(days=365),
        owner=example.owner,
        rules=example.rules,
    )
    with store.transaction():
        store.save_theme(theme, now)
        rebuild_events(store, now, None)
