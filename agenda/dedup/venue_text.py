"""Venue texts taken apart: the text side of the gazetteer (pure).

Normalises names, addresses, postcodes and city names the way `agenda.dedup.gazetteer.Gazetteer`
indexes and looks them up: `prep` and `norm` fold a text, `parse_address` finds a street
and its house numbers, `label_keys` gives the index keys of a venue's name or alias, and
`parse_query` turns a listing's venue fields into a `VenueQuery`. ``NON_PLACES`` holds the
texts that name no place at all. Pure (stdlib, msgspec, rapidfuzz, agenda.normalize).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache

import msgspec
from rapidfuzz import fuzz

from agenda.normalize import fold, normalize_city

REGION_CITIES = ("Den Haag", "Leiden", "Delft")
# Spellings that normalize_city folds to a region city. Looked up once, so that splitting a
# city off a venue name is a dict lookup and not a normalize_city call per word run.
CITY_SPELLINGS = (
    "den haag", "the hague", "s gravenhage", "gravenhage", "la haye", "scheveningen",
    "leiden", "leyden", "delft",
)  # fmt: skip
# Other places agendas name (the facts' out-of-region cities and the region's neighbours), so
# "Wereldmuseum Rotterdam" or "Rijksmuseum, Amsterdam" is read as another city's venue and
# never as a Leiden one that happens to share a word.
OTHER_CITIES = (
    "Amsterdam", "Rotterdam", "Utrecht", "Haarlem", "Dordrecht", "Enkhuizen", "Hoorn",
    "Middelburg", "Leeuwarden", "Oss", "London", "Oxford", "Voorburg", "Rijswijk",
    "Zoetermeer", "Wassenaar", "Leidschendam", "Oegstgeest", "Leiderdorp", "Katwijk",
    "Voorschoten", "Noordwijk", "Alphen aan den Rijn", "Pijnacker", "Nootdorp",
    "Westland", "Schiedam", "Gouda", "Zoeterwoude",
)  # fmt: skip

# Texts that name no place at all (folded). An empty name is "no name", not "no place".
NON_PLACES = frozenset(
    {
        "diverse locaties", "verschillende locaties", "meerdere locaties", "div locaties",
        "various locations", "various venues", "multiple locations", "several locations",
        "online", "online event", "livestream", "live stream", "digitaal", "virtual",
        "nvt", "n v t", "ntb", "n t b", "nb", "n b", "na", "n a", "tba", "tbc", "tbd",
        "onbekend", "unknown", "locatie volgt", "locatie nog niet bekend", "zie website",
        "see website", "none", "null",
    }
)  # fmt: skip
# Words too common to identify a venue on their own in a fuzzy match.
GENERIC = frozenset(
    {
        "museum", "theater", "theatre", "schouwburg", "kerk", "church", "zaal", "hall",
        "grote", "kleine", "groot", "klein", "centrum", "centre", "center", "huis", "podium",
        "foyer", "tuin", "garden", "auditorium", "gebouw", "plein", "straat", "de", "het",
        "the", "van", "aan", "in", "op", "en", "of", "bij", "voor", "t", "s", "leiden",
        "delft", "den", "haag", "sint", "st", "nationaal", "national", "koninklijk",
        "koninklijke", "royal", "stedelijk",
    }
)  # fmt: skip
_ARTICLES = ("het ", "de ", "the ", "t ")
_NON_WORD = re.compile(r"[^\w]+")
PARENS = re.compile(r"\(([^)]*)\)|\[([^\]]*)\]")
SPLIT = re.compile(r"\s*[,;|·•]\s*|\s+[-–—/]\s+|:\s+")
_ABBREVIATIONS = (
    (re.compile(r"\ba/h\b", re.I), "aan het"),
    (re.compile(r"\ba/d\b", re.I), "aan de"),
)
_POSTCODE_ANY = re.compile(r"\b([1-9]\d{3})\s?([A-Za-z]{2})\b")
# In a venue name only a postcode standing as its own part or right after a house number
# counts ("Plein 29, 2511 CS"): "1600 de ..." in free text is not a postcode.
_POSTCODE_PART = re.compile(r"^([1-9]\d{3})\s?([a-z]{2})(?:\s+(.*))?$")
_POSTCODE_AFTER_NUMBER = re.compile(r"\b\d{1,5}[a-z]?\s+([1-9]\d{3})\s?([a-z]{2})\b")
_ADDRESS = re.compile(r"([a-z][a-z ]*?)\s+(\d{1,5})[a-z]{0,2}(?:\s+(\d{1,5})(?=\s|$))?")


class VenueQuery(msgspec.Struct):
    """A venue text taken apart: name keys (with any city they name), postcodes, addresses."""

    names: list[tuple[str, str | None, float]]  # key, city named in it, weight
    fuzzy: list[tuple[str, str | None]]
    city: str | None
    postcodes: list[str]
    addresses: list[tuple[tuple[str, ...], frozenset[int]]]


def prep(text: str | None) -> str:
    """Case, accents and runs of spaces removed; punctuation kept (it separates parts)."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def norm(text: str) -> str:
    """agenda.normalize.fold with runs of spaces collapsed (plus a/h, a/d expanded)."""
    for pattern, repl in _ABBREVIATIONS:
        text = pattern.sub(repl, text)
    if text.isascii():  # fold's result without its (slow) per-character accent pass
        text = _NON_WORD.sub(" ", text.casefold().replace("&", " en ")).replace("_", " ")
    else:
        text = fold(text)
    return " ".join(text.split())


