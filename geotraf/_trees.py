"""Loads of many (origin, destination) pairs summed on one shortest-path tree per origin.

The same paths as :func:`geotraf._paths.shortest_paths` (same tie rule), without listing
them: memory grows with origins × nodes per batch, not with the pairs' path lengths.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.sparse.csgraph import dijkstra

from geotraf._csr import (
    BATCH_CELLS,
    CACHE_CELLS,
    CSRCore,
    CSRGraph,
    FloatArray,
    IntArray,
    predecessors,
)
from geotraf._paths import _batches


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
