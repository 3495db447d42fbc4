"""Checkpoint plans on the hand-built two-corridor region (geotraf.checkpoints).

Region (tests/_routing_fixtures.corridor_region): VTE → BKK runs over the Friendship
Bridge X1 in 1320 s; the only other way, over X2, takes 3720 s. Routed flows (shortest):
10 VTE→BKK 100, 11 LAO→THA (= VTE→BKK) 30, 12 PAK→BKK 5, 16 VTE→BUS→BKK 20 — 155 of the
177 people in the flows table (VTE→ISL, FAR and NOWHERE cannot be routed).
"""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from _routing_fixtures import corridor_flows, corridor_region, random_road_graph
from shapely.geometry import Point

from geotraf.checkpoints import SITE_COLUMNS, evade, plan, site_nodes
from geotraf.errors import PlanError
from geotraf.routing import assign
from geotraf.schedule import schedule
from layers.schema import CRS


@pytest.fixture(scope="module")
def region() -> nx.MultiDiGraph:
    return corridor_region()


@pytest.fixture(scope="module")
def assignment(region: nx.MultiDiGraph):  # type: ignore[no-untyped-def]
    return assign(region, corridor_flows())


@pytest.fixture
def sites() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "site_id": ["s_x1", "s_x2", "s_j3", "s_bus", "s_far"],
            "name": [
                "Friendship Bridge",
                "Mukdahan bridge",
                "Km 40 truck stop",
                "Udon bus terminal",
                "Nowhere",
            ],
            "site_type": [
                "border_crossing",
                "border_crossing",
                "truck_stop",
                "bus_station",
                "petrol_station",
            ],
            "cost": [3.0, 2.0, 1.0, 1.0, 1.0],
            "crossing_id": ["X1", "X2", "", "", ""],
        },
        geometry=[
            Point(102.70, 17.88),
            Point(104.72, 16.55),
            Point(104.69, 16.61),
            Point(102.0, 17.0),
            Point(90.0, 5.0),
        ],
        crs=CRS,
    )


def test_sites_attach_to_crossing_place_and_junction(
    region: nx.MultiDiGraph, sites: gpd.GeoDataFrame
) -> None:
    assert site_nodes(region, sites).tolist() == ["x:X1", "x:X2", "j3", "p:BUS", None]


@pytest.mark.parametrize("method", ["greedy", "exact"])
def test_one_site_goes_to_the_friendship_bridge(
    region: nx.MultiDiGraph,
    assignment,
    sites: gpd.GeoDataFrame,
    method: str,  # type: ignore[no-untyped-def]
) -> None:
    p = plan(region, assignment, sites, budget=1, method=method)
    assert p.sites["site_id"].tolist() == ["s_x1"]
    assert p.captured == 155.0
    assert p.total == 177.0
    assert p.captured_share == pytest.approx(155 / 177)
    # the detour over X2 is 2400 s longer: +182 %, far over the 30 % tolerance
    assert p.captured_after_evasion == 155.0
    assert p.unattached_sites == ("s_far",)
    assert list(p.sites.columns) == [*SITE_COLUMNS, "geometry"]
    row = p.sites.iloc[0]
    assert row["rank"] == 1 and row["node"] == "x:X1"
    assert row["marginal_gain"] == 155.0 and row["share"] == pytest.approx(155 / 177)
    assert row["reason"].startswith("Border crossing on AH12 (Friendship Bridge); 88% of")
    assert "main routes: Vte → Bkk" in row["reason"]
    if method == "exact":
        assert p.gap == 0.0
    else:
        assert p.gap is None


def test_must_site_ranks_first_and_forbid_is_respected(
    region: nx.MultiDiGraph,
    assignment,
    sites: gpd.GeoDataFrame,  # type: ignore[no-untyped-def]
) -> None:
    p = plan(region, assignment, sites, budget=2, method="exact", must=["s_bus"])
    assert p.sites["site_id"].tolist() == ["s_bus", "s_x1"]
    assert p.sites["marginal_gain"].tolist() == [20.0, 135.0]
    assert p.sites["captured"].tolist() == [20.0, 155.0]
    # the bus station's 20 people are shown as a share; nothing below 11 is named
    q = plan(region, assignment, sites, budget=2, forbid=["s_x1"])
    assert "s_x1" not in q.sites["site_id"].tolist()
    assert q.captured == 20.0  # only the bus station sees flow without the bridge


