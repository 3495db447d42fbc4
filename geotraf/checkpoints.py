"""Checkpoint plans: where a limited number of police teams intercept the most flow.

The flow-capturing location model (Hodgson 1990; Berman, Larson & Fouska 1992): choose at
most ``budget`` candidate sites so that the most modelled flow passes one of them. A flow
with several paths (``k_shortest``, ``logit``) counts each path with its share. Then

- **evasion** (after Marković et al.'s evasive flow capture): traffickers who learn of a
  checkpoint take the fastest route that avoids every chosen site, if it costs at most
  ``1 + evasion_tolerance`` times their usual travel time; the plan reports what is still
  captured after that (:func:`evade`);
- **evasion-aware planning** (``evasion_aware=True``) optimises that after-evasion capture
  by constraint generation: a path becomes a group of routes (the path and the detours
  found so far), captured only when a chosen site lies on every one of them. Solve, find
  the detours around the chosen sites, add them, re-solve, until no new detour appears (or
  ``max_rounds``). With ``method="exact"`` the model only ever *over*-estimates capture
  (it knows a subset of the detours), so when the rounds converge the plan is optimal
  for after-evasion capture; with ``greedy`` it is a heuristic. The round whose plan
  captures most after evasion is kept;
- a **randomised schedule** of teams over days and shifts (:mod:`geotraf.schedule`).

Plans are operationally secret (DOMAIN.md): callers must restrict them to planners, and
the exports (:mod:`geotraf.export`) are marked RESTRICTED.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from geotraf import coverage as cov
from geotraf.errors import PlanError
from geotraf.schedule import draw_schedule
from layers.schema import CRS

#: Sites farther than this from every road node (geodesic metres) are left out of a plan.
DEFAULT_SNAP_M = 10_000.0
#: A site snaps to a place node of its own type (bus station, port, ...) this close.
PLACE_SNAP_M = 2_000.0
#: Counts of people below this are never written (CTDC's threshold; geotraf.privacy).
SMALL_COUNT = 11
METHODS = ("greedy", "exact")

SITE_COLUMNS = [
    "rank",
    "site_id",
    "name",
    "site_type",
    "node",
    "captured",
    "share",
    "marginal_gain",
    "captured_after_evasion",
    "coverage_probability",
    "reason",
]


@dataclass(frozen=True)
class Plan:
    """A checkpoint plan (docs/contracts.md "Checkpoint plan").

    Attributes
    ----------
    sites
        Chosen sites ranked (GeoDataFrame, EPSG:4326): ``rank``, ``site_id``, ``name``,
        ``site_type``, ``node``, ``captured`` (flow through the site), ``share`` (of the
        total), ``marginal_gain`` (flow it adds in rank order), ``captured_after_evasion``
        (flow through it that cannot detour), ``coverage_probability`` (per shift),
        ``reason`` (a sentence for planners).
    captured, total, captured_share
        Flow passing at least one chosen site, all modelled flow (routed or not), ratio.
    captured_after_evasion, captured_after_evasion_share
        What is still captured once flows that can detour around the sites do so.
    gap
        Proven relative optimality gap of ``exact`` (None for ``greedy``); for an
        evasion-aware plan it refers to the last round's model.
    method
        ``greedy`` or ``exact``.
    schedule
        ``day``, ``shift``, ``team``, ``site_id``.
    evasion
        One row per assigned path: ``flow_id``, ``path_rank``, ``weight``, ``checked``
        (passes a chosen site), ``evades``, ``detour_time_s``.
    unattached_sites
        Candidate sites too far from the road network to be used.
    """

    sites: gpd.GeoDataFrame
    captured: float
    total: float
    captured_share: float
    captured_after_evasion: float
    captured_after_evasion_share: float
    gap: float | None
    method: str
    schedule: pd.DataFrame
    evasion: pd.DataFrame
    evasion_tolerance: float
    evasion_aware: bool
    status: str
    seconds: float
    unattached_sites: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)


# --- sites → graph nodes ---------------------------------------------------------------


def site_nodes(
    G: nx.MultiDiGraph, sites: gpd.GeoDataFrame, *, max_distance_m: float = DEFAULT_SNAP_M
) -> pd.Series:
    """Attach each candidate site to a graph node (None when too far from every road).

    A site watching a crossing (``crossing_id``) sits on that crossing's node
    ``x:<crossing_id>``; a site of the same type as a place node within
    :data:`PLACE_SNAP_M` (a bus station, a port) sits on that place, so it sees the flows
    that start, end or change there; any other site sits on the nearest junction or
    crossing within ``max_distance_m``.

    Examples
    --------
    >>> from shapely import Point
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("j1", x=100.0, y=15.0, kind="junction")
    >>> G.add_node("x:C1", x=101.0, y=15.0, kind="crossing", crossing_id="C1")
    >>> s = gpd.GeoDataFrame({"site_id": ["a", "b"], "site_type": ["truck_stop", "other"],
    ...                       "crossing_id": ["", "C1"]},
    ...                      geometry=[Point(100.01, 15.0), Point(100.0, 15.0)], crs=CRS)
    >>> site_nodes(G, s).tolist()
    ['j1', 'x:C1']
    """
    from geotraf.graph import nearest_nodes

    if sites.crs is not None and not sites.crs.equals(CRS):
        sites = sites.to_crs(CRS)
    out = nearest_nodes(G, sites, kinds=("junction", "crossing"), max_distance_m=max_distance_m)
    out = out.astype(object)
    types = sites["site_type"].astype(str) if "site_type" in sites else None
    if types is not None:
        place_types = {
            d.get("place_type") for _, d in G.nodes(data=True) if d.get("kind") == "place"
        }
        for ptype in sorted(t for t in set(types) if t in place_types):
            mask = types == ptype
            near = _nearest_place(G, sites[mask], ptype)
            for idx, node in near.items():
                if node is not None:
                    out[idx] = node
    if "crossing_id" in sites:
        for idx, cid in sites["crossing_id"].items():
            if isinstance(cid, str) and cid and G.has_node(f"x:{cid}"):
                out[idx] = f"x:{cid}"
    return out.rename("node")


def _nearest_place(G: nx.MultiDiGraph, sites: gpd.GeoDataFrame, ptype: str) -> pd.Series:
    from geotraf.graph import nearest_nodes

    sub = nx.subgraph_view(G, filter_node=lambda n: G.nodes[n].get("place_type") == ptype)
    return nearest_nodes(sub, sites, kinds="place", max_distance_m=PLACE_SNAP_M)


# --- incidence ---------------------------------------------------------------------------


def _incidence(
    node_lists: Sequence[Sequence[Hashable]], node_sites: dict[Hashable, list[int]], n_sites: int
) -> sp.csr_array:
    rows: list[int] = []
    cols: list[int] = []
    for r, nodes in enumerate(node_lists):
        for node in set(nodes):
            for s in node_sites.get(node, ()):
                rows.append(r)
                cols.append(s)
    return sp.csr_array((np.ones(len(rows)), (rows, cols)), shape=(len(node_lists), n_sites))


# --- evasion -------------------------------------------------------------------------------


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

    Returns
    -------
    pandas.DataFrame
        Indexed like ``paths``: ``flow_id``, ``path_rank``, ``weight``, ``checked``,
        ``evades``, ``detour_time_s`` (NaN unless it evades), ``detour_nodes`` (tuple, or
        None).

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
    open_graph = nx.restricted_view(G, list(chosen.intersection(G.nodes)), [])
    cache: dict[tuple[Hashable, Hashable], tuple[float, list[Hashable]] | None] = {}

    def leg(u: Hashable, v: Hashable) -> tuple[float, list[Hashable]] | None:
        if (u, v) not in cache:
            try:
                d, p = nx.single_source_dijkstra(open_graph, u, v, weight=weight)
                cache[(u, v)] = (float(d), list(p))
            except (nx.NetworkXNoPath, nx.NodeNotFound):
                cache[(u, v)] = None
        return cache[(u, v)]

    evades = out["evades"].to_numpy().copy()
    detour_t = out["detour_time_s"].to_numpy().copy()
    detour_nodes: list[tuple[Hashable, ...] | None] = [None] * len(out)
    for i in np.flatnonzero(checked):
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
    out["evades"] = evades
    out["detour_time_s"] = detour_t
    out["detour_nodes"] = pd.Series(detour_nodes, index=out.index, dtype=object)
    return out


# --- plan ----------------------------------------------------------------------------------


def _solve(
    problem: cov.Coverage,
    method: str,
    *,
    budget: int | None,
    cost_budget: float | None,
    must: Sequence[int],
    forbid: Sequence[int],
    time_limit: float,
) -> cov.Solution:
    if method == "exact":
        return cov.exact(
            problem,
            budget=budget,
            cost_budget=cost_budget,
            must=must,
            forbid=forbid,
            time_limit=time_limit,
        )
    return cov.greedy(problem, budget=budget, cost_budget=cost_budget, must=must, forbid=forbid)


def _site_index(ids: pd.Series, wanted: Iterable[str], what: str) -> list[int]:
    pos = {str(s): i for i, s in enumerate(ids)}
    wanted = [str(w) for w in wanted]
    unknown = [w for w in wanted if w not in pos]
    if unknown:
        raise PlanError(
            f"{what} sites {unknown} are not usable candidate sites (unknown site_id, or too "
            "far from the road network); check the sites layer"
        )
    return [pos[w] for w in wanted]


def plan(
    G: nx.MultiDiGraph,
    assignment: Any,
    sites: gpd.GeoDataFrame,
    *,
    budget: int | None,
    method: str = "greedy",
    cost_budget: float | None = None,
    must: Iterable[str] = (),
    forbid: Iterable[str] = (),
    evasion_tolerance: float = 0.3,
    evasion_aware: bool = False,
    time_limit: float = 60.0,
    teams: int = 4,
    days: int = 14,
    shifts: int = 2,
    seed: int | None = None,
    max_rounds: int = 8,
    max_distance_m: float = DEFAULT_SNAP_M,
) -> Plan:
    """Choose checkpoint sites that capture the most modelled flow, and schedule teams.

    Parameters
    ----------
    G
        The route graph the flows were assigned on.
    assignment
        :class:`geotraf.routing.Assignment` (its ``paths``; ``total`` when present).
    sites
        The ``sites`` layer (candidate checkpoints).
    budget
        Most sites to choose (None: no count limit, then ``cost_budget`` is required).
    method
        ``greedy`` (lazy greedy) or ``exact`` (MILP with a proven gap).
    cost_budget
        Most money to spend, summing the sites' ``cost`` column.
    must, forbid
        Site ids that must / must not be used.
    evasion_tolerance
        Extra travel time (share) traffickers accept to avoid a checkpoint.
    evasion_aware
        Optimise the capture that remains after evasion (see the module docstring).
    time_limit
        Seconds for each ``exact`` solve.
    teams, days, shifts, seed
        The randomised schedule (:func:`geotraf.schedule.draw_schedule`).
    max_rounds
        Rounds of detour generation for ``evasion_aware``.
    max_distance_m
        Sites farther from every road node are left out (listed in ``unattached_sites``).

    Returns
    -------
    Plan

    Examples
    --------
    >>> from shapely import Point
    >>> G = nx.MultiDiGraph()
    >>> for n, x in [("p:a", 100.0), ("j1", 100.5), ("p:b", 101.0)]:
    ...     G.add_node(n, x=x, y=15.0, kind="place" if n.startswith("p") else "junction",
    ...                name=n)
    >>> _ = G.add_edge("p:a", "j1", travel_time_s=60.0, ref="AH1")
    >>> _ = G.add_edge("j1", "p:b", travel_time_s=60.0, ref="AH1")
    >>> class A:  # the two attributes plan() reads from an Assignment
    ...     paths = pd.DataFrame({"flow_id": [0], "path_rank": [0], "share": [1.0],
    ...         "weight": [40.0], "nodes": [("p:a", "j1", "p:b")], "time_s": [120.0],
    ...         "refs": [("AH1",)]})
    ...     total = 40.0
    >>> sites = gpd.GeoDataFrame({"site_id": ["s1"], "name": ["Km 52 truck stop"],
    ...     "site_type": ["truck_stop"], "cost": [1.0]}, geometry=[Point(100.5, 15.0)], crs=CRS)
    >>> p = plan(G, A(), sites, budget=1, teams=1, days=1, shifts=1, seed=0)
    >>> p.sites[["site_id", "node", "captured", "share"]].values.tolist()
    [['s1', 'j1', 40.0, 1.0]]
    >>> p.captured_after_evasion  # no other road: nobody can detour
    40.0
    """
    if method not in METHODS:
        raise PlanError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    if budget is not None and budget < 1:
        raise PlanError(f"budget must be at least 1 site, not {budget}")
    if not evasion_tolerance >= 0:
        raise PlanError(f"evasion tolerance must be ≥ 0, not {evasion_tolerance}")
    if sites is None or len(sites) == 0:
        raise PlanError("the region has no candidate sites (sites layer): add some to plan")
    paths = assignment.paths.reset_index(drop=True)
    if paths.empty:
        raise PlanError("no flow could be routed, so there is nothing to intercept")
    import time

    t0 = time.perf_counter()
    nodes_of = site_nodes(G, sites, max_distance_m=max_distance_m)
    usable = nodes_of.notna()
    unattached = tuple(str(s) for s in sites.loc[~usable, "site_id"])
    cand = sites.loc[usable].copy()
    cand["node"] = nodes_of[usable]
    cand = cand.reset_index(drop=True)
    if cand.empty:
        raise PlanError(
            f"no candidate site lies within {max_distance_m / 1000:g} km of the road network"
        )
    ids = cand["site_id"].astype(str)
    must_i = _site_index(ids, must, "required")
    forbid_i = _site_index(ids, forbid, "forbidden")
    cost = (
        pd.to_numeric(cand["cost"], errors="coerce").fillna(1.0).to_numpy(float)
        if "cost" in cand
        else np.ones(len(cand))
    )
    node_sites: dict[Hashable, list[int]] = {}
    for i, node in enumerate(cand["node"]):
        node_sites.setdefault(node, []).append(i)
    weights = paths["weight"].to_numpy(float)
    base = cov.Coverage.build(
        _incidence(list(paths["nodes"]), node_sites, len(cand)), weights, cost=cost
    )
    kwargs: dict[str, Any] = {
        "budget": budget,
        "cost_budget": cost_budget,
        "must": must_i,
        "forbid": forbid_i,
        "time_limit": time_limit,
    }
    sol = _solve(base, method, **kwargs)
    ev = evade(G, paths, cand["node"].iloc[sol.sites].tolist(), tolerance=evasion_tolerance)
    rounds = 1
    if evasion_aware:
        sol, ev, rounds = _evasion_aware(
            G,
            paths,
            cand,
            node_sites,
            base,
            sol,
            ev,
            method,
            evasion_tolerance,
            max_rounds,
            kwargs,
        )
    total = float(getattr(assignment, "total", float(weights.sum())) or weights.sum())
    captured = cov.capture(base, sol.sites)
    after = float(ev.loc[ev.checked & ~ev.evades, "weight"].sum())
    ranked = _ranked_sites(G, paths, cand, base, sol, ev, total)
    probability, schedule = draw_schedule(
        ranked.set_index("site_id")["captured"],
        teams=teams,
        days=days,
        shifts=shifts,
        seed=seed,
    )
    ranked["coverage_probability"] = ranked["site_id"].map(probability).astype(float)
    ranked = ranked[[*SITE_COLUMNS, "geometry"]]
    sites_gdf = gpd.GeoDataFrame(ranked, geometry="geometry", crs=CRS)
    return Plan(
        sites=sites_gdf,
        captured=captured,
        total=total,
        captured_share=captured / total if total > 0 else 0.0,
        captured_after_evasion=after,
        captured_after_evasion_share=after / total if total > 0 else 0.0,
        gap=sol.gap if method == "exact" else None,
        method=method,
        schedule=schedule,
        evasion=ev.drop(columns=["detour_nodes"]),
        evasion_tolerance=evasion_tolerance,
        evasion_aware=evasion_aware,
        status=sol.status,
        seconds=time.perf_counter() - t0,
        unattached_sites=unattached,
        meta={"rounds": rounds, "bound": sol.bound, "solver": dict(sol.stats)},
    )


def _evasion_aware(
    G: nx.MultiDiGraph,
    paths: pd.DataFrame,
    cand: pd.DataFrame,
    node_sites: dict[Hashable, list[int]],
    base: cov.Coverage,
    sol: cov.Solution,
    ev: pd.DataFrame,
    method: str,
    tolerance: float,
    max_rounds: int,
    kwargs: dict[str, Any],
) -> tuple[cov.Solution, pd.DataFrame, int]:
    """Constraint generation over detours (see the module docstring)."""
    routes: list[list[tuple[Hashable, ...]]] = [[tuple(n)] for n in paths["nodes"]]
    known: list[set[tuple[Hashable, ...]]] = [{r[0]} for r in routes]

    def after(e: pd.DataFrame) -> float:
        return float(e.loc[e.checked & ~e.evades, "weight"].sum())

    best = (after(ev), sol, ev)
    rounds = 1
    while rounds < max_rounds:
        new = 0
        for i, detour in ev["detour_nodes"].items():
            if detour is not None and detour not in known[int(i)]:
                known[int(i)].add(detour)
                routes[int(i)].append(detour)
                new += 1
        if not new:
            break
        rounds += 1
        flat = [r for group in routes for r in group]
        groups = np.repeat(np.arange(len(routes)), [len(g) for g in routes])
        problem = cov.Coverage.build(
            _incidence(flat, node_sites, len(cand)), base.weights, groups=groups, cost=base.cost
        )
        sol = _solve(problem, method, **kwargs)
        ev = evade(G, paths, cand["node"].iloc[sol.sites].tolist(), tolerance=tolerance)
        if after(ev) > best[0] + 1e-9:
            best = (after(ev), sol, ev)
    return best[1], best[2], rounds


# --- words for planners ------------------------------------------------------------------


def _share_text(value: float, total: float) -> str:
    if value < SMALL_COUNT:
        return f"under {SMALL_COUNT} modelled persons"
    pct = 100 * value / total if total > 0 else 0.0
    return f"{pct:.0f}% of modelled flow" if pct >= 1 else "under 1% of modelled flow"


def _place_name(G: nx.MultiDiGraph, node: Hashable) -> str:
    data = G.nodes[node] if G.has_node(node) else {}
    return str(data.get("name") or data.get("place_id") or node)


def _top(weights: dict[Any, float], n: int) -> list[tuple[Any, float]]:
    return sorted(weights.items(), key=lambda kv: (-kv[1], str(kv[0])))[:n]


def _road_of(G: nx.MultiDiGraph, node: Hashable, refs: dict[str, float]) -> str:
    if refs:
        return str(_top(refs, 1)[0][0])
    around = Counter(str(d.get("ref", "")) for _, _, d in G.edges(node, data=True) if d.get("ref"))
    return around.most_common(1)[0][0] if around else ""


def _reason(
    G: nx.MultiDiGraph,
    row: pd.Series,
    through: pd.DataFrame,
    total: float,
    after: float,
) -> str:
    kind = str(row.get("site_type", "") or "site").replace("_", " ")
    refs: dict[str, float] = defaultdict(float)
    pairs: dict[tuple[str, str], float] = defaultdict(float)
    for nodes, path_refs, w in zip(
        through["nodes"],
        through.get("refs", [()] * len(through)),
        through["weight"],
        strict=True,
    ):
        for r in set(path_refs or ()):
            if r:
                refs[str(r)] += float(w)
        pairs[(_place_name(G, nodes[0]), _place_name(G, nodes[-1]))] += float(w)
    road = _road_of(G, row["node"], refs)
    name = str(row.get("name") or "")
    head = kind[:1].upper() + kind[1:]
    head += f" on {road}" if road else ""
    if name and name.lower().startswith(head.lower()):
        head = name  # the name already says it ("Truck stop on AH12 between …")
    elif name:
        head += f" ({name})"
    parts = [head, _share_text(float(row["captured"]), total)]
    corridors = [r for r, _ in _top(refs, 3)]
    if corridors:
        parts.append("main corridors: " + ", ".join(corridors))
    # Only name origin→destination pairs carrying enough flow not to point at anyone.
    routes = [f"{o} → {d}" for (o, d), w in _top(pairs, 2) if w >= SMALL_COUNT]
    if routes:
        parts.append("main routes: " + ", ".join(routes))
    captured = float(row["captured"])
    if captured >= SMALL_COUNT and captured - after > 0.005 * captured:
        parts.append(f"{100 * (1 - after / captured):.0f}% of it could detour around checks")
    return "; ".join(parts)


def _ranked_sites(
    G: nx.MultiDiGraph,
    paths: pd.DataFrame,
    cand: pd.DataFrame,
    base: cov.Coverage,
    sol: cov.Solution,
    ev: pd.DataFrame,
    total: float,
) -> pd.DataFrame:
    csc = base.incidence.tocsc()
    kept = (ev["checked"] & ~ev["evades"]).to_numpy()
    rows: list[dict[str, Any]] = []
    for rank, (s, gain) in enumerate(zip(sol.sites, sol.gains, strict=True), start=1):
        through_idx = csc.indices[csc.indptr[s] : csc.indptr[s + 1]]
        through = paths.iloc[through_idx]
        captured = float(base.weights[through_idx].sum())
        after = float(base.weights[through_idx][kept[through_idx]].sum())
        site = cand.iloc[int(s)]
        row = {
            "rank": rank,
            "site_id": str(site["site_id"]),
            "name": str(site.get("name", "") or ""),
            "site_type": str(site.get("site_type", "") or ""),
            "node": site["node"],
            "captured": captured,
            "share": captured / total if total > 0 else 0.0,
            "marginal_gain": float(gain),
            "captured_after_evasion": after,
            "geometry": site.geometry,
        }
        row["reason"] = _reason(G, pd.Series(row), through, total, after)
        rows.append(row)
    columns = [c for c in SITE_COLUMNS if c != "coverage_probability"] + ["geometry"]
    return pd.DataFrame(rows, columns=columns)
