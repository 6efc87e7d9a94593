"""What every ``agenda`` command shares: the --db option, clear errors, the open store, now.

Errors we expect (bad config, unusable database, bad filter) end with one line on stderr
and exit status ``EXIT_USAGE`` (2).
"""

from __future__ import annotations

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
