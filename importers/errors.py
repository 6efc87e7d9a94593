"""Importer exceptions.

    ImporterError
    ├── FetchError   the source could not be fetched (down, refused, too big, bad status)
    └── ParseError   the document is not the declared format at all

One bad item in a usable document is a ``Problem``, never one of these.
"""

from __future__ import annotations


class ImporterError(Exception):
    """Base of the importers' errors."""


class FetchError(ImporterError):
    """The source could not be fetched; ``status`` is the HTTP status when there was one."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ParseError(ImporterError):
    """The fetched document cannot be read as the source's format."""
