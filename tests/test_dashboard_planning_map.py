"""The planning map before a run: every candidate site, by risk grade, on the labelled
basemap, with the note on what a run does."""

from __future__ import annotations

from pathlib import Path

import pytest
from _analysis_fixtures import write_region

from dashboard import basemap, data
from dashboard.i18n import translator
from dashboard.planning_map import candidate_map


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_region(tmp_path_factory.mktemp("planning-map") / "region").resolve()


def test_candidate_map_shows_every_site_on_the_labelled_map(region: Path) -> None:
    fig = candidate_map(
        str(region), base_url="http://127.0.0.1:8050/", t=translator("fr"), lang="fr"
    )
    sites = data.load_region(str(region)).sites
    drawn = [t for t in fig.data if t.legendgroup == "candidates"]
    assert sum(len(t.lon) for t in drawn) == len(sites)
    hover = " ".join(h for t in drawn for h in t.hovertext)
    assert "North Bridge post" in hover and "South Ford post" in hover
    assert drawn[0].legendgrouptitle.text == f"Sites candidats ({len(sites)})"
    assert all(t.below == basemap.LABELS_BELOW for t in fig.data)
    style = fig.layout.map.style
    assert style["glyphs"].startswith("http://127.0.0.1:8050/assets/glyphs/")
    names = {f["properties"]["name"] for f in style["sources"]["labels"]["data"]["features"]}
    assert {"Thaïlande", "Laos", "Bangkok"} <= names
    assert "Calculer le plan" in fig.layout.annotations[0].text
    assert fig.layout.xaxis.visible is not True and not fig.layout.xaxis.title.text
