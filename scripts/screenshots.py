"""Regenerate ``docs/screenshots/``: each role's pages as that role sees them, offline.

Serves the dashboard on the Mekong demo region on a free local port, drives Debian
chromium through Playwright (every request to another host is refused), logs in as the
donor, the analyst and the planner through the real login form, and saves each page at
desktop width (1440 px) and phone width (390 px), plus the overview in French, the
analyst's what-if with the Mae Sot crossing closed, and the planner's page before a run.
The planner's page is also captured after a plan has run; its PDF briefing's first page
is saved as text beside the images (``planning-briefing-summary.txt``).

Run from the repository root::

    .venv/bin/python scripts/screenshots.py            # all shots, about 2-3 minutes
    .venv/bin/python scripts/screenshots.py --only overview
"""

from __future__ import annotations

import argparse
import io
import logging
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"


@dataclass(frozen=True)
class Shot:
    """One screenshot: who, which page, how wide, in which language, saved as ``name``."""

    name: str
    user: str
    path: str
    ready: str
    width: int = 1440
    lang: str = "en"


SHOTS: tuple[Shot, ...] = (
    Shot("overview-donor", "donor", "/", "#overview-map .js-plotly-plot"),
    Shot("overview-donor-phone", "donor", "/", "#overview-map .js-plotly-plot", width=390),
    Shot("overview-donor-fr", "donor", "/", "#overview-map .js-plotly-plot", lang="fr"),
    Shot("corridors-analyst", "analyst", "/corridors", "#corridors-hotspots table"),
    Shot(
        "corridors-analyst-phone", "analyst", "/corridors", "#corridors-hotspots table", width=390
    ),
    Shot("corridors-analyst-whatif", "analyst", "/corridors", "#corridors-whatif-result table"),
    Shot("planning-planner-before-run", "planner", "/planning", "#planning-map .maplibregl-canvas"),
    Shot("planning-planner", "planner", "/planning", "#planning-summary .card"),
    Shot("planning-planner-phone", "planner", "/planning", "#planning-run", width=390),
)


@contextmanager
def serve() -> Iterator[str]:
    """Serve the dashboard on the Mekong region in a thread; yield its base URL."""
    from werkzeug.serving import make_server

    from dashboard.app import create_app
    from dashboard.auth import DEMO_ACCOUNTS, write_accounts

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    with tempfile.TemporaryDirectory() as tmp:
        users = write_accounts(Path(tmp) / "users.toml", DEMO_ACCOUNTS)
        app = create_app(region="mekong", users_file=users, secret_key="screens", preload=True)
        server = make_server("127.0.0.1", 0, app.server, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}"
        finally:
            server.shutdown()
            thread.join(timeout=5)


def _login(page: Any, url: str, user: str) -> None:
    page.goto(f"{url}/")
    page.wait_for_selector("#username")
    page.fill("#username", user)
    page.fill("#password", f"{user}-demo")
    page.keyboard.press("Enter")
    page.wait_for_selector("#overview-map .js-plotly-plot", timeout=60_000)


def take(shot: Shot, browser: Any, url: str, out: Path) -> Path:
    """Save one screenshot (full page) and return its path."""
    from dashboard.offline import is_local_url

    context = browser.new_context(
        viewport={"width": shot.width, "height": 900}, locale="en-GB", device_scale_factor=1
    )
    context.route("**/*", lambda r: r.continue_() if is_local_url(r.request.url) else r.abort())
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        if shot.lang != "en":
            page.goto(f"{url}/language/{shot.lang}?next=/")
        _login(page, url, shot.user)
        page.goto(f"{url}{shot.path}")
        if shot.ready == "#corridors-whatif-result table":
            _close_crossing(page, "Mae Sot")
        if shot.ready == "#planning-summary .card":
            page.wait_for_selector("#planning-run")
            page.click("#planning-run")
            page.wait_for_selector(shot.ready, timeout=300_000)
            _briefing_text(page, out)
        page.wait_for_selector(shot.ready, timeout=120_000)
        page.wait_for_timeout(1500)  # maps settle
        target = out / f"{shot.name}.png"
        page.screenshot(path=str(target), full_page=True)
        return target
    finally:
        context.close()


def _close_crossing(page: Any, typed: str) -> None:
    """Run the what-if with the first crossing whose name starts with ``typed`` closed."""
    page.wait_for_selector("#corridors-hotspots table", timeout=120_000)
    page.click("#corridors-close")
    page.keyboard.type(typed)
    option = page.get_by_role("option").filter(has_text="Crossing: " + typed).first
    option.wait_for(state="visible")
    option.click()
    page.keyboard.press("Escape")
    page.click("#corridors-whatif-run")


def _briefing_text(page: Any, out: Path) -> None:
    """Download the PDF briefing and keep its summary page's text (what a reader sees)."""
    from pypdf import PdfReader

    with page.expect_download(timeout=180_000) as info:
        page.click("#planning-download-pdf")
    pdf = Path(info.value.path())
    first = PdfReader(io.BytesIO(pdf.read_bytes())).pages[0].extract_text()
    (out / "planning-briefing-summary.txt").write_text(first + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Take the screenshots (all, or those whose name contains ``--only``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="take only shots whose name contains this")
    parser.add_argument("--out", type=Path, default=OUT, help="folder (docs/screenshots)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from playwright.sync_api import sync_playwright

    from dashboard.offline import CHROMIUM, CHROMIUM_OFFLINE_ARGS

    args.out.mkdir(parents=True, exist_ok=True)
    shots = [s for s in SHOTS if args.only in s.name]
    with serve() as url, sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=list(CHROMIUM_OFFLINE_ARGS)
        )
        try:
            for shot in shots:
                print(f"{shot.name}: {take(shot, browser, url, args.out)}")
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
