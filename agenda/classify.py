"""What kind of event a listing is, who it is for, and whether it says it is accessible (pure).

Sources label events in their own words (``Tentoonstelling``, ``ExhibitionEvent``,
``classical``, ``Familie``, ``(4+)``); these map the words to a small shared vocabulary
that filters and feeds use: ``kind`` and ``audience``. The words are the vocabulary's
(``agenda/data/vocabulary.toml``): a category's words imply its kind and audiences, so a
new source spelling is added once, there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from agenda import vocabulary
from agenda.normalize import fold, fold_once

KINDS = tuple(term.id for term in vocabulary.load().kinds)
AUDIENCES = tuple(term.id for term in vocabulary.load().audiences)
_AGE = re.compile(r"\(\s*\d{1,2}\s*\+\s*\)|\b\d{1,2}\s*\+")
_ACCESSIBLE = re.compile(
    r"rolstoel|wheelchair|toegankelijk|accessible|invalidentoilet|mindervalide|ringleiding|"
    r"hearing loop|gebarentaal|sign language",
    re.I,
)


_KIND_INDEX = vocabulary.kind_words()
_AUDIENCE_INDEX = vocabulary.audience_words()


def _words(texts: Iterable[str | None]) -> list[str]:
    return [w for text in texts for w in fold(text).split()]


def kind_of(event_type: str | None, categories: Iterable[str], title: str) -> str | None:
    """The shared kind: labels first (event type, categories), then the title's words."""
    for words in (_words([event_type]), _words(categories), _words([title])):
        for word in words:
            if word in _KIND_INDEX:
                return _KIND_INDEX[word]
    return None


def audiences_of(categories: Iterable[str], title: str, description: str = "") -> tuple[str, ...]:
    """Who the event is for, from its labels and title (``Familie``, ``(4+)``, ``Kids:``)."""
    found: list[str] = []
    for word in _words([*categories, title]):
        for audience in _AUDIENCE_INDEX.get(word, ()):
            if audience not in found:
                found.append(audience)
    if _AGE.search(title) and "family" not in found:
        found.append("family")
    return tuple(a for a in AUDIENCES if a in found)


def says_accessible(description: str) -> bool | None:
    """True when the text mentions wheelchair access or similar; None when it says nothing."""
    return True if description and _ACCESSIBLE.search(description) else None


_DUTCH = frozenset(
    "de het een en van voor met op bij naar over uit door tot aan is zijn wordt".split()
)
_ENGLISH = frozenset("the a an and of for with on at to from about by is are this".split())


def guess_language(title: str, description: str = "") -> str | None:
    """``nl`` or ``en`` when the words clearly say so, else None (short titles often don't)."""
    words = fold_once(f"{title} {description}").split()
    dutch = sum(w in _DUTCH for w in words)
    english = sum(w in _ENGLISH for w in words)
    if dutch >= 2 * english + 1:
        return "nl"
    if english >= 2 * dutch + 1:
        return "en"
    return None
