"""Which listings are one happening: the deduplication engine.

Owns: title forms (`titles`), venue texts (`venue_text`), the bundled venue gazetteer
(`gazetteer`), pair features and hard rules (`matching`), blocking and constrained
clustering (`cluster`), building one event from its listings (`merge`) — all pure —
and, on the store, the venues the agenda learns (`places`), turning clusters into
stored events with stable ids (`rebuild`) and a person's merge/split decisions
(`decisions`).

May use: the kernel (`agenda.model`, `normalize`, `classify`, `themes`, `timeutil`),
`agenda.store` (only `places`, `rebuild` and `decisions`), rapidfuzz.
Must not: fetch, parse source formats, render feeds or know about HTTP.
"""
