"""Loopless k-shortest paths (Yen's algorithm) on the CSR view of the route graph.

Spur searches are A* guided by exact distances to the target (one reverse search per
target, shared by every origin heading there), compiled with the rest of Yen's loop in
:mod:`geotraf._yen_kernels`; see :func:`yen` and :func:`alternatives`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from geotraf import _kernels, _parallel, _yen_kernels
from geotraf._csr import CSRGraph, FloatArray, IntArray


@dataclass(frozen=True)
class Alternatives:
    """Alternatives of many legs (after each leg's fastest path), flattened.

    Leg ``l`` has ``count[l]`` alternatives, in cost order; alternative ``j`` (over all
    legs, in leg order) costs ``cost[j]`` and runs over
    ``nodes[node_offsets[j]:node_offsets[j + 1]]`` and CSR positions
    ``edges[edge_offsets[j]:edge_offsets[j + 1]]``.
    """

    count: IntArray
    cost: FloatArray
    node_offsets: IntArray
    nodes: IntArray
    edge_offsets: IntArray
    edges: IntArray


def distances_to(view: CSRGraph, targets: Sequence[int] | IntArray) -> FloatArray:
    """Return ``dist[i, v]``: fastest time from every node ``v`` to ``targets[i]``.

    One compiled search per target on the reversed graph (the in-edge arrays).
    """
    core = view.core
    idx = np.asarray(targets, dtype=np.int64).reshape(-1)
    arrays = _kernels.core_arrays(core)  # 32-bit indices where they fit, as the trees use
    out: FloatArray = _kernels.distance_rows(arrays[3], arrays[4], core.weight[core.in_pos], idx)
    return out


def alternatives(
    view: CSRGraph,
    firsts: IntArray,
    offsets: IntArray,
    rows: IntArray,
    to_target: FloatArray,
    k: int,
    max_cost: FloatArray,
    *,
    chunk: int | None = None,
) -> Alternatives:
    """Yen's alternatives (up to ``k - 1`` after the fastest) of many legs at once.

    Leg ``l``'s fastest path (node indices, at least two) is
    ``firsts[offsets[l]:offsets[l + 1]]`` and its target's distances are
    ``to_target[rows[l]]`` (:func:`distances_to`); alternatives costing more than
    ``max_cost[l]`` are not searched for. Chunks of ``chunk`` legs (default: 16 chunks)
    run on a few threads; the answer does not depend on either.
    """
    core = view.core
    parts = _parallel.chunks(len(rows), chunk)
    jobs = [
        (
            core.indptr,
            core.indices,
            core.weight,
            core.rank,
            to_target,
            rows[lo:hi],
            firsts[offsets[lo] : offsets[hi]],
            offsets[lo : hi + 1] - offsets[lo],
            k,
            max_cost[lo:hi],
        )
        for lo, hi in parts
    ]
    results = list(_parallel.run_chunks(_yen_kernels.yen_legs, jobs))
    empty = np.zeros(0, dtype=np.int64)
    if not results:
        return Alternatives(
            empty, np.zeros(0), np.zeros(1, np.int64), empty, np.zeros(1, np.int64), empty
        )
    node_len = np.concatenate([np.diff(r[2]) for r in results])
    edge_len = np.concatenate([np.diff(r[4]) for r in results])
    node_offsets = np.zeros(len(node_len) + 1, dtype=np.int64)
    np.cumsum(node_len, out=node_offsets[1:])
    edge_offsets = np.zeros(len(edge_len) + 1, dtype=np.int64)
    np.cumsum(edge_len, out=edge_offsets[1:])
    return Alternatives(
        count=np.concatenate([r[0] for r in results]),
        cost=np.concatenate([r[1] for r in results]),
        node_offsets=node_offsets,
        nodes=np.concatenate([r[3] for r in results]),
        edge_offsets=edge_offsets,
        edges=np.concatenate([r[5] for r in results]),
    )


def path_costs(view: CSRGraph, edges: IntArray, offsets: IntArray) -> FloatArray:
    """Cost of each path ``edges[offsets[i]:offsets[i + 1]]`` (CSR positions), as
    ``weight[edges].sum()`` computes it, compiled.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("a", "b", travel_time_s=1.5)
    >>> from geotraf._csr import csr_view
    >>> path_costs(csr_view(G), np.array([0]), np.array([0, 1, 1])).tolist()
    [1.5, 0.0]
    """
    out: FloatArray = _yen_kernels.path_costs(view.core.weight, edges, offsets)
    return out


def yen(
    view: CSRGraph,
    first: IntArray,
    k: int,
    to_target: FloatArray,
    *,
    max_cost: float = math.inf,
) -> list[IntArray]:
    """Up to ``k`` loopless fastest paths (node indices), Yen's algorithm.

    ``first`` is the fastest path (from :func:`geotraf._paths.shortest_paths`, so the
    node-id tie-break holds for it); ``to_target`` the distances of every node to its
    last node (see :func:`distances_to`). Spur searches are A* on those exact lower
    bounds, and, as in Lawler's refinement, only start at or after the node where the
    newest path left its parent. Among equally fast candidates the one with the smaller
    node ids wins. Paths costing more than ``max_cost`` are not searched for (fewer than
    ``k`` may come back), nor spurs costlier than the candidate that would be the last
    one picked.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> for u, v, t in [("a", "b", 1.0), ("b", "c", 1.0), ("a", "c", 3.0)]:
    ...     _ = G.add_edge(u, v, travel_time_s=t)
    >>> from geotraf._csr import csr_view
    >>> view = csr_view(G)
    >>> [p.tolist() for p in yen(view, np.array([0, 1, 2]), 3, distances_to(view, [2])[0])]
    [[0, 1, 2], [0, 2]]
    """
    first = np.asarray(first, dtype=np.int64)
    if len(first) < 2:
        return [first]
    alt = alternatives(
        view,
        first,
        np.array([0, len(first)], dtype=np.int64),
        np.zeros(1, dtype=np.int64),
        np.atleast_2d(np.asarray(to_target, dtype=np.float64)),
        k,
        np.array([max_cost], dtype=np.float64),
    )
    return [first] + [
        alt.nodes[alt.node_offsets[j] : alt.node_offsets[j + 1]] for j in range(int(alt.count[0]))
    ]
