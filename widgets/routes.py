"""HTTP routes of the widget: the configurator, the iframe page and the widget's own files.

``/widgets``            the configurator: filters, layout, language and colour, a live
                        preview and the snippet to copy (Dutch; ``?lang=en`` English)
``/widgets/embed?…``    the same widget alone on a page, for an iframe (framable by any
                        site); it tells its parent its height through ``postMessage``
``/widgets/NAME``       ``regio-agenda.js``, ``embed.js``, ``configurator.js``, ``widgets.css``

The pages hold no data: the widget fetches the CORS-open API from the browser, so these
handlers never query. They use no inline script or style (the site's CSP forbids both).
The only module of ``widgets`` that imports Litestar.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from agenda.web.assets import Asset, asset_response, load_assets
from widgets.payload import (
    LABELS,
    agenda_url,
    base_of,
    configurator,
    element_attributes,
    options_from_query,
)

HERE = Path(__file__).parent
STATIC = HERE / "static"
# The snippet's address never changes, so a fixed widget reaches sites within a day;
# the pages ask for ``?v=<hash>`` addresses, which never change their content.
EMBED_MAX_AGE = 300


@cache
def assets() -> dict[str, Asset]:
    """The widget's static files, read once, with versions, ETags and gzipped bodies."""
    return load_assets(STATIC)


def asset_url(name: str) -> str:
    return f"/widgets/{name}?v={assets()[name].version}"


@cache
def templates() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["asset"] = asset_url
    return env


def _base_url(request: Request[Any, Any, Any]) -> str:
    """The agenda's public address from its settings (the address snippets point to)."""
    runtime = getattr(request.app.state, "runtime", None)
    settings = getattr(runtime, "settings", None)
    return str(getattr(settings, "base_url", None) or request.base_url)


def _themes(request: Request[Any, Any, Any], lang: str) -> list[tuple[str, str]]:
    """(id, name) of the themes worth offering: only those with events (renderers never
    query, so the running app's runtime answers; without one, none are offered)."""
    runtime = getattr(request.app.state, "runtime", None)
    rows: list[tuple[str, str, str]] = getattr(runtime, "themes_with_events", list)()
    return [(theme_id, name_en if lang == "en" else name_nl) for theme_id, name_nl, name_en in rows]


def _html(body: str, lang: str, cache_control: str) -> Response[bytes]:
    headers = {"Content-Language": lang, "Cache-Control": cache_control}
    return Response(body.encode(), media_type="text/html", headers=headers)


@get("/widgets", name="widgets-configurator", include_in_schema=False)
async def configurator_page(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The configurator; its form works without scripts too (the server builds the snippet)."""
    params = dict(request.query_params.items())
    page = configurator(_base_url(request), params)
    # The browser side needs only the texts that go into snippets, in both languages.
    labels = {lang: {k: LABELS[lang][k] for k in ("more", "frame_title")} for lang in LABELS}
    body = (
        templates()
        .get_template("configurator.html")
        .render(c=page, t=page.t, labels=labels, themes=_themes(request, page.lang))
    )
    return _html(body, page.lang, "no-cache")


@get("/widgets/embed", name="widgets-embed", include_in_schema=False)
async def embed_page(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The widget alone, for an iframe; links open in the top window."""
    opts = options_from_query(dict(request.query_params.items()))
    body = (
        templates()
        .get_template("embed.html")
        .render(
            o=opts,
            t=LABELS[opts.lang],
            attributes=element_attributes(opts),
            agenda=agenda_url(_base_url(request), opts),
            base=base_of(_base_url(request)),
        )
    )
    return _html(body, opts.lang, f"public, max-age={EMBED_MAX_AGE}")


@get("/widgets/{name:str}", name="widgets-asset", include_in_schema=False)
async def asset(request: Request[Any, Any, Any], name: FromPath[str]) -> Response[bytes]:
    """A static file of the widget, cached long, gzipped when asked, 304 on a matching ETag."""
    found = assets().get(name)
    if found is None:
        raise NotFoundException(f"no widget file {name!r}")
    # Module scripts load in CORS mode (the app's CORS config allows every origin);
    # sites that isolate themselves (COEP) may still load the widget.
    return asset_response(request, found, {"Cross-Origin-Resource-Policy": "cross-origin"})


ROUTES = [configurator_page, embed_page, asset]
