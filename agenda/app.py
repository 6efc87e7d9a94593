"""The composition root: ``create_app(settings)`` wires the store, routes and error handling.

Nothing else builds a Litestar application; handlers stay thin and errors become
RFC 9457 problem details here, once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from litestar import Litestar, Response, get
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.exceptions import HTTPException
from litestar.openapi import OpenAPIConfig
from litestar.types import ASGIApp

from agenda.config import Settings
from agenda.errors import AgendaError
from agenda.partners.api import EXCEPTION_HANDLERS as PARTNER_ERRORS
from agenda.partners.api import ROUTES as PARTNER_ROUTES
from agenda.partners.coordinator_api import ROUTES as ADMIN_ROUTES
from agenda.partners.pages import ROUTES as PARTNER_PAGE_ROUTES
from agenda.partners.upload import ROUTES as UPLOAD_ROUTES
from agenda.web.api import ROUTES as API_ROUTES
from agenda.web.feed_routes import ROUTES as FEED_ROUTES
from agenda.web.http import agenda_error_handler, http_error_handler, security_headers
from agenda.web.pages import ROUTES as PAGE_ROUTES
from agenda.web.pages import template_config
from agenda.web.ratelimit import RateLimiter, rate_limited
from agenda.web.runtime import Runtime, utc_now
from widgets.routes import ROUTES as WIDGET_ROUTES


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
            *API_ROUTES,
            *ADMIN_ROUTES,
            *PARTNER_ROUTES,
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
        middleware=[security_headers, limit_api],
        exception_handlers={
            AgendaError: agenda_error_handler,
            HTTPException: http_error_handler,
            **PARTNER_ERRORS,
        },
        on_startup=[runtime.start],
        on_shutdown=[runtime.close],
        openapi_config=OpenAPIConfig(title="Regio-agenda", version="0.1.0", path="/schema"),
        debug=False,
    )
