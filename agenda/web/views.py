"""What the API answers, as msgspec Structs (so OpenAPI documents them), built from events.

Times are strings: ``2027-01-15T20:00:00+01:00`` for timed events, ``2027-01-15`` for
all-day ones (one string field, never a ``datetime | date`` union, which breaks
Litestar's OpenAPI).
"""

from __future__ import annotations

from datetime import date, datetime

import msgspec

from agenda.model import Event, Listing
from agenda.pictures import PLACEHOLDER_SIZE, StoredPicture, picture_for, placeholder_for
from agenda.timeutil import to_local

NO_PICTURES: dict[str, StoredPicture] = {}


def when(moment: datetime | None, day: date | None) -> str | None:
    if moment is not None:
        return to_local(moment).isoformat()
    return day.isoformat() if day is not None else None


class VenueOut(msgspec.Struct, frozen=True):
    id: str
    name: str
    city: str | None = None


class SourceOut(msgspec.Struct, frozen=True):
    source: str
    external_id: str
    url: str | None = None


class PictureOut(msgspec.Struct, frozen=True):
    """The event's picture on the agenda's own origin (absolute addresses), or, with
    ``placeholder``, the agenda's small drawing for its kind; always with its size."""

    src: str
    srcset: str
    webp_srcset: str
    width: int
    height: int
    alt: str
    placeholder: bool = False


def picture_out(event: Event, pictures: dict[str, StoredPicture], base_url: str) -> PictureOut:
    found = picture_for(event, pictures, base_url)
    if found is None:
        width, height = PLACEHOLDER_SIZE
        src = placeholder_for(event, base_url)
        return PictureOut(src, "", "", width, height, "", placeholder=True)
    return PictureOut(found.src, found.jpeg_srcset, found.webp_srcset, found.width,
                      found.height, found.alt)  # fmt: skip


class EventOut(msgspec.Struct, frozen=True):
    """An event in the shape of the JSON export (README), plus its price, picture and its
    titles in each language (for the widget). ``title`` is in the asked ``lang`` where a
    source gave one; ``categories`` are canonical ids (``agenda/data/vocabulary.toml``)."""

    id: str
    title: str
    description: str
    start: str
    end: str | None
    all_day: bool
    status: str
    venue: VenueOut | None
    city: str | None
    url: str | None
    categories: list[str]
    themes: list[str]
    sources: list[SourceOut]
    price: str | None
    is_free: bool | None
    titles: dict[str, str]
    picture: PictureOut | None


class ListingOut(msgspec.Struct, frozen=True):
    """One source's record of the event, as that source gave it."""

    source: str
    external_id: str
    url: str | None
    title: str
    start: str
    end: str | None
    status: str
    state: str
    venue_name: str | None
    language: str | None


class EventDetail(EventOut, frozen=True):
    """Everything the agenda knows of one event, and who said what."""

    kind: str | None
    audience: list[str]
    accessible: bool | None
    ticket_url: str | None
    image: str | None
    language: str | None
    descriptions: dict[str, str]
    sequence: int
    created: str | None
    updated: str | None
    listings: list[ListingOut]
    provenance: dict[str, str]


class EventPage(msgspec.Struct, frozen=True):
    events: list[EventOut]
    next: str | None


def status_of(event: Event) -> str:
    return "cancelled" if event.withdrawn else event.status


def event_out(
    event: Event,
    lang: str | None = None,
    pictures: dict[str, StoredPicture] | None = None,
    base_url: str = "",
) -> EventOut:
    """The event as the API lists it: ``lang`` picks the title (the event's own without it);
    with ``pictures`` also its picture (or placeholder)."""
    start = when(event.start, event.start_date)
    assert start is not None
    return EventOut(
        id=event.id,
        title=event.titles.get(lang, event.title) if lang else event.title,
        description=event.description,
        start=start,
        end=when(event.end, event.end_date),
        all_day=event.all_day,
        status=status_of(event),
        venue=VenueOut(event.venue.id, event.venue.name, event.venue.city) if event.venue else None,
        city=event.city,
        url=event.url,
        categories=list(event.categories),
        themes=list(event.themes),
        sources=[SourceOut(s.source, s.external_id, s.url) for s in event.sources],
        price=event.price,
        is_free=event.is_free,
        titles=dict(event.titles),
        picture=picture_out(event, pictures, base_url) if pictures is not None else None,
    )


def listing_out(listing: Listing, state: str) -> ListingOut:
    start = when(listing.start, listing.start_date)
    assert start is not None
    return ListingOut(
        source=listing.source_id,
        external_id=listing.external_id,
        url=listing.url,
        title=listing.title,
        start=start,
        end=when(listing.end, listing.end_date),
        status=listing.status,
        state=state,
        venue_name=listing.venue_name,
        language=listing.language,
    )


def event_detail(event: Event, listings: list[tuple[Listing, str]]) -> EventDetail:
    base = event_out(event)
    return EventDetail(
        **msgspec.structs.asdict(base),
        kind=event.kind,
        audience=list(event.audience),
        accessible=event.accessible,
        ticket_url=event.ticket_url,
        image=event.image,
        language=event.language,
        descriptions=dict(event.descriptions),
        sequence=event.sequence,
        created=event.created.isoformat() if event.created else None,
        updated=event.updated.isoformat() if event.updated else None,
        listings=[listing_out(listing, state) for listing, state in listings],
        provenance=dict(event.provenance),
    )
