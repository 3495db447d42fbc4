"""Fastest paths of many (origin, destination) pairs on the CSR view, listed hop by hop.

Pairs are grouped by origin; each batch of origins is one
:func:`scipy.sparse.csgraph.dijkstra` call, the tie-broken tree of each origin
(:func:`geotraf._csr.predecessors`) is built once and every pair walks it back from its
destination. :mod:`geotraf._trees` gives the same paths' loads without listing them.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from geotraf._csr import (
    BATCH_CELLS,
    CSRCore,
    CSRGraph,
    FloatArray,
    IntArray,
    predecessors,
)
from geotraf.errors import GraphError


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
    >>> from geotraf._csr import csr_view
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
    >>> from geotraf._csr import csr_view
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
