"""Which listings are the same happening: blocking, pair scores, constrained clustering (pure).

- Candidates come from blocks, never from all pairs: listings starting on the same
  local day (and city), plus multi-day spans of one city whose ranges overlap. The
  cost grows with the listings per day, i.e. near-linearly with the region.
- Pairs are scored by ``agenda.dedup.matching``; matches are merged strongest first, and a
  merge happens only if every member of one cluster is compatible with every member
  of the other (no chaining), and no source would appear twice.
- A person's decisions are applied after the automatic pass, on every run:
  ``together`` groups are merged whatever the rules say, ``apart`` pairs are split.
- The result does not depend on the order of the input.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, datetime

import msgspec

from agenda.dedup.matching import DOORS, Features, PairScore, compare, features, may_agree
from agenda.model import Listing

# Above this many listings starting within one doors-open window, compare by title words.
DENSE = 6


# Plain data held once per listing: not tracked by the collector (see ``Listing``).
class Member(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A listing as the matcher sees it: the record, its source's kind and its resolved place."""

    listing: Listing
    source_kind: str
    city: str | None = None
    # The city is only the source's default: shown on the event, no evidence for matching.
    loose_city: bool = False
    venue_id: str | None = None
    places: tuple[str, ...] = ()
    latitude: float | None = None
    longitude: float | None = None
    addresses: tuple[str, ...] = ()
    postcodes: tuple[str, ...] = ()


class Decisions(msgspec.Struct, frozen=True, kw_only=True):
    """A person's corrections: keys kept together, and (stay, leave) pairs kept apart."""

    together: tuple[tuple[str, ...], ...] = ()
    apart: tuple[tuple[str, str], ...] = ()


class Cluster(msgspec.Struct, frozen=True, gc=False):
    """Listing keys judged to be one happening, sorted, each with why it belongs."""

    keys: tuple[str, ...]
    reasons: tuple[str, ...]


class ReviewPair(msgspec.Struct, frozen=True, gc=False):
    """Two listings in the grey zone: left apart, for a person to decide."""

    a: str
    b: str
    score: float
    reasons: tuple[str, ...]


class Result(msgspec.Struct, frozen=True):
    clusters: tuple[Cluster, ...]
    review: tuple[ReviewPair, ...]


def member_features(member: Member) -> Features:
    return features(
        member.listing,
        member.source_kind,
        city=None if member.loose_city else member.city,
        venue_id=member.venue_id,
        places=member.places,
        latitude=member.latitude,
        longitude=member.longitude,
        addresses=member.addresses,
        postcodes=member.postcodes,
    )


def candidate_pairs(feats: Sequence[Features]) -> set[tuple[str, str]]:
    """Pairs worth scoring: same first day and compatible city, or overlapping spans that
    share something sharper than their dates.

    Within a day, timed listings are compared only with those starting within the
    doors-open window (a sweep over start times), so a busy day costs little more
    than a quiet one; a span meets a one-day listing on its first day only when their
    titles share a word. Spans (exhibitions, festivals) run for months, so "overlapping
    dates in one city" would pair every exhibition with every other: they are paired
    only when they also start on the same day, share a distinctive title word, or share
    a venue and (nearly) their first or last day (see ``_span_pairs``).
    """
    by_day: dict[date, dict[str | None, list[Features]]] = defaultdict(lambda: defaultdict(list))
    spans: dict[str | None, list[Features]] = defaultdict(list)
    for f in feats:
        by_day[f.first_day][f.city].append(f)
        if f.span:
            spans[f.city].append(f)
    pairs: set[tuple[str, str]] = set()

    def add(a: Features, b: Features) -> None:
        if a.source_id != b.source_id:
            pairs.add((a.key, b.key) if a.key < b.key else (b.key, a.key))

    def related(a: Features, b: Features) -> bool:
        """Two listings of one slot worth scoring: a shared title word; else one venue,
        or an unknown venue and titles that may still agree (``may_agree``). Two known,
        different venues: only a shared title word can make them one happening."""
        if a.source_id == b.source_id:
            return False  # a source never lists one happening twice: nothing to score
        if a.words & b.words:
            return True
        if a.venue_id and b.venue_id:
            return a.venue_id == b.venue_id
        return may_agree(a, b)

    for cities in by_day.values():
        unknown = cities.get(None, [])
        for city, group in cities.items():
            _day_pairs(group + unknown if city is not None else group, add, related)
    for city, group in spans.items():
        _span_pairs(group if city is None else group + spans.get(None, []), add)
    return pairs


# A title word shared by more spans of one city than this names no particular exhibition
# ("kunst", "eeuw"): it blocks nothing on its own.
COMMON_WORD = 24
# Spans at one venue are compared when their first or last days are this close.
VENUE_DAYS = 7


