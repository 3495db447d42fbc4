"""Routes of an assignment packed into arrays: loads by sparse products, paths on request.

:func:`geotraf.routing.assign` finds, for every distinct endpoint sequence (a *key*:
origin, via…, destination), up to ``k`` routes. They are held here as flat arrays (CSR
positions and node indices with offsets, like :class:`geotraf._paths.PathSet`), so that

- edge loads are one sparse product: (route × edge incidence)ᵀ · (flow per route);
- node loads follow from the edge loads (a loopless route's nodes are its origin and the
  head of each edge), or from a node incidence when via places make routes revisit nodes;
- the per-flow table (one row per flow and route) is built only when asked for.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from geotraf._csr import CSRGraph, FloatArray, IntArray, edge_table
from geotraf._paths import PathSet

if TYPE_CHECKING:
    import networkx as nx

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


@dataclass(frozen=True)
class Route:
    """One route: node indices, CSR positions (travel order) and its cost."""

    nodes: IntArray
    edges: IntArray
    cost: float


@dataclass(frozen=True)
class Routes:
    """Every route of every key, flattened; the routes of key ``j`` are
    ``key_start[j]:key_start[j + 1]`` in rank order (fastest first).

    ``loopless`` says that no route visits a node twice (no via place off the road).
    """

    cost: FloatArray
    share: FloatArray
    edge_offsets: IntArray
    edges: IntArray
    node_offsets: IntArray
    nodes: IntArray
    key_start: IntArray
    loopless: bool

    @property
    def n_routes(self) -> int:
        """Number of routes."""
        return len(self.cost)

    def edge_incidence(self, n_edges: int) -> sp.csr_array:
        """Routes × CSR positions, 1 where a route uses the edge (once, however often)."""
        data = np.ones(len(self.edges))
        # Copies: sum_duplicates sorts the index arrays in place.
        m = sp.csr_array(
            (data, self.edges.copy(), self.edge_offsets.copy()), shape=(self.n_routes, n_edges)
        )
        if not self.loopless:
            m.sum_duplicates()
            m.data[:] = 1.0
        return m

    def node_incidence(self, n_nodes: int) -> sp.csr_array:
        """Routes × node indices, 1 where a route visits the node."""
        data = np.ones(len(self.nodes))
        m = sp.csr_array(
            (data, self.nodes.copy(), self.node_offsets.copy()), shape=(self.n_routes, n_nodes)
        )
        m.sum_duplicates()
        m.data[:] = 1.0
        return m


def from_pathset(ps: PathSet) -> Routes:
    """One route per reachable pair of ``ps`` (share 1); key ``j`` is pair ``j``."""
    reached = ps.reached
    keep = np.flatnonzero(reached)
    count = reached.astype(np.int64)
    key_start = np.zeros(len(reached) + 1, dtype=np.int64)
    np.cumsum(count, out=key_start[1:])
    hops = np.diff(ps.edge_offsets)[keep]
    edge_offsets = np.zeros(len(keep) + 1, dtype=np.int64)
    np.cumsum(hops, out=edge_offsets[1:])
    node_offsets = edge_offsets + np.arange(len(keep) + 1, dtype=np.int64)
    # Unreachable pairs have no edges: the reachable pairs' edges are already contiguous.
    return Routes(
        cost=ps.cost[keep].astype(np.float64),
        share=np.ones(len(keep)),
        edge_offsets=edge_offsets,
        edges=ps.edges,
        node_offsets=node_offsets,
        nodes=_nodes_of(ps.origin[keep], ps.edges, edge_offsets, ps.heads),
        key_start=key_start,
        loopless=True,
    )


def _nodes_of(origin: IntArray, edges: IntArray, offsets: IntArray, heads: IntArray) -> IntArray:
    n = len(origin)
    out = np.empty(len(edges) + n, dtype=np.int64)
    first = offsets[:-1] + np.arange(n, dtype=np.int64)
    out[first] = origin
    rest = np.ones(len(out), dtype=bool)
    rest[first] = False
    out[rest] = heads[edges]
    return out


def pack(per_key: list[list[Route]], shares: list[list[float]], *, loopless: bool) -> Routes:
    """Pack Python routes (per key, in rank order) with their shares."""
    flat = [r for routes in per_key for r in routes]
    key_start = np.zeros(len(per_key) + 1, dtype=np.int64)
    np.cumsum([len(routes) for routes in per_key], out=key_start[1:])
    edge_offsets = np.zeros(len(flat) + 1, dtype=np.int64)
    np.cumsum([len(r.edges) for r in flat], out=edge_offsets[1:])
    node_offsets = np.zeros(len(flat) + 1, dtype=np.int64)
    np.cumsum([len(r.nodes) for r in flat], out=node_offsets[1:])
    empty = np.zeros(0, dtype=np.int64)
    return Routes(
        cost=np.array([r.cost for r in flat], dtype=np.float64),
        share=np.array([s for row in shares for s in row], dtype=np.float64),
        edge_offsets=edge_offsets,
        edges=np.concatenate([r.edges for r in flat]).astype(np.int64) if flat else empty,
        node_offsets=node_offsets,
        nodes=np.concatenate([r.nodes for r in flat]).astype(np.int64) if flat else empty,
        key_start=key_start,
        loopless=loopless,
    )


def route_weights(routes: Routes, flow_key: IntArray, counts: FloatArray) -> FloatArray:
    """Flow carried by each route: its share of the total count of its key's flows."""
    n_keys = len(routes.key_start) - 1
    per_key = np.bincount(flow_key, weights=counts, minlength=n_keys)
    route_key = np.repeat(np.arange(n_keys), np.diff(routes.key_start))
    return per_key[route_key] * routes.share


