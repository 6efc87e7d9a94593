"""Partner pages in the browser: sign-in, the planner, the review queue; and the public /sources.

This module only gathers the pages' handlers into one router with the pages' error
answers (404 and bad-filter pages from ``agenda.web.pages``); it must not hold handlers or
page logic of its own. Who owns what:

- ``agenda.partners.session``: the signed session cookie, CSRF tokens, signing in and out,
  and ``require_session``, the gate every other partner page passes first;
- ``agenda.partners.planner_pages``: /partners/planner and its CSV and iCalendar exports (their
  data from ``agenda.partners.planner_data`` and ``agenda.partners.planner_days``);
- ``agenda.partners.holds_pages``: /partners/holds, dates partners pencil in;
- ``agenda.partners.review_pages``: the coordinators' review queue and its actions;
- ``agenda.partners.event_pages``: "My events", the event form, withdraw and delete;
- ``agenda.partners.coordinator_pages``: partner accounts, themes and the audit log;
- ``agenda.web.sources_page``: the public /sources page, each source's health.
"""

from __future__ import annotations

from litestar import Router

from agenda.partners.coordinator_pages import ROUTES as COORDINATOR_ROUTES
from agenda.partners.event_pages import ROUTES as EVENT_ROUTES
from agenda.partners.holds_pages import PAGE_ROUTES as HOLD_PAGE_ROUTES
from agenda.partners.planner_pages import ROUTES as PLANNER_ROUTES
from agenda.partners.review_pages import ROUTES as REVIEW_ROUTES
from agenda.partners.session import ROUTES as SESSION_ROUTES
from agenda.web.sources_page import ROUTES as SOURCES_ROUTES

PARTNER_PAGES = Router(
    path="/",
    route_handlers=[
        *SESSION_ROUTES,
        *PLANNER_ROUTES,
        *HOLD_PAGE_ROUTES,
        *REVIEW_ROUTES,
        *SOURCES_ROUTES,
        *EVENT_ROUTES,
        *COORDINATOR_ROUTES,
    ],
    opt={"html_errors": True},
    include_in_schema=False,
)
ROUTES = [PARTNER_PAGES]
