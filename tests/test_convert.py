"""Route graph ↔ GeoDataFrames, both ways."""

from __future__ import annotations

from typing import Any

import networkx as nx
import pytest
from _graph_fixtures import assert_same_graph

import geotraf
from geotraf.convert import graph_from_gdfs, graph_to_gdfs
from geotraf.errors import GraphError


@pytest.fixture
def tiny_graph(tiny_region: Any) -> nx.MultiDiGraph:
    r = tiny_region
    return geotraf.build_route_graph(r)


def test_graph_to_gdfs_shapes(tiny_graph: nx.MultiDiGraph) -> None:
    nodes, edges = graph_to_gdfs(tiny_graph)
    assert nodes.index.name == "node"
    assert list(nodes.index) == list(tiny_graph.nodes)
    assert edges.index.names == ["u", "v", "key"]
    assert len(nodes) == 9 and len(edges) == 18
    assert nodes.crs == "EPSG:4326" and edges.crs == "EPSG:4326"
    assert list(nodes.columns[:5]) == ["x", "y", "kind", "country", "name"]
    assert nodes.loc["x:c1", "geometry"].coords[0] == (1.0, 0.5)
    # Attributes a node kind does not have are missing, not empty strings.
    assert nodes["crossing_id"].isna().sum() == 7
    assert edges["border"].sum() == 4
    assert edges.loc[("x:c1", "j3", 0), "geometry"].length == pytest.approx(0.5)


def test_only_nodes_or_only_edges(tiny_graph: nx.MultiDiGraph) -> None:
    assert len(graph_to_gdfs(tiny_graph, edges=False)) == 9
    assert len(graph_to_gdfs(tiny_graph, nodes=False)) == 18
    with pytest.raises(GraphError):
        graph_to_gdfs(tiny_graph, nodes=False, edges=False)


def test_round_trip_gives_the_same_graph(tiny_graph: nx.MultiDiGraph) -> None:
    back = graph_from_gdfs(*graph_to_gdfs(tiny_graph))
    assert_same_graph(tiny_graph, back)
    assert back.graph["unattached"] == [] and back.graph["crs"] == "EPSG:4326"


def test_graph_attrs_can_be_given(tiny_graph: nx.MultiDiGraph) -> None:
    nodes, edges = graph_to_gdfs(tiny_graph)
    back = graph_from_gdfs(nodes, edges, graph_attrs={"crs": "EPSG:4326", "name": "other"})
    assert back.graph == {"crs": "EPSG:4326", "name": "other"}


def test_edge_without_geometry_gets_a_straight_line() -> None:
    G = nx.MultiDiGraph(crs="EPSG:4326")
    G.add_node("a", x=0.0, y=0.0)
    G.add_node("b", x=1.0, y=1.0)
    G.add_edge("a", "b", length_m=1.0)
    edges = graph_to_gdfs(G, nodes=False)
    assert list(edges.geometry.iloc[0].coords) == [(0.0, 0.0), (1.0, 1.0)]


def test_edges_naming_unknown_nodes_are_refused(tiny_graph: nx.MultiDiGraph) -> None:
    nodes, edges = graph_to_gdfs(tiny_graph)
    with pytest.raises(GraphError, match="not in the nodes"):
        graph_from_gdfs(nodes.drop(index="x:c1"), edges)
    with pytest.raises(GraphError, match=r"\(u, v, key\)"):
        graph_from_gdfs(nodes, edges.reset_index())
