"""Corridors in a real chromium: an analyst filters and the corridor lines change (and the
URL), closes a crossing and sees the displacement; a donor gets no corridor data."""

from __future__ import annotations

from typing import Any

import pytest
from _browser import (
    LiveServer,
    choose_option,
    login,
    post_callback,
    screenshot,
    wait_for_map,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CORRIDOR_STATE_JS = """() => {
    const gd = document.querySelector('#corridors-map .js-plotly-plot');
    const lines = gd.data.filter(t => t.legendgroup === 'corridors');
    return {names: lines.map(t => t.name),
            points: lines.reduce((n, t) => n + t.lon.filter(v => v !== null).length, 0),
            traces: gd.data.map(t => t.name)};
}"""


def _open_corridors(page: Any, live_server: LiveServer) -> dict[str, Any]:
    login(page, live_server.url, "analyst", "analyst-demo")
    page.goto(f"{live_server.url}/corridors")
    wait_for_map(page, "corridors-map")
    page.wait_for_function(
        "() => document.querySelector('#corridors-map .js-plotly-plot').data"
        ".some(t => t.legendgroup === 'corridors')"
    )
    page.wait_for_selector("#corridors-hotspots table")
    state: dict[str, Any] = page.evaluate(CORRIDOR_STATE_JS)
    return state


def test_analyst_filter_changes_the_corridors_and_the_url(
    page: Any, live_server: LiveServer
) -> None:
    before = _open_corridors(page, live_server)
    assert before["points"] > 100 and "Hotspots (size: score)" in before["traces"]
    screenshot(page, "corridors-analyst-all")
    choose_option(page, "#corridors-exploitation", "Begging", typed="Begging")
    page.wait_for_function(
        f"(before) => {{ const s = ({CORRIDOR_STATE_JS})(); return s.points !== before; }}",
        arg=before["points"],
    )
    after = page.evaluate(CORRIDOR_STATE_JS)
    assert after["names"] != before["names"] or after["points"] < before["points"]
    page.wait_for_function("() => window.location.search.includes('exploitation=begging')")
    screenshot(page, "corridors-analyst-begging")


def test_analyst_closes_a_crossing_and_sees_the_displacement(
    page: Any, live_server: LiveServer
) -> None:
    _open_corridors(page, live_server)
    choose_option(
        page, "#corridors-close", "Crossing: Mae Sot–Myawaddy", typed="Mae Sot", exact=False
    )
    chosen = page.locator("#corridors-close").inner_text()
    assert "Mae Sot" in chosen, chosen
    page.click("#corridors-whatif-run")
    try:
        page.wait_for_selector("#corridors-whatif-result table", timeout=60_000)
    finally:
        screenshot(page, "corridors-whatif")
    page.wait_for_function(
        "() => document.querySelector('#corridors-map .js-plotly-plot').data"
        ".some(t => t.legendgroup === 'whatif')"
    )
    names = page.evaluate(CORRIDOR_STATE_JS)["traces"]
    assert "Closed" in names and any(str(n).startswith("Gained load") for n in names)
    result = page.locator("#corridors-whatif-result").inner_text()
    assert "moved to other routes" in result and "Flows that moved" in result
    screenshot(page, "corridors-whatif")


def test_donor_gets_no_corridor_data(page: Any, live_server: LiveServer) -> None:
    login(page, live_server.url, "donor", "donor-demo")
    page.goto(f"{live_server.url}/corridors")
    page.wait_for_selector(".access-denied")
    assert page.locator("#corridors-map").count() == 0
    from _analysis_fixtures import dash_body

    status, text = post_callback(page, dash_body(live_server.app, "corridors-loads", {}))
    assert status == 403 and "loads" not in text
    screenshot(page, "corridors-donor-denied")
