"""The planner's selection as files people use: Excel, CSV for Dutch Excel, a programme.

Pure (no web framework, no store): the rows every export shares (a date and a time in
columns of their own, titles without a trailing venue such as "| Kunstmuseum Den Haag",
labels in the reader's language), an ``.xlsx`` with real date and time cells (one sheet
for the selection, one per theme in it, one for holds), CSV with ``;`` and a BOM for Dutch
Excel or RFC 4180's commas, and the programme grouped by week for print and e-mail.
The pages that serve them are ``agenda.partners.planner_pages``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from agenda.dedup.titles import strip_suffix
from agenda.model import Event
from agenda.partners.holds import Hold
from agenda.partners.planner_data import day_range
from agenda.pictures import StoredPicture, picture_for, placeholder_for
from agenda.themes import Theme
from agenda.timeutil import to_local
from agenda.vocabulary import label as category_label
from agenda.web.i18n import audience_name, city_name, labels
from feeds.base import description_in, plain_text, title_in
from feeds.labels import long_day, short_day

COLUMNS = ("date", "start", "end_date", "end", "title", "venue", "city", "categories",
           "audience", "visibility", "embargo_until", "url")  # fmt: skip
DIALECTS = ("excel-nl", "rfc4180")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
WIDTHS = {"date": 12, "start": 8, "end_date": 12, "end": 8, "title": 48, "venue": 30,
          "city": 12, "categories": 24, "audience": 16, "visibility": 14,
          "embargo_until": 18, "url": 40}  # fmt: skip


def clean_title(event: Event, lang: str) -> str:
    """The title in ``lang`` without a trailing place ("| Kunstmuseum Den Haag", "(Leiden)")."""
    title = title_in(event, lang)
    places = [p for p in (event.venue.name if event.venue else None, event.city,
                          event.venue.city if event.venue else None) if p]  # fmt: skip
    return strip_suffix(title, places) or title


def _local(moment: datetime | None) -> datetime | None:
    return to_local(moment) if moment is not None else None


def export_row(event: Event, lang: str) -> dict[str, Any]:
    """One event as every export writes it: dates and times apart, words in ``lang``."""
    first, last = day_range(event)
    start, end = _local(event.start), _local(event.end)
    t = labels(lang)
    visibility = {"public": t["x_public"], "partners": t["pp_partners_only"],
                  "embargo": t["x_embargo"]}[event.visibility]  # fmt: skip
    embargo = _local(event.embargo_until)
    return {
        "date": first,
        "start": start.time().replace(tzinfo=None) if start else None,
        "end_date": last if last != first else None,
        "end": end.time().replace(tzinfo=None) if end and start and end > start else None,
        "title": clean_title(event, lang),
        "venue": event.venue.name if event.venue else "",
        "city": city_name(event.city, lang),
        "categories": ", ".join(category_label(c, lang) for c in event.categories),
        "audience": ", ".join(audience_name(a, lang) for a in event.audience),
        "visibility": visibility,
        "embargo_until": embargo.replace(tzinfo=None) if embargo else None,
        "url": event.url or "",
    }


def header(lang: str) -> list[str]:
    t = labels(lang)
    return [t[f"x_col_{c}"] for c in COLUMNS]


def _text(value: Any) -> str:
    """A cell as text: ISO dates, HH:MM times, and no text a spreadsheet would run."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    text = str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def planner_csv(events: Sequence[Event], lang: str, dialect: str = "excel-nl") -> bytes:
    """The selection as CSV: for Dutch Excel ``;``-separated with labels in ``lang`` as the
    header; ``rfc4180`` with commas and the column ids. UTF-8 with a BOM either way."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if dialect == "excel-nl" else ",",
                        lineterminator="\r\n")  # fmt: skip
    writer.writerow(header(lang) if dialect == "excel-nl" else list(COLUMNS))
    for event in events:
        row = export_row(event, lang)
        writer.writerow([_text(row[c]) for c in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode()


# --- Excel ------------------------------------------------------------------------------------


def _sheet_name(name: str, taken: set[str]) -> str:
    base = _SHEET_BAD.sub(" ", name).strip()[:31] or "Sheet"
    candidate, n = base, 2
    while candidate.lower() in taken:
        suffix = f" ({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate.lower())
    return candidate


def _fill(sheet: Any, head: list[str], rows: list[list[Any]], widths: list[int]) -> None:
    sheet.append(head)
    bold, shade = Font(bold=True), PatternFill("solid", fgColor="DDE6F0")
    for cell in sheet[1]:
        cell.font, cell.fill = bold, shade
        cell.alignment = Alignment(vertical="top")
    for row in rows:
        sheet.append(row)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, datetime):
                cell.number_format = "dd-mm-yyyy hh:mm"
            elif isinstance(cell.value, date):
                cell.number_format = "dd-mm-yyyy"
            elif isinstance(cell.value, time):
                cell.number_format = "hh:mm"
    sheet.freeze_panes = "A2"
    if rows:
        sheet.auto_filter.ref = sheet.dimensions


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA) else value
    return value


def planner_xlsx(
    events: Sequence[Event],
    themes: Sequence[Theme],
    holds: Sequence[Hold],
    lang: str,
    title: str,
) -> bytes:
    """The selection as a workbook: the period's events, one sheet per theme with events in
    it, and the holds; real date and time cells, a bold header, widths and a filter."""
    t = labels(lang)
    book = Workbook()
    taken: set[str] = set()
    head, widths = header(lang), [WIDTHS[c] for c in COLUMNS]

    def rows_of(selected: Sequence[Event]) -> list[list[Any]]:
        return [[_xlsx_value(export_row(e, lang)[c]) for c in COLUMNS] for e in selected]

    sheet = book.active
    assert sheet is not None
    sheet.title = _sheet_name(title, taken)
    _fill(sheet, head, rows_of(events), widths)
    for theme in themes:
        members = [e for e in events if theme.id in e.themes]
        if not members:
            continue
        name = theme.name_en if lang == "en" else theme.name_nl
        _fill(book.create_sheet(_sheet_name(name, taken)), head, rows_of(members), widths)
    if holds:
        hold_head = [t[f"x_hold_{c}"] for c in ("day", "time", "category", "city", "audience",
                                                "title", "partner", "expires")]  # fmt: skip
        hold_rows = [
            [h.day, time.fromisoformat(h.time) if h.time else None,
             category_label(h.category, lang), city_name(h.city, lang),
             audience_name(h.audience, lang) if h.audience else "", _xlsx_value(h.title or ""),
             _xlsx_value(h.partner), h.expires]
            for h in holds
        ]  # fmt: skip
        sheet = book.create_sheet(_sheet_name(t["hold_sheet"], taken))
        _fill(sheet, hold_head, hold_rows, [12, 8, 24, 12, 16, 40, 28, 12])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- the programme ------------------------------------------------------------------------


def programme_weeks(
    events: Sequence[Event],
    lang: str,
    first: date,
    pictures: Mapping[str, StoredPicture],
    base_url: str = "",
) -> list[dict[str, Any]]:
    """The selection grouped by ISO week (an event still running shows in the week of
    ``first``), each event with its time in words, place and picture (``base_url`` makes
    the addresses absolute, as an e-mail needs)."""
    t = labels(lang)
    weeks: dict[tuple[int, int], dict[str, Any]] = {}
    for event in events:
        begin, last = day_range(event)
        shown = max(begin, first)
        year, number, _ = shown.isocalendar()
        week = weeks.setdefault((year, number), {
            "number": number, "year": year, "title": t["prog_week"].format(
                n=number, first=short_day(date.fromisocalendar(year, number, 1), lang),
                last=short_day(date.fromisocalendar(year, number, 7), lang)),
            "events": [],
        })  # fmt: skip
        start = _local(event.start)
        if start is not None:
            when = f"{long_day(start.date(), lang)}, {start:%H:%M}"
        elif last > begin:
            when = f"{short_day(begin, lang)} – {short_day(last, lang)}"
        else:
            when = f"{long_day(begin, lang)}, {t['all_day']}"
        picture = picture_for(event, pictures, base_url)
        week["events"].append({
            "id": event.id, "title": clean_title(event, lang), "when": when,
            "venue": event.venue.name if event.venue else "",
            "city": city_name(event.city, lang), "url": event.url or "",
            "public": event.visibility == "public",
            "picture": picture.small if picture else placeholder_for(event, base_url),
            "alt": "", "is_placeholder": picture is None,
            "description": _excerpt(plain_text(description_in(event, lang)), 220),
            "categories": ", ".join(category_label(c, lang) for c in event.categories),
        })  # fmt: skip
    return [weeks[k] for k in sorted(weeks)]


def _excerpt(text: str, limit: int) -> str:
    plain = " ".join((text or "").split())
    return plain if len(plain) <= limit else plain[: limit - 1].rsplit(" ", 1)[0] + "…"
