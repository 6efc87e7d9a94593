"""Raw XML side of the ``rss``/``atom`` importer: safe text, the tree, an item's event elements.

Owns: decoding a feed's bytes to clean text (BOM, declared encoding, Windows-1252
fallback, control characters dropped), the hostile-XML guard (entity declarations are
refused before any parser could expand them), repairing HTML entities and bare ``&``,
parsing with ``defusedxml.ElementTree``, and reading an item's raw event fields by
namespace (``ev:``, xCal, bare ``<start>``/``<end>``, ``gd:when``/``gd:where``) from the
XML or, when the XML is unreadable, from feedparser's flattened keys. Reading those raw
values as times is ``importers.rss_times``; building listings is ``importers.rss``.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from html.entities import html5
from typing import Any
from xml.etree.ElementTree import Element, XMLPullParser
from xml.etree.ElementTree import ParseError as XMLSyntaxError

import defusedxml
import defusedxml.ElementTree as SafeET

from agenda.sanitize import clean_text
from importers.errors import ParseError

EV = "http://purl.org/rss/1.0/modules/event/"
XCAL = "urn:ietf:params:xml:ns:xcal"
GD = "http://schemas.google.com/g/2005"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RSS1, RSS09 = "http://purl.org/rss/1.0/", "http://my.netscape.com/rdf/simple/0.9/"
ATOM, ATOM03 = "http://www.w3.org/2005/Atom", "http://purl.org/atom/ns#"
ITEM_TAGS = {"item", *(f"{{{ns}}}item" for ns in (RSS1, RSS09)), f"{{{ATOM}}}entry"}
ITEM_TAGS |= {f"{{{ATOM03}}}entry"}
FEED_ROOTS = {"rss", "RDF", "feed"}
_PLAIN = ("start", "end", "location", "status", "host")  # Campus Labs, any namespace
ENTITIES_REFUSED = "XML entity declarations are refused"

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_DECL_ENCODING = re.compile(rb"^\s*<\?xml[^>]*encoding=[\"']([A-Za-z0-9._:-]+)[\"']", re.I)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0
_FIRST_TAG = re.compile(r"<[A-Za-z_]")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_ROOT_END = re.compile(r"</(?:[A-Za-z_][\w.-]*:)?(?:rss|RDF|feed)\s*>\Z")
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")
_ENTITY_OR_AMP = re.compile(r"&(?:(#[0-9]+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);)?")


def decode_feed(data: bytes) -> str:
    """Text of an XML document; undecodable bytes become U+FFFD instead of failing the feed."""
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", "replace")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", "replace")
    else:
        text = data.decode(_declared_encoding(data), "replace")
    # The text is re-encoded as UTF-8, so the declaration (naming the old encoding) goes;
    # a stray control character would otherwise fail the whole document.
    text = _XML_DECL.sub("", text.lstrip("\ufeff"), count=1).lstrip()
    return _CONTROL.sub("", text)


def _declared_encoding(data: bytes) -> str:
    match = _DECL_ENCODING.match(data[:300])
    if match:
        try:
            codec = codecs.lookup(match.group(1).decode("ascii")).name
        except LookupError:
            codec = "utf-8"
        # As browsers do: "latin-1"/"ascii" feeds are really Windows-1252.
        if codec in ("latin-1", "iso8859-1", "ascii"):
            return "cp1252"
        if not codec.startswith("utf-16"):  # a UTF-16 document would have had a BOM
            return codec
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        # A few bad bytes in UTF-8 text are replaced; text with no UTF-8 at all is 1252.
        return "utf-8" if _UTF8_SEQUENCE.search(data) else "cp1252"
    return "utf-8"


def xml_tree(data: bytes) -> Element | None:
    """The XML tree, or None when the document is not well-formed; entities are refused."""
    try:
        root: Element = SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True)
    except defusedxml.DefusedXmlException as exc:
        raise ParseError(ENTITIES_REFUSED) from exc
    except XMLSyntaxError:
        return None
    return root


def root_closed(text: str) -> bool:
    """Whether the document ends with a feed root's end tag (spaces and comments may follow).

    A body cut off mid-transfer does not: then only the items that closed are whole.
    """
    tail = text[-4096:].rstrip()
    while tail.endswith("-->") and (start := tail.rfind("<!--")) >= 0:
        tail = tail[:start].rstrip()
    return _ROOT_END.search(tail) is not None


def closed_items(data: bytes) -> list[Element]:
    """The items (and entries) whose end tag was read before the XML stopped being XML.

    Only called after ``refuse_entities``: no entity declaration reaches this parser.
    """
    parser: XMLPullParser[Element] = XMLPullParser(events=("end",))
    items: list[Element] = []

    def take() -> None:
        for event in parser.read_events():
            el: object = event[-1]  # ("end", element)
            if isinstance(el, Element) and el.tag in ITEM_TAGS:
                items.append(el)

    try:
        for at in range(0, len(data), 65536):
            parser.feed(data[at : at + 65536])
            take()
    except XMLSyntaxError:
        take()  # the items that closed before the error
    return items


def repair_entities(text: str) -> str:
    """HTML entities as XML character references and a bare ``&`` escaped, for a retry."""
    return _ENTITY_OR_AMP.sub(_xml_entity, text)


def _xml_entity(match: re.Match[str]) -> str:
    """``&eacute;`` -> ``&#233;`` and a bare ``&`` -> ``&amp;``; XML's own entities stay."""
    name = match.group(1)
    if name is None:
        return "&amp;"
    if name.startswith("#") or name in ("amp", "lt", "gt", "quot", "apos"):
        return match.group(0)
    char = html5.get(f"{name};", "")
    return "".join(f"&#{ord(c)};" for c in char) if char else f"&amp;{name};"


