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

import math
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
    """

    core: CSRCore
    node_ids: npt.NDArray[np.object_]
    node_index: dict[Hashable, int]
    edge_ids: npt.NDArray[np.object_]
    edge_keys: tuple[tuple[Hashable, Hashable, Any], ...]
    weight_name: str
    all_edge_ids: npt.NDArray[np.object_]
    kept: IntArray

    @property
    def n(self) -> int:
        """Number of nodes."""
        return self.core.n

    @property
    def sources(self) -> IntArray:
        """From-node index of each CSR position."""
        return np.repeat(np.arange(self.core.n, dtype=np.int64), np.diff(self.core.indptr))

    def positions(self, u: IntArray, v: IntArray) -> IntArray:
        """Return the CSR position of each edge ``u[i] → v[i]`` (-1 where there is none)."""
        u = np.asarray(u, dtype=np.int64)
        v = np.asarray(v, dtype=np.int64)
        keys = self.sources * self.core.n + self.core.indices
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
    multi = G.is_multigraph()
    # Fetch one attribute per pass: much faster than touching every edge's dict in Python.
    if multi:
        ekeys: list[tuple[Hashable, Hashable, Any]] = list(G.edges(keys=True))
        weights = [w for *_, w in G.edges(keys=True, data=weight)]
        given = [e for *_, e in G.edges(keys=True, data="edge_id")]
    else:
        ekeys = [(u, v, 0) for u, v in G.edges()]
        weights = [w for *_, w in G.edges(data=weight)]
        given = [e for *_, e in G.edges(data="edge_id")]
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
    )


@dataclass(frozen=True)
class PathSet:
    """Fastest paths of many (origin, destination) pairs, flattened into arrays.

    Pair ``i`` visits nodes ``nodes[node_offsets[i]:node_offsets[i + 1]]`` (origin first)
    over CSR positions ``edges[edge_offsets[i]:edge_offsets[i + 1]]``; an unreachable pair
    has ``cost = inf`` and no nodes.
    """

    cost: FloatArray
    node_offsets: IntArray
    nodes: IntArray
    edge_offsets: IntArray
    edges: IntArray

    def node_path(self, i: int) -> IntArray:
        """Node indices of pair ``i``'s path, origin first."""
        return self.nodes[self.node_offsets[i] : self.node_offsets[i + 1]]

    def edge_path(self, i: int) -> IntArray:
        """CSR positions of pair ``i``'s edges, in travel order."""
        return self.edges[self.edge_offsets[i] : self.edge_offsets[i + 1]]


@dataclass(frozen=True)
class _BatchResult:
    pair: IntArray
    cost: FloatArray
    node_pair: IntArray
    node_step: IntArray
    node: IntArray
    edge_pair: IntArray
    edge_step: IntArray
    edge: IntArray


