"""The venue gazetteer: known venues and the resolver from a listing's venue text to one id.

Owns `GazetteerVenue`, `Resolution`, `Gazetteer` and `new_venue_id`. Pure (stdlib,
msgspec, rapidfuzz). The bundled data is ``agenda/data/venues.toml`` (built from the region
facts). A venue the gazetteer does not know gets an id from `new_venue_id`; the caller then
`add`s it so later listings naming it resolve to the same id.

Resolution order, first hit wins (a false merge is worse than a missed one, so every step
refuses ties):
1. exact name or alias after normalisation (also without articles, a city name, a room
   suffix, or as one comma part) - never in a city other than the one given or named;
2. street address plus house number, in the same city or with a matching postcode;
3. postcode plus a fuzzy name (token_set_ratio >= 80);
4. coordinates nearby plus a fuzzy name (>= 70);
5. a fuzzy name alone (>= 92) within the same city.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from importlib import resources

import msgspec
from rapidfuzz import fuzz

from agenda.normalize import fold, normalize_city, slugify

REGION_CITIES = ("Den Haag", "Leiden", "Delft")
# Spellings that normalize_city folds to a region city. Looked up once, so that splitting a
# city off a venue name is a dict lookup and not a normalize_city call per word run.
_CITY_SPELLINGS = (
    "den haag", "the hague", "s gravenhage", "gravenhage", "la haye", "scheveningen",
    "leiden", "leyden", "delft",
)  # fmt: skip
# Other places agendas name (the facts' out-of-region cities and the region's neighbours), so
# "Wereldmuseum Rotterdam" or "Rijksmuseum, Amsterdam" is read as another city's venue and
# never as a Leiden one that happens to share a word.
_OTHER_CITIES = (
    "Amsterdam", "Rotterdam", "Utrecht", "Haarlem", "Dordrecht", "Enkhuizen", "Hoorn",
    "Middelburg", "Leeuwarden", "Oss", "London", "Oxford", "Voorburg", "Rijswijk",
    "Zoetermeer", "Wassenaar", "Leidschendam", "Oegstgeest", "Leiderdorp", "Katwijk",
    "Voorschoten", "Noordwijk", "Alphen aan den Rijn", "Pijnacker", "Nootdorp",
    "Westland", "Schiedam", "Gouda", "Zoeterwoude",
)  # fmt: skip
POSTCODE_THRESHOLD = 80.0
GEO_THRESHOLD = 70.0
FUZZY_THRESHOLD = 92.0
# The bundled coordinates are approximate (about 150 m), so allow a little more than that.
GEO_RADIUS_M = 200.0


class GazetteerVenue(msgspec.Struct, frozen=True):
    """One venue: a stable id, its names, street addresses and location."""

    id: str
    name: str
    city: str
    aliases: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    postcodes: tuple[str, ...] = ()
    latitude: float | None = None
    longitude: float | None = None
    kind: str | None = None


class Resolution(msgspec.Struct, frozen=True):
    """Which venue a text denotes, by which rule, and how sure that is (0..1)."""

    venue_id: str
    how: str
    confidence: float


class _Record(msgspec.Struct, forbid_unknown_fields=True):
    """One ``[[venue]]`` table of the data file."""

    id: str
    name: str
    city: str
    aliases: list[str] = []
    address: str | None = None
    extra_addresses: list[str] = []
    postcode: str | None = None
    extra_postcodes: list[str] = []
    latitude: float | None = None
    longitude: float | None = None
    kind: str | None = None
    uncertain: list[str] = []
    note: str | None = None


class _DataFile(msgspec.Struct, forbid_unknown_fields=True):
    venue: list[_Record]


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
_GENERIC = frozenset(
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
_PARENS = re.compile(r"\(([^)]*)\)|\[([^\]]*)\]")
_SPLIT = re.compile(r"\s*[,;|·•]\s*|\s+[-–—/]\s+|:\s+")
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


def _prep(text: str | None) -> str:
    """Case, accents and runs of spaces removed; punctuation kept (it separates parts)."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def _norm(text: str) -> str:
    """agenda.normalize.fold with runs of spaces collapsed (plus a/h, a/d expanded)."""
    for pattern, repl in _ABBREVIATIONS:
        text = pattern.sub(repl, text)
    if text.isascii():  # fold's result without its (slow) per-character accent pass
        text = _NON_WORD.sub(" ", text.casefold().replace("&", " en ")).replace("_", " ")
    else:
        text = fold(text)
    return " ".join(text.split())


