"""Which of The Events Calendar's REST APIs a WordPress site offers, found from its pages.

TEC has two read APIs: the long-standing ``tribe/events/v1`` (``{"events": [...]}``
pages with ``next_rest_url``) and the newer ``tec/v1`` (a bare list of posts, paged by
``?page=N``). A source may be configured with the site's address, so:

- an HTML page that links TEC's own API (``<link rel="alternate"
  href=".../wp-json/tribe/events/v1/">``, printed next to ``tec-api-version``) leads
  straight to its events;
- otherwise its WordPress REST root (``<link rel="https://api.w.org/">``, else the
  usual ``/wp-json/``) is read next: that index lists the ``namespaces`` the site
  offers, and ``from_index`` picks ``tribe/events/v1`` when present (the richer one:
  exact UTC times and a next-page link), else ``tec/v1``.

It never fetches: the urls go back to the caller as ``ParseResult.follow``.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from importers.clean import absolutize
from importers.errors import ParseError

TRIBE_NAMESPACE = "tribe/events/v1"
TEC_NAMESPACE = "tec/v1"
TRIBE_EVENTS = f"{TRIBE_NAMESPACE}/events"
TEC_EVENTS = f"{TEC_NAMESPACE}/events"


class _ApiLinks(HTMLParser):
    """The REST root link and TEC's own API link from a page's ``<link>`` tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root: str | None = None
        self.tribe: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "link":
            return
        values = {k.lower(): (v or "") for k, v in attrs}
        rels, href = values.get("rel", "").split(), values.get("href") or None
        if "https://api.w.org/" in rels:
            self.root = self.root or href
        elif "alternate" in rels and href and f"/{TRIBE_NAMESPACE}" in href.rstrip("/") + "/":
            self.tribe = self.tribe or href


def discover(html_text: str, base: str | None) -> tuple[str, ...]:
    """An HTML page: TEC's events route when the page names it, else the REST root to read."""
    if base and ("/wp-json/" in base or "rest_route=" in base):
        raise ParseError("the WordPress REST API answered with an HTML page")
    finder = _ApiLinks()
    finder.feed(html_text)
    finder.close()
    tribe = absolutize(finder.tribe, base)
    if tribe:
        target = tribe.rstrip("/") + "/events"
    else:
        target = absolutize(finder.root, base) or _guessed_root(base)
    if base and target == base:
        raise ParseError("the events API answered with an HTML page")
    return (target,)


def from_index(doc: dict[str, Any], base: str | None) -> tuple[str, ...]:
    """The events route of the API a WordPress REST index (``/wp-json/``) lists."""
    namespaces = [n for n in doc.get("namespaces") or [] if isinstance(n, str)]
    root = base or ""
    for namespace, route in ((TRIBE_NAMESPACE, TRIBE_EVENTS), (TEC_NAMESPACE, TEC_EVENTS)):
        if namespace in namespaces:
            return (api_url(root, route),)
    shown = ", ".join(namespaces[:12]) or "none"
    raise ParseError(
        f"a WordPress site without The Events Calendar's REST API (namespaces: {shown})"
    )


def is_index(doc: Any) -> bool:
    """Whether ``doc`` is a WordPress REST index: ``namespaces`` and ``routes``."""
    return isinstance(doc, dict) and isinstance(doc.get("namespaces"), list) and "routes" in doc


def api_url(root: str, route: str) -> str:
    """``route`` under a REST root written either way (``/wp-json/`` or ``?rest_route=/``)."""
    if "rest_route=" in root:
        return root.rstrip("/") + "/" + route
    return root if root.endswith("/" + route) else root.rstrip("/") + "/" + route


def _guessed_root(base: str | None) -> str:
    parts = urlsplit(base or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ParseError("an HTML page without a WordPress API link, and no site to guess")
    return f"{parts.scheme}://{parts.netloc}/wp-json/"
