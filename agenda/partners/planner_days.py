"""What one day of the planner shows, and the period's grid of days.

Pure helpers (no web framework, no store): per day the counts by category and audience,
how many events are hidden (embargoed or partners only), the evening clashes (events in
one city that overlap in the evening and share a category), the themes that run, and in
a week the events themselves; the month's table in weeks and the weekday names. The
period and the days an event takes come from ``agenda.partners.planner_data``. This module must
not import Litestar, query the store, or render templates.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from itertools import combinations
from typing import Any

from babel.dates import format_date

from agenda.model import Event
from agenda.partners.clashes import DEFAULT_LENGTH, EVENING, Plan, clash_score
from agenda.partners.planner_data import Period, by_day, visibility_note
from agenda.themes import Theme
from agenda.timeutil import to_local
from agenda.vocabulary import label as category_label
from agenda.web.i18n import audience_name, city_name, kind_name, labels
from agenda.web.page_data import event_item
from feeds.base import is_cancelled
from feeds.labels import long_day

# --- evening clashes ------------------------------------------------------------------------


def _shared(a: Event, b: Event) -> tuple[str, str, bool] | None:
    """What two events have in common, as clash detection compares it: the first shared
    canonical category, else their kind; (id, id, whether it is a kind) or None."""
    shared = [c for c in a.categories if c in b.categories]
    if shared:
        return shared[0], shared[0], False
    if a.kind and a.kind == b.kind and a.kind != "other":
        return a.kind, a.kind, True
    return None


def _evening(event: Event, day: date) -> bool:
    if event.start is None or is_cancelled(event) or not event.city:
        return False
    start, end = _span(event)
    local = to_local(start)
    return local.date() == day and local.time() >= EVENING and end - start <= timedelta(hours=20)


def _span(event: Event) -> tuple[datetime, datetime]:
    assert event.start is not None
    return event.start, event.end or event.start + DEFAULT_LENGTH


def _overlap(a: Event, b: Event) -> bool:
    (a_start, a_end), (b_start, b_end) = _span(a), _span(b)
    return a_start < b_end and b_start < a_end


def evening_clashes(events: Sequence[Event], day: date) -> list[dict[str, Any]]:
    """Groups of evening events on ``day`` that overlap in one city and share a category.

    Each group's score is the highest ``agenda.partners.clashes.clash_score`` between its members.
    """
    evening = [e for e in events if _evening(e, day)]
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for a, b in combinations(evening, 2):
        if a.city != b.city or not _overlap(a, b):
            continue
        shared = _shared(a, b)
        if shared is None:
            continue
        label, shown, is_kind = shared
        scored = clash_score(Plan(start=a.start, end=a.end, city=a.city, category=label), b)
        if scored is None:
            continue
        empty = {"category": shown, "kind": is_kind, "city": str(a.city), "ids": [], "score": 0.0}
        group = groups.setdefault((str(a.city), label), empty)
        for event in (a, b):
            if event.id not in group["ids"]:
                group["ids"].append(event.id)
        group["score"] = max(group["score"], scored.score)
    return sorted(groups.values(), key=lambda g: (-g["score"], g["city"], g["category"]))


def themes_on(themes: Sequence[Theme], day: date, lang: str) -> list[dict[str, str]]:
    return [
        {"id": t.id, "name": t.name_en if lang == "en" else t.name_nl}
        for t in themes
        if t.start <= day <= t.end
    ]


# --- days and the grid ----------------------------------------------------------------------


def _ranked(counts: Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
    """Most first, then by name."""
    return sorted(counts, key=lambda c: (-c[1], c[0].lower()))


def day_cell(
    day: date,
    events: Sequence[Event],
    themes: Sequence[Theme],
    lang: str,
    today: date,
    listed: bool = True,
) -> dict[str, Any]:
    """One day of the planner: counts, embargoes, clashes, themes and (``listed``) its events."""
    t = labels(lang)
    categories: Counter[str] = Counter()
    shown: dict[str, str] = {}
    audiences: Counter[str] = Counter()
    for event in events:
        # Canonical ids: "Tentoonstelling" and "Exhibition" are one count, in ``lang``.
        names = {c: category_label(c, lang) for c in event.categories} or {"": t["pp_no_category"]}
        for key, name in names.items():
            categories[key] += 1
            shown.setdefault(key, name)
        audiences.update(set(event.audience))
    clashes = evening_clashes(events, day)
    clashing = {i for group in clashes for i in group["ids"]}
    items = []
    for event in events if listed else ():
        item = event_item(event, lang)
        item.update(public=event.visibility == "public", hidden=visibility_note(event, lang),
                    clash=event.id in clashing, kind=kind_name(event.kind, lang))  # fmt: skip
        items.append(item)
    for group in clashes:
        group["city_name"] = city_name(group["city"], lang)
        if group["kind"]:
            group["category"] = kind_name(group["category"], lang)
        else:
            group["category"] = category_label(group["category"], lang)
    return {
        "day": day.isoformat(),
        "number": day.day,
        "heading": long_day(day, lang),
        "is_today": day == today,
        "total": len(events),
        "hidden": sum(1 for e in events if e.visibility != "public"),
        "categories": _ranked((shown[k], n) for k, n in categories.items()),
        "audiences": _ranked((audience_name(a, lang), n) for a, n in audiences.items()),
        "clashes": clashes,
        "themes": themes_on(themes, day, lang),
        "events": items,
    }


def planner_days(
    period: Period, events: Sequence[Event], themes: Sequence[Theme], lang: str, today: date
) -> list[dict[str, Any]]:
    """Every day of the period's grid; days outside the selection carry no events.

    Only a week lists each day's events; a month shows counts and marks.
    """
    days = by_day(events, period.first, period.last)
    cells = []
    day = period.grid_first
    while day <= period.grid_last:
        inside = period.first <= day <= period.last
        found = days.get(day, []) if inside else []
        cell = day_cell(day, found, themes, lang, today, listed=period.view == "week")
        cell["inside"] = inside
        cells.append(cell)
        day += timedelta(days=1)
    return cells


def month_weeks(cells: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"number": date.fromisoformat(cells[i]["day"]).isocalendar()[1], "days": cells[i : i + 7]}
        for i in range(0, len(cells), 7)
    ]


def weekday_names(lang: str) -> list[tuple[str, str]]:
    """(short, full) names, Monday first."""
    monday = date(2027, 1, 4)
    return [
        (format_date(monday + timedelta(days=i), "EEE", locale=lang),
         format_date(monday + timedelta(days=i), "EEEE", locale=lang))
        for i in range(7)
    ]  # fmt: skip
