"""The iCalendar feed (RFC 5545) and the "add to calendar" links.

Owns: the VCALENDAR of a list of events (``render_ics``), the one-event download
(``render_event_ics``), and the webcal/Google links. Must not: read the clock (``now`` is
``options.now``), query the store, or write anything but deterministic bytes.

Why a small serializer instead of ``icalendar.Calendar.to_ical()``: icalendar's component
path costs ~0.3 ms per event (5.7 s for 20,000 events, mostly its per-character folding),
and the feed must render 20,000 events in well under a second or two. The content-line rules
kept here are few: TEXT escaping of ``\\ ; ,`` and newlines, control characters dropped, and
folding at 75 octets on UTF-8 boundaries (never inside a ``\\`` escape), lines ending in CRLF.
The tests parse every output back with icalendar and with Mozilla's ical.js.

Time zones: one Europe/Amsterdam VTIMEZONE written with RRULEs, never icalendar's
``add_missing_timezones`` (its RDATE lists make ical.js, inside Thunderbird, read summer
times an hour off). A wall time that is ambiguous in Amsterdam (the repeated hour on the last
Sunday of October), or older than the VTIMEZONE's rules, is written in UTC instead: ical.js
reads the repeated hour as the second pass, RFC 5545 as the first.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from itertools import accumulate
from typing import NamedTuple
from urllib.parse import quote, urlencode

import msgspec
from msgspec import structs

from agenda.model import Event, EventSummary
from agenda.timeutil import AMSTERDAM, day_start, to_local
from feeds.base import (
    FeedOptions,
    description_in,
    event_url,
    is_cancelled,
    is_span,
    location_text,
    plain_text,
    title_in,
)
from feeds.labels import category_labels, long_day, price_in, word
from feeds.pieces import Listed, piece_kind, selected, with_pieces

PRODID = "-//Regio-agenda//Regio-agenda 0.1//NL"
TZID = "Europe/Amsterdam"
MAX_DAILY = 400  # daily exhibition entries per event, at most
GOOGLE_DETAILS_MAX = 1500  # characters of description in a Google link (URL length)
_RULES_FROM = 1997  # the VTIMEZONE below is right from 1996-10-27 on

VTIMEZONE = (
    b"BEGIN:VTIMEZONE\r\n"
    b"TZID:Europe/Amsterdam\r\n"
    b"X-LIC-LOCATION:Europe/Amsterdam\r\n"
    b"BEGIN:DAYLIGHT\r\n"
    b"TZOFFSETFROM:+0100\r\n"
    b"TZOFFSETTO:+0200\r\n"
    b"TZNAME:CEST\r\n"
    b"DTSTART:19810329T020000\r\n"
    b"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
    b"END:DAYLIGHT\r\n"
    b"BEGIN:STANDARD\r\n"
    b"TZOFFSETFROM:+0200\r\n"
    b"TZOFFSETTO:+0100\r\n"
    b"TZNAME:CET\r\n"
    b"DTSTART:19961027T030000\r\n"
    b"RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
    b"END:STANDARD\r\n"
    b"END:VTIMEZONE\r\n"
)
FOOTER = b"END:VCALENDAR\r\n"

# TEXT may not hold control characters other than HTAB (RFC 5545 3.3.11); newlines are
# escaped before this drops the rest.
_CONTROLS = re.compile("[\x00-\x08\x0a-\x1f\x7f]")


_packer = msgspec.msgpack.Encoder()
_unpacker = msgspec.msgpack.Decoder(list[tuple[float, str, int, bytes]])


class _Entry(NamedTuple):
    """One rendered VEVENT, with what sorting and trimming need."""

    key: tuple[float, str, str]  # start instant, event id, uid
    day: date  # the Amsterdam day it starts on, for the trim note
    data: bytes


# --- content lines -------------------------------------------------------------------------


def escape_text(value: str) -> str:
    """A TEXT value: ``\\``, ``;``, ``,`` and newlines escaped, other controls dropped."""
    return _CONTROLS.sub(
        "",
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n"),
    )


def fold(line: bytes) -> bytes:
    """Fold one content line at 75 octets, between UTF-8 characters and outside escapes."""
    if len(line) <= 75:
        return line
    parts = []
    start, limit, size = 0, 75, len(line)
    while size - start > limit:
        cut = start + limit
        while line[cut] & 0xC0 == 0x80:  # a UTF-8 continuation byte: step back to its lead
            cut -= 1
        slashes = cut
        while slashes > start and line[slashes - 1] == 0x5C:
            slashes -= 1
        if (cut - slashes) % 2:  # an odd run of backslashes ends in the first half of "\x"
            cut -= 1
        parts.append(line[start:cut])
        start, limit = cut, 74  # continuation lines start with a space
    parts.append(line[start:])
    return b"\r\n ".join(parts)


def _line(name: str, value: str) -> bytes:
    return fold(f"{name}:{value}".encode()) + b"\r\n"


def _utc(moment: datetime) -> str:
    return _wall(moment.astimezone(UTC)) + "Z"


def _wall(moment: datetime) -> str:
    """``20270124T200000`` (f-strings: several times faster than strftime)."""
    m = moment
    return f"{m.year:04}{m.month:02}{m.day:02}T{m.hour:02}{m.minute:02}{m.second:02}"


def _date(day: date) -> str:
    return f"{day.year:04}{day.month:02}{day.day:02}"


def _moment(name: str, moment: datetime) -> bytes:
    """DTSTART/DTEND in Amsterdam wall time with TZID, or UTC where wall time would mislead."""
    local = to_local(moment)
    ambiguous = local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()
    if ambiguous or local.year < _RULES_FROM:
        return _line(name, _utc(moment))
    return _line(f"{name};TZID={TZID}", _wall(local))


# --- one event -----------------------------------------------------------------------------


def _days(event: Event) -> tuple[date, date]:
    """First and last (inclusive) Amsterdam day of an event."""
    if event.start is None:
        assert event.start_date is not None
        return event.start_date, max(event.end_date or event.start_date, event.start_date)
    first = to_local(event.start).date()
    if event.end is None or event.end <= event.start:
        return first, first
    end = to_local(event.end)
    # An end at midnight closes the day before it.
    last = end.date() - timedelta(days=1) if end.time() == time(0) else end.date()
    return first, max(first, last)


def _status(event: Event) -> str:
    if is_cancelled(event):
        return "CANCELLED"
    return "TENTATIVE" if event.status == "postponed" else "CONFIRMED"


def summary(event: Event, lang: str) -> str:
    """The title in ``lang``, marked when the event is cancelled or postponed."""
    title = title_in(event, lang)
    if is_cancelled(event):
        return f"{word('cancelled', lang)}: {title}"
    if event.status == "postponed":
        return f"{word('postponed', lang)}: {title}"
    return title


def details(event: Event, options: FeedOptions) -> str:
    """Plain-text description, a blank line, the price, and the event's page in the agenda."""
    lang = options.lang
    tail = []
    if event.price:
        tail.append(f"{word('price', lang)}: {price_in(event.price, lang)}")
    elif event.is_free:
        tail.append(f"{word('price', lang)}: {word('free', lang)}")
    tail.append(event_url(event, options))
    text = plain_text(description_in(event, lang))
    return "\n".join(tail) if not text else text + "\n\n" + "\n".join(tail)