def loads(
    view: CSRGraph,
    routes: Routes,
    weights: FloatArray,
    *,
    labels: tuple[pd.MultiIndex, pd.Index] | None = None,
) -> tuple[pd.Series, pd.Series]:
    """Edge loads indexed by ``(u, v, key)`` (every edge) and node loads by node id.

    A route through the same node twice (a via place off the road) is still one group of
    people there: each node and edge counts once per route.
    """
    nnz = len(view.core.indices)
    e_load = np.asarray(routes.edge_incidence(nnz).T @ weights, dtype=np.float64)
    if routes.loopless:
        first = routes.nodes[routes.node_offsets[:-1]] if routes.n_routes else routes.nodes
        into = np.bincount(view.core.indices, weights=e_load, minlength=view.n)
        n_load = (into + np.bincount(first, weights=weights, minlength=view.n)).astype(np.float64)
    else:
        n_load = np.asarray(routes.node_incidence(view.n).T @ weights, dtype=np.float64)
    return load_series(view, e_load, n_load, labels=labels)


def load_series(
    view: CSRGraph,
    e_load: FloatArray,
    n_load: FloatArray,
    *,
    labels: tuple[pd.MultiIndex, pd.Index] | None = None,
) -> tuple[pd.Series, pd.Series]:
    """Label loads per CSR position and per node index: ``(u, v, key)`` and node ids.

    ``labels`` are those two indexes when already built (a prepared network keeps them).
    """
    full = np.zeros(len(view.all_edge_ids))
    full[view.kept] = e_load
    edges, nodes = labels or (edge_index(view), pd.Index(view.node_ids, name="node"))
    return pd.Series(full, index=edges), pd.Series(n_load, index=nodes)


def edge_index(view: CSRGraph) -> pd.MultiIndex:
    """``(u, v, key)`` of every edge of the graph, as :func:`geotraf.convert.graph_to_gdfs`."""
    keys = view.all_edge_keys
    if not keys:
        return pd.MultiIndex.from_arrays(
            [pd.Index([], dtype=object), pd.Index([], dtype=object), pd.Index([], dtype=int)],
            names=["u", "v", "key"],
        )
    return pd.MultiIndex.from_tuples(list(keys), names=["u", "v", "key"])


#: The edge attributes the paths table reads (:class:`PathAttributes`).
COLUMNS = ("length_m", "travel_time_s", "crossing_id", "ref")


@dataclass(frozen=True)
class PathAttributes:
    """What the paths table reads from the graph, taken when :func:`assign` ran.

    One entry per CSR position (length, travel time, crossing id and ref of the edge)
    and per node (crossing id of crossing nodes, else ``""``).
    """

    length_m: FloatArray
    travel_time_s: FloatArray
    crossing_id: np.ndarray
    ref: np.ndarray
    node_crossing: np.ndarray

    @classmethod
    def of(cls, G: nx.MultiDiGraph, view: CSRGraph) -> PathAttributes:
        """Read the attributes (from ``view.columns`` when :func:`csr_view` read them)."""
        if all(name in view.columns for name in COLUMNS):
            length_all, time_all, cross_all, ref_all = (view.columns[c] for c in COLUMNS)
        else:
            _, (length_all, time_all, cross_all, ref_all) = edge_table(G, COLUMNS)
        kept = view.kept.tolist()
        length = [length_all[i] for i in kept]
        time = [time_all[i] for i in kept]
        cross = np.array([str(cross_all[i] or "") for i in kept], dtype=object)
        ref = np.array([str(ref_all[i] or "") for i in kept], dtype=object)
        node_crossing = np.array(
            [
                str(d.get("crossing_id", "")) if d.get("kind") == "crossing" else ""
                for _, d in G.nodes(data=True)
            ],
            dtype=object,
        )
        return cls(
            length_m=np.array([float(x or 0.0) for x in length], dtype=np.float64),
            travel_time_s=np.array([float(x or 0.0) for x in time], dtype=np.float64),
            crossing_id=cross,
            ref=ref,
            node_crossing=node_crossing,
        )


def _slices(values: list[Any], offsets: IntArray) -> list[tuple[Any, ...]]:
    bounds = offsets.tolist()
    return [tuple(values[a:b]) for a, b in itertools.pairwise(bounds)]


