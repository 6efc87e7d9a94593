"""What the public page templates show, built from events: plain dicts and safe HTML.

Pure functions (no store, no web framework): day groups for the agenda, an event's
page, its schema.org JSON-LD, map links, feed addresses for the subscribe page, the
choices of the filter forms, the about page's source table, and the translated
message for a filter value that could not be used.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from babel.dates import format_datetime
from markupsafe import Markup

from agenda.classify import AUDIENCES, KINDS
from agenda.errors import InvalidFilterError
from agenda.model import Event, VenueRef
from agenda.normalize import slugify
from agenda.pictures import StoredPicture, picture_for, placeholder_for
from agenda.sanitize import has_markup, sanitize_html
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
)
from feeds.base import description_in, is_cancelled, location_text, plain_text, title_in
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
    if event.is_free:
        return labels(lang)["free"]
    return price_in(event.price, lang) if event.price else ""


NO_PICTURES: Mapping[str, StoredPicture] = {}


def event_item(
    event: Event, lang: str, pictures: Mapping[str, StoredPicture] = NO_PICTURES
) -> dict[str, Any]:
    """One line of the agenda: time, title, place, price, status and picture (or placeholder)."""
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
    return {
        "id": event.id,
        "title": title_in(event, lang),
        "title_lang": text_lang(event.titles, event, lang),
        "time": time_text,
        "datetime": moment,
        "venue": venue.name if venue else "",
        "city": city_name(event.city or (venue.city if venue else None), lang),
        "price": price_text(event, lang),
        "status": status_of(event),
        "picture": picture_for(event, pictures),
        "placeholder": placeholder_for(event),
    }


def day_groups(
    events: Sequence[Event],
    lang: str,
    today: date,
    first: date,
    pictures: Mapping[str, StoredPicture] = NO_PICTURES,
) -> list[dict[str, Any]]:
    """Events under day headings; one still running from before ``first`` shows on ``first``."""
    t = labels(lang)
    groups: list[dict[str, Any]] = []
    for event in events:
        day = max(first_day(event), first)
        if not groups or groups[-1]["day"] != day.isoformat():
            note = {today: t["today"], date.fromordinal(today.toordinal() + 1): t["tomorrow"]}
            groups.append(
                {
                    "day": day.isoformat(),
                    "heading": long_day(day, lang),
                    "note": note.get(day, ""),
                    "events": [],
                }
            )
        groups[-1]["events"].append(event_item(event, lang, pictures))
    return groups


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
    return {
        **event_item(event, lang, pictures),
        "when": when_text(event, lang),
        "venue_id": venue.id if venue else None,
        "address": address_lines(venue, event.city, lang),
        "map_url": map_url(venue, event),
        "url": event.url,
        "ticket_url": event.ticket_url,
        "kind": kind_name(event.kind, lang) if event.kind else "",
        "audience": [audience_name(a, lang) for a in event.audience],
        "categories": [category_label(c, lang) for c in event.categories],
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
    elif param in ("kind", "audience", "lang", "free", "accessible"):
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
        "audience": _options(((a, audience_name(a, lang)) for a in AUDIENCES), None),
        "kind": _options(((k, kind_name(k, lang)) for k in KINDS), form.get("kind")),
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
