"""What every importer returns, and the signature it has.

An importer is a pure function ``parse(data, source, now, *, url=None) -> ParseResult``:
``data`` is the fetched body, ``url`` where it came from (for relative links; the
source's url when omitted), ``now`` anchors windows such as recurrence expansion.
It raises ``ParseError`` only when the document is not its format at all.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

import msgspec

from agenda.model import Listing, Problem, SourceConfig


class ParseResult(msgspec.Struct, frozen=True, kw_only=True):
    """Records read from one document, per-item problems, and more urls of the same source."""

    listings: tuple[Listing, ...] = ()
    problems: tuple[Problem, ...] = ()
    # Further documents of this source to fetch and parse (API pages, detail pages).
    follow: tuple[str, ...] = ()
    # False when the answer is known to be partial (a document cut off before its last
    # component closed, a page that failed, a budget that was hit): what is whole is
    # kept, but nothing may be withdrawn on the strength of it.
    complete: bool = True


# Problems one document may record; a 1 MB workbook once gave 2,999,999 of them.


class Parser(Protocol):
    def __call__(
        self, data: bytes, source: SourceConfig, now: datetime, *, url: str | None = None
    ) -> ParseResult: ...
