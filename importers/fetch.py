"""Fetching a source's bytes: the only module of the project that speaks HTTP.

``fetch(url, base_dir=...)`` reads

- a path, relative to ``base_dir`` (the config file's folder) or absolute,
- a ``file://`` url,
- an ``http(s)://`` url, with httpx: connect and read timeouts, a redirect limit,
  a streamed body that is cut off as soon as it passes ``max_bytes`` (a hostile or
  broken server must not fill the memory), our User-Agent, and conditional GET
  (``If-None-Match`` / ``If-Modified-Since`` from the validators the caller kept
  from last time; a 304 comes back as ``not_modified=True`` with no data).

Every failure is a ``FetchError`` with a message a person can act on ("HTTP 500
from https://…", "connection refused by …", "larger than 20 MB") and the HTTP
status when there was one. This module never parses what it fetched.
"""

from __future__ import annotations

import mimetypes
import socket
import ssl
import time
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import httpx
import msgspec

from importers.errors import FetchError

_MB = 1024 * 1024


# The client type other importer modules may hold without importing httpx themselves.
Client = httpx.Client


class FetchLimits(msgspec.Struct, frozen=True, kw_only=True):
    """How long to wait, how far to follow, how much to accept, and who we say we are."""

    connect_timeout: float = 10.0
    # Longest wait for the next bytes; a server that says nothing this long is given up.
    read_timeout: float = 30.0
    max_redirects: int = 5
    max_bytes: int = 20 * _MB
    user_agent: str = (
        "Regio-agenda/0.1 (+https://github.com/regio-agenda; "
        "culture calendar of Den Haag, Leiden and Delft)"
    )
    # Whole-body deadline: read_timeout alone lets a server that drips one byte a
    # second hold an import forever.
    total_timeout: float = 300.0


DEFAULT_LIMITS = FetchLimits()


class Validators(msgspec.Struct, frozen=True, kw_only=True):
    """What a server said identifies its version of a document, for conditional GET."""

    etag: str | None = None
    last_modified: str | None = None


class Fetched(msgspec.Struct, frozen=True, kw_only=True):
    """One fetched document.

    ``url`` is the final url (after redirects; a ``file://`` url for files).
    ``status`` is the HTTP status, None for files. On a 304 ``not_modified`` is
    True, ``data`` is empty and the validators are the server's new ones, else the
    ones that were sent, so the caller can always keep what it finds here.
    """

    url: str
    data: bytes
    status: int | None
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None

    @property
    def validators(self) -> Validators:
        """The validators to send next time."""
        return Validators(etag=self.etag, last_modified=self.last_modified)


def open_client(limits: FetchLimits = DEFAULT_LIMITS) -> httpx.Client:
    """An httpx client set up with ``limits``, to reuse for many fetches of one run.

    The caller closes it (``with open_client() as client: ...``).
    """
    return httpx.Client(
        timeout=_timeout(limits),
        follow_redirects=True,
        max_redirects=limits.max_redirects,
        headers={"User-Agent": limits.user_agent},
    )


def fetch(
    url: str,
    *,
    base_dir: str | None,
    validators: Validators | None = None,
    limits: FetchLimits = DEFAULT_LIMITS,
    client: httpx.Client | None = None,
) -> Fetched:
    """Fetch ``url`` (http(s), file:// or a path) or raise ``FetchError``.

    A ``client`` from ``open_client`` is reused (its redirect limit applies); without
    one, a client is opened for this call and closed again.
    """
    text = url.strip()
    if not text:
        raise FetchError("no url given")
    scheme = urlsplit(text).scheme.lower()
    # A one-letter "scheme" is a Windows drive letter (C:\agenda.ics), so a path.
    if scheme in ("", "file") or len(scheme) == 1:
        return _fetch_file(_local_path(text, scheme, base_dir), limits)
    if scheme not in ("http", "https"):
        raise FetchError(
            f"cannot fetch {text!r}: {scheme}: urls are not supported "
            "(use http(s)://, file:// or a file path)"
        )
    if client is not None:
        return _fetch_http(client, text, validators, limits)
    with open_client(limits) as own:
        return _fetch_http(own, text, validators, limits)


