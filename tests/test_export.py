"""Round trips of checkpoint-plan exports (geotraf.export)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from _routing_fixtures import corridor_flows, corridor_region
from shapely.geometry import Point

from geotraf.checkpoints import Plan, plan
from geotraf.errors import PlanError
from geotraf.export import RESTRICTED, schedule_path, write_plan
from geotraf.routing import assign
from layers.schema import CRS


@pytest.fixture(scope="module")
def the_plan() -> Plan:
    G = corridor_region()
    sites = gpd.GeoDataFrame(
        {
            "site_id": ["s_x1", "s_bus"],
            "name": ["Friendship Bridge", "Udon bus terminal"],
            "site_type": ["border_crossing", "bus_station"],
            "cost": [1.0, 1.0],
            "crossing_id": ["X1", ""],
        },
        geometry=[Point(102.70, 17.88), Point(102.0, 17.0)],
        crs=CRS,
    )
    return plan(
        G,
        assign(G, corridor_flows()),
        sites,
        budget=2,
        must=["s_bus"],
        teams=1,
        days=3,
        shifts=2,
        seed=7,
    )


def test_csv_round_trip_header_first_and_marked_on_every_row(
    the_plan: Plan, tmp_path: Path
) -> None:
    out = tmp_path / "plan.csv"
    written = write_plan(the_plan, out)
    assert written == [out, tmp_path / "plan_schedule.csv"]
    # A spreadsheet or GIS opens it as a table: the header is the first line, no comment.
    first = out.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("rank,site_id,") and not first.startswith("#")
    sites = pd.read_csv(out)
    assert (sites["classification"] == RESTRICTED).all()
    assert sites["site_id"].tolist() == ["s_bus", "s_x1"]
    assert sites["rank"].tolist() == [1, 2]
    # Whole people: a count is never written as 1523.5714285714287.
    assert sites["captured"].tolist() == [20, 155]
    assert "." not in ",".join(out.read_text(encoding="utf-8").splitlines()[1].split(",")[4:6])
    assert sites["lon"].tolist() == [102.0, 102.70]
    assert sites["reason"].iloc[1] == the_plan.sites["reason"].iloc[1]
    sched = pd.read_csv(schedule_path(out))
    assert (sched["classification"] == RESTRICTED).all()
    pd.testing.assert_frame_equal(
        sched.drop(columns="classification"), the_plan.schedule, check_dtype=False
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.csv", "plan_schedule.csv"]


def test_geojson_round_trip_keeps_schedule_and_marking(the_plan: Plan, tmp_path: Path) -> None:
    out = tmp_path / "plan.geojson"
    write_plan(the_plan, out)
    gdf = gpd.read_file(out)
    assert gdf["site_id"].tolist() == ["s_bus", "s_x1"]
    assert gdf.geometry.iloc[1].equals(Point(102.70, 17.88))
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["classification"] == RESTRICTED
    assert doc["summary"]["captured"] == 155.0
    assert len(doc["schedule"]) == 6
    assert doc["schedule"][0].keys() == {"day", "shift", "team", "site_id"}


def test_gpkg_round_trip_with_metadata(the_plan: Plan, tmp_path: Path) -> None:
    out = tmp_path / "plan.gpkg"
    write_plan(the_plan, out)
    layers = {name for name, _ in pyogrio.list_layers(out)}
    assert layers == {"sites", "schedule"}
    sites = gpd.read_file(out, layer="sites")
    assert sites["coverage_probability"].tolist() == pytest.approx(
        the_plan.sites["coverage_probability"].tolist()
    )
    assert sites.crs.equals(CRS)
    info = pyogrio.read_info(out, layer="sites")
    assert info["dataset_metadata"]["classification"] == RESTRICTED
    assert info["layer_metadata"]["DESCRIPTION"].startswith(RESTRICTED)
    sched = pyogrio.read_dataframe(out, layer="schedule")
    assert len(sched) == 6


def test_rewrite_replaces_atomically_and_leaves_no_temp_files(
    the_plan: Plan, tmp_path: Path
) -> None:
    out = tmp_path / "plan.gpkg"
    out.write_text("old")
    write_plan(the_plan, out)
    write_plan(the_plan, out)
    assert [p.name for p in tmp_path.iterdir()] == ["plan.gpkg"]
    assert len(gpd.read_file(out, layer="sites")) == 2


def test_small_counts_are_blank_in_files(the_plan: Plan, tmp_path: Path) -> None:
    sites = the_plan.sites.copy()
    sites.loc[sites.index[0], ["captured", "marginal_gain"]] = [7.0, 7.0]
    small = dataclasses.replace(the_plan, sites=sites)
    out = tmp_path / "small.csv"
    write_plan(small, out)
    back = pd.read_csv(out)
    assert back["captured"].isna().tolist() == [True, False]


def test_unknown_format_is_refused(the_plan: Plan, tmp_path: Path) -> None:
    with pytest.raises(PlanError, match=r"\.csv, \.geojson or \.gpkg"):
        write_plan(the_plan, tmp_path / "plan.xlsx")
