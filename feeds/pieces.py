"""A feed as a head, one piece per event in start order, and a foot, under a byte budget.

Most of a feed's cost is rendering its events, and an event's piece depends on the event
and the feed's options alone. So every renderer composes: it walks the feed's events in
order (summaries, which the store reads without decoding an event), asks for their pieces
a chunk at a time, and stops once the budget is full. A ``Memo`` keyed by each event's
stored version hands back pieces rendered before; static publishing keeps one between
runs, so publishing after one change renders that event's pieces and no others. Memo or
not, the same events and options give the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from itertools import accumulate, islice
from typing import Protocol, TypeVar

from msgspec import structs

from agenda.model import Event, EventSummary
from agenda.timeutil import to_local
from feeds.base import FeedOptions, still_listed, summary_of
from feeds.labels import long_day, word

CHUNK = 256  # events whose pieces are asked for at once (one read of those missing)


class Memo(Protocol):
    """Pieces rendered before, by kind (format and options), event id and version."""

    def get(self, kind: str, event_id: str, version: str) -> bytes | None: ...

    def put(self, kind: str, event_id: str, version: str, data: bytes) -> None: ...


Load = Callable[[Sequence[str]], Mapping[str, Event]]


class Versioned(Protocol):
    """An event's id and its stored version (empty: not stored, never memoised)."""

    @property
    def id(self) -> str: ...

    @property
    def version(self) -> str: ...


V = TypeVar("V", bound=Versioned)


class Listed:
    """A feed's events: their summaries in start order, and how to read the events
    behind them (only those whose pieces the memo lacks are read)."""

    def __init__(
        self, summaries: Iterable[EventSummary], load: Load, memo: Memo | None = None
    ) -> None:
        self.summaries = summaries
        self.load = load
        self.memo = memo

    @classmethod
    def of(cls, events: Iterable[Event]) -> Listed:
        """Events in hand, in any order: sorted by start, then id."""
        by_id = {e.id: e for e in events}
        summaries = sorted(map(summary_of, by_id.values()), key=lambda s: (s.start, s.id))
        return cls(summaries, lambda ids: {i: by_id[i] for i in ids})


def piece_kind(fmt: str, options: FeedOptions) -> str:
    """What an event's piece depends on besides the event: the memo's kind."""
    return f"{fmt}|{options.lang}|{options.exhibitions}|{options.base_url}"


def selected(listed: Listed, options: FeedOptions) -> Iterator[EventSummary]:
    """The summaries a feed lists: cancelled ones for 30 days, spans unless excluded."""
    exclude = options.exhibitions == "exclude"
    for summary in listed.summaries:
        if still_listed(summary, options.now) and not (exclude and summary.span):
            yield summary


def with_pieces(
    listed: Listed,
    summaries: Iterable[V],
    kind: str,
    render: Callable[[Event], bytes],
) -> Iterator[tuple[V, bytes]]:
    """Each summary with its event's piece, from the memo where it has one; the rest are
    read (through ``listed``) and rendered a chunk at a time."""
    memo = listed.memo
    walk = iter(summaries)
    while chunk := list(islice(walk, CHUNK)):
        found: dict[str, bytes] = {}
        if memo is not None:
            for summary in chunk:
                if summary.version:
                    data = memo.get(kind, summary.id, summary.version)
                    if data is not None:
                        found[summary.id] = data
        missing = [s for s in chunk if s.id not in found]
        if missing:
            events = listed.load([s.id for s in missing])
            for summary in missing:
                data = found[summary.id] = render(events[summary.id])
                # Only a stored version may key a piece: an event in hand has none.
                if memo is not None and summary.version:
                    memo.put(kind, summary.id, summary.version, data)
        for summary in chunk:
            yield summary, found[summary.id]


def first_fitting(
    listed: Listed, options: FeedOptions, kind: str, render: Callable[[Event], bytes], sep: int
) -> tuple[list[EventSummary], list[bytes], bool]:
    """The feed's first events with their pieces, up to the first that overflows the
    budget on its own account (no later one can be in the feed), and whether it did."""
    kept: list[EventSummary] = []
    pieces: list[bytes] = []
    total = 0
    for summary, piece in with_pieces(listed, selected(listed, options), kind, render):
        kept.append(summary)
        pieces.append(piece)
        total += len(piece) + sep
        if total > options.max_bytes:
            return kept, pieces, True
    return kept, pieces, False


def fit(
    pieces: Sequence[bytes],
    head: Callable[[int, bool], bytes],
    foot: bytes,
    max_bytes: int,
    *,
    sep: bytes = b"",
    overflowed: bool = False,
) -> bytes:
    """Head, pieces and foot under ``max_bytes``: all pieces when they fit, else the most
    leading pieces that fit beside a head that says the feed was trimmed.

    ``head(kept, trimmed)`` is the head for the first ``kept`` pieces.
    """
    sizes = list(accumulate((len(p) + len(sep) for p in pieces), initial=0))

    def size(kept: int, trimmed: bool) -> int:
        joined = sizes[kept] - (len(sep) if kept else 0)
        return len(head(kept, trimmed)) + joined + len(foot)

    if not overflowed and size(len(pieces), False) <= max_bytes:
        return head(len(pieces), False) + sep.join(pieces) + foot
    # The largest count of leading pieces that fits (the note's length varies a little
    # with its numbers, so the search ends with a step back where needed).
    low, high = 0, max(0, len(pieces) - 1)
    while low < high:
        middle = (low + high + 1) // 2
        if size(middle, True) <= max_bytes:
            low = middle
        else:
            high = middle - 1
    kept = low
    while kept and size(kept, True) > max_bytes:
        kept -= 1
    return head(kept, True) + sep.join(pieces[:kept]) + foot


def trim_noted(options: FeedOptions, kept: Sequence[EventSummary]) -> FeedOptions:
    """The options with the feed's description saying up to which day a trimmed feed runs."""
    day = kept[-1].first_day if kept else to_local(options.now).date()
    note = word("trimmed", options.lang).format(n=len(kept), day=long_day(day, options.lang))
    note = note.replace("1 MB", f"{options.max_bytes / 1_000_000:g} MB")
    return structs.replace(options, description=f"{options.description} {note}")


def compose(
    listed: Listed,
    options: FeedOptions,
    fmt: str,
    piece: Callable[[Event, FeedOptions], bytes],
    document: Callable[[FeedOptions, Sequence[EventSummary]], bytes],
    foot: bytes,
    *,
    sep: bytes = b"",
) -> bytes:
    """A feed of one piece per event: ``document(options, kept)`` is the whole feed
    without items (ending in ``foot``), its description noting a trim where there is one."""
    kept, pieces, overflowed = first_fitting(
        listed, options, piece_kind(fmt, options), lambda event: piece(event, options), len(sep)
    )

    def head(count: int, trimmed: bool) -> bytes:
        noted = trim_noted(options, kept[:count]) if trimmed else options
        whole = document(noted, kept[:count])
        assert whole.endswith(foot)
        return whole[: len(whole) - len(foot)]

    return fit(pieces, head, foot, options.max_bytes, sep=sep, overflowed=overflowed)


def latest_change(summaries: Sequence[EventSummary], fallback: datetime) -> datetime:
    """The latest change among ``summaries`` (``fallback`` when none is known)."""
    changes = [s.changed for s in summaries if s.changed is not None]
    return max(changes) if changes else fallback