def _drop_article(key: str) -> str:
    for article in _ARTICLES:
        if key.startswith(article) and len(key) > len(article):
            return key[len(article) :]
    return key


@lru_cache(maxsize=4096)
def _city_key(city: str | None) -> str | None:
    normal = normalize_city(city)
    return (fold(normal) or None) if normal else None


def _postcode_key(text: str) -> str:
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


def _parse_address(text: str) -> tuple[tuple[str, ...], frozenset[int]] | None:
    """Street tokens and the house numbers an address covers ("28-32" covers 28, 30, 32)."""
    folded = _norm(_POSTCODE_ANY.sub(" ", text))
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


def _street_keys(tokens: tuple[str, ...]) -> list[str]:
    """The street with ever fewer leading words, for text like "Museum X Oude Singel 28"."""
    keys = ["".join(tokens[i:]) for i in range(len(tokens))]
    return [k for k in keys if len(k) >= 4]


def _score(query: str, key: str, strict: bool = False) -> float:
    """token_set_ratio when a distinctive word is shared, else plain ratio (typos only).

    Strict (a name with no location to back it): extra distinctive words in the query
    ("Wereldmuseum Rotterdam" against "Wereldmuseum") count against it (token_sort_ratio).
    """
    words, key_words = set(query.split()), set(key.split())
    if (words & key_words) - _GENERIC:
        if strict and (words - key_words) - _GENERIC:
            return fuzz.token_sort_ratio(query, key)
        return fuzz.token_set_ratio(query, key)
    return fuzz.ratio(query, key)


def _distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6_371_000.0 * math.hypot(x, y)


def _fix_coordinates(lat: float | None, lon: float | None) -> tuple[float, float] | None:
    if lat is None or lon is None or (lat == 0 and lon == 0):
        return None  # 0,0 means "missing" in the NUB feeds
    if 3 <= lat <= 8 and 50 <= lon <= 54:
        lat, lon = lon, lat  # x/y swapped (the NDTRC xcoordinate/ycoordinate trap)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


class _Query(msgspec.Struct):
    """A venue text taken apart: name keys (with any city they name), postcodes, addresses."""

    names: list[tuple[str, str | None, float]]  # key, city named in it, weight
    fuzzy: list[tuple[str, str | None]]
    city: str | None
    postcodes: list[str]
    addresses: list[tuple[tuple[str, ...], frozenset[int]]]


