"""Nothing lost: outages, shrunk answers, concurrent imports, leadership, alerts, hard kills."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import dump
from httpserver import Response, serve

from agenda.errors import SourceBusyError
from agenda.model import SourceConfig
from agenda.store.database import Store
from agenda.store.query import EventFilter, list_events
from agenda.sync.jobs import import_source
from agenda.sync.scheduler import ImportScheduler
from importers.fetch import FetchLimits

NOW = datetime(2027, 1, 10, 9, tzinfo=UTC)


def ics(n: int, prefix: str = "Concert") -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//NL"]
    for i in range(n):
        lines += ["BEGIN:VEVENT", f"UID:ev-{i}@test", f"DTSTART;TZID=Europe/Amsterdam:202702{1 + i % 27:02d}T2000{i % 60:02d}",
                  f"SUMMARY:{prefix} {i}", "LOCATION:Museum De Lakenhal, Leiden", "END:VEVENT"]  # fmt: skip
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def source(url: str, **extra: object) -> SourceConfig:
    return SourceConfig(
        id="lakenhal", name="Lakenhal", format="ics", url=url, city="Leiden", **extra
    )  # type: ignore[arg-type]


def listings_state(store: Store) -> list[tuple]:
    return store.db.execute("SELECT key, content_hash, state FROM listings ORDER BY key").fetchall()


@pytest.mark.parametrize("outage", ["refused", "timeout", "http500", "tls"])
def test_a_source_that_is_down_keeps_its_listings_and_records_the_failure(
    tmp_path: Path, outage: str
) -> None:
    store = Store.open(tmp_path / "a.db")
    state = {"mode": "up"}

    def answer(request):
        if state["mode"] == "http500":
            return 500
        if state["mode"] == "timeout":
            return Response(body=ics(10), delay=2.0)
        return ics(10)

    with serve({"/agenda.ics": answer}) as server:
        assert import_source(store, source(f"{server}/agenda.ics"), clock=lambda: NOW).new == 10
        before = listings_state(store)
        url = {"refused": f"http://127.0.0.1:{_closed_port()}/agenda.ics",
               "tls": f"https://{str(server).removeprefix('http://')}/agenda.ics"}.get(outage, f"{server}/agenda.ics")  # fmt: skip
        state["mode"] = outage
        run = import_source(store, source(url), clock=lambda: NOW + timedelta(hours=1),
                            limits=FetchLimits(read_timeout=0.3, connect_timeout=1))  # fmt: skip
    assert run.outcome == "failed" and run.message
    assert listings_state(store) == before
    assert len(list_events(store, EventFilter())) == 10
    assert store.runs("lakenhal")[-1]["outcome"] == "failed"


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_empty_answer_is_held_back_until_a_coordinator_confirms(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "a.db")
    feed = {"body": ics(10)}
    with serve({"/agenda.ics": lambda request: feed["body"]}) as server:
        cfg = source(f"{server}/agenda.ics")
        import_source(store, cfg, clock=lambda: NOW)
        before = listings_state(store)
        feed["body"] = ics(0)
        held = import_source(store, cfg, clock=lambda: NOW + timedelta(hours=1))
        assert held.outcome == "refused" and listings_state(store) == before
        assert store.source_rows()[0]["outcome"] == "refused"  # shown as suspicious
        confirmed = import_source(store, cfg, clock=lambda: NOW + timedelta(hours=2), force=True)
    assert confirmed.outcome == "ok" and confirmed.withdrawn == 10
    events = list_events(store, EventFilter())
    assert len(events) == 10 and all(e.withdrawn for e in events)  # kept, shown as cancelled


def test_two_imports_of_one_source_never_run_at_once(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "a.db")
    other = Store.open(tmp_path / "a.db")
    assert other.acquire("import:lakenhal", "someone-else", NOW + timedelta(minutes=30), NOW)
    with pytest.raises(SourceBusyError):
        import_source(store, source("x.ics"), clock=lambda: NOW)
    # an expired lease is taken over
    later = NOW + timedelta(hours=1)
    assert store.acquire("import:lakenhal", "me", later + timedelta(minutes=1), later)


def test_only_one_scheduler_leads(tmp_path: Path) -> None:
    db = str(tmp_path / "a.db")
    (tmp_path / "agenda.ics").write_bytes(ics(3))
    cfg = source(str(tmp_path / "agenda.ics"))
    Store.open(db).close()
    first = ImportScheduler(db, [cfg], lambda: NOW)
    second = ImportScheduler(db, [cfg], lambda: NOW)
    first.owner, second.owner = "worker-1", "worker-2"
    assert first.heartbeat() and not second.heartbeat()
    assert second.run("lakenhal") == "not leader"
    assert first.run("lakenhal") == "ok"
    first.shutdown()  # releases the lease
    assert second.heartbeat() and second.run("lakenhal") == "ok"


def test_scheduler_jobs_follow_the_source_intervals(tmp_path: Path) -> None:
    db = str(tmp_path / "a.db")
    Store.open(db).close()
    sources = [
        source("x.ics"),
        SourceConfig(id="b", name="B", format="ics", url="y.ics", interval_seconds=7200),
    ]
    scheduler = ImportScheduler(db, sources, lambda: datetime.now(UTC))
    scheduler.start()
    try:
        assert set(scheduler.next_runs()) == {"lakenhal", "b"}
        jobs = {j.id: j for j in scheduler._scheduler.get_jobs()}
        assert jobs["import:b"].trigger.interval == timedelta(hours=2)
        assert jobs["import:b"].max_instances == 1 and jobs["import:b"].coalesce
    finally:
        scheduler.shutdown()


def test_webhook_hears_failing_and_recovered(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "a.db")
    state = {"up": True}
    with serve({"/agenda.ics": lambda r: ics(3) if state["up"] else 503, "/hook": 204}) as server:
        cfg = source(f"{server}/agenda.ics", webhook=f"{server}/hook")
        import_source(store, cfg, clock=lambda: NOW)
        state["up"] = False
        import_source(store, cfg, clock=lambda: NOW + timedelta(hours=1))
        import_source(
            store, cfg, clock=lambda: NOW + timedelta(hours=2)
        )  # still failing: no new alert
        state["up"] = True
        import_source(store, cfg, clock=lambda: NOW + timedelta(hours=3))
        alerts = [json.loads(r.body) for r in server.requests if r.path == "/hook"]
    assert [a["state"] for a in alerts] == ["failing", "recovered"]
    assert alerts[0]["source"] == "lakenhal" and "503" in alerts[0]["message"]


KILLED_IMPORT = """
import sys
from datetime import UTC, datetime
from agenda.dedup import rebuild as materialize
from agenda.sync.jobs import import_source
from agenda.model import SourceConfig
from agenda.store.database import Store
original = materialize.rebuild_events
def slow(*args, **kwargs):
    print("rebuilding", flush=True)
    import time; time.sleep(30)
    return original(*args, **kwargs)
