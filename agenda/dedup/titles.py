"""Titles as the matcher compares them: boilerplate off, variants, tokens, similarity (pure).

Sources dress the same title differently: ``Tentoonstelling: X``, ``Concert | X``,
``X | Museum De Lakenhal``, ``X (Leiden)``, ``X – Stadsgehoorzaal Leiden``, capitals,
``&`` for ``en``, and aggregators translate titles to English while their url slug
keeps the Dutch one. ``title_forms`` gives every form worth comparing; ``similarity``
compares two sets of forms and refuses titles whose distinctive words differ.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

from agenda.normalize import fold

# Words that label a listing's kind or state rather than name the happening (nl and en).
BOILERPLATE = frozenset(
    """
    tentoonstelling tentoonstellingen expositie exhibition exhibitions expo lezing
    lezingen lecture lectures talk voordracht debat debate gesprek concert concerten
    muziek music klassiek classical jazz pop rock voorstelling performance show toneel
    theater theatre cabaret comedy dans dance opera musical film cinema rondleiding
    rondleidingen tour tours guided excursie wandeling walk activiteit activiteiten
    activity activities evenement event events agenda workshop workshops cursus course
    masterclass familie family families gezin kids kinderen children jeugd youth jong
    festival festivals markt market geannuleerd cancelled canceled afgelast uitverkocht
    verplaatst postponed nieuw new extra tip uitgelicht featured premiere try live
    """.split()
)
# Marks of an opening evening, which is never the exhibition it opens.
OPENING = re.compile(r"\b(opening|openings|vernissage|finissage|preview|onthulling)\b", re.I)
STOPWORDS = frozenset(
    """
    de den het een van en in op met voor door bij aan naar om te tot uit over als of the a
    an of and in on at with for by to from about as or
    """.split()
)
# General event vocabulary, English to Dutch, so translated titles can still agree.
LEXICON = {
    "the": "de", "of": "van", "on": "op", "and": "en", "for": "voor", "with": "met",
    "at": "bij", "from": "uit", "about": "over", "through": "door", "to": "naar",
    "lecture": "lezing", "talk": "lezing", "tour": "rondleiding", "guided": "",
    "exhibition": "tentoonstelling", "concert": "concert", "music": "muziek", "night": "nacht",
    "museum": "museum", "museums": "musea", "city": "stad", "walk": "wandeling",
    "collection": "collectie", "permanent": "vaste", "young": "jonge", "old": "oude",
    "master": "meester", "masters": "meesters", "life": "leven", "future": "toekomst",
    "history": "geschiedenis", "art": "kunst", "arts": "kunsten", "science": "wetenschap",
    "golden": "gouden", "age": "eeuw", "century": "eeuw", "centuries": "eeuwen",
    "ages": "eeuwen", "women": "vrouwen", "woman": "vrouw", "men": "mannen",
    "children": "kinderen", "kids": "kinderen", "family": "familie", "day": "dag",
    "days": "dagen", "evening": "avond", "afternoon": "middag", "morning": "ochtend",
    "summer": "zomer", "winter": "winter", "spring": "lente", "autumn": "herfst",
    "christmas": "kerst", "easter": "pasen", "holiday": "vakantie", "water": "water",
    "sea": "zee", "moon": "maan", "sun": "zon", "star": "ster", "stars": "sterren",
    "world": "wereld", "dutch": "nederlandse", "netherlands": "nederland", "hague": "haag",
    "leiden": "leiden", "delft": "delft", "blue": "blauw", "light": "licht",
    "shadow": "schaduw", "shadows": "schaduwen", "dark": "donker", "side": "kant",
    "money": "geld", "power": "macht", "love": "liefde", "war": "oorlog", "peace": "vrede",
    "freedom": "vrijheid", "king": "koning", "queen": "koningin", "prince": "prins",
    "princess": "prinses", "painting": "schilderij", "paintings": "schilderijen",
    "painter": "schilder", "painters": "schilders", "print": "prent", "prints": "prenten",
    "drawing": "tekening", "drawings": "tekeningen", "portrait": "portret",
    "portraits": "portretten", "design": "ontwerp", "craft": "ambacht", "fashion": "mode",
    "garden": "tuin", "gardens": "tuinen", "plants": "planten",
    "animals": "dieren", "nature": "natuur", "climate": "klimaat", "migration": "migratie",
    "open": "open", "house": "huis", "church": "kerk", "new": "nieuwe", "great": "grote",
    "big": "grote", "small": "kleine", "little": "kleine", "first": "eerste", "last": "laatste",
    "songs": "liederen", "song": "lied", "organ": "orgel", "choir": "koor",
    "orchestra": "orkest", "symphony": "symfonie", "discover": "ontdek",
}  # fmt: skip

_SEGMENT_SPLIT = re.compile(r"\s+[|–—@]\s+|\s+-\s+|\s*\|\s*")
_PREFIX_SPLIT = re.compile(r"^(.{2,40}?)(?:\s*[:|.]\s+|\s+[–—-]\s+)(.+)$")
_TRAILING_PAREN = re.compile(r"^(.+?)\s*\(([^()]{2,40})\)\s*$")
_SLUG_NOISE = re.compile(r"^(\d+|\d{8}t?\d*|[0-9a-f]{8,})$")


@lru_cache(maxsize=200_000)
def _fold(text: str) -> str:
    return " ".join(fold(text).split())


def normalize_title_form(title: str) -> str:
    """Lower case, no accents or punctuation, ``&`` as ``en``, single spaces; idempotent."""
    return _fold(title)


def close(a: str, b: str) -> bool:
    """Whether two words are one typo apart (swapped, missing or wrong letter)."""
    if len(a) == len(b) == 4 and sorted(a) == sorted(b):
        return DamerauLevenshtein.distance(a, b) == 1  # "eaxm" for "exam": two letters swapped
    if len(a) < 5 or len(b) < 5:
        return False
    # Below ten letters a match is one edit, which leaves the first two or the last two
    # letters of a word of five or more alone: most pairs end here, before the distance.
    if len(a) < 10 and len(b) < 10 and a[:2] != b[:2] and a[-2:] != b[-2:]:
        return False
    return DamerauLevenshtein.normalized_similarity(a, b) >= 0.8


@lru_cache(maxsize=50_000)
def is_boilerplate(token: str) -> bool:
    """A label word, also when misspelt (``Tentoonstleling``)."""
    if token in BOILERPLATE:
        return True
    if len(token) < 6:
        return False
    found = process.extractOne(
        token, BOILERPLATE, scorer=DamerauLevenshtein.normalized_similarity, score_cutoff=0.84
    )
    return found is not None


@lru_cache(maxsize=100_000)
def is_opening(title: str) -> bool:
    """Whether the title announces an opening evening (vernissage, finissage, …), typos too."""
    if OPENING.search(title):
        return True
    return any(
        close(word, mark)
        for word in _fold(title).split()[:3]
        for mark in ("opening", "vernissage", "finissage")
    )


def _only_boilerplate(segment: str) -> bool:
    tokens = _fold(segment).split()
    return bool(tokens) and all(is_boilerplate(t) or t in STOPWORDS for t in tokens)


def strip_prefixes(title: str) -> str:
    """Remove leading labels such as ``Tentoonstelling:``, ``Concert |``, ``Geannuleerd -``."""
    text = title.strip()
    for _ in range(4):
        match = _PREFIX_SPLIT.match(text)
        if not match or not _only_boilerplate(match.group(1)):
            break
        text = match.group(2).strip()
    return text


def strip_suffix(title: str, places: Iterable[str]) -> str | None:
    """The title without a trailing place (``| Museum De Lakenhal``, ``(Leiden)``), if any."""
    folded_places = [p for p in (_fold(x) for x in places) if p]
    candidates: list[tuple[str, str]] = []
    paren = _TRAILING_PAREN.match(title)
    if paren:
        candidates.append((paren.group(1), paren.group(2)))
    parts = _SEGMENT_SPLIT.split(title)
    if len(parts) > 1:
        head = title[: title.rfind(parts[-1])].rstrip(" |–—@-")
        candidates.append((head, parts[-1]))
    at = title.rfind(" @ ")
    if at > 0:
        # "X @ Place": what follows the at-sign is where, whatever the place is called.
        return title[:at].strip()
    for head, tail in candidates:
        tail_folded = _fold(tail)
        if not tail_folded or not head.strip():
            continue
        for place in folded_places:
            if tail_folded == place or fuzz.token_set_ratio(tail_folded, place) >= 90:
                return head.strip()
    return None


def trailing_place(title: str) -> str | None:
    """The segment a title may end with that could name its place (``X | Museum Y``)."""
    at = title.rfind(" @ ")
    if at > 0:
        return title[at + 3 :].strip() or None
    paren = _TRAILING_PAREN.match(title)
    if paren:
        return paren.group(2)
    parts = _SEGMENT_SPLIT.split(title)
    return parts[-1].strip() if len(parts) > 1 else None


def slug_title(url: str | None) -> str | None:
    """The words of a url's last path segment (``/agenda/leidse-lezing-x-20270317``)."""
    if not url:
        return None
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    segments = [s for s in unquote(path).split("/") if s]
    if not segments:
        return None
    words = [w for w in re.split(r"[-_+.]", segments[-1].lower()) if w]
    words = [w for w in words if not _SLUG_NOISE.match(w) and w not in ("html", "htm", "php")]
    return " ".join(words) if len(words) >= 2 else None


