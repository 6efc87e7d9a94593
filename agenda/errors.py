"""The agenda's own exceptions, caught at the edges (CLI, HTTP) and turned into messages.

    AgendaError
    ├── ConfigError        a sources file or setting that cannot be used
    ├── StoreError         a database that cannot be opened or migrated
    ├── NotFoundError      an id that names nothing
    ├── InvalidFilterError a filter value that cannot be understood
    └── SourceBusyError    another import of the same source is running

An answer the withdrawal guard holds back is not an exception: it is recorded as an
import run with outcome ``refused`` (see ``agenda.sync.ingest``).

A bad item inside a good document is a ``Problem`` (see ``agenda.model``), not an
exception.
"""

from __future__ import annotations


class AgendaError(Exception):
    """Base of every error the agenda raises on purpose."""


class ConfigError(AgendaError):
    """A configuration file or value that cannot be used; the message names file, source, field."""


class StoreError(AgendaError):
    """The database cannot be opened, read or migrated."""


class NotFoundError(AgendaError):
    """An id that names no event, venue, source or listing."""


class InvalidFilterError(AgendaError):
    """A filter value that cannot be understood; ``param`` names the parameter."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(f"{param}: {message}")
        self.param = param


class SourceBusyError(AgendaError):
    """Another import of this source holds its lease; try again later."""
