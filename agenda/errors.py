"""The agenda's own exceptions, caught at the edges (CLI, HTTP) and turned into messages.

    AgendaError
    ├── ConfigError           a sources file or setting that cannot be used
    ├── StoreError            a database that cannot be opened, checked or migrated
    ├── NotFoundError         an id that names nothing
    ├── InvalidFilterError    a filter or query value that cannot be understood (``param``)
    ├── InvalidSubmissionError  a partner's event, theme or upload with field errors (``errors``)
    ├── SourceBusyError       another import of the same source is running
    └── AuthError             who is asking cannot be established or may not do this
        ├── MissingKeyError     no key, an unknown or a revoked key
        ├── ForbiddenError      a known key that may not do this
        └── TooManyAttemptsError  too many failed keys from one address

Each class maps to one HTTP status in the app factory (``agenda.app``) and to one line
on stderr in the command line; a class without a mapping fails a test.

An answer the withdrawal guard holds back is not an exception: it is recorded as an
import run with outcome ``refused`` (see ``agenda.sync.ingest``). A bad item inside a
good document is a ``Problem`` (see ``agenda.model``), not an exception.
"""

from __future__ import annotations


class AgendaError(Exception):
    """Base of every error the agenda raises on purpose."""


class ConfigError(AgendaError):
    """A configuration file or value that cannot be used; the message names file, source, field."""


class StoreError(AgendaError):
    """The database cannot be opened, read, checked or migrated."""


class NotFoundError(AgendaError):
    """An id that names no event, venue, theme, source or listing."""


class InvalidFilterError(AgendaError):
    """A filter or query value that cannot be understood; ``param`` names the parameter."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(f"{param}: {message}")
        self.param = param


class InvalidSubmissionError(AgendaError):
    """A submission with field errors: ``errors`` lists ``{"field": ..., "message": ...}``."""

    def __init__(self, errors: list[dict[str, str]], what: str = "event") -> None:
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))
        self.errors = errors
        self.what = what


class SourceBusyError(AgendaError):
    """Another import of this source holds its lease; try again later."""


class AuthError(AgendaError):
    """Who is asking cannot be established, or may not do what they ask."""


class MissingKeyError(AuthError):
    """No key, or a key that is unknown or revoked."""


class ForbiddenError(AuthError):
    """A valid key that may not do this (another institution's event, not a coordinator)."""


class TooManyAttemptsError(AuthError):
    """Too many failed keys from one address in the last minute."""
