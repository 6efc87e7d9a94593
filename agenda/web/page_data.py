"""What the public page templates show, built from events: plain dicts and safe HTML.

Pure functions (no store, no web framework): day groups for the agenda, an event's
page, its schema.org JSON-LD, map links, feed addresses for the subscribe page, the
choices of the filter forms, the about page's source table, and the translated
message for a filter value that could not be used.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from babel.dates import format_date, format_datetime
from markupsafe import Markup

from agenda.classify import AUDIENCES, KINDS
from agenda.errors import InvalidFilterError
from agenda.model import Event, VenueRef
from agenda.normalize import slugify
from agenda.pictures import StoredPicture, picture_for, placeholder_for
from agenda.sanitize import has_markup, sanitize_html
from agenda.themes import Theme
from agenda.timeutil import AMSTERDAM, parse_utc, to_local
from agenda.vocabulary import canonical
from agenda.vocabulary import label as category_label
from agenda.web.i18n import (
    CITIES,
    LANGUAGE_NAMES,
    LANGUAGES,
    audience_name,
    city_name,
    kind_name,
    labels,
    standing,
)
from feeds.base import (
    description_in,
    is_cancelled,
    is_span,
    location_text,
    plain_text,
    title_in,
)
from feeds.ical import google_calendar_subscribe_url, webcal_url
from feeds.labels import clock, first_day, long_day, price_in, short_day, when_text

VENUE_FIELDS = ("id", "name", "city", "address", "postcode", "latitude", "longitude")
CITY_SLUGS = {"Den Haag": "den-haag", "Leiden": "leiden", "Delft": "delft"}
FEED_FORMATS = (("ics", "ics"), ("rss", "rss"), ("atom", "atom"), ("json", "json"))
_PRICE = re.compile(r"(\d+)(?:[.,](\d{1,2}))?")
_STATUS = {
    "scheduled": "https://schema.org/EventScheduled",
    "cancelled": "https://schema.org/EventCancelled",
    "postponed": "https://schema.org/EventPostponed",
}


# The pages write English the British way ("Sunday 6 December 2026", "€17.50").
LOCALES = {"nl": "nl_NL", "en": "en_GB"}
_SOLD_OUT = re.compile(r"uitverkocht|sold[ -]?out", re.I)


def locale_of(lang: str) -> str:
    return LOCALES.get(lang, LOCALES["nl"])


def day_month(day: date, lang: str) -> str:
    """``21 feb`` / ``21 Feb``."""
    return format_date(day, "d MMM", locale=locale_of(lang))


def month_name(day: date, lang: str) -> str:
    """``februari 2027`` / ``February 2027``."""
    return format_date(day, "LLLL y", locale=locale_of(lang))


def page_url(path: str, params: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> str:
    """``path?query`` without empty values (so shared addresses stay short)."""
    items = params.items() if isinstance(params, Mapping) else params
    kept = [(k, v) for k, v in items if v not in ("", None)]
    return f"{path}?{urlencode(kept)}" if kept else path


def status_of(event: Event) -> str:
    return "cancelled" if is_cancelled(event) else event.status


def text_lang(texts: Mapping[str, str], event: Event, lang: str) -> str:
    """The language a text shown for ``lang`` is really in (for the ``lang`` attribute)."""
    if lang in texts:
        return lang
    return (event.language or "nl").split("-")[0].lower()


def price_text(event: Event, lang: str) -> str:
    """``Gratis``, or a plain amount in the page's own notation (``€ 17,50`` / ``€17.50``)."""
    if event.is_free:
        return labels(lang)["free"]
    return price_in(event.price, lang) if event.price else ""


NO_PICTURES: Mapping[str, StoredPicture] = {}


def is_sold_out(event: Event) -> bool:
    """Sources say "uitverkocht" or "sold out" in the price or the title."""
    return bool(_SOLD_OUT.search(event.price or "") or _SOLD_OUT.search(event.title))