def test_money_budget_limits_total_cost(
    region: nx.MultiDiGraph,
    assignment,
    sites: gpd.GeoDataFrame,  # type: ignore[no-untyped-def]
) -> None:
    # the bridge costs 3: with 2 to spend, the bus station (cost 1) is the best buy
    p = plan(region, assignment, sites, budget=None, cost_budget=2.0, method="exact")
    assert p.sites["site_id"].tolist() == ["s_bus"]
    assert p.captured == 20.0


def test_evasion_with_large_tolerance_and_evasion_aware_plan(
    region: nx.MultiDiGraph,
    assignment,
    sites: gpd.GeoDataFrame,  # type: ignore[no-untyped-def]
) -> None:
    # +200 %: every VTE/PAK → BKK path can take X2 instead (3720 ≤ 3 × 1320, 3780 ≤ 3 × 1380)
    naive = plan(region, assignment, sites, budget=2, method="exact", evasion_tolerance=2.0)
    assert naive.sites["site_id"].tolist() == ["s_x1"]  # X2 adds nothing before evasion
    assert naive.captured == 155.0
    assert naive.captured_after_evasion == 0.0
    assert naive.evasion["evades"].sum() == 4
    aware = plan(
        region,
        assignment,
        sites,
        budget=2,
        method="exact",
        evasion_tolerance=2.0,
        evasion_aware=True,
    )
    assert set(aware.sites["site_id"]) == {"s_x1", "s_x2"}
    assert aware.captured_after_evasion == 155.0
    greedy_aware = plan(
        region, assignment, sites, budget=2, evasion_tolerance=2.0, evasion_aware=True
    )
    assert greedy_aware.captured_after_evasion == 155.0


def test_schedule_covers_every_planned_site(
    region: nx.MultiDiGraph,
    assignment,
    sites: gpd.GeoDataFrame,  # type: ignore[no-untyped-def]
) -> None:
    chosen = plan(region, assignment, sites, budget=2, must=["s_bus"])
    assert chosen.schedule.empty and chosen.sites["coverage_probability"].isna().all()
    p = schedule(chosen, teams=1, days=7, shifts=2, seed=3)
    assert chosen.schedule.empty  # schedule() returns a copy
    assert len(p.schedule) == 14
    assert set(p.schedule["site_id"]) <= {"s_bus", "s_x1"}
    probs = p.sites.set_index("site_id")["coverage_probability"]
    # proportional to captured flow (20 vs 155) with one team: 20/175 and 155/175
    assert probs.to_dict() == pytest.approx({"s_bus": 20 / 175, "s_x1": 155 / 175})
    again = schedule(chosen, teams=1, days=7, shifts=2, seed=3)
    pd.testing.assert_frame_equal(p.schedule, again.schedule)


def test_bad_requests_raise_plan_error(
    region: nx.MultiDiGraph,
    assignment,
    sites: gpd.GeoDataFrame,  # type: ignore[no-untyped-def]
) -> None:
    with pytest.raises(PlanError, match="not usable candidate sites"):
        plan(region, assignment, sites, budget=1, must=["s_far"])
    with pytest.raises(PlanError, match="method"):
        plan(region, assignment, sites, budget=1, method="magic")
    with pytest.raises(PlanError, match="budget"):
        plan(region, assignment, sites, budget=0)
    with pytest.raises(PlanError, match="no candidate sites"):
        plan(region, assignment, sites.iloc[:0], budget=1)


def _random_paths(G: nx.MultiDiGraph, rng: np.random.Generator, n: int) -> pd.DataFrame:
    nodes = sorted(G.nodes)
    rows = []
    while len(rows) < n:
        a, b = rng.choice(len(nodes), 2, replace=False)
        try:
            t, p = nx.single_source_dijkstra(G, nodes[a], nodes[b], weight="travel_time_s")
        except nx.NetworkXNoPath:
            continue
        rows.append(
            {
                "flow_id": len(rows),
                "path_rank": 0,
                "weight": float(rng.integers(1, 50)),
                "nodes": tuple(p),
                "time_s": float(t),
            }
        )
    return pd.DataFrame(rows)


