"""Turn clusters of listings into stored events with stable ids.

An event keeps its id while its membership changes: each cluster takes the id most
of its members already had (ties to the smaller id); a cluster no stored event can
claim gets a new id derived from its first listing key. An event whose members all
moved elsewhere is tombstoned with ``replaced_by``; one whose members were all
withdrawn stays, marked withdrawn. Only events whose data changed are written.
"""

from __future__ import annotations

import gc
import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime

import msgspec

from agenda.dedup.cluster import Cluster, Decisions, Member, cluster
from agenda.dedup.matching import SPAN
from agenda.dedup.merge import merge_fields
from agenda.dedup.places import PlaceResolver
from agenda.model import Event, Listing, is_public
from agenda.store.database import Store
from agenda.themes import EventFacts, Theme, themes_of
from agenda.timeutil import local_date, span_utc

_encoder = msgspec.json.Encoder()
# A change in any of these is one a subscriber's calendar must notice (iCalendar SEQUENCE).
_SIGNIFICANT = (
    "title", "start", "start_date", "end", "end_date", "venue", "status", "withdrawn", "visibility",
)  # fmt: skip


def rebuild_events(store: Store, now: datetime, dirty_keys: Iterable[str] | None = None) -> int:
    """Recluster what the dirty listings can affect and write the events that changed.

    The cyclic garbage collector is paused meanwhile: a rebuild holds hundreds of
    thousands of sets, dicts and lists until it returns, none in a cycle, and the
    collector's full passes over them grew with the region (0.2 s of a 20,000-listing
    import). Reference counting still frees every one of them.

    ``dirty_keys=None`` reclusters every active listing. Otherwise only the days the
    dirty listings (and their current events) touch are reclustered, plus every span;
    candidates never cross days except through spans, so the result is the same as a
    full rebuild. Returns the number of events written.
    """
    with collector_paused():
        return _rebuild_events(store, now, dirty_keys)


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off inside, as it was after (process-wide: another
    thread's cycles wait the few seconds too)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _rebuild_events(store: Store, now: datetime, dirty_keys: Iterable[str] | None) -> int:
    kinds = store.source_kinds()
    active = store.active_listings()
    current = store.memberships()
    decisions = _decisions(store)
    dirty = set(dirty_keys) if dirty_keys is not None else {listing.key for listing in active}
    scoped = active if dirty_keys is None else _scope(active, dirty, current, decisions)
    places = PlaceResolver(store, now)
    members = [
        places.member(listing, kinds.get(listing.source_id, "aggregator")) for listing in scoped
    ]
    result = cluster(members, decisions)
    store.replace_review(
        {listing.key for listing in scoped}, ((p.a, p.b, p.score, p.reasons) for p in result.review)
    )
    assigned = _assign_ids(store, list(result.clusters), current)

    touched: set[str] = {current[k] for k in dirty if k in current}
    new_rows: list[tuple[str, str, str]] = []
    for event_id, group in assigned.items():
        if any(current.get(key) != event_id for key in group.keys) or dirty & set(group.keys):
            touched.add(event_id)
            touched.update(current[k] for k in group.keys if k in current)
            new_rows.extend(
                zip(group.keys, [event_id] * len(group.keys), group.reasons, strict=True)
            )
    store.set_memberships(new_rows)

    written = 0
    themes = store.themes()
    members_by_event = store.members_of(touched)
    # The clustered listings are the stored active ones, already read and resolved: only
    # the others (withdrawn members) are read again, so a region is not decoded twice.
    wanted = [k for keys in members_by_event.values() for k in keys]
    read = {listing.key: listing for listing in scoped}
    listings = {k: (read[k], "active") for k in wanted if k in read}
    listings.update(store.listings(k for k in wanted if k not in read))
    # In order of their days, not of their (random) ids: each event goes into five
    # indexes on its start, and writing them in that order appends to a few pages instead
    # of touching one anywhere in indexes larger than SQLite's page cache.
    day = {
        event_id: min(_first_day(listings[k][0]) for k in keys)
        for event_id, keys in members_by_event.items()
    }
    for event_id in sorted(touched, key=lambda e: (day.get(e, date.min), e)):
        keys = members_by_event.get(event_id, [])
        if not keys:
            _tombstone(store, event_id, current, assigned, now)
            continue
        rows = [listings[k] for k in keys]
        written += _write_event(store, event_id, rows, kinds, places, themes, now)
    if written or touched:
        store.bump_generation()
    return written


def visibility_of(listings: list[Listing], now: datetime) -> tuple[str, datetime | None]:
    """An event is public as soon as one of its listings is; otherwise embargoed until the
    earliest embargo of its listings, or for partners only."""
    if any(is_public(listing, now) for listing in listings):
        return "public", None
    moments = [x.embargo_until for x in listings if x.embargo_until is not None]
    if moments:
        return "embargo", min(moments)
    return "partners", None


def release_embargoes(store: Store, now: datetime) -> int:
    """Rebuild the events whose embargo has passed, making them public; returns how many."""
    due = store.due_embargoes(now)  # whole embargoed events, and listings inside public ones
    if not due:
        return 0
    keys = [k for keys in store.members_of(due).values() for k in keys]
    with store.transaction():
        rebuild_events(store, now, keys)
    return len(due)


def event_facts(event: Event) -> EventFacts:
    """What theme membership looks at, for one event (also the themes page's preview)."""
    first = local_date(event.start, event.start_date)
    last = local_date(event.end, None) if event.end is not None else event.end_date or first
    return EventFacts(
        id=event.id,
        listing_keys=tuple(f"{s.source}:{s.external_id}" for s in event.sources),
        first_day=first,
        last_day=max(first, last),
        title=" ".join(event.titles.values()) or event.title,
        description=event.description,
        city=event.city,
        venue_id=event.venue.id if event.venue else None,
        categories=event.categories,
        sources=tuple(sorted({s.source for s in event.sources})),
    )


def _first_day(listing: Listing) -> date:
    return local_date(listing.start, listing.start_date)


def _is_span(listing: Listing) -> bool:
    if listing.start is not None:
        return listing.end is not None and listing.end - listing.start > SPAN
    return (
        listing.end_date is not None
        and listing.start_date is not None
        and (listing.end_date > listing.start_date)
    )


def _scope(
    active: list[Listing], dirty: set[str], current: dict[str, str], decisions: Decisions
) -> list[Listing]:
    """The active listings that could share a cluster with a dirty one (a closed set).

    Related are listings of one local day, of one current event, or of one manual
    merge; every span's first day is always in (spans reach across days).
    """
    day_of = {listing.key: _first_day(listing) for listing in active}
    by_day: dict[date, list[str]] = defaultdict(list)
    for key, day in day_of.items():
        by_day[day].append(key)
    by_event: dict[str, list[str]] = defaultdict(list)
    for key, event_id in current.items():
        by_event[event_id].append(key)
    groups: dict[str, list[str]] = defaultdict(list)
    for together in decisions.together:
        for key in together:
            groups[key].extend(together)
    # Each day and each event is opened once: adding a day's listings for every listing of
    # that day cost (listings per day) times the region, which grows with its density.
    days = {day_of[listing.key] for listing in active if _is_span(listing)}
    events: set[str] = set()
    seen: set[str] = set()
    frontier = [k for day in days for k in by_day[day]]
    frontier.extend(dirty)
    while frontier:
        key = frontier.pop()
        if key in seen:
            continue
        seen.add(key)
        frontier.extend(groups.get(key, ()))
        its_event = current.get(key)
        if its_event is not None and its_event not in events:
            events.add(its_event)
            frontier.extend(by_event[its_event])
        its_day = day_of.get(key)
        if its_day is not None and its_day not in days:
            days.add(its_day)
            frontier.extend(by_day[its_day])
    return [listing for listing in active if listing.key in seen]


def _decisions(store: Store) -> Decisions:
    together: list[tuple[str, ...]] = []
    apart: list[tuple[str, str]] = []
    for kind, keys in store.decisions():
        if kind == "together":
            together.append(tuple(keys))
        else:
            apart.append((keys[0], keys[1]))
    return Decisions(together=tuple(together), apart=tuple(apart))


def _assign_ids(
    store: Store, clusters: list[Cluster], current: dict[str, str]
) -> dict[str, Cluster]:
    votes: list[tuple[int, str, int]] = []
    for index, group in enumerate(clusters):
        counts = Counter(current[k] for k in group.keys if k in current)
        votes.extend((-n, event_id, index) for event_id, n in counts.items())
    votes.sort()
    result: dict[str, Cluster] = {}
    claimed: set[int] = set()
    for _, event_id, index in votes:
        if event_id not in result and index not in claimed:
            result[event_id] = clusters[index]
            claimed.add(index)
    for index, group in enumerate(clusters):
        if index not in claimed:
            result[_new_id(store, group.keys[0], result)] = group
    return result


def _new_id(store: Store, seed: str, taken: dict[str, Cluster]) -> str:
    for attempt in range(100):
        text = seed if attempt == 0 else f"{seed}#{attempt}"
        candidate = "e" + hashlib.sha256(text.encode()).hexdigest()[:11]
        if candidate not in taken and not store.event_exists(candidate):
            return candidate
    raise RuntimeError(f"no free event id for {seed}")


def _tombstone(
    store: Store,
    event_id: str,
    current: dict[str, str],
    assigned: dict[str, Cluster],
    now: datetime,
) -> None:
    old_keys = {k for k, e in current.items() if e == event_id}
    destinations = Counter(
        new_id for new_id, group in assigned.items() for k in group.keys if k in old_keys
    )
    if destinations and store.event_exists(event_id):
        store.mark_replaced(event_id, min(destinations, key=lambda e: (-destinations[e], e)), now)


def _view(
    event_id: str,
    every: list[Member],
    states: dict[str, str],
    places: PlaceResolver,
    themes: list[Theme],
    now: datetime,
) -> Event:
    """An event as the given members make it (all of them, or only the public ones)."""
    active = [m for m in every if states[m.listing.key] == "active"]
    fields = merge_fields(active or every, every, places.venue_ref)
    visibility, embargo_until = visibility_of([m.listing for m in (active or every)], now)
    draft = Event(
        id=event_id,
        withdrawn=not active,
        visibility=visibility,  # type: ignore[arg-type]
        embargo_until=embargo_until,
        **fields,
    )
    return msgspec.structs.replace(draft, themes=themes_of(themes, event_facts(draft)))


def _write_event(
    store: Store,
    event_id: str,
    rows: list[tuple[Listing, str]],
    kinds: dict[str, str],
    places: PlaceResolver,
    themes: list[Theme],
    now: datetime,
) -> int:
    """Store an event's public face and, beside it, what partners see.

    Visibility is per listing: the public face is built from public listings only, so an
    embargoed or partner-only listing merged into a public event adds no field, category,
    source or search term to it until its moment comes. Partners read the full view.
    """
    states = {listing.key: state for listing, state in rows}
    every = [
        places.member(listing, kinds.get(listing.source_id, "aggregator")) for listing, _ in rows
    ]
    public_members = [m for m in every if is_public(m.listing, now)]
    full = _view(event_id, every, states, places, themes, now)
    if public_members and len(public_members) < len(every):
        face = _view(event_id, public_members, states, places, themes, now)
        private: Event | None = full
    else:
        face, private = full, None
    pending = [
        m.listing.embargo_until
        for m in every
        if m.listing.embargo_until is not None and m.listing.embargo_until > now
    ]
    next_embargo = min(pending) if pending else None
    face_hash = hashlib.sha256(_encoder.encode(face)).hexdigest()
    private_hash = hashlib.sha256(_encoder.encode(private)).hexdigest() if private else ""
    # What the event's public detail shows of its listings counts too: a listing that
    # changed without changing the face still makes a new revision of the event.
    shown = hashlib.sha256()
    for member in public_members:
        shown.update(_encoder.encode(member.listing))
        shown.update(f"|{states.get(member.listing.key)};".encode())
    data_hash = hashlib.sha256(
        f"{face_hash}|{private_hash}|{next_embargo}|{shown.hexdigest()}".encode()
    ).hexdigest()
    stored = store.event_rows([event_id]).get(event_id)
    if stored is not None and stored.data_hash == data_hash and stored.replaced_by is None:
        return 0
    sequence, created, updated = 0, now, now
    if stored is not None:
        before = store.get_event(event_id, public_face=True)
        created = before.created or now
        same_face = _unstamped(before) == _unstamped(face)
        if same_face and stored.replaced_by is None:
            # Only what partners see changed: the public face keeps its stamps, so
            # nothing public (SEQUENCE, change feed) hints at the hidden listing.
            sequence, updated = before.sequence, before.updated or now
        else:
            joined = {s.source for s in face.sources} - {s.source for s in before.sources}
            changed = any(getattr(before, f) != getattr(face, f) for f in _SIGNIFICANT)
            sequence = stored.sequence + (1 if changed or _released(every, joined, now) else 0)
    event = msgspec.structs.replace(face, sequence=sequence, created=created, updated=updated)
    hidden = None
    if private is not None:
        hidden = msgspec.structs.replace(private, sequence=sequence, created=created, updated=now)
    start_utc, end_utc = span_utc(event.start, event.start_date, event.end, event.end_date)
    store.save_event(
        event, data_hash, start_utc, end_utc, private=hidden, next_embargo=next_embargo
    )
    return 1


def _released(every: list[Member], joined: set[str], now: datetime) -> bool:
    """A listing whose embargo has passed just joined the public face (a fresh SEQUENCE)."""
    return any(
        m.listing.source_id in joined
        and m.listing.embargo_until is not None
        and m.listing.embargo_until <= now
        for m in every
    )


def _unstamped(event: Event) -> Event:
    return msgspec.structs.replace(event, sequence=0, created=None, updated=None)
