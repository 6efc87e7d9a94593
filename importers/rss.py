"""RSS 2.0, RSS 1.0 (RDF) and Atom feeds of events -> listings (formats ``rss`` and ``atom``).

Owns: the hostile-XML guard (entity declarations are refused before any parser could
expand them), decoding to clean UTF-8, and reading an item's event times from, in order
of preference, the RSS event module (``ev:``), xCal, bare ``<start>``/``<end>`` elements
(Campus Labs' ``xmlns="events"``), Google's ``gd:when`` and an h-event/hCalendar
microformat inside the description. An item's ``pubDate``/``updated`` is never taken as
its event time: an item without a start is a ``Problem``.

feedparser reads the feed semantics (text constructs, links, xml:base, enclosures, media,
categories, language); ``defusedxml.ElementTree`` reads the raw event elements, because
feedparser names unknown namespaces after whatever prefix a document chose and keeps a
single ``gd:when``. A document that is not well-formed XML gets its HTML entities and bare
``&`` repaired; if it still is not XML, feedparser's lenient parse is used alone (its
flattened ``ev_*``/``*_dtstart`` keys). Never fetches: the caller follows ``follow``
(Atom ``rel="next"`` pages).
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from html import escape, unescape
from html.entities import html5
from typing import Any
from xml.etree.ElementTree import Element
from xml.etree.ElementTree import ParseError as XMLSyntaxError
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import defusedxml
import defusedxml.ElementTree as SafeET
import feedparser
from selectolax.lexbor import LexborHTMLParser

from agenda.model import Listing, Problem, SourceConfig, Status
from importers.base import ParseResult
from importers.clean import (
    AMSTERDAM,
    absolutize,
    clean_description,
    clean_text,
    clean_title,
    content_id,
    localize,
    split_location,
)
from importers.errors import ParseError

EV = "http://purl.org/rss/1.0/modules/event/"
XCAL = "urn:ietf:params:xml:ns:xcal"
GD = "http://schemas.google.com/g/2005"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RSS1, RSS09 = "http://purl.org/rss/1.0/", "http://my.netscape.com/rdf/simple/0.9/"
ATOM, ATOM03 = "http://www.w3.org/2005/Atom", "http://purl.org/atom/ns#"
_ITEM_TAGS = {"item", *(f"{{{ns}}}item" for ns in (RSS1, RSS09)), f"{{{ATOM}}}entry"}
_ITEM_TAGS |= {f"{{{ATOM03}}}entry"}
_FEED_ROOTS = {"rss", "RDF", "feed"}
_PLAIN = ("start", "end", "location", "status", "host")  # Campus Labs, any namespace
NO_START = "no event start; pubDate is not an event time"
ENTITIES_REFUSED = "XML entity declarations are refused"

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_DECL_ENCODING = re.compile(rb"^\s*<\?xml[^>]*encoding=[\"']([A-Za-z0-9._:-]+)[\"']", re.I)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0
_FIRST_TAG = re.compile(r"<[A-Za-z_]")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")
_ISO = re.compile(
    r"(\d{4})-?(\d{2})-?(\d{2})"
    r"(?:[T ](\d{2}):?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?",
    re.I,
)
_COUNTRIES = {"nederland", "netherlands", "the netherlands", "nl", "holland"}
_ENTITY_OR_AMP = re.compile(r"&(?:(#[0-9]+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);)?")
_HREF = re.compile(r'(href=")([^"]*)(")')
_URL_ONLY = re.compile(r"(?i)\s*https?://\S+\s*")
_CANCELLED = re.compile(r"cancel|geannuleerd|afgelast|annul", re.I)
_POSTPONED = re.compile(r"postpone|uitgesteld", re.I)
_IMAGE_EXT = re.compile(r"\.(jpe?g|png|gif|webp|avif)(\?|$)", re.I)

Report = Callable[..., None]
_When = tuple[datetime | date, datetime | date | None]


def parse(
    data: bytes, source: SourceConfig, now: datetime, *, url: str | None = None
) -> ParseResult:
    """Read an RSS/Atom feed into listings; items without an event start become problems."""
    text = _decode(data)
    if not text.strip():
        raise ParseError("empty document: not an RSS or Atom feed")
    _refuse_entities(text)
    clean = text.encode("utf-8", "replace")
    root = _tree(clean)
    if root is None:  # a bare "&" or an HTML entity is the usual reason; repair, retry
        repaired = _ENTITY_OR_AMP.sub(_xml_entity, text).encode("utf-8", "replace")
        if (root := _tree(repaired)) is not None:
            clean = repaired
    # Still not XML: feedparser's lenient parser alone reads what it can.
    if root is not None and _local(root.tag) not in _FEED_ROOTS:
        raise ParseError(f"not an RSS or Atom feed (root element <{_local(root.tag)}>)")
    base = url or source.url
    # No base url for feedparser: it would turn a guid such as "evt-1" into a url.
    parsed = feedparser.parse(io.BytesIO(clean), sanitize_html=False)
    if not parsed.get("version"):
        raise ParseError("not an RSS or Atom feed")
    entries = parsed.entries
    items = [el for el in root.iter() if el.tag in _ITEM_TAGS] if root is not None else []
    if len(items) == len(entries):
        raws = [_raw_from_element(el) for el in items]
    else:
        raws = [_raw_from_entry(entry) for entry in entries]

    problems: list[Problem] = []

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
    return ParseResult(listings=tuple(listings), problems=tuple(problems), follow=follow)


# --- bytes -> safe text ------------------------------------------------------------------


def _decode(data: bytes) -> str:
    """Text of an XML document; undecodable bytes become U+FFFD instead of failing the feed."""
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", "replace")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", "replace")
    else:
        text = data.decode(_declared_encoding(data), "replace")
    # The text is re-encoded as UTF-8, so the declaration (naming the old encoding) goes;
    # a stray control character would otherwise fail the whole document.
    text = _XML_DECL.sub("", text.lstrip("\ufeff"), count=1).lstrip()
    return _CONTROL.sub("", text)


def _declared_encoding(data: bytes) -> str:
    match = _DECL_ENCODING.match(data[:300])
    if match:
        try:
            codec = codecs.lookup(match.group(1).decode("ascii")).name
        except LookupError:
            codec = "utf-8"
        # As browsers do: "latin-1"/"ascii" feeds are really Windows-1252.
        if codec in ("latin-1", "iso8859-1", "ascii"):
            return "cp1252"
        if not codec.startswith("utf-16"):  # a UTF-16 document would have had a BOM
            return codec
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        # A few bad bytes in UTF-8 text are replaced; text with no UTF-8 at all is 1252.
        return "utf-8" if _UTF8_SEQUENCE.search(data) else "cp1252"
    return "utf-8"


def _tree(data: bytes) -> Element | None:
    """The XML tree, or None when the document is not well-formed; entities are refused."""
    try:
        root: Element = SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True)
    except defusedxml.DefusedXmlException as exc:
        raise ParseError(ENTITIES_REFUSED) from exc
    except XMLSyntaxError:
        return None
    return root


def _xml_entity(match: re.Match[str]) -> str:
    """``&eacute;`` -> ``&#233;`` and a bare ``&`` -> ``&amp;``; XML's own entities stay."""
    name = match.group(1)
    if name is None:
        return "&amp;"
    if name.startswith("#") or name in ("amp", "lt", "gt", "quot", "apos"):
        return match.group(0)
    char = html5.get(f"{name};", "")
    return "".join(f"&#{ord(c)};" for c in char) if char else f"&amp;{name};"


