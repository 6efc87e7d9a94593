"""Partner and coordinator accounts: API keys (stored hashed), preview tokens, the audit trail.

A key is shown once, when it is made; the database keeps only its SHA-256. Revoking
an account ends its key and its private preview feed at once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from typing import Any, Literal

import msgspec

from agenda.errors import AgendaError, NotFoundError
from agenda.store.database import Store

Role = Literal["partner", "coordinator"]
ROLES = ("partner", "coordinator")


class Partner(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    name: str
    institution: str
    role: Role
    created: str
    revoked: str | None = None

    @property
    def source_id(self) -> str:
        """The source its submissions are stored under (they dedup like any source)."""
        return partner_source_id(self.institution)


def partner_source_id(institution: str) -> str:
    return f"partner-{institution}"


def key_hash(secret: str) -> str:
    """How keys and tokens are kept: SHA-256, hex (the database never holds a key)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def add_partner(
    store: Store,
    name: str,
    institution: str,
    role: str,
    now: datetime,
    by: Partner | None = None,
    who: str = "cli",
) -> tuple[Partner, str]:
    """A new account and its key (shown once); the preview token is made on request.
    ``by``/``who``: who made it, for the audit trail (the command line, or a coordinator)."""
    if role not in ROLES:
        raise AgendaError(f"role must be partner or coordinator, not {role!r}")
    if not name.strip():
        raise AgendaError("a partner needs a name")
    key = "ra_" + secrets.token_urlsafe(32)
    with store.transaction():
        partner_id = store.insert_partner(name.strip(), institution, role, key_hash(key), now)
        audit(store, by, who, "partner.add", f"partner:{partner_id}", now,
              {"name": name, "institution": institution, "role": role})  # fmt: skip
    return get_partner(store, partner_id), key


def get_partner(store: Store, partner_id: int) -> Partner:
    rows = store.partner_rows(partner_id=partner_id)
    if not rows:
        raise NotFoundError(f"no partner {partner_id}")
    return _partner(rows[0])


def _partner(row: dict[str, Any]) -> Partner:
    return Partner(
        id=row["id"], name=row["name"], institution=row["institution"], role=row["role"],
        created=row["created"], revoked=row["revoked"],
    )  # fmt: skip


def list_partners(store: Store) -> list[Partner]:
    return [_partner(r) for r in store.partner_rows()]


def find_partner(store: Store, ref: str) -> Partner:
    """A partner by id or by name."""
    for partner in list_partners(store):
        if str(partner.id) == ref or partner.name == ref:
            return partner
    raise NotFoundError(f"no partner {ref!r}")


def revoke_partner(
    store: Store, ref: str, now: datetime, by: Partner | None = None, who: str = "cli"
) -> Partner:
    partner = find_partner(store, ref)
    with store.transaction():
        store.revoke_partner(partner.id, now)
        audit(store, by, who, "partner.revoke", f"partner:{partner.id}", now,
              {"name": partner.name})  # fmt: skip
    return get_partner(store, partner.id)


def authenticate(store: Store, key: str) -> Partner | None:
    """The live account a key belongs to, or None (unknown or revoked)."""
    if not key:
        return None
    wanted = key_hash(key)
    for row in store.partner_rows(key_hash=wanted):
        if hmac.compare_digest(row["key_hash"], wanted):
            return _partner(row)
    return None


def new_preview_token(store: Store, partner: Partner, now: datetime) -> str:
    """A fresh token for the partner's private preview feed; the old one stops working."""
    if partner.revoked:
        raise AgendaError(
            f"partner {partner.id} ({partner.name}) was revoked at {partner.revoked}; "
            "a revoked account gets no preview feed"
        )
    token = secrets.token_urlsafe(24)
    with store.transaction():
        store.set_preview_hash(partner.id, key_hash(token))
        audit(store, partner, partner.name, "preview.token", f"partner:{partner.id}", now, {})
    return token


def preview_partner(store: Store, token: str) -> Partner | None:
    rows = store.partner_rows(preview_hash=key_hash(token))
    return _partner(rows[0]) if rows else None


def audit(
    store: Store,
    partner: Partner | None,
    who: str,
    action: str,
    target: str,
    now: datetime,
    details: dict[str, Any],
) -> None:
    """Record who did what to what, and what changed (inside the caller's transaction)."""
    store.add_audit(
        now,
        partner.id if partner else None,
        partner.name if partner else who,
        action,
        target,
        msgspec.json.encode(details).decode(),
    )


def audit_log(store: Store, limit: int = 100) -> list[dict[str, Any]]:
    return store.audit_rows(limit)