@pytest.mark.parametrize("seed", range(8))
def test_evasion_never_increases_capture(seed: int) -> None:
    rng = np.random.default_rng(seed)
    G = random_road_graph(seed, n=40, m=160)
    paths = _random_paths(G, rng, 30)
    chosen = [sorted(G.nodes)[i] for i in rng.choice(40, 4, replace=False)]
    for tolerance in (0.0, 0.1, 0.5, 5.0):
        ev = evade(G, paths, chosen, tolerance=tolerance)
        before = ev.loc[ev.checked, "weight"].sum()
        after = ev.loc[ev.checked & ~ev.evades, "weight"].sum()
        assert after <= before
        assert not (ev.evades & ~ev.checked).any()
        # each detour avoids every checkpoint and stays within the tolerance
        for i in np.flatnonzero(ev.evades):
            assert not set(ev.detour_nodes.iat[i]) & set(chosen)
            assert ev.detour_time_s.iat[i] <= (1 + tolerance) * paths.time_s.iat[i] + 1e-9
    # more tolerance, more evasion
    lo = evade(G, paths, chosen, tolerance=0.1).evades.sum()
    hi = evade(G, paths, chosen, tolerance=1.0).evades.sum()
    assert lo <= hi


@pytest.mark.slow
def test_cli_plan_on_mekong_json(capsys: pytest.CaptureFixture[str], tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from geotraf.cli import main

    out = tmp_path / "plan.geojson"
    code = main(
        [
            "plan",
            "--region",
            "mekong",
            "--budget",
            "5",
            "--seed",
            "1",
            "--out",
            str(out),
            "--format",
            "json",
        ]
    )
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["classification"].startswith("RESTRICTED")
    assert doc["method"] == "exact" and doc["gap"] is not None and doc["gap"] <= 1e-4
    assert len(doc["sites"]) == 5
    assert [s["rank"] for s in doc["sites"]] == [1, 2, 3, 4, 5]
    assert 0 < doc["captured_after_evasion_share"] <= doc["captured_share"] <= 1
    assert any(s["type"] == "border_crossing" for s in doc["sites"])
    assert all(0 < s["coverage_probability"] <= 1 for s in doc["sites"])
    assert len(doc["schedule"]["posts"]) == 4 * 14 * 2
    assert out.exists()


def test_hotspots_and_plans_attach_a_site_to_the_same_node() -> None:
    # A graded truck stop 1 km from a town and 7.7 km from the junction down the road: a
    # plan puts the team at the junction, so the hotspot grade must land there too (one
    # rule, geotraf.sites), not on the town the old 5 km any-node rule picked.
    from geotraf.hotspots import hotspots

    G = nx.MultiDiGraph()
    G.add_node("p:town", x=100.0, y=15.0, kind="place", place_type="town", place_id="town")
    G.add_node("j1", x=100.08, y=15.0, kind="junction")
    G.add_node("p:dst", x=100.3, y=15.0, kind="place", place_type="city", place_id="dst")
    for u, v in [("p:town", "j1"), ("j1", "p:dst")]:
        G.add_edge(u, v, travel_time_s=600.0, length_m=9000.0, ref="AH1", edge_id=f"{u}|{v}|0")
    site = gpd.GeoDataFrame(
        {
            "site_id": ["s1"],
            "name": ["Km 9 truck stop"],
            "site_type": ["truck_stop"],
            "risk": ["critical"],
            "cost": [1.0],
            "crossing_id": [""],
        },
        geometry=[Point(100.01, 15.0)],
        crs=CRS,
    )
    flows = pd.DataFrame({"origin": ["town"], "destination": ["dst"], "count": [40]})
    result = assign(G, flows)
    assert site_nodes(G, site).tolist() == ["j1"]
    assert plan(G, result, site, budget=1).sites["node"].tolist() == ["j1"]
    graded = hotspots(G, result, sites=site).set_index("node")["vulnerability"]
    assert graded.get("j1") == 1.0 and graded.get("p:town", 0.0) < 1.0
