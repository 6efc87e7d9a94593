"""importers.fetch against a real HTTP server on 127.0.0.1 and real files."""

from __future__ import annotations

import gzip
import itertools
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from httpserver import Request, Response, Route, closed_port_url, serve

from importers.errors import FetchError
from importers.fetch import FetchLimits, Validators, fetch, open_client

ETAG = '"v1-abc"'
LAST_MODIFIED = "Sun, 03 Nov 2019 10:00:00 GMT"


def conditional(request: Request) -> Response:
    """A page that answers 304 when either validator matches, like a real server."""
    if request.headers.get("if-none-match") == ETAG or (
        request.headers.get("if-modified-since") == LAST_MODIFIED
    ):
        return Response(304, headers={"ETag": ETAG})
    return Response(
        body=b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
        headers={
            "ETag": ETAG,
            "Last-Modified": LAST_MODIFIED,
            "Content-Type": "text/calendar; charset=utf-8",
        },
    )


def test_200_keeps_validators_and_a_second_fetch_gets_304() -> None:
    with serve({"/a.ics": conditional}) as server:
        first = fetch(f"{server}/a.ics", base_dir=None)
        assert first.status == 200
        assert first.not_modified is False
        assert first.data.startswith(b"BEGIN:VCALENDAR")
        assert first.url == f"{server}/a.ics"
        assert first.etag == ETAG
        assert first.last_modified == LAST_MODIFIED
        assert first.content_type == "text/calendar; charset=utf-8"
        assert first.validators == Validators(etag=ETAG, last_modified=LAST_MODIFIED)

        second = fetch(f"{server}/a.ics", base_dir=None, validators=first.validators)
        assert second.status == 304
        assert second.not_modified is True
        assert second.data == b""
        # The 304 named no Last-Modified: the one sent is kept for next time.
        assert second.validators == first.validators
        sent = server.requests[1].headers
        assert sent["if-none-match"] == ETAG
        assert sent["if-modified-since"] == LAST_MODIFIED
        assert "if-none-match" not in server.requests[0].headers


def test_if_modified_since_alone() -> None:
    with serve({"/a.ics": conditional}) as server:
        got = fetch(
            f"{server}/a.ics", base_dir=None, validators=Validators(last_modified=LAST_MODIFIED)
        )
        assert got.not_modified is True
        assert got.status == 304
        assert got.etag == ETAG
        assert got.last_modified == LAST_MODIFIED
        assert "if-none-match" not in server.requests[0].headers


def test_redirect_followed_and_final_url_reported() -> None:
    routes: dict[str, Route] = {
        "/old": Response(301, headers={"Location": "/middle"}),
        "/middle": Response(302, headers={"Location": "/new.ics"}),
        "/new.ics": b"data",
    }
    with serve(routes) as server:
        got = fetch(f"{server}/old", base_dir=None)
    assert got.url == f"{server}/new.ics"
    assert got.data == b"data"
    assert got.status == 200


def test_redirect_loop_is_a_fetch_error() -> None:
    routes: dict[str, Route] = {
        "/a": Response(302, headers={"Location": "/b"}),
        "/b": Response(302, headers={"Location": "/a"}),
    }
    with serve(routes) as server, pytest.raises(FetchError, match="more than 3 redirects"):
        fetch(f"{server}/a", base_dir=None, limits=FetchLimits(max_redirects=3))
    # 1 request plus 3 redirects followed, then it stopped.
    assert len(server.requests) == 4


def test_redirect_to_another_scheme_is_refused() -> None:
    routes: dict[str, Route] = {
        "/a": Response(302, headers={"Location": "ftp://127.0.0.1/agenda.ics"})
    }
    with serve(routes) as server, pytest.raises(FetchError):
        fetch(f"{server}/a", base_dir=None)


@pytest.mark.parametrize("status", [500, 404, 403])
def test_http_error_status(status: int) -> None:
    with serve({"/x": status}) as server, pytest.raises(FetchError) as info:
        fetch(f"{server}/x", base_dir=None)
    assert info.value.status == status
    assert str(info.value).startswith(f"HTTP {status} from {server}/x")


def test_connection_refused() -> None:
    url = closed_port_url()
    with pytest.raises(FetchError, match="connection refused") as info:
        fetch(url, base_dir=None)
    assert info.value.status is None


def test_tls_error_names_tls() -> None:
    # Speaking TLS to a plain HTTP server fails the handshake.
    with serve({"/": b"plain"}) as server, pytest.raises(FetchError, match="TLS") as info:
        fetch(server.url.replace("http:", "https:") + "/", base_dir=None)
    assert info.value.status is None


def test_read_timeout() -> None:
    with serve({"/slow": Response(body=b"late", delay=5.0)}) as server:
        started = time.monotonic()
        with pytest.raises(FetchError, match="read timeout"):
            fetch(f"{server}/slow", base_dir=None, limits=FetchLimits(read_timeout=0.2))
        assert time.monotonic() - started < 3


def test_endless_body_stops_at_the_limit_quickly() -> None:
    endless = Response(body=itertools.repeat(b"x" * 65536))
    with serve({"/endless": endless}) as server:
        started = time.monotonic()
        with pytest.raises(FetchError, match="larger than 100 KB") as info:
            fetch(f"{server}/endless", base_dir=None, limits=FetchLimits(max_bytes=100 * 1024))
        assert time.monotonic() - started < 5
        assert info.value.status == 200
    # Socket buffers let some megabytes through at most; never the whole stream.
    assert server.sent["/endless"] < 50 * 1024 * 1024


