"""Marketing spreadsheets (format ``csv``; ``.xlsx`` too when openpyxl is installed).

Owns: decoding (UTF-8 with or without BOM, UTF-16, Windows-1252), finding the delimiter
(``,`` ``;`` tab), Dutch and English header aliases, turning a row into a listing, and one
Problem per unreadable row naming the row as a spreadsheet shows it (the header is row 1)
and the column. The date and time notations people type are read by
``importers.spreadsheet_dates``. Cells are text and stay text: a formula-looking cell
(``=HYPERLINK(...)``, ``+cmd``, ``@SUM``) is never evaluated and never becomes a link.
Never named ``csv.py``: that would shadow the standard library module it uses.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import warnings
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from agenda.model import Listing, Problem, SourceConfig
from agenda.sanitize import clean_description, clean_text, clean_title
from importers.base import ParseResult
from importers.clean import AMSTERDAM, content_id, decode_text, find_postcode, split_location
from importers.errors import ParseError
from importers.freetext import free_from_cost, status_from_text, zone_from_name
from importers.spreadsheet_dates import CellError, date_order, read_date, read_time_range

# Header aliases, compared without case, accents, spaces, underscores or punctuation.
_ALIASES = {
    "title": "titel title naam name eventname evenement eventtitle",
    "date": "datum date startdatum startdate eventstartdate begindatum",
    "start_time": "begintijd starttime starttijd aanvang aanvangstijd tijd time eventstarttime",
    "end_date": "einddatum enddate eventenddate",
    "end_time": "eindtijd endtime eventendtime",
    "venue": "locatie venue location eventvenuename zaal venuename",
    "address": "adres address straat eventvenueaddress",
    "postcode": "postcode zip zipcode postalcode",
    "city": "plaats city stad woonplaats",
    "description": "omschrijving description beschrijving eventdescription",
    "url": "link url website eventwebsite",
    "category": "categorie category categories genre eventcategory",
    "id": "id uid",
    "price": "prijs price cost eventcost",
    "all_day": "alldayevent heledag allday",
    "language": "taal language",
    "status": "status",
    "timezone": "timezone tijdzone eventtimezone",
    "organizer": "organisator organizer organisatie eventorganizername",
    "image": "afbeelding image eventfeaturedimage",
    "ticket_url": "tickets ticketurl ticketlink",
}
_FIELD_OF = {alias: field for field, names in _ALIASES.items() for alias in names.split()}
_NO_TIME = re.compile(r"hele dag|all day|n\.?[tv]\.?[bt]\.?|n\.?n\.?b\.?|tb[ad]|[-–?]", re.I)
_TRUE = frozenset(("true", "yes", "ja", "j", "y", "1", "x", "waar", "wel"))
_CANDIDATES = ",;\t"
_LANGUAGES = {
    "nederlands": "nl",
    "dutch": "nl",
    "engels": "en",
    "english": "en",
    "nl": "nl",
    "en": "en",
    "duits": "de",
    "german": "de",
    "frans": "fr",
    "french": "fr",
}


def parse(
    data: bytes, source: SourceConfig, now: datetime, *, url: str | None = None
) -> ParseResult:
    """Rows of a spreadsheet into listings; a bad row is a Problem, the others import."""
    rows = _xlsx_rows(data) if data.startswith(b"PK\x03\x04") else _csv_rows(_text(data))
    header_at = _header_index(rows)
    columns, unused = _columns(rows[header_at])
    problems: list[Problem] = []
    if unused:
        problems.append(_warning(source, f"columns not used: {', '.join(unused)}"))
    # Row numbers as a spreadsheet shows them: the header is row 1 when it is the first row.
    body = [(n + 1, r) for n, r in enumerate(rows) if n > header_at and any(c.strip() for c in r)]
    ragged = [str(n) for n, row in body if any(c.strip() for c in row[len(rows[header_at]) :])]
    if ragged:
        message = f"rows {', '.join(ragged[:10])}: more fields than the header; extra ignored"
        problems.append(_warning(source, message))
    found = {
        f: date_order([r[i] for _, r in body if i < len(r)])
        for f, (i, _) in columns.items()
        if f in ("date", "end_date")
    }
    # A column that cannot tell (all fields <= 12) follows the other date column, else day-first.
    known = next((o for o in found.values() if o is not None), True)
    orders = {f: known if o is None else o for f, o in found.items()}
    listings: list[Listing] = []
    seen: dict[str, int] = {}
    for number, row in body:
        cells = {f: clean_text(row[i]) if i < len(row) else "" for f, (i, _) in columns.items()}
        ident = cells.get("id") or None
        notes: list[str] = []
        try:
            listing = _listing(cells, source, orders, now, notes)
        except CellError as exc:
            column = columns[exc.field][1] if exc.field in columns else exc.field
            message = f"row {number}, column {column}: {exc}"
            problems.append(
                Problem(source_id=source.id, external_id=ident, field=column, message=message)
            )
            continue
        problems.extend(_warning(source, f"row {number}: {note}", ident) for note in notes)
        if listing.external_id in seen:
            first = seen[listing.external_id]
            message = f"row {number} repeats row {first}; kept row {first}"
            problems.append(_warning(source, message, listing.external_id))
            continue
        seen[listing.external_id] = number
        listings.append(listing)
    return ParseResult(listings=tuple(listings), problems=tuple(problems))


def _columns(header: list[str]) -> tuple[dict[str, tuple[int, str]], list[str]]:
    """field -> (index, name as written); and the names of columns not used."""
    columns: dict[str, tuple[int, str]] = {}
    unused: list[str] = []
    for index, name in enumerate(header):
        field = _FIELD_OF.get(_normalise(name))
        if field and field not in columns:
            columns[field] = (index, name.strip())
        elif name.strip():
            unused.append(name.strip())
    return columns, unused


# -- reading the document ---------------------------------------------------------------


def _text(data: bytes) -> str:
    """Decoded text, refusing what is clearly not a spreadsheet (markup, JSON, binary)."""
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # UTF-16 without a BOM shows as a NUL in every other byte; anything else is binary.
        if data[1:4096:2].count(0) > len(data[1:4096:2]) * 0.9:
            data = data.decode("utf-16-le", errors="replace").encode("utf-8")
        elif data[0:4096:2].count(0) > len(data[0:4096:2]) * 0.9:
            data = data.decode("utf-16-be", errors="replace").encode("utf-8")
    text = decode_text(data).lstrip("\ufeff")
    head = text.lstrip()[:4096]
    if head[:1] in ("<", "{", "["):
        raise ParseError("markup or JSON, not a spreadsheet")
    odd = sum(1 for ch in head if (ch < " " and ch not in "\t\r\n") or ch == "\ufffd")
    if not head or odd > len(head) * 0.01:
        raise ParseError("binary or empty data, not a spreadsheet")
    return text


def _csv_rows(text: str) -> list[list[str]]:
    # Excel writes a "sep=;" line first when asked to; it is not a row of the sheet.
    hint = re.match(r"sep=(.)\r?\n", text, re.IGNORECASE)
    if hint:
        text = text[hint.end() :]
    delimiter = hint.group(1) if hint else _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[str]] = []
    while True:
        try:
            rows.append(next(reader))
        except StopIteration:
            return rows
        except csv.Error as exc:  # a huge or broken field: keep the row count right
            rows.append([f"unreadable row: {exc}"])


def _delimiter(text: str) -> str:
    """The Sniffer's guess when the header agrees with it, else the most frequent candidate."""
    lines = [line for line in text[:16384].splitlines() if line.strip()][:20]
    try:
        guess = csv.Sniffer().sniff("\n".join(lines), delimiters=_CANDIDATES).delimiter
    except csv.Error:
        guess = ""
    first = lines[0] if lines else ""
    if guess and guess in first:
        return guess
    unquoted = [re.sub(r'"[^"]*"', "", line) for line in lines[:10]]
    counts = {d: sum(line.count(d) for line in unquoted) for d in _CANDIDATES}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def _xlsx_rows(data: bytes) -> list[list[str]]:
    """The first sheet of a workbook, read-only, formulas as their text (never computed)."""
    try:
        import openpyxl  # type: ignore[import-untyped]  # optional: only workbooks need it
    except ImportError:
        raise ParseError("an .xlsx workbook; reading it needs the openpyxl package") from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it cannot read
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
            try:
                sheet = book.worksheets[0]
                return [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            finally:
                book.close()
    except Exception as exc:  # openpyxl raises many kinds for a broken or foreign zip
        raise ParseError(f"not a readable .xlsx workbook: {exc}") from None


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d" if value.time() == time(0) else "%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _normalise(name: str) -> str:
    """Header text without case, accents, spaces, underscores or punctuation."""
    plain = unicodedata.normalize("NFKD", name.lstrip("\ufeff"))
    return "".join(ch for ch in plain.lower() if ch.isalnum() and ch.isascii())


def _header_index(rows: list[list[str]]) -> int:
    """The first row naming a title and a date column (a sheet title may sit above it)."""
    for index, row in enumerate(rows[:20]):
        fields = {_FIELD_OF.get(_normalise(cell)) for cell in row}
        if {"title", "date"} <= fields:
            return index
    raise ParseError("no header row with a title and a date column (titel/title, datum/date)")


# -- reading one row --------------------------------------------------------------------


def _listing(
    cells: dict[str, str],
    source: SourceConfig,
    orders: dict[str, bool],
    now: datetime,
    notes: list[str],
) -> Listing:
    """One row's cells (by field) into a listing; ``notes`` collects non-fatal remarks."""
    title = clean_title(cells.get("title"))
    if not title:
        raise CellError("title", "no title")
    if not cells.get("date"):
        raise CellError("date", "no date")
    day, day_time = read_date(cells["date"], orders.get("date", True), now, "date")
    start_time = end_time = None
    for field in ("start_time", "end_time"):  # "hele dag", "n.t.b.", "-": no time given
        if _NO_TIME.fullmatch(cells.get(field, "")):
            cells = {**cells, field: ""}
    if cells.get("start_time"):
        start_time, end_time = read_time_range(cells["start_time"], "start_time")
    start_time = start_time or day_time
    end_day = end_day_time = None
    if cells.get("end_date"):
        end_day, end_day_time = read_date(
            cells["end_date"], orders.get("end_date", True), now, "end_date"
        )
    if cells.get("end_time"):
        end_time = read_time_range(cells["end_time"], "end_time")[0]
    end_time = end_time or end_day_time
    zone: tzinfo | None = zone_from_name(cells.get("timezone")) if cells.get("timezone") else None
    if zone is None and cells.get("timezone"):
        notes.append(f"unknown timezone {cells['timezone']!r}; used Europe/Amsterdam")
    zone = zone or AMSTERDAM
    if end_day is not None and end_day < day:
        notes.append(f"end date {cells['end_date']!r} is before the start; ignored")
        end_day = None
    times: dict[str, Any] = {}
    if start_time is None or cells.get("all_day", "").lower() in _TRUE:
        times = {"start_date": day, "end_date": end_day}  # no time: an all-day listing
    else:
        start = datetime.combine(day, start_time[0], tzinfo=zone) + timedelta(days=start_time[1])
        end = None
        if end_time is not None:
            end = datetime.combine(end_day or day, end_time[0], tzinfo=zone)
            end += timedelta(days=end_time[1])
            if end <= start and end_day is None:
                end += timedelta(days=1)  # 22:00-01:00 ends the next day
        times = {"start": start, "end": end if end is not None and end > start else None}
    address = cells.get("address") or None
    postcode = find_postcode(cells.get("postcode")) or cells.get("postcode") or None
    city = cells.get("city") or None
    if address and find_postcode(address):
        parts = split_location(address)
        address, postcode = parts["address"], postcode or parts["postcode"]
        city = city or parts["city"]
    venue = cells.get("venue") or None
    price = cells.get("price") or None
    categories = [c.strip() for c in re.split(r"[,;|]", cells.get("category", "")) if c.strip()]
    ident = cells.get("id") or content_id(title, cells["date"], cells.get("start_time"), venue)
    return Listing(
        source_id=source.id,
        external_id=ident,
        title=title,
        **times,
        status=status_from_text(cells.get("status", ""), title) or "scheduled",
        description=clean_description(cells.get("description")),
        url=_link(cells.get("url"), notes),
        venue_name=venue or source.venue,
        address=address,
        postcode=postcode,
        city=city or source.city,
        categories=tuple(dict.fromkeys(categories)),
        language=_LANGUAGES.get(cells.get("language", "").lower(), cells.get("language"))
        or source.language,
        price=price,
        is_free=free_from_cost(price),
        ticket_url=_link(cells.get("ticket_url"), notes),
        image=_link(cells.get("image"), notes),
        organizer=cells.get("organizer") or None,
    )


def _link(value: str | None, notes: list[str]) -> str | None:
    """Only a plain absolute http(s) address is a link; a formula or a word is not."""
    if not value:
        return None
    if re.fullmatch(r"https?://[^\s\"'<>]+", value, re.IGNORECASE):
        return value
    if re.fullmatch(r"www\.[^\s\"'<>]+\.[a-z]{2,}[^\s\"'<>]*", value, re.IGNORECASE):
        return "https://" + value
    notes.append(f"{value[:80]!r} is not a web address; left out")
    return None


def _warning(source: SourceConfig, message: str, ident: str | None = None) -> Problem:
    return Problem(source_id=source.id, external_id=ident, message=message, severity="warning")
