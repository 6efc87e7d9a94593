"""Benchmark: import plus deduplication of generated regions of 2,000 and 20,000 listings.

The generator is shaped like the region: venue sources in six formats (timed ICS with an
end and weekly tours as one recurring event, all-day CSV rows, JSON-LD with times, RSS
without an end, Atom, the WordPress events API), museums with exhibitions running one
to six months (listed as all-day spans by the museum and as timed 10:00-17:00 spans or
by their main title by aggregators), city-wide festivals over several days, opening
evenings, weekly recurring tours (one series), and aggregators listing the same
happenings with labels, capitals, places in titles, doors-open times, English
translations, url slugs and missing venues. The region covers a fixed 18 months: a
larger region is a denser one, as it is when more sources join.

By default each source is written to a file in its format first, and the timed part is
what ``agenda import`` does: read every file, parse it, store its listings (each source in
its own transaction) and deduplicate the region once. ``--from listings`` hands the
generated listings to the store directly instead (no reading or parsing), which isolates
storing and deduplication.

Each size runs in its own process, so its peak RSS is its own; each is run ``--repeat``
times, interleaved, and the fastest run counts (the machine is shared). Prints the seconds for
each size, t(large)/t(small) (linear = large/small), the peak RSS, and deduplication
(clustering) time as a share of the whole import, measured in the same run.

    .venv/bin/python bench/dedup.py [--sizes 2000 20000] [--repeat 5] [--from bytes|listings]
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/feeds.py would shadow the feeds package: keep this folder off the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

import argparse
import csv
import io
import json
import random
import resource
import subprocess
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from xml.sax.saxutils import escape

import icalendar
import msgspec

from agenda.dedup import rebuild as materialize
from agenda.model import Listing, SourceConfig
from agenda.store.database import Store
from agenda.sync.ingest import ingest, rebuild_pending
from agenda.sync.jobs import import_source
from agenda.timeutil import AMSTERDAM
from importers.fetch import FetchLimits

NOW = datetime(2027, 1, 1, tzinfo=UTC)
DAYS = 540
CITIES = {
    "Leiden": ["Museum De Lakenhal", "Leidse Schouwburg", "Stadsgehoorzaal Leiden", "Naturalis",
               "Hortus botanicus Leiden", "Rijksmuseum van Oudheden", "Museum Volkenkunde",
               "Pieterskerk Leiden", "Scheltema Leiden", "Kijkhuis Leiden"],
    "Den Haag": ["Mauritshuis", "Amare", "Paard", "Theater aan het Spui", "Kunstmuseum Den Haag",
                 "Escher in Het Paleis", "Museum Beelden aan Zee", "Nieuwe Kerk Den Haag",
                 "Filmhuis Den Haag", "Korzo Theater", "Haags Historisch Museum", "Prodemos"],
    "Delft": ["Museum Prinsenhof Delft", "Nieuwe Kerk Delft", "Science Centre TU Delft",
              "Theater de Veste", "Oude Kerk Delft", "Vermeer Centrum Delft", "Rietveld Delft"],
}  # fmt: skip
MUSEUM = ("Museum", "Mauritshuis", "Naturalis", "Hortus", "Escher", "Prinsenhof",
          "Rijksmuseum", "Vermeer", "Science")  # fmt: skip
# Syllables of made-up words; real titles are mostly distinct, so the generator's should
# be too (a few hundred syllables give thousands of distinct word stems).
SYLLABLES = [c + v for c in "b d f g h k l m n p r s t v w z".split()
             for v in "a e i o u aa ee oo ij ui".split()]  # fmt: skip
# Words with an English twin in the matcher's general word list, for translated titles.
TRANSLATABLE = {"nacht": "night", "stad": "city", "kunst": "art", "wereld": "world",
                "licht": "light", "water": "water", "tuin": "garden", "oorlog": "war",
                "liefde": "love", "zomer": "summer", "meesters": "masters"}  # fmt: skip
VENUE_KINDS = ["Galerie", "Theater", "Podium", "Museum", "Kerk", "Atelier", "Bibliotheek"]
LABELS = ["Concert: ", "Lezing | ", "Voorstelling: ", "Rondleiding - ", "", "", "", ""]
KINDS = ["Concert", "Lezing", "Voorstelling", "Rondleiding", "Workshop", "Film"]


def word(rng: random.Random) -> str:
    """A made-up word: real titles are mostly distinct, so the generator's should be too."""
    if rng.random() < 0.15:
        return rng.choice(list(TRANSLATABLE))
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))


