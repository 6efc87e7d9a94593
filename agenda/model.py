"""Domain types shared by every package: frozen msgspec Structs, no I/O.

Times: every timed value is an aware ``datetime``; all-day values are ``date``s.
Timed and all-day starts live in separate fields (``start`` / ``start_date``)
because a ``datetime | date`` union breaks Litestar and OpenAPI. All-day
``end_date`` is the *inclusive* last day (as people and schema.org write it); the
iCalendar importer and renderer convert from and to RFC 5545's exclusive DTEND.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Literal

import msgspec

FORMATS: tuple[str, ...] = ("ics", "rss", "atom", "jsonld", "tribe", "csv")
SOURCE_KINDS: tuple[str, ...] = ("venue", "institution", "aggregator")
SourceKind = Literal["venue", "institution", "aggregator"]
Status = Literal["scheduled", "cancelled", "postponed"]
RunOutcome = Literal["ok", "not_modified", "failed", "refused"]
# Longer than this, a timed event is a span over several days (an exhibition).
SPAN = timedelta(hours=20)


class SourceConfig(msgspec.Struct, frozen=True, kw_only=True):
    """One ``[[source]]`` block of the sources file, validated."""

    id: str
    name: str
    format: str
    url: str
    kind: SourceKind = "venue"
    city: str | None = None
    venue: str | None = None
    interval_seconds: int = 3600
    language: str | None = None
    # Documents per import, follow-ups included (API pages, detail pages): a safety net
    # only. A run is bounded by its byte and time budget (importers.collect.RunBudget),
    # and a cap reached with links left makes the answer partial, never silently short.
    max_pages: int = 1000
    # Substring a same-site link must contain to be followed as a detail page (jsonld).
    follow: str | None = None
    # Called (POST, JSON) when the source starts failing and when it recovers.
    webhook: str | None = None
    # Resolved location of the config file's folder, for relative urls.
    base_dir: str | None = None


# gc=False: a region's listings are held by the tens of thousands during deduplication, and
# every full collection would walk them all (0.4 s of a 20,000-listing import); plain data
# never takes part in a reference cycle, so the collector has nothing to find in them.
class Listing(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """One source's record of a happening, as an importer read it (plain data)."""

    source_id: str
    external_id: str
    title: str
    start: datetime | None = None
    start_date: date | None = None
    end: datetime | None = None
    end_date: date | None = None
    status: Status = "scheduled"
    description: str = ""
    url: str | None = None
    venue_name: str | None = None
    address: str | None = None
    postcode: str | None = None
    city: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    categories: tuple[str, ...] = ()
    language: str | None = None
    # Same value for every occurrence of one recurring series (e.g. the ICS UID).
    series_id: str | None = None
    # A hint such as "exhibition", "performance", "festival" (schema.org subtype etc.).
    event_type: str | None = None
    price: str | None = None
    is_free: bool | None = None
    ticket_url: str | None = None
    image: str | None = None
    organizer: str | None = None
    previous_start: datetime | None = None
    # Partner submissions only: "partners" until public; embargoed until a moment.
    visibility: Literal["public", "partners"] = "public"
    embargo_until: datetime | None = None
    # Partner submissions: the title and description per language ("nl", "en"), who it is
    # for (audience ids of the vocabulary) and whether it says it is accessible. Last, and
    # left out of the content hash while empty (``agenda.sync.ingest.content_hash``).
    titles: dict[str, str] = {}
    descriptions: dict[str, str] = {}
    audience: tuple[str, ...] = ()
    accessible: bool | None = None

    def __post_init__(self) -> None:
        if (self.start is None) == (self.start_date is None):
            raise ValueError("a listing has either a timed start or an all-day start_date")
        for name in ("start", "end", "previous_start", "embargo_until"):
            value = getattr(self, name)
            if value is not None and value.utcoffset() is None:
                raise ValueError(f"{name} must be an aware datetime")
        if self.start_date is not None and self.end is not None:
            raise ValueError("an all-day listing ends with end_date, not end")
        if self.start is not None and self.end_date is not None:
            raise ValueError("a timed listing ends with end, not end_date")

    @property
    def key(self) -> str:
        """The listing's identity across imports: ``source:external_id``."""
        return f"{self.source_id}:{self.external_id}"

    @property
    def all_day(self) -> bool:
        return self.start_date is not None


class Problem(msgspec.Struct, frozen=True, kw_only=True):
    """A bad item inside a usable document: recorded, shown, never fatal."""

    source_id: str
    message: str
    external_id: str | None = None
    field: str | None = None
    severity: Literal["error", "warning"] = "error"


