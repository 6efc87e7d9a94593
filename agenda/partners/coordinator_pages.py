"""The coordinators' pages: partner accounts, themes and the audit log.

/partners/accounts creates an account (its key shown once, never again: only its hash is
kept) for an institution of the source list, and revokes one; /partners/themes and
/partners/themes/{id} create and change themes (names and descriptions nl/en, period,
rules, includes and excludes) with a preview of the events they match, saved as
``PUT /api/themes/{id}`` saves them (``agenda.partners.coordinator_api.save_theme``);
/partners/audit reads the audit trail with filters. Coordinators only
(``require_session(coordinator=True)``), every write CSRF-checked and audited. This
module must not sign sessions or change events other than through those functions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

import anyio
import msgspec
from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from agenda.dedup.rebuild import event_facts
from agenda.errors import AgendaError, NotFoundError
from agenda.filters import EventFilter
from agenda.partners.accounts import ROLES, add_partner, list_partners, revoke_partner
from agenda.partners.coordinator_api import save_theme, theme_problems
from agenda.partners.session import (
    Viewer,
    html_response,
    require_session,
    runtime_of,
    viewer_context,
)
from agenda.store.query import list_events
from agenda.themes import Theme, belongs
from agenda.timeutil import AMSTERDAM, to_local, utc_iso
from agenda.web.pages import Page
from feeds.labels import clock, short_day

THEME_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
PREVIEW_SHOWN = 50
AUDIT_SHOWN = 200
_LISTS = ("keywords", "cities", "venues", "categories", "sources")


# --- accounts ------------------------------------------------------------------------------


def _institutions(page: Page) -> list[tuple[str, str]]:
    """The source list (configured and stored sources), without partners' own sources."""
    names = {s.id: s.name for s in page.runtime.sources.values()}
    for row in page.runtime.stores.get().source_rows():
        names.setdefault(row["id"], row["name"])
    return sorted(
        ((i, n) for i, n in names.items() if not i.startswith("partner-")),
        key=lambda pair: pair[1].lower(),
    )


def _accounts_page(
    page: Page,
    viewer: Viewer,
    *,
    status: int = 200,
    new_key: str = "",
    new_name: str = "",
    errors: Mapping[str, str] | None = None,
    values: Mapping[str, str] | None = None,
    flash: str = "",
) -> Response[bytes]:
    store = page.runtime.stores.get()
    institutions = _institutions(page)
    names = dict(institutions)
    accounts = [
        {
            "id": p.id,
            "name": p.name,
            "institution": names.get(p.institution, p.institution),
            "institution_id": p.institution,
            "role": page.t[f"pp_role_{p.role}"],
            "created": p.created[:10],
            "revoked": (p.revoked or "")[:10],
        }
        for p in list_partners(store)
    ]
    errors = errors or {}
    body = page.render(
        "partner_accounts.html",
        **viewer_context(page, viewer),
        section="accounts",
        accounts=accounts,
        institutions=institutions,
        roles=ROLES,
        new_key=new_key,
        new_name=new_name,
        errors=errors,
        values=values or {},
        flash=flash,
        first_error=next((n for n in ("name", "institution", "role") if n in errors), None),
    )
    return html_response(body, status, page.lang)


@get("/partners/accounts", name="partners-accounts", include_in_schema=False)
async def accounts(request: Request[Any, Any, Any]) -> Response[Any]:
    entry = await require_session(request, coordinator=True)
    if isinstance(entry, Response):
        return entry
    page = Page(request)
    done = page.params.get("done", "")
    flash = page.t.get(f"pa_done_{done}", "") if done.isidentifier() else ""
    return await anyio.to_thread.run_sync(lambda: _accounts_page(page, entry[0], flash=flash))


