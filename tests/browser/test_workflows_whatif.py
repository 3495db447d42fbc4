"""The analyst's what-if in a real chromium: the result in a full-width panel whose table
headers are whole, crossings named (never ids), the closed crossing drawn on top."""

from __future__ import annotations

import re
from typing import Any

import pytest
from _browser import LiveServer, choose_option, login, screenshot, wait_for_map

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CROSSING_ID = re.compile(r"\b[A-Z]{2}-[A-Z]{2}-[A-Z0-9]+\b")


def test_whatif_result_is_wide_readable_and_names_crossings(
    page: Any, live_server: LiveServer
) -> None:
    login(page, live_server.url, "analyst", "analyst-demo")
    page.goto(f"{live_server.url}/corridors")
    wait_for_map(page, "corridors-map")
    page.wait_for_selector("#corridors-table table", timeout=90_000)
    corridors = page.locator("#corridors-table table").inner_text()
    assert not CROSSING_ID.search(corridors), corridors
    choose_option(
        page, "#corridors-close", "Crossing: Mae Sot–Myawaddy", typed="Mae Sot", exact=False
    )
    page.click("#corridors-whatif-run")
    page.wait_for_selector("#corridors-whatif-result table", timeout=90_000)
    widths = page.evaluate(
        """() => ({panel: document.querySelector('.panel-whatif').getBoundingClientRect().width,
                  map: document.querySelector('.panel-map').getBoundingClientRect().width})"""
    )
    assert widths["panel"] >= 0.95 * widths["map"], widths  # under the map, full width
    cut = page.evaluate(
        """() => [...document.querySelectorAll('#corridors-whatif-result th')]
            .filter((th) => th.scrollWidth > th.clientWidth + 1
                            || th.innerText.includes('…'))
            .map((th) => th.innerText)"""
    )
    assert cut == [], cut
    moved = page.locator("#corridors-whatif-result table").first.inner_text()
    assert "People/year" in moved and "Mae Sot" in moved
    assert not CROSSING_ID.search(moved), moved
    last = page.evaluate(
        """() => {
            const data = document.querySelector('#corridors-map .js-plotly-plot').data;
            return [data[data.length - 1].name, data[data.length - 1].below || ''];
        }"""
    )
    assert last == ["Closed", ""], last  # drawn last, above hotspots and labels
    screenshot(page, "corridors-whatif-wide")
