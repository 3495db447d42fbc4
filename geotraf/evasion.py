"""Evasion: which checked paths can detour around every checkpoint, and by which route.

After Marković, Ryzhov & Schonfeld's evasive flow capture: traffickers who learn of a
checkpoint take the fastest route that avoids every chosen site, if it costs at most
``1 + tolerance`` times their usual travel time. :func:`evade` says, for each assigned path,
whether it is checked, whether it evades and by which detour; plans
(:mod:`geotraf.checkpoints`) report the capture that remains and, when evasion-aware,
feed the detours back into the model.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Hashable, Iterable, Sequence

import networkx as nx
import numpy as np
import pandas as pd

from geotraf.errors import PlanError

__all__ = ["evade"]


def _waypoints(G: nx.MultiDiGraph, nodes: Sequence[Hashable]) -> list[Hashable]:
    """Origin, the places passed on the way (via stops), destination."""
    inner = [n for n in nodes[1:-1] if G.nodes[n].get("kind") == "place"]
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
        2 % of them and once at the end.

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
    open_graph = _open_graph(G, chosen, weight)
    # One Dijkstra per leg start, reaching every node: paths share their origins and via
    # places, so this runs far fewer searches than one per (start, end) pair.
    trees: dict[Hashable, tuple[dict[Hashable, float], dict[Hashable, list[Hashable]]]] = {}
    cache: dict[tuple[Hashable, Hashable], tuple[float, list[Hashable]] | None] = {}

    def leg(u: Hashable, v: Hashable) -> tuple[float, list[Hashable]] | None:
        if (u, v) not in cache:
            if u not in trees:
                trees[u] = (
                    nx.single_source_dijkstra(open_graph, u, weight="w")
                    if u in open_graph
                    else ({}, {})
                )
            dist, found = trees[u]
            cache[(u, v)] = (float(dist[v]), list(found[v])) if v in dist else None
        return cache[(u, v)]

    evades = out["evades"].to_numpy().copy()
    detour_t = out["detour_time_s"].to_numpy().copy()
    detour_nodes: list[tuple[Hashable, ...] | None] = [None] * len(out)
    todo = np.flatnonzero(checked)
    every = max(1, len(todo) // 50)
    for done, i in enumerate(todo):
        if progress is not None and done % every == 0:
            progress(done / len(todo))
        nodes = paths["nodes"].iat[i]
        stops = _waypoints(G, nodes)
        if chosen.intersection(stops):
            continue
        limit = (1.0 + tolerance) * float(paths["time_s"].iat[i])
        total = 0.0
        route: list[Hashable] = [stops[0]]
        for u, v in itertools.pairwise(stops):
            found = leg(u, v)
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


def _open_graph(G: nx.MultiDiGraph, closed: set[Hashable], weight: str) -> nx.DiGraph:
    """``G`` without the ``closed`` nodes, parallel edges merged to their cheapest ``w``.

    A plain graph is searched several times faster than a filtered view of the
    multigraph, and gives the same shortest paths (NetworkX takes the cheapest parallel
    edge, and an edge without ``weight`` costs 1, as here).
    """
    H = nx.DiGraph()
    H.add_nodes_from(n for n in G.nodes if n not in closed)
    for u, v, d in G.edges(data=True):
        if u in closed or v in closed:
            continue
        w = d.get(weight, 1)
        if not H.has_edge(u, v) or w < H[u][v]["w"]:
            H.add_edge(u, v, w=w)
    return H
