"""Dates, times, prices and words of the feeds in Dutch or English (Babel for the calendar
parts). English is British: ``Sunday 6 December 2026``, ``€17.50``; Dutch ``€ 17,50``."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from functools import lru_cache

from babel.dates import format_date, format_time

from agenda.model import Event
from agenda.timeutil import to_local
from agenda.vocabulary import label

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
    """``zaterdag 2 november 2019`` / ``Saturday 2 November 2019`` (British, as the region's
    English-speaking visitors write it; Babel's ``en`` would be American)."""
    if lang == "en":
        return format_date(day, "EEEE d MMMM y", locale="en_GB")
    return format_date(day, "full", locale=lang)


# An amount with its currency before or after it ("€ 17,50", "EUR 17.50", "17,50 euro").
_AMOUNT = r"(\d{1,5})(?:[.,](\d{2}|-))?"
_MONEY = re.compile(rf"(?:€|\beur\b)\s*{_AMOUNT}|{_AMOUNT}\s*(?:€|\beur(?:o|os)?\b)", re.I)
# A bare amount or range with no currency at all ("17.50", "10 - 12,50").
_BARE = re.compile(rf"\s*{_AMOUNT}\s*(?:[-–]\s*{_AMOUNT}\s*)?")
_BARE_AMOUNT = re.compile(_AMOUNT)


def money(euros: str, cents: str | None, lang: str) -> str:
    """``€17.50`` in English, ``€ 17,50`` in Dutch; whole amounts without cents."""
    cents = None if cents in (None, "-", "00") else cents
    amount = (
        f"{euros}.{cents}" if cents and lang == "en" else f"{euros},{cents}" if cents else euros
    )
    return f"€{amount}" if lang == "en" else f"€ {amount}"


def price_in(price: str, lang: str) -> str:
    """A source's price text with its euro amounts written the reader's way; other words
    stay as the source wrote them (``€ 10 / € 7,50 (CJP)`` -> ``€10 / €7.50 (CJP)``)."""
    if _BARE.fullmatch(price):
        return _BARE_AMOUNT.sub(lambda m: money(m.group(1), m.group(2), lang), price.strip())

    def one(match: re.Match[str]) -> str:
        euros, cents = (match.group(1), match.group(2)) if match.group(1) else match.group(3, 4)
        return money(euros, cents, lang)

    return _MONEY.sub(one, price)


def category_labels(categories: Iterable[str], lang: str) -> list[str]:
    """The event's canonical categories as the reader's words, once each, in order."""
    return list(dict.fromkeys(label(c, lang) for c in categories if c.strip()))


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
