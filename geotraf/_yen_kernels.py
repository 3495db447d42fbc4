"""Compiled (numba) Yen alternatives: the k loopless fastest paths of many legs at once.

The same algorithm and the same answers as the plain-Python version this replaced (kept
in ``tests/_yen_reference.py`` to check it): Yen's algorithm with Lawler's refinement,
spur searches by A* on exact distances to the target (a consistent bound in the
restricted graph), each spur bounded by the cost of the candidate that would be picked
last, candidates ordered by (cost, their nodes' ranks). Costs are summed as numpy sums
them (:func:`_pairwise`), so equal-looking costs compare as they did.
"""

from __future__ import annotations

import numpy as np
from numba import njit, types
from numba.typed import List

from geotraf._csr import TIE_TOLERANCE, FloatArray, IntArray

_PATH = types.int64[::1]
#: A* work arrays: blocked, blocked_head, seen, done, g, parent, heap key/rank/node.
Work = tuple[
    IntArray, IntArray, IntArray, IntArray, FloatArray, IntArray, FloatArray, IntArray, IntArray
]


@njit(cache=True, nogil=True)
def _block_sum(a: FloatArray, lo: int, n: int) -> float:
    """numpy's sum of at most 128 values: 8 accumulators, then the rest in order."""
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = 8
    while i < n - (n % 8):
        j = lo + i
        r0 += a[j]
        r1 += a[j + 1]
        r2 += a[j + 2]
        r3 += a[j + 3]
        r4 += a[j + 4]
        r5 += a[j + 5]
        r6 += a[j + 6]
        r7 += a[j + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@njit(cache=True, nogil=True)
def _pairwise(a: FloatArray, lo: int, n: int) -> float:
    """``a[lo:lo + n].sum()`` bit for bit as numpy computes it.

    numpy sums blocks of at most 128 values (:func:`_block_sum`) and splits longer runs
    in two halves (the first a multiple of 8), adding the halves' sums. The halving is
    done here with an explicit stack: numba cannot cache recursive functions.
    """
    if n <= 128:
        return _block_sum(a, lo, n)
    f_lo = np.empty(64, dtype=np.int64)
    f_n = np.empty(64, dtype=np.int64)
    stage = np.zeros(64, dtype=np.int64)
    left = np.zeros(64)
    right = np.zeros(64)
    f_lo[0], f_n[0], stage[0] = lo, n, 0
    top = 0
    result = 0.0
    while top >= 0:
        m = f_n[top]
        half = m // 2
        half -= half % 8
        value = 0.0
        done = False
        if m <= 128:
            value = _block_sum(a, f_lo[top], m)
            done = True
        elif stage[top] == 0:
            stage[top] = 1
            f_lo[top + 1], f_n[top + 1], stage[top + 1] = f_lo[top], half, 0
            top += 1
        elif stage[top] == 1:
            stage[top] = 2
            f_lo[top + 1], f_n[top + 1], stage[top + 1] = f_lo[top] + half, m - half, 0
            top += 1
        else:
            value = left[top] + right[top]
            done = True
        if done:
            top -= 1
            if top < 0:
                result = value
            elif stage[top] == 1:
                left[top] = value
            else:
                right[top] = value
    return result


@njit(cache=True, nogil=True)
def path_costs(weight: FloatArray, edges: IntArray, offsets: IntArray) -> FloatArray:
    """``weight[edges[offsets[i]:offsets[i + 1]]].sum()`` for every i, as numpy sums."""
    out = np.empty(len(offsets) - 1)
    buf = np.empty(max(1, len(edges)))
    for i in range(len(out)):
        n = offsets[i + 1] - offsets[i]
        for j in range(n):
            buf[j] = weight[edges[offsets[i] + j]]
        out[i] = _pairwise(buf, 0, n)
    return out


@njit(cache=True, nogil=True)
def gather(flat: IntArray, offsets: IntArray, which: IntArray) -> tuple[IntArray, IntArray]:
    """Segments ``which`` of ``flat`` (cut at ``offsets``), concatenated in that order."""
    out_off = np.zeros(len(which) + 1, dtype=np.int64)
    for i in range(len(which)):
        out_off[i + 1] = out_off[i] + offsets[which[i] + 1] - offsets[which[i]]
    out = np.empty(out_off[-1], dtype=np.int64)
    for i in range(len(which)):
        lo = offsets[which[i]]
        for j in range(out_off[i + 1] - out_off[i]):
            out[out_off[i] + j] = flat[lo + j]
    return out, out_off


@njit(cache=True, nogil=True)
def take(flat: IntArray, start: IntArray, length: IntArray) -> tuple[IntArray, IntArray]:
    """Segments ``flat[start[i]:start[i] + length[i]]`` concatenated, with their offsets."""
    out_off = np.zeros(len(start) + 1, dtype=np.int64)
    for i in range(len(start)):
        out_off[i + 1] = out_off[i] + length[i]
    out = np.empty(out_off[-1], dtype=np.int64)
    for i in range(len(start)):
        lo = start[i]
        base = out_off[i]
        for j in range(length[i]):
            out[base + j] = flat[lo + j]
    return out, out_off


@njit(cache=True, nogil=True)
def _position(indptr: IntArray, indices: IntArray, u: int, v: int) -> int:
    for p in range(indptr[u], indptr[u + 1]):
        if indices[p] == v:
            return p
    return -1


@njit(cache=True, nogil=True)
def _path_cost(
    indptr: IntArray, indices: IntArray, weight: FloatArray, nodes: IntArray, buf: FloatArray
) -> float:
    """Cost of a node path: its edges' weights summed as numpy would."""
    for j in range(len(nodes) - 1):
        buf[j] = weight[_position(indptr, indices, nodes[j], nodes[j + 1])]
    return _pairwise(buf, 0, len(nodes) - 1)


@njit(cache=True, nogil=True)
def _astar(
    indptr: IntArray,
    indices: IntArray,
    weight: FloatArray,
    rank: IntArray,
    source: int,
    target: int,
    h: FloatArray,
    limit: float,
    sid: int,
    ws: Work,
) -> IntArray:
    """Fastest ``source → target`` path avoiding the nodes/heads marked ``sid``.

    ``ws`` = (blocked node stamp, blocked-from-source head stamp, seen stamp, done stamp,
    g, parent, heap keys, heap ranks, heap nodes): the heap pops by (f, rank), as the
    tuples of the Python version did. Returns the node path, or an empty array when the
    target is unreachable or every open path costs more than ``limit``.
    """
    blocked, blocked_head, seen, done, g, parent, hkey, hrank, hnode = ws
    empty = np.zeros(0, dtype=np.int64)
    if h[source] == np.inf:
        return empty
    seen[source] = sid
    g[source] = 0.0
    size = 1
    hkey[0], hrank[0], hnode[0] = h[source], rank[source], source
    while size > 0:
        f = hkey[0]
        u = hnode[0]
        size -= 1
        if size > 0:  # sift the last entry down from the root
            xk, xr, xn = hkey[size], hrank[size], hnode[size]
            i = 0
            while True:
                c = 2 * i + 1
                if c >= size:
                    break
                if c + 1 < size and (
                    hkey[c + 1] < hkey[c] or (hkey[c + 1] == hkey[c] and hrank[c + 1] < hrank[c])
                ):
                    c += 1
                if hkey[c] < xk or (hkey[c] == xk and hrank[c] < xr):
                    hkey[i], hrank[i], hnode[i] = hkey[c], hrank[c], hnode[c]
                    i = c
                else:
                    break
            hkey[i], hrank[i], hnode[i] = xk, xr, xn
        if f > limit:
            return empty
        if done[u] == sid:
            continue
        if u == target:
            length = 1
            v = u
            while v != source:
                v = parent[v]
                length += 1
            path = np.empty(length, dtype=np.int64)
            v = u
            for j in range(length - 1, -1, -1):
                path[j] = v
                if j:
                    v = parent[v]
            return path
        done[u] = sid
        gu = g[u]
        for p in range(indptr[u], indptr[u + 1]):
            v = indices[p]
            hv = h[v]
            if hv == np.inf or done[v] == sid or blocked[v] == sid:
                continue
            if u == source and blocked_head[v] == sid:
                continue
            cost = gu + weight[p]
            if seen[v] != sid or cost < g[v]:
                seen[v] = sid
                g[v] = cost
                parent[v] = u
                fk, rv = cost + hv, rank[v]
                i = size
                size += 1
                while i > 0:
                    up = (i - 1) >> 1
                    if fk < hkey[up] or (fk == hkey[up] and rv < hrank[up]):
                        hkey[i], hrank[i], hnode[i] = hkey[up], hrank[up], hnode[up]
                        i = up
                    else:
                        break
                hkey[i], hrank[i], hnode[i] = fk, rv, v
    return empty


@njit(cache=True, nogil=True)
def _before(
    ca: float, a: IntArray, cb: float, b: IntArray, rank: IntArray
) -> bool:  # candidate order: cost, then ranks compared as lists
    if ca != cb:
        return ca < cb
    for j in range(min(len(a), len(b))):
        if rank[a[j]] != rank[b[j]]:
            return rank[a[j]] < rank[b[j]]
    return len(a) < len(b)


@njit(cache=True, nogil=True)
def _same(a: IntArray, b: IntArray) -> bool:
    if len(a) != len(b):
        return False
    for j in range(len(a)):  # noqa: SIM110 - numba compiles no generator expressions
        if a[j] != b[j]:
            return False
    return True


@njit(cache=True, nogil=True)
def yen_legs(
    indptr: IntArray,
    indices: IntArray,
    weight: FloatArray,
    rank: IntArray,
    to_target: FloatArray,
    leg_row: IntArray,
    first_nodes: IntArray,
    first_offsets: IntArray,
    k: int,
    max_cost: FloatArray,
) -> tuple[IntArray, FloatArray, IntArray, IntArray, IntArray, IntArray]:
    """Yen alternatives of many legs: up to ``k - 1`` paths after each leg's fastest.

    Leg ``l`` has the fastest path ``first_nodes[first_offsets[l]:first_offsets[l + 1]]``
    (at least two nodes), its distances to the target in ``to_target[leg_row[l]]``, and
    alternatives costlier than ``max_cost[l]`` are not searched for.

    Returns (alternatives per leg, their costs, node offsets, nodes, edge offsets, CSR
    positions), the alternatives of all legs concatenated in leg order and cost order.
    """
    n = len(indptr) - 1
    ws = (
        np.zeros(n, dtype=np.int64),
        np.zeros(n, dtype=np.int64),
        np.zeros(n, dtype=np.int64),
        np.zeros(n, dtype=np.int64),
        np.empty(n),
        np.empty(n, dtype=np.int64),
        np.empty(len(indices) + 1),
        np.empty(len(indices) + 1, dtype=np.int64),
        np.empty(len(indices) + 1, dtype=np.int64),
    )
    blocked, blocked_head = ws[0], ws[1]
    buf = np.empty(n)
    n_legs = len(leg_row)
    per_leg = np.zeros(n_legs, dtype=np.int64)
    out_cost = [0.0]
    out_paths = List.empty_list(_PATH)
    sid = 0
    for leg in range(n_legs):
        first = first_nodes[first_offsets[leg] : first_offsets[leg + 1]].copy()
        h = to_target[leg_row[leg]]
        target = first[-1]
        found = List.empty_list(_PATH)
        found.append(first)
        devs = [0]
        # Candidates are never removed, only marked taken: ``taken[c]``.
        cands = List.empty_list(_PATH)
        ccost = [0.0]
        cdev = [0]
        taken = [True]
        open_count = 0
        while len(found) < k:
            last = found[-1]
            root_cost = np.zeros(len(last))
            for j in range(len(last) - 1):
                root_cost[j + 1] = (
                    root_cost[j] + weight[_position(indptr, indices, last[j], last[j + 1])]
                )
            for i in range(devs[-1], len(last) - 1):
                sid += 1
                for j in range(i):
                    blocked[last[j]] = sid
                for path in found:
                    if len(path) > i + 1 and _same(path[: i + 1], last[: i + 1]):
                        blocked_head[path[i + 1]] = sid
                need = k - len(found)
                cap = max_cost[leg]
                if open_count >= need:
                    costs = np.empty(open_count)
                    q = 0
                    for c in range(len(cands)):
                        if not taken[c + 1]:
                            costs[q] = ccost[c + 1]
                            q += 1
                    costs.sort()
                    cap = min(cap, costs[need - 1])
                limit = cap - root_cost[i] + TIE_TOLERANCE
                spur = _astar(indptr, indices, weight, rank, last[i], target, h, limit, sid, ws)
                if len(spur) == 0:
                    continue
                nodes = np.concatenate((last[:i], spur))
                dup = False
                for path in found:
                    if _same(path, nodes):
                        dup = True
                        break
                if not dup:  # taken candidates are in ``found`` already
                    for c in range(len(cands)):
                        if not taken[c + 1] and _same(cands[c], nodes):
                            dup = True
                            break
                if dup:
                    continue
                cands.append(nodes)
                ccost.append(_path_cost(indptr, indices, weight, nodes, buf))
                cdev.append(i)
                taken.append(False)
                open_count += 1
            if open_count == 0:
                break
            pick = -1
            for c in range(len(cands)):
                if not taken[c + 1] and (
                    pick < 0 or _before(ccost[c + 1], cands[c], ccost[pick + 1], cands[pick], rank)
                ):
                    pick = c
            taken[pick + 1] = True
            open_count -= 1
            found.append(cands[pick])
            devs.append(cdev[pick + 1])
            out_cost.append(ccost[pick + 1])
            out_paths.append(cands[pick])
            per_leg[leg] += 1
    total = len(out_paths)
    node_off = np.zeros(total + 1, dtype=np.int64)
    edge_off = np.zeros(total + 1, dtype=np.int64)
    for j in range(total):
        node_off[j + 1] = node_off[j] + len(out_paths[j])
        edge_off[j + 1] = edge_off[j] + len(out_paths[j]) - 1
    nodes_flat = np.empty(node_off[-1], dtype=np.int64)
    edges_flat = np.empty(edge_off[-1], dtype=np.int64)
    cost_arr = np.empty(total)
    for j in range(total):
        path = out_paths[j]
        cost_arr[j] = out_cost[j + 1]
        nodes_flat[node_off[j] : node_off[j + 1]] = path
        for q in range(len(path) - 1):
            edges_flat[edge_off[j] + q] = _position(indptr, indices, path[q], path[q + 1])
    return per_leg, cost_arr, node_off, nodes_flat, edge_off, edges_flat
