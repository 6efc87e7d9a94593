"""RSS 2.0, RSS 1.0 (RDF) and Atom feeds of events -> listings (formats ``rss`` and ``atom``).

Owns: reading a feed into listings, one item at a time. feedparser reads the feed
semantics (text constructs, links, xml:base, enclosures, media, categories, language);
``importers.rss_xml`` decodes the bytes, refuses entity declarations, repairs a document
that is not well-formed XML (HTML entities, bare ``&``) and reads the raw event
elements with ``defusedxml.ElementTree``, because feedparser names unknown namespaces
after whatever prefix a document chose and keeps a single ``gd:when``. If a document
still is not XML, feedparser's lenient parse is used alone (its flattened
``ev_*``/``*_dtstart`` keys). ``importers.rss_times`` reads the event times: from, in
order of preference, the RSS event module (``ev:``), xCal, bare ``<start>``/``<end>``
elements (Campus Labs' ``xmlns="events"``), Google's ``gd:when`` and an
h-event/hCalendar microformat inside the description. An item's ``pubDate``/``updated``
is never taken as its event time: an item without a start is a ``Problem``. Never
fetches: the caller follows ``follow`` (Atom ``rel="next"`` pages).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from html import escape, unescape
from typing import Any

import feedparser

from agenda.model import Listing, Problem, SourceConfig, Status, cap_problems
from agenda.sanitize import DESCRIPTION_LIMIT, clean_description_cut, clean_text, clean_title
from importers.base import ParseResult
from importers.clean import absolutize, content_id, split_location
from importers.errors import ParseError
from importers.rss_times import event_whens, microformat, time_fields
from importers.rss_xml import (
    FEED_ROOTS,
    ITEM_TAGS,
    closed_items,
    decode_feed,
    local_name,
    raw_from_element,
    raw_from_entry,
    refuse_entities,
    repair_entities,
    root_closed,
    xml_tree,
)

NO_START = "no event start; pubDate is not an event time"
_COUNTRIES = {"nederland", "netherlands", "the netherlands", "nl", "holland"}
_HREF = re.compile(r'(href=")([^"]*)(")')
_URL_ONLY = re.compile(r"(?i)\s*https?://\S+\s*")
_CANCELLED = re.compile(r"cancel|geannuleerd|afgelast|annul", re.I)
_POSTPONED = re.compile(r"postpone|uitgesteld", re.I)
_IMAGE_EXT = re.compile(r"\.(jpe?g|png|gif|webp|avif)(\?|$)", re.I)

Report = Callable[..., None]


def parse(
    data: bytes, source: SourceConfig, now: datetime, *, url: str | None = None
) -> ParseResult:
    """Read an RSS/Atom feed into listings; items without an event start become problems."""
    text = decode_feed(data)
    if not text.strip():
        raise ParseError("empty document: not an RSS or Atom feed")
    refuse_entities(text)
    clean = text.encode("utf-8", "replace")
    root = xml_tree(clean)
    repaired = clean
    if root is None:  # a bare "&" or an HTML entity is the usual reason; repair, retry
        repaired = repair_entities(text).encode("utf-8", "replace")
        if (root := xml_tree(repaired)) is not None:
            clean = repaired
    # Still not XML: feedparser's lenient parser alone reads what it can.
    if root is not None and local_name(root.tag) not in FEED_ROOTS:
        raise ParseError(f"not an RSS or Atom feed (root element <{local_name(root.tag)}>)")
    base = url or source.url
    # No base url for feedparser: it would turn a guid such as "evt-1" into a url.
    parsed = feedparser.parse(io.BytesIO(clean), sanitize_html=False)
    if not parsed.get("version"):
        raise ParseError("not an RSS or Atom feed")
    entries = parsed.entries
    items = [el for el in root.iter() if el.tag in ITEM_TAGS] if root is not None else []
    # Cut off mid-transfer: feedparser's lenient parse also returns the half item; only
    # the items that closed are whole.
    cut_off = root is None and bool(parsed.get("bozo")) and not root_closed(text)
    if cut_off:
        items = closed_items(repaired)
        entries = entries[: len(items)]
        items = items[: len(entries)]
    if len(items) == len(entries):
        raws = [raw_from_element(el) for el in items]
    else:
        raws = [raw_from_entry(entry) for entry in entries]

    problems: list[Problem] = []
    if cut_off:
        message = (
            f"the document ends before its root element closes (cut off?): the "
            f"{len(entries)} items that closed are read, an item left open is not"
        )
        problems.append(Problem(source_id=source.id, message=message))  # fmt: skip

    def report(external_id: str | None, name: str, message: str, severity: Any = "error") -> None:
        problems.append(
            Problem(source_id=source.id, external_id=external_id, field=name, message=message,
                    severity=severity)
        )  # fmt: skip

    listings: list[Listing] = []
    seen: set[str] = set()
    language = parsed.feed.get("language")
    for entry, raw in zip(entries, raws, strict=True):
        for listing in _item(entry, raw, source, base, language, report):
            if listing.external_id in seen:
                report(listing.external_id, "external_id", "duplicate guid; first kept", "warning")
                continue
            seen.add(listing.external_id)
            listings.append(listing)
    # Paged feeds (RFC 5005, WordPress ?paged=2) point to their next page.
    nexts = [_absolute(link.get("href"), base) for link in parsed.feed.get("links", [])
             if link.get("rel") == "next"]  # fmt: skip
    follow = tuple(dict.fromkeys(href for href in nexts if href and href != base))
    return ParseResult(listings=tuple(listings), problems=cap_problems(problems, source.id),
                       follow=follow, complete=not cut_off)  # fmt: skip


# --- one item -> listings ----------------------------------------------------------------


def _item(
    entry: Mapping[str, Any],
    parts: tuple[dict[str, str], list[tuple[str, str]]],
    source: SourceConfig,
    base: str | None,
    feed_language: str | None,
    report: Report,
) -> list[Listing]:
    raw, gd_whens = parts
    link = entry.get("link")
    if entry.get("guidislink") and link == entry.get("id"):
        link = _absolute(link, None)  # feedparser's copy of the guid: a url only if absolute
    link = _absolute(link, base)
    title = clean_title(entry.get("title") or raw.get("xcal:summary"))
    contents = [c.get("value", "") for c in entry.get("content", []) if c.get("value")]
    summary = entry.get("summary") or ""
    # RSS guid, else link; Atom id, else link. Raw from the XML: feedparser resolves
    # a guid against xml:base as if it were a url.
    external_id = (
        raw.get("id")
        or clean_text(entry.get("id"))
        or link
        or clean_text(entry.get("link"))  # relative, and no base to resolve it against
        or content_id(title, raw, summary)
    )
    if not title:
        report(external_id, "title", "item has no title")
        return []
    micro = microformat("\n".join([*contents, summary]))
    whens, unreadable = event_whens(raw, gd_whens, micro)
    if not whens:
        report(external_id, "start", f"unreadable event start {unreadable!r}" if unreadable
               else NO_START)  # fmt: skip
        return []
    kind = raw.get("ev:type", "")
    says = " ".join(raw.get(k, "") for k in ("plain:status", "ev:type", "xcal:status"))
    status: Status = "scheduled"
    if _CANCELLED.search(says) or raw.get("gd:eventstatus", "").endswith("canceled"):
        status = "cancelled"
    elif _POSTPONED.search(says):
        status = "postponed"
    place = _location(raw, micro.get("location", ""))
    venue = place["venue_name"]
    if venue is None and (not place["city"] or _same(place["city"], source.city)):
        venue = source.venue  # the source's own venue, unless the item is elsewhere
    description, cut = clean_description_cut(
        micro.get("description") or (contents[0] if contents else summary)
    )
    if cut:
        report(external_id, "description", f"description cut to {DESCRIPTION_LIMIT:,} "
               "characters", "warning")  # fmt: skip
    fields: dict[str, Any] = {
        "source_id": source.id,
        "title": title,
        "status": status,
        "description": _absolute_links(description, base),
        "url": link,
        "venue_name": venue,
        "address": place["address"],
        "postcode": place["postcode"],
        "city": place["city"] or source.city,
        "categories": _categories(entry.get("tags", [])),
        "language": _language(entry, feed_language) or source.language,
        "event_type": (kind.lower() or None) if status == "scheduled" else None,
        "image": _image(entry, base),
        "organizer": raw.get("ev:organizer") or raw.get("plain:host") or None,
    }
    listings = []
    for start, end in whens:
        occurrence_id = external_id
        if len(whens) > 1:  # several gd:when: one listing per occurrence
            occurrence_id = f"{external_id}@{start.isoformat()}"
            fields["series_id"] = external_id
        times = time_fields(start, end)
        if times is None:
            report(occurrence_id, "end", "end before start; end dropped", "warning")
            times = time_fields(start, None) or {}
        listings.append(Listing(external_id=occurrence_id, **times, **fields))
    return listings


def _absolute_links(description: str, base: str | None) -> str:
    """Resolve relative ``href``s of sanitised HTML against the feed's url."""
    if not base or "href=" not in description:
        return description

    def resolve(match: re.Match[str]) -> str:
        href = _absolute(unescape(match.group(2)), base)
        return match.group(1) + escape(href) + match.group(3) if href else match.group(0)

    return _HREF.sub(resolve, description)


