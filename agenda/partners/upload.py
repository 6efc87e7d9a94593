"""A partner's spreadsheet upload: ``POST /api/partner/events.csv`` (CSV or .xlsx).

The file is parsed by the ``csv`` importer in a worker thread, never on the event loop:
a parse of a hostile file, however bounded, must not stop ``/health`` and every other
request from being answered while it runs (a 5.8 KB workbook once held the loop for 10 s).
The importer's bounds apply (rows, columns, cells, sizes): a file over them is refused
with the reason, as is any bad row, and nothing is stored.
"""

from __future__ import annotations

from typing import Any

import anyio
from litestar import Request, Response, Router, post

from agenda.errors import InvalidSubmissionError
from agenda.partners.accounts import audit
from agenda.partners.api import runtime_of, source_of, write
from agenda.partners.auth import partner_guard, require_partner
from agenda.sync.ingest import put_listing
from importers.errors import ParseError
from importers.spreadsheet import parse as parse_spreadsheet


@post(
    "/api/partner/events.csv", summary="Submit a spreadsheet of events (partner)", status_code=201
)
async def submit_csv(request: Request[Any, Any, Any]) -> Response[Any]:
    """The body is a CSV file (or an .xlsx workbook) with the columns the ``csv`` importer
    reads (Dutch or English headers). All rows are checked first: any bad row is a 400
    naming its row and column, and nothing is stored."""
    runtime = runtime_of(request)
    partner = require_partner(request)
    data = await request.body()
    source = source_of(partner)
    now = runtime.clock()
    try:
        result = await anyio.to_thread.run_sync(parse_spreadsheet, data, source, now)
    except ParseError as exc:
        message = str(exc) or "not a readable file"
        raise InvalidSubmissionError([{"field": "(file)", "message": message}]) from None
    # A problem without a column is about the whole file (a limit, the count of the rest).
    errors = [
        {"field": p.field or "(file)", "message": p.message}
        for p in result.problems
        if p.severity == "error"
    ]
    if errors:
        raise InvalidSubmissionError(errors)
    if not result.listings:
        raise InvalidSubmissionError([{"field": "(file)", "message": "no events in the file"}])

    def work() -> list[str]:
        store = runtime.stores.get()
        events = [put_listing(store, source, listing, now) for listing in result.listings]
        with store.transaction():
            audit(store, partner, partner.name, "event.upload", source.id, now,
                  {"rows": len(result.listings)})  # fmt: skip
        return events

    events = await write(runtime, work)
    return Response({"imported": len(events), "events": events}, status_code=201)


ROUTES = [Router(path="/", route_handlers=[submit_csv], guards=[partner_guard])]
