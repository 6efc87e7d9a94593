"""Small text, time and place helpers every importer uses.

Pure functions only: unescaping, HTML sanitising (nh3 with an explicit allowlist),
url absolutising, Dutch postcode and address splitting, local-time attachment.
"""

from __future__ import annotations

import hashlib
import html
import re
from datetime import datetime
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import nh3

from agenda.normalize import KNOWN_CITIES, normalize_city

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

# What a description may keep; everything else (scripts, styles, event handlers,
# images, iframes) is removed before it is stored.
ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "em", "b", "i", "u", "ul", "ol", "li", "a", "blockquote", "h3", "h4"}
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})

_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_POSTCODE = re.compile(r"\b([1-9]\d{3})\s?([A-Z]{2})\b")
_STREET = re.compile(r"^[^\d,]{2,}\s\d+[a-zA-Z]?(?:[-–/ ]?\d*[a-zA-Z]?)?$")
_COUNTRIES = {"nederland", "netherlands", "the netherlands", "nl", "holland"}


def localize(naive: datetime, tz: ZoneInfo = AMSTERDAM) -> datetime:
    """Attach ``tz`` to a wall-clock time (times without an offset are Amsterdam time)."""
    if naive.tzinfo is not None:
        return naive
    return naive.replace(tzinfo=tz)


def clean_text(value: object) -> str:
    """Unescape HTML entities, collapse runs of spaces, strip; ``None`` gives ''."""
    if value is None:
        return ""
    text = html.unescape(str(value))
    text = _SPACES.sub(" ", text)
    return "\n".join(line.strip() for line in text.splitlines()).strip()


def clean_title(value: object) -> str:
    """A one-line title: entities unescaped, tags dropped, whitespace collapsed."""
    text = _TAG.sub(" ", html.unescape(str(value or "")))
    return _SPACES.sub(" ", text.replace("\n", " ")).strip()


def sanitize_html(value: str) -> str:
    """Sanitise HTML to the allowlist; links get ``rel="noopener noreferrer nofollow"``."""
    cleaned = nh3.clean(
        value,
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
    )
    return cleaned.strip()


def clean_description(value: object) -> str:
    """Plain text stays plain text; anything that holds markup is sanitised HTML."""
    if value is None:
        return ""
    text = str(value)
    if _TAG.search(text):
        return sanitize_html(text)
    return clean_text(text)


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
