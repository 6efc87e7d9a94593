"""Benchmark: a subscribed feed after a crawl, and uncached API pages, on a real uvicorn.

Over a store of 20,000 events, against ``uvicorn`` on 127.0.0.1 (bounded loops, no wrk):

1. the p99 of 16 concurrent ``/feeds/agenda.ics`` requests, warm; then, after a crawl of
   2,000 distinct event pages, the same burst again: the ratio (a crawl must not evict
   the feed, and a feed that is rendered must be rendered once, not once per subscriber),
   and the server's RSS before and after the crawl;
2. requests per second of uncached region-wide ``/api/events?limit=20`` (every request a
   query never asked before) beside the constant ``/health``, sequential: the ratio.

    .venv/bin/python bench/serving.py [--events 20000] [--crawl 2000]
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/feeds.py would shadow the feeds package: keep this folder off the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

import argparse
import socket
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx

from agenda.model import Listing, SourceConfig
from agenda.store.database import Store
from agenda.sync.ingest import ingest, rebuild_pending

NOW = datetime.now(UTC).replace(microsecond=0)
CITIES = {"Leiden": "Museum De Lakenhal", "Den Haag": "Mauritshuis",
          "Delft": "Museum Prinsenhof Delft"}  # fmt: skip


def build(db: Path, n: int) -> None:
    store = Store.open(db)
    per = n // len(CITIES)
    for c, (city, venue) in enumerate(CITIES.items()):
        source = SourceConfig(id=f"src-{c}", name=city, format="ics", url="x", kind="venue",
                              city=city)  # fmt: skip
        listings = []
        for i in range(per):
            start = NOW + timedelta(days=1 + i % 360, minutes=30 * (i % 24) + 600)
            listings.append(Listing(
                source_id=source.id, external_id=f"e{i}", title=f"Voorstelling {c}-{i} licht",
                description="Een avond vol muziek, theater en verhalen. " * 4, start=start,
                end=start + timedelta(hours=2), venue_name=venue, city=city,
                categories=("Theater",),
            ))  # fmt: skip
        ingest(store, source, listings, [], NOW, defer=True)
    rebuild_pending(store, NOW)
    store.close()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def burst(base: str, path: str, n: int = 16) -> list[float]:
    """``n`` concurrent requests for one address; their latencies in ms."""

    def one(_: int) -> float:
        with httpx.Client(base_url=base, timeout=120) as client:
            t0 = time.perf_counter()
            response = client.get(path, headers={"Accept-Encoding": "gzip"})
            assert response.status_code == 200, response.status_code
            return (time.perf_counter() - t0) * 1000

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


def crawl(base: str, ids: list[str]) -> float:
    def one(chunk: list[str]) -> None:
        with httpx.Client(base_url=base, timeout=120) as client:
            for event_id in chunk:
                assert client.get(f"/events/{event_id}").status_code == 200

    t0 = time.perf_counter()
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(one, [ids[i::4] for i in range(4)]))
    return time.perf_counter() - t0


def rate(base: str, paths: list[str]) -> float:
    """Sequential requests per second over ``paths``."""
    with httpx.Client(base_url=base, timeout=60) as client:
        t0 = time.perf_counter()
        for path in paths:
            assert client.get(path).status_code == 200
        return len(paths) / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--crawl", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "serving.db"
        build(db, args.events)
        store = Store.open(db)
        ids = [r[0] for r in store.db.execute("SELECT id FROM events ORDER BY id")]
        store.close()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        code = (
            "import uvicorn; from agenda.app import create_app; from agenda.config import Settings;"
            f"uvicorn.run(create_app(Settings(db={str(db)!r}, api_rate_limit=10**9)),"
            f" host='127.0.0.1', port={port}, log_level='warning', access_log=False)"
        )
        server = subprocess.Popen([sys.executable, "-c", code])
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):
                try:
                    httpx.get(f"{base}/health")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            t0 = time.perf_counter()
            first = burst(base, "/feeds/agenda.ics")
            cold = time.perf_counter() - t0
            burst(base, "/feeds/agenda.ics")  # connections and code paths warm
            warm: list[float] = []
            for _ in range(5):
                warm += burst(base, "/feeds/agenda.ics")
            before = rss_mb(server.pid)
            after_crawl: list[float] = []
            crawled = 0.0
            for round_ in range(3):
                chunk = ids[round_ * args.crawl : (round_ + 1) * args.crawl] or ids[: args.crawl]
                crawled += crawl(base, chunk)
                after_crawl += burst(base, "/feeds/agenda.ics")
            after = rss_mb(server.pid)
            print(f"{len(ids)} events; first burst of 16 agenda.ics (one render): "
                  f"{cold:.2f} s, p99 {pct(first, 0.99):.0f} ms")  # fmt: skip
            print(f"agenda.ics x16 warm          : p99 {pct(warm, 0.99):8.1f} ms")
            print(f"agenda.ics x16 after a crawl : p99 {pct(after_crawl, 0.99):8.1f} ms"
                  f"  (3 crawls of {args.crawl} event pages, {crawled:.1f} s)")  # fmt: skip
            print(f"ratio after crawl / warm     : {pct(after_crawl, 0.99) / pct(warm, 0.99):.2f}"
                  f"  (server RSS {before:.0f} MB before the crawls, {after:.0f} MB after)")  # fmt: skip
            health = rate(base, ["/health"] * 300)
            days = [(NOW + timedelta(days=400 + i)).date().isoformat() for i in range(300)]
            uncached = rate(base, [f"/api/events?limit=20&to={d}" for d in days])
            print(f"/health                      : {health:8.0f} req/s")
            print(f"/api/events?limit=20 uncached: {uncached:8.0f} req/s"
                  f"  ratio {uncached / health:.2f} of the constant answer")  # fmt: skip
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
