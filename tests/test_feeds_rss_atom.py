"""RSS 2.0 and Atom feeds: parse clean in feedparser, explicit form checks, golden files.

Golden files live in tests/golden/ and are compared byte for byte. After an intended
change of the output, regenerate them and review the diff:

    REGEN_GOLDEN=1 .venv/bin/python -m pytest tests/test_feeds_rss_atom.py tests/test_feeds_jsonfeed.py

The event factory and sample set here are shared with test_feeds_jsonfeed.py.
"""

from __future__ import annotations

import json
import os
import random
import re
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import feedparser
import pytest

from agenda.model import Event, SourceRef, VenueRef
from agenda.pictures import StoredPicture
from feeds.atom import render_atom
from feeds.base import FeedOptions, is_span
from feeds.rss import image_type, render_rss

GOLDEN = Path(__file__).parent / "golden"
NOW = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)

LAKENHAL = VenueRef(
    id="museum-de-lakenhal-leiden",
    name="Museum De Lakenhal",
    city="Leiden",
    address="Oude Singel 32",
    postcode="2312 RA",
    latitude=52.1626,
    longitude=4.4935,
)
PIETERSKERK = VenueRef(
    id="pieterskerk-leiden", name="Pieterskerk", city="Leiden", address="Kloksteeg 16"
)
KORZO = VenueRef(
    id="korzo-den-haag",
    name="Korzo",
    city="Den Haag",
    address="Prinsestraat 42",
    postcode="2513 CE",
    latitude=52.0812,
    longitude=4.3067,
)


CONCERT_PNG = "https://www.pieterskerk.com/img/concert.png"
REMBRANDT_JPG = "https://www.lakenhal.nl/media/rembrandt.JPG?w=800"
# What the picture job recorded: feeds name our copies, never the sources' pictures.
PICTURES = {
    CONCERT_PNG: StoredPicture(url=CONCERT_PNG, status="ok", hash="c" * 32, width=1600,
                               height=1000),
    REMBRANDT_JPG: StoredPicture(url=REMBRANDT_JPG, status="ok", hash="d" * 32, width=800,
                                 height=600),
}  # fmt: skip
OUR_CONCERT = f"https://agenda.example.org/images/{'c' * 32}-1200.jpg"
OUR_REMBRANDT = f"https://agenda.example.org/images/{'d' * 32}-1200.jpg"


def make_options(**overrides: Any) -> FeedOptions:
    values: dict[str, Any] = {
        "title": "Regio-agenda Leiden",
        "description": "Alles wat er te doen is in Leiden",
        "base_url": "https://agenda.example.org",
        "self_url": "https://agenda.example.org/feeds/leiden.rss",
        "now": NOW,
        "pictures": PICTURES,
    }
    values.update(overrides)
    return FeedOptions(**values)


def make_event(**overrides: Any) -> Event:
    values: dict[str, Any] = {
        "id": "e-winter",
        "title": "Lezing: Leiden in de Gouden Eeuw",
        "start": datetime(2027, 2, 3, 19, 0, tzinfo=UTC),
        "end": datetime(2027, 2, 3, 20, 15, tzinfo=UTC),
        "venue": LAKENHAL,
        "city": "Leiden",
        "url": "https://www.lakenhal.nl/agenda/lezing-gouden-eeuw",
        "categories": ("Lezing",),
        "kind": "lecture",
        "price": "€ 12,50",
        "sources": (
            SourceRef(
                source="lakenhal",
                external_id="evt-1",
                url="https://www.lakenhal.nl/agenda/lezing-gouden-eeuw",
            ),
        ),
        "created": datetime(2026, 12, 1, 10, 0, tzinfo=UTC),
        "updated": datetime(2027, 1, 3, 8, 30, tzinfo=UTC),
    }
    values.update(overrides)
    return Event(**values)


