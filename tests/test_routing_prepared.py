"""A prepared network (``geotraf.routing.prepare``) gives exactly what the graph gives."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from _routing_fixtures import corridor_flows, corridor_region, random_road_graph

from geotraf.errors import InputError
from geotraf.routing import Assignment, Network, assign, prepare
from geotraf.scenarios import close


def _assert_same(a: Assignment, b: Assignment) -> None:
    pd.testing.assert_frame_equal(a.paths, b.paths)
    pd.testing.assert_frame_equal(a.unrouted, b.unrouted)
    pd.testing.assert_frame_equal(a.flows, b.flows)
    pd.testing.assert_series_equal(a.edge_load, b.edge_load)
    pd.testing.assert_series_equal(a.node_load, b.node_load)


@pytest.mark.parametrize("method", ["shortest", "k_shortest", "logit"])
def test_prepared_region_assigns_as_the_graph_does(method: str) -> None:
    # Place ids, country and province codes, via places and unroutable flows.
    region = corridor_region()
    flows = corridor_flows()
    net = prepare(region)
    first = assign(net, flows, method=method)
    _assert_same(first, assign(region, flows, method=method))
    assert len(first.unrouted) > 0 and first.edge_load.sum() > 0
    # Reused: another matrix in between, then the first again, same answers.
    assign(net, flows.iloc[::2], method=method)
    _assert_same(assign(net, flows, method=method), first)


def test_prepared_closed_network_still_tells_closure_from_no_road() -> None:
    region = corridor_region()
    closed = close(region, crossings=["X1", "X2"])
    flows = corridor_flows()
    ours = assign(prepare(closed), flows)
    _assert_same(ours, assign(closed, flows))
    assert "closed" in set(ours.unrouted["reason"])


@pytest.mark.parametrize("seed", range(3))
def test_prepared_random_graph_on_another_weight(seed: int) -> None:
    G = random_road_graph(seed)
    for node in G.nodes:
        G.nodes[node].update(kind="place", place_id=node)
    rng = np.random.default_rng(seed)
    for _, _, data in G.edges(data=True):  # a generalised cost unrelated to time
        data["cost"] = float(rng.uniform(1.0, 100.0))
    nodes = sorted(G.nodes)
    flows = pd.DataFrame(
        {
            "origin": rng.choice(nodes, 300),
            "destination": rng.choice(nodes, 300),
            "count": rng.integers(1, 9, 300).astype(float),
        }
    )
    net = prepare(G, weight="cost")
    ours = assign(net, flows, weight="cost")
    _assert_same(ours, assign(G, flows, weight="cost"))
    # Routed on cost, not time: the loads differ from the time-routed ones.
    assert not ours.edge_load.equals(assign(G, flows).edge_load)


def test_prepared_network_refuses_other_options_and_a_changed_graph() -> None:
    region = corridor_region()
    flows = corridor_flows()
    net = prepare(region)
    assert isinstance(net, Network) and net.nodes == region.number_of_nodes()
    assert repr(net) == (
        f"Network({region.number_of_nodes()} nodes, {region.number_of_edges()} edges, "
        "on travel_time_s)"
    )
    with pytest.raises(InputError, match=r"prepared on 'travel_time_s'.*weight='length_m'"):
        assign(net, flows, weight="length_m")
    with pytest.raises(InputError, match=r"places= to geotraf\.routing\.prepare"):
        assign(net, flows, places=pd.DataFrame({"place_id": ["VTE"]}))
    changed = region.copy()
    changed.add_node("j-new", kind="junction", x=0.0, y=0.0)
    with pytest.raises(InputError, match="prepare it again"):
        assign(Network(**{**vars(net), "graph": changed}), flows)


def test_prepare_reads_the_graph_without_changing_it() -> None:
    region = corridor_region()
    before = nx.to_dict_of_dicts(region)
    attrs = dict(region.graph)
    prepare(region)
    assert nx.to_dict_of_dicts(region) == before
    assert region.graph == attrs