def title_of(rng: random.Random, low: int = 1, high: int = 4) -> str:
    return " ".join(word(rng) for _ in range(rng.randint(low, high))).capitalize()


def english(title: str) -> str:
    return " ".join(TRANSLATABLE.get(w.lower(), w) for w in title.split()).capitalize()


def slug(title: str) -> str:
    return "-".join(title.lower().split())


class Region:
    """Sources and their listings, built up happening by happening."""

    def __init__(self, seed: int, n_listings: int) -> None:
        self.rng = random.Random(seed)
        self.venues = [(city, v) for city, names in CITIES.items() for v in names]
        # A larger region has more venues (each with its own source), not ten times the
        # programme per stage: about one venue per 70 listings, the region's own first.
        while len(self.venues) < n_listings // 70:
            name = f"{self.rng.choice(VENUE_KINDS)} {word(self.rng).capitalize()}"
            self.venues.append((self.rng.choice(list(CITIES)), name))
        shapes = ["ics", "csv", "jsonld", "rss", "atom", "tribe"]
        self.own = {
            v: SourceConfig(id=f"venue-{i}", name=v, format=shapes[i % len(shapes)], url="x", kind="venue",
                            city=c, venue=v)
            for i, (c, v) in enumerate(self.venues)
        }  # fmt: skip
        self.aggregators = {
            c: SourceConfig(id=f"uit-{i}", name=f"Uit in {c}", format="jsonld", url="x",
                            kind="aggregator", city=c)
            for i, c in enumerate(CITIES)
        }  # fmt: skip
        self.students = SourceConfig(id="studenten", name="Studentenagenda", format="rss",
                                     url="x", kind="aggregator")  # fmt: skip
        self.marketing = SourceConfig(id="citymarketing", name="City marketing", format="tribe",
                                      url="x", kind="institution")  # fmt: skip
        self.out: dict[SourceConfig, list[Listing]] = {
            s: []
            for s in [*self.own.values(), *self.aggregators.values(), self.students,
                      self.marketing]
        }  # fmt: skip
        self.count = 0
        self.number = 0

    def add(self, source: SourceConfig, **fields: object) -> None:
        self.number += 1
        external = f"{source.id}-{self.number}"
        self.out[source].append(Listing(source_id=source.id, external_id=external, **fields))  # type: ignore[arg-type]
        self.count += 1

    def day(self) -> date:
        return (NOW + timedelta(days=self.rng.randrange(DAYS))).date()

    def event(self) -> None:
        rng = self.rng
        city, venue = rng.choice(self.venues)
        source = self.own[venue]
        title = title_of(rng)
        kind = rng.choice(KINDS)
        day = self.day()
        local = datetime.combine(day, datetime.min.time(), AMSTERDAM)
        start = local.replace(hour=rng.choice([10, 14, 19, 20, 20]), minute=rng.choice([0, 15, 30]))
        end = start + timedelta(hours=rng.choice([1, 2, 3]))
        url = f"https://{slug(venue)}.example/agenda/{slug(title)}"
        shape = source.format
        self.add(
            source, title=title, start=start, end=end if shape != "rss" else None,
            venue_name=venue, city=city, url=url, categories=(kind,), language="nl",
            description=f"{title} in {venue}. " * rng.randint(1, 6),
        )  # fmt: skip
        if rng.random() < 0.6:
            shown = rng.choice(LABELS) + (title.upper() if rng.random() < 0.15 else title)
            if rng.random() < 0.3:
                shown += f" | {venue}"
            language = "nl"
            if rng.random() < 0.1 and english(title) != title:
                shown, language = english(title), "en"
            early = timedelta(minutes=rng.choice([0, 0, 0, 30]))
            self.add(
                self.aggregators[city], title=shown, start=start - early,
                venue_name=venue if rng.random() < 0.75 else None, city=city,
                url=f"https://uit.example/{slug(title)}", language=language,
                categories=(kind.lower(),),
            )  # fmt: skip
        if rng.random() < 0.15:
            self.add(self.students, title=f"{title} ({city})", start=start,
                     venue_name=venue, city=city)  # fmt: skip

    def exhibition(self) -> None:
        rng = self.rng
        city, venue = rng.choice([v for v in self.venues if v[1].startswith(MUSEUM)])
        main, subtitle = title_of(rng, 2, 3), title_of(rng, 2, 4)
        title = f"{main}. {subtitle}"
        first = self.day() - timedelta(days=rng.randrange(60))
        last = first + timedelta(days=rng.randint(30, 180))
        self.add(self.own[venue], title=title, start_date=first, end_date=last,
                 venue_name=venue, city=city, event_type="exhibition",
                 categories=("Tentoonstelling",), language="nl")  # fmt: skip
        if rng.random() < 0.3:
            opening = datetime.combine(first, datetime.min.time(), AMSTERDAM).replace(hour=17)
            self.add(self.own[venue], title=f"Opening: {main}", start=opening,
                     venue_name=venue, city=city)  # fmt: skip
        if rng.random() < 0.7:
            shown = rng.choice([f"Tentoonstelling: {title}", main, title, f"{main} | {venue}"])
            timed = rng.random() < 0.5
            fields: dict[str, object] = (
                {"start": datetime.combine(first, datetime.min.time(), AMSTERDAM).replace(hour=10),
                 "end": datetime.combine(last, datetime.min.time(), AMSTERDAM).replace(hour=17)}
                if timed else {"start_date": first, "end_date": last}
            )  # fmt: skip
            self.add(self.aggregators[city], title=shown, city=city, event_type="exhibition",
                     venue_name=venue if rng.random() < 0.8 else None, **fields)  # fmt: skip

    def festival(self) -> None:
        rng = self.rng
        city = rng.choice(list(CITIES))
        name = f"{title_of(rng, 1, 2)} festival {city}"
        first = self.day()
        last = first + timedelta(days=rng.randint(2, 10))
        self.add(self.marketing, title=name, start_date=first, end_date=last, city=city,
                 event_type="festival", categories=("Festival",))  # fmt: skip
        if rng.random() < 0.5:
            self.add(self.aggregators[city], title=f"Festival: {name.upper()}", start_date=first,
                     end_date=last, city=city)  # fmt: skip

    def tours(self) -> None:
        rng = self.rng
        city, venue = rng.choice(self.venues)
        title = f"Rondleiding {title_of(rng, 1, 2)}"
        first = self.day()
        series = f"series-{self.number}"
        hour, minute = rng.choice([10, 11, 13, 14, 15]), rng.choice([0, 30])
        for week in range(rng.randint(4, 12)):
            day = first + timedelta(days=7 * week)
            start = datetime.combine(day, datetime.min.time(), AMSTERDAM).replace(
                hour=hour, minute=minute
            )
            self.add(self.own[venue], title=title, start=start, venue_name=venue, city=city,
                     series_id=series, event_type="tour")  # fmt: skip


