"""The ``jsonld`` format: schema.org Events in the ``application/ld+json`` blocks of HTML pages.

Owns finding the blocks (each parsed on its own, so one malformed block costs only
itself), finding events in them (top-level arrays, ``@graph``, ``subEvent``,
``event``/``events`` of other objects, any ``@type`` ending in ``Event`` plus
Festival, CourseInstance, EventSeries), reading their fields into ``Listing``s, and
the same-site detail-page links a source asks to follow. Times, durations and
``eventSchedule`` expansion live in ``importers.jsonld_schedule``. It never fetches.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser

from agenda.model import Listing, Problem, SourceConfig
from importers.base import ParseResult
from importers.clean import (
    absolutize,
    clean_description,
    clean_text,
    clean_title,
    content_id,
    decode_text,
    find_postcode,
    parse_coordinate,
    split_location,
)
from importers.errors import ParseError
from importers.jsonld_schedule import (
    expand_schedules,
    parse_duration,
    parse_when,
    schedule_fingerprint,
)

# Events nested deeper than this are not looked for (real pages nest 3-4 levels).
MAX_DEPTH = 64
NO_EVENTS = "no schema.org events found"
_REFERENCE_KEYS = frozenset({"@type", "@id", "@context", "name", "url", "sameAs", "identifier"})


def parse(
    data: bytes, source: SourceConfig, now: datetime, *, url: str | None = None
) -> ParseResult:
    """Listings from every schema.org event on the page, per-item problems, detail links."""
    text = _decode(data)
    base: str | None = url or source.url
    tree: LexborHTMLParser | None = None
    if text.lstrip("\ufeff \t\r\n").startswith(("{", "[")):
        blocks = [text]  # a bare JSON-LD document rather than a page
    else:
        tree = LexborHTMLParser(text)
        base = _base_href(tree, base)
        blocks = _ld_blocks(tree)
    reader = _Reader(source, now, base)
    roots = reader.load(blocks)
    reader.read(roots)
    follow = _follow_links(tree, base, source) if tree is not None else ()
    if reader.events_seen == 0 and not follow:
        reader.problem(NO_EVENTS, severity="warning")
    return ParseResult(
        listings=tuple(reader.listings), problems=tuple(reader.problems), follow=follow
    )


def _decode(data: bytes) -> str:
    """Page bytes as text; bytes that are no text at all are not this format."""
    if not data.strip():
        raise ParseError("empty document: no HTML page")
    head = data[:4096]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ParseError("binary data, not an HTML page")
    text = decode_text(data)
    sample = text[:4096]
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f")
    if control * 10 > len(sample):
        raise ParseError("binary data, not an HTML page")
    return text


def _absolute(href: object, base: str | None) -> str | None:
    """``clean.absolutize``, but a malformed url (``http://[oops``) is None, not a crash."""
    try:
        return absolutize(href, base)
    except ValueError:
        return None


def _base_href(tree: LexborHTMLParser, page: str | None) -> str | None:
    node = tree.css_first("base[href]")
    href = node.attributes.get("href") if node is not None else None
    return (_absolute(href, page) or page) if href else page


def _ld_blocks(tree: LexborHTMLParser) -> list[str]:
    """The text of every ``<script type="application/ld+json[; charset=...]">``, in order."""
    blocks = []
    for node in tree.css("script[type]"):
        kind = (node.attributes.get("type") or "").split(";")[0].strip().lower()
        if kind == "application/ld+json":
            blocks.append(node.text() or "")
    return blocks


def _unwrap(text: str) -> str:
    """Drop the HTML-comment and CDATA wrappers some CMSs put around script content."""
    text = text.strip().lstrip("\ufeff").strip()
    text = re.sub(r"^<!--|-->$", "", text).strip()
    text = re.sub(r"^(?://|/\*)?\s*<!\[CDATA\[\s*(?:\*/)?", "", text)
    return re.sub(r"(?://|/\*)?\s*\]\]>\s*(?:\*/)?$", "", text).strip()


def _load_values(text: str) -> list[Any]:
    """Every JSON value in a block (some pages put ``{...}{...}`` or ``{...},{...}`` in one)."""
    # strict=False: literal newlines and tabs inside strings are common and harmless.
    decoder = json.JSONDecoder(strict=False)
    values: list[Any] = []
    position = 0
    while True:
        while position < len(text) and text[position] in " \t\r\n,;":
            position += 1
        if position >= len(text):
            return values
        value, position = decoder.raw_decode(text, position)
        values.append(value)


class _Reader:
    """State of one page: listings and problems so far, ids taken, the page's ``@id`` index."""

    def __init__(self, source: SourceConfig, now: datetime, base: str | None) -> None:
        self.source, self.now, self.base = source, now, base
        self.listings: list[Listing] = []
        self.problems: list[Problem] = []
        self.events_seen = 0
        self.index: dict[str, dict[str, Any]] = {}
        # candidate id -> ((title, start) of the event holding it, the id that event got)
        self.taken: dict[str, tuple[tuple[str, str], str]] = {}
        # external id -> (position in listings, number of keys of the node read)
        self.kept: dict[str, tuple[int, int]] = {}

    def problem(
        self,
        message: str,
        *,
        external_id: str | None = None,
        field: str | None = None,
        severity: str = "error",
    ) -> None:
        self.problems.append(
            Problem(
                source_id=self.source.id,
                message=message,
                external_id=external_id,
                field=field,
                severity="warning" if severity == "warning" else "error",
            )
        )

    def load(self, blocks: list[str]) -> list[Any]:
        """Parsed JSON of every block; a malformed block becomes a Problem naming its number."""
        roots: list[Any] = []
        for number, raw in enumerate(blocks, 1):
            text = _unwrap(raw)
            if not text:
                continue
            try:
                try:
                    roots.extend(_load_values(text))
                except json.JSONDecodeError:
                    # Trailing commas are the commonest hand-edited JSON-LD mistake.
                    roots.extend(_load_values(re.sub(r",(\s*[}\]])", r"\1", text)))
                    self.problem(f"JSON-LD block {number} has trailing commas", severity="warning")
            except json.JSONDecodeError as error:
                self.problem(f"JSON-LD block {number} is not valid JSON: {error}", field="ld+json")
            except RecursionError:
                self.problem(
                    f"JSON-LD block {number} is nested too deeply to read", field="ld+json"
                )
        for node in _walk(roots):
            key = node.get("@id")
            # The fullest node of an @id wins over the references to it.
            if isinstance(key, str) and len(node) > len(self.index.get(key, {"@id": key})):
                self.index[key] = node
        return roots

    def read(self, roots: list[Any]) -> None:
        for node in _walk(roots):
            if not _is_event(node):
                continue
            dated = "startDate" in node or "eventSchedule" in node
            if not dated and set(node) <= _REFERENCE_KEYS:
                continue  # a reference such as a superEvent {"@id", "name"}: no event here
            self.events_seen += 1
            try:
                self.read_event(node)
            except RecursionError:
                self.problem("event is nested too deeply to read", external_id=_raw_id(node))

    def read_event(self, node: dict[str, Any]) -> None:
        title = clean_title(text_value(node.get("name"), self.source.language))
        raw_start = text_value(node.get("startDate"))
        schedule = node.get("eventSchedule")
        page_url = _absolute(text_value(node.get("url")), self.base)
        second = raw_start or (schedule_fingerprint(schedule) if schedule else None)
        candidates = [c for c in (_own_id(node, self.base), page_url) if c]
        content = (title.casefold(), _instant_text(raw_start) if raw_start else second or "")
        external_id, seen = self.claim([*candidates, content_id(title, second)], content)
        replace = None
        if seen:
            # The same event again (in @graph and as a subEvent, say): a richer copy wins.
            kept = self.kept.get(external_id)
            if kept is None or len(node) <= kept[1]:
                return
            replace = kept[0]
        if not title:
            self.problem("event has no name", external_id=external_id, field="name")
            return
        fields = self.fields(node, title, page_url)
        if raw_start is None and not schedule:
            self.problem(
                "event has no startDate and no eventSchedule",
                external_id=external_id,
                field="startDate",
            )
            return
        if raw_start is None:
            self.read_schedule(node, schedule, external_id, fields)
            return
        try:
            start = parse_when(raw_start)
        except ValueError:
            self.problem(
                f"startDate {raw_start!r} is not a date", external_id=external_id, field="startDate"
            )
            return
        when = self.span(node, start, external_id)
        index = self.add(external_id, {**fields, **when}, replace)
        if index is not None:
            self.kept[external_id] = (index, len(node))

    def claim(self, candidates: list[str], content: tuple[str, str]) -> tuple[str, bool]:
        """(external id, already read): @id, else url, else a hash, skipping ids of other events.

        Several events can share a url (a listing page's dates) or even an @id ("#event"
        on every card): an id already held by a different title or start is passed over.
        """
        for candidate in candidates:
            owner = self.taken.get(candidate)
            if owner is not None and owner[0] == content:
                return owner[1], True
        chosen = next((c for c in candidates if c not in self.taken), None)
        if chosen is None:
            chosen = f"{candidates[0]}/{content_id(*content)}"
            if chosen in self.taken:
                return chosen, True
        for candidate in [*candidates, chosen]:
            self.taken.setdefault(candidate, (content, chosen))
        return chosen, False

    def span(
        self, node: dict[str, Any], start: datetime | date, external_id: str
    ) -> dict[str, Any]:
        """start/end fields; a timed start with a later date-only end becomes an all-day span."""
        end: datetime | date | None = None
        raw_end = text_value(node.get("endDate"))
        if raw_end:
            try:
                end = parse_when(raw_end)
            except ValueError:
                self.problem(
                    f"endDate {raw_end!r} is not a date; ignored",
                    external_id=external_id,
                    field="endDate",
                    severity="warning",
                )
        elif isinstance(start, datetime):
            duration = parse_duration(text_value(node.get("duration")) or "")
            end = duration.add_to(start) if duration else None
        if isinstance(start, datetime) and isinstance(end, datetime):
            if end < start:
                self.problem(
                    "endDate is before startDate; ignored",
                    external_id=external_id,
                    field="endDate",
                    severity="warning",
                )
                return {"start": start}
            return {"start": start, "end": end}
        if isinstance(start, datetime):
            if end is not None and end > start.date():
                return {"start_date": start.date(), "end_date": end}
            return {"start": start}
        end_day = end.date() if isinstance(end, datetime) else end
        if end_day is not None and end_day < start:
            self.problem(
                "endDate is before startDate; ignored",
                external_id=external_id,
                field="endDate",
                severity="warning",
            )
            end_day = None
        return {"start_date": start, "end_date": end_day}

    def read_schedule(
        self, node: dict[str, Any], schedule: Any, base_id: str, fields: dict[str, Any]
    ) -> None:
        duration = parse_duration(text_value(node.get("duration")) or "")
        occurrences, notes = expand_schedules(schedule, self.now, duration=duration)
        for note in notes:
            self.problem(
                note.message, external_id=base_id, field="eventSchedule", severity=note.severity
            )
        for occurrence in occurrences:
            external_id = f"{base_id}/{occurrence.start.strftime('%Y%m%dT%H%M')}"
            if isinstance(occurrence.start, datetime):
                when: dict[str, Any] = {"start": occurrence.start, "end": occurrence.end}
            else:
                when = {"start_date": occurrence.start, "end_date": occurrence.end}
            self.add(external_id, {**fields, **when, "series_id": base_id})

    def fields(self, node: dict[str, Any], title: str, page_url: str | None) -> dict[str, Any]:
        """Every field but the times, with the source's defaults filled in."""
        source, deref = self.source, self.deref
        place = location(node.get("location"), deref)
        price, is_free, ticket_url = offers(node, deref, self.base)
        result: dict[str, Any] = {
            "title": title,
            "description": clean_description(text_value(node.get("description"), source.language)),
            "url": page_url or place.get("virtual_url"),
            "venue_name": place.get("venue_name"),
            "address": place.get("address"),
            "postcode": place.get("postcode"),
            "city": place.get("city") or source.city,
            "latitude": place.get("latitude"),
            "longitude": place.get("longitude"),
            "status": status(node.get("eventStatus")),
            "language": language(node.get("inLanguage")) or source.language,
            "image": image_url(node.get("image"), deref, self.base),
            "organizer": organizer(node.get("organizer"), deref),
            "categories": categories(node.get("keywords"), node.get("about"), deref),
            "event_type": event_type(types_of(node)),
            "price": price,
            "is_free": is_free,
            "ticket_url": ticket_url,
        }
        if not place:  # no location at all: the source's own venue
            result["venue_name"] = source.venue
        parent = deref(node.get("superEvent"))
        if isinstance(parent, dict) and "EventSeries" in types_of(parent):
            result["series_id"] = _own_id(parent, self.base)
        previous = text_value(node.get("previousStartDate"))
        if previous:
            try:
                parsed = parse_when(previous)
            except ValueError:
                parsed = None
            if isinstance(parsed, datetime):
                result["previous_start"] = parsed
        return result

    def add(
        self, external_id: str, fields: dict[str, Any], replace: int | None = None
    ) -> int | None:
        """Append (or put at ``replace``) a listing; its position, or None if it is invalid."""
        try:
            listing = Listing(source_id=self.source.id, external_id=external_id, **fields)
        except (TypeError, ValueError) as error:
            self.problem(f"event cannot be read: {error}", external_id=external_id)
            return None
        if replace is not None:
            self.listings[replace] = listing
            return replace
        self.listings.append(listing)
        return len(self.listings) - 1

    def deref(self, value: Any) -> Any:
        """A ``{"@id": ...}`` reference replaced by the node it names on this page."""
        reference = isinstance(value, dict) and not set(value) - {"@id", "@type"}
        if reference and isinstance(value.get("@id"), str):
            return self.index.get(value["@id"], value)
        return value


def _walk(roots: list[Any]) -> Iterator[dict[str, Any]]:
    """Every object in document order, depth-first, iteratively (deep JSON must not recurse)."""
    stack: list[tuple[Any, int]] = [(root, 0) for root in reversed(roots)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            continue
        if isinstance(value, list):
            stack.extend((item, depth + 1) for item in reversed(value))
        elif isinstance(value, dict):
            yield value
            # A superEvent is context (the festival a workshop belongs to), described on
            # its own page: importing it from every member's page would invent listings.
            children = [
                v for k, v in value.items() if isinstance(v, (dict, list)) and k != "superEvent"
            ]
            stack.extend((child, depth + 1) for child in reversed(children))


def _is_event(node: dict[str, Any]) -> bool:
    return any(
        name.endswith("Event") or name in ("Festival", "CourseInstance", "EventSeries")
        for name in types_of(node)
    )


def _instant_text(raw: str) -> str:
    """A start written two ways ("+01:00" and "Z") compares equal as the same instant."""
    try:
        parsed = parse_when(raw)
    except ValueError:
        return raw.strip()
    return (
        parsed.astimezone(UTC).isoformat() if isinstance(parsed, datetime) else parsed.isoformat()
    )


def _raw_id(node: dict[str, Any]) -> str | None:
    value = node.get("@id")
    return value if isinstance(value, str) else None


def _own_id(node: dict[str, Any], base: str | None) -> str | None:
    """``@id`` made absolute; blank-node ids (``_:b0``) change on every render, so none."""
    value = _raw_id(node)
    if not value or not value.strip() or value.startswith("_:"):
        return None
    value = value.strip()
    try:
        return urljoin(base, value) if base and not urlsplit(value).scheme else value
    except ValueError:
        return value


def _follow_links(
    tree: LexborHTMLParser, base: str | None, source: SourceConfig
) -> tuple[str, ...]:
    """Same-host ``<a href>`` urls containing ``source.follow``: the detail pages to fetch."""
    if not source.follow or not base:
        return ()
    try:
        host = urlsplit(base).hostname
    except ValueError:
        return ()
    page = urldefrag(base).url
    found: dict[str, None] = {}
    for node in tree.css("a[href]"):
        full = _absolute(node.attributes.get("href"), base)
        if not full:
            continue
        parts = urlsplit(urldefrag(full).url)
        # Scheme and host are case-insensitive: one spelling, so the caller can dedupe.
        full = urlunsplit(parts._replace(scheme=parts.scheme.lower(), netloc=parts.netloc.lower()))
        if parts.hostname != host or source.follow not in full or full == page:
            continue
        found.setdefault(full, None)
        if len(found) >= source.max_pages:
            break
    return tuple(found)


# --- field readers: one JSON-LD property each, tolerant of every shape producers use ---

_EVENT_TYPES = {
    "ExhibitionEvent": "exhibition",
    "TheaterEvent": "performance",
    "MusicEvent": "performance",
    "DanceEvent": "performance",
    "ComedyEvent": "performance",
    "Festival": "festival",
    "EducationEvent": "education",
    "CourseInstance": "education",
    "ChildrensEvent": "children",
}
_STATUS = {"eventcancelled": "cancelled", "eventpostponed": "postponed"}
_LANGUAGE_NAMES = {
    "dutch": "nl",
    "nederlands": "nl",
    "english": "en",
    "engels": "en",
    "german": "de",
    "duits": "de",
    "deutsch": "de",
    "french": "fr",
    "frans": "fr",
}
_FREE_WORDS = re.compile(r"^(gratis|free|vrij(e)? (toegang|entree)|free entry|kostenloos)\b", re.I)
# "Spuiplein 150 Den Haag": street, number, city with no comma (split_location sees a name).
_STREET_CITY = re.compile(r"([^\d,]{2,}?\s\d+[a-zA-Z]?(?:-\d+)?)\s+([A-Za-z][^\d,]{1,40})")
_CURRENCY_SIGNS = {"EUR": "€"}


def types_of(node: dict[str, Any]) -> list[str]:
    """Local @type names: ``"http://schema.org/MusicEvent"`` and ``"schema:MusicEvent"`` alike."""
    raw = node.get("@type")
    items = raw if isinstance(raw, list) else [raw]
    return [re.split(r"[/#:]", item.strip())[-1] for item in items if isinstance(item, str)]


def event_type(types: list[str]) -> str | None:
    return next((_EVENT_TYPES[t] for t in types if t in _EVENT_TYPES), None)


def text_value(value: Any, prefer: str | None = None) -> str | None:
    """A string from a JSON-LD value: plain, ``{"@value"}``, or a list (the ``prefer`` language)."""
    if isinstance(value, list):
        texts = [
            (_scalar_text(v), v.get("@language") if isinstance(v, dict) else None) for v in value
        ]
        texts = [(t, lang) for t, lang in texts if t]
        for text, lang in texts:
            if prefer and isinstance(lang, str) and lang.lower().startswith(prefer.lower()):
                return text
        return texts[0][0] if texts else None
    return _scalar_text(value)


def _scalar_text(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("@value")
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def _first(value: Any, deref: Any) -> Any:
    return deref(value[0] if isinstance(value, list) and value else value)


def _name(value: Any, deref: Any) -> str | None:
    value = _first(value, deref)
    text = text_value(value.get("name")) if isinstance(value, dict) else text_value(value)
    return clean_title(text) or None


def status(value: Any) -> str:
    """EventCancelled / EventPostponed as bare names or full URIs; everything else scheduled."""
    text = (text_value(value) or "").strip()
    return _STATUS.get(re.split(r"[/#:]", text)[-1].lower(), "scheduled")


def language(value: Any) -> str | None:
    """inLanguage as ``"nl"``, ``"nl-NL"``, ``"Dutch"`` or a Language object -> ``"nl"``."""
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict):
            item = text_value(item.get("alternateName")) or text_value(item.get("name"))
        text = (text_value(item) or "").strip()
        if re.fullmatch(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*", text):
            return re.split(r"[-_]", text)[0].lower()
        if text.lower() in _LANGUAGE_NAMES:
            return _LANGUAGE_NAMES[text.lower()]
    return None


def image_url(value: Any, deref: Any, base: str | None) -> str | None:
    """image as a url, a list of urls, or ImageObject(s) -> the first absolute url."""
    for item in value if isinstance(value, list) else [value]:
        item = deref(item)
        if isinstance(item, dict):
            item = item.get("url") or item.get("contentUrl") or item.get("@id")
        found = _absolute(text_value(item), base)
        if found:
            return found
    return None


def organizer(value: Any, deref: Any) -> str | None:
    return _name(value, deref)


def categories(keywords: Any, about: Any, deref: Any) -> tuple[str, ...]:
    """keywords and about: comma-separated text, lists of text, or Things with a name."""
    found: dict[str, None] = {}
    for value in (keywords, about):
        for item in value if isinstance(value, list) else [value]:
            item = deref(item)
            text = text_value(item.get("name")) if isinstance(item, dict) else text_value(item)
            for part in (text or "").split(","):
                cleaned = clean_title(part)
                if cleaned and cleaned.lower() not in {f.lower() for f in found}:
                    found[cleaned] = None
    return tuple(found)


def location(value: Any, deref: Any) -> dict[str, Any]:
    """Venue fields from a Place, a plain string, or a list mixing VirtualLocation and Place.

    Empty dict: no location given. Only a VirtualLocation: just its ``virtual_url``.
    """
    virtual: str | None = None
    for item in (value if isinstance(value, list) else [value])[:20]:
        item = deref(item)
        if isinstance(item, str) and clean_text(item):
            return _from_text(item)
        if not isinstance(item, dict):
            continue
        if "VirtualLocation" in types_of(item):
            virtual = virtual or _absolute(text_value(item.get("url")), None)
            continue
        return _from_place(item, deref)
    return {"venue_name": None, "virtual_url": virtual} if value else {}


def _from_text(text: str) -> dict[str, Any]:
    parts: dict[str, Any] = dict(split_location(text))
    match = _STREET_CITY.fullmatch(parts["venue_name"] or "") if not parts["address"] else None
    if match:
        parts.update(venue_name=None, address=match.group(1).strip(), city=match.group(2).strip())
    return parts


def _from_place(place: dict[str, Any], deref: Any) -> dict[str, Any]:
    result: dict[str, Any] = {"venue_name": clean_title(text_value(place.get("name"))) or None}
    address = deref(place.get("address"))
    if isinstance(address, dict):
        postal = clean_text(text_value(address.get("postalCode")))
        street = clean_text(text_value(address.get("streetAddress")))
        result.update(
            address=street or None,
            postcode=find_postcode(postal.upper()) or postal or find_postcode(street),
            city=clean_title(text_value(address.get("addressLocality"))) or None,
        )
    elif text_value(address):
        parts = _from_text(text_value(address) or "")
        # The address string's first part is the street when the Place has its own name.
        line = parts["address"] or (parts["venue_name"] if result["venue_name"] else None)
        result.update(address=line, postcode=parts["postcode"], city=parts["city"])
        result["venue_name"] = result["venue_name"] or parts["venue_name"]
    geo = deref(place.get("geo"))
    geo = geo if isinstance(geo, dict) else place
    result["latitude"] = parse_coordinate(text_value(geo.get("latitude")), -90.0, 90.0)
    result["longitude"] = parse_coordinate(text_value(geo.get("longitude")), -180.0, 180.0)
    return result


def offers(
    node: dict[str, Any], deref: Any, base: str | None
) -> tuple[str | None, bool | None, str | None]:
    """(price text, is_free, ticket url) from offers: an Offer, AggregateOffer or a list."""
    amounts: list[tuple[float, str | None]] = []
    ticket_url: str | None = None
    is_free: bool | None = None
    free_flag = node.get("isAccessibleForFree")
    if isinstance(free_flag, bool):
        is_free = free_flag
    raw = node.get("offers")
    for offer in (raw if isinstance(raw, list) else [raw])[:50]:
        offer = deref(offer)
        if not isinstance(offer, dict):
            continue
        ticket_url = ticket_url or _absolute(text_value(offer.get("url")), base)
        currency = text_value(offer.get("priceCurrency"))
        specs = offer.get("priceSpecification")
        for holder in [offer, *(specs if isinstance(specs, list) else [specs])]:
            if not isinstance(holder, dict):
                continue
            currency = text_value(holder.get("priceCurrency")) or currency
            for key in ("price", "lowPrice", "highPrice", "minPrice", "maxPrice"):
                amount = _amount(holder.get(key))
                if amount is not None:
                    amounts.append((amount, currency))
    if not amounts:
        return None, is_free, ticket_url
    positive = sorted(a for a in amounts if a[0] > 0)
    if not positive:
        return None, True, ticket_url
    low, high = positive[0], positive[-1]
    text = _money(*low) if low[0] == high[0] else f"{_money(*low)} – {_money(*high)}"
    return text, False, ticket_url


def _amount(value: Any) -> float | None:
    text = text_value(value)
    if text is None:
        return None
    if _FREE_WORDS.match(text.strip()):
        return 0.0
    match = re.search(r"\d+(?:[.,]\d{1,2})?(?!\d)", text.replace(" ", ""))
    return float(match.group(0).replace(",", ".")) if match else None


def _money(amount: float, currency: str | None) -> str:
    """``€ 12,50`` for euros, ``USD 63,25`` for others, ``12,50`` when no currency is named."""
    number = f"{amount:.2f}".replace(".", ",")
    code = (currency or "").strip().upper()
    sign = _CURRENCY_SIGNS.get(code, code)
    return f"{sign} {number}" if sign else number
