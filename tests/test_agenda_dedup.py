"""Deduplication: labelled cases for every hard rule, evidence, no chaining, properties."""

from __future__ import annotations

import gc
import random
from datetime import UTC, date, datetime, timedelta

import pytest
from conftest import make_listing
from hypothesis import given, settings
from hypothesis import strategies as st

from agenda.dedup.cluster import Decisions, Member, cluster, member_features
from agenda.dedup.matching import Features
from agenda.dedup.titles import normalize_title_form, title_forms

EVENING = datetime(2027, 3, 27, 19, 0, tzinfo=UTC)  # 20:00 in Leiden


def member(source: str, title: str, *, kind: str = "venue", venue: str | None = "lakenhal",
           city: str | None = "Leiden", **fields: object) -> Member:  # fmt: skip
    values: dict[str, object] = {"start": EVENING, "end": None}
    values.update(fields)
    listing = make_listing(
        source_id=source, external_id=f"{source}-{title}-{values}", title=title, **values
    )
    return Member(listing=listing, source_kind=kind, city=city, venue_id=venue,
                  places=("Museum De Lakenhal",) if venue == "lakenhal" else ())  # fmt: skip


def groups(members: list[Member], decisions: Decisions | None = None) -> list[set[str]]:
    by_key = {m.listing.key: m.listing.source_id + "|" + m.listing.title for m in members}
    return sorted(
        ({by_key[k] for k in c.keys} for c in cluster(members, decisions).clusters),
        key=lambda g: sorted(g),
    )


def together(members: list[Member]) -> bool:
    return len(cluster(members).clusters) == 1


def test_same_title_time_and_venue_from_two_sources_merge() -> None:
    assert together(
        [
            member("lakenhal", "Rembrandt & Lievens"),
            member("agg", "Rembrandt en Lievens", kind="aggregator"),
        ]
    )


def test_two_listings_of_one_source_never_merge() -> None:
    assert not together([member("lakenhal", "Dinotour"), member("lakenhal", "Dinotour ")])


def test_occurrences_of_one_series_never_merge() -> None:
    a = member("a", "Rondleiding", series_id="uid-1")
    b = member("b", "Rondleiding", series_id="uid-1")
    assert not together([a, b])


def test_an_opening_is_not_the_exhibition_it_opens() -> None:
    opening = member("a", "Opening: Rembrandt & Lievens")
    expo = member("b", "Rembrandt & Lievens", kind="aggregator")
    assert not together([opening, expo])
    # also when the word is misspelt
    assert not together([member("a", "Openin: Rembrandt & Lievens"), expo])
    assert not together([member("a", "Vernissage Rembrandt & Lievens"), expo])


def test_timed_events_on_different_local_dates_never_merge() -> None:
    # 23:30 and 00:30 UTC on one UTC day are different evenings in Amsterdam.
    a = member("a", "Nachtconcert", start=datetime(2027, 3, 27, 22, 30, tzinfo=UTC))
    b = member(
        "b", "Nachtconcert", start=datetime(2027, 3, 27, 23, 10, tzinfo=UTC), kind="aggregator"
    )
    assert not together([a, b])


def test_same_title_in_two_cities_never_merges() -> None:
    leiden = member("a", "Kerstconcert", city="Leiden", venue=None)
    delft = member("b", "Kerstconcert", city="Delft", venue=None)
    assert not together([leiden, delft])


def test_aggregator_may_start_up_to_45_minutes_earlier_doors_open() -> None:
    venue = member("venue", "De Vrek - Theater Utrecht")
    early = member(
        "agg", "De Vrek – Theater Utrecht", kind="aggregator", start=EVENING - timedelta(minutes=30)
    )
    too_early = member(
        "agg2",
        "De Vrek – Theater Utrecht",
        kind="aggregator",
        start=EVENING - timedelta(minutes=60),
    )
    assert together([venue, early])
    assert not together([venue, too_early])
    # the venue's own listing is the authority: it does not start earlier than the aggregator
    venue_early = member("venue", "De Vrek", start=EVENING - timedelta(minutes=30))
    agg_late = member("agg", "De Vrek", kind="aggregator")
    assert not together([venue_early, agg_late])


def test_repeat_performances_on_other_days_stay_apart() -> None:
    first = member("venue", "Het Zwanenmeer - Orkater")
    second = member(
        "agg", "Het Zwanenmeer - Orkater", kind="aggregator", start=EVENING + timedelta(days=1)
    )
    assert not together([first, second])


def test_similar_talks_on_one_evening_stay_apart() -> None:
    zee = member("uni", "Science Café: Klimaat en de zee", kind="institution")
    stad = member("agg", "Science Café: Klimaat en de stad", kind="aggregator")
    assert not together([zee, stad])


