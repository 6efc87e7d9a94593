"""The command line as the README defines it: import, export, demo, exit codes, help."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from httpserver import Response, serve

from agenda.cli.main import main

YEAR = ["--from", "2027-01-01", "--to", "2027-12-31"]
FEED = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//NL\r
BEGIN:VEVENT\r
UID:winter-1@lakenhal.nl\r
DTSTART;TZID=Europe/Amsterdam:20270115T200000\r
DTEND;TZID=Europe/Amsterdam:20270115T213000\r
SUMMARY:Lezing: Leiden in de Gouden Eeuw\r
LOCATION:Museum De Lakenhal\\, Oude Singel 32\\, 2312 RA Leiden\r
CATEGORIES:Lezing\r
URL:https://www.lakenhal.nl/agenda/lezing\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:summer-1@lakenhal.nl\r
DTSTART;TZID=Europe/Amsterdam:20270715T200000\r
SUMMARY:Zomeravond\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:expo@lakenhal.nl\r
DTSTART;VALUE=DATE:20270301\r
DTEND;VALUE=DATE:20270601\r
SUMMARY:Rembrandt & Lievens\r
END:VEVENT\r
END:VCALENDAR\r
"""


def config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(body, encoding="utf-8")
    return path


def lakenhal(url: str) -> str:
    return f"""
[[source]]
id = "lakenhal"
name = "Museum De Lakenhal"
format = "ics"
url = "{url}"
kind = "venue"
city = "Leiden"
venue = "Museum De Lakenhal"
"""


def test_import_then_export_json_matches_spec(tmp_path: Path) -> None:
    (tmp_path / "lakenhal.ics").write_text(FEED, encoding="utf-8")
    db = str(tmp_path / "agenda.db")
    runner = CliRunner()
    result = runner.invoke(
        main, ["import", "--config", str(config(tmp_path, lakenhal("lakenhal.ics"))), "--db", db]
    )
    assert result.exit_code == 0, result.output
    assert "lakenhal: 3 new, 0 updated, 0 withdrawn, 0 unchanged, 0 problems" in result.output

    exported = runner.invoke(main, ["export", "--db", db, "--format", "json", *YEAR])
    assert exported.exit_code == 0, exported.output
    events = json.loads(exported.stdout)["events"]
    assert [e["title"] for e in events] == [
        "Lezing: Leiden in de Gouden Eeuw",
        "Rembrandt & Lievens",
        "Zomeravond",
    ]
    lezing, expo, zomer = events
    assert set(lezing) >= {
        "id",
        "title",
        "description",
        "start",
        "end",
        "all_day",
        "status",
        "venue",
        "city",
        "url",
        "categories",
        "themes",
        "sources",
    }
    assert lezing["start"] == "2027-01-15T20:00:00+01:00"
    assert lezing["end"] == "2027-01-15T21:30:00+01:00"
    assert lezing["all_day"] is False and lezing["status"] == "scheduled"
    assert lezing["venue"]["name"] == "Museum De Lakenhal" and lezing["city"] == "Leiden"
    assert lezing["categories"] == ["lecture"] and lezing["themes"] == []
    assert lezing["sources"] == [
        {
            "source": "lakenhal",
            "external_id": "winter-1@lakenhal.nl",
            "url": "https://www.lakenhal.nl/agenda/lezing",
        }
    ]
    assert zomer["start"] == "2027-07-15T20:00:00+02:00" and zomer["end"] is None
    assert expo["start"] == "2027-03-01" and expo["end"] == "2027-05-31" and expo["all_day"] is True
    assert re.fullmatch(r"[a-z0-9]+", lezing["id"])

    # filters
    only_march = runner.invoke(
        main,
        ["export", "--db", db, "--format", "json", "--from", "2027-04-01", "--to", "2027-04-30"],
    )
    assert [e["title"] for e in json.loads(only_march.stdout)["events"]] == ["Rembrandt & Lievens"]
    delft = runner.invoke(
        main, ["export", "--db", db, "--format", "json", "--city", "Delft", *YEAR]
    )
    assert json.loads(delft.stdout)["events"] == []
    by_source = runner.invoke(
        main, ["export", "--db", db, "--format", "json", "--source", "lakenhal"]
    )
    assert len(json.loads(by_source.stdout)["events"]) == 3

    # ids are stable across a re-import
    again = runner.invoke(main, ["import", "--config", str(tmp_path / "sources.toml"), "--db", db])
    assert "0 new, 0 updated, 0 withdrawn, 3 unchanged" in again.output
    assert (
        json.loads(runner.invoke(main, ["export", "--db", db, "--format", "json"]).stdout)["events"]
        == events
    )


