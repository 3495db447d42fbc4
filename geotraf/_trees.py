"""Loads of many (origin, destination) pairs summed on one shortest-path tree per origin.

The same paths as :func:`geotraf._paths.shortest_paths` (same tie rule), without listing
them: one compiled search per origin builds its tie-broken tree and sums the pairs'
weights up it (:func:`geotraf._kernels.tree_chunk`); memory grows with the graph, not
with the pairs' path lengths.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from geotraf import _kernels, _parallel
from geotraf._csr import CSRGraph, FloatArray, IntArray


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

    The same paths as :func:`geotraf._paths.shortest_paths` (same tie rule), without
    listing them. Origins are split into chunks of ``batch_size`` (default: 16 chunks)
    run on a few threads, or as Dask tasks with a ``client``; the split never depends on
    the number of threads, so neither do the sums.

    Returns
    -------
    (load per CSR position, load per node index, cost per pair; inf where unreachable)

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> for u, v in [("a", "b"), ("b", "c"), ("b", "d")]:
    ...     _ = G.add_edge(u, v, travel_time_s=1.0)
    >>> from geotraf._csr import csr_view
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
    order, origins, offsets = _parallel.by_origin(src_a)
    parts = _parallel.chunks(len(origins), batch_size)
    jobs = [
        (
            origins[lo:hi],
            offsets[lo : hi + 1] - offsets[lo],
            dst_a[order[offsets[lo] : offsets[hi]]],
            w[order[offsets[lo] : offsets[hi]]],
        )
        for lo, hi in parts
    ]
    from geotraf.progress import progress

    arrays = _kernels.core_arrays(view.core)
    if client is not None and jobs:
        future = client.scatter(arrays, broadcast=True)
        futures = [client.submit(_remote_chunk, future, *job, pure=False) for job in jobs]
        results: Iterator[tuple[FloatArray, FloatArray, FloatArray]] = (f.result() for f in futures)
    else:
        results = _parallel.run_chunks(_kernels.tree_chunk, [(*arrays, *job) for job in jobs])
    edge_load = np.zeros(len(view.core.indices))
    node_load = np.zeros(view.n)
    cost = np.full(len(src_a), np.inf)
    bar = progress(results, desc="routing", show=show_progress, total=len(jobs))
    for (lo, hi), (e, n, c) in zip(parts, bar, strict=True):
        edge_load += e
        node_load += n
        cost[order[offsets[lo] : offsets[hi]]] = c
    return edge_load, node_load, cost


def _remote_chunk(
    arrays: _kernels.CoreArrays, *job: Any
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """One chunk on a Dask worker (the core arrays scattered once)."""
    return _kernels.tree_chunk(*arrays, *job)
