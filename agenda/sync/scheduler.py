"""Scheduled imports inside ``agenda serve`` (APScheduler 3.x, a thread pool off the event loop).

One job per source at its interval, and the picture job (``agenda.sync.pictures``) every
ten minutes, with jitter, ``max_instances=1``, ``coalesce`` and a
misfire grace time. Several server workers may each start a scheduler: a lease in the
database (``scheduler``) makes exactly one of them the leader; the others' jobs do
nothing until the leader stops renewing. Each job opens its own store connection.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from agenda.dedup.rebuild import release_embargoes
from agenda.errors import SourceBusyError
from agenda.model import SourceConfig
from agenda.store.database import Store
from agenda.sync.jobs import import_source, owner_name
from agenda.sync.pictures import PictureBudget, PictureReport, fetch_pictures
from importers.fetch import FetchLimits

log = logging.getLogger("agenda.sync.scheduler")
LEASE = timedelta(seconds=90)
HEARTBEAT_SECONDS = 30
MISFIRE_GRACE_SECONDS = 300
EMBARGO_CHECK_SECONDS = 60
# The picture job: every ten minutes, first a minute after start (after the first imports).
PICTURE_SECONDS = 600
PICTURE_DELAY_SECONDS = 60


class ImportScheduler:
    """Imports every source at its interval, only while this process holds the lease."""

    def __init__(
        self,
        db: str,
        sources: Sequence[SourceConfig],
        clock: Callable[[], datetime],
        limits: FetchLimits | None = None,
        images_dir: str | None = None,
        picture_budget: PictureBudget | None = None,
    ) -> None:
        self.db = db
        self.images_dir = images_dir
        self.picture_budget = picture_budget or PictureBudget()
        self.limits = limits or FetchLimits()
        self.sources = {s.id: s for s in sources}
        self.clock = clock
        self.owner = owner_name()
        self.leader = False
        # One line per job run is noise next to our own import log lines.
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
        self._scheduler = BackgroundScheduler(
            timezone="UTC",
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": MISFIRE_GRACE_SECONDS,
            },
        )

    def start(self) -> None:
        now = self.clock()
        self._scheduler.add_job(
            self.heartbeat,
            IntervalTrigger(seconds=HEARTBEAT_SECONDS),
            id="heartbeat",
            next_run_time=now,
        )
        self._scheduler.add_job(
            self.release_embargoes,
            IntervalTrigger(seconds=EMBARGO_CHECK_SECONDS),
            id="embargoes",
            next_run_time=now,
        )
        if self.images_dir is not None:
            self._scheduler.add_job(
                self.pictures,
                IntervalTrigger(seconds=PICTURE_SECONDS),
                id="pictures",
                next_run_time=now + timedelta(seconds=PICTURE_DELAY_SECONDS),
            )
        for number, source in enumerate(sorted(self.sources.values(), key=lambda s: s.id)):
            self._scheduler.add_job(
                self.run,
                IntervalTrigger(
                    seconds=source.interval_seconds, jitter=min(60, source.interval_seconds // 10)
                ),
                args=[source.id],
                id=f"import:{source.id}",
                # spread the first imports over a minute instead of all at once
                next_run_time=now + timedelta(seconds=5 + 3 * number),
            )
        self._scheduler.start()

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        if self.leader:
            with Store.opened(self.db, check=False) as store:
                store.release("scheduler", self.owner)
            self.leader = False

    def heartbeat(self) -> bool:
        """Take or renew the scheduler lease; returns whether this process leads."""
        with Store.opened(self.db, check=False) as store:
            now = self.clock()
            self.leader = store.acquire("scheduler", self.owner, now + LEASE, now)
        return self.leader

    def release_embargoes(self) -> int:
        """Publish the embargoed events whose moment has come (leader only)."""
        if not self.heartbeat():
            return 0
        with Store.opened(self.db, check=False) as store:
            return release_embargoes(store, self.clock())

    def pictures(self) -> PictureReport | None:
        """One run of the picture job (leader only); None when another process leads."""
        if self.images_dir is None or not self.heartbeat():
            return None
        with Store.opened(self.db) as store:
            try:
                report = fetch_pictures(
                    store, self.images_dir, budget=self.picture_budget, clock=self.clock
                )
            except Exception:  # pictures are an extra; the next run tries again
                log.exception("the picture job failed")
                return None
        counts = {"ok": report.ok, "refused": report.refused, "failed": report.failed}
        log.info(report.line(), extra={"event": "pictures", **counts})
        return report

    def run(self, source_id: str) -> str:
        """One scheduled import; what happened, as a word (for logs and tests)."""
        if not self.heartbeat():
            return "not leader"
        source = self.sources.get(source_id)
        if source is None:
            return "unknown source"
        with Store.opened(self.db, check=False) as store:
            try:
                return import_source(store, source, clock=self.clock, limits=self.limits).outcome
            except SourceBusyError:
                return "busy"

    def next_runs(self) -> dict[str, datetime | None]:
        """When each source's next import is due."""
        return {
            job.id.removeprefix("import:"): job.next_run_time
            for job in self._scheduler.get_jobs()
            if job.id.startswith("import:")
        }
