"""What the demo adds for marketing coordination, after the sample region is imported.

So every partner page has something to show: a held-back import (the theatres' calendar
answers a second time with most of its events gone, and the withdrawal guard refuses
it), a partner's submission that disagrees with the venue's own feed (a conflict
in the review queue), an embargoed premiere, and two partners with holds on dates. The
grey-zone pairs come from the region itself (``agenda/demo/data/region.toml``). The demo's
partner accounts have keys nobody knows; ``agenda demo`` prints the command that makes
a key of your own.
"""

from __future__ import annotations

import os
from datetime import datetime, time, timedelta
from pathlib import Path

from agenda.demo.region import RENDERERS, load_region
from agenda.filters import parse_filters
from agenda.model import Listing, SourceConfig
from agenda.partners.accounts import add_partner
from agenda.partners.api import source_of
from agenda.partners.holds import Owner, create_hold, parse_hold
from agenda.store.database import Store
from agenda.store.query import list_events
from agenda.sync.ingest import put_listing
from agenda.sync.jobs import import_source
from agenda.timeutil import AMSTERDAM

SHRINKING = "leidse-theaters"  # its second answer keeps two events: held back
KEPT = 2


def shrink_source(folder: Path, source_id: str, today: datetime, base_url: str) -> None:
    """Write ``source_id``'s document again with only its first rows (a broken export)."""
    region = load_region()
    source = next(s for s in region["source"] if s["id"] == source_id)
    mine = [item for item in region["listing"] if item["source"] == source_id]
    others = [item for item in region["listing"] if item["source"] != source_id]
    region["listing"] = others + mine[:KEPT]
    day = today.astimezone(AMSTERDAM).date()
    rendered = RENDERERS[source["format"]](region, source, day, base_url.rstrip("/"))
    documents = rendered if isinstance(rendered, dict) else {source["file"]: rendered}
    for name, content in documents.items():
        path = folder / name
        before = path.stat().st_mtime if path.exists() else 0.0
        path.write_bytes(content)
        # A new modification time even within the same second: the import must not be
        # answered "304 Not Modified" by the demo's server.
        later = max(path.stat().st_mtime, before + 2)
        os.utime(path, (later, later))


def add_coordination(
    store: Store, sources: list[SourceConfig], folder: Path, base_url: str, now: datetime
) -> dict[str, int]:
    """The held-back run, a conflict, an embargoed event and holds; what was made."""
    made = {"refused": 0, "conflicts": 0, "embargoed": 0, "holds": 0}
    shrinking = next((s for s in sources if s.id == SHRINKING), None)
    if shrinking is not None:
        shrink_source(folder, SHRINKING, now, base_url)
        run = import_source(store, shrinking, clock=lambda: now)
        made["refused"] = int(run.outcome == "refused")
    today = now.astimezone(AMSTERDAM).date()
    lakenhal, _ = add_partner(store, "Marketing Museum De Lakenhal", "lakenhal", "partner", now)
    theaters, _ = add_partner(store, "Marketing Leidse Theaters", "leidse-theaters", "partner",
                              now)  # fmt: skip
    window = parse_filters({"from": today.isoformat(),
                            "to": (today + timedelta(days=60)).isoformat()}, today)  # fmt: skip
    upcoming = list_events(store, window)
    # The museum cancelled an evening through the partner form; its own feed still lists it.
    evening = next((e for e in upcoming if e.start is not None and e.venue is not None
                    and any(s.source == "lakenhal" for s in e.sources)), None)  # fmt: skip
    if evening is not None and evening.start is not None and evening.venue is not None:
        cancelled = Listing(
            source_id=lakenhal.source_id, external_id="demo-cancelled", title=evening.title,
            start=evening.start, end=evening.end, venue_name=evening.venue.name,
            city=evening.city, categories=evening.categories, status="cancelled",
        )  # fmt: skip
        put_listing(store, source_of(lakenhal), cancelled, now)
        made["conflicts"] = 1
    premiere_day = today + timedelta(days=24)
    premiere = Listing(
        source_id=theaters.source_id, external_id="demo-premiere",
        title="Première: De storm (nieuwe productie)", venue_name="Leidse Schouwburg",
        city="Leiden", categories=("theatre",), visibility="public",
        start=datetime.combine(premiere_day, time(20, 15), tzinfo=AMSTERDAM),
        end=datetime.combine(premiere_day, time(22, 30), tzinfo=AMSTERDAM),
        embargo_until=now + timedelta(days=14),
        description="Nog geheim: de grote premiere van het voorjaar.",
    )  # fmt: skip
    put_listing(store, source_of(theaters), premiere, now)
    made["embargoed"] = 1
    holds = [
        (theaters, {"day": premiere_day + timedelta(days=7), "time": "20:00",
                    "category": "theatre", "city": "Leiden", "title": "Tweede premiere"}),
        (theaters, {"day": today + timedelta(days=12), "category": "family",
                    "city": "Leiden", "audience": "family"}),
        (lakenhal, {"day": premiere_day + timedelta(days=7), "time": "19:30",
                    "category": "lecture", "city": "Leiden", "title": "Avondlezing Rembrandt",
                    "expires": premiere_day}),
        (lakenhal, {"day": today + timedelta(days=30), "category": "exhibition",
                    "city": "Leiden", "title": "Opening zomertentoonstelling"}),
    ]  # fmt: skip
    for partner, fields in holds:
        body = {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in fields.items()}
        create_hold(store, Owner(partner, partner.name, partner.role), parse_hold(body, today), now)
        made["holds"] += 1
    return made
