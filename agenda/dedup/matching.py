"""Whether two listings are the same happening: features, hard rules and a pair score (pure).

Hard rules beat any score: two listings of one source are different events; two
occurrences of one recurring series are different; an opening evening is not the
exhibition it opens; different local dates for timed events never merge; different
cities or far-apart venues never merge. Otherwise title, time and venue evidence give
a score and a verdict: ``match``, ``grey`` (for a person to review) or ``no``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Literal

import msgspec

from agenda.classify import guess_language, kind_of
from agenda.dedup.titles import (
    close,
    is_opening,
    main_title_forms,
    similarity,
    title_forms,
    title_words_and_tokens,
)
from agenda.model import Listing
from agenda.normalize import fold
from agenda.timeutil import AMSTERDAM

KIND_RANK = {"venue": 0, "institution": 1, "aggregator": 2}
DOORS = timedelta(minutes=45)
SPAN = timedelta(hours=20)
Verdict = Literal["match", "grey", "no"]


# Plain data held once per listing: not tracked by the collector (see ``Listing``).
class Features(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """What the matcher needs of one listing, computed once."""

    key: str
    source_id: str
    rank: int
    series_id: str | None
    forms: tuple[str, ...]
    words: frozenset[str]  # word stems of every title form, for blocking crowded slots
    tokens: tuple[str, ...]  # the distinctive words a typo may hide from ``words``
    opening: bool
    city: str | None
    venue_id: str | None
    latitude: float | None
    longitude: float | None
    addresses: frozenset[str]
    postcodes: frozenset[str]
    language: str | None  # of the title, as the source says or as its words show
    kind: str | None
    start: datetime | None  # timed start (UTC-aware)
    first_day: date
    last_day: date
    span: bool  # runs over several days (an exhibition, a festival)


class PairScore(msgspec.Struct, frozen=True, gc=False):
    score: float
    verdict: Verdict
    reasons: tuple[str, ...]
    # The evidence, for rules that look beyond one pair (0 where a rule or veto decided).
    title: float = 0.0
    when: float = 0.0
    where: float = 0.0


def features(
    listing: Listing,
    source_kind: str,
    *,
    city: str | None,
    venue_id: str | None,
    places: tuple[str, ...] = (),
    latitude: float | None = None,
    longitude: float | None = None,
    addresses: tuple[str, ...] = (),
    postcodes: tuple[str, ...] = (),
) -> Features:
    """Precompute a listing's features; ``places`` are names a title may end with."""
    if listing.start is not None:
        first = listing.start.astimezone(AMSTERDAM).date()
        end = listing.end if listing.end is not None and listing.end > listing.start else None
        last = end.astimezone(AMSTERDAM).date() if end is not None else first
        span = end is not None and end - listing.start > SPAN
        if end is not None and not span:
            last = first  # an evening that ends after midnight is still that evening
    else:
        assert listing.start_date is not None
        first = listing.start_date
        last = max(listing.end_date or first, first)
        span = last > first
    forms = title_forms(listing.title, (*places, *(c for c in (city,) if c)), listing.url)
    if span:
        # Exhibitions are often listed by their main title alone ("Delfts blauw voor de
        # wereld" for "Delfts blauw voor de wereld. Aardewerk in de Gouden Eeuw").
        forms = (*forms, *(f for f in main_title_forms(listing.title) if f not in forms))
    words, tokens = title_words_and_tokens(forms)
    return Features(
        key=listing.key,
        source_id=listing.source_id,
        rank=KIND_RANK.get(source_kind, 3),
        series_id=listing.series_id,
        forms=forms,
        words=words,
        tokens=tokens,
        opening=is_opening(listing.title),
        city=city,
        venue_id=venue_id,
        latitude=latitude,
        longitude=longitude,
        addresses=_frozen(a for a in (_address_key(x) for x in addresses) if a),
        postcodes=_frozen(p.replace(" ", "").upper() for p in postcodes if p),
        language=guess_language(listing.title, listing.description) or listing.language,
        kind=kind_of(listing.event_type, listing.categories, listing.title),
        start=listing.start if not span else None,
        first_day=first,
        last_day=last,
        span=span,
    )


def may_agree(a: Features, b: Features) -> bool:
    """Whether two titles that share no word stem can still be one title to
    ``form_similarity``: a title of label words only (``Rondleiding``), the same letters
    spaced otherwise (``Pop up``, ``Popup``), or a word one typo from one of the other's
    (``Rmebrandt``). Titles that pass none of these each name something the other does
    not, which caps their similarity below a match."""
    if not a.words or not b.words:
        return True
    squashed = {f.replace(" ", "") for f in b.forms}
    for form in a.forms:
        if form.replace(" ", "") in squashed:
            return True
    # Asked for every pair of a slot with an unknown venue, which grows with the square
    # of the slot: plain loops, not a generator. Two words one edit apart keep their first
    # or their last letter (an edit touches one end at most); only ``close``'s long words
    # may differ in both.
    for x in a.tokens:
        size, first, last = len(x), x[0], x[-1]
        for y in b.tokens:
            if (
                -2 <= size - len(y) <= 2
                and (first == y[0] or last == y[-1] or size >= 10 or len(y) >= 10)
                and close(x, y)
            ):
                return True
    return False


