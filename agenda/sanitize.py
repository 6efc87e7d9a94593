"""HTML sanitising and text cleaning for every description and title (pure).

One allowlist for the whole product: importers clean what they read, partner
submissions are cleaned on the way in, and pages and feeds may clean again (the
cleaning is idempotent). Lives in the kernel because importers, renderers and the
web layer all need it and none of them may import another.

Every function here is linear in its input. A tag pattern ending in ``[^>]*>`` rescans
the rest of the text from every ``<`` when no ``>`` follows, so ``<a <a <a …`` (240 KB)
used to take seconds; such patterns are only ever run on the text up to its last ``>``
(``search_markup``/``sub_markup``), where every scan that starts ends at a ``>``.
Descriptions and titles are cut to a size a page can show (``DESCRIPTION_LIMIT``,
``TITLE_LIMIT``) at a word, with an ellipsis.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import nh3

# What a description may keep; everything else (scripts, styles, event handlers,
# images, iframes) is removed before it is stored.
ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "em", "b", "i", "u", "ul", "ol", "li", "a", "blockquote", "h3", "h4"}
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"
# Characters of text (markup not counted) a description keeps, and a title.
DESCRIPTION_LIMIT = 20_000
TITLE_LIMIT = 500
ELLIPSIS = "…"

# Possessive quantifiers: a run of spaces after "<" is never re-split when no letter follows.
MARKUP = re.compile(r"<\s*+/?+\s*+[a-zA-Z!][^>]*+>")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
# Sanitised HTML in pieces: a tag, a run of text, or a lone "<" (inside an attribute value).
_PIECE = re.compile(r"<[^<>]*+>|[^<]++|<")


def search_markup(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """``pattern.search`` for a tag pattern ending in ``>``, linear however the text looks."""
    return pattern.search(text, 0, text.rfind(">") + 1)


def sub_markup(pattern: re.Pattern[str], repl: str | Callable[[re.Match[str]], str],
               text: str) -> str:  # fmt: skip
    """``pattern.sub`` for a tag pattern ending in ``>``, linear however the text looks.

    Nothing after the last ``>`` can be part of a tag, so it is never scanned again.
    """
    end = text.rfind(">") + 1
    return pattern.sub(repl, text[:end]) + text[end:]


def has_markup(text: str) -> bool:
    """Whether ``text`` holds anything that looks like an HTML tag (then it is HTML)."""
    return search_markup(MARKUP, text) is not None


def clean_text(value: object) -> str:
    """Unescape HTML entities, collapse runs of spaces, strip; ``None`` gives ''."""
    if value is None:
        return ""
    text = html.unescape(str(value))
    text = _SPACES.sub(" ", text)
    return "\n".join(line.strip() for line in text.splitlines()).strip()


def clean_title(value: object) -> str:
    """A one-line title: entities unescaped, tags dropped, whitespace collapsed, cut at
    ``TITLE_LIMIT`` characters."""
    text = sub_markup(MARKUP, " ", html.unescape(str(value or "")))
    return cut_text(_SPACES.sub(" ", text.replace("\n", " ")).strip(), TITLE_LIMIT)


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


def clean_description(value: object, limit: int = DESCRIPTION_LIMIT) -> str:
    """Plain text stays plain text; anything that holds markup is sanitised HTML.

    Cut to ``limit`` characters of text; ``clean_description_cut`` also says whether it was.
    """
    return clean_description_cut(value, limit)[0]


def clean_description_cut(value: object, limit: int = DESCRIPTION_LIMIT) -> tuple[str, bool]:
    """``clean_description`` and whether the text was cut (an importer records a Problem)."""
    if value is None:
        return "", False
    text = str(value)
    if has_markup(text):
        return _cut_html(sanitize_html(text), limit)
    cleaned = clean_text(text)
    cut = cut_text(cleaned, limit)
    return cut, cut is not cleaned


def cut_text(text: str, limit: int) -> str:
    """At most ``limit`` characters: cut at the last word that fits, with an ellipsis.

    Returns ``text`` itself when it fits (so ``is`` tells whether it was cut).
    """
    if len(text) <= limit:
        return text
    head = text[: limit - len(ELLIPSIS)]
    # Cut at a word unless the one word is most of the text (a url, a run without spaces).
    space = max(head.rfind(" "), head.rfind("\n"))
    if space > limit // 2:
        head = head[:space]
    return head.rstrip() + ELLIPSIS


def _cut_html(cleaned: str, limit: int) -> tuple[str, bool]:
    """Sanitised HTML with at most ``limit`` characters of text; tags left open are closed
    by sanitising the cut once more."""
    kept: list[str] = []
    room = limit
    for piece in _PIECE.finditer(cleaned):
        part = piece.group()
        if part.startswith("<") and part.endswith(">"):
            kept.append(part)
            continue
        shown = html.unescape(part)
        if len(shown) <= room:
            kept.append(part)
            room -= len(shown)
            continue
        # The ellipsis must fit: what is cut cleans to the same text the next time.
        kept.append(html.escape(cut_text(shown, max(room, len(ELLIPSIS))), quote=False))
        return sanitize_html("".join(kept)), True
    return cleaned, False
