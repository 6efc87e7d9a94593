"""The bundled sample region: a few real venues of Den Haag, Leiden and Delft publishing
iCalendar feeds, with dates relative to today so the demo always shows what is coming.

``write_region(folder, today)`` writes the feeds and a ``sources.toml`` and returns its path.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

# (source id, name, kind, city, venue, address)
SOURCES = [
    ("lakenhal", "Museum De Lakenhal", "venue", "Leiden", "Museum De Lakenhal",
     "Oude Singel 32, 2312 RA Leiden"),
    ("schouwburg", "Leidse Schouwburg", "venue", "Leiden", "Leidse Schouwburg",
     "Oude Vest 43, 2312 XS Leiden"),
    ("mauritshuis", "Mauritshuis", "venue", "Den Haag", "Mauritshuis",
     "Plein 29, 2511 CS Den Haag"),
    ("prinsenhof", "Museum Prinsenhof Delft", "venue", "Delft", "Museum Prinsenhof Delft",
     "Sint Agathaplein 1, 2611 HR Delft"),
    ("uit-in-leiden", "Leiden Marketing - Uit in Leiden", "aggregator", "Leiden", None, None),
]  # fmt: skip

# (source, uid, title, day offset, "HH:MM" or None for all-day, minutes or days, extra)
EVENTS = [
    ("lakenhal", "lh-rembrandt-lievens", "Rembrandt & Lievens", -10, None, 120,
     {"categories": "Tentoonstelling"}),
    ("lakenhal", "lh-lezing-gouden-eeuw", "Lezing: Leiden in de Gouden Eeuw", 3, "20:00", 75,
     {"categories": "Lezing"}),
    ("lakenhal", "lh-rondleiding", "Rondleiding door de vaste collectie", 1, "14:00", 60,
     {"rrule": "FREQ=WEEKLY;COUNT=12", "categories": "Rondleiding"}),
    ("lakenhal", "lh-familiedag", "Familiedag: teken als Rembrandt", 9, "11:00", 240,
     {"categories": "Familie"}),
    ("schouwburg", "lsb-hamlet", "Hamlet - Het Nationale Theater", 5, "20:15", 150,
     {"categories": "Theater"}),
    ("schouwburg", "lsb-cabaret", "Cabaret: Najib Amhali", 12, "20:15", 120,
     {"categories": "Cabaret"}),
    ("schouwburg", "lsb-cancelled", "Dansvoorstelling: Scapino Ballet", 8, "20:00", 90,
     {"categories": "Dans", "status": "CANCELLED"}),
    ("mauritshuis", "mh-vermeer", "Vermeer en tijdgenoten", -30, None, 150,
     {"categories": "Tentoonstelling"}),
    ("mauritshuis", "mh-avondopenstelling", "Avondopenstelling met muziek", 6, "19:00", 180,
     {"categories": "Muziek"}),
    ("mauritshuis", "mh-kinderen", "Hallo Rembrandt! voor kinderen", 2, "10:30", 90,
     {"rrule": "FREQ=WEEKLY;BYDAY=SA,SU;COUNT=10", "categories": "Familie"}),
    ("prinsenhof", "ph-delfts-blauw", "Delfts Blauw in de Gouden Eeuw", -5, None, 200,
     {"categories": "Tentoonstelling"}),
    ("prinsenhof", "ph-concert", "Kamermuziek in de Van der Mandelezaal", 14, "20:00", 90,
     {"categories": "Klassiek"}),
    ("prinsenhof", "ph-willem", "Lezing: Willem van Oranje in Delft", 4, "19:30", 60,
     {"categories": "Lezing"}),
    ("uit-in-leiden", "uil-1", "Lezing: Leiden in de Gouden Eeuw", 3, "20:00", 75,
     {"categories": "Lezing", "location": "Museum De Lakenhal, Oude Singel 32, Leiden"}),
    ("uit-in-leiden", "uil-2", "Hamlet - Het Nationale Theater", 5, "20:15", 150,
     {"categories": "Theater", "location": "Leidse Schouwburg, Oude Vest 43, Leiden"}),
    ("uit-in-leiden", "uil-3", "Lakenfeesten: muziek op de Burcht", 20, "15:00", 240,
     {"categories": "Festival", "location": "Burcht van Leiden, Leiden"}),
    ("uit-in-leiden", "uil-4", "Leidens Ontzet: reveille", 11, "06:30", 60,
     {"categories": "Evenement", "location": "Stadhuis Leiden, Breestraat 117, Leiden"}),
]  # fmt: skip

_VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/Amsterdam
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE"""


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _vevent(event: tuple, today: date, address: str | None, venue: str | None) -> list[str]:
    _, uid, title, offset, clock, length, extra = event
    day = today + timedelta(days=offset)
    lines = ["BEGIN:VEVENT", f"UID:{uid}@demo.regio-agenda.nl", "DTSTAMP:20260101T000000Z"]
    if clock is None:
        lines.append(f"DTSTART;VALUE=DATE:{day:%Y%m%d}")
        lines.append(f"DTEND;VALUE=DATE:{day + timedelta(days=length):%Y%m%d}")
    else:
        start = datetime.combine(day, time.fromisoformat(clock))
        end = start + timedelta(minutes=length)
        lines.append(f"DTSTART;TZID=Europe/Amsterdam:{start:%Y%m%dT%H%M%S}")
        lines.append(f"DTEND;TZID=Europe/Amsterdam:{end:%Y%m%dT%H%M%S}")
    if "rrule" in extra:
        lines.append(f"RRULE:{extra['rrule']}")
    lines.append(f"SUMMARY:{_escape(title)}")
    location = extra.get("location") or ", ".join(p for p in (venue, address) if p)
    if location:
        lines.append(f"LOCATION:{_escape(location)}")
    lines.append(f"CATEGORIES:{_escape(extra['categories'])}")
    lines.append(f"STATUS:{extra.get('status', 'CONFIRMED')}")
    lines.append(f"URL:https://demo.regio-agenda.nl/{uid}")
    lines.append("END:VEVENT")
    return lines


def write_region(folder: Path, today: date) -> Path:
    """Write the sample feeds and their sources file into ``folder``; return the file."""
    folder.mkdir(parents=True, exist_ok=True)
    config: list[str] = ["# The Regio-agenda demo region, written by `agenda demo`."]
    for source_id, name, kind, city, venue, address in SOURCES:
        lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:-//{name}//Regio-agenda demo//NL"]
        lines += ["CALSCALE:GREGORIAN", f"X-WR-CALNAME:{name}", _VTIMEZONE]
        for event in EVENTS:
            if event[0] == source_id:
                lines += _vevent(event, today, address, venue)
        lines.append("END:VCALENDAR")
        (folder / f"{source_id}.ics").write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
        config += ["", "[[source]]", f'id = "{source_id}"', f'name = "{name}"', 'format = "ics"']
        config += [f'url = "{source_id}.ics"', f'kind = "{kind}"', f'city = "{city}"']
        if venue:
            config.append(f'venue = "{venue}"')
        config.append('language = "nl"')
    path = folder / "sources.toml"
    path.write_text("\n".join(config) + "\n", encoding="utf-8")
    return path
