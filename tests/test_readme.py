"""The README stays true: its two commands exist, and it documents every option and field."""

from __future__ import annotations

import re
from pathlib import Path

import click

from agenda.cli.main import main
from agenda.config import _KNOWN_KEYS

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_two_commands_for_a_newcomer() -> None:
    block = README.split("## Two commands", 1)[1].split("##", 1)[0]
    commands = [
        line for line in block.splitlines() if line and not line.startswith(("#", "`", " "))
    ]
    assert any("agenda demo" in c and "pip install" in c for c in commands)
    assert any(c.strip() == ".ci/run" for c in commands)
    assert (ROOT / ".ci" / "run").stat().st_mode & 0o111


def test_every_cli_option_is_documented() -> None:
    assert isinstance(main, click.Group)
    for name, command in main.commands.items():
        assert f"agenda {name}" in README
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--") and opt != "--help":
                    assert re.search(re.escape(opt) + r"\b", README), f"{name} {opt}"


def test_every_source_field_is_documented() -> None:
    block = README.split("## Sources file", 1)[1].split("## ", 1)[0]
    for key in _KNOWN_KEYS:
        assert re.search(rf"^{key} = ", block, re.M), key


def test_every_http_route_is_documented(tmp_path) -> None:
    from agenda.app import create_app
    from agenda.config import Settings

    app = create_app(Settings(db=str(tmp_path / "a.db")))
    for route in app.routes:
        path = route.path
        if path.startswith(("/schema", "/static")) or path == "/":
            continue
        documented = re.sub(r"\{(\w+):\w+\}", r"{\1}", path)
        assert documented.split("{")[0] in README, path
