"""What the widget pages say: options read from a query, the snippets to copy, the labels.

Pure: no web framework, no store. ``widgets.routes`` turns these into pages. The
snippets built here are the ones the configurator's script builds in the browser
(``widgets/static/configurator.js``); a browser test checks that both agree, so change
them together.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import quote_plus, urlsplit

FILTERS = ("city", "venue", "theme", "category", "audience", "kind", "q", "free")
LAYOUTS = ("list", "compact", "cards")
LANGUAGES = ("nl", "en")
CITIES = ("Den Haag", "Leiden", "Delft")
AUDIENCES = ("family", "children", "students", "adults", "seniors")
DEFAULT_LIMIT = 5
MAX_LIMIT = 50
MAX_VALUE = 100
# The widget's own default accent: the colour input starts here, and it is left out of snippets.
DEFAULT_ACCENT = "#0a58a8"
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$|^#[0-9a-fA-F]{3}$")

# CSS custom properties and ::part() names the widget offers hosts (documented on /widgets).
PROPERTIES = (
    "--regio-accent", "--regio-font", "--regio-radius", "--regio-spacing", "--regio-text",
    "--regio-background", "--regio-muted",
)  # fmt: skip
PARTS = (
    "list", "day", "item", "picture", "title", "date", "venue", "price", "badge", "more", "status",
)  # fmt: skip


@dataclass(frozen=True)
class WidgetOptions:
    """One widget's attributes: filters in ``FILTERS`` order, then the presentation."""

    filters: tuple[tuple[str, str], ...] = ()
    limit: int = DEFAULT_LIMIT
    lang: str = "nl"
    layout: str = "list"
    accent: str | None = None
    seo: bool = False

    def get(self, name: str) -> str:
        return dict(self.filters).get(name, "")


def options_from_query(
    params: Mapping[str, str], *, lang_param: str = "lang", default_lang: str = "nl"
) -> WidgetOptions:
    """Options read leniently, as the element reads its attributes: unusable values are left out."""
    filters = []
    for name in FILTERS:
        value = " ".join(str(params.get(name, "")).split())[:MAX_VALUE]
        if value:
            filters.append((name, value))
    try:
        limit = int(params.get("limit", ""))
    except ValueError:
        limit = DEFAULT_LIMIT
    lang = str(params.get(lang_param, "")).lower()
    layout = params.get("layout", "")
    accent = str(params.get("accent", "")).lower()
    if not _COLOUR.match(accent) or accent == DEFAULT_ACCENT:
        accent = ""
    return WidgetOptions(
        filters=tuple(filters),
        limit=min(MAX_LIMIT, max(1, limit)) if limit else DEFAULT_LIMIT,
        lang=lang if lang in LANGUAGES else default_lang,
        layout=layout if layout in LAYOUTS else "list",
        accent=accent or None,
        seo=str(params.get("seo", "")).lower() in ("1", "true", "on", "yes"),
    )


def base_of(base_url: str) -> str:
    """The agenda's public address, ending in ``/``."""
    return base_url.rstrip("/") + "/"


