"""The bundled demo region: eleven sources of Den Haag, Leiden and Delft in all six formats.

``write_region(folder, today, base_url)`` writes every source's document and a
``sources.toml`` pointing at ``{base_url}/<file>``, and returns the path of that file.
Serve the folder first (``agenda.demo.server.serve_folder``) so ``base_url`` is known;
the server reads files on every request, so writing after it started is fine.

The programme lives in ``data/region.toml`` (venues, sources, listings with day
offsets from ``today``); this module only renders it, each format the way real producers
write it: iCalendar with TZID and an RRULE-based VTIMEZONE, JSON-LD with UTC offsets, The
Events Calendar REST pages with ``utc_start_date`` beside the local ``start_date`` and
``next_rest_url``, RSS 2.0 and Atom with the event module, and a ``;``-separated UTF-8
spreadsheet with a BOM, Dutch headers and local ``dd-mm-yyyy`` / ``HH:MM`` cells.
Venues' events carry a picture, as real sources do (ICS ``ATTACH``, JSON-LD ``image``,
an RSS enclosure): pleasant gradients and shapes in the city's colours, drawn with Pillow
into ``images/`` at write time (no network) and served by the same loopback server, so
the picture job fetches them like any source's picture.
Output depends only on ``today`` and ``base_url``: the same arguments, the same bytes.
It never fetches, imports or touches a database.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from html import escape
from importlib.resources import files
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw, ImageOps

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
Data = dict[str, Any]  # a table of data/region.toml
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_EV = "http://purl.org/rss/1.0/modules/event/"
_ENGLISH_CITY = {"Den Haag": "The Hague"}
_VTIMEZONE = [
    "BEGIN:VTIMEZONE", "TZID:Europe/Amsterdam", "X-LIC-LOCATION:Europe/Amsterdam",
    "BEGIN:DAYLIGHT", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "TZNAME:CEST",
    "DTSTART:19700329T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "END:DAYLIGHT",
    "BEGIN:STANDARD", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "TZNAME:CET",
    "DTSTART:19701025T030000", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "END:STANDARD",
    "END:VTIMEZONE",
]  # fmt: skip


def load_region() -> Data:
    """The programme as written in ``data/region.toml`` (venues, sources, listings)."""
    text = (files("agenda.demo") / "data" / "region.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@dataclass(frozen=True)
class Item:
    """One listing with its dates resolved against ``today``."""

    data: Data
    title: str
    cancelled: bool
    venue: Data | None
    url: str
    start: datetime | None  # aware, Europe/Amsterdam; None for all-day
    end: datetime | None
    first: date  # local first day
    last: date  # local last day (inclusive)


def slugify(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text.replace("&", " en ")).encode("ascii", "ignore")
    return re.sub(r"[^a-z0-9]+", "-", plain.decode().lower()).strip("-")


def items_of(region: Data, source: Data, today: date) -> list[Item]:
    """The source's listings, in file order, with dates, venue and url filled in."""
    items = []
    for data in region["listing"]:
        if data["source"] != source["id"]:
            continue
        first = today + timedelta(days=data["day"])
        if "weekday" in data:  # a weekly series starts on the first such weekday
            first += timedelta(days=(_WEEKDAYS.index(data["weekday"]) - first.weekday()) % 7)
        start = end = None
        last = first + timedelta(days=data.get("days", 1) - 1)
        if "time" in data:
            start = datetime.combine(first, time.fromisoformat(data["time"]), AMSTERDAM)
            # Wall-clock arithmetic: the same local end time on either side of a DST change.
            end = start + timedelta(minutes=data["minutes"])
            last = first
        key = data.get("venue") or source.get("venue")
        slug = data.get("slug") or slugify(data["title"].split(" | ")[0])
        if source.get("dated"):
            slug += f"-{first:%Y%m%d}"
        venue = region["venue"].get(key) if key else None
        cancelled = data.get("status") == "cancelled"
        url = source["site"] + slug
        items.append(Item(data, data["title"], cancelled, venue, url, start, end, first, last))
    return items