def region(n_listings: int, seed: int = 7) -> dict[SourceConfig, list[Listing]]:
    built = Region(seed, n_listings)
    rng = built.rng
    while built.count < n_listings:
        roll = rng.random()
        # Of the listings: about 70 % one-off events, 15 % exhibitions and their openings,
        # 15 % occurrences of recurring tours, a few festivals.
        if roll < 0.80:
            built.event()
        elif roll < 0.92:
            built.exhibition()
        elif roll < 0.96:
            built.festival()
        else:
            built.tours()
    return built.out


# --- each source as a file in its format ---------------------------------------------------


def _local(moment: datetime) -> datetime:
    return moment.astimezone(AMSTERDAM)


def _place(listing: Listing) -> str:
    return ", ".join(p for p in (listing.venue_name, listing.city) if p)


def _vevent(listing: Listing, uid: str) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", NOW)
    event.add("summary", listing.title)
    if listing.start is not None:
        event.add("dtstart", _local(listing.start))
        if listing.end is not None:
            event.add("dtend", _local(listing.end))
    else:
        assert listing.start_date is not None
        event.add("dtstart", listing.start_date)
        event.add("dtend", (listing.end_date or listing.start_date) + timedelta(days=1))
    for name, value in (("description", listing.description), ("location", _place(listing)),
                        ("url", listing.url)):  # fmt: skip
        if value:
            event.add(name, value)
    if listing.categories:
        event.add("categories", list(listing.categories))
    return event


