"""importers.collect: one source, its follow-up pages, guards, against a real local server.

The parser here is a small fake defined in this file: a page is JSON
``{"items": [{"id": ..., "title": ...}], "follow": [urls]}``, so the tests exercise the
collecting, not a format.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from httpserver import Request, Response, Route, serve

from agenda.model import Listing, Problem, SourceConfig
from importers.base import ParseResult
from importers.clean import AMSTERDAM
from importers.collect import RunBudget, collect
from importers.errors import FetchError, ParseError
from importers.fetch import Validators

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=AMSTERDAM)
START = datetime(2025, 3, 14, 20, 0, tzinfo=AMSTERDAM)


def page(*ids: str, follow: tuple[str, ...] = ()) -> bytes:
    items = [{"id": i, "title": f"Event {i}"} for i in ids]
    return json.dumps({"items": items, "follow": list(follow)}).encode()


def fake_parse(
    data: bytes, source: SourceConfig, now: datetime, *, url: str | None = None
) -> ParseResult:
    try:
        doc = json.loads(data)
    except ValueError as exc:
        raise ParseError(f"not JSON: {exc}") from None
    listings = tuple(
        Listing(
            source_id=source.id,
            external_id=item["id"],
            title=item["title"],
            start=START,
            url=url,
        )
        for item in doc["items"]
    )
    return ParseResult(listings=listings, follow=tuple(doc["follow"]))


def make_source(url: str, **kw: object) -> SourceConfig:
    return SourceConfig(id="test", name="Test", format="jsonld", url=url, **kw)  # type: ignore[arg-type]


def ids(result: ParseResult) -> list[str]:
    return [listing.external_id for listing in result.listings]


def test_follows_three_pages_breadth_first() -> None:
    routes: dict[str, Route] = {
        "/p1": Response(
            body=page("a", "b", follow=("/p2", "p3")),
            headers={"ETag": '"one"', "Last-Modified": "Sat, 01 Mar 2025 10:00:00 GMT"},
        ),
        # p3 linked from two pages: read once, and no warning (that is no loop).
        "/p2": page("c", follow=("/p3",)),
        "/p3": page("d"),
    }
    with serve(routes) as server:
        got = collect(make_source(f"{server}/p1"), NOW, parser=fake_parse)
        paths = [r.path for r in server.requests]
    assert paths == ["/p1", "/p2", "/p3"]
    assert ids(got.result) == ["a", "b", "c", "d"]
    assert got.result.problems == ()
    assert got.result.complete is True
    assert got.result.follow == ()
    assert got.pages == 3
    assert got.status == 200
    assert got.not_modified is False
    assert got.bytes == sum(server.sent.values())
    assert got.validators == Validators(etag='"one"', last_modified="Sat, 01 Mar 2025 10:00:00 GMT")
    # The parser is told where each page came from, for its relative links.
    assert got.result.listings[2].url == f"{server}/p2"


def test_not_modified_returns_at_once_without_parsing() -> None:
    def first(request: Request) -> Response:
        if request.headers.get("if-none-match") == '"one"':
            return Response(304)
        return Response(body=page("a"), headers={"ETag": '"one"'})

    def must_not_parse(*args: object, **kw: object) -> ParseResult:
        raise AssertionError("a 304 is not parsed")

    with serve({"/p1": first}) as server:
        got = collect(
            make_source(f"{server}/p1"),
            NOW,
            validators=Validators(etag='"one"'),
            parser=must_not_parse,
        )
    assert got.not_modified is True
    assert got.status == 304
    assert got.result == ParseResult()
    assert got.bytes == 0
    assert got.validators == Validators(etag='"one"')


def test_follow_up_pages_are_fetched_without_validators() -> None:
    routes: dict[str, Route] = {"/p1": page("a", follow=("/p2",)), "/p2": page("b")}
    with serve(routes) as server:
        got = collect(
            make_source(f"{server}/p1"),
            NOW,
            validators=Validators(etag='"old"', last_modified="Sat, 01 Feb 2025 10:00:00 GMT"),
            parser=fake_parse,
        )
        first, second = server.requests
    assert ids(got.result) == ["a", "b"]
    assert first.headers["if-none-match"] == '"old"'
    assert "if-none-match" not in second.headers
    assert "if-modified-since" not in second.headers


def test_a_page_linking_back_stops_with_a_loop_warning() -> None:
    routes: dict[str, Route] = {
        "/p1": page("a", follow=("/p2",)),
        # Back to p1 (another spelling of it) and to itself with a fragment.
        "/p2": page("b", follow=("/p1#top", "/p2#more")),
    }
    with serve(routes) as server:
        got = collect(make_source(f"{server}/p1"), NOW, parser=fake_parse)
        assert len(server.requests) == 2
    assert ids(got.result) == ["a", "b"]
    assert got.pages == 2
    (problem,) = got.result.problems
    assert problem.severity == "warning"
    assert "loop" in problem.message
    assert problem.source_id == "test"


def test_page_cap_stops_and_warns() -> None:
    # An endless chain of API pages: /p1 -> /p2 -> /p3 -> ...
    def chain(request: Request) -> bytes:
        n = int(request.path.removeprefix("/p"))
        return page(f"item-{n}", follow=(f"/p{n + 1}",))

    routes: dict[str, Route] = {f"/p{n}": chain for n in range(1, 30)}
    with serve(routes) as server:
        got = collect(make_source(f"{server}/p1", max_pages=3), NOW, parser=fake_parse)
        assert len(server.requests) == 3
    assert ids(got.result) == ["item-1", "item-2", "item-3"]
    assert got.pages == 3
    stopped, incomplete = got.result.problems
    assert stopped.severity == "warning"
    assert "stopped after 3 pages" in stopped.message and "max_pages = 3" in stopped.message
    # Links were left: the answer is partial, and says nothing may be withdrawn.
    assert got.result.complete is False
    assert "incomplete" in incomplete.message and "not be withdrawn" in incomplete.message


def test_follow_up_page_500_is_a_problem_and_the_rest_is_kept() -> None:
    routes: dict[str, Route] = {
        "/p1": page("a", "b", follow=("/broken", "/p3")),
        "/broken": 500,
        "/p3": page("c"),
    }
    with serve(routes) as server:
        got = collect(make_source(f"{server}/p1"), NOW, parser=fake_parse)
    assert ids(got.result) == ["a", "b", "c"]
    assert got.status == 200
    problem, incomplete = got.result.problems
    assert problem.severity == "error"
    assert "HTTP 500" in problem.message
    assert f"{server}/broken" in problem.message
    # What /broken listed is unknown: nothing may be withdrawn on this answer.
    assert got.result.complete is False
    assert "1 follow-up page(s) could not be read" in incomplete.message


def test_follow_up_page_that_is_not_the_format_is_a_problem() -> None:
    routes: dict[str, Route] = {"/p1": page("a", follow=("/html",)), "/html": b"<html>oops</html>"}
    with serve(routes) as server:
        got = collect(make_source(f"{server}/p1"), NOW, parser=fake_parse)
    assert ids(got.result) == ["a"]
    problem, incomplete = got.result.problems
    assert "not readable as jsonld" in problem.message
    assert problem.severity == "error"
    assert got.result.complete is False and "incomplete" in incomplete.message


def test_first_page_failures_raise() -> None:
    with serve({"/down": 503, "/html": b"<html/>"}) as server:
        with pytest.raises(FetchError) as info:
            collect(make_source(f"{server}/down"), NOW, parser=fake_parse)
        assert info.value.status == 503
        with pytest.raises(ParseError):
            collect(make_source(f"{server}/html"), NOW, parser=fake_parse)


def test_duplicate_external_ids_keep_the_first() -> None:
    routes: dict[str, Route] = {"/p1": page("a", "b", follow=("/p2",)), "/p2": page("b", "c")}
    with serve(routes) as server:
        got = collect(make_source(f"{server}/p1"), NOW, parser=fake_parse)
    assert ids(got.result) == ["a", "b", "c"]
    assert got.result.listings[1].url == f"{server}/p1"
    (problem,) = got.result.problems
    assert problem.external_id == "b"
    assert problem.severity == "warning"


def test_parser_problems_are_kept() -> None:
    def with_problem(
        data: bytes, source: SourceConfig, now: datetime, *, url: str | None = None
    ) -> ParseResult:
        result = fake_parse(data, source, now, url=url)
        bad = Problem(source_id=source.id, message=f"bad item on {url}", external_id="x")
        return ParseResult(listings=result.listings, problems=(bad,), follow=result.follow)

    routes: dict[str, Route] = {"/p1": page("a", follow=("/p2",)), "/p2": page("b")}
    with serve(routes) as server:
        got = collect(make_source(f"{server}/p1"), NOW, parser=with_problem)
    assert [p.message for p in got.result.problems] == [
        f"bad item on {server}/p1",
        f"bad item on {server}/p2",
    ]


def test_a_web_page_never_leads_to_local_files(tmp_path: Path) -> None:
    secret = tmp_path / "secret.json"
    secret.write_bytes(page("secret"))
    routes: dict[str, Route] = {"/p1": page("a", follow=(secret.as_uri(), "ftp://example.org/x"))}
    with serve(routes) as server:
        got = collect(make_source(f"{server}/p1"), NOW, parser=fake_parse)
    assert ids(got.result) == ["a"]
    assert got.pages == 1
    assert len(got.result.problems) == 2
    assert all("only http(s)" in p.message for p in got.result.problems)


def test_file_source_follows_relative_files(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "p1.json").write_bytes(page("a", follow=("p2.json",)))
    (tmp_path / "data" / "p2.json").write_bytes(page("b"))
    got = collect(make_source("data/p1.json", base_dir=str(tmp_path)), NOW, parser=fake_parse)
    assert ids(got.result) == ["a", "b"]
    assert got.status is None
    assert got.pages == 2
    assert got.validators == Validators()
    assert got.result.listings[1].url == (tmp_path / "data" / "p2.json").as_uri()


def test_redirect_to_a_page_already_read_is_not_parsed_again() -> None:
    routes: dict[str, Route] = {
        "/p1": page("a", follow=("/alias",)),
        "/alias": Response(301, headers={"Location": "/p1"}),
    }
    with serve(routes) as server:
        got = collect(make_source(f"{server}/p1"), NOW, parser=fake_parse)
    assert ids(got.result) == ["a"]
    (problem,) = got.result.problems
    assert "loop" in problem.message


def test_real_ics_parser_when_present() -> None:
    pytest.importorskip("importers.ics")
    body = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
        b"BEGIN:VEVENT\r\nUID:one@example.org\r\nDTSTAMP:20250301T100000Z\r\n"
        b"DTSTART;TZID=Europe/Amsterdam:20250314T200000\r\nSUMMARY:Concert\r\n"
        b"END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    with serve({"/agenda.ics": body}) as server:
        source = SourceConfig(id="ics", name="ICS", format="ics", url=f"{server}/agenda.ics")
        got = collect(source, NOW)
    (listing,) = got.result.listings
    assert listing.external_id.startswith("one@example.org")
    assert listing.start == START


def test_a_parser_saying_a_page_is_partial_makes_the_answer_partial() -> None:
    def cut_off_second(
        data: bytes, source: SourceConfig, now: datetime, *, url: str | None = None
    ) -> ParseResult:
        result = fake_parse(data, source, now, url=url)
        if url and url.endswith("/p2"):
            return ParseResult(listings=result.listings, follow=result.follow, complete=False)
        return result

    routes: dict[str, Route] = {"/p1": page("a", follow=("/p2",)), "/p2": page("b")}
    with serve(routes) as server:
        got = collect(make_source(f"{server}/p1"), NOW, parser=cut_off_second)
    assert ids(got.result) == ["a", "b"]
    assert got.result.complete is False
    (incomplete,) = got.result.problems
    assert f"{server}/p2 was read only in part" in incomplete.message


def test_byte_budget_stops_following_and_makes_the_answer_partial() -> None:
    big = json.dumps({"items": [{"id": "x", "title": "X" * 5000}], "follow": []}).encode()
    routes: dict[str, Route] = {
        "/p1": page("a", follow=("/big", "/p3", "/p4")),
        "/big": big,
        "/p3": page("c"),
        "/p4": page("d"),
    }
    with serve(routes) as server:
        budget = RunBudget(max_bytes=4000)
        got = collect(make_source(f"{server}/p1"), NOW, parser=fake_parse, budget=budget)
        assert [r.path for r in server.requests] == ["/p1", "/big"]
    assert ids(got.result) == ["a", "x"]
    assert got.result.complete is False
    assert any("budget per run used" in p.message for p in got.result.problems)


def test_time_budget_stops_following_and_makes_the_answer_partial() -> None:
    routes: dict[str, Route] = {
        "/p1": page("a", follow=("/slow", "/p3")),
        "/slow": Response(body=page("b"), delay=0.4),
        "/p3": page("c"),
    }
    with serve(routes) as server:
        budget = RunBudget(max_seconds=0.3)
        got = collect(make_source(f"{server}/p1"), NOW, parser=fake_parse, budget=budget)
        # /slow used up the run's time (its headers are waited for as usual): no /p3.
        assert [r.path for r in server.requests] == ["/p1", "/slow"]
    assert ids(got.result) == ["a", "b"]
    assert got.result.complete is False
    stopped, incomplete = got.result.problems
    assert "0.3 s budget per run used" in stopped.message and "/p3" in stopped.message
    assert "incomplete" in incomplete.message
