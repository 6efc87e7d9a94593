"""A small per-client rate limit for the API, as ASGI middleware.

A fixed one-minute window per client address, kept in memory: cheap enough to sit in
front of cached answers (Litestar's own limiter costs about two thirds of a cached
answer's throughput). A client over its budget gets a 429 problem with Retry-After.
"""

from __future__ import annotations

import json
import threading
import time

from litestar.types import (
    ASGIApp,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    Receive,
    Scope,
    Send,
)

WINDOW = 60.0
_MAX_CLIENTS = 50_000


class RateLimiter:
    """Counts requests per client and window; ``allow`` says whether one more may pass."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._counts: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str, now: float) -> tuple[bool, int, float]:
        """(allowed, remaining, seconds until the window resets)."""
        with self._lock:
            start, count = self._counts.get(client, (now, 0))
            if now - start >= WINDOW:
                start, count = now, 0
            count += 1
            self._counts[client] = (start, count)
            if len(self._counts) > _MAX_CLIENTS:
                self._counts = {k: v for k, v in self._counts.items() if now - v[0] < WINDOW}
        reset = max(0.0, WINDOW - (now - start))
        return count <= self.per_minute, max(0, self.per_minute - count), reset


def rate_limited(app: ASGIApp, limiter: RateLimiter, prefix: str = "/api/") -> ASGIApp:
    """Wrap ``app`` so requests under ``prefix`` count against ``limiter``."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(prefix):
            await app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        allowed, remaining, reset = limiter.allow(str(client), time.monotonic())
        if allowed:
            await app(scope, receive, send)
            return
        body = json.dumps(
            {
                "type": "about:blank",
                "title": "Too many requests",
                "status": 429,
                "detail": f"more than {limiter.per_minute} API requests a minute; try again later",
            }
        ).encode()
        start: HTTPResponseStartEvent = {
            "type": "http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", str(int(reset) + 1).encode()),
                (b"ratelimit-limit", str(limiter.per_minute).encode()),
                (b"ratelimit-remaining", str(remaining).encode()),
            ],
        }
        end: HTTPResponseBodyEvent = {
            "type": "http.response.body",
            "body": body,
            "more_body": False,
        }
        await send(start)
        await send(end)

    return middleware


FAILED_AUTH_LIMIT = 10  # failed keys per address per minute


class AuthFailures:
    """Failed keys per client address in the last minute: the brake on guessing keys."""

    def __init__(self, limit: int = FAILED_AUTH_LIMIT) -> None:
        self.limit = limit
        self._seen: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def blocked(self, client: str, now: float) -> bool:
        with self._lock:
            recent = [t for t in self._seen.get(client, []) if now - t < 60]
            self._seen[client] = recent
            return len(recent) >= self.limit

    def failed(self, client: str, now: float) -> None:
        with self._lock:
            self._seen.setdefault(client, []).append(now)