class Gazetteer:
    """Known venues, indexed for dict lookups first and fuzzy matching per city."""

    def __init__(self, venues: Iterable[GazetteerVenue] = ()) -> None:
        self._venues: dict[str, GazetteerVenue] = {}
        self._names: dict[str, list[tuple[str, bool]]] = {}
        self._keys: dict[str, list[str]] = {}
        self._addresses: dict[tuple[str, int], list[str]] = {}
        self._postcodes: dict[str, list[str]] = {}
        self._by_city: dict[str, list[str]] = {}
        self._grid: dict[tuple[int, int], list[str]] = {}  # 0.01-degree cells, > GEO_RADIUS_M
        self._city_of: dict[str, str] = {}
        self._city_names: dict[str, str] = {}  # folded spelling -> city key
        for spelling in (*REGION_CITIES, *_CITY_SPELLINGS, *_OTHER_CITIES):
            self._learn_city(spelling)
        self._cached: Callable[..., Resolution | None] = lru_cache(maxsize=65536)(self._resolve)
        for venue in venues:
            self.add(venue)

    @classmethod
    def bundled(cls) -> Gazetteer:
        """A new gazetteer holding the bundled venues (``agenda/data/venues.toml``)."""
        return cls(_bundled_venues())

    def get(self, venue_id: str) -> GazetteerVenue | None:
        """The venue with this id, or None."""
        return self._venues.get(venue_id)

    def venues(self) -> tuple[GazetteerVenue, ...]:
        """All venues, in the order they were added."""
        return tuple(self._venues.values())

    def add(self, venue: GazetteerVenue) -> None:
        """Add a (learned) venue; adding the same venue twice is a no-op."""
        known = self._venues.get(venue.id)
        if known is not None:
            if known == venue:
                return
            raise ValueError(f"venue id {venue.id!r} is already taken by another venue")
        city = _city_key(venue.city)
        if not city:
            raise ValueError(f"venue {venue.id!r} has no city")
        self._venues[venue.id] = venue
        self._city_of[venue.id] = city
        self._learn_city(venue.city)
        self._by_city.setdefault(city, []).append(venue.id)
        keys: list[str] = []
        for is_name, label in [(True, venue.name)] + [(False, a) for a in venue.aliases]:
            label_keys = self._label_keys(label, city)
            for key in label_keys:
                entries = self._names.setdefault(key, [])
                if all(vid != venue.id for vid, _ in entries):
                    entries.append((venue.id, is_name))
            # A label in parts ("Universiteit Leiden: Academiegebouw") matches exactly only:
            # fuzzily, its organisation part alone would already match.
            if len(_SPLIT.split(label)) == 1:
                keys.extend(k for k in label_keys if k not in keys)
        self._keys[venue.id] = keys
        for address in venue.addresses:
            parsed = _parse_address(address)
            if parsed:
                street = "".join(parsed[0])
                for number in parsed[1]:
                    self._addresses.setdefault((street, number), []).append(venue.id)
        for postcode in venue.postcodes:
            self._postcodes.setdefault(_postcode_key(postcode), []).append(venue.id)
        if venue.latitude is not None and venue.longitude is not None:
            cell = (round(venue.latitude * 100), round(venue.longitude * 100))
            self._grid.setdefault(cell, []).append(venue.id)
        self._cached.cache_clear()  # type: ignore[attr-defined]

    def resolve(
        self,
        name: str | None,
        address: str | None = None,
        postcode: str | None = None,
        city: str | None = None,
        latitude: float | None = None,
        longitude: float | None = None,
    ) -> Resolution | None:
        """The known venue a listing's venue fields denote, or None."""
        coords = _fix_coordinates(latitude, longitude)
        return self._cached(
            _prep(name),
            _prep(address),
            _postcode_key(postcode) if postcode else "",
            _city_key(city),
            (round(coords[0], 5), round(coords[1], 5)) if coords else None,
        )

    # --- resolution steps, on normalised inputs (cached) -----------------------------------

    def _resolve(
        self,
        name: str,
        address: str,
        postcode: str,
        city: str | None,
        coords: tuple[float, float] | None,
    ) -> Resolution | None:
        if _norm(name) in NON_PLACES:
            return None
        query = self._parse_query(name, address, postcode, city)
        return (
            self._by_name(query)
            or self._by_address(query)
            or self._by_postcode(query)
            or self._by_coordinates(query, coords)
            or self._by_fuzzy_name(query)
        )

    def _by_name(self, query: _Query) -> Resolution | None:
        for key, named_city, weight in query.names:
            wanted = named_city or query.city
            hits = {
                vid: is_name
                for vid, is_name in self._names.get(key, ())
                if wanted is None or self._city_of[vid] == wanted
            }
            if len(hits) == 1:
                vid, is_name = next(iter(hits.items()))
                how, confidence = ("name", 1.0) if is_name else ("alias", 0.97)
                return Resolution(vid, how, round(confidence * weight, 3))
        return None

    def _by_address(self, query: _Query) -> Resolution | None:
        found: list[str] = []
        for tokens, numbers in query.addresses:
            for street in _street_keys(tokens):
                hits = [v for n in sorted(numbers) for v in self._addresses.get((street, n), ())]
                if hits:
                    found.extend(v for v in hits if v not in found)
                    break
        found = [v for v in found if self._near(v, query)]
        if len(found) == 1:
            return Resolution(found[0], "address", 0.9)
        if len(found) > 1:  # one address, several venues (Amare and the Conservatorium)
            best = self._best_fuzzy(query.fuzzy, found, 60.0)
            if best:
                return Resolution(best[0], "address+name", round(0.9 * best[1] / 100, 3))
        return None

    def _near(self, venue_id: str, query: _Query) -> bool:
        venue = self._venues[venue_id]
        if any(_postcode_key(p) in query.postcodes for p in venue.postcodes):
            return True
        return query.city is not None and self._city_of[venue_id] == query.city

    def _by_postcode(self, query: _Query) -> Resolution | None:
        candidates = [v for p in query.postcodes for v in self._postcodes.get(p, ())]
        best = self._best_fuzzy(query.fuzzy, list(dict.fromkeys(candidates)), POSTCODE_THRESHOLD)
        if best:
            return Resolution(best[0], "postcode+name", round(0.9 * best[1] / 100, 3))
        return None

    def _by_coordinates(
        self, query: _Query, coords: tuple[float, float] | None
    ) -> Resolution | None:
        if coords is None:
            return None
        row, col = round(coords[0] * 100), round(coords[1] * 100)
        cells = [(r, c) for r in (row - 1, row, row + 1) for c in (col - 1, col, col + 1)]
        nearby = [
            vid
            for cell in cells
            for vid in self._grid.get(cell, ())
            if _distance_m(*coords, *self._location(vid)) <= GEO_RADIUS_M
        ]
        best = self._best_fuzzy(query.fuzzy, nearby, GEO_THRESHOLD)
        if best:
            return Resolution(best[0], "geo+name", round(0.85 * best[1] / 100, 3))
        return None

    def _location(self, venue_id: str) -> tuple[float, float]:
        venue = self._venues[venue_id]
        return venue.latitude or 0.0, venue.longitude or 0.0

    def _by_fuzzy_name(self, query: _Query) -> Resolution | None:
        for key, named_city in query.fuzzy:
            city = named_city or query.city
            if city is None or not (set(key.split()) - _GENERIC):
                continue
            candidates = self._by_city.get(city, [])
            best = self._best_fuzzy([(key, None)], candidates, FUZZY_THRESHOLD, strict=True)
            if best:
                return Resolution(best[0], "fuzzy", round(0.8 * best[1] / 100, 3))
        return None

    def _best_fuzzy(
        self,
        queries: list[tuple[str, str | None]],
        candidates: list[str],
        threshold: float,
        strict: bool = False,
    ) -> tuple[str, float] | None:
        """The best-scoring candidate, only when it clearly beats the runner-up."""
        if not candidates or not queries:
            return None
        scores = sorted(
            (
                (max(_score(q, k, strict) for q, _ in queries for k in self._keys[vid]), vid)
                for vid in sorted(candidates)
            ),
            key=lambda pair: -pair[0],
        )
        top, vid = scores[0]
        if top < threshold:
            return None
        if len(scores) > 1 and scores[1][0] >= threshold and top - scores[1][0] < 5:
            return None
        return vid, top

    # --- taking texts apart ----------------------------------------------------------------

    def _learn_city(self, spelling: str) -> None:
        city = _city_key(spelling)
        if city:
            self._city_names[_norm(spelling)] = city
            self._city_names.setdefault(city, city)

    def _label_keys(self, label: str, city: str) -> list[str]:
        """Index keys of one name: as is, without article, without its own city."""
        key = first = _norm(label)
        # A learned venue may be named by a whole location text ("X, Street 1, City"): then
        # its first part is the name proper. Not so for "Universiteit Leiden: Academiegebouw".
        parts = _SPLIT.split(_PARENS.sub(" ", label))
        if any(_parse_address(p) or _norm(p) in self._city_names for p in parts[1:]):
            first = _norm(parts[0])
        keys = [key, _drop_article(key), first, _drop_article(first)]
        stripped, named = self._strip_city(_drop_article(first or key))
        if named == city and stripped:
            keys.append(_drop_article(stripped))
        return [k for k in dict.fromkeys(keys) if k]

    def _strip_city(self, key: str) -> tuple[str, str | None]:
        """Split a city name off either end: ("lakenhal", "leiden") from "lakenhal leiden"."""
        tokens = key.split()
        for n in range(min(4, len(tokens) - 1), 0, -1):
            tail = self._city_names.get(" ".join(tokens[-n:]))
            if tail:
                return " ".join(tokens[:-n]), tail
            head = self._city_names.get(" ".join(tokens[:n]))
            if head:
                return " ".join(tokens[n:]), head
        return key, None

    def _parse_query(self, name: str, address: str, postcode: str, city: str | None) -> _Query:
        outer = _PARENS.sub(" ", name)
        inner = [g for m in _PARENS.finditer(name) for g in m.groups() if g]
        parts = [p for p in _SPLIT.split(outer) if p.strip()]
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
            if match and (not match.group(3) or _norm(match.group(3)) in self._city_names):
                postcodes.append(f"{match.group(1)}{match.group(2).upper()}")
        text_city: str | None = None
        addresses = []
        for text in [address, *_SPLIT.split(address), *parts]:
            parsed = _parse_address(text) if text else None
            if parsed:
                addresses.append(parsed)
            rest = self._city_names.get(_norm(_POSTCODE_ANY.sub(" ", text))) if text else None
            if rest and text_city is None:
                text_city = rest
        names: list[tuple[str, str | None, float]] = []
        fuzzy: list[tuple[str, str | None]] = []
        for text, weight in pieces:
            full = _norm(text)
            key = _drop_article(full)
            if not key or key in NON_PLACES or full in self._city_names:
                continue
            names.append((full, None, weight))
            names.append((key, None, weight))
            stripped, named = self._strip_city(key)
            if named and stripped:
                names.append((_drop_article(stripped), named, weight))
            if not any(ch.isdigit() for ch in key):
                fuzzy.append((_drop_article(stripped) if named else key, named))
        return _Query(
            names=list(dict.fromkeys(names)),
            fuzzy=list(dict.fromkeys(fuzzy)),
            city=text_city or city,
            postcodes=list(dict.fromkeys(postcodes)),
            addresses=addresses,
        )


