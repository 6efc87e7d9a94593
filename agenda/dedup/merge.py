"""Build one event's fields from its member listings, remembering who supplied each field.

Pure: members in, fields and provenance out. The best source wins a field: kind
``venue`` over ``institution`` over ``aggregator``, then the listing key for a stable
tie-break; a field the best source leaves empty comes from the next one. Times take
the more precise value: a timed start beats an all-day one on the same day, while a
multi-day span (an exhibition) keeps the venue's own date range. Categories become the
vocabulary's canonical ids (``agenda.vocabulary``); a source word it does not know stays
on the listing only, and ``/sources`` lists it for a coordinator to map.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from agenda.classify import AUDIENCES, audiences_of, kind_of, says_accessible
from agenda.dedup.cluster import Member
from agenda.dedup.titles import strip_suffix
from agenda.model import SourceRef, VenueRef
from agenda.vocabulary import canonical_all

KIND_RANK = {"venue": 0, "institution": 1, "aggregator": 2}
_FIRST_FILLED = ("url", "language", "price", "is_free", "ticket_url", "image")
DEFAULT_LANGUAGE = "nl"
# A description longer than this is a page dump, not a description.
_SANE_DESCRIPTION = 5000


def rank(member: Member) -> tuple[int, str]:
    return KIND_RANK.get(member.source_kind, 3), member.listing.key


def _own_submission_first(ordered: list[Member]) -> list[Member]:
    """An institution's own submission speaks before its own feed (it is the deliberate,
    newer word of the same people); against every other source the kind rank holds."""
    best = ordered[0].listing.source_id
    own = f"partner-{best}"
    submission = [m for m in ordered if m.listing.source_id == own]
    if not submission:
        return ordered
    return submission + [m for m in ordered if m.listing.source_id != own]


def _timing(ordered: list[Member]) -> Member:
    """The member whose times the event takes."""
    best = ordered[0]
    listing = best.listing
    single_day = listing.start_date is not None and (listing.end_date or listing.start_date) == (
        listing.start_date
    )
    if single_day:
        for member in ordered[1:]:
            start = member.listing.start
            if start is not None and start.date() == listing.start_date:
                return member
    return best


def _classify(ordered: list[Member], fields: dict[str, Any]) -> None:
    """Kind, audience, accessibility and the per-language texts, from every member."""
    for member in ordered:
        listing = member.listing
        kind = kind_of(listing.event_type, listing.categories, listing.title)
        if kind:
            fields["kind"] = kind
            break
    audience: set[str] = set()
    for member in ordered:
        audience.update(audiences_of(member.listing.categories, member.listing.title))
        audience.update(member.listing.audience)  # a partner's own choice
    fields["audience"] = tuple(a for a in AUDIENCES if a in audience)
    said = [m.listing.accessible for m in ordered if m.listing.accessible is not None]
    if said:
        fields["accessible"] = said[0]  # a partner said so in its form: its word wins
    elif any(says_accessible(m.listing.description) for m in ordered):
        fields["accessible"] = True
    titles: dict[str, str] = {}
    descriptions: dict[str, str] = {}
    for member in ordered:
        # A partner's texts per language come first (``ordered`` puts it first anyway).
        for language, text in member.listing.titles.items():
            titles.setdefault(language, text)
        for language, text in member.listing.descriptions.items():
            descriptions.setdefault(language, text)
        language = (member.listing.language or DEFAULT_LANGUAGE).split("-")[0].lower()
        places = (*member.places, *((member.city,) if member.city else ()))
        # "Rembrandt in Leiden | Museum De Lakenhal": the page shows the venue already.
        titles.setdefault(
            language, strip_suffix(member.listing.title, places) or member.listing.title
        )
        if member.listing.description:
            descriptions.setdefault(language, member.listing.description)
    fields["titles"] = titles
    fields["descriptions"] = descriptions


def merge_fields(
    members: Sequence[Member],
    all_refs: Sequence[Member],
    venue_ref: Callable[[Member], VenueRef | None],
) -> dict[str, Any]:
    """Field values for an ``Event`` (without id and bookkeeping) plus ``provenance``.

    ``members`` are the listings that speak for the event (its active ones, or its
    withdrawn ones when none is active); ``all_refs`` are every member, for ``sources``.
    """
    ordered = _own_submission_first(sorted(members, key=rank))
    best = ordered[0].listing
    timing = _timing(ordered).listing
    provenance = {"title": best.source_id, "start": timing.source_id, "status": best.source_id}
    fields: dict[str, Any] = {
        "title": best.title,
        "start": timing.start,
        "start_date": timing.start_date,
        "end": timing.end,
        "end_date": timing.end_date,
        "status": best.status,
    }
    for name in _FIRST_FILLED:
        for member in ordered:
            value = getattr(member.listing, name)
            if value not in (None, ""):
                fields[name] = value
                provenance[name] = member.listing.source_id
                break
    descriptions = [
        m
        for m in ordered
        if m.listing.description and len(m.listing.description) <= _SANE_DESCRIPTION
    ]
    if descriptions:
        longest = max(descriptions, key=lambda m: (len(m.listing.description), -rank(m)[0]))
        fields["description"] = longest.listing.description
        provenance["description"] = longest.listing.source_id
    for member in ordered:
        venue = venue_ref(member)
        if venue is not None:
            fields["venue"] = venue
            provenance["venue"] = member.listing.source_id
            break
    for member in ordered:
        if member.city:
            fields["city"] = member.city
            provenance["city"] = member.listing.source_id
            break
    _classify(ordered, fields)
    # The event speaks the vocabulary's ids; each listing keeps its source's own words.
    words = [category for member in ordered for category in member.listing.categories]
    fields["categories"], _ = canonical_all(words)
    fields["sources"] = tuple(
        SourceRef(source=m.listing.source_id, external_id=m.listing.external_id, url=m.listing.url)
        for m in sorted(all_refs, key=lambda m: m.listing.key)
    )
    fields["provenance"] = provenance
    return fields
