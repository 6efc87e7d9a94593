"""Static publishing: the region's feeds, the API's event JSON and the widget as plain files.

``publish(store, out, base_url, now)`` writes a folder any static host or CDN can serve.
It is incremental (a file whose bytes did not change is not rewritten; files no longer
published are removed) and atomic per file (written beside the target, then renamed
over it, so a reader never sees half a file).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any

import msgspec

from agenda.filters import parse_filters
from agenda.normalize import slugify
from agenda.store import query
from agenda.store.database import Store
from agenda.store.query import list_events
from agenda.timeutil import AMSTERDAM
from agenda.web.views import EventOut, event_detail, event_out
from feeds.formats import feed_options, render_format

MANIFEST = ".published.json"
FEED_EXTENSIONS = {"ics": "ics", "rss": "rss", "atom": "atom", "json": "jsonfeed"}
CITIES = {"den-haag": "Den Haag", "leiden": "Leiden", "delft": "Delft"}


class PublishReport(msgspec.Struct, frozen=True):
    written: int
    unchanged: int
    removed: int


class Item(msgspec.Struct, frozen=True):
    """One published file: its path, what it is made from, and how to make it."""

    path: str
    render: Callable[[], bytes]
    # A hash of everything the bytes depend on, when rendering is costly (feeds): an
    # unchanged input skips the rendering altogether. None: render and compare bytes.
    source: str | None = None


def _items(store: Store, base_url: str, now: datetime) -> Iterator[Item]:
    """Every published file (relative path with ``/``), lazily rendered."""
    today = now.astimezone(AMSTERDAM).date()
    slices: dict[str, dict[str, str]] = {"agenda": {}}
    slices.update({slug: {"city": city} for slug, city in CITIES.items()})
    slices.update({f"theme-{t}": {"theme": t} for t in query.theme_ids(store) if slugify(t) == t})
    for row in query.venues(store, today):
        if row["upcoming"] and slugify(row["id"]) == row["id"]:
            slices[f"venue-{row['id']}"] = {"venue": row["id"]}
    everything: list[EventOut] = []
    for name, params in slices.items():
        events = list_events(store, parse_filters(params, today))
        if name == "agenda":
            everything = [event_out(e) for e in events]
            # One pass for all members and listings: a query per event would dominate.
            listings = query.event_listings(store, (e.id for e in events), now)
            for event in events:
                detail = event_detail(event, listings.get(event.id, []))
                yield Item(f"api/events/{event.id}.json", partial(msgspec.json.encode, detail))
        # Feeds depend on their events, the address and the day (the 30-day window of
        # cancelled events moves with it): the same inputs give the same bytes.
        inputs = hashlib.sha256(msgspec.json.encode([events, base_url, today])).hexdigest()
        for extension, fmt in FEED_EXTENSIONS.items():
            options = feed_options(base_url, fmt, now, name=name)
            yield Item(
                f"feeds/{name}.{extension}",
                partial(render_format, fmt, events, options),
                source=f"{fmt}:{inputs}",
            )
    yield Item(
        "api/events.json", partial(msgspec.json.encode, {"events": everything, "next": None})
    )
    static = resources.files("widgets").joinpath("static")
    if static.is_dir():
        for file in sorted(static.iterdir(), key=lambda p: p.name):
            if file.is_file():
                yield Item(f"widgets/{file.name}", file.read_bytes)


def _write_atomically(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def publish(store: Store, out: Path, base_url: str, now: datetime) -> PublishReport:
    """Write (or bring up to date) the static site in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    manifest_path = out / MANIFEST
    try:
        previous: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        previous = {}
    current: dict[str, dict[str, str | None]] = {}
    written = unchanged = 0
    for item in _items(store, base_url, now):
        before = previous.get(item.path)
        before = before if isinstance(before, dict) else {"digest": before, "source": None}
        target = out / item.path
        if item.source is not None and before.get("source") == item.source and target.exists():
            current[item.path] = before  # same inputs: the file is already right
            unchanged += 1
            continue
        data = item.render()
        digest = hashlib.sha256(data).hexdigest()
        current[item.path] = {"digest": digest, "source": item.source}
        if before.get("digest") == digest and target.exists():
            unchanged += 1
            continue
        _write_atomically(target, data)
        written += 1
    removed = 0
    for relative in sorted(set(previous) - set(current)):
        (out / relative).unlink(missing_ok=True)
        removed += 1
    _write_atomically(manifest_path, json.dumps(current, sort_keys=True, indent=0).encode())
    return PublishReport(written=written, unchanged=unchanged, removed=removed)