def paths_frame(
    attrs: PathAttributes,
    view: CSRGraph,
    routes: Routes,
    flow_ids: Sequence[Hashable] | pd.Index,
    flow_key: IntArray,
    counts: FloatArray,
) -> pd.DataFrame:
    """One row per (routed flow, route with a positive share), flows in input order.

    ``flow_key[i]`` is the key of routed flow ``flow_ids[i]`` and ``counts[i]`` its count.
    """
    per_flow = np.diff(routes.key_start)[flow_key]
    row_flow = np.repeat(np.arange(len(flow_key)), per_flow)
    first = np.repeat(routes.key_start[flow_key], per_flow)
    rank = np.arange(len(row_flow)) - np.repeat(np.cumsum(per_flow) - per_flow, per_flow)
    row_route = first + rank
    share = routes.share[row_route] if len(row_route) else np.zeros(0)
    keep = share > 0
    row_flow, row_route, rank, share = row_flow[keep], row_route[keep], rank[keep], share[keep]
    used, inverse = np.unique(row_route, return_inverse=True)
    described = _describe(attrs, view, routes, used)
    ids = np.empty(len(flow_ids), dtype=object)
    ids[:] = flow_ids.tolist() if isinstance(flow_ids, pd.Index) else flow_ids
    frame = {
        "flow_id": ids[row_flow],
        "path_rank": (rank + 1).astype(np.int64),
        "share": share,
        "weight": counts[row_flow] * share,
    }
    for name, column in described.items():
        frame[name] = column[inverse]
    return pd.DataFrame(frame, columns=PATH_COLUMNS)


def _describe(
    attrs: PathAttributes, view: CSRGraph, routes: Routes, used: IntArray
) -> dict[str, np.ndarray]:
    """Node ids, edge ids, length, time, crossings and refs of the routes ``used``."""
    e_lo, e_hi = routes.edge_offsets[used], routes.edge_offsets[used + 1]
    n_lo, n_hi = routes.node_offsets[used], routes.node_offsets[used + 1]
    e_idx = _ranges(e_lo, e_hi)
    n_idx = _ranges(n_lo, n_hi)
    e_off = np.zeros(len(used) + 1, dtype=np.int64)
    np.cumsum(e_hi - e_lo, out=e_off[1:])
    n_off = np.zeros(len(used) + 1, dtype=np.int64)
    np.cumsum(n_hi - n_lo, out=n_off[1:])
    pos = routes.edges[e_idx]
    nodes = routes.nodes[n_idx]
    length = attrs.length_m[pos]
    time = attrs.travel_time_s[pos]
    node_crossing, edge_crossing, edge_ref = attrs.node_crossing, attrs.crossing_id, attrs.ref

    def sums(values: FloatArray) -> FloatArray:
        return np.bincount(which, weights=values, minlength=len(used)).astype(np.float64)

    which = np.repeat(np.arange(len(used)), e_hi - e_lo)
    bounds = list(zip(e_off[:-1].tolist(), e_off[1:].tolist(), strict=True))
    # Crossings in travel order: each edge's crossing_id, then that of the node it enters.
    # Only routes with any crossing (or ref) are walked in Python; the others get ().
    heads = routes.nodes[_ranges(n_lo + 1, n_hi)]
    cross_e, cross_n = edge_crossing[pos], node_crossing[heads]
    any_cross = np.bincount(which, weights=(cross_e != "") | (cross_n != ""), minlength=len(used))
    crossings: list[tuple[str, ...]] = [()] * len(used)
    e_list, n_list = cross_e.tolist(), cross_n.tolist()
    for i in np.flatnonzero(any_cross).tolist():
        a, b = bounds[i]
        pairs = zip(e_list[a:b], n_list[a:b], strict=True)
        crossings[i] = tuple(dict.fromkeys(c for two in pairs for c in two if c))
    ref_e = edge_ref[pos]
    any_ref = np.bincount(which, weights=ref_e != "", minlength=len(used))
    refs: list[tuple[str, ...]] = [()] * len(used)
    r_list = ref_e.tolist()
    for i in np.flatnonzero(any_ref).tolist():
        a, b = bounds[i]
        refs[i] = tuple(dict.fromkeys(r for r in r_list[a:b] if r))
    node_names = np.array([str(x) for x in view.node_ids], dtype=object)
    node_ids = node_names[nodes].tolist()
    edge_ids = view.edge_ids[pos].tolist()
    return {
        "nodes": _objects(_slices(node_ids, n_off)),
        "edges": _objects(_slices(edge_ids, e_off)),
        "length_m": sums(length),
        "time_s": sums(time),
        "crossings": _objects(crossings),
        "refs": _objects(refs),
    }


def _ranges(lo: IntArray, hi: IntArray) -> IntArray:
    """Concatenation of ``arange(lo[i], hi[i])`` for every i."""
    size = hi - lo
    if not len(size) or not size.sum():
        return np.zeros(0, dtype=np.int64)
    start = np.cumsum(size) - size
    return np.repeat(lo - start, size) + np.arange(int(size.sum()), dtype=np.int64)


def _objects(items: list[Any]) -> np.ndarray:
    return np.fromiter(items, dtype=object, count=len(items))
