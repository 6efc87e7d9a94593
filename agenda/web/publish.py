"""Static publishing: the region's feeds, the API's event JSON and the widget as plain files.

``publish(store, out, base_url, now)`` writes a folder any static host or CDN can serve.
It is incremental, driven by what changed, and decodes only the events that did:

- every write of an event takes the store's next revision, so a file's inputs are known
  from the index columns alone: a detail file is made from its event's revision, a list
  or feed from how many events it holds and their highest revision (an event that joins,
  changes or leaves moves one of the two), with the day (the window) and the context
  (the renderer's code, the address and the pictures);
- a file whose inputs are unchanged is neither rendered nor compared; a file whose bytes
  did not change is not rewritten; files no longer published are removed;
- lists and feeds are composed from one piece per event (``feeds.pieces``), kept between
  runs in ``DIR/.published.pieces`` by revision: after one change only that event's
  pieces are rendered, and only it is read from the database.

It is atomic per file (written beside the target, then renamed over it, so a reader never
sees half a file). The two dotfiles are bookkeeping, not for the CDN.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from functools import cache, partial
from importlib import resources
from pathlib import Path

import msgspec

import agenda
from agenda.filters import parse_filters
from agenda.model import Event, Listing
from agenda.normalize import slugify
from agenda.pictures import WIDTHS, StoredPicture, image_path
from agenda.store import query
from agenda.store.base import SummaryRow
from agenda.store.database import Store
from agenda.store.pieces import PieceCache
from agenda.timeutil import AMSTERDAM
from agenda.vocabulary import version as vocabulary_version
from agenda.web.views import event_detail, event_out
from feeds.base import FeedOptions
from feeds.formats import feed_options, render_format
from feeds.pieces import Listed, Memo, with_pieces

MANIFEST = ".published.json"
PIECES = ".published.pieces"
FEED_EXTENSIONS = {"ics": "ics", "rss": "rss", "atom": "atom", "json": "jsonfeed"}
FEW = 50  # event details read one by one before all events and listings are read at once
CITIES = {"den-haag": "Den Haag", "leiden": "Leiden", "delft": "Delft"}


class PublishReport(msgspec.Struct, frozen=True):
    written: int
    unchanged: int
    removed: int


class Entry(msgspec.Struct, frozen=True, array_like=True):
    """What the manifest remembers of a file: its bytes' digest and what it was made from."""

    digest: str
    source: str | None = None


class Manifest(msgspec.Struct, frozen=True):
    context: str = ""
    files: dict[str, Entry] = {}


class Item(msgspec.Struct, frozen=True):
    """One published file: its path, what it is made from, and how to make it."""

    path: str
    render: Callable[[], bytes]
    # What the bytes depend on, when rendering is costly: unchanged inputs skip the
    # rendering altogether. None: render and compare bytes.
    source: str | None = None


@cache
def renderer_version() -> str:
    """A digest of the code and words that turn events into published bytes (the feeds,
    the kernel they use, the API's views, the vocabulary): a release that renders
    differently re-renders everything once."""
    digest = hashlib.sha256(f"{agenda.__version__}|{vocabulary_version()}".encode())
    sources = [resources.files("feeds"), resources.files("agenda")]
    for folder in sources:
        for file in sorted(folder.iterdir(), key=lambda f: f.name):
            if file.name.endswith(".py"):
                digest.update(file.read_bytes())
    digest.update(resources.files("agenda.web").joinpath("views.py").read_bytes())
    digest.update(resources.files("agenda").joinpath("data/vocabulary.toml").read_bytes())
    return digest.hexdigest()[:24]


class _Region:
    """The region's public events as summaries, the events themselves read only where a
    file needs one that no stored piece already shows."""

    def __init__(self, store: Store, rows: list[SummaryRow], now: datetime, memo: Memo) -> None:
        self._store, self._now, self.rows, self.memo = store, now, rows, memo
        self._events: dict[str, Event] | None = None
        self._listings: dict[str, list[tuple[Listing, str]]] | None = None
        self._asked = 0

    def load(self, ids: Sequence[str]) -> dict[str, Event]:
        if self._events is not None:
            return {i: self._events[i] for i in ids}
        return query.events_by_id(self._store, ids)

    def listed(self, rows: list[SummaryRow]) -> Listed:
        return Listed((r.summary() for r in rows), self.load, self.memo)

    def detail(self, event_id: str) -> bytes:
        """An event's detail: a query of its own for the first few (an incremental
        publish), then one pass for all (a query per event would dominate a full one)."""
        self._asked += 1
        if self._asked <= FEW:
            event = query.events_by_id(self._store, [event_id])[event_id]
            found = query.event_listings(self._store, [event_id], self._now)
            return msgspec.json.encode(event_detail(event, found.get(event_id, [])))
        if self._events is None or self._listings is None:
            ids = [r.id for r in self.rows]
            self._events = query.events_by_id(self._store, ids)
            self._listings = query.event_listings(self._store, ids, self._now)
        event = self._events[event_id]
        return msgspec.json.encode(event_detail(event, self._listings.get(event_id, [])))


def _stamp(rows: list[SummaryRow]) -> str:
    """What a list of events is made from: an event that joins or changes raises the
    highest revision, one that leaves lowers the count."""
    return f"{len(rows)}:{max((r.revision for r in rows), default=0)}"


def _events_json(region: _Region, pictures: dict[str, StoredPicture], base_url: str) -> bytes:
    """``api/events.json``: the region's events in the export's shape, one piece each."""

    def piece(event: Event) -> bytes:
        return msgspec.json.encode(event_out(event, None, pictures, base_url))

    kind = f"event|{base_url}"
    pieces = [p for _, p in with_pieces(region.listed([]), region.rows, kind, piece)]
    return b'{"events":[' + b",".join(pieces) + b'],"next":null}'