def _place(venue: Data | None, english: bool = False) -> str:
    if venue is None:
        return ""
    city = _ENGLISH_CITY.get(venue["city"], venue["city"]) if english else venue["city"]
    where = " ".join(p for p in (venue["postcode"], city) if p)
    parts = [venue["name"], venue["address"], where]
    return ", ".join(dict.fromkeys(p for p in parts if p))


# --- iCalendar ---------------------------------------------------------------------------


def _ics_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """RFC 5545 folding at 75 octets, never inside a UTF-8 sequence."""
    data, parts, limit = line.encode("utf-8"), [], 75
    while len(data) > limit:
        cut = limit
        while data[cut] & 0xC0 == 0x80:
            cut -= 1
        parts.append(data[:cut])
        data, limit = data[cut:], 74
    parts.append(data)
    return "\r\n ".join(p.decode("utf-8") for p in parts)


# --- pictures -----------------------------------------------------------------------------

# The city's colours: from dark to light, and an accent for the shapes.
_CITY_COLOURS = {
    "Leiden": ((110, 24, 40), (236, 170, 110), (255, 236, 200)),
    "Den Haag": ((14, 52, 84), (96, 170, 160), (250, 214, 90)),
    "Delft": ((12, 44, 110), (120, 170, 225), (245, 248, 255)),
}
PICTURE_SIZE = (1600, 1000)


def picture_name(venue: Data) -> str:
    return f"images/{slugify(venue['name'])}.jpg"


def picture_url(item: Item, base_url: str) -> str | None:
    """Where the demo serves the picture of an item's venue (None: no venue, no picture)."""
    return f"{base_url}/{picture_name(item.venue)}" if item.venue is not None else None


