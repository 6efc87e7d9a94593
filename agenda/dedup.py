"""Which listings are the same happening: clusters of listing keys (pure, no I/O).

This is the foundation's exact-match engine: listings with the same normalised
title, the same normalised venue and the same start instant (or all-day date) are
one event. Two listings of one source are never merged. The real engine replaces
``cluster`` behind the same signature.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import msgspec

from agenda.model import Listing
from agenda.normalize import normalize_title
from agenda.timeutil import utc_iso


class Member(msgspec.Struct, frozen=True):
    """A listing as the matcher sees it: the record plus its source's kind."""

    listing: Listing
    source_kind: str


class Cluster(msgspec.Struct, frozen=True):
    """Listing keys judged to be one happening, sorted, with the reason."""

    keys: tuple[str, ...]
    reason: str


def _match_key(listing: Listing) -> tuple[str, str, str]:
    when = utc_iso(listing.start) if listing.start else f"day:{listing.start_date}"
    return normalize_title(listing.title), normalize_title(listing.venue_name), when


def cluster(members: Sequence[Member]) -> list[Cluster]:
    """Group members into clusters; the result does not depend on the input order."""
    groups: dict[tuple[str, str, str], list[Listing]] = defaultdict(list)
    for member in members:
        groups[_match_key(member.listing)].append(member.listing)
    clusters: list[Cluster] = []
    for listings in groups.values():
        # One source never lists the same happening twice on purpose: keep them apart.
        parts: list[list[Listing]] = []
        for listing in sorted(listings, key=lambda item: item.key):
            for part in parts:
                if all(other.source_id != listing.source_id for other in part):
                    part.append(listing)
                    break
            else:
                parts.append([listing])
        for part in parts:
            reason = "single listing" if len(part) == 1 else "same title, venue and start"
            clusters.append(Cluster(keys=tuple(item.key for item in part), reason=reason))
    clusters.sort(key=lambda c: c.keys[0])
    return clusters
