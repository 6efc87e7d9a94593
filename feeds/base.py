"""What every renderer shares: feed options, the texts of an event in a language, links.

Renderers are pure: events and options in, bytes out. ``now`` comes from the options,
never from the clock, so the same input gives the same bytes.
"""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from typing import Literal
from urllib.parse import urlsplit

import msgspec

from agenda.model import Event, EventSummary, is_span
from agenda.pictures import Picture, StoredPicture, picture_for
from agenda.sanitize import sub_markup
from agenda.timeutil import day_start, to_local

CANCELLED_KEPT = timedelta(days=30)
_TAG = re.compile(r"<[^>]+>")
_BLOCK = re.compile(r"</?(p|br|li|ul|ol|h3|h4|blockquote)\b[^>]*>", re.I)


class FeedOptions(msgspec.Struct, frozen=True, kw_only=True):
    """How to render one feed."""

    title: str
    description: str
    base_url: str  # the agenda's public address: event pages, UIDs and links hang off it
    self_url: str  # where this feed itself is served
    now: datetime
    lang: Literal["nl", "en"] = "nl"
    exhibitions: Literal["span", "daily", "exclude"] = "span"
    max_bytes: int = 1_000_000
    refresh_minutes: int = 60
    # What the picture job recorded for the events' images (``agenda.store.query.pictures``):
    # feeds name our own copies, never a source's picture.
    pictures: dict[str, StoredPicture] = {}

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or "regio-agenda"


def picture_of(event: Event, options: FeedOptions) -> Picture | None:
    """The event's picture on the agenda's own origin (absolute), or None."""
    return picture_for(event, options.pictures, options.base_url)


def is_cancelled(event: Event) -> bool:
    return event.withdrawn or event.status == "cancelled"


def summary_of(event: Event, version: str = "") -> EventSummary:
    """The summary the store would read for ``event`` (for feeds of events in hand)."""
    if event.start is not None:
        start = event.start
        first = to_local(event.start).date()
    else:
        assert event.start_date is not None
        first = event.start_date
        start = day_start(first)
    return EventSummary(
        id=event.id,
        start=start,
        first_day=first,
        span=is_span(event),
        cancelled=is_cancelled(event),
        changed=event.updated or event.created,
        version=version,
    )


def still_listed(summary: EventSummary, now: datetime) -> bool:
    """Whether a feed still lists it: a cancelled event stays 30 days after its last change."""
    if not summary.cancelled:
        return True
    return summary.changed is not None and now - summary.changed <= CANCELLED_KEPT


def title_in(event: Event, lang: str) -> str:
    """The title in ``lang`` where a source gave one, else the event's own title."""
    return event.titles.get(lang) or event.title


def description_in(event: Event, lang: str) -> str:
    """The description in ``lang`` where a source gave one, else the event's own."""
    return event.descriptions.get(lang) or event.description


def plain_text(text: str) -> str:
    """Sanitised HTML as plain text: block tags become line breaks, entities unescaped."""
    text = sub_markup(_BLOCK, "\n", text)  # linear even on "<p <p <p …" without a ">"
    text = html.unescape(sub_markup(_TAG, "", text))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line).strip()


def event_url(event: Event, options: FeedOptions) -> str:
    """The event's page in the agenda (stable: built from its id)."""
    return f"{options.base_url.rstrip('/')}/events/{event.id}"


def location_text(event: Event) -> str:
    """``Venue, Street 1, 1234 AB City`` with whatever parts are known."""
    venue = event.venue
    if venue is None:
        return event.city or ""
    place = " ".join(p for p in (venue.postcode, venue.city or event.city) if p)
    parts = [venue.name, venue.address, place]
    return ", ".join(p for p in parts if p)
