"""The Events Calendar (WordPress) importer: both REST APIs, and a site root leading to one.

Owns: reading one page of ``/wp-json/tribe/events/v1/events`` (``events[]`` plus
``next_rest_url``) into listings, the Event Aggregator import response (``data.events[]``
with ``start_hour``/``start_minute``) that turns up at such urls too, and telling
documents apart: an HTML page or a WordPress REST index goes to
``importers.tribe_discover`` (which API the site offers), a bare list of posts from
the newer ``/wp-json/tec/v1/events`` to ``importers.tribe_tec``; a Meetup API event is
named in a ParseError. It never fetches: further pages go back to the caller in
``ParseResult.follow``, and the caller owns the budget and loop detection.

Helpers shared by both APIs' readers live in ``importers.tribe_fields``; those shared
with the spreadsheet importer (``zone_from_name``, ``status_from_text``,
``free_from_cost``) in ``importers.freetext``.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, tzinfo
from typing import Any

from agenda.model import Listing, SourceConfig
from agenda.sanitize import clean_description, clean_text, clean_title
from importers.base import ParseResult
from importers.clean import (
    AMSTERDAM,
    absolutize,
    content_id,
    decode_text,
    find_postcode,
    parse_coordinate,
    split_location,
)
from importers.errors import ParseError
from importers.freetext import free_from_cost, status_from_text, zone_from_name
from importers.tribe_discover import TEC_EVENTS, TRIBE_EVENTS, discover, from_index, is_index
from importers.tribe_fields import (
    Skip,
    aware,
    collect_events,
    event_status,
    event_times,
    first_object,
    naive,
    names,
    truthy,
    usable_id,
)
from importers.tribe_tec import first_page, is_tec_event, is_tec_page, next_page, tec_listing

API_PATH = TRIBE_EVENTS


def parse(
    data: bytes, source: SourceConfig, now: datetime, *, url: str | None = None
) -> ParseResult:
    """One API page (or a site root pointing at the API) into listings and pages to follow."""
    base = url or source.url
    text = decode_text(data).lstrip("\ufeff \t\r\n")
    if not text:
        raise ParseError("empty document: not a The Events Calendar API response")
    doc = _load_json(text)
    if doc is None:
        return ParseResult(follow=discover(text, base))
    if is_index(doc):
        return ParseResult(follow=tuple(_first(u) for u in from_index(doc, base)))
    if is_tec_page(doc, base):
        result = collect_events(source, doc, tec_listing, base)
        pages = next_page(base, len(doc))
        return ParseResult(listings=result.listings, problems=result.problems, follow=pages)
    if isinstance(doc, dict) and isinstance(doc.get("events"), list):
        result = collect_events(source, doc["events"], _rest_listing, base)
        own = {u for u in (base, absolutize(doc.get("rest_url"), base)) if u}
        follow = absolutize(doc.get("next_rest_url"), base)
        # A last page that names itself as next must not send the caller round again.
        if follow and follow not in own:
            return ParseResult(listings=result.listings, problems=result.problems, follow=(follow,))
        return result
    inner = doc.get("data") if isinstance(doc, dict) else None
    if isinstance(inner, dict) and isinstance(inner.get("events"), list):
        zone = inner.get("timezone")  # Event Aggregator: the envelope's zone is the default
        events = [
            {**e, "timezone": e.get("timezone") or zone} if isinstance(e, dict) else e
            for e in inner["events"]
        ]
        return collect_events(source, events, _aggregator_listing, base)
    if isinstance(doc, dict) and "start_date" in doc and "title" in doc:
        # A single-event endpoint of either API.
        return collect_events(
            source, [doc], tec_listing if is_tec_event(doc) else _rest_listing, base
        )
    if isinstance(doc, dict) and "time" in doc and ("event_url" in doc or "utc_offset" in doc):
        raise ParseError("a Meetup API event, not a The Events Calendar response")
    if isinstance(doc, dict) and "code" in doc and "message" in doc:
        raise ParseError(f"WordPress answered an error: {clean_text(doc['message'])[:200]}")
    raise ParseError("JSON without an 'events' list: not a The Events Calendar API response")


# -- document level ---------------------------------------------------------------------


def _first(url: str) -> str:
    """A tec/v1 events url asks for its biggest pages; others are followed as they are."""
    return first_page(url) if url.rstrip("/").endswith(TEC_EVENTS) else url


def _load_json(text: str) -> Any:
    """The JSON document, or None for an HTML page.

    PHP notices printed before the JSON (``<br /><b>Warning</b>: ...{"events":``) are a
    common WordPress failure, so markup without a page around it is skipped.
    """
    start = 0
    if text.startswith("<"):
        head = text[:2000].lower()
        found = re.search(r'\{\s*"', text)
        start = found.start() if found else -1
        if start < 0 or any(tag in head for tag in ("<html", "<!doctype", "<head", "<body")):
            return None
    try:
        return json.JSONDecoder().raw_decode(text, start)[0]
    except RecursionError:
        raise ParseError("JSON nested too deeply to read") from None
    except ValueError as exc:
        if start:
            return None
        raise ParseError(f"not JSON: {exc}") from None


# -- one event --------------------------------------------------------------------------


def _rest_listing(
    event: dict[str, Any], source: SourceConfig, base: str | None, seen: set[str]
) -> Listing:
    page_url = absolutize(event.get("url"), base) or absolutize(event.get("website"), base)
    title = clean_title(event.get("title"))
    ident = usable_id(event.get("id")) or usable_id(event.get("global_id"))
    if ident is None:
        # No real id (e.g. a snapshot placeholder): the event's own page names it.
        rest = absolutize(event.get("rest_url"), base)
        unused = [u for u in (page_url, rest) if u and u not in seen]
        ident = unused[0] if unused else content_id(title, event.get("start_date"))
    if ident in seen:
        raise Skip("id", f"id {ident} appears twice; kept once", ident, warning=True)
    if not title:
        raise Skip("title", "no title; skipped", ident)
    # An unknown zone name falls back to Amsterdam, the region's own time.
    zone = zone_from_name(event.get("timezone")) or AMSTERDAM
    local_start, local_end = naive(event.get("start_date")), naive(event.get("end_date"))
    utc_start, utc_end = naive(event.get("utc_start_date")), naive(event.get("utc_end_date"))
    times = event_times(event, (local_start, local_end), (utc_start, utc_end), zone, ident)

    venue = first_object(event.get("venue"))
    address = clean_text(venue.get("address")) or None
    zip_code = clean_text(venue.get("zip"))
    categories = names(event.get("categories"), "name") + names(event.get("tags"), "name")
    cost = clean_text(event.get("cost")) or None
    image = event.get("image")
    image_url = image.get("url") if isinstance(image, dict) else image
    status = event_status(event.get("event_status")) or status_from_text(title, *categories)
    return Listing(
        source_id=source.id,
        external_id=ident,
        title=title,
        **times,
        status=status or "scheduled",
        description=clean_description(event.get("description")),
        url=page_url,
        venue_name=clean_text(venue.get("venue")) or source.venue,
        address=address,
        postcode=find_postcode(zip_code) or zip_code or find_postcode(address),
        city=clean_text(venue.get("city")) or source.city,
        latitude=parse_coordinate(venue.get("geo_lat"), -90, 90),
        longitude=parse_coordinate(venue.get("geo_lng"), -180, 180),
        categories=tuple(dict.fromkeys(categories)),
        language=source.language,
        price=cost,
        is_free=free_from_cost(cost),
        image=absolutize(image_url, base) if isinstance(image_url, str) else None,
        organizer=", ".join(names(event.get("organizer"), "organizer")) or None,
    )


def _aggregator_listing(
    event: dict[str, Any], source: SourceConfig, base: str | None, seen: set[str]
) -> Listing:
    """Event Aggregator shape: dates plus separate hour/minute fields, ``all_day: "yes"``."""
    title = clean_title(event.get("title"))
    ident = usable_id(event.get("uid")) or usable_id(event.get("id"))
    ident = ident or content_id(title, event.get("start_date"), event.get("start_hour"))
    if ident in seen:
        raise Skip("uid", f"uid {ident} appears twice; kept once", ident, warning=True)
    if not title:
        raise Skip("title", "no title; skipped", ident)
    zone = zone_from_name(event.get("timezone")) or AMSTERDAM
    start_day, end_day = naive(event.get("start_date")), naive(event.get("end_date"))
    if start_day is None:
        raise Skip("start_date", "no start date; skipped", ident)
    times: dict[str, Any] = {}
    if truthy(event.get("all_day")):
        # All-day events arrive as 00:01-23:59 on the days they cover.
        last = end_day.date() if end_day and end_day.date() >= start_day.date() else None
        times["start_date"], times["end_date"] = start_day.date(), last
    else:
        start = aware(naive(event.get("start_date_utc")), UTC, zone) or _at(
            start_day, event.get("start_hour"), event.get("start_minute"), zone
        )
        end = aware(naive(event.get("end_date_utc")), UTC, zone)
        if end is None and end_day is not None:
            end = _at(end_day, event.get("end_hour"), event.get("end_minute"), zone)
        times["start"], times["end"] = start, (end if end is not None and end > start else None)
    venue = first_object(event.get("venue"))
    where = _place(clean_text(venue.get("venue")))
    return Listing(
        source_id=source.id,
        external_id=ident,
        title=title,
        **times,
        description=clean_description(event.get("description")),
        url=absolutize(event.get("url"), base),
        venue_name=where["venue_name"] or source.venue,
        address=where["address"],
        postcode=where["postcode"],
        city=where["city"] or source.city,
        latitude=parse_coordinate(venue.get("latitude"), -90, 90),
        longitude=parse_coordinate(venue.get("longitude"), -180, 180),
        status=status_from_text(title) or "scheduled",
        language=source.language,
    )


# -- small pieces -----------------------------------------------------------------------


def _at(day: datetime, hour: Any, minute: Any, zone: tzinfo) -> datetime:
    """Event Aggregator hours and minutes come as numbers or as strings ("09")."""
    return datetime(day.year, day.month, day.day, int(hour or 0), int(minute or 0), tzinfo=zone)


def _place(text: str) -> dict[str, str | None]:
    """Dutch "Venue, Street 1, 1234 AB City" is split; other free text keeps its first part."""
    if find_postcode(text):
        return split_location(text)
    name, _, rest = text.partition(",")
    return {
        "venue_name": name.strip() or None,
        "address": rest.strip() or None,
        "postcode": None,
        "city": None,
    }