def _items(
    store: Store, base_url: str, now: datetime, region: _Region, pictures: dict[str, StoredPicture],
    images_dir: str | None = None,
) -> Iterator[Item]:  # fmt: skip
    """Every published file (relative path with ``/``), lazily rendered."""
    today = now.astimezone(AMSTERDAM).date()
    rows = region.rows
    slices: dict[str, list[SummaryRow]] = {"agenda": rows}
    for slug, city in CITIES.items():
        slices[slug] = [r for r in rows if r.city == city]
    themed: dict[str, list[SummaryRow]] = {}
    for row in rows:
        for theme in row.themes:
            themed.setdefault(theme, []).append(row)
    # Every theme the agenda knows has its feed (empty until its first event, and after
    # its last); every venue with events in the window has its own.
    for known in query.themes(store):
        if slugify(known.id) == known.id:
            slices[f"theme-{known.id}"] = themed.get(known.id, [])
    at: dict[str, list[SummaryRow]] = {}
    for row in rows:
        if row.venue_id is not None:
            at.setdefault(row.venue_id, []).append(row)
    for venue, members in sorted(at.items()):
        if slugify(venue) == venue:
            slices[f"venue-{venue}"] = members
    for row in rows:
        event_id = row.id
        yield Item(
            f"api/events/{event_id}.json",
            partial(region.detail, event_id),
            source=f"detail:{row.revision}",
        )
    yield Item(
        "api/events.json",
        partial(_events_json, region, pictures, base_url),
        source=f"events:{_stamp(rows)}:{today}",
    )
    for name, members in slices.items():
        # Feeds depend on their events and the day (the window, and the 30 days a
        # cancelled event stays): the same inputs give the same bytes.
        stamp = _stamp(members)
        for extension, fmt in FEED_EXTENSIONS.items():
            options = feed_options(base_url, fmt, now, name=name)
            options = msgspec.structs.replace(options, pictures=pictures)
            yield Item(
                f"feeds/{name}.{extension}",
                partial(_render, fmt, region, members, options),
                source=f"{fmt}:{stamp}:{today}",
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


def _render(fmt: str, region: _Region, rows: list[SummaryRow], options: FeedOptions) -> bytes:
    return render_format(fmt, region.listed(rows), options)


def _present(out: Path) -> set[str]:
    """The files in ``out`` (relative, with ``/``): one walk instead of a check per file."""
    found: set[str] = set()
    for folder, _, files in os.walk(out):
        prefix = Path(folder).relative_to(out).as_posix()
        prefix = "" if prefix == "." else prefix + "/"
        found.update(prefix + name for name in files)
    return found


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


def _publish_files(
    store: Store, out: Path, base_url: str, now: datetime, images_dir: str | None,
    previous: Manifest,
) -> tuple[Manifest, int, int]:  # fmt: skip
    """Write what changed: the new manifest, and how many files were written and how
    many left as they were."""
    today = now.astimezone(AMSTERDAM).date()
    rows = query.summaries(store, parse_filters({}, today))
    # Pictures: the stored ones go along as files; feeds and lists point to them. They
    # change rarely: then everything re-renders.
    pictures = query.stored_pictures(store)
    shown = repr(sorted((u, p.hash) for u, p in pictures.items()))
    context = hashlib.sha256(f"{renderer_version()}|{base_url}|{shown}".encode()).hexdigest()
    known = previous.files if previous.context == context else {}
    present = _present(out)
    current: dict[str, Entry] = {}
    written = unchanged = 0
    cache = PieceCache(out / PIECES, context[:32])
    try:
        region = _Region(store, rows, now, cache)
        for item in _items(store, base_url, now, region, pictures, images_dir):
            before = known.get(item.path)
            if (
                before is not None
                and item.source is not None
                and before.source == item.source
                and item.path in present
            ):
                current[item.path] = before  # same inputs: the file is already right
                unchanged += 1
                continue
            data = item.render()
            digest = hashlib.sha256(data).hexdigest()
            current[item.path] = Entry(digest, item.source)
            previously = previous.files.get(item.path)
            if previously is not None and previously.digest == digest and item.path in present:
                unchanged += 1
                continue
            _write_atomically(out / item.path, data)
            written += 1
        if previous.context != context or set(previous.files) - set(current):
            cache.keep_only({r.id for r in rows})  # some event left: forget its pieces
    finally:
        cache.close()
    return Manifest(context=context, files=current), written, unchanged


def publish(
    store: Store, out: Path, base_url: str, now: datetime, images_dir: str | None = None
) -> PublishReport:
    """Write (or bring up to date) the static site in ``out`` (with the pictures in
    ``images_dir``, when given, under ``images/``)."""
    out.mkdir(parents=True, exist_ok=True)
    manifest_path = out / MANIFEST
    try:
        previous = msgspec.json.decode(manifest_path.read_bytes(), type=Manifest)
    except (FileNotFoundError, msgspec.DecodeError, msgspec.ValidationError):
        previous = Manifest()
    # One snapshot for every read: an import committing meanwhile cannot take away an
    # event between its listing and its rendering (it is published next time).
    with store.snapshot():
        manifest, written, unchanged = _publish_files(
            store, out, base_url, now, images_dir, previous
        )
    removed = 0
    for relative in sorted(set(previous.files) - set(manifest.files)):
        (out / relative).unlink(missing_ok=True)
        removed += 1
    _write_atomically(manifest_path, msgspec.json.encode(manifest))
    return PublishReport(written=written, unchanged=unchanged, removed=removed)