def new_venue_id(name: str, city: str | None, taken: set[str]) -> str:
    """A fresh id for an unknown venue: the name's slug, plus the city (or a number) if taken."""
    first = _SPLIT.split(_PARENS.sub(" ", _prep(name)))[0]
    base = slugify(_drop_article(_norm(first))) or slugify(_norm(name)) or "venue"
    candidates = [base]
    city_slug = slugify(normalize_city(city))
    if city_slug and not base.endswith(city_slug):
        candidates.append(f"{base}-{city_slug}")
    for candidate in candidates:
        if candidate not in taken:
            return candidate
    number = 2
    while f"{candidates[-1]}-{number}" in taken:
        number += 1
    return f"{candidates[-1]}-{number}"


def load_venues(data: bytes) -> tuple[GazetteerVenue, ...]:
    """Venues from gazetteer TOML (the bundled file's format); raises on a bad file."""
    records = msgspec.toml.decode(data, type=_DataFile).venue
    seen: set[str] = set()
    venues = []
    for r in records:
        if r.id in seen:
            raise ValueError(f"duplicate venue id {r.id!r}")
        seen.add(r.id)
        unknown = set(r.uncertain) - set(_Record.__struct_fields__)
        if unknown:
            raise ValueError(f"venue {r.id!r}: unknown uncertain fields {sorted(unknown)}")
        venues.append(
            GazetteerVenue(
                id=r.id,
                name=r.name,
                city=r.city,
                aliases=tuple(r.aliases),
                addresses=tuple(a for a in [r.address, *r.extra_addresses] if a),
                postcodes=tuple(p for p in [r.postcode, *r.extra_postcodes] if p),
                latitude=r.latitude,
                longitude=r.longitude,
                kind=r.kind,
            )
        )
    return tuple(venues)


@lru_cache(maxsize=1)
def _bundled_venues() -> tuple[GazetteerVenue, ...]:
    data = resources.files("agenda").joinpath("data/venues.toml").read_bytes()
    return load_venues(data)


def is_place_name(text: str | None) -> bool:
    """Whether a venue text names a place at all (not "Diverse locaties", "Online", "n.t.b.")."""
    return bool(text and text.strip()) and _norm(_prep(text)) not in NON_PLACES
