"""Atom (RFC 4287) feed of events (feedgen): the same items as the RSS feed.

An entry's id is a tag URI, ``tag:{host},2026:event/{id}``: stable across renders
and re-imports, and a valid IRI (``{id}@{host}`` is not). ``updated`` is when the
event last changed in the agenda and ``published`` when it entered it, never its start.

Pure: events and options in, bytes out; the clock is never read. feedgen stamps
``updated`` with now and advertises its own version unless told otherwise, so both are
set explicitly here. Must not import the store, query, ingest or importers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from feedgen.entry import FeedEntry
from feedgen.ext.base import BaseEntryExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem

from agenda.model import Event, EventSummary
from feeds.base import FeedOptions, event_url, picture_of
from feeds.pieces import Listed, compose, latest_change
from feeds.rss import (
    GENERATOR,
    categories,
    item_html,
    item_title,
    last_change,
    stamp,
    xml_piece,
    xml_text,
)

# The year in the tag URIs: fixed forever, or every id would change.
TAG_YEAR = 2026


class EntryLinks(BaseEntryExtension):  # type: ignore[misc]  # feedgen has no types
    """An entry's links, written by hand: feedgen 1.0's ``FeedEntry.atom_entry`` rebinds
    its loop variable to the new element and so drops every link's ``rel`` and ``type``,
    which would turn the enclosure into a second alternate link."""

    def __init__(self) -> None:
        self.links: list[dict[str, str]] = []

    def extend_atom(self, entry: Any) -> Any:
        for attributes in self.links:
            xml_elem("link", entry, **attributes)
        return entry


def entry_id(event: Event, host: str) -> str:
    """``tag:{host},2026:event/{id}``: the entry's permanent id (host: ``options.host``)."""
    return f"tag:{host},{TAG_YEAR}:event/{event.id}"


ATOM_FOOT = b"</feed>\n"


def render_atom(events: Sequence[Event] | Listed, options: FeedOptions) -> bytes:
    """An Atom document (UTF-8) of the feed's events, under ``options.max_bytes``."""
    listed = events if isinstance(events, Listed) else Listed.of(events)
    return compose(listed, options, "atom", atom_entry, _document, ATOM_FOOT)


def _document(options: FeedOptions, listed: Sequence[EventSummary]) -> bytes:
    fg = FeedGenerator()
    fg.id(options.self_url)
    fg.title(xml_text(options.title))
    fg.subtitle(xml_text(options.description))
    fg.link(href=options.base_url, rel="alternate", type="text/html")
    fg.link(href=options.self_url, rel="self", type="application/atom+xml")
    fg.language(options.lang)
    fg.updated(stamp(latest_change(listed, options.now)))
    # RFC 4287 wants an author on the feed when its entries name none.
    fg.author(name=GENERATOR, uri=options.base_url)
    fg.generator(GENERATOR)
    return bytes(fg.atom_str(pretty=True))


def atom_entry(event: Event, options: FeedOptions) -> bytes:
    """One event's ``<entry>``, as it stands in the feed."""
    entry = FeedEntry()
    entry.id(entry_id(event, options.host))
    entry.title(item_title(event, options.lang))
    entry.register_extension("regio_links", EntryLinks, atom=True, rss=False)
    links = [{"href": event_url(event, options), "rel": "alternate", "type": "text/html"}]
    entry.content(item_html(event, options.lang), type="html")
    tags = categories(event, options.lang)
    if tags:
        entry.category([{"term": t} for t in tags])
    picture = picture_of(event, options)
    if picture is not None:
        links.append({"href": picture.src, "rel": "enclosure", "type": "image/jpeg"})
    entry.regio_links.links = links
    # Atom requires updated on every entry: an event without bookkeeping times (never
    # one from the store) takes the moment of rendering, so its piece stands alone.
    entry.updated(last_change(event) or stamp(options.now))
    if event.created is not None:
        entry.published(stamp(event.created))
    return xml_piece(entry.atom_entry(), 1)