def span_days(event: Event) -> int:
    """How many calendar days the event runs (1 for an evening, 140 for an exhibition)."""
    if event.start is not None:
        if event.end is None or event.end <= event.start:
            return 1
        return (to_local(event.end).date() - to_local(event.start).date()).days + 1
    assert event.start_date is not None
    end = event.end_date or event.start_date
    return (end - event.start_date).days + 1


def is_ongoing(event: Event) -> bool:
    """An exhibition-like span, as the feeds see one (``feeds.base.is_span``)."""
    return is_span(event)


def event_item(
    event: Event, lang: str, pictures: Mapping[str, StoredPicture] = NO_PICTURES
) -> dict[str, Any]:
    """One line of the agenda: time, title, place, kind, price, badges and picture."""
    t = labels(lang)
    if event.start is not None:
        start = to_local(event.start)
        time_text = clock(start, lang)
        if event.end is not None and to_local(event.end).date() == start.date():
            time_text += "–" + clock(event.end, lang)
        elif event.end is not None and event.end > event.start:
            time_text += ", " + t["running_until"].format(
                day=short_day(to_local(event.end).date(), lang)
            )
        moment = start.isoformat(timespec="minutes")
    else:
        assert event.start_date is not None
        if event.end_date is not None and event.end_date > event.start_date:
            time_text = t["running_until"].format(day=short_day(event.end_date, lang))
        else:
            time_text = t["all_day"]
        moment = event.start_date.isoformat()
    venue = event.venue
    status = status_of(event)
    badges = [status] if status != "scheduled" else []
    if event.is_free:
        badges.append("free")
    if is_sold_out(event) and status != "cancelled":
        badges.append("sold_out")
    return {
        "id": event.id,
        "title": title_in(event, lang),
        "title_lang": text_lang(event.titles, event, lang),
        "time": time_text,
        "datetime": moment,
        "venue": venue.name if venue else "",
        "venue_id": venue.id if venue else None,
        "city": city_name(event.city or (venue.city if venue else None), lang),
        "kind": kind_name(event.kind, lang) if event.kind else "",
        "price": "" if event.is_free else price_text(event, lang),
        "status": status,
        "badges": badges,
        "picture": picture_for(event, pictures),
        "placeholder": placeholder_for(event),
        "series": None,
    }


def series_key(event: Event) -> tuple[str, str, str] | None:
    """Same title, venue and clock time: the occurrences of one recurring series."""
    venue = event.venue
    if venue is None or is_ongoing(event):
        return None
    when = clock(event.start, "nl") if event.start is not None else "all-day"
    return (" ".join(event.title.casefold().split()), venue.id or venue.name, when)


def series_rule(days: Sequence[date], event: Event, lang: str) -> str:
    """``elke zondag 14:00 t/m 21 feb`` / ``every Sunday 14:00 until 21 Feb``."""
    t = labels(lang)
    steps = {(b - a).days for a, b in itertools.pairwise(days)}
    if steps == {1}:
        rule = t["series_daily"]
    elif steps <= {7, 14, 21, 28} and len({d.weekday() for d in days}) == 1:
        rule = t["series_weekly"].format(
            weekday=format_date(days[0], "EEEE", locale=locale_of(lang))
        )
    else:
        rule = t["series_dates"].format(n=len(days))
    if event.start is not None:
        rule += " " + clock(event.start, lang)
    return rule + " " + t["running_until"].format(day=day_month(days[-1], lang))


SERIES_MIN = 3  # occurrences before a run of the same event shows as one series
SERIES_DATES = 6  # next dates shown with a series


