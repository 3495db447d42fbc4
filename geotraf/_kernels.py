"""Compiled (numba) kernels of the CSR engine: one-to-all searches and what is built on them.

Every kernel works on the plain arrays of :class:`geotraf._csr.CSRCore` and releases the
GIL (``nogil=True``), so :func:`geotraf._parallel.run_chunks` spreads chunks of origins
over threads. They
are compiled on first call and cached on disk (``cache=True``): a new process loads the
machine code instead of compiling again.

The rules they implement (documented in :mod:`geotraf._csr`):

- **Search.** Dijkstra with a 4-ary heap (lazy deletion). With non-negative weights the
  distances are the unique fixed point ``dist[v] = min_u fl(dist[u] + w(u, v))``, so they
  are the same floats as any other exact Dijkstra's (SciPy's included).
- **Tree.** The tree edge into each reached node ``v`` is, on the final distances, the tight
  in-edge (``dist[u] + w - dist[v] <= TIE_TOLERANCE``) whose tail has the smallest
  ``rank``. A tree parent is strictly closer than its child (weights are at least
  ``MIN_WEIGHT`` > ``TIE_TOLERANCE``), so parents are settled before children and the
  settle order read backwards visits every subtree before its root.
- **Loads.** Each pair's weight is put on its destination; walking the settle order
  backwards, a node's subtree sum is added to its tree edge and to its parent.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from numba import njit

from geotraf._csr import TIE_TOLERANCE, CSRCore, FloatArray, IntArray

#: indptr, indices, weight, in_indptr, in_src, in_pos, rank: what the tree kernels take first.
Index = npt.NDArray[np.signedinteger[Any]]  # int32 or int64 (see core_arrays)
CoreArrays = tuple[Index, Index, FloatArray, Index, Index, Index, Index]
#: Work arrays of one search: dist, where, order, heap, keys, pred, cand, best.
Scratch = tuple[
    FloatArray, IntArray, IntArray, IntArray, FloatArray, IntArray, IntArray, FloatArray
]


@njit(cache=True, nogil=True)
def _search(
    indptr: IntArray,
    indices: IntArray,
    weight: FloatArray,
    tails: IntArray,
    rank: IntArray,
    in_indptr: IntArray,
    in_src: IntArray,
    in_pos: IntArray,
    in_weight: FloatArray,
    source: int,
    sc: Scratch,
    tree: bool,
    want: IntArray,
    stamp: int,
    remaining: int,
) -> int:
    """Dijkstra from ``source``; with ``tree``, also the tie-broken tree edge of each node.

    ``sc`` is from :func:`_scratch` (dist inf, where -1, cand 0 on entry; see
    :func:`_reset`). Fills ``dist``, ``order`` (settle order) and ``pred``; returns how
    many nodes were settled. The queue is a 4-ary heap (``heap`` / ``keys``) with lazy
    deletion: a node pushed again on a shorter distance leaves its older entry, skipped
    when popped; ``where[v]`` is -2 once v is settled. The search stops once ``remaining``
    nodes with ``want[v] == stamp`` are settled (the destinations of this origin; -1:
    never), its queue then cleared.

    The tree edge is tracked while relaxing: a relaxation ``u → v`` with
    ``dist[u] + w - dist[v] <= TIE_TOLERANCE`` is a candidate and the smallest tail rank
    wins (``cand[v]`` counts the candidates). When a shorter distance leaves the winner
    no longer tight while others were seen, ``cand[v]`` becomes -1 and v's in-edges are
    scanned once it is settled: its distance is then final and every tight in-neighbour
    (strictly closer) settled.
    """
    dist, where, order, heap, keys, pred, cand, best = sc
    size = 1
    heap[0] = source
    keys[0] = 0.0
    dist[source] = 0.0
    pred[source] = -1
    count = 0
    while size > 0:
        u = heap[0]
        du = keys[0]
        size -= 1
        if size > 0:  # move the last entry to the root and sift it down
            x = heap[size]
            kx = keys[size]
            i = 0
            while True:
                c = 4 * i + 1
                if c >= size:
                    break
                kc = keys[c]
                end = min(c + 4, size)
                for j in range(c + 1, end):
                    if keys[j] < kc:
                        c = j
                        kc = keys[j]
                if kc < kx:
                    heap[i] = heap[c]
                    keys[i] = kc
                    i = c
                else:
                    break
            heap[i] = x
            keys[i] = kx
        if where[u] == -2 or du > dist[u]:  # settled already, or a stale entry
            continue
        where[u] = -2
        order[count] = u
        count += 1
        if tree and cand[u] < 0:
            _rescan(u, du, rank, in_indptr, in_src, in_pos, in_weight, dist, pred)
        if want[u] == stamp:
            remaining -= 1
            if remaining == 0:  # every destination settled: the rest is not needed
                for j in range(size):
                    v = heap[j]
                    if where[v] != -2:
                        dist[v] = np.inf
                        cand[v] = 0
                break
        ru = rank[u] if tree else 0
        for p in range(indptr[u], indptr[u + 1]):
            v = indices[p]
            nd = du + weight[p]
            dv = dist[v]
            if nd < dv:  # v is not settled: fl(du + w) >= du >= dist of every settled node
                if tree:
                    c = cand[v]
                    if c == 0:
                        cand[v] = 1
                        pred[v] = p
                        best[v] = nd
                    elif c > 0:
                        if best[v] - nd <= TIE_TOLERANCE:  # the winner stays tight
                            cand[v] = c + 1
                            if ru < rank[tails[pred[v]]]:
                                pred[v] = p
                                best[v] = nd
                        else:
                            cand[v] = 1 if c == 1 else -1
                            pred[v] = p
                            best[v] = nd
                dist[v] = nd
                i = size  # push (lazy: an older entry of v stays and is skipped)
                size += 1
                while i > 0:  # sift up
                    parent = (i - 1) >> 2
                    kp = keys[parent]
                    if kp > nd:
                        heap[i] = heap[parent]
                        keys[i] = kp
                        i = parent
                    else:
                        break
                heap[i] = v
                keys[i] = nd
            elif tree and nd - dv <= TIE_TOLERANCE and where[v] != -2:
                c = cand[v]
                if c > 0:
                    cand[v] = c + 1
                    if ru < rank[tails[pred[v]]]:
                        pred[v] = p
                        best[v] = nd
    return count


@njit(cache=True, nogil=True)
def _rescan(
    v: int,
    dv: float,
    rank: IntArray,
    in_indptr: IntArray,
    in_src: IntArray,
    in_pos: IntArray,
    in_weight: FloatArray,
    dist: FloatArray,
    pred: IntArray,
) -> None:
    """Tree edge of ``v`` from all its in-edges (tight ones, smallest tail rank)."""
    chosen = -1
    chosen_rank = 0
    for q in range(in_indptr[v], in_indptr[v + 1]):
        u = in_src[q]
        if dist[u] + in_weight[q] - dv <= TIE_TOLERANCE and (chosen < 0 or rank[u] < chosen_rank):
            chosen = in_pos[q]
            chosen_rank = rank[u]
    pred[v] = chosen


@njit(cache=True, nogil=True)
def _scratch(n: int, m: int) -> Scratch:
    """Per-thread work arrays of :func:`_search` for ``n`` nodes and ``m`` edges."""
    return (
        np.full(n, np.inf),
        np.full(n, -1, dtype=np.int64),
        np.empty(n, dtype=np.int64),
        np.empty(m + 1, dtype=np.int64),
        np.empty(m + 1),
        np.full(n, -1, dtype=np.int64),
        np.zeros(n, dtype=np.int64),
        np.empty(n),
    )


@njit(cache=True, nogil=True)
def _reset(sc: Scratch, count: int) -> None:
    """Make the scratch of a search that settled ``count`` nodes ready for the next."""
    dist, where, order, _, _, _, cand, _ = sc
    for j in range(count):
        v = order[j]
        dist[v] = np.inf
        where[v] = -1
        cand[v] = 0


@njit(cache=True, nogil=True)
def _tails(indptr: IntArray, m: int) -> IntArray:
    tails = np.empty(m, dtype=np.int64)
    for u in range(len(indptr) - 1):
        for p in range(indptr[u], indptr[u + 1]):
            tails[p] = u
    return tails


@njit(cache=True, nogil=True)
def tree_chunk(
    indptr: IntArray,
    indices: IntArray,
    weight: FloatArray,
    in_indptr: IntArray,
    in_src: IntArray,
    in_pos: IntArray,
    rank: IntArray,
    origins: IntArray,
    offsets: IntArray,
    dst: IntArray,
    demand: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Loads of the pairs of ``origins``: origin ``r``'s pairs are ``offsets[r]:offsets[r+1]``.

    Returns (load per CSR position, load per node, cost per pair).
    """
    n = len(indptr) - 1
    tails = _tails(indptr, len(indices))
    in_weight = weight[in_pos]
    sc = _scratch(n, len(indices))
    dist, order, pred = sc[0], sc[2], sc[5]
    sub = np.zeros(n)
    edge_load = np.zeros(len(indices))
    node_load = np.zeros(n)
    cost = np.empty(len(dst))
    want = np.zeros(n, dtype=np.int64)
    opts = np.zeros(3, dtype=np.int64)
    for r in range(len(origins)):
        o = origins[r]
        distinct = 0
        for i in range(offsets[r], offsets[r + 1]):
            if want[dst[i]] != r + 1:
                want[dst[i]] = r + 1
                distinct += 1
        opts[0], opts[1], opts[2] = 1, r + 1, distinct  # typed as values: one compiled search
        count = _search(
            indptr,
            indices,
            weight,
            tails,
            rank,
            in_indptr,
            in_src,
            in_pos,
            in_weight,
            o,
            sc,
            opts[0] == 1,
            want,
            opts[1],
            opts[2],
        )
        for i in range(offsets[r], offsets[r + 1]):
            c = dist[dst[i]]
            cost[i] = c
            if c < np.inf:
                sub[dst[i]] += demand[i]
        for j in range(count - 1, 0, -1):
            v = order[j]
            s = sub[v]
            if s != 0.0:
                e = pred[v]
                edge_load[e] += s
                node_load[v] += s
                sub[tails[e]] += s
                sub[v] = 0.0
        node_load[o] += sub[o]
        sub[o] = 0.0
        _reset(sc, count)
    return edge_load, node_load, cost


