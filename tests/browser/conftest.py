"""Browser-test fixtures: the dashboard on a free localhost port, Debian chromium driven by
Playwright, and a network guard that fails the test on any request to another host.

Helpers (logging in, waiting for the map, screenshots) live in :mod:`_browser`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from _browser import CHROMIUM_ARGS, LiveServer, NetworkGuard

from dashboard.offline import CHROMIUM


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
