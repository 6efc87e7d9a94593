"""Reading a spreadsheet document into rows of text, streaming and within bounds.

Owns: decoding CSV bytes (UTF-8 with or without BOM, UTF-16, Windows-1252), finding the
delimiter, and reading the first sheet of an ``.xlsx`` workbook; for both, the bounds
that keep one hostile document from taking the server's memory or time. Turning rows into
listings is ``importers.spreadsheet``.

Why bounded here: a 5.8 KB workbook whose ``<dimension>`` claimed A1:XFD1048576 made
openpyxl pad every row to 16,384 cells and every gap to empty rows (4 GB, 71 s), and a
zip member can unpack to a thousand times its size. So the workbook's parts are checked
against their unpacked sizes before anything is read, the dimension is never consulted,
the sheet XML is read as a stream (elements dropped as soon as they are read), and
reading stops at ``COLUMN_LIMIT`` columns, ``CELL_LIMIT`` cells and ``SHEET_BYTES``
bytes. The row limit is the caller's (it counts data rows, which only it can tell).
Rows come with their number as a spreadsheet shows it, so a sparse sheet needs no padding.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import IO, Any

from importers.errors import ParseError

COLUMN_LIMIT = 60  # columns read from every row; cells further right are ignored
CELL_LIMIT = 1_500_000  # cells looked at in one document (read or ignored), then stop
ELEMENT_LIMIT = 3 * CELL_LIMIT  # XML elements of a sheet (a cell is two or three), then stop
SHEET_BYTES = 64 * 1024 * 1024  # unpacked XML read from the sheet, then stop
PART_BYTES = 32 * 1024 * 1024  # unpacked size of any other part (shared strings, styles)
_CANDIDATES = ",;\t"
_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL, _DATA = f"{_NS}row", f"{_NS}c", f"{_NS}sheetData"


class SheetLimit(Exception):
    """A bound was reached: what was read so far stands, the rest is not read."""


class Sheet:
    """The rows of one CSV or xlsx document: ``(row number, first COLUMN_LIMIT cells)``.

    Iterate once. A bound reached ends the iteration early and sets ``stop`` to a
    sentence saying so; ``wide`` says a row had text beyond ``COLUMN_LIMIT`` columns.
    """

    def __init__(self, data: bytes) -> None:
        self.stop: str | None = None
        self.wide = False
        self.cells = 0
        self._rows = self._xlsx(data) if data.startswith(b"PK\x03\x04") else self._csv(data)

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        try:
            yield from self._rows
        except SheetLimit as exc:
            self.stop = str(exc)

    def _count(self, cells: int) -> None:
        self.cells += cells
        if self.cells > CELL_LIMIT:
            raise SheetLimit(f"stopped reading after {CELL_LIMIT:,} cells; the rest is not read")

    # -- csv ----------------------------------------------------------------------------

    def _csv(self, data: bytes) -> Iterator[tuple[int, list[str]]]:
        """Rows read one line at a time: the decoded text is never held whole."""
        data = _utf16_without_bom(data)
        encoding = _encoding(data)
        head = _checked_head(data[:65536].decode(encoding, "replace"))
        lines = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, errors="replace",
                                 newline="")  # fmt: skip
        # Excel writes a "sep=;" line first when asked to; it is not a row of the sheet.
        hint = re.match(r"\ufeff?sep=(.)\r?\n", head, re.IGNORECASE)
        if hint:
            next(lines)
        delimiter = hint.group(1) if hint else _delimiter(head)
        reader = csv.reader(lines, delimiter=delimiter)
        number = 0
        while True:
            number += 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:  # a huge or broken field: keep the row count right
                row = [f"unreadable row: {exc}"]
            self._count(len(row))
            if any(cell.strip() for cell in row[COLUMN_LIMIT:]):
                self.wide = True
            yield number, row[:COLUMN_LIMIT]

    # -- xlsx ---------------------------------------------------------------------------

    def _xlsx(self, data: bytes) -> Iterator[tuple[int, list[str]]]:
        """The first worksheet, streamed; formulas as their text (never computed)."""
        try:
            import openpyxl  # type: ignore[import-untyped]  # noqa: F401  # only workbooks need it
        except ImportError:
            raise ParseError("an .xlsx workbook; reading it needs the openpyxl package") from None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # openpyxl warns about styles it cannot read
                yield from self._sheet_rows(data)
        except (SheetLimit, ParseError):
            raise
        except Exception as exc:  # openpyxl raises many kinds for a broken or foreign zip
            reason = str(exc) or type(exc).__name__  # a MemoryError says nothing by itself
            raise ParseError(f"not a readable .xlsx workbook: {reason}") from None

    def _sheet_rows(self, data: bytes) -> Iterator[tuple[int, list[str]]]:
        # openpyxl's reader parts, not load_workbook: that reads every sheet's dimension
        # (the whole sheet when it has none) before returning.
        from openpyxl.reader.excel import ExcelReader
        from openpyxl.styles.stylesheet import apply_stylesheet
        from openpyxl.worksheet._reader import WorkSheetParser

        _check_sizes(data)
        reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=False)
        try:
            reader.read_manifest()
            reader.read_strings()
            reader.read_workbook()
            apply_stylesheet(reader.archive, reader.wb)
            targets = [rel.target for _, rel in reader.parser.find_sheets()
                       if "worksheet" in rel.Type and rel.target in reader.valid_files]  # fmt: skip
            if not targets:
                raise ParseError("an .xlsx workbook without a worksheet")
            wb = reader.wb
            cells = WorkSheetParser(None, reader.shared_strings, data_only=False, epoch=wb.epoch,
                                    date_formats=wb._date_formats,
                                    timedelta_formats=wb._timedelta_formats)  # fmt: skip
            with reader.archive.open(targets[0]) as stream:
                yield from self._stream(_Capped(stream, SHEET_BYTES), cells)
        finally:
            reader.archive.close()

    def _stream(self, stream: _Capped, cells: Any) -> Iterator[tuple[int, list[str]]]:
        """Rows as they close. Every element leaves its parent once read (a cell's parts
        once the cell is read), so memory holds one open path, not the sheet."""
        import defusedxml.ElementTree as SafeET

        path: list[Any] = []  # the open elements, root first
        values: dict[int, str] = {}
        position = elements = in_cell = 0
        for event, el in SafeET.iterparse(stream, events=("start", "end")):
            if event == "start":
                elements += 1
                if elements > ELEMENT_LIMIT:
                    raise SheetLimit(f"stopped reading after {ELEMENT_LIMIT:,} XML elements; "
                                     "the rest is not read")  # fmt: skip
                path.append(el)
                if in_cell or el.tag == _CELL:
                    in_cell += 1  # depth inside a cell: its parts stay until it is read
                if el.tag == _ROW:
                    values, position = {}, 0
                    cells.row_counter = _row_number(el.get("r"), cells.row_counter)
                    cells.col_counter = 0
                continue
            path.pop()
            if in_cell:
                in_cell -= 1
            if el.tag == _CELL and path and path[-1].tag == _ROW:
                position += 1
                self._cell(el, position, cells, values)
            elif el.tag == _ROW:
                width = max(values, default=0)
                yield cells.row_counter, [values.get(n, "") for n in range(1, width + 1)]
            elif el.tag == _DATA:
                return  # what follows the rows (merges, links, formatting) is not needed
            if not in_cell and path and len(path[-1]) and path[-1][-1] is el:
                del path[-1][-1]

    def _cell(self, el: Any, position: int, cells: Any, values: dict[int, str]) -> None:
        """One ``<c>`` into ``values`` (column -> text) when it is within COLUMN_LIMIT."""
        self._count(1)
        if position <= COLUMN_LIMIT:  # position n is column n or further right
            cell = cells.parse_cell(el)
            if cell["column"] <= COLUMN_LIMIT:
                values[cell["column"]] = cell_text(cell["value"])
                return
        if el.find(f"{_NS}v") is not None or el.find(f"{_NS}is") is not None:
            self.wide = True


class _Capped:
    """A stream that raises ``SheetLimit`` once more than ``limit`` bytes were read."""

    def __init__(self, stream: IO[bytes], limit: int) -> None:
        self._stream, self._left = stream, limit

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size if size >= 0 else self._left + 1)
        self._left -= len(data)
        if self._left < 0:
            raise SheetLimit(f"stopped reading after {SHEET_BYTES // 2**20} MB of sheet XML; "
                             "the rest is not read")  # fmt: skip
        return data


def _check_sizes(data: bytes) -> None:
    """Refuse a workbook a part of which unpacks to more than we read (a zip bomb).

    The sizes are the zip directory's; a part that unpacks to more than it says fails
    its checksum when read, so they can be trusted.
    """
    try:
        parts = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ParseError(f"not a readable .xlsx workbook: {exc}") from None
    for part in parts:
        limit = None if part.filename.startswith("xl/worksheets/") else PART_BYTES
        if limit is not None and part.file_size > limit:
            size = part.file_size // 2**20
            raise ParseError(f"workbook part {part.filename} unpacks to {size} MB; "
                             f"at most {limit // 2**20} MB is read")  # fmt: skip


def _row_number(written: str | None, previous: int) -> int:
    """A row's ``r`` attribute (``"5"``, Excel's ``"5.0"``), else the row after the last."""
    try:
        return int(float(written)) if written else previous + 1
    except ValueError:
        return previous + 1


def cell_text(value: Any) -> str:
    """A workbook value as the text a CSV export of it would hold."""
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


def _utf16_without_bom(data: bytes) -> bytes:
    """UTF-16 without a BOM shows as a NUL in every other byte: as UTF-8, else unchanged."""
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        if data[1:4096:2].count(0) > len(data[1:4096:2]) * 0.9:
            return data.decode("utf-16-le", errors="replace").encode("utf-8")
        if data[0:4096:2].count(0) > len(data[0:4096:2]) * 0.9:
            return data.decode("utf-16-be", errors="replace").encode("utf-8")
    return data


def _encoding(data: bytes) -> str:
    """BOM-marked UTF-8/16 first, then UTF-8 when all of it is, else Windows-1252.

    UTF-8 is checked a megabyte at a time, so the whole text never exists at once.
    """
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    check = codecs.getincrementaldecoder("utf-8")()
    try:
        for at in range(0, len(data), 2**20):
            check.decode(data[at : at + 2**20])
        check.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _checked_head(text: str) -> str:
    """The start of the text, refusing what is clearly not a spreadsheet (markup, JSON,
    binary)."""
    text = text.lstrip("\ufeff")
    head = text.lstrip()[:4096]
    if head[:1] in ("<", "{", "["):
        raise ParseError("markup or JSON, not a spreadsheet")
    odd = sum(1 for ch in head if (ch < " " and ch not in "\t\r\n") or ch == "\ufffd")
    if not head or odd > len(head) * 0.01:
        raise ParseError("binary or empty data, not a spreadsheet")
    return text


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
