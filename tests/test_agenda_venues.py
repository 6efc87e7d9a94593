"""The venue gazetteer: bundled data, the five resolution steps, learned venues, speed."""

from __future__ import annotations

import random
import subprocess
import sys
import time
import unicodedata
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agenda.dedup.gazetteer import (
    NON_PLACES,
    Gazetteer,
    GazetteerVenue,
    Resolution,
    load_venues,
    new_venue_id,
)

# One shared instance for read-only tests (Hypothesis refuses function-scoped fixtures).
BUNDLED = Gazetteer.bundled()


def venue_id(name: str | None, **fields: object) -> str | None:
    found = BUNDLED.resolve(name, **fields)  # type: ignore[arg-type]
    return found.venue_id if found else None


# --- the bundled data ------------------------------------------------------------------------


def test_bundled_file_names_its_source_and_caveats() -> None:
    text = resources.files("agenda").joinpath("data/venues.toml").read_text("utf-8")
    head = text[:1500]
    assert "facts.md" in head
    assert "APPROXIMATE" in head
    assert "uncertain" in head


def test_bundled_venues_are_complete_and_plausible() -> None:
    venues = BUNDLED.venues()
    ids = [v.id for v in venues]
    assert len(ids) == len(set(ids)) >= 25
    for required in ("lakenhal", "mauritshuis", "prinsenhof", "kunstmuseum", "rmo", "kabk"):
        assert BUNDLED.get(required) is not None
    cities = {v.city for v in venues}
    assert {"Den Haag", "Leiden", "Delft"} <= cities
    for v in venues:
        assert v.name and v.city
        assert v.id == v.id.lower() and " " not in v.id
        if v.latitude is not None or v.longitude is not None:
            # the Netherlands' west coast, and never swapped
            assert 51.5 < v.latitude < 52.5 and 4.0 < v.longitude < 5.0  # type: ignore[operator]
    # Organisers without a venue and streets are not places of their own.
    names = {v.name for v in venues}
    assert "Studium Generale Universiteit Leiden" not in names
    assert "Lange Voorhout" not in names


def test_two_valid_addresses_and_postcodes_are_kept() -> None:
    prinsenhof = BUNDLED.get("prinsenhof")
    assert prinsenhof is not None
    assert prinsenhof.addresses[0] == "Sint Agathaplein 1"
    assert set(prinsenhof.postcodes) == {"2611 HR", "2611 HB"}
    lakenhal = BUNDLED.get("lakenhal")
    assert lakenhal is not None
    assert set(lakenhal.addresses) == {"Oude Singel 28", "Oude Singel 32"}
    conservatorium = BUNDLED.get("conservatorium")
    assert conservatorium is not None
    assert conservatorium.addresses[0] == "Juliana van Stolberglaan 1"  # the 2019 building
    # Unknown coordinates stay absent rather than invented.
    pieterskerk = BUNDLED.get("pieterskerk")
    assert pieterskerk is not None and pieterskerk.latitude is None


def test_load_venues_rejects_bad_files() -> None:
    row = b'[[venue]]\nid = "x"\nname = "X"\ncity = "Leiden"\n'
    assert load_venues(row)[0] == GazetteerVenue(id="x", name="X", city="Leiden")
    with pytest.raises(ValueError, match="duplicate"):
        load_venues(row + row)
    with pytest.raises(ValueError, match="uncertain"):
        load_venues(row + b'uncertain = ["adress"]\n')
    with pytest.raises(Exception, match="colour"):
        load_venues(row + b'colour = "red"\n')


