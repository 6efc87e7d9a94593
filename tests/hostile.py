"""Hostile inputs testers found on main, built on the spot, and a bounded child runner.

Shared by the bound tests and ``bench/hostile.py``:

    from hostile import dimension_bomb_xlsx, run_bounded

    measured = run_bounded(PARSE_FILE, ["spreadsheet", str(path)], timeout=60)
    assert measured.peak_mb < 200 and measured.seconds < 20

``run_bounded`` runs Python code in a child process with an address-space cap (a
blow-up is a MemoryError there, not a full machine) and a timeout (a hang is killed),
and reads that child's own peak RSS from ``/proc`` (VmHWM, reported by the child at its
end and polled while it runs). Not ``ru_maxrss``: a forked child starts with its
parent's, so a large test session would count against every child.
"""

from __future__ import annotations

import io
import resource
import subprocess
import sys
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"

# The child: parse the file at argv[2] with the importer named argv[1]; print a summary.
PARSE_FILE = """
import sys
from datetime import UTC, datetime
from pathlib import Path
from agenda.model import SourceConfig
from importers.registry import get_parser
fmt, path = sys.argv[1], sys.argv[2]
source = SourceConfig(id="hostile", name="hostile", format=fmt, url="https://x.example/f")
result = get_parser(fmt)(Path(path).read_bytes(), source, datetime(2027, 1, 10, tzinfo=UTC))
print(len(result.listings), len(result.problems), result.complete)
"""
# The child: clean the description in the file at argv[1] the ways importers, pages and
# feeds do.
CLEAN_FILE = """
import sys
from pathlib import Path
from agenda.sanitize import clean_description, clean_title
from agenda.web.page_data import description_html
from feeds.base import plain_text
from feeds.rss import description_html as feed_html
text = Path(sys.argv[1]).read_text()
for clean in (clean_description, clean_title, description_html, plain_text, feed_html):
    clean(text)
print(len(clean_description(text)))
"""


@dataclass(frozen=True)
class Measured:
    seconds: float
    peak_mb: float
    returncode: int
    stdout: str
    stderr: str
    timed_out: bool


# Runs the code given as argv[1] with the rest as its argv, then reports its own peak RSS.
_WRAPPER = """
import sys
code = sys.argv.pop(1)
try:
    exec(compile(code, "<bounded>", "exec"), {"__name__": "__main__"})
finally:
    with open("/proc/self/status") as status:
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    sys.stderr.write(f"\\n@@VmHWM {peak}\\n")
"""


def run_bounded(code: str, args: list[str], *, timeout: float, memory_mb: int = 2048) -> Measured:
    """Run ``code`` in a child Python with ``args``; its seconds, peak RSS and output."""

    def cap() -> None:  # pragma: no cover - runs in the child
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    began = time.monotonic()
    child = subprocess.Popen(
        [sys.executable, "-c", _WRAPPER, code, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=cap,
    )
    # Output is read by threads so a chatty child never blocks on a full pipe.
    out, err = io.BytesIO(), io.BytesIO()
    readers = [threading.Thread(target=_drain, args=pair) for pair in
               ((child.stdout, out), (child.stderr, err))]  # fmt: skip
    for reader in readers:
        reader.start()
    timed_out, polled = False, 0
    while child.poll() is None:
        polled = max(polled, _high_water_kb(child.pid))
        if time.monotonic() - began > timeout:
            child.kill()
            child.wait()
            timed_out = True
            break
        time.sleep(0.02)
    seconds = time.monotonic() - began
    for reader in readers:
        reader.join()
    stderr = err.getvalue().decode(errors="replace")
    reported = [int(line.split()[1]) for line in stderr.splitlines() if line.startswith("@@VmHWM")]
    peak_kb = max([polled, *reported])
    stderr = "\n".join(line for line in stderr.splitlines() if not line.startswith("@@VmHWM"))
    stdout = out.getvalue().decode(errors="replace")
    return Measured(seconds, peak_kb / 1024, child.returncode, stdout, stderr, timed_out)


def _drain(pipe: Any, into: io.BytesIO) -> None:
    for chunk in iter(lambda: pipe.read(65536), b""):
        into.write(chunk)
    pipe.close()


def _high_water_kb(pid: int) -> int:
    """The child's own peak RSS so far (VmHWM is per process image: not the parent's,
    unlike ``ru_maxrss``, which a forked child inherits from its parent)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def dimension_bomb_xlsx() -> bytes:
    """A few-KB workbook whose sheet claims A1:XFD1048576 and has a few far, sparse cells.

    openpyxl writes a small honest workbook; its sheet XML is then patched, as a hostile
    or broken exporter would write it.
    """
    import openpyxl  # type: ignore[import-untyped]

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["titel", "datum", "begintijd", "locatie", "plaats"])
    sheet.append(["Rondleiding", "12-03-2027", "14:00", "Museum De Lakenhal", "Leiden"])
    buffer = io.BytesIO()
    book.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                start = text.index("<dimension")
                end = text.index(">", start) + 1
                text = text[:start] + '<dimension ref="A1:XFD1048576"/>' + text[end:]
                far = (
                    '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
                    '<row r="500000"><c r="A500000" t="inlineStr"><is><t>y</t></is></c></row>'
                )
                # Rows out of order, and far: a reader that pads to them pads a lot.
                text = text.replace("</sheetData>", far + "</sheetData>")
                data = text.encode()
            target.writestr(item, data)
    return out.getvalue()


def many_rows_csv(rows: int) -> bytes:
    """A plain, valid CSV of ``rows`` events (17 MB at a million, as testers sent)."""
    lines = ["titel;datum", *(f"C{n};{1 + n % 28}-3-2027" for n in range(rows))]
    return ("\n".join(lines) + "\n").encode()


def anchor_description(size: int = 240_000) -> str:
    """``<a <a <a …`` with no ``>``: quadratic for a tag pattern that rescans to the end."""
    return "<a " * (size // 3)


def truncated_feed() -> tuple[bytes, int]:
    """The real Brock University feed (30 items) cut off inside its 11th item's
    description, and how many items closed before the cut (10)."""
    data = (FIXTURES / "rss" / "brock_campuslabs_engage_events_excerpt.xml").read_bytes()
    at = -1
    for _ in range(11):
        at = data.index(b"<item>", at + 1)
    cut = data.index(b"<description>", at) + 200
    return data[:cut], 10
