"""The time zone of an event's place, for JSON-LD times written without an offset.

``2019-05-01T20:00`` means wall-clock time *where the event is*. Reading it as
Amsterdam time is right for the region's own venues and an hour-plus wrong for a
concert in Philadelphia, so the place's address chooses the zone when it names it
unambiguously: ``addressCountry`` of a single-zone country (a small table; Spain and
Portugal are their mainland unless the address names the Canaries or the Azores), a
US state wholly inside one zone (``addressRegion``, or ``PA 19107`` in address text),
a country named at the end of an address string, or a Dutch postcode. Anything else
(no place, a country with several zones, a split state such as Texas) gives None,
and the caller keeps Europe/Amsterdam and says it assumed so. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from importers.clean import find_postcode
from importers.jsonld_fields import types_of

# Countries with one zone (for their mainland), by ISO code and the names producers write.
_COUNTRY_ZONES = {
    "NL": "Europe/Amsterdam",
    "BE": "Europe/Brussels",
    "DE": "Europe/Berlin",
    "FR": "Europe/Paris",
    "GB": "Europe/London",
    "IE": "Europe/Dublin",
    "ES": "Europe/Madrid",
    "IT": "Europe/Rome",
    "AT": "Europe/Vienna",
    "CH": "Europe/Zurich",
    "DK": "Europe/Copenhagen",
    "SE": "Europe/Stockholm",
    "NO": "Europe/Oslo",
    "PL": "Europe/Warsaw",
    "CZ": "Europe/Prague",
    "PT": "Europe/Lisbon",
    "LU": "Europe/Luxembourg",
}
_COUNTRY_NAMES = {
    "netherlands": "NL",
    "the netherlands": "NL",
    "nederland": "NL",
    "holland": "NL",
    "nld": "NL",
    "belgium": "BE",
    "belgië": "BE",
    "belgie": "BE",
    "belgique": "BE",
    "belgien": "BE",
    "germany": "DE",
    "deutschland": "DE",
    "duitsland": "DE",
    "deu": "DE",
    "france": "FR",
    "frankrijk": "FR",
    "united kingdom": "GB",
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "gbr": "GB",
    "ireland": "IE",
    "ierland": "IE",
    "spain": "ES",
    "españa": "ES",
    "spanje": "ES",
    "italy": "IT",
    "italia": "IT",
    "italië": "IT",
    "austria": "AT",
    "österreich": "AT",
    "oostenrijk": "AT",
    "switzerland": "CH",
    "schweiz": "CH",
    "suisse": "CH",
    "zwitserland": "CH",
    "denmark": "DK",
    "danmark": "DK",
    "denemarken": "DK",
    "sweden": "SE",
    "sverige": "SE",
    "zweden": "SE",
    "norway": "NO",
    "norge": "NO",
    "noorwegen": "NO",
    "poland": "PL",
    "polska": "PL",
    "polen": "PL",
    "czech republic": "CZ",
    "czechia": "CZ",
    "tsjechië": "CZ",
    "portugal": "PT",
    "luxembourg": "LU",
    "luxemburg": "LU",
    "united states": "US",
    "united states of america": "US",
    "usa": "US",
    "us": "US",
}
# Islands with their own zone, named in a region or locality.
_ISLANDS = (
    (re.compile(r"canari|canary|las palmas|tenerife", re.I), "ES", "Atlantic/Canary"),
    (re.compile(r"a[çc]ores|azores", re.I), "PT", "Atlantic/Azores"),
)
_EASTERN = "CT DE DC GA ME MD MA NH NJ NY NC OH PA RI SC VT VA WV"
_CENTRAL = "AL AR IL IA LA MN MS MO OK WI"
# US states wholly inside one zone; split ones (TX, FL, IN, KY, TN, MI, OR, ...) are absent.
_STATE_ZONES = {
    **dict.fromkeys(_EASTERN.split(), "America/New_York"),
    **dict.fromkeys(_CENTRAL.split(), "America/Chicago"),
    **dict.fromkeys("CO MT NM UT WY".split(), "America/Denver"),
    "AZ": "America/Phoenix",
    "CA": "America/Los_Angeles",
    "WA": "America/Los_Angeles",
    "HI": "Pacific/Honolulu",
}
_STATE_NAMES = {
    "connecticut": "CT",
    "delaware": "DE",
    "district of columbia": "DC",
    "georgia": "GA",
    "maine": "ME",
    "maryland": "MD",
    "massachusetts": "MA",
    "new hampshire": "NH",
    "new jersey": "NJ",
    "new york": "NY",
    "north carolina": "NC",
    "ohio": "OH",
    "pennsylvania": "PA",
    "rhode island": "RI",
    "south carolina": "SC",
    "vermont": "VT",
    "virginia": "VA",
    "west virginia": "WV",
    "alabama": "AL",
    "arkansas": "AR",
    "illinois": "IL",
    "iowa": "IA",
    "louisiana": "LA",
    "minnesota": "MN",
    "mississippi": "MS",
    "missouri": "MO",
    "oklahoma": "OK",
    "wisconsin": "WI",
    "colorado": "CO",
    "montana": "MT",
    "new mexico": "NM",
    "utah": "UT",
    "wyoming": "WY",
    "arizona": "AZ",
    "california": "CA",
    "washington": "WA",
    "hawaii": "HI",
}
# "Philadelphia, PA 19107" in free text: a state code followed by a ZIP code.
_STATE_ZIP = re.compile(r"\b([A-Z]{2}),?\s+\d{5}(?:-\d{4})?\b")


def place_zone(value: Any, deref: Callable[[Any], Any]) -> ZoneInfo | None:
    """The zone of the first real place in a ``location`` value, or None when not certain."""
    for item in (value if isinstance(value, list) else [value])[:20]:
        item = deref(item)
        if isinstance(item, str):
            return _zone_from_text(item)
        if not isinstance(item, dict) or "VirtualLocation" in types_of(item):
            continue
        address = deref(item.get("address"))
        if isinstance(address, str):
            return _zone_from_text(address)
        # A location may be a PostalAddress itself.
        return _zone_from_address(address if isinstance(address, dict) else item)
    return None


def _zone_from_address(address: dict[str, Any]) -> ZoneInfo | None:
    country = _text(address.get("addressCountry"))
    region = _text(address.get("addressRegion"))
    postal = _text(address.get("postalCode"))
    locality = _text(address.get("addressLocality"))
    code = _country_code(country) if country else None
    if country and code is None:
        return None  # a country with several zones, or one not in the table
    if code is None:
        state = _state_code(region)
        if state and re.fullmatch(r"\d{5}(?:-\d{4})?", postal.strip()):
            code = "US"  # a US state and a ZIP code, with no country written
        elif find_postcode(postal.upper()):
            code = "NL"
    if code is None:
        # No country at all: perhaps the street line names one ("..., USA").
        street = _text(address.get("streetAddress"))
        return _zone_from_text(", ".join(p for p in (street, postal, locality, region) if p))
    return _zone_for(code, region, locality)


def _zone_from_text(text: str) -> ZoneInfo | None:
    """A free-text address: a country after the last comma, ``PA 19107``, or a Dutch postcode."""
    parts = [p.strip(" .") for p in text.split(",") if p.strip(" .")]
    code = _country_code(parts[-1]) if len(parts) > 1 else None
    state = _STATE_ZIP.search(text)
    if code in (None, "US") and state and state.group(1) in _STATE_ZONES:
        return ZoneInfo(_STATE_ZONES[state.group(1)])
    if code is None and find_postcode(text.upper()):
        code = "NL"
    return _zone_for(code, text, text) if code else None


def _zone_for(code: str, region: str, locality: str) -> ZoneInfo | None:
    if code == "US":
        state = _state_code(region)
        return ZoneInfo(_STATE_ZONES[state]) if state in _STATE_ZONES else None
    for pattern, country, zone in _ISLANDS:
        if country == code and (pattern.search(region) or pattern.search(locality)):
            return ZoneInfo(zone)
    return ZoneInfo(_COUNTRY_ZONES[code]) if code in _COUNTRY_ZONES else None


def _country_code(text: str) -> str | None:
    key = text.strip(" .").lower()
    if key.upper() in _COUNTRY_ZONES:
        return key.upper()
    return _COUNTRY_NAMES.get(key)


def _state_code(text: str) -> str | None:
    key = text.strip(" .")
    if key.upper() in _STATE_ZONES or key.upper() in _STATE_NAMES.values():
        return key.upper()
    return _STATE_NAMES.get(key.lower())


def _text(value: Any) -> str:
    """addressCountry and friends: text, ``{"@value"}``, or a Country with a name."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or value.get("identifier")
    return value.strip() if isinstance(value, str) else ""