def post_json(url: str, payload: bytes, *, limits: FetchLimits = DEFAULT_LIMITS) -> int:
    """POST a JSON body (a webhook alert); returns the status or raises ``FetchError``."""
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        raise FetchError(f"cannot post to {url!r}: only http(s) webhooks are supported")
    try:
        with open_client(limits) as client:
            response = client.post(
                url, content=payload, headers={"Content-Type": "application/json"}
            )
    except httpx.HTTPError as exc:
        raise FetchError(f"webhook {url} failed: {exc.__class__.__name__}: {exc}") from None
    if response.status_code >= 400:
        raise FetchError(
            f"webhook {url} answered HTTP {response.status_code}", response.status_code
        )
    return response.status_code


# --- files -----------------------------------------------------------------


def _local_path(text: str, scheme: str, base_dir: str | None) -> Path:
    if scheme == "file":
        parts = urlsplit(text)
        if parts.netloc not in ("", "localhost"):
            raise FetchError(f"cannot fetch {text!r}: file urls on another host are not supported")
        path = Path(url2pathname(parts.path))
    else:
        path = Path(text).expanduser()
    if not path.is_absolute():
        path = Path(base_dir or ".") / path
    return path.resolve()


def _fetch_file(path: Path, limits: FetchLimits) -> Fetched:
    try:
        with path.open("rb") as handle:
            # Read one byte past the limit: a stat size of 0 proves nothing (/dev/zero, pipes).
            data = handle.read(limits.max_bytes + 1)
    except FileNotFoundError:
        raise FetchError(f"file not found: {path}") from None
    except IsADirectoryError:
        raise FetchError(f"{path} is a folder, not a file") from None
    except PermissionError:
        raise FetchError(f"no permission to read {path}") from None
    except OSError as exc:
        raise FetchError(f"could not read {path}: {exc.strerror or exc}") from None
    if len(data) > limits.max_bytes:
        raise FetchError(f"{path} is larger than {_size(limits.max_bytes)}")
    return Fetched(
        url=path.as_uri(),
        data=data,
        status=None,
        content_type=mimetypes.guess_type(path.name)[0],
    )


# --- http ------------------------------------------------------------------


def _timeout(limits: FetchLimits) -> httpx.Timeout:
    return httpx.Timeout(
        connect=limits.connect_timeout,
        read=limits.read_timeout,
        write=limits.read_timeout,
        pool=limits.connect_timeout,
    )


def _fetch_http(
    client: httpx.Client, url: str, validators: Validators | None, limits: FetchLimits
) -> Fetched:
    headers = {"User-Agent": limits.user_agent}
    if validators is not None and validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators is not None and validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    try:
        with client.stream(
            "GET", url, headers=headers, timeout=_timeout(limits), follow_redirects=True
        ) as response:
            return _read_response(response, url, validators, limits)
    except FetchError:
        raise
    except httpx.TooManyRedirects:
        raise FetchError(
            f"more than {client.max_redirects} redirects from {url} (a redirect loop?)"
        ) from None
    except httpx.ConnectTimeout:
        raise FetchError(
            f"could not connect to {_host(url)} within {limits.connect_timeout:g} s"
        ) from None
    except httpx.ReadTimeout:
        raise FetchError(
            f"{url} sent nothing for {limits.read_timeout:g} s (read timeout)"
        ) from None
    except httpx.TimeoutException:
        raise FetchError(f"timed out talking to {_host(url)} ({url})") from None
    except httpx.UnsupportedProtocol as exc:
        # Mostly a redirect to ftp:, javascript: and the like.
        raise FetchError(f"cannot fetch {url}: {exc}") from None
    except httpx.ConnectError as exc:
        raise FetchError(_connect_message(exc, url)) from None
    except httpx.RemoteProtocolError as exc:
        raise FetchError(
            f"{_host(url)} broke off or sent malformed HTTP for {url}: {exc}"
        ) from None
    except httpx.DecodingError as exc:
        raise FetchError(f"could not decode the compressed body of {url}: {exc}") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"could not fetch {url}: {exc or type(exc).__name__}") from None
    except (httpx.InvalidURL, UnicodeError) as exc:
        raise FetchError(f"not a valid url: {url!r} ({exc})") from None


