"""``agenda partner``: partner and coordinator accounts and their API keys.

Registered on the ``agenda`` group by `agenda.cli.main`.
"""

from __future__ import annotations

import difflib
from typing import Any

import click

from agenda.cli.common import clear_errors, db_option, now_utc, open_store


@click.group("partner")
def partner_group() -> None:
    """Partner and coordinator accounts and their API keys."""


@partner_group.command("add")
@db_option()
@click.argument("name")
@click.option("--institution", required=True, metavar="SOURCE_ID",
              help="The institution (its source id) the account submits for.")  # fmt: skip
@click.option(
    "--role", type=click.Choice(["partner", "coordinator"]), default="partner", show_default=True,
    help="partner: own events and embargoes; coordinator: everything.",
)  # fmt: skip
@click.option("--config", envvar="AGENDA_CONFIG", type=click.Path(dir_okay=False),
              help="Sources file (env AGENDA_CONFIG): its ids count as institutions.")  # fmt: skip
def partner_add(db: str, name: str, institution: str, role: str, config: str | None) -> None:
    """Create an account; its key is printed once, alone on the last line.

    The institution must be a source id the database has imported or the sources file
    (--config) lists, so a typo never makes a working key for nothing.
    """
    from agenda.partners.accounts import add_partner
    from agenda.store.database import Store

    with clear_errors():
        store = Store.open(db)
        try:
            _check_institution(store, institution, config)
            partner, key = add_partner(store, name, institution, role, now_utc())
        finally:
            store.close()
    click.echo(f"partner {partner.id}: {partner.name} ({partner.role}, {partner.institution})")
    click.echo("Keep this key; it is not shown again:")
    click.echo(key)


def _check_institution(store: Any, institution: str, config: str | None) -> None:
    from agenda.config import load_sources
    from agenda.errors import AgendaError

    known = {s for s in store.source_ids() if not s.startswith("partner-")}
    if config:
        known |= {source.id for source in load_sources(config)}
    if institution in known:
        return
    close = difflib.get_close_matches(institution, sorted(known), n=3, cutoff=0.5)
    if close:
        hint = f"did you mean {', '.join(close)}?"
    elif known:
        hint = f"known: {', '.join(sorted(known)[:8])}{' …' if len(known) > 8 else ''}"
    else:
        hint = "no sources known yet: import them first, or name the sources file with --config"
    raise AgendaError(f"no source {institution!r} in the database or sources file; {hint}")


@partner_group.command("revoke")
@db_option()
@click.argument("partner")
def partner_revoke(db: str, partner: str) -> None:
    """Revoke an account (by id or name): its key and preview feed stop working at once."""
    from agenda.partners.accounts import revoke_partner

    with open_store(db) as store:
        done = revoke_partner(store, partner, now_utc())
    click.echo(f"partner {done.id}: {done.name} revoked at {done.revoked}")


@partner_group.command("list")
@db_option()
def partner_list(db: str) -> None:
    """List the accounts (never their keys)."""
    from agenda.partners.accounts import list_partners

    with open_store(db) as store:
        partners = list_partners(store)
    for p in partners:
        state = f"revoked {p.revoked}" if p.revoked else "active"
        click.echo(f"{p.id:>4}  {p.name}  {p.role}  {p.institution}  {state}")
    if not partners:
        click.echo("no partners yet: agenda partner add NAME --institution SOURCE_ID")


@partner_group.command("preview")
@db_option()
@click.argument("partner")
@click.option("--base-url", envvar="AGENDA_BASE_URL", default="http://127.0.0.1:8000",
              show_default=True, help="The agenda's public address.")  # fmt: skip
def partner_preview(db: str, partner: str, base_url: str) -> None:
    """Make a new private preview feed address (embargoes included); the old one stops."""
    from agenda.partners.accounts import find_partner, new_preview_token

    with open_store(db) as store:
        token = new_preview_token(store, find_partner(store, partner), now_utc())
    click.echo(f"{base_url.rstrip('/')}/feeds/private/{token}.ics")