def sample_events() -> list[Event]:
    """One event per case the feeds must get right, in no particular order."""
    return [
        make_event(),  # winter, timed, venue with coordinates, price
        make_event(
            id="e-summer",
            title="Zomerconcert in de Pieterskerk",
            start=datetime(2027, 7, 10, 18, 0, tzinfo=UTC),
            end=datetime(2027, 7, 10, 20, 0, tzinfo=UTC),
            venue=PIETERSKERK,
            url="https://www.pieterskerk.com/zomerconcert",
            categories=("Muziek", "Klassiek", "Muziek"),
            kind="concert",
            audience=("family",),
            price=None,
            is_free=True,
            image="https://www.pieterskerk.com/img/concert.png",
            created=datetime(2026, 12, 2, 12, 0, tzinfo=UTC),
            updated=datetime(2026, 12, 2, 12, 0, tzinfo=UTC),
        ),
        make_event(
            id="e-allday",
            title="Open Monumentendag Delft",
            start=None,
            end=None,
            start_date=date(2027, 9, 11),
            venue=None,
            city="Delft",
            url=None,
            categories=("Erfgoed",),
            kind=None,
            price=None,
            is_free=True,
            sources=(),
            updated=datetime(2026, 12, 15, 7, 0, tzinfo=UTC),
        ),
        make_event(
            id="e-span",
            title="Jonge Rembrandt",
            titles={"nl": "Jonge Rembrandt", "en": "Young Rembrandt"},
            description="<p>De vroege jaren van Rembrandt in Leiden.</p>",
            descriptions={"en": "<p>Rembrandt's early years in Leiden.</p>"},
            start=None,
            end=None,
            start_date=date(2026, 11, 7),
            end_date=date(2027, 3, 14),
            url="https://www.lakenhal.nl/tentoonstellingen/jonge-rembrandt",
            categories=("Tentoonstelling",),
            themes=("rembrandt-2027",),
            kind="exhibition",
            price="€ 17,50",
            image="https://www.lakenhal.nl/media/rembrandt.JPG?w=800",
            created=datetime(2026, 10, 1, 9, 0, tzinfo=UTC),
            updated=datetime(2026, 10, 1, 9, 0, tzinfo=UTC),
        ),
        make_event(
            id="e-cancelled",
            title="Rondleiding Hortus botanicus",
            status="cancelled",
            start=datetime(2027, 3, 20, 13, 0, tzinfo=UTC),
            end=None,
            venue=None,
            price=None,
            updated=datetime(2027, 1, 5, 16, 45, tzinfo=UTC),
        ),
        make_event(
            id="e-withdrawn-old",
            title="Verdwenen voorstelling",
            withdrawn=True,
            start=datetime(2027, 2, 10, 19, 30, tzinfo=UTC),
            end=None,
            updated=datetime(2026, 11, 20, 12, 0, tzinfo=UTC),
        ),
        make_event(
            id="e-withdrawn-recent",
            title="Ingetrokken lezing",
            withdrawn=True,
            start=datetime(2027, 2, 17, 19, 30, tzinfo=UTC),
            end=None,
            updated=datetime(2027, 1, 8, 12, 0, tzinfo=UTC),
        ),
        make_event(
            id="e-postponed",
            title="Dansvoorstelling",
            status="postponed",
            start=datetime(2027, 4, 1, 18, 30, tzinfo=UTC),
            end=datetime(2027, 4, 1, 20, 0, tzinfo=UTC),
            venue=KORZO,
            city="Den Haag",
            kind="performance",
        ),
        make_event(
            id="e-html",
            title="Bach & Händel <live>",
            description=(
                '<p>Bach &amp; Händel &lt;live&gt; in <a href="https://example.org/x?a=1&amp;b=2">'
                'de kerk</a></p><script>alert("x")</script>'
            ),
            start=datetime(2027, 5, 12, 18, 0, tzinfo=UTC),
            end=None,
            venue=PIETERSKERK,
        ),
        make_event(
            id="e-escapes",
            title='Café-concert: jazz, blues; soul \\ één "avond"',
            description="Platte tekst, met ; en \\ en é.\nTweede regel & meer <3",
            start=datetime(2027, 6, 1, 17, 0, tzinfo=UTC),
            end=datetime(2027, 6, 1, 19, 0, tzinfo=UTC),
            venue=KORZO,
            city="Den Haag",
            price="€ 5 / € 3,50",
            categories=("Jazz, blues; soul",),
        ),
    ]


# The ids of the sample events a feed lists, by start (the old withdrawn one left).
LISTED = [
    "e-span",
    "e-winter",
    "e-withdrawn-recent",
    "e-cancelled",
    "e-postponed",
    "e-html",
    "e-escapes",
    "e-summer",
    "e-allday",
]


