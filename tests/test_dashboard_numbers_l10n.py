"""Numbers on the Overview and Corridors in the page's language (Babel / CLDR): no
English "1,604" on a French or Spanish page — headline, colour bar, legend, hover,
tables — and country names in the language too."""

from __future__ import annotations

import re
from typing import Any

import pytest
from _dashboard_fixtures import dump

from dashboard import corridors_model as cm
from dashboard import data
from dashboard.corridors_render import corridor_table, hotspot_table
from dashboard.i18n import translator
from dashboard.overview_model import OverviewState, render_overview
from geotraf.datasets import get_path

ENGLISH_GROUPING = re.compile(r"\d,\d{3}(?!\d)")
FRENCH_GROUPING = re.compile(r"\d\u202f\d{3}")
SPANISH_GROUPING = re.compile(r"\d\.\d{3}(?!\d)")


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("releases"))


@pytest.fixture(scope="module")
def view(releases: str) -> data.RegionView:
    return data.region_view(str(get_path("mekong")), releases)


def _texts(figure: Any) -> str:
    """Every string a person can read on the map: legend, colour bar, hover, custom data."""
    fig = figure.to_plotly_json()
    parts: list[Any] = []
    for trace in fig["data"]:
        parts += [trace.get("name"), trace.get("hovertext"), trace.get("customdata")]
        parts += [trace.get("colorbar", {}).get("ticktext")]
    return dump(parts)


@pytest.mark.parametrize(("lang", "grouping"), [("fr", FRENCH_GROUPING), ("es", SPANISH_GROUPING)])
def test_overview_numbers_follow_the_language(
    view: data.RegionView, lang: str, grouping: re.Pattern[str]
) -> None:
    result = render_overview(
        view, OverviewState(), base_url="http://x/", t=translator(lang), lang=lang
    )
    text = _texts(result.map_figure) + dump(result.headline)
    assert not ENGLISH_GROUPING.search(text), ENGLISH_GROUPING.findall(text)[:5]
    assert grouping.search(dump(result.headline)), result.headline
    ticks = result.map_figure.data[0].colorbar.ticktext
    assert any(grouping.search(str(tick)) for tick in ticks), ticks


def test_overview_names_countries_in_the_language(view: data.RegionView) -> None:
    result = render_overview(
        view, OverviewState(), base_url="http://x/", t=translator("es"), lang="es"
    )
    text = _texts(result.map_figure) + dump(result.headline)
    assert "Tailandia" in text and "Thailand" not in text


@pytest.fixture(scope="module")
def net(releases: str) -> cm.CorridorNetwork:
    return cm.corridor_network(str(get_path("mekong")), releases=releases)


def test_corridors_numbers_follow_the_language(net: cm.CorridorNetwork) -> None:
    t = translator("fr")
    state = cm.CorridorState()
    payload = cm.corridor_payload(net, state, t=t, lang="fr")
    cards = cm.headline(net, state, t=t, lang="fr")
    tables = cm.cached_tables(net, state)
    unit = cm.unit_label(net.synthetic, t)
    html = dump(
        [
            payload["classes"],
            cards,
            corridor_table(tables.corridors, unit=unit, t=t, lang="fr").__repr__(),
            hotspot_table(tables.hotspots, unit=unit, t=t, lang="fr").__repr__(),
        ]
    )
    # The hotspot explanations (hover titles) are in the page's language too.
    assert "title='Point de passage frontalier" in html
    assert "modelled flow passes" not in html
    assert not ENGLISH_GROUPING.search(html), ENGLISH_GROUPING.findall(html)[:5]
    assert FRENCH_GROUPING.search(html)
    assert not re.search(r"'0\.\d\d'", html)  # scores with a decimal comma: 0,62
    assert "\u00a0%" in dump(cards)  # "100 %", the French way