def translate(tokens: Iterable[str]) -> list[str]:
    return [LEXICON.get(t, t) for t in tokens if LEXICON.get(t, t)]


def title_forms(title: str, places: Iterable[str] = (), url: str | None = None) -> tuple[str, ...]:
    """Every normalised form of a title worth comparing, most faithful first."""
    places = tuple(places)
    forms: list[str] = []
    core = strip_prefixes(title)
    for text in (core, strip_suffix(core, places)):
        if text:
            forms.append(_fold(text))
            stripped = strip_prefixes(text)
            if stripped != text:
                forms.append(_fold(stripped))
    slug = slug_title(url)
    if slug:
        forms.append(_fold(strip_prefixes(slug)))
    unique: list[str] = []
    for form in forms:
        for variant in (form, " ".join(translate(form.split()))):
            if variant and variant not in unique:
                unique.append(variant)
    return tuple(unique)


def title_words_and_tokens(forms: Sequence[str]) -> tuple[frozenset[str], tuple[str, ...]]:
    """Four-letter stems of the distinctive words of every form (``dinotour`` -> ``dino``),
    for blocking, and those of the words long enough to be matched despite a typo."""
    if len(forms) == 1:  # most titles: no set to merge into
        strong = _strong(forms[0].split())
    else:
        strong = set().union(*(_strong(form.split()) for form in forms))
    return frozenset([t[:4] for t in strong]), tuple([t for t in strong if len(t) >= 4])


