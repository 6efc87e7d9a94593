"""Everything behind a key, a token or a session: what partners and coordinators do.

Owns: accounts, keys, preview tokens and the audit trail (`accounts`), one door for
authentication (`auth`), browser sessions (`session`), the partner and coordinator
APIs (`api`, `coordinator_api`), the private pages (`pages`, `planner_pages`,
`review_pages`, with the pure `planner_data` and `planner_days`) and the clash radar
(`clashes`, pure).

May use: the kernel, `agenda.web` (http helpers, runtime, page rendering), the store
through its facade, `agenda.sync` and `agenda.dedup` for coordinator actions.
Must not: be imported by the public web layer; anything here may show embargoed data.
"""
