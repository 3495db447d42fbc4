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

from geotraf import _csr, _paths, _routes, _yen
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
        alt = _yen.alternatives(view, [f.nodes for f in firsts], rows, dist, k, caps)
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
