"""A compressed sparse row (CSR) view of the route graph for fast many-source routing.

NetworkX stays the model; this module turns a ``MultiDiGraph`` into numpy arrays once.
The compiled searches of :mod:`geotraf._kernels` build, per origin, the tie-broken
shortest-path tree on them; :mod:`geotraf._paths` lists paths, :mod:`geotraf._trees`
sums loads up the trees, :mod:`geotraf._yen` finds alternatives.

Conventions
-----------
- Parallel edges ``u → v`` collapse to the cheapest one (smallest weight; among equal
  weights the first in the graph's edge order). Its ``edge_id`` receives the load.
- Nodes are indexed in the graph's node order (builders add them along the roads, which
  keeps neighbours close in memory: Dijkstra runs up to 3× faster than in id order);
  ``CSRCore.rank`` holds each node's rank among the ids compared as strings.
- **Tie-break.** The tree edge into a node is, among its *tight* in-edges
  (``dist[u] + w(u, v) - dist[v] <= TIE_TOLERANCE``, on the final distances), the one
  whose tail has the smallest node id (string order, via ``rank``). This
  gives every flow one deterministic fastest path, equal to the path obtained by walking
  ``networkx.dijkstra_predecessor_and_distance`` backwards with ``min`` over the
  predecessor lists, and to NetworkX's only path when shortest paths are unique.
- Weights below :data:`MIN_WEIGHT` are raised to it: distances then grow strictly along
  every path, which the backward walk relies on to end (zero-time loops would not).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from geotraf.errors import GraphError

if TYPE_CHECKING:
    import networkx as nx

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

#: Smallest edge weight used for routing (seconds when routing on travel time).
MIN_WEIGHT = 1e-6
#: Two path costs closer than this (absolute, in weight units) count as a tie.
TIE_TOLERANCE = 1e-9
#: Cap on the distance block held in memory per batch of origins (float64 cells).
BATCH_CELLS = 8_000_000


@dataclass(frozen=True)
class CSRCore:
    """The numeric arrays routing needs: small to pickle and to scatter to workers."""

    n: int
    indptr: IntArray
    indices: IntArray
    weight: FloatArray
    in_indptr: IntArray
    in_src: IntArray
    in_pos: IntArray
    rank: IntArray

    def matrix(self) -> sp.csr_array:
        """Return the weighted adjacency matrix (row = from node, column = to node)."""
        return sp.csr_array((self.weight, self.indices, self.indptr), shape=(self.n, self.n))


@dataclass(frozen=True)
class CSRGraph:
    """A CSR view of a route graph with the maps back to node ids and edge ids.

    Attributes
    ----------
    core
        Numeric arrays (see :class:`CSRCore`); edge ``i`` is CSR position ``i``.
    node_ids
        Node id of each node index (object array, in the graph's node order).
    node_index
        Node id → node index.
    edge_ids
        ``edge_id`` of the cheapest parallel edge at each CSR position.
    edge_keys
        ``(u, v, key)`` of that edge in the MultiDiGraph, per CSR position.
    weight_name
        The edge attribute the weights come from.
    all_edge_ids, all_edge_keys
        ``edge_id`` and ``(u, v, key)`` of every edge of the graph, in its edge order.
    columns
        Edge attributes asked for by :func:`csr_view`, per edge in that order.
    kept
        Position in that order of the edge kept at each CSR position.
    """

    core: CSRCore
    node_ids: npt.NDArray[np.object_]
    node_index: dict[Hashable, int]
    edge_ids: npt.NDArray[np.object_]
    edge_keys: tuple[tuple[Hashable, Hashable, Any], ...]
    weight_name: str
    all_edge_ids: npt.NDArray[np.object_]
    kept: IntArray
    all_edge_keys: tuple[tuple[Hashable, Hashable, Any], ...] = ()
    columns: dict[str, list[Any]] = dataclasses.field(default_factory=dict, repr=False)

    @property
    def n(self) -> int:
        """Number of nodes."""
        return self.core.n

    @functools.cached_property
    def sources(self) -> IntArray:
        """From-node index of each CSR position (computed once per view)."""
        return np.repeat(np.arange(self.core.n, dtype=np.int64), np.diff(self.core.indptr))

    @functools.cached_property
    def _pair_keys(self) -> IntArray:
        return self.sources * self.core.n + self.core.indices

    def positions(self, u: IntArray, v: IntArray) -> IntArray:
        """Return the CSR position of each edge ``u[i] → v[i]`` (-1 where there is none)."""
        u = np.asarray(u, dtype=np.int64)
        v = np.asarray(v, dtype=np.int64)
        keys = self._pair_keys
        want = u * self.core.n + v
        pos = np.searchsorted(keys, want)
        pos = np.minimum(pos, max(len(keys) - 1, 0))
        found = (keys[pos] == want) if len(keys) else np.zeros(len(want), dtype=bool)
        return np.where(found, pos, -1).astype(np.int64)


def csr_view(
    G: nx.MultiDiGraph, *, weight: str = "travel_time_s", columns: Sequence[str] = ()
) -> CSRGraph:
    """Build the CSR view of ``G`` routed on the edge attribute ``weight``.

    Parameters
    ----------
    G
        Route graph (``MultiDiGraph``; a ``DiGraph`` works too).
    weight
        Edge attribute holding a non-negative cost.
    columns
        Further edge attributes read in the same pass over the edges, kept in
        ``CSRGraph.columns`` (one value per edge of the graph, None where missing).

    Raises
    ------
    GraphError
        When an edge lacks the attribute or its value is negative or not a number.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_edge("a", "b", travel_time_s=5.0, edge_id="a|b|0")
    0
    >>> G.add_edge("a", "b", travel_time_s=3.0, edge_id="a|b|1")
    1
    >>> view = csr_view(G)
    >>> list(view.edge_ids), float(view.core.weight[0])
    (['a|b|1'], 3.0)
    """
    node_ids = np.empty(G.number_of_nodes(), dtype=object)
    node_ids[:] = list(G.nodes)
    node_index: dict[Hashable, int] = {node: i for i, node in enumerate(node_ids)}
    n = len(node_ids)
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(np.array([str(x) for x in node_ids], dtype=object), kind="stable")] = np.arange(
        n, dtype=np.int64
    )
    ekeys, (weights, given, *extra) = edge_table(G, (weight, "edge_id", *columns))
    w_raw = np.array([np.nan if w is None else w for w in weights], dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(w_raw) | (w_raw < 0))
    if len(bad):
        u, v, key = ekeys[int(bad[0])]
        raise GraphError(
            f"edge {u} → {v} (key {key}) has {weight}={weights[int(bad[0])]!r} "
            f"({len(bad)} edge(s) in all); every edge needs a non-negative number: rebuild "
            "the graph with geotraf.graph.build_route_graph"
        )
    eids = [
        str(e) if e is not None else f"{u}|{v}|{key}"
        for e, (u, v, key) in zip(given, ekeys, strict=True)
    ]
    us = [node_index[u] for u, _, _ in ekeys]
    vs = [node_index[v] for _, v, _ in ekeys]
    u_arr = np.asarray(us, dtype=np.int64)
    v_arr = np.asarray(vs, dtype=np.int64)
    w_arr = np.maximum(w_raw, MIN_WEIGHT)
    order_in_graph = np.arange(len(u_arr))
    # Sort by (u, v, weight, graph order) and keep the first of each (u, v): the cheapest.
    order = np.lexsort((order_in_graph, w_arr, v_arr, u_arr))
    u_s, v_s = u_arr[order], v_arr[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = (u_s[1:] != u_s[:-1]) | (v_s[1:] != v_s[:-1])
    keep = order[first]
    u_k, v_k, w_k = u_arr[keep], v_arr[keep], w_arr[keep]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(u_k, minlength=n), out=indptr[1:])
    # In-edges grouped by head node v: the backward walk scans the in-edges of each v.
    in_order = np.lexsort((u_k, v_k)).astype(np.int64)
    in_indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(v_k, minlength=n), out=in_indptr[1:])
    core = CSRCore(
        n=n,
        indptr=indptr,
        indices=v_k,
        weight=w_k,
        in_indptr=in_indptr,
        in_src=u_k[in_order],
        in_pos=in_order,
        rank=rank,
    )
    all_eids = np.asarray(eids, dtype=object)
    return CSRGraph(
        core=core,
        node_ids=node_ids,
        node_index=node_index,
        edge_ids=all_eids[keep],
        edge_keys=tuple(ekeys[i] for i in keep),
        weight_name=weight,
        all_edge_ids=all_eids,
        kept=keep.astype(np.int64),
        all_edge_keys=tuple(ekeys),
        columns=dict(zip(columns, extra, strict=True)),
    )


def edge_table(
    G: nx.MultiDiGraph, names: Sequence[str]
) -> tuple[list[tuple[Hashable, Hashable, Any]], list[list[Any]]]:
    """``(u, v, key)`` of every edge in the graph's edge order and, per name, its values.

    One pass over the adjacency dicts (None where an edge lacks the attribute); a
    ``DiGraph``'s edges get key 0.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_edge("a", "b", t=2.0)
    0
    >>> edge_table(G, ["t", "ref"])
    ([('a', 'b', 0)], [[2.0], [None]])
    """
    keys: list[tuple[Hashable, Hashable, Any]] = []
    columns: list[list[Any]] = [[] for _ in names]
    pairs = list(enumerate(names))
    multi = G.is_multigraph()
    # The adjacency dicts themselves: NetworkX's read-only views cost ~10 µs per edge.
    adjacency = G._adj
    for u, nbrs in adjacency.items():
        for v, data in nbrs.items():
            for key, d in data.items() if multi else ((0, data),):
                keys.append((u, v, key))
                for i, name in pairs:
                    columns[i].append(d.get(name))
    return keys, columns
