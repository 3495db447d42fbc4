"""Flow-capturing location solvers over plain arrays (no graphs, no GeoDataFrames).

The flow-capturing location model (Hodgson 1990; Berman, Larson & Fouska 1992) chooses
checkpoint sites so that the most flow passes at least one of them. Here a problem is

- a 0/1 *incidence* matrix, routes × candidate sites (``scipy.sparse`` CSR): route ``r``
  passes site ``s``;
- ``groups``: the group (flow, or flow path) each route belongs to, and ``weights`` per
  group. A group is captured when *every* one of its routes passes a chosen site. The plain
  plan has one route per group (a path of a flow, weighted by count × share); the
  evasion-aware plan gives a group several routes (its path and the detours traffickers
  would take around checkpoints), so it is only captured when no acceptable detour is left;
- optional site ``cost`` with a money budget, a count budget, and ``must`` / ``forbid`` sets.

Solvers: :func:`greedy` (lazy greedy), :func:`exact` (a reduced MILP solved with HiGHS,
warm-started from greedy improved by local search, its path rows generated as needed,
with a proven gap) and
:func:`naive_exact` (the unreduced MILP handed to :func:`scipy.optimize.milp`; for
benchmarks and as an oracle). :func:`capture` evaluates any chosen set.
"""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray

from geotraf.errors import PlanError

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Relative slack when comparing recomputed lazy-greedy gains (float sums differ by order).
_REL_TOL = 1e-12

#: Share of ``exact``'s time limit (counted from its start) for improving the warm start.
_SEARCH_SHARE = 0.1


@dataclass(frozen=True)
class Coverage:
    """A flow-capturing problem: routes × sites incidence, group weights, site costs.

    Build it with :meth:`Coverage.build`, which checks shapes and normalises the matrix
    (CSR, sorted indices, 0/1 data, no duplicates).

    Attributes
    ----------
    incidence
        Routes × sites, 1 where the route passes the site.
    weights
        Weight (modelled flow) of each group.
    groups
        Group index of each route; a group is captured when all its routes are.
    cost
        Cost of each site (ones when not given).
    """

    incidence: sp.csr_array
    weights: FloatArray
    groups: IntArray
    cost: FloatArray

    @classmethod
    def build(
        cls,
        incidence: sp.sparray | sp.spmatrix | NDArray[np.generic] | Sequence[Sequence[float]],
        weights: Sequence[float] | NDArray[np.generic],
        *,
        groups: Sequence[int] | NDArray[np.generic] | None = None,
        cost: Sequence[float] | NDArray[np.generic] | None = None,
    ) -> Coverage:
        """Check and normalise a problem.

        Parameters
        ----------
        incidence
            Routes × sites, nonzero where the route passes the site.
        weights
            One non-negative weight per group (per route when ``groups`` is None).
        groups
            Group of each route (0 … n_groups-1); default: each route its own group.
        cost
            Non-negative cost per site; default 1.

        Examples
        --------
        >>> p = Coverage.build([[1, 0], [1, 1]], [3.0, 2.0])
        >>> p.n_sites, p.n_groups
        (2, 2)
        """
        a: sp.csr_array = sp.csr_array(incidence, dtype=np.float64)  # type: ignore[arg-type, assignment]
        a.sum_duplicates()
        a.data[:] = 1.0
        a.eliminate_zeros()
        a.sort_indices()
        w = np.asarray(weights, dtype=np.float64).ravel()
        n_rows, n_sites = int(a.shape[0]), int(a.shape[1])
        g = (
            np.arange(n_rows, dtype=np.int64)
            if groups is None
            else np.asarray(groups, dtype=np.int64).ravel()
        )
        if g.shape != (n_rows,):
            raise PlanError(f"groups has {g.size} entries for {n_rows} routes")
        if n_rows and (g.min() < 0 or g.max() >= w.size):
            raise PlanError(f"group numbers must lie in 0…{w.size - 1}")
        if np.any(~np.isfinite(w)) or np.any(w < 0):
            raise PlanError("flow weights must be finite and non-negative")
        c = np.ones(n_sites) if cost is None else np.asarray(cost, dtype=np.float64).ravel()
        if c.shape != (n_sites,):
            raise PlanError(f"cost has {c.size} entries for {n_sites} sites")
        if np.any(~np.isfinite(c)) or np.any(c < 0):
            raise PlanError("site costs must be finite and non-negative")
        return cls(incidence=a, weights=w, groups=g, cost=c)

    @property
    def n_sites(self) -> int:
        """Number of candidate sites."""
        return int(self.incidence.shape[1])

    @property
    def n_groups(self) -> int:
        """Number of weighted groups."""
        return int(self.weights.size)

    @property
    def single_route(self) -> bool:
        """True when every group has at most one route (plain flow capturing)."""
        return bool(np.bincount(self.groups, minlength=self.n_groups).max(initial=0) <= 1)


@dataclass(frozen=True)
class Solution:
    """Chosen sites with their marginal gains, the objective and its proven bound.

    Attributes
    ----------
    sites
        Chosen site indices in rank order (must sites first, then by marginal gain).
    gains
        Marginal captured weight of each site in that order (sums to ``objective``).
    objective
        Captured weight of the chosen set.
    bound
        Proven upper bound on the optimum (``inf`` when the method proves none).
    gap
        ``(bound - objective) / bound``, the proven relative gap (``None`` for greedy).
    status
        ``"greedy"``, ``"optimal"``, ``"time_limit"`` or ``"no_solution"``.
    seconds
        Wall time of the solve.
    stats
        Model sizes before and after reduction, and solver details.
    """

    sites: IntArray
    gains: FloatArray
    objective: float
    bound: float
    gap: float | None
    status: str
    seconds: float
    stats: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class _Limits:
    budget: int | None
    cost_budget: float | None
    must: tuple[int, ...]
    forbid: frozenset[int]


def _limits(
    problem: Coverage,
    budget: int | None,
    cost_budget: float | None,
    must: Iterable[int],
    forbid: Iterable[int],
) -> _Limits:
    must_t = tuple(dict.fromkeys(int(s) for s in must))
    forbid_s = frozenset(int(s) for s in forbid)
    n = problem.n_sites
    bad = [s for s in (*must_t, *forbid_s) if not 0 <= s < n]
    if bad:
        raise PlanError(f"site numbers {sorted(bad)} are not among the {n} candidates")
    clash = forbid_s.intersection(must_t)
    if clash:
        raise PlanError(f"sites {sorted(clash)} are both required and forbidden; drop one")
    if budget is None and cost_budget is None:
        raise PlanError("give a budget: a number of sites, a money budget, or both")
    if budget is not None:
        if budget < 0:
            raise PlanError(f"budget must be 0 or more sites, not {budget}")
        if len(must_t) > budget:
            raise PlanError(
                f"{len(must_t)} required sites do not fit a budget of {budget}; "
                "raise the budget or require fewer sites"
            )
    if cost_budget is not None:
        if cost_budget < 0 or not math.isfinite(cost_budget):
            raise PlanError(f"money budget must be a finite amount ≥ 0, not {cost_budget}")
        must_cost = float(problem.cost[list(must_t)].sum())
        if must_cost > cost_budget * (1 + 1e-12):
            raise PlanError(
                f"required sites cost {must_cost:g}, over the money budget {cost_budget:g}"
            )
    return _Limits(budget, cost_budget, must_t, forbid_s)