def _solve_batch(
    core: CSRCore, origins: IntArray, pair: IntArray, src: IntArray, dst: IntArray
) -> _BatchResult:
    """Route the pairs whose origins are all in ``origins`` (one Dijkstra per origin)."""
    dist = dijkstra(core.matrix(), directed=True, indices=origins)
    dist = np.atleast_2d(dist)
    row_of = {int(o): r for r, o in enumerate(origins)}
    rows = np.fromiter((row_of[int(s)] for s in src), dtype=np.int64, count=len(src))
    cost = dist[rows, dst]
    reach = np.isfinite(cost)
    node_pair = [pair[reach]]
    node_step = [np.zeros(int(reach.sum()), dtype=np.int64)]
    node_list = [dst[reach]]
    edge_pair: list[IntArray] = []
    edge_step: list[IntArray] = []
    edge_list: list[IntArray] = []
    act_pair, act_row, act_src, cur = pair[reach], rows[reach], src[reach], dst[reach]
    active = cur != act_src
    act_pair, act_row, act_src, cur = (
        act_pair[active],
        act_row[active],
        act_src[active],
        cur[active],
    )
    step = 0
    while len(cur):
        step += 1
        if step > core.n:  # pragma: no cover - guarded by MIN_WEIGHT > TIE_TOLERANCE
            raise GraphError("path reconstruction did not terminate; report this graph")
        starts = core.in_indptr[cur]
        counts = core.in_indptr[cur + 1] - starts
        total = int(counts.sum())
        group_start = np.cumsum(counts) - counts
        flat = np.repeat(starts - group_start, counts) + np.arange(total, dtype=np.int64)
        u = core.in_src[flat]
        pos = core.in_pos[flat]
        rep_row = np.repeat(act_row, counts)
        dv = np.repeat(dist[act_row, cur], counts)
        tight = dist[rep_row, u] + core.weight[pos] - dv <= TIE_TOLERANCE
        key = np.where(tight, core.rank[u], core.n)
        best = np.minimum.reduceat(key, group_start)
        chosen = tight & (key == np.repeat(best, counts))
        pred_pos = pos[chosen]
        best = u[chosen]
        edge_pair.append(act_pair)
        edge_step.append(np.full(len(cur), step, dtype=np.int64))
        edge_list.append(pred_pos)
        cur = best
        node_pair.append(act_pair)
        node_step.append(np.full(len(cur), step, dtype=np.int64))
        node_list.append(cur)
        more = cur != act_src
        act_pair, act_row, act_src, cur = act_pair[more], act_row[more], act_src[more], cur[more]
    empty = np.zeros(0, dtype=np.int64)
    return _BatchResult(
        pair=pair,
        cost=cost,
        node_pair=np.concatenate(node_pair),
        node_step=np.concatenate(node_step),
        node=np.concatenate(node_list),
        edge_pair=np.concatenate(edge_pair) if edge_pair else empty,
        edge_step=np.concatenate(edge_step) if edge_step else empty,
        edge=np.concatenate(edge_list) if edge_list else empty,
    )


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
    return _assemble(results, m)


def _assemble(results: list[_BatchResult], m: int) -> PathSet:
    cost = np.full(m, np.inf)
    empty = np.zeros(0, dtype=np.int64)

    def cat(name: str) -> IntArray:
        parts = [getattr(r, name) for r in results]
        return np.concatenate(parts) if parts else empty

    for r in results:
        cost[r.pair] = r.cost
    node_pair, node_step, node = cat("node_pair"), cat("node_step"), cat("node")
    edge_pair, edge_step, edge = cat("edge_pair"), cat("edge_step"), cat("edge")
    # The walk went destination → origin; reverse the steps to get travel order.
    n_order = np.lexsort((-node_step, node_pair))
    e_order = np.lexsort((-edge_step, edge_pair))
    node_offsets = np.zeros(m + 1, dtype=np.int64)
    np.cumsum(np.bincount(node_pair, minlength=m), out=node_offsets[1:])
    edge_offsets = np.zeros(m + 1, dtype=np.int64)
    np.cumsum(np.bincount(edge_pair, minlength=m), out=edge_offsets[1:])
    return PathSet(
        cost=cost,
        node_offsets=node_offsets,
        nodes=node[n_order],
        edge_offsets=edge_offsets,
        edges=edge[e_order],
    )


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
    e_w = np.repeat(w, np.diff(paths.edge_offsets))
    n_w = np.repeat(w, np.diff(paths.node_offsets))
    nnz = len(view.core.indices)
    edge_load = np.bincount(paths.edges, weights=e_w, minlength=nnz).astype(np.float64)
    node_load = np.bincount(paths.nodes, weights=n_w, minlength=view.n).astype(np.float64)
    return edge_load, node_load


@dataclass(frozen=True)
class Adjacency:
    """Plain-list adjacency for the pure-Python searches of :func:`yen` (fast to index)."""

    indptr: list[int]
    indices: list[int]
    weight: list[float]
    rank: list[int]

    @classmethod
    def of(cls, view: CSRGraph) -> Adjacency:
        """Convert the CSR arrays once per assignment."""
        core = view.core
        return cls(
            core.indptr.tolist(), core.indices.tolist(), core.weight.tolist(), core.rank.tolist()
        )


def distances_to(view: CSRGraph, targets: Sequence[int] | IntArray) -> FloatArray:
    """Return ``dist[i, v]``: fastest time from every node ``v`` to ``targets[i]``."""
    reverse = view.core.matrix().T.tocsr()
    idx = np.asarray(targets, dtype=np.int64)
    return np.atleast_2d(dijkstra(reverse, directed=True, indices=idx))


