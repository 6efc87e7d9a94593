"""Field readers of the ``jsonld`` importer: one schema.org Event property each.

Owns turning the shapes producers use for one property into Listing field values:
``@type`` names and the event type, text values (plain, ``{"@value"}``, language lists),
``eventStatus``, ``inLanguage``, ``image``, ``organizer``, ``keywords``/``about``,
``location`` (Place, PostalAddress, GeoCoordinates, plain text, VirtualLocation) and
``offers`` (price text, free or not, ticket url). ``@id`` references are resolved by
the ``deref`` the caller passes in. Pure functions: no Listing construction, no I/O.
"""

from __future__ import annotations

import re
from typing import Any

from agenda.sanitize import clean_text, clean_title
from importers.clean import absolutize, find_postcode, parse_coordinate, split_location

_EVENT_TYPES = {
    "ExhibitionEvent": "exhibition",
    "TheaterEvent": "performance",
    "MusicEvent": "performance",
    "DanceEvent": "performance",
    "ComedyEvent": "performance",
    "Festival": "festival",
    "EducationEvent": "education",
    "CourseInstance": "education",
    "ChildrensEvent": "children",
}
_STATUS = {"eventcancelled": "cancelled", "eventpostponed": "postponed"}
_LANGUAGE_NAMES = {
    "dutch": "nl",
    "nederlands": "nl",
    "english": "en",
    "engels": "en",
    "german": "de",
    "duits": "de",
    "deutsch": "de",
    "french": "fr",
    "frans": "fr",
}
_FREE_WORDS = re.compile(r"^(gratis|free|vrij(e)? (toegang|entree)|free entry|kostenloos)\b", re.I)
# "Spuiplein 150 Den Haag": street, number, city with no comma (split_location sees a name).
_STREET_CITY = re.compile(r"([^\d,]{2,}?\s\d+[a-zA-Z]?(?:-\d+)?)\s+([A-Za-z][^\d,]{1,40})")
_CURRENCY_SIGNS = {"EUR": "€"}
# A title derived from a description is at most this long (a listing line's width).
TITLE_LIMIT = 80
_BREAKS = re.compile(r"<\s*(?:br|/p|/h\d|/li|/div|/blockquote)\b[^>]*>", re.IGNORECASE)
_SENTENCE = re.compile(r"(.{12,}?[.!?])(?=\s|$)")  # "Dr." ends no sentence


def absolute_url(href: object, base: str | None) -> str | None:
    """``clean.absolutize``, but a malformed url (``http://[oops``) is None, not a crash."""
    try:
        return absolutize(href, base)
    except ValueError:
        return None


def types_of(node: dict[str, Any]) -> list[str]:
    """Local @type names: ``"http://schema.org/MusicEvent"`` and ``"schema:MusicEvent"`` alike."""
    raw = node.get("@type")
    items = raw if isinstance(raw, list) else [raw]
    return [re.split(r"[/#:]", item.strip())[-1] for item in items if isinstance(item, str)]


def event_type(types: list[str]) -> str | None:
    return next((_EVENT_TYPES[t] for t in types if t in _EVENT_TYPES), None)


def text_value(value: Any, prefer: str | None = None) -> str | None:
    """A string from a JSON-LD value: plain, ``{"@value"}``, or a list (the ``prefer`` language)."""
    if isinstance(value, list):
        texts = [
            (_scalar_text(v), v.get("@language") if isinstance(v, dict) else None) for v in value
        ]
        texts = [(t, lang) for t, lang in texts if t]
        for text, lang in texts:
            if prefer and isinstance(lang, str) and lang.lower().startswith(prefer.lower()):
                return text
        return texts[0][0] if texts else None
    return _scalar_text(value)


