"""Every page works in chromium under the Content-Security-Policy, with no CSP violation.

The policy allows no inline script but Dash's own (by hash); our client-side callbacks
come from ``dashboard/assets``. The test logs in through the in-app form as a planner,
opens each page, waits for its map, and listens for ``securitypolicyviolation`` events
and console errors about the policy. It also logs out through the POST form.
"""

from __future__ import annotations

from typing import Any

import pytest
from _browser import LiveServer, login, wait_for_map

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LISTEN_JS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
    window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


def test_pages_work_under_the_csp_with_no_violation(page: Any, live_server: LiveServer) -> None:
    console: list[str] = []
    page.on("console", lambda msg: console.append(f"{msg.type}: {msg.text}"))
    page.add_init_script(LISTEN_JS)
    page.on("pageerror", lambda err: console.append(f"pageerror: {err}"))
    resp = page.goto(f"{live_server.url}/")
    assert resp is not None and "script-src" in resp.headers["content-security-policy"]
    login(page, live_server.url, "planner", "planner-demo")  # waits for the overview map
    violations = list(page.evaluate("() => window.__cspViolations"))
    page.goto(f"{live_server.url}/corridors")
    wait_for_map(page, "corridors-map")
    page.wait_for_function(
        "() => document.querySelector('#corridors-map .js-plotly-plot').data"
        ".some(t => t.legendgroup === 'corridors')"
    )  # drawn by the client-side function in assets/
    violations += page.evaluate("() => window.__cspViolations")
    page.goto(f"{live_server.url}/planning")
    page.wait_for_selector("#planning-run")
    violations += page.evaluate("() => window.__cspViolations")
    csp_console = [m for m in console if "Content Security Policy" in m or "CSP" in m]
    assert violations == [] and csp_console == [], (violations, csp_console)
    page.click("#shell-logout button")
    page.wait_for_selector("#username")
    status = page.evaluate("async () => (await fetch('/basemap/borders.geojson')).status")
    assert status == 401
