"""Shared helpers for the page tests: a seeded agenda, a real uvicorn, Chromium and axe-core.

    from browser import CLOCK, seed_pages, serve_app, launch_chromium, axe_violations

- ``seed_pages(db)`` writes a small region (Leiden, Delft, Den Haag; lectures, an
  exhibition, a cancelled concert, an English tour, a free family workshop, and a run of
  concerts long enough to need a second page) with dates after ``CLOCK``.
- ``serve_app(db)`` runs ``create_app`` under uvicorn on 127.0.0.1 on a free port in a
  thread and yields the base url; the app's clock is fixed at ``CLOCK``.
- ``launch_chromium(playwright)`` starts Debian's Chromium (never ``playwright install``).
- ``axe_violations(page)`` injects axe-core from ``tests/js/node_modules`` and returns
  ``axe.run()``'s violations as plain dicts.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from conftest import NOW, make_listing, make_source

from agenda.store.database import Store
from agenda.sync.ingest import ingest
from agenda.timeutil import AMSTERDAM

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright

HERE = Path(__file__).parent
AXE = HERE / "js" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = HERE / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
# The app's "now": Wednesday 20 January 2027, 13:00 in Amsterdam.
CLOCK = datetime(2027, 1, 20, 12, tzinfo=UTC)
SERIES = 45  # concerts in one series: more than one page of the agenda


def seed_pages(db: Path) -> None:
    """The event set every page test reads (all after ``CLOCK`` unless still running)."""
    store = Store.open(db)
    lakenhal = [
        make_listing(),  # Lezing: Leiden in de Gouden Eeuw, 3 February 2027 20:00 Amsterdam
        make_listing(
            external_id="expo", title="Rembrandt & Lievens", start=None, end=None,
            start_date=date(2027, 1, 10), end_date=date(2027, 5, 31),
            categories=("Tentoonstelling",), price="€ 17,50",
            ticket_url="https://www.lakenhal.nl/tickets",
            description="<p>Twee jonge <strong>Leidse</strong> schilders.</p>",
        ),
        make_listing(
            external_id="cancelled", title="Orgelconcert Hooglandse Kerk",
            categories=("Concert",), status="cancelled",
            start=datetime(2027, 2, 5, 19, tzinfo=UTC), end=None,
        ),
        make_listing(
            external_id="tour-en", title="Guided tour in English", language="en",
            categories=("Rondleiding",), description="A tour <b>through</b> the museum.",
            start=datetime(2027, 2, 6, 13, tzinfo=UTC), end=datetime(2027, 2, 6, 14, tzinfo=UTC),
        ),
    ]  # fmt: skip
    ingest(store, make_source(), lakenhal, [], NOW)
    delft = [
        make_listing(
            source_id="prinsenhof", external_id="k", title="Kinderworkshop Delfts Blauw",
            city="Delft", venue_name="Museum Prinsenhof Delft", categories=("Familie",),
            is_free=True, url="https://prinsenhof-delft.nl/workshop",
            start=datetime(2027, 3, 1, 13, tzinfo=UTC), end=datetime(2027, 3, 1, 15, tzinfo=UTC),
        )
    ]  # fmt: skip
    ingest(store, make_source(id="prinsenhof", name="Museum Prinsenhof Delft", city="Delft",
                              venue="Museum Prinsenhof Delft"), delft, [], NOW)  # fmt: skip
    series = [
        make_listing(
            source_id="mauritshuis", external_id=f"m{i}", title=f"Lunchconcert {i + 1}",
            city="Den Haag", venue_name="Mauritshuis", categories=("Concert",),
            url=f"https://www.mauritshuis.nl/agenda/lunchconcert-{i + 1}",
            start=datetime(2027, 4, 1, 11, tzinfo=UTC) + timedelta(days=i), end=None,
        )
        for i in range(SERIES)
    ]  # fmt: skip
    ingest(store, make_source(id="mauritshuis", name="Mauritshuis", city="Den Haag",
                              venue="Mauritshuis"), series, [], NOW)  # fmt: skip
    store.close()


WALKS = 16  # a weekly walking tour: one series, shown once


def seed_city_life(db: Path) -> None:
    """What a city agenda has besides single events, added after ``seed_pages``.

    A theme "Gouden Eeuw" / "Golden Age" with a description and period (one event joins
    it by keyword), a second theme with the same name that nothing belongs to, and a
    weekly walking tour in Delft: every Sunday at 14:00, ``WALKS`` times from 24 January.
    """
    from agenda.themes import Theme, ThemeRules

    store = Store.open(db)
    store.save_theme(
        Theme(
            id="gouden-eeuw", name_nl="Gouden Eeuw", name_en="Golden Age",
            description_nl="Schilders, geleerden en handelaren van de zeventiende eeuw.",
            description_en="Painters, scholars and merchants of the seventeenth century.",
            start=date(2027, 1, 1), end=date(2027, 12, 31),
            rules=ThemeRules(keywords=("Gouden Eeuw", "Golden Age")),
        ),
        NOW,
    )  # fmt: skip
    store.save_theme(
        Theme(
            id="gouden-eeuw-2019", name_nl="Gouden Eeuw", name_en="Golden Age",
            start=date(2019, 1, 1), end=date(2019, 12, 31),
            rules=ThemeRules(keywords=("Gouden Eeuw",)),
        ),
        NOW,
    )  # fmt: skip
    walks = [
        make_listing(
            source_id="delft-marketing", external_id=f"walk{i}",
            title="Stadswandeling: Delft in de Gouden Eeuw", city="Delft",
            venue_name="Museum Prinsenhof Delft", categories=("Rondleiding",),
            start=datetime(2027, 1, 24, 14, tzinfo=AMSTERDAM) + timedelta(weeks=i),
            end=datetime(2027, 1, 24, 15, 30, tzinfo=AMSTERDAM) + timedelta(weeks=i),
            url=f"https://www.delft.com/wandeling/{i}", price="€ 12,50",
        )
        for i in range(WALKS)
    ]  # fmt: skip
    ingest(store, make_source(id="delft-marketing", name="Delft Marketing", city="Delft",
                              kind="aggregator", venue=None), walks, [], NOW)  # fmt: skip
    store.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve_app(db: Path) -> Iterator[str]:
    """The agenda on a real uvicorn on 127.0.0.1; yields its base url (no slash at the end)."""
    import uvicorn

    from agenda.app import create_app
    from agenda.config import Settings

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = Settings(db=str(db), base_url=base, port=port, generation_check=0)
    app = create_app(settings, clock=lambda: CLOCK)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", ws="none", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-pages", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def launch_chromium(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is now; [] means no violations.

    The script is evaluated through the DevTools protocol, which the page's CSP
    (``script-src 'self'``) does not govern, so the page needs no exception for it.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const results = await window.axe.run(document);
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ')),
            }));
        }"""
    )
    return result


class PartnerTab:
    """A browser tab for the partner pages: signs in, remembers console errors (a CSP
    violation shows up there), checks accessibility and saves screenshots."""

    def __init__(self, context: BrowserContext, base_url: str) -> None:
        self.context, self.base_url = context, base_url
        self.page = context.new_page()
        self.errors: list[str] = []
        self.page.on(
            "console",
            lambda m: self.errors.append(m.text) if m.type in ("error", "warning") else None,
        )
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def open(self, path: str) -> Page:
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.status == 200, path
        return self.page

    def assert_accessible(self) -> None:
        violations = axe_violations(self.page)
        assert violations == [], json.dumps(violations, indent=1)

    def sign_in(self, key: str, path: str = "/partners/planner") -> Page:
        page = self.page
        page.goto(self.base_url + path)
        page.wait_for_url("**/partners/login?next=*")
        page.get_by_label("API-sleutel").fill(key)
        page.get_by_role("button", name="Inloggen").click()
        page.wait_for_url("**" + path)
        return page

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
