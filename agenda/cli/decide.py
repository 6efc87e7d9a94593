"""The ``agenda`` commands a person decides duplicates with.

merge, split, never-merge, explain and review; registered on the ``agenda`` group by
`agenda.cli.main`.
"""

from __future__ import annotations

import click

from agenda.cli.common import db_option, now_utc, open_store


@click.command("merge")
@db_option()
@click.argument("events", nargs=-1, required=True)
@click.option("--note", default="", help="Why (kept with the decision).")
def merge_command(db: str, events: tuple[str, ...], note: str) -> None:
    """Merge two or more events into one, for good (EVENT EVENT [EVENT…]).

    The decision is stored and applied after automatic matching on every later import.
    """
    from agenda.dedup.decisions import merge

    with open_store(db) as store:
        survivor = merge(store, list(events), now_utc(), note)
        click.echo(f"merged into {survivor}")


@click.command("split")
@db_option()
@click.argument("event")
@click.option("--listing", "listing_key", required=True, metavar="SOURCE:EXTERNAL_ID",
              help="The listing to take out of the event.")  # fmt: skip
@click.option("--note", default="", help="Why (kept with the decision).")
def split_command(db: str, event: str, listing_key: str, note: str) -> None:
    """Take one listing out of an event, for good."""
    from agenda.dedup.decisions import split

    with open_store(db) as store:
        new_id = split(store, event, listing_key, now_utc(), note)
        click.echo(f"{listing_key} is now event {new_id}")


@click.command("never-merge")
@db_option()
@click.argument("first")
@click.argument("second")
@click.option("--note", default="", help="Why (kept with the decision).")
def never_merge_command(db: str, first: str, second: str, note: str) -> None:
    """Keep two events (or SOURCE:EXTERNAL_ID listings) apart, whatever their scores say."""
    from agenda.dedup.decisions import never_merge

    with open_store(db) as store:
        never_merge(store, first, second, now_utc(), note)
        click.echo(f"{first} and {second} will never be merged")


@click.command("explain")
@db_option()
@click.argument("event")
def explain_command(db: str, event: str) -> None:
    """Show an event's listings, the score of every pair and the rules that decided."""
    from agenda.dedup.decisions import explain

    with open_store(db) as store:
        result = explain(store, event, now_utc())
    click.echo(f"event {result.event_id}: {result.title}")
    click.echo(f"{len(result.members)} listing(s):")
    for key, title, why in result.members:
        click.echo(f"  {key}  {title!r}\n      {why}")
    if result.pairs:
        click.echo("pairs:")
    for a, b, verdict, score, reasons in result.pairs:
        click.echo(f"  {a} ~ {b}: {verdict} {score:.2f} ({'; '.join(reasons)})")
    for decision in result.decisions:
        click.echo(f"decision: {decision}")


@click.command("review")
@db_option()
@click.option("--limit", default=50, show_default=True, help="Show at most this many pairs.")
def review_command(db: str, limit: int) -> None:
    """List the pairs in the grey zone: similar, not merged, waiting for a person."""
    with open_store(db) as store:
        pairs = store.review()
        memberships = store.memberships()
        listings = store.listings(k for a, b, _, _ in pairs[:limit] for k in (a, b))
    if not pairs:
        click.echo("nothing to review")
    for a, b, score, reasons in pairs[:limit]:
        click.echo(f"{score:.2f}  {'; '.join(reasons)}")
        for key in (a, b):
            title = listings[key][0].title if key in listings else "?"
            click.echo(f"      {memberships.get(key, '?')}  {key}  {title!r}")
    if len(pairs) > limit:
        click.echo(f"… and {len(pairs) - limit} more")
    click.echo("Decide with: agenda merge EVENT EVENT  |  agenda never-merge EVENT EVENT")
