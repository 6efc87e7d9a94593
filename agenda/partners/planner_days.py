"""What the planner shows: per day its events by title, clashes, holds; spans as bands.

Pure helpers (no web framework, no store). A month shows each day's first titles (then
"+4 more"), its clashes with the events that clash and its level in words, and, per
week, exhibitions, festivals and theme periods as bands across the days they cover
(never repeated in every cell). A week is a time grid: each day's timed events at their
hour, multi-day spans and all-day events as bands on top. Holds (dates partners
pencilled in, ``agenda.partners.holds``) appear beside events, marked, and count in the
clashes. The period and the days an event takes come from ``agenda.partners.planner_data``.
This module must not import Litestar, query the store, or render templates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from itertools import combinations
from typing import Any

from babel.dates import format_date

from agenda.model import Event
from agenda.partners.clashes import DEFAULT_LENGTH, EVENING, Plan, clash_level, clash_score
from agenda.partners.holds import HOLD_PREFIX, Hold
from agenda.partners.planner_data import Period, day_range, visibility_note
from agenda.themes import Theme
from agenda.timeutil import to_local
from agenda.vocabulary import label as category_label
from agenda.web.i18n import city_name, kind_name, labels
from agenda.web.page_data import event_item
from feeds.base import is_cancelled
from feeds.labels import clock, long_day, short_day

MONTH_SHOWN = 3  # titles per day in a month; the rest is "+N more"
BANDS_SHOWN = 8  # bands per week; the rest is "+N more" (the week view lists them all)
GRID_FIRST_HOUR = 8  # the week's time grid runs from 08:00 to midnight in half hours
GRID_ROWS = 32
LANES = 4  # events side by side in one day column
NO_HOLDS: Mapping[str, Hold] = {}

# --- evening clashes ------------------------------------------------------------------------


def _shared(a: Event, b: Event) -> tuple[str, bool] | None:
    """What two events have in common, as clash detection compares it: the first shared
    canonical category, else their kind; (id, whether it is a kind) or None."""
    shared = [c for c in a.categories if c in b.categories]
    if shared:
        return shared[0], False
    if a.kind and a.kind == b.kind and a.kind != "other":
        return a.kind, True
    return None


def _span(event: Event) -> tuple[datetime, datetime]:
    assert event.start is not None
    return event.start, event.end or event.start + DEFAULT_LENGTH


def _evening(event: Event, day: date) -> bool:
    if event.start is None or is_cancelled(event) or not event.city:
        return False
    start, end = _span(event)
    local = to_local(start)
    return local.date() == day and local.time() >= EVENING and end - start <= timedelta(hours=20)


def _overlap(a: Event, b: Event) -> bool:
    (a_start, a_end), (b_start, b_end) = _span(a), _span(b)
    return a_start < b_end and b_start < a_end


def evening_clashes(events: Sequence[Event], day: date) -> list[dict[str, Any]]:
    """Groups of evening events on ``day`` that overlap in one city and share a category.

    Each group's score is the highest ``agenda.partners.clashes.clash_score`` between its
    members; ``ids`` are its events (holds as ``hold-ID``) in start order.
    """
    evening = sorted((e for e in events if _evening(e, day)), key=lambda e: (e.start, e.id))
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for a, b in combinations(evening, 2):
        if a.city != b.city or not _overlap(a, b):
            continue
        shared = _shared(a, b)
        if shared is None:
            continue
        label, is_kind = shared
        scored = clash_score(Plan(start=a.start, end=a.end, city=a.city, category=label), b)
        if scored is None:
            continue
        empty = {"category": label, "kind": is_kind, "city": str(a.city), "ids": [], "score": 0.0}
        group = groups.setdefault((str(a.city), label), empty)
        for event in (a, b):
            if event.id not in group["ids"]:
                group["ids"].append(event.id)
        group["score"] = max(group["score"], scored.score)
    return sorted(groups.values(), key=lambda g: (-g["score"], g["city"], g["category"]))


# --- events, holds and bands ----------------------------------------------------------------


def is_span(event: Event) -> bool:
    """Exhibitions, festivals and anything else that runs for more than one day."""
    first, last = day_range(event)
    return last > first


def _item(
    event: Event, lang: str, titles: dict[str, str], holds: Mapping[str, Hold]
) -> dict[str, Any]:
    """One line of the planner: an event, or a hold (``hold``: whose it is)."""
    t = labels(lang)
    hold = holds.get(event.id)
    if hold is not None:
        what = category_label(hold.category, lang)
        title = f"{t['hold_label']}: {hold.title or what}"
        start = to_local(event.start) if event.start else None
        who = t["hold_by"].format(who=hold.partner)
        return {
            "id": event.id, "title": title, "title_lang": lang, "public": False,
            "hold": who, "what": what, "city": city_name(event.city, lang),
            "time": clock(start, lang) if start else t["all_day"],
            "start_time": clock(start, lang) if start else "",
            "datetime": start.isoformat() if start else hold.day.isoformat(), "hidden": "",
            "status": "scheduled", "venue": "", "kind": what,
        }  # fmt: skip
    item = event_item(event, lang)
    item.update(public=event.visibility == "public", hidden=visibility_note(event, lang),
                kind=kind_name(event.kind, lang), hold="",
                start_time=clock(event.start, lang) if event.start else "")  # fmt: skip
    titles[event.id] = item["title"]
    return item


def _clash_rows(
    groups: list[dict[str, Any]], titles: dict[str, str], lang: str
) -> list[dict[str, Any]]:
    t = labels(lang)
    rows = []
    for group in groups:
        category = group["category"]
        level = clash_level(group["score"])
        name = kind_name(category, lang) if group["kind"] else category_label(category, lang)
        rows.append({
            "category": name,
            "city": city_name(group["city"], lang), "level": level,
            "level_text": t[f"pp_level_{level}"], "ids": group["ids"],
            "titles": [titles.get(i, i) for i in group["ids"]],
        })  # fmt: skip
    return rows


def day_cell(
    day: date,
    events: Sequence[Event],
    lang: str,
    today: date,
    shown: int | None,
    holds: Mapping[str, Hold] = NO_HOLDS,
) -> dict[str, Any]:
    """One day of the planner: its (one-day) events and holds by title, the first ``shown``
    of them (all when None), and its evening clashes naming the events that clash."""
    titles: dict[str, str] = {}
    ordered = sorted(events, key=lambda e: (e.start is not None, e.start or e.start_date, e.id))
    items = [_item(e, lang, titles, holds) for e in ordered]
    for item, event in zip(items, ordered, strict=True):
        if item["hold"]:
            titles[event.id] = item["title"]
    groups = evening_clashes(events, day)
    clashes = _clash_rows(groups, titles, lang)
    with_whom: dict[str, list[str]] = {}
    for row in clashes:
        for i in row["ids"]:
            with_whom.setdefault(i, []).extend(titles[j] for j in row["ids"] if j != i)
    for item in items:
        others = with_whom.get(item["id"], [])
        item["clash"] = bool(others)
        item["clash_with"] = ", ".join(dict.fromkeys(others))
    real = [e for e in events if not e.id.startswith(HOLD_PREFIX)]
    limit = len(items) if shown is None else shown
    return {
        "day": day.isoformat(),
        "number": day.day,
        "heading": long_day(day, lang),
        "short": short_day(day, lang),
        "is_today": day == today,
        "total": len(real),
        "holds": len(events) - len(real),
        "hidden": sum(1 for e in real if e.visibility != "public"),
        "entries": items[:limit],
        "more": max(0, len(items) - limit),
        "clashes": clashes,
    }


def _bands(
    spans: Sequence[Event],
    themes: Sequence[Theme],
    first: date,
    last: date,
    lang: str,
) -> list[dict[str, Any]]:
    """Spans and theme periods across the days from ``first`` to ``last`` (one week row):
    column (1 = Monday), width in days, and whether it runs on before or after."""
    t = labels(lang)
    bands: list[dict[str, Any]] = []
    for theme in themes:
        if theme.start > last or theme.end < first:
            continue
        start, end = max(theme.start, first), min(theme.end, last)
        name = theme.name_en if lang == "en" else theme.name_nl
        bands.append({
            "kind": "theme", "id": theme.id, "title": t["pp_theme_mark"].format(name=name),
            "title_lang": lang, "public": False, "hidden": "", "col": start.weekday() + 1,
            "span": (end - start).days + 1, "before": theme.start < first,
            "after": theme.end > last, "range": _range_text(theme.start, theme.end, lang),
            "venue": "", "city": "", "status": "scheduled",
        })  # fmt: skip
    for event in spans:
        begin, finish = day_range(event)
        if begin > last or finish < first:
            continue
        start, end = max(begin, first), min(finish, last)
        item = event_item(event, lang)
        bands.append({
            "kind": "span", "id": event.id, "title": item["title"],
            "title_lang": item["title_lang"], "public": event.visibility == "public",
            "hidden": visibility_note(event, lang), "col": start.weekday() + 1,
            "span": (end - start).days + 1, "before": begin < first, "after": finish > last,
            "range": _range_text(begin, finish, lang), "venue": item["venue"],
            "city": item["city"], "status": item["status"],
        })  # fmt: skip
    bands.sort(key=lambda b: (b["kind"] != "theme", int(b["col"]), -int(b["span"]), b["title"]))
    return bands


def _range_text(first: date, last: date, lang: str) -> str:
    if first == last:
        return short_day(first, lang)
    return f"{short_day(first, lang)} – {short_day(last, lang)}"


def _split(events: Sequence[Event]) -> tuple[list[Event], list[Event]]:
    spans = [e for e in events if is_span(e)]
    return spans, [e for e in events if not is_span(e)]


def _by_day(events: Sequence[Event], first: date, last: date) -> dict[date, list[Event]]:
    days: dict[date, list[Event]] = {}
    for event in events:
        start, end = day_range(event)
        day = max(start, first)
        while day <= min(end, last):
            days.setdefault(day, []).append(event)
            day += timedelta(days=1)
    return days


def month_weeks(
    period: Period,
    events: Sequence[Event],
    themes: Sequence[Theme],
    lang: str,
    today: date,
    holds: Mapping[str, Hold] = NO_HOLDS,
) -> list[dict[str, Any]]:
    """The month's weeks: per week its bands and its seven days (days of other months
    carry nothing)."""
    spans, single = _split(events)
    days = _by_day(single, period.first, period.last)
    weeks = []
    monday = period.grid_first
    while monday <= period.grid_last:
        first, last = max(monday, period.first), min(monday + timedelta(days=6), period.last)
        bands = _bands(spans, themes, first, last, lang)
        cells = []
        for offset in range(7):
            day = monday + timedelta(days=offset)
            inside = period.first <= day <= period.last
            found = days.get(day, []) if inside else []
            cell = day_cell(day, found, lang, today, MONTH_SHOWN, holds)
            cell["inside"] = inside
            cells.append(cell)
        weeks.append({
            "number": monday.isocalendar()[1], "first": first.isoformat(),
            "bands": bands[:BANDS_SHOWN], "more_bands": max(0, len(bands) - BANDS_SHOWN),
            "days": cells,
        })  # fmt: skip
        monday += timedelta(days=7)
    return weeks


def _grid_place(item: dict[str, Any], event: Event) -> None:
    """Where a timed event sits in the week's time grid: first half-hour row and length."""
    if event.start is None:
        item.update(row=0, rows=0)
        return
    start = to_local(event.start)
    end = to_local(event.end) if event.end and event.end > event.start else start + DEFAULT_LENGTH
    minutes = (start.hour - GRID_FIRST_HOUR) * 60 + start.minute
    row = min(max(minutes // 30, 0), GRID_ROWS - 1)
    if end.date() > start.date():
        end_minutes = 24 * 60 - GRID_FIRST_HOUR * 60
    else:
        end_minutes = (end.hour - GRID_FIRST_HOUR) * 60 + end.minute
    rows = max(1, min(-(-(end_minutes - row * 30) // 30), GRID_ROWS - row))
    item.update(row=row + 1, rows=rows)


def _lanes(items: list[dict[str, Any]]) -> int:
    """Side-by-side lanes for overlapping events (greedy); how many the day needs."""
    ends: list[int] = []
    for item in items:
        for lane, end in enumerate(ends):
            if end <= item["row"]:
                ends[lane] = item["row"] + item["rows"]
                item["lane"] = lane + 1
                break
        else:
            ends.append(item["row"] + item["rows"])
            item["lane"] = len(ends)
    return min(len(ends), LANES) or 1


def week_view(
    period: Period,
    events: Sequence[Event],
    themes: Sequence[Theme],
    lang: str,
    today: date,
    holds: Mapping[str, Hold] = NO_HOLDS,
) -> dict[str, Any]:
    """A week as a time grid: bands (spans, all-day events, themes) on top, then per day
    its timed events placed by hour, side by side when they overlap."""
    spans, single = _split(events)
    all_day = [e for e in single if e.start is None and not e.id.startswith(HOLD_PREFIX)]
    timed = [e for e in single if e not in all_day]
    days = _by_day(timed, period.first, period.last)
    bands = _bands([*spans, *all_day], themes, period.first, period.last, lang)
    columns = []
    loose: list[dict[str, Any]] = []  # holds without a time: above the grid
    for offset in range(7):
        day = period.first + timedelta(days=offset)
        found = days.get(day, [])
        cell = day_cell(day, found, lang, today, None, holds)
        by_id = {e.id: e for e in found}
        untimed = []
        for item in cell["entries"]:
            event = by_id[item["id"]]
            if event.start is None:  # a hold without a time
                untimed.append(item)
                continue
            _grid_place(item, event)
        cell["entries"] = [i for i in cell["entries"] if i not in untimed]
        for item in untimed:
            item["time"] = cell["short"]
        loose.extend(untimed)
        cell["lanes"] = _lanes(cell["entries"])
        for item in cell["entries"]:
            item["lane"] = min(item["lane"], LANES)
        columns.append(cell)
    hours = [f"{h:02d}:00" for h in range(GRID_FIRST_HOUR, 24)]
    return {"bands": bands, "untimed": loose, "days": columns, "hours": hours}


def weekday_names(lang: str) -> list[tuple[str, str]]:
    """(short, full) names, Monday first."""
    monday = date(2027, 1, 4)
    return [
        (format_date(monday + timedelta(days=i), "EEE", locale=lang),
         format_date(monday + timedelta(days=i), "EEEE", locale=lang))
        for i in range(7)
    ]  # fmt: skip
