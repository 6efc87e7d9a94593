"""The iCalendar feed: ical.js and icalendar parse it, RFC 5545 form, status, budget, golden.

ical.js (Mozilla's parser, inside Thunderbird) runs in node: ``tests/js/parse_ics.mjs``.
Install it once with ``npm ci --prefix tests/js`` (CI does); without it these tests fail.

Golden files live in tests/golden/feed*.ics and are compared byte for byte. After an
intended change to the output, regenerate them and review the diff:

    REGEN_GOLDEN=1 .venv/bin/python -m pytest tests/test_feeds_ical.py
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from msgspec import structs

from agenda.model import Event, VenueRef
from feeds.base import FeedOptions
from feeds.ical import (
    escape_text,
    fold,
    google_calendar_event_url,
    google_calendar_subscribe_url,
    render_event_ics,
    render_ics,
    webcal_url,
)

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)
CREATED = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
UPDATED = datetime(2027, 1, 5, 12, 30, tzinfo=UTC)
CANCELLED_AT = NOW - timedelta(days=5)
HOST = "agenda.example.org"
GOLDEN = Path(__file__).parent / "golden"
JS = Path(__file__).parent / "js"

LAKENHAL = VenueRef(
    id="lakenhal",
    name="Museum De Lakenhal",
    city="Leiden",
    address="Oude Singel 32",
    postcode="2312 RA",
    latitude=52.1601,
    longitude=4.4931,
)
PAARD = VenueRef(id="paard", name="Paard", city="Den Haag", address="Prinsegracht 12")
TRICKY_TITLE = 'Bach, Händel; "Cantates" \\ Ω – 𝄞 koor'
TRICKY_TEXT = (
    "Regel één; met komma, puntkomma en backslash \\ erin.\n"
    "Tweede regel: Ærø, Ŝtraße, 東京, 𝄞𝄞𝄞𝄞 en é.\n" * 3
)


def make_event(**overrides: Any) -> Event:
    values: dict[str, Any] = {
        "id": "evt-winter",
        "title": "Winterconcert",
        "start": datetime(2027, 1, 24, 20, 0, tzinfo=AMS),
        "end": datetime(2027, 1, 24, 22, 0, tzinfo=AMS),
        "description": "Kamermuziek in de grote zaal.",
        "venue": LAKENHAL,
        "city": "Leiden",
        "categories": ("Concert",),
        "kind": "concert",
        "price": "€ 17,50",
        "sequence": 1,
        "created": CREATED,
        "updated": UPDATED,
    }
    values.update(overrides)
    return Event(**values)


def make_options(**overrides: Any) -> FeedOptions:
    values: dict[str, Any] = {
        "title": "Regio-agenda",
        "description": "Culturele agenda van Den Haag, Leiden en Delft",
        "base_url": f"https://{HOST}",
        "self_url": f"https://{HOST}/feeds/agenda.ics",
        "now": NOW,
    }
    values.update(overrides)
    return FeedOptions(**values)


WINTER = make_event()
SUMMER = make_event(
    id="evt-summer",
    title="Zomeravond op het plein",
    start=datetime(2027, 7, 10, 14, 0, tzinfo=AMS),
    end=datetime(2027, 7, 10, 16, 30, tzinfo=AMS),
    venue=PAARD,
    city="Den Haag",
    price=None,
    is_free=True,
    image="https://paard.example/zomer.jpg",
)
# Across the spring gap: 01:30 CET to 03:30 CEST is one real hour.
SPRING_SWITCH = make_event(
    id="evt-dst-spring",
    title="Nacht van de klok",
    start=datetime(2027, 3, 28, 0, 30, tzinfo=UTC),
    end=datetime(2027, 3, 28, 1, 30, tzinfo=UTC),
)
# 02:30 CEST to 02:30 CET: both wall times happen twice that night.
AUTUMN_SWITCH = make_event(
    id="evt-dst-autumn",
    title="Het extra uur",
    start=datetime(2027, 10, 31, 0, 30, tzinfo=UTC),
    end=datetime(2027, 10, 31, 1, 30, tzinfo=UTC),
)
AUTUMN_DAY = make_event(
    id="evt-autumn-day",
    title="Herfstmiddag",
    start=datetime(2027, 10, 31, 14, 0, tzinfo=AMS),
    end=datetime(2027, 10, 31, 15, 0, tzinfo=AMS),
)
KINGS_DAY = make_event(
    id="evt-koningsdag",
    title="Koningsdag in de Hortus",
    start=None,
    end=None,
    start_date=date(2027, 4, 27),
    end_date=date(2027, 4, 27),
    is_free=True,
    price=None,
)
EXHIBITION = make_event(
    id="evt-jonge-rembrandt",
    title="Jonge Rembrandt",
    start=None,
    end=None,
    start_date=date(2027, 2, 1),
    end_date=date(2027, 2, 5),
    kind="exhibition",
    categories=("Tentoonstelling", "Rembrandt"),
    description="<p>Rembrandt &amp; Lievens in Leiden</p><p>Caf&eacute; &lt;open&gt;</p>",
    image="https://lakenhal.example/rembrandt.jpg",
)
# A timed span across the spring switch: opening hours 10:00-17:00 every day.
TIMED_EXHIBITION = make_event(
    id="evt-delfts-blauw",
    title="Delfts Blauw",
    start=datetime(2027, 3, 26, 10, 0, tzinfo=AMS),
    end=datetime(2027, 3, 29, 17, 0, tzinfo=AMS),
    kind="exhibition",
)
CANCELLED = make_event(
    id="evt-cancelled",
    title="Lezing over Vermeer",
    start=datetime(2027, 2, 3, 19, 30, tzinfo=AMS),
    end=datetime(2027, 2, 3, 21, 0, tzinfo=AMS),
    status="cancelled",
    sequence=3,
    updated=CANCELLED_AT,
)
WITHDRAWN_RECENT = make_event(
    id="evt-withdrawn-recent",
    title="Rondleiding",
    start=datetime(2027, 2, 6, 11, 0, tzinfo=AMS),
    end=datetime(2027, 2, 6, 12, 0, tzinfo=AMS),
    withdrawn=True,
    sequence=2,
    updated=NOW - timedelta(days=10),
)
WITHDRAWN_OLD = make_event(
    id="evt-withdrawn-old",
    title="Vergeten rondleiding",
    start=datetime(2027, 2, 7, 11, 0, tzinfo=AMS),
    end=datetime(2027, 2, 7, 12, 0, tzinfo=AMS),
    withdrawn=True,
    updated=NOW - timedelta(days=40),
)
POSTPONED = make_event(
    id="evt-postponed",
    title="Orgelconcert",
    start=datetime(2027, 2, 14, 15, 0, tzinfo=AMS),
    end=datetime(2027, 2, 14, 16, 0, tzinfo=AMS),
    status="postponed",
    sequence=4,
)
ENGLISH = make_event(
    id="evt-english",
    title="Rembrandts tekeningen",
    titles={"en": "Rembrandt's drawings"},
    descriptions={"en": "Drawings from the Leiden years."},
    start=datetime(2027, 5, 12, 19, 0, tzinfo=AMS),
    end=datetime(2027, 5, 12, 20, 0, tzinfo=AMS),
    kind="lecture",
)
TRICKY = make_event(
    id="evt-tricky",
    title=TRICKY_TITLE,
    description=TRICKY_TEXT,
    start=datetime(2027, 6, 1, 20, 15, tzinfo=AMS),
    end=datetime(2027, 6, 1, 22, 0, tzinfo=AMS),
    categories=("Muziek, klassiek", "Koor;zang"),
)
NO_END = make_event(
    id="evt-no-end",
    title="Inloopavond",
    start=datetime(2027, 2, 20, 18, 0, tzinfo=AMS),
    end=None,
    price=None,
)
EVENTS = [
    TRICKY,
    WINTER,
    SUMMER,
    SPRING_SWITCH,
    AUTUMN_SWITCH,
    AUTUMN_DAY,
    KINGS_DAY,
    EXHIBITION,
    TIMED_EXHIBITION,
    CANCELLED,
    WITHDRAWN_RECENT,
    WITHDRAWN_OLD,
    POSTPONED,
    ENGLISH,
    NO_END,
]


# --- helpers -------------------------------------------------------------------------------


def ical_js(data: bytes, tmp_path: Path) -> dict[str, Any]:
    """What ical.js makes of ``data``: {calname, caldesc, zones, events: [...]}."""
    node = shutil.which("node")
    if node is None or not (JS / "node_modules" / "ical.js").is_dir():
        pytest.fail(
            "ical.js is not installed: run `npm ci --prefix tests/js` (needs node); CI installs it"
        )
    path = tmp_path / "feed.ics"
    path.write_bytes(data)
    # A machine zone far from Amsterdam: a TZID that ical.js failed to resolve would show.
    env = {**os.environ, "TZ": "America/Sao_Paulo"}
    done = subprocess.run(
        [node, str(JS / "parse_ics.mjs"), str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, f"ical.js could not read the feed:\n{done.stderr}"
    return json.loads(done.stdout)


def js_instant(moment: datetime) -> str:
    """An instant as ical.js prints it (``toISOString``)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def by_uid(parsed: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {event["uid"]: event for event in parsed["events"]}


def status_of(event: Event) -> str:
    if event.withdrawn or event.status == "cancelled":
        return "CANCELLED"
    return "TENTATIVE" if event.status == "postponed" else "CONFIRMED"


def uid(event: Event) -> str:
    return f"{event.id}@{HOST}"


def unfold(data: bytes) -> list[str]:
    """Logical content lines."""
    return data.decode().replace("\r\n ", "").split("\r\n")[:-1]


def prop(data: bytes, name: str) -> list[str]:
    """Raw values of every property ``name`` (parameters included after the name)."""
    return [line for line in unfold(data) if re.match(rf"{name}[;:]", line)]


def vevents(data: bytes) -> dict[str, str]:
    """UID -> the raw unfolded text of its VEVENT."""
    text = data.decode().replace("\r\n ", "")
    blocks = re.findall(r"BEGIN:VEVENT\r\n(.*?)END:VEVENT\r\n", text, re.S)
    return {b.split("\r\n", 1)[0].removeprefix("UID:"): b for b in blocks}  # UID comes first


def check_golden(name: str, data: bytes) -> None:
    """Compare ``data`` with tests/golden/``name`` byte for byte (REGEN_GOLDEN=1 rewrites)."""
    path = GOLDEN / name
    if os.environ.get("REGEN_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
    assert path.exists(), f"{path} missing: run with REGEN_GOLDEN=1 to create it"
    assert data == path.read_bytes(), f"{name} differs from its golden file (REGEN_GOLDEN=1)"


FEED = render_ics(EVENTS, make_options())


# --- ical.js -------------------------------------------------------------------------------


def test_ical_js_reads_every_instant_as_stored(tmp_path: Path) -> None:
    parsed = ical_js(FEED, tmp_path)
    assert parsed["zones"] == ["Europe/Amsterdam"]
    assert parsed["calname"] == "Regio-agenda"
    events = by_uid(parsed)
    timed = [e for e in EVENTS if e.start is not None and e is not TIMED_EXHIBITION]
    for event in timed:
        if event is WITHDRAWN_OLD:
            continue
        assert event.start is not None
        got = events[uid(event)]
        assert got["all_day"] is False
        assert got["start"] == js_instant(event.start), event.id
        assert got["end"] == (js_instant(event.end) if event.end else None), event.id
        assert got["summary"].endswith(event.title)
        assert got["status"] == status_of(event)
        assert got["sequence"] == event.sequence
    # Winter and summer are written as Amsterdam wall time and converted by the VTIMEZONE.
    assert events[uid(WINTER)]["start"] == "2027-01-24T19:00:00.000Z"  # 20:00 +01:00
    assert events[uid(SUMMER)]["start"] == "2027-07-10T12:00:00.000Z"  # 14:00 +02:00
    for event in (WINTER, SUMMER, SPRING_SWITCH, AUTUMN_DAY):
        assert events[uid(event)]["start_zone"] == "Europe/Amsterdam"
    assert events[uid(SPRING_SWITCH)]["end"] == "2027-03-28T01:30:00.000Z"  # 03:30 +02:00
    assert events[uid(AUTUMN_DAY)]["start"] == "2027-10-31T13:00:00.000Z"  # 14:00 +01:00
    # The repeated hour is ambiguous as wall time: written (and read back) in UTC.
    assert events[uid(AUTUMN_SWITCH)]["start"] == "2027-10-31T00:30:00.000Z"
    assert events[uid(AUTUMN_SWITCH)]["end"] == "2027-10-31T01:30:00.000Z"
    assert events[uid(KINGS_DAY)]["start"] == "2027-04-27"
    assert events[uid(KINGS_DAY)]["end"] == "2027-04-28"


@pytest.mark.parametrize(
    "options",
    [
        make_options(lang="en"),
        make_options(exhibitions="daily"),
        make_options(exhibitions="exclude", lang="en"),
        make_options(max_bytes=6000),
    ],
    ids=["en", "daily", "exclude", "trimmed"],
)
def test_ical_js_reads_every_variant(options: FeedOptions, tmp_path: Path) -> None:
    data = render_ics(EVENTS, options)
    parsed = ical_js(data, tmp_path)
    assert len(parsed["events"]) == data.count(b"BEGIN:VEVENT")
    got = by_uid(parsed)
    checked = 0
    for event in EVENTS:
        if uid(event) not in got or event.start is None or event is TIMED_EXHIBITION:
            continue
        assert got[uid(event)]["start"] == js_instant(event.start), event.id
        assert got[uid(event)]["end"] == (js_instant(event.end) if event.end else None)
        checked += 1
    assert checked


def test_ical_js_converts_with_the_feeds_own_vtimezone(tmp_path: Path) -> None:
    """The checker is sharp: a wrong summer offset in the VTIMEZONE shows in the instants."""
    wrong = FEED.replace(
        b"TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200", b"TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0300"
    )
    assert wrong != FEED
    events = by_uid(ical_js(wrong, tmp_path))
    assert events[uid(SUMMER)]["start"] == "2027-07-10T11:00:00.000Z"
    assert events[uid(WINTER)]["start"] == "2027-01-24T19:00:00.000Z"


def test_ical_js_reads_the_single_event_download(tmp_path: Path) -> None:
    parsed = ical_js(render_event_ics(SUMMER, make_options()), tmp_path)
    [event] = parsed["events"]
    assert event["uid"] == uid(SUMMER)
    assert (event["start"], event["end"]) == (
        "2027-07-10T12:00:00.000Z",
        "2027-07-10T14:30:00.000Z",
    )


# --- icalendar -----------------------------------------------------------------------------


def test_icalendar_parses_back_uids_times_summaries_statuses() -> None:
    calendar = Calendar.from_ical(FEED)
    parsed = {str(v["UID"]): v for v in calendar.events}
    expected = [e for e in EVENTS if e is not WITHDRAWN_OLD]
    assert set(parsed) == {uid(e) for e in expected}
    for event in expected:
        vevent = parsed[uid(event)]
        if event.start is not None and event is not TIMED_EXHIBITION:
            assert vevent.decoded("DTSTART") == event.start
            if event.end is not None:
                assert vevent.decoded("DTEND") == event.end
            else:
                assert "DTEND" not in vevent
        assert str(vevent["SUMMARY"]).endswith(event.title)
        assert str(vevent["STATUS"]) == status_of(event)
    assert parsed[uid(KINGS_DAY)].decoded("DTSTART") == date(2027, 4, 27)
    assert parsed[uid(KINGS_DAY)].decoded("DTEND") == date(2027, 4, 28)
    assert parsed[uid(EXHIBITION)].decoded("DTEND") == date(2027, 2, 6)  # exclusive
    assert str(parsed[uid(TRICKY)]["SUMMARY"]) == TRICKY_TITLE
    assert str(parsed[uid(WINTER)]["STATUS"]) == "CONFIRMED"
    assert str(parsed[uid(CANCELLED)]["STATUS"]) == "CANCELLED"
    assert str(parsed[uid(POSTPONED)]["STATUS"]) == "TENTATIVE"
    assert [str(c) for c in parsed[uid(TRICKY)].categories] == [
        "Muziek, klassiek",
        "Koor;zang",
    ]


def test_event_properties() -> None:
    winter = vevents(FEED)[uid(WINTER)]
    assert "DTSTART;TZID=Europe/Amsterdam:20270124T200000\r" in winter
    assert "DTSTAMP:20270105T123000Z\r" in winter
    assert "LAST-MODIFIED:20270105T123000Z\r" in winter
    assert "CREATED:20261201T080000Z\r" in winter
    assert "GEO:52.160100;4.493100\r" in winter
    assert f"URL:https://{HOST}/events/evt-winter\r" in winter
    assert "LOCATION:Museum De Lakenhal\\, Oude Singel 32\\, 2312 RA Leiden\r" in winter
    assert (
        "DESCRIPTION:Kamermuziek in de grote zaal.\\n\\nPrijs: € 17\\,50\\n"
        f"https://{HOST}/events/evt-winter\r"
    ) in winter
    summer = vevents(FEED)[uid(SUMMER)]
    assert "GEO" not in summer  # Paard has no coordinates
    assert "Prijs: gratis" in summer
    # HTML description as plain text, entities unescaped.
    exhibition = Calendar.from_ical(FEED)
    [rembrandt] = [v for v in exhibition.walk("VEVENT") if v["UID"] == uid(EXHIBITION)]
    assert str(rembrandt["DESCRIPTION"]).startswith(
        "Rembrandt & Lievens in Leiden\nCafé <open>\n\nPrijs: € 17,50\n"
    )


def test_header() -> None:
    lines = unfold(FEED)
    assert lines[:10] == [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Regio-agenda//Regio-agenda 0.1//NL",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Regio-agenda",
        "X-WR-CALDESC:Culturele agenda van Den Haag\\, Leiden en Delft",
        "X-WR-TIMEZONE:Europe/Amsterdam",
        "REFRESH-INTERVAL;VALUE=DURATION:PT60M",
        "X-PUBLISHED-TTL:PT60M",
    ]
    assert FEED.count(b"BEGIN:VTIMEZONE") == 1
    assert b"RDATE" not in FEED
    assert b"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n" in FEED
    assert b"RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n" in FEED
    assert lines[-1] == "END:VCALENDAR"
    refresh = render_ics([], make_options(refresh_minutes=15))
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT15M\r\nX-PUBLISHED-TTL:PT15M\r\n" in refresh


def test_sorted_by_start_then_id() -> None:
    twin = make_event(id="evt-a-twin", title="Tweeling")
    data = render_ics([*EVENTS, twin], make_options())
    uids = [line[4:] for line in unfold(data) if line.startswith("UID:")]
    assert uids[:3] == [uid(twin), uid(WINTER), uid(EXHIBITION)]  # same start: id decides
    assert uids[-1] == uid(AUTUMN_DAY)


def test_english_titles_and_descriptions() -> None:
    data = render_ics([ENGLISH, CANCELLED, SUMMER], make_options(lang="en"))
    blocks = vevents(data)
    assert "SUMMARY:Rembrandt's drawings\r" in blocks[uid(ENGLISH)]
    assert (
        "DESCRIPTION:Drawings from the Leiden years.\\n\\nPrice: €17.50" in (blocks[uid(ENGLISH)])
    )
    assert "SUMMARY:CANCELLED: Lezing over Vermeer\r" in blocks[uid(CANCELLED)]
    assert "Price: free" in blocks[uid(SUMMER)]


# --- RFC 5545 form -------------------------------------------------------------------------


def test_crlf_line_length_and_utf8_folding() -> None:
    for data in (FEED, render_ics(EVENTS, make_options(exhibitions="daily", lang="en"))):
        assert data.endswith(b"\r\n")
        assert b"\n" not in data.replace(b"\r\n", b"")
        assert b"\r" not in data.replace(b"\r\n", b"")
        for line in data.split(b"\r\n"):
            assert len(line) <= 75, line
            line.decode("utf-8")  # no character split across a fold
    # The tricky event's long description really was folded, inside multi-byte text.
    assert TRICKY_TEXT.count("𝄞") and any(
        line.startswith(b" ") and not line.isascii() for line in FEED.split(b"\r\n")
    )


def test_text_escaping() -> None:
    tricky = vevents(FEED)[uid(TRICKY)]
    assert 'SUMMARY:Bach\\, Händel\\; "Cantates" \\\\ Ω – 𝄞 koor\r' in tricky
    assert "CATEGORIES:Muziek\\, klassiek,Koor\\;zang\r" in tricky
    [description] = [line for line in tricky.split("\r\n") if line.startswith("DESCRIPTION:")]
    assert "erin.\\nTweede regel" in description
    assert escape_text("a,b;c\\d\ne\r\nf\rg\x07h\ti") == "a\\,b\\;c\\\\d\\ne\\nf\\ng" + "h\ti"


def test_fold_keeps_utf8_characters_and_escapes_whole() -> None:
    line = ("SUMMARY:" + "é" * 100).encode()
    folded = fold(line)
    assert folded.replace(b"\r\n ", b"") == line
    assert all(len(part) <= 75 for part in folded.split(b"\r\n"))
    for part in folded.split(b"\r\n"):
        part.decode()
    escaped = ("DESCRIPTION:" + "x" * 62 + "\\,").encode()  # the escape straddles octet 75
    assert len(escaped) == 76
    assert fold(escaped).split(b"\r\n") == [escaped[:74], b" " + escaped[74:]]


@settings(max_examples=150, deadline=None)
@given(
    st.text(
        alphabet=st.one_of(
            st.characters(exclude_categories=("Cs", "Cc")), st.sampled_from(',;\\\n:"é𝄞')
        ),
        max_size=300,
    )
)
def test_any_title_survives_escaping_and_folding(title: str) -> None:
    event = make_event(title=title or "x")
    parsed = Calendar.from_ical(render_event_ics(event, make_options()))
    [vevent] = parsed.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == (title or "x")


# --- status, sequence, cancellations -------------------------------------------------------


def test_cancelled_withdrawn_postponed_and_sequence() -> None:
    blocks = vevents(FEED)
    cancelled = blocks[uid(CANCELLED)]
    assert "STATUS:CANCELLED\r" in cancelled
    assert "SUMMARY:GEANNULEERD: Lezing over Vermeer\r" in cancelled
    assert "SEQUENCE:3\r" in cancelled
    recent = blocks[uid(WITHDRAWN_RECENT)]
    assert "STATUS:CANCELLED\r" in recent
    assert "SEQUENCE:2\r" in recent
    assert uid(WITHDRAWN_OLD) not in blocks
    postponed = blocks[uid(POSTPONED)]
    assert "STATUS:TENTATIVE\r" in postponed
    assert "SUMMARY:UITGESTELD: Orgelconcert\r" in postponed
    assert "SEQUENCE:4\r" in postponed
    assert "STATUS:CONFIRMED\r" in blocks[uid(WINTER)]
    # A cancelled event leaves 30 days after its last change, not before.
    later = make_options(now=CANCELLED_AT + timedelta(days=30))
    assert uid(CANCELLED).encode() in render_ics([CANCELLED], later)
    gone = make_options(now=CANCELLED_AT + timedelta(days=31))
    assert uid(CANCELLED).encode() not in render_ics([CANCELLED], gone)


def test_a_change_shows_as_a_higher_sequence_and_new_stamp() -> None:
    moved = structs.replace(
        WINTER,
        start=datetime(2027, 1, 24, 21, 0, tzinfo=AMS),
        end=datetime(2027, 1, 24, 23, 0, tzinfo=AMS),
        sequence=WINTER.sequence + 1,
        updated=UPDATED + timedelta(days=1),
    )
    before = vevents(render_ics([WINTER], make_options()))[uid(WINTER)]
    after = vevents(render_ics([moved], make_options()))[uid(WINTER)]
    assert "SEQUENCE:1\r" in before
    assert "SEQUENCE:2\r" in after
    assert "DTSTAMP:20270106T123000Z\r" in after


def test_event_without_dates_of_its_own() -> None:
    # No created/updated (not from the store): DTSTAMP is the feed's `now`, never the clock.
    bare = make_event(created=None, updated=None)
    block = vevents(render_ics([bare], make_options()))[uid(bare)]
    assert "DTSTAMP:20270110T090000Z\r" in block
    assert "CREATED" not in block and "LAST-MODIFIED" not in block


def test_times_before_the_vtimezone_rules_are_written_in_utc() -> None:
    # October 1990 was already winter time (+01:00); the RRULE zone would still say +02:00.
    old = make_event(start=datetime(1990, 10, 15, 20, 0, tzinfo=AMS), end=None)
    block = vevents(render_event_ics(old, make_options()))[uid(old)]
    assert "DTSTART:19901015T190000Z\r" in block


def test_stamps_come_from_the_data_not_the_clock() -> None:
    other_now = make_options(now=NOW + timedelta(hours=3))
    assert render_ics(EVENTS, other_now) == FEED


# --- exhibitions ---------------------------------------------------------------------------


def test_exhibitions_span_is_one_all_day_entry(tmp_path: Path) -> None:
    events = by_uid(ical_js(FEED, tmp_path))
    assert (events[uid(EXHIBITION)]["start"], events[uid(EXHIBITION)]["end"]) == (
        "2027-02-01",
        "2027-02-06",
    )
    # A timed multi-day span becomes whole days too.
    timed = events[uid(TIMED_EXHIBITION)]
    assert (timed["all_day"], timed["start"], timed["end"]) == (True, "2027-03-26", "2027-03-30")


def test_exhibitions_daily_one_entry_a_day(tmp_path: Path) -> None:
    data = render_ics(EVENTS, make_options(exhibitions="daily"))
    events = by_uid(ical_js(data, tmp_path))
    assert uid(EXHIBITION) not in events
    days = [f"evt-jonge-rembrandt-202702{d:02}@{HOST}" for d in range(1, 6)]
    assert [events[u]["start"] for u in days] == [f"2027-02-{d:02}" for d in range(1, 6)]
    assert events[days[0]]["end"] == "2027-02-02"
    # Timed span: its opening hours every day, right across the spring switch.
    hours = [
        (
            events[f"evt-delfts-blauw-202703{d}@{HOST}"]["start"],
            events[f"evt-delfts-blauw-202703{d}@{HOST}"]["end"],
        )
        for d in (26, 27, 28, 29)
    ]
    assert hours == [
        ("2027-03-26T09:00:00.000Z", "2027-03-26T16:00:00.000Z"),
        ("2027-03-27T09:00:00.000Z", "2027-03-27T16:00:00.000Z"),
        ("2027-03-28T08:00:00.000Z", "2027-03-28T15:00:00.000Z"),
        ("2027-03-29T08:00:00.000Z", "2027-03-29T15:00:00.000Z"),
    ]
    assert uid(WINTER) in events  # other events unchanged


def test_exhibitions_daily_without_clear_hours_is_all_day() -> None:
    # Until midnight: the last day is the 29th, and 10:00-00:00 are no daily hours.
    until_midnight = structs.replace(TIMED_EXHIBITION, end=datetime(2027, 3, 30, 0, 0, tzinfo=AMS))
    daily = vevents(render_ics([until_midnight], make_options(exhibitions="daily")))
    assert list(daily) == [f"evt-delfts-blauw-202703{d}@{HOST}" for d in (26, 27, 28, 29)]
    assert (
        "DTSTART;VALUE=DATE:20270329\r\nDTEND;VALUE=DATE:20270330\r"
        in daily[f"evt-delfts-blauw-20270329@{HOST}"]
    )
    span = render_ics([until_midnight], make_options())
    assert b"DTSTART;VALUE=DATE:20270326\r\nDTEND;VALUE=DATE:20270330\r\n" in span


def test_exhibitions_daily_is_capped() -> None:
    long_one = structs.replace(EXHIBITION, end_date=date(2029, 12, 31))
    data = render_ics([long_one], make_options(exhibitions="daily"))
    assert data.count(b"BEGIN:VEVENT") == 400


def test_exhibitions_exclude() -> None:
    data = render_ics(EVENTS, make_options(exhibitions="exclude"))
    blocks = vevents(data)
    assert uid(EXHIBITION) not in blocks
    assert uid(TIMED_EXHIBITION) not in blocks
    assert uid(KINGS_DAY) in blocks  # one day is no exhibition
    assert uid(WINTER) in blocks


# --- size budget ---------------------------------------------------------------------------


def test_budget_trims_the_far_future_first() -> None:
    long_text = "Een avond vol muziek, verhalen en ontmoetingen in de regio. " * 12
    start = datetime(2027, 1, 11, 19, 0, tzinfo=AMS)
    events = [
        make_event(
            id=f"evt-{i:05}",
            title=f"Avond {i}",
            start=start + timedelta(hours=6 * i),
            end=start + timedelta(hours=6 * i + 2),
            description=long_text,
        )
        for i in range(5000)
    ]
    full = render_ics(events, make_options(max_bytes=10**9))
    assert len(full) > 1_000_000
    data = render_ics(list(reversed(events)), make_options())
    assert len(data) <= 1_000_000
    kept = [line[4:] for line in unfold(data) if line.startswith("UID:")]
    assert 0 < len(kept) < 5000
    assert kept == [uid(e) for e in events[: len(kept)]]  # the earliest stay
    # No more than needed were dropped: one more event (with the same note) would not fit.
    big = make_options(max_bytes=10**9)
    note = len(data) - len(render_ics(events[: len(kept)], big))
    assert len(render_ics(events[: len(kept) + 1], big)) + note > 1_000_000
    last_day = (start + timedelta(hours=6 * (len(kept) - 1))).date()
    [caldesc] = prop(data, "X-WR-CALDESC")
    assert f"Ingekort tot {len(kept)} evenementen tot en met" in caldesc
    assert f"{last_day.day} " in caldesc and str(last_day.year) in caldesc
    assert b"X-WR-CALDESC" in full and b"Ingekort" not in full


def test_budget_trimmed_feed_stays_valid(tmp_path: Path) -> None:
    data = render_ics(EVENTS, make_options(max_bytes=8000, lang="en"))
    assert len(data) <= 8000
    parsed = ical_js(data, tmp_path)
    assert "Trimmed to" in parsed["caldesc"]
    assert 0 < len(parsed["events"]) < len(EVENTS) - 1


def test_render_20000_events_quickly() -> None:
    start = datetime(2027, 1, 11, 19, 0, tzinfo=AMS)
    events = [
        make_event(id=f"evt-{i:05}", start=start + timedelta(hours=7 * i), end=None)
        for i in range(20_000)
    ]
    began = time.perf_counter()
    render_ics(events, make_options(max_bytes=10**9))
    assert time.perf_counter() - began < 5  # about half a second on a laptop


# --- determinism, golden files, download ---------------------------------------------------


def test_deterministic() -> None:
    assert render_ics(EVENTS, make_options()) == FEED
    assert render_ics(list(reversed(EVENTS)), make_options()) == FEED


@pytest.mark.parametrize(
    ("name", "render"),
    [
        ("feed.ics", lambda: FEED),
        (
            "feed-en-daily.ics",
            lambda: render_ics(EVENTS, make_options(lang="en", exhibitions="daily")),
        ),
        ("feed-event.ics", lambda: render_event_ics(TRICKY, make_options())),
    ],
)
def test_golden(name: str, render: Any) -> None:
    check_golden(name, render())


def test_single_event_download() -> None:
    data = render_event_ics(CANCELLED, make_options())
    assert data.count(b"BEGIN:VEVENT") == 1
    assert data.count(b"BEGIN:VTIMEZONE") == 1
    assert b"STATUS:CANCELLED\r\n" in data
    # Exhibitions excluded from feeds still download, as one span.
    span = render_event_ics(EXHIBITION, make_options(exhibitions="exclude"))
    assert b"DTSTART;VALUE=DATE:20270201\r\nDTEND;VALUE=DATE:20270206\r\n" in span
    # Too old for the feed, still downloadable.
    assert render_event_ics(WITHDRAWN_OLD, make_options()).count(b"BEGIN:VEVENT") == 1


# --- links ---------------------------------------------------------------------------------


def test_webcal_and_google_subscribe_links() -> None:
    feed = f"https://{HOST}/feeds/leiden.ics?lang=en&kind=concert"
    assert webcal_url(feed) == f"webcal://{HOST}/feeds/leiden.ics?lang=en&kind=concert"
    assert webcal_url(f"http://{HOST}/a.ics") == f"webcal://{HOST}/a.ics"
    assert webcal_url(f"webcal://{HOST}/a.ics") == f"webcal://{HOST}/a.ics"
    link = google_calendar_subscribe_url(feed)
    assert link.startswith("https://calendar.google.com/calendar/r?cid=webcal%3A%2F%2F")
    assert parse_qs(urlsplit(link).query) == {"cid": [webcal_url(feed)]}


def test_google_event_links() -> None:
    link = google_calendar_event_url(WINTER, make_options())
    parts = urlsplit(link)
    assert (parts.netloc, parts.path) == ("calendar.google.com", "/calendar/render")
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["action"] == "TEMPLATE"
    assert query["text"] == "Winterconcert"
    assert query["dates"] == "20270124T190000Z/20270124T210000Z"
    assert query["ctz"] == "Europe/Amsterdam"
    assert query["location"] == "Museum De Lakenhal, Oude Singel 32, 2312 RA Leiden"
    assert query["details"].endswith(f"https://{HOST}/events/evt-winter")
    day = {
        k: v[0]
        for k, v in parse_qs(
            urlsplit(google_calendar_event_url(KINGS_DAY, make_options())).query
        ).items()
    }
    assert day["dates"] == "20270427/20270428"
    span = parse_qs(urlsplit(google_calendar_event_url(TIMED_EXHIBITION, make_options())).query)
    assert span["dates"] == ["20270326/20270330"]
    tricky = parse_qs(urlsplit(google_calendar_event_url(TRICKY, make_options())).query)
    assert tricky["text"] == [TRICKY_TITLE]
    wordy = make_event(description="Lang verhaal. " * 500)
    details = parse_qs(urlsplit(google_calendar_event_url(wordy, make_options())).query)["details"]
    assert len(details[0]) < 1600
    assert details[0].endswith(f"…\n\nhttps://{HOST}/events/evt-winter")


@pytest.mark.parametrize(
    ("price", "en", "nl"),
    [
        ("€ 17,50", "€17.50", "€ 17,50"),
        ("17.50", "€17.50", "€ 17,50"),
        ("EUR 17.50", "€17.50", "€ 17,50"),
        ("€ 10 / € 7,50 (CJP)", "€10 / €7.50 (CJP)", "€ 10 / € 7,50 (CJP)"),
        ("vanaf 12 euro", "vanaf €12", "vanaf € 12"),
        ("Gratis", "Gratis", "Gratis"),
    ],
)
def test_prices_are_written_the_readers_way(price: str, en: str, nl: str) -> None:
    from feeds.labels import price_in

    assert (price_in(price, "en"), price_in(price, "nl")) == (en, nl)


def test_english_dates_are_british() -> None:
    from feeds.labels import long_day

    assert long_day(date(2026, 12, 6), "en") == "Sunday 6 December 2026"
    assert long_day(date(2026, 12, 6), "nl") == "zondag 6 december 2026"


@pytest.mark.parametrize("exhibitions", ["span", "daily"])
def test_stopping_early_gives_the_same_feed_as_rendering_everything(exhibitions: str) -> None:
    """Events after the budget are not rendered at all, and the feed is the same bytes as
    trimming the fully rendered one (timed exhibitions start their day at midnight)."""
    from feeds.ical import _calendar, _entries

    start = datetime(2027, 1, 11, 19, 0, tzinfo=AMS)
    events = []
    for i in range(600):
        moment = start + timedelta(hours=5 * i)
        if i % 7 == 0:  # a timed exhibition over a few weeks
            events.append(make_event(id=f"x-{i:04}", title=f"Expositie {i}", start=moment,
                                     end=moment + timedelta(days=20, hours=3)))  # fmt: skip
        else:
            events.append(make_event(id=f"e-{i:04}", title=f"Avond {i}", start=moment, end=None))
    options = make_options(max_bytes=60_000, exhibitions=exhibitions)
    everything = [entry for e in events for entry in _entries(e, options)]
    assert render_ics(list(reversed(events)), options) == _calendar(everything, options)
