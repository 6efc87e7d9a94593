"""A person's merge, split and never-merge decisions: applied now and on every later import."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from conftest import NOW, make_listing, make_source

from agenda.cli.main import main
from agenda.dedup.decisions import current_id, explain, merge, never_merge, split
from agenda.errors import NotFoundError
from agenda.store.database import Store
from agenda.store.query import EventFilter, list_events
from agenda.sync.ingest import ingest

LATER = NOW + timedelta(hours=1)
VENUE = make_source()
AGG = make_source(id="uit", kind="aggregator", venue=None)


def lezing(**overrides: object):
    return make_listing(**overrides)


def events(store: Store) -> dict[str, list[str]]:
    return {
        e.id: sorted(f"{s.source}:{s.external_id}" for s in e.sources)
        for e in list_events(store, EventFilter())
    }


def test_merge_survives_reimport_and_the_other_id_redirects(store: Store) -> None:
    ingest(store, VENUE, [lezing(title="Lezing over water")], [], NOW)
    ingest(
        store, AGG, [lezing(source_id="uit", external_id="9", title="Iets heel anders")], [], NOW
    )
    before = events(store)
    assert len(before) == 2
    survivor = merge(store, list(before), LATER)
    after = events(store)
    assert list(after) == [survivor]
    gone = (set(before) - {survivor}).pop()
    assert current_id(store, gone) == survivor
    # a later import of both sources keeps them together
    ingest(
        store,
        VENUE,
        [lezing(title="Lezing over water", description="nieuw")],
        [],
        LATER + timedelta(hours=1),
    )
    ingest(
        store,
        AGG,
        [lezing(source_id="uit", external_id="9", title="Iets heel anders")],
        [],
        LATER + timedelta(hours=1),
    )
    assert list(events(store)) == [survivor]


def test_split_survives_reimport(store: Store) -> None:
    ingest(store, VENUE, [lezing()], [], NOW)
    ingest(store, AGG, [lezing(source_id="uit", external_id="9")], [], NOW)
    (event_id,) = events(store)
    new_id = split(store, event_id, "uit:9", LATER)
    assert new_id != event_id and len(events(store)) == 2
    assert events(store)[event_id] == ["lakenhal:evt-1"]
    ingest(
        store,
        AGG,
        [lezing(source_id="uit", external_id="9", description="changed")],
        [],
        LATER + timedelta(hours=1),
    )
    assert len(events(store)) == 2


def test_never_merge_keeps_apart(store: Store) -> None:
    ingest(store, VENUE, [lezing()], [], NOW)
    ingest(store, AGG, [lezing(source_id="uit", external_id="9")], [], NOW)
    (event_id,) = events(store)
    never_merge(store, "lakenhal:evt-1", "uit:9", LATER)
    assert len(events(store)) == 2
    with pytest.raises(NotFoundError):
        never_merge(store, "nope", "uit:9", LATER)


def test_explain_names_members_scores_and_decisions(store: Store) -> None:
    ingest(store, VENUE, [lezing()], [], NOW)
    ingest(
        store,
        AGG,
        [lezing(source_id="uit", external_id="9", title="LEZING: Leiden in de Gouden Eeuw")],
        [],
        NOW,
    )
    (event_id,) = events(store)
    result = explain(store, event_id, LATER)
    assert [m[0] for m in result.members] == ["lakenhal:evt-1", "uit:9"]
    ((a, b, verdict, score, reasons),) = result.pairs
    assert verdict == "match" and "same start" in reasons and score > 0.9


def test_cli_merge_split_explain_review(tmp_path, store: Store) -> None:
    ingest(store, VENUE, [lezing()], [], NOW)
    ingest(
        store,
        AGG,
        [
            lezing(
                source_id="uit",
                external_id="9",
                start=datetime(2027, 2, 3, 18, 45, tzinfo=UTC),
                title="Leiden in de Gouden Eeuw: lezing met borrel",
            )
        ],
        [],
        NOW,
    )
    db = store.path
    runner = CliRunner()
    review = runner.invoke(main, ["review", "--db", db])
    assert review.exit_code == 0, review.output
    ids = list(events(store))
    assert len(ids) == 2
    merged = runner.invoke(main, ["merge", "--db", db, *ids])
    assert merged.exit_code == 0 and "merged into" in merged.output
    survivor = merged.output.split()[-1]
    explained = runner.invoke(main, ["explain", "--db", db, survivor])
    assert "2 listing(s)" in explained.output and "decision: together" in explained.output
    split_out = runner.invoke(main, ["split", "--db", db, survivor, "--listing", "uit:9"])
    assert split_out.exit_code == 0 and "uit:9 is now event" in split_out.output
    missing = runner.invoke(main, ["explain", "--db", db, "nope"])
    assert missing.exit_code == 2 and "no event 'nope'" in missing.stderr