def check_golden(name: str, data: bytes) -> None:
    """Compare ``data`` with tests/golden/``name`` byte for byte (REGEN_GOLDEN=1 rewrites)."""
    path = GOLDEN / name
    if os.environ.get("REGEN_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
    assert path.exists(), f"{path} missing: run with REGEN_GOLDEN=1 to create it"
    assert data == path.read_bytes(), f"{name} differs from its golden file (REGEN_GOLDEN=1)"


def many_events(count: int) -> list[Event]:
    """``count`` varied events with fixed values (deterministic, no randomness)."""
    venues = (LAKENHAL, PIETERSKERK, KORZO)
    base = datetime(2027, 1, 1, 9, 0, tzinfo=UTC)
    events = []
    for n in range(count):
        events.append(
            make_event(
                id=f"e{n:06d}",
                title=f"Evenement {n} — één & <twee>",
                start=base + timedelta(hours=7 * n),
                end=base + timedelta(hours=7 * n + 2),
                venue=venues[n % 3],
                status="cancelled" if n % 50 == 0 else "scheduled",
                image=f"https://img.example.org/{n}.webp" if n % 4 == 0 else None,
                description=f"<p>Beschrijving {n} &amp; meer</p>",
                updated=datetime(2027, 1, 9, tzinfo=UTC) - timedelta(minutes=n),
            )
        )
    return events


RFC822 = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    r" \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$"
)
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def tag_texts(xml: str, tag: str) -> list[str]:
    return re.findall(rf"<{tag}>([^<]*)</{tag}>", xml)


@pytest.fixture(scope="module")
def rss() -> bytes:
    return render_rss(sample_events(), make_options())


@pytest.fixture(scope="module")
def atom() -> bytes:
    return render_atom(sample_events(), make_options(self_url="https://agenda.example.org/a.atom"))


def by_id(entries: list[Any]) -> dict[str, Any]:
    return {e.id.split("@")[0].rsplit("/", 1)[-1]: e for e in entries}


# --- RSS -------------------------------------------------------------------------------


def test_rss_parses_clean_with_every_item_complete(rss: bytes) -> None:
    parsed = feedparser.parse(rss)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    assert len(parsed.entries) == len(LISTED)
    for entry in parsed.entries:
        assert entry.title and entry.link and entry.id
        assert entry.link.startswith("https://agenda.example.org/events/e-")
        assert entry.id.endswith("@agenda.example.org")
        assert entry.guidislink is False


def test_rss_channel(rss: bytes) -> None:
    xml = rss.decode()
    parsed = feedparser.parse(rss)
    assert parsed.feed.title == "Regio-agenda Leiden"
    assert parsed.feed.link == "https://agenda.example.org"
    assert parsed.feed.language == "nl"
    assert (
        '<atom:link href="https://agenda.example.org/feeds/leiden.rss" rel="self" '
        'type="application/rss+xml"/>' in xml
    )
    assert "<ttl>60</ttl>" in xml
    # The latest change among the listed events, not the clock.
    assert tag_texts(xml, "lastBuildDate") == ["Fri, 08 Jan 2027 12:00:00 +0000"]
    assert "python-feedgen" not in xml and "<generator>Regio-agenda</generator>" in xml


def test_rss_guids_are_not_permalinks(rss: bytes) -> None:
    guids = re.findall(r"<guid[^>]*>", rss.decode())
    assert len(guids) == len(LISTED)
    assert all(g == '<guid isPermaLink="false">' for g in guids)


def test_rss_dates_are_rfc822_and_pubdate_is_the_last_change(rss: bytes) -> None:
    xml = rss.decode()
    stamps = tag_texts(xml, "pubDate") + tag_texts(xml, "lastBuildDate")
    assert stamps and all(RFC822.match(s) for s in stamps), stamps
    events = {e.id: e for e in sample_events()}
    for entry in feedparser.parse(rss).entries:
        event = events[entry.id.split("@")[0]]
        published = parsedate_to_datetime(entry.published)
        assert published == event.updated
        assert published != event.start


def test_rss_items_are_ordered_by_start(rss: bytes) -> None:
    ids = [e.id.split("@")[0] for e in feedparser.parse(rss).entries]
    assert ids == LISTED


def test_rss_titles_carry_date_title_and_venue(rss: bytes) -> None:
    entries = by_id(feedparser.parse(rss).entries)
    assert entries["e-span"].title == "za 7 nov · Jonge Rembrandt — Museum De Lakenhal"
    assert entries["e-winter"].title == (
        "wo 3 feb · Lezing: Leiden in de Gouden Eeuw — Museum De Lakenhal"
    )
    assert entries["e-allday"].title == "za 11 sep · Open Monumentendag Delft — Delft"
    assert (
        entries["e-cancelled"].title
        == "GEANNULEERD: za 20 mrt · Rondleiding Hortus botanicus — Leiden"
    )
    assert entries["e-withdrawn-recent"].title.startswith("GEANNULEERD: wo 17 feb · ")
    assert entries["e-postponed"].title.startswith("UITGESTELD: do 1 apr · Dansvoorstelling")