def test_a_broken_source_does_not_stop_the_others(tmp_path: Path) -> None:
    (tmp_path / "lakenhal.ics").write_text(FEED, encoding="utf-8")
    (tmp_path / "broken.ics").write_text("<html>not a calendar</html>", encoding="utf-8")
    body = (
        lakenhal("lakenhal.ics")
        + lakenhal("broken.ics").replace('"lakenhal"', '"broken"', 1)
        + lakenhal("missing.ics").replace('"lakenhal"', '"missing"', 1)
    )
    result = CliRunner().invoke(
        main, ["import", "--config", str(config(tmp_path, body)), "--db", str(tmp_path / "a.db")]
    )
    assert result.exit_code == 0
    assert "lakenhal: 3 new" in result.output
    assert "broken: FAILED:" in result.output
    assert "missing: FAILED:" in result.output


def test_exit_status_is_one_when_every_source_failed(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "import",
            "--config",
            str(config(tmp_path, lakenhal("nope.ics"))),
            "--db",
            str(tmp_path / "a.db"),
        ],
    )
    assert result.exit_code == 1
    assert "lakenhal: FAILED: file not found" in result.output


def test_bad_config_is_one_line_and_exit_two(tmp_path: Path) -> None:
    path = config(tmp_path, lakenhal("x.ics").replace('format = "ics"', 'format = "pdf"'))
    result = CliRunner().invoke(
        main, ["import", "--config", str(path), "--db", str(tmp_path / "a.db")]
    )
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert "field 'format'" in result.stderr and str(path) in result.stderr


def test_unusable_database_is_one_line_and_exit_two(tmp_path: Path) -> None:
    db = tmp_path / "junk.db"
    db.write_bytes(b"junk" * 1000)
    (tmp_path / "lakenhal.ics").write_text(FEED, encoding="utf-8")
    result = CliRunner().invoke(
        main,
        ["import", "--config", str(config(tmp_path, lakenhal("lakenhal.ics"))), "--db", str(db)],
    )
    assert result.exit_code == 2 and "not a usable Regio-agenda database" in result.stderr
    export = CliRunner().invoke(
        main, ["export", "--db", str(tmp_path / "none.db"), "--format", "json"]
    )
    assert export.exit_code == 2 and "no such database" in export.stderr


def test_bad_filter_names_the_parameter(tmp_path: Path) -> None:
    (tmp_path / "lakenhal.ics").write_text(FEED, encoding="utf-8")
    db = str(tmp_path / "a.db")
    CliRunner().invoke(
        main, ["import", "--config", str(config(tmp_path, lakenhal("lakenhal.ics"))), "--db", db]
    )
    result = CliRunner().invoke(
        main, ["export", "--db", db, "--format", "json", "--from", "15-01-2027"]
    )
    assert result.exit_code == 2 and "from: '15-01-2027' is not a date" in result.stderr


def test_environment_variables_set_db_and_config(tmp_path: Path) -> None:
    (tmp_path / "lakenhal.ics").write_text(FEED, encoding="utf-8")
    env = {
        "AGENDA_DB": str(tmp_path / "env.db"),
        "AGENDA_CONFIG": str(config(tmp_path, lakenhal("lakenhal.ics"))),
    }
    assert CliRunner().invoke(main, ["import"], env=env).exit_code == 0
    assert (tmp_path / "env.db").exists()