def _body(event: Event, options: FeedOptions) -> bytes:
    """The properties every VEVENT of one event shares (everything but UID and times)."""
    lines = [_line("SUMMARY", escape_text(summary(event, options.lang)))]
    lines.append(_line("DESCRIPTION", escape_text(details(event, options))))
    location = location_text(event)
    if location:
        lines.append(_line("LOCATION", escape_text(location)))
    venue = event.venue
    if venue is not None and venue.latitude is not None and venue.longitude is not None:
        lines.append(_line("GEO", f"{venue.latitude:.6f};{venue.longitude:.6f}"))
    lines.append(_line("URL", event_url(event, options)))
    if event.categories:
        names = category_labels(event.categories, options.lang)
        lines.append(_line("CATEGORIES", ",".join(escape_text(c) for c in names)))
    lines.append(_line("STATUS", _status(event)))
    lines.append(_line("SEQUENCE", str(event.sequence)))
    changed = event.updated or event.created or options.now
    stamp = [_line("DTSTAMP", _utc(changed))]
    if event.created is not None:
        stamp.append(_line("CREATED", _utc(event.created)))
    if event.updated is not None or event.created is not None:
        stamp.append(_line("LAST-MODIFIED", _utc(changed)))
    return b"".join(stamp + lines) + b"END:VEVENT\r\n"


