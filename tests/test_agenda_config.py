"""The sources file: what the README describes loads; every bad case fails with one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

from agenda.config import load_sources, parse_interval
from agenda.errors import ConfigError

GOOD = """
[[source]]
id = "lakenhal"
name = "Museum De Lakenhal"
format = "ics"
url = "feeds/lakenhal.ics"
kind = "venue"
city = "Leiden"
venue = "Museum De Lakenhal"
interval = "30m"
language = "nl"

[[source]]
id = "uit-in-leiden"
name = "Uit in Leiden"
format = "tribe"
url = "https://example.org/wp-json/tribe/events/v1/events"
kind = "aggregator"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_file_loads_with_defaults(tmp_path: Path) -> None:
    first, second = load_sources(write(tmp_path, GOOD))
    assert first.id == "lakenhal" and first.format == "ics" and first.kind == "venue"
    assert first.interval_seconds == 1800 and first.language == "nl"
    assert first.base_dir == str(tmp_path.resolve())
    assert second.kind == "aggregator" and second.interval_seconds == 3600
    assert second.city is None and second.venue is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD.replace('format = "ics"', 'format = "xml"'), "source 'lakenhal' (#1): field 'format'"),
        (GOOD.replace('"uit-in-leiden"', '"lakenhal"'), "source 'lakenhal' (#2): field 'id': duplicate"),
        (GOOD.replace('"30m"', '"5x"'), "source 'lakenhal' (#1): field 'interval': '5x' is not"),
        (GOOD.replace('"30m"', '"10s"'), "field 'interval': '10s' is shorter"),
        (GOOD.replace('url = "feeds/lakenhal.ics"\n', ""), "source 'lakenhal' (#1): field 'url': missing"),
        (GOOD.replace('id = "lakenhal"', 'id = "Lakenhal!"'), "field 'id'"),
        (GOOD.replace('kind = "venue"', 'kind = "museum"'), "field 'kind': unknown kind"),
        (GOOD.replace('city = "Leiden"', "city = 12"), "source 'lakenhal' (#1): field 'city'"),
        ("[[source]\nid = 'x'", "not valid TOML"),
        ("title = 'no sources'", "no [[source]] blocks"),
    ],
)  # fmt: skip
def test_bad_files_fail_with_one_line_naming_file_source_and_field(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as error:
        load_sources(path)
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    assert expected in message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_sources(tmp_path / "nope.toml")


def test_unknown_fields_are_reported_not_fatal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sources = load_sources(
        write(tmp_path, GOOD.replace('language = "nl"', 'language = "nl"\ncolour = "red"'))
    )
    assert len(sources) == 2
    assert "ignoring unknown field(s) colour" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("90s", 90), ("30m", 1800), ("1h", 3600), ("1h30m", 5400), ("2d", 172800), (600, 600)],
)
def test_intervals(value: object, seconds: int) -> None:
    assert parse_interval(value) == seconds


@pytest.mark.parametrize("value", ["", "1x", "h", "-1h", True, 1.5, "30"])
def test_bad_intervals(value: object) -> None:
    with pytest.raises(ValueError):
        parse_interval(value)
