"""Benchmark: importing generated iCalendar files of 5,000 and 50,000 VEVENTs.

Prints records/s for each size, t(50k)/t(5k) (near 10 means linear), and, measured
in the same run, the cost of only parsing the file with icalendar as the baseline.

    .venv/bin/python bench/import_ics.py [--sizes 5000 50000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar

from agenda.model import SourceConfig
from agenda.store.database import Store
from agenda.sync.jobs import import_source

NOW = datetime(2027, 1, 1, tzinfo=UTC)
VENUES = ["Museum De Lakenhal", "Mauritshuis", "Museum Prinsenhof Delft", "Leidse Schouwburg"]


def generate(n: int) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bench//regio-agenda//NL"]
    start = datetime(2027, 1, 5, 10, 0)
    for i in range(n):
        when = start + timedelta(hours=7 * i)
        lines += [
            "BEGIN:VEVENT",
            f"UID:bench-{i}@regio-agenda.nl",
            "DTSTAMP:20260101T000000Z",
            f"DTSTART;TZID=Europe/Amsterdam:{when:%Y%m%dT%H%M%S}",
            f"DTEND;TZID=Europe/Amsterdam:{when + timedelta(minutes=90):%Y%m%dT%H%M%S}",
            f"SUMMARY:Voorstelling nummer {i}",
            f"DESCRIPTION:Een avond vol muziek\\, theater en verhalen (nummer {i}).",
            f"LOCATION:{VENUES[i % len(VENUES)]}\\, Leiden",
            "CATEGORIES:Theater,Muziek",
            f"URL:https://example.org/agenda/{i}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def measure(n: int, folder: Path) -> tuple[float, float]:
    feed = folder / f"bench-{n}.ics"
    feed.write_bytes(generate(n))
    t0 = time.perf_counter()
    icalendar.Calendar.from_ical(feed.read_bytes())
    parse_only = time.perf_counter() - t0
    source = SourceConfig(
        id="bench", name="Bench", format="ics", url=str(feed), kind="venue", city="Leiden",
        base_dir=str(folder),
    )  # fmt: skip
    store = Store.open(folder / f"bench-{n}.db")
    t0 = time.perf_counter()
    run = import_source(store, source, clock=lambda: NOW)
    full = time.perf_counter() - t0
    assert run.outcome == "ok" and run.new == n, run
    assert store.count("events") == n
    store.close()
    return full, parse_only


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[5000, 50000])
    args = parser.parse_args()
    small, large = args.sizes
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        results = {n: measure(n, folder) for n in (small, large)}
    for n, (full, parse_only) in results.items():
        print(
            f"N={n:>6}: import {full:7.2f} s = {n / full:8.0f} records/s;"
            f" icalendar parse only {parse_only:6.2f} s;"
            f" import / parse-only = {full / parse_only:5.2f}"
        )
    ratio = results[large][0] / results[small][0]
    base = results[large][1] / results[small][1]
    print(
        f"t({large})/t({small}) = {ratio:.2f} (linear = {large / small:.0f});"
        f" icalendar parse-only ratio in the same run = {base:.2f}"
    )


if __name__ == "__main__":
    main()
