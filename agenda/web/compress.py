"""gzip for text answers that are not compressed already (pages, JSON, problem documents).

Feeds, API lists and static files carry their own pre-compressed bodies (rendered once,
served many times); this middleware compresses the rest on the way out: HTML pages, JSON
details, problem documents. It leaves alone a response that already has a
``Content-Encoding``, a streamed body, a small body and any type that is not text.
"""

from __future__ import annotations

import gzip

from litestar.datastructures import MutableScopeHeaders
from litestar.types import ASGIApp, Message, Receive, Scope, Send

MINIMUM_SIZE = 500
TEXT_TYPES = ("text/", "application/json", "application/problem+json", "application/xml",
              "application/javascript", "image/svg+xml", "application/vnd.oai.openapi")  # fmt: skip


def gzip_text(app: ASGIApp) -> ASGIApp:
    """ASGI middleware: gzip a whole text body when the client accepts gzip."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        accepts = b""
        for name, value in scope.get("headers", []):
            if name == b"accept-encoding":
                accepts = value
        if b"gzip" not in accepts:
            await app(scope, receive, send)
            return
        start: Message | None = None

        async def wrapped(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            first, start = start, None
            headers = MutableScopeHeaders(first)  # type: ignore[arg-type]
            body = message.get("body", b"")
            media = headers.get("content-type") or ""
            plain = (
                message.get("more_body")
                or "content-encoding" in headers
                or len(body) < MINIMUM_SIZE
                or not media.startswith(TEXT_TYPES)
            )
            if not plain:
                body = gzip.compress(body, compresslevel=6)
                headers["Content-Encoding"] = "gzip"
                headers["Content-Length"] = str(len(body))
                headers.extend_header_value("vary", "Accept-Encoding")
                message = {**message, "body": body}
            await send(first)
            await send(message)

        await app(scope, receive, wrapped)

    return middleware