def origin_of(base_url: str) -> str:
    """``scheme://host[:port]`` as a browser writes ``event.origin`` (no default port)."""
    parts = urlsplit(base_url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    port = f":{parts.port}" if parts.port and parts.port != default else ""
    return f"{parts.scheme}://{parts.hostname}{port}"


def _form(pairs: list[tuple[str, str]]) -> str:
    """application/x-www-form-urlencoded exactly as the browser's URLSearchParams writes it."""

    def encode(text: str) -> str:
        return quote_plus(text, safe="*").replace("~", "%7E")

    text = "&".join(encode(k) + "=" + encode(v) for k, v in pairs)
    return "?" + text if text else ""


def attr(value: str) -> str:
    """A value for a double-quoted HTML attribute (the same four characters as the JS side)."""
    return (
        value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    )


def agenda_url(base_url: str, opts: WidgetOptions) -> str:
    """The agenda page with the widget's filters: the "more" link and the fallback content."""
    return base_of(base_url) + _form([*opts.filters, ("lang", opts.lang)])


def embed_url(base_url: str, opts: WidgetOptions) -> str:
    pairs = [
        *opts.filters,
        ("limit", str(opts.limit)),
        ("lang", opts.lang),
        ("layout", opts.layout),
    ]
    if opts.accent:
        pairs.append(("accent", opts.accent))
    return base_of(base_url) + "widgets/embed" + _form(pairs)


def element_attributes(opts: WidgetOptions) -> list[tuple[str, str | None]]:
    """The element's attributes in snippet order; ``None`` is a boolean attribute."""
    items: list[tuple[str, str | None]] = [*opts.filters]
    items += [("limit", str(opts.limit)), ("lang", opts.lang), ("layout", opts.layout)]
    if opts.accent:
        items.append(("accent", opts.accent))
    if opts.seo:
        items.append(("seo", None))
    return items


def element_snippet(base_url: str, opts: WidgetOptions) -> str:
    """One script tag and one element; the link inside shows where scripts do not run."""
    attrs = "".join(
        f" {name}" if value is None else f' {name}="{attr(value)}"'
        for name, value in element_attributes(opts)
    )
    more = LABELS[opts.lang]["more"]
    return (
        f'<script type="module" src="{attr(base_of(base_url))}widgets/regio-agenda.js"></script>\n'
        f"<regio-agenda{attrs}>\n"
        f'  <a href="{attr(agenda_url(base_url, opts))}">{attr(more)}</a>\n'
        "</regio-agenda>"
    )


def iframe_snippet(base_url: str, opts: WidgetOptions) -> str:
    """The iframe and the ten lines that let it set its own height (no scrollbars)."""
    title = LABELS[opts.lang]["frame_title"]
    return (
        f'<iframe src="{attr(embed_url(base_url, opts))}" title="{attr(title)}"'
        ' style="width: 100%; height: 30rem; border: 0" loading="lazy"></iframe>\n'
        "<script>\n"
        '  addEventListener("message", (event) => {\n'
        f'    if (event.origin !== "{attr(origin_of(base_url))}"'
        ' || event.data?.type !== "regio-agenda:height") return;\n'
        '    for (const frame of document.querySelectorAll("iframe")) {\n'
        "      if (frame.contentWindow === event.source) {\n"
        '        frame.style.height = event.data.height + "px";\n'
        "      }\n"
        "    }\n"
        "  });\n"
        "</script>"
    )


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    selected: bool = False


@dataclass(frozen=True)
class Configurator:
    """Everything the configurator page shows for one request."""

    lang: str
    other_lang: str
    t: Mapping[str, str]
    opts: WidgetOptions
    base: str
    origin: str
    element: str
    iframe: str
    cities: list[Choice] = field(default_factory=list)
    audiences: list[Choice] = field(default_factory=list)
    layouts: list[Choice] = field(default_factory=list)
    languages: list[Choice] = field(default_factory=list)
    accent: str = DEFAULT_ACCENT
    default_accent: str = DEFAULT_ACCENT
    attributes: list[tuple[str, str | None]] = field(default_factory=list)
    agenda: str = ""
    properties: tuple[tuple[str, str], ...] = ()
    parts: tuple[tuple[str, str], ...] = ()


def configurator(base_url: str, params: Mapping[str, str]) -> Configurator:
    page_lang = "en" if str(params.get("lang", "")).lower() == "en" else "nl"
    opts = options_from_query(params, lang_param="language", default_lang=page_lang)
    t = LABELS[page_lang]
    choose = lambda values, current, names=None: [  # noqa: E731
        Choice(v, (names or {}).get(v, v), v == current) for v in values
    ]
    return Configurator(
        lang=page_lang,
        other_lang="en" if page_lang == "nl" else "nl",
        t=t,
        opts=opts,
        base=base_of(base_url),
        origin=origin_of(base_url),
        element=element_snippet(base_url, opts),
        iframe=iframe_snippet(base_url, opts),
        cities=choose(CITIES, opts.get("city"), {"Den Haag": t["den_haag"]}),
        audiences=choose(AUDIENCES, opts.get("audience"), AUDIENCE_NAMES[page_lang]),
        layouts=choose(LAYOUTS, opts.layout, {k: t["layout_" + k] for k in LAYOUTS}),
        languages=choose(LANGUAGES, opts.lang, {"nl": "Nederlands", "en": "English"}),
        accent=opts.accent or DEFAULT_ACCENT,
        attributes=element_attributes(opts),
        agenda=agenda_url(base_url, opts),
        properties=tuple((p, t["prop" + p.removeprefix("--regio")]) for p in PROPERTIES),
        parts=tuple((p, t["part_" + p]) for p in PARTS),
    )


AUDIENCE_NAMES = {
    "nl": {"family": "Gezinnen", "children": "Kinderen", "students": "Studenten",
           "adults": "Volwassenen", "seniors": "Ouderen"},
    "en": {"family": "Families", "children": "Children", "students": "Students",
           "adults": "Adults", "seniors": "Seniors"},
}  # fmt: skip

_PAIRS: dict[str, tuple[str, str]] = {
    "more": ("Meer in de regionale agenda", "More in the regional agenda"),
    "frame_title": ("Regionale agenda", "Regional agenda"),
    "page_title": ("Agenda-widget voor je website", "Agenda widget for your website"),
    "site_name": ("Regio-agenda", "Regio-agenda"),
    "skip": ("Naar de inhoud", "Skip to content"),
    "intro": (
        "Laat de agenda van Den Haag, Leiden en Delft zien op je eigen website, of alleen je "
        "eigen deel ervan: kies hieronder wat je wilt tonen, bekijk het voorbeeld en kopieer "
        "de code. Eén script van een paar kilobyte, geen cookies, geen andere partijen.",
        "Show the agenda of The Hague, Leiden and Delft on your own website, or just your "
        "part of it: choose what to show below, look at the preview and copy the code. One "
        "script of a few kilobytes, no cookies, no third parties.",
    ),
    "switch": ("English", "Nederlands"),
    "switch_hint": ("Deze pagina in het Engels", "This page in Dutch"),
    "settings": ("Instellingen", "Settings"),
    "filters": ("Wat laat je zien?", "What to show"),
    "field_city": ("Plaats", "City"),
    "any_city": ("Alle plaatsen", "All cities"),
    "den_haag": ("Den Haag", "The Hague"),
    "field_venue": ("Locatie", "Venue"),
    "hint_venue": ("De code van een locatie, bijvoorbeeld lakenhal", "A venue's id, e.g. lakenhal"),
    "field_theme": ("Thema", "Theme"),
    "hint_theme": ("De code van een thema, bijvoorbeeld rembrandt-2019",
                   "A theme's id, e.g. rembrandt-2019"),
    "field_category": ("Categorie", "Category"),
    "hint_category": ("In het Nederlands of Engels, bijvoorbeeld Lezing of lecture",
                      "In Dutch or English, e.g. Lecture or Lezing"),
    "field_audience": ("Publiek", "Audience"),
    "any_audience": ("Iedereen", "Everyone"),
    "field_limit": ("Aantal activiteiten", "Number of events"),
    "look": ("Weergave", "Appearance"),
    "field_layout": ("Vorm", "Layout"),
    "layout_list": ("Lijst", "List"),
    "layout_compact": ("Compact", "Compact"),
    "layout_cards": ("Kaarten", "Cards"),
    "field_language": ("Taal van de widget", "Language of the widget"),
    "field_accent": ("Accentkleur", "Accent colour"),
    "field_seo": ("Activiteiten ook als schema.org-gegevens voor zoekmachines",
                  "Also add the events as schema.org data for search engines"),
    "apply": ("Voorbeeld bijwerken", "Update preview"),
    "preview": ("Voorbeeld", "Preview"),
    "code": ("Code voor je website", "Code for your website"),
    "code_intro": ("Plak deze regels in de HTML van je pagina, waar de agenda moet komen.",
                   "Paste these lines into your page's HTML where the agenda should appear."),
    "code_label": ("Code met script en element", "Code with script and element"),
    "copy_button": ("Kopiëren", "Copy"),
    "copied": ("Gekopieerd.", "Copied."),
    "copy_failed": ("Kopiëren lukte niet: selecteer de tekst en kopieer hem zelf.",
                    "Copying failed: select the text and copy it yourself."),
    "iframe": ("Liever een iframe?", "Prefer an iframe?"),
    "iframe_intro": (
        "Als je website geen scripts van anderen toestaat, gebruik dan een iframe. De regels "
        "eronder passen de hoogte aan, zodat er geen schuifbalken komen. Verbiedt je site "
        "scripts in de pagina zelf, zet die regels dan in je eigen scriptbestand.",
        "If your website does not allow other sites' scripts, use an iframe. The lines below "
        "it adjust its height, so there are no scrollbars. If your site forbids scripts in the "
        "page itself, put those lines in your own script file.",
    ),
    "iframe_label": ("Code met iframe", "Code with iframe"),
    "style": ("Eigen stijl", "Your own style"),
    "style_intro": (
        "De widget gebruikt je lettertype niet vanzelf en je stijlen veranderen hem niet. Pas "
        "hem aan met deze CSS-eigenschappen op het element, en met ::part() voor de rest. Hij "
        "volgt de lichte of donkere modus van de bezoeker.",
        "The widget does not pick up your styles and your styles do not change it. Adjust it "
        "with these CSS properties on the element, and with ::part() for the rest. It follows "
        "the visitor's light or dark mode.",
    ),
    "properties": ("CSS-eigenschappen", "CSS properties"),
    "parts": ("Onderdelen voor ::part()", "Parts for ::part()"),
    "name": ("Naam", "Name"),
    "meaning": ("Betekenis", "Meaning"),
    "prop-accent": ("kleur van links", "colour of links"),
    "prop-font": ("lettertype (font-family)", "typeface (font-family)"),
    "prop-radius": ("afronding van hoeken", "corner radius"),
    "prop-spacing": ("ruimte tussen en rond onderdelen", "space between and around parts"),
    "prop-text": ("tekstkleur", "text colour"),
    "prop-background": ("achtergrondkleur", "background colour"),
    "prop-muted": ("kleur van datum, locatie en meldingen", "colour of date, venue and messages"),
    "part_list": ("de lijst", "the list"),
    "part_day": ("een dag boven zijn activiteiten", "a day above its events"),
    "part_item": ("één activiteit", "one event"),
    "part_title": ("de titel (een link)", "the title (a link)"),
    "part_date": ("datum en tijd", "date and time"),
    "part_venue": ("locatie en plaats", "venue and city"),
    "part_price": ("prijs", "price"),
    "part_badge": ("geannuleerd of uitgesteld", "cancelled or postponed"),
    "part_picture": ("de afbeelding van een kaart", "a card's picture"),
    "part_more": ("de link naar de regionale agenda", "the link to the regional agenda"),
    "part_status": ("laden, niets gevonden, fout", "loading, nothing found, error"),
    "back": ("Naar de regionale agenda", "To the regional agenda"),
}  # fmt: skip
LABELS: dict[str, dict[str, str]] = {
    lang: {key: pair[i] for key, pair in _PAIRS.items()} for i, lang in enumerate(LANGUAGES)
}
