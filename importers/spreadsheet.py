"""Marketing spreadsheets (format ``csv``; ``.xlsx`` too when openpyxl is installed).

Owns: Dutch and English header aliases, turning a row into a listing, one Problem per
unreadable row naming the row as a spreadsheet shows it (the header is row 1) and the
column, and the row limit. Decoding, the delimiter, the workbook and the other bounds
are ``importers.spreadsheet_read``; the date and time notations people type are read by
``importers.spreadsheet_dates``. Cells are text and stay text: a formula-looking cell
(``=HYPERLINK(...)``, ``+cmd``, ``@SUM``) is never evaluated and never becomes a link.
Never named ``csv.py``: that would shadow the standard library module it uses.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from datetime import datetime, timedelta, tzinfo
from typing import Any

from agenda.model import Listing, Problem, SourceConfig, cap_problems
from agenda.sanitize import DESCRIPTION_LIMIT, clean_description_cut, clean_text, clean_title
from importers.base import ParseResult
from importers.clean import AMSTERDAM, content_id, find_postcode, split_location
from importers.errors import ParseError
from importers.freetext import free_from_cost, status_from_text, zone_from_name
from importers.spreadsheet_dates import CellError, date_order, read_date, read_time_range
from importers.spreadsheet_read import COLUMN_LIMIT, Sheet

ROW_LIMIT = 20_000  # data rows read from one document; then one Problem, complete=False

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
    """Rows of a spreadsheet into listings; a bad row is a Problem, the others import.

    At most ``ROW_LIMIT`` data rows are read (see ``importers.spreadsheet_read`` for the
    other bounds); a bound reached is one Problem and a result that is not complete.
    """
    sheet = Sheet(data)
    header, body, stop = _read(sheet)
    columns, unused = _columns(header)
    problems: list[Problem] = []
    if unused:
        problems.append(_warning(source, f"columns not used: {', '.join(unused)}"))
    if sheet.wide:
        message = f"only the first {COLUMN_LIMIT} columns are read; cells further right ignored"
        problems.append(_warning(source, message))
    ragged = [str(n) for n, row in body if any(c.strip() for c in row[len(header) :])]
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
    capped = cap_problems(problems, source.id)
    if stop is not None:  # never lost under the cap: it says the answer is partial
        capped = (*capped, Problem(source_id=source.id, message=stop))
    return ParseResult(listings=tuple(listings), problems=capped, complete=stop is None)


def _read(sheet: Sheet) -> tuple[list[str], list[tuple[int, list[str]]], str | None]:
    """The header's cells, the non-empty rows under it (at most ROW_LIMIT), and
    why reading stopped early (None when the whole document was read)."""
    rows = iter(sheet)
    first = list(itertools.islice(rows, 20))
    header_at = _header_index([row for _, row in first])
    body = [(n, r) for n, r in first[header_at + 1 :] if any(c.strip() for c in r)]
    stop = None
    for number, row in rows:
        if not any(c.strip() for c in row):
            continue
        if len(body) == ROW_LIMIT:
            stop = (f"row {number}: stopped reading after {ROW_LIMIT:,} rows; "
                    "the rest of the file is not imported")  # fmt: skip
            break
        body.append((number, row))
    return first[header_at][1], body, stop or sheet.stop


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
    description, cut = clean_description_cut(cells.get("description"))
    if cut:
        notes.append(f"description cut to {DESCRIPTION_LIMIT:,} characters")
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
        description=description,
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
