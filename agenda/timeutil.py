"""Instants and local dates: the one place that turns model times into sortable strings."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def utc_iso(moment: datetime) -> str:
    """``2027-01-24T10:00:00Z``: sortable as text, second precision."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_utc(text: str) -> datetime:
    """Inverse of ``utc_iso``."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def day_start(day: date) -> datetime:
    """Midnight at the start of ``day`` in Amsterdam."""
    return datetime.combine(day, time(0), tzinfo=AMSTERDAM)


def span_utc(
    start: datetime | None, start_date: date | None, end: datetime | None, end_date: date | None
) -> tuple[str, str]:
    """(start, end) as UTC strings; all-day spans run from midnight to the next midnight."""
    if start is not None:
        return utc_iso(start), utc_iso(end if end is not None and end >= start else start)
    assert start_date is not None
    last = end_date if end_date is not None and end_date >= start_date else start_date
    return utc_iso(day_start(start_date)), utc_iso(day_start(last + timedelta(days=1)))


def local_date(start: datetime | None, start_date: date | None) -> date:
    """The Amsterdam calendar day an event starts on."""
    if start is not None:
        return start.astimezone(AMSTERDAM).date()
    assert start_date is not None
    return start_date


def to_local(moment: datetime) -> datetime:
    """The same instant on Amsterdam's wall clock (+01:00 in winter, +02:00 in summer)."""
    return moment.astimezone(AMSTERDAM)
