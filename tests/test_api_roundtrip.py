"""Property-based round trips of the front door's graph I/O.

For any route-shaped graph (string node ids, int edge keys, parallel edges, attributes a
node or edge may or may not have, of type str, int, float or bool):

- ``graph_from_gdfs(*graph_to_gdfs(G))`` is ``G`` (ids, keys, attributes and their types);
- ``load_graph(save_graph(G, path))`` is ``G``, and saving never changes ``G``.
"""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import Any

import networkx as nx
from _graph_fixtures import assert_same_graph
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import LineString

import geotraf

TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00"), max_size=12
)
#: Attribute name → values it may take (absent on some nodes/edges: missing, not empty).
NODE_ATTRS: dict[str, st.SearchStrategy[Any]] = {
    "kind": st.sampled_from(["junction", "crossing", "place"]),
    "name": TEXT,
    "population": st.integers(min_value=-(2**31), max_value=2**31),
    "informal": st.booleans(),
    "score": st.floats(allow_nan=False, allow_infinity=False, width=64),
}
EDGE_ATTRS: dict[str, st.SearchStrategy[Any]] = {
    "travel_time_s": st.floats(min_value=0, max_value=1e7, allow_nan=False),
    "ref": TEXT,
    "border": st.booleans(),
    "lanes": st.integers(min_value=0, max_value=12),
}


@st.composite
def route_graphs(draw: st.DrawFn) -> nx.MultiDiGraph:
    ids = draw(st.lists(TEXT.filter(bool), min_size=1, max_size=8, unique=True))
    G = nx.MultiDiGraph(crs="EPSG:4326", name=draw(TEXT))
    lon = st.floats(min_value=-180, max_value=180, allow_nan=False)
    lat = st.floats(min_value=-90, max_value=90, allow_nan=False)
    for n in ids:
        attrs = {k: draw(v) for k, v in NODE_ATTRS.items() if draw(st.booleans())}
        G.add_node(n, x=draw(lon), y=draw(lat), **attrs)
    pairs = st.tuples(st.sampled_from(ids), st.sampled_from(ids))
    for u, v in draw(st.lists(pairs, max_size=12)):
        attrs = {k: draw(s) for k, s in EDGE_ATTRS.items() if draw(st.booleans())}
        a, b = G.nodes[u], G.nodes[v]
        line = LineString([(a["x"], a["y"]), (b["x"], b["y"])])
        G.add_edge(u, v, geometry=line, length_m=draw(st.floats(0, 1e6)), **attrs)
    return G


@settings(max_examples=60, deadline=None)
@given(route_graphs())
def test_graph_to_gdfs_and_back_is_the_same_graph(G: nx.MultiDiGraph) -> None:
    before = copy.deepcopy(G)
    nodes, edges = geotraf.graph_to_gdfs(G)
    assert list(nodes.index) == list(G.nodes)
    assert list(edges.index) == list(G.edges(keys=True))
    assert_same_graph(G, geotraf.graph_from_gdfs(nodes, edges))
    assert_same_graph(G, before)  # the input is never changed


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(route_graphs())
def test_save_graph_and_load_graph_give_the_same_graph(G: nx.MultiDiGraph) -> None:
    before = copy.deepcopy(G)
    with tempfile.TemporaryDirectory() as tmp:
        path = geotraf.save_graph(G, Path(tmp) / "graph.gpkg")
        assert_same_graph(G, geotraf.load_graph(path))
    assert_same_graph(G, before)