# --- step 1: names and aliases ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "city", "expected"),
    [
        ("Gemeentemuseum Den Haag", None, "kunstmuseum"),
        ("Gemeentemuseum", "Den Haag", "kunstmuseum"),
        ("Kunstmuseum", "Den Haag", "kunstmuseum"),
        ("Stedelijk Museum De Lakenhal", None, "lakenhal"),
        ("Lakenhal Leiden", None, "lakenhal"),
        ("De Lakenhal", "Leiden", "lakenhal"),
        ("Het Mauritshuis", None, "mauritshuis"),
        ("Koninklijk Kabinet van Schilderijen", None, "mauritshuis"),
        ("Paard van Troje", "Den Haag", "paard"),
        ("Het Paard", "Den Haag", "paard"),
        ("PAARD", None, "paard"),
        ("RMO", "Leiden", "rmo"),
        ("KABK", None, "kabk"),
        ("Museon Omniversum", None, "museon"),
        ("Omniversum", "Den Haag", "museon"),
        ("Hortus Botanicus", "Leiden", "hortus"),
        ("Prinsenhof", "Delft", "prinsenhof"),
        ("Museum Prinsenhof Delft", None, "prinsenhof"),
        ("Theater a/h Spui", "Den Haag", "spui"),
        ("Universiteit Leiden - Academiegebouw", None, "academiegebouw"),
        ("Stadsgehoorzaal", "Leiden", "stadsgehoorzaal"),
    ],
)
def test_names_aliases_and_renames_resolve(name: str, city: str | None, expected: str) -> None:
    assert venue_id(name, city=city) == expected


def test_name_match_says_how_and_how_sure() -> None:
    assert BUNDLED.resolve("Mauritshuis") == Resolution("mauritshuis", "name", 1.0)
    alias = BUNDLED.resolve("Gemeentemuseum Den Haag")
    assert alias is not None and alias.how == "alias" and 0.9 < alias.confidence < 1.0


@pytest.mark.parametrize(
    ("name", "city", "expected"),
    [
        ("Leidse Schouwburg (Grote Zaal)", None, "schouwburg"),
        ("Leidse Schouwburg, Kleine Zaal", "Leiden", "schouwburg"),
        ("Groot Auditorium, Academiegebouw", "Leiden", "academiegebouw"),
        ("Museum De Lakenhal, Oude Singel 32, Leiden", None, "lakenhal"),
        ("Museum Prinsenhof Delft (Van der Mandelezaal)", None, "prinsenhof"),
        ("Amare (Concertzaal)", "Den Haag", "amare"),
    ],
)
def test_room_suffixes_and_extra_parts_are_ignored(
    name: str, city: str | None, expected: str
) -> None:
    found = BUNDLED.resolve(name, city=city)
    assert found is not None and found.venue_id == expected
    assert found.how == "name" and found.confidence < 1.0


@pytest.mark.parametrize("city", ["Den Haag", "'s-Gravenhage", "The Hague", "den haag", "DEN HAAG"])
def test_hague_spellings_are_one_city(city: str) -> None:
    assert venue_id("Mauritshuis", city=city) == "mauritshuis"
    assert venue_id("Kunstmuseum", city=city) == "kunstmuseum"


def test_scheveningen_is_den_haag() -> None:
    assert venue_id("Zuiderstrandtheater", city="Scheveningen") == "zuiderstrandtheater"


@pytest.mark.parametrize(
    ("name", "city"),
    [
        ("Mauritshuis", "Leiden"),
        ("Kunstmuseum", "Delft"),
        ("Stadhuis", "Delft"),  # Leiden's Stadhuis is not Delft's
        ("Waag", "Delft"),
        ("Prinsenhof", "Leiden"),
        ("Lakenhal", "Amsterdam"),
    ],
)
def test_same_name_in_another_city_does_not_resolve(name: str, city: str) -> None:
    assert BUNDLED.resolve(name, city=city) is None


def test_an_organisation_in_an_alias_is_not_a_venue() -> None:
    # "Universiteit Leiden: Academiegebouw" names one building, not the whole university.
    assert venue_id("Universiteit Leiden") is None
    assert venue_id("Universiteit", city="Leiden") is None


def test_a_city_named_in_the_text_counts() -> None:
    assert venue_id("Stadhuis Delft") is None
    assert venue_id("Stadhuis, Delft") is None
    assert venue_id("Stadhuis", city="Leiden") == "stadhuis-leiden"
    assert venue_id("Stadhuis, Leiden") == "stadhuis-leiden"
    # The text's own city outranks a source's default city.
    assert venue_id("Museum Prinsenhof Delft", city="Den Haag") == "prinsenhof"


