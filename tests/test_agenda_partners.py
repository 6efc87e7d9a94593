"""Partners, roles, submissions, embargoes that never leak, preview feeds, the audit trail."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import NOW, make_listing, make_source
from litestar.testing import TestClient

from agenda.app import create_app
from agenda.cli.main import main
from agenda.config import Settings
from agenda.dedup.rebuild import release_embargoes
from agenda.partners.accounts import add_partner, audit_log, revoke_partner
from agenda.store.database import Store
from agenda.sync.ingest import ingest
from agenda.web.publish import publish

SECRET = "Geheime Vermeer-tentoonstelling"
CLOCK = {"now": datetime(2027, 1, 20, 12, tzinfo=UTC)}


def clock() -> datetime:
    return CLOCK["now"]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[dict]:
    CLOCK["now"] = datetime(2027, 1, 20, 12, tzinfo=UTC)
    db = tmp_path / "a.db"
    store = Store.open(db)
    ingest(
        store,
        make_source(),
        [make_listing(external_id="pub", title="Openbare lezing", venue_name="Museum De Lakenhal")],
        [],
        NOW,
    )
    _, lakenhal_key = add_partner(store, "Lakenhal marketing", "lakenhal", "partner", NOW)
    _, prinsenhof_key = add_partner(store, "Prinsenhof marketing", "prinsenhof", "partner", NOW)
    _, coordinator_key = add_partner(
        store, "Regio coordinator", "leiden-marketing", "coordinator", NOW
    )
    store.close()
    app = create_app(Settings(db=str(db), generation_check=0), clock=clock)
    with TestClient(app) as client:
        yield {"client": client, "db": db, "lakenhal": lakenhal_key, "prinsenhof": prinsenhof_key,
               "coordinator": coordinator_key}  # fmt: skip


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def submit(world: dict, key: str, **fields: object) -> dict:
    body = {"title": SECRET, "start": "2027-03-01T20:00:00+01:00", "venue": "Museum De Lakenhal",
            "city": "Leiden", "categories": ["Tentoonstelling"], **fields}  # fmt: skip
    response = world["client"].post("/api/partner/events", json=body, headers=auth(key))
    assert response.status_code == 201, response.text
    return response.json()


def test_cli_prints_the_key_alone_on_the_last_line_and_revokes(tmp_path: Path) -> None:
    db = str(tmp_path / "a.db")
    Store.open(db).close()
    sources = tmp_path / "sources.toml"
    sources.write_text('[[source]]\nid = "lakenhal"\nformat = "ics"\nurl = "x.ics"\n')
    added = CliRunner().invoke(
        main,
        [
            "partner",
            "add",
            "Lakenhal",
            "--institution",
            "lakenhal",
            "--role",
            "partner",
            "--db",
            db,
            "--config",
            str(sources),
        ],
    )
    assert added.exit_code == 0
    key = added.output.strip().splitlines()[-1]
    assert re.fullmatch(r"ra_[\w-]{40,}", key)
    store = Store.open(db)
    assert key not in str(list(store.db.query("SELECT * FROM partners")))  # stored hashed
    store.close()
    listed = CliRunner().invoke(main, ["partner", "list", "--db", db])
    assert "Lakenhal  partner  lakenhal  active" in listed.output and key not in listed.output
    revoked = CliRunner().invoke(main, ["partner", "revoke", "Lakenhal", "--db", db])
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    assert (
        CliRunner()
        .invoke(main, ["partner", "add", "X", "--institution", "x", "--role", "boss", "--db", db])
        .exit_code
        == 2
    )


def test_role_checks(world: dict) -> None:
    client = world["client"]
    assert client.post("/api/partner/events", json={}).status_code == 401
    assert client.get("/api/partner/events", headers=auth("ra_nonsense")).status_code == 401
    made = submit(world, world["lakenhal"])
    other = client.patch(
        f"/api/partner/events/{made['id']}",
        json={"title": "Gekaapt"},
        headers=auth(world["prinsenhof"]),
    )
    assert other.status_code == 403
    assert (
        client.delete(
            f"/api/partner/events/{made['id']}", headers=auth(world["prinsenhof"])
        ).status_code
        == 403
    )
    coordinator = client.patch(f"/api/partner/events/{made['id']}", json={"description": "Door de coördinator"},
                               headers=auth(world["coordinator"]))  # fmt: skip
    assert coordinator.status_code == 200
    store = Store.open(world["db"])
    revoke_partner(store, "Lakenhal marketing", NOW)
    store.close()
    assert client.get("/api/partner/events", headers=auth(world["lakenhal"])).status_code == 401


def test_failed_keys_are_rate_limited(world: dict) -> None:
    client = world["client"]
    codes = [
        client.get("/api/partner/events", headers=auth(f"ra_guess{i}")).status_code
        for i in range(12)
    ]
    assert codes[:10] == [401] * 10 and codes[10:] == [429, 429]
    # even the right key is refused from that address for a while
    assert client.get("/api/partner/events", headers=auth(world["lakenhal"])).status_code == 429


def test_bad_submissions_name_each_bad_field(world: dict) -> None:
    response = world["client"].post("/api/partner/events", headers=auth(world["lakenhal"]), json={
        "start": "morgen", "visibility": "secret", "categories": "x", "colour": "red",
        "url": "javascript:alert(1)", "embargo_until": "soon"})  # fmt: skip
    assert response.status_code == 400
    problem = response.json()
    fields = {e["field"] for e in problem["errors"]}
    assert fields == {
        "title",
        "start",
        "visibility",
        "categories",
        "colour",
        "url",
        "embargo_until",
    }
    bad_json = world["client"].post(
        "/api/partner/events", headers=auth(world["lakenhal"]), content=b"{nope"
    )
    assert bad_json.status_code == 400


def test_partner_only_and_embargoed_events_are_seen_by_partners_only(world: dict) -> None:
    client = world["client"]
    submit(world, world["lakenhal"], visibility="partners")
    seen = client.get("/api/partner/events", headers=auth(world["prinsenhof"])).json()["events"]
    assert [e["title"] for e in seen if e["title"] == SECRET] == [SECRET]
    assert SECRET not in client.get("/api/events").text


def test_embargo_lifts_by_itself_with_a_fresh_sequence(world: dict) -> None:
    client = world["client"]
    made = submit(world, world["lakenhal"], embargo_until="2027-02-01T09:00:00+01:00")
    assert SECRET not in client.get("/api/events").text
    CLOCK["now"] = datetime(2027, 2, 1, 8, 30, tzinfo=UTC)  # 09:30 in Amsterdam: past the moment
    store = Store.open(world["db"])
    assert release_embargoes(store, CLOCK["now"]) == 1
    store.close()
    public = client.get("/api/events").json()["events"]
    assert SECRET in [e["title"] for e in public]
    assert "SEQUENCE:1" in client.get(f"/feeds/event/{made['event']}.ics").text


def test_withdrawn_submission_shows_as_cancelled_and_is_audited(world: dict) -> None:
    client = world["client"]
    made = submit(world, world["lakenhal"])
    assert (
        client.delete(
            f"/api/partner/events/{made['id']}", headers=auth(world["lakenhal"])
        ).status_code
        == 200
    )
    event = next(e for e in client.get("/api/events").json()["events"] if e["title"] == SECRET)
    assert event["status"] == "cancelled"
    store = Store.open(world["db"])
    actions = [(row["partner"], row["action"]) for row in audit_log(store)]
    store.close()
    assert ("Lakenhal marketing", "event.create") in actions
    assert ("Lakenhal marketing", "event.withdraw") in actions


def test_private_preview_feed_includes_embargoes_until_revoked(world: dict, tmp_path: Path) -> None:
    submit(world, world["lakenhal"], embargo_until="2027-06-01T09:00:00+02:00")
    preview = CliRunner().invoke(
        main, ["partner", "preview", "Lakenhal marketing", "--db", str(world["db"])]
    )
    path = "/" + preview.output.strip().split("/", 3)[3]
    client = world["client"]
    assert SECRET in client.get(path).text
    assert client.get(path).headers["cache-control"] == "private, no-store"
    store = Store.open(world["db"])
    revoke_partner(store, "Lakenhal marketing", NOW)
    store.close()
    assert client.get(path).status_code == 404


def _public_paths(client: TestClient, event_id: str) -> list[str]:
    values = {"event_id": event_id, "venue_id": "lakenhal", "theme_id": "rembrandt-2019",
              "name": "agenda.ics", "source_id": "lakenhal"}  # fmt: skip
    paths = []
    for route in client.app.routes:
        for handler in route.route_handlers:
            if "GET" not in handler.http_methods or route.path.startswith(
                ("/api/partner", "/feeds/private")
            ):
                continue
            path = re.sub(r"\{(\w+):\w+\}", lambda m: values.get(m.group(1), "x"), route.path)
            paths.append(path)
    return sorted(set(paths))


def test_embargo_never_leaks_through_any_public_route(world: dict, tmp_path: Path) -> None:
    client = world["client"]
    made = submit(world, world["lakenhal"], embargo_until="2027-06-01T09:00:00+02:00",
                  description="Zeer geheim", url="https://example.org/geheim")  # fmt: skip
    secret_id, listing = made["event"], made["listing"]
    checked = 0
    for path in _public_paths(client, secret_id):
        variants = [path]
        if path.startswith(("/api/events", "/feeds/", "/")):
            variants += [f"{path}?q=vermeer", f"{path}?from=2027-01-01&to=2027-12-31"]
        for url in variants:
            response = client.get(url)
            body = response.text
            assert SECRET not in body and "geheim" not in body.lower(), url
            assert listing not in body, url
            if secret_id in url:
                # asking for the secret id answers exactly as for an id that never existed
                unknown = client.get(url.replace(secret_id, "e000000000000"))
                assert response.status_code == unknown.status_code, url
                assert body.replace(secret_id, "e000000000000") == unknown.text, url
            else:
                assert secret_id not in body, url
            checked += 1
    for name in ["agenda.ics", "agenda.rss", "agenda.atom", "agenda.json", "leiden.ics", "venue-lakenhal.ics",
                 f"event/{secret_id}.ics"]:  # fmt: skip
        assert SECRET not in client.get(f"/feeds/{name}").text
    assert SECRET not in client.get("/api/clashes?start=2027-03-01&city=Leiden").text
    assert SECRET not in client.get("/api/clashes?start=2027-03-01T20:00%2B01:00").text
    assert client.get(f"/api/events/{secret_id}").status_code == 404
    assert client.get(f"/events/{secret_id}").status_code == 404
    assert client.get("/api/changes?since=2020-01-01T00:00Z").text.count(secret_id) == 0
    count_before = client.get("/api/categories").json()
    assert all(c["count"] == 1 for c in count_before if c["id"] == "exhibition") or not count_before
    store = Store.open(world["db"])
    out = tmp_path / "site"
    publish(store, out, "https://cdn.example", CLOCK["now"])
    store.close()
    for file in out.rglob("*"):
        if file.is_file():
            assert (
                SECRET.encode() not in file.read_bytes()
                and secret_id.encode() not in file.read_bytes()
            ), file
    export = CliRunner().invoke(
        main, ["export", "--db", str(world["db"]), "--format", "json", "--from", "2027-01-01"]
    )
    assert SECRET not in export.output
    assert checked > 20


def test_csv_upload_stores_every_row_or_none(world: dict) -> None:
    client = world["client"]
    good = (b"titel;datum;begintijd;locatie;plaats\r\n"
            b"Rondleiding depot;12-03-2027;14:00;Museum De Lakenhal;Leiden\r\n"
            b"Avondopenstelling;13-03-2027;19:00;Museum De Lakenhal;Leiden\r\n")  # fmt: skip
    response = client.post("/api/partner/events.csv", content=good, headers=auth(world["lakenhal"]))
    assert response.status_code == 201 and response.json()["imported"] == 2
    titles = [
        e["title"] for e in client.get("/api/events?from=2027-03-01&to=2027-03-31").json()["events"]
    ]
    assert {"Rondleiding depot", "Avondopenstelling"} <= set(titles)
    bad = (b"titel;datum;begintijd;plaats\r\n"
           b"Goed;14-03-2027;14:00;Leiden\r\n"
           b"Fout;31-02-2027;14:00;Leiden\r\n")  # fmt: skip
    refused = client.post("/api/partner/events.csv", content=bad, headers=auth(world["lakenhal"]))
    assert refused.status_code == 400
    assert any(
        "31-02-2027" in e["message"] and "row 3" in e["message"] for e in refused.json()["errors"]
    )
    assert (
        "Goed" not in client.get("/api/events?from=2027-03-01&to=2027-03-31").text
    )  # nothing stored
    assert client.post("/api/partner/events.csv", content=good).status_code == 401


def test_partner_submissions_deduplicate_like_any_source(world: dict) -> None:
    client = world["client"]
    # The same lecture the Lakenhal feed already lists publicly ("Openbare lezing").
    public = client.get("/api/events").json()["events"]
    lecture = next(e for e in public if e["title"] == "Openbare lezing")
    made = submit(world, world["prinsenhof"], title="Openbare lezing", start=lecture["start"],
                  venue="Museum De Lakenhal", embargo_until="2027-06-01T09:00:00+02:00")  # fmt: skip
    assert made["event"] == lecture["id"]  # merged into the existing event, which stays public
    detail = client.get(f"/api/events/{lecture['id']}").json()
    # Until its embargo ends, the partner's listing adds nothing to the public event.
    assert {x["source"] for x in detail["listings"]} == {"lakenhal"}
    private = client.get("/api/partner/events", headers=auth(world["prinsenhof"])).json()
    merged = next(e for e in private["events"] if e["id"] == lecture["id"])
    assert {s["source"] for s in merged["sources"]} == {"lakenhal", "partner-prinsenhof"}


def test_a_feed_listing_is_no_partner_submission(world: dict) -> None:
    # "pub" is the id of a listing in the Lakenhal feed, not something any partner submitted.
    response = world["client"].patch(
        "/api/partner/events/pub", json={"title": "x"}, headers=auth(world["prinsenhof"])
    )
    assert response.status_code == 404


HIDDEN_WORDS = ("vermeer", "geheimcategorie", "geheim-url", "partner-prinsenhof")


def _assert_hidden(text: str, listing: str, where: str) -> None:
    low = text.lower()
    for word in HIDDEN_WORDS:
        if word in where.lower():
            continue  # the page echoes its own query (a search box, a filter)
        assert word not in low, f"{word!r} leaked through {where}"
    assert listing not in text, f"the listing id leaked through {where}"


def test_an_embargoed_listing_merged_into_a_public_event_adds_nothing_public(
    world: dict, tmp_path: Path
) -> None:
    client = world["client"]
    public = client.get("/api/events").json()["events"]
    lecture = next(e for e in public if e["title"] == "Openbare lezing")
    made = submit(
        world, world["prinsenhof"], title="Openbare lezing", start=lecture["start"],
        venue="Museum De Lakenhal", embargo_until="2027-06-01T09:00:00+02:00",
        description="Vermeer komt: een zeer geheime omschrijving",
        categories=["Geheimcategorie", "Open dag"], url="https://example.org/geheim-url",
    )  # fmt: skip
    event_id, listing = made["event"], made["listing"]
    assert event_id == lecture["id"]  # one happening: merged, and the event stays public
    assert "open-day" not in client.get(f"/api/events/{event_id}").json()["categories"]
    checked = 0
    for path in _public_paths(client, event_id):
        variants = [path, f"{path}?q=vermeer", f"{path}?category=Geheimcategorie",
                    f"{path}?source=partner-prinsenhof", f"{path}?from=2027-01-01&to=2027-12-31"]  # fmt: skip
        for url in variants:
            _assert_hidden(client.get(url).text, listing, url)
            checked += 1
    for name in ["agenda.ics", "agenda.rss", "agenda.atom", "agenda.json", "leiden.ics",
                 "venue-lakenhal.ics", f"event/{event_id}.ics"]:  # fmt: skip
        _assert_hidden(client.get(f"/feeds/{name}").text, listing, name)
    source_feed = client.get("/feeds/source-partner-prinsenhof.ics").text
    assert "Openbare lezing" not in source_feed
    assert client.get("/api/events?q=vermeer").json()["events"] == []
    # A word no public event carries is no category at all: a 400, never a hidden match.
    assert client.get("/api/events?category=Geheimcategorie").status_code == 400
    assert client.get("/api/events?source=partner-prinsenhof").json()["events"] == []
    _assert_hidden(client.get("/api/clashes?start=2027-02-03&city=Leiden").text, listing, "clashes")
    _assert_hidden(client.get("/api/changes?since=2020-01-01T00:00Z").text, listing, "changes")
    detail = client.get(f"/api/events/{event_id}").json()
    assert detail["sequence"] == lecture.get("sequence", detail["sequence"])
    store = Store.open(world["db"])
    publish(store, tmp_path / "site", "https://cdn.example", CLOCK["now"])
    store.close()
    for file in (tmp_path / "site").rglob("*"):
        if file.is_file():
            _assert_hidden(file.read_text(errors="replace"), listing, str(file))
    export = CliRunner().invoke(main, ["export", "--db", str(world["db"]), "--format", "json"])
    _assert_hidden(export.output, listing, "agenda export")
    assert checked > 100
    # Partners see the whole happening meanwhile.
    private = client.get("/api/partner/events", headers=auth(world["lakenhal"])).json()["events"]
    merged = next(e for e in private if e["id"] == event_id)
    assert "open-day" in merged["categories"]  # "Open dag", as a canonical id
    # The embargo ends: the listing joins the public event, with a fresh SEQUENCE.
    before = client.get(f"/api/events/{event_id}").json()["sequence"]
    CLOCK["now"] = datetime(2027, 6, 1, 8, tzinfo=UTC)
    store = Store.open(world["db"])
    assert release_embargoes(store, CLOCK["now"]) == 1
    store.close()
    after = client.get(f"/api/events/{event_id}").json()
    assert {x["source"] for x in after["listings"]} == {"lakenhal", "partner-prinsenhof"}
    assert "open-day" in after["categories"]
    assert after["sequence"] > before


def test_a_venue_learned_only_from_hidden_listings_stays_hidden(world: dict) -> None:
    client = world["client"]
    submit(world, world["prinsenhof"], title="Besloten avond", venue="De Geheime Zolder",
           visibility="partners")  # fmt: skip
    submit(world, world["prinsenhof"], title="Voorpremière", venue="De Geheime Zolder",
           embargo_until="2027-06-01T09:00:00+02:00", start="2027-03-02T20:00:00+01:00")  # fmt: skip
    listed = client.get("/api/venues").json()
    assert all("geheime" not in v["name"].lower() for v in listed)
    assert client.get("/api/venues/de-geheime-zolder").status_code == 404
    assert client.get("/venues/de-geheime-zolder").status_code == 404
    assert client.get("/feeds/venue-de-geheime-zolder.ics").status_code == 404


def test_a_withdrawn_public_listing_keeps_its_event_as_cancelled_beside_an_embargoed_one(
    world: dict,
) -> None:
    client = world["client"]
    lecture = next(e for e in client.get("/api/events").json()["events"]
                   if e["title"] == "Openbare lezing")  # fmt: skip
    submit(world, world["prinsenhof"], title="Openbare lezing", start=lecture["start"],
           venue="Museum De Lakenhal", embargo_until="2027-06-01T09:00:00+02:00")  # fmt: skip
    store = Store.open(world["db"])
    ingest(store, make_source(), [make_listing(external_id="other", title="Iets anders")], [],
           NOW.replace(hour=13))  # fmt: skip
    store.close()
    gone = client.get(f"/api/events/{lecture['id']}")
    assert gone.status_code == 200
    assert gone.json()["status"] == "cancelled"
    assert "Openbare lezing" in client.get("/feeds/agenda.ics").text
    export = CliRunner().invoke(main, ["export", "--db", str(world["db"]), "--format", "json"])
    assert lecture["id"] in export.output


def test_cli_refuses_an_institution_that_is_no_known_source(world: dict, tmp_path: Path) -> None:
    db = str(world["db"])  # has imported the source "lakenhal"
    typo = CliRunner().invoke(
        main, ["partner", "add", "X", "--institution", "lakenhall", "--db", db]
    )
    assert typo.exit_code == 2 and typo.stderr.count("\n") == 1
    assert "no source 'lakenhall'" in typo.stderr and "did you mean lakenhal?" in typo.stderr
    nothing = CliRunner().invoke(
        main, ["partner", "add", "X", "--institution", "nosuch", "--db", db]
    )
    assert nothing.exit_code == 2 and "known: lakenhal" in nothing.stderr
    store = Store.open(db)
    assert [p["name"] for p in store.partner_rows()] == [
        "Lakenhal marketing", "Prinsenhof marketing", "Regio coordinator"]  # fmt: skip
    store.close()
    sources = tmp_path / "sources.toml"
    sources.write_text('[[source]]\nid = "hortus"\nformat = "ics"\nurl = "x.ics"\n')
    known = CliRunner().invoke(main, ["partner", "add", "Hortus", "--institution", "hortus",
                                      "--db", db, "--config", str(sources)])  # fmt: skip
    assert known.exit_code == 0, known.stderr


def test_cli_gives_no_preview_feed_to_a_revoked_account(world: dict) -> None:
    store = Store.open(world["db"])
    revoke_partner(store, "Lakenhal marketing", NOW)
    store.close()
    preview = CliRunner().invoke(
        main, ["partner", "preview", "Lakenhal marketing", "--db", str(world["db"])]
    )
    assert preview.exit_code == 2 and preview.stdout == ""
    assert preview.stderr.count("\n") == 1 and "revoked" in preview.stderr


def test_a_submission_that_disagrees_with_a_feed_is_shown_not_silently_overruled(
    world: dict,
) -> None:
    client = world["client"]
    lecture = next(e for e in client.get("/api/events").json()["events"]
                   if e["title"] == "Openbare lezing")  # fmt: skip
    # The Lakenhal's own marketing submits its lecture half an hour later than its feed says.
    start = datetime.fromisoformat(lecture["start"]).replace(minute=30)
    made = submit(world, world["lakenhal"], title="Openbare lezing", start=start.isoformat(),
                  venue="Museum De Lakenhal")  # fmt: skip
    assert made["event"] == lecture["id"]
    [conflict] = made["conflicts"]
    assert conflict["field"] == "start" and conflict["source"] == "lakenhal"
    assert conflict["ours"].endswith(":30") and conflict["theirs"] != conflict["ours"]
    # An institution's own submission wins over its own feed, on every public surface.
    shown = client.get(f"/api/events/{lecture['id']}").json()
    assert datetime.fromisoformat(shown["start"]) == start
    detail = client.get(f"/api/partner/events/{made['id']}", headers=auth(world["lakenhal"]))
    body = detail.json()
    assert body["state"] == {"visibility": "public"}
    assert body["public"]["start"] == shown["start"] and body["conflicts"][0]["field"] == "start"
    # ... and the coordinators see the disagreement in the review queue.
    store = Store.open(world["db"])
    from agenda.dedup.decisions import event_conflicts

    assert [c.field for c in event_conflicts(store)[lecture["id"]]] == ["start"]
    store.close()
    # In words and times of the page, as a person reads them.
    signed = client.post("/partners/login", data={"key": world["coordinator"],
                                                   "next": "/partners/review"})  # fmt: skip
    assert signed.status_code == 200
    queue = client.get("/partners/review").text
    summary = queue[queue.index('<p class="reasons">', queue.index('id="conflicts-title"')) :]
    summary = summary[: summary.index("</p>")]
    assert ":30 · " in summary and "-" not in summary.split(" · ")[0], summary


def test_a_city_outside_the_region_is_refused(world: dict) -> None:
    response = world["client"].post(
        "/api/partner/events",
        json={"title": "Elders", "start": "2027-03-01T20:00:00+01:00", "city": "Amsterdam"},
        headers=auth(world["lakenhal"]),
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "city"
    spelled = submit(world, world["lakenhal"], title="Aan zee", city="the hague")
    detail = world["client"].get(f"/api/partner/events/{spelled['id']}",
                                 headers=auth(world["lakenhal"])).json()  # fmt: skip
    assert detail["submission"]["city"] == "Den Haag"


def test_a_never_public_submission_can_be_erased_a_public_one_only_withdrawn(world: dict) -> None:
    client = world["client"]
    hidden = submit(world, world["lakenhal"], title="Testinzending", visibility="partners")
    erased = client.delete(f"/api/partner/events/{hidden['id']}?erase=true",
                           headers=auth(world["lakenhal"]))  # fmt: skip
    assert erased.status_code == 200 and erased.json()["erased"]
    private = client.get("/api/partner/events", headers=auth(world["lakenhal"])).json()["events"]
    assert all(e["title"] != "Testinzending" for e in private)
    assert client.get(f"/api/partner/events/{hidden['id']}",
                      headers=auth(world["lakenhal"])).status_code == 404  # fmt: skip
    public = submit(world, world["lakenhal"], title="Echte lezing")
    refused = client.delete(f"/api/partner/events/{public['id']}?erase=true",
                            headers=auth(world["lakenhal"]))  # fmt: skip
    assert refused.status_code == 400
    withdrawn = client.delete(
        f"/api/partner/events/{public['id']}", headers=auth(world["lakenhal"])
    )
    assert withdrawn.json()["withdrawn"]
    shown = client.get(f"/api/events/{public['event']}").json()
    assert shown["status"] == "cancelled"


def test_the_review_queue_names_a_partner_after_its_institution(world: dict) -> None:
    client = world["client"]
    lecture = next(e for e in client.get("/api/events").json()["events"]
                   if e["title"] == "Openbare lezing")  # fmt: skip
    start = datetime.fromisoformat(lecture["start"]).replace(minute=30)
    submit(world, world["lakenhal"], title="Openbare lezing", start=start.isoformat(),
           venue="Museum De Lakenhal")  # fmt: skip
    client.cookies.clear()
    client.post("/partners/login", data={"key": world["coordinator"], "next": "/partners/review"})
    page = client.get("/partners/review").text
    assert "(partner)" in page and "partner-lakenhal" not in page


def test_a_day_field_takes_a_day_or_a_date_times_day_and_nothing_else() -> None:
    from datetime import date as day_type

    from agenda.partners.fields import day_field

    errors: list[dict[str, str]] = []
    assert day_field("start", "2027-03-01", errors) == day_type(2027, 3, 1)
    assert day_field("start", "2027-03-01T20:00:00+01:00", errors) == day_type(2027, 3, 1)
    assert errors == []
    assert day_field("day", "2027-03-01junk", errors) is None
    assert day_field("day", "9999-01-01", errors) is None
    assert [e["field"] for e in errors] == ["day", "day"]
