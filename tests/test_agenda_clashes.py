"""The clash radar: ranking on hand-made cases, and the API with and without a partner key."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from conftest import NOW, make_listing, make_source
from litestar.testing import TestClient

from agenda.app import create_app
from agenda.config import Settings
from agenda.model import Event, SourceRef
from agenda.partners.clashes import Plan, rank_clashes
from agenda.sync.ingest import ingest

EVENING = datetime(2027, 3, 12, 19, 0, tzinfo=UTC)  # 20:00 in Amsterdam


def event(id: str, start: datetime | None = EVENING, city: str = "Leiden", categories: tuple[str, ...] = (),
          kind: str | None = None, audience: tuple[str, ...] = (), sources: int = 1, **extra: object) -> Event:  # fmt: skip
    refs = tuple(SourceRef(source=f"s{i}", external_id=id) for i in range(sources))
    return Event(id=id, title=id, start=start, city=city, categories=categories, kind=kind, audience=audience,
                 sources=refs, **extra)  # type: ignore[arg-type]  # fmt: skip


def test_same_evening_same_city_same_category_ranks_first() -> None:
    plan = Plan(start=EVENING, city="Leiden", category="concert")
    events = [
        event("concert-leiden", categories=("concert",)),
        event("concert-delft", city="Delft", categories=("concert",)),
        event("lecture-leiden", categories=("lecture",)),
        event("morning-concert-leiden", start=EVENING - timedelta(hours=9), categories=("concert",)),
        event("exhibition", start=None, start_date=date(2027, 2, 1), end_date=date(2027, 5, 1), kind="exhibition"),
        event("tomorrow", start=EVENING + timedelta(days=1), categories=("concert",)),
        event("cancelled", categories=("concert",), status="cancelled"),
    ]  # fmt: skip
    ranked = [c.event.id for c in rank_clashes(plan, events)]
    assert ranked[:3] == ["concert-leiden", "concert-delft", "lecture-leiden"]
    assert ranked.index("morning-concert-leiden") < ranked.index("exhibition")
    assert "tomorrow" not in ranked and "cancelled" not in ranked


def test_major_events_and_audience_weigh_more() -> None:
    plan = Plan(start=EVENING, city="Den Haag", audience="family")
    small = event("small", city="Den Haag")
    festival = event("festival", city="Den Haag", kind="festival")
    popular = event("popular", city="Den Haag", sources=3)
    family = event("family", city="Den Haag", audience=("family",))
    ranked = rank_clashes(plan, [small, festival, popular, family])
    assert ranked[-1].event.id == "small"
    assert "a major event" in next(c for c in ranked if c.event.id == "festival").reasons
    assert next(c.score for c in ranked if c.event.id == "family") > next(
        c.score for c in ranked if c.event.id == "small"
    )


def test_clash_api_shows_embargoed_plans_to_partners_only(tmp_path: Path) -> None:
    from agenda.partners.accounts import add_partner
    from agenda.store.database import Store

    db = tmp_path / "a.db"
    store = Store.open(db)
    ingest(store, make_source(), [make_listing(external_id="c", title="Orgelconcert", start=EVENING, end=None,
                                               categories=("concert",))], [], NOW)  # fmt: skip
    _, key = add_partner(store, "Prinsenhof", "prinsenhof", "partner", NOW)
    store.close()
    app = create_app(
        Settings(db=str(db), generation_check=0), clock=lambda: datetime(2027, 1, 20, tzinfo=UTC)
    )
    with TestClient(app) as client:
        secret = {"title": "Geheim concert", "start": "2027-03-12T20:30:00+01:00", "city": "Leiden",
                  "embargo_until": "2027-06-01T00:00:00+02:00", "categories": ["Concert"]}  # fmt: skip
        assert (
            client.post(
                "/api/partner/events", json=secret, headers={"Authorization": f"Bearer {key}"}
            ).status_code
            == 201
        )
        query = "/api/clashes?start=2027-03-12T20:00%2B01:00&city=Leiden&category=concert"
        public = client.get(query).json()["clashes"]
        assert [c["event"]["title"] for c in public] == ["Orgelconcert"]
        private = client.get(query, headers={"Authorization": f"Bearer {key}"}).json()["clashes"]
        assert {c["event"]["title"] for c in private} == {"Orgelconcert", "Geheim concert"}
        assert client.get("/api/clashes?start=2027-03-12").status_code == 200
        assert client.get("/api/clashes").json()["param"] == "start"
        assert client.get("/api/clashes?start=gisteren").status_code == 400
        assert client.get(query, headers={"Authorization": "Bearer wrong"}).status_code == 401
