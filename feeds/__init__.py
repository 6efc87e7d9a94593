"""Renderers from a list of events to bytes (JSON export; iCalendar, RSS and Atom feeds).

Renderers never query: they receive events from ``agenda.store.query`` and return bytes;
the same input gives the same bytes.
"""