def test_an_umbrella_event_is_not_its_part() -> None:
    night = member("agg", "Museumnacht Leiden 2027", kind="aggregator", venue=None)
    part = member("lakenhal", "Museumnacht Leiden: Schaduwtheater")
    assert not together([night, part])


def test_exhibition_as_timed_span_and_all_day_range_merge() -> None:
    timed = member("lakenhal", "Mode & modernisme", start=datetime(2027, 5, 13, 8, tzinfo=UTC),
                   end=datetime(2027, 7, 21, 16, tzinfo=UTC))  # fmt: skip
    allday = member("agg", "Tentoonstelling: Mode en modernisme | Museum De Lakenhal", kind="aggregator",
                    start=None, start_date=date(2027, 5, 13), end_date=date(2027, 7, 21))  # fmt: skip
    assert together([timed, allday])


def test_a_timed_listing_on_an_all_day_listings_day_merges() -> None:
    timed = member("lakenhal", "Familiedag")
    allday = member(
        "agg", "Familiedag", kind="aggregator", start=None, start_date=date(2027, 3, 27)
    )
    assert together([timed, allday])


def test_translated_title_matches_through_the_url_slug() -> None:
    dutch = member("uni", "Leidse Lezing: De toekomst van water", kind="institution")
    english = member("agg", "Leiden Lecture: The future of water", kind="aggregator",
                     url="https://agenda.example/events/leidse-lezing-de-toekomst-van-water-20270327")  # fmt: skip
    assert together([dutch, english])


def test_far_apart_venues_never_merge_but_one_building_does() -> None:
    a = Member(listing=make_listing(source_id="a", title="Kamermuziek", start=EVENING, end=None),
               source_kind="venue", city="Den Haag", venue_id="amare", latitude=52.0775, longitude=4.3180,
               addresses=("Spuiplein 150",))  # fmt: skip
    b = Member(listing=make_listing(source_id="b", title="Kamermuziek", start=EVENING, end=None),
               source_kind="institution", city="Den Haag", venue_id="kc", latitude=52.0851, longitude=4.3334,
               addresses=("Spuiplein 150",))  # fmt: skip
    c = Member(listing=make_listing(source_id="c", title="Kamermuziek", start=EVENING, end=None),
               source_kind="venue", city="Den Haag", venue_id="kunstmuseum", latitude=52.0895, longitude=4.2807)  # fmt: skip
    assert together([a, b])
    assert not together([a, c])


def test_no_chaining_every_member_is_checked_against_the_cluster() -> None:
    # b matches a (doors open 30 min earlier) and c (30 min again), but a and c are an hour apart.
    a = member("venue-a", "Jazz op de Burcht", start=EVENING)
    b = member(
        "agg-b", "Jazz op de Burcht", kind="aggregator", start=EVENING - timedelta(minutes=30)
    )
    c = member(
        "agg-c", "Jazz op de Burcht", kind="aggregator", start=EVENING - timedelta(minutes=60)
    )
    result = groups([a, b, c])
    assert max(len(g) for g in result) == 2
    assert all(len(g) < 3 for g in result)


def test_grey_pairs_are_listed_for_review_not_merged() -> None:
    a = member("uni", "Museum Night Leiden 2027", kind="aggregator", venue=None)
    b = member("lakenhal", "Museumnacht Leiden: Schaduwtheater")
    result = cluster([a, b])
    assert len(result.clusters) == 2
    assert [(p.a, p.b) for p in result.review] == [tuple(sorted((a.listing.key, b.listing.key)))]


def test_decisions_beat_the_automatic_pass() -> None:
    a = member("a", "Rembrandt & Lievens")
    b = member("b", "Rembrandt en Lievens", kind="aggregator")
    c = member("c", "Iets heel anders", kind="aggregator")
    keys = [m.listing.key for m in (a, b, c)]
    apart = Decisions(apart=((keys[0], keys[1]),))
    assert len(cluster([a, b], apart).clusters) == 2
    forced = Decisions(together=((keys[0], keys[2]),))
    merged = cluster([a, b, c], forced).clusters
    assert any(set(cl.keys) == set(keys) for cl in merged)