def agenda_view(
    events: Sequence[Event],
    lang: str,
    today: date,
    first: date,
    series: Mapping[tuple[str, str, str], Sequence[Event]] | None = None,
    *,
    strip: bool = True,
    pictures: Mapping[str, StoredPicture] = NO_PICTURES,
) -> dict[str, Any]:
    """The agenda as a visitor reads it: what is on now, then the days.

    Exhibitions and other spans that have begun by ``first`` go to the "on now" strip
    (when ``strip``) instead of the day list. A series (same title, venue and time on
    ``SERIES_MIN`` or more days) shows once, at its first date on this page, with its
    rule and next dates; ``series`` gives each series' full run (from the store), which
    may reach beyond this page. A series whose run began before this page's first event
    was shown on an earlier page and is left out here.
    """
    on_now = []
    rest = []
    for event in events:
        if strip and is_ongoing(event) and first_day(event) <= first:
            on_now.append(event_item(event, lang, pictures))
        else:
            rest.append(event)
    runs: dict[tuple[str, str, str], list[Event]] = {}
    for event in rest:
        key = series_key(event)
        if key is not None:
            runs.setdefault(key, []).append(event)
    full = {key: list((series or {}).get(key) or found) for key, found in runs.items()}
    page_start = min((first_day(e) for e in rest), default=first)
    shown: list[tuple[Event, dict[str, Any] | None]] = []
    done: set[tuple[str, str, str]] = set()
    for event in rest:
        key = series_key(event)
        run = full.get(key) if key is not None else None
        if key is None or run is None or len(run) < SERIES_MIN:
            shown.append((event, None))
            continue
        if key in done:
            continue
        done.add(key)
        days = [first_day(e) for e in run]
        if days[0] < page_start and first_day(event) != days[0]:
            continue  # the series began on an earlier page and was shown there
        upcoming = [e for e in run if first_day(e) >= first_day(event)]
        info = {
            "rule": series_rule(sorted(set(days)), event, lang),
            "count": len(run),
            "dates": [
                {
                    "id": e.id,
                    "label": short_day(first_day(e), lang),
                    "datetime": first_day(e).isoformat(),
                }
                for e in upcoming[1 : SERIES_DATES + 1]
            ],
            "more": max(0, len(upcoming) - 1 - SERIES_DATES),
        }
        shown.append((event, info))
    return {"on_now": on_now, "groups": _grouped(shown, lang, today, first, pictures)}


def _grouped(
    shown: Sequence[tuple[Event, dict[str, Any] | None]],
    lang: str,
    today: date,
    first: date,
    pictures: Mapping[str, StoredPicture] = NO_PICTURES,
) -> list[dict[str, Any]]:
    t = labels(lang)
    groups: list[dict[str, Any]] = []
    notes = {today: t["today"], date.fromordinal(today.toordinal() + 1): t["tomorrow"]}
    for event, series in shown:
        day = max(first_day(event), first)
        if not groups or groups[-1]["day"] != day.isoformat():
            groups.append(
                {
                    "day": day.isoformat(),
                    "heading": long_day(day, lang),
                    "note": notes.get(day, ""),
                    "events": [],
                }
            )
        item = event_item(event, lang, pictures)
        item["series"] = series
        groups[-1]["events"].append(item)
    return groups


def day_groups(
    events: Sequence[Event],
    lang: str,
    today: date,
    first: date,
    pictures: Mapping[str, StoredPicture] = NO_PICTURES,
) -> list[dict[str, Any]]:
    """Events under day headings; one still running from before ``first`` shows on ``first``."""
    return _grouped([(event, None) for event in events], lang, today, first, pictures)


def dated_item(
    event: Event, lang: str, today: date, pictures: Mapping[str, StoredPicture] = NO_PICTURES
) -> dict[str, Any]:
    """An agenda line that names its day (for lists not grouped by day)."""
    item = event_item(event, lang, pictures)
    item["day_label"] = short_day(max(first_day(event), today), lang)
    return item


def month_groups(
    events: Sequence[Event],
    lang: str,
    today: date,
    pictures: Mapping[str, StoredPicture] = NO_PICTURES,
) -> list[dict[str, Any]]:
    """A programme by month (a theme's page): each event under the month it starts in."""
    groups: list[dict[str, Any]] = []
    for event in events:
        day = max(first_day(event), today)
        key = f"{day.year:04d}-{day.month:02d}"
        if not groups or groups[-1]["month"] != key:
            groups.append({"month": key, "heading": month_name(day, lang), "events": []})
        groups[-1]["events"].append(dated_item(event, lang, today, pictures))
    return groups


