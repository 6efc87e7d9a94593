"""The one vocabulary of categories, kinds and audiences, in Dutch and English (pure).

Sources name categories in their own language and casing (``Tentoonstelling``,
``Exhibition``, ``klassiek``); without one shared list the agenda showed each spelling as
its own category, so a filter on ``Lecture`` missed every ``Lezing``. The vocabulary
(``agenda/data/vocabulary.toml``) gives each category a canonical id, a Dutch and an
English label, the kind and audiences it implies and the source words that mean it.
Events carry the ids; everything people read is a label in their language.

Words match folded (case, accents and punctuation ignored); a multi-word source label
that is not listed whole maps by its first listed word (``Jazz & Blues`` is ``concert``).
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources

import msgspec

from agenda.normalize import fold

LANGUAGES = ("nl", "en")


class Term(msgspec.Struct, frozen=True, kw_only=True):
    """One entry of the vocabulary: an id, its labels and the source words that mean it."""

    id: str
    nl: str
    en: str
    kind: str | None = None
    audiences: tuple[str, ...] = ()
    words: tuple[str, ...] = ()


class _File(msgspec.Struct, frozen=True):
    kind: tuple[Term, ...]
    audience: tuple[Term, ...]
    category: tuple[Term, ...]


class Vocabulary(msgspec.Struct, frozen=True):
    """The loaded vocabulary with its word index (folded word -> category id)."""

    kinds: tuple[Term, ...]
    audiences: tuple[Term, ...]
    categories: tuple[Term, ...]
    index: dict[str, str]


def parse(data: bytes) -> Vocabulary:
    """A vocabulary from TOML; a word claimed by two categories is an error, not a guess."""
    raw = msgspec.toml.decode(data, type=_File)
    kinds = {k.id for k in raw.kind}
    audiences = {a.id for a in raw.audience}
    index: dict[str, str] = {}
    for term in raw.category:
        if term.kind is not None and term.kind not in kinds:
            raise ValueError(f"category {term.id!r}: unknown kind {term.kind!r}")
        if unknown := set(term.audiences) - audiences:
            raise ValueError(f"category {term.id!r}: unknown audience {sorted(unknown)[0]!r}")
        for word in (term.id, term.nl, term.en, *term.words):
            key = fold(word)
            if index.setdefault(key, term.id) != term.id:
                raise ValueError(f"{word!r} is in both {index[key]!r} and {term.id!r}")
    return Vocabulary(raw.kind, raw.audience, raw.category, index)


@cache
def version() -> int:
    """A number that changes whenever the bundled vocabulary does (events built with an
    older one are rebuilt, so their categories are this vocabulary's ids)."""
    data = resources.files("agenda").joinpath("data/vocabulary.toml").read_bytes()
    return int(hashlib.sha256(data).hexdigest()[:12], 16)


@cache
def load() -> Vocabulary:
    """The vocabulary shipped with the agenda (``agenda/data/vocabulary.toml``)."""
    return parse(resources.files("agenda").joinpath("data/vocabulary.toml").read_bytes())


def canonical(word: str | None) -> str | None:
    """The category id a source word (or an id, or a label in either language) means."""
    key = fold(word)
    if not key:
        return None
    index = load().index
    if key in index:
        return index[key]
    return next((index[w] for w in key.split() if w in index), None)


def canonical_all(words: tuple[str, ...] | list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(category ids once each in first-seen order, the words that map to none)."""
    ids: list[str] = []
    unknown: list[str] = []
    for word in words:
        found = canonical(word)
        if found is None:
            if word.strip():
                unknown.append(word)
        elif found not in ids:
            ids.append(found)
    return tuple(ids), tuple(unknown)


def category_ids() -> tuple[str, ...]:
    """Every category id in display order."""
    return tuple(term.id for term in load().categories)


def _labels(terms: tuple[Term, ...], lang: str) -> dict[str, str]:
    return {t.id: t.en if lang == "en" else t.nl for t in terms}


@cache
def _category_labels(lang: str) -> dict[str, str]:
    return _labels(load().categories, lang)


def label(category_id: str, lang: str) -> str:
    """The category's label in ``lang`` (``nl`` unless ``en``); an unknown id as it is."""
    return _category_labels(lang).get(category_id, category_id)


@cache
def kind_labels(lang: str) -> dict[str, str]:
    """Kind id -> its name in ``lang``."""
    return _labels(load().kinds, lang)


@cache
def audience_labels(lang: str) -> dict[str, str]:
    """Audience id -> its name in ``lang``."""
    return _labels(load().audiences, lang)


@cache
def kind_words() -> dict[str, str]:
    """Single source words -> the kind their category implies (for ``agenda.classify``)."""
    words: dict[str, str] = {}
    for term in load().categories:
        if term.kind is None:
            continue
        for word in (term.id, term.nl, term.en, *term.words):
            key = fold(word)
            if key and " " not in key:
                words.setdefault(key, term.kind)
    return words


@cache
def audience_words() -> dict[str, tuple[str, ...]]:
    """Single source words -> the audiences they imply (categories' words and the audiences')."""
    found: dict[str, list[str]] = {}
    vocabulary = load()
    pairs = [(w, a) for t in vocabulary.categories for a in t.audiences for w in (t.id, *t.words)]
    pairs += [(w, t.id) for t in vocabulary.audiences for w in t.words]
    for word, audience in pairs:
        key = fold(word)
        if key and " " not in key and audience not in found.setdefault(key, []):
            found[key].append(audience)
    return {k: tuple(v) for k, v in found.items()}
