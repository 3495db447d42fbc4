"""Phone-sized maps (390 px) in a real chromium: legends and colour bars start folded
away behind a button, so they do not cover the map; the button opens and closes them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from _browser import LiveServer, login, screenshot, wait_for_map

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: How much of the map (as a fraction of its area) the legend and colour bars cover.
COVERED = """(id) => {
    const root = document.querySelector('#' + id);
    const map = root.querySelector('.js-plotly-plot').getBoundingClientRect();
    let covered = 0;
    for (const el of root.querySelectorAll('.legend, .colorbar')) {
        const r = el.getBoundingClientRect();
        const w = Math.max(0, Math.min(r.right, map.right) - Math.max(r.left, map.left));
        const h = Math.max(0, Math.min(r.bottom, map.bottom) - Math.max(r.top, map.top));
        covered += w * h;
    }
    return covered / (map.width * map.height);
}"""


@pytest.fixture
def phone(browser: Any, guard: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    context.route("**/*", lambda r: r.continue_() if guard.check(r.request.url) else r.abort())
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    yield pg
    context.close()


@pytest.mark.parametrize(
    ("user", "path", "graph"),
    [("donor", "/", "overview-map"), ("analyst", "/corridors", "corridors-map")],
)
def test_phone_legends_collapse_and_do_not_cover_the_map(
    phone: Any, live_server: LiveServer, user: str, path: str, graph: str
) -> None:
    login(phone, live_server.url, user, f"{user}-demo")
    phone.goto(f"{live_server.url}{path}")
    wait_for_map(phone, graph)
    if graph == "corridors-map":
        phone.wait_for_selector("#corridors-hotspots table", timeout=90_000)
    toggle = phone.locator(f"#{graph} .legend-toggle")
    toggle.wait_for(state="visible")
    phone.wait_for_function(
        "(id) => !document.querySelector('#' + id + ' .legend')", arg=graph, timeout=20_000
    )
    assert toggle.get_attribute("aria-expanded") == "false"
    covered = phone.evaluate(COVERED, graph)
    assert covered < 0.12, f"legends cover {covered:.0%} of the map"
    screenshot(phone, f"phone-legend-closed-{graph}")
    toggle.click()
    phone.wait_for_selector(f"#{graph} .legend")
    phone.wait_for_selector(f"#{graph} .colorbar")  # the colour scale opens with it
    assert toggle.get_attribute("aria-expanded") == "true"
    assert "Hide legend" in toggle.inner_text()
    toggle.click()
    phone.wait_for_function(
        "(id) => !document.querySelector('#' + id + ' .legend')", arg=graph, timeout=20_000
    )


def test_desktop_keeps_the_legend_and_no_toggle(page: Any, live_server: LiveServer) -> None:
    login(page, live_server.url, "donor", "donor-demo")
    page.wait_for_selector("#overview-map .legend")
    assert page.locator("#overview-map .legend-toggle").count() == 0
