"""Peer engines for the assignment benchmark, fed the same graph and OD matrix as geotraf.

Every function returns link loads keyed by ``(u, v, key)`` (the convention of
``geotraf.routing.Assignment.edge_load``), so results compare link by link.

- :func:`aequilibrae_aon`: AequilibraE's all-or-nothing (its Cython one-to-all searches,
  ``cores`` threads) on an integer-node copy of the graph, places as centroids;
- :func:`networkx_aon`: one ``nx.single_source_dijkstra`` per origin and a path walk;
- :func:`scipy_aon`: one ``scipy.sparse.csgraph.dijkstra`` call with predecessors and a
  vectorised walk, what one writes by hand with scipy (no tie rule).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

EdgeKey = tuple[Hashable, Hashable, Any]


@dataclass(frozen=True)
class PeerRun:
    """Loads of one peer run and its timings (seconds)."""

    loads: dict[EdgeKey, float]
    setup_s: float
    assign_s: float
    #: CPU seconds of the process (all threads) during the assignment step.
    assign_cpu_s: float = 0.0


def _cheapest_parallel(G: nx.MultiDiGraph, weight: str) -> dict[tuple[Hashable, Hashable], Any]:
    best: dict[tuple[Hashable, Hashable], tuple[float, Any]] = {}
    for u, v, k, w in G.edges(keys=True, data=weight):
        if (u, v) not in best or w < best[(u, v)][0]:
            best[(u, v)] = (w, k)
    return {uv: k for uv, (_, k) in best.items()}


def aequilibrae_aon(
    G: nx.MultiDiGraph,
    flows: pd.DataFrame,
    *,
    weight: str = "travel_time_s",
    cores: int = 1,
    block_centroids: bool = True,
) -> PeerRun:
    """All-or-nothing with AequilibraE 1.x (``allOrNothing`` on an in-memory matrix).

    Place nodes ``p:<origin>`` / ``p:<destination>`` become centroids 1…Z (AequilibraE
    wants them numbered first); other nodes follow. Flows through centroids are blocked
    by default, which changes nothing when places hang off the network by access edges;
    Sioux Falls, whose every node is a centroid, needs ``block_centroids=False``.
    """
    from aequilibrae.matrix import AequilibraeMatrix
    from aequilibrae.paths import Graph
    from aequilibrae.paths.all_or_nothing import allOrNothing
    from aequilibrae.paths.results import AssignmentResults

    start = time.perf_counter()
    zones = sorted({f"p:{x}" for x in flows["origin"]} | {f"p:{x}" for x in flows["destination"]})
    number = {node: i + 1 for i, node in enumerate(zones)}
    for node in G.nodes:
        number.setdefault(node, len(number) + 1)
    keys = list(G.edges(keys=True))
    weights = np.array([w for *_, w in G.edges(keys=True, data=weight)], dtype=float)
    net = pd.DataFrame(
        {
            "link_id": np.arange(1, len(keys) + 1),
            "a_node": [number[u] for u, _, _ in keys],
            "b_node": [number[v] for _, v, _ in keys],
            "direction": np.ones(len(keys), dtype=np.int8),
            "time": weights,
        }
    )
    graph = Graph()
    graph.network = net
    graph.prepare_graph(np.arange(1, len(zones) + 1, dtype=np.int64), remove_dead_ends=False)
    graph.set_graph("time")
    graph.set_skimming([])
    graph.set_blocked_centroid_flows(block_centroids)
    demand = np.zeros((len(zones), len(zones)))
    o = np.array([number[f"p:{x}"] - 1 for x in flows["origin"]])
    d = np.array([number[f"p:{x}"] - 1 for x in flows["destination"]])
    np.add.at(demand, (o, d), flows["count"].to_numpy(float))
    matrix = AequilibraeMatrix()
    matrix.create_empty(zones=len(zones), matrix_names=["demand"], memory_only=True)
    matrix.index[:] = np.arange(1, len(zones) + 1)
    matrix.matrices[:, :, 0] = demand
    matrix.computational_view(["demand"])
    results = AssignmentResults()
    results.set_cores(cores)  # before prepare: AequilibraE 1.7 fails the other way round
    results.prepare(graph, matrix)
    setup_s = time.perf_counter() - start
    start, cpu = time.perf_counter(), time.process_time()
    allOrNothing("demand", matrix, graph, results).execute()
    assign_s, cpu = time.perf_counter() - start, time.process_time() - cpu
    table = results.get_load_results()
    flow = table["demand_ab"].reindex(np.arange(1, len(keys) + 1), fill_value=0.0).to_numpy()
    loads = {key: float(f) for key, f in zip(keys, flow, strict=True) if f}
    return PeerRun(loads=loads, setup_s=setup_s, assign_s=assign_s, assign_cpu_s=cpu)


def networkx_aon(
    G: nx.MultiDiGraph, flows: pd.DataFrame, *, weight: str = "travel_time_s"
) -> PeerRun:
    """Plain NetworkX: one Dijkstra per origin, walk each path, add counts."""
    start = time.perf_counter()
    cheapest = _cheapest_parallel(G, weight)
    setup_s = time.perf_counter() - start
    start = time.perf_counter()
    loads: dict[EdgeKey, float] = {}
    for origin, group in flows.groupby("origin", sort=False):
        _, paths = nx.single_source_dijkstra(G, f"p:{origin}", weight=weight)
        for dest, count in zip(group["destination"], group["count"], strict=True):
            path = paths.get(f"p:{dest}")
            if path is None:
                continue
            for a, b in itertools.pairwise(path):
                key = (a, b, cheapest[(a, b)])
                loads[key] = loads.get(key, 0.0) + float(count)
    return PeerRun(loads=loads, setup_s=setup_s, assign_s=time.perf_counter() - start)


def compare(ours: pd.Series, theirs: dict[EdgeKey, float]) -> tuple[float, int]:
    """Max |Δ load| over all edges and the number of edges whose loads differ (> 1e-6)."""
    ref = pd.Series(theirs, dtype=float)
    if len(ref):
        ref.index = pd.MultiIndex.from_tuples(list(ref.index), names=ours.index.names)
    ref = ref.reindex(ours.index, fill_value=0.0)
    diff = (ours - ref).abs()
    return float(diff.max()) if len(diff) else 0.0, int((diff > 1e-6).sum())
