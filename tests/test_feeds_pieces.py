"""Feeds composed from per-event pieces: the same bytes with or without a memo, trimmed
to the budget exactly, and a memo that saves the rendering of what it holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agenda.model import Event, VenueRef
from feeds import atom, ical, jsonfeed, rss
from feeds.base import summary_of
from feeds.formats import feed_options, render_format
from feeds.pieces import Listed

NOW = datetime(2027, 1, 20, 12, tzinfo=UTC)
RENDERERS = {"ics": (ical, "_piece"), "rss": (rss, "rss_item"), "atom": (atom, "atom_entry"),
             "jsonfeed": (jsonfeed, "json_item")}  # fmt: skip


def events(count: int) -> list[Event]:
    venue = VenueRef(id="lakenhal", name="Museum De Lakenhal", city="Leiden")
    made = []
    for i in range(count):
        start = NOW + timedelta(days=i % 40, hours=i % 7)
        span = i % 9 == 0  # some exhibitions among the evenings
        made.append(Event(
            id=f"e{i:04}", title=f"Avond {i} · Rembrandt & co", description="Lang verhaal. " * (i % 5),
            start=start, end=start + timedelta(days=30 if span else 0, hours=2), venue=venue,
            city="Leiden", categories=("lecture",), status="cancelled" if i % 13 == 0 else "scheduled",
            created=NOW - timedelta(days=2), updated=NOW - timedelta(days=1),
        ))  # fmt: skip
    return made


class DictMemo:
    def __init__(self) -> None:
        self.pieces: dict[tuple[str, str], tuple[str, bytes]] = {}
        self.hits = 0

    def get(self, kind: str, event_id: str, version: str) -> bytes | None:
        found = self.pieces.get((kind, event_id))
        if found is None or found[0] != version:
            return None
        self.hits += 1
        return found[1]

    def put(self, kind: str, event_id: str, version: str, data: bytes) -> None:
        self.pieces[(kind, event_id)] = (version, data)


def stored(made: list[Event], memo: DictMemo, versions: dict[str, str]) -> Listed:
    by_id = {e.id: e for e in made}
    summaries = sorted((summary_of(e, versions[e.id]) for e in made), key=lambda s: (s.start, s.id))
    return Listed(summaries, lambda ids: {i: by_id[i] for i in ids}, memo)


@pytest.mark.parametrize("fmt", list(RENDERERS))
@pytest.mark.parametrize("max_bytes", [10**9, 20_000])
@pytest.mark.parametrize("exhibitions", ["span", "daily", "exclude"])
def test_a_memo_changes_no_byte_and_saves_the_rendering(
    fmt, max_bytes, exhibitions, monkeypatch
) -> None:
    made = events(300)
    options = feed_options("https://agenda.example", fmt, NOW, exhibitions=exhibitions)
    options = options.__class__(**{**{f: getattr(options, f) for f in options.__struct_fields__},
                                   "max_bytes": max_bytes})  # fmt: skip
    plain = render_format(fmt, made, options)
    assert len(plain) <= max_bytes
    memo = DictMemo()
    versions = {e.id: "1" for e in made}
    assert render_format(fmt, stored(made, memo, versions), options) == plain
    module, name = RENDERERS[fmt]
    rendered: list[str] = []
    real = getattr(module, name)
    monkeypatch.setattr(module, name, lambda e, options: rendered.append(e.id) or real(e, options))
    # One event changes: only its piece is rendered again.
    changed = made[5].id
    made[5] = Event(**{**{f: getattr(made[5], f) for f in Event.__struct_fields__},
                       "title": "Avond 5 (verplaatst)"})  # fmt: skip
    versions[changed] = "2"
    again = render_format(fmt, stored(made, memo, versions), options)
    assert set(rendered) <= {changed} and memo.hits > 0
    assert again == render_format(fmt, made, options)


@pytest.mark.parametrize("fmt", list(RENDERERS))
def test_a_trimmed_feed_keeps_the_most_events_that_fit(fmt) -> None:
    made = events(400)
    big = feed_options("https://agenda.example", fmt, NOW)
    for budget in (15_000, 40_000):
        options = big.__class__(**{**{f: getattr(big, f) for f in big.__struct_fields__},
                                   "max_bytes": budget})  # fmt: skip
        data = render_format(fmt, made, options)
        assert len(data) <= budget
        marker = b"BEGIN:VEVENT" if fmt == "ics" else b'"id":"e' if fmt == "jsonfeed" else (
            b"<item>" if fmt == "rss" else b"<entry>")  # fmt: skip
        kept = data.count(marker)
        assert 0 < kept < 400
        # One event more would not have fitted (the note names a count and a day: allow
        # its few bytes).
        assert len(data) + 2 * (len(data) // kept) > budget
