"""A tiny real HTTP server on 127.0.0.1 for tests (no mocking of the HTTP client).

    from httpserver import Response, serve

    with serve({"/feed.ics": b"BEGIN:VCALENDAR...",          # 200 with these bytes
                "/gone": 404,                                 # empty body, this status
                "/moved": Response(302, headers={"Location": "/feed.ics"}),
                "/slow": Response(body=b"late", delay=2.0),   # sleeps before answering
                "/echo": lambda request: request.headers["user-agent"],
                }) as server:
        url = f"{server}/feed.ics"          # str(server) is the base url, no slash at the end
        ...
        assert server.requests[0].headers["user-agent"].startswith("Regio-agenda")

A route value is one of
- ``bytes`` / ``str``: a 200 with that body (str is sent as UTF-8),
- ``int``: that status with an empty body,
- ``Response``: status, body, headers and an optional ``delay`` in seconds; the body
  may be an iterable of bytes, streamed chunked unless a Content-Length header is
  given (so an endless generator is an endless body),
- a callable ``(Request) -> any of the above``, called for every request.

Routes match the path with its query first (``/api?page=2``), then without it;
anything else is a 404. ``server.routes`` is a plain dict that may be changed
while the server runs (to add routes that need ``server.url``).
``server.requests`` lists every request received, in order; ``server.sent``
counts the body bytes written per path (to check a client stopped reading early).
Every response closes its connection, so a stuck client never keeps a thread;
on exit, sleeping and streaming handlers are woken and every thread is joined.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Request:
    """What the server received: method, path with query, lower-cased headers, body."""

    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes = b""


@dataclass(frozen=True)
class Response:
    """What to answer; ``body`` may be bytes, str or an iterable of byte chunks."""

    status: int = 200
    body: bytes | str | Iterable[bytes] = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0


Answer = bytes | str | int | Response
Route = Answer | Callable[[Request], Answer]


class Server:
    """A running test server: ``str(server)`` / ``server.url`` is its base url."""

    def __init__(self, routes: Mapping[str, Route]) -> None:
        self.routes: dict[str, Route] = dict(routes)
        self.requests: list[Request] = []
        self.sent: dict[str, int] = {}
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        port = self._httpd.server_address[1]
        self.url = f"http://127.0.0.1:{port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __str__(self) -> str:
        return self.url

    def url_for(self, path: str) -> str:
        return self.url + path

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()  # joins the handler threads (block_on_close)
        self._thread.join()

    def _record(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)

    def _count(self, path: str, n: int) -> None:
        with self._lock:
            self.sent[path] = self.sent.get(path, 0) + n

    def _answer(self, request: Request) -> Response:
        route = self.routes.get(request.path)
        if route is None:
            route = self.routes.get(urlsplit(request.path).path, 404)
        answer = route(request) if callable(route) else route
        if isinstance(answer, Response):
            return answer
        if isinstance(answer, int):
            return Response(status=answer)
        return Response(body=answer)


@contextlib.contextmanager
def serve(routes: Mapping[str, Route]) -> Iterator[Server]:
    """Run a server with ``routes`` for the duration of the ``with`` block."""
    server = Server(routes)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def closed_port_url() -> str:
    """A http url on 127.0.0.1 where nothing listens (for connection-refused tests)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


class _HTTPServer(ThreadingHTTPServer):
    # Non-daemon threads joined on close, so no handler outlives its test.
    daemon_threads = False
    block_on_close = True
    owner: Server

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-answer is what several tests do on purpose.
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._handle()

    def do_HEAD(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def _handle(self) -> None:
        owner = self.server.owner
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        request = Request(method=self.command, path=self.path, headers=headers, body=body)
        owner._record(request)
        response = owner._answer(request)
        if response.delay and owner.stopping.wait(response.delay):
            return
        # A client that stopped reading (size limit, timeout) is expected, not an error.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self._send(owner, request, response)
        self.close_connection = True

    def _send(self, owner: Server, request: Request, response: Response) -> None:
        self.send_response(response.status)
        names = {name.lower() for name in response.headers}
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Connection", "close")
        body = response.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        if isinstance(body, bytes):
            if "content-length" not in names:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if request.method != "HEAD":
                self.wfile.write(body)
                owner._count(request.path, len(body))
            return
        chunked = "content-length" not in names
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if request.method == "HEAD":
            return
        for chunk in body:
            if owner.stopping.is_set():
                return
            if not chunk:
                continue
            if chunked:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            else:
                self.wfile.write(chunk)
            owner._count(request.path, len(chunk))
        if chunked:
            self.wfile.write(b"0\r\n\r\n")
