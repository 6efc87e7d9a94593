"""The ``agenda`` command line (click): import, export, serve, demo, decisions, partners.

Owns: the commands (`main` and its groups in `decide`, `partners`, `publish`), what
they share (`common`: the --db option, one-line errors, exit codes) and the JSON-line
logging set up for ``serve`` and ``import`` (`logs`).

May use: everything below it (app, partners, web, sync, demo, dedup, store, kernel).
Must not: be imported by anything but tests; click and rich live only here.
"""

from agenda.cli.main import main

__all__ = ["main"]