def test_an_ambiguous_name_without_city_does_not_resolve() -> None:
    gazetteer = Gazetteer(
        [
            GazetteerVenue(id="waag-leiden", name="Waag", city="Leiden"),
            GazetteerVenue(id="waag-delft", name="Waag", city="Delft"),
        ]
    )
    assert gazetteer.resolve("De Waag") is None
    assert gazetteer.resolve("De Waag", city="Delft") == Resolution("waag-delft", "name", 1.0)
    assert gazetteer.resolve("Waag Leiden") == Resolution("waag-leiden", "name", 1.0)


@pytest.mark.parametrize(
    "name",
    ["Diverse locaties", "Online", "Various locations", "n.t.b.", "NA", "", "  ", "N.v.t.", "TBA"],
)
def test_non_places_do_not_resolve(name: str) -> None:
    assert BUNDLED.resolve(name) is None
    assert BUNDLED.resolve(name, city="Leiden") is None


def test_a_non_place_wins_over_an_address() -> None:
    assert BUNDLED.resolve("Online", address="Plein 29", city="Den Haag") is None
    assert "online" in NON_PLACES


# --- step 2: addresses -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fields", "expected"),
    [
        ("", {"address": "Plein 29, 2511 CS"}, "mauritshuis"),
        ("Plein 29, 2511 CS", {}, "mauritshuis"),
        ("", {"address": "Plein 29", "postcode": "2511cs"}, "mauritshuis"),
        ("", {"address": "Oude Delft 173", "city": "Delft"}, "prinsenhof"),
        ("", {"address": "Oude Delft 181", "city": "Delft"}, "prinsenhof"),
        ("", {"address": "St. Agathaplein 1", "city": "Delft"}, "prinsenhof"),
        ("", {"address": "Oude Singel 32", "city": "Leiden"}, "lakenhal"),
        ("", {"address": "oude singel 32", "city": "leiden"}, "lakenhal"),
        ("", {"address": "Oude Singel 28–32", "city": "Leiden"}, "lakenhal"),
        ("", {"address": "Oude Singel 28/32, 2312 RA Leiden"}, "lakenhal"),
        ("", {"address": "Lange St. Agnietenstraat 10", "city": "Leiden"}, "boerhaave"),
        ("Onbekende zaal", {"address": "Breestr. 60", "city": "Leiden"}, "stadsgehoorzaal"),
        ("Koornmarkt 67, 2611 EC Delft", {}, "tetar-van-elven"),
    ],
)
def test_address_and_postcode_resolve(name: str, fields: dict[str, str], expected: str) -> None:
    found = BUNDLED.resolve(name, **fields)  # type: ignore[arg-type]
    assert found is not None and found.venue_id == expected
    assert found.how == "address"


def test_address_needs_the_same_city_or_postcode() -> None:
    assert BUNDLED.resolve("", address="Plein 29") is None
    assert BUNDLED.resolve("", address="Plein 29", city="Leiden") is None
    assert BUNDLED.resolve("", address="Plein 29", city="Den Haag") is not None
    assert BUNDLED.resolve("", address="Oude Singel 30", city="Leiden") is None  # not a range
    # A messy real-world postcode is not a postcode.
    assert BUNDLED.resolve("", address="Stadhouderslaan 07, 218410 HV") is None


def test_a_shared_address_needs_the_name_to_decide() -> None:
    # The Hortus and the Academiegebouw share an entrance.
    assert BUNDLED.resolve("", address="Rapenburg 73", city="Leiden") is None
    found = BUNDLED.resolve("Hortus", address="Rapenburg 73", city="Leiden")
    assert found is not None and (found.venue_id, found.how) == ("hortus", "address+name")


# --- steps 3 to 5: postcode, coordinates, fuzzy name -----------------------------------------


