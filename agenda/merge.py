"""Build one event's fields from its member listings, remembering who supplied each field.

Pure: members in, fields and provenance out. The best source wins a field: kind
``venue`` over ``institution`` over ``aggregator``, then the listing key for a stable
tie-break; a field the best source leaves empty comes from the next one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agenda.dedup import Member
from agenda.model import SourceRef, VenueRef
from agenda.normalize import normalize_city, slugify

KIND_RANK = {"venue": 0, "institution": 1, "aggregator": 2}
_FIRST_FILLED = (
    "description", "url", "language", "price", "is_free", "ticket_url", "image", "event_type",
)  # fmt: skip


def rank(member: Member) -> tuple[int, str]:
    return KIND_RANK.get(member.source_kind, 3), member.listing.key


def venue_ref(name: str | None, city: str | None) -> VenueRef | None:
    """The venue an event is at; the id is a slug of name and city."""
    if not name or not name.strip():
        return None
    venue_id = slugify(f"{name} {city or ''}")
    return VenueRef(id=venue_id, name=name.strip(), city=city) if venue_id else None


def merge_fields(members: Sequence[Member], all_refs: Sequence[Member]) -> dict[str, Any]:
    """Field values for an ``Event`` (without id and bookkeeping) plus ``provenance``.

    ``members`` are the listings that speak for the event (its active ones, or its
    withdrawn ones when none is active); ``all_refs`` are every member, for ``sources``.
    """
    ordered = sorted(members, key=rank)
    best = ordered[0].listing
    provenance = {"title": best.source_id, "start": best.source_id, "status": best.source_id}
    fields: dict[str, Any] = {
        "title": best.title,
        "start": best.start,
        "start_date": best.start_date,
        "end": best.end,
        "end_date": best.end_date,
        "status": best.status,
    }
    for name in _FIRST_FILLED:
        for member in ordered:
            value = getattr(member.listing, name)
            if value not in (None, ""):
                fields[name] = value
                provenance[name] = member.listing.source_id
                break
    city = next(
        ((normalize_city(m.listing.city), m.listing.source_id) for m in ordered if m.listing.city),
        (None, None),
    )
    fields["city"] = city[0]
    if city[1]:
        provenance["city"] = city[1]
    for member in ordered:
        venue = venue_ref(member.listing.venue_name, fields["city"])
        if venue is not None:
            fields["venue"] = venue
            provenance["venue"] = member.listing.source_id
            break
    categories: list[str] = []
    for member in ordered:
        for category in member.listing.categories:
            if category.casefold() not in {c.casefold() for c in categories}:
                categories.append(category)
    fields["categories"] = tuple(categories)
    fields["sources"] = tuple(
        SourceRef(source=m.listing.source_id, external_id=m.listing.external_id, url=m.listing.url)
        for m in sorted(all_refs, key=lambda m: m.listing.key)
    )
    fields["provenance"] = provenance
    return fields