# --- evaluation ---------------------------------------------------------------------------


def captured_groups(problem: Coverage, sites: Iterable[int]) -> NDArray[np.bool_]:
    """Return which groups a chosen site set captures.

    Examples
    --------
    >>> p = Coverage.build([[1, 0], [0, 1]], [3.0, 2.0])
    >>> captured_groups(p, [1]).tolist()
    [False, True]
    """
    chosen = np.zeros(problem.n_sites, dtype=np.float64)
    idx = np.fromiter((int(s) for s in sites), dtype=np.int64)
    chosen[idx] = 1.0
    hit = (problem.incidence @ chosen) > 0
    unhit = np.bincount(problem.groups, weights=~hit, minlength=problem.n_groups)
    has_route = np.bincount(problem.groups, minlength=problem.n_groups) > 0
    return (unhit == 0) & has_route


def capture(problem: Coverage, sites: Iterable[int]) -> float:
    """Return the weight captured by a chosen site set.

    Examples
    --------
    >>> p = Coverage.build([[1, 0], [1, 1], [0, 1]], [3.0, 2.0, 4.0])
    >>> capture(p, [0]), capture(p, [0, 1])
    (5.0, 9.0)
    """
    return float(problem.weights[captured_groups(problem, sites)].sum())


# --- greedy ------------------------------------------------------------------------------


class _State:
    """Which routes are hit and which groups still wait, as sites are added."""

    def __init__(self, problem: Coverage) -> None:
        self.problem = problem
        self.csc = problem.incidence.tocsc()
        self.csc.sort_indices()
        self.row_weight = problem.weights[problem.groups]
        self.hit = np.zeros(problem.incidence.shape[0], dtype=bool)
        self.unhit = np.bincount(problem.groups, minlength=problem.n_groups).astype(np.int64)
        self.alive = self.row_weight.copy()  # weight still to gain per route (single-route)
        self.value = 0.0

    def rows(self, s: int) -> IntArray:
        c = self.csc
        return c.indices[c.indptr[s] : c.indptr[s + 1]].astype(np.int64, copy=False)

    def gain(self, s: int) -> float:
        """Marginal gain of site ``s`` (exact for single-route problems)."""
        return float(self.alive[self.rows(s)].sum())

    def add(self, s: int) -> float:
        rows = self.rows(s)
        new = rows[~self.hit[rows]]
        self.hit[new] = True
        groups = self.problem.groups[new]
        np.subtract.at(self.unhit, groups, 1)
        self.alive[new] = 0.0
        done = np.unique(groups[self.unhit[groups] == 0])
        gained = float(self.problem.weights[done].sum())
        self.value += gained
        return gained


def _feasible(s: int, n_chosen: int, spent: float, problem: Coverage, lim: _Limits) -> bool:
    if lim.budget is not None and n_chosen >= lim.budget:
        return False
    return not (
        lim.cost_budget is not None and spent + problem.cost[s] > lim.cost_budget * (1 + 1e-12)
    )


def _greedy_run(
    problem: Coverage, lim: _Limits, *, by_ratio: bool
) -> tuple[list[int], list[float]]:
    """One greedy pass: must sites first, then best gain (or gain per cost) while it fits."""
    state = _State(problem)
    chosen: list[int] = []
    gains: list[float] = []
    spent = 0.0
    for s in lim.must:
        chosen.append(s)
        gains.append(state.add(s))
        spent += float(problem.cost[s])
    taken = set(chosen)
    candidates = [s for s in range(problem.n_sites) if s not in taken and s not in lim.forbid]
    cost = problem.cost

    def key(g: float, s: int) -> float:
        if not by_ratio:
            return g
        return g / cost[s] if cost[s] > 0 else (math.inf if g > 0 else 0.0)

    if problem.single_route:
        # Lazy greedy (Minoux 1978): coverage is submodular, so a stale gain is an upper
        # bound and a recomputed gain that still tops the heap is the true maximum.
        initial = problem.incidence.T @ state.alive
        heap = [(-key(float(initial[s]), s), s) for s in candidates]
        heapq.heapify(heap)
        while heap:
            _, s = heapq.heappop(heap)
            if not _feasible(s, len(chosen), spent, problem, lim):
                if lim.budget is not None and len(chosen) >= lim.budget:
                    break
                continue  # costs only grow, so a site that no longer fits never will
            g = state.gain(s)
            k = key(g, s)
            if heap and k < -heap[0][0] * (1 - _REL_TOL) - 1e-300:
                heapq.heappush(heap, (-k, s))
                continue
            if g <= 0:
                break
            chosen.append(s)
            gains.append(state.add(s))
            spent += float(cost[s])
    else:
        # Several routes per group: a site's true gain can be 0 until the last detour of a
        # group is covered, so rank by the share of each group's open routes it covers
        # (exact for one-route groups) and recompute every step (no lazy evaluation).
        remaining = np.array(candidates, dtype=np.int64)
        a_t = problem.incidence.T.tocsr()
        while remaining.size:
            open_rows = ~state.hit
            per_route = np.where(
                open_rows,
                state.row_weight / np.maximum(state.unhit[problem.groups], 1),
                0.0,
            )
            score = a_t[remaining] @ per_route
            if by_ratio:
                score = np.divide(
                    score,
                    cost[remaining],
                    out=np.full_like(score, np.inf),
                    where=cost[remaining] > 0,
                )
                score[
                    (cost[remaining] == 0) & (score == np.inf) & (a_t[remaining] @ per_route <= 0)
                ] = 0
            fits = np.array(
                [_feasible(int(s), len(chosen), spent, problem, lim) for s in remaining]
            )
            if not fits.any():
                break
            score = np.where(fits, score, -np.inf)
            best = int(np.argmax(score))
            if score[best] <= 0:
                break
            s = int(remaining[best])
            chosen.append(s)
            gains.append(state.add(s))
            spent += float(cost[s])
            remaining = np.delete(remaining, best)
    return chosen, gains


