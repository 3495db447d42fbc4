"""A compressed sparse row (CSR) view of the route graph for fast many-source routing.

NetworkX stays the model; this module turns a ``MultiDiGraph`` into numpy arrays once and
runs :func:`scipy.sparse.csgraph.dijkstra` grouped by origin, then maps the results back to
node ids and edge ids.

Conventions
-----------
- Parallel edges ``u → v`` collapse to the cheapest one (smallest weight; among equal
  weights the first in the graph's edge order). Its ``edge_id`` receives the load.
- Nodes are indexed in the graph's node order (builders add them along the roads, which
  keeps neighbours close in memory: Dijkstra runs up to 3× faster than in id order);
  ``CSRCore.rank`` holds each node's rank among the ids compared as strings.
- **Tie-break.** scipy returns distances only; paths are rebuilt backwards from each
  destination by choosing, among the *tight* in-edges of a node (``dist[u] + w(u, v) ==
  dist[v]`` within :data:`TIE_TOLERANCE`), the predecessor with the smallest node id
  (string order, via ``rank``). This
  gives every flow one deterministic fastest path, equal to the path obtained by walking
  ``networkx.dijkstra_predecessor_and_distance`` backwards with ``min`` over the
  predecessor lists, and to NetworkX's only path when shortest paths are unique.
- Weights below :data:`MIN_WEIGHT` are raised to it: distances then grow strictly along
  every path, which the backward walk relies on to end (zero-time loops would not).
"""

from __future__ import annotations

import functools
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

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
#: Rows of trees handled at once hold about this many cells (cache-sized arrays).
CACHE_CELLS = 1 << 20


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


def csr_view(G: nx.MultiDiGraph, *, weight: str = "travel_time_s") -> CSRGraph:
    """Build the CSR view of ``G`` routed on the edge attribute ``weight``.

    Parameters
    ----------
    G
        Route graph (``MultiDiGraph``; a ``DiGraph`` works too).
    weight
        Edge attribute holding a non-negative cost.

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
    ekeys, (weights, given) = edge_table(G, (weight, "edge_id"))
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


@dataclass(frozen=True)
class PathSet:
    """Fastest paths of many (origin, destination) pairs, flattened into arrays.

    Pair ``i`` runs over CSR positions ``edges[edge_offsets[i]:edge_offsets[i + 1]]`` (in
    travel order) from node ``origin[i]``; its nodes are the origin followed by the head
    of each edge (``nodes`` / ``node_offsets``, built on first use). An unreachable pair
    has ``cost = inf``, no edges and no nodes.
    """

    cost: FloatArray
    origin: IntArray
    edge_offsets: IntArray
    edges: IntArray
    heads: IntArray

    @property
    def reached(self) -> npt.NDArray[np.bool_]:
        """Whether each pair has a path."""
        return np.isfinite(self.cost)

    @functools.cached_property
    def node_offsets(self) -> IntArray:
        """Offsets of each pair's nodes in :attr:`nodes` (one more node than edges)."""
        count = np.diff(self.edge_offsets) + self.reached
        out = np.zeros(len(self.cost) + 1, dtype=np.int64)
        np.cumsum(count, out=out[1:])
        return out

    @functools.cached_property
    def nodes(self) -> IntArray:
        """Node indices of every path, origin first, concatenated."""
        offsets = self.node_offsets
        out = np.empty(int(offsets[-1]), dtype=np.int64)
        first = offsets[:-1][self.reached]
        out[first] = self.origin[self.reached]
        rest = np.ones(len(out), dtype=bool)
        rest[first] = False
        out[rest] = self.heads[self.edges]
        return out

    def node_path(self, i: int) -> IntArray:
        """Node indices of pair ``i``'s path, origin first."""
        if not self.reached[i]:
            return np.zeros(0, dtype=np.int64)
        edges = self.edge_path(i)
        return np.concatenate([[self.origin[i]], self.heads[edges]]).astype(np.int64)

    def edge_path(self, i: int) -> IntArray:
        """CSR positions of pair ``i``'s edges, in travel order."""
        return self.edges[self.edge_offsets[i] : self.edge_offsets[i + 1]]

    def incidence(self) -> sp.csr_array:
        """Pairs × CSR positions, 1 where the pair's path uses the edge."""
        hops = np.diff(self.edge_offsets)
        data = np.ones(len(self.edges))
        return sp.csr_array(
            (data, self.edges.copy(), self.edge_offsets.copy()), shape=(len(hops), len(self.heads))
        )


