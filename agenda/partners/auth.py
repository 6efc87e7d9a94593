"""The one door for keys: who is asking, with one bearer parser, one key hash, one brake.

``identify()`` is the only place a key becomes an identity: the server's coordinator key
(``AGENDA_COORDINATOR_KEY``, compared as a hash in constant time) or a live account's
key; an unknown or revoked key counts against the failed-key brake of its address, and
an address over the brake is refused before its key is even looked at. The partner API,
the coordinator API and the sign-in page all come through here; the guards below are
what their routers attach.
"""

from __future__ import annotations

import hmac
import time
from typing import TYPE_CHECKING, Any

import msgspec
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from agenda.errors import ForbiddenError, MissingKeyError, TooManyAttemptsError
from agenda.partners.accounts import Partner, authenticate, key_hash

if TYPE_CHECKING:
    from agenda.web.runtime import Runtime

SERVER_COORDINATOR = 0  # the id of AGENDA_COORDINATOR_KEY, which has no account
NEED_KEY = "a valid partner key is needed (Authorization: Bearer KEY)"
NEED_COORDINATOR = "a coordinator key is needed (Authorization: Bearer KEY)"


class Identity(msgspec.Struct, frozen=True):
    """Who a key belongs to: an account, or (``partner`` None) the server's coordinator key."""

    partner: Partner | None
    account_id: int
    name: str
    role: str


def bearer_key(request: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The key of ``Authorization: Bearer KEY``, or '' when there is none."""
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else ""


def client_address(request: ASGIConnection[Any, Any, Any, Any], runtime: Runtime) -> str:
    """The address the brake counts: the peer, or the configured proxy's forwarded one."""
    peer = (request.client.host if request.client else "") or "unknown"
    trusted = runtime.settings.trusted_proxies
    if trusted and peer in trusted:
        forwarded = request.headers.get("x-forwarded-for", "")
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if hops:
            return hops[-1]
    return peer


def identify(runtime: Runtime, client: str, key: str) -> Identity:
    """The identity behind ``key``; ``TooManyAttemptsError`` or ``MissingKeyError`` if none."""
    now = time.monotonic()
    if runtime.auth_failures.blocked(client, now):
        raise TooManyAttemptsError("too many failed keys from this address; try in a minute")
    expected = runtime.settings.coordinator_key_hash
    if key and expected and hmac.compare_digest(key_hash(key), expected):
        return Identity(None, SERVER_COORDINATOR, "coordinator key", "coordinator")
    partner = authenticate(runtime.stores.get(), key) if key else None
    if partner is None:
        runtime.auth_failures.failed(client, now)
        raise MissingKeyError(NEED_KEY)
    return Identity(partner, partner.id, partner.name, partner.role)


def _runtime(request: ASGIConnection[Any, Any, Any, Any]) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def request_identity(request: ASGIConnection[Any, Any, Any, Any]) -> Identity:
    """The identity behind the request's bearer key (cached on the request)."""
    cached = request.scope.get("state", {}).get("identity")
    if isinstance(cached, Identity):
        return cached
    runtime = _runtime(request)
    found = identify(runtime, client_address(request, runtime), bearer_key(request))
    request.scope.setdefault("state", {})["identity"] = found
    return found


def require_partner(request: Request[Any, Any, Any]) -> Partner:
    """The partner account behind the request's key (the server's key has none: 403)."""
    found = request_identity(request)
    if found.partner is None:
        raise ForbiddenError("this needs a partner account's key, not the server's key")
    return found.partner


def optional_partner(request: Request[Any, Any, Any]) -> Partner | None:
    """The partner when a key is sent (a wrong key is still a 401), else None."""
    if not request.headers.get("authorization"):
        return None
    return request_identity(request).partner


def require_coordinator(request: ASGIConnection[Any, Any, Any, Any]) -> Identity:
    """The coordinator behind the request's key: the server's key or a coordinator account."""
    found = request_identity(request)
    if found.role != "coordinator":
        # A partner's key is a valid key, but not one for this door (as before: a 401).
        raise MissingKeyError(NEED_COORDINATOR)
    return found


def partner_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Litestar guard: a live key of any role."""
    request_identity(connection)


def coordinator_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Litestar guard: the coordinator key or a coordinator account's key."""
    require_coordinator(connection)