def _refuse_entities(text: str) -> None:
    """Refuse ``<!ENTITY`` in the prolog, also in documents the XML parser would reject."""
    text = _COMMENT.sub("", text)  # a comment may hold anything, "<tag" too
    first = _FIRST_TAG.search(text)
    if "<!ENTITY" in text[: first.start() if first else len(text)].upper():
        raise ParseError(ENTITIES_REFUSED)


# --- raw event fields: "ev:startdate", "xcal:dtstart", "plain:start", "gd:where" ---------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text(el: Element) -> str:
    return clean_text("".join(el.itertext()))


def _raw_from_element(item: Element) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """An item's event fields from its XML children, by namespace, and its gd:when pairs."""
    raw: dict[str, str] = {}
    if about := item.get(f"{{{RDF}}}about"):
        raw["id"] = about  # RSS 1.0 names its items by rdf:about
    whens: list[tuple[str, str]] = []
    for child in item:
        if not isinstance(child.tag, str) or (not (text := _text(child)) and not child.attrib):
            continue  # comments, processing instructions, empty elements
        ns, name = child.tag[1:].partition("}")[0], _local(child.tag).lower()
        if (name, ns) in (("guid", ""), ("id", ATOM), ("id", ATOM03)):
            raw.setdefault("id", text)
        elif ns == EV:
            raw.setdefault(f"ev:{name}", text)
        elif ns == XCAL:
            # RFC 6321 wraps values (<dtstart><date-time>…) and may add a tzid parameter.
            values = {_local(sub.tag): _text(sub) for sub in child.iter() if sub is not child}
            if values.get("tzid") and name in ("dtstart", "dtend"):
                raw.setdefault("xcal:tzid", values["tzid"])
            value = values.get("date-time") or values.get("date") or values.get("text")
            raw.setdefault(f"xcal:{name}", value or text)
        elif ns == GD and name == "when":
            whens.append((child.get("startTime", ""), child.get("endTime", "")))
        elif ns == GD and name in ("where", "eventstatus"):
            raw.setdefault(f"gd:{name}", child.get("valueString") or child.get("value") or "")
        elif name in _PLAIN and text:
            raw.setdefault(f"plain:{name}", text)
    return raw, whens


