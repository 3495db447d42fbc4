"""The fast hotspot and corridor ranking gives exactly the tables the original one gave.

``tests/_hotspots_reference.py`` is a frozen copy of the per-hotspot pandas version. Both
run here on the bundled Mekong region (real-shaped roads, crossings, places, sites and
incidents), on the filtered assignments the Corridors page makes for many filter states
and for each assignment method, and on random graphs where ties in load and score are
frequent. Every column must be equal, floats bit for bit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import _hotspots_reference as reference
import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from _routing_fixtures import random_road_graph
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import Point

import geotraf
from dashboard.corridors_network import CorridorNetwork, build_network
from dashboard.corridors_state import CorridorState
from dashboard.corridors_tables import filtered_assignment
from geotraf.hotspots import corridors, hotspots
from geotraf.routing import Assignment, assign

STATES = [
    CorridorState(),
    CorridorState(year_min=2018, year_max=2024),
    CorridorState(year_min=2020, year_max=2024, exploitation=("sexual",)),
    CorridorState(year_min=2022, year_max=2024, sex=("female",)),
    CorridorState(year_min=2018, year_max=2020, exploitation=("sexual", "forced_labour")),
    CorridorState(year_min=2023, year_max=2023, sex=("male",), mode=("road", "boat")),
    CorridorState(origin=("MMR",), destination=("THA",)),
    CorridorState(exploitation=("begging",), age_group=("child",)),
]


@pytest.fixture(scope="module")
def mekong() -> tuple[Any, nx.MultiDiGraph]:
    region = geotraf.load_region("mekong")
    return region, geotraf.build_route_graph(region)


@pytest.fixture(scope="module")
def networks(mekong: tuple[Any, nx.MultiDiGraph]) -> Callable[[str], CorridorNetwork]:
    """The Mekong raw flows assigned by ``method`` and indexed as the page does (cached)."""
    region, graph = mekong
    built: dict[str, CorridorNetwork] = {}

    def get(method: str) -> CorridorNetwork:
        if method not in built:
            flows = region.flows.reset_index(drop=True)
            assignment = assign(graph, flows, method=method, places=region.places)
            built[method] = build_network("mekong", method, graph, region, assignment)
        return built[method]

    return get


@pytest.fixture(scope="module", params=["shortest", "k_shortest"])
def network(
    request: pytest.FixtureRequest, networks: Callable[[str], CorridorNetwork]
) -> CorridorNetwork:
    return networks(request.param)


#: Every state with one path per flow; a few where flows split over several paths.
PAIRS = [("shortest", s) for s in STATES] + [
    (m, STATES[i]) for m in ("k_shortest", "logit") for i in (2, 6)
]


def assert_same(new: pd.DataFrame, old: pd.DataFrame) -> None:
    """Equal columns, dtypes, order and values; geometries equal exactly."""
    assert list(new.columns) == list(old.columns)
    if "geometry" in old.columns:
        assert isinstance(new, gpd.GeoDataFrame) and new.crs == old.crs
        assert new.geometry.geom_equals_exact(old.geometry, tolerance=0).all()
        new, old = (
            pd.DataFrame(new).drop(columns="geometry"),
            pd.DataFrame(old).drop(columns="geometry"),
        )
    pd.testing.assert_frame_equal(new, old, check_exact=True)


def test_corridor_lines_from_the_graph_are_unchanged(
    networks: Callable[[str], CorridorNetwork],
) -> None:
    """Where every piece has its geometry (Mekong), the merged lines are equal exactly."""
    network = networks("shortest")
    sub = filtered_assignment(network, STATES[1])
    new, old = corridors(network.graph, sub), reference.corridors(network.graph, sub)
    assert new.geometry.geom_equals_exact(old.geometry, tolerance=0).all()


def assert_same_runs(new: pd.DataFrame, old: pd.DataFrame) -> None:
    """As :func:`assert_same`, except where the original depended on the hash seed.

    The original walked a run's pieces in the order of a set of node ids, which changes
    with ``PYTHONHASHSEED``: the last bits of ``length_km`` (a float sum) and, for pieces
    drawn straight (no geometry), where the merged line starts differ between processes.
    So ``length_km`` is compared to 1e-12 (today's sum is correctly rounded,
    ``math.fsum``) and lines as point sets (``geom_equals``); every other column exactly.
    """
    pd.testing.assert_series_equal(
        new["length_km"], old["length_km"], check_exact=False, rtol=1e-12
    )
    assert isinstance(new, gpd.GeoDataFrame) and new.crs == old.crs
    assert new.geometry.geom_equals(old.geometry).all()
    assert_same(
        pd.DataFrame(new).drop(columns=["length_km", "geometry"]),
        pd.DataFrame(old).drop(columns=["length_km", "geometry"]),
    )


def _both(G: nx.MultiDiGraph, sub: Assignment, region: Any, **options: Any) -> None:
    layers = {"incidents": region.incidents, "sites": region.sites}
    new = hotspots(G, sub, **layers, **options)
    assert_same(new, reference.hotspots(G, sub, **layers, **options))


@pytest.mark.parametrize(
    ("method", "state"), PAIRS, ids=[f"{m}-{s.to_query() or 'all'}" for m, s in PAIRS]
)
def test_hotspots_equal_the_original_on_every_filter_state(
    networks: Callable[[str], CorridorNetwork], method: str, state: CorridorState
) -> None:
    network = networks(method)
    sub = filtered_assignment(network, state)
    if sub.routed <= 0:
        pytest.skip("no flow in this state")
    _both(network.graph, sub, network.region, top=15)
    assert_same_runs(corridors(network.graph, sub), reference.corridors(network.graph, sub))


def test_every_candidate_and_other_options_equal_the_original(network: CorridorNetwork) -> None:
    G, region = network.graph, network.region
    narrow = CorridorState(year_min=2023, year_max=2023, origin=("LAO",), sex=("female",))
    _both(G, filtered_assignment(network, narrow), region, top=None)
    sub = filtered_assignment(network, STATES[2])
    _both(G, sub, region, top=5, top_pairs=1, weights={"load": 1.0})
    assert_same(hotspots(G, sub, top=8), reference.hotspots(G, sub, top=8))
    assert_same_runs(corridors(G, sub, min_share=0.01), reference.corridors(G, sub, min_share=0.01))


def _random_case(seed: int) -> tuple[nx.MultiDiGraph, pd.DataFrame, gpd.GeoDataFrame]:
    """A random road graph with crossings, vulnerable places, refs and integer times (ties)."""
    rng = np.random.default_rng(seed)
    G = random_road_graph(seed, n=40, m=120, integer=True, parallel=6)
    nodes = list(G.nodes)
    refs = ["AH1", "AH2", "R3", ""]
    for *_, d in G.edges(keys=True, data=True):
        d["ref"] = refs[int(rng.integers(len(refs)))]
        d["geometry"] = None
    for i, node in enumerate(nodes):
        draw = rng.random()
        if draw < 0.15:
            G.nodes[node].update(kind="crossing", crossing_id=f"C{i}", name=f"Bridge {i}")
        elif draw < 0.35:
            G.nodes[node].update(kind="place", place_type="truck_stop", name=f"Stop {i}")
    # Places that flows start and end at, each hanging off one junction.
    places = []
    for i in range(6):
        node, at = f"p:T{i}", nodes[int(rng.integers(len(nodes)))]
        G.add_node(
            node,
            x=G.nodes[at]["x"],
            y=G.nodes[at]["y"],
            kind="place",
            name=f"T{i}",
            place_type="city",
            country="THA",
        )
        for a, b in ((node, at), (at, node)):
            key = G.add_edge(a, b, travel_time_s=1.0, length_m=500.0, ref="", crossing_id="")
            G.edges[a, b, key]["edge_id"] = f"{a}|{b}|{key}"
        places.append(f"T{i}")
    n = 30
    flows = pd.DataFrame(
        {
            "origin": rng.choice(places, n),
            "destination": rng.choice(places, n),
            "year": rng.integers(2018, 2025, n),
            # Few distinct counts: equal loads, scores and pair weights are frequent.
            "count": rng.choice([3.0, 11.0, 12.0, 40.0], n),
        }
    )
    flows = flows[flows["origin"] != flows["destination"]].reset_index(drop=True)
    sites = gpd.GeoDataFrame(
        {
            "site_id": ["s1", "s2"],
            "name": ["Site one", "Site two"],
            "site_type": ["truck_stop", "other"],
            "risk": ["high", ""],
            "crossing_id": ["", ""],
        },
        geometry=[
            Point(G.nodes[nodes[0]]["x"], G.nodes[nodes[0]]["y"]),
            Point(G.nodes[nodes[1]]["x"], G.nodes[nodes[1]]["y"]),
        ],
        crs="EPSG:4326",
    )
    return G, flows, sites


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), method=st.sampled_from(["shortest", "k_shortest"]))
def test_random_graphs_with_ties_give_the_same_tables(seed: int, method: str) -> None:
    G, flows, sites = _random_case(seed)
    a = assign(G, flows, method=method)
    if a.routed <= 0:
        return
    assert_same(
        hotspots(G, a, sites=sites, top=None), reference.hotspots(G, a, sites=sites, top=None)
    )
    assert_same_runs(corridors(G, a, min_share=0.02), reference.corridors(G, a, min_share=0.02))
