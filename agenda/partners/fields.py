"""Day and date-time fields of what partners send (events, holds, clash questions).

Each parser appends ``{"field": ..., "message": ...}`` to ``errors`` instead of raising,
so one answer names every bad field; days and moments are bounded as the filter model
bounds them (``agenda.filters.day_problem``).
"""

from __future__ import annotations

from datetime import date, datetime

from agenda.filters import day_problem
from agenda.timeutil import AMSTERDAM


def moment_field(field: str, value: object, errors: list[dict[str, str]]) -> datetime | None:
    """A date-time (ISO 8601; Amsterdam time without an offset) within the agenda's bounds."""
    if value in (None, ""):
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        errors.append({"field": field, "message": f"{value!r} is not an ISO 8601 date-time"})
        return None
    if not _in_bounds(field, moment, errors):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=AMSTERDAM)


def day_field(field: str, value: object, errors: list[dict[str, str]]) -> date | None:
    """A day (``YYYY-MM-DD``, or the day of a date-time) within the agenda's bounds."""
    text = str(value or "").strip()
    if len(text) > 10 and text[10] in "T ":
        text = text[:10]  # the day of a date-time, as an all-day start may be sent
    try:
        day = date.fromisoformat(text)
    except ValueError:
        errors.append({"field": field, "message": f"{text!r} is not a date (YYYY-MM-DD)"})
        return None
    return day if _in_bounds(field, day, errors) else None


def _in_bounds(field: str, value: date, errors: list[dict[str, str]]) -> bool:
    """Whether a day or moment lies within the agenda's bounds; if not, the error says why."""
    problem = day_problem(value)
    if problem:
        errors.append({"field": field, "message": problem})
    return not problem
