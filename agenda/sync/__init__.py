"""How data arrives: one source's records into the store, on demand or on a schedule.

Owns: ingesting records with sync semantics and the withdrawal guard (`ingest`), the job
runner that fetches, parses and ingests one source and records the run (`jobs`), and the
scheduled imports inside ``agenda serve`` (`scheduler`, the only APScheduler user).

May use: the kernel, `agenda.store`, `agenda.dedup`, `importers`.
Must not: know about HTTP handlers, pages or the command line.
"""
