"""Upper bounds from route multipliers (Lagrangian relaxation of the route rows).

For the reduced model (maximise Σ_g w_g y_g, y_g ≤ Σ_{s∈r} x_s for every route r of group
g, Σ_s x_s ≤ B, Σ_s c_s x_s ≤ C, x and y in [0, 1]) and **any** multipliers μ_r ≥ 0 on
the route rows,

    L(μ) = Σ_g max(0, w_g − Σ_{r∈g} μ_r) + max { σ·x : x ∈ [0, 1]ⁿ, Σ x ≤ B, c·x ≤ C }

with σ = Aᵀμ bounds the LP optimum, hence every plan, from above. The inner maximum is the
sum of the B largest σ_s (count budget) or a fractional knapsack (money budget); with both,
the smaller of the two. So the bound holds whatever produced μ — here a few hundred
projected subgradient steps (:func:`polish`), each two sparse products — with no solver
tolerance in the argument. At the LP's optimal duals L(μ) is the LP optimum, and the
subgradient steps approach it without solving the LP (whose interior point and dual
simplex runs take a minute once tens of thousands of route rows bind).

Examples
--------
Four routes over three sites, one site to choose (the best, site 0, captures 10): μ = 0
proves only the total weight; the multipliers of the LP optimum prove 10.

>>> p = Coverage.build([[1, 1, 0], [1, 0, 1], [0, 1, 0], [0, 0, 1]], [5, 5, 4, 4])
>>> lagrangian_bound(p, np.zeros(4), budget=1, cost_budget=None)
18.0
>>> lagrangian_bound(p, np.array([2.0, 2.0, 2.0, 2.0]), budget=1, cost_budget=None)
14.0
>>> lagrangian_bound(p, np.array([5.0, 5.0, 4.0, 4.0]), budget=1, cost_budget=None)
10.0
"""

from __future__ import annotations

import math
import time

import numpy as np

from geotraf.coverage.problem import Coverage, FloatArray

#: Subgradient steps without a better bound before the step is halved.
_PATIENCE = 20
#: Steps scaled below this (after halvings) no longer move the bound: stop.
_SMALLEST_STEP = 1e-4
#: With a goal, every this many steps the bound must have closed at least
#: :data:`_MIN_PROGRESS` of its distance to the goal, or the steps stop.
_WINDOW = 100
_MIN_PROGRESS = 0.1


def lagrangian_bound(
    problem: Coverage, mu: FloatArray, *, budget: int | None, cost_budget: float | None
) -> float:
    """L(μ) for route multipliers ``mu`` (one per route; negatives count as 0).

    A valid upper bound on the optimum of ``problem`` under the budgets for every ``mu``;
    multipliers above a group's weight are scaled down first (that can only lower L).
    """
    return _evaluate(problem, _feasible(problem, mu), budget, cost_budget)[0]


def _feasible(problem: Coverage, mu: FloatArray) -> FloatArray:
    """``mu`` made ≥ 0, each group's sum capped at its weight (L can only go down)."""
    mu = np.maximum(np.asarray(mu, dtype=np.float64), 0.0)
    per_group = np.bincount(problem.groups, weights=mu, minlength=problem.n_groups)
    over = per_group > problem.weights
    if over.any():  # Σ_{r∈g} μ_r beyond w_g only raises σ: scale those groups to w_g
        scale = np.ones(problem.n_groups)
        scale[over] = problem.weights[over] / per_group[over]
        mu = mu * scale[problem.groups]
    return mu


def _evaluate(
    problem: Coverage, mu: FloatArray, budget: int | None, cost_budget: float | None
) -> tuple[float, FloatArray, FloatArray]:
    """L(μ) for ``mu`` ≥ 0, the inner maximiser x and the unsaturated-group flags."""
    per_group = np.bincount(problem.groups, weights=mu, minlength=problem.n_groups)
    sigma = np.asarray(problem.incidence.T @ mu, dtype=np.float64)
    inner, x = math.inf, np.ones(len(sigma))
    if budget is not None:
        x = np.zeros(len(sigma))
        k = min(max(int(budget), 0), len(sigma))
        if k:
            x[np.argpartition(-sigma, k - 1)[:k]] = 1.0
        inner = float(sigma @ x)
    if cost_budget is not None:
        value, xc = _knapsack(sigma, problem.cost, float(cost_budget))
        if value < inner:
            inner, x = value, xc
    if not math.isfinite(inner):
        inner = float(sigma.sum())
    slack = (per_group < problem.weights).astype(np.float64)
    return float(np.maximum(problem.weights - per_group, 0.0).sum()) + inner, x, slack


