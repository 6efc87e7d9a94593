"""Fields of one VEVENT for ``importers.ics``: title, text, place, links, organizer, image.

Owns: everything a Listing carries except its times and ids (VVENUE lookup, R's ``NA``,
HTML X-ALT-DESC, percent-encoded CN). Kept apart from ``importers.ics`` so that module
is about events, series and problems only.
Must not: read times, or publish an ORGANIZER's address.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from agenda.model import SourceConfig
from agenda.sanitize import clean_description, clean_text, clean_title
from importers.clean import absolutize, split_location
from importers.ics_lines import Props, first, text, unescape
from importers.ics_zones import geo, text_list

_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")


def _organizer(props: Props) -> str | None:
    entry = first(props, "ORGANIZER")
    name = entry[0].get("CN") if entry else None
    if not name:
        return None  # the value is a mailto: address; never publish it
    if _PERCENT.search(name):  # R's exporter percent-encodes CN ("Erasmus%20Centre")
        name = unquote(name)
    name = clean_text(name)
    return name if name and name.upper() != "NA" else None


def _image(props: Props, base: str | None) -> str | None:
    for params, value in props.get("ATTACH", []) + props.get("IMAGE", []):
        link = value.strip()
        is_image = params.get("FMTTYPE", "image/").lower().startswith("image/")
        if is_image and link.lower().startswith(("http://", "https://")):
            return absolutize(link, base)
    return None


def read_fields(
    props: Props, source: SourceConfig, base: str | None, venues: list[dict[str, str]]
) -> dict[str, Any]:
    """Every Listing field of one VEVENT but its times and ids."""
    location = text(props, "LOCATION")
    place = split_location(location.replace(" @ ", ", ")) if location else {}
    venue = _venue(props, location, venues)
    latitude, longitude = geo(text(props, "GEO"))
    if latitude is None:
        latitude, longitude = geo(venue.get("GEO"))
    summary = first(props, "SUMMARY")
    language = summary[0].get("LANGUAGE", "").split("-")[0].lower() if summary else ""
    status = (text(props, "STATUS") or "").upper()
    fields: dict[str, Any] = {
        "source_id": source.id,
        "title": clean_title(unescape(summary[1]) if summary else ""),
        "status": "cancelled" if status == "CANCELLED" else "scheduled",
        "description": _description(props),
        "url": absolutize(text(props, "URL"), base),
        "venue_name": venue.get("NAME") or place.get("venue_name") or source.venue,
        "address": venue.get("ADDRESS") or place.get("address"),
        "postcode": venue.get("POSTALCODE") or place.get("postcode"),
        "city": venue.get("CITY") or place.get("city") or source.city,
        "latitude": latitude,
        "longitude": longitude,
        "categories": text_list(props, "CATEGORIES"),
        "language": language if language.isalpha() else source.language,
        "organizer": _organizer(props),
        "image": _image(props, base),
    }
    return fields


def _description(props: Props) -> str:
    for params, value in props.get("X-ALT-DESC", ()):
        if params.get("FMTTYPE", "").lower() == "text/html" and value.strip():
            # iCalcreator double-escapes newlines inside the HTML ("\\n").
            html = clean_description(unescape(value).replace("\\n", "\n"))
            if html:
                return html
    return clean_description(text(props, "DESCRIPTION"))


def _venue(props: Props, location: str | None, venues: list[dict[str, str]]) -> dict[str, str]:
    """The VVENUE a LOCATION refers to (by VENUE-UID/VVENUE, else by its NAME)."""
    entry = first(props, "LOCATION")
    reference = entry and (entry[0].get("VENUE-UID") or entry[0].get("VVENUE"))
    if not reference or not venues:
        return {}
    for venue in venues:
        if venue.get("UID") == reference:
            return venue
    for venue in venues:
        name = venue.get("NAME")
        if name and location and location.startswith(name):
            return venue
    return {}
