"""Renderers from a list of events to bytes (JSON export; iCalendar, RSS and Atom feeds).

Renderers never query: they receive events from ``agenda.store.query`` and return bytes;
the same input gives the same bytes. Feeds are composed from one piece per event
(``pieces``), so a caller that keeps pieces by event version (static publishing) renders
only what changed.
"""
