"""Benchmark: rendering feeds of 20,000 events, and serving them over HTTP.

Prints milliseconds to render the full ICS, RSS and JSON Feed, then, against a real
uvicorn on 127.0.0.1, requests per second (wrk) for a cached ``agenda.ics``, for a 304
answer, and for the app's constant ``/health`` endpoint measured in the same run; the
ratio to the constant endpoint is the figure that matters.

    .venv/bin/python bench/feeds.py [--events 20000] [--seconds 5]
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is bench/feeds.py: keep its folder off the path so `feeds` is the package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

import argparse
import re
import shutil
import socket
import subprocess
import tempfile
import time
from datetime import UTC, datetime, timedelta

import httpx

from agenda.filters import parse_filters
from agenda.model import Listing, SourceConfig
from agenda.store.database import Store
from agenda.store.query import list_events
from agenda.sync.ingest import ingest, rebuild_pending
from feeds.formats import feed_options, render_format

NOW = datetime(2027, 1, 1, tzinfo=UTC)
VENUES = [("Museum De Lakenhal", "Leiden"), ("Mauritshuis", "Den Haag"),
          ("Museum Prinsenhof Delft", "Delft"), ("Leidse Schouwburg", "Leiden")]  # fmt: skip


def build(db: Path, n: int) -> None:
    source = SourceConfig(id="bench", name="Bench", format="ics", url="x", kind="venue")
    listings = []
    for i in range(n):
        venue, city = VENUES[i % len(VENUES)]
        start = NOW + timedelta(days=1 + i % 360, hours=10 + i % 10)
        listings.append(Listing(
            source_id="bench", external_id=f"e{i}", title=f"Voorstelling {i}: muziek en theater",
            description="Een avond vol muziek, theater en verhalen. " * 3, start=start,
            end=start + timedelta(hours=2), venue_name=venue, city=city,
            categories=("Theater", "Muziek"), url=f"https://example.org/agenda/{i}",
        ))  # fmt: skip
    store = Store.open(db)
    ingest(store, source, listings, [], NOW, defer=True)
    rebuild_pending(store, NOW)
    store.close()


def render_times(db: Path) -> None:
    store = Store.open(db)
    events = list_events(
        store, parse_filters({"from": "2027-01-01", "to": "2028-12-31"}, NOW.date())
    )
    store.close()
    print(f"{len(events)} events")
    for fmt in ("ics", "rss", "jsonfeed"):
        options = feed_options("https://agenda.example", fmt, NOW)
        t0 = time.perf_counter()
        body = render_format(fmt, events, options)
        ms = (time.perf_counter() - t0) * 1000
        print(f"render {fmt:8}: {ms:8.1f} ms, {len(body) / 1e6:5.2f} MB")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wrk(url: str, seconds: int, header: str | None = None) -> float:
    command = ["wrk", "-t2", "-c16", f"-d{seconds}s", url]
    if header:
        command[1:1] = ["-H", header]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert match, out
    return float(match.group(1))


def serve_times(db: Path, seconds: int) -> None:
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk): HTTP figures skipped")
        return
    port = free_port()
    code = (
        "import uvicorn; from agenda.app import create_app; from agenda.config import Settings;"
        f"uvicorn.run(create_app(Settings(db={str(db)!r})), host='127.0.0.1', port={port},"
        " log_level='warning', access_log=False)"
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
        feed = f"{base}/feeds/agenda.ics"
        etag = httpx.get(feed).headers["etag"]  # warms the cache
        constant = wrk(f"{base}/health", seconds)
        cached = wrk(feed, seconds)
        gzipped = wrk(feed, seconds, header="Accept-Encoding: gzip")
        not_modified = wrk(feed, seconds, header=f"If-None-Match: {etag}")
        print(f"constant /health : {constant:9.0f} req/s")
        print(f"cached agenda.ics: {cached:9.0f} req/s  ratio {cached / constant:.2f} (1 MB plain)")
        print(f"  the same, gzip : {gzipped:9.0f} req/s  ratio {gzipped / constant:.2f}")
        print(f"304 agenda.ics   : {not_modified:9.0f} req/s  ratio {not_modified / constant:.2f}")
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--seconds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "feeds.db"
        build(db, args.events)
        render_times(db)
        serve_times(db, args.seconds)


if __name__ == "__main__":
    main()