@dataclass(frozen=True)
class _BatchResult:
    pair: IntArray
    cost: FloatArray
    hops: IntArray
    edges: IntArray


def predecessors(core: CSRCore, dist: FloatArray) -> IntArray:
    """Tree edge into every node, one row per origin: the tie-broken fastest predecessor.

    ``dist`` holds one Dijkstra row per origin. Among the tight in-edges of ``v``
    (``dist[u] + w(u, v) == dist[v]`` within :data:`TIE_TOLERANCE`) the one whose tail has
    the smallest node id (string order) wins; -1 marks the origin and unreachable nodes.
    Vectorised over all edges of the rows at once.
    """
    n_edges = len(core.indices)
    out = np.full(dist.shape, -1, dtype=np.int64)
    if n_edges == 0:
        return out
    pos = core.in_pos
    tail, head = core.in_src, core.indices[pos]
    starts = core.in_indptr[:-1]
    has = np.flatnonzero(core.in_indptr[1:] > starts)
    order_code = core.rank[tail] * (n_edges + 1) + np.arange(n_edges, dtype=np.int64)
    none = np.int64((core.n + 1) * (n_edges + 1))
    w = core.weight[pos]
    step = max(1, CACHE_CELLS // n_edges)
    for lo in range(0, dist.shape[0], step):
        block = dist[lo : lo + step]
        with np.errstate(invalid="ignore"):
            tight = block[:, tail] + w - block[:, head] <= TIE_TOLERANCE
        code = np.where(tight, order_code, none)
        best = np.minimum.reduceat(code, starts[has], axis=1)
        found = best < none
        chosen = pos[np.where(found, best % (n_edges + 1), 0)]
        out[lo : lo + step, has] = np.where(found, chosen, -1)
    return out


def _solve_batch(
    core: CSRCore, origins: IntArray, pair: IntArray, src: IntArray, dst: IntArray
) -> _BatchResult:
    """Route the pairs whose origins are all in ``origins`` (one Dijkstra per origin).

    One search per origin serves all its destinations: the tie-broken shortest-path tree
    of every origin is built once (:func:`predecessors`) and every pair walks it back from
    its destination, all pairs of the batch in step.
    """
    dist = np.atleast_2d(dijkstra(core.matrix(), directed=True, indices=origins))
    pred = predecessors(core, dist)
    tails = np.repeat(np.arange(core.n, dtype=np.int64), np.diff(core.indptr))
    rows = np.searchsorted(origins, src)
    cost = dist[rows, dst]
    reach = np.isfinite(cost)
    hops = np.where(reach, 0, -1).astype(np.int64)
    local = np.flatnonzero(reach & (dst != src))
    cur, act_row, act_src = dst[local], rows[local], src[local]
    steps: list[IntArray] = []
    who: list[IntArray] = []
    found: list[IntArray] = []
    step = 0
    while len(cur):
        step += 1
        if step > core.n:  # pragma: no cover - guarded by MIN_WEIGHT > TIE_TOLERANCE
            raise GraphError("path reconstruction did not terminate; report this graph")
        p = pred[act_row, cur]
        who.append(local)
        found.append(p)
        steps.append(np.full(len(p), step, dtype=np.int64))
        cur = tails[p]
        more = cur != act_src
        hops[local[~more]] = step
        local, cur, act_row, act_src = local[more], cur[more], act_row[more], act_src[more]
    n_hops = np.maximum(hops, 0)
    offsets = np.zeros(len(pair) + 1, dtype=np.int64)
    np.cumsum(n_hops, out=offsets[1:])
    edges = np.empty(int(offsets[-1]), dtype=np.int64)
    if who:
        w_all = np.concatenate(who)
        # The walk went destination → origin: step s is hop (hops - s) in travel order.
        edges[offsets[w_all] + n_hops[w_all] - np.concatenate(steps)] = np.concatenate(found)
    return _BatchResult(pair=pair, cost=cost, hops=n_hops, edges=edges)


def _batches(src: IntArray, n: int, batch_size: int | None) -> list[IntArray]:
    """Split the pair indices into groups whose distinct origins fit one distance block."""
    origins = np.unique(src)
    size = batch_size or max(1, BATCH_CELLS // max(n, 1))
    groups = [origins[i : i + size] for i in range(0, len(origins), size)]
    order = np.argsort(src, kind="stable")
    sorted_src = src[order]
    out = []
    for g in groups:
        lo = np.searchsorted(sorted_src, g[0], side="left")
        hi = np.searchsorted(sorted_src, g[-1], side="right")
        out.append(order[lo:hi])
    return out


def shortest_paths(
    view: CSRGraph,
    src: Sequence[int] | IntArray,
    dst: Sequence[int] | IntArray,
    *,
    client: Any = None,
    batch_size: int | None = None,
    show_progress: bool | None = False,
) -> PathSet:
    """Return the fastest path of every pair ``src[i] → dst[i]`` (node indices).

    Pairs are grouped by origin; each batch of origins is one
    :func:`scipy.sparse.csgraph.dijkstra` call. With a ``dask.distributed.Client`` the
    batches run as Dask tasks on a CSR scattered once to the workers.

    Parameters
    ----------
    view
        From :func:`csr_view`.
    src, dst
        Node indices of origins and destinations, same length.
    client
        Optional ``dask.distributed.Client``.
    batch_size
        Distinct origins per Dijkstra call; default keeps each distance block under
        :data:`BATCH_CELLS` cells (64 MB).
    show_progress
        Draw a bar (None: only on a terminal).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> for u, v, t in [("a", "b", 1.0), ("b", "c", 1.0), ("a", "c", 3.0)]:
    ...     _ = G.add_edge(u, v, travel_time_s=t)
    >>> view = csr_view(G)
    >>> ps = shortest_paths(view, [0], [2])
    >>> [str(view.node_ids[i]) for i in ps.node_path(0)], float(ps.cost[0])
    (['a', 'b', 'c'], 2.0)
    """
    src_a = np.asarray(src, dtype=np.int64)
    dst_a = np.asarray(dst, dtype=np.int64)
    if src_a.shape != dst_a.shape:
        raise ValueError("src and dst must have the same length")
    m = len(src_a)
    groups = _batches(src_a, view.n, batch_size) if m else []
    jobs = [(np.unique(src_a[g]), g.astype(np.int64), src_a[g], dst_a[g]) for g in groups]
    results: list[_BatchResult]
    if client is not None and jobs:
        core_future = client.scatter(view.core, broadcast=True)
        futures = [client.submit(_solve_batch, core_future, *job, pure=False) for job in jobs]
        from geotraf.progress import progress

        results = [f.result() for f in progress(futures, desc="routing", show=show_progress)]
    else:
        from geotraf.progress import progress

        results = [
            _solve_batch(view.core, *job)
            for job in progress(jobs, desc="routing", show=show_progress)
        ]
    return _assemble(results, src_a, view.core.indices)


def _assemble(results: list[_BatchResult], src: IntArray, heads: IntArray) -> PathSet:
    m = len(src)
    cost = np.full(m, np.inf)
    hops = np.zeros(m, dtype=np.int64)
    for r in results:
        cost[r.pair] = r.cost
        hops[r.pair] = r.hops
    offsets = np.zeros(m + 1, dtype=np.int64)
    np.cumsum(hops, out=offsets[1:])
    edges = np.empty(int(offsets[-1]), dtype=np.int64)
    for r in results:
        local = np.zeros(len(r.hops), dtype=np.int64)
        np.cumsum(r.hops[:-1], out=local[1:])
        where = np.repeat(offsets[r.pair] - local, r.hops) + np.arange(len(r.edges))
        edges[where] = r.edges
    return PathSet(cost=cost, origin=src, edge_offsets=offsets, edges=edges, heads=heads)


def accumulate(
    view: CSRGraph, paths: PathSet, weights: Sequence[float] | FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Return (load per CSR position, load per node index) of paths carrying ``weights``.

    Every node of a path, its origin and destination included, carries the path's weight.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("a", "b", travel_time_s=1.0)
    >>> view = csr_view(G)
    >>> edge, node = accumulate(view, shortest_paths(view, [0], [1]), [4.0])
    >>> edge.tolist(), node.tolist()
    ([4.0], [4.0, 4.0])
    """
    w = np.asarray(weights, dtype=np.float64)
    edge_load = paths.incidence().T @ w
    # A fastest path is loopless: its nodes are its origin and the head of each edge.
    reached = paths.reached
    node_load = np.bincount(paths.heads, weights=edge_load, minlength=view.n) + np.bincount(
        paths.origin[reached], weights=w[reached], minlength=view.n
    )
    return np.asarray(edge_load, dtype=np.float64), node_load.astype(np.float64)


def _tree_batch(
    core: CSRCore, origins: IntArray, src: IntArray, dst: IntArray, weights: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Loads of the pairs whose origins are all in ``origins``, summed on their trees.

    The flow of each pair is put on its destination in its origin's tree; the load on the
    tree edge into ``v`` is then the flow of ``v``'s subtree. Subtree sums come from
    ``(I + P)(I + P²)(I + P⁴)…`` applied to the flows, where ``P`` moves a value to the
    parent: one scatter per doubling of the depth, all trees of the batch at once.
    Returns (load per CSR position, load per node, cost per pair).
    """
    dist = np.atleast_2d(dijkstra(core.matrix(), directed=True, indices=origins))
    n_rows, n = dist.shape
    tails = np.repeat(np.arange(n, dtype=np.int64), np.diff(core.indptr))
    rows = np.searchsorted(origins, src)
    cost = dist[rows, dst]
    reach = np.isfinite(cost)
    demand = np.bincount(rows[reach] * n + dst[reach], weights=weights[reach], minlength=n_rows * n)
    edge_load = np.zeros(len(core.indices))
    node_load = np.zeros(n)
    # A few rows at a time: the arrays then stay in cache (2-3× faster than whole batches).
    step = max(1, CACHE_CELLS // max(n, len(core.indices), 1))
    for lo in range(0, n_rows, step):
        hi = min(lo + step, n_rows)
        flat_pred = predecessors(core, dist[lo:hi]).ravel()
        size = len(flat_pred)
        tree = np.flatnonzero(flat_pred >= 0)
        subtree = demand[lo * n : hi * n].astype(np.float64)
        anc = np.full(size + 1, size, dtype=np.int64)  # the last cell: "no ancestor"
        anc[tree] = (tree // n) * n + tails[flat_pred[tree]]
        live = tree
        while len(live):
            subtree += np.bincount(anc[live], weights=subtree[live], minlength=size + 1)[:size]
            anc[live] = anc[anc[live]]
            live = live[anc[live] < size]
        edge_load += np.bincount(
            flat_pred[tree], weights=subtree[tree], minlength=len(core.indices)
        )
        node_load += subtree.reshape(hi - lo, n).sum(axis=0)
    return edge_load, node_load, cost


def tree_loads(
    view: CSRGraph,
    src: Sequence[int] | IntArray,
    dst: Sequence[int] | IntArray,
    weights: Sequence[float] | FloatArray,
    *,
    client: Any = None,
    batch_size: int | None = None,
    show_progress: bool | None = False,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Loads of pairs ``src[i] → dst[i]`` carrying ``weights[i]`` on their fastest paths.

    The same paths as :func:`shortest_paths` (same tie rule), without listing them: one
    tree per origin, loads summed up the trees (see :func:`_tree_batch`). Memory grows
    with origins × nodes per batch, not with the pairs' path lengths.

    Returns
    -------
    (load per CSR position, load per node index, cost per pair; inf where unreachable)

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> for u, v in [("a", "b"), ("b", "c"), ("b", "d")]:
    ...     _ = G.add_edge(u, v, travel_time_s=1.0)
    >>> view = csr_view(G)
    >>> edge, node, cost = tree_loads(view, [0, 0], [2, 3], [5.0, 2.0])
    >>> edge.tolist(), node.tolist(), cost.tolist()
    ([7.0, 5.0, 2.0], [7.0, 7.0, 5.0, 2.0], [2.0, 2.0])
    """
    src_a = np.asarray(src, dtype=np.int64)
    dst_a = np.asarray(dst, dtype=np.int64)
    w = np.asarray(weights, dtype=np.float64)
    if not src_a.shape == dst_a.shape == w.shape:
        raise ValueError("src, dst and weights must have the same length")
    size = batch_size or max(1, BATCH_CELLS // (4 * max(view.n, 1)))
    groups = _batches(src_a, view.n, size) if len(src_a) else []
    jobs = [(np.unique(src_a[g]), src_a[g], dst_a[g], w[g]) for g in groups]
    from geotraf.progress import progress

    if client is not None and jobs:
        core_future = client.scatter(view.core, broadcast=True)
        futures = [client.submit(_tree_batch, core_future, *job, pure=False) for job in jobs]
        results = [f.result() for f in progress(futures, desc="routing", show=show_progress)]
    else:
        results = [
            _tree_batch(view.core, *job)
            for job in progress(jobs, desc="routing", show=show_progress)
        ]
    edge_load = np.zeros(len(view.core.indices))
    node_load = np.zeros(view.n)
    cost = np.full(len(src_a), np.inf)
    for group, (e, n, c) in zip(groups, results, strict=True):
        edge_load += e
        node_load += n
        cost[group] = c
    return edge_load, node_load, cost
