"""The bundled demo region that ``agenda demo`` serves.

Owns: the demo programme (`data/region.toml`) and the documents written from it in all
six formats (`region`), the tiny loopback HTTP server that serves them (`server`) and
the Golden Age theme moved to today's dates (`theme`).

May use: the kernel, `agenda.store` and `agenda.dedup`.
Must not: touch a database it did not create, or reach any address but 127.0.0.1.
"""
