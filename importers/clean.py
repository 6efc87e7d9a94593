"""Small text, time and place helpers every importer uses.

Pure functions only: url absolutising, Dutch postcode and address splitting, local-time
attachment. Text cleaning and HTML sanitising are the kernel's (`agenda.sanitize`).
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from agenda.normalize import KNOWN_CITIES, normalize_city
from agenda.sanitize import clean_text

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

_POSTCODE = re.compile(r"\b([1-9]\d{3})\s?([A-Z]{2})\b")
_STREET = re.compile(r"^[^\d,]{2,}\s\d+[a-zA-Z]?(?:[-–/ ]?\d*[a-zA-Z]?)?$")
_COUNTRIES = {"nederland", "netherlands", "the netherlands", "nl", "holland"}


def localize(naive: datetime, tz: ZoneInfo = AMSTERDAM) -> datetime:
    """Attach ``tz`` to a wall-clock time (times without an offset are Amsterdam time)."""
    if naive.tzinfo is not None:
        return naive
    return naive.replace(tzinfo=tz)


def absolutize(href: object, base: str | None) -> str | None:
    """An absolute http(s) url for ``href`` relative to ``base``; anything else is None."""
    if href is None:
        return None
    text = str(href).strip()
    if not text:
        return None
    try:
        full = urljoin(base, text) if base else text
        scheme = urlsplit(full).scheme.lower()
    except ValueError:  # e.g. "http://[oops": an unbalanced IPv6 bracket
        return None
    return full if scheme in ("http", "https") else None


def find_postcode(text: str | None) -> str | None:
    """A Dutch postcode in ``text``, normalised to ``1234 AB``."""
    if not text:
        return None
    match = _POSTCODE.search(text)
    return f"{match.group(1)} {match.group(2)}" if match else None


def split_location(text: str | None) -> dict[str, str | None]:
    """Split ``"Venue, Street 12, 2312 AB City"`` into venue name, address, postcode, city.

    Real LOCATION fields are free text, so this is a best effort: parts that look
    like a street with a number become the address, a postcode and the word(s) after
    it the city, the first remaining part the venue name.
    """
    result: dict[str, str | None] = {
        "venue_name": None,
        "address": None,
        "postcode": None,
        "city": None,
    }
    if not text:
        return result
    flat = clean_text(text).replace("\n", ", ")
    # "Name (Street 1, 1234 AB City)" is as common as the comma form.
    inner = re.fullmatch(r"(.+?)\s*\((.+)\)\s*", flat)
    parts = [inner.group(1), *inner.group(2).split(",")] if inner else flat.split(",")
    parts = [p.strip() for p in parts if p.strip() and p.strip().upper() != "NA"]
    rest: list[str] = []
    for part in parts:
        postcode = _POSTCODE.search(part)
        if postcode and result["postcode"] is None:
            result["postcode"] = f"{postcode.group(1)} {postcode.group(2)}"
            before = part[: postcode.start()].strip()
            after = part[postcode.end() :].strip()
            if after and result["city"] is None:
                result["city"] = after
            if before and _STREET.match(before) and result["address"] is None:
                result["address"] = before
            continue
        if _STREET.match(part) and result["address"] is None and (rest or len(parts) > 1):
            result["address"] = part
            continue
        if part.lower() in _COUNTRIES or (rest and re.fullmatch(r"[A-Z]{2}", part)):
            continue  # country names and province codes ("NH", "ZH") are not places
        rest.append(part)
    if rest:
        known_city = normalize_city(rest[-1]) in KNOWN_CITIES
        if result["city"] is None and len(rest) > 1 and (result["address"] or known_city):
            result["city"] = rest.pop()
        # "Groot Auditorium, Academiegebouw": a room and its building both name the venue.
        result["venue_name"] = ", ".join(rest)
    return result


def content_id(*parts: object) -> str:
    """A stable id for a record its source gave none: a hash of its content."""
    joined = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:20]


def parse_coordinate(value: object, low: float, high: float) -> float | None:
    """A float in [low, high] or None (``"NA"``, empty and out-of-range values are None)."""
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    if number != number or not low <= number <= high:
        return None
    return number


def decode_text(data: bytes) -> str:
    """Bytes to text: BOM-marked UTF-8/16 first, then UTF-8, then Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")