@post("/partners/accounts", name="partners-account-add", include_in_schema=False)
async def account_add(request: Request[Any, Any, Any]) -> Response[Any]:
    entry = await require_session(request, coordinator=True)
    if isinstance(entry, Response):
        return entry
    viewer, form = entry
    page, runtime = Page(request), runtime_of(request)
    values = {k: str(form.get(k) or "").strip() for k in ("name", "institution", "role")}
    errors: dict[str, str] = {}
    if not values["name"] or len(values["name"]) > 200:
        errors["name"] = page.t["pa_error_name"]
    if values["institution"] not in dict(_institutions(page)):
        errors["institution"] = page.t["pa_error_institution"]
    if values["role"] not in ROLES:
        errors["role"] = page.t["pa_error_role"]
    if errors:
        return _accounts_page(page, viewer, status=400, errors=errors, values=values)

    def work() -> str:
        store = runtime.stores.get()
        _, key = add_partner(
            store,
            values["name"],
            values["institution"],
            values["role"],
            runtime.clock(),
            by=viewer.partner,
            who=viewer.name,
        )
        return key

    key = await anyio.to_thread.run_sync(work)
    # The key is in this answer only (never cached: ``html_response`` is private, no-store).
    return _accounts_page(page, viewer, status=201, new_key=key, new_name=values["name"])


@post(
    "/partners/accounts/{partner_id:str}/revoke",
    name="partners-account-revoke",
    include_in_schema=False,
    status_code=303,
)
async def account_revoke(
    request: Request[Any, Any, Any], partner_id: FromPath[str]
) -> Response[Any]:
    entry = await require_session(request, coordinator=True)
    if isinstance(entry, Response):
        return entry
    viewer = entry[0]
    page, runtime = Page(request), runtime_of(request)

    def work() -> str:
        if not partner_id.isdigit():
            return "missing"
        try:
            revoke_partner(
                runtime.stores.get(),
                str(partner_id),
                runtime.clock(),
                by=viewer.partner,
                who=viewer.name,
            )
        except NotFoundError:
            return "missing"
        return "revoked"

    done = await anyio.to_thread.run_sync(work)
    return Redirect(page.link("/partners/accounts", {"done": done}), status_code=303)


# --- themes --------------------------------------------------------------------------------


def _split(text: str) -> list[str]:
    """One item a line (or comma-separated)."""
    return [p.strip() for line in text.splitlines() for p in line.split(",") if p.strip()]


def theme_body(form: Mapping[str, Any], theme_id: str) -> dict[str, Any]:
    """The body ``PUT /api/themes/{id}`` takes, from the themes form (pure)."""
    text = {
        k: str(form.get(k) or "").strip()
        for k in ("name_nl", "name_en", "description_nl", "description_en", "start", "end", "owner")
    }
    return {
        **text,
        "id": theme_id,
        "rules": {name: _split(str(form.get(name) or "")) for name in _LISTS},
        "include": _split(str(form.get("include") or "")),
        "exclude": _split(str(form.get("exclude") or "")),
    }


def theme_from(body: Mapping[str, Any]) -> tuple[Theme | None, dict[str, str]]:
    """The theme, or the problems by field (the API's conversion and checks)."""
    errors: dict[str, str] = {}
    for name in ("name_nl", "name_en"):
        if not body.get(name):
            errors[name] = "is required"
    for name in ("start", "end"):
        try:
            date.fromisoformat(str(body.get(name)))
        except ValueError:
            errors[name] = f"{body.get(name)!r} is not a date (YYYY-MM-DD)"
    if not THEME_ID.match(str(body.get("id"))):
        errors["id"] = "must be lowercase letters, digits and dashes"
    if errors:
        return None, errors
    try:
        theme = msgspec.convert(dict(body), Theme)
    except (msgspec.ValidationError, TypeError) as exc:
        return None, {"id": str(exc)}
    problems = {p["field"]: p["message"] for p in theme_problems(theme)}
    return (None, problems) if problems else (theme, {})


