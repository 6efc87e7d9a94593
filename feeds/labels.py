"""Dates, times and words of the feeds in Dutch or English (Babel for the calendar parts)."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from babel.dates import format_date, format_time

from agenda.model import Event
from agenda.timeutil import to_local

WORDS = {
    "nl": {
        "free": "gratis",
        "cancelled": "GEANNULEERD",
        "postponed": "UITGESTELD",
        "until": "t/m",
        "more": "Meer informatie",
        "price": "Prijs",
        "agenda": "Regio-agenda",
        "description": "Culturele agenda van Den Haag, Leiden en Delft",
        "trimmed": "Ingekort tot {n} evenementen tot en met {day} om onder 1 MB te blijven.",
    },
    "en": {
        "free": "free",
        "cancelled": "CANCELLED",
        "postponed": "POSTPONED",
        "until": "until",
        "more": "More information",
        "price": "Price",
        "agenda": "Regio-agenda",
        "description": "Cultural agenda of The Hague, Leiden and Delft",
        "trimmed": "Trimmed to {n} events up to {day} to stay under 1 MB.",
    },
}


def word(key: str, lang: str) -> str:
    return WORDS.get(lang, WORDS["nl"])[key]


# Babel re-reads its locale data on every call; feeds repeat the same days and times.
@lru_cache(maxsize=8192)
def short_day(day: date, lang: str) -> str:
    """``za 2 nov`` / ``Sat 2 Nov``."""
    return format_date(day, "EEE d MMM", locale=lang)


@lru_cache(maxsize=8192)
def long_day(day: date, lang: str) -> str:
    """``zaterdag 2 november 2019`` / ``Saturday, November 2, 2019``."""
    return format_date(day, "full", locale=lang)


def clock(moment: datetime, lang: str) -> str:
    """``20:00`` in Amsterdam time."""
    return format_time(to_local(moment), "HH:mm", locale=lang)


def when_text(event: Event, lang: str) -> str:
    """The event's date and time in words, in Amsterdam time."""
    if event.start is not None:
        start = to_local(event.start)
        text = f"{long_day(start.date(), lang)} {clock(start, lang)}"
        if event.end is not None:
            end = to_local(event.end)
            if end.date() == start.date():
                text += f"–{clock(end, lang)}"
            else:
                text += f" – {long_day(end.date(), lang)} {clock(end, lang)}"
        return text
    assert event.start_date is not None
    text = long_day(event.start_date, lang)
    if event.end_date is not None and event.end_date != event.start_date:
        text += f" {word('until', lang)} {long_day(event.end_date, lang)}"
    return text


def first_day(event: Event) -> date:
    if event.start is not None:
        return to_local(event.start).date()
    assert event.start_date is not None
    return event.start_date
