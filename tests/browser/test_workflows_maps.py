"""The live maps in a real chromium: country and town names drawn by MapLibre from the
app's own glyph files (no request leaves the machine), arrowheads on the flow arcs and
on the corridors, and legend entries for suppressed and missing areas."""

from __future__ import annotations

from typing import Any

import pytest
from _browser import LiveServer, login, screenshot, wait_for_map, wait_for_map_idle

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: Names MapLibre placed on the map of ``id`` (label layers only), by layer.
RENDERED_LABELS = """(id) => {
    const gd = document.querySelector('#' + id + ' .js-plotly-plot');
    const map = gd._fullLayout.map._subplot.map;
    const out = {};
    for (const layer of ['labels-country', 'labels-town']) {
        out[layer] = map.queryRenderedFeatures({layers: [layer]})
            .map((f) => f.properties.name);
    }
    return out;
}"""


def _labels(page: Any, graph_id: str) -> dict[str, list[str]]:
    wait_for_map_idle(page, graph_id)
    # Glyphs arrive after the first idle on a cold cache: wait until names are placed.
    page.wait_for_function(
        f"() => ({RENDERED_LABELS})('{graph_id}')['labels-country'].length > 0",
        timeout=30_000,
    )
    return page.evaluate(RENDERED_LABELS, graph_id)


def test_overview_map_names_countries_and_towns_in_french_and_arcs_point(
    page: Any, live_server: LiveServer, guard: Any
) -> None:
    page.goto(f"{live_server.url}/language/fr?next=/")
    login(page, live_server.url, "donor", "donor-demo")
    labels = _labels(page, "overview-map")
    assert {"Thaïlande", "Cambodge", "Laos"} <= set(labels["labels-country"]), labels
    assert "Bangkok" in labels["labels-town"], labels
    glyphs = [u for u in guard.requests if "/assets/glyphs/" in u]
    assert glyphs and all(u.startswith(live_server.url) for u in glyphs)
    legend = page.locator("#overview-map .legend").text_content() or ""
    assert "<11 (masqué)" in legend and "Pas de données" in legend
    assert "pointe de flèche : vers la destination" in legend
    heads = page.evaluate(
        """() => {
            const gd = document.querySelector('#overview-map .js-plotly-plot');
            const map = gd._fullLayout.map._subplot.map;
            const trace = gd._fullData.find((t) => t.fill === 'toself'
                && t.legendgroup === 'flows');
            if (!trace) { return null; }
            const drawn = map.getStyle().layers.filter((l) => l.id.includes(trace.uid));
            return {gaps: trace.lon.filter((v) => v === null || Number.isNaN(v)).length,
                    fill: drawn.some((l) => l.type === 'fill'),
                    below: gd._fullData.filter((t) => t.visible !== false)
                .map((t) => t.type + ':' + t.below)};
        }"""
    )
    assert heads is not None and heads["fill"] and heads["gaps"] >= 1, heads
    assert all(b.endswith(":labels-town-dot") for b in heads["below"]), heads
    screenshot(page, "overview-labels-fr")


def test_corridors_map_names_places_under_the_data(page: Any, live_server: LiveServer) -> None:
    login(page, live_server.url, "analyst", "analyst-demo")
    page.goto(f"{live_server.url}/corridors")
    wait_for_map(page, "corridors-map")
    page.wait_for_selector("#corridors-hotspots table", timeout=90_000)
    labels = _labels(page, "corridors-map")
    assert "Thailand" in labels["labels-country"], labels
    assert labels["labels-town"], labels
    below = page.evaluate(
        """() => document.querySelector('#corridors-map .js-plotly-plot')._fullData
            .map((t) => t.below)"""
    )
    assert below and set(below) == {"labels-town-dot"}, below
    legend = page.locator("#corridors-map .legend").text_content() or ""
    assert "arrow: main direction of the modelled flow" in legend
    arrows = page.evaluate(
        """() => document.querySelector('#corridors-map .js-plotly-plot')._fullData
            .filter((t) => t.legendgroup === 'direction' && t.fill === 'toself')
            .map((t) => t.lon.filter((v) => v === null || Number.isNaN(v)).length + 1)"""
    )
    assert arrows and arrows[0] >= 5, arrows  # arrows spread over the busy roads
