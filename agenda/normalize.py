"""Normalisation of titles, names and cities for comparison (pure, no I/O).

Normalised strings are for matching only; what people see keeps the source's text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_SLUG = re.compile(r"[^a-z0-9]+")

# Spellings of the region's cities, folded to one name each.
_CITY_ALIASES = {
    "den haag": "Den Haag",
    "the hague": "Den Haag",
    "s gravenhage": "Den Haag",
    "gravenhage": "Den Haag",
    "la haye": "Den Haag",
    "den haag centrum": "Den Haag",
    "scheveningen": "Den Haag",
    "leiden": "Leiden",
    "leyden": "Leiden",
    "delft": "Delft",
}
KNOWN_CITIES = frozenset(_CITY_ALIASES.values())


# Deduplication folds the same titles, venues and words again and again (about ten times
# per listing): remembered, and ASCII text skips the Unicode decomposition.
@lru_cache(maxsize=1 << 16)
def fold(text: str | None) -> str:
    """Lower case, accents removed, punctuation to single spaces."""
    return fold_once(text)


def fold_once(text: str | None) -> str:
    """``fold`` for text folded once (a description): not remembered, where it would
    only take memory and push out the names and words that are folded again."""
    if not text:
        return ""
    if text.isascii():
        stripped = text
    else:
        decomposed = unicodedata.normalize("NFKD", text)
        stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    stripped = stripped.replace("&", " en ")
    return _NON_WORD.sub(" ", stripped.casefold()).replace("_", " ").strip()


def normalize_city(city: str | None) -> str | None:
    """One spelling per city: ``'s-Gravenhage`` and ``The Hague`` are ``Den Haag``."""
    if not city or not city.strip():
        return None
    key = " ".join(fold(city).split())
    if key in _CITY_ALIASES:
        return _CITY_ALIASES[key]
    return " ".join(w[:1].upper() + w[1:] for w in city.strip().split())


def slugify(text: str | None, *, max_length: int = 60) -> str:
    """An ASCII slug for ids and urls; '' when nothing is left."""
    return _SLUG.sub("-", fold(text)).strip("-")[:max_length].strip("-")
