"""The app factory of ``agenda serve --workers N``: each uvicorn worker process builds the
same app from the settings the parent command checked and put in the environment.

Workers share nothing but the database: cached answers are keyed on the data generation
read from it, so every worker notices an import within ``generation_check`` seconds; the
scheduled imports run in one worker at a time (a lease in the database); partner sessions
are signed with one secret the parent hands to every worker.
"""

from __future__ import annotations

import os

import msgspec

from agenda.config import Settings

ENV = "AGENDA_SERVE_SETTINGS"


def app() -> object:
    """``uvicorn --factory agenda.cli.worker:app``: the app for one worker process."""
    from agenda.app import create_app
    from agenda.cli import logs

    logs.configure()
    settings = msgspec.json.decode(os.environ[ENV].encode(), type=Settings)
    return create_app(settings)
