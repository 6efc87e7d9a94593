"""The venue gazetteer: known venues and the resolver from a listing's venue text to one id.

Owns `GazetteerVenue`, `Resolution`, `Gazetteer` and `new_venue_id`; taking the venue texts
apart is `agenda.dedup.venue_text`. Pure (stdlib, msgspec, rapidfuzz). The bundled data is
``agenda/data/venues.toml`` (built from the region facts). A venue the gazetteer does not
know gets an id from `new_venue_id`; the caller then `add`s it so later listings naming it
resolve to the same id.

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
from collections.abc import Callable, Container, Iterable, KeysView
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

import msgspec
from rapidfuzz import fuzz, process

from agenda.dedup.venue_text import (
    CITY_SPELLINGS,
    GENERIC,
    NON_PLACES,
    OTHER_CITIES,
    PARENS,
    REGION_CITIES,
    SPLIT,
    VenueQuery,
    city_key,
    drop_article,
    label_keys,
    norm,
    parse_address,
    parse_query,
    postcode_key,
    prep,
    score,
    street_keys,
)
from agenda.normalize import normalize_city, slugify

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


class _CityKeys(NamedTuple):
    """A city's fuzzy keys laid out for one vectorised pass."""

    keys: list[str]
    owners: list[str]  # the venue id of each key
    by_word: dict[str, list[int]]  # distinctive word -> the keys holding it


def _index_keys(index: _CityKeys, venue_id: str, keys: list[str]) -> None:
    for key in keys:
        for word in set(key.split()) - GENERIC:
            index.by_word.setdefault(word, []).append(len(index.keys))
        index.keys.append(key)
        index.owners.append(venue_id)


def _pick(scores: dict[str, float]) -> tuple[str, float] | None:
    """The best venue of those that reached the threshold, only when it clearly beats the
    runner-up (ties go to the smaller id, as candidates are walked in id order)."""
    if not scores:
        return None
    ranked = sorted(sorted(scores.items()), key=lambda pair: -pair[1])
    vid, top = ranked[0]
    if len(ranked) > 1 and top - ranked[1][1] < 5:
        return None
    return vid, top