def _knapsack(value: FloatArray, cost: FloatArray, capacity: float) -> tuple[float, FloatArray]:
    """max value·x over x in [0, 1] with cost·x ≤ capacity (costs ≥ 0), and that x."""
    x = np.zeros(len(value))
    free = cost <= 0
    x[free] = 1.0
    paid = np.flatnonzero(~free)
    order = paid[np.argsort(-(value[paid] / cost[paid]), kind="stable")]
    filled = np.cumsum(cost[order])
    whole = int(np.searchsorted(filled, capacity, side="right"))
    x[order[:whole]] = 1.0
    if whole < len(order):
        room = capacity - (float(filled[whole - 1]) if whole else 0.0)
        x[order[whole]] = max(room, 0.0) / float(cost[order[whole]])
    return float(value @ x), x


def polish(
    problem: Coverage,
    mu: FloatArray,
    *,
    budget: int | None,
    cost_budget: float | None,
    target: float,
    deadline: float,
    goal: float = -math.inf,
    iterations: int = 5000,
) -> tuple[float, FloatArray]:
    """Lower L(μ) by projected subgradient steps (Polyak's step towards ``target``).

    ``target`` is a value no plan can beat by much (the incumbent's capture): the step
    ``(L − target) / ‖g‖²`` shrinks as the bound closes in on it, and is halved whenever
    :data:`_PATIENCE` steps bring no better bound. Stops at ``deadline``, once the bound
    is at most ``goal``, when a window of :data:`_WINDOW` steps closed less than
    :data:`_MIN_PROGRESS` of the distance left to ``goal`` or, at that window's pace,
    would not close it before ``deadline``, or after ``iterations`` steps. Returns the
    smallest L(μ) seen (a proven bound) and its multipliers.

    Examples
    --------
    >>> import time
    >>> p = Coverage.build([[1, 1, 0], [1, 0, 1], [0, 1, 0], [0, 0, 1]], [5, 5, 4, 4])
    >>> bound, mu = polish(p, np.zeros(4), budget=1, cost_budget=None, target=10.0,
    ...                    deadline=time.perf_counter() + 5)
    >>> 10.0 <= bound < 10.5
    True
    """
    mu = _feasible(problem, mu)
    best, x, slack = _evaluate(problem, mu, budget, cost_budget)
    best_mu = mu
    cap = problem.weights[problem.groups]
    a = problem.incidence
    scale, stalled = 1.0, 0
    checkpoint, since = best, time.perf_counter()
    for step in range(iterations):
        now = time.perf_counter()
        if now >= deadline:
            break
        if step and step % _WINDOW == 0 and math.isfinite(goal):
            # Too slow to reach the goal in time (the LP gap itself may be too wide):
            # a window closed under a tenth of the distance left, or going on at this
            # window's pace would not get there before the deadline.
            progress, distance = checkpoint - best, best - goal
            windows_left = (deadline - now) / max(now - since, 1e-9)
            if progress < _MIN_PROGRESS * distance or progress * windows_left < distance:
                break
            checkpoint, since = best, now
        value, x, slack = _evaluate(problem, mu, budget, cost_budget)
        if value < best:
            best, best_mu, stalled = value, mu, 0
            if best <= goal:
                break
        else:
            stalled += 1
            if stalled >= _PATIENCE:  # oscillating around the optimum: shorter steps
                scale, stalled = scale / 2, 0
        # ∂L/∂μ_r = Σ_s A_rs x_s − [group of r not saturated]
        g = np.asarray(a @ x, dtype=np.float64) - slack[problem.groups]
        norm = float(g @ g)
        if norm <= 0 or value <= target or scale < _SMALLEST_STEP:
            break
        mu = np.clip(mu - scale * (value - target) / norm * g, 0.0, cap)
    value = lagrangian_bound(problem, best_mu, budget=budget, cost_budget=cost_budget)
    return value, best_mu
