"""The composition root: ``create_app(settings)`` wires the store, routes and error handling.

Nothing else builds a Litestar application; handlers stay thin and errors become
RFC 9457 problem details here, once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from litestar import Litestar, Request, Response, get
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.exceptions import HTTPException
from litestar.openapi import OpenAPIConfig
from litestar.types import ASGIApp

from agenda.config import Settings
from agenda.errors import (
    AgendaError,
    AuthError,
    ConfigError,
    ForbiddenError,
    InvalidFilterError,
    InvalidSubmissionError,
    MissingKeyError,
    NotFoundError,
    SourceBusyError,
    StoreError,
    TooManyAttemptsError,
)
from agenda.partners.api import ROUTES as PARTNER_ROUTES
from agenda.partners.clash_api import ROUTES as CLASH_ROUTES
from agenda.partners.coordinator_api import ROUTES as ADMIN_ROUTES
from agenda.partners.holds_pages import API_ROUTES as HOLD_ROUTES
from agenda.partners.pages import ROUTES as PARTNER_PAGE_ROUTES
from agenda.partners.preview_feed import ROUTES as PREVIEW_ROUTES
from agenda.partners.upload import ROUTES as UPLOAD_ROUTES
from agenda.store.database import DatabaseError, explain
from agenda.web.api import ROUTES as API_ROUTES
from agenda.web.apidocs import ROUTES as DOCS_ROUTES
from agenda.web.apidocs import CompleteJson, SelfHostedDocs
from agenda.web.compress import gzip_text
from agenda.web.feed_routes import ROUTES as FEED_ROUTES
from agenda.web.http import problem, security_headers
from agenda.web.images import ROUTES as IMAGE_ROUTES
from agenda.web.pages import ROUTES as PAGE_ROUTES
from agenda.web.pages import error_page, template_config
from agenda.web.ratelimit import RateLimiter, rate_limited
from agenda.web.runtime import Runtime, utc_now
from widgets.routes import ROUTES as WIDGET_ROUTES

log = logging.getLogger("agenda.web")

# Every error class of agenda.errors, once: its HTTP status and problem title. The most
# specific class wins (the lookup walks the exception's MRO).
STATUS: dict[type[AgendaError], tuple[int, str]] = {
    NotFoundError: (404, "Not found"),
    InvalidFilterError: (400, "Invalid parameter"),
    InvalidSubmissionError: (400, "Invalid submission"),
    MissingKeyError: (401, "Unauthorized"),
    ForbiddenError: (403, "Forbidden"),
    TooManyAttemptsError: (429, "Too many requests"),
    AuthError: (401, "Unauthorized"),
    SourceBusyError: (409, "Busy"),
    StoreError: (503, "Database unavailable"),
    ConfigError: (500, "Configuration error"),
    AgendaError: (500, "Agenda error"),
}
HTTP_TITLES = {400: "Bad request", 404: "Not found", 405: "Method not allowed",
               413: "Payload too large", 429: "Too many requests"}  # fmt: skip
# Paths whose clients are programs: they always get problem+json, never a page.
MACHINE_PATHS = ("/api/", "/feeds/", "/schema", "/widgets/", "/static/", "/health", "/images/")


def status_of(exc: AgendaError) -> tuple[int, str]:
    """The HTTP status and title of one of our errors."""
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]  # type: ignore[index]
    return 500, "Agenda error"


def _wants_page(request: Request[Any, Any, Any]) -> bool:
    """A person's browser on a page: an error becomes a page in their language."""
    if request.url.path.startswith(MACHINE_PATHS):
        return False
    handler = request.scope.get("route_handler")
    if handler is not None and handler.opt.get("html_errors"):
        return True
    return "text/html" in request.headers.get("accept", "")


def _answer(
    request: Request[Any, Any, Any], status: int, title: str, exc: Exception, **extra: Any
) -> Response[Any]:
    if _wants_page(request):
        try:
            return error_page(request, status, exc)
        except Exception:  # the page itself failed (an unusable database): plain problem
            log.exception("error page failed for %s", request.url.path)
    detail = str(exc) if status < 500 or isinstance(exc, AgendaError) else "internal error"
    return problem(status, title, detail or title, **extra)


def agenda_error(request: Request[Any, Any, Any], exc: AgendaError) -> Response[Any]:
    status, title = status_of(exc)
    extra: dict[str, Any] = {}
    if isinstance(exc, InvalidFilterError):
        extra["param"] = exc.param
    if isinstance(exc, InvalidSubmissionError):
        extra["errors"] = exc.errors
        title = f"Invalid {exc.what}"
    if status >= 500:
        log.error("%s on %s: %s", type(exc).__name__, request.url.path, exc)
    response = _answer(request, status, title, exc, **extra)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="regio-agenda"'
    return response


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    status = exc.status_code
    if status >= 500:
        log.error("HTTP %s on %s: %s", status, request.url.path, detail)
    return _answer(request, status, HTTP_TITLES.get(status, "Error"), Exception(detail))


def database_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """SQLite gave up (busy past the busy timeout, a damaged page): 503, try again later."""
    log.error("database error on %s %s", request.method, request.url.path, exc_info=exc)
    response = _answer(request, 503, "Database unavailable", StoreError(explain(exc)))
    response.headers["Retry-After"] = "5"
    return response


def unexpected_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A bug: logged with its traceback, answered as a 500 problem (no details leak)."""
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return _answer(request, 500, "Internal server error", exc)


@get("/health", summary="Liveness: always the same small answer")
async def health() -> Response[bytes]:
    return Response(b"ok\n", media_type="text/plain")


def create_app(settings: Settings, *, clock: Callable[[], datetime] = utc_now) -> Litestar:
    """The web application for ``settings`` (the database must exist or is created)."""
    runtime = Runtime(settings, clock)
    runtime.stores.get()  # fail at start, not on the first request, if the database is unusable
    # Only the API is rate limited; feeds and pages are cached answers.
    limiter = RateLimiter(settings.api_rate_limit)

    def limit_api(app: ASGIApp) -> ASGIApp:
        return rate_limited(app, limiter)

    return Litestar(
        route_handlers=[
            health,
            *FEED_ROUTES,
            *IMAGE_ROUTES,
            *PREVIEW_ROUTES,
            *API_ROUTES,
            *DOCS_ROUTES,
            *ADMIN_ROUTES,
            *PARTNER_ROUTES,
            *CLASH_ROUTES,
            *HOLD_ROUTES,
            *UPLOAD_ROUTES,
            *PARTNER_PAGE_ROUTES,
            *PAGE_ROUTES,
            *WIDGET_ROUTES,
        ],
        template_config=template_config(),
        state=State({"runtime": runtime}),
        cors_config=CORSConfig(
            allow_origins=["*"],
            allow_methods=["GET", "HEAD", "OPTIONS"],
            expose_headers=["ETag", "Last-Modified"],
        ),
        middleware=[gzip_text, security_headers, limit_api],
        exception_handlers={
            AgendaError: agenda_error,
            HTTPException: http_error,
            DatabaseError: database_error,
            Exception: unexpected_error,
        },
        on_startup=[runtime.start],
        on_shutdown=[runtime.close],
        openapi_config=OpenAPIConfig(
            title="Regio-agenda",
            version="0.1.0",
            path="/schema",
            description="The shared culture calendar of Den Haag, Leiden and Delft.",
            render_plugins=[SelfHostedDocs(), CompleteJson(path="/openapi.json")],
        ),
        debug=False,
    )
