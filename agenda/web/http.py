"""What HTTP handlers share: a store per thread, problem details, cached conditional answers.

The web layer is thin: handlers parse input, call one function, and answer through
``cached_response`` (strong ETag, Last-Modified, 304, pre-compressed gzip).
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.datastructures import MutableScopeHeaders
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from agenda.store.database import Store

PROBLEM = "application/problem+json"


class StoreProvider:
    """One SQLite connection per worker thread (connections must not be shared across threads).

    The first connection (made when the app starts) runs the store's integrity check;
    the later per-thread ones skip it.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._local = threading.local()
        self._all: list[Store] = []
        self._lock = threading.Lock()
        self._checked = False

    def get(self) -> Store:
        store = getattr(self._local, "store", None)
        if store is None:
            with self._lock:
                first = not self._checked
                self._checked = True
            store = Store.open(self.path, check=first)
            self._local.store = store
            with self._lock:
                self._all.append(store)
        return store

    def close(self) -> None:
        with self._lock:
            for store in self._all:
                store.close()
            self._all.clear()


class Cached(msgspec.Struct, frozen=True):
    """A rendered body with its validators, plain and gzipped."""

    body: bytes
    gzipped: bytes
    media_type: str
    etag: str
    last_modified: datetime | None
    # ETag and Last-Modified header lines, formatted once
    validators: dict[str, str] = {}


class _Flight:
    """One render in progress: whoever asks for the same key meanwhile waits for it."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.entry: Cached | None = None
        self.error: BaseException | None = None


def _size(entry: Cached) -> int:
    return len(entry.body) + len(entry.gzipped) + 512


class ResponseCache:
    """A thread-safe LRU of rendered bodies, bounded by entries and by bytes, that renders
    each key once at a time.

    Keys carry the data generation (read from the database), so an answer never outlives
    the data it was made from, in this process or any other. ``get_or_render`` is
    single-flight: while one thread renders a key, every other thread asking for it waits
    for that render instead of starting its own, so a popular feed evicted by a crawl is
    rendered once, not once per subscriber arriving meanwhile.
    """

    def __init__(self, size: int = 128, max_bytes: int = 64 * 2**20) -> None:
        self._items: OrderedDict[tuple[Any, ...], Cached] = OrderedDict()
        self._size = size
        self._max_bytes = max_bytes
        self._bytes = 0
        self._flights: dict[tuple[Any, ...], _Flight] = {}
        self._lock = threading.Lock()

    @property
    def size_bytes(self) -> int:
        """The bytes held (bodies, plain and gzipped)."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._items)

    def get_or_render(
        self,
        key: tuple[Any, ...],
        render: Callable[[], tuple[bytes, datetime | None]],
        media_type: str,
    ) -> Cached:
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
                return hit
            flight = self._flights.get(key)
            leader = flight is None
            if flight is None:
                flight = self._flights[key] = _Flight()
        if not leader:
            flight.done.wait()
            if flight.entry is None:
                raise flight.error or RuntimeError("the render failed")
            return flight.entry
        try:
            flight.entry = entry = self._build(render, media_type)
            self._store(key, entry)
            return entry
        except BaseException as error:
            flight.error = error
            raise
        finally:
            with self._lock:
                self._flights.pop(key, None)
            flight.done.set()

    @staticmethod
    def _build(render: Callable[[], tuple[bytes, datetime | None]], media_type: str) -> Cached:
        body, last_modified = render()
        return Cached(
            body=body,
            gzipped=gzip.compress(body, compresslevel=6, mtime=0),
            media_type=media_type,
            etag=(etag := '"' + hashlib.sha256(body).hexdigest()[:32] + '"'),
            last_modified=last_modified,
            validators={"ETag": etag}
            | (
                {"Last-Modified": format_datetime(last_modified, usegmt=True)}
                if last_modified is not None
                else {}
            ),
        )

    def _store(self, key: tuple[Any, ...], entry: Cached) -> None:
        size = _size(entry)
        if size > self._max_bytes:
            return  # larger than the whole cache: served, never kept
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= _size(old)
            self._items[key] = entry
            self._bytes += size
            while len(self._items) > self._size or self._bytes > self._max_bytes:
                _, gone = self._items.popitem(last=False)
                self._bytes -= _size(gone)

    def clear(self) -> None:
        """Forget every answer (after a write the generation also moves on)."""
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def peek(self, key: tuple[Any, ...]) -> Cached | None:
        with self._lock:
            return self._items.get(key)


class ResponseCaches:
    """Separate caches for feeds, pages and API answers, so one kind never evicts another
    (a crawl of event pages leaves the feeds alone); each bounded by entries and bytes."""

    def __init__(
        self,
        *,
        feeds: tuple[int, int] = (64, 96 * 2**20),
        pages: tuple[int, int] = (512, 24 * 2**20),
        api: tuple[int, int] = (512, 24 * 2**20),
    ) -> None:
        self.feeds = ResponseCache(*feeds)
        self.pages = ResponseCache(*pages)
        self.api = ResponseCache(*api)

    def clear(self) -> None:
        for cache in (self.feeds, self.pages, self.api):
            cache.clear()


def not_modified(request: Request[Any, Any, Any], entry: Cached) -> bool:
    """If-None-Match wins over If-Modified-Since, as RFC 9110 says."""
    match = request.headers.get("if-none-match")
    if match is not None:
        tags = {t.strip().removeprefix("W/") for t in match.split(",")}
        return entry.etag in tags or "*" in tags
    since = request.headers.get("if-modified-since")
    if since and entry.last_modified is not None:
        try:
            return entry.last_modified.replace(microsecond=0) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


def cached_response(
    request: Request[Any, Any, Any], entry: Cached, *, max_age: int = 300
) -> Response[bytes]:
    """200 (gzipped when the client accepts it) or 304, with the validators either way."""
    headers = {
        **entry.validators,
        "Cache-Control": f"public, max-age={max_age}",
        "Vary": "Accept-Encoding",
    }
    if not_modified(request, entry):
        return Response(b"", status_code=304, headers=headers)
    body = entry.body
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        body = entry.gzipped
    return Response(body, media_type=entry.media_type, headers=headers)


def problem(status: int, title: str, detail: str, **extra: Any) -> Response[dict[str, Any]]:
    """An RFC 9457 problem details response."""
    content = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return Response(content, status_code=status, media_type=PROBLEM)


# Pages use no inline script or style; the widget's iframe page may be framed by any site.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
)
EMBED_CSP = CSP.replace("frame-ancestors 'self'", "frame-ancestors *")
EMBEDDABLE = ("/widgets/embed",)


def security_headers(app: ASGIApp) -> ASGIApp:
    """ASGI middleware: CSP without inline scripts, nosniff, a strict referrer policy."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        framable = str(scope.get("path", "")).startswith(EMBEDDABLE)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                csp = (
                    CSP.replace("frame-ancestors 'self'", "frame-ancestors *") if framable else CSP
                )
                headers.setdefault("Content-Security-Policy", csp)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
                if not framable:
                    headers.setdefault("X-Frame-Options", "SAMEORIGIN")
            await send(message)

        await app(scope, receive, send_with_headers)

    return middleware
