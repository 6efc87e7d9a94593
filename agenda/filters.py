"""The one filter model shared by feeds, the API, widgets and ``agenda export`` (pure).

``parse_filters`` turns query parameters (strings) into an ``EventFilter``; a value it
cannot understand is an ``InvalidFilterError`` naming the parameter. Days and moments are
bounded here (``parse_day``, ``parse_moment``, ``day_problem``) to the years
``MIN_YEAR``..``MAX_YEAR``: far outside them the date arithmetic of windows, weeks and
time zones overflows (a 500), and no culture calendar needs them.

``lang`` is the language people read (labels, titles) and never narrows the selection;
``language`` keeps only the events held in that language. ``category`` takes a canonical
id or any word of the vocabulary in either language, and is kept as the id.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

import msgspec

from agenda.classify import AUDIENCES, KINDS
from agenda.errors import InvalidFilterError
from agenda.normalize import normalize_city
from agenda.vocabulary import canonical, category_ids

MAX_LIMIT = 5000
MIN_YEAR, MAX_YEAR = 1900, 2200
LANGUAGES = ("nl", "en")
PARAMS = ("city", "venue", "source", "theme", "category", "audience", "lang", "language",
          "from", "to", "q", "free", "accessible", "kind", "limit")  # fmt: skip
_TRUE = {"1", "true", "yes", "ja", "on"}
_FALSE = {"0", "false", "no", "nee", "off"}


class EventFilter(msgspec.Struct, frozen=True, kw_only=True):
    """Which events to read. Dates are Amsterdam calendar days, both ends inclusive."""

    from_date: date | None = None
    to_date: date | None = None
    city: str | None = None
    venue: str | None = None
    source: str | None = None
    theme: str | None = None
    category: str | None = None
    audience: str | None = None
    lang: str | None = None  # the language of labels and titles; selects nothing
    language: str | None = None  # only events held in this language
    q: str | None = None
    free: bool | None = None
    accessible: bool | None = None
    kinds: tuple[str, ...] = ()
    exclude_kinds: tuple[str, ...] = ()
    limit: int | None = None

    def __post_init__(self) -> None:
        if self.from_date and self.to_date and self.to_date < self.from_date:
            raise InvalidFilterError("to", "must not be before 'from'")
        if self.limit is not None and not 1 <= self.limit <= MAX_LIMIT:
            raise InvalidFilterError("limit", f"must be between 1 and {MAX_LIMIT}")


def day_problem(value: date | datetime) -> str | None:
    """Why a day or moment is out of bounds, or None when it is within them."""
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        return f"{value.isoformat()} is not between {MIN_YEAR} and {MAX_YEAR}"
    return None


def parse_day(param: str, value: str | None) -> date | None:
    """``YYYY-MM-DD`` or None; anything else is an ``InvalidFilterError`` naming ``param``."""
    if value is None or value == "":
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidFilterError(param, f"{value!r} is not a date (use YYYY-MM-DD)") from None
    problem = day_problem(day)
    if problem:
        raise InvalidFilterError(param, problem)
    return day


def parse_moment(value: str) -> datetime:
    """An ISO 8601 moment (``Z`` allowed), within the bounds; ``ValueError`` with the reason.

    A moment without an offset stays naive: the caller decides what that means.
    """
    moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    problem = day_problem(moment)
    if problem:
        raise ValueError(problem)
    return moment


def _bool(param: str, value: str | None) -> bool | None:
    if value is None or value == "":
        return None
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise InvalidFilterError(param, f"{value!r} is not true or false")


def _choice(param: str, value: str | None, allowed: tuple[str, ...]) -> str | None:
    if value is None or value == "":
        return None
    if value.lower() not in allowed:
        raise InvalidFilterError(param, f"{value!r} is not one of {', '.join(allowed)}")
    return value.lower()


def _text(param: str, value: str | None, max_length: int = 200) -> str | None:
    if value is None or not value.strip():
        return None
    if len(value) > max_length:
        raise InvalidFilterError(param, f"is longer than {max_length} characters")
    return value.strip()


def _category(value: str | None) -> str | None:
    text = _text("category", value, 100)
    if text is None:
        return None
    found = canonical(text)
    if found is None:
        raise InvalidFilterError("category", f"{text!r} is not a category; use one of "
                                 f"{', '.join(category_ids())}")  # fmt: skip
    return found


def add_twelve_months(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def parse_filters(params: Mapping[str, str], today: date, *, defaults: bool = True) -> EventFilter:
    """Filters from query parameters; ``from`` defaults to today, ``to`` to twelve months on."""
    unknown = sorted(set(params) - set(PARAMS))
    if unknown:
        raise InvalidFilterError(unknown[0], f"unknown parameter; use {', '.join(PARAMS)}")
    from_date = parse_day("from", params.get("from"))
    to_date = parse_day("to", params.get("to"))
    if defaults:
        from_date = from_date or today
        to_date = to_date or add_twelve_months(from_date)
    kinds: list[str] = []
    exclude: list[str] = []
    for item in (params.get("kind") or "").split(","):
        item = item.strip().lower()
        if not item:
            continue
        negate = item.startswith(("-", "!"))
        name = item.lstrip("-!")
        if name not in KINDS:
            raise InvalidFilterError("kind", f"{name!r} is not one of {', '.join(KINDS)}")
        (exclude if negate else kinds).append(name)
    limit = params.get("limit")
    if limit not in (None, "") and not str(limit).isdigit():
        raise InvalidFilterError("limit", f"{limit!r} is not a whole number")
    city = _text("city", params.get("city"), 60)
    return EventFilter(
        from_date=from_date,
        to_date=to_date,
        city=normalize_city(city) if city else None,
        venue=_text("venue", params.get("venue"), 100),
        source=_text("source", params.get("source"), 100),
        theme=_text("theme", params.get("theme"), 100),
        category=_category(params.get("category")),
        audience=_choice("audience", params.get("audience"), AUDIENCES),
        lang=_choice("lang", params.get("lang"), LANGUAGES),
        language=_choice("language", params.get("language"), LANGUAGES),
        q=_text("q", params.get("q")),
        free=_bool("free", params.get("free")),
        accessible=_bool("accessible", params.get("accessible")),
        kinds=tuple(kinds),
        exclude_kinds=tuple(exclude),
        limit=int(limit) if limit not in (None, "") else None,
    )
