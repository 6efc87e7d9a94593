"""A tiny local HTTP server for the demo region: serves one folder on 127.0.0.1.

``serve_folder(folder)`` starts a ``ThreadingHTTPServer`` in a daemon thread and returns a
``DemoServer`` with its ``url`` (``http://127.0.0.1:PORT``, no slash at the end) and
``close()``; it is also a context manager. Files are read on every request, so the region
may be written after the server started (its documents need the server's address).
Answers carry the content type each format is published with (``text/calendar``,
``application/rss+xml``, ``application/atom+xml``, ``text/html``, ``application/json``,
``text/csv``), ``Last-Modified`` and ``304`` to a matching ``If-Modified-Since`` (the
standard library handler's own), and log nothing. It serves files only: no listings of
folders, no writes. Nothing here parses or imports.
"""

from __future__ import annotations

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

CONTENT_TYPES = {
    ".ics": "text/calendar; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".csv": "text/csv; charset=utf-8",
    ".toml": "text/plain; charset=utf-8",
    ".jpg": "image/jpeg",
    "": "application/octet-stream",
}


class _Handler(SimpleHTTPRequestHandler):
    extensions_map = CONTENT_TYPES
    server_version = "RegioAgendaDemo/1"

    def list_directory(self, path: Any) -> None:  # type: ignore[override]
        self.send_error(404, "Not found")
        return None

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True


class DemoServer:
    """A running server; ``url`` is its base address, ``close()`` stops it."""

    def __init__(self, server: ThreadingHTTPServer, thread: threading.Thread, url: str) -> None:
        self._server, self._thread, self.url = server, thread, url

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def close(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> DemoServer:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def serve_folder(folder: Path, host: str = "127.0.0.1", port: int = 0) -> DemoServer:
    """Serve ``folder`` on ``host:port`` (0: any free port) until ``close()``.

    Raises ``OSError`` when the port is taken.
    """
    handler = partial(_Handler, directory=str(Path(folder).resolve()))
    server = _Server((host, port), handler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True
    )
    thread.name = f"demo-server-{server.server_address[1]}"
    thread.start()
    name = f"[{host}]" if ":" in host else host
    return DemoServer(server, thread, f"http://{name}:{server.server_address[1]}")
