"""Benchmark: records per second of every importer on generated inputs of 10,000 events.

Each format's rate is printed beside the ``ics`` parser's rate measured in the same run.

    .venv/bin/python bench/parse_formats.py [--events 10000]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from html import escape

from agenda.model import SourceConfig
from importers.registry import get_parser

NOW = datetime(2027, 1, 1, tzinfo=UTC)
START = datetime(2027, 1, 5, 19, 0, tzinfo=UTC)


def moments(n: int) -> list[datetime]:
    return [START + timedelta(hours=7 * i) for i in range(n)]


def ics(n: int) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bench//NL"]
    for i, m in enumerate(moments(n)):
        lines += ["BEGIN:VEVENT", f"UID:e{i}@bench", f"DTSTART:{m:%Y%m%dT%H%M%SZ}", f"SUMMARY:Voorstelling {i}",
                  "LOCATION:Leidse Schouwburg\\, Oude Vest 43\\, 2312 XS Leiden", "END:VEVENT"]  # fmt: skip
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def rss(n: int) -> bytes:
    items = "".join(
        f"<item><title>Voorstelling {i}</title><link>https://x.example/{i}</link><guid>e{i}</guid>"
        f"<ev:startdate>{m.isoformat()}</ev:startdate><ev:location>Leidse Schouwburg, Leiden</ev:location></item>"
        for i, m in enumerate(moments(n))
    )
    return (f'<?xml version="1.0"?><rss version="2.0" xmlns:ev="http://purl.org/rss/1.0/modules/event/">'
            f"<channel><title>b</title><link>https://x.example/</link><description>b</description>{items}"
            "</channel></rss>").encode()  # fmt: skip


def atom(n: int) -> bytes:
    entries = "".join(
        f"<entry><id>tag:x,2027:e{i}</id><title>Voorstelling {i}</title><updated>2027-01-01T00:00:00Z</updated>"
        f'<link href="https://x.example/{i}"/><ev:startdate>{m.isoformat()}</ev:startdate></entry>'
        for i, m in enumerate(moments(n))
    )
    return (f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" '
            f'xmlns:ev="http://purl.org/rss/1.0/modules/event/"><title>b</title><id>tag:x,2027:f</id>'
            f"<updated>2027-01-01T00:00:00Z</updated>{entries}</feed>").encode()  # fmt: skip


def jsonld(n: int) -> bytes:
    graph = [{"@type": "TheaterEvent", "@id": f"https://x.example/{i}", "name": f"Voorstelling {i}",
              "startDate": m.isoformat(), "location": {"@type": "Place", "name": "Leidse Schouwburg",
              "address": {"@type": "PostalAddress", "addressLocality": "Leiden"}}}
             for i, m in enumerate(moments(n))]  # fmt: skip
    block = escape(json.dumps({"@context": "https://schema.org", "@graph": graph}), quote=False)
    return f'<html><head><script type="application/ld+json">{block}</script></head></html>'.encode()


def tribe(n: int) -> bytes:
    events = [{"id": i, "title": f"Voorstelling {i}", "url": f"https://x.example/{i}",
               "start_date": m.strftime("%Y-%m-%d %H:%M:%S"), "utc_start_date": m.strftime("%Y-%m-%d %H:%M:%S"),
               "timezone": "UTC", "all_day": False, "venue": {"venue": "Leidse Schouwburg", "city": "Leiden"}}
              for i, m in enumerate(moments(n))]  # fmt: skip
    return json.dumps({"events": events, "total": n, "total_pages": 1}).encode()


def csv(n: int) -> bytes:
    rows = ["id;titel;datum;begintijd;locatie;plaats"]
    for i, m in enumerate(moments(n)):
        local = m + timedelta(hours=1)
        rows.append(
            f"e{i};Voorstelling {i};{local:%d-%m-%Y};{local:%H:%M};Leidse Schouwburg;Leiden"
        )
    return ("\r\n".join(rows) + "\r\n").encode("utf-8")


GENERATORS: dict[str, Callable[[int], bytes]] = {
    "ics": ics, "rss": rss, "atom": atom, "jsonld": jsonld, "tribe": tribe, "csv": csv,
}  # fmt: skip


def rate(fmt: str, data: bytes, n: int) -> float:
    source = SourceConfig(
        id="bench", name="Bench", format=fmt, url="https://x.example/feed", city="Leiden"
    )
    parser = get_parser(fmt)
    t0 = time.perf_counter()
    result = parser(data, source, NOW)
    seconds = time.perf_counter() - t0
    assert len(result.listings) == n, (fmt, len(result.listings), result.problems[:3])
    return n / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10000)
    n = parser.parse_args().events
    rates = {fmt: rate(fmt, make(n), n) for fmt, make in GENERATORS.items()}
    for fmt, value in rates.items():
        print(f"{fmt:7}: {value:9.0f} records/s  ({value / rates['ics']:.2f} x ics)")


if __name__ == "__main__":
    main()