def greedy(
    problem: Coverage,
    *,
    budget: int | None = None,
    cost_budget: float | None = None,
    must: Iterable[int] = (),
    forbid: Iterable[int] = (),
) -> Solution:
    """Choose sites greedily by marginal captured weight (lazy greedy).

    With a count budget only, this is the classic greedy for maximum coverage, within
    ``1 - 1/e`` (≈ 63 %) of the optimum (Nemhauser, Wolsey & Fisher 1978). With a money
    budget it returns the best of three runs — greedy by gain per cost, greedy by gain
    (skipping sites that no longer fit), and the best single site — which is within
    ``(1 - 1/e) / 2`` of the optimum (Khuller, Moss & Naor 1999). Must sites are taken
    first; forbidden sites never. Sites with no marginal gain are not taken.

    Parameters
    ----------
    problem
        The coverage problem.
    budget
        Maximum number of sites (including ``must``), or None for no count limit.
    cost_budget
        Maximum total site cost, or None.
    must, forbid
        Site indices that must / must not be chosen.

    Examples
    --------
    >>> p = Coverage.build([[1, 0, 0], [1, 1, 0], [0, 0, 1]], [3.0, 2.0, 4.0])
    >>> s = greedy(p, budget=2)
    >>> s.sites.tolist(), s.gains.tolist(), s.objective
    ([0, 2], [5.0, 4.0], 9.0)
    """
    t0 = time.perf_counter()
    lim = _limits(problem, budget, cost_budget, must, forbid)
    runs = [_greedy_run(problem, lim, by_ratio=False)]
    if lim.cost_budget is not None:
        runs.append(_greedy_run(problem, lim, by_ratio=True))
        runs.append(_best_single(problem, lim))
    best = max(runs, key=lambda r: (sum(r[1]), -len(r[0])))
    chosen, gains = best
    return Solution(
        sites=np.asarray(chosen, dtype=np.int64),
        gains=np.asarray(gains, dtype=np.float64),
        objective=float(sum(gains)),
        bound=math.inf,
        gap=None,
        status="greedy",
        seconds=time.perf_counter() - t0,
    )


def _best_single(problem: Coverage, lim: _Limits) -> tuple[list[int], list[float]]:
    """Must sites plus the one extra site that adds most and fits."""
    state = _State(problem)
    chosen = list(lim.must)
    gains = [state.add(s) for s in chosen]
    spent = float(problem.cost[chosen].sum()) if chosen else 0.0
    best, best_gain = -1, 0.0
    for s in range(problem.n_sites):
        if s in lim.forbid or s in lim.must or not _feasible(s, len(chosen), spent, problem, lim):
            continue
        trial = _State(problem) if not problem.single_route else None
        if trial is None:
            g = state.gain(s)
        else:
            for m in chosen:
                trial.add(m)
            g = trial.add(s)
        if g > best_gain:
            best, best_gain = s, g
    if best >= 0:
        chosen.append(best)
        gains.append(best_gain)
    return chosen, gains


def order_by_gain(
    problem: Coverage, sites: Iterable[int], *, first: Sequence[int] = ()
) -> tuple[IntArray, FloatArray]:
    """Rank a chosen set: ``first`` in order, then greedily by marginal gain.

    Returns the ranked sites and their marginal gains, which sum to ``capture(sites)``.

    Examples
    --------
    >>> p = Coverage.build([[1, 0], [0, 1]], [3.0, 5.0])
    >>> s, g = order_by_gain(p, [0, 1])
    >>> s.tolist(), g.tolist()
    ([1, 0], [5.0, 3.0])
    """
    pool = list(dict.fromkeys(int(s) for s in sites))
    state = _State(problem)
    order: list[int] = []
    gains: list[float] = []
    for s in first:
        if s in pool:
            order.append(int(s))
            gains.append(state.add(int(s)))
    rest = [s for s in pool if s not in order]
    while rest:
        if problem.single_route:
            scores = [state.gain(s) for s in rest]
        else:
            scores = []
            for s in rest:
                trial = _State(problem)
                for t in order:
                    trial.add(t)
                scores.append(trial.add(s))
        i = int(np.argmax(scores))
        s = rest.pop(i)
        order.append(s)
        gains.append(state.add(s))
    return np.asarray(order, dtype=np.int64), np.asarray(gains, dtype=np.float64)


# --- model reduction -----------------------------------------------------------------------


@dataclass(frozen=True)
class Reduced:
    """A smaller problem with the same optimum, and the maps back to the original.

    Attributes
    ----------
    problem
        The reduced problem (only free sites, only distinct, capturable groups).
    sites
        Original index of each reduced site (column).
    representative
        For each original site, the reduced column that is at least as good (itself, or a
        site that dominates it), or -1 when the site adds nothing (forbidden, required,
        or covering no open route).
    constant
        Weight already captured by the required sites.
    budget, cost_budget
        What is left of the budgets after the required sites.
    stats
        Sizes before and after.
    """

    problem: Coverage
    sites: IntArray
    representative: IntArray
    constant: float
    budget: int | None
    cost_budget: float | None
    stats: dict[str, float]


def _row_keys(a: sp.csr_array) -> list[bytes]:
    ind = a.indices.astype(np.int32, copy=False)
    ptr = a.indptr
    return [ind[ptr[i] : ptr[i + 1]].tobytes() for i in range(a.shape[0])]


def _merge_groups(
    a: sp.csr_array, weights: FloatArray, groups: IntArray
) -> tuple[sp.csr_array, FloatArray, IntArray]:
    """Merge groups whose route sets are identical (summing weights); dedupe routes."""
    codes, _ = pd.factorize(pd.Series(_row_keys(a), dtype=object))
    n_groups = weights.size
    counts = np.bincount(groups, minlength=n_groups)
    if counts.max(initial=0) <= 1:
        _, first_row, inverse = np.unique(codes, return_index=True, return_inverse=True)
        new_w = np.bincount(inverse.ravel(), weights=weights[groups]).astype(np.float64)
        new_a = sp.csr_array(a[first_row])
        return new_a, new_w, np.arange(first_row.size, dtype=np.int64)
    per_group: dict[int, set[int]] = {}
    for r, g in enumerate(groups.tolist()):
        per_group.setdefault(g, set()).add(int(codes[r]))
    keys: dict[tuple[int, ...], int] = {}
    new_w_list: list[float] = []
    route_codes: list[int] = []
    route_groups: list[int] = []
    for g, cs in per_group.items():
        k = tuple(sorted(cs))
        if k in keys:
            new_w_list[keys[k]] += float(weights[g])
            continue
        keys[k] = len(new_w_list)
        new_w_list.append(float(weights[g]))
        route_codes.extend(k)
        route_groups.extend([keys[k]] * len(k))
    _, first_row = np.unique(codes, return_index=True)
    new_a = sp.csr_array(a[first_row[np.asarray(route_codes, dtype=np.int64)]])
    return (
        new_a,
        np.asarray(new_w_list, dtype=np.float64),
        np.asarray(route_groups, dtype=np.int64),
    )


