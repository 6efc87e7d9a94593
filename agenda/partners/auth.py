"""Partner keys on HTTP: who is asking, and a brake on guessing keys.

``Authorization: Bearer KEY``; no key, an unknown or a revoked key is a 401; after too
many failed keys from one address in a minute, every attempt from it is a 429.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from litestar import Request, Response

from agenda.errors import AgendaError
from agenda.partners.accounts import Partner, authenticate
from agenda.web.http import problem

if TYPE_CHECKING:
    from agenda.web.runtime import Runtime

FAILED_AUTH_LIMIT = 10  # failed keys per address per minute


class AuthFailures:
    """Failed authentications per client address in the last minute."""

    def __init__(self) -> None:
        self._seen: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def blocked(self, client: str, now: float) -> bool:
        with self._lock:
            recent = [t for t in self._seen.get(client, []) if now - t < 60]
            self._seen[client] = recent
            return len(recent) >= FAILED_AUTH_LIMIT

    def failed(self, client: str, now: float) -> None:
        with self._lock:
            self._seen.setdefault(client, []).append(now)


class Unauthorized(AgendaError):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status


def require_partner(request: Request[Any, Any, Any], runtime: Runtime) -> Partner:
    """The partner behind the request's key, or ``Unauthorized`` (401 / 429)."""
    client = (request.client.host if request.client else "unknown") or "unknown"
    now = time.monotonic()
    if runtime.auth_failures.blocked(client, now):
        raise Unauthorized(429, "too many failed keys from this address; try again in a minute")
    header = request.headers.get("authorization", "")
    key = header[7:].strip() if header.lower().startswith("bearer ") else ""
    partner = authenticate(runtime.stores.get(), key) if key else None
    if partner is None:
        runtime.auth_failures.failed(client, now)
        raise Unauthorized(401, "a valid partner key is needed (Authorization: Bearer KEY)")
    return partner


def unauthorized_handler(request: Request[Any, Any, Any], exc: Unauthorized) -> Response[Any]:
    title = "Too many requests" if exc.status == 429 else "Unauthorized"
    response = problem(exc.status, title, str(exc))
    if exc.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="regio-agenda"'
    return response


def optional_partner(request: Request[Any, Any, Any], runtime: Runtime) -> Partner | None:
    """The partner when a key is sent (a wrong key is still a 401), else None."""
    if not request.headers.get("authorization"):
        return None
    return require_partner(request, runtime)
