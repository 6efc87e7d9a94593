"""What the running app holds: settings, a store per thread, the response cache and the clock."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from agenda.config import Settings, load_sources
from agenda.model import SourceConfig
from agenda.store import query
from agenda.sync.scheduler import ImportScheduler
from agenda.web.http import ResponseCaches, StoreProvider
from agenda.web.ratelimit import AuthFailures


def utc_now() -> datetime:
    return datetime.now(UTC)


class Runtime:
    """Created once by ``create_app``; handlers reach it through ``app.state.runtime``."""

    def __init__(self, settings: Settings, clock: Callable[[], datetime] = utc_now) -> None:
        self.settings = settings
        self.stores = StoreProvider(settings.db)
        self.cache = ResponseCaches()
        self.clock = clock
        self.sources: dict[str, SourceConfig] = (
            {s.id: s for s in load_sources(settings.config)} if settings.config else {}
        )
        self.scheduler: ImportScheduler | None = None
        self.auth_failures = AuthFailures()
        self._generation = (0.0, -1)
        self._lock = threading.Lock()

    def generation(self) -> int:
        """The data generation, read at most once per ``settings.generation_check`` seconds.

        Cached answers may thus lag an import by up to a second, which no calendar app
        notices, and the hot path of a cached feed does no SQL at all.
        """
        checked, value = self._generation
        now = time.monotonic()
        if now - checked >= self.settings.generation_check:
            value = query.generation(self.stores.get())
            with self._lock:
                self._generation = (now, value)
        return value

    def themes_with_events(self) -> list[tuple[str, str, str]]:
        """(id, Dutch name, English name) of every theme public events belong to.

        What the widget configurator offers (``widgets.routes`` asks through
        ``app.state.runtime``, since renderers never query): a theme nobody has
        programmed anything for is left out, so two themes sharing a name do not both show.
        """
        store = self.stores.get()
        known = {theme.id: theme for theme in query.themes(store)}
        rows = []
        for theme_id in query.theme_ids(store):
            theme = known.get(theme_id)
            rows.append(
                (theme_id, theme.name_nl, theme.name_en)
                if theme
                else (theme_id, theme_id, theme_id)
            )
        return rows

    def start(self) -> None:
        """Start the scheduled imports when the settings ask for them."""
        if self.settings.schedule:
            self.scheduler = ImportScheduler(
                self.settings.db,
                list(self.sources.values()),
                self.clock,
                images_dir=self.settings.images_folder,
            )
            self.scheduler.start()

    def close(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown()
        self.stores.close()
