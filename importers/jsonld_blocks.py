"""Page side of the ``jsonld`` importer: from page bytes to the JSON-LD nodes to read.

Owns decoding the page (refusing empty and binary data), the ``<base href>``, finding
the ``application/ld+json`` blocks and the JSON values in each (HTML-comment and CDATA
wrappers removed, several values in one block), walking the parsed graph depth-first
for event nodes (``@graph``, ``subEvent``, ``event``/``events``; never ``superEvent``),
and the same-site detail-page links a source asks to follow. Reading an event's fields
is ``importers.jsonld_fields``; turning events into listings is ``importers.jsonld``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urldefrag, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser

from agenda.model import SourceConfig
from importers.clean import decode_text
from importers.errors import ParseError
from importers.jsonld_fields import absolute_url, types_of

# Events nested deeper than this are not looked for (real pages nest 3-4 levels).
MAX_DEPTH = 64


def decode_page(data: bytes) -> str:
    """Page bytes as text; bytes that are no text at all are not this format."""
    if not data.strip():
        raise ParseError("empty document: no HTML page")
    head = data[:4096]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ParseError("binary data, not an HTML page")
    text = decode_text(data)
    sample = text[:4096]
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f")
    if control * 10 > len(sample):
        raise ParseError("binary data, not an HTML page")
    return text


def base_href(tree: LexborHTMLParser, page: str | None) -> str | None:
    node = tree.css_first("base[href]")
    href = node.attributes.get("href") if node is not None else None
    return (absolute_url(href, page) or page) if href else page


def ld_blocks(tree: LexborHTMLParser) -> list[str]:
    """The text of every ``<script type="application/ld+json[; charset=...]">``, in order."""
    blocks = []
    for node in tree.css("script[type]"):
        kind = (node.attributes.get("type") or "").split(";")[0].strip().lower()
        if kind == "application/ld+json":
            blocks.append(node.text() or "")
    return blocks


def unwrap(text: str) -> str:
    """Drop the HTML-comment and CDATA wrappers some CMSs put around script content."""
    text = text.strip().lstrip("\ufeff").strip()
    text = re.sub(r"^<!--|-->$", "", text).strip()
    text = re.sub(r"^(?://|/\*)?\s*<!\[CDATA\[\s*(?:\*/)?", "", text)
    return re.sub(r"(?://|/\*)?\s*\]\]>\s*(?:\*/)?$", "", text).strip()


def load_values(text: str) -> list[Any]:
    """Every JSON value in a block (some pages put ``{...}{...}`` or ``{...},{...}`` in one)."""
    # strict=False: literal newlines and tabs inside strings are common and harmless.
    decoder = json.JSONDecoder(strict=False)
    values: list[Any] = []
    position = 0
    while True:
        while position < len(text) and text[position] in " \t\r\n,;":
            position += 1
        if position >= len(text):
            return values
        value, position = decoder.raw_decode(text, position)
        values.append(value)


def walk(roots: list[Any]) -> Iterator[dict[str, Any]]:
    """Every object in document order, depth-first, iteratively (deep JSON must not recurse)."""
    stack: list[tuple[Any, int]] = [(root, 0) for root in reversed(roots)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            continue
        if isinstance(value, list):
            stack.extend((item, depth + 1) for item in reversed(value))
        elif isinstance(value, dict):
            yield value
            # A superEvent is context (the festival a workshop belongs to), described on
            # its own page: importing it from every member's page would invent listings.
            children = [
                v for k, v in value.items() if isinstance(v, (dict, list)) and k != "superEvent"
            ]
            stack.extend((child, depth + 1) for child in reversed(children))


def is_event(node: dict[str, Any]) -> bool:
    return any(
        name.endswith("Event") or name in ("Festival", "CourseInstance", "EventSeries")
        for name in types_of(node)
    )


def follow_links(tree: LexborHTMLParser, base: str | None, source: SourceConfig) -> tuple[str, ...]:
    """Same-host ``<a href>`` urls containing ``source.follow``: the detail pages to fetch."""
    if not source.follow or not base:
        return ()
    try:
        host = urlsplit(base).hostname
    except ValueError:
        return ()
    page = urldefrag(base).url
    found: dict[str, None] = {}
    for node in tree.css("a[href]"):
        full = absolute_url(node.attributes.get("href"), base)
        if not full:
            continue
        parts = urlsplit(urldefrag(full).url)
        # Scheme and host are case-insensitive: one spelling, so the caller can dedupe.
        full = urlunsplit(parts._replace(scheme=parts.scheme.lower(), netloc=parts.netloc.lower()))
        if parts.hostname != host or source.follow not in full or full == page:
            continue
        found.setdefault(full, None)
        if len(found) >= source.max_pages:
            break
    return tuple(found)