def refuse_entities(text: str) -> None:
    """Refuse ``<!ENTITY`` in the prolog, also in documents the XML parser would reject."""
    # A comment may hold anything, "<tag" too. Only up to the last "-->": "<!--" repeated
    # without an end would make every one of them scan to the end of the text.
    end = text.rfind("-->") + 3 if "-->" in text else 0
    text = _COMMENT.sub("", text[:end]) + text[end:]
    first = _FIRST_TAG.search(text)
    if "<!ENTITY" in text[: first.start() if first else len(text)].upper():
        raise ParseError(ENTITIES_REFUSED)


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text(el: Element) -> str:
    return clean_text("".join(el.itertext()))


def raw_from_element(item: Element) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """An item's event fields from its XML children, by namespace, and its gd:when pairs."""
    raw: dict[str, str] = {}
    if about := item.get(f"{{{RDF}}}about"):
        raw["id"] = about  # RSS 1.0 names its items by rdf:about
    whens: list[tuple[str, str]] = []
    for child in item:
        if not isinstance(child.tag, str) or (not (text := _text(child)) and not child.attrib):
            continue  # comments, processing instructions, empty elements
        ns, name = child.tag[1:].partition("}")[0], local_name(child.tag).lower()
        if (name, ns) in (("guid", ""), ("id", ATOM), ("id", ATOM03)):
            raw.setdefault("id", text)
        elif ns == EV:
            raw.setdefault(f"ev:{name}", text)
        elif ns == XCAL:
            # RFC 6321 wraps values (<dtstart><date-time>…) and may add a tzid parameter.
            values = {local_name(sub.tag): _text(sub) for sub in child.iter() if sub is not child}
            if values.get("tzid") and name in ("dtstart", "dtend"):
                raw.setdefault("xcal:tzid", values["tzid"])
            value = values.get("date-time") or values.get("date") or values.get("text")
            raw.setdefault(f"xcal:{name}", value or text)
        elif ns == GD and name == "when":
            whens.append((child.get("startTime", ""), child.get("endTime", "")))
        elif ns == GD and name in ("where", "eventstatus"):
            raw.setdefault(f"gd:{name}", child.get("valueString") or child.get("value") or "")
        elif name in _PLAIN and text:
            raw.setdefault(f"plain:{name}", text)
    return raw, whens


def raw_from_entry(entry: Mapping[str, Any]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The same from feedparser's flattened keys (``ev_startdate``, ``xcal_dtstart``).

    feedparser names an unknown namespace after the document's prefix, so xCal is
    recognised by a ``*_dtstart`` key whatever its prefix.
    """
    strings = {k: clean_text(v) for k, v in entry.items() if isinstance(v, str)}
    xcal = next((k[: -len("_dtstart")] for k in strings if k.endswith("_dtstart")), None)
    raw: dict[str, str] = {}
    for key, value in strings.items():
        prefix, _, name = key.rpartition("_")
        if prefix == "ev" or (xcal is not None and prefix == xcal):
            raw["ev:" + name if prefix == "ev" else "xcal:" + name] = value
        elif key in _PLAIN:
            raw[f"plain:{key}"] = value
    when, where, status = (
        found if isinstance(found := entry.get(k), Mapping) else {}
        for k in ("gd_when", "gd_where", "gd_eventstatus")
    )
    raw["gd:where"] = str(where.get("valuestring") or "")
    raw["gd:eventstatus"] = str(status.get("value") or "")
    start = str(when.get("starttime") or "")
    whens = [(start, str(when.get("endtime") or ""))] if start else []
    return raw, whens