def _absolute(href: object, base: str | None) -> str | None:
    """``clean.absolutize``, but a malformed url (``http://[oops``) is None, not a crash."""
    try:
        return absolutize(href, base)
    except ValueError:
        return None


def _location(raw: Mapping[str, str], micro_location: str) -> dict[str, str | None]:
    """Venue parts from the first location that is not a bare url (a meeting link)."""
    keys = ("ev:location", "xcal:location", "plain:location", "gd:where")
    for text in [*(raw.get(k) for k in keys), micro_location]:
        if text and not _URL_ONLY.fullmatch(text):
            return _place(text)
    return split_location(None)


def _place(text: str) -> dict[str, str | None]:
    """split_location, plus the common "Venue, City" form whose city it leaves unset."""
    place = split_location(text)
    parts = [p.strip() for p in text.split(",") if p.strip()]
    parts = [p for p in parts if p.casefold() not in _COUNTRIES]
    last = parts[-1] if len(parts) > 1 else ""
    if place["city"] is None and last and not re.search(r"\d", last) and len(last) < 40:
        place["city"] = last
        if place["venue_name"] in (None, last):  # the "venue" it found was the city
            first = parts[0]
            place["venue_name"] = None if first in (place["address"], last) else first
    return place


def _same(a: str | None, b: str | None) -> bool:
    return bool(a and b and a.strip().casefold() == b.strip().casefold())