materialize.rebuild_events = slow
import agenda.sync.ingest as ingest_module
ingest_module.rebuild_events = slow
store = Store.open(sys.argv[1])
src = SourceConfig(id="lakenhal", name="L", format="ics", url=sys.argv[2], city="Leiden")
import_source(store, src, clock=lambda: datetime(2027, 1, 10, 9, tzinfo=UTC))
"""


def test_sigkill_mid_import_leaves_a_consistent_database(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    feed = tmp_path / "agenda.ics"
    feed.write_bytes(ics(50))
    store = Store.open(db)
    import_source(store, source(str(feed)), clock=lambda: NOW)
    before = dump(store)
    store.close()
    feed.write_bytes(ics(60, prefix="Voorstelling"))
    child = subprocess.Popen([sys.executable, "-c", KILLED_IMPORT, str(db), str(feed)],
                             stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": os.getcwd()})  # fmt: skip
    assert child.stdout is not None and child.stdout.readline().strip() == "rebuilding"
    time.sleep(0.2)  # inside the transaction, listings already written
    child.send_signal(signal.SIGKILL)
    child.wait()
    child.stdout.close()
    store = Store.open(db)
    assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    after = dump(store)
    assert after == before  # the killed transaction left nothing behind
    run = import_source(store, source(str(feed)), clock=lambda: NOW + timedelta(hours=1))
    assert run.outcome == "ok" and run.updated == 50 and run.new == 10
    assert len(list_events(store, EventFilter())) == 60


def test_coordinator_can_import_and_confirm_over_http(tmp_path: Path) -> None:
    from litestar.testing import TestClient

    from agenda.app import create_app
    from agenda.config import Settings
    from agenda.partners.accounts import key_hash

    feed = tmp_path / "agenda.ics"
    feed.write_bytes(ics(8))
    config = tmp_path / "sources.toml"
    config.write_text(
        '[[source]]\nid = "lakenhal"\nname = "L"\nformat = "ics"\nurl = "agenda.ics"\ncity = "Leiden"\n'
    )
    settings = Settings(
        db=str(tmp_path / "a.db"), config=str(config), coordinator_key_hash=key_hash("s3cret")
    )
    with TestClient(create_app(settings, clock=lambda: NOW)) as client:
        assert client.post("/api/sources/lakenhal/import").status_code == 401
        wrong = client.post(
            "/api/sources/lakenhal/import", headers={"Authorization": "Bearer nope"}
        )
        assert wrong.status_code == 401 and wrong.headers["content-type"].startswith(
            "application/problem+json"
        )
        auth = {"Authorization": "Bearer s3cret"}
        first = client.post("/api/sources/lakenhal/import", headers=auth).json()
        assert first["outcome"] == "ok" and first["new"] == 8
        feed.write_bytes(ics(0))
        assert (
            client.post("/api/sources/lakenhal/import", headers=auth).json()["outcome"] == "refused"
        )
        sources = client.get("/api/sources").json()
        assert sources[0]["last_outcome"] == "refused"
        confirmed = client.post("/api/sources/lakenhal/confirm", headers=auth).json()
        assert confirmed["outcome"] == "ok" and confirmed["withdrawn"] == 8
        assert client.post("/api/sources/nope/import", headers=auth).status_code == 404
    from agenda.partners.accounts import audit_log

    store = Store.open(tmp_path / "a.db")
    actions = [(row["partner"], row["action"]) for row in audit_log(store)]
    store.close()
    assert ("coordinator key", "source.import") in actions and (
        "coordinator key",
        "source.confirm",
    ) in actions


def test_a_page_without_json_ld_keeps_the_earlier_listings(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "a.db")
    page = tmp_path / "agenda.html"
    page.write_text('<html><script type="application/ld+json">{"@type": "Event", "@id": "x", "name": "Lezing",'
                    ' "startDate": "2027-02-01T20:00:00+01:00"}</script></html>')  # fmt: skip
    cfg = SourceConfig(id="museum", name="Museum", format="jsonld", url=str(page), city="Leiden")
    assert import_source(store, cfg, clock=lambda: NOW).new == 1
    page.write_text("<html><body>Onze agenda is verhuisd.</body></html>")
    run = import_source(store, cfg, clock=lambda: NOW + timedelta(hours=1))
    assert run.outcome == "refused"
    assert any("no schema.org events" in p.message for p in run.problems)
    assert [e.title for e in list_events(store, EventFilter())] == ["Lezing"]
    assert not list_events(store, EventFilter())[0].withdrawn


def test_sources_show_their_next_scheduled_run(tmp_path: Path) -> None:
    from litestar.testing import TestClient

    from agenda.app import create_app
    from agenda.config import Settings

    (tmp_path / "agenda.ics").write_bytes(ics(2))
    config = tmp_path / "sources.toml"
    config.write_text(
        '[[source]]\nid = "lakenhal"\nname = "L"\nformat = "ics"\nurl = "agenda.ics"\ninterval = "2h"\n'
    )
    store = Store.open(tmp_path / "a.db")
    import_source(store, source(str(tmp_path / "agenda.ics")), clock=lambda: NOW)
    store.close()
    settings = Settings(db=str(tmp_path / "a.db"), config=str(config), schedule=True)
    with TestClient(create_app(settings)) as client:
        (health,) = client.get("/api/sources").json()
        assert health["next_run"] is not None and health["recent"][0]["listings"] == 2


PARTNER_WRITER = """
import sys, time
from datetime import UTC, datetime
from agenda.store.database import Store
store = Store.open(sys.argv[1])
deadline = time.monotonic() + float(sys.argv[2])
writes = 0
while time.monotonic() < deadline:
    with store.transaction():  # a reader turned writer, as a partner request is
        store.partner_rows()
        time.sleep(0.02)
        store.add_audit(datetime.now(UTC), None, "writer", "test.write", "x", "{}")
    writes += 1
    time.sleep(0.01)
