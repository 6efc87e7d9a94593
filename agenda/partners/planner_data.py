"""The planner's pure data: its period, an event's days, the CSV export and the clash check.

Pure helpers (no web framework, no store): the month or week a partner looks at and its
neighbours, the Amsterdam days an event takes place on, what partners must know before
they announce a hidden event (embargo, partners only), and the
clash check's plan and rows in the page's language. What one day of the planner shows
is ``agenda.partners.planner_days``; the pages that use all this are
``agenda.partners.planner_pages``.
This module must not import Litestar, query the store, or know about sessions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

import msgspec
from babel.dates import format_date, format_datetime

from agenda.errors import InvalidFilterError
from agenda.filters import parse_day
from agenda.model import Event
from agenda.partners.clashes import Clash, Plan, clash_level
from agenda.timeutil import AMSTERDAM, to_local
from agenda.web.i18n import labels
from agenda.web.page_data import event_item
from feeds.labels import short_day

_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


# --- the planner's period -------------------------------------------------------------------


class Period(msgspec.Struct, frozen=True, kw_only=True):
    """The month or week the planner shows, its grid, and the periods before and after."""

    view: str  # "month" or "week"
    first: date  # the selection (and the exports) run from first to last
    last: date
    grid_first: date  # the month's table starts on a Monday and ends on a Sunday
    grid_last: date
    previous: date
    following: date


def _month_start(day: date, months: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def planner_period(view: str | None, day_text: str | None, today: date) -> Period:
    """The month (default) or the Monday-to-Sunday week around ``date``, with its neighbours."""
    if view not in (None, "", "month", "week"):
        raise InvalidFilterError("view", "must be month or week")
    day = parse_day("date", day_text) or today
    if view == "week":
        first = day - timedelta(days=day.weekday())
        last = first + timedelta(days=6)
        week = timedelta(days=7)
        return Period(
            view="week", first=first, last=last, grid_first=first, grid_last=last,
            previous=first - week, following=first + week,
        )  # fmt: skip
    first = _month_start(day)
    last = _month_start(day, 1) - timedelta(days=1)
    return Period(
        view="month", first=first, last=last,
        grid_first=first - timedelta(days=first.weekday()),
        grid_last=last + timedelta(days=6 - last.weekday()),
        previous=_month_start(day, -1), following=_month_start(day, 1),
    )  # fmt: skip


def period_title(period: Period, lang: str) -> str:
    if period.view == "month":
        return format_date(period.first, "LLLL y", locale=lang)
    week = labels(lang)["pp_week"].format(n=period.first.isocalendar()[1])
    span = f"{short_day(period.first, lang)} – {short_day(period.last, lang)}"
    return f"{week}: {span} {period.last.year}"


def period_slug(period: Period) -> str:
    if period.view == "month":
        return period.first.strftime("%Y-%m")
    year, week, _ = period.first.isocalendar()
    return f"{year}-W{week:02d}"


# --- the days an event takes ----------------------------------------------------------------


def day_range(event: Event) -> tuple[date, date]:
    """The Amsterdam days an event takes place on (an end at midnight ends the day before)."""
    if event.start is not None:
        start = to_local(event.start)
        end = to_local(event.end) if event.end is not None and event.end > event.start else start
        last = (end - timedelta(microseconds=1)).date() if end > start else start.date()
        return start.date(), max(last, start.date())
    assert event.start_date is not None
    return event.start_date, max(event.end_date or event.start_date, event.start_date)


def by_day(events: Iterable[Event], first: date, last: date) -> dict[date, list[Event]]:
    days: dict[date, list[Event]] = {}
    for event in events:
        start, end = day_range(event)
        day = max(start, first)
        while day <= min(end, last):
            days.setdefault(day, []).append(event)
            day += timedelta(days=1)
    return days


def visibility_note(event: Event, lang: str) -> str:
    """'' for public events, else what partners must know before they announce anything."""
    t = labels(lang)
    if event.visibility == "public":
        return ""
    if event.embargo_until is not None:
        moment = format_datetime(to_local(event.embargo_until), "d MMM y HH:mm", locale=lang)
        return t["pp_embargo_until"].format(moment=moment)
    return t["pp_partners_only"]


# --- the clash check ------------------------------------------------------------------------


def check_plan(params: Mapping[str, str]) -> Plan | None:
    """The clash check's plan from ``check_date`` and the optional time, city and category."""
    day = parse_day("check_date", params.get("check_date"))
    if day is None:
        return None
    text = (params.get("check_time") or "").strip()
    start = None
    if text:
        found = _TIME.match(text)
        if found is None:
            raise InvalidFilterError("check_time", f"{text!r} is not a time (use HH:MM)")
        start = datetime.combine(day, time(int(found[1]), int(found[2])), tzinfo=AMSTERDAM)
    city = (params.get("check_city") or "").strip()[:60] or None
    category = (params.get("check_category") or "").strip()[:100] or None
    return Plan(start=start, day=None if start else day, city=city, category=category)


_REASONS = [
    (re.compile(r"^at the same time$"), "tegelijk"),
    (re.compile(r"^the same evening$"), "dezelfde avond"),
    (re.compile(r"^the same day$"), "dezelfde dag"),
    (re.compile(r"^runs for days \(an exhibition or festival\)$"),
     "loopt dagenlang (een tentoonstelling of festival)"),
    (re.compile(r"^in (?P<x>.+), nearby$"), "in {x}, vlakbij"),
    (re.compile(r"^in (?P<x>.+) too$"), "ook in {x}"),
    (re.compile(r"^also (?P<x>.+)$"), "ook {x}"),
    (re.compile(r"^for (?P<x>.+) too$"), "ook voor {x}"),
    (re.compile(r"^a major event$"), "een groot evenement"),
]  # fmt: skip


def reason_text(reason: str, lang: str) -> str:
    """A clash reason (English in ``agenda.partners.clashes``) in the page's language."""
    if lang == "en":
        return reason
    for pattern, dutch in _REASONS:
        if found := pattern.match(reason):
            return dutch.format(**found.groupdict())
    return reason


def clash_rows(
    clashes: Sequence[Clash], lang: str, holds: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """The clash check's rows: each competitor with its level in words (``sterk``,
    ``matig``, ``licht``) and its reasons; a hold (``holds``: id -> whose) is marked."""
    t = labels(lang)
    rows = []
    for found in clashes:
        item = event_item(found.event, lang)
        level = clash_level(found.score)
        hold = (holds or {}).get(found.event.id, "")
        item.update(level=level, level_text=t[f"pp_level_{level}"],
                    public=found.event.visibility == "public" and not hold,
                    hidden="" if hold else visibility_note(found.event, lang),
                    reasons=[reason_text(r, lang) for r in found.reasons], hold=hold,
                    day=short_day(day_range(found.event)[0], lang))  # fmt: skip
        if hold:
            item["venue"] = ""
        rows.append(item)
    return rows
