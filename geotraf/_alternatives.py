"""Alternative routes per flow key: each leg's fastest path and its Yen alternatives,
legs joined into routes, and the share of a flow each route gets (``k_shortest``/``logit``).

The method rules are :mod:`geotraf.routing`'s (see its docstring); this module computes
them for :func:`geotraf.routing.assign`.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from geotraf import _csr, _paths, _routes, _yen, _yen_kernels
from geotraf._routes import Route

#: Logit alternatives whose weight exp(-theta·Δt) is below e^-14 (≈ 1e-6) are not searched.
LOGIT_NEGLIGIBLE = 14.0


def key_routes(
    view: _csr.CSRGraph,
    key_list: list[tuple[str, ...]],
    k: int,
    method: str,
    theta: float,
    max_detour: float | None,
    *,
    client: Any,
    show_progress: bool | None,
) -> _routes.Routes:
    """Up to ``k`` routes with their shares for every key (origin, via…, destination)."""
    direct = all(len(key) == 2 for key in key_list)
    if direct and k > 1:
        index = view.node_index
        src = np.array([index[a] for a, _ in key_list], dtype=np.int64)
        dst = np.array([index[b] for _, b in key_list], dtype=np.int64)
        return direct_routes(
            view,
            src,
            dst,
            k,
            method,
            theta,
            max_detour,
            client=client,
            show_progress=show_progress,
        )
    return per_key_routes(
        view, key_list, k, method, theta, max_detour, client=client, show_progress=show_progress
    )


def per_key_routes(
    view: _csr.CSRGraph,
    key_list: list[tuple[str, ...]],
    k: int,
    method: str,
    theta: float,
    max_detour: float | None,
    *,
    client: Any = None,
    show_progress: bool | None = False,
) -> _routes.Routes:
    """:func:`key_routes` key by key: each leg's routes, legs combined, shares per key.

    What keys with via places need; keys without them take :func:`direct_routes`.
    """
    direct = all(len(key) == 2 for key in key_list)
    legs = sorted({(key[i], key[i + 1]) for key in key_list for i in range(len(key) - 1)})
    leg_routes = _route_legs(
        view,
        legs,
        k,
        slack=_slack(method, theta, max_detour),
        client=client,
        show_progress=show_progress,
    )
    per_key = [
        _combine([leg_routes[(key[i], key[i + 1])] for i in range(len(key) - 1)], key, view, k)
        for key in key_list
    ]
    shares = [
        _shares([r.cost for r in routes], method, theta, max_detour) if routes else []
        for routes in per_key
    ]
    return _routes.pack(per_key, shares, loopless=direct)


def direct_routes(
    view: _csr.CSRGraph,
    src: _csr.IntArray,
    dst: _csr.IntArray,
    k: int,
    method: str,
    theta: float,
    max_detour: float | None,
    *,
    client: Any = None,
    show_progress: bool | None = False,
) -> _routes.Routes:
    """Routes and shares of keys ``src[j] → dst[j]`` (no via places), all in arrays.

    The same routes, order and shares as the per-key path (:func:`_route_legs`,
    :func:`_combine`, :func:`_shares`), without a Python object per route: fastest paths
    from :func:`geotraf._paths.shortest_paths`, alternatives from
    :func:`geotraf._yen.alternatives` per block of targets, then one sort by (key, rank).
    """
    from geotraf.progress import progress

    ps = _paths.shortest_paths(view, src, dst, client=client, show_progress=show_progress)
    reached = ps.reached
    first_cost = _yen.path_costs(view, ps.edges, ps.edge_offsets)
    slack = _slack(method, theta, max_detour)
    legs = np.flatnonzero(reached & (src != dst))
    legs = legs[np.argsort(dst[legs], kind="stable")]
    targets = np.unique(dst[legs])
    step = max(1, _csr.BATCH_CELLS // max(view.n, 1))
    node_off = ps.node_offsets
    alt_parts: list[tuple[_csr.IntArray, _yen.Alternatives]] = []
    bar = progress(range(0, len(targets), step), desc="alternatives", show=show_progress)
    for start in bar:
        block = targets[start : start + step]
        lo = int(np.searchsorted(dst[legs], block[0], side="left"))
        hi = int(np.searchsorted(dst[legs], block[-1], side="right"))
        these = legs[lo:hi]
        rows = np.searchsorted(block, dst[these])
        nodes, offsets = _gather(ps.nodes, node_off, these)
        caps = np.array([slack(c) for c in first_cost[these].tolist()], dtype=np.float64)
        dist = _yen.distances_to(view, block)
        alt_parts.append((these, _yen.alternatives(view, nodes, offsets, rows, dist, k, caps)))
    # Every route: the fastest of each reached key (rank 0), then its alternatives.
    firsts = np.flatnonzero(reached)
    alts = [alt for _, alt in alt_parts]
    key = np.concatenate([firsts] + [np.repeat(these, alt.count) for these, alt in alt_parts])
    rank = np.concatenate([np.zeros(len(firsts), np.int64)] + [_ranks(a.count) for a in alts])
    cost = np.concatenate([first_cost[firsts]] + [a.cost for a in alts])
    order = np.lexsort((rank, key))
    edges, edge_offsets = _take(
        [(ps.edges, ps.edge_offsets, firsts)] + [(a.edges, a.edge_offsets, None) for a in alts],
        order,
    )
    nodes, node_offsets = _take(
        [(ps.nodes, node_off, firsts)] + [(a.nodes, a.node_offsets, None) for a in alts], order
    )
    key, cost = key[order], cost[order]
    key_start = np.zeros(len(src) + 1, dtype=np.int64)
    np.cumsum(np.bincount(key, minlength=len(src)), out=key_start[1:])
    return _routes.Routes(
        cost=cost,
        share=_array_shares(cost, key_start, method, theta, max_detour),
        edge_offsets=edge_offsets,
        edges=edges,
        node_offsets=node_offsets,
        nodes=nodes,
        key_start=key_start,
        loopless=True,
    )


def _ranks(count: _csr.IntArray) -> _csr.IntArray:
    """1, 2, … within each group of ``count`` (alternatives come after the fastest)."""
    starts = np.repeat(np.cumsum(count) - count, count)
    return np.arange(int(count.sum()), dtype=np.int64) - starts + 1


def _gather(
    flat: _csr.IntArray, offsets: _csr.IntArray, which: _csr.IntArray
) -> tuple[_csr.IntArray, _csr.IntArray]:
    """Segments ``which`` of a flattened list (``flat`` cut at ``offsets``), in that order."""
    out: tuple[_csr.IntArray, _csr.IntArray] = _yen_kernels.gather(
        np.ascontiguousarray(flat, dtype=np.int64),
        np.ascontiguousarray(offsets, dtype=np.int64),
        np.ascontiguousarray(which, dtype=np.int64),
    )
    return out


def _take(
    parts: list[tuple[_csr.IntArray, _csr.IntArray, _csr.IntArray | None]],
    order: _csr.IntArray,
) -> tuple[_csr.IntArray, _csr.IntArray]:
    """Segments of several flattened lists, numbered across them, taken in ``order``.

    Part ``(flat, offsets, which)`` adds its segments ``which`` (all if None).
    """
    flats, starts, lengths = [], [], []
    base = 0
    for flat, offsets, which in parts:
        idx = np.arange(len(offsets) - 1) if which is None else which
        flats.append(flat)
        starts.append(offsets[idx] + base)
        lengths.append(offsets[idx + 1] - offsets[idx])
        base += len(flat)
    flat_all = np.concatenate(flats).astype(np.int64, copy=False)
    start = np.concatenate(starts)[order]
    length = np.concatenate(lengths)[order]
    out: tuple[_csr.IntArray, _csr.IntArray] = _yen_kernels.take(flat_all, start, length)
    return out


def _array_shares(
    cost: _csr.FloatArray,
    key_start: _csr.IntArray,
    method: str,
    theta: float,
    max_detour: float | None,
) -> _csr.FloatArray:
    """:func:`_shares` of every key at once (routes of key ``j`` at ``key_start[j]:…``).

    The same floats: the per-key sums are taken in route order from 0, as numpy sums a
    handful of values.
    """
    n_keys = len(key_start) - 1
    count = np.diff(key_start)
    route_key = np.repeat(np.arange(n_keys), count)
    rank = np.arange(len(cost)) - key_start[route_key]
    single = count[route_key] == 1
    if method == "shortest":
        return np.where(rank == 0, 1.0, 0.0)
    best = np.full(n_keys, np.inf)
    np.minimum.at(best, route_key, cost)
    best_r = best[route_key]
    if method == "k_shortest":
        if max_detour is None:
            keep = np.ones(len(cost), dtype=bool)
        else:
            keep = cost <= (1.0 + max_detour) * best_r + _csr.TIE_TOLERANCE
        kept = np.bincount(route_key, weights=keep, minlength=n_keys)[route_key]
        share = np.where(keep, 1.0 / np.maximum(kept, 1), 0.0)
    else:
        utilities = np.exp(-theta * (cost - best_r) / 60.0)
        total = np.zeros(n_keys)
        for r in range(int(count.max()) if len(count) else 0):
            at = rank == r
            total[route_key[at]] += utilities[at]
        share = utilities / total[route_key]
    return np.where(single, np.where(rank == 0, 1.0, 0.0), share)


def _route_legs(
    view: _csr.CSRGraph,
    legs: list[tuple[str, str]],
    k: int,
    *,
    slack: Callable[[float], float],
    client: Any,
    show_progress: bool | None,
) -> dict[tuple[str, str], list[Route]]:
    if not legs:
        return {}
    src = np.array([view.node_index[a] for a, _ in legs], dtype=np.int64)
    dst = np.array([view.node_index[b] for _, b in legs], dtype=np.int64)
    ps = _paths.shortest_paths(view, src, dst, client=client, show_progress=show_progress)
    out: dict[tuple[str, str], list[Route]] = {}
    for i, leg in enumerate(legs):
        if math.isinf(ps.cost[i]):
            out[leg] = []
            continue
        nodes, edges = ps.node_path(i), ps.edge_path(i)
        out[leg] = [Route(nodes, edges, float(view.core.weight[edges].sum()))]
    if k > 1:
        _add_alternatives(view, out, k, slack=slack, show_progress=show_progress)
    return out


def _add_alternatives(
    view: _csr.CSRGraph,
    out: dict[tuple[str, str], list[Route]],
    k: int,
    *,
    slack: Callable[[float], float],
    show_progress: bool | None,
) -> None:
    """Replace each routed leg's single path by its ``k`` Yen alternatives (in place).

    ``slack(best)`` is the most an alternative may cost: costlier ones would get no share,
    so they are not searched for.
    """
    from geotraf.progress import progress

    routed = sorted((leg for leg, routes in out.items() if routes), key=lambda leg: leg[1])
    routed = [leg for leg in routed if len(out[leg][0].nodes) >= 2]
    targets = sorted({view.node_index[b] for _, b in routed})
    step = max(1, _csr.BATCH_CELLS // max(view.n, 1))
    by_target: dict[int, list[tuple[str, str]]] = {}
    for leg in routed:
        by_target.setdefault(view.node_index[leg[1]], []).append(leg)
    bar = progress(range(0, len(targets), step), desc="alternatives", show=show_progress)
    for start in bar:
        block = targets[start : start + step]
        dist = _yen.distances_to(view, block)
        legs = [leg for target in block for leg in by_target[target]]
        rows = np.repeat(np.arange(len(block)), [len(by_target[t]) for t in block])
        firsts = [out[leg][0] for leg in legs]
        caps = np.array([slack(first.cost) for first in firsts], dtype=np.float64)
        offsets = np.zeros(len(firsts) + 1, dtype=np.int64)
        np.cumsum([len(f.nodes) for f in firsts], out=offsets[1:])
        flat = np.concatenate([f.nodes for f in firsts]).astype(np.int64)
        alt = _yen.alternatives(view, flat, offsets, rows, dist, k, caps)
        at = 0
        nodes, edges = alt.nodes, alt.edges
        n_off, e_off = alt.node_offsets.tolist(), alt.edge_offsets.tolist()
        costs = alt.cost.tolist()
        for leg, first, count in zip(legs, firsts, alt.count.tolist(), strict=True):
            routes = [first]
            for j in range(at, at + count):
                routes.append(
                    Route(nodes[n_off[j] : n_off[j + 1]], edges[e_off[j] : e_off[j + 1]], costs[j])
                )
            at += count
            out[leg] = routes


def _slack(method: str, theta: float, max_detour: float | None) -> Callable[[float], float]:
    """Largest cost an alternative may have and still get a share (see :func:`_shares`)."""
    if method == "k_shortest" and max_detour is not None:
        return lambda best: (1.0 + max_detour) * best
    if method == "logit" and theta > 0:
        # exp(-theta * extra / 60) < 1e-6: such a route would carry under a millionth.
        return lambda best: best + 60.0 * LOGIT_NEGLIGIBLE / theta
    return lambda best: math.inf


def _combine(
    per_leg: list[list[Route]], key: tuple[str, ...], view: _csr.CSRGraph, k: int
) -> list[Route]:
    if len(key) == 1:
        node = np.array([view.node_index[key[0]]], dtype=np.int64)
        return [Route(node, np.zeros(0, dtype=np.int64), 0.0)]
    if any(not routes for routes in per_leg):
        return []
    if len(per_leg) == 1:
        return list(per_leg[0])
    combos = heapq.nsmallest(
        k,
        itertools.product(*per_leg),
        key=lambda combo: (sum(r.cost for r in combo), [r.nodes.tolist() for r in combo]),
    )
    joined = []
    for combo in combos:
        nodes = np.concatenate([combo[0].nodes] + [r.nodes[1:] for r in combo[1:]])
        edges = np.concatenate([r.edges for r in combo])
        joined.append(Route(nodes, edges, sum(r.cost for r in combo)))
    return joined


def _shares(costs: list[float], method: str, theta: float, max_detour: float | None) -> list[float]:
    """Share of a flow on each alternative (ordered by cost)."""
    if len(costs) == 1 or method == "shortest":
        return [1.0] + [0.0] * (len(costs) - 1)
    best = min(costs)
    if method == "k_shortest":
        keep = [
            max_detour is None or c <= (1.0 + max_detour) * best + _csr.TIE_TOLERANCE for c in costs
        ]
        n = sum(keep)
        return [1.0 / n if kept else 0.0 for kept in keep]
    utilities = np.exp(-theta * (np.asarray(costs) - best) / 60.0)
    return (utilities / utilities.sum()).tolist()
