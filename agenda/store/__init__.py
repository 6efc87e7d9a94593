"""The only SQLite door: the store, its migrations and the read facade.

Owns: opening the database file (WAL mode), the versioned schema (`migrations`), every
SQL statement the agenda runs (`database`), and the read facade that turns filters into
events (`query`), through which the web layer and the renderers read; and the small
cache file of rendered pieces static publishing keeps beside its output (`pieces`).

May use: the kernel, sqlite3 and sqlite_utils (nowhere else may).
Must not: deduplicate, fetch, parse source formats, render or know about HTTP.
"""
