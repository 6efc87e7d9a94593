"""Where a partner's own submission and another source disagree about one happening (pure).

A partner listing that joins an event is compared with the event's other listings on
the fields a visitor acts on: when it starts, where, what it is called, and whether it
takes place. Each disagreement is a ``Conflict``: the partner sees it on its event, the
coordinators see it in the review queue, and nobody is silently overruled.

Which value the public event shows follows one precedence rule (``agenda.dedup.merge``):
an institution's own submission wins over its own feed; otherwise the venue's own source
wins over an institution's, which wins over an aggregator's.
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from agenda.dedup.titles import form_similarity, title_forms
from agenda.model import Listing
from agenda.normalize import fold
from agenda.timeutil import to_local

PARTNER_PREFIX = "partner-"
# Titles this alike are the same title written differently ("Lezing: X" / "X").
SAME_TITLE = 0.85


class Conflict(msgspec.Struct, frozen=True):
    """One field on which a partner's listing and another source's listing disagree."""

    field: str  # start | venue | title | status
    partner_key: str
    other_key: str
    ours: str
    theirs: str


def is_partner(listing: Listing) -> bool:
    return listing.source_id.startswith(PARTNER_PREFIX)


def institution_of(source_id: str) -> str:
    """The institution a partner source belongs to (``partner-lakenhal`` -> ``lakenhal``)."""
    return source_id.removeprefix(PARTNER_PREFIX)


def _when(listing: Listing) -> str:
    if listing.start is not None:
        return to_local(listing.start).strftime("%Y-%m-%d %H:%M")
    return listing.start_date.isoformat() if listing.start_date else ""


def _same_title(a: str, b: str) -> bool:
    if fold(a) == fold(b):
        return True
    forms_a, forms_b = title_forms(a), title_forms(b)
    return any(form_similarity(x, y) >= SAME_TITLE for x in forms_a for y in forms_b)


def compare(ours: Listing, theirs: Listing) -> list[Conflict]:
    """The disagreements between a partner listing and one other listing of its event."""
    found: list[Conflict] = []

    def add(field: str, mine: str, other: str) -> None:
        found.append(Conflict(field, ours.key, theirs.key, mine, other))

    mine_when, other_when = _when(ours), _when(theirs)
    # A timed start and an all-day one on the same day do not disagree (precision differs).
    if mine_when and other_when and len(mine_when) == len(other_when) and mine_when != other_when:
        add("start", mine_when, other_when)
    if ours.venue_name and theirs.venue_name and fold(ours.venue_name) != fold(theirs.venue_name):
        mine_words, other_words = (
            set(fold(ours.venue_name).split()),
            set(fold(theirs.venue_name).split()),
        )
        if not (mine_words <= other_words or other_words <= mine_words):
            add("venue", ours.venue_name, theirs.venue_name)
    if not _same_title(ours.title, theirs.title):
        add("title", ours.title, theirs.title)
    if ours.status != theirs.status:
        add("status", ours.status, theirs.status)
    return found


def conflicts_in(listings: Iterable[Listing]) -> list[Conflict]:
    """Every disagreement between a partner listing of an event and its other listings."""
    members = list(listings)
    found: list[Conflict] = []
    for ours in members:
        if not is_partner(ours):
            continue
        for theirs in members:
            if theirs.key != ours.key and theirs.source_id != ours.source_id:
                found.extend(compare(ours, theirs))
    return found
