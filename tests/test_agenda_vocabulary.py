"""The one vocabulary: source words in either language map to one canonical category."""

from __future__ import annotations

import pytest

from agenda import vocabulary
from agenda.classify import AUDIENCES, KINDS, audiences_of, kind_of


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Tentoonstelling", "exhibition"),
        ("Exhibition", "exhibition"),
        ("EXPOSITIE", "exhibition"),
        ("ExhibitionEvent", "exhibition"),
        ("Klassiek", "classical"),
        ("Classical", "classical"),
        ("Lezing", "lecture"),
        ("lecture", "lecture"),
        ("wandeling", "walk"),
        ("Walk", "walk"),
        ("Poëzie", "literature"),
        ("Opera & Musical", "opera"),
        ("Open Dag", "open-day"),
        ("open-day", "open-day"),
        ("Jazz & Blues", "concert"),  # by its first listed word
        ("Klassieke muziek", "classical"),  # whole phrase before single words
        ("Party", None),
        ("", None),
    ],
)
def test_source_words_map_to_one_id_in_any_language_and_casing(
    word: str, expected: str | None
) -> None:
    assert vocabulary.canonical(word) == expected


def test_labels_of_each_category_map_back_to_it() -> None:
    for category in vocabulary.category_ids():
        for lang in ("nl", "en"):
            assert vocabulary.canonical(vocabulary.label(category, lang)) == category


def test_ids_are_in_display_order_and_about_twenty() -> None:
    ids = vocabulary.category_ids()
    assert ids[0] == "exhibition"
    assert len(ids) == len(set(ids))
    assert 15 <= len(ids) <= 25


def test_kinds_and_audiences_come_from_the_vocabulary_with_both_labels() -> None:
    assert "exhibition" in KINDS and "other" in KINDS
    assert AUDIENCES == ("family", "children", "students", "adults", "seniors")
    assert vocabulary.kind_labels("nl")["exhibition"] == "tentoonstelling"
    assert vocabulary.kind_labels("en")["performance"] == "performance"
    assert vocabulary.audience_labels("en")["family"] == "families"


def test_classify_reads_the_same_words() -> None:
    # A category word implies its kind and audiences: one word list, not two.
    assert kind_of(None, ["Klassiek"], "Avond") == "concert"
    assert kind_of(None, [], "Stadswandeling door Delft") == "tour"
    assert kind_of("MusicEvent", [], "x") == "concert"
    assert audiences_of(["Kinderen"], "x") == ("family", "children")
    assert audiences_of(["Familie"], "x") == ("family",)
    assert audiences_of([], "Voor senioren") == ("seniors",)


def test_guessing_a_language_does_not_remember_descriptions() -> None:
    """Descriptions are folded once: held in ``fold``'s memory they took 8 MB of a
    20,000-listing import and pushed out the names folded again and again."""
    from agenda.classify import guess_language
    from agenda.normalize import fold

    fold.cache_clear()
    texts = [
        f"Een avond {i} over de stad en het water, met muziek van het orkest." for i in range(50)
    ]
    assert {guess_language("Avond", text) for text in texts} == {"nl"}
    assert guess_language("Night of the city", "A walk with the guides and the music.") == "en"
    assert fold.cache_info().currsize == 0


def test_canonical_all_keeps_first_seen_order_and_collects_unknown_words() -> None:
    ids, unknown = vocabulary.canonical_all(["Lezing", "Lecture", "Party", "Debat", " "])
    assert ids == ("lecture", "debate")
    assert unknown == ("Party",)


def test_a_word_in_two_categories_is_refused() -> None:
    data = b"""
[[kind]]
id = "concert"
nl = "concert"
en = "concert"
[[audience]]
id = "family"
nl = "gezinnen"
en = "families"
[[category]]
id = "a"
nl = "A"
en = "A"
words = ["jazz"]
[[category]]
id = "b"
nl = "B"
en = "B"
words = ["Jazz"]
"""
    with pytest.raises(ValueError, match=r"(?i)jazz.*both"):
        vocabulary.parse(data)