def _dominated(a: sp.csr_array, cost: FloatArray, *, block: int = 512) -> IntArray:
    """For each column, a column that dominates it (-1 if none; -2 if it covers nothing).

    Column ``t`` dominates ``s`` when every route through ``s`` also passes ``t`` and ``t``
    costs no more; ties (same routes, same cost) go to the lower index, so the relation is
    a strict order and every dropped site has a kept dominator at the end of its chain.
    """
    n = a.shape[1]
    csc = sp.csc_array(a)
    deg = np.diff(csc.indptr)
    dom = np.full(n, -1, dtype=np.int64)
    dom[deg == 0] = -2
    # Identical columns first (cheap, by hashing), so the co-occurrence products are small.
    keys = [
        csc.indices[csc.indptr[j] : csc.indptr[j + 1]].astype(np.int32).tobytes() for j in range(n)
    ]
    codes, _ = pd.factorize(pd.Series(keys, dtype=object))
    order = np.lexsort((np.arange(n), cost, codes))
    sorted_codes = codes[order]
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
    leader = np.repeat(order[starts], np.diff(np.r_[starts, n]))
    dup = (leader != order) & (deg[order] > 0)
    dom[order[dup]] = leader[dup]
    live = np.flatnonzero(dom == -1)
    if live.size <= 1:
        return dom
    sub = sp.csc_array(csc[:, live])
    sub_t = sp.csr_array(sub.T)
    d = deg[live]
    c = cost[live]
    for lo in range(0, live.size, block):
        hi = min(lo + block, live.size)
        co = sp.coo_array(sub_t[lo:hi] @ sub)
        i = co.row.astype(np.int64) + lo
        j = co.col.astype(np.int64)
        v = co.data
        ok = (
            (i != j)
            & (v >= d[i] - 0.5)
            & (c[j] <= c[i])
            & ((d[j] > d[i]) | (c[j] < c[i]) | (j < i))
        )
        if not ok.any():
            continue
        i, j = i[ok], j[ok]
        # prefer the dominator covering most routes: fewer hops to a kept site
        pick = np.lexsort((-d[j], i))
        i, j = i[pick], j[pick]
        first = np.r_[True, i[1:] != i[:-1]]
        dom[live[i[first]]] = live[j[first]]
    return dom


def reduce(
    problem: Coverage,
    *,
    budget: int | None = None,
    cost_budget: float | None = None,
    must: Iterable[int] = (),
    forbid: Iterable[int] = (),
) -> Reduced:
    """Shrink a problem without changing its optimum.

    1. Required sites are fixed: the routes they pass are hit, groups fully hit become a
       constant, and the budgets shrink by their number and cost.
    2. Forbidden and required sites leave the model; a route left with no free site makes
       its group uncapturable, so the group leaves too (as do zero-weight groups).
    3. Groups with identical route sets are merged (weights summed) and duplicate routes
       dropped.
    4. Dominated sites are dropped: when every route through ``s`` also passes ``t`` and
       ``t`` costs no more (costs count only with a money budget), swapping ``s`` for ``t``
       never loses weight, and ``t`` is free to choose because forbidden and required sites
       are already out. Steps 3–4 repeat until nothing changes.

    Examples
    --------
    >>> p = Coverage.build([[1, 1, 0], [1, 1, 0], [0, 1, 1]], [3.0, 2.0, 4.0])
    >>> r = reduce(p, budget=1)
    >>> r.sites.tolist(), r.problem.weights.tolist()
    ([1], [9.0])
    """
    lim = _limits(problem, budget, cost_budget, must, forbid)
    a = problem.incidence
    n_sites = problem.n_sites
    stats: dict[str, float] = {
        "routes": float(a.shape[0]),
        "groups": float(problem.n_groups),
        "sites": float(n_sites),
        "nonzeros": float(a.nnz),
    }
    must_idx = np.asarray(lim.must, dtype=np.int64)
    must_mask = np.zeros(n_sites, dtype=bool)
    must_mask[must_idx] = True
    hit = (a @ must_mask.astype(np.float64)) > 0
    groups = problem.groups
    weights = problem.weights
    unhit = np.bincount(groups, weights=~hit, minlength=problem.n_groups)
    has_route = np.bincount(groups, minlength=problem.n_groups) > 0
    done = (unhit == 0) & has_route
    constant = float(weights[done].sum())

    free = ~must_mask
    free[list(lim.forbid)] = False
    free_idx = np.flatnonzero(free)
    a_free = sp.csr_array(a[:, free_idx])
    open_rows = ~hit
    empty = np.diff(a_free.indptr) == 0
    dead_groups = np.zeros(problem.n_groups, dtype=bool)
    dead_groups[groups[open_rows & empty]] = True
    keep_group = ~done & ~dead_groups & (weights > 0) & has_route
    keep_rows = open_rows & keep_group[groups]
    new_gid = np.cumsum(keep_group) - 1
    a_cur = sp.csr_array(a_free[np.flatnonzero(keep_rows)])
    g_cur = new_gid[groups[keep_rows]].astype(np.int64)
    w_cur = weights[keep_group].astype(np.float64)
    cost_all = problem.cost[free_idx]
    dom_cost = cost_all if lim.cost_budget is not None else np.zeros_like(cost_all)
    site_of_col = free_idx.copy()
    rep_col = np.arange(free_idx.size, dtype=np.int64)  # free col -> current col index
    alive_cols = np.arange(free_idx.size, dtype=np.int64)  # current col -> free col
    rounds = 0
    while True:
        rounds += 1
        a_cur, w_cur, g_cur = _merge_groups(a_cur, w_cur, g_cur)
        dom = _dominated(a_cur, dom_cost[alive_cols])
        if np.all(dom == -1):
            break
        # follow dominator chains to a kept column (the relation is acyclic): pointer
        # doubling reaches the end of every chain in log(length) steps
        parent = np.where(dom >= 0, dom, np.arange(dom.size))
        while True:
            nxt = parent[parent]
            if np.array_equal(nxt, parent):
                break
            parent = nxt
        keep = dom == -1
        new_index = np.cumsum(keep) - 1
        col_map = np.where(keep[parent], new_index[parent], -1)
        rep_col = np.where(rep_col >= 0, col_map[np.maximum(rep_col, 0)], -1)
        alive_cols = alive_cols[keep]
        a_cur = sp.csr_array(a_cur[:, np.flatnonzero(keep)])
    representative = np.full(n_sites, -1, dtype=np.int64)
    representative[free_idx] = rep_col
    reduced = Coverage(
        incidence=a_cur,
        weights=w_cur,
        groups=g_cur,
        cost=problem.cost[site_of_col[alive_cols]],
    )
    stats.update(
        {
            "reduced_routes": float(a_cur.shape[0]),
            "reduced_groups": float(w_cur.size),
            "reduced_sites": float(alive_cols.size),
            "reduced_nonzeros": float(a_cur.nnz),
            "reduction_rounds": float(rounds),
        }
    )
    return Reduced(
        problem=reduced,
        sites=site_of_col[alive_cols],
        representative=representative,
        constant=constant,
        budget=None if lim.budget is None else lim.budget - len(lim.must),
        cost_budget=None
        if lim.cost_budget is None
        else lim.cost_budget - float(problem.cost[must_idx].sum()),
        stats=stats,
    )


