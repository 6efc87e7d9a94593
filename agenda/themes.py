"""Themes (themed years, festivals, campaigns) and which events belong to them (pure).

A theme has a period and rules: an event belongs when it runs within the period, lies
in one of the theme's cities, venues, categories and sources (each only when given),
and names one of its keywords (nl or en) in its title or description; curated includes
and excludes (event ids or ``source:external_id`` listing keys) beat the rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from importlib import resources

import msgspec

from agenda.normalize import fold, normalize_city
from agenda.vocabulary import canonical


class ThemeRules(msgspec.Struct, frozen=True, kw_only=True):
    keywords: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    venues: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


class Theme(msgspec.Struct, frozen=True, kw_only=True):
    """A themed year, festival or campaign that events can belong to."""

    id: str
    name_nl: str
    name_en: str
    description_nl: str = ""
    description_en: str = ""
    start: date
    end: date
    owner: str = ""
    rules: ThemeRules = ThemeRules()
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


class EventFacts(msgspec.Struct, frozen=True, kw_only=True):
    """What membership looks at, for one event."""

    id: str
    listing_keys: tuple[str, ...]
    first_day: date
    last_day: date
    title: str
    description: str
    city: str | None
    venue_id: str | None
    categories: tuple[str, ...]
    sources: tuple[str, ...]


def _has_keyword(text: str, keywords: Iterable[str]) -> bool:
    words = f" {fold(text)} "
    return any(f" {fold(k)} " in words for k in keywords if fold(k))


def belongs(theme: Theme, event: EventFacts) -> bool:
    """Whether ``event`` is part of ``theme``."""
    refs = {event.id, *event.listing_keys}
    if refs & set(theme.exclude):
        return False
    if refs & set(theme.include):
        return True
    if event.last_day < theme.start or event.first_day > theme.end:
        return False
    rules = theme.rules
    if rules.cities and normalize_city(event.city) not in {normalize_city(c) for c in rules.cities}:
        return False
    if rules.venues and event.venue_id not in rules.venues:
        return False
    if rules.categories:
        # A rule may name a category in either language or as a source spells it.
        wanted = {canonical(c) or fold(c) for c in rules.categories}
        if not wanted & {canonical(c) or fold(c) for c in event.categories}:
            return False
    if rules.sources and not set(rules.sources) & set(event.sources):
        return False
    if rules.keywords:
        return _has_keyword(f"{event.title} {event.description}", rules.keywords)
    return True


def themes_of(themes: Sequence[Theme], event: EventFacts) -> tuple[str, ...]:
    """The ids of every theme the event belongs to, in the themes' order."""
    return tuple(theme.id for theme in themes if belongs(theme, event))


class _ThemeFile(msgspec.Struct):
    theme: list[Theme]


def load_themes(data: bytes) -> list[Theme]:
    """Themes from TOML (``[[theme]]`` tables, as the bundled file)."""
    return msgspec.toml.decode(data, type=_ThemeFile).theme


def bundled_themes() -> list[Theme]:
    """The example themes shipped with the agenda (``agenda/data/themes.toml``)."""
    return load_themes(resources.files("agenda").joinpath("data/themes.toml").read_bytes())
