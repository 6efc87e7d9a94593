"""Hostile spreadsheets stay within memory and time; limits are Problems, not crashes.

Each bound is checked in a child process (``hostile.run_bounded``) against generous
limits that only a blow-up or a hang breaks: before these bounds, the dimension-bomb
workbook took 4 GB and a million-row CSV 770 MB and 18 s (ten minutes with more columns).
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import make_source
from hostile import (
    PARSE_FILE,
    dimension_bomb_xlsx,
    many_rows_csv,
    run_bounded,
)

from agenda.model import PROBLEM_LIMIT, Problem, cap_problems
from importers.spreadsheet import ROW_LIMIT
from importers.spreadsheet import parse as parse_sheet
from importers.spreadsheet_read import COLUMN_LIMIT

NOW = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)
SOURCE = make_source(id="themajaar", format="csv", url="https://programma.example/export.csv")


def summary(measured: object) -> list[str]:
    """The child's ``listings problems complete`` line, split."""
    out = getattr(measured, "stdout", "")
    assert out, f"the child printed nothing: {getattr(measured, 'stderr', '')[-2000:]}"
    return out.split()


# -- spreadsheets -------------------------------------------------------------------------


def test_dimension_bomb_workbook_is_read_in_bounded_memory_and_time(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(dimension_bomb_xlsx())
    assert path.stat().st_size < 10_000
    measured = run_bounded(PARSE_FILE, ["csv", str(path)], timeout=60, memory_mb=1024)
    assert not measured.timed_out and measured.returncode == 0, measured.stderr[-2000:]
    assert measured.peak_mb < 200 and measured.seconds < 30
    # The real row imports; the far cell in row 500000 is a row without a date.
    assert summary(measured)[0] == "1"


def test_dimension_bomb_rows_keep_their_numbers_and_far_columns_are_ignored() -> None:
    result = parse_sheet(dimension_bomb_xlsx(), SOURCE, NOW)
    assert [listing.title for listing in result.listings] == ["Rondleiding"]
    messages = [p.message for p in result.problems]
    assert "row 500000, column datum: no date" in messages
    assert f"only the first {COLUMN_LIMIT} columns are read; cells further right ignored" in (
        messages
    )


def test_a_million_row_csv_stops_at_the_row_limit_in_bounded_memory_and_time(
    tmp_path: Path,
) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(many_rows_csv(1_000_000))
    measured = run_bounded(PARSE_FILE, ["csv", str(path)], timeout=120)
    assert not measured.timed_out and measured.returncode == 0, measured.stderr[-2000:]
    assert measured.peak_mb < 300 and measured.seconds < 60
    assert summary(measured) == [str(ROW_LIMIT), "1", "False"]


def test_the_row_limit_is_one_problem_and_an_incomplete_result() -> None:
    result = parse_sheet(many_rows_csv(ROW_LIMIT + 5), SOURCE, NOW)
    assert len(result.listings) == ROW_LIMIT and result.complete is False
    assert [p.message for p in result.problems] == [
        f"row {ROW_LIMIT + 2}: stopped reading after {ROW_LIMIT:,} rows; "
        "the rest of the file is not imported"
    ]
    assert parse_sheet(many_rows_csv(ROW_LIMIT), SOURCE, NOW).complete is True


def test_a_workbook_at_the_row_limit_stops_too() -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["titel", "datum"])
    for n in range(ROW_LIMIT + 3):
        sheet.append([f"C{n}", f"{1 + n % 28}-3-2027"])
    buffer = io.BytesIO()
    book.save(buffer)
    result = parse_sheet(buffer.getvalue(), SOURCE, NOW)
    assert len(result.listings) == ROW_LIMIT and result.complete is False


def test_problems_of_one_document_are_capped_with_a_count() -> None:
    rows = "\n".join(f"C{n};31-02-2027" for n in range(PROBLEM_LIMIT + 50))
    result = parse_sheet(f"titel;datum\n{rows}\n".encode(), SOURCE, NOW)
    assert len(result.problems) == PROBLEM_LIMIT + 1
    assert result.problems[-1].message == "50 more problems like these not listed"
    assert result.problems[-1].severity == "error"
    assert result.complete is True  # every row was read; they were all bad


def test_cap_problems_leaves_a_short_list_alone() -> None:
    few = [Problem(source_id="s", message=str(n)) for n in range(3)]
    assert cap_problems(few, "s") == tuple(few)


def test_text_beyond_the_column_limit_is_ignored_with_a_warning() -> None:
    header = ";".join(["titel", "datum", *(f"x{n}" for n in range(COLUMN_LIMIT))])
    row = ";".join(["Concert", "12-3-2027", *("" for _ in range(COLUMN_LIMIT - 2)), "a", "b"])
    result = parse_sheet(f"{header}\n{row}\n".encode(), SOURCE, NOW)
    assert [listing.title for listing in result.listings] == ["Concert"]
    assert any("first 60 columns" in p.message for p in result.problems)


def test_a_workbook_part_that_unpacks_too_large_is_refused() -> None:
    import zipfile

    from importers.errors import ParseError
    from importers.spreadsheet_read import PART_BYTES

    good = io.BytesIO()
    with zipfile.ZipFile(good, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/sharedStrings.xml", b" " * (PART_BYTES + 1))
    with pytest.raises(ParseError, match="unpacks to 32 MB"):
        parse_sheet(good.getvalue(), SOURCE, NOW)


def test_a_long_description_is_cut_with_a_warning() -> None:
    text = "woord " * 5000
    result = parse_sheet(f"titel;datum;omschrijving\nLezing;12-3-2027;{text}\n".encode(),
                         SOURCE, NOW)  # fmt: skip
    (listing,) = result.listings
    assert len(listing.description) <= 20_000 and listing.description.endswith("woord…")
    assert [p.message for p in result.problems] == ["row 2: description cut to 20,000 characters"]
