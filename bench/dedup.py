"""Benchmark: import plus deduplication of generated regions of 5,000 and 50,000 listings.

Each region has venue sources and aggregators listing the same happenings with the
usual variations (labels, places in titles, capitals, doors-open times). Prints the
seconds for each size, t(large)/t(small) (near 10 means linear), and deduplication
(clustering) time as a share of the whole import, measured in the same run.

    .venv/bin/python bench/dedup.py [--sizes 5000 50000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from agenda.dedup import rebuild as materialize
from agenda.model import Listing, SourceConfig
from agenda.store.database import Store
from agenda.sync.ingest import ingest, rebuild_pending

NOW = datetime(2027, 1, 1, tzinfo=UTC)
CITIES = {"Leiden": ["Museum De Lakenhal", "Leidse Schouwburg", "Stadsgehoorzaal Leiden",
                     "Naturalis", "Hortus botanicus Leiden"],
          "Den Haag": ["Mauritshuis", "Amare", "Paard", "Theater aan het Spui", "Kunstmuseum Den Haag"],
          "Delft": ["Museum Prinsenhof Delft", "Nieuwe Kerk Delft", "Science Centre TU Delft"]}  # fmt: skip
SYLLABLES = ("ka ro mi ne lu va to sel dor ben gar lin mar wes hol ter pen dam vos rik "
             "zee licht nacht stad kunst lied dans beeld klank tijd").split()  # fmt: skip


def word(rng: random.Random) -> str:
    """A made-up word: real titles are mostly distinct, so the generator's should be too."""
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))


LABELS = ["Concert: ", "Lezing | ", "Voorstelling: ", "", "", ""]


def region(n_listings: int, seed: int = 7) -> dict[SourceConfig, list[Listing]]:
    rng = random.Random(seed)
    venues = [(city, v) for city, names in CITIES.items() for v in names]
    sources = {v: SourceConfig(id=f"venue-{i}", name=v, format="ics", url="x", kind="venue",
                               city=c, venue=v) for i, (c, v) in enumerate(venues)}  # fmt: skip
    aggregators = {c: SourceConfig(id=f"agg-{i}", name=f"Uit in {c}", format="ics", url="x",
                                   kind="aggregator", city=c) for i, c in enumerate(CITIES)}  # fmt: skip
    out: dict[SourceConfig, list[Listing]] = {
        s: [] for s in [*sources.values(), *aggregators.values()]
    }
    count = 0
    number = 0
    days = 540
    while count < n_listings:
        number += 1
        city, venue = rng.choice(venues)
        title = " ".join(word(rng) for _ in range(rng.randint(1, 4))).capitalize()
        day = NOW + timedelta(days=rng.randrange(days))
        start = day.replace(hour=rng.choice([10, 14, 19, 20]), minute=rng.choice([0, 15, 30]))
        own = sources[venue]
        out[own].append(Listing(source_id=own.id, external_id=f"e{number}", title=title,
                                start=start, venue_name=venue, city=city))  # fmt: skip
        count += 1
        if rng.random() < 0.6 and count < n_listings:
            agg = aggregators[city]
            shown = rng.choice(LABELS) + (title.upper() if rng.random() < 0.2 else title)
            if rng.random() < 0.3:
                shown += f" | {venue}"
            early = timedelta(minutes=rng.choice([0, 0, 0, 30]))
            out[agg].append(Listing(source_id=agg.id, external_id=f"a{number}", title=shown,
                                    start=start - early, venue_name=venue if rng.random() < 0.7 else None,
                                    city=city))  # fmt: skip
            count += 1
    return out


def measure(n: int, folder: Path) -> tuple[float, float]:
    data = region(n)
    store = Store.open(folder / f"dedup-{n}.db")
    spent = [0.0]
    original = materialize.cluster

    def timed(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - t0

    materialize.cluster = timed
    try:
        t0 = time.perf_counter()
        # As `agenda import` does: every source in its own transaction, one clustering pass.
        for source, listings in data.items():
            ingest(store, source, listings, [], NOW, defer=True)
        rebuild_pending(store, NOW)
        total = time.perf_counter() - t0
    finally:
        materialize.cluster = original
    events = store.count("events")
    store.close()
    print(f"  N={n}: {events} events from {sum(map(len, data.values()))} listings")
    return total, spent[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[5000, 50000])
    args = parser.parse_args()
    small, large = args.sizes
    with tempfile.TemporaryDirectory() as tmp:
        results = {n: measure(n, Path(tmp)) for n in (small, large)}
    for n, (total, dedup) in results.items():
        print(f"N={n:>6}: import+dedup {total:7.2f} s; clustering {dedup:6.2f} s"
              f" = {100 * dedup / total:4.1f} % of the import")  # fmt: skip
    ratio = results[large][0] / results[small][0]
    print(f"t({large})/t({small}) = {ratio:.2f} (linear = {large / small:.0f})")


if __name__ == "__main__":
    main()
