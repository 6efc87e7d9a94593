"""``/images/{hash}-{width}.{webp|jpg}``: the pictures the picture job stored, from our origin.

A name is the content hash of the original, so an address never changes what it shows:
answered with ``Cache-Control: public, max-age=31536000, immutable``. Only names of the
exact form are looked up (no paths), in the images folder of the settings.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import anyio
from litestar import Request, Response, get
from litestar.params import FromPath

from agenda.errors import NotFoundError
from agenda.pictures import MEDIA_TYPES, WIDTHS
from agenda.web.runtime import Runtime

_NAME = re.compile(r"^[0-9a-f]{32}-(?:" + "|".join(str(w) for w in WIDTHS) + r")\.(webp|jpg)$")
IMMUTABLE = "public, max-age=31536000, immutable"


@get("/images/{name:str}", summary="An event picture (immutable)", include_in_schema=False)
async def image(request: Request[Any, Any, Any], name: FromPath[str]) -> Response[bytes]:
    match = _NAME.match(name)
    if match is None:
        raise NotFoundError(f"no picture {name!r}")
    runtime: Runtime = request.app.state.runtime
    path = Path(runtime.settings.images_folder) / name
    try:
        data = await anyio.Path(path).read_bytes()
    except OSError:
        raise NotFoundError(f"no picture {name!r}") from None
    etag = '"' + name.rsplit(".", 1)[0] + '"'
    headers = {"Cache-Control": IMMUTABLE, "ETag": etag}
    if request.headers.get("if-none-match") == etag:
        return Response(b"", status_code=304, headers=headers)
    return Response(data, media_type=MEDIA_TYPES[match.group(1)], headers=headers)


ROUTES = [image]
