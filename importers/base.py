"""What every importer returns, and the signature it has.

An importer is a pure function ``parse(data, source, now, *, url=None) -> ParseResult``:
``data`` is the fetched body, ``url`` where it came from (for relative links; the
source's url when omitted), ``now`` anchors windows such as recurrence expansion.
It raises ``ParseError`` only when the document is not its format at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal, Protocol

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
PROBLEM_LIMIT = 200


def cap_problems(
    problems: Sequence[Problem], source_id: str, limit: int = PROBLEM_LIMIT
) -> tuple[Problem, ...]:
    """The first ``limit`` problems, then one saying how many more were not listed.

    The rest are almost always the same mistake repeated; a reader needs the first few
    and the count, and the store and the review page need a bounded list.
    """
    if len(problems) <= limit:
        return tuple(problems)
    more = len(problems) - limit
    errors = any(p.severity == "error" for p in problems[limit:])
    severity: Literal["error", "warning"] = "error" if errors else "warning"
    summary = Problem(source_id=source_id, message=f"{more:,} more problems like these not listed",
                      severity=severity)  # fmt: skip
    return (*problems[:limit], summary)


class Parser(Protocol):
    def __call__(
        self, data: bytes, source: SourceConfig, now: datetime, *, url: str | None = None
    ) -> ParseResult: ...
