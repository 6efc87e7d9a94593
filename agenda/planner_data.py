"""What the partner pages and the source-health page show: plain dicts, bytes and tokens.

Pure helpers (no web framework): signed session cookies and CSRF tokens, the planner's
month and week (counts per day by category and audience, embargoes, evening clashes,
theme overlays), its CSV export, the clash check's rows, the review queue's rows, and
each source's health in plain words.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from itertools import combinations
from typing import Any
from urllib.parse import urlsplit

import msgspec
from babel.dates import format_date, format_datetime

from agenda.clashes import DEFAULT_LENGTH, EVENING, Clash, Plan, clash_score
from agenda.errors import InvalidFilterError
from agenda.filters import parse_day
from agenda.i18n import audience_name, city_name, kind_name, labels
from agenda.model import Event, Listing
from agenda.normalize import fold
from agenda.page_data import event_item
from agenda.themes import Theme
from agenda.timeutil import AMSTERDAM, parse_utc, to_local
from feeds.base import is_cancelled
from feeds.labels import clock, long_day, short_day

SESSION_COOKIE = "regio_session"
SESSION_SECONDS = 8 * 3600
SERVER_COORDINATOR = 0  # the session of AGENDA_COORDINATOR_KEY, which has no account
CSV_HEADER = ("date", "start", "end", "title", "venue", "city", "categories", "audience",
              "visibility", "embargo_until", "url")  # fmt: skip
TREND_RUNS = 8
PROBLEMS_SHOWN = 50
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


# --- sessions and CSRF ----------------------------------------------------------------------


def _mac(secret: bytes, text: str) -> str:
    return hmac.new(secret, text.encode(), hashlib.sha256).hexdigest()


def sign_session(secret: bytes, partner_id: int, expires: int) -> str:
    """``id.expiry.hmac``: HMAC-SHA256 over ``partner_id|expiry`` (epoch seconds)."""
    return f"{partner_id}.{expires}.{_mac(secret, f'{partner_id}|{expires}')}"


def read_session(secret: bytes, value: str | None, now: int) -> int | None:
    """The partner id of an untampered, unexpired session cookie, else None."""
    parts = (value or "").split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    partner_id, expires = int(parts[0]), int(parts[1])
    if not hmac.compare_digest(parts[2], _mac(secret, f"{partner_id}|{expires}")) or (
        expires <= now
    ):
        return None
    return partner_id


def csrf_token(secret: bytes, session: str) -> str:
    """The token every POST form carries: an HMAC of the session cookie."""
    return _mac(secret, f"csrf|{session}")


def csrf_ok(secret: bytes, session: str, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(str(token), csrf_token(secret, session))


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a partner page of this site, never elsewhere."""
    default = "/partners/planner"
    if not value or "\\" in value or value.startswith("//") or not value.isprintable():
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not parts.path.startswith("/partners/"):
        return default
    return default if parts.path in ("/partners/login", "/partners/logout") else value


def origin_allowed(origin: str | None, scheme: str, host: str, base_url: str) -> bool:
    """Whether a POST's ``Origin`` is this site (as addressed, or as ``base_url`` says).

    The sign-in form has no session to tie a CSRF token to; this refuses a form posted
    from another site. No ``Origin`` header (older clients, scripts) passes.
    """
    if origin is None:
        return True
    parts = urlsplit(base_url)
    allowed = {f"{scheme}://{host}".lower(), f"{parts.scheme}://{parts.netloc}".lower()}
    return origin.strip().lower().rstrip("/") in allowed


# --- the planner's period -------------------------------------------------------------------


class Period(msgspec.Struct, frozen=True, kw_only=True):
    view: str  # "month" or "week"
    first: date  # the selection (and the exports) run from first to last
    last: date
    grid_first: date  # the month's table starts on a Monday and ends on a Sunday
    grid_last: date
    previous: date
    following: date


