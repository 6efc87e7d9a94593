"""Reading layer of iCalendar files for ``importers.ics``: lines, components, values, zones.

Owns: repairing and unfolding lines (RFC 5545 folds, Eventful's two-space folds, lines a
producer forgot to indent, blank lines), cutting them into VEVENT / VTIMEZONE / VVENUE
blocks with or without BEGIN:VCALENDAR, splitting content lines into name, parameters
and value, TEXT / GEO / DATE / DATE-TIME / PERIOD / DURATION values, and turning a TZID
into a ``tzinfo``. It is a small hand-written reader because icalendar's full parse
costs about 0.25 ms per event and feeds hold tens of thousands of events.
Must not: build listings, or depend on icalendar's process-wide zone cache (whatever
another file defined earlier must not change how this one reads).

TZID resolution order: the tz database, then the Windows-name table, then the IANA name
at the end of a prefixed TZID (``/citadel.org/20260108_1/Europe/Amsterdam``), then the
file's own VTIMEZONE, then Europe/Amsterdam (recorded in ``Zones.unknown`` so the caller
can warn). Floating times use the calendar's X-WR-TIMEZONE when that is an IANA name.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from icalendar import Timezone, vDuration
from icalendar.timezone import tzp
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from agenda.sanitize import clean_text
from importers.clean import AMSTERDAM, parse_coordinate

# RFC 5545 DATE and DATE-TIME; seconds are required, so "20171101T2300" is rejected.
_VALUE = re.compile(r"(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?")
_VALUE_HELP = "expected YYYYMMDD or YYYYMMDDTHHMMSS[Z]"
_ESCAPE = re.compile(r"\\(.)")
_LIST_ITEM = re.compile(r"(?:\\.|[^,\\])+")
_GEO_SPLIT = re.compile(r"[;,]")
_NEWLINE = re.compile(r"\r\n|\r|\n")
_PROPERTY = re.compile(r"([A-Za-z][A-Za-z0-9-]*)[;:]")
# Property names accepted in lower case; any other lower-case "word:" starting a line is
# text whose producer forgot to fold it ("http://...", "Note: ...").
_KNOWN = frozenset(
    {"BEGIN", "END", "UID", "DTSTART", "DTEND", "DURATION", "SUMMARY", "DESCRIPTION"}
    | {"LOCATION", "URL", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID", "STATUS", "CATEGORIES"}
)

# Property name -> every (parameters, raw value) it had, in file order.
Props = dict[str, list[tuple[dict[str, str], str]]]


def logical_lines(body: str) -> list[str]:
    """Unfolded content lines, repairing the folds real producers get wrong."""
    raw = _NEWLINE.split(body)
    indents = [len(ln) - len(ln.lstrip(" \t")) for ln in raw if ln[:1] in " \t" and ln.strip()]
    # RFC 5545 folds with one space; Eventful folds with two. Deeper indents (Upcoming's
    # six spaces) are text lines whose spaces clean_text collapses later.
    width = 2 if len(indents) >= 2 and min(indents) >= 2 else 1
    lines: list[str] = []
    for line in raw:
        if not line.strip():
            continue  # blank and whitespace-only lines are never content
        if line[0] in " \t":
            if lines:
                lines[-1] += line[min(width, len(line) - len(line.lstrip(" \t"))) :]
            continue
        match = _PROPERTY.match(line)
        if match is None or not (match.group(1).isupper() or match.group(1).upper() in _KNOWN):
            if lines:  # a continuation its producer forgot to indent
                lines[-1] += " " + line
            continue
        lines.append(line)
    return lines


@dataclass
class Document:
    """The blocks of one file that matter; everything else was dropped."""

    events: list[list[str]] = field(default_factory=list)
    vtimezones: dict[str, list[str]] = field(default_factory=dict)
    venues: list[dict[str, str]] = field(default_factory=list)
    wr_timezone: str | None = None


def split_components(lines: list[str]) -> Document:
    """VEVENT, VTIMEZONE and VVENUE blocks; everything else (VALARM, VFREEBUSY, X-) is dropped.

    Works without BEGIN:VCALENDAR and closes a VEVENT whose END line is missing.
    """
    doc = Document()
    kind: str | None = None
    block: list[str] = []
    depth = 0
    for line in lines:
        upper = line[:6].upper()
        if upper == "BEGIN:":
            name = line[6:].strip().upper()
            if kind is not None and (name == "VCALENDAR" or (name == kind == "VEVENT")):
                _finish(doc, kind, block)  # its END line is missing
                kind = None
            if kind is None:
                if name != "VCALENDAR":
                    kind, block, depth = name, [], 0
                continue
            depth += 1
            if kind == "VTIMEZONE":
                block.append(line)
        elif upper[:4] == "END:":
            name = line[4:].strip().upper()
            if kind is None:
                continue
            if name == kind or name == "VCALENDAR":
                _finish(doc, kind, block)
                kind = None
            elif depth:
                depth -= 1
                if kind == "VTIMEZONE":
                    block.append(line)
        elif kind is None:
            if upper == "X-WR-T":
                parsed = parse_line(line)
                if parsed and parsed[0] == "X-WR-TIMEZONE":
                    doc.wr_timezone = parsed[2].strip()
        elif depth == 0 or kind == "VTIMEZONE":
            block.append(line)
    if kind is not None:
        _finish(doc, kind, block)  # a truncated file: keep what was there
    return doc


def _finish(doc: Document, kind: str, block: list[str]) -> None:
    if kind == "VEVENT":
        doc.events.append(block)
    elif kind == "VTIMEZONE":
        tzid = text(props_of([ln for ln in block if ln[:4].upper() == "TZID"]), "TZID")
        if tzid:
            doc.vtimezones.setdefault(tzid, block)
    elif kind == "VVENUE":
        props = props_of(block)
        doc.venues.append({k: unescape(v[0][1]).strip() for k, v in props.items()})


# --- values ------------------------------------------------------------------------


def parse_line(line: str) -> tuple[str, dict[str, str], str] | None:
    """``NAME;PARAM=x;P="a:b":value`` -> (NAME, {PARAM: x, P: a:b}, value); None if broken."""
    colon = line.find(":")
    semi = line.find(";")
    if colon < 0:
        return None
    if semi < 0 or colon < semi:
        return line[:colon].upper(), {}, line[colon + 1 :]
    params: dict[str, str] = {}
    if '"' not in line[semi:colon]:  # the common case: no quoted parameter value
        for part in line[semi + 1 : colon].split(";"):
            key, _, value = part.partition("=")
            params[key.strip().upper()] = value.strip()
        return line[:semi].upper(), params, line[colon + 1 :]
    start, quoted = semi + 1, False
    for i in range(semi + 1, len(line)):
        char = line[i]
        if char == '"':
            quoted = not quoted
        elif not quoted and char in ";:":
            key, _, value = line[start:i].partition("=")
            params[key.strip().upper()] = value.strip().strip('"')
            if char == ":":
                return line[:semi].upper(), params, line[i + 1 :]
            start = i + 1
    return None


def props_of(lines: list[str]) -> Props:
    """The properties of one component's own lines."""
    props: Props = {}
    for line in lines:
        parsed = parse_line(line)
        if parsed is not None:
            props.setdefault(parsed[0], []).append((parsed[1], parsed[2]))
    return props


