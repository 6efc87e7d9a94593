"""Value layer of iCalendar files for ``importers.ics``: values and time zones.

Owns: TEXT lists / GEO / DATE / DATE-TIME / PERIOD / DURATION values, and turning a TZID
into a ``tzinfo``. Lines and components are ``ics_lines``'s job. It is a small
hand-written reader because icalendar's full parse costs about 0.25 ms per event and
feeds hold tens of thousands of events.
Must not: build listings, or depend on icalendar's process-wide zone cache (whatever
another file defined earlier must not change how this one reads).

TZID resolution order: the tz database, then the Windows-name table, then the IANA name
at the end of a prefixed TZID (``/citadel.org/20260108_1/Europe/Amsterdam``), then the
file's own VTIMEZONE, then Europe/Amsterdam (recorded in ``Zones.unknown`` so the caller
can warn). An IANA TZID (plain or prefixed) whose VTIMEZONE fully defines rules that
differ from tzdata at the wall times the document reads in it follows the file instead
(``ics_own_rules`` says why; recorded in ``Zones.own`` so the caller can warn).
Floating times use the calendar's X-WR-TIMEZONE when that is an IANA name.
"""

from __future__ import annotations

import re
import time
from calendar import monthrange
from datetime import UTC, date, datetime, timedelta, tzinfo
from datetime import time as clock
from zoneinfo import ZoneInfo

from icalendar import Timezone, vDuration
from icalendar.timezone import tzp
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from agenda.sanitize import clean_text
from importers.clean import AMSTERDAM, parse_coordinate
from importers.ics_lines import Props, unescape
from importers.ics_own_rules import own_rules

# RFC 5545 DATE and DATE-TIME; seconds are required, so "20171101T2300" is rejected.
_VALUE = re.compile(r"(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?")
_VALUE_HELP = "expected YYYYMMDD or YYYYMMDDTHHMMSS[Z]"
_LIST_ITEM = re.compile(r"(?:\\.|[^,\\])+")
_GEO_SPLIT = re.compile(r"[;,]")
# CPU seconds one document may spend comparing its VTIMEZONEs with tzdata, all TZIDs together.
OWN_RULES_BUDGET = 1.0


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


def wall_time(value: str) -> datetime | None:
    """A local DATE-TIME value (no ``Z``) as a naive datetime; None for anything else."""
    match = _VALUE.fullmatch(value.strip().upper())
    if match is None or match.group(4) is None or match.group(7):
        return None
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    try:
        return datetime(year, month, day, hour, minute, second)  # noqa: DTZ001
    except ValueError:
        return None


class Zones:
    """Per-document TZID resolution, cached for the document's lifetime only.

    Wall times given to ``expect`` before a TZID is first resolved are the evidence for
    choosing between an IANA TZID's in-file VTIMEZONE and tzdata (see ``ics_own_rules``).
    """

    def __init__(self, vtimezones: dict[str, list[str]], wr_timezone: str | None) -> None:
        self._vtimezones = vtimezones
        self._cache: dict[str, tzinfo] = {}
        # Per TZID, the DATE-TIME values read in it, by their date ("20270415").
        self._walls: dict[str, dict[str, list[str]]] = {}
        self._budget = OWN_RULES_BUDGET
        self.floating: tzinfo = iana_zone(wr_timezone) or AMSTERDAM
        # TZIDs nothing could resolve, in first-seen order (read as Europe/Amsterdam).
        self.unknown: list[str] = []
        # IANA TZIDs read by the file's own VTIMEZONE, which differs from tzdata.
        self.own: list[str] = []

    def expect(self, tzid: str, value: str, params: dict[str, str] | None = None) -> None:
        """Note a DATE-TIME value the document will read in ``tzid``; kept as text, and
        only for a TZID the file has a VTIMEZONE for (read later, if ever needed)."""
        if not self._vtimezones or (params and params.get("VALUE", "").upper() == "DATE"):
            return
        days = self._walls.get(tzid)
        if days is None:
            days = self._walls[tzid] = {}
            if tzid.strip().strip('"').strip() not in self._vtimezones:
                return  # stays empty: nothing to compare with
        elif not days:
            return
        value = value.strip()
        days.setdefault(value[:8], []).append(value)

    def resolve(self, tzid: str) -> tzinfo:
        cached = self._cache.get(tzid)
        if cached is not None:
            return cached
        name = tzid.strip().strip('"').strip()
        zone: tzinfo | None = mapped_zone(tzid)
        if zone is not None and _names_iana(name) and name in self._vtimezones:
            own = self._own_rules(name, zone, self._samples(tzid, zone))
            if own is not None:
                zone = own
                self.own.append(tzid)
        if zone is None:
            zone = self._from_vtimezone(name)
        if zone is None:
            zone = AMSTERDAM
            self.unknown.append(tzid)
        self._cache[tzid] = zone
        return zone

    def _samples(self, tzid: str, tzdata: tzinfo) -> list[datetime]:
        """The wall times read in ``tzid`` that serve as evidence: one a day, and every one
        on a day tzdata changes its offset.

        Offsets only change at transitions, and rules that differ from tzdata disagree for
        days on end, so one time a day finds them; reading every value of a 20 000-event
        feed through dateutil's zone would cost a second.
        """
        samples: list[datetime] = []
        for values in self._walls.get(tzid, {}).values():
            walls = (wall for wall in map(wall_time, values) if wall is not None)
            wall = next(walls, None)
            if wall is None:
                continue
            samples.append(wall)
            if _offset_changes(wall.date(), tzdata):
                samples.extend(walls)
        return samples

    def _own_rules(self, name: str, tzdata: tzinfo, walls: list[datetime]) -> tzinfo | None:
        vtimezone = self._vtimezone(name)
        if vtimezone is None or not walls or self._budget <= 0:
            return None
        began = time.monotonic()
        try:
            return own_rules(vtimezone, tzdata, walls, began + self._budget)
        finally:
            self._budget -= time.monotonic() - began

    def _vtimezone(self, tzid: str) -> Timezone | None:
        lines = self._vtimezones.get(tzid)
        if not lines:
            return None
        ical = "\r\n".join(["BEGIN:VTIMEZONE", *lines, "END:VTIMEZONE", ""])
        try:
            vtimezone = Timezone.from_ical(ical)
        except Exception:  # a hostile VTIMEZONE may fail anywhere in icalendar
            return None
        return vtimezone if isinstance(vtimezone, Timezone) else None

    def _from_vtimezone(self, tzid: str) -> tzinfo | None:
        vtimezone = self._vtimezone(tzid)
        if vtimezone is None:
            return None
        try:
            return tzp.create_timezone(vtimezone)
        except Exception:  # a hostile VTIMEZONE may fail anywhere in icalendar/dateutil
            return None


def _offset_changes(day: date, zone: tzinfo) -> bool:
    midnight = datetime.combine(day, clock(), zone)
    return midnight.utcoffset() != (midnight + timedelta(days=1)).utcoffset()


def _names_iana(name: str) -> bool:
    """A TZID that is an IANA name, plain or after a vendor prefix; not a Windows name."""
    return iana_zone(name) is not None or name not in WINDOWS_TO_OLSON


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