@njit(cache=True, nogil=True)
def paths_chunk(
    indptr: IntArray,
    indices: IntArray,
    weight: FloatArray,
    in_indptr: IntArray,
    in_src: IntArray,
    in_pos: IntArray,
    rank: IntArray,
    origins: IntArray,
    offsets: IntArray,
    dst: IntArray,
) -> tuple[FloatArray, IntArray, IntArray]:
    """The tree path of each pair of ``origins`` (pairs grouped as in :func:`tree_chunk`).

    Returns (cost per pair, hops per pair, the pairs' CSR positions in travel order,
    concatenated); an unreachable pair has cost inf and no hops.
    """
    n = len(indptr) - 1
    tails = _tails(indptr, len(indices))
    in_weight = weight[in_pos]
    sc = _scratch(n, len(indices))
    dist, pred = sc[0], sc[5]
    cost = np.empty(len(dst))
    hops = np.zeros(len(dst), dtype=np.int64)
    out = np.empty(max(16, 4 * len(dst)), dtype=np.int64)
    used = 0
    want = np.zeros(n, dtype=np.int64)
    opts = np.zeros(3, dtype=np.int64)
    for r in range(len(origins)):
        o = origins[r]
        distinct = 0
        for i in range(offsets[r], offsets[r + 1]):
            if want[dst[i]] != r + 1:
                want[dst[i]] = r + 1
                distinct += 1
        opts[0], opts[1], opts[2] = 1, r + 1, distinct  # typed as values: one compiled search
        count = _search(
            indptr,
            indices,
            weight,
            tails,
            rank,
            in_indptr,
            in_src,
            in_pos,
            in_weight,
            o,
            sc,
            opts[0] == 1,
            want,
            opts[1],
            opts[2],
        )
        for i in range(offsets[r], offsets[r + 1]):
            d = dst[i]
            cost[i] = dist[d]
            if dist[d] == np.inf or d == o:
                continue
            h = 0
            v = d
            while v != o:
                v = tails[pred[v]]
                h += 1
            if used + h > len(out):
                grown = np.empty(max(2 * len(out), used + h), dtype=np.int64)
                grown[:used] = out[:used]
                out = grown
            v = d
            for step in range(h - 1, -1, -1):
                e = pred[v]
                out[used + step] = e
                v = tails[e]
            hops[i] = h
            used += h
        _reset(sc, count)
    return cost, hops, out[:used].copy()