def theme_name(theme: Theme | None, theme_id: str, lang: str) -> str:
    if theme is None:
        return theme_id
    return (theme.name_en if lang == "en" else theme.name_nl) or theme.name_nl or theme_id


def theme_info(theme: Theme | None, theme_id: str, lang: str) -> dict[str, Any]:
    """A theme's name, description and period in ``lang`` (an unstored theme: its id)."""
    info: dict[str, Any] = {"id": theme_id, "name": theme_name(theme, theme_id, lang),
                            "description": "", "period": "", "start": "", "end": ""}  # fmt: skip
    if theme is not None:
        description = theme.description_en if lang == "en" else theme.description_nl
        info["description"] = description or theme.description_nl
        info["period"] = f"{long_day(theme.start, lang)} – {long_day(theme.end, lang)}"
        info["start"], info["end"] = theme.start.isoformat(), theme.end.isoformat()
    return info


def event_summary(event: Event, lang: str, limit: int = 160) -> str:
    """A sentence or two about the event for search results and link previews."""
    text = " ".join(plain_text(description_in(event, lang)).split())
    if not text:
        item = event_item(event, lang)
        place = ", ".join(p for p in (item["venue"], item["city"]) if p)
        parts = [when_text(event, lang), place, item["kind"].capitalize()]
        return " · ".join(p for p in parts if p)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.")
    return cut + "…"


def absolute_url(base_url: str, address: str | None) -> str | None:
    """A picture's address as link previews need it: absolute, http(s) only."""
    if not address:
        return None
    if address.startswith("/") and not address.startswith("//"):
        return base_url.rstrip("/") + address
    return address if address.startswith(("https://", "http://")) else None


def description_html(text: str) -> Markup:
    """Stored descriptions are sanitised HTML or plain text; both become safe HTML."""
    if not text.strip():
        return Markup("")
    if has_markup(text):
        # Sanitised on import already; cleaning again costs little and keeps pages safe
        # should a description ever reach the store another way.
        return Markup(sanitize_html(text))  # noqa: S704 - nh3 output, an explicit allowlist
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return Markup("").join(
        Markup("<p>{}</p>").format(Markup("<br>").join(p.splitlines())) for p in paragraphs
    )


def map_url(venue: VenueRef | None, event: Event | None = None) -> str | None:
    """OpenStreetMap at the coordinates, else a search for the address; None if nothing known."""
    if venue is not None and venue.latitude is not None and venue.longitude is not None:
        lat, lon = f"{venue.latitude:.5f}", f"{venue.longitude:.5f}"
        return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"
    if event is not None:
        query = location_text(event)
    elif venue is not None:
        place = " ".join(p for p in (venue.postcode, venue.city) if p)
        query = ", ".join(p for p in (venue.name, venue.address, place) if p)
    else:
        query = ""
    if not query:
        return None
    return "https://www.openstreetmap.org/search?query=" + quote(query, safe="")


def address_lines(venue: VenueRef | None, city: str | None, lang: str) -> list[str]:
    if venue is None:
        return [city_name(city, lang)] if city else []
    place = " ".join(p for p in (venue.postcode, city_name(venue.city or city, lang)) if p)
    return [line for line in (venue.address, place) if line]


def _offer(event: Event) -> dict[str, Any] | None:
    offer: dict[str, Any] = {"@type": "Offer"}
    if event.ticket_url or event.url:
        offer["url"] = event.ticket_url or event.url
    if event.is_free:
        offer["price"] = "0"
    elif event.price and (found := _PRICE.search(event.price)):
        offer["price"] = f"{found.group(1)}.{(found.group(2) or '00').ljust(2, '0')}"
    if "price" in offer:
        offer["priceCurrency"] = "EUR"
    return offer if len(offer) > 1 else None


