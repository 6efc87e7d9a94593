"""RSS 2.0 feed of events (feedgen), plus the item texts the Atom and JSON feeds share.

One item per event, ordered by start then id. An item's title carries the date
("za 2 nov · Jonge Rembrandt — Museum De Lakenhal"), its guid is ``{id}@{host}``
(not a permalink), its pubDate is when the event last changed in the agenda (not its
start), and its description is HTML with date, time, venue, price and the description.

Pure: events and options in, bytes out; the clock is never read. feedgen stamps
``lastBuildDate`` with now and advertises its own name and version unless told
otherwise, so every one of those is set explicitly here. Must not import the store,
query, ingest or importers.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from functools import lru_cache
from urllib.parse import urlsplit

from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator
from lxml import etree

from agenda.model import Event, EventSummary
from agenda.sanitize import has_markup, sanitize_html
from feeds.base import (
    FeedOptions,
    description_in,
    event_url,
    is_cancelled,
    location_text,
    picture_of,
    title_in,
)
from feeds.labels import category_labels, first_day, price_in, short_day, when_text, word
from feeds.pieces import Listed, compose, latest_change

GENERATOR = "Regio-agenda"
RSS_DOCS = "https://www.rssboard.org/rss-specification"

# Characters XML 1.0 cannot carry: lxml refuses them, and one bad source text must
# not take the whole feed down.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_IMAGE_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".svg": "image/svg+xml",
}


def stamp(moment: datetime) -> datetime:
    """A bookkeeping instant as shown in feeds: UTC, whole seconds."""
    return moment.astimezone(UTC).replace(microsecond=0)


def last_change(event: Event) -> datetime | None:
    """When the event last changed in the agenda (else when it entered it)."""
    moment = event.updated or event.created
    return stamp(moment) if moment is not None else None


def item_id(event: Event, host: str) -> str:
    """The stable guid of an event in RSS and JSON Feed (``options.host``, parsed once per
    feed by the caller), the same as its iCalendar UID."""
    return f"{event.id}@{host}"


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold."""
    return _NOT_XML.sub("", text)


# Babel re-parses its locale on every call, which made date labels most of a feed's
# render time; a feed repeats the same few hundred days and time slots, so remember them.
@lru_cache(maxsize=4096)
def _short_day(day: date, lang: str) -> str:
    return short_day(day, lang)


@lru_cache(maxsize=16384)
def _when_text(
    start: datetime | None,
    end: datetime | None,
    start_date: date | None,
    end_date: date | None,
    lang: str,
) -> str:
    times = Event(id="", title="", start=start, end=end, start_date=start_date, end_date=end_date)
    return when_text(times, lang)


def item_title(event: Event, lang: str) -> str:
    """``za 2 nov · Jonge Rembrandt — Museum De Lakenhal``, flagged when cancelled/postponed."""
    title = f"{_short_day(first_day(event), lang)} · {title_in(event, lang)}"
    place = event.venue.name if event.venue is not None else event.city
    if place:
        title += f" — {place}"
    if is_cancelled(event):
        title = f"{word('cancelled', lang)}: {title}"
    elif event.status == "postponed":
        title = f"{word('postponed', lang)}: {title}"
    return xml_text(title)


def description_html(text: str) -> str:
    """A description as safe HTML: markup re-sanitised, plain text escaped into paragraphs."""
    # Stored descriptions are sanitised already; cleaning again is idempotent and keeps
    # a description that reached the store another way from carrying a script into a feed.
    if has_markup(text):
        return sanitize_html(text)
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    return "".join(
        "<p>" + "<br>".join(html.escape(line) for line in p.splitlines()) + "</p>"
        for p in paragraphs
    )


def price_text(event: Event, lang: str) -> str | None:
    """``gratis`` / ``free`` for a free event, else ``Prijs: …`` when a price is known."""
    if event.is_free:
        return word("free", lang)
    if event.price:
        return f"{word('price', lang)}: {price_in(event.price, lang)}"
    return None