def test_postcode_plus_fuzzy_name() -> None:
    # Kunstmuseum and Museon share 2517 HV.
    found = BUNDLED.resolve("Museon wetenschapsmuseum", postcode="2517 HV")
    assert found == Resolution("museon", "postcode+name", found.confidence if found else 0)
    assert venue_id("Gemeente museum", postcode="2517HV") == "kunstmuseum"
    assert BUNDLED.resolve("Filmhuis", postcode="2517 HV") is None


def test_coordinates_plus_name() -> None:
    near_hortus: dict[str, Any] = {"latitude": 52.1569, "longitude": 4.4857}
    found = BUNDLED.resolve("Hortus", **near_hortus)
    assert found is not None and (found.venue_id, found.how) == ("hortus", "geo+name")
    # The Academiegebouw is about 100 m away: the name decides.
    assert venue_id("Academiegebouw Groot Auditorium", **near_hortus) == "academiegebouw"
    assert BUNDLED.resolve("Hortus", latitude=52.37, longitude=4.89) is None  # Amsterdam
    assert BUNDLED.resolve("Café De Pieter", **near_hortus) is None
    # Swapped axes (the NDTRC x/y trap) are put right; 0,0 means missing.
    assert venue_id("Hortus", latitude=4.4857, longitude=52.1569) == "hortus"
    assert BUNDLED.resolve("Hortus", latitude=0.0, longitude=0.0) is None


def test_fuzzy_name_alone_only_in_the_same_city() -> None:
    found = BUNDLED.resolve("Prinsenhof Museum", city="Delft")
    assert found is not None and (found.venue_id, found.how) == ("prinsenhof", "fuzzy")
    assert venue_id("Tetar van Elven", city="Delft") == "tetar-van-elven"
    assert venue_id("Tetar van Elven") is None  # no city, no fuzzy guess
    assert venue_id("Prinsenhof Museum", city="Leiden") is None
    # Generic words alone identify nothing.
    assert venue_id("Museum", city="Leiden") is None
    assert venue_id("Theater", city="Den Haag") is None
    assert venue_id("Nieuwe Kerk", city="Delft") is None
    # Another city's venue sharing a word is not a guess for this city's.
    assert venue_id("Wereldmuseum Rotterdam", city="Leiden") is None
    assert venue_id("Wereldmuseum, Amsterdam", city="Leiden") is None
    assert venue_id("Rijksmuseum, Amsterdam", city="Leiden") is None
    assert venue_id("Volkenkunde Café", city="Leiden") is None


# --- learned venues --------------------------------------------------------------------------


def test_learned_venue_resolves_afterwards() -> None:
    gazetteer = Gazetteer.bundled()
    text = "Nieuwe Kerk Delft, Markt 80, 2611 GW Delft"
    assert gazetteer.resolve(text, city="Delft") is None
    new_id = new_venue_id(text, "Delft", {v.id for v in gazetteer.venues()})
    assert new_id == "nieuwe-kerk-delft"
    learned = GazetteerVenue(id=new_id, name=text, city="Delft", addresses=("Markt 80",))
    gazetteer.add(learned)
    assert gazetteer.get(new_id) == learned
    for spelling in (text, "Nieuwe Kerk", "De Nieuwe Kerk Delft", "nieuwe kerk"):
        found = gazetteer.resolve(spelling, city="Delft")
        assert found is not None and found.venue_id == new_id, spelling
    assert gazetteer.resolve("", address="Markt 80", city="Delft") is not None
    assert gazetteer.resolve("Nieuwe Kerk", city="Den Haag") is None
    # The shared bundled instance is not touched.
    assert BUNDLED.get(new_id) is None


