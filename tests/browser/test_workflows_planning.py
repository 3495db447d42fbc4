"""The planner's page before a run, in a real chromium: the candidate sites on the real,
labelled map (not a bare axis) and panels that say what to do."""

from __future__ import annotations

from typing import Any

import pytest
from _browser import LiveServer, login, screenshot, wait_for_map

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_before_a_run_the_map_shows_candidate_sites_and_panels_say_what_to_do(
    page: Any, live_server: LiveServer
) -> None:
    from dashboard import data

    region = data.load_region(str(live_server.app.server.config[data.CONFIG_KEY]))
    login(page, live_server.url, "planner", "planner-demo")
    page.goto(f"{live_server.url}/planning")
    wait_for_map(page, "planning-map")
    shown = page.evaluate(
        """() => {
            const gd = document.querySelector('#planning-map .js-plotly-plot');
            const sites = gd._fullData.filter((t) => t.legendgroup === 'candidates');
            const layers = gd._fullLayout.map._subplot.map.getStyle().layers.map((l) => l.id);
            return {points: sites.reduce((n, t) => n + t.lon.length, 0),
                    title: sites.length ? sites[0].legendgrouptitle.text : '',
                    labels: layers.includes('labels-country'),
                    axis: !!document.querySelector('#planning-map .xy')};
        }"""
    )
    assert shown["points"] == len(region.sites), shown
    assert shown["title"] == f"Candidate sites ({len(region.sites)})"
    assert shown["labels"] and not shown["axis"], shown
    assert "No plan yet" in page.locator("#planning-table").inner_text()
    assert "After a run" in page.locator("#planning-calendar").inner_text()
    assert page.locator("#planning-run").is_enabled()
    screenshot(page, "planning-before-run")
