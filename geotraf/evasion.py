"""Evasion: which checked paths can detour around every checkpoint, and by which route.

After Marković, Ryzhov & Schonfeld's evasive flow capture: traffickers who learn of a
checkpoint take the fastest route that avoids every chosen site, if it costs at most
``1 + tolerance`` times their usual travel time. :func:`evade` says, for each assigned path,
whether it is checked, whether it evades and by which detour; plans
(:mod:`geotraf.checkpoints`) report the capture that remains and, when evasion-aware,
feed the detours back into the model.

The detour searches run on a CSR matrix of the graph without the checkpoints, with SciPy's
Dijkstra from each leg start (origins and via places, shared by many paths) and only as
far as the longest detour allowed from there; ``tests/test_evasion.py`` checks the results
against one NetworkX Dijkstra per leg start, bit for bit.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Hashable, Iterable, Sequence

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from geotraf._csr import MIN_WEIGHT, edge_table
from geotraf.errors import PlanError

__all__ = ["evade"]

#: Distance cells (float64) held at once by a batch of detour searches.
_BATCH_CELLS = 4_000_000


def _waypoints(places: set[Hashable], nodes: Sequence[Hashable]) -> list[Hashable]:
    """Origin, the places passed on the way (via stops), destination."""
    inner = [n for n in nodes[1:-1] if n in places]
    return [nodes[0], *inner, nodes[-1]]


def evade(
    G: nx.MultiDiGraph,
    paths: pd.DataFrame,
    chosen_nodes: Iterable[Hashable],
    *,
    tolerance: float,
    weight: str = "travel_time_s",
    progress: Callable[[float], None] | None = None,
) -> pd.DataFrame:
    """Re-route the paths that pass a checkpoint around every checkpoint, where worth it.

    A path that passes a chosen node is *checked*. It *evades* when the fastest route that
    avoids every chosen node and still goes through the path's own origin, via places and
    destination takes at most ``(1 + tolerance)`` × the path's ``time_s``. A checkpoint on
    the origin, a via place or the destination cannot be avoided. Paths not checked are
    left alone, so capture after evasion is never more than before.

    Parameters
    ----------
    G
        The route graph.
    paths
        ``Assignment.paths`` (``nodes``, ``time_s``, ``weight``, ``flow_id``, ``path_rank``).
    chosen_nodes
        Nodes holding a checkpoint.
    tolerance
        Extra travel time traffickers accept, as a share (0.3 = +30 %).
    weight
        Edge attribute of travel time.
    progress
        Called with the share (0 to 1) of the checked paths already tested, about every
        2 % of them and once at the end (the detour searches run as the paths are tested).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``paths``: ``flow_id``, ``path_rank``, ``weight``, ``checked``,
        ``evades``, ``detour_time_s`` (NaN unless it evades), ``detour_nodes`` (tuple, or
        None).

    References
    ----------
    .. [1] Marković, N., Ryzhov, I. O., Schonfeld, P. (2015). Evasive flow capture:
       optimal location of weigh-in-motion systems, tollbooths, and security checkpoints.
       *Networks* 65(1), 22–42.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> for u, v, t in [("a", "b", 10), ("b", "c", 10), ("a", "d", 12), ("d", "c", 12)]:
    ...     _ = G.add_edge(u, v, travel_time_s=float(t))
    >>> paths = pd.DataFrame({"flow_id": [0], "path_rank": [0], "weight": [5.0],
    ...                       "nodes": [("a", "b", "c")], "time_s": [20.0]})
    >>> e = evade(G, paths, ["b"], tolerance=0.3)
    >>> e[["checked", "evades", "detour_time_s"]].values.tolist()
    [[True, True, 24.0]]
    >>> evade(G, paths, ["b"], tolerance=0.1).evades.tolist()
    [False]
    """
    if not tolerance >= 0 or not math.isfinite(tolerance):
        raise PlanError(f"evasion tolerance must be a share ≥ 0 (0.3 = +30 %), not {tolerance}")
    chosen = set(chosen_nodes)
    out = pd.DataFrame(
        {
            "flow_id": paths.get("flow_id", pd.Series(paths.index, index=paths.index)),
            "path_rank": paths.get("path_rank", 0),
            "weight": paths["weight"].astype(float),
        },
        index=paths.index,
    )
    checked = np.array([bool(chosen.intersection(n)) for n in paths["nodes"]], dtype=bool)
    out["checked"] = checked
    out["evades"] = False
    out["detour_time_s"] = np.nan
    out["detour_nodes"] = None
    if not checked.any():
        return out
    # First the legs every checked path needs; the searches then run as the paths are
    # tested, one per leg start (paths share origins and via places), each only as far
    # as the longest detour allowed from there.
    places = {n for n, kind in G.nodes(data="kind") if kind == "place"}
    path_nodes = paths["nodes"].tolist()
    time_s = paths["time_s"].to_numpy(dtype=float)
    todo = np.flatnonzero(checked).tolist()
    plans: dict[int, tuple[list[Hashable], float]] = {}
    ends: dict[Hashable, dict[Hashable, None]] = {}
    reach: dict[Hashable, float] = {}
    for i in todo:
        stops = _waypoints(places, path_nodes[i])
        if chosen.intersection(stops):
            continue
        limit = (1.0 + tolerance) * float(time_s[i])
        plans[i] = (stops, limit)
        for u, v in itertools.pairwise(stops):
            ends.setdefault(u, {})[v] = None
            reach[u] = max(reach.get(u, 0.0), limit)
    legs = _Legs(G, chosen, weight, ends, reach)

    evades = out["evades"].to_numpy().copy()
    detour_t = out["detour_time_s"].to_numpy().copy()
    detour_nodes: list[tuple[Hashable, ...] | None] = [None] * len(out)
    every = max(1, len(todo) // 50)
    for done, i in enumerate(todo):
        if progress is not None and done % every == 0:
            progress(done / len(todo))
        if i not in plans:
            continue
        stops, limit = plans[i]
        total = 0.0
        route: list[Hashable] = [stops[0]]
        for u, v in itertools.pairwise(stops):
            found = legs.get(u, v)
            if found is None:
                total = math.inf
                break
            total += found[0]
            route.extend(found[1][1:])
            if total > limit * (1 + 1e-12):
                break
        if total <= limit * (1 + 1e-12):
            evades[i] = True
            detour_t[i] = total
            detour_nodes[i] = tuple(route)
    if progress is not None:
        progress(1.0)
    out["evades"] = evades
    out["detour_time_s"] = detour_t
    out["detour_nodes"] = pd.Series(detour_nodes, index=out.index, dtype=object)
    return out


class _Legs:
    """Fastest route of every leg ``u → v`` (``v`` in ``ends[u]``) avoiding ``closed`` nodes.

    ``G`` without the closed nodes, parallel edges merged to their cheapest (the first
    of equal ones), an edge without ``weight`` costing 1, searched by SciPy's Dijkstra
    from each leg start up to ``reach[u]`` (a leg longer than that cannot be a detour),
    the first time one of its legs is asked for; starts are searched in batches of up to
    64 in the order they are first needed (one SciPy call per batch).
    A leg's time is the sum of its edges' weights in route order, as NetworkX's
    ``single_source_dijkstra`` adds them, so times agree to the last bit (and routes
    wherever the fastest route is unique). ``None`` for a leg with no route within reach.
    """

    def __init__(
        self,
        G: nx.MultiDiGraph,
        closed: set[Hashable],
        weight: str,
        ends: dict[Hashable, dict[Hashable, None]],
        reach: dict[Hashable, float],
    ) -> None:
        names = list(G.nodes)
        index = {n: i for i, n in enumerate(names)}
        n = len(names)
        keys, (values,) = edge_table(G, (weight,))
        u = np.fromiter((index[a] for a, _, _ in keys), dtype=np.int64, count=len(keys))
        v = np.fromiter((index[b] for _, b, _ in keys), dtype=np.int64, count=len(keys))
        w = np.array([1.0 if x is None else float(x) for x in values], dtype=float)
        is_closed = np.zeros(n, dtype=bool)
        is_closed[[index[c] for c in closed if c in index]] = True
        open_ = np.flatnonzero(~is_closed[u] & ~is_closed[v])
        order = open_[np.lexsort((open_, w[open_], v[open_], u[open_]))]
        first = np.ones(len(order), dtype=bool)
        first[1:] = (u[order][1:] != u[order][:-1]) | (v[order][1:] != v[order][:-1])
        keep = order[first]
        uk, vk, wk = u[keep], v[keep], w[keep]
        pair = uk * n + vk  # sorted: keep is in (u, v) order
        search = sp.csr_array((np.maximum(wk, MIN_WEIGHT), (uk, vk)), shape=(n, n))
        self.names, self.index, self.n = names, index, n
        self.search, self.pair, self.wk = search, pair, wk
        self.ends, self.reach = ends, reach
        self.batch = max(1, min(64, _BATCH_CELLS // max(n, 1)))
        self.found: dict[tuple[Hashable, Hashable], tuple[float, list[Hashable]] | None] = {}
        self.pending: list[Hashable] = []
        self.searched: set[Hashable] = set()

    def get(self, start: Hashable, end: Hashable) -> tuple[float, list[Hashable]] | None:
        """The leg ``start → end``: ``(time, nodes)``, or None."""
        if start not in self.searched:
            self._search_from(start)
        return self.found[(start, end)]

    def _search_from(self, start: Hashable) -> None:
        others = [s for s in self._next_starts() if s != start and s not in self.searched]
        group = [start, *others[: self.batch - 1]]
        self.searched.update(group)
        index, n = self.index, self.n
        dists, preds = dijkstra(
            self.search,
            directed=True,
            indices=np.array([index[s] for s in group]),
            return_predecessors=True,
            limit=max(self.reach[s] for s in group) * (1 + 1e-9),
        )
        for row, s in enumerate(group):
            si, dist, pred = index[s], dists[row], preds[row]
            for end in self.ends[s]:
                ei = index[end]
                if not np.isfinite(dist[ei]):
                    self.found[(s, end)] = None
                    continue
                route = [ei]
                while route[-1] != si:
                    route.append(int(pred[route[-1]]))
                route.reverse()
                hops = np.asarray(route, dtype=np.int64)
                times = self.wk[np.searchsorted(self.pair, hops[:-1] * n + hops[1:])]
                total = float(np.cumsum(times)[-1]) if len(times) else 0.0
                self.found[(s, end)] = (total, [self.names[k] for k in route])

    def _next_starts(self) -> list[Hashable]:
        """Leg starts not searched yet, in the order the paths first need them."""
        if not self.pending:
            self.pending = list(self.ends)
        self.pending = [s for s in self.pending if s not in self.searched]
        return self.pending