def _astar(
    adj: Adjacency,
    source: int,
    target: int,
    to_target: list[float],
    blocked_nodes: set[int],
    blocked_edges: set[tuple[int, int]],
    limit: float = math.inf,
) -> list[int] | None:
    """Fastest path avoiding blocked nodes/edges, guided by exact distances to ``target``.

    ``to_target`` holds distances in the unrestricted graph: a consistent lower bound in
    the restricted one, so the first time ``target`` is settled its path is optimal. The
    search gives up (None) once every open path would cost more than ``limit``.
    """
    import heapq

    inf = math.inf
    if to_target[source] == inf:
        return None
    indptr, indices, weight, rank = adj.indptr, adj.indices, adj.weight, adj.rank
    best = {source: 0.0}
    parent: dict[int, int] = {}
    done: set[int] = set()
    heap = [(to_target[source], rank[source], source)]
    pop, push = heapq.heappop, heapq.heappush
    while heap:
        f, _, u = pop(heap)
        if f > limit:
            return None
        if u in done:
            continue
        if u == target:
            path = [u]
            while path[-1] != source:
                path.append(parent[path[-1]])
            return path[::-1]
        done.add(u)
        g = best[u]
        for pos in range(indptr[u], indptr[u + 1]):
            v = indices[pos]
            h = to_target[v]
            if h == inf or v in done or v in blocked_nodes or (u, v) in blocked_edges:
                continue
            cost = g + weight[pos]
            if cost < best.get(v, inf):
                best[v] = cost
                parent[v] = u
                push(heap, (cost + h, rank[v], v))
    return None


def yen(
    view: CSRGraph,
    adj: Adjacency,
    first: IntArray,
    k: int,
    to_target: FloatArray | list[float],
    *,
    max_cost: float = math.inf,
) -> list[IntArray]:
    """Up to ``k`` loopless fastest paths (node indices), Yen's algorithm.

    ``first`` is the fastest path (from :func:`shortest_paths`, so the node-id tie-break
    holds for it); ``to_target`` the distances of every node to its last node (see
    :func:`distances_to`). Spur searches are A* on those exact lower bounds, and, as in
    Lawler's refinement, only start at or after the node where the newest path left its
    parent. Among equally fast candidates the one with the smaller node ids wins.
    Paths costing more than ``max_cost`` are not searched for (fewer than ``k`` may come
    back).
    """
    import heapq

    weight = view.core.weight
    target = int(first[-1])
    bound = to_target.tolist() if isinstance(to_target, np.ndarray) else to_target
    found: list[list[int]] = [first.tolist()]
    deviation = [0]
    seen = {tuple(found[0])}
    candidates: list[tuple[float, list[int], list[int], int]] = []

    def cost_of(nodes: list[int]) -> float:
        pos = view.positions(np.asarray(nodes[:-1]), np.asarray(nodes[1:]))
        return float(weight[pos].sum())

    while len(found) < k:
        last = found[-1]
        hops = view.positions(np.asarray(last[:-1]), np.asarray(last[1:]))
        root_cost = np.concatenate([[0.0], np.cumsum(weight[hops])]).tolist()
        for i in range(deviation[-1], len(last) - 1):
            root = last[: i + 1]
            blocked_edges = {
                (path[i], path[i + 1])
                for path in found
                if len(path) > i + 1 and path[: i + 1] == root
            }
            limit = max_cost - root_cost[i] + TIE_TOLERANCE
            spur = _astar(adj, last[i], target, bound, set(root[:-1]), blocked_edges, limit)
            if spur is None:
                continue
            nodes = root[:-1] + spur
            key = tuple(nodes)
            if key in seen:
                continue
            seen.add(key)
            ranks = [adj.rank[n] for n in nodes]
            heapq.heappush(candidates, (cost_of(nodes), ranks, nodes, i))
        if not candidates:
            break
        _, _, nodes, dev = heapq.heappop(candidates)
        found.append(nodes)
        deviation.append(dev)
    return [np.asarray(p, dtype=np.int64) for p in found]
