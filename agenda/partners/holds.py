"""Holds: a partner pencils in a date ("we plan a premiere here") before it has an event.

A hold has a day, an optional time, a category, a city, an optional audience and title,
and an expiry day (at the latest its own day). Every partner sees live holds in the
planner, and the clash radar counts them (as ``hold-ID`` pseudo-events, marked as holds),
so two institutions do not unknowingly plan their premieres on one evening. A hold
ends when its expiry day has passed, when an event is submitted from it
(``/partners/events/new?from_hold=ID``, or ``from_hold`` in ``POST /api/partner/events``)
or when its owner (or a coordinator) removes it. Every change is audited.

The validation and the pseudo-event are pure; ``create_hold``, ``remove_hold`` and
``live_holds`` read and write through the store. Pages and the API over this live in
``agenda.partners.holds_pages``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

import msgspec

from agenda.errors import ForbiddenError, InvalidSubmissionError, NotFoundError
from agenda.filters import parse_filters
from agenda.model import Event
from agenda.normalize import KNOWN_CITIES, normalize_city
from agenda.partners.accounts import Partner, audit
from agenda.partners.clashes import DEFAULT_LENGTH, Plan, plan_window
from agenda.partners.fields import day_field
from agenda.sanitize import clean_title
from agenda.store.database import Store
from agenda.store.query import list_events
from agenda.timeutil import AMSTERDAM
from agenda.vocabulary import audience_labels, canonical, load

HOLD_PREFIX = "hold-"
FIELDS = ("day", "time", "category", "city", "audience", "title", "expires")
LIVE_LIMIT = 200  # live holds per institution: a hold is a plan, not a placeholder for a year
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class Hold(msgspec.Struct, frozen=True, kw_only=True):
    """A pencilled-in date of one institution."""

    id: int
    partner_id: int
    institution: str
    partner: str
    day: date
    time: str | None = None  # "HH:MM"
    category: str
    city: str
    audience: str | None = None
    title: str | None = None
    expires: date
    removed: str | None = None

    @property
    def start(self) -> datetime | None:
        if self.time is None:
            return None
        hour, minute = (int(x) for x in self.time.split(":"))
        return datetime.combine(self.day, time(hour, minute), tzinfo=AMSTERDAM)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "institution": self.institution, "partner": self.partner,
            "day": self.day.isoformat(), "time": self.time, "category": self.category,
            "city": self.city, "audience": self.audience, "title": self.title,
            "expires": self.expires.isoformat(),
        }  # fmt: skip


class Owner(msgspec.Struct, frozen=True):
    """Who makes or removes a hold: an account, or the server's coordinator key (id 0)."""

    partner: Partner | None
    name: str
    role: str

    @property
    def institution(self) -> str:
        return self.partner.institution if self.partner else "regio"

    @property
    def id(self) -> int:
        return self.partner.id if self.partner else 0


def hold_from_row(row: Mapping[str, Any]) -> Hold:
    return Hold(
        id=int(row["id"]), partner_id=int(row["partner_id"]), institution=row["institution"],
        partner=row["partner"], day=date.fromisoformat(row["day"]), time=row["time"],
        category=row["category"], city=row["city"], audience=row["audience"],
        title=row["title"], expires=date.fromisoformat(row["expires"]), removed=row["removed"],
    )  # fmt: skip


def parse_hold(body: object, today: date) -> dict[str, Any]:
    """A hold's fields from a form or a JSON body; every bad field in one 400."""
    errors: list[dict[str, str]] = []
    if not isinstance(body, Mapping):
        raise InvalidSubmissionError([{"field": "(body)", "message": "must be an object"}], "hold")
    for name in sorted(set(body) - set(FIELDS) - {"csrf", "lang"}):
        errors.append({"field": str(name), "message": "unknown field"})
    texts = {k: body.get(k) for k in FIELDS}
    for name, value in texts.items():
        if value is not None and not isinstance(value, str):
            errors.append({"field": name, "message": "must be a string"})
            texts[name] = None
    day = None
    if not (texts["day"] or "").strip():
        errors.append({"field": "day", "message": "is required"})
    else:
        day = day_field("day", texts["day"], errors)
        if day is not None and day < today:
            errors.append({"field": "day", "message": "is in the past"})
    clock = (texts["time"] or "").strip() or None
    if clock is not None and not _TIME.match(clock):
        errors.append({"field": "time", "message": f"{clock!r} is not a time (HH:MM)"})
    category = canonical((texts["category"] or "").strip()[:100])
    if not (texts["category"] or "").strip():
        errors.append({"field": "category", "message": "is required"})
    elif category is None:
        errors.append({"field": "category", "message": "is not a category of the agenda"})
    city = normalize_city((texts["city"] or "").strip()[:60])
    if not (texts["city"] or "").strip():
        errors.append({"field": "city", "message": "is required"})
    elif city not in KNOWN_CITIES:
        region = ", ".join(sorted(KNOWN_CITIES))
        errors.append({"field": "city", "message": f"is not in the region ({region})"})
    audience = (texts["audience"] or "").strip() or None
    if audience is not None and audience not in audience_labels("en"):
        known = ", ".join(audience_labels("en"))
        errors.append({"field": "audience", "message": f"must be one of {known}"})
    title = clean_title(texts["title"])[:200] or None
    expires = day
    if (texts["expires"] or "").strip():
        expires = day_field("expires", texts["expires"], errors)
        if expires is not None and expires < today:
            errors.append({"field": "expires", "message": "is in the past"})
        elif expires is not None and day is not None and expires > day:
            errors.append({"field": "expires", "message": "is after the day itself"})
    if errors:
        raise InvalidSubmissionError(errors, "hold")
    return {"day": day, "time": clock, "category": category, "city": city,
            "audience": audience, "title": title, "expires": expires}  # fmt: skip


