"""Sync semantics: idempotence, updates, withdrawal, the guard, atomicity, stable ids."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from conftest import NOW, dump, make_listing, make_source
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agenda.dedup import rebuild as materialize
from agenda.store.database import Store
from agenda.store.query import EventFilter, list_events
from agenda.sync.ingest import ingest

LATER = NOW + timedelta(hours=1)


def series(n: int, source: str = "lakenhal", title: str = "Concert", **overrides: object) -> list:
    return [
        make_listing(
            source_id=source,
            external_id=f"evt-{i}",
            title=f"{title} {i}",
            start=datetime(2027, 3, 1, 19, tzinfo=UTC) + timedelta(days=i),
            end=None,
            **overrides,
        )
        for i in range(n)
    ]


def test_reimporting_unchanged_source_changes_nothing(store: Store) -> None:
    source = make_source()
    first = ingest(store, source, series(4), [], NOW)
    assert (first.new, first.updated, first.unchanged, first.withdrawn) == (4, 0, 0, 0)
    before = dump(store)
    second = ingest(store, source, series(4), [], LATER)
    assert (second.new, second.updated, second.unchanged, second.withdrawn) == (0, 0, 4, 0)
    after = dump(store)
    runs_before, runs_after = before.pop("import_runs"), after.pop("import_runs")
    assert after == before  # no new ids, no timestamps bumped
    assert len(runs_after) == len(runs_before) + 1


def test_changed_listing_updates_its_event_and_raises_sequence(store: Store) -> None:
    source = make_source()
    ingest(store, source, [make_listing()], [], NOW)
    (event,) = list_events(store, EventFilter())
    moved = make_listing(start=datetime(2027, 2, 3, 20, 0, tzinfo=UTC), end=None)
    run = ingest(store, source, [moved], [], LATER)
    assert run.updated == 1
    (after,) = list_events(store, EventFilter())
    assert after.id == event.id
    assert after.start == moved.start
    assert after.sequence == event.sequence + 1
    assert after.created == event.created and after.updated == LATER


def test_description_change_does_not_raise_sequence(store: Store) -> None:
    source = make_source()
    ingest(store, source, [make_listing()], [], NOW)
    ingest(store, source, [make_listing(description="Nieuw: met borrel")], [], LATER)
    (event,) = list_events(store, EventFilter())
    assert event.description == "Nieuw: met borrel" and event.sequence == 0


def test_missing_listing_is_withdrawn_not_deleted(store: Store) -> None:
    source = make_source()
    ingest(store, source, series(10), [], NOW)
    run = ingest(store, source, series(10)[:9], [], LATER)
    assert run.withdrawn == 1
    states = dict(store.db.execute("SELECT key, state FROM listings").fetchall())
    assert states["lakenhal:evt-9"] == "withdrawn" and len(states) == 10
    events = {e.title: e for e in list_events(store, EventFilter())}
    assert events["Concert 9"].withdrawn and events["Concert 9"].sequence == 1
    assert not events["Concert 8"].withdrawn
    # It comes back: active again, same event.
    back = ingest(store, source, series(10), [], LATER + timedelta(hours=1))
    assert back.updated == 1
    again = {e.title: e for e in list_events(store, EventFilter())}
    assert again["Concert 9"].id == events["Concert 9"].id and not again["Concert 9"].withdrawn


def test_past_listings_that_drop_out_are_not_withdrawn(store: Store) -> None:
    source = make_source()
    past = make_listing(external_id="old", start=NOW - timedelta(days=3), end=None)
    ingest(store, source, [past, *series(3)], [], NOW)
    run = ingest(store, source, series(3), [], LATER)
    assert run.withdrawn == 0


def test_withdrawal_guard_refuses_and_applies_nothing(store: Store) -> None:
    source = make_source()
    ingest(store, source, series(20), [], NOW)
    before = dump(store)
    shrunk = series(20)[:14]  # 6 of 20 missing: more than 5 and more than 20 %
    shrunk[0] = make_listing(**{**_fields(shrunk[0]), "title": "Changed"})
    run = ingest(store, source, shrunk, [], LATER)
    assert run.outcome == "refused"
    assert "6 of 20" in run.message
    after = dump(store)
    assert len(after.pop("import_runs")) == len(before.pop("import_runs")) + 1
    assert after == before


def test_withdrawal_guard_allows_small_shrinks(store: Store) -> None:
    source = make_source()
    ingest(store, source, series(20), [], NOW)
    assert ingest(store, source, series(20)[:15], [], LATER).outcome == "ok"  # 5 is not > 5


def test_forced_import_passes_the_guard(store: Store) -> None:
    source = make_source()
    ingest(store, source, series(10), [], NOW)
    run = ingest(store, source, [], [], LATER, force=True)
    assert run.outcome == "ok" and run.withdrawn == 10


def test_crash_mid_import_leaves_database_unchanged(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = make_source()
    ingest(store, source, series(3), [], NOW)
    before = dump(store)

    def explode(*args: object, **kwargs: object) -> int:
        raise RuntimeError("disk on fire")

    # The run's last write fails: everything before it in the transaction is undone.
    monkeypatch.setattr(Store, "record_run", explode)
    with pytest.raises(RuntimeError, match="disk on fire"):
        ingest(store, source, series(5), [], LATER)
    assert dump(store) == before


def test_a_failing_deduplication_keeps_the_listings_and_says_so(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = make_source()
    ingest(store, source, series(3), [], NOW)

    def explode(*args: object, **kwargs: object) -> int:
        raise RuntimeError("dedup bug")

    with monkeypatch.context() as patch:
        patch.setattr(materialize, "_write_event", explode)
        run = ingest(store, source, series(5), [], LATER)
    assert run.outcome == "ok" and run.new == 2
    assert any("deduplication failed" in p.message for p in run.problems)
    assert store.count("listings") == 5  # nothing the source sent is lost
    assert len(list_events(store, EventFilter())) == 3  # not yet published...
    ingest(store, source, series(5), [], LATER + timedelta(minutes=5))
    assert len(list_events(store, EventFilter())) == 5  # ...and published by the next run


def test_same_title_venue_and_start_from_two_sources_is_one_event(store: Store) -> None:
    ingest(store, make_source(), [make_listing()], [], NOW)
    aggregator = make_source(id="uit-in-leiden", kind="aggregator", venue=None)
    listing = make_listing(
        source_id="uit-in-leiden", external_id="9", title="LEZING: Leiden in de Gouden Eeuw!",
        description="Longer text from the aggregator", url="https://uitinleiden.nl/9",
    )  # fmt: skip
    ingest(store, aggregator, [listing], [], LATER)
    (event,) = list_events(store, EventFilter())
    assert [s.source for s in event.sources] == ["lakenhal", "uit-in-leiden"]
    assert event.title == "Lezing: Leiden in de Gouden Eeuw"  # the venue's own wins
    assert event.provenance["title"] == "lakenhal"
    assert event.url == "https://www.lakenhal.nl/agenda/lezing"
    assert event.description == "Longer text from the aggregator"
    assert event.provenance["description"] == "uit-in-leiden"


def test_two_listings_of_one_source_never_merge(store: Store) -> None:
    twins = [make_listing(external_id="a"), make_listing(external_id="b")]
    ingest(store, make_source(), twins, [], NOW)
    assert len(list_events(store, EventFilter())) == 2


def test_merged_event_keeps_id_and_tombstones_the_other(store: Store) -> None:
    venue = make_source()
    aggregator = make_source(id="agg", kind="aggregator")
    ingest(store, aggregator, [make_listing(source_id="agg", title="Lezing Leiden")], [], NOW)
    ingest(store, venue, [make_listing(external_id="x", title="Other")], [], NOW)
    ids = {e.title: e.id for e in list_events(store, EventFilter())}
    # The venue renames its listing to the aggregator's title: the two become one.
    ingest(store, venue, [make_listing(external_id="x", title="Lezing Leiden")], [], LATER)
    (event,) = list_events(store, EventFilter())
    assert event.id in ids.values()
    gone = (set(ids.values()) - {event.id}).pop()
    assert store.replaced_by(gone) == event.id


def test_export_shape_times_keep_their_offset(store: Store) -> None:
    winter = make_listing(external_id="w", start=datetime(2027, 1, 15, 19, tzinfo=UTC), end=None)
    summer = make_listing(external_id="s", start=datetime(2027, 7, 15, 18, tzinfo=UTC), end=None)
    allday = make_listing(
        external_id="d",
        start=None,
        end=None,
        start_date=date(2027, 3, 1),
        end_date=date(2027, 5, 31),
    )
    ingest(store, make_source(), [winter, summer, allday], [], NOW)
    from feeds.jsonexport import export_event

    exported = {
        e["sources"][0]["external_id"]: e
        for e in map(export_event, list_events(store, EventFilter()))
    }
    assert exported["w"]["start"] == "2027-01-15T20:00:00+01:00"
    assert exported["s"]["start"] == "2027-07-15T20:00:00+02:00"
    assert exported["d"]["start"] == "2027-03-01" and exported["d"]["end"] == "2027-05-31"
    assert exported["d"]["all_day"] is True and exported["w"]["all_day"] is False


def _fields(listing: object) -> dict:
    import msgspec

    return msgspec.structs.asdict(listing)  # type: ignore[arg-type]


titles = st.sampled_from(["Concert", "concert!", "Lezing", "Rondleiding", "Opening"])
hours = st.integers(min_value=18, max_value=20)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.tuples(st.sampled_from(["a", "b", "c"]), titles, hours), min_size=1, max_size=12
    ),
    seed=st.randoms(use_true_random=False),
)
def test_result_does_not_depend_on_order_and_reimport_is_a_no_op(
    tmp_path_factory, rows, seed
) -> None:
    listings = {
        src: [
            make_listing(
                source_id=src,
                external_id=f"{i}",
                title=t,
                start=datetime(2027, 5, 1, h, tzinfo=UTC),
                end=None,
            )
            for i, (s, t, h) in enumerate(rows)
            if s == src
        ]
        for src in ("a", "b", "c")
    }
    results = []
    for attempt in range(2):
        order = ["a", "b", "c"]
        if attempt:
            seed.shuffle(order)
        db = Store.open(tmp_path_factory.mktemp("db") / "x.db")
        for src in order:
            batch = list(listings[src])
            if attempt:
                seed.shuffle(batch)
            ingest(db, make_source(id=src, kind="venue"), batch, [], NOW)
        events = list_events(db, EventFilter())
        results.append(
            sorted(tuple(sorted(s.source + ":" + s.external_id for s in e.sources)) for e in events)
        )
        before = dump(db)
        for src in order:
            ingest(db, make_source(id=src, kind="venue"), listings[src], [], LATER)
        after = dump(db)
        after.pop("import_runs"), before.pop("import_runs")
        assert after == before
        db.close()
    assert results[0] == results[1]


def test_deferred_import_rebuilds_once_and_pending_survives_a_crash(store: Store) -> None:
    from agenda.sync.ingest import rebuild_pending

    ingest(store, make_source(), series(3), [], NOW, defer=True)
    assert list_events(store, EventFilter()) == []  # listings stored, events not yet built
    assert len(store.pending()) == 3
    # A later import (even of another source) first finishes what was pending.
    ingest(store, make_source(id="other"), series(1, source="other", title="Anders"), [], LATER)
    assert len(list_events(store, EventFilter())) == 4 and store.pending() == []
    ingest(store, make_source(), series(4), [], LATER, defer=True)
    assert rebuild_pending(store, LATER) == 1
    assert rebuild_pending(store, LATER) == 0


def test_rebuilding_only_touched_days_equals_a_full_rebuild(tmp_path) -> None:
    from agenda.dedup.rebuild import rebuild_events

    def memberships(db: Store) -> list[list[str]]:
        groups: dict[str, list[str]] = {}
        for key, event_id in db.memberships().items():
            groups.setdefault(event_id, []).append(key)
        return sorted(sorted(g) for g in groups.values())

    venue = make_source()
    agg = make_source(id="agg", kind="aggregator", venue=None)
    expo = make_listing(external_id="expo", title="Rembrandt & Lievens", start=None, end=None,
                        start_date=date(2027, 3, 1), end_date=date(2027, 5, 31))  # fmt: skip
    agg_expo = make_listing(source_id="agg", external_id="x", title="Rembrandt en Lievens", start=None,
                            end=None, start_date=date(2027, 3, 1), end_date=date(2027, 5, 31))  # fmt: skip
    incremental = Store.open(tmp_path / "inc.db")
    ingest(incremental, venue, [*series(6), expo], [], NOW)
    ingest(incremental, agg, [*series(6, source="agg", title="concert"), agg_expo], [], NOW)
    full = Store.open(tmp_path / "full.db")
    ingest(full, venue, [*series(6), expo], [], NOW, defer=True)
    ingest(full, agg, [*series(6, source="agg", title="concert"), agg_expo], [], NOW, defer=True)
    with full.transaction():
        rebuild_events(full, NOW, None)
    assert memberships(incremental) == memberships(full)
    assert any(len(g) == 2 for g in memberships(full))


def test_an_empty_answer_never_withdraws_even_a_small_source(store: Store) -> None:
    source = make_source()
    ingest(store, source, series(2), [], NOW)
    before = dump(store)
    run = ingest(store, source, [], [], LATER)
    assert run.outcome == "refused" and "no events at all" in run.message
    after = dump(store)
    after.pop("import_runs"), before.pop("import_runs")
    assert after == before


def test_a_region_wide_agenda_default_city_is_no_evidence_against_a_match(store: Store) -> None:
    mauritshuis = make_source(id="mauritshuis", city="Den Haag", venue="Mauritshuis")
    ingest(store, mauritshuis, [make_listing(source_id="mauritshuis", external_id="1", title="Vermeer in het donker",
                                             venue_name="Mauritshuis", city="Den Haag")], [], NOW)  # fmt: skip
    # A student platform whose config says Leiden, listing the event without any place.
    campus = make_source(id="campus", city="Leiden", venue=None, kind="aggregator")
    bare = make_listing(source_id="campus", external_id="c1", title="Vermeer in het donker", venue_name=None,
                        city="Leiden", url=None)  # fmt: skip
    ingest(store, campus, [bare], [], NOW)
    (event,) = list_events(store, EventFilter())
    assert {s.source for s in event.sources} == {"mauritshuis", "campus"}
    assert event.city == "Den Haag"


def test_a_place_named_in_the_title_counts(store: Store) -> None:
    campus = make_source(id="campus", city="Leiden", venue=None, kind="aggregator")
    listings = [
        make_listing(source_id="campus", external_id="a", title="Lezing over tulpen | Mauritshuis", venue_name=None,
                     city="Leiden", url=None),
        make_listing(source_id="campus", external_id="b", title="Concert in de kerk (Delft)", venue_name=None,
                     city="Leiden", url=None),
    ]  # fmt: skip
    ingest(store, campus, listings, [], NOW)
    events = {e.title: e for e in list_events(store, EventFilter())}
    assert events["Lezing over tulpen | Mauritshuis"].city == "Den Haag"
    assert events["Lezing over tulpen | Mauritshuis"].venue.id == "mauritshuis"
    assert events["Concert in de kerk (Delft)"].city == "Delft"


def test_a_translated_title_drops_the_venue_it_ends_with(store: Store) -> None:
    ingest(store, make_source(), [make_listing(title="Rembrandt en Leiden")], [], NOW)
    campus = make_source(id="campus", kind="aggregator", venue=None, language="en")
    english = make_listing(source_id="campus", external_id="c", title="Rembrandt and Leiden | Museum De Lakenhal",
                           language="en", url="https://campus.example/events/rembrandt-en-leiden-1")  # fmt: skip
    ingest(store, campus, [english], [], NOW)
    (event,) = list_events(store, EventFilter())
    assert event.titles == {"nl": "Rembrandt en Leiden", "en": "Rembrandt and Leiden"}


def test_an_incomplete_answer_withdraws_nothing(store: Store) -> None:
    from agenda.sync.ingest import FetchInfo

    source = make_source()
    ingest(store, source, series(10), [], NOW)
    partial = FetchInfo(started=LATER, complete=False)
    run = ingest(store, source, series(3), [], LATER, partial)
    assert run.outcome == "ok" and run.withdrawn == 0
    assert any("incomplete" in p.message for p in run.problems)
    events = list_events(store, EventFilter())
    assert len(events) == 10 and not any(e.withdrawn or e.status == "cancelled" for e in events)


def test_a_slow_drain_is_refused_like_a_sudden_one(store: Store) -> None:
    source = make_source()
    ingest(store, source, series(40), [], NOW)
    outcomes = []
    for step in range(1, 8):  # five fewer listings a run, as a failing source might do
        run = ingest(store, source, series(40 - 5 * step), [], NOW + timedelta(hours=step))
        outcomes.append(run.outcome)
    assert outcomes[0] == "ok"  # one run of five is normal churn
    assert "refused" in outcomes
    refused = next(i for i, o in enumerate(outcomes) if o == "refused")
    assert refused <= 2  # caught within a few runs, not after 35 of 40 are gone
    assert len(list_events(store, EventFilter())) >= 30


def test_a_confirmed_run_starts_the_drain_count_afresh(store: Store) -> None:
    source = make_source()
    ingest(store, source, series(40), [], NOW)
    ingest(store, source, series(35), [], LATER)
    assert ingest(store, source, series(30), [], LATER + timedelta(hours=1)).outcome == "refused"
    forced = ingest(store, source, series(30), [], LATER + timedelta(hours=2), force=True)
    assert forced.outcome == "ok" and forced.forced
    assert ingest(store, source, series(26), [], LATER + timedelta(hours=3)).outcome == "ok"


def test_problems_of_one_run_are_capped_and_counted(store: Store) -> None:
    from agenda.model import PROBLEM_LIMIT as MAX_PROBLEMS
    from agenda.model import Problem

    many = [Problem(source_id="lakenhal", message=f"bad row {i}") for i in range(5000)]
    run = ingest(store, make_source(), series(2), many, NOW)
    assert len(run.problems) == MAX_PROBLEMS + 1
    assert "4,800 more problems" in run.problems[-1].message
    assert store.count("problems") == MAX_PROBLEMS + 1


def test_events_built_with_another_vocabulary_are_rebuilt_on_the_next_import(store: Store) -> None:
    source = make_source()
    ingest(store, source, [make_listing(categories=("Lezing",))], [], NOW)
    (event,) = list_events(store, EventFilter())
    assert event.categories == ("lecture",)
    # As if the events were built by an older version of the agenda's vocabulary.
    store.db.execute(
        "UPDATE events SET data_hash = 'old',"
        " data = json_set(data, '$.categories', json('[\"Lezing\"]'))"
    )
    store.set_meta("vocabulary", 0)
    ingest(store, source, [make_listing(categories=("Lezing",)), *series(1)], [], LATER)
    assert {e.categories for e in list_events(store, EventFilter())} >= {("lecture",)}
    assert all(e.categories != ("Lezing",) for e in list_events(store, EventFilter()))


def test_a_batch_rebuild_commits_in_slices_that_let_other_writers_in(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from agenda.sync.ingest import rebuild_pending

    whole = Store.open(tmp_path / "whole.db")
    for target in (store, whole):
        for source, title in (("lakenhal", "Concert"), ("hortus", "Rondleiding"),
                              ("pieterskerk", "Orgel")):  # fmt: skip
            ingest(target, make_source(id=source), series(6, source=source, title=title), [],
                   NOW, defer=True)  # fmt: skip
    # Another writer with no patience at all gets in between two slices.
    other = sqlite3.connect(store.path, timeout=0)
    slices = []
    real_transaction = store.transaction

    def between_slices():  # type: ignore[no-untyped-def]
        if slices:
            other.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('probe', ?)", (len(slices),)
            )
            other.commit()
        slices.append(1)
        return real_transaction()

    monkeypatch.setattr(store, "transaction", between_slices)
    rebuild_pending(store, LATER, batch=5)
    rebuild_pending(whole, LATER)
    assert len(slices) == 5  # four slices of at most five listings, one that finds none
    assert store.meta_value("probe") == 4

    # The same events as one big rebuild gives.
    def shape(target: Store) -> list[tuple[str, object, list[str]]]:
        return sorted(
            (e.title, e.start, sorted(s.source for s in e.sources))
            for e in list_events(target, EventFilter())
        )

    assert shape(store) == shape(whole) and len(shape(store)) == 18
    assert store.pending() == []
    whole.close()


def test_a_rebuild_writes_events_in_order_of_their_days(store: Store) -> None:
    # Each event goes into several indexes on its start: written in that order they append
    # to a few pages; in order of their (random) ids they touch pages all over a large
    # region's indexes (the event writes of a 20k import took about 0.1 s longer).
    listings = series(30)
    ingest(store, make_source(), listings[::-1], [], NOW)
    days = [row[0] for row in store.db.execute("SELECT local_date FROM events ORDER BY rowid")]
    assert len(days) == 30
    assert days == sorted(days)


def _bytes_written() -> int:
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("wchar:"):
            return int(line.split()[1])
    raise AssertionError("no wchar in /proc/self/io")


@pytest.mark.skipif(not Path("/proc/self/io").exists(), reason="counts writes through /proc")
def test_a_rebuild_writes_the_database_about_once(tmp_path: Path) -> None:
    """Statement journals stay in memory: each event's upsert (and its search-index
    trigger) journalled its pages to a temporary file, which wrote a rebuilt region about
    four to twelve times over."""
    from agenda.sync.ingest import rebuild_pending

    store = Store.open(tmp_path / "a.db")
    start = datetime(2027, 3, 1, 18, 0, tzinfo=UTC)
    listings = [
        make_listing(external_id=f"e{i}", title=f"Avond {i} over stad en {i * 7} sterren",
                     start=start + timedelta(hours=5 * i), end=None,
                     description="Een avond vol verhalen. " * 20)
        for i in range(800)
    ]  # fmt: skip
    ingest(store, make_source(), listings, [], NOW, defer=True)
    before = _bytes_written()
    assert rebuild_pending(store, NOW) == 800
    written = _bytes_written() - before
    stored = sum(p.stat().st_size for p in tmp_path.iterdir())
    store.close()
    assert written < 2 * stored, (written, stored)