def _month_start(day: date, months: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def planner_period(view: str | None, day_text: str | None, today: date) -> Period:
    """The month (default) or the Monday-to-Sunday week around ``date``, with its neighbours."""
    if view not in (None, "", "month", "week"):
        raise InvalidFilterError("view", "must be month or week")
    day = parse_day("date", day_text) or today
    if view == "week":
        first = day - timedelta(days=day.weekday())
        last = first + timedelta(days=6)
        week = timedelta(days=7)
        return Period(
            view="week", first=first, last=last, grid_first=first, grid_last=last,
            previous=first - week, following=first + week,
        )  # fmt: skip
    first = _month_start(day)
    last = _month_start(day, 1) - timedelta(days=1)
    return Period(
        view="month", first=first, last=last,
        grid_first=first - timedelta(days=first.weekday()),
        grid_last=last + timedelta(days=6 - last.weekday()),
        previous=_month_start(day, -1), following=_month_start(day, 1),
    )  # fmt: skip


def period_title(period: Period, lang: str) -> str:
    if period.view == "month":
        return format_date(period.first, "LLLL y", locale=lang)
    week = labels(lang)["pp_week"].format(n=period.first.isocalendar()[1])
    span = f"{short_day(period.first, lang)} – {short_day(period.last, lang)}"
    return f"{week}: {span} {period.last.year}"


def period_slug(period: Period) -> str:
    if period.view == "month":
        return period.first.strftime("%Y-%m")
    year, week, _ = period.first.isocalendar()
    return f"{year}-W{week:02d}"


# --- days, counts, clashes and themes -------------------------------------------------------


def day_range(event: Event) -> tuple[date, date]:
    """The Amsterdam days an event takes place on (an end at midnight ends the day before)."""
    if event.start is not None:
        start = to_local(event.start)
        end = to_local(event.end) if event.end is not None and event.end > event.start else start
        last = (end - timedelta(microseconds=1)).date() if end > start else start.date()
        return start.date(), max(last, start.date())
    assert event.start_date is not None
    return event.start_date, max(event.end_date or event.start_date, event.start_date)


def by_day(events: Iterable[Event], first: date, last: date) -> dict[date, list[Event]]:
    days: dict[date, list[Event]] = {}
    for event in events:
        start, end = day_range(event)
        day = max(start, first)
        while day <= min(end, last):
            days.setdefault(day, []).append(event)
            day += timedelta(days=1)
    return days


def _shared(a: Event, b: Event) -> tuple[str, str, bool] | None:
    """What two events have in common, as clash detection compares it (folded): the first
    shared category, else their kind; (folded, shown, whether it is a kind) or None."""
    theirs = {fold(c) for c in b.categories}
    shared = sorted((fold(c), c) for c in a.categories if fold(c) and fold(c) in theirs)
    if shared:
        return shared[0][0], shared[0][1], False
    if a.kind and a.kind == b.kind and a.kind != "other":
        return fold(a.kind), a.kind, True
    return None


def _evening(event: Event, day: date) -> bool:
    if event.start is None or is_cancelled(event) or not event.city:
        return False
    start, end = _span(event)
    local = to_local(start)
    return local.date() == day and local.time() >= EVENING and end - start <= timedelta(hours=20)


def _span(event: Event) -> tuple[datetime, datetime]:
    assert event.start is not None
    return event.start, event.end or event.start + DEFAULT_LENGTH


def _overlap(a: Event, b: Event) -> bool:
    (a_start, a_end), (b_start, b_end) = _span(a), _span(b)
    return a_start < b_end and b_start < a_end


def evening_clashes(events: Sequence[Event], day: date) -> list[dict[str, Any]]:
    """Groups of evening events on ``day`` that overlap in one city and share a category.

    Each group's score is the highest ``agenda.clashes.clash_score`` between its members.
    """
    evening = [e for e in events if _evening(e, day)]
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for a, b in combinations(evening, 2):
        if a.city != b.city or not _overlap(a, b):
            continue
        shared = _shared(a, b)
        if shared is None:
            continue
        label, shown, is_kind = shared
        scored = clash_score(Plan(start=a.start, end=a.end, city=a.city, category=label), b)
        if scored is None:
            continue
        empty = {"category": shown, "kind": is_kind, "city": str(a.city), "ids": [], "score": 0.0}
        group = groups.setdefault((str(a.city), label), empty)
        for event in (a, b):
            if event.id not in group["ids"]:
                group["ids"].append(event.id)
        group["score"] = max(group["score"], scored.score)
    return sorted(groups.values(), key=lambda g: (-g["score"], g["city"], g["category"]))


def themes_on(themes: Sequence[Theme], day: date, lang: str) -> list[dict[str, str]]:
    return [
        {"id": t.id, "name": t.name_en if lang == "en" else t.name_nl}
        for t in themes
        if t.start <= day <= t.end
    ]


def _visibility(event: Event, lang: str) -> str:
    """'' for public events, else what partners must know before they announce anything."""
    t = labels(lang)
    if event.visibility == "public":
        return ""
    if event.embargo_until is not None:
        moment = format_datetime(to_local(event.embargo_until), "d MMM y HH:mm", locale=lang)
        return t["pp_embargo_until"].format(moment=moment)
    return t["pp_partners_only"]


def _ranked(counts: Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
    """Most first, then by name."""
    return sorted(counts, key=lambda c: (-c[1], c[0].lower()))


def day_cell(
    day: date,
    events: Sequence[Event],
    themes: Sequence[Theme],
    lang: str,
    today: date,
    listed: bool = True,
) -> dict[str, Any]:
    """One day of the planner: counts, embargoes, clashes, themes and (``listed``) its events."""
    t = labels(lang)
    categories: Counter[str] = Counter()
    shown: dict[str, str] = {}
    audiences: Counter[str] = Counter()
    for event in events:
        names = {fold(c): c for c in event.categories if fold(c)} or {"": t["pp_no_category"]}
        for key, name in names.items():
            categories[key] += 1
            shown.setdefault(key, name)
        audiences.update(set(event.audience))
    clashes = evening_clashes(events, day)
    clashing = {i for group in clashes for i in group["ids"]}
    items = []
    for event in events if listed else ():
        item = event_item(event, lang)
        item.update(public=event.visibility == "public", hidden=_visibility(event, lang),
                    clash=event.id in clashing, kind=kind_name(event.kind, lang))  # fmt: skip
        items.append(item)
    for group in clashes:
        group["city_name"] = city_name(group["city"], lang)
        if group["kind"]:
            group["category"] = kind_name(group["category"], lang)
    return {
        "day": day.isoformat(),
        "number": day.day,
        "heading": long_day(day, lang),
        "is_today": day == today,
        "total": len(events),
        "hidden": sum(1 for e in events if e.visibility != "public"),
        "categories": _ranked((shown[k], n) for k, n in categories.items()),
        "audiences": _ranked((audience_name(a, lang), n) for a, n in audiences.items()),
        "clashes": clashes,
        "themes": themes_on(themes, day, lang),
        "events": items,
    }


def planner_days(
    period: Period, events: Sequence[Event], themes: Sequence[Theme], lang: str, today: date
) -> list[dict[str, Any]]:
    """Every day of the period's grid; days outside the selection carry no events.

    Only a week lists each day's events; a month shows counts and marks.
    """
    days = by_day(events, period.first, period.last)
    cells = []
    day = period.grid_first
    while day <= period.grid_last:
        inside = period.first <= day <= period.last
        found = days.get(day, []) if inside else []
        cell = day_cell(day, found, themes, lang, today, listed=period.view == "week")
        cell["inside"] = inside
        cells.append(cell)
        day += timedelta(days=1)
    return cells


def month_weeks(cells: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"number": date.fromisoformat(cells[i]["day"]).isocalendar()[1], "days": cells[i : i + 7]}
        for i in range(0, len(cells), 7)
    ]


def weekday_names(lang: str) -> list[tuple[str, str]]:
    """(short, full) names, Monday first."""
    monday = date(2027, 1, 4)
    return [
        (format_date(monday + timedelta(days=i), "EEE", locale=lang),
         format_date(monday + timedelta(days=i), "EEEE", locale=lang))
        for i in range(7)
    ]  # fmt: skip


# --- exports --------------------------------------------------------------------------------


def _cell(text: str | None) -> str:
    """Text a spreadsheet will not run as a formula."""
    text = text or ""
    return "'" + text if text.startswith(_FORMULA) else text


def _moment(moment: datetime | None, day: date | None) -> str:
    if moment is not None:
        return to_local(moment).isoformat()
    return day.isoformat() if day is not None else ""


def planner_csv(events: Sequence[Event]) -> bytes:
    """The selection as CSV (UTF-8 with a BOM, so spreadsheets read accents right)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for event in events:
        first, _ = day_range(event)
        writer.writerow([
            first.isoformat(),
            _moment(event.start, event.start_date),
            _moment(event.end, event.end_date),
            _cell(event.title),
            _cell(event.venue.name if event.venue else ""),
            _cell(event.city),
            _cell("; ".join(event.categories)),
            "; ".join(event.audience),
            event.visibility,
            to_local(event.embargo_until).isoformat() if event.embargo_until else "",
            _cell(event.url),
        ])  # fmt: skip
    return ("\ufeff" + out.getvalue()).encode()


# --- the clash check ------------------------------------------------------------------------


def check_plan(params: Mapping[str, str]) -> Plan | None:
    """The clash check's plan from ``check_date`` and the optional time, city and category."""
    day = parse_day("check_date", params.get("check_date"))
    if day is None:
        return None
    text = (params.get("check_time") or "").strip()
    start = None
    if text:
        found = _TIME.match(text)
        if found is None:
            raise InvalidFilterError("check_time", f"{text!r} is not a time (use HH:MM)")
        start = datetime.combine(day, time(int(found[1]), int(found[2])), tzinfo=AMSTERDAM)
    city = (params.get("check_city") or "").strip()[:60] or None
    category = (params.get("check_category") or "").strip()[:100] or None
    return Plan(start=start, day=None if start else day, city=city, category=category)


_REASONS = [
    (re.compile(r"^at the same time$"), "tegelijk"),
    (re.compile(r"^the same evening$"), "dezelfde avond"),
    (re.compile(r"^the same day$"), "dezelfde dag"),
    (re.compile(r"^runs for days \(an exhibition or festival\)$"),
     "loopt dagenlang (een tentoonstelling of festival)"),
    (re.compile(r"^in (?P<x>.+), nearby$"), "in {x}, vlakbij"),
    (re.compile(r"^in (?P<x>.+) too$"), "ook in {x}"),
    (re.compile(r"^also (?P<x>.+)$"), "ook {x}"),
    (re.compile(r"^for (?P<x>.+) too$"), "ook voor {x}"),
    (re.compile(r"^a major event$"), "een groot evenement"),
]  # fmt: skip


def reason_text(reason: str, lang: str) -> str:
    """A clash reason (English in ``agenda.clashes``) in the page's language."""
    if lang == "en":
        return reason
    for pattern, dutch in _REASONS:
        if found := pattern.match(reason):
            return dutch.format(**found.groupdict())
    return reason


def clash_rows(clashes: Sequence[Clash], lang: str) -> list[dict[str, Any]]:
    rows = []
    for found in clashes:
        item = event_item(found.event, lang)
        item.update(score=f"{found.score:g}", public=found.event.visibility == "public",
                    hidden=_visibility(found.event, lang),
                    reasons=[reason_text(r, lang) for r in found.reasons],
                    day=short_day(day_range(found.event)[0], lang))  # fmt: skip
        rows.append(item)
    return rows


# --- the review queue -----------------------------------------------------------------------


def _listing_when(listing: Listing, lang: str) -> str:
    if listing.start is not None:
        return f"{short_day(to_local(listing.start).date(), lang)} {clock(listing.start, lang)}"
    assert listing.start_date is not None
    return f"{short_day(listing.start_date, lang)} ({labels(lang)['all_day']})"


def _review_listing(
    key: str, listing: Listing, in_pair: bool, source_names: Mapping[str, str], lang: str
) -> dict[str, Any]:
    source = source_names.get(listing.source_id, listing.source_id)
    when = _listing_when(listing, lang)
    return {"key": key, "title": listing.title, "when": when, "source": source, "in_pair": in_pair}


def review_rows(
    pairs: Sequence[tuple[str, str, float, Sequence[str]]],
    memberships: Mapping[str, str],
    members: Mapping[str, Sequence[str]],
    listings: Mapping[str, tuple[Listing, str]],
    source_names: Mapping[str, str],
    lang: str,
) -> list[dict[str, Any]]:
    """Grey-zone pairs still apart, each side as its event with every listing it holds.

    Two listing pairs between the same two events are one decision: the strongest is shown.
    """
    rows = []
    seen: set[frozenset[str | None]] = set()
    for a, b, score, reasons in pairs:
        events = [memberships.get(a), memberships.get(b)]
        if None in events or events[0] == events[1] or frozenset(events) in seen:
            continue
        seen.add(frozenset(events))
        sides = []
        for key, event_id in zip((a, b), events, strict=True):
            keys = [k for k in members.get(str(event_id), [key]) if k in listings]
            side = [_review_listing(k, listings[k][0], k == key, source_names, lang) for k in keys]
            sides.append({"event": event_id, "key": key, "listings": side})
        rows.append({"score": f"{score:.2f}", "reasons": list(reasons), "sides": sides})
    return rows


# --- source health --------------------------------------------------------------------------


_PLAIN = [
    ("timed out", "pp_err_timeout"),
    ("certificate", "pp_err_tls"),
    ("ssl", "pp_err_tls"),
    ("tls", "pp_err_tls"),
    ("refused", "pp_err_unreachable"),
    ("connect", "pp_err_unreachable"),
    ("resolve", "pp_err_unreachable"),
    ("file not found", "pp_err_gone"),
    ("internal error", "pp_err_internal"),
    ("not an ", "pp_err_format"),
    ("not a ", "pp_err_format"),
    ("empty", "pp_err_format"),
]


def error_words(message: str, status: int | None, lang: str) -> str:
    """What went wrong, for a web team rather than a programmer."""
    t = labels(lang)
    if status in (404, 410):
        key = "pp_err_gone"
    elif status in (401, 403):
        key = "pp_err_denied"
    elif status is not None and status >= 500:
        key = "pp_err_server"
    else:
        lowered = message.lower()
        key = next((k for needle, k in _PLAIN if needle in lowered), "pp_err_other")
    return t[key]


def _when(text: str | None, lang: str) -> str:
    if not text:
        return ""
    return format_datetime(parse_utc(text), "d MMM y, HH:mm", tzinfo=AMSTERDAM, locale=lang)


def trend(runs: Sequence[Mapping[str, Any]], lang: str) -> list[dict[str, Any]]:
    """Listings per import, oldest first, with a bar width class in steps of 10 %."""
    t = labels(lang)
    counts: list[int | None] = []
    known: int | None = None
    for run in runs:
        if run["outcome"] == "ok":
            known = run["new"] + run["updated"] + run["unchanged"]
            counts.append(known)
        elif run["outcome"] == "not_modified":
            counts.append(known)
        else:
            counts.append(None)
    top = max((c for c in counts if c), default=0)
    return [
        {"when": _when(run["finished"], lang), "at": run["finished"],
         "outcome": t.get(f"pp_outcome_{run['outcome']}", run["outcome"]),
         "count": count, "width": round(10 * count / top) * 10 if top and count else 0}
        for run, count in zip(runs, counts, strict=True)
    ]  # fmt: skip


def source_health(
    rows: Sequence[Mapping[str, Any]],
    runs: Mapping[str, Sequence[Mapping[str, Any]]],
    problems: Mapping[str, Sequence[Mapping[str, Any]]],
    next_runs: Mapping[str, datetime | None] | None,
    lang: str,
) -> list[dict[str, Any]]:
    """Each source's health: last success, last error, outcome, trend, next run, problems."""
    t = labels(lang)
    health = []
    for row in rows:
        history = list(runs.get(row["id"], []))
        failed = next((r for r in reversed(history) if r["outcome"] == "failed"), None)
        upcoming = (next_runs or {}).get(row["id"])
        outcome = row["outcome"]
        health.append({
            "id": row["id"], "name": row["name"], "city": city_name(row["city"], lang),
            "format": row["format"], "listings": row["active"] or 0,
            "outcome_key": outcome or "none",
            "outcome": t.get(f"pp_outcome_{outcome}", outcome) if outcome else t["never"],
            "message": row["message"] or "",
            "last_import": _when(row["finished"], lang), "last_import_at": row["finished"] or "",
            "last_success": _when(row["last_success"], lang) or t["never"],
            "last_success_at": row["last_success"] or "",
            "error": {"words": error_words(failed["message"], failed["http_status"], lang),
                      "detail": failed["message"], "when": _when(failed["finished"], lang),
                      "at": failed["finished"]} if failed else None,
            "next_run": format_datetime(upcoming, "d MMM y, HH:mm", tzinfo=AMSTERDAM, locale=lang)
            if upcoming else t["pp_not_scheduled"],
            "next_run_at": upcoming.isoformat() if upcoming else "",
            "trend": trend(history, lang),
            "problems": [dict(p) for p in problems.get(row["id"], [])],
            "problem_count": row["problems"] or 0,
        })  # fmt: skip
    return health