def test_learning_venues_gives_each_its_own_id_without_copying_the_gazetteer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each new venue is checked against the gazetteer's ids in place: a copy of every id for
    every venue learned grew with the square of the venues a region has."""
    from datetime import UTC, datetime

    from conftest import make_listing

    from agenda.dedup.places import PlaceResolver
    from agenda.store.database import Store

    store = Store.open(tmp_path / "agenda.db")
    places = PlaceResolver(store, datetime(2027, 1, 1, tzinfo=UTC))

    def copied(self: Gazetteer) -> tuple[GazetteerVenue, ...]:
        raise AssertionError("the gazetteer was copied to learn a venue")

    monkeypatch.setattr(Gazetteer, "venues", copied)
    # The same name in two cities, and 200 made-up names (some close enough to be one).
    rng = random.Random(4)
    names = [("Galerie Zonneveld", "Leiden"), ("Galerie Zonneveld", "Delft")]
    names += [
        ("Atelier " + "".join(rng.choice("bdklmnprstvz") + rng.choice("aeiou") for _ in range(3)),
         "Den Haag")
        for _ in range(200)
    ]  # fmt: skip
    learned = [
        places.venue(make_listing(external_id=f"e{i}", venue_name=name, city=city))
        for i, (name, city) in enumerate(names)
    ]
    venues = {id(venue): venue for venue in learned if venue is not None}
    assert len({venue.id for venue in venues.values()}) == len(venues) > 150
    assert [venue.id for venue in learned[:2] if venue] == [
        "galerie-zonneveld",
        "galerie-zonneveld-delft",
    ]
    store.close()


def test_add_is_idempotent_and_guards_ids() -> None:
    gazetteer = Gazetteer()
    venue = GazetteerVenue(id="lvc", name="LVC", city="Leiden")
    gazetteer.add(venue)
    gazetteer.add(venue)
    assert gazetteer.venues() == (venue,)
    with pytest.raises(ValueError, match="taken"):
        gazetteer.add(GazetteerVenue(id="lvc", name="Other", city="Leiden"))
    with pytest.raises(ValueError, match="city"):
        gazetteer.add(GazetteerVenue(id="x", name="X", city=""))


def test_new_venue_id_is_unique_and_readable() -> None:
    assert new_venue_id("Het Nutshuis", "Den Haag", set()) == "nutshuis"
    assert new_venue_id("Het Nutshuis", "Den Haag", {"nutshuis"}) == "nutshuis-den-haag"
    taken = {"waag", "waag-delft", "waag-delft-2"}
    assert new_venue_id("De Waag", "Delft", taken) == "waag-delft-3"
    assert new_venue_id("Théâtre (zaal 1)", None, set()) == "theatre"
    assert new_venue_id("!!!", None, set()) == "venue"


# --- properties and speed --------------------------------------------------------------------

LABELS = sorted({label for v in BUNDLED.venues() for label in (v.name, *v.aliases)})
ACCENTED = {"a": "á", "e": "é", "i": "ï", "o": "ö", "u": "ü"}


@settings(max_examples=300)
@given(
    label=st.sampled_from(LABELS),
    city=st.sampled_from([None, "Leiden", "Den Haag", "Delft"]),
    flips=st.lists(st.booleans(), min_size=60, max_size=60),
    accents=st.lists(st.booleans(), min_size=60, max_size=60),
    pad=st.sampled_from(["", " ", "   ", "\t"]),
)
def test_resolve_ignores_case_accents_and_spaces(
    label: str, city: str | None, flips: list[bool], accents: list[bool], pad: str
) -> None:
    noisy = ""
    for i, ch in enumerate(label):
        if accents[i % 60] and ch in ACCENTED:
            ch = ACCENTED[ch]
        noisy += ch.upper() if flips[i % 60] else ch
        if ch == " ":
            noisy += pad
    noisy = unicodedata.normalize("NFC", pad + noisy + pad)
    plain = BUNDLED.resolve(label, city=city)
    assert BUNDLED.resolve(noisy, city=city) == plain
    assert Gazetteer.bundled().resolve(noisy, city=city) == plain  # no cache involved


@settings(max_examples=50)
@given(order=st.permutations(list(BUNDLED.venues())), label=st.sampled_from(LABELS))
def test_resolve_does_not_depend_on_venue_order(order: list[GazetteerVenue], label: str) -> None:
    shuffled = Gazetteer(order)
    for city in (None, "Leiden", "Delft", "Den Haag"):
        assert shuffled.resolve(label, city=city) == BUNDLED.resolve(label, city=city)


def test_every_bundled_name_and_alias_resolves_to_its_venue() -> None:
    for venue in BUNDLED.venues():
        for label in (venue.name, *venue.aliases):
            found = BUNDLED.resolve(label, city=venue.city)
            assert found is not None and found.venue_id == venue.id, label


def test_fifty_thousand_cached_resolutions_are_fast() -> None:
    gazetteer = Gazetteer.bundled()
    inputs = [
        ("Museum De Lakenhal", None, "Leiden"),
        ("Het Mauritshuis", None, "Den Haag"),
        ("Leidse Schouwburg (Grote Zaal)", "Oude Vest 43", "Leiden"),
        ("Onbekend Zaaltje", "Straat 5", "Delft"),
        ("Prinsenhof Museum", None, "Delft"),
    ]
    started = time.perf_counter()
    for i in range(50_000):
        name, address, city = inputs[i % len(inputs)]
        gazetteer.resolve(name, address=address, city=city)
    assert time.perf_counter() - started < 2.0


def test_venues_module_stays_pure() -> None:
    code = (
        "import sys, agenda.dedup.gazetteer\n"
        "bad = [m for m in ('sqlite_utils', 'litestar', 'httpx', 'importers', 'feeds')"
        " if m in sys.modules]\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def _typo(rng: Any, text: str) -> str:
    """``text`` with up to two letters dropped, swapped or replaced."""
    letters = list(text)
    for _ in range(rng.randint(0, 2)):
        if len(letters) < 3:
            break
        i = rng.randrange(len(letters) - 1)
        action = rng.choice(("drop", "swap", "replace"))
        if action == "drop":
            del letters[i]
        elif action == "swap":
            letters[i], letters[i + 1] = letters[i + 1], letters[i]
        else:
            letters[i] = rng.choice("aeioubdklmnprst")
    return "".join(letters)


def test_the_city_wide_fuzzy_pass_answers_as_walking_every_venue_does() -> None:
    """The vectorised city pass must give exactly the answer of scoring each venue in
    Python: typo'd, shortened and extended names of real venues, plus made-up ones."""
    import random

    from agenda.dedup.gazetteer import FUZZY_THRESHOLD, GazetteerVenue

    rng = random.Random(5)
    gazetteer = Gazetteer.bundled()
    # Many venues in one city, as in a large region: names that share words and letters.
    # Half of them are learned after the cities' indexes were first used, as in an import.
    for i in range(300):
        if i == 150:
            for city in ("leiden", "den haag", "delft"):
                gazetteer._best_fuzzy_in_city("theater noordeinde", city, FUZZY_THRESHOLD)
        name = (
            f"{rng.choice(['Theater', 'Zaal', 'Galerie', 'Studio'])} {_typo(rng, 'Noordeinde')} {i}"
        )
        gazetteer.add(
            GazetteerVenue(id=f"made-{i}", name=name, city=rng.choice(["Den Haag", "Leiden"]))
        )
    queries: list[tuple[str, str]] = []
    for city in ("leiden", "den haag", "delft"):
        keys = [k for vid in gazetteer._by_city.get(city, []) for k in gazetteer._keys[vid]]
        for key in rng.sample(keys, min(len(keys), 60)):
            queries += [(key, city), (_typo(rng, key), city), (key + " zaal", city),
                        (" ".join(key.split()[:-1]) or key, city)]  # fmt: skip
    assert len(queries) > 300
    answers = set()
    for query, city in queries:
        slow = gazetteer._best_fuzzy(
            [(query, None)], gazetteer._by_city[city], FUZZY_THRESHOLD, strict=True
        )
        assert gazetteer._best_fuzzy_in_city(query, city, FUZZY_THRESHOLD) == slow, query
        answers.add(slow is None)
    assert answers == {True, False}  # both outcomes were exercised
