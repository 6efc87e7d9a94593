"""The clash radar: which events compete with a planned one, and how much (pure).

The three cities are 10 to 15 minutes apart by train, so the whole region competes,
the same city most. An event competes more when it runs at the same time (the same
evening above all), shares the plan's category or audience, and is a major event
(a festival, or listed by many sources); a months-long exhibition hardly competes
with one evening.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

import msgspec

from agenda.model import Event
from agenda.normalize import fold, normalize_city
from agenda.timeutil import AMSTERDAM, day_start, to_local
from agenda.vocabulary import canonical

EVENING = time(17, 0)
DEFAULT_LENGTH = timedelta(hours=2)
# A score from these up is a strong or moderate clash; below, a light one. The same
# evening in the same city and category scores 9; the same day elsewhere 2; a running
# exhibition in the same city 2.5.
STRONG = 7.0
MODERATE = 4.0
LEVELS = ("strong", "moderate", "light")


class Plan(msgspec.Struct, frozen=True, kw_only=True):
    """What a marketing team intends: a moment or a day, and what kind of event."""

    start: datetime | None = None
    day: date | None = None
    end: datetime | None = None
    city: str | None = None
    category: str | None = None
    audience: str | None = None


class Clash(msgspec.Struct, frozen=True):
    event: Event
    score: float
    reasons: tuple[str, ...]


def _span(event: Event) -> tuple[datetime, datetime]:
    if event.start is not None:
        return event.start, event.end or event.start + DEFAULT_LENGTH
    assert event.start_date is not None
    last = event.end_date or event.start_date
    return day_start(event.start_date), day_start(last + timedelta(days=1))


def _plan_span(plan: Plan) -> tuple[datetime, datetime]:
    if plan.start is not None:
        return plan.start, plan.end or plan.start + DEFAULT_LENGTH
    assert plan.day is not None
    return day_start(plan.day), day_start(plan.day + timedelta(days=1))


def clash_score(plan: Plan, event: Event) -> Clash | None:
    """How much ``event`` competes with ``plan``; None when it does not at all."""
    plan_start, plan_end = _plan_span(plan)
    start, end = _span(event)
    plan_day = to_local(plan_start).date()
    if end <= day_start(plan_day) or start >= day_start(plan_day + timedelta(days=1)):
        return None
    reasons: list[str] = []
    long_running = end - start > timedelta(hours=20)
    if long_running:
        score, reasons = 0.5, ["runs for days (an exhibition or festival)"]
    elif start < plan_end and end > plan_start:
        score, reasons = 4.0, ["at the same time"]
        if (
            plan.start
            and to_local(plan_start).time() >= EVENING
            and to_local(start).time() >= EVENING
        ):
            score += 1.0
            reasons.append("the same evening")
    else:
        score, reasons = 1.5, ["the same day"]
    if plan.city and event.city:
        if normalize_city(plan.city) == event.city:
            score += 2.0
            reasons.append(f"in {event.city} too")
        else:
            score += 0.5
            reasons.append(f"in {event.city}, nearby")
    if plan.category:
        # A category in any spelling (``Klassiek``, ``classical``) or a kind (``performance``).
        wanted = {canonical(plan.category), fold(plan.category)} - {None, ""}
        if wanted & {*event.categories, event.kind}:
            score += 2.0
            reasons.append(f"also {plan.category}")
    if plan.audience and plan.audience in event.audience:
        score += 1.5
        reasons.append(f"for {plan.audience} too")
    if event.kind == "festival" or len({s.source for s in event.sources}) >= 3:
        score *= 1.5
        reasons.append("a major event")
    if event.withdrawn or event.status == "cancelled":
        return None
    return Clash(event=event, score=round(score, 2), reasons=tuple(reasons))


def clash_level(score: float) -> str:
    """``strong``, ``moderate`` or ``light``: how people read a clash score."""
    if score >= STRONG:
        return "strong"
    return "moderate" if score >= MODERATE else "light"


def rank_clashes(plan: Plan, events: Iterable[Event], limit: int = 20) -> list[Clash]:
    """Competing events, most competing first (ties by start, then id)."""
    found = [c for c in (clash_score(plan, e) for e in events) if c is not None]
    found.sort(key=lambda c: (-c.score, _span(c.event)[0], c.event.id))
    return found[:limit]


def plan_window(plan: Plan) -> tuple[date, date]:
    """The Amsterdam days a plan touches (for reading candidate events)."""
    start, end = _plan_span(plan)
    return start.astimezone(AMSTERDAM).date(), (end - timedelta(seconds=1)).astimezone(
        AMSTERDAM
    ).date()