def _vevent(uid: str, times: bytes, body: bytes) -> bytes:
    return b"BEGIN:VEVENT\r\n" + _line("UID", escape_text(uid)) + times + body


def _all_day(first: date, last: date) -> bytes:
    return _line("DTSTART;VALUE=DATE", _date(first)) + _line(
        "DTEND;VALUE=DATE", _date(last + timedelta(days=1))
    )


def _entries(event: Event, options: FeedOptions) -> Iterator[_Entry]:
    """The VEVENTs of one event: one, or one a day for a daily exhibition."""
    host = options.host
    body = _body(event, options)
    first, last = _days(event)
    span = is_span(event)
    if span and options.exhibitions == "daily":
        hours = None
        if event.start is not None and event.end is not None:
            opens, closes = to_local(event.start).time(), to_local(event.end).time()
            hours = (opens, closes) if closes > opens else None  # else: no clear opening hours
        for offset in range(min((last - first).days + 1, MAX_DAILY)):
            day = first + timedelta(days=offset)
            uid = f"{event.id}-{_date(day)}@{host}"
            if hours is None:
                times = _all_day(day, day)
                start = day_start(day)
            else:
                start = datetime.combine(day, hours[0], tzinfo=AMSTERDAM)
                end = datetime.combine(day, hours[1], tzinfo=AMSTERDAM)
                times = _moment("DTSTART", start) + _moment("DTEND", end)
            yield _Entry((start.timestamp(), event.id, uid), day, _vevent(uid, times, body))
        return
    uid = f"{event.id}@{host}"
    if event.start is not None and not span:
        times = _moment("DTSTART", event.start)
        if event.end is not None:
            times += _moment("DTEND", max(event.end, event.start))
        start = event.start
    else:
        times = _all_day(first, last)
        start = day_start(first)
    yield _Entry((start.timestamp(), event.id, uid), first, _vevent(uid, times, body))


# --- the calendar --------------------------------------------------------------------------


def _header(options: FeedOptions, note: str | None) -> bytes:
    caldesc = " ".join(part for part in (options.description, note) if part)
    refresh = f"PT{options.refresh_minutes}M"
    return (
        b"BEGIN:VCALENDAR\r\n"
        + _line("VERSION", "2.0")
        + _line("PRODID", PRODID)
        + _line("CALSCALE", "GREGORIAN")
        + _line("METHOD", "PUBLISH")
        + _line("X-WR-CALNAME", escape_text(options.title))
        + _line("X-WR-CALDESC", escape_text(caldesc))
        + _line("X-WR-TIMEZONE", TZID)
        + _line("REFRESH-INTERVAL;VALUE=DURATION", refresh)
        + _line("X-PUBLISHED-TTL", refresh)
        + VTIMEZONE
    )


def _calendar(entries: list[_Entry], options: FeedOptions) -> bytes:
    """Header, entries in start order and footer; the far future trimmed to fit max_bytes."""
    entries.sort(key=lambda entry: entry.key)
    header = _header(options, None)
    sizes = list(accumulate((len(entry.data) for entry in entries), initial=0))
    if len(header) + sizes[-1] + len(FOOTER) <= options.max_bytes:
        return b"".join([header, *(entry.data for entry in entries), FOOTER])

    def note(kept: int) -> str:
        last = entries[kept - 1].day if kept else to_local(options.now).date()
        return word("trimmed", options.lang).format(n=kept, day=long_day(last, options.lang))

    def fits(kept: int) -> bool:
        size = len(_header(options, note(kept))) + sizes[kept] + len(FOOTER)
        return size <= options.max_bytes

    # Binary search on the running sizes: the largest count of earliest entries that fits.
    low, high = 0, len(entries) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    kept = low
    while kept and not fits(kept):  # the note's length varies a little with its numbers
        kept -= 1
    header = _header(options, note(kept))
    return b"".join([header, *(entry.data for entry in entries[:kept]), FOOTER])


