"""The API's documentation: a complete OpenAPI document and a self-hosted page to read it.

The handlers read their query strings through the one filter model (``agenda.filters``)
and answer with msgspec Structs encoded by hand (for ETags and caching), so Litestar's
generated document knows neither their parameters nor their answers. This module adds
both: every filter parameter (from ``agenda.filters.PARAMS``) on the routes that take
them, the other parameters of each route, and response schemas generated from the
Structs, with an example. The page at ``/schema`` runs Swagger UI from the agenda's own
origin (Swagger UI 5, which reads OpenAPI 3.1, from the ``swagger-ui-bundle-v2``
package; no CDN, no inline script), so it works offline and under the app's CSP.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import msgspec
import swagger_ui_bundle  # type: ignore[import-untyped]
from litestar import MediaType, Request, Response, get
from litestar.openapi.plugins import JsonRenderPlugin, OpenAPIRenderPlugin
from litestar.params import FromPath

from agenda.errors import NotFoundError
from agenda.filters import PARAMS
from agenda.web.assets import Asset, asset_response, load_assets
from agenda.web.views import EventDetail, EventPage

DOCS_PREFIX = "/schema/assets"
# What each filter parameter means; a parameter the filter model gains later is still
# listed (with a plain description) so the document never lags the model.
FILTER_DOCS: dict[str, tuple[str, str]] = {
    "city": ("Den Haag, Leiden or Delft (any spelling: 'the hague', 's-Gravenhage')", "Leiden"),
    "venue": ("a venue id (see /api/venues)", "lakenhal"),
    "source": ("a source id (see /api/sources)", "lakenhal"),
    "theme": ("a theme id (see /api/themes)", "rembrandt-2019"),
    "category": ("a category (see /api/categories)", "concert"),
    "audience": ("family, children, students, adults or seniors", "family"),
    "lang": ("the language of titles and labels: nl or en", "en"),
    "language": ("only events held in this language: nl or en", "en"),
    "from": ("first day, YYYY-MM-DD (Amsterdam); default today", "2027-03-01"),
    "to": ("last day, YYYY-MM-DD (inclusive)", "2027-03-31"),
    "q": ("full-text search in titles and descriptions", "rembrandt"),
    "free": ("only free (true) or only paid (false) events", "true"),
    "accessible": ("only events that say they are accessible", "true"),
    "kind": ("kinds, comma separated; '-exhibition' leaves a kind out", "concert,performance"),
    "limit": ("at most this many events", "20"),
}
EXTRA_PARAMS: dict[str, list[tuple[str, str, str]]] = {
    "/api/events": [("cursor", "continues a list where the previous page ended (its 'next')", "")],
    "/api/changes": [
        ("since", "an ISO 8601 moment with offset (required)", "2027-01-01T00:00:00Z"),
        ("cursor", "continues a long list", ""),
    ],
    "/api/clashes": [
        ("start", "a moment with offset or a day (required)", "2027-03-01T20:00:00+01:00"),
        ("end", "a moment with offset", "2027-03-01T22:00:00+01:00"),
        ("city", "Den Haag, Leiden or Delft", "Leiden"),
        ("category", "the planned event's category", "concert"),
        ("audience", "the planned event's audience", "family"),
        ("limit", "at most this many clashes (1-200)", "20"),
    ],
    "/feeds/{name}": [
        ("exhibitions", "how exhibitions appear in iCalendar: span, daily or exclude", "span"),
    ],
}
FILTERED = ("/api/events", "/feeds/{name}")
EXAMPLE_EVENT = {
    "id": "e3f1c2a9b4d7",
    "title": "Jonge Rembrandt",
    "description": "De jonge Rembrandt in Leiden.",
    "start": "2027-03-05T20:00:00+01:00",
    "end": "2027-03-05T22:00:00+01:00",
    "all_day": False,
    "status": "scheduled",
    "venue": {"id": "lakenhal", "name": "Museum De Lakenhal", "city": "Leiden"},
    "city": "Leiden",
    "url": "https://www.lakenhal.nl/agenda/jonge-rembrandt",
    "categories": ["exhibition"],
    "themes": ["rembrandt-2019"],
    "sources": [{"source": "lakenhal", "external_id": "123", "url": None}],
}


def _api_structs() -> dict[str, tuple[Any, Any]]:
    # Imported here: the API module imports this one's neighbours, not the other way round.
    from agenda.web import api

    return {
        "/api/events": (EventPage, {"events": [EXAMPLE_EVENT], "next": None}),
        "/api/events/{event_id}": (EventDetail, None),
        "/api/venues": (list[api.VenueSummary], None),
        "/api/venues/{venue_id}": (api.VenueDetail, None),
        "/api/categories": (list[api.Category], [{"name": "concert", "count": 12}]),
        "/api/themes": (list[api.ThemeOut], None),
        "/api/sources": (list[api.SourceHealth], None),
        "/api/changes": (api.ChangePage, None),
    }


def _parameter(name: str, description: str, example: str) -> dict[str, Any]:
    parameter: dict[str, Any] = {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "string"},
    }
    if example:
        parameter["example"] = example
    return parameter


def complete(schema: dict[str, Any]) -> dict[str, Any]:
    """Litestar's document plus the parameters and response schemas it cannot see."""
    paths: dict[str, Any] = schema.setdefault("paths", {})
    for path, operations in paths.items():
        get_op = operations.get("get")
        if get_op is None:
            continue
        params = list(get_op.get("parameters", []))
        known = {p["name"] for p in params}
        wanted = []
        if path in FILTERED:
            wanted += [(n, *FILTER_DOCS.get(n, (f"filter by {n}", ""))) for n in PARAMS]
        wanted += EXTRA_PARAMS.get(path, [])
        for name, description, example in wanted:
            if name not in known:
                params.append(_parameter(name, description, example))
                known.add(name)
        if params:
            get_op["parameters"] = params
    structs = _api_structs()
    types = [kind for kind, _ in structs.values()]
    (refs, components) = msgspec.json.schema_components(
        types, ref_template="#/components/schemas/{name}"
    )
    schema.setdefault("components", {}).setdefault("schemas", {}).update(components)
    for (path, (_, example)), ref in zip(structs.items(), refs, strict=True):
        get_op = paths.get(path, {}).get("get")
        if get_op is None:
            continue
        content: dict[str, Any] = {"schema": ref}
        if example is not None:
            content["example"] = example
        ok = get_op.setdefault("responses", {}).setdefault("200", {"description": "OK"})
        ok["content"] = {"application/json": content}
    return schema