def _raw_from_entry(entry: Mapping[str, Any]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The same from feedparser's flattened keys (``ev_startdate``, ``xcal_dtstart``).

    feedparser names an unknown namespace after the document's prefix, so xCal is
    recognised by a ``*_dtstart`` key whatever its prefix.
    """
    strings = {k: clean_text(v) for k, v in entry.items() if isinstance(v, str)}
    xcal = next((k[: -len("_dtstart")] for k in strings if k.endswith("_dtstart")), None)
    raw: dict[str, str] = {}
    for key, value in strings.items():
        prefix, _, name = key.rpartition("_")
        if prefix == "ev" or (xcal is not None and prefix == xcal):
            raw["ev:" + name if prefix == "ev" else "xcal:" + name] = value
        elif key in _PLAIN:
            raw[f"plain:{key}"] = value
    when, where, status = (
        found if isinstance(found := entry.get(k), Mapping) else {}
        for k in ("gd_when", "gd_where", "gd_eventstatus")
    )
    raw["gd:where"] = str(where.get("valuestring") or "")
    raw["gd:eventstatus"] = str(status.get("value") or "")
    start = str(when.get("starttime") or "")
    whens = [(start, str(when.get("endtime") or ""))] if start else []
    return raw, whens


def _microformat(html_text: str) -> dict[str, str]:
    """Start, end, location and description of an h-event/hCalendar vevent in HTML."""
    if "dtstart" not in html_text and "dt-start" not in html_text:
        return {}
    tree = LexborHTMLParser(html_text)
    found: dict[str, str] = {}
    for role, selector in (("start", ".dtstart, .dt-start"), ("end", ".dtend, .dt-end")):
        if node := tree.css_first(selector):
            attrs = node.attributes  # <time datetime>, <abbr title>, <data value>, else text
            value = attrs.get("datetime") or attrs.get("title") or attrs.get("value")
            found[role] = value or node.text(separator=" ")
    if node := tree.css_first(".p-location, .location"):
        found["location"] = clean_text(node.text(separator=" "))
    if node := tree.css_first(".p-description, .e-content, .description"):
        found["description"] = node.inner_html or ""
    return found


# --- times -------------------------------------------------------------------------------


def _parse_time(value: str, tzid: str | None = None) -> datetime | date | None:
    """ISO 8601 (basic or extended, any fraction, any offset) or RFC 822.

    A date is all-day; a time without offset is wall-clock time in ``tzid`` (Amsterdam);
    a time with an offset keeps its instant.
    """
    match = _ISO.fullmatch(value.strip())
    if match is None:
        return _parse_rfc822(value.strip())
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))  # .NET writes 7 digits
    try:
        tz: tzinfo = _zone(tzid)
        if offset and offset.upper() == "Z":
            tz = UTC
        elif offset:
            digits = offset[1:].replace(":", "").ljust(4, "0")
            delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4]))
            tz = timezone(-delta if offset[0] == "-" else delta)  # ValueError past 24 h
        if hour is None:
            return date(int(year), int(month), int(day))
        next_day = hour == "24" and minute == "00"  # "T24:00" is the end of the day
        fields = (int(year), int(month), int(day), 0 if next_day else int(hour), int(minute))
        moment = datetime(*fields, int(second or 0), micro, tzinfo=tz)
        return moment + timedelta(days=1) if next_day else moment
    except ValueError:
        return None


def _zone(tzid: str | None) -> ZoneInfo:
    """An xCal tzid as a zone, vendor prefixes (``/citadel.org/…/Europe/Amsterdam``) too."""
    parts = [p for p in (tzid or "").strip().split("/") if p]
    for i in range(len(parts)):
        try:
            return ZoneInfo("/".join(parts[i:]))
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Europe" is a folder
            continue
    return AMSTERDAM


def _parse_rfc822(value: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        # "-0000" is UTC with no known local zone; an unknown zone name (CET) is ours.
        return parsed.replace(tzinfo=UTC) if value.endswith("-0000") else localize(parsed)
    return parsed


def _whens(
    raw: Mapping[str, str], gd_whens: list[tuple[str, str]], micro: Mapping[str, str]
) -> tuple[list[_When], str | None]:
    """(start, end) pairs from the first kind of element that has a readable start.

    Also returns the text of a start that was present but unreadable. xCal and gd:when
    follow iCalendar, whose all-day end date is exclusive; the others are inclusive.
    """
    get = raw.get
    candidates: list[tuple[list[tuple[str, str]], str | None, bool]] = [
        ([(get("ev:startdate", ""), get("ev:enddate", ""))], None, False),
        ([(get("xcal:dtstart", ""), get("xcal:dtend", ""))], get("xcal:tzid"), True),
        ([(get("plain:start", ""), get("plain:end", ""))], None, False),
        (gd_whens, None, True),
        ([(micro.get("start", ""), micro.get("end", ""))], None, False),
    ]
    unreadable = None
    for pairs, tzid, exclusive in candidates:
        whens: list[_When] = []
        for start_text, end_text in pairs:
            start = _parse_time(start_text, tzid) if start_text else None
            if start is None:
                unreadable = unreadable or start_text or None
                continue
            end = _parse_time(end_text, tzid) if end_text else None
            if exclusive and type(end) is date and type(start) is date and end > start:
                end -= timedelta(days=1)
            whens.append((start, end))
        if whens:
            return whens, None
    return [], unreadable


def _times(start: datetime | date, end: datetime | date | None) -> dict[str, Any] | None:
    """Listing time fields (all-day ``end_date`` inclusive); None when the end is before start."""
    if isinstance(start, datetime):
        timed_end = end if isinstance(end, datetime) else None
        if timed_end is not None and timed_end < start:
            return None
        return {"start": start, "end": timed_end}
    end_day = end.date() if isinstance(end, datetime) else end
    if end_day is not None and end_day < start:
        return None
    return {"start_date": start, "end_date": end_day}


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
    micro = _microformat("\n".join([*contents, summary]))
    whens, unreadable = _whens(raw, gd_whens, micro)
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
    fields: dict[str, Any] = {
        "source_id": source.id,
        "title": title,
        "status": status,
        "description": _absolute_links(
            clean_description(micro.get("description") or (contents[0] if contents else summary)),
            base,
        ),
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
        times = _times(start, end)
        if times is None:
            report(occurrence_id, "end", "end before start; end dropped", "warning")
            times = _times(start, None) or {}
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