def _span_pairs(group: list[Features], add: Callable[[Features, Features], None]) -> None:
    """Overlapping spans of one city that share a distinctive title word, or a venue and
    nearly a first or last day (spans starting on one day meet in ``_day_pairs``)."""
    ordered = sorted(group, key=lambda f: (f.first_day, f.key))
    words: dict[str, list[Features]] = defaultdict(list)
    venues: dict[str, list[Features]] = defaultdict(list)
    for f in ordered:
        for stem in f.words:
            words[stem].append(f)
        if f.venue_id is not None:
            venues[f.venue_id].append(f)
    for bucket in words.values():
        if 1 < len(bucket) <= COMMON_WORD:
            _overlapping(bucket, add)
    for bucket in venues.values():
        if len(bucket) > 1:
            _near_days(bucket, add)


def _near_days(bucket: list[Features], add: Callable[[Features, Features], None]) -> None:
    """Add the overlapping spans of one venue whose first or last days are close.

    A museum shows many exhibitions at once in a dense region: a sweep over the first days
    and one over the last days meet only the close ones, where walking every overlapping
    span cost (spans at the venue) squared.
    """
    for day in (_first, _last):
        ordered = sorted(bucket, key=lambda f: (day(f), f.key))
        for i, a in enumerate(ordered):
            for j in range(i + 1, len(ordered)):
                b = ordered[j]
                if (day(b) - day(a)).days > VENUE_DAYS:
                    break
                if a.first_day <= b.last_day and b.first_day <= a.last_day:
                    add(a, b)


def _first(f: Features) -> date:
    return f.first_day


def _last(f: Features) -> date:
    return f.last_day


def _overlapping(ordered: list[Features], add: Callable[[Features, Features], None]) -> None:
    """Add the pairs of ``ordered`` (by first day) whose date ranges overlap."""
    for i, a in enumerate(ordered):
        for j in range(i + 1, len(ordered)):
            b = ordered[j]
            if b.first_day > a.last_day:
                break
            add(a, b)


def _day_pairs(
    group: list[Features],
    add: Callable[[Features, Features], None],
    related: Callable[[Features, Features], bool],
) -> None:
    timed = sorted((f for f in group if f.start is not None), key=lambda f: (f.start, f.key))
    others = [f for f in group if f.start is None]
    days = [f for f in others if not f.span]
    # A span meets a timed listing on its first day only by a shared title word: found by
    # its words, not by walking every span of the day for every listing of the day.
    spans: dict[str, list[Features]] = defaultdict(list)
    for f in others:
        if f.span:
            for stem in f.words:
                spans[stem].append(f)
    for i, a in enumerate(timed):
        assert a.start is not None
        window: list[Features] = []
        # Indexes, not ``timed[i + 1 :]``: a slice copies the rest of the day for every listing.
        for j in range(i + 1, len(timed)):
            b = timed[j]
            assert b.start is not None
            if b.start - a.start > DOORS:
                break
            window.append(b)
        if len(window) > DENSE:
            # A crowded slot: only listings sharing a title word can be the same happening.
            window = [b for b in window if a.words & b.words]
        for b in window:
            if related(a, b):
                add(a, b)
        if spans:
            for stem in a.words:
                for b in spans.get(stem, ()):
                    add(a, b)
        for b in days:
            if a.words & b.words or related(a, b):
                add(a, b)
    for i, a in enumerate(others):
        for b in others[i + 1 :]:
            if a.words & b.words or (a.span == b.span and related(a, b)):
                add(a, b)


TRANSLATION_SCORE = 0.5
TRANSLATION_REASON = (
    "the only listings of their sources at this venue and minute, titles in different languages"
)


def translation_pairs(
    feats: Sequence[Features], score: Callable[[str, str], PairScore]
) -> set[tuple[str, str]]:
    """Pairs whose titles are translations of each other, recognised by their slot.

    Two sources that each list exactly one event at the same resolved venue at the same
    minute, one title in Dutch and the other in English, of compatible kinds, describe
    one happening even when no word of the titles agrees. Every other rule still holds:
    the pair must pass the hard rules and the time and venue checks.
    """
    slots: dict[tuple[str, datetime], list[Features]] = defaultdict(list)
    for f in feats:
        if f.venue_id is not None and f.start is not None:
            slots[(f.venue_id, f.start)].append(f)
    pairs: set[tuple[str, str]] = set()
    for group in slots.values():
        if len(group) < 2:
            continue
        per_source: dict[str, list[Features]] = defaultdict(list)
        for f in group:
            per_source[f.source_id].append(f)
        single = sorted((fs[0] for fs in per_source.values() if len(fs) == 1), key=lambda f: f.key)
        for i, a in enumerate(single):
            for b in single[i + 1 :]:
                languages = {a.language, b.language}
                if None in languages or len(languages) < 2:
                    continue
                if a.kind and b.kind and a.kind != b.kind:
                    continue
                result = score(a.key, b.key)
                if result.verdict != "match" and result.when >= 1.0 and result.where >= 1.0:
                    pairs.add((a.key, b.key))
    return pairs