def to_ics(source: SourceConfig, listings: list[Listing]) -> bytes:
    """A calendar as venues publish one; a series of tours is one weekly recurring event."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//{source.name}//Agenda//NL")
    calendar.add("version", "2.0")
    series: dict[str, list[Listing]] = {}
    for listing in listings:
        if listing.series_id is not None:
            series.setdefault(listing.series_id, []).append(listing)
        else:
            calendar.add_component(_vevent(listing, listing.external_id))
    for uid, occurrences in series.items():
        first = min(occurrences, key=lambda o: o.start or NOW)
        event = _vevent(first, uid)
        event.add("rrule", {"freq": "weekly", "count": len(occurrences)})
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def to_csv(source: SourceConfig, listings: list[Listing]) -> bytes:
    """A marketing team's spreadsheet: Dutch headers, semicolons, day-month-year."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["id", "titel", "datum", "begintijd", "einddatum", "eindtijd", "locatie",
                     "plaats", "omschrijving", "link", "categorie"])  # fmt: skip
    for listing in listings:
        first: date | None
        last: date | None
        if listing.start is not None:
            start = _local(listing.start)
            end = _local(listing.end) if listing.end else None
            first, begin = start.date(), start.strftime("%H:%M")
            last, until = (end.date(), end.strftime("%H:%M")) if end else (None, "")
        else:
            first, begin, last, until = listing.start_date, "", listing.end_date, ""
        writer.writerow([
            listing.external_id, listing.title, f"{first:%d-%m-%Y}", begin,
            f"{last:%d-%m-%Y}" if last and last != first else "", until,
            listing.venue_name or "", listing.city or "", listing.description, listing.url or "",
            ", ".join(listing.categories),
        ])  # fmt: skip
    return ("\ufeff" + out.getvalue()).encode()


def _iso(listing: Listing, end: bool = False) -> str | None:
    moment = listing.end if end else listing.start
    if moment is not None:
        return _local(moment).isoformat()
    day = listing.end_date if end else listing.start_date
    return day.isoformat() if day else None


_SCHEMA_TYPES = {"exhibition": "ExhibitionEvent", "festival": "Festival"}


def to_jsonld(source: SourceConfig, listings: list[Listing]) -> bytes:
    """An agenda page carrying schema.org events in one ``@graph``."""
    graph = []
    for listing in listings:
        event: dict[str, object] = {
            "@type": _SCHEMA_TYPES.get(listing.event_type or "", "Event"),
            "@id": f"https://{source.id}.example/agenda/{listing.external_id}#event",
            "name": listing.title,
            "startDate": _iso(listing),
            "eventStatus": "https://schema.org/EventScheduled",
        }
        if _iso(listing, end=True):
            event["endDate"] = _iso(listing, end=True)
        if listing.url:
            event["url"] = listing.url
        if listing.description:
            event["description"] = listing.description
        if listing.language:
            event["inLanguage"] = listing.language
        if listing.venue_name or listing.city:
            event["location"] = {
                "@type": "Place",
                **({"name": listing.venue_name} if listing.venue_name else {}),
                "address": {"@type": "PostalAddress", "addressLocality": listing.city},
            }
        graph.append(event)
    block = json.dumps({"@context": "https://schema.org", "@graph": graph}, ensure_ascii=False)
    page = (f'<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>Agenda | '
            f'{escape(source.name)}</title><script type="application/ld+json">{block}</script>'
            f"</head><body><h1>Agenda</h1></body></html>")  # fmt: skip
    return page.encode()


