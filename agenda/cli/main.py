"""The ``agenda`` command line: import, export, serve and the demo.

The commands to decide duplicates are in `agenda.cli.decide`, ``agenda partner`` in
`agenda.cli.partners` and ``agenda publish`` in `agenda.cli.publish`; all are registered on
`main` here, the console entry point.

Errors we expect (bad config, unusable database, bad filter) end with one line on
stderr and exit status 2; ``agenda import`` exits 1 only when every source failed.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from typing import Any

import click

from agenda.cli.common import (
    AgendaGroup,
    clear_errors,
    db_option,
    listen,
    now_utc,
    open_store,
    run_server,
    say,
    trusted_proxies_from_env,
)
from agenda.cli.decide import (
    explain_command,
    merge_command,
    never_merge_command,
    review_command,
    split_command,
)
from agenda.cli.demo import demo_command
from agenda.cli.partners import partner_group
from agenda.cli.publish import publish_command
from agenda.errors import SourceBusyError
from agenda.model import ImportRun, SourceConfig
from agenda.pictures import default_images_dir
from agenda.timeutil import AMSTERDAM

log = logging.getLogger("agenda.cli")


@click.group(cls=AgendaGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="regio-agenda")
def main() -> None:
    """Regio-agenda: the shared culture calendar of Den Haag, Leiden and Delft.

    Import every source of a sources file, deduplicate, and export the agenda.
    """


@main.command("import")
@click.option(
    "--config",
    envvar="AGENDA_CONFIG",
    required=True,
    type=click.Path(dir_okay=False),
    help="Sources file in TOML (env AGENDA_CONFIG).",
)
@db_option()
@click.option("--source", "source_id", help="Import only the source with this id.")
@click.option(
    "--max-body-mb", default=20, show_default=True, type=click.IntRange(1, 2000),
    help="Refuse answers larger than this many megabytes.",
)  # fmt: skip
@click.option(
    "--images-dir", envvar="AGENDA_IMAGES_DIR", type=click.Path(file_okay=False),
    help="Where event pictures are stored (env AGENDA_IMAGES_DIR; default DB.images).",
)  # fmt: skip
def import_command(
    config: str, db: str, source_id: str | None, max_body_mb: int, images_dir: str | None
) -> None:
    """Fetch, parse, deduplicate and store every source of the sources file.

    Prints per source what changed. One broken source never stops the others; the
    exit status is 1 only when every source failed.
    """
    from agenda.config import load_sources
    from agenda.store.database import Store

    with clear_errors():
        sources = load_sources(config)
        if source_id is not None:
            sources = [s for s in sources if s.id == source_id]
            if not sources:
                raise click.UsageError(f"no source with id {source_id!r} in {config}")
        store = Store.open(db)
    try:
        runs = import_all(
            store, sources, max_body_mb * 1024 * 1024, images_dir or default_images_dir(db)
        )
    finally:
        store.close()
    if runs and all(run.outcome == "failed" for run in runs):
        sys.exit(1)


def import_all(
    store: Any,
    sources: list[SourceConfig],
    max_bytes: int = 20 * 1024 * 1024,
    images_dir: str | None = None,
    budget: Any = None,
) -> list[ImportRun]:
    from rich.console import Console
    from rich.progress import Progress

    from agenda.sync.ingest import rebuild_pending
    from agenda.sync.jobs import import_source, utc_now
    from importers.fetch import FetchLimits

    runs: list[ImportRun] = []
    console = Console(stderr=True)
    with Progress(console=console, transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task("importing", total=len(sources))
        for source in sources:
            progress.update(task, description=f"importing {source.id}")
            try:
                run = import_source(
                    store, source, defer=True, limits=FetchLimits(max_bytes=max_bytes)
                )
            except SourceBusyError as exc:
                say(f"{source.id}: skipped: {exc}")
                progress.advance(task)
                continue
            runs.append(run)
            say(describe_run(run))
            for problem in run.problems[:5]:
                where = f"{problem.external_id}: " if problem.external_id else ""
                say(f"    {problem.severity}: {where}{problem.message}")
            if len(run.problems) > 5:
                say(f"    … and {len(run.problems) - 5} more problems")
            progress.advance(task)
        progress.update(task, description="deduplicating")
        try:
            rebuild_pending(store, utc_now())
        except Exception:  # a bug in deduplication must not lose what the sources sent
            log.exception("deduplication failed")
            click.echo(
                "agenda: deduplication failed (the log says why); every listing is stored "
                "and the next import publishes them",
                err=True,
            )
        if images_dir is not None:
            progress.update(task, description="fetching pictures")
            _pictures(store, images_dir, budget)
    return runs


def _pictures(store: Any, images_dir: str, budget: Any) -> None:
    """The picture job after an import: its own fetches, its own small transactions."""
    from agenda.sync.pictures import fetch_pictures

    try:
        report = fetch_pictures(store, images_dir, budget=budget)
    except Exception:  # pictures are an extra: they never fail an import
        log.exception("the picture job failed")
        click.echo("agenda: the picture job failed (the log says why)", err=True)
        return
    if report.ok or report.problems or report.deferred or report.removed:
        click.echo(report.line())
        for problem in report.problems[:5]:
            click.echo(f"    {problem.status}: {problem.url}: {problem.reason}")
        if len(report.problems) > 5:
            click.echo(f"    … and {len(report.problems) - 5} more picture problems")


def describe_run(run: ImportRun) -> str:
    """One line per source: what the import did."""
    if run.outcome in ("failed", "refused"):
        return f"{run.source_id}: {run.outcome.upper()}: {run.message}"
    if run.outcome == "not_modified":
        return f"{run.source_id}: not modified since the last import"
    problems = len(run.problems)
    return (
        f"{run.source_id}: {run.new} new, {run.updated} updated, {run.withdrawn} withdrawn, "
        f"{run.unchanged} unchanged, {problems} problem{'s' if problems != 1 else ''}"
    )


def _filter_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The shared filter model as command-line options (same names as the query parameters)."""
    options = [
        click.option("--from", "from_", metavar="YYYY-MM-DD",
                     help="Events still running on or after this day (feeds: default today; "
                          "json: no limit)."),
        click.option("--to", metavar="YYYY-MM-DD",
                     help="Events starting on or before this day (feeds: default twelve months "
                          "on; json: no limit)."),
        click.option("--city", help="Den Haag, Leiden, Delft, …"),
        click.option("--venue", help="Venue id."),
        click.option("--source", help="Only events listed by this source id."),
        click.option("--theme", help="Theme id."),
        click.option("--category", help="A category: its id (lecture) or any name of it in "
                                        "Dutch or English (Lezing, Lecture)."),
        click.option("--audience", help="family, children, students, adults or seniors."),
        click.option("--lang", help="nl or en: titles and labels in this language "
                                    "(selects nothing)."),
        click.option("--language", help="nl or en: only events held in this language."),
        click.option("--q", help="Full-text search in titles and descriptions."),
        click.option("--free", help="true: only free events."),
        click.option("--accessible", help="true: only events that say they are accessible."),
        click.option("--kind", help="e.g. concert,lecture or -exhibition to leave them out."),
        click.option("--limit", help="At most this many events."),
    ]  # fmt: skip
    for option in reversed(options):
        command = option(command)
    return command