class VenueRef(msgspec.Struct, frozen=True, kw_only=True):
    """The venue an event is at, with what a calendar entry needs to show and map it."""

    id: str
    name: str
    city: str | None = None
    address: str | None = None
    postcode: str | None = None
    latitude: float | None = None
    longitude: float | None = None


class SourceRef(msgspec.Struct, frozen=True, kw_only=True):
    source: str
    external_id: str
    url: str | None = None


class Venue(msgspec.Struct, frozen=True, kw_only=True):
    """A place events happen at."""

    id: str
    name: str
    city: str | None = None
    address: str | None = None
    postcode: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    aliases: tuple[str, ...] = ()
    kind: str | None = None


class Event(msgspec.Struct, frozen=True, kw_only=True):
    """The deduplicated happening, as the agenda publishes it."""

    id: str
    title: str
    start: datetime | None = None
    start_date: date | None = None
    end: datetime | None = None
    end_date: date | None = None
    status: Status = "scheduled"
    description: str = ""
    url: str | None = None
    venue: VenueRef | None = None
    city: str | None = None
    categories: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    language: str | None = None
    price: str | None = None
    is_free: bool | None = None
    ticket_url: str | None = None
    image: str | None = None
    # exhibition, concert, performance, lecture, tour, workshop, festival, film, market
    kind: str | None = None
    audience: tuple[str, ...] = ()
    accessible: bool | None = None
    # The title and description in each language a source gave them in ("nl", "en").
    titles: dict[str, str] = {}
    descriptions: dict[str, str] = {}
    sources: tuple[SourceRef, ...] = ()
    # field name -> source id that supplied it
    provenance: dict[str, str] = {}
    # every member listing withdrawn by its source
    withdrawn: bool = False
    # Who may see it: everyone, partners only, or partners until ``embargo_until``.
    visibility: Literal["public", "partners", "embargo"] = "public"
    embargo_until: datetime | None = None
    sequence: int = 0
    created: datetime | None = None
    updated: datetime | None = None

    @property
    def all_day(self) -> bool:
        return self.start_date is not None


def is_span(event: Event) -> bool:
    """A multi-day span ("exhibition"): several days all-day, or a timed stretch over ~20 h."""
    if event.start_date is not None:
        return event.end_date is not None and event.end_date > event.start_date
    return event.start is not None and event.end is not None and event.end - event.start > SPAN


class EventSummary(msgspec.Struct, frozen=True, kw_only=True):
    """An event's place in a list, read from the store's columns without decoding it:
    what ordering, selecting and budgeting a feed needs, and the version that keys the
    pieces rendered from it."""

    id: str
    start: datetime  # the start instant (midnight in Amsterdam for an all-day event)
    first_day: date  # the Amsterdam day it starts on
    span: bool  # ``is_span``
    cancelled: bool  # cancelled by its sources or withdrawn by all of them
    changed: datetime | None  # when it last changed in the agenda (else entered it)
    # Changes whenever the stored event does; empty for an event that is not stored.
    version: str = ""


class ImportRun(msgspec.Struct, frozen=True, kw_only=True):
    """What one import of one source did."""

    source_id: str
    started: datetime
    finished: datetime
    outcome: RunOutcome
    http_status: int | None = None
    bytes: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    problems: tuple[Problem, ...] = ()
    message: str = ""
    id: int | None = None
    # Upcoming listings the source has after the run (None when the run applied nothing).
    upcoming: int | None = None
    # A coordinator confirmed this run past the withdrawal guard.
    forced: bool = False


def is_public(listing: Listing, now: datetime) -> bool:
    """Anyone may see it: a public listing, or an embargoed one whose moment has come."""
    if listing.embargo_until is not None:
        return listing.embargo_until <= now
    return listing.visibility == "public"


# A run or a document keeps this many problems, then one that counts the rest.
PROBLEM_LIMIT = 200


def cap_problems(
    problems: Sequence[Problem], source_id: str, limit: int = PROBLEM_LIMIT
) -> tuple[Problem, ...]:
    """The first ``limit`` problems, then one saying how many more were not listed.

    The rest are almost always the same mistake repeated; a reader needs the first few
    and the count, and the store and the review page need a bounded list.
    """
    if len(problems) <= limit:
        return tuple(problems)
    more = len(problems) - limit
    errors = any(p.severity == "error" for p in problems[limit:])
    severity: Literal["error", "warning"] = "error" if errors else "warning"
    summary = Problem(source_id=source_id, message=f"{more:,} more problems like these not listed",
                      severity=severity)  # fmt: skip
    return (*problems[:limit], summary)
