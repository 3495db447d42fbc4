"""Assign flows to the route graph: each flow's paths, their shares, and edge/node loads.

Methods
-------
``shortest``
    One fastest path per flow (all-or-nothing), computed on the CSR engine
    (:mod:`geotraf._csr`): flows are grouped by origin, one search per origin serves all
    its destinations, and the loads are summed up each origin's shortest-path tree
    (:mod:`geotraf._trees`); the per-flow table is listed only when ``paths`` is read
    (:mod:`geotraf._paths`). Deterministic: among equally fast predecessors of a node the
    one with the smallest node id (string order) is taken.
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

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geotraf import _alternatives, _csr, _paths, _routes, _trees
from geotraf._alternatives import LOGIT_NEGLIGIBLE as LOGIT_NEGLIGIBLE
from geotraf._keys import resolve_keys
from geotraf._prepared import Network as Network
from geotraf._prepared import prepare as prepare
from geotraf._routes import PATH_COLUMNS as PATH_COLUMNS
from geotraf.endpoints import CLOSED, NO_PATH
from geotraf.errors import InputError

if TYPE_CHECKING:
    import networkx as nx

METHODS = ("shortest", "k_shortest", "logit")
#: Default logit dispersion, per minute of extra travel time.
DEFAULT_THETA = 0.05
#: Default detour cut for ``k_shortest``: alternatives ≤ 1.5 × the fastest time.
DEFAULT_MAX_DETOUR = 0.5

UNROUTED_COLUMNS = ["flow_id", "origin", "destination", "reason", "detail", "count"]


class _LazyFrame:
    """A frozen-dataclass field holding a DataFrame or a function that builds it once.

    ``Assignment.paths`` is the per-flow table: loads never need it, so :func:`assign`
    stores the recipe and the table is built the first time it is read.
    """

    def __init__(self, name: str) -> None:
        self._slot = f"_{name}_value"

    def __get__(self, obj: object, objtype: type | None = None) -> pd.DataFrame:
        if obj is None:
            raise AttributeError(self._slot)
        value = obj.__dict__[self._slot]
        if callable(value):
            value = value()
            obj.__dict__[self._slot] = value
        return value

    def __set__(self, obj: object, value: pd.DataFrame | Callable[[], pd.DataFrame]) -> None:
        obj.__dict__[self._slot] = value


@dataclass(frozen=True)
class Assignment:
    """The result of :func:`assign` (see docs/contracts.md, "Assignment").

    Attributes
    ----------
    paths
        One row per (flow_id, path_rank): ``share``, ``weight`` (= count × share),
        ``nodes``, ``edges`` (tuples of node ids and ``edge_id`` values), ``length_m``,
        ``time_s``, ``crossings``, ``refs`` (tuples, in travel order). Built on first
        access (loads do not need it); a DataFrame may be given instead.
    unrouted
        ``flow_id``, ``origin``, ``destination``, ``reason``, ``detail``, ``count``.
    edge_load
        Assigned flow per edge, indexed by ``(u, v, key)`` like the edges of
        :func:`geotraf.convert.graph_to_gdfs` (every edge of the graph, 0 where none).
    node_load
        Assigned flow per node id (every node; origins and destinations included).
    flows
        The input flows with ``origin_node`` and ``destination_node`` (None if unresolved).
    """

    paths: pd.DataFrame = field(repr=False)  # built on first read: keep repr() cheap
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
        """Flow that was assigned to a path (the total less the unrouted flows)."""
        missed = float(self.unrouted["count"].sum()) if len(self.unrouted) else 0.0
        return self.total - missed


# Installed after the dataclass is made: its __init__ then stores through the descriptor.
setattr(Assignment, "paths", _LazyFrame("paths"))  # noqa: B010


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
    G: nx.MultiDiGraph | Network,
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
        Route graph (docs/contracts.md "Route graph"), or a :class:`Network` from
        :func:`prepare` (its CSR view, endpoint resolver and labels built once, for many
        calls on one graph; ``weight`` must be the prepared one and ``places`` None).
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
    >>> float(result.edge_load[("p:a", "p:b", 0)])
    12.0
    """
    _validate(flows, method, k, theta)
    counts = _flow_counts(flows)
    if isinstance(G, Network):
        G.check(weight=weight, places=places)
        net = G
    else:
        net = prepare(G, weight=weight, places=places)
    G, resolver, view = net.graph, net.resolver, net.view
    labels = (net.edge_labels, net.node_labels)
    k_eff = 1 if method == "shortest" else k

    keyed = resolve_keys(flows, counts, resolver, view)
    flow_ids, failures = keyed.flow_ids, keyed.failures
    flow_key, flow_count = keyed.flow_key, keyed.flow_count
    routes_of: Callable[[], _routes.Routes]
    if k_eff == 1 and keyed.src is not None and keyed.dst is not None:
        # Origin → destination only: loads summed on one tree per origin; the paths
        # themselves are listed only if the per-flow table is read.
        src, dst = keyed.src, keyed.dst
        key_weight = np.bincount(flow_key, weights=flow_count, minlength=len(src)).astype(float)
        e_load, n_load, cost = _trees.tree_loads(
            view, src, dst, key_weight, client=client, show_progress=show_progress
        )
        has_route = np.isfinite(cost)
        edge_load, node_load = _routes.load_series(view, e_load, n_load, labels=labels)
        routes_of = functools.partial(_direct_routes, view, src, dst, client)
    else:
        routes = _alternatives.key_routes(
            view,
            keyed.keys(view),
            k_eff,
            method,
            theta,
            max_detour,
            client=client,
            show_progress=show_progress,
        )
        has_route = np.diff(routes.key_start) > 0
        weights = _routes.route_weights(routes, flow_key, flow_count)
        edge_load, node_load = _routes.loads(view, routes, weights, labels=labels)
        routes_of = functools.partial(_identity, routes)
    if not has_route.all():
        missing = np.flatnonzero(~has_route)
        failed = dict(zip(missing.tolist(), keyed.keys(view, missing), strict=True))
        reasons = _no_path_reasons(G, set(failed.values()))
        ok = has_route[flow_key]
        lost = np.flatnonzero(~ok)
        for fid, key in zip(flow_ids[lost].tolist(), flow_key[lost].tolist(), strict=True):
            failures[fid] = reasons[failed[key]]
        flow_ids, flow_key, flow_count = flow_ids[ok], flow_key[ok], flow_count[ok]
    paths = functools.partial(
        _paths_table, net.attrs, view, routes_of, flow_ids, flow_key, flow_count
    )
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
    resolved["origin_node"] = pd.Series(keyed.origin_nodes, index=flows.index, dtype=object)
    resolved["destination_node"] = pd.Series(keyed.dest_nodes, index=flows.index, dtype=object)
    return Assignment(
        paths=paths,  # a recipe: built on first read (_LazyFrame)
        unrouted=unrouted,
        edge_load=edge_load,
        node_load=node_load,
        flows=resolved,
        method=method,
        k=k_eff,
        theta=theta,
        weight=weight,
    )


def _identity(routes: _routes.Routes) -> _routes.Routes:
    return routes


def _direct_routes(
    view: _csr.CSRGraph, src: np.ndarray, dst: np.ndarray, client: Any
) -> _routes.Routes:
    """The fastest path of each (origin, destination) key, listed (same tie rule)."""
    return _routes.from_pathset(_paths.shortest_paths(view, src, dst, client=client))


def _paths_table(
    attrs: _routes.PathAttributes,
    view: _csr.CSRGraph,
    routes_of: Callable[[], _routes.Routes],
    flow_ids: pd.Index,
    flow_key: np.ndarray,
    flow_count: np.ndarray,
) -> pd.DataFrame:
    return _routes.paths_frame(attrs, view, routes_of(), flow_ids, flow_key, flow_count)


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
            ps = _paths.shortest_paths(reopened_view, src, dst)
            if np.isfinite(ps.cost).all():
                reasons[key] = (CLOSED, f"every route uses a closed element ({closed_text})")
                continue
        reasons[key] = (
            NO_PATH,
            f"no road connects {' → '.join(key)}: the network is disconnected here",
        )
    return reasons