def test_the_brief_example_title() -> None:
    event = make_event(start=None, end=None, start_date=date(2019, 11, 2), title="Jonge Rembrandt")
    parsed = feedparser.parse(render_rss([event], make_options()))
    assert parsed.entries[0].title == "za 2 nov · Jonge Rembrandt — Museum De Lakenhal"


def test_rss_in_english() -> None:
    parsed = feedparser.parse(render_rss(sample_events(), make_options(lang="en")))
    assert parsed.bozo == 0
    assert parsed.feed.language == "en"
    entries = by_id(parsed.entries)
    assert entries["e-span"].title == "Sat 7 Nov · Young Rembrandt — Museum De Lakenhal"
    assert "Rembrandt's early years" in entries["e-span"].description
    assert "More information" in entries["e-span"].description
    assert entries["e-cancelled"].title.startswith("CANCELLED: Sat 20 Mar · ")
    assert "free" in entries["e-summer"].description
    assert (
        "Price: €12.50" in entries["e-winter"].description
    )  # British, as an English reader writes it
    # No English title from any source: the event's own title.
    assert "Lezing: Leiden in de Gouden Eeuw" in entries["e-winter"].title


def test_rss_description_has_when_where_price_and_link(rss: bytes) -> None:
    entries = by_id(feedparser.parse(rss).entries)
    winter = entries["e-winter"].description
    assert "woensdag 3 februari 2027 20:00–21:15" in winter
    assert "Museum De Lakenhal, Oude Singel 32, 2312 RA Leiden" in winter
    assert "Prijs: € 12,50" in winter
    assert (
        '<a href="https://www.lakenhal.nl/agenda/lezing-gouden-eeuw">Meer informatie</a>' in winter
    )
    summer = entries["e-summer"].description
    assert "zaterdag 10 juli 2027 20:00–22:00" in summer  # +02:00 in summer
    assert "gratis" in summer
    span = entries["e-span"].description
    assert "zaterdag 7 november 2026 t/m zondag 14 maart 2027" in span
    assert "<p>De vroege jaren van Rembrandt in Leiden.</p>" in span
    assert "Meer informatie" not in entries["e-allday"].description  # no source page


def test_rss_categories_once_each(rss: bytes) -> None:
    entries = by_id(feedparser.parse(rss).entries)
    assert [t.term for t in entries["e-summer"].tags] == ["Muziek", "Klassiek"]
    assert [t.term for t in entries["e-escapes"].tags] == ["Jazz, blues; soul"]


def test_rss_image_is_an_enclosure_of_our_own_copy(rss: bytes) -> None:
    entries = by_id(feedparser.parse(rss).entries)
    (concert,) = entries["e-summer"].enclosures
    assert concert.href == OUR_CONCERT
    assert concert.type == "image/jpeg"
    assert concert.length == "0"
    (jpeg,) = entries["e-span"].enclosures
    assert jpeg.href == OUR_REMBRANDT and jpeg.type == "image/jpeg"
    assert entries["e-winter"].enclosures == []


def test_a_picture_not_fetched_yet_or_refused_is_no_enclosure() -> None:
    refused = {CONCERT_PNG: StoredPicture(url=CONCERT_PNG, status="refused", reason="bomb")}
    for options in (make_options(pictures={}), make_options(pictures=refused)):
        for body in (render_rss(sample_events(), options), render_atom(sample_events(), options)):
            assert all(not e.enclosures for e in feedparser.parse(body).entries)
            assert b"pieterskerk.com/img" not in body and b"lakenhal.nl/media" not in body


def test_old_withdrawn_event_is_gone_and_recent_one_cancelled(rss: bytes, atom: bytes) -> None:
    for data in (rss, atom):
        assert b"e-withdrawn-old" not in data
        assert b"Verdwenen voorstelling" not in data
        assert b"e-withdrawn-recent" in data


