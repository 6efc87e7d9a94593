"""``agenda partner``: partner and coordinator accounts and their API keys.

Registered on the ``agenda`` group by `agenda.cli.main`.
"""

from __future__ import annotations

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
def partner_add(db: str, name: str, institution: str, role: str) -> None:
    """Create an account; its key is printed once, alone on the last line."""
    from agenda.partners.accounts import add_partner
    from agenda.store.database import Store

    with clear_errors():
        store = Store.open(db)
        try:
            partner, key = add_partner(store, name, institution, role, now_utc())
        finally:
            store.close()
    click.echo(f"partner {partner.id}: {partner.name} ({partner.role}, {partner.institution})")
    click.echo("Keep this key; it is not shown again:")
    click.echo(key)


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
