"""Evasion on CSR searches gives exactly what one NetworkX Dijkstra per leg start gave.

``_networkx_evade`` below is the implementation ``geotraf.evasion.evade`` had before its
searches moved to SciPy (kept here as the reference): the same checked paths, the same
evasions, the same detour times (to the last bit) and the same detour nodes.
"""

from __future__ import annotations

import importlib.util
import itertools
import math
import sys
from collections.abc import Hashable, Iterable
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from _routing_fixtures import random_road_graph

from geotraf.evasion import evade
from geotraf.graph import build_route_graph
from geotraf.routing import assign
from layers.osm import read_osm_roads


def _networkx_evade(
    G: nx.MultiDiGraph, paths: pd.DataFrame, chosen_nodes: Iterable[Hashable], *, tolerance: float
) -> pd.DataFrame:
    """The NetworkX reference: one ``single_source_dijkstra`` per leg start."""
    chosen = set(chosen_nodes)
    out = pd.DataFrame(
        {
            "flow_id": paths["flow_id"],
            "path_rank": paths["path_rank"],
            "weight": paths["weight"].astype(float),
        },
        index=paths.index,
    )
    checked = np.array([bool(chosen.intersection(n)) for n in paths["nodes"]], dtype=bool)
    out["checked"] = checked
    out["evades"] = False
    out["detour_time_s"] = np.nan
    out["detour_nodes"] = None
    H = nx.DiGraph()
    H.add_nodes_from(n for n in G.nodes if n not in chosen)
    for u, v, d in G.edges(data=True):
        if u in chosen or v in chosen:
            continue
        w = d.get("travel_time_s", 1)
        if not H.has_edge(u, v) or w < H[u][v]["w"]:
            H.add_edge(u, v, w=w)
    trees: dict[Hashable, Any] = {}
    evades = out["evades"].to_numpy().copy()
    detour_t = out["detour_time_s"].to_numpy().copy()
    detour_nodes: list[Any] = [None] * len(out)
    for i in np.flatnonzero(checked):
        nodes = paths["nodes"].iat[i]
        inner = [n for n in nodes[1:-1] if G.nodes[n].get("kind") == "place"]
        stops = [nodes[0], *inner, nodes[-1]]
        if chosen.intersection(stops):
            continue
        limit = (1.0 + tolerance) * float(paths["time_s"].iat[i])
        total = 0.0
        route = [stops[0]]
        for u, v in itertools.pairwise(stops):
            if u not in trees:
                trees[u] = nx.single_source_dijkstra(H, u, weight="w")
            dist, found = trees[u]
            if v not in dist:
                total = math.inf
                break
            total += float(dist[v])
            route.extend(found[v][1:])
            if total > limit * (1 + 1e-12):
                break
        if total <= limit * (1 + 1e-12):
            evades[i] = True
            detour_t[i] = total
            detour_nodes[i] = tuple(route)
    out["evades"] = evades
    out["detour_time_s"] = detour_t
    out["detour_nodes"] = pd.Series(detour_nodes, index=out.index, dtype=object)
    return out


def assert_same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(
        a.drop(columns="detour_nodes"), b.drop(columns="detour_nodes"), check_exact=True
    )
    assert a["detour_nodes"].tolist() == b["detour_nodes"].tolist()


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> tuple[nx.MultiDiGraph, pd.DataFrame]:
    """A generated road network (real .osm.pbf), 20 towns, 400 flows with via stops."""
    path = Path(__file__).parents[1] / "benchmarks" / "road_network.py"
    spec = importlib.util.spec_from_file_location("road_network", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["road_network"] = module
    spec.loader.exec_module(module)
    pbf = tmp_path_factory.mktemp("net") / "net.osm.pbf"
    module.write_road_network(pbf, ways=700, seed=5)
    roads = read_osm_roads(pbf)
    points = roads.geometry.representative_point().sample(20, random_state=3)
    places = gpd.GeoDataFrame(
        {
            "place_id": [f"t{i}" for i in range(20)],
            "name": [f"Town {i}" for i in range(20)],
            "country": "BEN",
            "role": "source;transit;destination",
            "place_type": "city",
        },
        geometry=points.to_numpy(),
        crs="EPSG:4326",
    )
    G = build_route_graph(roads, None, None, places)
    rng = np.random.default_rng(8)
    pairs = rng.integers(0, 20, size=(400, 3))
    pairs = pairs[(pairs[:, 0] != pairs[:, 1]) & (pairs[:, 1] != pairs[:, 2])]
    flows = pd.DataFrame(
        {
            "origin": [f"t{a}" for a in pairs[:, 0]],
            "destination": [f"t{b}" for b in pairs[:, 1]],
            "via": [f"t{c}" if k % 4 == 0 else "" for k, c in enumerate(pairs[:, 2])],
            "count": rng.integers(11, 90, len(pairs)),
        }
    )
    paths = assign(G, flows, method="k_shortest", k=2).paths
    return G, paths


def _busy_nodes(paths: pd.DataFrame, n: int, skip: int) -> list[Hashable]:
    counts = pd.Series([x for p in paths["nodes"] for x in p[1:-1]]).value_counts()
    return [x for x in counts.index[skip : skip + 8 * n : 8] if not str(x).startswith("p:")][:n]


@pytest.mark.parametrize("tolerance", [0.0, 0.05, 0.3, 3.0])
def test_evasion_on_a_generated_network_equals_networkx(
    network: tuple[nx.MultiDiGraph, pd.DataFrame], tolerance: float
) -> None:
    G, paths = network
    for skip in (0, 5):
        chosen = _busy_nodes(paths, 6, skip)
        new = evade(G, paths, chosen, tolerance=tolerance)
        old = _networkx_evade(G, paths, chosen, tolerance=tolerance)
        assert old["checked"].sum() > 50
        assert_same(new, old)
    if tolerance >= 0.3:
        assert new["evades"].sum() > 10  # detours are found, not only refusals


@pytest.mark.parametrize("seed", range(6))
def test_evasion_on_random_graphs_equals_networkx(seed: int) -> None:
    rng = np.random.default_rng(seed)
    G = random_road_graph(seed, n=50, m=220)
    nodes = sorted(G.nodes)
    rows = []
    while len(rows) < 40:
        a, b = rng.choice(len(nodes), 2, replace=False)
        try:
            t, p = nx.single_source_dijkstra(G, nodes[a], nodes[b], weight="travel_time_s")
        except nx.NetworkXNoPath:
            continue
        rows.append(
            {"flow_id": len(rows), "path_rank": 0, "weight": 3.0, "nodes": tuple(p), "time_s": t}
        )
    paths = pd.DataFrame(rows)
    chosen = [nodes[i] for i in rng.choice(len(nodes), 5, replace=False)]
    for tolerance in (0.1, 1.0, 10.0):
        assert_same(
            evade(G, paths, chosen, tolerance=tolerance),
            _networkx_evade(G, paths, chosen, tolerance=tolerance),
        )
