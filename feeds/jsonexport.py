"""The JSON export (README): ``{"events": [...]}`` with local times and their offsets."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import msgspec

from agenda.model import Event
from agenda.timeutil import to_local

_encoder = msgspec.json.Encoder()


def _when(moment: datetime | None, day: date | None) -> str | None:
    if moment is not None:
        return to_local(moment).isoformat()
    return day.isoformat() if day is not None else None


def export_event(event: Event) -> dict[str, Any]:
    """One event in the export's shape (a withdrawn event is exported as cancelled)."""
    return {
        "id": event.id,
        "title": event.title,
        "description": event.description,
        "start": _when(event.start, event.start_date),
        "end": _when(event.end, event.end_date),
        "all_day": event.all_day,
        "status": "cancelled" if event.withdrawn else event.status,
        "venue": (
            {"id": event.venue.id, "name": event.venue.name, "city": event.venue.city}
            if event.venue
            else None
        ),
        "city": event.city,
        "url": event.url,
        "categories": list(event.categories),
        "themes": list(event.themes),
        "sources": [
            {"source": s.source, "external_id": s.external_id, "url": s.url} for s in event.sources
        ],
    }


def render_json(events: Iterable[Event]) -> bytes:
    """The whole export document, UTF-8, one trailing newline."""
    return _encoder.encode({"events": [export_event(e) for e in events]}) + b"\n"
