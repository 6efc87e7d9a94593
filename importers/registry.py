"""Format name -> parser. A new source is a TOML block; a new format is one line here."""

from __future__ import annotations

import importlib

from agenda.errors import ConfigError
from agenda.model import FORMATS
from importers.base import Parser

_MODULES: dict[str, str] = {
    "ics": "importers.ics",
    "rss": "importers.rss",
    "atom": "importers.rss",
    "jsonld": "importers.jsonld",
    "tribe": "importers.tribe",
    "csv": "importers.spreadsheet",
}
assert set(_MODULES) == set(FORMATS), "agenda.model.FORMATS and the registry disagree"


def get_parser(fmt: str) -> Parser:
    """The parse function registered for ``fmt``; imported on first use."""
    try:
        module = _MODULES[fmt]
    except KeyError:
        raise ConfigError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}") from None
    parse: Parser = importlib.import_module(module).parse
    return parse
