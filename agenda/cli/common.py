"""What every ``agenda`` command shares: the --db option, clear errors, the open store, now.

Errors we expect (bad config, unusable database, bad filter) end with one line on stderr
and exit status ``EXIT_USAGE`` (2). ``AgendaGroup`` is the last edge: whatever
``AgendaError`` or SQLite error (a database busy past the busy timeout, a damaged page
met mid-run) escapes a command becomes that one line too, never a traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from agenda.errors import AgendaError

EXIT_USAGE = 2


@contextmanager
def clear_errors() -> Iterator[None]:
    """Turn an `AgendaError` into one line on stderr and exit status 2."""
    try:
        yield
    except AgendaError as exc:
        click.echo(f"agenda: {exc}", err=True)
        sys.exit(EXIT_USAGE)


class AgendaGroup(click.Group):
    """The ``agenda`` group: expected errors end as one line on stderr and exit status 2."""

    def invoke(self, ctx: click.Context) -> Any:
        from agenda.store.database import DatabaseError, explain

        try:
            return super().invoke(ctx)
        except AgendaError as exc:
            click.echo(f"agenda: {exc}", err=True)
            sys.exit(EXIT_USAGE)
        except DatabaseError as exc:
            click.echo(f"agenda: {explain(exc)}", err=True)
            sys.exit(EXIT_USAGE)


_stdout_gone = False


def say(line: str = "") -> None:
    """``click.echo`` that survives a closed stdout (``agenda import | head -1``).

    A reader that stops early must not stop the work: the rest of the output goes to
    /dev/null and the command completes (an import still deduplicates and commits).
    """
    global _stdout_gone
    if _stdout_gone:
        return
    try:
        click.echo(line)
        sys.stdout.flush()
    except BrokenPipeError:
        _stdout_gone = True
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def db_option(default: str = "agenda.db") -> Callable[[Any], Any]:
    """The --db option (env AGENDA_DB)."""
    return click.option(
        "--db",
        envvar="AGENDA_DB",
        default=default,
        show_default=True,
        type=click.Path(dir_okay=False),
        help="SQLite database file (env AGENDA_DB).",
    )


def now_utc() -> datetime:
    """The current time, in UTC."""
    return datetime.now(UTC)


@contextmanager
def open_store(db: str) -> Iterator[Any]:
    """An existing database's store, closed afterwards; its errors end as clear errors."""
    from agenda.store.database import Store

    with clear_errors():
        if not Path(db).exists():
            raise AgendaError(f"{db}: no such database (run `agenda import` first)")
        store = Store.open(db)
    try:
        with clear_errors():
            yield store
    finally:
        store.close()


def listen(host: str, port: int) -> Any:
    """A listening socket on ``host:port`` (0: any free port); busy is a one-line exit 2.

    Binding before the app starts gives the real port to print and to put in links.
    """
    import socket

    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        click.echo(f"agenda: port {port} on {host} is busy; choose another with --port", err=True)
        sys.exit(EXIT_USAGE)
    sock.listen(2048)
    return sock


def run_server(app: Any, sock: Any, trusted_proxies: tuple[str, ...] = ()) -> None:
    """Serve ``app`` with uvicorn on the bound socket.

    uvicorn believes ``X-Forwarded-For`` from loopback by default, which would let anyone
    behind a local proxy dodge the failed-key brake with a made-up address; here forwarded
    headers count only from ``AGENDA_TRUSTED_PROXIES``.
    """
    import uvicorn

    config = uvicorn.Config(
        app,
        log_level="warning",
        proxy_headers=bool(trusted_proxies),
        forwarded_allow_ips=list(trusted_proxies) or None,
    )
    uvicorn.Server(config).run(sockets=[sock])


def trusted_proxies_from_env() -> tuple[str, ...]:
    """``AGENDA_TRUSTED_PROXIES``: comma-separated proxy addresses (none by default)."""
    text = os.environ.get("AGENDA_TRUSTED_PROXIES", "")
    return tuple(part.strip() for part in text.split(",") if part.strip())
