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
from collections.abc import Iterator
from datetime import datetime
from importlib import resources
from pathlib import Path

import msgspec

from agenda.filters import parse_filters
from agenda.normalize import slugify
from agenda.query import list_events
from agenda.store import Store
from agenda.timeutil import AMSTERDAM, day_start, utc_iso
from agenda.views import EventOut, event_detail, event_out
from feeds.formats import feed_options, render_format

MANIFEST = ".published.json"
FEED_EXTENSIONS = {"ics": "ics", "rss": "rss", "atom": "atom", "json": "jsonfeed"}
CITIES = {"den-haag": "Den Haag", "leiden": "Leiden", "delft": "Delft"}


class PublishReport(msgspec.Struct, frozen=True):
    written: int
    unchanged: int
    removed: int


def _files(store: Store, base_url: str, now: datetime) -> Iterator[tuple[str, bytes]]:
    """Every published path (relative, with ``/``) and its bytes."""
    today = now.astimezone(AMSTERDAM).date()
    slices: dict[str, dict[str, str]] = {"agenda": {}}
    slices.update({slug: {"city": city} for slug, city in CITIES.items()})
    slices.update({f"theme-{t}": {"theme": t} for t in store.theme_ids() if slugify(t) == t})
    for row in store.venue_rows(utc_iso(day_start(today))):
        if row["upcoming"] and slugify(row["id"]) == row["id"]:
            slices[f"venue-{row['id']}"] = {"venue": row["id"]}
    everything: list[EventOut] = []
    for name, params in slices.items():
        events = list_events(store, parse_filters(params, today))
        if name == "agenda":
            everything = [event_out(e) for e in events]
            # One pass for all members and listings: a query per event would dominate.
            members = store.members_of(e.id for e in events)
            listings = store.listings(k for keys in members.values() for k in keys)
            for event in events:
                keys = members.get(event.id, [])
                detail = event_detail(event, [listings[k] for k in keys if k in listings])
                yield f"api/events/{event.id}.json", msgspec.json.encode(detail)
        for extension, fmt in FEED_EXTENSIONS.items():
            options = feed_options(base_url, fmt, now, name=name)
            yield f"feeds/{name}.{extension}", render_format(fmt, events, options)
    yield "api/events.json", msgspec.json.encode({"events": everything, "next": None})
    static = resources.files("widgets").joinpath("static")
    if static.is_dir():
        for item in sorted(static.iterdir(), key=lambda p: p.name):
            if item.is_file():
                yield f"widgets/{item.name}", item.read_bytes()


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
        previous: dict[str, str] = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        previous = {}
    current: dict[str, str] = {}
    written = unchanged = 0
    for relative, data in _files(store, base_url, now):
        digest = hashlib.sha256(data).hexdigest()
        current[relative] = digest
        target = out / relative
        if previous.get(relative) == digest and target.exists():
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