# --- exact -------------------------------------------------------------------------------


def _group_matrix(groups: IntArray, n_groups: int) -> sp.csr_array:
    rows = np.arange(groups.size)
    return sp.csr_array((np.ones(groups.size), (rows, groups)), shape=(groups.size, n_groups))


def _finish(
    problem: Coverage,
    lim: _Limits,
    chosen: Iterable[int],
    *,
    bound: float,
    status: str,
    t0: float,
    stats: dict[str, float],
) -> Solution:
    """Rank a chosen set, drop sites that add nothing (unless required), report the gap."""
    pool = list(dict.fromkeys(int(s) for s in chosen))
    must = set(lim.must)
    # A site that adds nothing is not worth a team. With one route per group a zero
    # marginal gain in greedy order proves that (coverage is submodular); with several
    # routes a site may complete a group together with a later one, so there each removal
    # is tested against the whole set.
    if not problem.single_route:
        full = capture(problem, pool)
        for s in list(pool):
            if s not in must and capture(problem, [t for t in pool if t != s]) >= full:
                pool.remove(s)
    sites, gains = order_by_gain(problem, pool, first=lim.must)
    if problem.single_route:
        keep = np.array([g > 0 or int(s) in must for s, g in zip(sites, gains, strict=True)])
        sites, gains = sites[keep], gains[keep]
    objective = float(gains.sum())
    bound = max(bound, objective)
    gap = 0.0 if bound <= 0 else max(0.0, (bound - objective) / bound)
    return Solution(
        sites=sites,
        gains=gains,
        objective=objective,
        bound=bound,
        gap=gap,
        status=status,
        seconds=time.perf_counter() - t0,
        stats=stats,
    )


def exact(
    problem: Coverage,
    *,
    budget: int | None = None,
    cost_budget: float | None = None,
    must: Iterable[int] = (),
    forbid: Iterable[int] = (),
    time_limit: float = 60.0,
    rel_gap: float = 1e-4,
    warm_start: bool = True,
) -> Solution:
    """Solve the flow-capturing MILP on a reduced model, warm-started from greedy.

    The model (Hodgson 1990) is: maximise Σ_g w_g y_g subject to y_g ≤ Σ_{s ∈ r} x_s for
    every route r of group g, Σ_s x_s ≤ budget, Σ_s c_s x_s ≤ cost_budget, x binary and
    y in [0, 1]. It is first shrunk by :func:`reduce` (same optimum). The starting point
    is the greedy solution mapped onto the surviving sites, improved by best single swaps
    and then by iterated local search (:func:`_iterated_search`, a tenth of
    ``time_limit`` at most), so a time limit always returns at least the greedy capture.

    The path rows are then generated, not written out at once (row generation for the LP,
    lazy constraints for the MILP, in the spirit of Cordeau, Furini & Ljubić 2019):

    1. the working set starts with the routes the start hits fewer than twice;
    2. the LP over the working set is solved (interior point first, then dual simplex
       warm starts) and every route it violates joins the set, until none does — the LP
       bound over all routes;
    3. HiGHS solves the MILP over the working set (its own primal heuristics off, given
       the start; root LP by interior point). Its proven bound is valid for the full
       model, which it relaxes; its solution is re-evaluated on all routes and, if it
       was over-counted, the routes it misses join the set and HiGHS runs again.

    ``gap`` is therefore a proven relative gap against the full model.

    Parameters
    ----------
    problem
        The coverage problem.
    budget, cost_budget, must, forbid
        As for :func:`greedy`.
    time_limit
        Seconds for the whole call (greedy, reduction and branch and bound).
    rel_gap
        Stop when the proven relative gap ``(bound - objective) / bound`` is at most this
        (passed to HiGHS as ``mip_rel_gap = rel_gap / (1 - rel_gap)``, since HiGHS divides
        by the objective instead).
    warm_start
        Start HiGHS from the greedy solution.

    Examples
    --------
    >>> p = Coverage.build([[1, 0, 0], [1, 1, 0], [0, 1, 1], [0, 0, 1]], [4, 2, 3, 1])
    >>> s = exact(p, budget=1)
    >>> s.sites.tolist(), s.objective, s.gap
    ([0], 6.0, 0.0)
    """
    t0 = time.perf_counter()
    lim = _limits(problem, budget, cost_budget, must, forbid)
    red = reduce(problem, budget=budget, cost_budget=cost_budget, must=must, forbid=forbid)
    rp = red.problem
    stats = dict(red.stats)
    stats["reduce_seconds"] = time.perf_counter() - t0
    n_s, n_g = rp.n_sites, rp.n_groups
    total_cost = float(rp.cost.sum())
    fits_all = (red.budget is None or n_s <= red.budget) and (
        red.cost_budget is None or total_cost <= red.cost_budget * (1 + 1e-12)
    )
    if n_g == 0 or n_s == 0 or fits_all:
        chosen = [*lim.must, *red.sites.tolist()]
        bound = red.constant + float(rp.weights.sum())
        return _finish(problem, lim, chosen, bound=bound, status="optimal", t0=t0, stats=stats)

    start_cols: list[int] = []
    if warm_start:
        g0 = greedy(problem, budget=budget, cost_budget=cost_budget, must=must, forbid=forbid)
        stats["greedy_objective"] = g0.objective
        cols = {int(red.representative[s]) for s in g0.sites if red.representative[s] >= 0}
        start_cols = _swap_search(
            rp,
            sorted(cols),
            cost_budget=red.cost_budget,
            deadline=t0 + 0.25 * float(time_limit),
        )
        stats["swap_objective"] = red.constant + capture(rp, start_cols)
        start_cols = _iterated_search(
            rp,
            start_cols,
            budget=red.budget,
            cost_budget=red.cost_budget,
            deadline=t0 + _SEARCH_SHARE * float(time_limit),
        )
        stats["start_objective"] = red.constant + capture(rp, start_cols)
        stats["search_seconds"] = time.perf_counter() - t0 - stats["reduce_seconds"]

    # Routes the start hits twice or more rarely bind. On the large benchmark the LP
    # needs 8,809 of the 31,943 path rows, found in ≈ 1.6 s, where the LP over all rows
    # took HiGHS ≈ 10 s (interior point) or ≈ 23 s (dual simplex), and the MILP over the
    # working set proves the 1 % gap in ≈ 12 s where the full one took ≈ 37 s.
    deadline = t0 + float(time_limit) - 1.0  # a second to stop and to rank the sites
    relax = _Relaxation(rp, budget=red.budget, cost_budget=red.cost_budget)
    x_start = np.zeros(n_s)
    x_start[start_cols] = 1.0
    relax.add(np.flatnonzero(rp.incidence @ x_start < 1.5))
    t_lp = time.perf_counter()
    lp_bound = relax.solve_lp(deadline=deadline)
    stats["lp_seconds"] = time.perf_counter() - t_lp
    stats["lp_bound"] = red.constant + lp_bound
    t_highs = time.perf_counter()
    lazy = _lazy_milp(
        relax,
        start_cols if warm_start else None,
        bound=lp_bound,
        rel_gap=float(rel_gap),
        deadline=deadline,
    )
    stats["highs_seconds"] = time.perf_counter() - t_highs
    stats["nodes"] = lazy.nodes
    stats["highs_runs"] = float(lazy.runs)
    stats["model_routes"] = float(relax.n_routes)
    chosen = [*lim.must, *red.sites[np.asarray(lazy.sites, dtype=np.int64)].tolist()]
    return _finish(
        problem,
        lim,
        chosen,
        bound=red.constant + lazy.bound,
        status=lazy.status,
        t0=t0,
        stats=stats,
    )


