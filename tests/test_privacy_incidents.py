"""Incidents behind the release: one raw incident cannot be read back from what is shown.

Two copies of the Corridors test region (``_analysis_fixtures.write_region``: incidents of
12 and 20 people at the crossing X1) differ by one incident of **one person** at the road
junction outside Bangkok (102, 14), 245 km of road from X1, where all the flow passes.
Under raw incident density the value at an incident's own node is its count, so the
difference of the two regions' outputs there is exactly 1: the analyst's density layer,
the hotspot scores and the CLI's ``incident_density`` column give that one person back.
From the release, each region's incidents are released once (discrete Laplace noise, then
cells under 11 people dropped), so the difference is the release's, not the data's.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
from _analysis_fixtures import dash_body, write_region
from _dashboard_fixtures import login
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point

from dashboard.app import create_app
from dashboard.auth import DEMO_ACCOUNTS, write_accounts

pytestmark = pytest.mark.xdist_group("privacy_incidents")

#: Where the one extra incident is: the AH1 / AH2 junction at Bangkok.
BKK = (102.0, 14.0)
FILTERS = {"corridors-years.value": [2020, 2021], "corridors-method.value": "shortest"}


def _with_one_more_incident(folder: Path) -> Path:
    path = folder / "incidents.geojson"
    incidents = gpd.read_file(path)
    extra = gpd.GeoDataFrame(
        {"date": ["2021-06-01"], "kind": ["rescue"], "count": [1]},
        geometry=[Point(*BKK)],
        crs=incidents.crs,
    )
    both = pd.concat([incidents, extra], ignore_index=True)
    path.unlink()
    gpd.GeoDataFrame(both, crs=incidents.crs).to_file(path)
    return folder


@pytest.fixture(scope="module")
def regions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("incidents")
    without = write_region(base / "without").resolve()
    with_one = _with_one_more_incident(write_region(base / "with_one")).resolve()
    return without, with_one


def _hotspots_out(region: Path, out: Path) -> pd.DataFrame:
    from geotraf.cli import main

    code = main(["hotspots", "--region", str(region), "--out", str(out)])
    assert code == 0
    return pd.read_csv(out).set_index("node")


def test_cli_hotspots_do_not_give_back_one_incident(
    regions: tuple[Path, Path], tmp_path: Path
) -> None:
    without, with_one = regions
    a = _hotspots_out(without, tmp_path / "a.csv")
    b = _hotspots_out(with_one, tmp_path / "b.csv")
    node = _bangkok_junction(b)
    assert node in a.index
    difference = float(b.loc[node, "incident_density"] - a.loc[node, "incident_density"])
    assert difference != pytest.approx(1.0), "one raw incident of one person read back"
    # Nor does its explanation echo it.
    assert "density 1.0" not in str(b.loc[node, "explanation"])


def _bangkok_junction(spots: pd.DataFrame) -> str:
    names = spots["name"].astype(str)
    found = [n for n, name in names.items() if "junction, Bangkok" in name]
    assert len(found) == 1, names.to_dict()
    return str(found[0])


def _density_at(app: Any, where: tuple[float, float]) -> float:
    client = app.server.test_client()
    login(client, "analyst")
    resp = client.post("/_dash-update-component", json=dash_body(app, "corridors-overlay", FILTERS))
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    below = resp.get_json()["response"]["corridors-overlay"]["data"]["below"]
    for trace in below:
        if trace.get("type") != "densitymap":
            continue
        for lon, lat, z in zip(trace["lon"], trace["lat"], trace["z"], strict=True):
            if (round(float(lon), 3), round(float(lat), 3)) == where:
                return float(z)
    return 0.0


def test_analyst_density_layer_does_not_give_back_one_incident(
    regions: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> None:
    values = []
    for region in regions:
        folder = tmp_path_factory.mktemp("incident_instance")
        users = write_accounts(folder / "users.toml", DEMO_ACCOUNTS)
        app = create_app(region=str(region), users_file=users, secret_key="test")
        values.append(_density_at(app, BKK))
    assert values[1] - values[0] != pytest.approx(1.0), "one raw incident read back"


# --- the incidents table of the release ---------------------------------------------------


def test_incidents_are_a_table_of_the_release_with_their_share_in_the_ledger(
    regions: tuple[Path, Path], tmp_path: Path
) -> None:
    from geotraf.privacy.incidents import incident_cells, region_graph, released_incidents
    from geotraf.privacy.region import release_input, release_region
    from geotraf.privacy.store import ReleaseStore
    from layers import read_region

    without, with_one = regions
    region = read_region(without)
    store = ReleaseStore(tmp_path / "releases")
    release = release_region(region, store=store)
    table = release.table("incidents")
    # Keys: every junction and crossing of the route graph (public), whatever the data.
    cells = incident_cells(region_graph(region))
    assert sorted(table["node"]) == sorted(cells["node"]) and len(cells) == 4
    assert release.tables["incidents"].epsilon == pytest.approx(0.2)
    assert release.tables["incidents"].delta == 0.0
    assert release.epsilon == pytest.approx(1.0)
    (line,) = store.ledger()
    assert line["keys"]["incidents"] == ["node"]
    assert line["split"]["incidents"] == {"epsilon": 0.2, "delta": 0.0, "cells": 4}
    assert sum(t["epsilon"] for t in line["split"].values()) == pytest.approx(line["epsilon"])
    # Read back from the store, the released points are the same (public coordinates).
    again = store.load(release.release_id)
    assert again is not None
    first, second = released_incidents(release), released_incidents(again)
    if first is None:
        assert second is None
    else:
        assert second is not None
        assert first.drop(columns="geometry").equals(second.drop(columns="geometry"))
        assert list(first.geometry.to_wkt()) == list(second.geometry.to_wkt())
    # New incidents are a new dataset version: released again, not served the old one.
    assert release_input(region)[2] != release_input(read_region(with_one))[2]


def test_the_data_owner_keeps_the_raw_incidents_restricted(
    regions: tuple[Path, Path], tmp_path: Path
) -> None:
    from geotraf.cli import main

    _, with_one = regions
    out = tmp_path / "raw.csv"
    assert main(["hotspots", "--region", str(with_one), "--raw", "--out", str(out)]) == 0
    raw = pd.read_csv(out).set_index("node")
    # Raw: 32 people at X1 (12 + 20), the one person at the Bangkok junction.
    assert raw.loc["x:X1", "incident_density"] == pytest.approx(32.0)
    assert raw.loc[_bangkok_junction(raw), "incident_density"] == pytest.approx(1.0)
    assert raw["protection"].str.startswith("RESTRICTED").all()


# --- properties: what is shown is a function of the release alone -------------------------

points = st.tuples(
    st.floats(min_value=100.5, max_value=103.5),
    st.floats(min_value=13.5, max_value=18.5),
    st.integers(min_value=1, max_value=40),
)


def _incident_layer(generated: list[tuple[float, float, int]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "date": ["2021-01-01"] * len(generated),
            "kind": ["interception"] * len(generated),
            "count": [c for *_, c in generated],
        },
        geometry=[Point(x, y) for x, y, _ in generated],
        crs="EPSG:4326",
    )


@pytest.fixture(scope="module")
def released_net(regions: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Any:
    from dashboard import corridors_model as cm

    releases = tmp_path_factory.mktemp("incident_releases")
    return cm.corridor_network(str(regions[0]), releases=str(releases))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(generated=st.lists(points, max_size=6), years=st.sampled_from(((None, None), (2021, 2021))))
def test_corridor_tables_do_not_read_the_raw_incidents(
    released_net: Any, generated: list[tuple[float, float, int]], years: tuple[Any, Any]
) -> None:
    from dashboard import corridors_model as cm

    state = cm.CorridorState(year_min=years[0], year_max=years[1])
    other_raw = replace(
        released_net, region=replace(released_net.region, incidents=_incident_layer(generated))
    )
    want = cm.analysis_tables(released_net, state)
    got = cm.analysis_tables(other_raw, state)
    pd.testing.assert_frame_equal(got.hotspots, want.hotspots)
    pd.testing.assert_frame_equal(got.corridors, want.corridors)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(generated=st.lists(points, min_size=1, max_size=8))
def test_density_and_scores_are_the_released_cells_and_nothing_else(
    released_net: Any, generated: list[tuple[float, float, int]]
) -> None:
    import tempfile

    from geotraf.hotspots import hotspots, incident_density
    from geotraf.privacy import non_negative
    from geotraf.privacy.incidents import released_incidents
    from geotraf.privacy.region import release_region

    region = replace(released_net.region, incidents=_incident_layer(generated))
    release = release_region(
        region, store=Path(tempfile.mkdtemp()) / "releases", graph=released_net.graph
    )
    # The released cells, read straight from the release's table.
    cells = release.table("incidents")
    counts = non_negative(cells["count"])
    shown = cells.loc[counts >= 11].assign(count=counts[counts >= 11])
    expected = incident_density(
        released_net.graph,
        gpd.GeoDataFrame(
            {"count": shown["count"].to_numpy()},
            geometry=[Point(x, y) for x, y in zip(shown["lon"], shown["lat"], strict=True)],
            crs="EPSG:4326",
        ),
    )
    incidents = released_incidents(release)
    assert (incidents is None) == (len(shown) == 0)
    spots = hotspots(released_net.graph, released_net.assignment, incidents=incidents)
    for node, value in zip(spots["node"], spots["incident_density"], strict=True):
        assert value == pytest.approx(float(expected.get(node, 0.0)))
    # Every point drawn holds at least the display threshold of released people.
    if incidents is not None:
        assert (incidents["count"] >= 11).all()


def test_outside_an_app_the_dashboard_refuses_to_guess_a_releases_folder(
    regions: tuple[Path, Path],
) -> None:
    from dashboard import corridors_model as cm
    from dashboard import data
    from geotraf.errors import PrivacyError
    from geotraf.privacy.store import ReleaseStore, default_folder

    path = str(regions[0])
    before = ReleaseStore(default_folder()).ledger()
    with pytest.raises(PrivacyError, match="no releases folder is bound"):
        data.releases_dir()
    cm.corridor_network.cache_clear()
    with pytest.raises(PrivacyError, match="pass the app's releases folder"):
        cm.corridor_network(path, "shortest")
    # The planner's raw network needs no release at all.
    assert cm.corridor_network(path, "shortest", source="raw").releases == ""
    assert ReleaseStore(default_folder()).ledger() == before


def test_release_takes_the_route_graph_from_a_function_called_only_to_make_it(
    tmp_path: Path,
) -> None:
    # The dashboard hands its own (cached) route graph in, so a first release does not
    # build a second one; a stored release needs no graph at all.
    from geotraf import load_region
    from geotraf.privacy.incidents import region_graph
    from geotraf.privacy.region import release_region

    region = load_region("mekong")
    calls: list[int] = []

    def graph() -> Any:
        calls.append(1)
        return region_graph(region)

    made = release_region(region, store=tmp_path, graph=graph)
    assert calls == [1]
    assert "incidents" in made.tables
    again = release_region(region, store=tmp_path, graph=graph)
    assert calls == [1]
    assert again.fingerprint == made.fingerprint
