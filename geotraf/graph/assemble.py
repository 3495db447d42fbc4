"""Put the route graph's nodes and edges into a NetworkX graph, in bulk and in a fixed order.

Nodes go in sorted id order and edges in sorted ``(u, v, road_id, part, piece, stretch)``
order, with the keys ``add_edge`` would give (0, 1, ... per ``(u, v)``), so iteration
order -- and the CSR view built on it -- is deterministic.

Why not ``add_edges_from``: in NetworkX 3.6 it calls ``add_edge`` per edge and then
updates the data through two adjacency views, about 29 microseconds an edge -- 23 s for
the 800,000 edges of a million-segment network, more than everything else in the build.
:func:`assemble` fills the graph's own adjacency dicts the way ``add_edge`` does (one key
dict per ``(u, v)``, shared by the successor and predecessor maps; the data dict stored
as given), which takes well under a second. ``tests/test_graph_topology.py`` checks that
the result equals the graph ``add_nodes_from``/``add_edges_from`` build, so a change in
NetworkX's internals fails a test rather than giving a different graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np


@dataclass
class _Edges:
    """Directed edges with their data and the parts of their sort key."""

    u: list[str] = field(default_factory=list)
    v: list[str] = field(default_factory=list)
    attrs: list[dict[str, Any]] = field(default_factory=list)
    road_id: list[str] = field(default_factory=list)
    part: list[int] = field(default_factory=list)
    piece: list[int] = field(default_factory=list)
    stretch: list[int] = field(default_factory=list)

    def add(
        self,
        u: str,
        v: str,
        attrs: dict[str, Any],
        road_id: str,
        part: int,
        piece: int,
        stretch: int,
    ) -> None:
        self.u.append(u)
        self.v.append(v)
        self.attrs.append(attrs)
        self.road_id.append(road_id)
        self.part.append(part)
        self.piece.append(piece)
        self.stretch.append(stretch)

    def extend(
        self,
        u: list[str],
        v: list[str],
        attrs: list[dict[str, Any]],
        road_id: list[str],
        part: list[int],
        piece: list[int],
        stretch: list[int],
    ) -> None:
        """Add many edges at once (lists of equal length)."""
        self.u.extend(u)
        self.v.extend(v)
        self.attrs.extend(attrs)
        self.road_id.extend(road_id)
        self.part.extend(part)
        self.piece.extend(piece)
        self.stretch.extend(stretch)

    def __len__(self) -> int:
        return len(self.u)


def edge_order(nodes: list[str], edges: _Edges) -> tuple[list[int], list[int]]:
    """Return the sorted order of ``edges`` and each one's key within its ``(u, v)``.

    ``nodes`` is the sorted list of node ids.
    """
    n = len(edges)
    if n == 0:
        return [], []
    rank = {nid: i for i, nid in enumerate(nodes)}
    ur = np.fromiter((rank[u] for u in edges.u), dtype=np.int64, count=n)
    vr = np.fromiter((rank[v] for v in edges.v), dtype=np.int64, count=n)
    _, rid = np.unique(np.array(edges.road_id, dtype=object), return_inverse=True)
    order = np.lexsort(
        (
            np.asarray(edges.stretch, dtype=np.int64),
            np.asarray(edges.piece, dtype=np.int64),
            np.asarray(edges.part, dtype=np.int64),
            rid.reshape(-1),
            vr,
            ur,
        )
    )
    us, vs = ur[order], vr[order]
    new = np.ones(n, dtype=bool)
    new[1:] = (us[1:] != us[:-1]) | (vs[1:] != vs[:-1])
    position = np.arange(n)
    key = position - np.maximum.accumulate(np.where(new, position, 0))
    return order.tolist(), key.tolist()


def assemble(graph: nx.MultiDiGraph, nodes: dict[str, dict[str, Any]], edges: _Edges) -> None:
    """Fill the empty ``graph`` with ``nodes`` and ``edges`` (each edge gets its ``edge_id``).

    The node and edge data dicts are stored as given (not copied): the caller hands them
    over.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> edges = _Edges()
    >>> edges.add("b", "a", {"length_m": 2.0}, "r", 0, 0, 0)
    >>> edges.add("a", "b", {"length_m": 1.0}, "r", 0, 0, 0)
    >>> edges.add("a", "b", {"length_m": 3.0}, "r", 0, 1, 0)
    >>> assemble(G, {"b": {}, "a": {}}, edges)
    >>> [(u, v, k, d["edge_id"]) for u, v, k, d in G.edges(keys=True, data=True)]
    [('a', 'b', 0, 'a|b|0'), ('a', 'b', 1, 'a|b|1'), ('b', 'a', 0, 'b|a|0')]
    >>> G.has_edge("a", "b", 1), list(G.predecessors("b"))
    (True, ['a'])
    """
    if graph.number_of_nodes():
        raise ValueError("assemble fills an empty graph")
    names = sorted(nodes)
    succ, pred, store = graph._succ, graph._pred, graph._node
    for nid in names:
        store[nid] = nodes[nid]
        succ[nid] = graph.adjlist_inner_dict_factory()
        pred[nid] = graph.adjlist_inner_dict_factory()
    order, keys = edge_order(names, edges)
    us, vs, data = edges.u, edges.v, edges.attrs
    for i, key in zip(order, keys, strict=True):
        u, v, d = us[i], vs[i], data[i]
        d["edge_id"] = f"{u}|{v}|{key}"
        keydict = succ[u].get(v)
        if keydict is None:
            keydict = graph.edge_key_dict_factory()
            succ[u][v] = keydict
            pred[v][u] = keydict
        keydict[key] = d
    nx._clear_cache(graph)