@dataclass(frozen=True)
class _Lazy:
    sites: list[int]
    value: float
    bound: float
    status: str
    nodes: float
    runs: int


def _lazy_milp(
    relax: _Relaxation,
    start: list[int] | None,
    *,
    bound: float,
    rel_gap: float,
    deadline: float,
) -> _Lazy:
    """Solve the MILP over the relaxation's working set, adding routes lazily.

    The MILP over the working set relaxes the full one, so its proven bound is valid. Its
    solutions are re-evaluated on every route; when one was over-counted (it misses a
    route left out of the model), those routes join the model and HiGHS runs again (lazy
    constraints), until the gap holds against a truly captured value or time is up.
    ``bound`` is a bound already proven (the LP's).
    """
    problem = relax.problem
    best = list(start) if start is not None else []
    best_value = capture(problem, best) if start is not None else -math.inf
    # HiGHS measures the gap against the incumbent, (bound - obj) / obj; ours is against
    # the bound, (bound - obj) / bound (the plan captures ≥ 1 - gap of the optimum), so
    # HiGHS's tolerance g' = g / (1 - g) is the one that stops exactly at ours.
    highs_gap = rel_gap / (1.0 - rel_gap) if rel_gap < 1 else rel_gap
    status = "time_limit"
    nodes = 0.0
    runs = 0
    while time.perf_counter() < deadline - 0.5:
        x0 = relax.start(best) if math.isfinite(best_value) else None
        # HiGHS's own presolve stays off: on these models it found almost nothing after
        # reduce() (24 of 95,000 rows on the large benchmark) yet took a minute, and in
        # HiGHS 1.16 it can map a MIP start wrongly (a small multi-route model reported a
        # "feasible" start with a value it does not have). Every answer is re-evaluated by
        # capture() in any case, so a wrong report could never reach the plan.
        run = _run_highs(
            relax.milp(),
            x0,
            presolve="off",
            time_limit=deadline - time.perf_counter(),
            rel_gap=highs_gap,
            heuristics=x0 is None,
        )
        runs += 1
        nodes += run.nodes
        bound = min(bound, run.bound)
        status = run.status
        if run.x is None:
            break
        found = np.flatnonzero(run.x[: relax.n_sites] > 0.5).tolist()
        value = capture(problem, found)
        if value > best_value:
            best, best_value = found, value
        missed = relax.violated(run.x)
        if run.status != "optimal" or missed.size == 0:
            break
        if bound > 0 and (bound - best_value) / bound <= rel_gap:
            break
        relax.add(missed)
    if not math.isfinite(bound):
        bound = float(problem.weights.sum())
    if not math.isfinite(best_value):
        status = "no_solution"
    elif bound <= 0 or (bound - best_value) / bound <= rel_gap * (1 + 1e-9):
        status = "optimal"
    elif status == "optimal":
        status = "time_limit"  # the lazy loop ran out of time before the gap held
    return _Lazy(best, best_value, bound, status, nodes, runs)