def _ev(listing: Listing) -> str:
    parts = [f"<ev:startdate>{_iso(listing)}</ev:startdate>"]
    if _iso(listing, end=True):
        parts.append(f"<ev:enddate>{_iso(listing, end=True)}</ev:enddate>")
    if _place(listing):
        parts.append(f"<ev:location>{escape(_place(listing))}</ev:location>")
    if listing.event_type:
        parts.append(f"<ev:type>{listing.event_type}</ev:type>")
    return "".join(parts)


_EV = 'xmlns:ev="http://purl.org/rss/1.0/modules/event/"'


# Per feed format: an event, a category, and what comes before and after the events.
_FEEDS = {
    "rss": (
        '<item><title>{title}</title><link>{link}</link><guid isPermaLink="false">{id}</guid>'
        "<description>{text}</description>{categories}{ev}</item>",
        "<category>{}</category>",
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" {_EV}><channel>'
        "<title>{name}</title><link>https://{source}.example/</link><description>Agenda"
        "</description>",
        "</channel></rss>",
    ),
    "atom": (
        "<entry><id>tag:{source}.example,2026:{id}</id><title>{title}</title>"
        '<updated>2026-12-01T09:00:00Z</updated><link rel="alternate" href="{link}"/>'
        '<summary type="text">{text}</summary>{categories}{ev}</entry>',
        '<category term="{}"/>',
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" {_EV}>'
        "<title>{name}</title><id>tag:{source}.example,2026:feed</id>"
        "<updated>2026-12-01T09:00:00Z</updated>",
        "</feed>",
    ),
}


def to_feed(source: SourceConfig, listings: list[Listing]) -> bytes:
    """RSS 2.0 or Atom, with the RSS event module."""
    item, category, head, tail = _FEEDS[source.format]
    events = "".join(
        item.format(
            source=source.id,
            id=listing.external_id,
            title=escape(listing.title),
            link=escape(listing.url or f"https://{source.id}.example/{listing.external_id}"),
            text=escape(listing.description),
            categories="".join(category.format(escape(c)) for c in listing.categories),
            ev=_ev(listing),
        )
        for listing in listings
    )
    return (head.format(name=escape(source.name), source=source.id) + events + tail).encode()


def to_tribe(source: SourceConfig, listings: list[Listing]) -> bytes:
    """One page of the WordPress events API (The Events Calendar)."""
    events = []
    for number, listing in enumerate(listings, 1):
        if listing.start is not None:
            start = _local(listing.start)
            end = _local(listing.end) if listing.end else start + timedelta(hours=2)
            times = {"all_day": False, "start_date": f"{start:%Y-%m-%d %H:%M:%S}",
                     "end_date": f"{end:%Y-%m-%d %H:%M:%S}"}  # fmt: skip
        else:
            assert listing.start_date is not None
            times = {"all_day": True, "start_date": f"{listing.start_date} 00:00:00",
                     "end_date": f"{listing.end_date or listing.start_date} 23:59:59"}  # fmt: skip
        events.append({
            "id": number, "title": listing.title, "description": listing.description,
            "url": listing.url or f"https://{source.id}.example/event/{number}/",
            "timezone": "Europe/Amsterdam", **times,
            "venue": {"venue": listing.venue_name or "", "city": listing.city}
            if listing.venue_name or listing.city else [],
            "categories": [{"name": c} for c in listing.categories],
        })  # fmt: skip
    return json.dumps({"events": events, "total": len(events), "total_pages": 1}).encode()


WRITERS = {"ics": to_ics, "csv": to_csv, "jsonld": to_jsonld, "rss": to_feed, "atom": to_feed,
           "tribe": to_tribe}  # fmt: skip