def item_html(event: Event, lang: str) -> str:
    """The body of an item: when, where, price, the description and a link to the source."""
    when = _when_text(event.start, event.end, event.start_date, event.end_date, lang)
    facts = [when, location_text(event), price_text(event, lang)]
    parts = ["<p>" + "<br>".join(html.escape(f) for f in facts if f) + "</p>"]
    if is_cancelled(event):
        parts.append(f"<p><strong>{html.escape(word('cancelled', lang))}</strong></p>")
    elif event.status == "postponed":
        parts.append(f"<p><strong>{html.escape(word('postponed', lang))}</strong></p>")
    description = description_html(description_in(event, lang))
    if description:
        parts.append(description)
    if event.url:
        link = html.escape(event.url, quote=True)
        parts.append(f'<p><a href="{link}">{html.escape(word("more", lang))}</a></p>')
    return xml_text("\n".join(parts))


def image_type(url: str) -> str:
    """The media type of an image from its extension (a fixed table: the system's
    mime.types differs between machines, and the bytes must not)."""
    path = urlsplit(url).path.lower()
    for suffix, media_type in _IMAGE_TYPES.items():
        if path.endswith(suffix):
            return media_type
    return "image/jpeg"  # the commonest type of an event picture without an extension


def categories(event: Event, lang: str) -> list[str]:
    """The event's categories in ``lang``, once each, in order, XML-safe."""
    return [xml_text(c) for c in category_labels(event.categories, lang)]


def xml_piece(element: etree._Element, depth: int) -> bytes:
    """An element as lxml pretty-prints it ``depth`` levels down in a document: the same
    bytes as inside the whole feed, so a feed can be put together from pieces."""
    root = outer = etree.Element("x")
    for _ in range(depth - 1):
        outer = etree.SubElement(outer, "x")
    outer.append(element)
    data = bytes(etree.tostring(root, pretty_print=True, encoding="UTF-8", xml_declaration=False))
    before = b"".join(b"  " * level + b"<x>\n" for level in range(depth))
    after = b"".join(b"  " * level + b"</x>\n" for level in reversed(range(depth)))
    assert data.startswith(before) and data.endswith(after)
    return data[len(before) : len(data) - len(after)]


RSS_FOOT = b"  </channel>\n</rss>\n"


def render_rss(events: Sequence[Event] | Listed, options: FeedOptions) -> bytes:
    """An RSS 2.0 document (UTF-8) of the feed's events, under ``options.max_bytes``."""
    listed = events if isinstance(events, Listed) else Listed.of(events)
    return compose(listed, options, "rss", rss_item, _document, RSS_FOOT)


def _document(options: FeedOptions, listed: Sequence[EventSummary]) -> bytes:
    updated = stamp(latest_change(listed, options.now))
    return bytes(_channel(options, updated).rss_str(pretty=True))


def _channel(options: FeedOptions, updated: datetime) -> FeedGenerator:
    fg = FeedGenerator()
    fg.title(xml_text(options.title))
    fg.description(xml_text(options.description))
    # The self link first: feedgen takes the channel <link> from the last link added.
    fg.link(href=options.self_url, rel="self", type="application/rss+xml")
    fg.link(href=options.base_url, rel="alternate")
    fg.language(options.lang)
    fg.lastBuildDate(updated)
    fg.ttl(options.refresh_minutes)
    fg.generator(GENERATOR)
    fg.docs(RSS_DOCS)
    return fg


def rss_item(event: Event, options: FeedOptions) -> bytes:
    """One event's ``<item>``, as it stands in the feed."""
    entry = FeedEntry()
    entry.title(item_title(event, options.lang))
    entry.link(href=event_url(event, options))
    entry.guid(item_id(event, options.host), permalink=False)
    entry.description(item_html(event, options.lang))
    tags = categories(event, options.lang)
    if tags:
        entry.category([{"term": t} for t in tags])
    picture = picture_of(event, options)
    if picture is not None:
        entry.enclosure(picture.src, 0, "image/jpeg")
    changed = last_change(event)
    if changed is not None:
        entry.pubDate(changed)
    return xml_piece(entry.rss_entry(), 2)
