"""``agenda publish``: the static feeds, event JSON and widget written to a folder.

Registered on the ``agenda`` group by `agenda.cli.main`.
"""

from __future__ import annotations

from pathlib import Path

import click

from agenda.cli.common import db_option, now_utc, open_store
from agenda.pictures import default_images_dir


@click.command("publish")
@db_option()
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Folder to write.")
@click.option("--base-url", envvar="AGENDA_BASE_URL", default="http://127.0.0.1:8000",
              show_default=True, help="Public address the files will be served from.")  # fmt: skip
@click.option("--images-dir", envvar="AGENDA_IMAGES_DIR", type=click.Path(file_okay=False),
              help="Where the event pictures are (default DB.images).")  # fmt: skip
def publish_command(db: str, out: str, base_url: str, images_dir: str | None) -> None:
    """Write the feeds (region, cities, themes, venues), event JSON and widget to a folder.

    Incremental (unchanged files are not rewritten) and atomic per file, for any static
    host or CDN.
    """
    from agenda.web.publish import publish

    with open_store(db) as store:
        folder = images_dir or default_images_dir(db)
        report = publish(store, Path(out), base_url, now_utc(), folder)
    click.echo(
        f"{out}: {report.written} written, {report.unchanged} unchanged, {report.removed} removed"
    )