def _categories(tags: Iterable[Mapping[str, Any]]) -> tuple[str, ...]:
    """Every ``<category>``/``dc:subject``; Atom's human ``label`` before its ``term``."""
    names = (clean_text(tag.get("label") or tag.get("term")) for tag in tags)
    return tuple(dict.fromkeys(name for name in names if name))


def _language(entry: Mapping[str, Any], feed_language: str | None) -> str | None:
    """The item's xml:lang, else the feed's language, as a primary subtag (``en-us`` -> en)."""
    details = (entry.get("title_detail") or {}, entry.get("summary_detail") or {})
    value = next((d["language"] for d in details if d.get("language")), None) or feed_language
    return str(value).split("-")[0].strip().lower() or None if value else None


def _image(entry: Mapping[str, Any], base: str | None) -> str | None:
    """The first enclosure or media:content/thumbnail that is an image."""
    for enclosure in entry.get("enclosures", []):
        href = enclosure.get("href") or ""
        is_image = str(enclosure.get("type")).startswith("image/") or _IMAGE_EXT.search(href)
        if is_image and (image := _absolute(href, base)):
            return image
    for media in [*entry.get("media_content", []), *entry.get("media_thumbnail", [])]:
        kind = str(media.get("medium") or media.get("type") or "image")
        if kind.startswith("image") and (image := _absolute(media.get("url"), base)):
            return image
    return None