def sample_region() -> list[Member]:
    titles = ["Rembrandt & Lievens", "Dinotour", "Kerstconcert", "De Vrek", "Science Café: Klimaat en de zee",
              "Science Café: Klimaat en de stad", "Opening: Rembrandt & Lievens"]  # fmt: skip
    members = []
    for i, title in enumerate(titles):
        for j, (source, kind) in enumerate(
            [("venue", "venue"), ("agg1", "aggregator"), ("agg2", "aggregator")]
        ):
            members.append(member(source, title if j != 1 else title.upper(), kind=kind,
                                  start=EVENING + timedelta(days=i % 3, minutes=-30 * (j == 2))))  # fmt: skip
    return members


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(min_value=0, max_value=10_000))
def test_clustering_does_not_depend_on_input_order(seed: int) -> None:
    members = sample_region()
    expected = cluster(members)
    shuffled = list(members)
    random.Random(seed).shuffle(shuffled)
    assert cluster(shuffled) == expected


def test_clustering_is_idempotent() -> None:
    members = sample_region()
    assert cluster(members) == cluster(list(members))


@given(st.text(max_size=60))
def test_title_normalisation_is_idempotent(text: str) -> None:
    once = normalize_title_form(text)
    assert normalize_title_form(once) == once


def test_title_forms_strip_labels_and_places() -> None:
    forms = title_forms("Concert | Kerstconcert – Museum De Lakenhal", ("Museum De Lakenhal",))
    assert "kerstconcert" in forms
    assert title_forms("Opening: Mode") == ("opening mode",)


def venue_member(source: str, title: str, start: datetime, *, kind: str = "venue", language: str | None = None,
                 description: str = "") -> Member:  # fmt: skip
    listing = make_listing(source_id=source, external_id=f"{source}-{title}", title=title, start=start, end=None,
                           language=language, description=description, url=None, categories=())  # fmt: skip
    return Member(listing=listing, source_kind=kind, city="Leiden", venue_id="academiegebouw")


def test_a_translated_title_alone_in_its_slot_merges() -> None:
    dutch = venue_member("uni", "Leidse Lezing: De mummie ontrafeld", EVENING, kind="institution")
    english = venue_member(
        "campus", "Leiden Lecture: The mummy unwrapped", EVENING, kind="aggregator", language="en"
    )
    assert together([dutch, english])


def test_no_translation_merge_when_a_source_lists_two_events_in_the_slot() -> None:
    a = venue_member("uni", "Leidse Lezing: De mummie ontrafeld", EVENING, kind="institution")
    b = venue_member("uni", "Leidse Lezing: Het brein van de puber", EVENING, kind="institution")
    english = venue_member(
        "campus", "Leiden Lecture: The mummy unwrapped", EVENING, kind="aggregator", language="en"
    )
    assert all(len(c.keys) == 1 for c in cluster([a, b, english]).clusters)


def test_no_translation_merge_in_the_same_language_or_at_another_minute() -> None:
    a = venue_member("uni", "Leidse Lezing: De mummie ontrafeld", EVENING, kind="institution")
    b = venue_member("agg", "Concert van het koor van de universiteit", EVENING, kind="aggregator")
    assert not together([a, b])
    later = venue_member("campus", "Leiden Lecture: The mummy unwrapped", EVENING + timedelta(minutes=30),
                         kind="aggregator", language="en")  # fmt: skip
    assert not together([a, later])


def test_an_exhibition_listed_by_its_main_title_alone_merges() -> None:
    span = {
        "start": None,
        "end": None,
        "start_date": date(2027, 3, 1),
        "end_date": date(2027, 6, 30),
    }
    full = member("museum", "Delfts blauw voor de wereld. Aardewerk in de Gouden Eeuw", **span)
    short = member("agg", "Delfts blauw voor de wereld", kind="aggregator", **span)
    assert together([full, short])
    # a one-day event is not shortened: a festival's part keeps its own name
    night = member("agg", "Museumnacht Leiden", kind="aggregator")
    part = member("museum", "Museumnacht Leiden: Schaduwtheater")
    assert not together([night, part])


def test_compound_words_and_swapped_letters_agree() -> None:
    night = member(
        "agg", "Museum Night The Hague 2027", kind="aggregator", venue=None, city="Den Haag"
    )
    nacht = member(
        "city", "Museumnacht Den Haag 2027", kind="aggregator", venue=None, city="Den Haag"
    )
    assert together([night, nacht])
    exam = member("kc", "Final exam oboe", kind="institution")
    typo = member("campus", "Final eaxm oboe", kind="aggregator")
    assert together([exam, typo])
    # but a different four-letter word is a different event
    assert not together(
        [member("kc", "Lezing over zeep"), member("campus", "Lezing over zeer", kind="aggregator")]
    )


