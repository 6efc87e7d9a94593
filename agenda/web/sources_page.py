"""The public /sources page: each source's health in plain words.

For every source (configured or seen in the store, partner submissions aside): how many
listings it has, its last import and last success, its last error in words for a web
team (with the detail), a trend of listings per import, the next scheduled run and its
latest problems, and the category words it uses that the vocabulary does not know yet
(so a coordinator can add them to ``agenda/data/vocabulary.toml``). Anyone may look;
the page needs no session and is revalidated on every visit (``no-cache``). This module
owns the health rows (``source_health``); it must not import sources, change the store,
or know about partner sessions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import anyio
from babel.dates import format_datetime
from litestar import Request, Response, get

from agenda.store import query
from agenda.timeutil import AMSTERDAM, parse_utc
from agenda.web.i18n import city_name, labels
from agenda.web.pages import Page

HTML = "text/html"
TREND_RUNS = 8
PROBLEMS_SHOWN = 50


# --- health rows ----------------------------------------------------------------------------


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
    unmapped: Mapping[str, Sequence[tuple[str, int]]] | None = None,
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
            "unmapped": list((unmapped or {}).get(row["id"], [])),
        })  # fmt: skip
    return health


# --- the page -------------------------------------------------------------------------------


def _sources(page: Page) -> bytes:
    runtime = page.runtime
    store = runtime.stores.get()
    rows = query.source_health(store)
    listed = {row["id"] for row in rows}
    empty = dict.fromkeys(("active", "finished", "outcome", "message", "last_success",
                           "problems", "http_status"))  # fmt: skip
    rows += [
        {**empty, "id": s.id, "name": s.name, "city": s.city, "format": s.format}
        for s in runtime.sources.values()
        if s.id not in listed and s.format != "partner"
    ]
    next_runs = runtime.scheduler.next_runs() if runtime.scheduler is not None else None
    runs, problems = query.source_trend(store, [row["id"] for row in rows], TREND_RUNS,
                                        PROBLEMS_SHOWN)  # fmt: skip
    unmapped = query.unmapped_categories(store)
    health = source_health(rows, runs, problems, next_runs, page.lang, unmapped)
    return page.render("sources.html", sources=health, description=page.t["pp_sources_intro"])


@get("/sources", name="page-sources", include_in_schema=False)
async def sources(request: Request[Any, Any, Any]) -> Response[Any]:
    page = Page(request)
    body = await anyio.to_thread.run_sync(lambda: _sources(page))
    headers = {
        "Content-Language": page.lang,
        "Vary": "Accept-Language",
        "Cache-Control": "no-cache",
    }
    return Response(body, status_code=200, media_type=HTML, headers=headers)


ROUTES = [sources]
