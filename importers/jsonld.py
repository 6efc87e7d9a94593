"""The ``jsonld`` format: schema.org Events in the ``application/ld+json`` blocks of HTML pages.

Owns turning the events on a page into ``Listing``s: which nodes count as events
(references such as a ``superEvent`` stub do not), the external id of each (``@id``,
else url, else a content hash, never one another event already holds), the richer copy
of an event that appears twice, start/end spans, ``eventSchedule`` occurrences, the
source's defaults, and one Problem per event that cannot be read.

A date-time without an offset is wall-clock time at the event's place: the place's
address chooses the zone when it names one unambiguously (``importers.jsonld_zones``);
otherwise Europe/Amsterdam, the region's own, with a warning that it was assumed. An
event without a ``name`` is titled from its ``superEvent``, its ``about`` or its
description's first sentence, with a warning; with none of those it is a Problem.

A timed ``startDate`` with a date-only ``endDate`` (Songkick festivals:
``2014-07-11T10:30:00+0100`` until ``2014-07-13``) stays a timed event: the start time
is real. The end becomes the midnight after the end date, in the start's zone (the
exclusive end of that day, as iCalendar writes it), so the span still covers every
day; an end date on the start's own day adds nothing and gives no end. Finding the blocks
and walking them is ``importers.jsonld_blocks``; reading single properties is
``importers.jsonld_fields``; times, durations and ``eventSchedule`` expansion are
``importers.jsonld_times`` and ``importers.jsonld_schedule``. It never fetches.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, tzinfo
from typing import Any
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from agenda.model import Listing, Problem, SourceConfig
from agenda.normalize import KNOWN_CITIES, normalize_city
from agenda.sanitize import clean_description, clean_title
from importers.base import ParseResult
from importers.clean import AMSTERDAM, content_id
from importers.jsonld_blocks import (
    base_href,
    decode_page,
    follow_links,
    is_event,
    ld_blocks,
    load_values,
    unwrap,
    walk,
)
from importers.jsonld_fields import (
    absolute_url,
    categories,
    derived_title,
    event_type,
    image_url,
    language,
    location,
    offers,
    organizer,
    status,
    text_value,
    types_of,
)
from importers.jsonld_schedule import expand_schedules, needs_zone, schedule_fingerprint
from importers.jsonld_times import event_span, is_floating, parse_duration, parse_when
from importers.jsonld_zones import place_zone

NO_EVENTS = "no schema.org events found"
_REFERENCE_KEYS = frozenset({"@type", "@id", "@context", "name", "url", "sameAs", "identifier"})


def parse(
    data: bytes, source: SourceConfig, now: datetime, *, url: str | None = None
) -> ParseResult:
    """Listings from every schema.org event on the page, per-item problems, detail links."""
    text = decode_page(data)
    base: str | None = url or source.url
    tree: LexborHTMLParser | None = None
    if text.lstrip("\ufeff \t\r\n").startswith(("{", "[")):
        blocks = [text]  # a bare JSON-LD document rather than a page
    else:
        tree = LexborHTMLParser(text)
        base = base_href(tree, base)
        blocks = ld_blocks(tree)
    reader = _Reader(source, now, base)
    roots = reader.load(blocks)
    reader.read(roots)
    follow = follow_links(tree, base, source) if tree is not None else ()
    if reader.events_seen == 0 and not follow:
        reader.problem(NO_EVENTS, severity="warning")
    return ParseResult(
        listings=tuple(reader.listings), problems=tuple(reader.problems), follow=follow
    )


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
            text = unwrap(raw)
            if not text:
                continue
            try:
                try:
                    roots.extend(load_values(text))
                except json.JSONDecodeError:
                    # Trailing commas are the commonest hand-edited JSON-LD mistake.
                    roots.extend(load_values(re.sub(r",(\s*[}\]])", r"\1", text)))
                    self.problem(f"JSON-LD block {number} has trailing commas", severity="warning")
            except json.JSONDecodeError as error:
                self.problem(f"JSON-LD block {number} is not valid JSON: {error}", field="ld+json")
            except RecursionError:
                self.problem(
                    f"JSON-LD block {number} is nested too deeply to read", field="ld+json"
                )
        for node in walk(roots):
            key = node.get("@id")
            # The fullest node of an @id wins over the references to it.
            if isinstance(key, str) and len(node) > len(self.index.get(key, {"@id": key})):
                self.index[key] = node
        return roots

    def read(self, roots: list[Any]) -> None:
        for node in walk(roots):
            if not is_event(node):
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
        derived_from = ""
        if not title:
            title, derived_from = derived_title(node, self.deref, self.source.language)
        raw_start = text_value(node.get("startDate"))
        schedule = node.get("eventSchedule")
        page_url = absolute_url(text_value(node.get("url")), self.base)
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
            self.problem(
                "event has no name, superEvent name, about name or description",
                external_id=external_id,
                field="name",
            )
            return
        if derived_from:
            self.problem(
                f"event has no name; title {title!r} derived from its {derived_from}",
                external_id=external_id,
                field="name",
                severity="warning",
            )
        zone = place_zone(node.get("location"), self.deref)
        tz = zone or AMSTERDAM
        fields = self.fields(node, title, page_url, tz)
        if raw_start is None and not schedule:
            self.problem(
                "event has no startDate and no eventSchedule",
                external_id=external_id,
                field="startDate",
            )
            return
        if raw_start is None:
            if zone is None and needs_zone(schedule):
                self.assumed_zone(external_id, "eventSchedule", node.get("location"))
            self.read_schedule(node, schedule, external_id, fields, tz)
            return
        try:
            start = parse_when(raw_start, tz)
        except ValueError:
            self.problem(
                f"startDate {raw_start!r} is not a date", external_id=external_id, field="startDate"
            )
            return
        if zone is None and is_floating(raw_start):
            self.assumed_zone(external_id, "startDate", node.get("location"))
        when = self.span(node, start, external_id, tz)
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

    def assumed_zone(self, external_id: str, field: str, location: Any = None) -> None:
        # A source of the region whose event names no place, or a place in the region, is
        # on Amsterdam time beyond doubt: no warning on every event of a Dutch page.
        if self.source.city and normalize_city(self.source.city) in KNOWN_CITIES:
            where = str(location or "").lower()
            if not location or any(city.lower() in where for city in KNOWN_CITIES):
                return
        self.problem(
            f"{field} has no time zone and the place names no country or state with one zone; "
            "read as Europe/Amsterdam time",
            external_id=external_id,
            field=field,
            severity="warning",
        )

    def span(
        self, node: dict[str, Any], start: datetime | date, external_id: str, tz: tzinfo
    ) -> dict[str, Any]:
        """start/end fields (see ``event_span``); an end that cannot be used is a warning."""
        raw_end = text_value(node.get("endDate"))
        raw_duration = text_value(node.get("duration"))
        when, warning = event_span(start, raw_end, raw_duration, tz)
        if warning:
            self.problem(warning, external_id=external_id, field="endDate", severity="warning")
        return when

    def read_schedule(
        self,
        node: dict[str, Any],
        schedule: Any,
        base_id: str,
        fields: dict[str, Any],
        tz: tzinfo,
    ) -> None:
        duration = parse_duration(text_value(node.get("duration")) or "")
        occurrences, notes = expand_schedules(schedule, self.now, duration=duration, zone=tz)
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

    def fields(
        self, node: dict[str, Any], title: str, page_url: str | None, tz: tzinfo
    ) -> dict[str, Any]:
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
                parsed = parse_when(previous, tz)
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