# Most listings have no address or postcode: one shared empty set instead of two per
# listing, each of which the garbage collector would track and walk.
_EMPTY: frozenset[str] = frozenset()


def _frozen(items: Iterable[str]) -> frozenset[str]:
    return frozenset(items) or _EMPTY


def _address_key(address: str | None) -> str:
    return " ".join(fold(address).split()) if address else ""


def _distance_m(a: Features, b: Features) -> float | None:
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    lat = math.radians((a.latitude + b.latitude) / 2)  # type: ignore[operator]
    dx = math.radians(b.longitude - a.longitude) * math.cos(lat)  # type: ignore[operator]
    dy = math.radians(b.latitude - a.latitude)  # type: ignore[operator]
    return 6_371_000 * math.hypot(dx, dy)


def hard_rule(a: Features, b: Features) -> str | None:
    """The rule that keeps two listings apart whatever their titles say, if any."""
    if a.source_id == b.source_id:
        return "same source: a source never lists one happening twice"
    if a.series_id is not None and a.series_id == b.series_id:
        return "two occurrences of one recurring series"
    if a.opening != b.opening:
        return "an opening evening is not the exhibition it opens"
    if a.city and b.city and a.city != b.city:
        return f"different cities ({a.city}, {b.city})"
    if a.start is not None and b.start is not None and a.first_day != b.first_day:
        return "timed events on different local dates"
    return None


def time_score(a: Features, b: Features) -> tuple[float, str]:
    """0 (incompatible) .. 1 (same instant or same date range), with the reason."""
    if a.span and b.span:
        if a.first_day == b.first_day and a.last_day == b.last_day:
            return 1.0, "same date range"
        if a.last_day < b.first_day or b.last_day < a.first_day:
            return 0.0, "date ranges do not overlap"
        if a.first_day == b.first_day or a.last_day == b.last_day:
            return 0.85, "date ranges share a first or last day"
        overlap = (min(a.last_day, b.last_day) - max(a.first_day, b.first_day)).days + 1
        union = (max(a.last_day, b.last_day) - min(a.first_day, b.first_day)).days + 1
        return 0.6 * overlap / union, "overlapping date ranges"
    if a.span or b.span:
        span, point = (a, b) if a.span else (b, a)
        if point.first_day == span.first_day:
            return 0.6, "one-day listing on the first day of a span"
        return 0.0, "a one-day listing against a longer span"
    if a.start is not None and b.start is not None:
        delta = b.start - a.start
        if delta == timedelta(0):
            return 1.0, "same start"
        early, late = (a, b) if delta > timedelta(0) else (b, a)
        if abs(delta) <= DOORS and early.rank >= late.rank:
            return 0.8, f"starts {abs(delta).seconds // 60} min earlier in a secondary source"
        return 0.0, f"starts {abs(delta).seconds // 60} min apart"
    if a.first_day != b.first_day:
        return 0.0, "different days"
    if a.start is None and b.start is None:
        return 1.0, "same day"
    return 0.7, "a timed listing on an all-day listing's day"


def venue_score(a: Features, b: Features) -> tuple[float, str]:
    if a.venue_id and a.venue_id == b.venue_id:
        return 1.0, "same venue"
    if a.addresses & b.addresses:
        return 0.8, "same street address"
    if not (a.venue_id and b.venue_id):
        return 0.6, "venue unknown on one side"
    distance = _distance_m(a, b)
    if distance is not None and distance < 250:
        return 0.5, f"different venue names {int(distance)} m apart"
    if a.postcodes & b.postcodes:
        return 0.5, "different venue names, same postcode"
    if distance is None:
        return 0.5, "different venue names, no location to compare"
    return 0.0, f"different venues {distance / 1000:.1f} km apart"


def compare(a: Features, b: Features) -> PairScore:
    """Score a pair; the verdict says merge, ask a person, or keep apart."""
    rule = hard_rule(a, b)
    if rule is not None:
        return PairScore(0.0, "no", (rule,))
    when, when_why = time_score(a, b)
    if when <= 0:
        return PairScore(0.0, "no", (when_why,))
    where, where_why = venue_score(a, b)
    if where <= 0:
        return PairScore(0.0, "no", (where_why,))
    title = similarity(a.forms, b.forms)
    score = round(0.6 * title + 0.25 * when + 0.15 * where, 4)
    reasons = (f"title {title:.2f}", when_why, where_why)
    evidence = {"title": title, "when": when, "where": where}
    if (
        (title >= 0.9 and when >= 0.6 and where >= 0.5)
        or (title >= 0.8 and when >= 0.8 and where >= 1.0)
        or (title >= 0.95 and when >= 0.3 and where >= 0.5)
    ):
        return PairScore(score, "match", reasons, **evidence)
    if title >= 0.6 and when >= 0.5:
        return PairScore(score, "grey", reasons, **evidence)
    return PairScore(score, "no", reasons, **evidence)