def test_import_over_http_uses_conditional_get(tmp_path: Path) -> None:
    def answer(request):
        if request.headers.get("if-none-match") == '"v1"':
            return Response(304, headers={"ETag": '"v1"'})
        return Response(200, body=FEED, headers={"ETag": '"v1"', "Content-Type": "text/calendar"})

    with serve({"/agenda.ics": answer}) as server:
        path = config(tmp_path, lakenhal(f"{server}/agenda.ics"))
        db = str(tmp_path / "a.db")
        runner = CliRunner()
        first = runner.invoke(main, ["import", "--config", str(path), "--db", db])
        assert "lakenhal: 3 new" in first.output
        before = runner.invoke(main, ["export", "--db", db, "--format", "json", *YEAR]).stdout
        second = runner.invoke(main, ["import", "--config", str(path), "--db", db])
        assert "lakenhal: not modified since the last import" in second.output
        assert (
            runner.invoke(main, ["export", "--db", db, "--format", "json", *YEAR]).stdout == before
        )
        assert len(json.loads(before)["events"]) == 3
        assert server.requests[1].headers["if-none-match"] == '"v1"'
        assert server.requests[0].headers["user-agent"].startswith("Regio-agenda")


def test_single_source_option(tmp_path: Path) -> None:
    (tmp_path / "lakenhal.ics").write_text(FEED, encoding="utf-8")
    body = lakenhal("lakenhal.ics") + lakenhal("nope.ics").replace('"lakenhal"', '"other"', 1)
    result = CliRunner().invoke(
        main,
        [
            "import",
            "--config",
            str(config(tmp_path, body)),
            "--db",
            str(tmp_path / "a.db"),
            "--source",
            "lakenhal",
        ],
    )
    assert result.exit_code == 0 and "other" not in result.output
    unknown = CliRunner().invoke(
        main, ["import", "--config", str(tmp_path / "sources.toml"), "--source", "zzz"]
    )
    assert unknown.exit_code == 2 and "no source with id 'zzz'" in unknown.output


@pytest.mark.parametrize("command", [[], ["import"], ["export"], ["demo"]])
def test_help_is_useful(command: list[str]) -> None:
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output and len(result.output.splitlines()) > 5