def test_announced_huge_body_is_refused_before_reading() -> None:
    huge = Response(
        body=itertools.repeat(b"x" * 65536), headers={"Content-Length": str(200 * 1024 * 1024)}
    )
    with serve({"/huge": huge}) as server:
        started = time.monotonic()
        with pytest.raises(FetchError, match="larger than 1 MB"):
            fetch(f"{server}/huge", base_dir=None, limits=FetchLimits(max_bytes=1024 * 1024))
        assert time.monotonic() - started < 5
    assert server.sent.get("/huge", 0) < 50 * 1024 * 1024  # recorded once the server stops


def test_default_limit_is_said_in_megabytes() -> None:
    body = Response(body=b"", headers={"Content-Length": str(21 * 1024 * 1024)})
    with serve({"/big": body}) as server, pytest.raises(FetchError, match="larger than 20 MB"):
        fetch(f"{server}/big", base_dir=None)


def test_body_at_exactly_the_limit_is_accepted() -> None:
    with serve({"/ok": b"y" * 1000}) as server:
        got = fetch(f"{server}/ok", base_dir=None, limits=FetchLimits(max_bytes=1000))
    assert len(got.data) == 1000


def test_user_agent_is_sent() -> None:
    with serve({"/": b"hi"}) as server:
        fetch(f"{server}/", base_dir=None)
        fetch(f"{server}/", base_dir=None, limits=FetchLimits(user_agent="test-agent/1"))
    assert server.requests[0].headers["user-agent"] == FetchLimits().user_agent
    assert server.requests[0].headers["user-agent"].startswith("Regio-agenda/0.1 (+https://")
    assert server.requests[1].headers["user-agent"] == "test-agent/1"


def test_a_shared_client_serves_many_fetches() -> None:
    with serve({"/1": b"one", "/2": b"two"}) as server, open_client() as client:
        assert fetch(f"{server}/1", base_dir=None, client=client).data == b"one"
        assert fetch(f"{server}/2", base_dir=None, client=client).data == b"two"
    assert all(r.headers["user-agent"].startswith("Regio-agenda") for r in server.requests)


def test_relative_path_resolved_against_base_dir(tmp_path: Path) -> None:
    (tmp_path / "feeds").mkdir()
    (tmp_path / "feeds" / "agenda.ics").write_bytes(b"BEGIN:VCALENDAR")
    got = fetch("feeds/agenda.ics", base_dir=str(tmp_path))
    assert got.data == b"BEGIN:VCALENDAR"
    assert got.url == (tmp_path / "feeds" / "agenda.ics").as_uri()
    assert got.status is None
    assert got.not_modified is False
    assert got.content_type == "text/calendar"


def test_absolute_path_ignores_base_dir(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"titel;datum\n")
    assert fetch(str(path), base_dir="/nonexistent").data == b"titel;datum\n"


def test_file_url(tmp_path: Path) -> None:
    path = tmp_path / "with space.rss"
    path.write_bytes(b"<rss/>")
    got = fetch(path.as_uri(), base_dir=None)
    assert got.data == b"<rss/>"
    assert got.url == path.as_uri()


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="file not found"):
        fetch("missing.ics", base_dir=str(tmp_path))
    with pytest.raises(FetchError, match="file not found"):
        fetch((tmp_path / "missing.ics").as_uri(), base_dir=None)


def test_folder_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="folder"):
        fetch(str(tmp_path), base_dir=None)


def test_file_larger_than_the_limit(tmp_path: Path) -> None:
    (tmp_path / "big.ics").write_bytes(b"z" * 2000)
    with pytest.raises(FetchError, match="larger than 1000 bytes"):
        fetch("big.ics", base_dir=str(tmp_path), limits=FetchLimits(max_bytes=1000))


@pytest.mark.parametrize(
    "url", ["ftp://example.org/agenda.ics", "javascript:alert(1)", "data:text/plain,hi", "  "]
)
def test_other_schemes_are_refused(url: str) -> None:
    with pytest.raises(FetchError):
        fetch(url, base_dir=None)


def test_dripping_server_meets_the_total_deadline() -> None:
    def drip() -> Iterator[bytes]:
        for _ in range(100):
            time.sleep(0.05)
            yield b"x"

    with serve({"/drip": Response(body=drip())}) as server:
        started = time.monotonic()
        with pytest.raises(FetchError, match="took longer than"):
            fetch(f"{server}/drip", base_dir=None, limits=FetchLimits(total_timeout=0.3))
        assert time.monotonic() - started < 3


def test_compressed_body_is_limited_after_decompression() -> None:
    bomb = gzip.compress(b"\0" * (5 * 1024 * 1024))
    assert len(bomb) < 100 * 1024
    page = Response(body=bomb, headers={"Content-Encoding": "gzip"})
    with serve({"/bomb": page}) as server, pytest.raises(FetchError, match="larger than 1 MB"):
        fetch(f"{server}/bomb", base_dir=None, limits=FetchLimits(max_bytes=1024 * 1024))


def test_compressed_body_within_the_limit_is_decoded() -> None:
    page = Response(body=gzip.compress(b"BEGIN:VCALENDAR"), headers={"Content-Encoding": "gzip"})
    with serve({"/z": page}) as server:
        assert fetch(f"{server}/z", base_dir=None).data == b"BEGIN:VCALENDAR"


def test_unknown_host_is_a_dns_error() -> None:
    # .invalid never resolves (RFC 6761), with or without a network.
    with pytest.raises(FetchError, match="DNS"):
        fetch("http://regio-agenda.invalid/agenda.ics", base_dir=None)
