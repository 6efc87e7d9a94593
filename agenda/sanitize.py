"""HTML sanitising and text cleaning for every description and title (pure).

One allowlist for the whole product: importers clean what they read, partner
submissions are cleaned on the way in, and pages and feeds may clean again (the
cleaning is idempotent). Lives in the kernel because importers, renderers and the
web layer all need it and none of them may import another.
"""

from __future__ import annotations

import html
import re

import nh3

# What a description may keep; everything else (scripts, styles, event handlers,
# images, iframes) is removed before it is stored.
ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "em", "b", "i", "u", "ul", "ol", "li", "a", "blockquote", "h3", "h4"}
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"

MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


def clean_text(value: object) -> str:
    """Unescape HTML entities, collapse runs of spaces, strip; ``None`` gives ''."""
    if value is None:
        return ""
    text = html.unescape(str(value))
    text = _SPACES.sub(" ", text)
    return "\n".join(line.strip() for line in text.splitlines()).strip()


def clean_title(value: object) -> str:
    """A one-line title: entities unescaped, tags dropped, whitespace collapsed."""
    text = MARKUP.sub(" ", html.unescape(str(value or "")))
    return _SPACES.sub(" ", text.replace("\n", " ")).strip()


def sanitize_html(value: str) -> str:
    """Sanitise HTML to the allowlist; links get ``rel="noopener noreferrer nofollow"``."""
    cleaned = nh3.clean(
        value,
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel=LINK_REL,
    )
    return cleaned.strip()


def clean_description(value: object) -> str:
    """Plain text stays plain text; anything that holds markup is sanitised HTML."""
    if value is None:
        return ""
    text = str(value)
    if MARKUP.search(text):
        return sanitize_html(text)
    return clean_text(text)
