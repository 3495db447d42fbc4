"""The plain-Python Yen alternatives that geotraf used before its compiled version.

Kept unchanged (from geotraf/_yen.py) as the reference the compiled
:mod:`geotraf._yen_kernels` must equal path for path: tests/test_csr.py compares them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from geotraf._csr import TIE_TOLERANCE, CSRGraph, FloatArray, IntArray


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

    ``first`` is the fastest path (from :func:`geotraf._paths.shortest_paths`, so the
    node-id tie-break holds for it); ``to_target`` the distances of every node to its last node (see
    :func:`distances_to`). Spur searches are A* on those exact lower bounds, and, as in
    Lawler's refinement, only start at or after the node where the newest path left its
    parent. Among equally fast candidates the one with the smaller node ids wins.
    Paths costing more than ``max_cost`` are not searched for (fewer than ``k`` may come
    back), nor spurs costlier than the candidate that would be the last one picked.
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
            # A path costlier than the need-th best candidate can never be picked: the
            # remaining picks all come from those candidates or cheaper ones.
            need = k - len(found)
            cap = max_cost
            if len(candidates) >= need:
                cap = min(cap, heapq.nsmallest(need, candidates)[-1][0])
            limit = cap - root_cost[i] + TIE_TOLERANCE
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
