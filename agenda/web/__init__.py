"""The public, anonymous face of the agenda: pages, JSON API, feed routes, publishing.

Owns: what the running app holds (`runtime`), HTTP helpers and problem details (`http`),
rate limits and the failed-key brake (`ratelimit`), the public pages and their data
(`pages`, `page_data`, `views`, `i18n`), the JSON API (`api`), the feed routes
(`feed_routes`), our own copies of event pictures (`images`), the public `/sources` page
(`sources_page`) and static publishing (`publish`).

May use: the kernel, the read facade `agenda.store.query`, `agenda.sync` (the
scheduler the runtime starts), `feeds`, `widgets`' renderers, Litestar.
Must not: show anything a non-public listing contributed; handlers read through the
query facade, never through raw store calls of their own.
"""