class _Relaxation:
    """The flow-capturing LP/MILP over a working set of routes, kept in one HiGHS model.

    Columns: one per site, then one per group with a route in the set. A group with no
    route in the set is counted as captured (its weight sits in the objective offset), and
    a route outside the set imposes nothing, so at every stage the model's optimum bounds
    the full model's from above, and adding routes only tightens it.
    """

    def __init__(self, problem: Coverage, *, budget: int | None, cost_budget: float | None):
        import highspy

        self.problem = problem
        self.n_sites = problem.n_sites
        self.col_of_group = np.full(problem.n_groups, -1, dtype=np.int64)
        self.in_model = np.zeros(problem.incidence.shape[0], dtype=bool)
        self.offset = float(problem.weights.sum())
        self.n_routes = 0
        self.h = highspy._Highs()  # type: ignore[attr-defined]
        self.h.setOptionValue("output_flag", False)
        self.h.setOptionValue("random_seed", 0)
        self.h.setOptionValue("presolve", "off")
        n = self.n_sites
        limits = []
        if budget is not None:
            limits.append((np.ones(n), float(budget)))
        if cost_budget is not None:
            limits.append((problem.cost.astype(np.float64), float(cost_budget)))
        lp = highspy.HighsLp()
        lp.num_col_ = n
        lp.num_row_ = len(limits)
        lp.sense_ = highspy.ObjSense.kMaximize
        lp.offset_ = self.offset
        lp.col_cost_ = np.zeros(n)
        lp.col_lower_ = np.zeros(n)
        lp.col_upper_ = np.ones(n)
        lp.row_lower_ = np.full(len(limits), -highspy.kHighsInf)
        lp.row_upper_ = np.array([b for _, b in limits], dtype=np.float64)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.num_col_ = n
        lp.a_matrix_.num_row_ = len(limits)
        lp.a_matrix_.start_ = np.arange(len(limits) + 1, dtype=np.int32) * n
        lp.a_matrix_.index_ = np.tile(np.arange(n, dtype=np.int32), len(limits))
        lp.a_matrix_.value_ = np.concatenate([v for v, _ in limits] or [np.zeros(0)])
        self.h.passModel(lp)
        self._inf = highspy.kHighsInf

    @property
    def n_groups(self) -> int:
        """Number of group columns in the model."""
        return int((self.col_of_group >= 0).sum())

    def add(self, routes: IntArray) -> None:
        """Take routes (and their groups' columns) into the model."""
        routes = np.unique(np.asarray(routes, dtype=np.int64))
        routes = routes[~self.in_model[routes]]
        if routes.size == 0:
            return
        p = self.problem
        groups = p.groups[routes]
        new = np.unique(groups[self.col_of_group[groups] < 0])
        if new.size:
            first = self.n_sites + self.n_groups
            self.col_of_group[new] = first + np.arange(new.size)
            zeros = np.zeros(new.size)
            self.h.addCols(
                int(new.size),
                p.weights[new],
                zeros,
                np.ones(new.size),
                0,
                np.zeros(new.size, dtype=np.int32),
                np.zeros(0, dtype=np.int32),
                np.zeros(0),
            )
            self.offset -= float(p.weights[new].sum())
            self.h.changeObjectiveOffset(self.offset)
        # y_g - Σ_{s ∈ r} x_s ≤ 0 for every new route r of group g
        y_part = sp.csr_array(
            (
                np.ones(routes.size),
                (np.arange(routes.size), self.col_of_group[groups] - self.n_sites),
            ),
            shape=(routes.size, self.n_groups),
        )
        block = sp.csr_array(sp.hstack([-p.incidence[routes], y_part], format="csr"))
        self.h.addRows(
            int(routes.size),
            np.full(routes.size, -self._inf),
            np.zeros(routes.size),
            int(block.nnz),
            block.indptr[:-1].astype(np.int32),
            block.indices.astype(np.int32),
            block.data.astype(np.float64),
        )
        self.in_model[routes] = True
        self.n_routes += int(routes.size)

    def violated(self, x: FloatArray) -> IntArray:
        """Routes outside the model that cut the value of a model solution ``x``.

        Route ``r`` of group ``g`` is violated when ``Σ_{s∈r} x_s < y_g``, where ``y_g``
        is 1 for a group without a column (the model counts it captured).
        """
        p = self.problem
        cols = self.col_of_group[p.groups]
        y = np.where(cols >= 0, x[np.maximum(cols, 0)], 1.0)
        hits = p.incidence @ x[: self.n_sites]
        return np.flatnonzero(~self.in_model & (hits < y - 1e-7))

    def solve_lp(self, *, deadline: float) -> float:
        """Solve the LP, adding violated routes until none is left or time is up.

        Returns the LP optimum over the routes in the model, an upper bound on the full
        model's optimum (the full LP optimum when the loop converged).
        """
        import highspy

        value = math.inf
        solver = "ipm"  # the first solve is from scratch, then dual simplex warm-starts
        while time.perf_counter() < deadline:
            self.h.setOptionValue("solver", solver)
            self.h.setOptionValue("time_limit", max(0.1, deadline - time.perf_counter()))
            self.h.run()
            solver = "simplex"
            if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                break  # out of time: an unfinished LP proves no bound
            value = min(value, float(self.h.getInfo().objective_function_value))
            missed = self.violated(np.asarray(self.h.getSolution().col_value))
            if missed.size == 0:
                break
            self.add(missed)
        return value

    def milp(self) -> object:
        """The model with the site columns integer, as a fresh ``HighsLp``."""
        import highspy

        lp = self.h.getLp()
        lp.integrality_ = [highspy.HighsVarType.kInteger] * self.n_sites + [
            highspy.HighsVarType.kContinuous
        ] * self.n_groups
        return lp

    def start(self, sites: Sequence[int]) -> FloatArray:
        """A MIP start: the chosen sites and their groups' capture, in model columns."""
        x = np.zeros(self.n_sites + self.n_groups)
        x[list(sites)] = 1.0
        captured = captured_groups(self.problem, sites)
        has_col = self.col_of_group >= 0
        x[self.col_of_group[has_col]] = captured[has_col].astype(np.float64)
        return x


def _swap_search(
    problem: Coverage,
    chosen: list[int],
    *,
    cost_budget: float | None,
    deadline: float,
    a_t: sp.csr_array | None = None,
) -> list[int]:
    """Improve a site set by best single swaps (one site out, one in) while any gains.

    For one-route groups the value of every swap is computed at once: with ``S`` the
    chosen set, swapping ``s`` out and ``t`` in changes capture by
    ``gain(t | S) - only(s) + both(t, s)``, where ``only(s)`` is the weight of routes hit by
    ``s`` alone and ``both(t, s)`` the part of it that ``t`` also hits — two sparse
    products per step. Swaps keep the count, and never exceed a money budget.
    """
    if not problem.single_route or not chosen or time.perf_counter() >= deadline:
        return chosen
    a = problem.incidence
    if a_t is None:
        a_t = sp.csr_array(a.T)
    w = problem.weights[problem.groups]
    cost = problem.cost
    current = list(chosen)
    for _ in range(10 * len(current) + 10):
        if time.perf_counter() >= deadline:
            break
        x = np.zeros(problem.n_sites)
        x[current] = 1.0
        hits = a @ x
        gain = a_t @ (w * (hits == 0))
        once = np.flatnonzero(hits == 1)
        # owner of each route hit exactly once: the one chosen site on it
        sub = sp.csr_array(a[once][:, current])
        sub.eliminate_zeros()
        if np.all(np.diff(sub.indptr) == 1):
            owner = sub.indices.astype(np.int64)  # one stored entry per row: its column
        else:  # pragma: no cover - only if the matrix held explicit zeros or duplicates
            owner = np.asarray(sub.argmax(axis=1)).ravel()
        owned = sp.csr_array((w[once], (once, owner)), shape=(a.shape[0], len(current)))
        only: FloatArray = np.asarray(owned.sum(axis=0), dtype=np.float64).ravel()
        both = (a_t @ owned).toarray()
        delta = gain[:, None] - only[None, :] + both
        delta[current, :] = -np.inf
        if cost_budget is not None:
            spent = float(cost[current].sum())
            fits = spent - cost[current][None, :] + cost[:, None] <= cost_budget * (1 + 1e-12)
            delta = np.where(fits, delta, -np.inf)
        t, k = np.unravel_index(int(np.argmax(delta)), delta.shape)
        if not delta[t, k] > 1e-9 * max(1.0, float(w.sum())):
            break
        current[int(k)] = int(t)
    return sorted(current)