def json_ld_data(
    event: Event, lang: str, base_url: str, pictures: Mapping[str, StoredPicture] = NO_PICTURES
) -> dict[str, Any]:
    """The event as schema.org ``Event``, as search engines read it (our copy of its picture)."""
    picture = picture_for(event, pictures, base_url)
    url = f"{base_url.rstrip('/')}/events/{event.id}"
    if event.start is not None:
        start: str = to_local(event.start).isoformat()
        end = to_local(event.end).isoformat() if event.end is not None else None
    else:
        assert event.start_date is not None
        start = event.start_date.isoformat()
        end = event.end_date.isoformat() if event.end_date is not None else None
    venue = event.venue
    address = {
        "@type": "PostalAddress",
        "streetAddress": venue.address if venue else None,
        "postalCode": venue.postcode if venue else None,
        "addressLocality": (venue.city if venue else None) or event.city,
        "addressCountry": "NL",
    }
    place: dict[str, Any] = {
        "@type": "Place",
        "name": venue.name if venue else (event.city or ""),
        "address": {k: v for k, v in address.items() if v},
    }
    if venue is not None and venue.latitude is not None and venue.longitude is not None:
        place["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": venue.latitude,
            "longitude": venue.longitude,
        }
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "@id": url,
        "url": url,
        "name": title_in(event, lang),
        "startDate": start,
        "endDate": end,
        "eventStatus": _STATUS.get(status_of(event), _STATUS["scheduled"]),
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "location": place,
        "description": plain_text(description_in(event, lang))[:5000] or None,
        "image": picture.src if picture else None,
        "inLanguage": text_lang(event.titles, event, lang),
        "isAccessibleForFree": event.is_free,
        "offers": _offer(event),
        "sameAs": event.url,
    }
    return {k: v for k, v in data.items() if v is not None}


def json_ld(
    event: Event, lang: str, base_url: str, pictures: Mapping[str, StoredPicture] = NO_PICTURES
) -> Markup:
    """JSON-LD safe inside ``<script>``: ``<``, ``>`` and ``&`` are escaped as ``\\u00XX``."""
    text = json.dumps(json_ld_data(event, lang, base_url, pictures), ensure_ascii=False, indent=1)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704 - JSON with every markup character escaped


def event_page(
    event: Event,
    lang: str,
    source_names: Mapping[str, str],
    base_url: str,
    pictures: Mapping[str, StoredPicture] = NO_PICTURES,
) -> dict[str, Any]:
    """Everything the event page shows, in ``lang``."""
    description = description_in(event, lang)
    venue = event.venue
    kind = kind_name(event.kind, lang) if event.kind else ""
    categories = [category_label(c, lang) for c in event.categories]
    return {
        **event_item(event, lang, pictures),
        "price": price_text(event, lang),
        "when": when_text(event, lang),
        "venue_id": venue.id if venue else None,
        "address": address_lines(venue, event.city, lang),
        "map_url": map_url(venue, event),
        "url": event.url,
        "ticket_url": event.ticket_url,
        "kind": standing(kind),
        "audience": [audience_name(a, lang) for a in event.audience],
        # A category that only repeats the kind ("Lezing" of a lecture) says nothing more.
        "categories": [c for c in categories if c.casefold() != kind.casefold()],
        "accessible": event.accessible,
        "description": description_html(description),
        "description_lang": text_lang(event.descriptions, event, lang),
        "sources": [
            {"id": s.source, "name": source_names.get(s.source, s.source), "url": s.url}
            for s in event.sources
        ],
        "json_ld": json_ld(event, lang, base_url, pictures),
    }


def feed_links(base_url: str, choice: Mapping[str, str]) -> dict[str, str]:
    """Feed addresses for a choice of filters: a city or theme slice plus query parameters."""
    params = {k: v for k, v in choice.items() if v}
    name = "agenda"
    if params.get("city") in CITY_SLUGS:
        name = CITY_SLUGS[params.pop("city")]
    elif params.get("theme") and slugify(params["theme"]) == params["theme"]:
        name = "theme-" + params.pop("theme")
    query = ("?" + urlencode(sorted(params.items()))) if params else ""
    root = base_url.rstrip("/") + "/feeds/"
    return {key: f"{root}{name}.{ext}{query}" for key, ext in FEED_FORMATS}