@main.command("export")
@db_option()
@click.option(
    "--format", "fmt", type=click.Choice(["json", "ics", "rss", "atom", "jsonfeed"]),
    required=True, help="Output format.",
)  # fmt: skip
@_filter_options
@click.option(
    "--exhibitions", type=click.Choice(["span", "daily", "exclude"]), default="span",
    show_default=True, help="iCalendar: exhibitions as one span, one entry a day, or left out.",
)  # fmt: skip
@click.option(
    "--base-url", envvar="AGENDA_BASE_URL", default="http://127.0.0.1:8000", show_default=True,
    help="The agenda's public address, for links and UIDs.",
)  # fmt: skip
def export_command(
    db: str, fmt: str, exhibitions: str, base_url: str, **params: str | None
) -> None:
    """Write the agenda to stdout: JSON (README, 'The JSON export') or a feed (ics, rss, atom)."""
    from agenda.filters import parse_filters
    from agenda.store.query import list_events
    from feeds.formats import feed_options, render_format

    values = {("from" if k == "from_" else k): v for k, v in params.items() if v is not None}
    now = now_utc()
    with open_store(db) as store:
        # The JSON export is the full record of the agenda (README: every imported record
        # appears in it), so it has no default window; the feeds default to twelve months.
        filters = parse_filters(values, now.astimezone(AMSTERDAM).date(), defaults=fmt != "json")
        events = list_events(store, filters)
    lang = filters.lang or "nl"
    sys.stdout.buffer.write(
        render_format(fmt, events, feed_options(base_url, fmt, now, lang, exhibitions))
    )


