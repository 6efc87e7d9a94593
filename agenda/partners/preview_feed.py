"""A partner's private preview feed: the agenda with embargoed and partner-only events.

``/feeds/private/{token}.ics|.json``; the token is the account's preview token (made by
``agenda partner preview``), kept hashed. Revoked accounts and unknown tokens look the
same: a 404. Never cached, never indexed.
"""

from __future__ import annotations

from typing import Any

import anyio
from litestar import Request, Response, get
from litestar.params import FromPath

from agenda.errors import NotFoundError
from agenda.filters import parse_filters
from agenda.partners.accounts import preview_partner
from agenda.store.query import list_events
from agenda.timeutil import AMSTERDAM
from agenda.web.feed_routes import EXTENSIONS
from agenda.web.runtime import Runtime
from feeds.formats import MEDIA_TYPES, feed_options, render_format


@get(
    "/feeds/private/{name:str}", summary="A partner's private preview feed", include_in_schema=False
)
async def private_feed(request: Request[Any, Any, Any], name: FromPath[str]) -> Response[bytes]:
    """``/feeds/private/{token}.ics|.json``: the agenda with embargoed and partner-only events."""
    runtime: Runtime = request.app.state.runtime
    token, dot, extension = name.rpartition(".")
    if not dot or extension not in ("ics", "json"):
        raise NotFoundError("no such feed")
    store = runtime.stores.get()
    partner = preview_partner(store, token)
    if partner is None:
        raise NotFoundError("no such feed")  # revoked and unknown tokens look the same
    now = runtime.clock()
    filters = parse_filters({}, now.astimezone(AMSTERDAM).date())
    fmt = EXTENSIONS[extension]
    options = feed_options(runtime.settings.base_url, fmt, now, name="private",
                           title=f"Regio-agenda – {partner.name} (preview)")  # fmt: skip

    def render() -> bytes:
        return render_format(fmt, list_events(runtime.stores.get(), filters, private=True), options)

    body = await anyio.to_thread.run_sync(render)
    headers = {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex"}
    return Response(body, media_type=MEDIA_TYPES[fmt], headers=headers)


ROUTES = [private_feed]