def unescape(value: str) -> str:
    """RFC 5545 TEXT unescaping: ``\\n`` is a newline, ``\\,`` a comma, and so on."""
    if "\\" not in value:
        return value
    return _ESCAPE.sub(lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def first(props: Props, name: str) -> tuple[dict[str, str], str] | None:
    """The first occurrence of a property with a non-blank value."""
    for entry in props.get(name, ()):
        if entry[1].strip():
            return entry
    return None


def text(props: Props, name: str) -> str | None:
    """A TEXT value, unescaped and stripped; empty and R's ``NA`` count as missing."""
    entry = first(props, name)
    if entry is None:
        return None
    value = unescape(entry[1]).strip()
    return value if value and value.upper() != "NA" else None


def text_list(props: Props, name: str) -> tuple[str, ...]:
    """A multi-valued TEXT property (CATEGORIES): ``Meeting\\, John`` is one item."""
    items: list[str] = []
    for _params, value in props.get(name, ()):
        for raw in _LIST_ITEM.findall(value):
            item = clean_text(unescape(raw))
            if item and item.upper() != "NA" and item not in items:
                items.append(item)
    return tuple(items)


def geo(value: str | None) -> tuple[float | None, float | None]:
    """``lat;lon`` (or ``lat,lon``) as two floats, or (None, None) for ``NA`` and nonsense."""
    parts = _GEO_SPLIT.split(value) if value else []
    if len(parts) != 2:
        return None, None
    lat, lon = parse_coordinate(parts[0], -90, 90), parse_coordinate(parts[1], -180, 180)
    return (lat, lon) if lat is not None and lon is not None else (None, None)


class InvalidValue(ValueError):
    """A property value that cannot be read; ``field`` names the property."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def iana_zone(name: str | None) -> ZoneInfo | None:
    """The tz-database zone called ``name``, or None (never raises on odd input)."""
    if not name:
        return None
    name = name.strip().strip('"').strip()
    if not name or len(name) > 80 or name.startswith("/"):
        return None
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError, OSError):  # ZoneInfoNotFoundError is a KeyError
        return None


def mapped_zone(tzid: str) -> ZoneInfo | None:
    """A TZID that names an IANA zone directly, by Windows name, or after a vendor prefix."""
    name = tzid.strip().strip('"').strip()
    zone = iana_zone(name)
    if zone is not None:
        return zone
    windows = WINDOWS_TO_OLSON.get(name)
    if windows is not None:
        return iana_zone(windows)
    if "/" in name:
        # "/mozilla.org/20070129_1/Europe/Berlin": try the longest IANA-looking suffix.
        parts = name.strip("/").split("/")
        for cut in range(1, len(parts)):
            suffix = parts[cut:]
            if len(suffix) == 1 and not name.startswith("/"):
                break  # "Germany/Berlin" must not become "Berlin"
            zone = iana_zone("/".join(suffix))
            if zone is not None:
                return zone
    return None


class Zones:
    """Per-document TZID resolution, cached for the document's lifetime only."""

    def __init__(self, vtimezones: dict[str, list[str]], wr_timezone: str | None) -> None:
        self._vtimezones = vtimezones
        self._cache: dict[str, tzinfo] = {}
        self.floating: tzinfo = iana_zone(wr_timezone) or AMSTERDAM
        # TZIDs nothing could resolve, in first-seen order (read as Europe/Amsterdam).
        self.unknown: list[str] = []

    def resolve(self, tzid: str) -> tzinfo:
        cached = self._cache.get(tzid)
        if cached is not None:
            return cached
        zone: tzinfo | None = mapped_zone(tzid)
        if zone is None:
            zone = self._from_vtimezone(tzid.strip().strip('"').strip())
        if zone is None:
            zone = AMSTERDAM
            self.unknown.append(tzid)
        self._cache[tzid] = zone
        return zone

    def _from_vtimezone(self, tzid: str) -> tzinfo | None:
        lines = self._vtimezones.get(tzid)
        if not lines:
            return None
        ical = "\r\n".join(["BEGIN:VTIMEZONE", *lines, "END:VTIMEZONE", ""])
        try:
            return tzp.create_timezone(Timezone.from_ical(ical))
        except Exception:  # a hostile VTIMEZONE may fail anywhere in icalendar/dateutil
            return None


def parse_time(field: str, value: str, params: dict[str, str], zones: Zones) -> date | datetime:
    """A DATE or an aware DATE-TIME (UTC, TZID or floating) from one property value."""
    match = _VALUE.fullmatch(value.strip().upper())
    if match is None:
        raise InvalidValue(field, f"{field} {value.strip()!r} is not a date-time ({_VALUE_HELP})")
    year, month, day, hour, minute, second, utc = match.groups()
    all_day = hour is None or params.get("VALUE", "").upper() == "DATE"
    zone: tzinfo | None = None
    if not all_day:
        tzid = params.get("TZID")
        zone = UTC if utc else zones.resolve(tzid) if tzid else zones.floating
    try:
        if all_day:
            return date(int(year), int(month), int(day))
        return datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=zone
        )
    except ValueError as exc:
        raise InvalidValue(field, f"{field} {value.strip()!r} is not a valid date: {exc}") from None


