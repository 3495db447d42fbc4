"""Lazy greedy for the flow-capturing problem (count and money budgets)."""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import Iterable, Sequence

import numpy as np

from geotraf.coverage.problem import (
    _REL_TOL,
    Coverage,
    FloatArray,
    IntArray,
    Solution,
    _Limits,
    _limits,
)


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
