"""Partner sessions in the browser: the signed cookie, CSRF tokens, signing in and out.

Partners sign in with their API key once; the browser then holds a signed session cookie
(``regio_session``: HMAC-SHA256 over ``partner_id|expiry|nonce`` with a secret made when the
app starts, HttpOnly, SameSite=Strict, Path=/partners, Secure on https). The account is
looked up on every request, so a revoked key ends its sessions at once; signing out
records the session's signature in the store (``revoked_sessions``), so a copied cookie
does not outlive the sign-out. Every POST form carries a CSRF token (an HMAC of the
session). Without a session a GET answers a redirect to the sign-in page and a POST a
401; a bad CSRF token is a 403, and so is a coordinator page for a partner. Partner
pages are never cached (``private, no-store``); wrong keys count towards the API's
failed-key limit.

This module owns the tokens (pure functions), ``require_session`` (the gate every other
partner page handler passes first) and the /partners, /partners/login and
/partners/logout handlers. It must not build the planner, the review queue or /sources:
those live in ``agenda.partners.planner_pages``, ``agenda.partners.review_pages`` and
``agenda.web.sources_page``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import anyio
import msgspec
from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.response import Redirect

from agenda.errors import MissingKeyError, NotFoundError, TooManyAttemptsError
from agenda.partners.accounts import Partner, audit, get_partner
from agenda.partners.auth import SERVER_COORDINATOR, client_address, identify
from agenda.web.page_data import page_url
from agenda.web.pages import Page
from agenda.web.runtime import Runtime

SESSION_COOKIE = "regio_session"
SESSION_SECONDS = 8 * 3600
HTML = "text/html"
PRIVATE = "private, no-store"


# --- tokens (pure) --------------------------------------------------------------------------


def _mac(secret: bytes, text: str) -> str:
    return hmac.new(secret, text.encode(), hashlib.sha256).hexdigest()


def sign_session(secret: bytes, partner_id: int, expires: int, nonce: str | None = None) -> str:
    """``id.expiry.nonce.hmac``: HMAC-SHA256 over ``partner_id|expiry|nonce`` (epoch seconds).

    The random nonce makes every sign-in a session of its own, so signing out (which
    revokes this one signature) never ends another sign-in made in the same second.
    """
    nonce = nonce or secrets.token_hex(8)
    return f"{partner_id}.{expires}.{nonce}.{_mac(secret, f'{partner_id}|{expires}|{nonce}')}"


def session_id(value: str) -> str:
    """What revoking a session records: its signature."""
    return value.rsplit(".", 1)[-1]


def read_session(secret: bytes, value: str | None, now: int) -> int | None:
    """The partner id of an untampered, unexpired session cookie, else None."""
    parts = (value or "").split(".")
    if len(parts) != 4 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    partner_id, expires, nonce = int(parts[0]), int(parts[1]), parts[2]
    expected = _mac(secret, f"{partner_id}|{expires}|{nonce}")
    if not hmac.compare_digest(parts[3], expected) or expires <= now:
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


# --- who is signed in -----------------------------------------------------------------------


class Viewer(msgspec.Struct, frozen=True):
    """Who is signed in: an account, or (``partner`` None) the server's coordinator key."""

    partner: Partner | None
    name: str
    role: str
    session: str
    csrf: str


def runtime_of(request: Request[Any, Any, Any]) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _secret(request: Request[Any, Any, Any]) -> bytes:
    """The signing secret: the configured one (shared by every worker and surviving
    restarts), else one made once per app (handlers run on one event loop: no race)."""
    configured = runtime_of(request).settings.session_secret
    if configured:
        return hashlib.sha256(configured.encode()).digest()
    state = request.app.state
    secret = getattr(state, "partner_session_secret", None)
    if secret is None:
        secret = secrets.token_bytes(32)
        state.partner_session_secret = secret
    return bytes(secret)


def _viewer(request: Request[Any, Any, Any]) -> Viewer | None:
    runtime, secret = runtime_of(request), _secret(request)
    session = request.cookies.get(SESSION_COOKIE) or ""
    partner_id = read_session(secret, session, int(runtime.clock().timestamp()))
    if partner_id is None or runtime.stores.get().session_revoked(session_id(session)):
        return None
    partner: Partner | None = None
    if partner_id == SERVER_COORDINATOR:
        if not runtime.settings.coordinator_key_hash:
            return None
        name, role = "coordinator key", "coordinator"
    else:
        try:
            partner = get_partner(runtime.stores.get(), partner_id)
        except NotFoundError:
            return None
        if partner.revoked:
            return None
        name, role = partner.name, partner.role
    return Viewer(partner, name, role, session, csrf_token(secret, session))


def html_response(body: bytes, status: int, lang: str) -> Response[bytes]:
    """A partner page: never cached, varying by cookie and language."""
    headers = {
        "Content-Language": lang,
        "Vary": "Cookie, Accept-Language",
        "Cache-Control": PRIVATE,
    }
    return Response(body, status_code=status, media_type=HTML, headers=headers)


def message_page(page: Page, status: int, title: str, text: str) -> Response[bytes]:
    return html_response(page.render("message.html", title=title, message=text), status, page.lang)


