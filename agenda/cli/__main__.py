"""``python -m agenda.cli``: the same command line as the ``agenda`` entry point."""

from agenda.cli.main import main

main()