def cluster(members: Sequence[Member], decisions: Decisions | None = None) -> Result:
    """Group members into clusters of one happening each, plus the grey pairs to review."""
    decisions = decisions or Decisions()
    feats = {m.listing.key: member_features(m) for m in members}
    # Usually empty: then no pair needs a set of its own to be looked up in it.
    apart = {frozenset(pair) for pair in decisions.apart}
    # Only the scores that can matter are kept: matches (the edges and their reasons) and
    # grey pairs (the review queue). Most candidate pairs end "no"; such a pair is scored
    # again should a merge check ask for it (rare: clusters are small), never stored.
    scores: dict[tuple[str, str], PairScore] = {}

    def score(a: str, b: str) -> PairScore:
        pair = (a, b) if a < b else (b, a)
        found = scores.get(pair)
        if found is None:
            found = compare(feats[pair[0]], feats[pair[1]])
            if found.verdict != "no":
                scores[pair] = found
        return found

    edges: list[tuple[float, str, str]] = []
    for a, b in candidate_pairs(list(feats.values())):
        result = score(a, b)
        if result.verdict == "match" and not (apart and frozenset((a, b)) in apart):
            edges.append((-result.score, a, b))
    translated = translation_pairs(list(feats.values()), score)
    edges.extend(
        (-TRANSLATION_SCORE, a, b)
        for a, b in translated
        if not (apart and frozenset((a, b)) in apart)
    )
    edges.sort()

    groups: dict[str, list[str]] = {key: [key] for key in feats}
    where: dict[str, str] = {key: key for key in feats}
    why: dict[str, str] = {key: "single listing" for key in feats}
    for _, a, b in edges:
        ga, gb = where[a], where[b]
        if ga == gb:
            continue
        left, right = groups[ga], groups[gb]
        if {feats[k].source_id for k in left} & {feats[k].source_id for k in right}:
            continue
        if any(
            (apart and frozenset((x, y)) in apart)
            or (score(x, y).verdict == "no" and (min(x, y), max(x, y)) not in translated)
            for x in left
            for y in right
        ):
            continue
        keep, gone = (ga, gb) if ga < gb else (gb, ga)
        for key in groups[gone]:
            where[key] = keep
        groups[keep].extend(groups.pop(gone))
        reasons = score(a, b).reasons if (a, b) not in translated else (TRANSLATION_REASON,)
        reason = f"matched {a} and {b}: " + ", ".join(reasons)
        for key in (a, b):
            if why[key] == "single listing":
                why[key] = reason

    _apply_together(decisions, feats, groups, where, why)
    _apply_apart(decisions, groups, where, why)

    clusters = tuple(
        sorted(
            (
                Cluster(tuple(sorted(keys)), tuple(why[k] for k in sorted(keys)))
                for keys in groups.values()
            ),
            key=lambda c: c.keys[0],
        )
    )
    review = tuple(
        ReviewPair(a, b, s.score, s.reasons)
        for (a, b), s in sorted(scores.items())
        if s.verdict == "grey" and where[a] != where[b] and frozenset((a, b)) not in apart
    )
    return Result(clusters=clusters, review=review)


def _apply_together(
    decisions: Decisions,
    feats: dict[str, Features],
    groups: dict[str, list[str]],
    where: dict[str, str],
    why: dict[str, str],
) -> None:
    for together in decisions.together:
        present = sorted(k for k in together if k in feats)
        targets = sorted({where[k] for k in present})
        if len(targets) < 2:
            continue
        keep = targets[0]
        for gone in targets[1:]:
            for key in groups[gone]:
                where[key] = keep
            groups[keep].extend(groups.pop(gone))
        for key in present:
            why[key] = "merged by a person"


def _apply_apart(
    decisions: Decisions,
    groups: dict[str, list[str]],
    where: dict[str, str],
    why: dict[str, str],
) -> None:
    for stay, leave in decisions.apart:
        if stay not in where or leave not in where or where[stay] != where[leave]:
            continue
        group = groups[where[leave]]
        group.remove(leave)
        if where[leave] == leave:  # the group was named after the key that leaves
            groups[min(group)] = groups.pop(leave)
            for key in group:
                where[key] = min(group)
        groups[leave] = [leave]
        where[leave] = leave
        why[leave] = "split off by a person"
