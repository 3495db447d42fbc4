"""Fastest paths of many (origin, destination) pairs on the CSR view, listed hop by hop.

Pairs are grouped by origin; one compiled search per origin
(:mod:`geotraf._kernels`) builds its tie-broken tree and every pair walks it back from
its destination. :mod:`geotraf._trees` gives the same paths' loads without listing them.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from geotraf import _kernels, _parallel
from geotraf._csr import CSRGraph, FloatArray, IntArray


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

    @functools.cached_property
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

    Pairs are grouped by origin; one compiled search per origin builds its tie-broken
    tree and every pair of that origin walks it back
    (:func:`geotraf._kernels.paths_chunk`). Chunks of ``batch_size`` origins (default:
    16 chunks) run on a few threads, or as Dask tasks with a ``dask.distributed.Client``
    (the CSR arrays scattered once to the workers).

    Parameters
    ----------
    view
        From :func:`csr_view`.
    src, dst
        Node indices of origins and destinations, same length.
    client
        Optional ``dask.distributed.Client``.
    batch_size
        Distinct origins per chunk.
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
    from geotraf.progress import progress

    src_a = np.asarray(src, dtype=np.int64)
    dst_a = np.asarray(dst, dtype=np.int64)
    if src_a.shape != dst_a.shape:
        raise ValueError("src and dst must have the same length")
    order, origins, offsets = _parallel.by_origin(src_a)
    parts = _parallel.chunks(len(origins), batch_size)
    pairs = [order[offsets[lo] : offsets[hi]] for lo, hi in parts]
    jobs = [
        (origins[lo:hi], offsets[lo : hi + 1] - offsets[lo], dst_a[pair])
        for (lo, hi), pair in zip(parts, pairs, strict=True)
    ]
    arrays = _kernels.core_arrays(view.core)
    if client is not None and jobs:
        future = client.scatter(arrays, broadcast=True)
        futures = [client.submit(_remote_chunk, future, *job, pure=False) for job in jobs]
        raw: Iterator[tuple[FloatArray, IntArray, IntArray]] = (f.result() for f in futures)
    else:
        raw = _parallel.run_chunks(_kernels.paths_chunk, [(*arrays, *job) for job in jobs])
    results = [
        _BatchResult(pair=pair, cost=cost, hops=hops, edges=edges)
        for pair, (cost, hops, edges) in zip(
            pairs, progress(raw, desc="routing", show=show_progress, total=len(jobs)), strict=True
        )
    ]
    return _assemble(results, src_a, view.core.indices)


def _remote_chunk(arrays: _kernels.CoreArrays, *job: Any) -> tuple[FloatArray, IntArray, IntArray]:
    """One chunk on a Dask worker (the core arrays scattered once)."""
    return _kernels.paths_chunk(*arrays, *job)


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