class Gazetteer:
    """Known venues, indexed for dict lookups first and fuzzy matching per city."""

    def __init__(self, venues: Iterable[GazetteerVenue] = ()) -> None:
        self._venues: dict[str, GazetteerVenue] = {}
        self._names: dict[str, list[tuple[str, bool]]] = {}
        self._keys: dict[str, list[str]] = {}
        self._addresses: dict[tuple[str, int], list[str]] = {}
        self._postcodes: dict[str, list[str]] = {}
        self._by_city: dict[str, list[str]] = {}
        self._city_keys: dict[str, _CityKeys] = {}  # built at first use, extended on add
        self._grid: dict[tuple[int, int], list[str]] = {}  # 0.01-degree cells, > GEO_RADIUS_M
        self._city_of: dict[str, str] = {}
        self._city_names: dict[str, str] = {}  # folded spelling -> city key
        for spelling in (*REGION_CITIES, *CITY_SPELLINGS, *OTHER_CITIES):
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

    def ids(self) -> KeysView[str]:
        """The ids of all venues, as a live view (no copy)."""
        return self._venues.keys()

    def add(self, venue: GazetteerVenue) -> None:
        """Add a (learned) venue; adding the same venue twice is a no-op."""
        known = self._venues.get(venue.id)
        if known is not None:
            if known == venue:
                return
            raise ValueError(f"venue id {venue.id!r} is already taken by another venue")
        city = city_key(venue.city)
        if not city:
            raise ValueError(f"venue {venue.id!r} has no city")
        self._venues[venue.id] = venue
        self._city_of[venue.id] = city
        self._learn_city(venue.city)
        self._by_city.setdefault(city, []).append(venue.id)
        keys: list[str] = []
        for is_name, label in [(True, venue.name)] + [(False, a) for a in venue.aliases]:
            keys_of_label = label_keys(label, city, self._city_names)
            for key in keys_of_label:
                entries = self._names.setdefault(key, [])
                if all(vid != venue.id for vid, _ in entries):
                    entries.append((venue.id, is_name))
            # A label in parts ("Universiteit Leiden: Academiegebouw") matches exactly only:
            # fuzzily, its organisation part alone would already match.
            if len(SPLIT.split(label)) == 1:
                keys.extend(k for k in keys_of_label if k not in keys)
        self._keys[venue.id] = keys
        index = self._city_keys.get(city)
        if index is not None:
            # Extended, not rebuilt: an import learns venues one by one, and rebuilding the
            # city's index after each cost (venues learned) x (venues of the city).
            _index_keys(index, venue.id, keys)
        for address in venue.addresses:
            parsed = parse_address(address)
            if parsed:
                street = "".join(parsed[0])
                for number in parsed[1]:
                    self._addresses.setdefault((street, number), []).append(venue.id)
        for postcode in venue.postcodes:
            self._postcodes.setdefault(postcode_key(postcode), []).append(venue.id)
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
            prep(name),
            prep(address),
            postcode_key(postcode) if postcode else "",
            city_key(city),
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
        if norm(name) in NON_PLACES:
            return None
        query = parse_query(name, address, postcode, city, self._city_names)
        return (
            self._by_name(query)
            or self._by_address(query)
            or self._by_postcode(query)
            or self._by_coordinates(query, coords)
            or self._by_fuzzy_name(query)
        )

    def _by_name(self, query: VenueQuery) -> Resolution | None:
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

    def _by_address(self, query: VenueQuery) -> Resolution | None:
        found: list[str] = []
        for tokens, numbers in query.addresses:
            for street in street_keys(tokens):
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

    def _near(self, venue_id: str, query: VenueQuery) -> bool:
        venue = self._venues[venue_id]
        if any(postcode_key(p) in query.postcodes for p in venue.postcodes):
            return True
        return query.city is not None and self._city_of[venue_id] == query.city

    def _by_postcode(self, query: VenueQuery) -> Resolution | None:
        candidates = [v for p in query.postcodes for v in self._postcodes.get(p, ())]
        best = self._best_fuzzy(query.fuzzy, list(dict.fromkeys(candidates)), POSTCODE_THRESHOLD)
        if best:
            return Resolution(best[0], "postcode+name", round(0.9 * best[1] / 100, 3))
        return None

    def _by_coordinates(
        self, query: VenueQuery, coords: tuple[float, float] | None
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

    def _by_fuzzy_name(self, query: VenueQuery) -> Resolution | None:
        for key, named_city in query.fuzzy:
            city = named_city or query.city
            if city is None or not (set(key.split()) - GENERIC):
                continue
            best = self._best_fuzzy_in_city(key, city, FUZZY_THRESHOLD)
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
        # A venue named only in parts ("Theater Noord - Kleine zaal") has no fuzzy keys
        # (it matches exactly only): it scores nothing here rather than breaking the city.
        scores = {
            vid: max(
                (score(q, k, strict) for q, _ in queries for k in self._keys[vid]), default=0.0
            )
            for vid in candidates
        }
        return _pick({vid: value for vid, value in scores.items() if value >= threshold})

    def _best_fuzzy_in_city(
        self, query: str, city: str, threshold: float
    ) -> tuple[str, float] | None:
        """``_best_fuzzy`` (strict) over every venue of ``city``, the same answer in time
        that hardly grows with the city's venues: a key that shares no distinctive word
        with the query scores its plain ratio, computed for all keys at once by rapidfuzz
        (only those reaching the threshold can change the answer); the few keys sharing a
        word score as ``score`` does. Walking every venue in Python made each unknown
        venue name cost in proportion to the region."""
        index = self._city_index(city)
        if not index.keys:
            return None
        words = set(query.split()) - GENERIC
        shared = {i for word in words for i in index.by_word.get(word, ())}
        best: dict[str, float] = {}

        def keep(i: int, value: float) -> None:
            owner = index.owners[i]
            if value >= threshold and value > best.get(owner, -1.0):
                best[owner] = value

        found = process.extract(
            query, index.keys, scorer=fuzz.ratio, score_cutoff=threshold, limit=None
        )
        for _, value, i in found:
            if i not in shared:
                keep(i, value)
        for i in shared:
            keep(i, score(query, index.keys[i], strict=True))
        return _pick(best)

    def _city_index(self, city: str) -> _CityKeys:
        index = self._city_keys.get(city)
        if index is None:
            index = self._city_keys[city] = _CityKeys([], [], {})
            for vid in self._by_city.get(city, []):
                _index_keys(index, vid, self._keys[vid])
        return index

    # --- the city names venue_text looks up ------------------------------------------------

    def _learn_city(self, spelling: str) -> None:
        city = city_key(spelling)
        if city:
            self._city_names[norm(spelling)] = city
            self._city_names.setdefault(city, city)


def new_venue_id(name: str, city: str | None, taken: Container[str]) -> str:
    """A fresh id for an unknown venue: the name's slug, plus the city (or a number) if taken."""
    first = SPLIT.split(PARENS.sub(" ", prep(name)))[0]
    base = slugify(drop_article(norm(first))) or slugify(norm(name)) or "venue"
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
    return bool(text and text.strip()) and norm(prep(text)) not in NON_PLACES
