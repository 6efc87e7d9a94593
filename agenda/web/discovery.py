"""How search engines find the pages: ``/sitemap.xml`` and ``/robots.txt``.

The sitemap lists the public pages people land on (the agenda, the index pages, every
upcoming event, every venue with events, every theme) in Dutch and English, each with
``xhtml:link`` alternates to itself in both languages (Google's way of pairing
translations). Dutch is the address without ``lang``; English adds ``?lang=en``.
``robots.txt`` points to the sitemap and keeps crawlers out of what is for programs
(``/api/``, ``/feeds/``, the iframe widget) and what is behind a key (``/partners``).
Both are answered through the response cache, so they get ETags and 304s.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from xml.sax.saxutils import quoteattr

import anyio
from litestar import Request, Response, get

from agenda.filters import MAX_LIMIT, parse_filters
from agenda.store import query
from agenda.timeutil import AMSTERDAM
from agenda.web.http import cached_response
from agenda.web.runtime import Runtime

SITEMAP_MAX_AGE = 3600
SITEMAP = "application/xml"
STATIC_PAGES = ("/", "/themes", "/venues", "/subscribe", "/about", "/sources")
# Left to programs and partners: crawling them wastes a crawler's visit and our CPU.
DISALLOWED = ("/partners", "/api/", "/feeds/", "/widgets/embed", "/schema")


def language_urls(base: str, path: str) -> dict[str, str]:
    """A page's address in each language."""
    return {"nl": f"{base}{path}", "en": f"{base}{path}?lang=en"}


def sitemap_xml(base: str, paths: Iterable[str]) -> bytes:
    """A sitemap with one ``<url>`` per page and language, alternates in both."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:xhtml="http://www.w3.org/1999/xhtml">',
    ]
    for path in paths:
        urls = language_urls(base, path)
        links = "".join(
            f'<xhtml:link rel="alternate" hreflang="{code}" href={quoteattr(url)}/>'
            for code, url in (*urls.items(), ("x-default", urls["nl"]))
        )
        for url in urls.values():
            lines.append(f"<url><loc>{_text(url)}</loc>{links}</url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode()


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def sitemap_paths(runtime: Runtime) -> list[str]:
    """Every public page worth finding, the index pages first."""
    store = runtime.stores.get()
    today = runtime.clock().astimezone(AMSTERDAM).date()
    events = query.list_events(store, parse_filters({"limit": str(MAX_LIMIT)}, today))
    venues = [row["id"] for row in query.venues(store, today) if row["upcoming"]]
    themes = sorted(set(query.theme_ids(store)))
    return [
        *STATIC_PAGES,
        *(f"/events/{event.id}" for event in events),
        *(f"/venues/{venue}" for venue in venues),
        *(f"/themes/{theme}" for theme in themes),
    ]


def robots_txt(base: str) -> bytes:
    rules = "".join(f"Disallow: {path}\n" for path in DISALLOWED)
    return f"User-agent: *\n{rules}Allow: /\n\nSitemap: {base}/sitemap.xml\n".encode()


def _runtime(request: Request[Any, Any, Any]) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


@get("/sitemap.xml", name="sitemap", include_in_schema=False)
async def sitemap(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Pages in both languages with their alternates (cached per data generation and day)."""
    runtime = _runtime(request)
    base = runtime.settings.base_url.rstrip("/")
    today = runtime.clock().astimezone(AMSTERDAM).date()
    key = ("sitemap", runtime.generation(), today)

    def work() -> Any:
        return runtime.cache.pages.get_or_render(
            key, lambda: (sitemap_xml(base, sitemap_paths(runtime)), None), SITEMAP
        )

    entry = await anyio.to_thread.run_sync(work)
    return cached_response(request, entry, max_age=SITEMAP_MAX_AGE)


@get("/robots.txt", name="robots", include_in_schema=False)
async def robots(request: Request[Any, Any, Any]) -> Response[bytes]:
    base = _runtime(request).settings.base_url.rstrip("/")
    return Response(
        robots_txt(base),
        media_type="text/plain",
        headers={"Cache-Control": f"public, max-age={SITEMAP_MAX_AGE}"},
    )


ROUTES = [sitemap, robots]