@main.command("serve")
@db_option()
@click.option("--config", envvar="AGENDA_CONFIG", type=click.Path(dir_okay=False),
              help="Sources file (env AGENDA_CONFIG); checked at start.")  # fmt: skip
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--base-url", envvar="AGENDA_BASE_URL", default=None,
              help="Public address used in links (default: http://HOST:PORT).")  # fmt: skip
@click.option(
    "--images-dir", envvar="AGENDA_IMAGES_DIR", type=click.Path(file_okay=False),
    help="Where event pictures are stored (env AGENDA_IMAGES_DIR; default DB.images).",
)  # fmt: skip
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Server processes (uvicorn workers) sharing port and database.")  # fmt: skip
def serve_command(
    db: str,
    config: str | None,
    host: str,
    port: int,
    base_url: str | None,
    images_dir: str | None,
    workers: int,
) -> None:
    """Serve the agenda: pages, feeds and API on the embedded SQLite store.

    With --config, every source is imported on its interval while the server runs
    (one scheduler even with several workers: a lease in the database decides).
    AGENDA_COORDINATOR_KEY enables the coordinator's import and confirm routes;
    X-Forwarded-For counts only from the proxies in AGENDA_TRUSTED_PROXIES.
    """
    from agenda.app import create_app
    from agenda.cli import logs
    from agenda.config import Settings
    from agenda.partners.accounts import key_hash

    logs.configure()
    key = os.environ.get("AGENDA_COORDINATOR_KEY")
    trusted = trusted_proxies_from_env()
    sock = listen(host, port)
    port = int(sock.getsockname()[1])  # the real one when --port 0
    with clear_errors():
        settings = Settings(
            db=db, config=config, host=host, port=port,
            base_url=base_url or f"http://{host}:{port}", schedule=bool(config),
            coordinator_key_hash=key_hash(key) if key else None,
            session_secret=os.environ.get("AGENDA_SESSION_SECRET") or None,
            trusted_proxies=trusted,
            images_dir=images_dir,
        )  # fmt: skip
        app = create_app(settings)
    if workers == 1:
        try:
            run_server(app, sock, trusted)
        finally:
            sock.close()
        return
    sock.close()  # the workers bind the port themselves
    import secrets

    import msgspec
    import uvicorn

    from agenda.cli import worker

    # Every worker builds the app checked above from the same settings; sessions signed
    # by one worker must verify in the others, so they share one secret.
    shared = msgspec.structs.replace(
        settings, session_secret=settings.session_secret or secrets.token_urlsafe(32)
    )
    os.environ[worker.ENV] = msgspec.json.encode(shared).decode()
    uvicorn.run(
        "agenda.cli.worker:app", factory=True, workers=workers, host=host, port=port,
        log_level="warning", proxy_headers=bool(trusted),
        forwarded_allow_ips=list(trusted) or None,
    )  # fmt: skip


main.add_command(demo_command)
main.add_command(merge_command)
main.add_command(split_command)
main.add_command(never_merge_command)
main.add_command(explain_command)
main.add_command(review_command)
main.add_command(publish_command)
main.add_command(partner_group)


if __name__ == "__main__":
    main()