@njit(cache=True, nogil=True)
def distance_rows(
    indptr: IntArray, indices: IntArray, weight: FloatArray, sources: IntArray
) -> FloatArray:
    """``out[i, v]``: shortest distance from ``sources[i]`` to ``v`` (inf if unreachable)."""
    n = len(indptr) - 1
    # Unused tree arrays, typed as the tree kernels pass theirs (one compiled search).
    no_tails = np.zeros(0, dtype=np.int64)
    no_index = indices[:0]
    never = np.zeros(n, dtype=np.int64)
    opts = np.zeros(3, dtype=np.int64)
    out = np.full((len(sources), n), np.inf)
    sc = _scratch(n, len(indices))
    for r in range(len(sources)):
        opts[0], opts[1], opts[2] = 0, 1, -1  # typed as values: one compiled search
        count = _search(
            indptr,
            indices,
            weight,
            no_tails,
            no_index,
            no_index,
            no_index,
            no_index,
            weight,
            sources[r],
            sc,
            opts[0] == 1,
            never,
            opts[1],
            opts[2],
        )
        out[r] = sc[0]
        _reset(sc, count)
    return out


def core_arrays(core: CSRCore) -> CoreArrays:
    """The arrays every tree kernel takes first, in their order.

    Index arrays go as 32-bit integers when the graph allows (half the memory traffic:
    searches run about 10 % faster); the kernels' results are 64-bit either way.
    """
    small = max(core.n, len(core.indices)) < 2**31 - 1

    def cast(a: IntArray) -> Index:
        return a.astype(np.int32) if small else a

    return (
        cast(core.indptr),
        cast(core.indices),
        core.weight,
        cast(core.in_indptr),
        cast(core.in_src),
        cast(core.in_pos),
        cast(core.rank),
    )
