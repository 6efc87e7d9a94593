"""Benchmark: the JSON API over a store of 50,000 events, against a real uvicorn.

For ``/api/events?city=Leiden&limit=50``, a full-text query and an event detail, prints
requests per second (wrk, cached answers as clients would see them) and the p95 latency
of uncached requests (each request a new query), beside the app's constant ``/health``
endpoint measured in the same run.

    .venv/bin/python bench/api.py [--events 50000] [--seconds 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from agenda.model import Listing, SourceConfig
from agenda.store.database import Store
from agenda.sync.ingest import ingest, rebuild_pending

NOW = datetime(2027, 1, 1, tzinfo=UTC)
CITIES = ["Leiden", "Den Haag", "Delft"]
VENUES = {
    "Leiden": "Museum De Lakenhal",
    "Den Haag": "Mauritshuis",
    "Delft": "Museum Prinsenhof Delft",
}


def build(db: Path, n: int) -> None:
    store = Store.open(db)
    per_source = n // len(CITIES)
    for c, city in enumerate(CITIES):
        source = SourceConfig(
            id=f"src-{c}", name=city, format="ics", url="x", kind="venue", city=city
        )
        listings = []
        for i in range(per_source):
            start = NOW + timedelta(days=1 + i % 360, minutes=30 * (i % 24) + 600)
            listings.append(Listing(
                source_id=source.id, external_id=f"e{i}", title=f"Voorstelling {c}-{i} over licht en water",
                description="Een avond vol muziek, theater en verhalen.", start=start,
                end=start + timedelta(hours=2), venue_name=VENUES[city], city=city,
                categories=("Theater",),
            ))  # fmt: skip
        ingest(store, source, listings, [], NOW, defer=True)
    rebuild_pending(store, NOW)
    store.close()


def wrk(url: str, seconds: int) -> float:
    out = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{seconds}s", url], capture_output=True, text=True, check=True
    ).stdout
    return float(out.split("Requests/sec:")[1].split()[0])


def p95(client: httpx.Client, urls: list[str]) -> float:
    times = []
    for url in urls:
        t0 = time.perf_counter()
        assert client.get(url).status_code == 200
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.quantiles(times, n=20)[18]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50000)
    parser.add_argument("--seconds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "api.db"
        build(db, args.events)
        port = 8765 + (hash(tmp) % 1000)
        code = (
            "import uvicorn; from agenda.app import create_app; from agenda.config import Settings;"
            f"uvicorn.run(create_app(Settings(db={str(db)!r}, api_rate_limit=10**9)),"
            f" host='127.0.0.1', port={port}, log_level='warning', access_log=False)"
        )
        server = subprocess.Popen([sys.executable, "-c", code])
        base = f"http://127.0.0.1:{port}"
        try:
            with httpx.Client(base_url=base, timeout=30) as client:
                for _ in range(100):
                    try:
                        client.get("/health")
                        break
                    except httpx.TransportError:
                        time.sleep(0.1)
                event_id = client.get("/api/events?limit=1").json()["events"][0]["id"]
                ids = [
                    e["id"] for e in client.get("/api/events?limit=200&city=Delft").json()["events"]
                ]
                targets = {
                    "city list": ("/api/events?city=Leiden&limit=50",
                                  [f"/api/events?city=Leiden&limit=50&from=2027-{1 + i % 12:02d}-01" for i in range(200)]),
                    "full text": ("/api/events?q=licht&limit=50",
                                  [f"/api/events?q=voorstelling%20{i}&limit=50" for i in range(200)]),
                    "detail": (f"/api/events/{event_id}", [f"/api/events/{i}" for i in ids]),
                }  # fmt: skip
                constant = wrk(f"{base}/health", args.seconds)
                constant_p95 = p95(client, ["/health"] * 200)
                print(f"{args.events} events")
                print(f"constant /health: {constant:8.0f} req/s, p95 {constant_p95:6.2f} ms")
                for name, (cached_url, cold_urls) in targets.items():
                    rps = wrk(base + cached_url, args.seconds)
                    latency = p95(client, cold_urls)
                    print(f"{name:14}: {rps:8.0f} req/s (ratio {rps / constant:.2f}), "
                          f"p95 uncached {latency:6.2f} ms (x{latency / constant_p95:.1f} constant)")  # fmt: skip
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
