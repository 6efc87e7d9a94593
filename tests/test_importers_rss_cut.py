"""A feed body cut off mid-document: the items that closed are kept, the answer is partial."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from conftest import make_source
from hostile import FIXTURES, PARSE_FILE, run_bounded, truncated_feed

from importers.rss import parse

NOW = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)
SOURCE = make_source(id="brock", format="rss", url="https://experiencebu.brocku.ca/events",
                     city=None, venue=None)  # fmt: skip
BROCK = FIXTURES / "rss" / "brock_campuslabs_engage_events_excerpt.xml"


def test_a_feed_cut_off_inside_an_item_keeps_the_closed_items_only() -> None:
    data, closed = truncated_feed()
    result = parse(data, SOURCE, NOW)
    assert len(result.listings) == closed and result.complete is False
    assert [p.message for p in result.problems] == [
        f"the document ends before its root element closes (cut off?): the {closed} items "
        "that closed are read, an item left open is not"
    ]
    whole = parse(BROCK.read_bytes(), SOURCE, NOW)
    assert whole.complete is True
    assert result.listings == whole.listings[:closed]


def test_a_feed_cut_between_items_loses_nothing_it_had() -> None:
    data = BROCK.read_bytes()
    cut = data.index(b"</item>") + len(b"</item>")
    result = parse(data[:cut], SOURCE, NOW)
    assert len(result.listings) == 1 and result.complete is False


def test_a_whole_feed_with_a_comment_after_its_root_is_complete() -> None:
    result = parse(BROCK.read_bytes() + b"\n<!-- cached 12:00 -->\n", SOURCE, NOW)
    assert len(result.listings) == 30 and result.complete is True


def test_a_truncated_feed_is_read_in_bounded_memory_and_time(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(truncated_feed()[0])
    measured = run_bounded(PARSE_FILE, ["rss", str(path)], timeout=60)
    assert not measured.timed_out and measured.returncode == 0, measured.stderr[-2000:]
    assert measured.peak_mb < 200 and measured.seconds < 30
    assert measured.stdout.split() == ["10", "1", "False"]


def test_a_long_item_description_is_cut_with_a_warning() -> None:
    text = "woord " * 5000
    data = (f'<rss version="2.0" xmlns:ev="http://purl.org/rss/1.0/modules/event/"><channel>'
            f"<title>t</title><item><title>Lezing</title><guid>e1</guid>"
            f"<ev:startdate>2027-03-01T20:00:00+01:00</ev:startdate>"
            f"<description>{text}</description></item></channel></rss>").encode()  # fmt: skip
    result = parse(data, SOURCE, NOW)
    (listing,) = result.listings
    assert len(listing.description) <= 20_000 and listing.description.endswith("woord…")
    assert [(p.field, p.message, p.severity) for p in result.problems] == [
        ("description", "description cut to 20,000 characters", "warning")
    ]
