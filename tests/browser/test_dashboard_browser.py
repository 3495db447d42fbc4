"""The dashboard in a real chromium: each role logs in, the map draws offline, filters change
it and the URL, a donor cannot reach analyst/planner data, no response leaks a small count."""

from __future__ import annotations

import json
from typing import Any

import pytest
from _browser import (
    LiveServer,
    NetworkGuard,
    login,
    screenshot,
    wait_for_map,
    wait_for_map_idle,
)
from _dashboard_fixtures import PERSON_FIELDS, figure_numbers

from dashboard.auth import DEMO_ACCOUNTS

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _map_state(page: Any) -> dict[str, Any]:
    state: dict[str, Any] = page.evaluate(
        """() => {
            const gd = document.querySelector('#overview-map .js-plotly-plot');
            const z = Array.from(gd.data[0].z || []);
            return {z: z.reduce((a, b) => a + b, 0), n: z.length,
                    traces: gd.data.map(t => t.type)};
        }"""
    )
    return state


@pytest.mark.parametrize("user", list(DEMO_ACCOUNTS))
def test_each_role_logs_in_and_the_map_draws_offline(
    page: Any, live_server: LiveServer, guard: NetworkGuard, user: str
) -> None:
    login(page, live_server.url, user, DEMO_ACCOUNTS[user][1])
    state = _map_state(page)
    assert state["n"] > 0 and state["traces"][0] == "choroplethmap"
    assert "scattermap" in state["traces"]  # flow arcs
    assert page.locator(".banner-synthetic").inner_text().startswith("SYNTHETIC DEMO DATA")
    assert page.locator(".legend").count() >= 1  # plotly legend on the map
    assert any("/basemap/borders.geojson" in url for url in guard.requests)
    screenshot(page, f"overview-{user}")


def test_login_in_a_fresh_context_draws_the_overview_map_offline(
    browser: Any, live_server: LiveServer
) -> None:
    """A cold browser (new context: no cookies, empty cache) logs in and gets the map.

    Nothing is loaded again after logging in (the page router re-renders in place), every
    request stays on localhost, and the Overview figure is the country choropleth with
    its flow arcs. Its speed is measured by ``benchmarks/bench_first_load.py``.
    """
    guard = NetworkGuard()
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="en-GB")
    context.route("**/*", lambda r: r.continue_() if guard.check(r.request.url) else r.abort())
    try:
        fresh = context.new_page()
        fresh.set_default_timeout(30_000)
        fresh.goto(f"{live_server.url}/")
        fresh.wait_for_selector("#username")
        assert fresh.locator("#overview-map").count() == 0  # no data before logging in
        fresh.evaluate("() => { window.__sameDocument = true; }")
        fresh.focus("#username")
        fresh.keyboard.type("donor")
        fresh.keyboard.press("Tab")
        fresh.keyboard.type("donor-demo")
        fresh.keyboard.press("Enter")
        wait_for_map(fresh)
        state = _map_state(fresh)
        assert state["n"] > 0 and state["traces"][0] == "choroplethmap"
        assert "scattermap" in state["traces"]  # flow arcs
        assert "donor" in fresh.locator("#shell-user").inner_text()
        # Logging in re-rendered the page in place: nothing was loaded again.
        assert fresh.evaluate("() => window.__sameDocument === true")
    finally:
        context.close()
    assert any("/basemap/" in url for url in guard.requests)
    assert guard.outside == [], f"requests left localhost: {sorted(set(guard.outside))}"


def test_filters_change_the_map_and_the_shareable_url(page: Any, live_server: LiveServer) -> None:
    login(page, live_server.url, "donor", "donor-demo")
    before = _map_state(page)
    page.get_by_label("Sexual", exact=True).uncheck()
    page.wait_for_function(
        "(z) => { const gd = document.querySelector('#overview-map .js-plotly-plot');"
        " return Array.from(gd.data[0].z).reduce((a, b) => a + b, 0) !== z; }",
        arg=before["z"],
    )
    after = _map_state(page)
    assert after["z"] < before["z"]
    page.wait_for_function("() => window.location.search.includes('exploitation=')")
    shared = page.url
    assert "sexual" not in shared.split("exploitation=")[1].split("&")[0].split(",")
    page.get_by_label("By destination").check()
    page.wait_for_function("() => window.location.search.includes('side=destination')")
    wait_for_map_idle(page)
    screenshot(page, "overview-filtered")
    # Opening the shared address shows the same view.
    page.goto(page.url)
    wait_for_map(page)
    assert page.get_by_label("Sexual", exact=True).is_checked() is False
    assert page.get_by_label("By destination").is_checked()


