"""The Events Calendar (WordPress) REST API importer: ``/wp-json/tribe/events/v1/events``.

Owns: reading one API page (``events[]`` plus ``next_rest_url``) into listings, finding
the API from a WordPress site root (its ``https://api.w.org/`` link), and the Event
Aggregator import response (``data.events[]`` with ``start_hour``/``start_minute``) that
turns up at such urls too; a Meetup API event there is named in a ParseError. It never
fetches: further pages go back to the caller in ``ParseResult.follow``, and the caller
owns the page cap and loop detection.

The small helpers it shares with the spreadsheet importer (``zone_from_name``,
``status_from_text``, ``free_from_cost``) live in ``importers.freetext``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, tzinfo
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from agenda.model import Listing, Problem, SourceConfig, Status
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

API_PATH = "tribe/events/v1/events"


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
        return ParseResult(follow=_discover(text, base))
    if isinstance(doc, dict) and isinstance(doc.get("events"), list):
        result = _collect(source, doc["events"], _rest_listing, base)
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
        return _collect(source, events, _aggregator_listing, base)
    if isinstance(doc, dict) and "start_date" in doc and "title" in doc:
        return _collect(source, [doc], _rest_listing, base)  # a single-event endpoint
    if isinstance(doc, dict) and "time" in doc and ("event_url" in doc or "utc_offset" in doc):
        raise ParseError("a Meetup API event, not a The Events Calendar response")
    if isinstance(doc, dict) and "code" in doc and "message" in doc:
        raise ParseError(f"WordPress answered an error: {clean_text(doc['message'])[:200]}")
    raise ParseError("JSON without an 'events' list: not a The Events Calendar API response")


# -- document level ---------------------------------------------------------------------


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


class _ApiLink(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "link" and "https://api.w.org/" in values.get("rel", "").split():
            self.href = self.href or values.get("href") or None


def _discover(html_text: str, base: str | None) -> tuple[str, ...]:
    """A WordPress page: follow its REST root's events route, or guess the usual one."""
    finder = _ApiLink()
    finder.feed(html_text)
    finder.close()
    root = absolutize(finder.href, base)
    if root is None:
        parts = urlsplit(base or "")
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ParseError("an HTML page without a WordPress API link, and no site to guess")
        root = f"{parts.scheme}://{parts.netloc}/wp-json/"
    if "rest_route=" not in root and not root.endswith("/"):
        root += "/"
    target = root + API_PATH
    if base and target == base:
        raise ParseError("the events API answered with an HTML page")
    return (target,)


class _Skip(Exception):
    """One event that cannot be imported: becomes a Problem on ``field``."""

    def __init__(self, field: str, message: str, ident: str | None, warning: bool = False) -> None:
        super().__init__(message)
        self.field, self.ident, self.warning = field, ident, warning


_Convert = Callable[[dict[str, Any], SourceConfig, str | None, set[str]], Listing]


def _collect(
    source: SourceConfig, events: list[Any], convert: _Convert, base: str | None
) -> ParseResult:
    """Convert each event; a bad one becomes a Problem and the rest still import."""
    listings: list[Listing] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, event in enumerate(events, start=1):
        if not isinstance(event, dict):
            problems.append(Problem(source_id=source.id, message=f"event {index} is not an object"))
            continue
        try:
            listing = convert(event, source, base, seen)
        except _Skip as skip:
            problems.append(
                Problem(
                    source_id=source.id,
                    external_id=skip.ident,
                    field=skip.field,
                    message=f"event {index}: {skip}",
                    severity="warning" if skip.warning else "error",
                )
            )
            continue
        except (TypeError, ValueError, AttributeError, KeyError, OverflowError) as exc:
            ident = clean_text(event.get("id") or event.get("uid")) or None
            problems.append(
                Problem(source_id=source.id, external_id=ident, message=f"event {index}: {exc}")
            )
            continue
        seen.add(listing.external_id)
        listings.append(listing)
    return ParseResult(listings=tuple(listings), problems=tuple(problems))


# -- one event --------------------------------------------------------------------------


def _usable_id(value: object) -> str | None:
    """An id as text; snapshot placeholders such as ``{EVENT_ID}`` are not ids."""
    if isinstance(value, bool) or value is None:
        return None
    text = str(value).strip()
    return None if not text or "{" in text else text