print(writes, flush=True)
"""


def _agenda(*args: str) -> list[str]:
    return [sys.executable, "-m", "agenda.cli", *args]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}


def test_an_import_and_another_writer_at_once_both_finish(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    blocks = []
    for n in range(6):
        (tmp_path / f"s{n}.ics").write_bytes(ics(120, prefix=f"Voorstelling {n}"))
        blocks.append(
            f'[[source]]\nid = "s{n}"\nformat = "ics"\nurl = "s{n}.ics"\ncity = "Leiden"\n'
        )
    (tmp_path / "sources.toml").write_text("\n".join(blocks), encoding="utf-8")
    Store.open(db).close()
    writer = subprocess.Popen([sys.executable, "-c", PARTNER_WRITER, str(db), "6"], env=_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    imported = subprocess.run(_agenda("import", "--config", str(tmp_path / "sources.toml"),
                                      "--db", str(db)),
                              env=_env(), capture_output=True, text=True, timeout=120)  # fmt: skip
    out, err = writer.communicate(timeout=60)
    assert imported.returncode == 0, imported.stderr
    assert "Traceback" not in imported.stderr and "Traceback" not in err, (imported.stderr, err)
    assert writer.returncode == 0 and int(out) > 10
    with Store.opened(db) as store:
        assert store.count("listings") == 720 and store.count("events") > 0


IMPATIENT_CLI = """
import sys
import agenda.store.database as database
database.BUSY_TIMEOUT_MS = 300  # wait 0.3 s instead of 30 s for the test
from agenda.cli.main import main
main(sys.argv[1:])
"""


def test_a_database_busy_past_the_timeout_is_one_line_and_exit_two(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    Store.open(db).close()
    sources = tmp_path / "sources.toml"
    sources.write_text('[[source]]\nid = "lakenhal"\nformat = "ics"\nurl = "x.ics"\n')
    holder = Store.open(db)
    with holder.transaction():  # another process's long write transaction
        holder.add_audit(NOW, None, "holder", "test.hold", "x", "{}")
        result = subprocess.run(
            [sys.executable, "-c", IMPATIENT_CLI, "partner", "add", "Anna", "--institution",
             "lakenhal", "--db", str(db), "--config", str(sources)],
            env=_env(), capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    holder.close()
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == (
        "agenda: database is busy (another process is writing); try again in a moment"
    )


def test_a_killed_import_does_not_block_its_source(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    calls = {"n": 0}

    def feed(_request: object) -> Response:
        calls["n"] += 1
        return Response(body=ics(3), delay=30.0 if calls["n"] == 1 else 0.0)

    with serve({"/agenda.ics": feed}) as server:
        (tmp_path / "sources.toml").write_text(
            f'[[source]]\nid = "lakenhal"\nformat = "ics"\nurl = "{server}/agenda.ics"\n',
            encoding="utf-8",
        )
        command = _agenda("import", "--config", str(tmp_path / "sources.toml"), "--db", str(db))
        first = subprocess.Popen(command, env=_env(), stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)  # fmt: skip
        deadline = time.monotonic() + 30
        while not server.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.requests, "the first import never fetched"  # it holds the lease now
        first.send_signal(signal.SIGKILL)
        first.wait()
        again = subprocess.run(command, env=_env(), capture_output=True, text=True, timeout=60)
    assert again.returncode == 0, again.stderr
    assert "skipped" not in again.stdout and "lakenhal: 3 new" in again.stdout, again.stdout


def test_a_lease_with_a_stopped_heartbeat_is_taken_over(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "a.db")
    # a holder on this host whose process lives (this one) but whose heartbeat stopped
    assert store.acquire("import:lakenhal", "other", NOW + timedelta(minutes=30), NOW)
    assert not store.acquire("import:lakenhal", "me", NOW + timedelta(minutes=30), NOW)
    later = NOW + timedelta(minutes=3)
    assert store.acquire("import:lakenhal", "me", later + timedelta(minutes=30), later)
    # a live holder that beats keeps it
    assert store.heartbeat("import:lakenhal", "me", later + timedelta(minutes=30), later)
    assert not store.acquire("import:lakenhal", "third", later + timedelta(minutes=30), later)
