"""Checkpoint plans: where a limited number of police teams intercept the most flow.

The flow-capturing location model (Hodgson 1990; Berman, Larson & Fouska 1992): choose at
most ``budget`` candidate sites so that the most modelled flow passes one of them. A flow
with several paths (``k_shortest``, ``logit``) counts each path with its share. Then

- **evasion** (after Marković et al.'s evasive flow capture): traffickers who learn of a
  checkpoint take the fastest route that avoids every chosen site, if it costs at most
  ``1 + evasion_tolerance`` times their usual travel time; the plan reports what is still
  captured after that (:func:`geotraf.evasion.evade`);
- **evasion-aware planning** (``evasion_aware=True``) optimises that after-evasion capture
  by constraint generation: a path becomes a group of routes (the path and the detours
  found so far), captured only when a chosen site lies on every one of them. Solve, find
  the detours around the chosen sites, add them, re-solve, until no new detour appears (or
  ``max_rounds``). With ``method="exact"`` the model only ever *over*-estimates capture
  (it knows a subset of the detours), so when the rounds converge the plan is optimal
  for after-evasion capture; with ``greedy`` it is a heuristic. The round whose plan
  captures most after evasion is kept;
- a **randomised schedule** of teams over days and shifts is a separate step,
  :func:`geotraf.schedule.schedule`, on the finished plan.

Sites are attached to graph nodes by the rule of :mod:`geotraf.sites`, shared with the
hotspot ranking; each chosen site's reason for planners is written by
:mod:`geotraf._reasons`. Plans are operationally secret (``docs/privacy.md``): callers
must restrict them to planners, and the exports (:mod:`geotraf.export`) are marked
RESTRICTED.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from geotraf import coverage as cov
from geotraf._reasons import SITE_COLUMNS, ranked_sites
from geotraf.errors import PlanError
from geotraf.evasion import evade
from geotraf.sites import DEFAULT_SNAP_M, site_nodes
from layers.schema import CRS

__all__ = ["METHODS", "SITE_COLUMNS", "STAGES", "Plan", "evade", "plan", "site_nodes"]

METHODS = ("greedy", "exact")
#: The stages :func:`plan` reports to its ``progress`` callable, in order (``solve`` and
#: ``evasion`` repeat once per round of an evasion-aware plan).
STAGES = ("model", "solve", "evasion", "done")
#: Share of a round's work spent solving (the rest tests evasion), measured on the Mekong
#: demo (budget 8): greedy solves in ≈ 1 % of the time evade takes, exact in ≈ 15-20 %.
_SOLVE_SHARE = {"greedy": 0.02, "exact": 0.2}

Progress = Callable[[str, float], None]


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
        ``day``, ``shift``, ``team``, ``site_id``: empty until
        :func:`geotraf.schedule.schedule` draws it.
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

    def __repr__(self) -> str:
        n = len(self.sites)
        drawn = (
            f"{len(self.schedule)} posts over {self.meta.get('schedule', {}).get('days', '?')} days"
            if len(self.schedule)
            else "no schedule"
        )
        # Shares only: a repr ends up in notebooks and logs, counts of people do not.
        return (
            f"Plan({self.method}, {n} site{'s' if n != 1 else ''}, captures "
            f"{self.captured_share:.0%} of modelled flow, "
            f"{self.captured_after_evasion_share:.0%} after evasion, {drawn})"
        )


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


# --- progress ------------------------------------------------------------------------------


class _Tracker:
    """Turns each step's own share done into the share of the whole plan (see ``plan``).

    The model takes the first 2 %, each round an equal part of the rest, split between
    solving and testing evasion by :data:`_SOLVE_SHARE`; reports never go backwards.
    """

    def __init__(self, progress: Progress | None, method: str, rounds: int) -> None:
        self.progress = progress
        self.solve_share = _SOLVE_SHARE.get(method, 0.1)
        self.span = 0.97 / max(1, rounds)
        self.last = 0.0

    def report(self, stage: str, done: float) -> None:
        if self.progress is not None:
            self.last = max(self.last, min(1.0, done))
            self.progress(stage, self.last)

    def solving(self, round_: int) -> Callable[[float], None]:
        start = 0.02 + round_ * self.span
        self.report("solve", start)
        return lambda f: self.report("solve", start + self.span * self.solve_share * f)

    def evading(self, round_: int) -> Callable[[float], None]:
        start = 0.02 + round_ * self.span + self.span * self.solve_share
        self.report("evasion", start)
        return lambda f: self.report("evasion", start + self.span * (1 - self.solve_share) * f)


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
    progress: Callable[[float], None] | None = None,
) -> cov.Solution:
    if method == "exact":
        return cov.exact(
            problem,
            budget=budget,
            cost_budget=cost_budget,
            must=must,
            forbid=forbid,
            time_limit=time_limit,
            progress=progress,
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
    max_rounds: int = 8,
    max_distance_m: float = DEFAULT_SNAP_M,
    progress: Progress | None = None,
) -> Plan:
    """Choose checkpoint sites that capture the most modelled flow.

    The plan has no schedule yet (``schedule`` empty, ``coverage_probability`` NaN):
    draw one with :func:`geotraf.schedule.schedule`.

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
    max_rounds
        Rounds of detour generation for ``evasion_aware``.
    max_distance_m
        Sites farther from every road node are left out (listed in ``unattached_sites``).
    progress
        Called as ``progress(stage, done)`` while the plan is made: ``stage`` one of
        :data:`STAGES`, ``done`` the share of the whole call done so far (0 to 1, never
        decreasing), from the solver and from the evasion test as they go. An
        evasion-aware plan gives each of its ``max_rounds`` rounds an equal part, so it
        jumps to the end when the rounds converge early. It may raise to stop the plan.

    Returns
    -------
    Plan

    References
    ----------
    .. [1] Hodgson, M. J. (1990). A flow-capturing location-allocation model.
       *Geographical Analysis* 22(3), 270–279.
    .. [2] Berman, O., Larson, R. C., Fouska, N. (1992). Optimal location of
       discretionary service facilities. *Transportation Science* 26(3), 201–211.
    .. [3] Nemhauser, G. L., Wolsey, L. A., Fisher, M. L. (1978). An analysis of
       approximations for maximizing submodular set functions. *Mathematical
       Programming* 14, 265–294 (the greedy bound).

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
    >>> p = plan(G, A(), sites, budget=1)
    >>> p
    Plan(greedy, 1 site, captures 100% of modelled flow, 100% after evasion, no schedule)
    >>> p.sites[["site_id", "node", "captured", "share"]].values.tolist()
    [['s1', 'j1', 40.0, 1.0]]
    >>> p.captured_after_evasion  # no other road: nobody can detour
    40.0
    >>> seen = []
    >>> _ = plan(G, A(), sites, budget=1, progress=lambda stage, done: seen.append(stage))
    >>> list(dict.fromkeys(seen))
    ['model', 'solve', 'evasion', 'done']
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
    tracker = _Tracker(progress, method, max_rounds if evasion_aware else 1)
    tracker.report("model", 0.0)
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
    sol = _solve(base, method, **kwargs, progress=tracker.solving(0))
    ev = evade(
        G,
        paths,
        cand["node"].iloc[sol.sites].tolist(),
        tolerance=evasion_tolerance,
        progress=tracker.evading(0),
    )
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
            tracker,
        )
    total = float(getattr(assignment, "total", float(weights.sum())) or weights.sum())
    captured = cov.capture(base, sol.sites)
    after = float(ev.loc[ev.checked & ~ev.evades, "weight"].sum())
    ranked = ranked_sites(G, paths, cand, base, sol, ev, total)
    ranked["coverage_probability"] = np.nan  # drawn by geotraf.schedule.schedule
    ranked = ranked[[*SITE_COLUMNS, "geometry"]]
    sites_gdf = gpd.GeoDataFrame(ranked, geometry="geometry", crs=CRS)
    tracker.report("done", 1.0)
    return Plan(
        sites=sites_gdf,
        captured=captured,
        total=total,
        captured_share=captured / total if total > 0 else 0.0,
        captured_after_evasion=after,
        captured_after_evasion_share=after / total if total > 0 else 0.0,
        gap=sol.gap if method == "exact" else None,
        method=method,
        schedule=pd.DataFrame(
            {"day": [], "shift": [], "team": [], "site_id": []}, dtype="int64"
        ).astype({"site_id": object}),
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
    tracker: _Tracker,
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
        sol = _solve(problem, method, **kwargs, progress=tracker.solving(rounds - 1))
        ev = evade(
            G,
            paths,
            cand["node"].iloc[sol.sites].tolist(),
            tolerance=tolerance,
            progress=tracker.evading(rounds - 1),
        )
        if after(ev) > best[0] + 1e-9:
            best = (after(ev), sol, ev)
    return best[1], best[2], rounds