_SUBTITLE = re.compile(r"^(.{6,}?)(?:\.\s+|:\s+|\s+[–—-]\s+)(.{6,})$")


def main_title_forms(title: str) -> tuple[str, ...]:
    """The main title before a subtitle (``Main. Subtitle``, ``Main: Subtitle``), if any."""
    match = _SUBTITLE.match(strip_prefixes(title))
    if not match or len(_strong(_fold(match.group(1)).split())) < 2:
        return ()
    return (_fold(match.group(1)),)


def _strong(tokens: Iterable[str]) -> set[str]:
    return {t for t in tokens if t not in STOPWORDS and len(t) > 1 and not is_boilerplate(t)}


def _join_compounds(mine: list[str], theirs: list[str]) -> list[str]:
    """``museum nacht`` as ``museumnacht`` when the other title writes it as one word."""
    wanted = set(theirs)
    joined: list[str] = []
    i = 0
    while i < len(mine):
        if i + 1 < len(mine) and mine[i] + mine[i + 1] in wanted:
            joined.append(mine[i] + mine[i + 1])
            i += 2
        else:
            joined.append(mine[i])
            i += 1
    return joined


def _unmatched(mine: set[str], theirs: set[str]) -> set[str]:
    left = set()
    for token in mine:
        if token in theirs:
            continue
        if len(token) >= 4 and any(
            abs(len(token) - len(other)) <= 2 and close(token, other) for other in theirs
        ):
            continue
        left.add(token)
    return left


@lru_cache(maxsize=500_000)
def form_similarity(a: str, b: str) -> float:
    """0..1 for two normalised forms; titles whose distinctive words differ score low."""
    if a == b:
        return 1.0
    if a.replace(" ", "") == b.replace(" ", ""):
        return 0.97  # "Dino tour" and "Dinotour"
    # The cheap exit first: most candidate pairs share nothing, and the word analysis
    # below (compounds, boilerplate, typo matching) is what costs.
    loose = fuzz.token_set_ratio(a, b)
    if loose < 50:  # nothing in common: no need for the finer checks
        return loose / 100
    ta, tb = _join_compounds(a.split(), b.split()), _join_compounds(b.split(), a.split())
    sa, sb = _strong(ta), _strong(tb)
    only_a, only_b = _unmatched(sa, sb), _unmatched(sb, sa)
    char = max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b)) / 100
    if only_a and only_b:
        # Both titles name something the other does not: "klimaat en de zee" vs "... stad".
        return min(char, 0.6)
    if only_a or only_b:
        extra = only_a or only_b
        shared = len(sa & sb) + len(sa - only_a - sb)
        if not shared:
            return min(char, 0.5)
        # One title adds words to the other: a longer form of the same title, or an
        # umbrella event and one of its parts; only a small addition counts as the same.
        share = len(extra) / max(len(sa | sb), 1)
        return max(min(char, 0.85), 1.0 - share) if share <= 0.34 else min(char, 0.7)
    return max(char, loose / 100 * 0.98)


def similarity(forms_a: tuple[str, ...], forms_b: tuple[str, ...]) -> float:
    """The best agreement between any form of one title and any form of the other."""
    best = 0.0
    for a in forms_a:
        for b in forms_b:
            score = form_similarity(a, b)
            if score > best:
                best = score
                if best >= 1.0:
                    return best
    return best
