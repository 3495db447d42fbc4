"""The CSR engine gives NetworkX's shortest paths, costs and loads."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest
from _routing_fixtures import random_road_graph
from hypothesis import given, settings
from hypothesis import strategies as st

from geotraf._csr import TIE_TOLERANCE, CSRGraph, csr_view
from geotraf._paths import accumulate, shortest_paths
from geotraf._trees import tree_loads
from geotraf._yen import distances_to, yen

SEEDS = range(12)


def _pairs(view: CSRGraph, seed: int, m: int = 60) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1000 + seed)
    return rng.integers(0, view.n, m), rng.integers(0, view.n, m)


def _nx_reference(
    G: nx.MultiDiGraph, src_ids: list[str], dst_ids: list[str], weights: np.ndarray
) -> tuple[np.ndarray, dict[str, float], dict[str, float]]:
    """Plain NetworkX: one Dijkstra per origin, paths walked to add loads."""
    edge_load: dict[str, float] = {}
    node_load: dict[str, float] = {}
    costs = []
    by_origin: dict[str, tuple[dict, dict]] = {}
    for s, d, w in zip(src_ids, dst_ids, weights, strict=True):
        if s not in by_origin:
            by_origin[s] = nx.single_source_dijkstra(G, s, weight="travel_time_s")
        dist, paths = by_origin[s]
        if d not in dist:
            costs.append(np.inf)
            continue
        costs.append(dist[d])
        path = paths[d]
        for node in path:
            node_load[node] = node_load.get(node, 0.0) + w
        for a, b in itertools.pairwise(path):
            key = min(G[a][b], key=lambda k: (G[a][b][k]["travel_time_s"], k))
            eid = G[a][b][key]["edge_id"]
            edge_load[eid] = edge_load.get(eid, 0.0) + w
    return np.array(costs), edge_load, node_load


@pytest.mark.parametrize("seed", SEEDS)
def test_costs_paths_and_loads_equal_networkx(seed: int) -> None:
    G = random_road_graph(seed)
    view = csr_view(G)
    src, dst = _pairs(view, seed)
    weights = np.arange(1, len(src) + 1, dtype=float)
    ps = shortest_paths(view, src, dst, batch_size=5)
    src_ids = [str(view.node_ids[i]) for i in src]
    dst_ids = [str(view.node_ids[i]) for i in dst]
    costs, ref_edges, ref_nodes = _nx_reference(G, src_ids, dst_ids, weights)
    assert np.isinf(ps.cost).tolist() == np.isinf(costs).tolist()
    finite = np.isfinite(costs)
    np.testing.assert_allclose(ps.cost[finite], costs[finite], rtol=0, atol=1e-9)
    edge_load, node_load = accumulate(view, ps, weights)
    got_edges = {str(view.edge_ids[i]): v for i, v in enumerate(edge_load) if v}
    got_nodes = {str(view.node_ids[i]): v for i, v in enumerate(node_load) if v}
    assert got_edges == pytest.approx(ref_edges, abs=1e-9)
    assert got_nodes == pytest.approx(ref_nodes, abs=1e-9)


@pytest.mark.parametrize("seed", range(6))
def test_ties_go_to_the_smallest_predecessor_id(seed: int) -> None:
    G = random_road_graph(seed, integer=True)
    view = csr_view(G)
    src, dst = _pairs(view, seed, m=40)
    ps = shortest_paths(view, src, dst)
    for i, (s, d) in enumerate(zip(src, dst, strict=True)):
        s_id, d_id = str(view.node_ids[s]), str(view.node_ids[d])
        pred, dist = nx.dijkstra_predecessor_and_distance(G, s_id, weight="travel_time_s")
        if d_id not in dist:
            assert np.isinf(ps.cost[i])
            continue
        expected = [d_id]
        while expected[-1] != s_id:
            expected.append(min(pred[expected[-1]]))
        got = [str(view.node_ids[j]) for j in ps.node_path(i)]
        assert got == expected[::-1]
        assert ps.cost[i] == dist[d_id]


def test_diamond_tie_is_broken_by_node_id() -> None:
    G = nx.MultiDiGraph()
    for u, v in [("o", "b"), ("o", "a"), ("b", "t"), ("a", "t")]:
        G.add_edge(u, v, travel_time_s=5.0)
    view = csr_view(G)
    ps = shortest_paths(view, [view.node_index["o"]], [view.node_index["t"]])
    assert [str(view.node_ids[i]) for i in ps.node_path(0)] == ["o", "a", "t"]
    assert ps.cost[0] == 10.0


def test_parallel_edges_collapse_to_the_cheapest() -> None:
    G = nx.MultiDiGraph()
    G.add_edge("a", "b", travel_time_s=9.0, edge_id="slow")
    G.add_edge("a", "b", travel_time_s=4.0, edge_id="fast")
    G.add_edge("a", "b", travel_time_s=4.0, edge_id="fast-too")
    view = csr_view(G)
    assert view.edge_ids.tolist() == ["fast"]
    assert view.core.weight.tolist() == [4.0]
    assert view.all_edge_ids.tolist() == ["slow", "fast", "fast-too"]


def test_origin_equal_destination_and_unreachable() -> None:
    G = nx.MultiDiGraph()
    G.add_edge("a", "b", travel_time_s=2.0)
    G.add_node("c")
    view = csr_view(G)
    ps = shortest_paths(view, [0, 0, 1], [0, 2, 0])
    assert ps.cost.tolist() == [0.0, np.inf, np.inf]
    assert ps.node_path(0).tolist() == [0]
    assert ps.edge_path(0).tolist() == []
    assert ps.node_path(1).tolist() == []


def test_positions_find_edges_and_flag_missing() -> None:
    G = nx.MultiDiGraph()
    G.add_edge("a", "b", travel_time_s=1.0)
    G.add_edge("b", "c", travel_time_s=1.0)
    view = csr_view(G)
    assert view.positions(np.array([0, 1, 0]), np.array([1, 2, 2])).tolist() == [0, 1, -1]


def test_bad_weight_is_a_graph_error() -> None:
    from geotraf.errors import GraphError

    G = nx.MultiDiGraph()
    G.add_edge("a", "b", travel_time_s=-1.0)
    with pytest.raises(GraphError, match="non-negative"):
        csr_view(G)
    bare = nx.MultiDiGraph()
    bare.add_edge("a", "b")
    with pytest.raises(GraphError, match="travel_time_s"):
        csr_view(bare)


def test_dask_batches_give_the_same_loads() -> None:
    distributed = pytest.importorskip("distributed")
    G = random_road_graph(3, n=120, m=500)
    view = csr_view(G)
    src, dst = _pairs(view, 3, m=80)
    weights = np.ones(len(src))
    local = accumulate(view, shortest_paths(view, src, dst, batch_size=4), weights)
    with (
        distributed.LocalCluster(
            processes=False, n_workers=1, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = accumulate(
            view, shortest_paths(view, src, dst, batch_size=4, client=client), weights
        )
    np.testing.assert_array_equal(local[0], remote[0])
    np.testing.assert_array_equal(local[1], remote[1])


@pytest.mark.parametrize("seed", range(8))
def test_yen_equals_networkx_simple_paths(seed: int) -> None:
    G = random_road_graph(seed, n=60, m=260, parallel=0)
    digraph = nx.DiGraph(G)
    view = csr_view(G)
    src, dst = _pairs(view, seed, m=6)
    for s, d in zip(src, dst, strict=True):
        ps = shortest_paths(view, [s], [d])
        if s == d or np.isinf(ps.cost[0]):
            continue
        bound = distances_to(view, [d])[0]
        got = [[str(view.node_ids[i]) for i in p] for p in yen(view, ps.node_path(0), 5, bound)]
        expected = list(
            itertools.islice(
                nx.shortest_simple_paths(
                    digraph, str(view.node_ids[s]), str(view.node_ids[d]), weight="travel_time_s"
                ),
                5,
            )
        )
        assert got == expected
        # A cost cap keeps only the alternatives within it.
        cap = nx.path_weight(digraph, expected[0], weight="travel_time_s") * 1.1
        capped = yen(view, ps.node_path(0), 5, bound, max_cost=cap)
        within = [p for p in expected if nx.path_weight(digraph, p, "travel_time_s") <= cap]
        assert [[str(view.node_ids[i]) for i in p] for p in capped] == within


@pytest.mark.parametrize(("seed", "integer"), [(s, i) for s in range(6) for i in (False, True)])
def test_tree_loads_equal_the_walked_paths(seed: int, integer: bool) -> None:
    # Integer times make ties frequent: the trees must follow the same tie rule.
    G = random_road_graph(seed, integer=integer)
    view = csr_view(G)
    src, dst = _pairs(view, seed, m=120)
    weights = np.random.default_rng(seed).uniform(1, 9, len(src))
    edge, node = accumulate(view, shortest_paths(view, src, dst, batch_size=7), weights)
    t_edge, t_node, cost = tree_loads(view, src, dst, weights, batch_size=3)
    np.testing.assert_allclose(t_edge, edge, rtol=0, atol=1e-9)
    np.testing.assert_allclose(t_node, node, rtol=0, atol=1e-9)
    np.testing.assert_array_equal(cost, shortest_paths(view, src, dst).cost)


def test_tree_loads_in_dask_batches_equal_local() -> None:
    distributed = pytest.importorskip("distributed")
    G = random_road_graph(3)
    view = csr_view(G)
    src, dst = _pairs(view, 3, m=50)
    weights = np.ones(len(src))
    local = tree_loads(view, src, dst, weights, batch_size=4)
    with (
        distributed.LocalCluster(
            processes=False, n_workers=1, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = tree_loads(view, src, dst, weights, batch_size=4, client=client)
    for a, b in zip(local, remote, strict=True):
        np.testing.assert_array_equal(a, b)


def _tie_rule_tree(view: CSRGraph, origin: int) -> tuple[np.ndarray, np.ndarray]:
    """The documented tie rule, computed plainly: SciPy's distances, then for each node
    the tight in-edge (``dist[u] + w - dist[v] <= TIE_TOLERANCE``) whose tail ranks first."""
    from scipy.sparse.csgraph import dijkstra

    core = view.core
    dist = dijkstra(core.matrix(), directed=True, indices=origin)
    pred = np.full(core.n, -1, dtype=np.int64)
    for v in range(core.n):
        if v == origin or not np.isfinite(dist[v]):
            continue
        best = None
        for q in range(core.in_indptr[v], core.in_indptr[v + 1]):
            u, pos = int(core.in_src[q]), int(core.in_pos[q])
            if dist[u] + core.weight[pos] - dist[v] <= TIE_TOLERANCE and (
                best is None or core.rank[u] < core.rank[best[0]]
            ):
                best = (u, pos)
        assert best is not None
        pred[v] = best[1]
    return dist, pred


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 10_000),
    st.sampled_from([(1.0, 2.0, 3.0), (0.1, 0.2, 0.3, 0.7), (1.0, 1.0, 2.0, 5.0)]),
)
def test_compiled_tree_follows_the_tie_rule(seed: int, values: tuple[float, ...]) -> None:
    # Few distinct weights, some summing to others only up to rounding (0.1 + 0.2 vs
    # 0.3): the compiled search tracks tight edges while relaxing and must end with the
    # same tree as the rule applied to the final distances.
    rng = np.random.default_rng(seed)
    base = nx.gnm_random_graph(25, 90, seed=seed, directed=True)
    G = nx.MultiDiGraph()
    for u, v in base.edges:
        G.add_edge(f"n{u}", f"n{v}", travel_time_s=float(rng.choice(values)))
    view = csr_view(G)
    heads = view.core.indices
    for origin in rng.choice(view.n, 4, replace=False).tolist():
        dist, pred = _tie_rule_tree(view, origin)
        targets = np.flatnonzero(np.isfinite(dist))
        ps = shortest_paths(view, np.full(len(targets), origin), targets)
        np.testing.assert_array_equal(ps.cost, dist[targets])
        for i, v in enumerate(targets.tolist()):
            edges = ps.edge_path(i)
            if v == origin:
                assert len(edges) == 0
                continue
            assert heads[edges[-1]] == v and edges[-1] == pred[v]


@settings(max_examples=40, deadline=None)
@given(
    st.integers(0, 10_000),
    st.booleans(),
    st.integers(2, 6),
    st.sampled_from([None, 1.05, 1.3]),
)
def test_compiled_yen_equals_the_python_yen_it_replaced(
    seed: int, integer: bool, k: int, detour: float | None
) -> None:
    # The old plain-Python Yen (tests/_yen_reference.py, unchanged) is the oracle:
    # same paths in the same order, ties (integer times) and cost caps included.
    from _yen_reference import Adjacency
    from _yen_reference import yen as python_yen

    G = random_road_graph(seed % 50, n=40, m=170, integer=integer, parallel=5)
    view = csr_view(G)
    adj = Adjacency.of(view)
    rng = np.random.default_rng(seed)
    src, dst = rng.integers(0, view.n, 8), rng.integers(0, view.n, 8)
    ps = shortest_paths(view, src, dst)
    bound = distances_to(view, dst)
    for i in range(len(src)):
        if src[i] == dst[i] or np.isinf(ps.cost[i]):
            continue
        cap = np.inf if detour is None else detour * float(ps.cost[i])
        new = yen(view, ps.node_path(i), k, bound[i], max_cost=cap)
        old = python_yen(view, adj, ps.node_path(i), k, bound[i].tolist(), max_cost=cap)
        assert [p.tolist() for p in new] == [p.tolist() for p in old]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(0, 700))
def test_compiled_path_costs_add_up_as_numpy_sums(seed: int, n: int) -> None:
    # Alternatives are ordered by cost: the compiled sum must be numpy's, bit for bit,
    # or near-equal candidates could swap places.
    from geotraf._yen_kernels import _pairwise

    rng = np.random.default_rng(seed)
    values = rng.uniform(1, 1000, n + 4) * 10.0 ** rng.uniform(-4, 4, n + 4)
    assert _pairwise(values, 2, n) == values[2 : 2 + n].sum()