def parse_times(field: str, value: str, params: dict[str, str], zones: Zones) -> list[object]:
    """A comma-separated RDATE/EXDATE list; PERIOD items become ``(start, end_or_duration)``."""
    items: list[object] = []
    for item in value.split(","):
        if not item.strip():
            continue
        if "/" in item:
            head, _, tail = item.partition("/")
            start = parse_time(field, head, params, zones)
            end: object = (
                parse_duration(field, tail)
                if tail.strip().upper().lstrip("+-").startswith("P")
                else parse_time(field, tail, params, zones)
            )
            items.append((start, end))
        else:
            items.append(parse_time(field, item, params, zones))
    return items


def parse_duration(field: str, value: str) -> timedelta:
    """An RFC 5545 DURATION such as ``P1D`` or ``PT1H15M5S``."""
    try:
        duration = vDuration.from_ical(value.strip().upper())
    except (ValueError, TypeError):
        raise InvalidValue(field, f"{field} {value.strip()!r} is not a duration") from None
    if not isinstance(duration, timedelta):
        raise InvalidValue(field, f"{field} {value.strip()!r} is not a duration")
    return duration


def stamp(moment: date) -> str:
    """An occurrence's original start for its external_id: UTC, or the date if all-day."""
    if isinstance(moment, datetime):
        return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return moment.strftime("%Y%m%d")


def on_amsterdam_clock(moment: datetime) -> datetime:
    """The same instant on Amsterdam's clock; via UTC so a wall time in the spring gap
    (02:30 on the last Sunday of March) comes out as 03:30+02:00 and a repeated autumn
    hour gets the right ``fold``."""
    return moment.astimezone(UTC).astimezone(AMSTERDAM)


def add_months(moment: datetime, months: int) -> datetime:
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, monthrange(year, month)[1]))
