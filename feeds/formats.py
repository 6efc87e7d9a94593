"""Format name -> renderer, for the CLI export and the feed routes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from agenda.model import Event
from feeds.base import FeedOptions
from feeds.labels import word
from feeds.pieces import Listed

FORMATS = ("json", "ics", "rss", "atom", "jsonfeed")
MEDIA_TYPES = {
    "json": "application/json",
    "ics": "text/calendar",
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "jsonfeed": "application/feed+json",
}


def feed_options(
    base_url: str,
    fmt: str,
    now: datetime,
    lang: str = "nl",
    exhibitions: str = "span",
    *,
    name: str = "agenda",
    title: str | None = None,
) -> FeedOptions:
    """Options for the feed ``{name}.{fmt}`` served under ``{base_url}/feeds/``."""
    extension = "json" if fmt == "jsonfeed" else fmt
    return FeedOptions(
        title=title or word("agenda", lang),
        description=word("description", lang),
        base_url=base_url,
        self_url=f"{base_url.rstrip('/')}/feeds/{name}.{extension}",
        now=now,
        lang=lang,  # type: ignore[arg-type]
        exhibitions=exhibitions,  # type: ignore[arg-type]
    )


def render_format(fmt: str, events: Sequence[Event] | Listed, options: FeedOptions) -> bytes:
    """The bytes of one export or feed format (``Listed``: composed from pieces)."""
    if fmt == "json":
        from feeds.jsonexport import render_json

        assert not isinstance(events, Listed), "the export is not composed from pieces"
        return render_json(events)
    if fmt == "ics":
        from feeds.ical import render_ics

        return render_ics(events, options)
    if fmt == "rss":
        from feeds.rss import render_rss

        return render_rss(events, options)
    if fmt == "atom":
        from feeds.atom import render_atom

        return render_atom(events, options)
    if fmt == "jsonfeed":
        from feeds.jsonfeed import render_json_feed

        return render_json_feed(events, options)
    raise ValueError(f"unknown format {fmt!r}")
