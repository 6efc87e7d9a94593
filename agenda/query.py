"""The read facade: filters in, events out. Renderers and the web layer read through here."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import msgspec

from agenda.errors import InvalidFilterError
from agenda.model import Event
from agenda.normalize import normalize_city
from agenda.store import Store
from agenda.timeutil import day_start, utc_iso


class EventFilter(msgspec.Struct, frozen=True, kw_only=True):
    """Which events to read. Dates are Amsterdam calendar days, both ends inclusive."""

    from_date: date | None = None
    to_date: date | None = None
    city: str | None = None
    source: str | None = None
    limit: int | None = None

    def __post_init__(self) -> None:
        if self.from_date and self.to_date and self.to_date < self.from_date:
            raise InvalidFilterError("to", "must not be before 'from'")
        if self.limit is not None and self.limit < 1:
            raise InvalidFilterError("limit", "must be a positive number")


def parse_day(param: str, value: str | None) -> date | None:
    """``YYYY-MM-DD`` or None; anything else is an ``InvalidFilterError`` naming ``param``."""
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidFilterError(param, f"{value!r} is not a date (use YYYY-MM-DD)") from None


def list_events(store: Store, filters: EventFilter) -> list[Event]:
    """Events matching ``filters``, sorted by start; merged-away events are not listed."""
    where = ["1 = 1"]
    params: list[Any] = []
    if filters.from_date is not None:
        # An event that is still running on the first day counts (exhibitions).
        where.append("end_utc > ?")
        params.append(utc_iso(day_start(filters.from_date)))
    if filters.to_date is not None:
        where.append("start_utc < ?")
        params.append(utc_iso(day_start(filters.to_date + timedelta(days=1))))
    if filters.city:
        where.append("city = ?")
        params.append(normalize_city(filters.city))
    if filters.source:
        where.append(
            "id IN (SELECT m.event_id FROM memberships m JOIN listings l"
            " ON l.key = m.listing_key WHERE l.source_id = ?)"
        )
        params.append(filters.source)
    return store.query_events(" AND ".join(where), params, limit=filters.limit)