class CompleteJson(JsonRenderPlugin):
    """``/schema/openapi.json``: the completed document."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return json.dumps(complete(json.loads(json.dumps(openapi_schema)))).encode()


class SelfHostedDocs(OpenAPIRenderPlugin):
    """``/schema``: Swagger UI from our own origin, started by a script file (CSP: 'self')."""

    def __init__(self) -> None:
        super().__init__(path="/", media_type=MediaType.HTML)

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        files = docs_assets()

        def url(name: str) -> str:
            return f"{DOCS_PREFIX}/{name}?v={files[name].version}"

        return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Regio-agenda API</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{url("swagger-ui.css")}">
<link rel="stylesheet" href="{url("api-docs.css")}">
</head>
<body>
<header class="docs-head"><a href="/">Regio-agenda</a> · API for developers ·
<a href="/schema/openapi.json">openapi.json</a></header>
<main id="docs" data-spec="/schema/openapi.json"><noscript>The interactive documentation
needs JavaScript; the document itself is at /schema/openapi.json.</noscript></main>
<script src="{url("swagger-ui-bundle.js")}"></script>
<script src="{url("api-docs.js")}"></script>
</body>
</html>""".encode()


HERE = Path(__file__).parent


@cache
def docs_assets() -> dict[str, Asset]:
    """Swagger UI's files (from the swagger-ui-bundle-v2 package) and our two small ones."""
    vendor = load_assets(Path(swagger_ui_bundle.swagger_ui_path))
    wanted = {k: v for k, v in vendor.items() if k in ("swagger-ui.css", "swagger-ui-bundle.js")}
    ours = load_assets(HERE.parent / "static" / "docs")
    return {**wanted, **ours}


@get(f"{DOCS_PREFIX}/{{name:str}}", include_in_schema=False)
async def docs_asset(request: Request[Any, Any, Any], name: FromPath[str]) -> Response[bytes]:
    """The documentation page's scripts and styles (a year's cache at their versions)."""
    found = docs_assets().get(name)
    if found is None:
        raise NotFoundError(f"no documentation file {name!r}")
    return asset_response(request, found)


ROUTES = [docs_asset]
