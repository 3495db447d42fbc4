"""Invariants of assignment on random road graphs (Hypothesis draws graphs and flows).

- a path's cost is the sum of its edges' travel times;
- the shares of a flow's alternatives sum to 1 (``k_shortest`` and ``logit``);
- closing an edge never makes any flow faster;
- load is conserved: at every node, flow in − flow out = flow ending − flow starting
  there, and the routed flow plus the unrouted flow is the total.
"""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from _routing_fixtures import random_road_graph
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geotraf.routing import Assignment, assign

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _graph(seed: int, integer: bool) -> nx.MultiDiGraph:
    G = random_road_graph(seed, n=30, m=110, integer=integer, parallel=4)
    for node in G.nodes:
        G.nodes[node].update(kind="place", place_id=node)
    return G


def _flows(G: nx.MultiDiGraph, seed: int, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    nodes = sorted(G.nodes)
    return pd.DataFrame(
        {
            "origin": rng.choice(nodes, n),
            "destination": rng.choice(nodes, n),
            "count": rng.integers(1, 40, n).astype(float),
        }
    )


cases = st.tuples(
    st.integers(0, 10_000),
    st.booleans(),
    st.integers(1, 40),
    st.sampled_from(["shortest", "k_shortest", "logit"]),
)


def _edge_times(G: nx.MultiDiGraph) -> dict[str, float]:
    return {d["edge_id"]: d["travel_time_s"] for _, _, d in G.edges(data=True)}


@SETTINGS
@given(cases)
def test_a_paths_cost_is_the_sum_of_its_edges(case: tuple[int, bool, int, str]) -> None:
    seed, integer, n, method = case
    G = _graph(seed, integer)
    result = assign(G, _flows(G, seed, n), method=method, k=3, max_detour=None)
    times = _edge_times(G)
    for nodes, edges, time_s in result.paths[["nodes", "edges", "time_s"]].itertuples(index=False):
        assert len(edges) == len(nodes) - 1
        assert time_s == pytest.approx(sum(times[e] for e in edges), abs=1e-9)
        # Each edge joins consecutive nodes of the path.
        for (u, v), eid in zip(itertools.pairwise(nodes), edges, strict=True):
            assert eid.startswith(f"{u}|{v}|")


@SETTINGS
@given(cases)
def test_shares_of_a_flow_sum_to_one(case: tuple[int, bool, int, str]) -> None:
    seed, integer, n, method = case
    G = _graph(seed, integer)
    flows = _flows(G, seed, n)
    result = assign(G, flows, method=method, k=3)
    per_flow = result.paths.groupby("flow_id")["share"].sum()
    assert per_flow.to_numpy() == pytest.approx(np.ones(len(per_flow)))
    routed = set(flows.index) - set(result.unrouted["flow_id"])
    assert set(per_flow.index) == routed
    weights = result.paths.groupby("flow_id")["weight"].sum()
    assert weights.to_numpy() == pytest.approx(flows.loc[weights.index, "count"].to_numpy())


@SETTINGS
@given(cases, st.integers(0, 10_000))
def test_closing_an_edge_never_lowers_a_cost(case: tuple[int, bool, int, str], pick: int) -> None:
    seed, integer, n, _ = case
    G = _graph(seed, integer)
    flows = _flows(G, seed, n)
    before = assign(G, flows).paths.set_index("flow_id")["time_s"]
    closed = G.copy()
    u, v, key = list(G.edges(keys=True))[pick % G.number_of_edges()]
    closed.remove_edge(u, v, key)
    after = assign(closed, flows)
    times = after.paths.set_index("flow_id")["time_s"]
    for fid, t in before.items():
        if fid in times.index:
            assert times[fid] >= t - 1e-9
        else:
            assert fid in set(after.unrouted["flow_id"])


def _conservation(G: nx.MultiDiGraph, flows: pd.DataFrame, result: Assignment) -> None:
    load = result.edge_load
    net = pd.Series(0.0, index=list(G.nodes))
    for (u, v, _), x in load.items():
        net[v] += x
        net[u] -= x
    routed = flows.drop(index=result.unrouted["flow_id"])
    expected = pd.Series(0.0, index=list(G.nodes))
    for o, d, c in routed[["origin", "destination", "count"]].itertuples(index=False):
        expected[d] += c
        expected[o] -= c
    assert net.to_numpy() == pytest.approx(expected.to_numpy(), abs=1e-6)
    assert result.routed + float(result.unrouted["count"].sum()) == pytest.approx(result.total)
    assert result.routed == pytest.approx(float(routed["count"].sum()))


@SETTINGS
@given(cases)
def test_load_is_conserved_at_every_node(case: tuple[int, bool, int, str]) -> None:
    seed, integer, n, method = case
    G = _graph(seed, integer)
    flows = _flows(G, seed, n)
    _conservation(G, flows, assign(G, flows, method=method, k=3))