def theme_values(theme: Theme) -> dict[str, str]:
    values = {
        k: str(getattr(theme, k))
        for k in (
            "id",
            "name_nl",
            "name_en",
            "description_nl",
            "description_en",
            "start",
            "end",
            "owner",
        )
    }
    values.update({name: "\n".join(getattr(theme.rules, name)) for name in _LISTS})
    values.update(include="\n".join(theme.include), exclude="\n".join(theme.exclude))
    return values


def theme_preview(page: Page, theme: Theme) -> dict[str, Any]:
    """The public events the theme would hold (the first ``PREVIEW_SHOWN``) and their count."""
    store = page.runtime.stores.get()
    events = list_events(store, EventFilter(from_date=theme.start, to_date=theme.end))
    ids = {e.id for e in events}
    for ref in theme.include:
        if ref not in ids and ":" not in ref:
            try:
                events.append(store.get_event(ref))
            except NotFoundError:
                continue
    matching = [e for e in events if belongs(theme, event_facts(e))]
    rows = []
    for e in matching[:PREVIEW_SHOWN]:
        if e.start is not None:
            when = f"{short_day(to_local(e.start).date(), page.lang)} {clock(e.start, page.lang)}"
        else:
            when = short_day(e.start_date or page.today, page.lang)
        rows.append(
            {
                "id": e.id,
                "title": e.title,
                "when": when,
                "place": ", ".join(x for x in (e.venue.name if e.venue else "", e.city or "") if x),
            }
        )
    return {"count": len(matching), "events": rows}


def _theme_page(
    page: Page, viewer: Viewer, template: str, *, status: int = 200, **context: Any
) -> Response[bytes]:
    store = page.runtime.stores.get()
    errors = context.pop("errors", {})
    order = (
        "id",
        "name_nl",
        "name_en",
        "description_nl",
        "description_en",
        "start",
        "end",
        "owner",
        *_LISTS,
        "include",
        "exclude",
    )
    body = page.render(
        template,
        **viewer_context(page, viewer),
        section="themes",
        themes=[
            {
                "id": t.id,
                "name": t.name_en if page.lang == "en" else t.name_nl,
                "start": t.start.isoformat(),
                "end": t.end.isoformat(),
            }
            for t in store.themes()
        ],
        errors=errors,
        first_error=next((n for n in order if n in errors), None),
        **{"values": {}, "preview": None, "current": None, "flash": "", **context},
    )
    return html_response(body, status, page.lang)


@get("/partners/themes", name="partners-themes", include_in_schema=False)
async def themes(request: Request[Any, Any, Any]) -> Response[Any]:
    entry = await require_session(request, coordinator=True)
    if isinstance(entry, Response):
        return entry
    page = Page(request)
    today = page.today
    values = {"start": today.isoformat(), "end": (today + timedelta(days=90)).isoformat()}
    return await anyio.to_thread.run_sync(
        lambda: _theme_page(page, entry[0], "partner_themes.html", values=values)
    )


@get("/partners/themes/{theme_id:str}", name="partners-theme", include_in_schema=False)
async def theme(request: Request[Any, Any, Any], theme_id: FromPath[str]) -> Response[Any]:
    entry = await require_session(request, coordinator=True)
    if isinstance(entry, Response):
        return entry
    page = Page(request)

    def read() -> Response[bytes]:
        found = next((t for t in page.runtime.stores.get().themes() if t.id == theme_id), None)
        if found is None:
            raise NotFoundError(f"no theme {theme_id!r}")
        done = page.params.get("done", "")
        flash = page.t["pt_done_saved"] if done == "saved" else ""
        return _theme_page(
            page,
            entry[0],
            "partner_theme.html",
            values=theme_values(found),
            current=theme_id,
            preview=theme_preview(page, found),
            flash=flash,
        )

    return await anyio.to_thread.run_sync(read)