def _scalar_text(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("@value")
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def _first(value: Any, deref: Any) -> Any:
    return deref(value[0] if isinstance(value, list) and value else value)


def _name(value: Any, deref: Any) -> str | None:
    value = _first(value, deref)
    text = text_value(value.get("name")) if isinstance(value, dict) else text_value(value)
    return clean_title(text) or None


def derived_title(node: dict[str, Any], deref: Any, prefer: str | None) -> tuple[str, str]:
    """(title, where it came from) for an event without a ``name``; ("", "") when none.

    Producers leave ``name`` out of sub-events ("the Saturday of the festival") and of
    events whose name lives in the text. The parent's name, the topic's name, or the
    description's first sentence (at most ``TITLE_LIMIT`` characters) names it well
    enough to list, with a warning; an event with none of these is not listable.
    """
    parent = _first(node.get("superEvent"), deref)
    if isinstance(parent, dict):
        name = clean_title(text_value(parent.get("name"), prefer))
        if name:
            return _bounded(name), "superEvent.name"
    about = node.get("about")
    for topic in (about if isinstance(about, list) else [about])[:20]:
        topic = deref(topic)
        name = clean_title(text_value(topic.get("name"), prefer)) if isinstance(topic, dict) else ""
        if name:
            return _bounded(name), "about.name"
    text = _BREAKS.sub("\n", text_value(node.get("description"), prefer) or "")
    line = next((c for c in (clean_title(x) for x in text.splitlines()) if c), "")
    sentence = _SENTENCE.match(line)
    line = sentence.group(1).removesuffix(".") if sentence else line
    return (_bounded(line), "description") if line else ("", "")


def _bounded(text: str) -> str:
    """``text`` cut at a word to at most ``TITLE_LIMIT`` characters, with an ellipsis."""
    if len(text) <= TITLE_LIMIT:
        return text
    cut = text[: TITLE_LIMIT - 1]
    cut = cut.rsplit(" ", 1)[0] if " " in cut[TITLE_LIMIT // 2 :] else cut
    return cut.rstrip(" ,;:-") + "…"


def status(value: Any) -> str:
    """EventCancelled / EventPostponed as bare names or full URIs; everything else scheduled."""
    text = (text_value(value) or "").strip()
    return _STATUS.get(re.split(r"[/#:]", text)[-1].lower(), "scheduled")


def language(value: Any) -> str | None:
    """inLanguage as ``"nl"``, ``"nl-NL"``, ``"Dutch"`` or a Language object -> ``"nl"``."""
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict):
            item = text_value(item.get("alternateName")) or text_value(item.get("name"))
        text = (text_value(item) or "").strip()
        if re.fullmatch(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*", text):
            return re.split(r"[-_]", text)[0].lower()
        if text.lower() in _LANGUAGE_NAMES:
            return _LANGUAGE_NAMES[text.lower()]
    return None


def image_url(value: Any, deref: Any, base: str | None) -> str | None:
    """image as a url, a list of urls, or ImageObject(s) -> the first absolute url."""
    for item in value if isinstance(value, list) else [value]:
        item = deref(item)
        if isinstance(item, dict):
            item = item.get("url") or item.get("contentUrl") or item.get("@id")
        found = absolute_url(text_value(item), base)
        if found:
            return found
    return None


def organizer(value: Any, deref: Any) -> str | None:
    return _name(value, deref)


def categories(keywords: Any, about: Any, deref: Any) -> tuple[str, ...]:
    """keywords and about: comma-separated text, lists of text, or Things with a name."""
    found: dict[str, None] = {}
    for value in (keywords, about):
        for item in value if isinstance(value, list) else [value]:
            item = deref(item)
            text = text_value(item.get("name")) if isinstance(item, dict) else text_value(item)
            for part in (text or "").split(","):
                cleaned = clean_title(part)
                if cleaned and cleaned.lower() not in {f.lower() for f in found}:
                    found[cleaned] = None
    return tuple(found)


def location(value: Any, deref: Any) -> dict[str, Any]:
    """Venue fields from a Place, a plain string, or a list mixing VirtualLocation and Place.

    Empty dict: no location given. Only a VirtualLocation: just its ``virtual_url``.
    """
    virtual: str | None = None
    for item in (value if isinstance(value, list) else [value])[:20]:
        item = deref(item)
        if isinstance(item, str) and clean_text(item):
            return _from_text(item)
        if not isinstance(item, dict):
            continue
        if "VirtualLocation" in types_of(item):
            virtual = virtual or absolute_url(text_value(item.get("url")), None)
            continue
        return _from_place(item, deref)
    return {"venue_name": None, "virtual_url": virtual} if value else {}


def _from_text(text: str) -> dict[str, Any]:
    parts: dict[str, Any] = dict(split_location(text))
    match = _STREET_CITY.fullmatch(parts["venue_name"] or "") if not parts["address"] else None
    if match:
        parts.update(venue_name=None, address=match.group(1).strip(), city=match.group(2).strip())
    return parts


def _from_place(place: dict[str, Any], deref: Any) -> dict[str, Any]:
    result: dict[str, Any] = {"venue_name": clean_title(text_value(place.get("name"))) or None}
    address = deref(place.get("address"))
    if isinstance(address, dict):
        postal = clean_text(text_value(address.get("postalCode")))
        street = clean_text(text_value(address.get("streetAddress")))
        result.update(
            address=street or None,
            postcode=find_postcode(postal.upper()) or postal or find_postcode(street),
            city=clean_title(text_value(address.get("addressLocality"))) or None,
        )
    elif text_value(address):
        parts = _from_text(text_value(address) or "")
        # The address string's first part is the street when the Place has its own name.
        line = parts["address"] or (parts["venue_name"] if result["venue_name"] else None)
        result.update(address=line, postcode=parts["postcode"], city=parts["city"])
        result["venue_name"] = result["venue_name"] or parts["venue_name"]
    geo = deref(place.get("geo"))
    geo = geo if isinstance(geo, dict) else place
    result["latitude"] = parse_coordinate(text_value(geo.get("latitude")), -90.0, 90.0)
    result["longitude"] = parse_coordinate(text_value(geo.get("longitude")), -180.0, 180.0)
    return result


def offers(
    node: dict[str, Any], deref: Any, base: str | None
) -> tuple[str | None, bool | None, str | None]:
    """(price text, is_free, ticket url) from offers: an Offer, AggregateOffer or a list."""
    amounts: list[tuple[float, str | None]] = []
    ticket_url: str | None = None
    is_free: bool | None = None
    free_flag = node.get("isAccessibleForFree")
    if isinstance(free_flag, bool):
        is_free = free_flag
    raw = node.get("offers")
    for offer in (raw if isinstance(raw, list) else [raw])[:50]:
        offer = deref(offer)
        if not isinstance(offer, dict):
            continue
        ticket_url = ticket_url or absolute_url(text_value(offer.get("url")), base)
        currency = text_value(offer.get("priceCurrency"))
        specs = offer.get("priceSpecification")
        for holder in [offer, *(specs if isinstance(specs, list) else [specs])]:
            if not isinstance(holder, dict):
                continue
            currency = text_value(holder.get("priceCurrency")) or currency
            for key in ("price", "lowPrice", "highPrice", "minPrice", "maxPrice"):
                amount = _amount(holder.get(key))
                if amount is not None:
                    amounts.append((amount, currency))
    if not amounts:
        return None, is_free, ticket_url
    positive = sorted(a for a in amounts if a[0] > 0)
    if not positive:
        return None, True, ticket_url
    low, high = positive[0], positive[-1]
    text = _money(*low) if low[0] == high[0] else f"{_money(*low)} – {_money(*high)}"
    return text, False, ticket_url


def _amount(value: Any) -> float | None:
    text = text_value(value)
    if text is None:
        return None
    if _FREE_WORDS.match(text.strip()):
        return 0.0
    match = re.search(r"\d+(?:[.,]\d{1,2})?(?!\d)", text.replace(" ", ""))
    return float(match.group(0).replace(",", ".")) if match else None


def _money(amount: float, currency: str | None) -> str:
    """``€ 12,50`` for euros, ``USD 63,25`` for others, ``12,50`` when no currency is named."""
    number = f"{amount:.2f}".replace(".", ",")
    code = (currency or "").strip().upper()
    sign = _CURRENCY_SIGNS.get(code, code)
    return f"{sign} {number}" if sign else number
