"""Line layer of iCalendar files for ``importers.ics``: unfolding, content lines, components.

Owns: turning a body into logical content lines (RFC 5545 unfolding first, then the
repairs real producers need), splitting a content line into name, parameters and value
(names are case-insensitive and may carry a vCard-style group prefix), and cutting the
lines into VEVENT / VTIMEZONE / VVENUE blocks, recovering from END lines that do not
match their BEGIN and noticing a document that was cut off before END:VCALENDAR.
Must not: read values (dates, zones) or build listings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_NEWLINE = re.compile(r"\r\n|\r|\n")
# A content line starts with an (optionally group-prefixed) name and then ";" or ":".
_PROPERTY = re.compile(r"(?:[A-Za-z0-9-]+\.)?([A-Za-z][A-Za-z0-9-]*)[;:]")
_ESCAPE = re.compile(r"\\(.)")
# Names accepted in any case, Title-case included ("Location:" has always been read).
_ANY_CASE = frozenset(
    {"BEGIN", "END", "UID", "DTSTART", "DTEND", "DURATION", "SUMMARY", "DESCRIPTION"}
    | {"LOCATION", "URL", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID", "STATUS", "CATEGORIES"}
)
# Other RFC 5545 / 7986 names: accepted in lower or mixed case ("pRoDiD", KOrganizer), but
# not Title-case: "Contact: Jan" at the start of a line is prose a producer forgot to fold.
_RFC_NAMES = frozenset(
    {"VERSION", "PRODID", "CALSCALE", "METHOD", "DTSTAMP", "CREATED", "LAST-MODIFIED"}
    | {"SEQUENCE", "PRIORITY", "TRANSP", "CLASS", "ORGANIZER", "ATTENDEE", "CONTACT"}
    | {"COMMENT", "GEO", "RESOURCES", "ATTACH", "RELATED-TO", "REQUEST-STATUS", "EXRULE"}
    | {"TZID", "TZNAME", "TZOFFSETFROM", "TZOFFSETTO", "TZURL", "ACTION", "TRIGGER"}
    | {"REPEAT", "COMPLETED", "DUE", "PERCENT-COMPLETE", "FREEBUSY", "IMAGE", "COLOR"}
    | {"NAME", "REFRESH-INTERVAL", "SOURCE", "CONFERENCE"}
)

# Property name -> every (parameters, raw value) it had, in file order.
Props = dict[str, list[tuple[dict[str, str], str]]]


def _is_content_line(line: str) -> bool:
    match = _PROPERTY.match(line)
    if match is None:
        return False
    name = match.group(1)
    upper = name.upper()
    if name.isupper() or upper in _ANY_CASE:
        return True
    return (upper in _RFC_NAMES or upper.startswith("X-")) and not name.istitle()


def logical_lines(body: str) -> list[str]:
    """Unfolded content lines: RFC 5545 unfolding first, then the producers' repairs.

    Unfolding comes before anything looks at a line, because a fold may sit anywhere,
    even right after the name (Sunbird writes ``VERSION`` then `` :2.0``). Only then are
    lines that are not content lines (text a producer forgot to indent) joined to the
    line before them.
    """
    raw = _NEWLINE.split(body)
    indents = [len(ln) - len(ln.lstrip(" \t")) for ln in raw if ln[:1] in " \t" and ln.strip()]
    # RFC 5545 folds with one space; Eventful folds with two. Deeper indents (Upcoming's
    # six spaces) are text lines whose spaces clean_text collapses later.
    width = 2 if len(indents) >= 2 and min(indents) >= 2 else 1
    unfolded: list[str] = []
    for line in raw:
        if not line.strip():
            continue  # blank and whitespace-only lines are never content
        if line[0] in " \t":
            if unfolded:
                unfolded[-1] += line[min(width, len(line) - len(line.lstrip(" \t"))) :]
            continue
        unfolded.append(line)
    lines: list[str] = []
    for line in unfolded:
        if lines and not _is_content_line(line):
            lines[-1] += " " + line  # a continuation its producer forgot to indent
        else:
            lines.append(line)
    return lines


def parse_line(line: str) -> tuple[str, dict[str, str], str] | None:
    """``NAME;PARAM=x;P="a:b":value`` -> (NAME, {PARAM: x, P: a:b}, value); None if broken.

    The name is upper-cased and loses a group prefix (``GROUP1.X-TEST`` is ``X-TEST``).
    """
    colon = line.find(":")
    semi = line.find(";")
    if colon < 0:
        return None
    if semi < 0 or colon < semi:
        return _name(line[:colon]), {}, line[colon + 1 :]
    params: dict[str, str] = {}
    if '"' not in line[semi:colon]:  # the common case: no quoted parameter value
        for part in line[semi + 1 : colon].split(";"):
            key, _, value = part.partition("=")
            params[key.strip().upper()] = value.strip()
        return _name(line[:semi]), params, line[colon + 1 :]
    start, quoted = semi + 1, False
    for i in range(semi + 1, len(line)):
        char = line[i]
        if char == '"':
            quoted = not quoted
        elif not quoted and char in ";:":
            key, _, value = line[start:i].partition("=")
            params[key.strip().upper()] = value.strip().strip('"')
            if char == ":":
                return _name(line[:semi]), params, line[i + 1 :]
            start = i + 1
    return None


def _name(raw: str) -> str:
    return raw.rpartition(".")[2].strip().upper()


def props_of(lines: list[str]) -> Props:
    """The properties of one component's own lines."""
    props: Props = {}
    for line in lines:
        parsed = parse_line(line)
        if parsed is not None:
            props.setdefault(parsed[0], []).append((parsed[1], parsed[2]))
    return props