async def _theme_save(request: Request[Any, Any, Any], theme_id: str | None) -> Response[Any]:
    entry = await require_session(request, coordinator=True)
    if isinstance(entry, Response):
        return entry
    viewer, form = entry
    page, runtime = Page(request), runtime_of(request)
    template = "partner_theme.html" if theme_id else "partner_themes.html"
    new_id = theme_id or str(form.get("id") or "").strip()
    body = theme_body(form, new_id)
    found, errors = theme_from(body)
    values = {**{k: v for k, v in form.items() if isinstance(v, str)}, "id": new_id}
    if found is None:
        return await anyio.to_thread.run_sync(
            lambda: _theme_page(
                page, viewer, template, status=400, values=values, errors=errors, current=theme_id
            )
        )
    theme_: Theme = found
    if theme_id is None and any(t.id == new_id for t in runtime.stores.get().themes()):
        return _theme_page(
            page,
            viewer,
            template,
            status=400,
            values=values,
            errors={"id": page.t["pt_error_taken"]},
        )
    if form.get("action") == "preview":
        return await anyio.to_thread.run_sync(
            lambda: _theme_page(
                page,
                viewer,
                template,
                values=values,
                current=theme_id,
                preview=theme_preview(page, theme_),
            )
        )
    details = {k: v for k, v in body.items() if k != "id"}
    try:
        await anyio.to_thread.run_sync(
            lambda: save_theme(runtime, viewer.partner, viewer.name, theme_, details)
        )
    except AgendaError as exc:
        return _theme_page(
            page,
            viewer,
            template,
            status=409,
            values=values,
            errors={"id": str(exc)},
            current=theme_id,
        )
    return Redirect(page.link(f"/partners/themes/{new_id}", {"done": "saved"}), status_code=303)


@post("/partners/themes", name="partners-theme-add", include_in_schema=False)
async def theme_add(request: Request[Any, Any, Any]) -> Response[Any]:
    return await _theme_save(request, None)


@post("/partners/themes/{theme_id:str}", name="partners-theme-save", include_in_schema=False)
async def theme_save(request: Request[Any, Any, Any], theme_id: FromPath[str]) -> Response[Any]:
    return await _theme_save(request, theme_id)


# --- the audit log -------------------------------------------------------------------------


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _utc_of(day: date) -> str:
    return utc_iso(datetime(day.year, day.month, day.day, tzinfo=AMSTERDAM))


def audit_rows(page: Page) -> dict[str, Any]:
    store = page.runtime.stores.get()
    params = page.params
    since, until = _day(params.get("from")), _day(params.get("to"))
    rows = store.audit_rows(
        AUDIT_SHOWN,
        who=(params.get("who") or "").strip()[:100] or None,
        action=(params.get("action") or "").strip()[:100] or None,
        since=_utc_of(since) if since else None,
        until=_utc_of(until + timedelta(days=1)) if until else None,
    )
    shown = []
    for row in rows:
        at = datetime.fromisoformat(str(row["at"]).replace("Z", "+00:00"))
        shown.append(
            {
                "id": row["id"],
                "who": row["partner"],
                "action": row["action"],
                "target": row["target"],
                "details": str(row["details"])[:400],
                "when": f"{short_day(to_local(at).date(), page.lang)} {to_local(at):%H:%M:%S}",
            }
        )
    return {
        "rows": shown,
        "actions": store.audit_actions(),
        "filters": {k: params.get(k, "") for k in ("who", "action", "from", "to")},
    }


@get("/partners/audit", name="partners-audit", include_in_schema=False)
async def audit_page(request: Request[Any, Any, Any]) -> Response[Any]:
    entry = await require_session(request, coordinator=True)
    if isinstance(entry, Response):
        return entry
    page = Page(request)
    found = await anyio.to_thread.run_sync(lambda: audit_rows(page))
    body = page.render(
        "partner_audit.html",
        **viewer_context(page, entry[0]),
        section="audit",
        shown=AUDIT_SHOWN,
        **found,
    )
    return html_response(body, 200, page.lang)


ROUTES = [accounts, account_add, account_revoke, themes, theme, theme_add, theme_save, audit_page]