EXTENSIONS = {"ics": "ics", "csv": "csv", "jsonld": "html", "rss": "xml", "atom": "xml",
              "tribe": "json"}  # fmt: skip


def write_region(data: dict[SourceConfig, list[Listing]], folder: Path) -> list[SourceConfig]:
    """Each source's listings as a file in its format; the sources, pointing at their files."""
    sources = []
    for source, listings in data.items():
        path = folder / f"{source.id}.{EXTENSIONS[source.format]}"
        path.write_bytes(WRITERS[source.format](source, listings))
        sources.append(msgspec.structs.replace(source, url=path.as_uri()))
    return sources


def warm_up(folder: Path) -> None:
    """Import a small region of every format once, untimed: what a process does only the
    first time (loading parser modules, compiling patterns) counts in neither size."""
    folder.mkdir()
    store = Store.open(folder / "warm.db")
    for source in write_region(region(300, seed=1), folder):
        import_source(store, source, clock=lambda: NOW, defer=True)
    rebuild_pending(store, NOW)
    store.close()


def measure(n: int, folder: Path, start: str = "bytes") -> dict[str, float]:
    if start == "bytes":
        warm_up(folder / "warm")
    data = region(n)
    sources = write_region(data, folder) if start == "bytes" else list(data)
    store = Store.open(folder / f"dedup-{n}.db")
    spent = [0.0]
    original = materialize.cluster

    def timed(*args, **kwargs):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - t0

    materialize.cluster = timed
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        # As `agenda import` does: every source in its own transaction, one clustering pass.
        for source in sources:
            if start == "bytes":
                run = import_source(store, source, clock=lambda: NOW, defer=True,
                                    limits=FetchLimits(max_bytes=20 * 1024 * 1024))  # fmt: skip
                assert run.outcome == "ok", (source.id, run.outcome, run.message)
            else:
                ingest(store, source, data[source], [], NOW, defer=True)
        rebuild_pending(store, NOW)
        total = time.perf_counter() - t0
        cpu = time.process_time() - c0
    finally:
        materialize.cluster = original
    events = store.count("events")
    listings = store.count("listings")
    store.close()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "n": listings,
        "events": events,
        "total": total,
        "cpu": cpu,
        "cluster": spent[0],
        "rss": rss,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[2000, 20000])
    parser.add_argument("--repeat", type=int, default=5, help="runs per size (the fastest counts)")
    parser.add_argument(
        "--from",
        dest="start",
        choices=["bytes", "listings"],
        default="bytes",
        help="import files in six formats (default) or hand over listings",
    )
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        with tempfile.TemporaryDirectory() as tmp:
            print(json.dumps(measure(args.one, Path(tmp), args.start)))
        return
    small, large = args.sizes
    results: dict[int, dict[str, float]] = {}
    for _ in range(args.repeat):
        for n in (small, large):
            # A process per size and run: each peak RSS is that import's own. The machine
            # is shared: the fastest of the runs is the one least disturbed.
            done = subprocess.run(
                [sys.executable, __file__, "--one", str(n), "--from", args.start],
                capture_output=True,
                text=True,
                check=True,
            )
            result = json.loads(done.stdout.strip().splitlines()[-1])
            if n not in results or result["total"] < results[n]["total"]:
                results[n] = result
    for n, r in results.items():
        print(f"N={n:>6}: {r['events']:6d} events from {r['n']:6d} listings; import+dedup"
              f" {r['total']:7.2f} s ({r['cpu']:.2f} s CPU); clustering {r['cluster']:6.2f} s ="
              f" {100 * r['cluster'] / r['total']:4.1f} %; peak RSS {r['rss']:6.0f} MB")  # fmt: skip
    ratio = results[large]["total"] / results[small]["total"]
    cpu = results[large]["cpu"] / results[small]["cpu"]
    print(f"t({large})/t({small}) = {ratio:.2f} wall, {cpu:.2f} CPU (linear = {large / small:.0f})")


if __name__ == "__main__":
    main()
