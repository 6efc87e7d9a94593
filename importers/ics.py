"""iCalendar (RFC 5545) importer: the bytes of a calendar file -> listings and problems.

Owns: turning VEVENTs into listings (source defaults, all-day vs timed, status), keeping
one of a UID listed twice, and expanding recurring series into occurrences inside a
bounded window around ``now``, under per-series and per-document time budgets. Lines and
components come from ``ics_lines``, values and zones from ``ics_zones``, fields from
``ics_fields``, rule reading and sub-daily expansion from ``ics_recur``. Plain VEVENTs
never touch icalendar; series (a UID with RRULE/RDATE or RECURRENCE-ID overrides) go to
recurring-ical-events one UID at a time, as timing-only components carrying our own
zones, so a broken series is one Problem and a bad value inside it is a warning.
Must not: fetch, touch the store, or shift instants.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import recurring_ical_events  # type: ignore[import-untyped]
from icalendar import Calendar, Event, vRecur

from agenda.model import Listing, Problem, SourceConfig
from importers.base import ParseResult
from importers.clean import content_id, decode_text, localize
from importers.errors import ParseError
from importers.ics_fields import read_fields
from importers.ics_lines import (
    Props,
    first,
    logical_lines,
    props_of,
    split_components,
    text,
)
from importers.ics_recur import SUB_DAILY, expand_sub_daily, read_rule, skip_ahead
from importers.ics_zones import (
    InvalidValue,
    Zones,
    add_months,
    on_amsterdam_clock,
    parse_duration,
    parse_time,
    parse_times,
    stamp,
    wall_time,
)

# Occurrences of a series are kept from WINDOW_BEFORE before ``now`` up to
# WINDOW_MONTHS_AFTER months after it; single events are kept whatever their date.
WINDOW_BEFORE = timedelta(days=30)
WINDOW_MONTHS_AFTER = 18
# A FREQ=MINUTELY rule would otherwise produce hundreds of thousands of listings.
MAX_OCCURRENCES = 1000
# CPU seconds one series may spend expanding, and all series of one document together.
SERIES_BUDGET = 0.5
DOCUMENT_BUDGET = 10.0
# The year of an RRULE's UNTIL, for sampling the offsets of a series' zone.
_UNTIL = re.compile(r"UNTIL=(\d{4})")


def parse(
    data: bytes, source: SourceConfig, now: datetime, *, url: str | None = None
) -> ParseResult:
    """Listings (occurrences for series) and per-event problems from one iCalendar file."""
    body = decode_text(data).lstrip("\ufeff")
    lines = logical_lines(body)
    begins = {line.strip().upper() for line in lines if line[:6].upper() == "BEGIN:"}
    if not begins & {"BEGIN:VCALENDAR", "BEGIN:VEVENT"}:
        if not body.strip():
            raise ParseError("not an iCalendar document: it is empty")
        raise ParseError(
            "not an iCalendar document: no BEGIN:VCALENDAR or BEGIN:VEVENT line "
            f"(it starts with {body.strip()[:40]!r})"
        )
    document = split_components(lines)
    zones = Zones(document.vtimezones, document.wr_timezone)
    moment = localize(now)
    reader = _Reader(
        source=source,
        base=url or source.url,
        zones=zones,
        venues=document.venues,
        window=(moment - WINDOW_BEFORE, add_months(moment, WINDOW_MONTHS_AFTER)),
        deadline=time.monotonic() + DOCUMENT_BUDGET,
    )
    for message, name in document.problems:
        reader.problem(message, field=name)
    reader.read(document.events)
    for tzid in zones.own:
        reader.problem(
            f"the calendar's own VTIMEZONE for {tzid!r} differs from the tz database; "
            "its own rules were used",
            field="TZID",
            severity="warning",
        )
    for tzid in zones.unknown:
        reader.problem(
            f"unknown time zone {tzid!r}: its times were read as Europe/Amsterdam",
            field="TZID",
            severity="warning",
        )
    return ParseResult(
        listings=tuple(reader.listings),
        problems=tuple(reader.problems),
        complete=document.complete and reader.complete,
    )


def _named(uid: str | None, title: str) -> str:
    """How a problem names a series: its UID and its title."""
    return f"UID {uid!r} ({title!r})" if uid is not None else repr(title)


# --- events ------------------------------------------------------------------------


@dataclass
class _Vevent:
    index: int
    props: Props
    uid: str | None

    @property
    def sequence(self) -> int:
        entry = first(self.props, "SEQUENCE")
        value = entry[1].strip() if entry else ""
        return int(value) if value.isdigit() else 0


@dataclass
class _Reader:
    source: SourceConfig
    base: str | None
    zones: Zones
    venues: list[dict[str, str]]
    window: tuple[datetime, datetime]
    deadline: float = math.inf  # time.monotonic() after which no series is expanded
    complete: bool = True  # False once a time budget cut a series short
    listings: list[Listing] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    _fields_cache: dict[int, dict[str, Any]] = field(default_factory=dict)

    def problem(self, message: str, **kwargs: Any) -> None:
        self.problems.append(Problem(source_id=self.source.id, message=message, **kwargs))

    def read(self, blocks: list[list[str]]) -> None:
        groups: dict[str, list[_Vevent]] = {}
        for index, block in enumerate(blocks):
            props = props_of(block)
            uid = text(props, "UID")
            groups.setdefault(uid if uid is not None else f"\x00{index}", []).append(
                _Vevent(index, props, uid)
            )
            self._expect_zones(props)
        for group in groups.values():
            self._group(group[0].uid, group)

    def _expect_zones(self, props: Props) -> None:
        """Tell the zones which wall times this VEVENT reads in which TZID, before any is read.

        DTSTART and DTEND; for a series without COUNT also 15 January and 15 July, at its
        start's time of day, of every year its rule may reach inside the window.
        """
        start, end = first(props, "DTSTART"), first(props, "DTEND")
        for entry in (start, end):
            if entry is not None and "TZID" in entry[0]:
                self.zones.expect(entry[0]["TZID"], entry[1], entry[0])
        rule = first(props, "RRULE") if start is not None and "TZID" in start[0] else None
        if start is None or rule is None:
            return
        wall = wall_time(start[1])
        if wall is None or "COUNT=" in rule[1].upper() or "VALUE" in start[0]:
            return
        until = _UNTIL.search(rule[1].upper())
        low, high = self.window
        last = min(int(until.group(1)), high.year) if until else high.year
        for year in range(max(wall.year, low.year), last + 1):
            for month in (1, 7):
                moment = wall.replace(year, month, 15)
                self.zones.expect(start[0]["TZID"], f"{moment:%Y%m%dT%H%M%S}")

    def _group(self, uid: str | None, group: list[_Vevent]) -> None:
        # Without a UID there is nothing to attach a RECURRENCE-ID to: a plain event.
        masters = [v for v in group if uid is None or "RECURRENCE-ID" not in v.props]
        overrides = [v for v in group if uid is not None and "RECURRENCE-ID" in v.props]
        if len(masters) > 1:
            count = len(masters)
            masters = [max(masters, key=lambda v: (v.sequence, v.index))]
            self.problem(
                f"UID {uid!r} is listed {count} times; kept the one "
                "with the highest SEQUENCE (the last one when equal)",
                external_id=uid,
                field="UID",
                severity="warning",
            )
        master = masters[0] if masters else None
        # An empty "RDATE:" line adds nothing: the event stays a single event.
        repeats = first(master.props, "RRULE") or first(master.props, "RDATE") if master else None
        if master is not None and not overrides and repeats is None:
            self._single(master)
        else:
            self._series(uid, master, overrides)

    def _single(self, vevent: _Vevent) -> None:
        try:
            start, end = self._times(vevent.props, vevent.uid)
            fields = self._fields(vevent)
            external_id = vevent.uid or content_id(fields["title"], start.isoformat())
            self.listings.append(self._listing(fields, external_id, start, end, None))
        except ValueError as exc:  # InvalidValue, or a Listing the model refuses
            self.problem(str(exc), external_id=vevent.uid, field=getattr(exc, "field", None))

    def _series(self, uid: str | None, master: _Vevent | None, overrides: list[_Vevent]) -> None:
        title = self._fields(master)["title"] if master else ""
        if time.monotonic() > self.deadline:
            self.complete = False
            self.problem(
                f"series {_named(uid, title)} was not expanded: the document used up its "
                f"{DOCUMENT_BUDGET:g} s expansion budget",
                external_id=uid,
                field="RRULE",
            )
            return
        calendar = Calendar()
        by_index: dict[int, _Vevent] = {}
        moves: dict[int, timedelta] = {}  # RANGE=THISANDFUTURE overrides: how far they move
        master_start: date | None = None
        cut: str | None = None
        for vevent in [master, *overrides] if master else overrides:
            try:
                component, start, move, vevent_cut = self._component(vevent, master_start, title)
            except InvalidValue as exc:
                label = "recurring event" if vevent is master else "changed occurrence"
                self.problem(f"{label} not imported: {exc}", external_id=uid, field=exc.field)
                if vevent is master:
                    return
                continue
            master_start = master_start or start
            cut = cut or vevent_cut
            calendar.add_component(component)
            by_index[vevent.index] = vevent
            if move is not None:
                moves[vevent.index] = move
        key = uid if uid is not None else content_id(title, str(master_start))
        low, high = self.window
        found: list[Listing] = []
        try:  # between(), not after(): after() crawls when occurrences overlap each other
            occurrences = recurring_ical_events.of(calendar).between(low, high)
            occurrences.sort(key=lambda occurrence: stamp(occurrence["DTSTART"].dt))
            for occurrence in occurrences[:MAX_OCCURRENCES]:
                begin = occurrence["DTSTART"].dt
                index = int(str(occurrence["X-REGIO-INDEX"]))
                original = begin
                if "RECURRENCE-ID" in occurrence:
                    # A THISANDFUTURE override also moves every later occurrence; each of
                    # those keeps its own original start, so its own identity.
                    move = moves.get(index)
                    original = begin - move if move is not None else occurrence["RECURRENCE-ID"].dt
                end = occurrence["DTEND"].dt if "DTEND" in occurrence else None
                fields = self._fields(by_index[index])
                found.append(self._listing(fields, f"{key}/{stamp(original)}", begin, end, key))
        except Exception as exc:  # hostile rules can fail anywhere in dateutil or the expander
            self.problem(
                f"recurring event could not be expanded: {exc}", external_id=key, field="RRULE"
            )
            return
        if cut == "budget":
            self.complete = False
            self.problem(
                f"series {_named(uid, title)} took more than its {SERIES_BUDGET:g} s expansion "
                f"budget; only the first {len(found)} occurrences were imported",
                external_id=key,
                field="RRULE",
            )
        elif cut == "cap" or len(occurrences) > MAX_OCCURRENCES:
            self.problem(
                f"series {_named(uid, title)} repeats more than {MAX_OCCURRENCES} times in the "
                f"window; only the first {len(found)} occurrences were imported",
                external_id=key,
                field="RRULE",
                severity="warning",
            )
        self.listings.extend(found)

    def _component(
        self, vevent: _Vevent, master_start: date | None, title: str
    ) -> tuple[Event, date, timedelta | None, str | None]:
        """The event's timing alone, with our zones attached, for recurring-ical-events.

        Also returns how far a RANGE=THISANDFUTURE override moves later occurrences, and
        whether a sub-daily rule's expansion was cut ("cap" or "budget").
        """
        props = vevent.props
        start, end = self._times(props, vevent.uid)
        component = Event()
        component.add("UID", "series")
        rules = self._rules(vevent, title)
        cut: str | None = None
        fast = [rule for rule in rules if str(rule.get("FREQ", [""])[0]) not in SUB_DAILY]
        if len(fast) < len(rules):
            deadline = min(time.monotonic() + SERIES_BUDGET, self.deadline)
            starts: list[date] = []
            for rule in rules:
                if str(rule.get("FREQ", [""])[0]) in SUB_DAILY:
                    expansion = expand_sub_daily(
                        start, rule, self.window, MAX_OCCURRENCES, deadline
                    )
                    starts.extend(expansion.starts)
                    cut = cut or expansion.cut
            if starts:
                component.add("RDATE", starts)
        shift = skip_ahead(start, fast, self.window[0])
        start, end = start + shift, end + shift if end is not None else None
        for rule in fast:
            component.add("RRULE", rule)
        component.add("DTSTART", start)
        if end is not None:
            component.add("DTEND", end)
        all_day = master_start is not None and not isinstance(master_start, datetime)
        for name in ("RDATE", "EXDATE"):
            values = self._time_list(vevent, name)
            if values:
                component.add(name, values)
        recurrence = first(props, "RECURRENCE-ID")
        move: timedelta | None = None
        if recurrence is not None:
            original = parse_time("RECURRENCE-ID", recurrence[1], recurrence[0], self.zones)
            if all_day and isinstance(original, datetime):
                original = original.date()  # Exchange writes date-time ids for all-day series
            extra = {"RANGE": recurrence[0]["RANGE"]} if "RANGE" in recurrence[0] else {}
            component.add("RECURRENCE-ID", original, parameters=extra)
            future = extra.get("RANGE", "").upper() == "THISANDFUTURE"
            if future and isinstance(start, datetime) == isinstance(original, datetime):
                move = start - original
        component.add("SEQUENCE", vevent.sequence)
        component.add("X-REGIO-INDEX", str(vevent.index))
        return component, start, move, cut

    def _rules(self, vevent: _Vevent, title: str) -> list[vRecur]:
        """Every readable RRULE line; one bad line among several is a problem, not fatal."""
        values = [value for _params, value in vevent.props.get("RRULE", ()) if value.strip()]
        rules: list[vRecur] = []
        for value in values:
            try:
                rules.append(read_rule(value))
            except InvalidValue as exc:
                if len(values) == 1:
                    raise
                self.problem(
                    f"{exc}; the series {_named(vevent.uid, title)} kept its other RRULE lines",
                    external_id=vevent.uid,
                    field="RRULE",
                    severity="warning",
                )
        return rules

    def _time_list(self, vevent: _Vevent, name: str) -> list[object]:
        """RDATE or EXDATE values; a malformed one is left out with a problem, not fatal."""
        values: list[object] = []
        for params, value in vevent.props.get(name, ()):
            for item in value.split(","):
                if not item.strip():
                    continue
                try:
                    values.extend(parse_times(name, item, params, self.zones))
                except InvalidValue as exc:
                    self.problem(
                        f"{exc}; that value was left out and the series kept",
                        external_id=vevent.uid,
                        field=name,
                        severity="warning",
                    )
        return values

    def _times(self, props: Props, uid: str | None) -> tuple[date, date | None]:
        entry = first(props, "DTSTART")
        if entry is None:
            raise InvalidValue("DTSTART", "VEVENT has no DTSTART")
        start = parse_time("DTSTART", entry[1], entry[0], self.zones)
        try:
            if (entry := first(props, "DTEND")) is not None:
                return start, parse_time("DTEND", entry[1], entry[0], self.zones)
            if (entry := first(props, "DURATION")) is not None:
                return start, start + parse_duration("DURATION", entry[1])
        except InvalidValue as exc:
            # The start is good: keep the event, without the end it cannot have.
            self.problem(
                f"{exc}; the event was kept without an end",
                external_id=uid,
                field=exc.field,
                severity="warning",
            )
        return start, None

    def _listing(
        self,
        fields: dict[str, Any],
        external_id: str,
        start: date,
        end: date | None,
        series_id: str | None,
    ) -> Listing:
        if isinstance(start, datetime):
            begin = on_amsterdam_clock(start)
            finish = on_amsterdam_clock(end) if isinstance(end, datetime) else None
            if finish is not None and finish < begin:
                self.problem(
                    "DTEND is before DTSTART; the end was left out",
                    external_id=external_id,
                    field="DTEND",
                    severity="warning",
                )
            if finish is not None and finish <= begin:
                finish = None
            return Listing(
                **fields, external_id=external_id, start=begin, end=finish, series_id=series_id
            )
        last = start
        if end is not None:
            end_day = end.date() if isinstance(end, datetime) else end
            if end_day > start:  # DTEND is exclusive; the model's end_date is inclusive
                last = end_day - timedelta(days=1)
        return Listing(
            **fields, external_id=external_id, start_date=start, end_date=last, series_id=series_id
        )

    def _fields(self, vevent: _Vevent) -> dict[str, Any]:
        """Everything but the times and ids; computed once per VEVENT, shared by occurrences."""
        cached = self._fields_cache.get(vevent.index)
        if cached is None:
            cached = read_fields(vevent.props, self.source, self.base, self.venues)
            self._fields_cache[vevent.index] = cached
        return cached