def test_demo_imports_the_sample_region_with_upcoming_events(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("AGENDA_DB", raising=False)
    result = CliRunner().invoke(main, ["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    assert re.search(r"\d+ events from 11 sources", result.output)
    demo_db = tmp_path / "cache" / "regio-agenda" / "demo.db"  # its own place, not the cwd
    assert demo_db.exists() and not (tmp_path / "demo.db").exists()
    export = CliRunner().invoke(main, ["export", "--db", str(demo_db), "--format", "json"])
    events = json.loads(export.stdout)["events"]
    assert len(events) >= 30
    assert {e["city"] for e in events} >= {"Leiden", "Den Haag", "Delft"}
    assert len([e for e in events if len(e["sources"]) > 1]) >= 5
    assert any(e["status"] == "cancelled" for e in events)
    assert any("gouden-eeuw" in e["themes"] for e in events)
    # a second run starts fresh and gives the same region
    again = CliRunner().invoke(main, ["demo", "--no-serve"])
    assert again.exit_code == 0 and re.search(r"(\d+) events", again.output).group(1) == re.search(
        r"(\d+) events", result.output
    ).group(1)


@pytest.mark.parametrize("fmt", ["ics", "rss", "atom", "jsonfeed"])
def test_export_feed_formats_take_the_same_filters(tmp_path: Path, fmt: str) -> None:
    (tmp_path / "lakenhal.ics").write_text(FEED, encoding="utf-8")
    db = str(tmp_path / "a.db")
    CliRunner().invoke(
        main, ["import", "--config", str(config(tmp_path, lakenhal("lakenhal.ics"))), "--db", db]
    )
    result = CliRunner().invoke(main, ["export", "--db", db, "--format", fmt, *YEAR, "--q", "zomer",
                                       "--base-url", "https://agenda.example"])  # fmt: skip
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Zomeravond" in out and "Lievens" not in out
    assert "agenda.example" in out


def test_max_body_size_is_configurable(tmp_path: Path) -> None:
    (tmp_path / "lakenhal.ics").write_text(FEED * 2500, encoding="utf-8")  # about 1.8 MB
    db = str(tmp_path / "a.db")
    path = str(config(tmp_path, lakenhal("lakenhal.ics")))
    small = CliRunner().invoke(main, ["import", "--config", path, "--db", db, "--max-body-mb", "1"])
    assert small.exit_code == 1 and "larger than" in small.output
    large = CliRunner().invoke(main, ["import", "--config", path, "--db", db, "--max-body-mb", "5"])
    assert large.exit_code == 0 and "lakenhal: 3 new" in large.output
    assert (
        CliRunner()
        .invoke(main, ["import", "--config", path, "--db", db, "--max-body-mb", "0"])
        .exit_code
        == 2
    )


def test_json_export_holds_past_events_too_and_feeds_do_not(tmp_path: Path) -> None:
    past = FEED.replace("20270115T200000", "20200115T200000").replace(
        "20270115T213000", "20200115T213000"
    )
    (tmp_path / "lakenhal.ics").write_text(past, encoding="utf-8")
    db = str(tmp_path / "a.db")
    CliRunner().invoke(
        main, ["import", "--config", str(config(tmp_path, lakenhal("lakenhal.ics"))), "--db", db]
    )
    exported = json.loads(
        CliRunner().invoke(main, ["export", "--db", db, "--format", "json"]).stdout
    )["events"]
    assert "2020-01-15T20:00:00+01:00" in [e["start"] for e in exported]  # every imported record
    feed = CliRunner().invoke(main, ["export", "--db", db, "--format", "ics"]).stdout
    assert "DTSTART;TZID=Europe/Amsterdam:20200115T200000" not in feed  # feeds look ahead


def test_demo_refuses_a_database_it_did_not_make(tmp_path: Path) -> None:
    from agenda.partners.accounts import add_partner
    from agenda.store.database import Store

    production = tmp_path / "agenda.db"
    with Store.opened(production) as store:
        add_partner(store, "Lakenhal marketing", "lakenhal", "partner", datetime.now(UTC))
    before = production.read_bytes()
    env = {"AGENDA_DB": str(production), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    result = CliRunner().invoke(main, ["demo", "--no-serve", "--port", "0"], env=env)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "is not a demo database" in result.stderr
    assert production.read_bytes() == before
    with Store.opened(production) as store:
        assert [p["name"] for p in store.partner_rows()] == ["Lakenhal marketing"]


def _subprocess_env(**extra: str) -> dict[str, str]:
    import os

    return {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent), **extra}


def test_a_closed_stdout_pipe_does_not_stop_the_import(tmp_path: Path) -> None:
    import subprocess
    import sys

    blocks = []
    for n in range(4):
        (tmp_path / f"s{n}.ics").write_text(FEED.replace("lakenhal.nl", f"s{n}.nl"), "utf-8")
        blocks.append(lakenhal(f"s{n}.ics").replace('id = "lakenhal"', f'id = "s{n}"'))
    path = config(tmp_path, "\n".join(blocks))
    db = tmp_path / "a.db"
    child = subprocess.Popen(
        [sys.executable, "-m", "agenda.cli", "import", "--config", str(path), "--db", str(db)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_subprocess_env(),
    )  # fmt: skip
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # `| head -0`: the reader is gone before the first line
    err = child.stderr.read().decode()
    child.stderr.close()
    assert child.wait(timeout=120) == 0, err
    assert "Traceback" not in err and "Broken pipe" not in err, err
    export = CliRunner().invoke(main, ["export", "--db", str(db), "--format", "json"])
    events = json.loads(export.stdout)["events"]
    assert len(events) == 3  # the four sources list the same three events: deduplicated
    assert {s["source"] for e in events for s in e["sources"]} == {"s0", "s1", "s2", "s3"}


def _serve(db: Path, **env: str) -> tuple[object, str]:
    import socket
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "agenda.cli", "serve", "--db", str(db), "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_subprocess_env(**env),
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx.get(f"{base}/health")
            break
        except httpx.TransportError:
            time.sleep(0.1)
    return server, base


def _statuses_with_forged_addresses(base: str) -> list[int]:
    import httpx

    return [
        httpx.get(f"{base}/api/partner/events", headers={
            "Authorization": "Bearer wrong", "X-Forwarded-For": f"10.0.0.{i}"}).status_code
        for i in range(12)
    ]  # fmt: skip


def test_forwarded_addresses_count_only_from_trusted_proxies(tmp_path: Path) -> None:
    from agenda.store.database import Store

    db = tmp_path / "a.db"
    Store.open(db).close()
    server, base = _serve(db, AGENDA_TRUSTED_PROXIES="")
    try:  # a made-up X-Forwarded-For from loopback does not dodge the failed-key brake
        assert _statuses_with_forged_addresses(base)[-1] == 429
    finally:
        server.terminate()  # type: ignore[attr-defined]
        server.wait()  # type: ignore[attr-defined]
    server, base = _serve(db, AGENDA_TRUSTED_PROXIES="127.0.0.1")
    try:  # behind a configured proxy, every forwarded client has its own count
        assert set(_statuses_with_forged_addresses(base)) == {401}
    finally:
        server.terminate()  # type: ignore[attr-defined]
        server.wait()  # type: ignore[attr-defined]


def test_export_takes_language_and_a_category_in_either_language(tmp_path: Path) -> None:
    (tmp_path / "lakenhal.ics").write_text(FEED, encoding="utf-8")
    db = str(tmp_path / "a.db")
    CliRunner().invoke(
        main, ["import", "--config", str(config(tmp_path, lakenhal("lakenhal.ics"))), "--db", db]
    )

    def export(*args: str) -> list[dict]:
        result = CliRunner().invoke(main, ["export", "--db", db, "--format", "json", *args])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)["events"]

    everything = export()
    assert export("--category", "Lecture") == export("--category", "lezing") != []
    assert export("--lang", "en") == everything  # a language to read selects nothing
    assert export("--language", "en") == []  # this Dutch calendar holds nothing in English


def test_serve_with_workers_shares_the_port_and_sees_imports(tmp_path: Path) -> None:
    """`agenda serve --workers 2`: both processes answer, and an import made meanwhile
    reaches every worker's cached answers (they are keyed on the database's generation)."""
    import os
    import socket
    import subprocess
    import sys
    import time

    import httpx
    from conftest import NOW, make_listing, make_source

    from agenda.store.database import Store
    from agenda.sync.ingest import ingest

    db = tmp_path / "agenda.db"
    later = NOW.replace(year=NOW.year + 5)
    with Store.opened(db) as store:
        ingest(store, make_source(), [make_listing(external_id="a", start=later, end=None)],
               [], NOW)  # fmt: skip
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "AGENDA_SESSION_SECRET": ""}
    server = subprocess.Popen(
        [sys.executable, "-m", "agenda.cli", "serve", "--db", str(db), "--port", str(port),
         "--workers", "2"], env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    url = f"/api/events?from={later.date().isoformat()}"
    try:
        for _ in range(150):
            try:
                httpx.get(base + "/health")
                break
            except httpx.TransportError:
                time.sleep(0.1)
        with httpx.Client(base_url=base) as client:
            assert all(len(client.get(url).json()["events"]) == 1 for _ in range(20))
            with Store.opened(db) as store:
                ingest(store, make_source(), [
                    make_listing(external_id="a", start=later, end=None),
                    make_listing(external_id="b", title="Orgelconcert", start=later, end=None,
                                 venue_name="Pieterskerk"),
                ], [], NOW)  # fmt: skip
            time.sleep(1.5)  # generation_check
            assert all(len(client.get(url).json()["events"]) == 2 for _ in range(20))
    finally:
        server.terminate()
        server.wait(timeout=30)