def render_picture(venue: Data) -> bytes:
    """A venue's picture: a diagonal gradient with soft circles and a roofline, in the colours
    of its city, arranged by its name (the same venue, the same bytes)."""
    dark, light, accent = _CITY_COLOURS.get(venue["city"], _CITY_COLOURS["Leiden"])
    width, height = PICTURE_SIZE
    gradient = Image.linear_gradient("L").rotate(-35, expand=True).resize((width, height))
    image = ImageOps.colorize(gradient, dark, light).convert("RGB")
    seed = sum(ord(c) * (i + 1) for i, c in enumerate(venue["name"]))
    draw = ImageDraw.Draw(image, "RGBA")
    for n in range(5):
        r = 90 + (seed * (n + 3)) % 220
        x = (seed * (n + 7) * 37) % width
        y = (seed * (n + 11) * 53) % height
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(*accent, 46 + 12 * n))
    # A row of gabled fronts along the bottom: a Dutch street in silhouette.
    x = 0
    while x < width:
        w = 120 + (seed + x) % 90
        h = 200 + (seed * 3 + x) % 180
        base = height
        draw.polygon([(x, base), (x, base - h), (x + w // 2, base - h - 70),
                      (x + w, base - h), (x + w, base)], fill=(*dark, 215))  # fmt: skip
        for row in range(2):
            wy = base - h + 40 + row * 70
            draw.rectangle((x + w // 2 - 18, wy, x + w // 2 + 18, wy + 40), fill=(*accent, 150))
        x += w + 6
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def render_pictures(region: Data) -> dict[str, bytes]:
    """``images/<venue>.jpg`` for every venue of the region."""
    return {picture_name(v): render_picture(v) for v in region["venue"].values()}


def render_ics(region: Data, source: Data, today: date, base_url: str) -> bytes:
    domain = source["site"].split("/")[2]
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:-//{source['name']}//Agenda//NL"]
    lines += ["CALSCALE:GREGORIAN", "METHOD:PUBLISH", f"X-WR-CALNAME:{source['name']}"]
    lines += ["X-WR-TIMEZONE:Europe/Amsterdam", *_VTIMEZONE]
    for item in items_of(region, source, today):
        data = item.data
        lines += ["BEGIN:VEVENT", f"UID:{data['id']}@{domain}", f"DTSTAMP:{today:%Y%m%d}T060000Z"]
        if item.start is not None and item.end is not None:
            lines.append(f"DTSTART;TZID=Europe/Amsterdam:{item.start:%Y%m%dT%H%M%S}")
            lines.append(f"DTEND;TZID=Europe/Amsterdam:{item.end:%Y%m%dT%H%M%S}")
        else:
            lines.append(f"DTSTART;VALUE=DATE:{item.first:%Y%m%d}")
            lines.append(f"DTEND;VALUE=DATE:{item.last + timedelta(days=1):%Y%m%d}")
        if "rrule" in data and item.start is not None:
            lines.append(f"RRULE:{data['rrule']}")
            for week in data.get("skip", []):
                skipped = item.start + timedelta(weeks=week)
                lines.append(f"EXDATE;TZID=Europe/Amsterdam:{skipped:%Y%m%dT%H%M%S}")
        lines.append(f"SUMMARY:{_ics_text(item.title)}")
        lines.append(f"DESCRIPTION:{_ics_text(data.get('description', ''))}")
        if item.venue is not None:
            lines.append(f"LOCATION:{_ics_text(_place(item.venue))}")
            lines.append(f"GEO:{item.venue['lat']:.4f};{item.venue['lon']:.4f}")
        lines.append(f"CATEGORIES:{_ics_text(data['category'])}")
        lines.append(f"STATUS:{'CANCELLED' if item.cancelled else 'CONFIRMED'}")
        if (picture := picture_url(item, base_url)) is not None:
            lines.append(f"ATTACH;FMTTYPE=image/jpeg:{picture}")
        lines += [f"URL:{item.url}", "SEQUENCE:0", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines).encode("utf-8")


# --- JSON-LD in HTML ---------------------------------------------------------------------


def _schema_when(item: Item) -> dict[str, str]:
    if item.start is not None and item.end is not None:
        return {"startDate": item.start.isoformat(), "endDate": item.end.isoformat()}
    return {"startDate": item.first.isoformat(), "endDate": item.last.isoformat()}


def _schema_event(item: Item, source: Data, graph: bool, base_url: str = "") -> Data:
    data, venue = item.data, item.venue
    status = "EventCancelled" if item.cancelled else "EventScheduled"
    node: Data = {"@type": data.get("type", "Event")}
    node = {"@context": "https://schema.org", **node} if not graph else node
    node |= {"@id": f"{item.url}#event", "name": item.title, "url": item.url}
    node |= {"description": data.get("description", ""), **_schema_when(item)}
    node["eventStatus"] = f"https://schema.org/{status}"
    node["eventAttendanceMode"] = "https://schema.org/OfflineEventAttendanceMode"
    if venue is not None:
        address = {"@type": "PostalAddress", "streetAddress": venue["address"]}
        address |= {"postalCode": venue["postcode"], "addressLocality": venue["city"]}
        geo = {"@type": "GeoCoordinates", "latitude": venue["lat"], "longitude": venue["lon"]}
        node["location"] = {"@type": "Place", "name": venue["name"]}
        node["location"] |= {"address": address | {"addressCountry": "NL"}, "geo": geo}
    if "price" in data:
        node["offers"] = {"@type": "Offer", "price": data["price"], "priceCurrency": "EUR"}
        node["offers"] |= {"url": item.url, "availability": "https://schema.org/InStock"}
    if base_url and (picture := picture_url(item, base_url)) is not None:
        node["image"] = picture
    node["keywords"] = data["category"]
    node["inLanguage"] = source["language"]
    node["organizer"] = {"@type": "Organization", "name": source["name"]}
    return node


def _script(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, indent=2).replace("</", "<\\/")
    return f'<script type="application/ld+json">\n{text}\n</script>\n'


def render_jsonld(region: Data, source: Data, today: date, base_url: str) -> bytes:
    """A venue page with one script per event, or (aggregators) one ``@graph``."""
    items = items_of(region, source, today)
    graph = source["kind"] == "aggregator"
    home = "/".join(source["site"].split("/")[:3]) + "/"
    head = {"@context": "https://schema.org", "@type": "Organization"}
    head |= {"name": source["name"], "url": home}
    html = ['<!DOCTYPE html>\n<html lang="nl">\n<head>\n<meta charset="utf-8">\n']
    html.append(f"<title>Agenda | {escape(source['name'])}</title>\n{_script(head)}")
    if graph:
        nodes = [_schema_event(item, source, graph=True, base_url=base_url) for item in items]
        html.append(_script({"@context": "https://schema.org", "@graph": nodes}))
    html.append("</head>\n<body>\n<main>\n<h1>Agenda</h1>\n")
    for item in items:
        html.append(
            f'<article class="agenda-item"><h2><a href="{escape(item.url)}">'
            f"{escape(item.title)}</a></h2><p>{item.first:%d-%m-%Y}</p></article>\n"
        )
        if not graph:
            html.append(_script(_schema_event(item, source, graph=False, base_url=base_url)))
    html.append("</main>\n</body>\n</html>\n")
    return "".join(html).encode("utf-8")


# --- The Events Calendar REST API (two pages) --------------------------------------------


def _tribe_times(item: Item) -> Data:
    if item.start is not None and item.end is not None:
        start, end = item.start, item.end
    else:
        start = datetime.combine(item.first, time(0), AMSTERDAM)
        end = datetime.combine(item.last, time(23, 59, 59), AMSTERDAM)
    utc = {"utc_start_date": start.astimezone(UTC), "utc_end_date": end.astimezone(UTC)}
    fields: Data = {"all_day": item.start is None}
    for name, value in {"start_date": start, "end_date": end, **utc}.items():
        fields[name] = f"{value:%Y-%m-%d %H:%M:%S}"
    fields["timezone"], fields["timezone_abbr"] = "Europe/Amsterdam", start.tzname()
    return fields


def _tribe_event(item: Item, source: Data, today: date) -> Data:
    data, venue = item.data, item.venue or {}
    home = "/".join(source["site"].split("/")[:3])
    event: Data = {"id": int(data["id"]), "status": "publish"}
    event["date"] = f"{today - timedelta(days=30)} 10:00:00"
    event["url"] = item.url + "/"
    event["rest_url"] = f"{home}/wp-json/tribe/events/v1/events/{data['id']}"
    event |= {"title": item.title, "description": f"<p>{escape(data.get('description', ''))}</p>"}
    event |= {"slug": item.url.rsplit("/", 1)[1], "image": False, **_tribe_times(item)}
    event["cost"] = data.get("price", "")
    category = {"name": data["category"], "slug": slugify(data["category"])}
    event["categories"] = [category | {"taxonomy": "tribe_events_cat"}]
    event["tags"] = []
    event["venue"] = {
        "venue": venue.get("name", ""), "address": venue.get("address", ""),
        "city": venue.get("city", ""), "zip": venue.get("postcode", ""),
        "country": "Nederland", "geo_lat": venue.get("lat"), "geo_lng": venue.get("lon"),
        "url": f"{home}/locatie/{slugify(venue.get('name', ''))}/",
    }  # fmt: skip
    event["organizer"] = []
    return event


def render_tribe(region: Data, source: Data, today: date, base_url: str) -> dict[str, bytes]:
    """Two API pages: ``<file>`` and ``<stem>-p2.json``, linked by ``next_rest_url``."""
    events = [_tribe_event(i, source, today) for i in items_of(region, source, today)]
    stem = source["file"].rsplit(".", 1)[0]
    names = [source["file"], f"{stem}-p2.json"]
    size = (len(events) + 1) // 2
    pages: dict[str, bytes] = {}
    for number, name in enumerate(names):
        page: Data = {"events": events[number * size : (number + 1) * size]}
        page |= {"rest_url": f"{base_url}/{name}", "total": len(events), "total_pages": 2}
        if number == 0:
            page["next_rest_url"] = f"{base_url}/{names[1]}"
        else:
            page["previous_rest_url"] = f"{base_url}/{names[0]}"
        pages[name] = json.dumps(page, ensure_ascii=False, indent=1).encode("utf-8")
    return pages


# --- RSS 2.0 and Atom with the event module ----------------------------------------------


def _ev_time(item: Item, utc: bool) -> tuple[str, str]:
    if item.start is None or item.end is None:
        return item.first.isoformat(), item.last.isoformat()
    if utc:
        return _utc(item.start), _utc(item.end)
    return item.start.isoformat(), item.end.isoformat()


def _utc(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"


def _xml(text: str) -> str:
    return escape(text, quote=False)


def _html(item: Item) -> str:
    return f"<p>{_xml(item.data.get('description', ''))}</p>"


def _published(item: Item, today: date) -> datetime:
    """A plausible, deterministic publication moment: some weeks before the event."""
    day = min(item.first, today) - timedelta(days=21 + len(item.title) % 7)
    return datetime.combine(day, time(9, 0), AMSTERDAM)


def render_rss(region: Data, source: Data, today: date, base_url: str) -> bytes:
    home = "/".join(source["site"].split("/")[:3]) + "/"
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" ']
    out.append(f'xmlns:ev="{_EV}" xmlns:atom="http://www.w3.org/2005/Atom">\n<channel>\n')
    out.append(f"<title>{_xml(source['name'])}</title>\n<link>{home}</link>\n")
    out.append(f"<description>Agenda: {_xml(source['name'])}</description>\n")
    out.append(f"<language>{source['language']}</language>\n")
    out.append(f'<atom:link href="{base_url}/{source["file"]}" rel="self" ')
    out.append('type="application/rss+xml"/>\n')
    stamp = datetime.combine(today, time(6, 0), AMSTERDAM)
    out.append(f"<lastBuildDate>{stamp:%a, %d %b %Y %H:%M:%S %z}</lastBuildDate>\n")
    for item in items_of(region, source, today):
        start, end = _ev_time(item, utc=False)
        title = ("Geannuleerd: " if item.cancelled else "") + item.title
        out.append(f"<item>\n  <title>{_xml(title)}</title>\n  <link>{escape(item.url)}</link>\n")
        out.append(f'  <guid isPermaLink="false">{source["id"]}-{item.data["id"]}</guid>\n')
        out.append(f"  <description>{_xml(_html(item))}</description>\n")
        out.append(f"  <category>{_xml(item.data['category'])}</category>\n")
        out.append(f"  <pubDate>{_published(item, today):%a, %d %b %Y %H:%M:%S %z}</pubDate>\n")
        out.append(f"  <ev:startdate>{start}</ev:startdate>\n  <ev:enddate>{end}</ev:enddate>\n")
        if item.venue is not None:
            out.append(f"  <ev:location>{_xml(_place(item.venue))}</ev:location>\n")
        if (picture := picture_url(item, base_url)) is not None:
            out.append(f'  <enclosure url="{escape(picture)}" length="0" type="image/jpeg"/>\n')
        out.append(f"  <ev:organizer>{_xml(source['name'])}</ev:organizer>\n</item>\n")
    out.append("</channel>\n</rss>\n")
    return "".join(out).encode("utf-8")


def render_atom(region: Data, source: Data, today: date, base_url: str) -> bytes:
    home = "/".join(source["site"].split("/")[:3])
    tag = f"tag:{home.split('//')[1]},2020"  # a tag URI's date is fixed: ids stay stable
    lang = source["language"]
    out = ['<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" ']
    out.append(f'xmlns:ev="{_EV}" xml:lang="{lang}">\n')
    out.append(f"<title>{_xml(source['name'])}: what's on</title>\n<id>{tag}:feed</id>\n")
    out.append(f"<updated>{today:%Y-%m-%d}T06:00:00Z</updated>\n")
    out.append(f'<link rel="self" href="{base_url}/{source["file"]}"/>\n')
    out.append(f'<link rel="alternate" href="{source["site"]}"/>\n')
    out.append(f"<author><name>{_xml(source['name'])}</name></author>\n")
    for item in items_of(region, source, today):
        start, end = _ev_time(item, utc=True)
        out.append(f"<entry>\n  <id>{tag}:event/{item.data['id']}</id>\n")
        out.append(f'  <title type="text">{_xml(item.title)}</title>\n')
        out.append(f'  <link rel="alternate" type="text/html" href="{escape(item.url)}"/>\n')
        out.append(f"  <updated>{_utc(_published(item, today))}</updated>\n")
        out.append(f'  <summary type="html">{_xml(_html(item))}</summary>\n')
        term = escape(item.data["category"])
        out.append(f'  <category term="{term.lower()}" label="{term}"/>\n')
        out.append(f"  <ev:startdate>{start}</ev:startdate>\n  <ev:enddate>{end}</ev:enddate>\n")
        if item.venue is not None:
            place = _xml(_place(item.venue, english=lang == "en"))
            out.append(f"  <ev:location>{place}</ev:location>\n")
        out.append("</entry>\n")
    out.append("</feed>\n")
    return "".join(out).encode("utf-8")


# --- the themed-year spreadsheet ---------------------------------------------------------

_CSV_HEADER = "id titel datum begintijd einddatum eindtijd locatie adres plaats omschrijving link"


def render_csv(region: Data, source: Data, today: date, base_url: str) -> bytes:
    """Semicolons, Dutch headers, a BOM and CRLF, as Excel saves it; exhibitions as ranges."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([*_CSV_HEADER.split(), "categorie"])
    for item in items_of(region, source, today):
        venue = item.venue or {}
        timed = item.start is not None and item.end is not None
        span = item.last > item.first
        address = ", ".join(p for p in (venue.get("address"), venue.get("postcode")) if p)
        writer.writerow([
            item.data["id"], item.title, f"{item.first:%d-%m-%Y}",
            f"{item.start:%H:%M}" if item.start else "",
            f"{item.last:%d-%m-%Y}" if span and not timed else "",
            f"{item.end:%H:%M}" if item.end else "",
            venue.get("name", "") if venue.get("address") != venue.get("name") else "",
            address, venue.get("city", ""), item.data.get("description", ""), item.url,
            item.data["category"],
        ])  # fmt: skip
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


# --- the region --------------------------------------------------------------------------

RENDERERS = {
    "ics": render_ics, "jsonld": render_jsonld, "tribe": render_tribe,
    "rss": render_rss, "atom": render_atom, "csv": render_csv,
}  # fmt: skip


def _toml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string


def write_region(folder: Path, today: date, base_url: str) -> Path:
    """Write every source's documents and ``sources.toml`` into ``folder``; return that file."""
    base_url = base_url.rstrip("/")
    region = load_region()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "images").mkdir(exist_ok=True)
    for name, drawn in render_pictures(region).items():
        (folder / name).write_bytes(drawn)
    config = [
        "# The Regio-agenda demo region, written by `agenda demo` (agenda/demo/region.py).",
        f"# Dates are relative to {today.isoformat()}; the documents are served from {base_url}.",
    ]
    for source in region["source"]:
        rendered = RENDERERS[source["format"]](region, source, today, base_url)
        documents = rendered if isinstance(rendered, dict) else {source["file"]: rendered}
        for name, content in documents.items():
            (folder / name).write_bytes(content)
        venue = region["venue"][source["venue"]]["name"] if source.get("venue") else None
        fields = {k: source[k] for k in ("id", "name", "format")}
        fields |= {"url": f"{base_url}/{source['file']}", "kind": source["kind"]}
        fields |= {"city": source["city"], "venue": venue, "interval": "1h"}
        fields["language"] = source["language"]
        config += ["", "[[source]]", *(f"{k} = {_toml(v)}" for k, v in fields.items() if v)]
    path = folder / "sources.toml"
    path.write_text("\n".join(config) + "\n", encoding="utf-8")
    return path
