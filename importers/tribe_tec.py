"""The Events Calendar's newer REST API, ``/wp-json/tec/v1/events``: a bare list of posts.

Owns reading one page of that API into listings and naming the next page. Each item
is a WordPress post (``id``, ``link``, ``title`` as ``{"rendered": ...}`` or a plain
string, ``content``/``description``) with TEC's event fields: ``start_date`` and
``end_date`` as local wall time in ``timezone`` (``2027-03-12 20:00:00`` or with a
``T``), ``start_date_utc``/``end_date_utc`` when given (the exact instant wins),
``all_day``, ``cost``, ``venues``/``organizers`` as lists of objects (a bare ``venue``
or ``organizer`` object too), ``categories``/``tags`` as term objects (term ids alone
carry no names and are skipped).

Paging: the API pages with ``Link: rel=next`` headers, which a parser (bytes only)
never sees, so the next page is this url with ``page=N+1`` for as long as pages come
back full (``per_page`` as asked, else TEC's default of 10); a short or empty page is
the last, and ``MAX_PAGE`` bounds a site that never ends. Discovery asks for 100 per
page, the most TEC gives. Pure: no I/O.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from agenda.model import Listing, SourceConfig
from agenda.sanitize import clean_description, clean_text, clean_title
from importers.clean import AMSTERDAM, absolutize, content_id, find_postcode, parse_coordinate
from importers.freetext import free_from_cost, status_from_text, zone_from_name
from importers.tribe_fields import (
    Skip,
    event_status,
    event_times,
    first_object,
    naive,
    names,
    usable_id,
)

DEFAULT_PER_PAGE = 10
ASKED_PER_PAGE = 100
MAX_PAGE = 1000


def is_tec_page(doc: Any, url: str | None) -> bool:
    """A list of event posts, or an empty list where a tec/v1 events url answered."""
    if not isinstance(doc, list):
        return False
    if not doc:
        return "tec/v1/events" in (url or "")
    return all(isinstance(item, dict) for item in doc) and any("start_date" in i for i in doc)


def is_tec_event(doc: dict[str, Any]) -> bool:
    """A single tec/v1 event (``/events/123``): a post's ``title`` object, ``link`` or lists."""
    return isinstance(doc.get("title"), dict) or "venues" in doc or "organizers" in doc


def next_page(url: str | None, count: int) -> tuple[str, ...]:
    """The url of the page after this one, or nothing when this one was the last."""
    if not url or count == 0:
        return ()
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    per_page = _int(query.get("per_page")) or DEFAULT_PER_PAGE
    page = _int(query.get("page")) or 1
    if count < per_page or page >= MAX_PAGE:
        return ()
    query["page"] = str(page + 1)
    return (urlunsplit(parts._replace(query=urlencode(query, safe="/"))),)


def first_page(url: str) -> str:
    """The events url asking for as many events per page as TEC gives."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.setdefault("per_page", str(ASKED_PER_PAGE))
    return urlunsplit(parts._replace(query=urlencode(query, safe="/")))


def tec_listing(
    event: dict[str, Any], source: SourceConfig, base: str | None, seen: set[str]
) -> Listing:
    """One tec/v1 event post as a Listing; ``Skip`` for an event that cannot be one."""
    page_url = absolutize(event.get("link"), base) or absolutize(event.get("url"), base)
    title = clean_title(_rendered(event.get("title")))
    ident = usable_id(event.get("id")) or page_url or content_id(title, event.get("start_date"))
    if ident in seen:
        raise Skip("id", f"id {ident} appears twice; kept once", ident, warning=True)
    if not title:
        raise Skip("title", "no title; skipped", ident)
    zone = zone_from_name(event.get("timezone")) or AMSTERDAM
    local_start, local_end = naive(event.get("start_date")), naive(event.get("end_date"))
    utc_start = naive(event.get("start_date_utc") or event.get("utc_start_date"))
    utc_end = naive(event.get("end_date_utc") or event.get("utc_end_date"))
    times = event_times(event, (local_start, local_end), (utc_start, utc_end), zone, ident)
    venue = first_object(event.get("venues") or event.get("venue"))
    address = clean_text(venue.get("address")) or None
    zip_code = clean_text(venue.get("zip"))
    terms = names(event.get("categories"), "name") + names(event.get("tags"), "name")
    cost = clean_text(event.get("cost")) or None
    description = _rendered(event.get("content")) or _rendered(event.get("description"))
    image = event.get("image")
    image_url = image.get("url") if isinstance(image, dict) else image
    status = event_status(event.get("event_status")) or status_from_text(title, *terms)
    organizers = event.get("organizers") or event.get("organizer")
    return Listing(
        source_id=source.id,
        external_id=ident,
        title=title,
        **times,
        status=status or "scheduled",
        description=clean_description(description or _rendered(event.get("excerpt"))),
        url=page_url,
        venue_name=clean_text(venue.get("name") or venue.get("venue")) or source.venue,
        address=address,
        postcode=find_postcode(zip_code) or zip_code or find_postcode(address),
        city=clean_text(venue.get("city")) or source.city,
        latitude=parse_coordinate(venue.get("latitude") or venue.get("geo_lat"), -90, 90),
        longitude=parse_coordinate(venue.get("longitude") or venue.get("geo_lng"), -180, 180),
        categories=tuple(dict.fromkeys(terms)),
        language=source.language,
        price=cost,
        is_free=free_from_cost(cost),
        image=absolutize(image_url, base) if isinstance(image_url, str) else None,
        organizer=", ".join(names(organizers, "name")) or None,
    )


def _rendered(value: object) -> str:
    """A WordPress text field: ``{"rendered": ...}`` or a plain string."""
    if isinstance(value, dict):
        value = value.get("rendered")
    return value if isinstance(value, str) else ""


def _int(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if number > 0 else None
