"""Static files served from memory: versioned addresses cached for a year, gzip, ETags.

The pages' and the widget's files are read once. A page links ``/static/x.css?v=<hash>``:
that address never changes its content, so it is cached for a year (immutable); the bare
address is cached for a day, so a snippet pasted on a venue's site still picks up fixes.
A name that is not one of the files (``..``, ``%00``, a typo) is simply not there.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litestar import Request, Response

MEDIA_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml",
               ".png": "image/png", ".webp": "image/webp", ".woff2": "font/woff2",
               ".json": "application/json"}  # fmt: skip
COMPRESSIBLE = (".js", ".css", ".svg", ".json")
VERSIONED_MAX_AGE = 31536000
UNVERSIONED_MAX_AGE = 86400


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes | None
    media_type: str
    version: str
    etag: str


def load_assets(folder: Path) -> dict[str, Asset]:
    """Every servable file of ``folder`` (one level, known types), read once."""
    found: dict[str, Asset] = {}
    for file in sorted(folder.iterdir()):
        media_type = MEDIA_TYPES.get(file.suffix)
        if not file.is_file() or media_type is None:
            continue
        body = file.read_bytes()
        digest = hashlib.sha256(body).hexdigest()
        packed = gzip.compress(body, compresslevel=9, mtime=0)
        found[file.name] = Asset(
            body=body,
            gzipped=packed if file.suffix in COMPRESSIBLE else None,
            media_type=media_type,
            version=digest[:10],
            etag=f'"{digest[:32]}"',
        )
    return found


def asset_response(
    request: Request[Any, Any, Any], found: Asset, extra: dict[str, str] | None = None
) -> Response[bytes]:
    """The file (gzipped when asked), a year's cache when its version is asked, 304 on a match."""
    versioned = request.query_params.get("v") == found.version
    headers = {
        "ETag": found.etag,
        "Cache-Control": (
            f"public, max-age={VERSIONED_MAX_AGE}, immutable"
            if versioned
            else f"public, max-age={UNVERSIONED_MAX_AGE}, "
            f"stale-while-revalidate={7 * UNVERSIONED_MAX_AGE}"
        ),
        "Vary": "Accept-Encoding",
        **(extra or {}),
    }
    match = request.headers.get("if-none-match")
    if match is not None and found.etag in {t.strip().removeprefix("W/") for t in match.split(",")}:
        return Response(b"", status_code=304, headers=headers)
    body = found.body
    if found.gzipped is not None and "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        body = found.gzipped
    return Response(body, media_type=found.media_type, headers=headers)
