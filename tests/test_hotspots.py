"""Hotspot scores, explanations, incident density and corridors, checked by hand."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import pytest
from _routing_fixtures import corridor_flows, corridor_region
from shapely import Point

from geotraf.errors import GeotrafError
from geotraf.hotspots import corridors, edge_load, hotspots, incident_density, node_load
from geotraf.routing import Assignment, assign


@pytest.fixture(scope="module")
def region() -> nx.MultiDiGraph:
    return corridor_region()


@pytest.fixture(scope="module")
def assignment(region: nx.MultiDiGraph) -> Assignment:
    return assign(region, corridor_flows())


def _incidents(count: int = 4) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"date": ["2022-03-01"], "kind": ["interception"], "count": [count]},
        geometry=[Point(102.55, 17.90)],  # on junction j1
        crs="EPSG:4326",
    )


def test_loads_are_aligned_with_the_graph(region: nx.MultiDiGraph, assignment: Assignment) -> None:
    edges = edge_load(region, assignment)
    assert len(edges) == region.number_of_edges()
    assert edges[("x:X1", "j2", 0)] == 155.0
    nodes = node_load(region, assignment)
    assert nodes.index.tolist() == list(region.nodes)
    assert nodes["j3"] == 0.0


def test_scores_without_incidents(region: nx.MultiDiGraph, assignment: Assignment) -> None:
    spots = hotspots(region, assignment)
    # Weights renormalised without incidents: load 0.6/0.85, vulnerability 0.25/0.85.
    load_w, vuln_w = 0.6 / 0.85, 0.25 / 0.85
    scores = dict(zip(spots["node"], spots["score"], strict=True))
    # x:X2 is vulnerable but carries no flow: only loaded hotspots are ranked.
    assert spots["node"].tolist() == ["x:X1", "p:BUS", "j1", "j2"]
    assert scores["x:X1"] == pytest.approx(1.0)
    # The bus station hangs off j2 and takes its passing load (155 of 155).
    assert scores["p:BUS"] == pytest.approx(load_w + 0.75 * vuln_w, abs=1e-6)
    assert scores["j1"] == pytest.approx(load_w, abs=1e-6)
    assert spots["rank"].tolist() == [1, 2, 3, 4]
    assert spots.crs == "EPSG:4326"
    assert spots.geometry.iloc[0].x == 102.70


def test_explanation_names_pairs_corridor_years_and_suppresses(
    region: nx.MultiDiGraph, assignment: Assignment
) -> None:
    top = hotspots(region, assignment, top=1).iloc[0]
    assert top["share"] == 1.0
    assert top["corridor"] == "AH12"
    assert top["years"] == "2020–2022"
    text = top["explanation"]
    assert text.startswith("Border crossing Friendship Bridge (official): 100.0%")
    assert "(155 people)" in text
    # VTE → BKK carries 100 + 20 of 155 = 77 %; LAO → THA 30 = 19 %; PAK → BKK (5) is
    # below the display threshold: a tiny group is not named at all.
    assert "Vte → Bkk (77%); LAO → THA (19%)" in text
    assert "Pak" not in text
    assert "(5)" not in text and " 5 " not in text
    assert "Corridor AH12." in text


def test_incident_density_follows_road_distance(region: nx.MultiDiGraph) -> None:
    density = incident_density(region, _incidents(), bandwidth_m=15_000)
    # length_m = 20 × travel time: j1–x:X1 12 km, j1–VTE 1.2 km, j1–PAK 2.4 km.
    assert density["j1"] == pytest.approx(4.0)
    assert density["x:X1"] == pytest.approx(4 * (1 - (12 / 15) ** 2))
    assert density["p:VTE"] == pytest.approx(4 * (1 - (1.2 / 15) ** 2))
    assert density["p:PAK"] == pytest.approx(4 * (1 - (2.4 / 15) ** 2))
    assert density["j2"] == 0.0  # 24 km along the road
    assert incident_density(region, _incidents(), since="2023-01-01").sum() == 0.0
    with pytest.raises(GeotrafError, match="bandwidth"):
        incident_density(region, _incidents(), bandwidth_m=0)


def test_incidents_and_site_risk_raise_scores(
    region: nx.MultiDiGraph, assignment: Assignment
) -> None:
    sites = gpd.GeoDataFrame(
        {
            "site_id": ["S1"],
            "name": ["Km 12 truck stop"],
            "site_type": ["truck_stop"],
            "risk": ["critical"],
        },
        geometry=[Point(102.00, 17.10)],  # on j2
        crs="EPSG:4326",
    )
    spots = hotspots(region, assignment, incidents=_incidents(), sites=sites, bandwidth_m=15_000)
    scores = dict(zip(spots["node"], spots["score"], strict=True))
    # Default weights 0.6 / 0.25 / 0.15, densities divided by their maximum (4 at j1).
    assert scores["j2"] == pytest.approx(0.6 + 0.25 * 1.0)
    assert scores["j1"] == pytest.approx(0.6 + 0.15)
    assert scores["x:X1"] == pytest.approx(0.6 + 0.25 + 0.15 * (1 - 0.64), abs=1e-6)
    j2 = spots.set_index("node").loc["j2", "explanation"]
    assert "Km 12 truck stop (critical)" in j2


def test_corridors_are_runs_along_one_ref(region: nx.MultiDiGraph, assignment: Assignment) -> None:
    found = corridors(region, assignment, min_share=0.05)
    assert found["corridor_id"].tolist() == ["AH12-1"]
    row = found.iloc[0]
    assert row["load"] == 155.0
    assert row["share"] == 1.0
    assert row["length_km"] == pytest.approx(24.0)  # 600 s + 600 s at 20 m/s
    assert row["n_edges"] == 2
    assert row["crossings"] == "X1"
    assert row["countries"] == "LAO;THA"
    assert {row["start"], row["end"]} == {"j1", "j2"}
    split = assign(region, corridor_flows(), method="k_shortest", max_detour=None)
    both = corridors(region, split, min_share=0.4)
    assert both["ref"].tolist() == ["AH12", "AH16"]
    assert both["load"].tolist() == pytest.approx([77.5, 77.5])
    assert both.set_index("ref").loc["AH16", "length_km"] == pytest.approx(72.0)
    assert corridors(region, split, min_share=0.6).empty


def test_a_suppressed_load_gives_no_share_in_the_explanation(region: nx.MultiDiGraph) -> None:
    # With its load shown as <11, a share of the routed total would give the load back.
    flows = corridor_flows()
    small = flows.loc[flows["count"] < 11]
    assert len(small)
    spots = hotspots(region, assign(region, small))
    assert len(spots)
    for text in spots["explanation"]:
        assert "<11 people" in text
        assert "%" not in text