def unescape(value: str) -> str:
    """RFC 5545 TEXT unescaping: ``\\n`` is a newline, ``\\,`` a comma, and so on."""
    if "\\" not in value:
        return value
    return _ESCAPE.sub(lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def first(props: Props, name: str) -> tuple[dict[str, str], str] | None:
    """The first occurrence of a property with a non-blank value."""
    for entry in props.get(name, ()):
        if entry[1].strip():
            return entry
    return None


def text(props: Props, name: str) -> str | None:
    """A TEXT value, unescaped and stripped; empty and R's ``NA`` count as missing."""
    entry = first(props, name)
    if entry is None:
        return None
    value = unescape(entry[1]).strip()
    return value if value and value.upper() != "NA" else None


# --- components ----------------------------------------------------------------------


@dataclass
class Document:
    """The blocks of one file that matter; everything else was dropped."""

    events: list[list[str]] = field(default_factory=list)
    vtimezones: dict[str, list[str]] = field(default_factory=dict)
    venues: list[dict[str, str]] = field(default_factory=list)
    wr_timezone: str | None = None
    # What the structure got wrong, as (message, field) for the importer to record.
    problems: list[tuple[str, str]] = field(default_factory=list)
    # False when the file opened a VCALENDAR and ended before its END:VCALENDAR.
    complete: bool = True


@dataclass
class _Splitter:
    doc: Document = field(default_factory=Document)
    stack: list[str] = field(default_factory=list)  # open components below VCALENDAR
    block: list[str] = field(default_factory=list)
    calendar_open: bool = False
    mismatched: bool = False  # the open component already had an END that did not match

    def begin(self, name: str, line: str) -> None:
        if name == "VCALENDAR":
            if self.stack:
                self.finish()  # its END line is missing
            self.calendar_open = True
            return
        if name == "VEVENT" and self.stack:
            # A VEVENT never nests: whatever is open lost (or mistyped) its END line.
            if self.stack != ["VEVENT"] and not self.mismatched:
                message = (
                    f"BEGIN:{self.stack[-1]} was never closed; reading resumed at BEGIN:VEVENT"
                )
                self.doc.problems.append((message, "END"))
            self.finish()
        self.stack.append(name)
        if len(self.stack) > 1 and self.stack[0] == "VTIMEZONE":
            self.block.append(line)

    def end(self, name: str, line: str) -> None:
        if name == "VCALENDAR":
            if self.stack:
                self.finish()  # its END line is missing, but the calendar closed
            self.calendar_open = False
            return
        if not self.stack:
            return  # a stray END
        if name not in self.stack:
            self.mismatched = True
            self.doc.problems.append(
                (f"END:{name} does not match BEGIN:{self.stack[-1]}; the line was ignored", "END")
            )
            return
        while self.stack and self.stack[-1] != name:
            self.stack.pop()  # inner components whose END is missing
        if len(self.stack) > 1 and self.stack[0] == "VTIMEZONE":
            self.block.append(line)
        if len(self.stack) == 1:
            self.finish()
        else:
            self.stack.pop()

    def finish(self) -> None:
        kind, block = self.stack[0], self.block
        self.stack, self.block, self.mismatched = [], [], False
        if kind == "VEVENT":
            self.doc.events.append(block)
        elif kind == "VTIMEZONE":
            tzid = text(props_of([ln for ln in block if ln[:4].upper() == "TZID"]), "TZID")
            if tzid:
                self.doc.vtimezones.setdefault(tzid, block)
        elif kind == "VVENUE":
            props = props_of(block)
            self.doc.venues.append({k: unescape(v[0][1]).strip() for k, v in props.items()})


def split_components(lines: list[str]) -> Document:
    """VEVENT, VTIMEZONE and VVENUE blocks; everything else (VALARM, VFREEBUSY, X-) is dropped.

    Works without BEGIN:VCALENDAR. A VEVENT whose END line is missing is closed by the
    next BEGIN:VEVENT or END:VCALENDAR. An END that matches no open BEGIN (``END:VTOOD``)
    is a problem and is ignored; the next BEGIN:VEVENT closes what it left open.
    A file that opened a VCALENDAR and stops before END:VCALENDAR was cut off: the
    component still open at the end may be cut too, so it is dropped and the document
    is marked incomplete. A file without BEGIN:VCALENDAR keeps its unclosed last VEVENT.
    """
    splitter = _Splitter()
    doc = splitter.doc
    for line in lines:
        upper = line[:6].upper()
        if upper == "BEGIN:":
            splitter.begin(line[6:].strip().upper(), line)
        elif upper[:4] == "END:":
            splitter.end(line[4:].strip().upper(), line)
        elif not splitter.stack:
            if upper == "X-WR-T":
                parsed = parse_line(line)
                if parsed and parsed[0] == "X-WR-TIMEZONE":
                    doc.wr_timezone = parsed[2].strip()
        elif len(splitter.stack) == 1 or splitter.stack[0] == "VTIMEZONE":
            splitter.block.append(line)
    if splitter.calendar_open:
        doc.complete = False
        where = f"inside {splitter.stack[0]}" if splitter.stack else "before END:VCALENDAR"
        cut = bool(splitter.stack) and splitter.stack[0] == "VEVENT"
        dropped = "; the unfinished VEVENT was left out" if cut else ""
        doc.problems.append((f"the file ends {where}: it was cut off{dropped}", "END"))
    elif splitter.stack:
        splitter.finish()  # no VCALENDAR at all: keep what was there
    return doc