def test_html_and_entities_are_escaped(rss: bytes, atom: bytes) -> None:
    for data in (rss, atom):
        xml = data.decode()
        assert "<script" not in xml and "<live>" not in xml and "<p>" not in xml
        assert "&lt;p&gt;Bach &amp;amp; Händel &amp;lt;live&amp;gt;" in xml
        assert "Bach &amp; Händel &lt;live&gt;" in xml  # the title, escaped once
    # The HTML as we wrote it (feedparser sanitises on its own, so read the XML directly).
    bodies = {
        item.findtext("guid", "").split("@")[0]: item.findtext("description", "")
        for item in ElementTree.fromstring(rss).iter("item")
    }
    assert (
        '<p>Bach &amp; Händel &lt;live&gt; in <a href="https://example.org/x?a=1&amp;b=2"'
        in (bodies["e-html"])
    )
    assert "script" not in bodies["e-html"] and "alert" not in bodies["e-html"]
    assert (
        "<p>Platte tekst, met ; en \\ en é.<br>Tweede regel &amp; meer &lt;3</p>"
        in (bodies["e-escapes"])
    )
    entries = by_id(feedparser.parse(rss).entries)
    assert entries["e-html"].title == "wo 12 mei · Bach & Händel <live> — Pieterskerk"
    escapes = entries["e-escapes"]
    assert escapes.title.startswith('di 1 jun · Café-concert: jazz, blues; soul \\ één "avond"')


def test_control_characters_do_not_break_the_feed() -> None:
    event = make_event(title="Bad\x00 title\x0b", description="text\x1f here")
    for data in (render_rss([event], make_options()), render_atom([event], make_options())):
        parsed = feedparser.parse(data)
        assert parsed.bozo == 0
        assert "Bad title" in parsed.entries[0].title


def test_empty_feed_is_valid_and_dated_now() -> None:
    rss = render_rss([], make_options())
    assert feedparser.parse(rss).bozo == 0
    assert tag_texts(rss.decode(), "lastBuildDate") == ["Sun, 10 Jan 2027 09:00:00 +0000"]
    atom = render_atom([], make_options())
    assert feedparser.parse(atom).bozo == 0
    assert "<updated>2027-01-10T09:00:00+00:00</updated>" in atom.decode()


def test_exhibitions_can_be_excluded() -> None:
    options = make_options(exhibitions="exclude")
    ids = [
        e.id.split("@")[0] for e in feedparser.parse(render_rss(sample_events(), options)).entries
    ]
    assert "e-span" not in ids and "e-winter" in ids


@pytest.mark.parametrize(
    ("url", "media_type"),
    [
        ("https://x.nl/a/b.PNG", "image/png"),
        ("https://x.nl/a/b.webp?w=10", "image/webp"),
        ("https://x.nl/a/b.svg#top", "image/svg+xml"),
        ("https://x.nl/image?id=7.png", "image/jpeg"),  # the query is not the extension
        ("https://cdn.x.nl/abc123", "image/jpeg"),
    ],
)
def test_image_type_from_the_extension(url: str, media_type: str) -> None:
    assert image_type(url) == media_type


def test_spans_are_several_days_or_a_long_timed_stretch() -> None:
    start = datetime(2027, 2, 3, 9, 0, tzinfo=UTC)
    assert is_span(make_event(start=start, end=start + timedelta(hours=21)))
    assert not is_span(make_event(start=start, end=start + timedelta(hours=8)))
    assert not is_span(make_event(start=start, end=None))
    day = date(2027, 2, 3)
    assert is_span(make_event(start=None, end=None, start_date=day, end_date=date(2027, 2, 4)))
    assert not is_span(make_event(start=None, end=None, start_date=day, end_date=day))


# --- Atom ------------------------------------------------------------------------------


def test_atom_parses_clean_with_every_entry_complete(atom: bytes) -> None:
    parsed = feedparser.parse(atom)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    ids = [e.id for e in parsed.entries]
    assert ids == [f"tag:agenda.example.org,2026:event/{i}" for i in LISTED]
    for entry in parsed.entries:
        assert entry.title and entry.link.startswith("https://agenda.example.org/events/")
        assert entry.content[0].type == "text/html"


def test_atom_feed_head(atom: bytes) -> None:
    xml = atom.decode()
    parsed = feedparser.parse(atom)
    assert parsed.feed.id == "https://agenda.example.org/a.atom"
    assert parsed.feed.subtitle == "Alles wat er te doen is in Leiden"
    assert parsed.feed.author == "Regio-agenda"
    assert '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="nl">' in xml
    assert (
        '<link href="https://agenda.example.org/a.atom" rel="self" type="application/atom+xml"/>'
        in xml
    )
    assert '<link href="https://agenda.example.org" rel="alternate" type="text/html"/>' in xml
    assert "python-feedgen" not in xml and "<generator>Regio-agenda</generator>" in xml


