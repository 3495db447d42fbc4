"""Browser-test fixtures: the dashboard on a free localhost port, Debian chromium driven by
Playwright, and a network guard that fails the test on any request to another host.

Screenshots go to ``build/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


@dataclass
class LiveServer:
    """The dashboard served in a thread: its base URL and its Dash app."""

    url: str
    app: Any


@dataclass
class NetworkGuard:
    """Every request the browser made, and those that left localhost."""

    requests: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)

    def check(self, url: str) -> bool:
        """Record ``url``; return True when it is local (or an in-page data/blob URL)."""
        self.requests.append(url)
        parsed = urlparse(url)
        if parsed.scheme in {"data", "blob", "about"}:
            return True
        if parsed.hostname in LOCAL_HOSTS:
            return True
        self.outside.append(url)
        return False


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Serve the dashboard on the Mekong demo region on a free port (threaded)."""
    from werkzeug.serving import make_server

    from dashboard.app import create_app
    from dashboard.auth import DEMO_ACCOUNTS, write_accounts

    folder = tmp_path_factory.mktemp("instance")
    users = write_accounts(folder / "users.toml", DEMO_ACCOUNTS)
    app = create_app(region="mekong", users_file=users, secret_key="browser-tests", preload=True)
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Launch Debian chromium once for the session."""
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (/usr/bin/chromium); run scripts/setup.sh")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def guard() -> NetworkGuard:
    """A fresh record of the browser's requests for one test."""
    return NetworkGuard()


@pytest.fixture
def page(browser: Any, guard: NetworkGuard) -> Iterator[Any]:
    """A new browser page whose requests to other hosts are aborted and fail the test."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="en-GB")

    def route(r: Any) -> None:
        if guard.check(r.request.url):
            r.continue_()
        else:
            r.abort()

    context.route("**/*", route)
    context.on("request", lambda request: guard.check(request.url) or None)
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()
    assert guard.outside == [], f"requests left localhost: {sorted(set(guard.outside))}"


def login(page: Any, base_url: str, username: str, password: str) -> float:
    """Log in through the dashboard's login form with the keyboard only; wait for the map.

    Returns the seconds from pressing Enter to the overview map drawn. The form is ready
    (Dash and plotly.js loaded, as they are by the time a person has typed) before typing.
    """
    page.goto(f"{base_url}/")
    page.wait_for_selector("#username")
    page.wait_for_function("() => typeof window.Plotly !== 'undefined'")
    page.focus("#username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    start = time.perf_counter()
    page.keyboard.press("Enter")
    wait_for_map(page)
    return time.perf_counter() - start


def wait_for_map(page: Any, graph_id: str = "overview-map") -> None:
    """Wait until the plotly map of ``graph_id`` has a MapLibre canvas and drawn data."""
    page.wait_for_selector(f"#{graph_id} .maplibregl-canvas")
    page.wait_for_function(
        """(id) => {
            const gd = document.querySelector('#' + id + ' .js-plotly-plot');
            return gd && gd.data && gd.data.length > 0 && gd._fullLayout
                && gd._fullLayout.map && gd._fullLayout.map._subplot
                && gd._fullLayout.map._subplot.map.loaded();
        }""",
        arg=graph_id,
    )


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot under build/screenshots/ and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