def test_what_deduplication_holds_per_listing_is_not_walked_by_the_garbage_collector() -> None:
    # A region's listings, members and features are held by the tens of thousands while
    # it is clustered; were they tracked, every full collection would walk them all.
    plain = member("lakenhal", "Rembrandt & Lievens")
    features = member_features(plain)
    assert not gc.is_tracked(plain)
    assert not gc.is_tracked(plain.listing)
    assert not gc.is_tracked(features)
    # listings without an address or postcode share one empty set, not two of their own
    other = member_features(member("agg", "Rembrandt en Lievens", kind="aggregator"))
    assert features.addresses is other.addresses is features.postcodes
    result = cluster([plain, member("agg", "Rembrandt en Lievens", kind="aggregator")])
    assert not any(gc.is_tracked(c) for c in result.clusters)


def test_spans_of_one_venue_are_candidates_only_when_they_overlap_and_start_or_end_close() -> None:
    from agenda.dedup.cluster import candidate_pairs

    def span(source: str, title: str, first: date, last: date) -> Member:
        return member(source, title, start=None, end=None, start_date=first, end_date=last)

    def paired(a: Member, b: Member) -> bool:
        # titles without a shared word: only the venue and the days can pair them
        return bool(candidate_pairs([member_features(a), member_features(b)]))

    base = span("museum", "Kabouters", date(2027, 3, 1), date(2027, 6, 30))
    assert paired(base, span("agg", "Reuzen", date(2027, 3, 6), date(2027, 9, 30)))
    assert paired(base, span("agg", "Reuzen", date(2027, 1, 1), date(2027, 7, 5)))
    assert not paired(base, span("agg", "Reuzen", date(2027, 3, 20), date(2027, 5, 31)))
    assert not paired(base, span("agg", "Reuzen", date(2027, 7, 2), date(2027, 7, 5)))
    # many exhibitions at one venue: each meets only those that start or end close to it
    many = [
        span(f"s{i}", f"{'bcdfghjklmnpqrstvwxz'[i]}ikko", date(2027, 1, 1) + timedelta(days=3 * i),
             date(2027, 12, 31) - timedelta(days=11 * i))
        for i in range(20)
    ]  # fmt: skip
    found = candidate_pairs([member_features(m) for m in many])
    keys = [m.listing.key for m in many]
    expected = {
        tuple(sorted((keys[i], keys[j])))
        for i in range(20)
        for j in range(i + 1, 20)
        if abs(3 * i - 3 * j) <= 7
    }
    assert found == expected


