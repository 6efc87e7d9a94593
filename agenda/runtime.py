"""What the running app holds: settings, a store per thread, the response cache and the clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from agenda.config import Settings
from agenda.http import ResponseCache, StoreProvider


def utc_now() -> datetime:
    return datetime.now(UTC)


class Runtime:
    """Created once by ``create_app``; handlers reach it through ``app.state.runtime``."""

    def __init__(self, settings: Settings, clock: Callable[[], datetime] = utc_now) -> None:
        self.settings = settings
        self.stores = StoreProvider(settings.db)
        self.cache = ResponseCache()
        self.clock = clock

    def close(self) -> None:
        self.stores.close()
