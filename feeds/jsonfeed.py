"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1) of events, with the event data
under the extension key ``_regio_agenda``.

Items carry the same id, title and HTML body as the RSS feed. Times in the extension
are Amsterdam wall-clock times with their offset (+01:00 in winter, +02:00 in summer),
or plain dates for all-day events (``end`` is then the inclusive last day).

Pure: events and options in, bytes out; the clock is never read. Structs fix the key
order, so the same input gives the same bytes. Must not import the store, query, ingest
or importers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import msgspec

from agenda.model import Event, EventSummary
from agenda.timeutil import to_local, utc_iso
from feeds.base import FeedOptions, event_url, is_cancelled, picture_of
from feeds.pieces import Listed, compose
from feeds.rss import categories, item_html, item_id, item_title, last_change

VERSION = "https://jsonfeed.org/version/1.1"
EXTENSION = "_regio_agenda"


class VenueData(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    name: str
    city: str | None
    address: str | None
    latitude: float | None
    longitude: float | None


class SourceData(msgspec.Struct, frozen=True, kw_only=True):
    source: str
    external_id: str
    url: str | None


class EventData(msgspec.Struct, frozen=True, kw_only=True):
    """The ``_regio_agenda`` extension: every key always present (null when unknown),
    so consumers see one shape."""

    id: str
    start: str
    end: str | None
    all_day: bool
    status: str
    venue: VenueData | None
    city: str | None
    kind: str | None
    audience: list[str]
    themes: list[str]
    price: str | None
    is_free: bool | None
    ticket_url: str | None
    url: str | None
    sources: list[SourceData]


class Item(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """A JSON Feed item; optional members are left out rather than written as null."""

    id: str
    url: str
    title: str
    content_html: str
    date_published: str | None = None
    date_modified: str | None = None
    tags: list[str] = []
    image: str | None = None
    regio_agenda: EventData | None = msgspec.field(default=None, name=EXTENSION)


class Feed(msgspec.Struct, frozen=True, kw_only=True):
    version: str
    title: str
    home_page_url: str
    feed_url: str
    description: str
    language: str
    items: list[Item]


_encoder = msgspec.json.Encoder()


def _when(moment: datetime | None, day: date | None) -> str | None:
    """A timed value on Amsterdam's clock with its offset, or an all-day date."""
    if moment is not None:
        return to_local(moment).isoformat()
    return day.isoformat() if day is not None else None


def event_data(event: Event) -> EventData:
    """The event itself, for consumers that want more than a title and a body."""
    venue = event.venue
    start = _when(event.start, event.start_date)
    assert start is not None  # an event has a timed or an all-day start
    return EventData(
        id=event.id,
        start=start,
        end=_when(event.end, event.end_date),
        all_day=event.all_day,
        status="cancelled" if is_cancelled(event) else event.status,
        venue=(
            VenueData(
                id=venue.id,
                name=venue.name,
                city=venue.city,
                address=venue.address,
                latitude=venue.latitude,
                longitude=venue.longitude,
            )
            if venue is not None
            else None
        ),
        city=event.city,
        kind=event.kind,
        audience=list(event.audience),
        themes=list(event.themes),
        price=event.price,
        is_free=event.is_free,
        ticket_url=event.ticket_url,
        url=event.url,
        sources=[
            SourceData(source=s.source, external_id=s.external_id, url=s.url) for s in event.sources
        ],
    )


def feed_item(event: Event, options: FeedOptions, host: str) -> Item:
    """One event as a JSON Feed item (host: ``options.host``, parsed once per feed)."""
    created = event.created
    changed = last_change(event)
    return Item(
        id=item_id(event, host),
        url=event_url(event, options),
        title=item_title(event, options.lang),
        content_html=item_html(event, options.lang),
        date_published=utc_iso(created) if created is not None else None,
        date_modified=utc_iso(changed) if changed is not None else None,
        tags=categories(event, options.lang),
        image=picture.src if (picture := picture_of(event, options)) else None,
        regio_agenda=event_data(event),
    )


JSON_FOOT = b"]}\n"


def render_json_feed(events: Sequence[Event] | Listed, options: FeedOptions) -> bytes:
    """A JSON Feed 1.1 document (UTF-8, one trailing newline) of the feed's events, under
    ``options.max_bytes``."""
    listed = events if isinstance(events, Listed) else Listed.of(events)
    return compose(listed, options, "jsonfeed", json_item, _document, JSON_FOOT, sep=b",")


def _document(options: FeedOptions, listed: Sequence[EventSummary]) -> bytes:
    feed = Feed(
        version=VERSION,
        title=options.title,
        home_page_url=options.base_url,
        feed_url=options.self_url,
        description=options.description,
        language=options.lang,
        items=[],
    )
    return _encoder.encode(feed) + b"\n"


def json_item(event: Event, options: FeedOptions) -> bytes:
    """One event's item, as it stands in the feed."""
    return _encoder.encode(feed_item(event, options, options.host))