def _naive(value: object) -> datetime | None:
    text = clean_text(value)
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def _truthy(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("yes", "true", "1", "ja", "on")
    return bool(value)


def _all_day_span(start: datetime, end: datetime | None) -> tuple[date, date | None]:
    first = start.date()
    if end is None:
        return first, None
    last = end.date()
    # An all-day end written as the next midnight is exclusive; the model's is inclusive.
    if end.time() == datetime.min.time() and last > first:
        last -= timedelta(days=1)
    return first, (last if last >= first else None)


def _rest_listing(
    event: dict[str, Any], source: SourceConfig, base: str | None, seen: set[str]
) -> Listing:
    page_url = absolutize(event.get("url"), base) or absolutize(event.get("website"), base)
    title = clean_title(event.get("title"))
    ident = _usable_id(event.get("id")) or _usable_id(event.get("global_id"))
    if ident is None:
        # No real id (e.g. a snapshot placeholder): the event's own page names it.
        rest = absolutize(event.get("rest_url"), base)
        unused = [u for u in (page_url, rest) if u and u not in seen]
        ident = unused[0] if unused else content_id(title, event.get("start_date"))
    if ident in seen:
        raise _Skip("id", f"id {ident} appears twice; kept once", ident, warning=True)
    if not title:
        raise _Skip("title", "no title; skipped", ident)
    # An unknown zone name falls back to Amsterdam, the region's own time.
    zone = zone_from_name(event.get("timezone")) or AMSTERDAM
    local_start, local_end = _naive(event.get("start_date")), _naive(event.get("end_date"))
    utc_start, utc_end = _naive(event.get("utc_start_date")), _naive(event.get("utc_end_date"))
    times: dict[str, Any] = {}
    if _truthy(event.get("all_day")):
        first = local_start or _aware(utc_start, UTC, zone)
        if first is None:
            raise _Skip("start_date", "no start; skipped", ident)
        times["start_date"], times["end_date"] = _all_day_span(first, local_end)
    else:
        # The UTC fields carry the instant exactly; local wall time is the fallback.
        start = _aware(utc_start, UTC, zone) or _aware(local_start, zone, zone)
        if start is None:
            raise _Skip("start_date", f"no readable start {event.get('start_date')!r}", ident)
        end = _aware(utc_end, UTC, zone) or _aware(local_end, zone, zone)
        times["start"], times["end"] = start, (end if end is not None and end > start else None)

    venue = _first_object(event.get("venue"))
    address = clean_text(venue.get("address")) or None
    zip_code = clean_text(venue.get("zip"))
    categories = _names(event.get("categories"), "name") + _names(event.get("tags"), "name")
    cost = clean_text(event.get("cost")) or None
    image = event.get("image")
    image_url = image.get("url") if isinstance(image, dict) else image
    status = _event_status(event.get("event_status")) or status_from_text(title, *categories)
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
        organizer=", ".join(_names(event.get("organizer"), "organizer")) or None,
    )


def _aggregator_listing(
    event: dict[str, Any], source: SourceConfig, base: str | None, seen: set[str]
) -> Listing:
    """Event Aggregator shape: dates plus separate hour/minute fields, ``all_day: "yes"``."""
    title = clean_title(event.get("title"))
    ident = _usable_id(event.get("uid")) or _usable_id(event.get("id"))
    ident = ident or content_id(title, event.get("start_date"), event.get("start_hour"))
    if ident in seen:
        raise _Skip("uid", f"uid {ident} appears twice; kept once", ident, warning=True)
    if not title:
        raise _Skip("title", "no title; skipped", ident)
    zone = zone_from_name(event.get("timezone")) or AMSTERDAM
    start_day, end_day = _naive(event.get("start_date")), _naive(event.get("end_date"))
    if start_day is None:
        raise _Skip("start_date", "no start date; skipped", ident)
    times: dict[str, Any] = {}
    if _truthy(event.get("all_day")):
        # All-day events arrive as 00:01-23:59 on the days they cover.
        last = end_day.date() if end_day and end_day.date() >= start_day.date() else None
        times["start_date"], times["end_date"] = start_day.date(), last
    else:
        start = _aware(_naive(event.get("start_date_utc")), UTC, zone) or _at(
            start_day, event.get("start_hour"), event.get("start_minute"), zone
        )
        end = _aware(_naive(event.get("end_date_utc")), UTC, zone)
        if end is None and end_day is not None:
            end = _at(end_day, event.get("end_hour"), event.get("end_minute"), zone)
        times["start"], times["end"] = start, (end if end is not None and end > start else None)
    venue = _first_object(event.get("venue"))
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


def _aware(naive: datetime | None, given: tzinfo, shown: tzinfo) -> datetime | None:
    """``naive`` read in zone ``given``, expressed in zone ``shown`` (same instant)."""
    if naive is None:
        return None
    if naive.tzinfo is not None:
        return naive.astimezone(shown)
    return naive.replace(tzinfo=given).astimezone(shown)


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


def _first_object(value: object) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, list):
        return next((v for v in value if isinstance(v, dict)), {})
    return {}


def _names(value: object, key: str) -> list[str]:
    """Names from a list of objects (or one object, or plain strings); ``[]`` gives none."""
    items = value if isinstance(value, list) else [value] if value else []
    names = []
    for item in items:
        name = clean_text(item.get(key) or item.get("name")) if isinstance(item, dict) else ""
        name = name or (clean_text(item) if isinstance(item, str) else "")
        if name:
            names.append(name)
    return names


def _event_status(value: object) -> Status | None:
    """TEC's optional event-status field (``canceled`` / ``postponed``)."""
    text = clean_text(value).lower()
    if text in ("canceled", "cancelled"):
        return "cancelled"
    if text == "postponed":
        return "postponed"
    return None