def _read_response(
    response: httpx.Response, url: str, validators: Validators | None, limits: FetchLimits
) -> Fetched:
    final = str(response.url)
    status = response.status_code
    etag = response.headers.get("ETag")
    last_modified = response.headers.get("Last-Modified")
    content_type = response.headers.get("Content-Type")
    if status == 304:
        sent = validators or Validators()
        return Fetched(
            url=final,
            data=b"",
            status=304,
            not_modified=True,
            etag=etag or sent.etag,
            last_modified=last_modified or sent.last_modified,
            content_type=content_type,
        )
    if not 200 <= status < 300:
        reason = f" ({response.reason_phrase})" if response.reason_phrase else ""
        raise FetchError(f"HTTP {status} from {final}{reason}", status=status)
    too_large = f"{final} is larger than {_size(limits.max_bytes)}"
    announced = response.headers.get("Content-Length", "").strip()
    # Refuse an announced oversize body before reading any of it.
    if announced.isdigit() and int(announced) > limits.max_bytes:
        raise FetchError(too_large, status=status)
    deadline = time.monotonic() + limits.total_timeout
    chunks: list[bytes] = []
    size = 0
    # iter_bytes yields decompressed bytes, so a gzip bomb also stops at the limit; no
    # chunk_size, so each arrival is checked at once (a dripping server meets the deadline).
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limits.max_bytes:
            raise FetchError(too_large, status=status)
        if time.monotonic() > deadline:
            raise FetchError(
                f"{final} took longer than {limits.total_timeout:g} s to send", status=status
            )
        chunks.append(chunk)
    return Fetched(
        url=final,
        data=b"".join(chunks),
        status=status,
        etag=etag,
        last_modified=last_modified,
        content_type=content_type,
    )


def _connect_message(exc: httpx.ConnectError, url: str) -> str:
    """Say which of refused, DNS or TLS it was: httpx wraps them all as ConnectError."""
    host = _host(url)
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"TLS certificate of {host} not accepted ({cause.verify_message}) for {url}"
        if isinstance(cause, ssl.SSLError):
            return f"TLS error with {host} for {url}: {cause.reason or cause}"
        if isinstance(cause, socket.gaierror):
            return f"host {host} not found (DNS) for {url}"
        if isinstance(cause, ConnectionRefusedError):
            return f"connection refused by {host} for {url}"
        cause = cause.__cause__ or cause.__context__
    text = str(exc)
    # Some transports only leave the words behind.
    lowered = text.lower()
    if "ssl" in lowered or "certificate" in lowered or "tls" in lowered:
        return f"TLS error with {host} for {url}: {text}"
    if "name or service not known" in lowered or "getaddrinfo" in lowered:
        return f"host {host} not found (DNS) for {url}"
    if "refused" in lowered:
        return f"connection refused by {host} for {url}"
    return f"could not connect to {host} for {url}: {text}"


def _host(url: str) -> str:
    try:
        return urlsplit(url).netloc or url
    except ValueError:
        return url


def _size(n: int) -> str:
    """20971520 -> '20 MB', 1536 -> '1.5 KB', 100 -> '100 bytes'."""
    if n >= _MB:
        return f"{round(n / _MB, 1):g} MB"
    if n >= 1024:
        return f"{round(n / 1024, 1):g} KB"
    return f"{n} bytes"