def _kind_of(category: str) -> str | None:
    return next((t.kind for t in load().categories if t.id == category), None)


def hold_event(hold: Hold, title: str = "") -> Event:
    """The hold as the clash radar and the planner weigh it: a partners-only pseudo-event."""
    start = hold.start
    times: dict[str, Any] = (
        {"start": start, "end": start + DEFAULT_LENGTH} if start else {"start_date": hold.day}
    )
    return Event(
        id=f"{HOLD_PREFIX}{hold.id}", title=title or hold.title or f"hold: {hold.category}",
        city=hold.city, categories=(hold.category,), kind=_kind_of(hold.category),
        audience=(hold.audience,) if hold.audience else (), visibility="partners", **times,
    )  # fmt: skip


def hold_id_of(event_id: str) -> int | None:
    rest = event_id.removeprefix(HOLD_PREFIX)
    return int(rest) if event_id.startswith(HOLD_PREFIX) and rest.isdigit() else None


# --- through the store --------------------------------------------------------------------


def live_holds(
    store: Store, today: date, first: date | None = None, last: date | None = None
) -> list[Hold]:
    """Holds every partner sees: not removed, not expired, on days from first to last."""
    return [hold_from_row(r) for r in store.hold_rows(today=today, first=first, last=last)]


def get_hold(store: Store, hold_id: int) -> Hold:
    rows = store.hold_rows(hold_id=hold_id)
    if not rows:
        raise NotFoundError(f"no hold {hold_id}")
    return hold_from_row(rows[0])


def create_hold(store: Store, owner: Owner, fields: Mapping[str, Any], now: datetime) -> Hold:
    """Store a validated hold (``parse_hold``) for the owner's institution, audited."""
    today = now.astimezone(AMSTERDAM).date()
    with store.transaction():
        mine = [h for h in live_holds(store, today) if h.institution == owner.institution]
        if len(mine) >= LIVE_LIMIT:
            raise InvalidSubmissionError(
                [{"field": "day", "message": f"your institution has {LIVE_LIMIT} live holds; "
                  "remove some first"}], "hold")  # fmt: skip
        row = {
            **fields, "day": fields["day"].isoformat(), "expires": fields["expires"].isoformat(),
            "partner_id": owner.id, "institution": owner.institution, "partner": owner.name,
        }  # fmt: skip
        hold_id = store.insert_hold(row, now)
        audit(store, owner.partner, owner.name, "hold.create", f"hold:{hold_id}", now,
              {k: row[k] for k in FIELDS})  # fmt: skip
    return get_hold(store, hold_id)


def remove_hold(
    store: Store, owner: Owner, hold_id: int, now: datetime, reason: str = "owner"
) -> Hold:
    """End a hold: its own institution or a coordinator may; audited. ``reason`` is
    ``owner`` or ``event:ID`` (an event was submitted from it)."""
    with store.transaction():
        hold = get_hold(store, hold_id)
        if hold.institution != owner.institution and owner.role != "coordinator":
            raise ForbiddenError("this hold belongs to another institution")
        if not store.remove_hold(hold_id, reason, now):
            raise NotFoundError(f"hold {hold_id} has already ended")
        audit(store, owner.partner, owner.name, "hold.remove", f"hold:{hold_id}", now,
              {"reason": reason})  # fmt: skip
    return hold


def plan_competitors(store: Store, plan: Plan, today: date, private: bool) -> list[Event]:
    """What the clash radar weighs for ``plan``: the events of its days (embargoed ones
    too when ``private``) and, for partners, the live holds on those days."""
    first, last = plan_window(plan)
    filters = parse_filters({"from": first.isoformat(), "to": last.isoformat()}, first)
    events = list_events(store, filters, private=private)
    if private:
        events += [hold_event(h) for h in live_holds(store, today, first, last)]
    return events


def release_hold(
    store: Store, partner: Partner, hold_id: int, event_id: str, now: datetime
) -> bool:
    """An event was submitted from this hold: the hold ends (its own institution's only;
    another's hold, or one that already ended, stays as it is). Whether it ended."""
    try:
        remove_hold(store, Owner(partner, partner.name, "partner"), hold_id, now,
                    reason=f"event:{event_id}")  # fmt: skip
    except (ForbiddenError, NotFoundError):
        return False
    return True
