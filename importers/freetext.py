"""Values people type into free-text fields, shared by the tribe and spreadsheet importers.

Owns ``zone_from_name`` (IANA names, ``UTC``, and ``UTC+2`` / ``UTC+5:30`` / ``UTC+5.5``
offsets), ``status_from_text`` (cancel/postpone markers opening a title or category, in
Dutch and English) and ``free_from_cost`` (``Gratis``/``Free``/``0`` against a positive
amount). Pure functions: no I/O.
"""

from __future__ import annotations

import re
from datetime import UTC, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from agenda.model import Status
from agenda.sanitize import clean_text

_OFFSET = re.compile(r"^(?:UTC|GMT)?\s*([+-])\s*(\d{1,2})(?:([:.,])(\d{1,2}))?$", re.IGNORECASE)
_CANCELLED = "geannuleerd|afgelast|cancelled|canceled|vervallen|gaat niet door"
_POSTPONED = "uitgesteld|verplaatst|postponed"
# A marker opens the text and is set apart: "Geannuleerd: X", "[AFGELAST] X", "CANCELLED X",
# or is the whole text (a category); "Cancelled Flights" (a title) is not one.
_MARK = {
    status: re.compile(rf"^[\s\[(*!-]*({words})(\s*[^\w\s]|\s|$)", re.IGNORECASE)
    for status, words in (("cancelled", _CANCELLED), ("postponed", _POSTPONED))
}
# "Gratis met museumkaart" is free only for some, so a qualifier after the word is not free.
_FREE = re.compile(
    r"^(gratis|free|vrije? (toegang|entree)|free (entry|admission))\b"
    r"(?!\s+(met|with|bij|voor|for)\b)"
)
_ZERO_PRICE = re.compile(r"^(€|eur)?\s*0+([.,](0+|-))?(\s*(€|eur))?$")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def zone_from_name(name: object) -> tzinfo | None:
    """An IANA zone, ``UTC``, or a fixed ``UTC+2`` / ``UTC+5:30`` / ``UTC+5.5`` offset or None."""
    text = clean_text(name) if isinstance(name, str) else ""
    if not text or len(text) > 64:
        return None
    if text.upper() in ("UTC", "GMT", "Z", "UTC+0", "UTC-0"):
        return UTC
    match = _OFFSET.match(text)
    if match:
        sign, hours, sep, rest = match.groups()
        minutes = 0
        if rest:
            # WordPress stores manual offsets as decimal hours ("UTC+5.5"); people write 5:30.
            minutes = int(rest) if sep == ":" else round(float(f"0.{rest}") * 60)
        if int(hours) > 14 or minutes >= 60:
            return None
        delta = timedelta(hours=int(hours), minutes=minutes)
        return timezone(-delta if sign == "-" else delta)
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def status_from_text(*texts: str) -> Status | None:
    """'cancelled' / 'postponed' when a title or category starts with such a marker."""
    for text in texts:
        for status, marker in _MARK.items():
            found = marker.match(text)
            if found and (found[2].strip() or not found[2] or found[1].isupper()):
                return "cancelled" if status == "cancelled" else "postponed"
    return None


def free_from_cost(cost: str | None) -> bool | None:
    """True for "Gratis"/"Free"/"0", False for a positive amount, None when unclear."""
    text = clean_text(cost).lower()
    if not text:
        return None
    if _FREE.match(text) or _ZERO_PRICE.match(text):
        return True
    numbers = [float(n.replace(",", ".")) for n in _NUMBER.findall(text)]
    if numbers and any(n > 0 for n in numbers):
        return False
    return None