def test_atom_dates_are_rfc3339_from_the_bookkeeping(atom: bytes) -> None:
    xml = atom.decode()
    stamps = tag_texts(xml, "updated") + tag_texts(xml, "published")
    assert stamps and all(RFC3339.match(s) for s in stamps), stamps
    events = {e.id: e for e in sample_events()}
    for entry in feedparser.parse(atom).entries:
        event = events[entry.id.rsplit("/", 1)[1]]
        assert entry.updated == event.updated.strftime("%Y-%m-%dT%H:%M:%S+00:00")
        assert entry.published == event.created.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def test_atom_image_is_an_enclosure_link(atom: bytes) -> None:
    entries = by_id(feedparser.parse(atom).entries)
    (enclosure,) = entries["e-summer"].enclosures
    assert enclosure.href == OUR_CONCERT
    assert enclosure.type == "image/jpeg"


def test_atom_entry_links_keep_rel_and_type(atom: bytes) -> None:
    # feedgen 1.0 drops rel/type from entry links; the renderer writes them itself.
    root = ElementTree.fromstring(atom)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    for entry in root.findall("a:entry", ns):
        links = [link.attrib for link in entry.findall("a:link", ns)]
        alternates = [link for link in links if link.get("rel") == "alternate"]
        assert len(alternates) == 1 and alternates[0]["type"] == "text/html"
        assert all(link.get("rel") in ("alternate", "enclosure") for link in links)


def test_atom_entry_without_bookkeeping_takes_the_feed_time() -> None:
    event = make_event(created=None, updated=None)
    parsed = feedparser.parse(render_atom([event], make_options()))
    assert parsed.bozo == 0
    assert parsed.entries[0].updated == "2027-01-10T09:00:00+00:00"
    assert "published" not in parsed.entries[0]


# --- determinism and golden files ------------------------------------------------------


@pytest.mark.parametrize("render", [render_rss, render_atom])
def test_same_input_same_bytes_whatever_the_input_order(render: Any) -> None:
    events = sample_events()
    first = render(events, make_options())
    shuffled = list(events)
    random.Random(7).shuffle(shuffled)
    assert render(shuffled, make_options()) == first
    assert render(list(reversed(events)), make_options()) == first


def test_golden_rss(rss: bytes) -> None:
    check_golden("feed.rss", rss)


def test_golden_rss_english() -> None:
    check_golden("feed.en.rss", render_rss(sample_events(), make_options(lang="en")))


def test_golden_atom(atom: bytes) -> None:
    check_golden("feed.atom", atom)


def test_two_thousand_events_render_the_same_twice() -> None:
    events = many_events(2000)
    options = make_options(max_bytes=10_000_000)
    rss = render_rss(events, options)
    assert rss == render_rss(list(reversed(events)), options)
    parsed = feedparser.parse(rss)
    assert parsed.bozo == 0 and len(parsed.entries) == 2000
    atom = render_atom(events, options)
    assert atom == render_atom(events, options)
    assert atom.count(b"<entry>") == 2000


@pytest.mark.parametrize("fmt", ["rss", "atom", "jsonfeed"])
def test_feeds_stay_under_their_budget_dropping_the_furthest_events(fmt: str) -> None:
    from feeds.formats import render_format

    events = many_events(2000)
    whole = render_format(fmt, events, make_options(max_bytes=10_000_000))
    budget = len(whole) // 4
    body = render_format(fmt, events, make_options(max_bytes=budget))
    assert budget * 0.8 < len(body) <= budget
    text = body.decode()
    assert "Ingekort tot" in text  # the feed says so
    if fmt == "jsonfeed":
        items = json.loads(body)["items"]
        ids = [item["id"] for item in items]
        everything = [item["id"] for item in json.loads(whole)["items"]]
    else:
        parsed, complete = feedparser.parse(body), feedparser.parse(whole)
        assert parsed.bozo == 0
        ids = [e.id for e in parsed.entries]
        everything = [e.id for e in complete.entries]
    assert 0 < len(ids) < len(everything)
    assert ids == everything[: len(ids)]  # the earliest kept, in order
    assert body == render_format(fmt, list(reversed(events)), make_options(max_bytes=budget))
