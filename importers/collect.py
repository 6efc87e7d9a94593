"""Collecting one source: fetch its url, parse it, and follow the further urls it names.

``collect(source, now)`` fetches ``source.url`` (conditionally, with the validators
kept from last time), parses it with the source format's parser, then fetches and
parses every url in ``ParseResult.follow`` breadth-first (API pages, detail pages),
and returns all pages' listings and problems as one ``ParseResult``.

Guards, because a source's pages are written by someone else:
- a budget per run, ``RunBudget``: at most 50 MB fetched and 120 seconds spent in all
  (a city agenda of 733 events in 12-event pages is 62 pages and well inside it),
  and ``source.max_pages`` documents (default 1000) as a safety net against a site
  that pages forever in small pages; a follow-up gets only the time that is left;
- a url already read (fragment, case of scheme and host, default port ignored) is
  not read again (a warning when a page links back to one: a loop);
- a page on the web may only lead to http(s) pages, never to local files;
- the same external_id on two pages keeps the first (a warning).

The first document's failure raises (``FetchError`` / ``ParseError``) so the caller
records a failed run; a follow-up page's failure is a ``Problem`` and the rest stays.

What is left out makes the answer partial, and then ``result.complete`` is False with
a Problem saying so: a follow-up page that failed (fetch or parse), a budget or the
page ceiling reached with links still waiting, or a parser that said ``complete=False``
for any page. A listing missing from a partial answer may simply not have been read,
so the caller must not withdraw anything on the strength of it.
Nothing here touches the store; fetching goes through ``importers.fetch``.
"""

from __future__ import annotations

import time
from collections import deque
from datetime import datetime
from typing import Literal
from urllib.parse import urljoin, urlsplit, urlunsplit

import msgspec

from agenda.model import Listing, Problem, SourceConfig, cap_problems
from importers.base import Parser, ParseResult
from importers.errors import FetchError, ParseError
from importers.fetch import (
    DEFAULT_LIMITS,
    Client,
    Fetched,
    FetchLimits,
    Validators,
    fetch,
    open_client,
)
from importers.registry import get_parser


class RunBudget(msgspec.Struct, frozen=True, kw_only=True):
    """What one collection of a source may spend in all, follow-up pages included."""

    max_bytes: int = 50 * 1024 * 1024
    max_seconds: float = 120.0


DEFAULT_BUDGET = RunBudget()
INCOMPLETE = "the answer is incomplete ({}); listings missing from it will not be withdrawn"


class Collected(msgspec.Struct, frozen=True, kw_only=True):
    """What one collection of a source gave.

    ``status``/``validators`` are the first url's (None status for files); ``bytes`` and
    ``pages`` count every document fetched, follow-ups included.
    """

    result: ParseResult
    status: int | None
    bytes: int
    not_modified: bool
    validators: Validators
    pages: int


def collect(
    source: SourceConfig,
    now: datetime,
    *,
    validators: Validators | None = None,
    limits: FetchLimits = DEFAULT_LIMITS,
    client: Client | None = None,
    parser: Parser | None = None,
    budget: RunBudget = DEFAULT_BUDGET,
) -> Collected:
    """Fetch and parse ``source`` and every page it leads to; see the module docstring."""
    parse = parser if parser is not None else get_parser(source.format)
    if client is not None or not source.url.lower().startswith(("http:", "https:")):
        # A file source gets no client of its own; a rare web follow-up opens one per fetch.
        return _Run(source, now, parse, limits, client, budget).run(validators)
    with open_client(limits) as own:
        return _Run(source, now, parse, limits, own, budget).run(validators)