def _login_page(page: Page, status: int, target: str, error: str | None = None,
                notice: str | None = None) -> Response[bytes]:  # fmt: skip
    body = page.render("login.html", target=target, error=error, notice=notice)
    headers = {"WWW-Authenticate": 'Bearer realm="regio-agenda"'} if status == 401 else {}
    response = html_response(body, status, page.lang)
    response.headers.update(headers)
    return response


Entry = tuple[Viewer, Mapping[str, Any]] | Response[Any]


async def require_session(request: Request[Any, Any, Any], *, coordinator: bool = False) -> Entry:
    """The signed-in viewer (and a POST's form, CSRF-checked), or the answer to give instead."""
    page = Page(request)
    viewer = _viewer(request)
    if viewer is None:
        if request.method == "GET":
            here = page_url(request.url.path, request.query_params.items())
            return Redirect(page.link("/partners/login", {"next": here}), status_code=303)
        return _login_page(page, 401, "/partners/planner", error=page.t["pp_login_expired"])
    form: Mapping[str, Any] = {}
    if request.method == "POST":
        form = await request.form()
        if not csrf_ok(_secret(request), viewer.session, form.get("csrf")):
            return message_page(
                page, 403, page.t["pp_forbidden_title"], page.t["pp_forbidden_csrf"]
            )
    if coordinator and viewer.role != "coordinator":
        return message_page(page, 403, page.t["pp_forbidden_title"], page.t["pp_forbidden_review"])
    return viewer, form


def viewer_context(page: Page, viewer: Viewer) -> dict[str, Any]:
    """What every signed-in page's header shows (and its forms' CSRF token)."""
    role = page.t[f"pp_role_{viewer.role}"]
    return {"viewer": {"name": viewer.name, "role": role, "csrf": viewer.csrf,
                       "coordinator": viewer.role == "coordinator"}}  # fmt: skip


# --- signing in and out ---------------------------------------------------------------------


@get("/partners", name="partners-home", include_in_schema=False)
async def partners_home(request: Request[Any, Any, Any]) -> Response[Any]:
    return Redirect(Page(request).link("/partners/planner"), status_code=303)


@get("/partners/login", name="partners-login-form", include_in_schema=False)
async def login_form(request: Request[Any, Any, Any]) -> Response[Any]:
    page = Page(request)
    target = safe_next(page.params.get("next"))
    if _viewer(request) is not None:
        return Redirect(target, status_code=303)
    notice = page.t["pp_signed_out"] if page.params.get("done") == "out" else None
    return _login_page(page, 200, target, notice=notice)


@post("/partners/login", name="partners-login", include_in_schema=False, status_code=303)
async def login(request: Request[Any, Any, Any]) -> Response[Any]:
    runtime, page = runtime_of(request), Page(request)
    origin = request.headers.get("origin")
    host = request.headers.get("host", "")
    if not origin_allowed(origin, request.url.scheme, host, runtime.settings.base_url):
        return message_page(page, 403, page.t["pp_forbidden_title"], page.t["pp_forbidden_csrf"])
    form = await request.form()
    target = safe_next(form.get("next"))
    client = client_address(request, runtime)
    key = str(form.get("key") or "").strip()
    try:
        who = await anyio.to_thread.run_sync(lambda: identify(runtime, client, key))
    except TooManyAttemptsError:
        return _login_page(page, 429, target, error=page.t["pp_login_blocked"])
    except MissingKeyError:
        return _login_page(page, 401, target, error=page.t["pp_login_wrong"])
    partner_id = who.account_id
    now = runtime.clock()
    session = sign_session(_secret(request), partner_id, int(now.timestamp()) + SESSION_SECONDS)
    cookie = Cookie(key=SESSION_COOKIE, value=session, path="/partners", httponly=True,
                    samesite="strict", secure=request.url.scheme == "https",
                    max_age=SESSION_SECONDS)  # fmt: skip

    def record() -> None:
        store = runtime.stores.get()
        with store.transaction():
            audit(store, who.partner, who.name, "session.login", "partners", now, {})

    await anyio.to_thread.run_sync(record)
    return Redirect(target, status_code=303, cookies=[cookie])


@post("/partners/logout", name="partners-logout", include_in_schema=False, status_code=303)
async def logout(request: Request[Any, Any, Any]) -> Response[Any]:
    entry = await require_session(request)
    if isinstance(entry, Response):
        return entry
    runtime, session = runtime_of(request), entry[0].session
    expires, mac = int(session.split(".")[1]), session_id(session)
    now = runtime.clock()

    def record() -> None:
        store = runtime.stores.get()
        with store.transaction():
            store.revoke_session(mac, expires, int(now.timestamp()))
            audit(store, entry[0].partner, entry[0].name, "session.logout", "partners", now, {})

    await anyio.to_thread.run_sync(record)
    gone = Cookie(key=SESSION_COOKIE, value="", path="/partners", httponly=True,
                  samesite="strict", secure=request.url.scheme == "https", max_age=0)  # fmt: skip
    target = Page(request).link("/partners/login", {"done": "out"})
    return Redirect(target, status_code=303, cookies=[gone])


ROUTES = [partners_home, login_form, login, logout]