def test_keyboard_changes_a_filter(page: Any, live_server: LiveServer) -> None:
    login(page, live_server.url, "donor", "donor-demo")
    page.get_by_label("Forced labour", exact=True).focus()
    page.keyboard.press("Space")
    page.wait_for_function("() => window.location.search.includes('exploitation=')")
    assert not page.get_by_label("Forced labour", exact=True).is_checked()


def test_donor_cannot_reach_corridors_or_planning(page: Any, live_server: LiveServer) -> None:
    login(page, live_server.url, "donor", "donor-demo")
    nav = page.locator("#shell-nav").inner_text()
    assert "Corridors" not in nav and "Planning" not in nav
    for path in ("corridors", "planning"):
        page.goto(f"{live_server.url}/{path}")
        page.wait_for_selector(".access-denied")
        assert "Access denied" in page.locator(".access-denied").inner_text()
        screenshot(page, f"denied-{path}-donor")
    # Posting straight to every corridors/planning callback is refused on the server.
    deps = page.request.get(f"{live_server.url}/_dash-dependencies").json()
    for dep in deps:
        if not dep["output"].lstrip(".").startswith(("corridors", "planning")):
            continue
        body = {
            "output": dep["output"],
            "outputs": [],
            "inputs": [{**i, "value": None} for i in dep["inputs"]],
            "changedPropIds": [],
            "state": [],
        }
        resp = page.request.post(f"{live_server.url}/_dash-update-component", data=body)
        assert resp.status == 403, dep["output"]


@pytest.mark.parametrize(("user", "path"), [("analyst", "corridors"), ("planner", "planning")])
def test_pages_of_higher_roles_open_for_them(
    page: Any, live_server: LiveServer, user: str, path: str
) -> None:
    login(page, live_server.url, user, DEMO_ACCOUNTS[user][1])
    page.locator("#shell-nav").get_by_text(path.capitalize()).click()
    page.wait_for_url(f"**/{path}")
    page.wait_for_load_state("networkidle")
    assert page.locator(".access-denied").count() == 0
    screenshot(page, f"{path}-{user}")


def test_every_overview_response_is_suppressed(page: Any, live_server: LiveServer) -> None:
    bodies: list[dict[str, Any]] = []

    def keep(response: Any) -> None:
        if "/_dash-update-component" in response.url and response.status == 200:
            bodies.append(response.json())

    page.on("response", keep)
    login(page, live_server.url, "donor", "donor-demo")
    page.get_by_label("Provinces").check()
    page.wait_for_function("() => window.location.search.includes('level=province')")
    page.wait_for_function(
        "() => document.querySelector('#overview-map .js-plotly-plot').data[0].featureidkey"
        " !== 'properties.country'"
    )
    wait_for_map_idle(page)
    screenshot(page, "overview-provinces")
    page.get_by_label("Begging", exact=True).uncheck()
    page.wait_for_function("() => window.location.search.includes('exploitation=')")
    page.wait_for_load_state("networkidle")
    assert len(bodies) >= 3
    for body in bodies:
        text = json.dumps(body)
        assert not any(field in text for field in PERSON_FIELDS)
        for value in figure_numbers(body):
            assert value == 0 or value >= 11, value


def test_login_page_and_french_interface(page: Any, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/")
    page.wait_for_selector("#username")
    screenshot(page, "login")
    page.get_by_text("Français").first.click()
    page.wait_for_selector("text=Se connecter")
    login(page, live_server.url, "donor", "donor-demo")
    assert "Vue d'ensemble" in page.locator("#shell-nav").inner_text()
    screenshot(page, "overview-fr")