def drop_article(key: str) -> str:
    """A normalised name without a leading article ("de lakenhal" -> "lakenhal")."""
    for article in _ARTICLES:
        if key.startswith(article) and len(key) > len(article):
            return key[len(article) :]
    return key


@lru_cache(maxsize=4096)
def city_key(city: str | None) -> str | None:
    """The folded normal form of a city name, or None."""
    normal = normalize_city(city)
    return (fold(normal) or None) if normal else None


def postcode_key(text: str) -> str:
    """A postcode without spaces, in capitals ("2311 ev" -> "2311EV")."""
    return "".join(text.split()).upper()


def _postcodes_in(text: str, pattern: re.Pattern[str]) -> list[str]:
    return [f"{m.group(1)}{m.group(2).upper()}" for m in pattern.finditer(text)]


def _street_token(word: str) -> str:
    # Common abbreviations in Dutch street names: "St." for Sint, "Breestr." for Breestraat.
    if word == "st":
        return "sint"
    if word.endswith("str") and len(word) > 3:
        return word + "aat"
    return word


def parse_address(text: str) -> tuple[tuple[str, ...], frozenset[int]] | None:
    """Street tokens and the house numbers an address covers ("28-32" covers 28, 30, 32)."""
    folded = norm(_POSTCODE_ANY.sub(" ", text))
    match = _ADDRESS.search(folded)
    if not match:
        return None
    tokens = tuple(_street_token(t) for t in match.group(1).split())
    first = int(match.group(2))
    numbers = {first}
    if match.group(3):
        last = int(match.group(3))
        if first < last <= first + 40 and (last - first) % 2 == 0:
            numbers.update(range(first, last + 1, 2))
        else:
            numbers.add(last)
    return tokens, frozenset(numbers)


def street_keys(tokens: tuple[str, ...]) -> list[str]:
    """The street with ever fewer leading words, for text like "Museum X Oude Singel 28"."""
    keys = ["".join(tokens[i:]) for i in range(len(tokens))]
    return [k for k in keys if len(k) >= 4]


def score(query: str, key: str, strict: bool = False) -> float:
    """token_set_ratio when a distinctive word is shared, else plain ratio (typos only).

    Strict (a name with no location to back it): extra distinctive words in the query
    ("Wereldmuseum Rotterdam" against "Wereldmuseum") count against it (token_sort_ratio).
    """
    words, key_words = set(query.split()), set(key.split())
    if (words & key_words) - GENERIC:
        if strict and (words - key_words) - GENERIC:
            return fuzz.token_sort_ratio(query, key)
        return fuzz.token_set_ratio(query, key)
    return fuzz.ratio(query, key)


