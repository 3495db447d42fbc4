"""The PDF briefing read as a highway-police commander reads it (text pulled out by pypdf).

Every ranked site carries its number, coordinates (decimal degrees and an MGRS grid
reference), nearest town and road; the schedule has real dates and the shift hours the
planner typed; the first page is a summary with the distribution line; and in French the
whole document is French.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import pytest
from _analysis_fixtures import write_region
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard import briefing, i18n
from dashboard import planning_model as pm
from geotraf import naming

PARAMS = pm.PlanParams(
    budget=2,
    teams=1,
    days=2,
    shifts=2,
    seed=7,
    start_date="2027-03-01",
    first_shift="06:00",
    shift_hours=8,
    distribution="Highway Police Region 4 commander",
)


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_region(tmp_path_factory.mktemp("briefing") / "region").resolve()


@pytest.fixture(scope="module")
def run(region: Path) -> pm.PlanRun:
    return pm.run_plan(str(region), PARAMS)


def _pages(run: pm.PlanRun, lang: str) -> list[str]:
    from pypdf import PdfReader

    t = i18n.translator(lang)
    view = pm.plan_view(run, t=t)
    pdf = briefing.build_briefing(
        run,
        view,
        map_image=None,
        unit=pm.unit_label(run, t),
        t=t,
        lang=lang,
        generated_by="planner",
    )
    return [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]


def _nearest_town(region: Path, lon: float, lat: float) -> str:
    places = gpd.read_file(region / "places.geojson")
    geod = pyproj.Geod(ellps="WGS84")
    n = len(places)
    _, _, dist = geod.inv(
        places.geometry.x.to_numpy(), places.geometry.y.to_numpy(), [lon] * n, [lat] * n
    )
    return str(places["name"].iloc[int(np.argmin(dist))])


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_site_has_number_coordinates_town_and_road(
    run: pm.PlanRun, region: Path, lang: str
) -> None:
    text = _flat(" ".join(_pages(run, lang)))
    sites = run.plan.sites
    assert len(sites) >= 1  # one crossing carries all the flow: greedy stops there
    for rank, lon, lat in zip(sites["rank"], sites.geometry.x, sites.geometry.y, strict=True):
        town = _nearest_town(region, lon, lat)
        coords = naming.decimal_degrees(lon, lat)
        grid = naming.grid_reference(lon, lat)
        # The row: its number, then the coordinates and the nearest town.
        assert re.search(rf"(^| ){rank} .*{re.escape(coords)}", text), (rank, coords)
        assert grid in text and town in text
    assert "AH1" in text  # the road of the North Bridge crossing


def test_schedule_has_real_dates_and_shift_hours_in_french(run: pm.PlanRun) -> None:
    pages = _pages(run, "fr")
    text = _flat(" ".join(pages))
    for day in ("1 mars 2027", "2 mars 2027"):
        assert day in text
    for hours in ("06:00–14:00", "14:00–22:00"):
        assert hours in text
    # Each post names the site by its number in the ranked table.
    assert re.search(r"Équipe 1 : n° 1 North Bridge post", text)


def test_french_briefing_is_entirely_french(run: pm.PlanRun) -> None:
    pages = _pages(run, "fr")
    text = _flat(" ".join(pages))
    for english in (
        "Counts are modelled",
        "Ranked sites",
        "Shift",
        "Team ",
        "people/year",
        "Generated",
        "Method",
        "RESTRICTED",
        "Nearest town",
        "modelled flow",
        "do not share",
        " between ",  # the source layer's English site names become kind, road and town
    ):
        assert english not in text, english
    assert all("DIFFUSION RESTREINTE" in p for p in pages)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_first_page_is_a_summary_with_distribution(run: pm.PlanRun, lang: str) -> None:
    pages = _pages(run, lang)
    first = _flat(pages[0])
    word = {"en": "Distribution:", "fr": "Diffusion :"}[lang]
    assert word in first and "Highway Police Region 4 commander" in first
    assert "seed None" not in first and "seed 7" in first.replace("graine", "seed")
    # The summary lists each site with its number and grid reference, on one page.
    for lon, lat in zip(run.plan.sites.geometry.x, run.plan.sites.geometry.y, strict=True):
        assert naming.grid_reference(lon, lat) in first


@settings(max_examples=40, deadline=None)
@given(
    st.floats(min_value=92.0, max_value=110.0),
    st.floats(min_value=5.0, max_value=28.0),
)
def test_grid_reference_matches_the_utm_coordinates(lon: float, lat: float) -> None:
    zone = int((lon + 180) // 6) + 1
    utm = pyproj.Transformer.from_crs(4326, 32600 + zone, always_xy=True)
    east, north = utm.transform(lon, lat)
    ref = naming.grid_reference(lon, lat)
    head, _square, e, n = ref.split(" ")
    assert head.startswith(str(zone))
    # Within 10 m of the UTM position, modulo the 100 km square (floors may differ by
    # one digit at a square edge from rounding in the two libraries).
    assert abs(int(e) - int(east % 100_000) // 10) in (0, 1, 9999)
    assert abs(int(n) - int(north % 100_000) // 10) in (0, 1, 9999)