def filter_error(exc: InvalidFilterError, lang: str) -> str:
    """A filter problem in the visitor's language, naming the form field."""
    t = labels(lang)
    param = exc.param
    field_key = {"lang": "field_feed_lang"}.get(param, f"field_{param}")
    field = t.get(field_key, param)
    message = str(exc)
    if param in ("from", "to"):
        hint = t["hint_range"] if "before" in message else t["hint_date"]
    elif param in ("kind", "audience", "lang", "free", "accessible", "exhibitions"):
        hint = t["hint_choice"]
    elif "longer than" in message:
        hint = t["hint_long"]
    elif param == "cursor":
        hint = t["hint_cursor"]
    else:
        hint = t["hint_other"]
    return t["error_filter"].format(field=field, hint=hint)


def short_address(path: str, query: str) -> str | None:
    """The address without the empty fields a submitted form leaves; None if it has none."""
    items = parse_qsl(query, keep_blank_values=True)
    kept = [(k, v) for k, v in items if v != ""]
    return None if len(kept) == len(items) else page_url(path, kept)


def _options(values: Iterable[tuple[str, str]], current: str | None) -> list[tuple[str, str]]:
    """Choices for a select; a value from a shared address that is not listed stays chosen."""
    options = list(values)
    if current and all(current.lower() != value.lower() for value, _ in options):
        options.append((current, current))
    return options


def canonical_form(form: Mapping[str, str]) -> dict[str, str]:
    """The form with a category in any spelling as its id, so the select shows it chosen
    (``?category=Lezing`` selects "Lezing"/"Lecture", not an extra option)."""
    found = canonical(form.get("category"))
    return {**form, "category": found} if found else dict(form)


def filter_choices(
    lang: str, form: Mapping[str, str], categories: Sequence[str], themes: Sequence[str]
) -> dict[str, list[tuple[str, str]]]:
    """(value, label) pairs for every select of the filter and subscribe forms."""
    return {
        "city": _options(((c, city_name(c, lang)) for c in CITIES), form.get("city")),
        # One option per canonical category, labelled in the page's language.
        "category": _options(
            ((c, category_label(c, lang)) for c in categories), form.get("category")
        ),
        "theme": _options(((t, t) for t in themes), form.get("theme")),
        "audience": _options(((a, standing(audience_name(a, lang))) for a in AUDIENCES), None),
        "kind": _options(((k, standing(kind_name(k, lang))) for k in KINDS), form.get("kind")),
        "feed_lang": [(code, LANGUAGE_NAMES[lang][code]) for code in LANGUAGES],
    }


def calendar_links(ics_url: str) -> dict[str, str]:
    """An iCalendar feed as itself, as ``webcal://`` and as Google's "add by URL" link."""
    return {
        "ics": ics_url,
        "webcal": webcal_url(ics_url),
        "google": google_calendar_subscribe_url(ics_url),
    }


def source_table(rows: Iterable[Mapping[str, Any]], lang: str) -> list[dict[str, Any]]:
    """The about page's sources with their latest import, in ``lang``."""
    t = labels(lang)
    table = []
    for row in rows:
        finished = row["finished"]
        when = (
            format_datetime(parse_utc(finished), "d MMM y, HH:mm", tzinfo=AMSTERDAM, locale=lang)
            if finished
            else t["never"]
        )
        outcome = row["outcome"]
        table.append(
            {
                "id": row["id"],
                "name": row["name"],
                "city": city_name(row["city"], lang),
                "format": row["format"],
                "listings": row["active"],
                "last_import": when,
                "when": finished or "",
                "outcome": t.get(f"outcome_{outcome}", outcome) if outcome else "",
            }
        )
    return table