def render_ics(events: Sequence[Event] | Listed, options: FeedOptions) -> bytes:
    """The whole feed: events still in the feed, sorted by start then id, under max_bytes."""
    listed = events if isinstance(events, Listed) else Listed.of(events)
    daily = options.exhibitions == "daily"
    entries: list[_Entry] = []
    # Events by start: once the entries that certainly come before the next event fill
    # the budget, no later event can be in the feed, so none is rendered (a region of
    # 20,000 events renders the few thousand that fit, not all of them).
    pending: list[tuple[float, int]] = []  # (start, size) of entries not yet settled
    settled = len(_header(options, None)) + len(FOOTER)
    kind = piece_kind("ics", options)
    render = partial(_piece, options=options)
    host = options.host
    for summary, piece in with_pieces(listed, selected(listed, options), kind, render):
        # No entry of an event starts before midnight of its first day.
        start = day_start(summary.first_day).timestamp()
        while pending and pending[0][0] < start:
            settled += heapq.heappop(pending)[1]
        if settled > options.max_bytes:
            break
        for entry in _unpack(summary, piece, daily and summary.span, host):
            entries.append(entry)
            heapq.heappush(pending, (entry.key[0], len(entry.data)))
    return _calendar(entries, options)


def _piece(event: Event, options: FeedOptions) -> bytes:
    """An event's VEVENT; a daily exhibition's VEVENTs with their keys (MessagePack)."""
    entries = list(_entries(event, options))
    if options.exhibitions == "daily" and is_span(event):
        return _packer.encode([(e.key[0], e.key[2], e.day.toordinal(), e.data) for e in entries])
    return entries[0].data


def _unpack(summary: EventSummary, piece: bytes, several: bool, host: str) -> list[_Entry]:
    """The entries of a piece; a single VEVENT's key comes from the summary."""
    if several:
        return [
            _Entry((start, summary.id, uid), date.fromordinal(day), data)
            for start, uid, day, data in _unpacker.decode(piece)
        ]
    # As in ``_entries``: a span starts at midnight of its first day.
    start = day_start(summary.first_day) if summary.span else summary.start
    uid = f"{summary.id}@{host}"
    return [_Entry((start.timestamp(), summary.id, uid), summary.first_day, piece)]


def render_event_ics(event: Event, options: FeedOptions) -> bytes:
    """One event for the "add to calendar" download (an excluded exhibition as one span).

    It is rendered whatever its age: someone who asks for this one event gets it, cancelled
    or not.
    """
    if options.exhibitions == "exclude":
        options = structs.replace(options, exhibitions="span")
    return _calendar(list(_entries(event, options)), options)


# --- links ---------------------------------------------------------------------------------


def webcal_url(http_url: str) -> str:
    """The same feed as ``webcal://``, which opens the subscribe dialog of calendar apps."""
    scheme, _, rest = http_url.partition("://")
    if scheme.lower() in ("http", "https") and rest:
        return "webcal://" + rest
    return http_url


def google_calendar_subscribe_url(feed_url: str) -> str:
    """Google Calendar's "add by URL" link for a feed."""
    return "https://calendar.google.com/calendar/r?cid=" + quote(webcal_url(feed_url), safe="")


def google_calendar_event_url(event: Event, options: FeedOptions) -> str:
    """Google Calendar's "add this event" link (multi-day spans as whole days)."""
    if event.start is not None and not is_span(event):
        end = max(event.end or event.start, event.start)
        dates = f"{_utc(event.start)}/{_utc(end)}"
    else:
        first, last = _days(event)
        dates = f"{_date(first)}/{_date(last + timedelta(days=1))}"
    text = details(event, options)
    if len(text) > GOOGLE_DETAILS_MAX:
        text = text[: GOOGLE_DETAILS_MAX - 1].rstrip() + "…\n\n" + event_url(event, options)
    query = {
        "action": "TEMPLATE",
        "text": summary(event, options.lang),
        "dates": dates,
        "details": text,
        "location": location_text(event),
        "ctz": TZID,
    }
    return "https://calendar.google.com/calendar/render?" + urlencode(query, quote_via=quote)
