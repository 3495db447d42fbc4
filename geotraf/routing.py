"""Assign flows to the route graph: each flow's paths, their shares, and edge/node loads.

Methods
-------
``shortest``
    One fastest path per flow (all-or-nothing), computed on the CSR engine
    (:mod:`geotraf._csr`). Deterministic: among equally fast predecessors of a node the one
    with the smallest node id (string order) is taken.
``k_shortest``
    Up to ``k`` loopless alternatives (Yen's algorithm on the CSR view, i.e. the graph
    collapsed to its cheapest parallel edges, with Lawler's refinement and A* spur
    searches; the first alternative is the ``shortest`` path; equal to
    :func:`networkx.shortest_simple_paths` when costs are distinct). Alternatives slower
    than ``(1 + max_detour)`` × the fastest are dropped (not even searched for; for a flow
    with via places the cut applies to every leg); the rest share the flow equally:
    traffickers change routes all the time, and nothing in the data says which
    reasonable route they prefer.
``logit``
    The same alternatives split by a multinomial logit on travel time:
    ``share_i ∝ exp(-theta * (t_i - t_min) / 60)`` with ``t`` in seconds, so ``theta`` is
    the dispersion **per minute** of extra travel time (``theta = 0.05``: a route 20 min
    slower gets ``e⁻¹ ≈ 0.37`` times the share of the fastest). No ``max_detour`` cut;
    only alternatives whose weight would fall below ``e⁻¹⁴`` (≈ 10⁻⁶) are not searched.

A flow with via places is routed leg by leg (origin → via₁ → … → destination) and the
legs are joined; for several alternatives per leg the ``k`` cheapest combinations are kept.
Endpoint codes are resolved by :mod:`geotraf.endpoints`. A flow that cannot be routed is
listed in ``Assignment.unrouted`` with its reason, never dropped silently.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geotraf import _csr
from geotraf.endpoints import CLOSED, NO_PATH, EndpointResolver, split_codes
from geotraf.errors import InputError

if TYPE_CHECKING:
    import networkx as nx

METHODS = ("shortest", "k_shortest", "logit")
#: Default logit dispersion, per minute of extra travel time.
DEFAULT_THETA = 0.05
#: Default detour cut for ``k_shortest``: alternatives ≤ 1.5 × the fastest time.
DEFAULT_MAX_DETOUR = 0.5
#: Logit alternatives whose weight exp(-theta·Δt) is below e^-14 (≈ 1e-6) are not searched.
LOGIT_NEGLIGIBLE = 14.0

PATH_COLUMNS = [
    "flow_id",
    "path_rank",
    "share",
    "weight",
    "nodes",
    "edges",
    "length_m",
    "time_s",
    "crossings",
    "refs",
]
UNROUTED_COLUMNS = ["flow_id", "origin", "destination", "reason", "detail", "count"]


@dataclass(frozen=True)
class Assignment:
    """The result of :func:`assign` (see docs/contracts.md, "Assignment").

    Attributes
    ----------
    paths
        One row per (flow_id, path_rank): ``share``, ``weight`` (= count × share),
        ``nodes``, ``edges`` (tuples of ids), ``length_m``, ``time_s``, ``crossings``,
        ``refs`` (tuples, in travel order).
    unrouted
        ``flow_id``, ``origin``, ``destination``, ``reason``, ``detail``, ``count``.
    edge_load
        Assigned flow per ``edge_id`` (every edge of the graph, 0 where none).
    node_load
        Assigned flow per node id (every node; origins and destinations included).
    flows
        The input flows with ``origin_node`` and ``destination_node`` (None if unresolved).
    """

    paths: pd.DataFrame
    unrouted: pd.DataFrame
    edge_load: pd.Series
    node_load: pd.Series
    flows: pd.DataFrame
    method: str = "shortest"
    k: int = 1
    theta: float = DEFAULT_THETA
    weight: str = "travel_time_s"

    def __repr__(self) -> str:
        # Shares, not counts of people: a repr ends up in notebooks and logs.
        routed = self.routed / self.total if self.total > 0 else 0.0
        n = len(self.flows)
        return (
            f"Assignment({self.method}, {n} flow{'s' if n != 1 else ''}: {routed:.0%} "
            f"routed, {len(self.unrouted)} unrouted; {len(self.paths)} paths)"
        )

    @property
    def total(self) -> float:
        """Total flow (count) of every input flow, routed or not."""
        return float(self.flows["count"].sum()) if len(self.flows) else 0.0

    @property
    def routed(self) -> float:
        """Flow that was assigned to a path."""
        return float(self.paths["weight"].sum()) if len(self.paths) else 0.0


@dataclass(frozen=True)
class _Route:
    nodes: np.ndarray
    edges: np.ndarray
    cost: float


def _flow_counts(flows: pd.DataFrame) -> pd.Series:
    if "count" not in flows.columns:
        return pd.Series(1.0, index=flows.index)
    return pd.to_numeric(flows["count"], errors="coerce").fillna(0.0).astype(float)


def _validate(flows: pd.DataFrame, method: str, k: int, theta: float) -> None:
    missing = [c for c in ("origin", "destination") if c not in flows.columns]
    if missing:
        raise InputError(
            f"flows lack column(s) {', '.join(missing)}; read them with layers.read_flows "
            "or add origin/destination place_ids"
        )
    if method not in METHODS:
        raise InputError(f"unknown assignment method {method!r}; use one of {METHODS}")
    if k < 1:
        raise InputError(f"k must be at least 1, got {k}")
    if not math.isfinite(theta) or theta < 0:
        raise InputError(f"theta must be a non-negative number per minute, got {theta}")
    if not flows.index.is_unique:
        raise InputError("flows index must be unique: it is the flow_id of every result")


def assign(
    G: nx.MultiDiGraph,
    flows: pd.DataFrame,
    *,
    method: str = "shortest",
    k: int = 3,
    theta: float = DEFAULT_THETA,
    max_detour: float | None = DEFAULT_MAX_DETOUR,
    weight: str = "travel_time_s",
    places: pd.DataFrame | None = None,
    client: Any = None,
    show_progress: bool | None = False,
) -> Assignment:
    """Route every flow origin → via… → destination and accumulate edge and node loads.

    Parameters
    ----------
    G
        Route graph (docs/contracts.md "Route graph").
    flows
        Table with ``origin``, ``destination``, optional ``via`` (``;``-separated) and
        ``count`` (1 per row when absent). The index is the ``flow_id``.
    method
        ``shortest``, ``k_shortest`` or ``logit`` (see the module docstring).
    k
        Number of alternatives for ``k_shortest`` and ``logit``.
    theta
        Logit dispersion per minute of extra travel time.
    max_detour
        ``k_shortest`` only: drop alternatives slower than ``(1 + max_detour)`` × the
        fastest; None keeps all ``k``.
    weight
        Edge attribute routed on (``travel_time_s``; scenarios use a generalised cost).
        ``time_s`` in the results always sums ``travel_time_s``.
    places
        Optional places layer supplying ``population`` / ``admin1`` for country and
        province codes.
    client
        Optional ``dask.distributed.Client``: batches of origins run as Dask tasks.
    show_progress
        Draw a progress bar (None: only when stderr is a terminal).

    Returns
    -------
    Assignment

    Examples
    --------
    >>> import networkx as nx, pandas as pd
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("p:a", kind="place", place_id="a", role="source", country="LAO")
    >>> G.add_node("p:b", kind="place", place_id="b", role="destination", country="THA")
    >>> _ = G.add_edge("p:a", "p:b", travel_time_s=60.0, length_m=1000.0, edge_id="e1")
    >>> result = assign(G, pd.DataFrame({"origin": ["a"], "destination": ["THA"],
    ...                                  "count": [12]}))
    >>> result.paths[["nodes", "weight"]].values.tolist()
    [[('p:a', 'p:b'), 12.0]]
    >>> float(result.edge_load["e1"])
    12.0
    """
    _validate(flows, method, k, theta)
    counts = _flow_counts(flows)
    resolver = EndpointResolver(G, places)
    view = _csr.csr_view(G, weight=weight)
    k_eff = 1 if method == "shortest" else k

    # Resolve every flow to a tuple of nodes (origin, via..., destination) or a failure.
    keys: dict[Hashable, tuple[str, ...]] = {}
    failures: dict[Hashable, tuple[str, str]] = {}
    origin_nodes: dict[Hashable, str | None] = {}
    dest_nodes: dict[Hashable, str | None] = {}
    has_via = "via" in flows.columns
    for fid, origin, destination, via in zip(
        flows.index,
        flows["origin"],
        flows["destination"],
        flows["via"] if has_via else itertools.repeat(""),
        strict=False,
    ):
        ends = [resolver.resolve(origin, as_="origin")]
        ends += [resolver.resolve(v, as_="via") for v in split_codes(via)]
        ends.append(resolver.resolve(destination, as_="destination"))
        origin_nodes[fid] = ends[0].node
        dest_nodes[fid] = ends[-1].node
        bad = next((e for e in ends if e.node is None), None)
        if bad is not None:
            failures[fid] = (str(bad.reason), bad.detail)
            continue
        keys[fid] = tuple(str(e.node) for e in ends)

    legs = sorted({(key[i], key[i + 1]) for key in keys.values() for i in range(len(key) - 1)})
    leg_routes = _route_legs(
        view,
        legs,
        k_eff,
        slack=_slack(method, theta, max_detour),
        client=client,
        show_progress=show_progress,
    )

    # Combine legs into up to k alternatives per unique key.
    key_routes: dict[tuple[str, ...], list[_Route]] = {}
    for key in set(keys.values()):
        key_routes[key] = _combine(
            [leg_routes[(key[i], key[i + 1])] for i in range(len(key) - 1)], key, view, k_eff
        )
    no_path = [fid for fid, key in keys.items() if not key_routes[key]]
    if no_path:
        reasons = _no_path_reasons(G, {keys[f] for f in no_path})
        for fid in no_path:
            failures[fid] = reasons[keys[fid]]
            del keys[fid]

    shares = {
        key: _shares([r.cost for r in routes], method, theta, max_detour)
        for key, routes in key_routes.items()
        if routes
    }
    paths = _paths_frame(G, view, keys, key_routes, shares, counts)
    edge_load, node_load = _loads(G, view, keys, key_routes, shares, counts)
    unrouted = pd.DataFrame(
        [
            {
                "flow_id": fid,
                "origin": flows.at[fid, "origin"],
                "destination": flows.at[fid, "destination"],
                "reason": reason,
                "detail": detail,
                "count": float(counts[fid]),
            }
            for fid, (reason, detail) in sorted(
                failures.items(), key=lambda item: flows.index.get_loc(item[0])
            )
        ],
        columns=UNROUTED_COLUMNS,
    )
    resolved = flows.copy()
    resolved["count"] = counts
    resolved["origin_node"] = pd.Series(origin_nodes, dtype=object).reindex(flows.index)
    resolved["destination_node"] = pd.Series(dest_nodes, dtype=object).reindex(flows.index)
    return Assignment(
        paths=paths,
        unrouted=unrouted,
        edge_load=edge_load,
        node_load=node_load,
        flows=resolved,
        method=method,
        k=k_eff,
        theta=theta,
        weight=weight,
    )


def _route_legs(
    view: _csr.CSRGraph,
    legs: list[tuple[str, str]],
    k: int,
    *,
    slack: Callable[[float], float],
    client: Any,
    show_progress: bool | None,
) -> dict[tuple[str, str], list[_Route]]:
    if not legs:
        return {}
    src = np.array([view.node_index[a] for a, _ in legs], dtype=np.int64)
    dst = np.array([view.node_index[b] for _, b in legs], dtype=np.int64)
    ps = _csr.shortest_paths(view, src, dst, client=client, show_progress=show_progress)
    out: dict[tuple[str, str], list[_Route]] = {}
    for i, leg in enumerate(legs):
        if math.isinf(ps.cost[i]):
            out[leg] = []
            continue
        nodes, edges = ps.node_path(i), ps.edge_path(i)
        out[leg] = [_Route(nodes, edges, float(view.core.weight[edges].sum()))]
    if k > 1:
        _add_alternatives(view, out, k, slack=slack, show_progress=show_progress)
    return out


def _add_alternatives(
    view: _csr.CSRGraph,
    out: dict[tuple[str, str], list[_Route]],
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

    adj = _csr.Adjacency.of(view)
    routed = sorted((leg for leg, routes in out.items() if routes), key=lambda leg: leg[1])
    targets = sorted({view.node_index[b] for _, b in routed})
    step = max(1, _csr.BATCH_CELLS // max(view.n, 1))
    by_target: dict[int, list[tuple[str, str]]] = {}
    for leg in routed:
        by_target.setdefault(view.node_index[leg[1]], []).append(leg)
    bar = progress(range(0, len(targets), step), desc="alternatives", show=show_progress)
    for start in bar:
        block = targets[start : start + step]
        dist = _csr.distances_to(view, block)
        for row, target in enumerate(block):
            bound = dist[row].tolist()
            for leg in by_target[target]:
                first = out[leg][0]
                if len(first.nodes) < 2:
                    continue
                routes = [first]
                for nodes in _csr.yen(view, adj, first.nodes, k, bound, max_cost=slack(first.cost))[
                    1:
                ]:
                    edges = view.positions(nodes[:-1], nodes[1:])
                    routes.append(_Route(nodes, edges, float(view.core.weight[edges].sum())))
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
    per_leg: list[list[_Route]], key: tuple[str, ...], view: _csr.CSRGraph, k: int
) -> list[_Route]:
    if len(key) == 1:
        node = np.array([view.node_index[key[0]]], dtype=np.int64)
        return [_Route(node, np.zeros(0, dtype=np.int64), 0.0)]
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
        joined.append(_Route(nodes, edges, sum(r.cost for r in combo)))
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


def _edge_data(
    G: nx.MultiDiGraph, view: _csr.CSRGraph, positions: Iterable[int]
) -> dict[int, dict[str, Any]]:
    """Attribute dict of the edge at each CSR position (one adjacency lookup each)."""
    succ = G.succ
    if G.is_multigraph():
        return {pos: succ[u][v][key] for pos in positions for u, v, key in [view.edge_keys[pos]]}
    return {pos: succ[u][v] for pos in positions for u, v, _ in [view.edge_keys[pos]]}


def _ordered_unique(items: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for item in items:
        if item and (not out or out[-1] != item) and item not in out:
            out.append(item)
    return tuple(out)


def _paths_frame(
    G: nx.MultiDiGraph,
    view: _csr.CSRGraph,
    keys: dict[Hashable, tuple[str, ...]],
    key_routes: dict[tuple[str, ...], list[_Route]],
    shares: dict[tuple[str, ...], list[float]],
    counts: pd.Series,
) -> pd.DataFrame:
    used = {int(p) for routes in key_routes.values() for r in routes for p in r.edges}
    data = _edge_data(G, view, used)
    length = {p: float(d.get("length_m", 0.0) or 0.0) for p, d in data.items()}
    time = {p: float(d.get("travel_time_s", 0.0) or 0.0) for p, d in data.items()}
    crossing = {p: str(d.get("crossing_id", "") or "") for p, d in data.items()}
    ref = {p: str(d.get("ref", "") or "") for p, d in data.items()}
    node_crossing = {
        str(node): str(data.get("crossing_id", ""))
        for node, data in G.nodes(data=True)
        if data.get("kind") == "crossing"
    }
    described: dict[tuple[tuple[str, ...], int], dict[str, Any]] = {}
    for key, routes in key_routes.items():
        for rank, route in enumerate(routes):
            node_ids = tuple(str(n) for n in view.node_ids[route.nodes])
            edge_list = route.edges.tolist()
            cross = []
            for pos, node in zip(edge_list, node_ids[1:], strict=True):
                cross.append(crossing[pos])
                cross.append(node_crossing.get(node, ""))
            described[(key, rank)] = {
                "nodes": node_ids,
                "edges": tuple(str(e) for e in view.edge_ids[route.edges]),
                "length_m": float(sum(length[p] for p in edge_list)),
                "time_s": float(sum(time[p] for p in edge_list)),
                "crossings": _ordered_unique(cross),
                "refs": _ordered_unique(ref[p] for p in edge_list),
            }
    rows = []
    for fid, key in keys.items():
        for rank, share in enumerate(shares[key]):
            if share <= 0:
                continue
            info = described[(key, rank)]
            rows.append(
                {
                    "flow_id": fid,
                    "path_rank": rank + 1,
                    "share": share,
                    "weight": float(counts[fid]) * share,
                    **info,
                }
            )
    return pd.DataFrame(rows, columns=PATH_COLUMNS)


def _loads(
    G: nx.MultiDiGraph,
    view: _csr.CSRGraph,
    keys: dict[Hashable, tuple[str, ...]],
    key_routes: dict[tuple[str, ...], list[_Route]],
    shares: dict[tuple[str, ...], list[float]],
    counts: pd.Series,
) -> tuple[pd.Series, pd.Series]:
    per_key: dict[tuple[str, ...], float] = {}
    for fid, key in keys.items():
        per_key[key] = per_key.get(key, 0.0) + float(counts[fid])
    edge_parts, edge_w, node_parts, node_w = [], [], [], []
    for key, total in per_key.items():
        for route, share in zip(key_routes[key], shares[key], strict=True):
            if share <= 0:
                continue
            # A path through the same node twice (a via place off the road) is still one
            # group of people there: count each node and edge once per path.
            edges = np.unique(route.edges)
            nodes = np.unique(route.nodes)
            edge_parts.append(edges)
            edge_w.append(np.full(len(edges), total * share))
            node_parts.append(nodes)
            node_w.append(np.full(len(nodes), total * share))
    nnz = len(view.core.indices)
    e_load: np.ndarray
    n_load: np.ndarray
    if edge_parts:
        e_load = np.bincount(np.concatenate(edge_parts), np.concatenate(edge_w), minlength=nnz)
        n_load = np.bincount(np.concatenate(node_parts), np.concatenate(node_w), minlength=view.n)
    else:
        e_load, n_load = np.zeros(nnz), np.zeros(view.n)
    full = np.zeros(len(view.all_edge_ids))
    full[view.kept] = e_load
    edge_series = pd.Series(full, index=pd.Index(view.all_edge_ids, name="edge_id"))
    node_series = pd.Series(n_load, index=pd.Index(view.node_ids, name="node"))
    return edge_series, node_series


def _no_path_reasons(
    G: nx.MultiDiGraph, failed: set[tuple[str, ...]]
) -> dict[tuple[str, ...], tuple[str, str]]:
    """Tell a closure-caused failure from a network that was never connected."""
    closed = G.graph.get("closed_edges") or []
    reasons: dict[tuple[str, ...], tuple[str, str]] = {}
    reopened_view = None
    if closed:
        reopened = G.copy()
        for u, v, key, data in closed:
            reopened.add_edge(u, v, key=key, **data)
        reopened_view = _csr.csr_view(reopened, weight="travel_time_s")
    what = G.graph.get("closed", {})
    closed_text = ", ".join(f"{kind} {', '.join(ids)}" for kind, ids in sorted(what.items()) if ids)
    for key in failed:
        if reopened_view is not None:
            src = [reopened_view.node_index[key[i]] for i in range(len(key) - 1)]
            dst = [reopened_view.node_index[key[i + 1]] for i in range(len(key) - 1)]
            ps = _csr.shortest_paths(reopened_view, src, dst)
            if np.isfinite(ps.cost).all():
                reasons[key] = (CLOSED, f"every route uses a closed element ({closed_text})")
                continue
        reasons[key] = (
            NO_PATH,
            f"no road connects {' → '.join(key)}: the network is disconnected here",
        )
    return reasons
