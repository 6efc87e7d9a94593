"""``agenda demo``: the bundled sample region, imported into a database of its own and served.

The demo replaces its database on every run (dates move with today), so it never touches
one it did not make: by default it lives in the cache folder (``$XDG_CACHE_HOME`` or
``~/.cache``, ``regio-agenda/demo.db``), the demo marks every database it creates (a
``meta`` row ``demo = 1``), and any existing file without that mark (a production
database named by ``--db`` or ``AGENDA_DB``) is refused with one line and exit status 2.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
import tempfile
from pathlib import Path

import click

from agenda.cli.common import EXIT_USAGE, clear_errors, listen, now_utc, run_server, say
from agenda.pictures import default_images_dir
from agenda.timeutil import AMSTERDAM


def demo_home() -> Path:
    """Where the demo keeps its database and sample region unless told otherwise."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    for folder in (Path(cache) / "regio-agenda", Path(tempfile.gettempdir()) / "regio-agenda"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(folder, os.W_OK):
            return folder
    return Path(tempfile.mkdtemp(prefix="regio-agenda-"))


def agenda_command() -> str:
    """How to run ``agenda`` as this process was run (``.venv/bin/agenda``), for commands
    people copy."""
    program = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if program is not None and program.name == "agenda" and program.exists():
        return shlex.quote(str(program))
    found = shutil.which("agenda")
    return shlex.quote(found) if found else f"{shlex.quote(sys.executable)} -m agenda.cli"


def key_commands(db: Path) -> list[str]:
    """The exact commands that make a partner's and a coordinator's key for this database."""
    agenda, target = agenda_command(), shlex.quote(str(db.resolve()))
    return [
        "\nMake a key to sign in on /partners (the key is the last line printed):",
        f"  partner:     {agenda} partner add 'Jouw naam' --institution lakenhal "
        f"--role partner --db {target}",
        f"  coordinator: {agenda} partner add 'Coordinator regio' --institution themajaar "
        f"--role coordinator --db {target}",
    ]


def _fresh_database(db: Path) -> None:
    """Remove the previous demo database, refusing (exit 2) any file the demo did not make."""
    from agenda.store.database import is_demo_database

    if db.exists() and not is_demo_database(db):
        click.echo(
            f"agenda: {db} is not a demo database (it lacks the demo mark); the demo replaces "
            "only databases it made: leave out --db and AGENDA_DB, or name a new file",
            err=True,
        )
        sys.exit(EXIT_USAGE)
    for suffix in ("", "-wal", "-shm"):  # a fresh region each time: dates move with today
        Path(f"{db}{suffix}").unlink(missing_ok=True)


@click.command("demo")
@click.option(
    "--db", envvar="AGENDA_DB", type=click.Path(dir_okay=False),
    help="Demo database (env AGENDA_DB) [default: demo.db in the cache folder]; only a "
         "database the demo made is replaced.",
)  # fmt: skip
@click.option(
    "--dir", "folder", type=click.Path(file_okay=False),
    help="Where the sample sources are written and served from [default: demo-region in "
         "the cache folder].",
)  # fmt: skip
@click.option("--port", default=8000, show_default=True, type=int,
              help="Port of the agenda (0: any free port).")  # fmt: skip
@click.option("--no-serve", is_flag=True, help="Import the sample region and stop (no web app).")
def demo_command(db: str | None, folder: str | None, port: int, no_serve: bool) -> None:
    """Run the agenda on a bundled sample region of Den Haag, Leiden and Delft.

    Serves about ten sample sources in all six formats on a local port, imports them
    through the real fetch path into a fresh demo database, and serves the agenda with
    scheduled imports. Stop with Ctrl-C.
    """
    from agenda.cli.demo_coordination import add_coordination
    from agenda.cli.main import import_all
    from agenda.config import load_sources
    from agenda.demo.region import write_region
    from agenda.demo.server import serve_folder
    from agenda.demo.theme import add_demo_theme
    from agenda.store.database import Store
    from agenda.sync.pictures import PictureBudget

    home = demo_home() if db is None or folder is None else None
    db_path = Path(db) if db else (home or demo_home()) / "demo.db"
    region = Path(folder) if folder else (home or demo_home()) / "demo-region"
    _fresh_database(db_path)
    host = "127.0.0.1"
    sock = None if no_serve else listen(host, port)
    sources_server = serve_folder(region)
    try:
        config = write_region(region, now_utc().astimezone(AMSTERDAM).date(), sources_server.url)
        with clear_errors():
            sources = load_sources(config)
            store = Store.open(db_path)
        try:
            store.mark_demo()
            # The demo's pictures come from its own loopback server: no spacing needed.
            pictures = default_images_dir(str(db_path))
            import_all(store, sources, images_dir=pictures, budget=PictureBudget(spacing=0.0))
            add_demo_theme(store, now_utc())
            made = add_coordination(store, sources, region, sources_server.url, now_utc())
            events = store.count("events")
        finally:
            store.close()
        say(f"\n{events} events from {len(sources)} sources in {db_path.resolve()}")
        say(f"For the partner pages: {made['holds']} holds by two partners, an embargoed "
            f"premiere, a conflict and {made['refused']} held-back import.")  # fmt: skip
        for line in key_commands(db_path):
            say(line)
        if sock is None:
            return
        _serve_demo(str(db_path), str(config), host, sock)
    finally:
        sources_server.close()
        if sock is not None:
            sock.close()


def _serve_demo(db: str, config: str, host: str, sock: object) -> None:
    from agenda.app import create_app
    from agenda.cli import logs
    from agenda.config import Settings

    port = int(sock.getsockname()[1])  # type: ignore[attr-defined]
    base = f"http://{host}:{port}"
    settings = Settings(db=db, config=config, host=host, port=port, base_url=base, schedule=True)
    app = create_app(settings)
    say(f"\nThe agenda:\n{base}/\n")
    say(f"Feeds:               {base}/subscribe  ({base}/feeds/agenda.ics)")
    say(f"Widget configurator: {base}/widgets")
    say(f"Source health:       {base}/sources")
    say(f"Partner planner:     {base}/partners  (sign in with a key made as above)")
    say(f"API:                 {base}/api/events  (OpenAPI: {base}/schema)")
    say("Stop with Ctrl-C.")
    logs.configure()
    run_server(app, sock)