def test_a_rebuild_pauses_the_collector_then_restores_it(tmp_path, monkeypatch) -> None:
    from conftest import NOW, make_source

    from agenda.dedup import rebuild
    from agenda.store.database import Store
    from agenda.sync.ingest import ingest

    store = Store.open(tmp_path / "a.db")
    seen: list[bool] = []
    real = rebuild.cluster

    def watching(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(rebuild, "cluster", watching)
    ingest(store, make_source(), [make_listing()], [], NOW)
    assert seen and not any(seen)
    assert gc.isenabled()

    def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("clustering failed")

    monkeypatch.setattr(rebuild, "cluster", failing)
    with pytest.raises(RuntimeError):
        rebuild.rebuild_events(store, NOW)
    assert gc.isenabled()
    store.close()


def test_an_unknown_venue_meets_a_listing_of_its_slot_only_when_the_titles_may_agree() -> None:
    from agenda.dedup.cluster import candidate_pairs

    def paired(a: Member, b: Member) -> bool:
        return bool(candidate_pairs([member_features(a), member_features(b)]))

    venue = member("lakenhal", "Jonge Rembrandt")
    # Each title names something the other does not: nothing to compare.
    assert not paired(venue, member("agg", "Klimaat en de zee", venue=None, kind="aggregator"))
    # A typo in a word's first letters, other spacing, or label words only may still agree.
    typo = member("agg", "Jonge Rmebrandt", venue=None, kind="aggregator")
    assert not member_features(venue).words & member_features(member("x", "Rmebrandt")).words
    assert paired(member("lakenhal", "Rembrandt"), member("agg", "Rmebrandt", venue=None))
    assert paired(venue, typo) and together([venue, typo])
    assert paired(member("lakenhal", "Pop up"), member("agg", "Popup", venue=None))
    assert paired(member("lakenhal", "Rondleiding"), member("agg", "Tour", venue=None))
    # At one venue, titles need not agree to be compared (translations, renamings).
    assert paired(venue, member("agg", "Young Rembrandt at work", kind="aggregator"))


def test_a_span_meets_the_timed_listings_of_its_first_day_that_share_a_title_word() -> None:
    """Found through the spans' words, the pairs are those the rule names, and no other."""
    from agenda.dedup.cluster import candidate_pairs

    rng = random.Random(3)
    words = ["kabouter", "reuzen", "molens", "tulpen", "schepen", "sterren", "wolken"]
    first = datetime(2027, 3, 27, 0, 0, tzinfo=UTC).date()
    spans = [
        member(f"museum{i}", " ".join(rng.sample(words, 2)), venue=None, start=None, end=None,
               start_date=first, end_date=first + timedelta(days=30 + i))
        for i in range(6)
    ]  # fmt: skip
    # Far enough apart that no two timed listings share a doors-open window.
    timed = [
        member(f"agg{i}", " ".join(rng.sample(words, 2)), venue=None,
               start=EVENING.replace(hour=8) + timedelta(hours=i))
        for i in range(8)
    ]  # fmt: skip
    feats = [member_features(m) for m in [*spans, *timed]]
    found = {
        pair
        for pair in candidate_pairs(feats)
        if {k.split(":")[0][:3] for k in pair} == {"mus", "agg"}
    }
    expected = {
        tuple(sorted((a.key, b.key)))
        for a in feats
        for b in feats
        if a.span and b.start is not None and a.words & b.words
    }
    assert found == expected and 0 < len(expected) < len(spans) * len(timed)


def test_close_answers_as_the_distance_alone() -> None:
    """Its shortcut (below ten letters one edit leaves the first two or the last two letters
    alone) changes no answer: two words are close when four letters swapped once, or when
    both have five or more and their Damerau-Levenshtein similarity is 0.8 or more."""
    from rapidfuzz.distance import DamerauLevenshtein

    from agenda.dedup.titles import close

    def by_distance(a: str, b: str) -> bool:
        if len(a) == len(b) == 4 and sorted(a) == sorted(b):
            return DamerauLevenshtein.distance(a, b) == 1
        return len(a) >= 5 and len(b) >= 5 and DamerauLevenshtein.normalized_similarity(a, b) >= 0.8

    rng = random.Random(11)
    agreed = 0
    for _ in range(20_000):
        # Few letters, so that many edited words still happen to be close.
        word = "".join(rng.choice("aeklmn") for _ in range(rng.randint(3, 12)))
        edited = _edited(rng, word, rng.choice([0, 1, 1, 1, 2, 3]))
        assert close(word, edited) == by_distance(word, edited), (word, edited)
        agreed += by_distance(word, edited)
    assert 4_000 < agreed < 16_000


def _edited(rng: random.Random, word: str, edits: int) -> str:
    for _ in range(edits):
        i = rng.randrange(len(word))
        letter = rng.choice("aeiklmnorst")
        word = rng.choice([
            word[:i] + word[i + 1 :],
            word[:i] + letter + word[i:],
            word[:i] + letter + word[i + 1 :],
            word[:i] + word[i + 1 : i + 2] + word[i : i + 1] + word[i + 2 :],
        ])  # fmt: skip
    return word


def test_may_agree_answers_as_comparing_every_word_with_every_word() -> None:
    """Its shortcut (words one edit apart share their first or last letter; long words
    are always compared) changes no answer."""
    from agenda.dedup.matching import may_agree
    from agenda.dedup.titles import close

    def every_word(a: Features, b: Features) -> bool:
        if not a.words or not b.words:
            return True
        if {f.replace(" ", "") for f in a.forms} & {f.replace(" ", "") for f in b.forms}:
            return True
        return any(abs(len(x) - len(y)) <= 2 and close(x, y)
                   for x in a.tokens for y in b.tokens)  # fmt: skip

    # The words compared: distinctive ones of four letters or more, not labels or "de".
    assert set(member_features(member("a", "Lezing: de kunst van het kijken")).tokens) == {
        "kunst",
        "kijken",
    }
    assert member_features(member("a", "Rondleiding Dinotour")).tokens == ("dinotour",)
    rng = random.Random(5)
    words = ["".join(rng.choice("bdklmnprstv") + rng.choice("aeiou") for _ in range(n))
             for n in (2, 2, 3, 3, 4, 5, 6, 7)] * 4  # fmt: skip
    agreed = 0
    for _ in range(3000):
        left = rng.sample(words, rng.randint(1, 3))
        right = [_edited(rng, w, rng.choice([0, 1, 1, 2, 3])) for w in rng.sample(left, 1)]
        right += rng.sample(words, rng.randint(0, 2))
        a = member_features(member("a", " ".join(left)))
        b = member_features(member("b", " ".join(right), venue=None))
        assert may_agree(a, b) == every_word(a, b), (a.forms, b.forms)
        agreed += may_agree(a, b)
    assert 300 < agreed < 2700
