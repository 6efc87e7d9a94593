"""What every table of the store shares: the connection, row helpers, encoders, row types.

The condition every public read adds lives here too (``PUBLIC``), so no table forgets it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import msgspec
from sqlite_utils import Database

from agenda.model import Event, Listing
from agenda.themes import Theme
from agenda.timeutil import local_date

listing_decoder = msgspec.json.Decoder(Listing)
event_decoder = msgspec.json.Decoder(Event)
theme_decoder = msgspec.json.Decoder(Theme)
encoder = msgspec.json.Encoder()
# The condition every public read adds: partner-only and embargoed events are not there.
PUBLIC = "visibility = 'public'"


class ListingRow(msgspec.Struct, frozen=True):
    """What the sync step needs to know about a stored listing."""

    key: str
    content_hash: str
    state: str
    start_utc: str
    end_utc: str


class EventRow(msgspec.Struct, frozen=True):
    """An event's bookkeeping columns (its data stays JSON)."""

    id: str
    data_hash: str
    sequence: int
    created: str
    updated: str
    replaced_by: str | None
    withdrawn: bool


class StoreBase:
    """The open connection every table works on."""

    def __init__(self, db: Database, path: str) -> None:
        self.db = db
        self.path = path

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.db.execute(sql, params).fetchall()


def local_day(event: Event) -> str:
    return local_date(event.start, event.start_date).isoformat()


def chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