class _Run:
    """The state of one collection: pages read, urls seen, listings kept."""

    def __init__(
        self,
        source: SourceConfig,
        now: datetime,
        parse: Parser,
        limits: FetchLimits,
        client: Client | None,
        budget: RunBudget,
    ) -> None:
        self.source = source
        self.now = now
        self.parse = parse
        self.limits = limits
        self.client = client
        self.budget = budget
        self.started = time.monotonic()
        # Why the answer is partial, if it is (page failures counted apart).
        self.gaps: list[str] = []
        self.failed_pages = 0
        self.listings: list[Listing] = []
        self.problems: list[Problem] = []
        self.ids: set[str] = set()
        # Urls fetched (requested and final), and urls waiting in the queue.
        self.fetched: set[str] = set()
        self.queued: set[str] = set()
        self.queue: deque[str] = deque()
        self.loops: list[str] = []
        self.pages = 0
        self.bytes = 0

    def run(self, validators: Validators | None) -> Collected:
        first = self._fetch(self.source.url, validators)
        kept = first.validators
        self.fetched.add(_key(first.url))
        if first.not_modified:
            return Collected(
                result=ParseResult(),
                status=first.status,
                bytes=0,
                not_modified=True,
                validators=kept,
                pages=self.pages,
            )
        self._add(first, self.parse(first.data, self.source, self.now, url=first.url))
        cap = max(1, self.source.max_pages)
        while self.queue:
            spent = self._spent(cap)
            if spent:
                self._warn(
                    f"stopped after {self.pages} pages: {spent}; "
                    f"{len(self.queue)} more link(s) not followed, first {self.queue[0]}"
                )
                self.gaps.append(spent)
                break
            self._follow(self.queue.popleft())
        if self.loops:
            self._warn(
                f"{len(self.loops)} link(s) lead back to pages already read (a loop?), "
                f"not read again, first {self.loops[0]}"
            )
        if self.failed_pages:
            self.gaps.insert(0, f"{self.failed_pages} follow-up page(s) could not be read")
        if self.gaps:
            self._warn(INCOMPLETE.format("; ".join(dict.fromkeys(self.gaps))))
        return Collected(
            result=ParseResult(
                listings=tuple(self.listings),
                problems=cap_problems(self.problems, self.source.id),
                complete=not self.gaps,
            ),
            status=first.status,
            bytes=self.bytes,
            not_modified=False,
            validators=kept,
            pages=self.pages,
        )

    def _spent(self, cap: int) -> str | None:
        """Which budget is used up (a reason for the Problem), or None to go on."""
        if self.pages >= cap:
            return f"max_pages = {cap} reached"
        if self.bytes >= self.budget.max_bytes:
            return f"{self.budget.max_bytes // (1024 * 1024)} MB budget per run used"
        if time.monotonic() - self.started >= self.budget.max_seconds:
            return f"{self.budget.max_seconds:g} s budget per run used"
        return None

    def _fetch(self, url: str, validators: Validators | None) -> Fetched:
        self.pages += 1
        self.fetched.add(_key(url))
        limits = self.limits
        if self.pages > 1:
            # A follow-up's body may only take what is left of the run's time; the wait
            # for its headers keeps the usual timeouts, and the byte budget is checked
            # between pages, so one page can overshoot either by its own share.
            left = self.budget.max_seconds - (time.monotonic() - self.started)
            timeout = max(0.1, min(limits.total_timeout, left))
            limits = msgspec.structs.replace(limits, total_timeout=timeout)
        got = fetch(
            url,
            base_dir=self.source.base_dir,
            validators=validators,
            limits=limits,
            client=self.client,
        )
        self.bytes += len(got.data)
        return got

    def _follow(self, url: str) -> None:
        """Fetch and parse one follow-up page; its failure becomes a Problem."""
        try:
            # Follow-ups are always fetched whole: the validators belong to the first url.
            got = self._fetch(url, None)
        except FetchError as exc:
            self.failed_pages += 1
            self._problem(f"follow-up page skipped: {exc}", severity="error")
            return
        final = _key(got.url)
        if final != _key(url) and final in self.fetched:
            # Redirected to a page already read.
            self.loops.append(url)
            return
        self.fetched.add(final)
        try:
            result = self.parse(got.data, self.source, self.now, url=got.url)
        except ParseError as exc:
            self.failed_pages += 1
            self._problem(
                f"follow-up page {got.url} skipped: not readable as {self.source.format}: {exc}",
                severity="error",
            )
            return
        self._add(got, result)

    def _add(self, page: Fetched, result: ParseResult) -> None:
        if not result.complete:
            self.gaps.append(f"{page.url} was read only in part")
        for listing in result.listings:
            if listing.external_id in self.ids:
                self._problem(
                    f"listed more than once (again on {page.url}); the first is kept",
                    external_id=listing.external_id,
                    field="external_id",
                )
                continue
            self.ids.add(listing.external_id)
            self.listings.append(listing)
        self.problems.extend(result.problems)
        for link in result.follow:
            self._enqueue(page.url, link)

    def _enqueue(self, page_url: str, link: str) -> None:
        try:
            url = _join(page_url, link)
        except ValueError:
            self._problem(f"not following {link!r} from {page_url}: not a valid url")
            return
        scheme = url.split(":", 1)[0].lower()
        allowed = ("http", "https", "file") if page_url.startswith("file:") else ("http", "https")
        if scheme not in allowed:
            # A page on the web must never make us read local files (or ftp:, javascript:).
            self._problem(f"not following {link!r} from {page_url}: only http(s) links are read")
            return
        key = _key(url)
        if key in self.fetched:
            self.loops.append(url)
        elif key not in self.queued:
            # The same link on two pages is common (detail pages); read it once, quietly.
            self.queued.add(key)
            self.queue.append(url)

    def _warn(self, message: str) -> None:
        self._problem(message, severity="warning")

    def _problem(
        self,
        message: str,
        *,
        external_id: str | None = None,
        field: str | None = None,
        severity: Literal["error", "warning"] = "warning",
    ) -> None:
        self.problems.append(
            Problem(
                source_id=self.source.id,
                message=message,
                external_id=external_id,
                field=field,
                severity=severity,
            )
        )


def _join(base: str, link: str) -> str:
    url = urljoin(base, link.strip())
    urlsplit(url).port  # noqa: B018 - raises ValueError on a malformed port, early
    return url


def _key(url: str) -> str:
    """``url`` normalised for "seen before": no fragment, lower-case scheme and host,
    no default port, ``/`` for an empty http path. The query is kept as written."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    netloc = parts.netloc.lower()
    if (scheme, netloc.rpartition(":")[2]) in (("http", "80"), ("https", "443")):
        netloc = netloc.rpartition(":")[0]
    path = parts.path or ("/" if scheme in ("http", "https") else "")
    return urlunsplit((scheme, netloc, path, parts.query, ""))
