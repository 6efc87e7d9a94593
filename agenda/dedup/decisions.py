"""A person's corrections to deduplication, and the explanations they need to make them.

Decisions are stored as data (listing keys, not event ids, so they survive every
later import) and applied after automatic matching on every rebuild:
- merge: the listings of two or more events belong together;
- split: one listing leaves its event;
- never-merge: two events (or listings) must stay apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from itertools import combinations

import msgspec

from agenda.dedup.cluster import member_features
from agenda.dedup.conflicts import Conflict, conflicts_in
from agenda.dedup.matching import compare
from agenda.dedup.places import PlaceResolver
from agenda.dedup.rebuild import rebuild_events
from agenda.errors import AgendaError, NotFoundError
from agenda.store.database import Store


class Explanation(msgspec.Struct, frozen=True):
    """Why an event holds the listings it holds."""

    event_id: str
    title: str
    members: tuple[tuple[str, str, str], ...]  # (listing key, title, why it belongs)
    pairs: tuple[tuple[str, str, str, float, tuple[str, ...]], ...]  # a, b, verdict, score, reasons
    decisions: tuple[str, ...]


def current_id(store: Store, event_id: str, *, private: bool = False) -> str:
    """The surviving id of an event, following merges; ``NotFoundError`` if unknown.

    Public callers (``private=False``) cannot find events that are not public.
    """
    seen = {event_id}
    store.get_event(event_id, private=private)
    while (replaced := store.replaced_by_any(event_id)) is not None:
        if replaced in seen:
            break
        seen.add(replaced)
        event_id = replaced
    return event_id


def _keys_of(store: Store, ref: str) -> list[str]:
    """Listing keys named by an event id or a ``source:external_id`` key."""
    if store.listings([ref]):
        return [ref]
    event_id = current_id(store, ref, private=True)
    return store.members_of([event_id]).get(event_id, [])


def merge(store: Store, refs: list[str], now: datetime, note: str = "") -> str:
    """Keep the listings of these events together from now on; returns the surviving id."""
    if len(refs) < 2:
        raise AgendaError("merge needs at least two events")
    keys = sorted({k for ref in refs for k in _keys_of(store, ref)})
    with store.transaction():
        store.add_decision("together", keys, note, now)
        rebuild_events(store, now, keys)
    return store.memberships()[keys[0]]


def split(store: Store, event_id: str, listing_key: str, now: datetime, note: str = "") -> str:
    """Take one listing out of its event for good; returns the listing's new event id."""
    event_id = current_id(store, event_id, private=True)
    members = store.members_of([event_id]).get(event_id, [])
    if listing_key not in members:
        raise NotFoundError(f"event {event_id} has no listing {listing_key!r}")
    if len(members) == 1:
        raise AgendaError(f"{listing_key} is the only listing of event {event_id}")
    with store.transaction():
        for other in members:
            if other != listing_key:
                store.add_decision("apart", [other, listing_key], note, now)
        rebuild_events(store, now, members)
    return store.memberships()[listing_key]


def never_merge(store: Store, first: str, second: str, now: datetime, note: str = "") -> None:
    """Two events (or listings) are different happenings, whatever their scores say."""
    left, right = _keys_of(store, first), _keys_of(store, second)
    if not left or not right:
        raise NotFoundError("nothing to keep apart")
    with store.transaction():
        for a in left:
            for b in right:
                store.add_decision("apart", [a, b], note, now)
        rebuild_events(store, now, [*left, *right])


def explain(store: Store, event_id: str, now: datetime) -> Explanation:
    """Each member, the scores of every pair of members, and the decisions involved."""
    event_id = current_id(store, event_id, private=True)
    event = store.get_event(event_id, private=True)
    members = store.memberships_with_reasons(event_id)
    listings = store.listings(k for k, _ in members)
    kinds = store.source_kinds()
    places = PlaceResolver(store, now)
    feats = {
        key: member_features(places.member(listing, kinds.get(listing.source_id, "aggregator")))
        for key, (listing, _) in listings.items()
    }
    pairs = []
    for a, b in combinations(sorted(feats), 2):
        score = compare(feats[a], feats[b])
        pairs.append((a, b, score.verdict, score.score, score.reasons))
    keys = set(feats)
    decisions = tuple(f"{kind}: {', '.join(k)}" for kind, k in store.decisions() if keys & set(k))
    return Explanation(
        event_id=event_id,
        title=event.title,
        members=tuple((k, listings[k][0].title, why) for k, why in members),
        pairs=tuple(pairs),
        decisions=decisions,
    )


def event_conflicts(
    store: Store, event_ids: Iterable[str] | None = None
) -> dict[str, list[Conflict]]:
    """Where a partner's submission and another source disagree, per event (all events
    that hold a partner listing beside another source's when ``event_ids`` is None)."""
    wanted = list(event_ids) if event_ids is not None else store.events_with_partner_listings()
    members = store.members_of(wanted)
    listings = store.listings(k for keys in members.values() for k in keys)
    found: dict[str, list[Conflict]] = {}
    for event_id, keys in members.items():
        active = [listings[k][0] for k in keys if k in listings and listings[k][1] == "active"]
        conflicts = conflicts_in(active)
        if conflicts:
            found[event_id] = conflicts
    return found