# --- taking texts apart; city_names maps a folded spelling to its city key ------------------


def label_keys(label: str, city: str, city_names: Mapping[str, str]) -> list[str]:
    """Index keys of one name: as is, without article, without its own city."""
    key = first = norm(label)
    # A learned venue may be named by a whole location text ("X, Street 1, City"): then
    # its first part is the name proper. Not so for "Universiteit Leiden: Academiegebouw".
    parts = SPLIT.split(PARENS.sub(" ", label))
    if any(parse_address(p) or norm(p) in city_names for p in parts[1:]):
        first = norm(parts[0])
    keys = [key, drop_article(key), first, drop_article(first)]
    stripped, named = strip_city(drop_article(first or key), city_names)
    if named == city and stripped:
        keys.append(drop_article(stripped))
    return [k for k in dict.fromkeys(keys) if k]


def strip_city(key: str, city_names: Mapping[str, str]) -> tuple[str, str | None]:
    """Split a city name off either end: ("lakenhal", "leiden") from "lakenhal leiden"."""
    tokens = key.split()
    for n in range(min(4, len(tokens) - 1), 0, -1):
        tail = city_names.get(" ".join(tokens[-n:]))
        if tail:
            return " ".join(tokens[:-n]), tail
        head = city_names.get(" ".join(tokens[:n]))
        if head:
            return " ".join(tokens[n:]), head
    return key, None


def parse_query(
    name: str, address: str, postcode: str, city: str | None, city_names: Mapping[str, str]
) -> VenueQuery:
    """A listing's (prepared) venue fields taken apart for the resolution steps."""
    outer = PARENS.sub(" ", name)
    inner = [g for m in PARENS.finditer(name) for g in m.groups() if g]
    parts = [p for p in SPLIT.split(outer) if p.strip()]
    # (text, weight): the whole text first, then room suffixes and comma parts.
    pieces = [(name, 1.0), (outer, 0.95)]
    if len(parts) > 1:
        pieces += [(p, 0.95) for p in parts]
    pieces += [(p, 0.9) for p in inner]
    postcodes = [postcode] if postcode else []
    postcodes += _postcodes_in(address, _POSTCODE_ANY)
    postcodes += _postcodes_in(name, _POSTCODE_AFTER_NUMBER)
    for part in parts:
        match = _POSTCODE_PART.match(part.strip())
        if match and (not match.group(3) or norm(match.group(3)) in city_names):
            postcodes.append(f"{match.group(1)}{match.group(2).upper()}")
    text_city: str | None = None
    addresses = []
    for text in [address, *SPLIT.split(address), *parts]:
        parsed = parse_address(text) if text else None
        if parsed:
            addresses.append(parsed)
        rest = city_names.get(norm(_POSTCODE_ANY.sub(" ", text))) if text else None
        if rest and text_city is None:
            text_city = rest
    names: list[tuple[str, str | None, float]] = []
    fuzzy: list[tuple[str, str | None]] = []
    for text, weight in pieces:
        full = norm(text)
        key = drop_article(full)
        if not key or key in NON_PLACES or full in city_names:
            continue
        names.append((full, None, weight))
        names.append((key, None, weight))
        stripped, named = strip_city(key, city_names)
        if named and stripped:
            names.append((drop_article(stripped), named, weight))
        if not any(ch.isdigit() for ch in key):
            fuzzy.append((drop_article(stripped) if named else key, named))
    return VenueQuery(
        names=list(dict.fromkeys(names)),
        fuzzy=list(dict.fromkeys(fuzzy)),
        city=text_city or city,
        postcodes=list(dict.fromkeys(postcodes)),
        addresses=addresses,
    )
