"""Numbers in the page's language in a real chromium: on a French Overview and Corridors,
the headline, the colour bar, the legends and the hover text (including what the
client-side code draws) group digits the French way, never "1,604"."""

from __future__ import annotations

import re
from typing import Any

import pytest
from _browser import LiveServer, login, wait_for_map, wait_for_map_idle

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ENGLISH_GROUPING = re.compile(r"\d,\d{3}(?!\d)")
FRENCH_GROUPING = re.compile(r"\d[\u202f\u00a0 ]\d{3}")

#: Every text of a map a person can read: legend, colour bar ticks, hover texts.
MAP_TEXT = """(id) => {
    const gd = document.querySelector('#' + id + ' .js-plotly-plot');
    const parts = [document.querySelector('#' + id + ' .legend')?.textContent || '',
                   ...[...document.querySelectorAll('#' + id + ' .colorbar text')]
                       .map((n) => n.textContent)];
    for (const t of gd._fullData) {
        const hover = t.hovertext || [];
        for (let i = 0; i < hover.length; i += 7) { if (hover[i]) parts.push(hover[i]); }
        (t.customdata || []).forEach((c) => parts.push(String(c)));
    }
    return parts.join(' | ');
}"""


def test_french_overview_and_corridors_group_digits_the_french_way(
    page: Any, live_server: LiveServer
) -> None:
    page.goto(f"{live_server.url}/language/fr?next=/")
    login(page, live_server.url, "analyst", "analyst-demo")
    wait_for_map_idle(page, "overview-map")
    cards = page.locator("#overview-headline").inner_text()
    text = page.evaluate(MAP_TEXT, "overview-map")
    assert FRENCH_GROUPING.search(cards), cards
    assert FRENCH_GROUPING.search(text), text[:300]
    assert not ENGLISH_GROUPING.search(cards + text), ENGLISH_GROUPING.findall(cards + text)
    page.goto(f"{live_server.url}/corridors")
    wait_for_map(page, "corridors-map")
    page.wait_for_selector("#corridors-hotspots table", timeout=90_000)
    wait_for_map_idle(page, "corridors-map")
    cards = page.locator("#corridors-headline").inner_text()
    text = page.evaluate(MAP_TEXT, "corridors-map")
    tables = page.locator("#corridors-table").inner_text()
    tables += page.locator("#corridors-hotspots table").inner_text()
    assert FRENCH_GROUPING.search(cards + text + tables)
    assert "\u00a0%" in cards, cards
    # The hotspot explanations (hover) are French sentences too.
    assert "du flux modélisé passe ici" in text, text[:300]
    assert "modelled flow passes" not in text, text[:300]
    shown = cards + text + tables
    assert not ENGLISH_GROUPING.search(shown), ENGLISH_GROUPING.findall(shown)