def _iterated_search(
    problem: Coverage,
    chosen: list[int],
    *,
    budget: int | None,
    cost_budget: float | None,
    deadline: float,
    seed: int = 0,
    patience: int = 200,
) -> list[int]:
    """Improve a swap-optimal site set by iterated local search until the deadline.

    Each round drops each site of the current set with probability k / n (k drawn in
    3…10, at least one site), refills greedily up to the budgets and runs
    :func:`_swap_search`; the result becomes the best set when it captures more, and the
    current set when it captures as much (a walk along plateaus) (Lourenço, Martin &
    Stützle 2003). Best single swaps alone stop in a local optimum (598,546 on the large
    benchmark); these kicks reach 599,913 there within ≈ 1.5 s, which is what lets the LP
    bound prove a 1 % gap. Reproducible for a seed when the deadline does not cut it
    short; stops after ``patience`` rounds without improvement.
    """
    if not problem.single_route or len(chosen) < 2 or time.perf_counter() >= deadline:
        return chosen
    rng = np.random.default_rng(seed)
    a = problem.incidence
    a_t = sp.csr_array(a.T)
    w = problem.weights[problem.groups]
    cost = problem.cost
    best = sorted(chosen)
    best_value = capture(problem, best)
    current, current_value = best, best_value
    tol = 1e-9 * max(1.0, float(problem.weights.sum()))
    stale = 0
    while current and time.perf_counter() < deadline and stale < patience:
        stale += 1
        k = int(rng.integers(min(3, len(current) - 1), min(10, len(current) - 1) + 1))
        drop = rng.random(len(current)) < k / len(current)
        drop[int(rng.integers(len(current)))] = True
        trial = [s for s, d in zip(current, drop, strict=True) if not d]
        # greedy refill: the best marginal gain that still fits, until the budgets are used
        spent = float(cost[trial].sum())
        while budget is None or len(trial) < budget:
            x = np.zeros(problem.n_sites)
            x[trial] = 1.0
            gain = a_t @ (w * ((a @ x) == 0))
            gain[trial] = -np.inf
            if cost_budget is not None:
                gain[spent + cost > cost_budget * (1 + 1e-12)] = -np.inf
            t = int(np.argmax(gain))
            if not gain[t] > 0:
                break
            trial.append(t)
            spent += float(cost[t])
        trial = _swap_search(
            problem, sorted(trial), cost_budget=cost_budget, deadline=deadline, a_t=a_t
        )
        value = capture(problem, trial)
        if value > best_value + tol:
            best, best_value, stale = sorted(trial), value, 0
            current, current_value = best, best_value
        elif value >= current_value - tol:
            current, current_value = sorted(trial), value  # drift along the plateau
    return best


@dataclass(frozen=True)
class _Run:
    x: FloatArray | None
    objective: float
    bound: float
    status: str
    nodes: float


def _run_highs(
    lp: object,
    x0: FloatArray | None,
    *,
    presolve: str,
    time_limit: float,
    rel_gap: float,
    heuristics: bool = True,
) -> _Run:
    """Solve a HighsLp once (maximisation) with an optional MIP start.

    With ``heuristics=False`` HiGHS's primal heuristics are switched off: on the large
    benchmark they spent 110 s of root LP iterations without beating the local-search
    start, time that branching uses to lower the bound instead.
    """
    import highspy

    # The raw binding, not highspy.Highs: the wrapper's log callback prints a banner to
    # stdout before output_flag can be switched off, which would corrupt --format json.
    h = highspy._Highs()  # type: ignore[attr-defined]
    h.setOptionValue("output_flag", False)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("presolve", presolve)
    h.setOptionValue("mip_rel_gap", float(rel_gap))
    h.setOptionValue("time_limit", max(1.0, float(time_limit)))
    # The root LP by interior point (IPX, with crossover for the basis the nodes need):
    # ≈ 10 s on the large benchmark against ≈ 23 s of dual simplex, whose 20,000
    # iterations crawl over 32,000 nearly parallel path rows.
    h.setOptionValue("mip_lp_solver", "ipm")
    if not heuristics:
        h.setOptionValue("mip_heuristic_effort", 0.0)
        for name in ("rins", "rens", "root_reduced_cost", "feasibility_jump"):
            h.setOptionValue(f"mip_heuristic_run_{name}", False)
    h.passModel(lp)
    if x0 is not None:
        idx = np.arange(x0.size, dtype=np.int32)
        h.setSolution(int(x0.size), idx, x0)
    h.run()
    info = h.getInfo()
    model_status = h.getModelStatus()
    status = {
        highspy.HighsModelStatus.kOptimal: "optimal",
        highspy.HighsModelStatus.kTimeLimit: "time_limit",
    }.get(model_status, h.modelStatusToString(model_status))
    feasible = info.primal_solution_status == 2  # kSolutionStatusFeasible
    return _Run(
        x=np.asarray(h.getSolution().col_value, dtype=np.float64) if feasible else None,
        objective=float(info.objective_function_value) if feasible else -math.inf,
        bound=float(info.mip_dual_bound),
        status=status,
        nodes=float(info.mip_node_count),
    )


def naive_exact(
    problem: Coverage,
    *,
    budget: int | None = None,
    cost_budget: float | None = None,
    must: Iterable[int] = (),
    forbid: Iterable[int] = (),
    time_limit: float = 60.0,
) -> Solution:
    """Hand the unreduced MILP to :func:`scipy.optimize.milp` (no reduction, no warm start).

    The benchmark's baseline and the tests' oracle. ``status`` is ``"no_solution"`` (with
    an empty site list and a NaN objective) when HiGHS found no feasible point in time.

    Examples
    --------
    >>> p = Coverage.build([[1, 0, 0], [1, 1, 0], [0, 1, 1], [0, 0, 1]], [4, 2, 3, 3])
    >>> naive_exact(p, budget=2).objective
    12.0
    """
    from scipy.optimize import Bounds, LinearConstraint, milp

    t0 = time.perf_counter()
    lim = _limits(problem, budget, cost_budget, must, forbid)
    a = problem.incidence
    n_s, n_g = problem.n_sites, problem.n_groups
    m = sp.hstack([-a, _group_matrix(problem.groups, n_g)], format="csr")
    constraints = [LinearConstraint(m, -np.inf, 0.0)]
    if lim.budget is not None:
        constraints.append(
            LinearConstraint(np.r_[np.ones(n_s), np.zeros(n_g)], -np.inf, lim.budget)
        )
    if lim.cost_budget is not None:
        constraints.append(
            LinearConstraint(np.r_[problem.cost, np.zeros(n_g)], -np.inf, lim.cost_budget)
        )
    lb = np.zeros(n_s + n_g)
    ub = np.ones(n_s + n_g)
    lb[list(lim.must)] = 1.0
    ub[list(lim.forbid)] = 0.0
    res = milp(
        np.r_[np.zeros(n_s), -problem.weights],
        constraints=constraints,
        integrality=np.r_[np.ones(n_s), np.zeros(n_g)],
        bounds=Bounds(lb, ub),
        options={"time_limit": float(time_limit), "disp": False},
    )
    stats = {"routes": float(a.shape[0]), "sites": float(n_s), "nonzeros": float(m.nnz)}
    dual = getattr(res, "mip_dual_bound", None)
    bound = -float(dual) if dual is not None and math.isfinite(dual) else math.inf
    status = "optimal" if res.status == 0 else "time_limit" if res.status == 1 else "error"
    if res.x is None:
        return Solution(
            sites=np.zeros(0, dtype=np.int64),
            gains=np.zeros(0),
            objective=math.nan,
            bound=bound,
            gap=None,
            status="no_solution",
            seconds=time.perf_counter() - t0,
            stats=stats,
        )
    chosen = np.flatnonzero(res.x[:n_s] > 0.5).tolist()
    return _finish(problem, lim, chosen, bound=bound, status=status, t0=t0, stats=stats)
