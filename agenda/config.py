"""The sources file (TOML) and the settings object, validated with one clear line per error.

Every error names the file, the source and the field, e.g.
``sources.toml: source 'lakenhal' (#2): field 'interval': '5x' is not a duration``.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path
from typing import Any

import msgspec

from agenda.errors import ConfigError
from agenda.model import FORMATS, SOURCE_KINDS, SourceConfig
from agenda.pictures import default_images_dir

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_DURATION_PART = re.compile(r"(\d+)\s*([smhd])")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_KNOWN_KEYS = {
    "id", "name", "format", "url", "kind", "city", "venue", "interval", "language",
    "max_pages", "follow", "webhook",
}  # fmt: skip
MIN_INTERVAL = 60


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Everything the running agenda needs to know, passed explicitly (no globals)."""

    db: str = "agenda.db"
    config: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    # The agenda's public address: links in feeds, UIDs, widget snippets.
    base_url: str = "http://127.0.0.1:8000"
    max_body_bytes: int = 20 * 1024 * 1024
    feed_max_age: int = 300
    # How often (seconds) the web app looks whether the data changed; 0 means every request.
    generation_check: float = 1.0
    # API requests per minute per client address.
    api_rate_limit: int = 600
    # sha256 of the coordinator key (env AGENDA_COORDINATOR_KEY at start); None: no key.
    coordinator_key_hash: str | None = None
    # Run the scheduled imports of the sources file inside the web app.
    schedule: bool = False
    # Signs partner browser sessions (env AGENDA_SESSION_SECRET); None: one per process.
    session_secret: str | None = None
    # Proxies whose X-Forwarded-For names the client (env AGENDA_TRUSTED_PROXIES, comma
    # separated); none by default, so a forged header never dodges the failed-key brake.
    trusted_proxies: tuple[str, ...] = ()
    # Where event pictures are stored and served from (env AGENDA_IMAGES_DIR); None: the
    # folder ``<db>.images`` beside the database.
    images_dir: str | None = None

    @property
    def images_folder(self) -> str:
        return self.images_dir or default_images_dir(self.db)


def parse_interval(value: object) -> int:
    """``"90s"``, ``"30m"``, ``"1h"``, ``"1h30m"``, ``"1d"`` or seconds as an int -> seconds."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a duration")
    if isinstance(value, int):
        seconds = value
    elif isinstance(value, str):
        text = value.strip().lower().replace(" ", "")
        parts = _DURATION_PART.findall(text)
        if not text or "".join(n + u for n, u in parts) != text:
            raise ValueError(f"{value!r} is not a duration (use e.g. 30m, 1h, 1d)")
        seconds = sum(int(n) * _UNITS[u] for n, u in parts)
    else:
        raise ValueError(f"{value!r} is not a duration (use e.g. 30m, 1h, 1d)")
    if seconds < MIN_INTERVAL:
        raise ValueError(f"{value!r} is shorter than the minimum of {MIN_INTERVAL} seconds")
    return seconds


def load_sources(path: str | Path) -> list[SourceConfig]:
    """Read and validate a sources file; raises ``ConfigError`` with one clear line."""
    file = Path(path)
    try:
        text = file.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{file}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read: {exc}") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from None
    blocks = document.get("source")
    if not isinstance(blocks, list) or not blocks:
        raise ConfigError(f"{file}: no [[source]] blocks found")
    base_dir = str(file.resolve().parent)
    sources: list[SourceConfig] = []
    seen: dict[str, int] = {}
    for number, block in enumerate(blocks, start=1):
        source = _source(file, number, block, base_dir)
        if source.id in seen:
            raise ConfigError(
                f"{file}: source '{source.id}' (#{number}): field 'id': duplicate id, "
                f"already used by source #{seen[source.id]}"
            )
        seen[source.id] = number
        sources.append(source)
    return sources


def _source(file: Path, number: int, block: Any, base_dir: str) -> SourceConfig:
    label = f"source #{number}"
    if not isinstance(block, dict):
        raise ConfigError(f"{file}: {label}: not a table")
    if isinstance(block.get("id"), str):
        label = f"source '{block['id']}' (#{number})"

    def fail(field: str, message: str) -> ConfigError:
        return ConfigError(f"{file}: {label}: field '{field}': {message}")

    for field in ("id", "format", "url"):
        if field not in block:
            raise fail(field, "missing")
        if not isinstance(block[field], str) or not block[field].strip():
            raise fail(field, "must be a non-empty string")
    if not _ID.match(block["id"]):
        raise fail("id", f"{block['id']!r} must match [a-z0-9-]+")
    if block["format"] not in FORMATS:
        raise fail("format", f"unknown format {block['format']!r}; use one of {', '.join(FORMATS)}")
    kind = block.get("kind", "venue")
    if kind not in SOURCE_KINDS:
        raise fail("kind", f"unknown kind {kind!r}; use one of {', '.join(SOURCE_KINDS)}")
    try:
        interval = parse_interval(block.get("interval", "1h"))
    except ValueError as exc:
        raise fail("interval", str(exc)) from None
    unknown = sorted(set(block) - _KNOWN_KEYS)
    if unknown:
        # Not fatal: a newer config on an older agenda should still import.
        print(f"{file}: {label}: ignoring unknown field(s) {', '.join(unknown)}", file=sys.stderr)
    values = {k: v for k, v in block.items() if k in _KNOWN_KEYS and k != "interval"}
    values.setdefault("name", block["id"])
    values["interval_seconds"] = interval
    values["base_dir"] = base_dir
    try:
        return msgspec.convert(values, SourceConfig)
    except msgspec.ValidationError as exc:
        named = re.search(r"`\$\.(\w+)`", str(exc))
        raise fail(named.group(1) if named else "?", str(exc).split(" - at ")[0]) from None
