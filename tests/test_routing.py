"""Flow assignment: paths, shares, loads and unrouted flows, checked by hand."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from _routing_fixtures import corridor_flows, corridor_region, random_road_graph

from geotraf.endpoints import code_areas
from geotraf.errors import GeotrafError
from geotraf.routing import assign

VIA_X1 = ("p:VTE", "j1", "x:X1", "j2", "p:BKK")
VIA_X2 = ("p:VTE", "j1", "j3", "x:X2", "j4", "j2", "p:BKK")


@pytest.fixture(scope="module")
def region() -> nx.MultiDiGraph:
    return corridor_region()


def test_shortest_paths_times_and_crossings(region: nx.MultiDiGraph) -> None:
    result = assign(region, corridor_flows())
    paths = result.paths.set_index("flow_id")
    assert paths.loc[10, "nodes"] == VIA_X1
    assert paths.loc[10, "time_s"] == 1320.0  # 60 + 600 + 600 + 60
    assert paths.loc[10, "length_m"] == 1320.0 * 20
    assert paths.loc[10, "crossings"] == ("X1",)
    assert paths.loc[10, "refs"] == ("AH12",)
    assert paths.loc[10, "edges"][0] == "p:VTE|j1|0"
    # LAO → THA: the most populous source place of LAO (VTE) to that of THA (BKK).
    assert paths.loc[11, "nodes"] == VIA_X1
    assert paths.loc[12, "time_s"] == 1380.0  # PAK access is 120 s
    # Via the bus station: 60 + 600 + 600 + 30 + 30 + 60.
    assert paths.loc[16, "nodes"] == ("p:VTE", "j1", "x:X1", "j2", "p:BUS", "j2", "p:BKK")
    assert paths.loc[16, "time_s"] == 1380.0
    assert paths["share"].tolist() == [1.0] * 4


def test_loads_add_the_flows_that_pass(region: nx.MultiDiGraph) -> None:
    result = assign(region, corridor_flows())
    assert result.edge_load[("j1", "x:X1", 0)] == 155.0  # 100 + 30 + 5 + 20
    assert result.edge_load[("p:VTE", "j1", 0)] == 150.0
    assert result.edge_load[("j2", "p:BUS", 0)] == 20.0
    assert result.edge_load[("j1", "j3", 0)] == 0.0
    assert len(result.edge_load) == region.number_of_edges()
    # j2 is passed twice by the via flow: still 20 people, counted once.
    assert result.node_load["j2"] == 155.0
    assert result.node_load["x:X1"] == 155.0
    assert result.total == 177.0
    assert result.routed == 155.0


def test_unrouted_flows_are_listed_with_reasons(region: nx.MultiDiGraph) -> None:
    result = assign(region, corridor_flows())
    unrouted = result.unrouted.set_index("flow_id")
    assert unrouted.index.tolist() == [13, 14, 15]
    assert unrouted.loc[13, "reason"] == "no_path"  # the island
    assert unrouted.loc[14, "reason"] == "unattached_place"
    assert unrouted.loc[15, "reason"] == "unknown_place"
    assert unrouted.loc[14, "count"] == 12.0
    assert "NOWHERE" in unrouted.loc[15, "detail"]
    assert result.flows.loc[10, "destination_node"] == "p:BKK"
    assert result.flows.loc[15, "origin_node"] is None


def test_province_code_resolves_to_its_largest_destination(region: nx.MultiDiGraph) -> None:
    flows = pd.DataFrame({"origin": ["LA-VT"], "destination": ["TH-41"], "count": [40]})
    result = assign(region, flows)
    # TH-41 holds UDN (destination, 400k) and BUS (transit only): UDN.
    assert result.paths.loc[0, "nodes"] == ("p:VTE", "j1", "x:X1", "p:UDN")


def test_code_areas_follow_the_routing_precedence() -> None:
    places = pd.DataFrame(
        {
            "place_id": ["vte", "THA", "udn"],
            "country": ["LAO", "LAO", "THA"],
            "admin1": ["LA-VT", "", "TH-41"],
        }
    )
    codes = pd.Series(["vte", "THA", "LAO", "TH-41", "KHM", "Udon", None])
    got = code_areas(codes, places)
    # "THA" is a place_id first (of a place in Lao PDR); KHM has no place but is ISO3.
    assert got["kind"].tolist() == [
        "place",
        "place",
        "country",
        "province",
        "country",
        pd.NA,
        pd.NA,
    ]
    assert got["country"].tolist() == ["LAO", "LAO", "LAO", "THA", "KHM", pd.NA, pd.NA]
    assert got["admin1"].tolist() == ["LA-VT", pd.NA, pd.NA, "TH-41", pd.NA, pd.NA, pd.NA]


def test_k_shortest_equal_shares_within_detour(region: nx.MultiDiGraph) -> None:
    flows = corridor_flows().loc[[10]]
    tight = assign(region, flows, method="k_shortest", k=3)
    # The X2 route (3720 s) is slower than 1.5 × 1320 s: dropped.
    assert tight.paths["nodes"].tolist() == [VIA_X1]
    assert tight.paths["share"].tolist() == [1.0]
    loose = assign(region, flows, method="k_shortest", k=3, max_detour=None)
    assert loose.paths["nodes"].tolist() == [VIA_X1, VIA_X2]
    assert loose.paths["time_s"].tolist() == [1320.0, 3720.0]
    assert loose.paths["share"].tolist() == [0.5, 0.5]
    assert loose.edge_load[("j1", "x:X1", 0)] == 50.0
    assert loose.edge_load[("j3", "x:X2", 0)] == 50.0
    assert loose.paths["crossings"].tolist() == [("X1",), ("X2",)]


def test_logit_shares_follow_theta_per_minute(region: nx.MultiDiGraph) -> None:
    result = assign(region, corridor_flows().loc[[10]], method="logit", k=3, theta=0.05)
    # 2400 s = 40 min slower: weight e^(-0.05 × 40) = e^-2 against 1.
    slow = math.exp(-2.0) / (1.0 + math.exp(-2.0))
    assert result.paths["share"].tolist() == pytest.approx([1 - slow, slow])
    assert result.paths["weight"].sum() == pytest.approx(100.0)
    assert result.edge_load[("j3", "x:X2", 0)] == pytest.approx(100 * slow)


@pytest.mark.parametrize("seed", range(10))
def test_shortest_assignment_equals_networkx(seed: int) -> None:
    G = random_road_graph(seed)
    nodes = sorted(G.nodes)
    rng = np.random.default_rng(seed)
    flows = pd.DataFrame(
        {
            "origin": rng.choice(nodes, 30),
            "destination": rng.choice(nodes, 30),
            "count": rng.integers(1, 50, 30),
        }
    )
    # Random graphs have no place nodes: route between junction ids directly.
    for node in G.nodes:
        G.nodes[node].update(kind="place", place_id=node)
    result = assign(G, flows)
    got = result.paths.set_index("flow_id")
    for fid, row in flows.iterrows():
        try:
            cost, path = nx.single_source_dijkstra(
                G, row["origin"], row["destination"], weight="travel_time_s"
            )
        except nx.NetworkXNoPath:
            assert fid in set(result.unrouted["flow_id"])
            continue
        assert list(got.loc[fid, "nodes"]) == path
        assert got.loc[fid, "time_s"] == pytest.approx(cost, abs=1e-9)


@pytest.mark.parametrize("seed", range(4))
def test_k_shortest_costs_equal_networkx_yen(seed: int) -> None:
    G = random_road_graph(seed, parallel=0)
    for node in G.nodes:
        G.nodes[node].update(kind="place", place_id=node)
    digraph = nx.DiGraph(G)
    nodes = sorted(G.nodes)
    rng = np.random.default_rng(seed)
    for origin, destination in zip(rng.choice(nodes, 5), rng.choice(nodes, 5), strict=True):
        if origin == destination or not nx.has_path(digraph, origin, destination):
            continue
        flows = pd.DataFrame({"origin": [origin], "destination": [destination], "count": [1]})
        result = assign(G, flows, method="k_shortest", k=3, max_detour=None)
        expected = []
        for path in nx.shortest_simple_paths(digraph, origin, destination, weight="travel_time_s"):
            expected.append(nx.path_weight(digraph, path, weight="travel_time_s"))
            if len(expected) == 3:
                break
        assert result.paths["time_s"].tolist() == pytest.approx(expected)


def test_input_is_not_mutated_and_bad_options_fail(region: nx.MultiDiGraph) -> None:
    flows = corridor_flows()
    before = flows.copy()
    edges_before = region.number_of_edges()
    assign(region, flows, method="logit")
    pd.testing.assert_frame_equal(flows, before)
    assert region.number_of_edges() == edges_before
    with pytest.raises(GeotrafError, match="method"):
        assign(region, flows, method="fastest")
    with pytest.raises(GeotrafError, match="origin"):
        assign(region, flows.drop(columns="origin"))


def _eager_paths(G: nx.MultiDiGraph, flows: pd.DataFrame, **options: object) -> pd.DataFrame:
    """The per-flow table as the pre-tree engine built it: one path per flow, walked."""
    from geotraf import _csr, _paths, _routes

    result = assign(G, flows, **options)  # type: ignore[arg-type]
    view = _csr.csr_view(G)
    routed = result.flows.loc[~result.flows.index.isin(result.unrouted["flow_id"])]
    src = np.array([view.node_index[n] for n in routed["origin_node"]], dtype=np.int64)
    dst = np.array([view.node_index[n] for n in routed["destination_node"]], dtype=np.int64)
    routes = _routes.from_pathset(_paths.shortest_paths(view, src, dst))
    return _routes.paths_frame(
        _routes.PathAttributes.of(G, view),
        view,
        routes,
        list(routed.index),
        np.arange(len(routed), dtype=np.int64),
        routed["count"].to_numpy(float),
    )


@pytest.mark.parametrize("seed", range(3))
def test_lazy_paths_table_equals_the_eager_one(seed: int) -> None:
    G = random_road_graph(seed, integer=True)
    for node in G.nodes:
        G.nodes[node].update(kind="place", place_id=node)
    nodes = sorted(G.nodes)
    rng = np.random.default_rng(seed)
    flows = pd.DataFrame(
        {
            "origin": rng.choice(nodes, 200),
            "destination": rng.choice(nodes, 200),
            "count": rng.integers(1, 50, 200),
        }
    )
    lazy = assign(G, flows)
    assert "_paths_value" in vars(lazy) and callable(vars(lazy)["_paths_value"])
    eager = _eager_paths(G, flows)
    pd.testing.assert_frame_equal(lazy.paths.reset_index(drop=True), eager)
    assert lazy.paths is lazy.paths  # built once
    # The loads of the table's paths are the loads assign summed on its trees.
    summed: dict[tuple[str, str, int], float] = {}
    for edges, weight in zip(eager["edges"], eager["weight"], strict=True):
        for eid in edges:
            u, v, key = eid.split("|")
            summed[(u, v, int(key))] = summed.get((u, v, int(key)), 0.0) + weight
    loaded = lazy.edge_load[lazy.edge_load > 0]
    assert loaded.to_dict() == pytest.approx(summed)


def test_given_paths_table_is_kept_and_edges_line_up_with_graph_to_gdfs(
    region: nx.MultiDiGraph,
) -> None:
    from dataclasses import replace

    from geotraf.convert import graph_to_gdfs

    result = assign(region, corridor_flows())
    _, edges = graph_to_gdfs(region)
    loaded = edges.assign(load=result.edge_load)
    assert loaded["load"].notna().all()
    assert (loaded["load"] > 0).sum() == (result.edge_load > 0).sum()
    assert loaded.loc[("j1", "x:X1", 0), "load"] == 155.0
    table = result.paths.head(1)
    assert replace(result, paths=table).paths is table


@pytest.mark.parametrize(
    ("seed", "integer", "method", "detour"),
    [
        (0, False, "k_shortest", 0.5),
        (1, True, "k_shortest", 0.5),
        (2, False, "k_shortest", None),
        (3, True, "logit", None),
        (4, False, "logit", None),
    ],
)
def test_array_alternatives_equal_the_per_key_ones(
    seed: int, integer: bool, method: str, detour: float | None
) -> None:
    # Keys without via places take the all-array path; the per-key path (what via places
    # use, and what every key used before) must give the same routes, costs and shares.
    from geotraf import _alternatives, _csr

    G = random_road_graph(seed, integer=integer)
    view = _csr.csr_view(G)
    rng = np.random.default_rng(seed)
    ids = [str(x) for x in view.node_ids]
    keys = sorted({(ids[a], ids[b]) for a, b in rng.integers(0, len(ids), (150, 2))})
    for k in (2, 3, 4):
        fast = _alternatives.key_routes(
            view, keys, k, method, 0.05, detour, client=None, show_progress=False
        )
        slow = _alternatives.per_key_routes(view, keys, k, method, 0.05, detour)
        for name in ("cost", "share", "edge_offsets", "edges", "node_offsets", "nodes"):
            np.testing.assert_array_equal(getattr(fast, name), getattr(slow, name), err_msg=name)
        np.testing.assert_array_equal(fast.key_start, slow.key_start)
        assert fast.loopless and slow.loopless
