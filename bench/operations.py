"""Benchmark: the API while a large import runs, and static publishing full vs incremental.

1. p50/p99 latency of ``/api/events`` (uncached queries) against a real uvicorn, first
   alone, then while ``agenda import`` brings in a 20,000-listing source: the ratio.
2. ``agenda publish`` of 20,000 events into an empty folder, then again after one event
   changed: the ratio (incremental publishing rewrites only what changed).

    .venv/bin/python bench/operations.py [--listings 20000]
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/feeds.py would shadow the feeds package: keep this folder off the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

import argparse
import socket
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, datetime, timedelta

import httpx

from agenda.model import Listing, SourceConfig
from agenda.store.database import Store
from agenda.sync.ingest import ingest, rebuild_pending
from agenda.web.publish import publish

NOW = datetime.now(UTC)


def write_ics(path: Path, n: int, prefix: str) -> None:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bench//NL"]
    start = NOW.replace(tzinfo=None, microsecond=0) + timedelta(days=1)
    for i in range(n):
        when = start + timedelta(hours=5 * i)
        lines += ["BEGIN:VEVENT", f"UID:{prefix}-{i}@bench", f"DTSTART;TZID=Europe/Amsterdam:{when:%Y%m%dT%H%M%S}",
                  f"SUMMARY:{prefix} voorstelling {i}", "LOCATION:Leidse Schouwburg, Leiden", "END:VEVENT"]  # fmt: skip
    lines.append("END:VCALENDAR")
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")


def seed(db: Path, n: int) -> None:
    store = Store.open(db)
    source = SourceConfig(
        id="base", name="Base", format="ics", url="x", kind="venue", city="Leiden"
    )
    listings = [Listing(source_id="base", external_id=str(i), title=f"Concert {i}", city=["Leiden", "Delft"][i % 2],
                        venue_name="Stadsgehoorzaal Leiden" if i % 2 == 0 else "Museum Prinsenhof Delft",
                        start=NOW + timedelta(days=1 + i % 300, hours=i % 12)) for i in range(n)]  # fmt: skip
    ingest(store, source, listings, [], NOW, defer=True)
    rebuild_pending(store, NOW)
    store.close()


COUNTER = iter(range(10**9))


def latencies(base: str, count: int) -> list[float]:
    """Sequential requests, each a query never asked before (no cache can answer it)."""
    times = []
    with httpx.Client(base_url=base, timeout=60) as client:
        for _ in range(count):
            i = next(COUNTER)
            day = (NOW + timedelta(days=1 + i % 200)).date().isoformat()
            t0 = time.perf_counter()
            url = f"/api/events?city=Leiden&limit={1 + (i // 200) % 100}&from={day}"
            assert client.get(url).status_code == 200
            times.append((time.perf_counter() - t0) * 1000)
    return times


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1]


def api_under_import(folder: Path, listings: int) -> None:
    db = folder / "ops.db"
    seed(db, 5000)
    feed = folder / "big.ics"
    write_ics(feed, listings, "groot")
    (folder / "sources.toml").write_text(
        f'[[source]]\nid = "big"\nname = "Big"\nformat = "ics"\nurl = "{feed}"\ncity = "Leiden"\n'
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = (
        "import uvicorn; from agenda.app import create_app; from agenda.config import Settings;"
        f"uvicorn.run(create_app(Settings(db={str(db)!r}, api_rate_limit=10**9)), host='127.0.0.1',"
        f" port={port}, log_level='warning', access_log=False)"
    )
    server = subprocess.Popen([sys.executable, "-c", code])
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(f"{base}/health")
                break
            except httpx.TransportError:
                time.sleep(0.1)
        latencies(base, 50)  # warm up the server process
        alone = latencies(base, 400)
        importer = subprocess.Popen([sys.executable, "-m", "agenda.cli", "import", "--config",
                                     str(folder / "sources.toml"), "--db", str(db)],
                                    stdout=subprocess.DEVNULL)  # fmt: skip
        t0 = time.perf_counter()
        during: list[float] = []
        while importer.poll() is None:
            during += latencies(base, 20)
        took = time.perf_counter() - t0
        assert importer.returncode == 0
        print(
            f"import of {listings} listings took {took:.1f} s; {len(during)} API requests meanwhile"
        )
        print(
            f"/api/events alone      : p50 {pct(alone, 50):6.2f} ms  p99 {pct(alone, 99):6.2f} ms"
        )
        print(
            f"/api/events with import: p50 {pct(during, 50):6.2f} ms  p99 {pct(during, 99):6.2f} ms"
        )
        print(
            f"ratio with/without     : p50 x{pct(during, 50) / pct(alone, 50):.2f}  p99 x{pct(during, 99) / pct(alone, 99):.2f}"
        )
    finally:
        server.terminate()
        server.wait()


def publishing(folder: Path, n: int) -> None:
    db = folder / "publish.db"
    seed(db, n)
    store = Store.open(db)
    out = folder / "site"
    t0 = time.perf_counter()
    first = publish(store, out, "https://cdn.example", NOW)
    full = time.perf_counter() - t0
    source = SourceConfig(
        id="base", name="Base", format="ics", url="x", kind="venue", city="Leiden"
    )
    changed = Listing(source_id="base", external_id="7", title="Concert 7 (verplaatst)", city="Delft",
                      venue_name="Museum Prinsenhof Delft", start=NOW + timedelta(days=8, hours=8))  # fmt: skip
    from agenda.sync.ingest import put_listing

    put_listing(store, source, changed, NOW + timedelta(minutes=1))
    t0 = time.perf_counter()
    second = publish(store, out, "https://cdn.example", NOW)
    incremental = time.perf_counter() - t0
    store.close()
    print(f"publish {n} events, full       : {full:6.2f} s, {first.written} files written")
    print(
        f"publish after one change       : {incremental:6.2f} s, {second.written} files written,"
        f" {second.unchanged} unchanged; ratio {incremental / full:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=20000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        api_under_import(Path(tmp), args.listings)
        publishing(Path(tmp), args.listings)


if __name__ == "__main__":
    main()
