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

from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
from _analysis_fixtures import dash_body, write_region
from _dashboard_fixtures import login
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
