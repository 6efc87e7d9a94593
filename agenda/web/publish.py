"""Static publishing: the region's feeds, the API's event JSON and the widget as plain files.

``publish(store, out, base_url, now)`` writes a folder any static host or CDN can serve.
It is incremental, driven by what changed: every file records what it was made from
(the versions of its events, stored when they were written), so after one changed event
only the files that show it are rendered; a file whose bytes did not change is not
rewritten, and files no longer published are removed. It is atomic per file (written
beside the target, then renamed over it, so a reader never sees half a file).
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

from agenda.filters import EventFilter, parse_filters
from agenda.model import Event, Listing
from agenda.normalize import slugify
from agenda.pictures import WIDTHS, StoredPicture, image_path
from agenda.store import query
from agenda.store.database import Store
from agenda.store.query import list_events
from agenda.timeutil import AMSTERDAM
from agenda.web.views import event_detail, event_out
from feeds.base import FeedOptions
from feeds.formats import feed_options, render_format

MANIFEST = ".published.json"
FEED_EXTENSIONS = {"ics": "ics", "rss": "rss", "atom": "atom", "json": "jsonfeed"}
FEW = 50  # event details read one by one before all listings are read at once
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


class _Region:
    """The region's public events, read and decoded once, only when something needs them."""

    def __init__(self, store: Store, filters: EventFilter, now: datetime) -> None:
        self._store, self._filters, self._now = store, filters, now
        self._events: list[Event] | None = None
        self._by_id: dict[str, Event] = {}
        self._listings: dict[str, list[tuple[Listing, str]]] | None = None
        self._asked = 0

    def events(self) -> list[Event]:
        if self._events is None:
            self._events = list_events(self._store, self._filters)
            self._by_id = {e.id: e for e in self._events}
        return self._events

    def event(self, event_id: str) -> Event:
        self.events()
        return self._by_id[event_id]

    def listings(self, event_id: str) -> list[tuple[Listing, str]]:
        """An event's listings: a query of its own for the first few (an incremental
        publish), then one pass for all (a query per event would dominate a full one)."""
        if self._listings is None:
            self._asked += 1
            if self._asked <= FEW:
                found = query.event_listings(self._store, [event_id], self._now)
                return found.get(event_id, [])
            ids = (e.id for e in self.events())
            self._listings = query.event_listings(self._store, ids, self._now)
        return self._listings.get(event_id, [])

    def slice(self, params: dict[str, str]) -> list[Event]:
        """A city's or venue's events, as ``list_events`` would give them (same window)."""
        if "city" in params:
            return [e for e in self.events() if e.city == params["city"]]
        venue = params["venue"]
        return [e for e in self.events() if e.venue is not None and e.venue.id == venue]


def _detail(region: _Region, event_id: str) -> bytes:
    event = region.event(event_id)
    return msgspec.json.encode(event_detail(event, region.listings(event_id)))


def _items(
    store: Store, base_url: str, now: datetime, images_dir: str | None = None
) -> Iterator[Item]:
    """Every published file (relative path with ``/``), lazily rendered.

    What a file is made from is known without reading any event: each event's version
    (data hash, sequence, updated: stored at write time) and its listings' content hashes
    come from the index columns. A file whose inputs are unchanged is neither rendered
    nor compared; the region's events are decoded once, only if some file needs them.
    """
    today = now.astimezone(AMSTERDAM).date()
    slices: dict[str, dict[str, str]] = {"agenda": {}}
    slices.update({slug: {"city": city} for slug, city in CITIES.items()})
    slices.update({f"theme-{t}": {"theme": t} for t in query.theme_ids(store) if slugify(t) == t})
    for row in query.venues(store, today):
        if row["upcoming"] and slugify(row["id"]) == row["id"]:
            slices[f"venue-{row['id']}"] = {"venue": row["id"]}
    region = _Region(store, parse_filters({}, today), now)
    # Pictures: the stored ones go along as files; feeds and lists point to them. Their
    # digest joins every such file's inputs (pictures change rarely: then all re-render).
    pictures = query.stored_pictures(store)
    shown = hashlib.sha256(repr(sorted((u, p.hash) for u, p in pictures.items())).encode())
    pictured = shown.hexdigest()[:16]
    # Every slice is part of the region (the same window): one read of the region's
    # versions serves them all; the other slices read their ids alone.
    everything = dict(query.versions(store, parse_filters({}, today)))
    for name, params in slices.items():
        filters = parse_filters(params, today)
        versions = [
            (event_id, everything.get(event_id, ""))
            for event_id, _ in query.versions(store, filters, ids_only=True)
        ]
        if name == "agenda":
            members = query.member_versions(store, now)
            for event_id, version in versions:
                yield Item(
                    f"api/events/{event_id}.json",
                    partial(_detail, region, event_id),
                    source=f"detail:{version}:{members.get(event_id, '')}",
                )
            yield Item(
                "api/events.json",
                lambda: msgspec.json.encode(
                    {
                        "events": [event_out(e, None, pictures, base_url) for e in region.events()],
                        "next": None,
                    }
                ),
                source="events:"
                + hashlib.sha256(repr((versions, base_url, pictured)).encode()).hexdigest(),
            )
        # Feeds depend on their events, the address and the day (the 30-day window of
        # cancelled events moves with it): the same inputs give the same bytes.
        inputs = hashlib.sha256(repr((versions, base_url, today, pictured)).encode()).hexdigest()
        if name == "agenda":
            events: Callable[[], list[Event]] = region.events
        elif "theme" in params:
            events = partial(list_events, store, filters)
        else:
            events = partial(region.slice, params)
        for extension, fmt in FEED_EXTENSIONS.items():
            options = feed_options(base_url, fmt, now, name=name)
            options = msgspec.structs.replace(options, pictures=pictures)
            yield Item(
                f"feeds/{name}.{extension}",
                partial(_render, fmt, events, options),
                source=f"{fmt}:{inputs}",
            )
    if images_dir is not None:
        yield from _picture_files(pictures, Path(images_dir))
    static = resources.files("widgets").joinpath("static")
    if static.is_dir():
        for file in sorted(static.iterdir(), key=lambda p: p.name):
            if file.is_file():
                yield Item(f"widgets/{file.name}", file.read_bytes)


def _picture_files(pictures: dict[str, StoredPicture], folder: Path) -> Iterator[Item]:
    """The stored variants of every picture, at the same addresses the app serves."""
    for digest in sorted({p.hash for p in pictures.values() if p.hash}):
        for width in WIDTHS:
            for fmt in ("webp", "jpg"):
                address = image_path(digest, width, fmt)
                file = folder / address.rsplit("/", 1)[1]
                if file.is_file():
                    yield Item(address.lstrip("/"), file.read_bytes, source=f"image:{digest}")


def _render(fmt: str, events: Callable[[], list[Event]], options: FeedOptions) -> bytes:
    return render_format(fmt, events(), options)


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


def publish(
    store: Store, out: Path, base_url: str, now: datetime, images_dir: str | None = None
) -> PublishReport:
    """Write (or bring up to date) the static site in ``out`` (with the pictures in
    ``images_dir``, when given, under ``images/``)."""
    out.mkdir(parents=True, exist_ok=True)
    manifest_path = out / MANIFEST
    try:
        previous: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        previous = {}
    current: dict[str, dict[str, str | None]] = {}
    written = unchanged = 0
    for item in _items(store, base_url, now, images_dir):
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
