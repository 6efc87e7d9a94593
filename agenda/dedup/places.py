"""Where a listing happens: the bundled gazetteer plus the venues the agenda has learned.

Unknown venues become new venues (stored) and resolve consistently afterwards. Listings
are resolved in key order by the caller, so which spelling names a learned venue does
not depend on the order sources were imported in.
"""

from __future__ import annotations

from datetime import datetime

from agenda.dedup.cluster import Member
from agenda.dedup.gazetteer import Gazetteer, GazetteerVenue, is_place_name, new_venue_id
from agenda.dedup.titles import trailing_place
from agenda.model import Listing, Venue, VenueRef
from agenda.normalize import KNOWN_CITIES, normalize_city
from agenda.store.database import Store


class PlaceResolver:
    """Resolves listings to venues for one rebuild, learning unknown venues as it goes."""

    def __init__(self, store: Store, now: datetime) -> None:
        self._store = store
        self._now = now
        self._gazetteer = Gazetteer.bundled()
        self._stored = {v.id for v in store.learned_venues()}
        for venue in store.learned_venues():
            if self._gazetteer.get(venue.id) is None and venue.city:
                self._gazetteer.add(_gazetteer_venue(venue))
        self._members: dict[str, Member] = {}
        self._default_cities = {
            source: normalize_city(city) for source, city in store.source_cities().items()
        }

    def venue(self, listing: Listing) -> GazetteerVenue | None:
        """The venue a listing is at, learning it when it is new; None when it names none."""
        found = self._gazetteer.resolve(
            listing.venue_name, listing.address, listing.postcode, listing.city,
            listing.latitude, listing.longitude,
        )  # fmt: skip
        if found is not None:
            return self._gazetteer.get(found.venue_id)
        city = normalize_city(listing.city)
        if not is_place_name(listing.venue_name) or not city:
            return None
        assert listing.venue_name is not None
        venue = GazetteerVenue(
            # The gazetteer's own ids, not a copy of them for every venue learned: a region
            # learning thousands of venues would copy thousands of ids thousands of times.
            id=new_venue_id(listing.venue_name, city, self._gazetteer.ids()),
            name=listing.venue_name.strip(),
            city=city,
            addresses=(listing.address,) if listing.address else (),
            postcodes=(listing.postcode,) if listing.postcode else (),
            latitude=listing.latitude,
            longitude=listing.longitude,
        )
        self._gazetteer.add(venue)
        return venue

    def member(self, listing: Listing, source_kind: str) -> Member:
        """The listing as the matcher sees it (cached per listing key and content)."""
        cache_key = listing.key
        cached = self._members.get(cache_key)
        if cached is not None and cached.listing == listing:
            return cached
        venue = self.venue(listing)
        tail = trailing_place(listing.title)
        if venue is None and tail:
            # "Lezing X | Science Centre TU Delft": the title names the place the fields omit.
            # The listing's city may be only its source's default (a region-wide agenda),
            # so a venue the title names elsewhere in the region still counts.
            found = self._gazetteer.resolve(tail, city=listing.city) or self._gazetteer.resolve(
                tail
            )
            venue = self._gazetteer.get(found.venue_id) if found else None
        city = normalize_city(listing.city) or (venue.city if venue else None)
        tail_city = normalize_city(tail) if venue is None and tail else None
        if tail_city in KNOWN_CITIES:
            city = tail_city  # "Concert X (Den Haag)"
        else:
            tail_city = None
        # Nothing but the source's default city says where it is: a region-wide agenda
        # lists events in every city, so the default is no evidence against a match.
        loose = venue is None and tail_city is None and self._only_default_city(listing, city)
        if venue is not None and venue.city:
            city = normalize_city(venue.city)
        names = (listing.venue_name, *((venue.name, *venue.aliases) if venue else ()))
        member = Member(
            listing=listing,
            source_kind=source_kind,
            city=city,
            loose_city=loose,
            venue_id=venue.id if venue else None,
            places=tuple(n for n in names if n),
            addresses=tuple(a for a in (listing.address, *(venue.addresses if venue else ())) if a),
            postcodes=tuple(
                p for p in (listing.postcode, *(venue.postcodes if venue else ())) if p
            ),
            latitude=venue.latitude if venue and venue.latitude is not None else listing.latitude,
            longitude=venue.longitude
            if venue and venue.longitude is not None
            else listing.longitude,
        )
        self._members[cache_key] = member
        return member

    def _only_default_city(self, listing: Listing, city: str | None) -> bool:
        has_place = bool(listing.venue_name or listing.address or listing.postcode)
        has_place = has_place or listing.latitude is not None
        return (
            not has_place
            and city is not None
            and city == self._default_cities.get(listing.source_id)
        )

    def venue_ref(self, member: Member) -> VenueRef | None:
        """The event-facing reference to a member's venue, stored on first use."""
        if member.venue_id is None:
            return None
        venue = self._gazetteer.get(member.venue_id)
        if venue is None:
            return None
        if venue.id not in self._stored:
            self._store.ensure_venue(
                Venue(
                    id=venue.id, name=venue.name, city=venue.city,
                    address=venue.addresses[0] if venue.addresses else None,
                    postcode=venue.postcodes[0] if venue.postcodes else None,
                    latitude=venue.latitude, longitude=venue.longitude,
                    aliases=venue.aliases, kind=venue.kind,
                ),
                self._now,
            )  # fmt: skip
            self._stored.add(venue.id)
        return VenueRef(
            id=venue.id, name=venue.name, city=venue.city,
            address=venue.addresses[0] if venue.addresses else None,
            postcode=venue.postcodes[0] if venue.postcodes else None,
            latitude=venue.latitude, longitude=venue.longitude,
        )  # fmt: skip


def _gazetteer_venue(venue: Venue) -> GazetteerVenue:
    assert venue.city is not None
    return GazetteerVenue(
        id=venue.id, name=venue.name, city=venue.city, aliases=venue.aliases,
        addresses=(venue.address,) if venue.address else (),
        postcodes=(venue.postcode,) if venue.postcode else (),
        latitude=venue.latitude, longitude=venue.longitude, kind=venue.kind,
    )  # fmt: skip
