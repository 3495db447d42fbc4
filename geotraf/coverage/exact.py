"""The exact solver: a reduced MILP, warm-started, with lazily generated route rows."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from geotraf.coverage.greedy import greedy
from geotraf.coverage.highs import _finish, _run_highs
from geotraf.coverage.lagrange import polish
from geotraf.coverage.problem import _SEARCH_SHARE, Coverage, Solution, _limits, capture
from geotraf.coverage.reduce import reduce
from geotraf.coverage.relaxation import _Relaxation
from geotraf.coverage.search import _iterated_search, _swap_search

#: Reduced models with at least this many route rows get the subgradient bound first.
_LAGRANGE_ROUTES = 10_000
#: Share of the time left after the warm start that the subgradient bound may take.
_LAGRANGE_SHARE = 0.35
#: Smallest ``rel_gap`` it is tried for: subgradient steps close in on the LP bound to a
#: fraction of a per cent, never to HiGHS's default 0.01 %.
_LAGRANGE_GAP = 1e-3


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
    progress: Callable[[float], None] | None = None,
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

    0. on large models (:data:`_LAGRANGE_ROUTES` route rows or more; ``rel_gap`` at least
       :data:`_LAGRANGE_GAP`) route multipliers are first improved by projected
       subgradient steps (:func:`geotraf.coverage.lagrange.polish`) for at most
       :data:`_LAGRANGE_SHARE` of the time left: their Lagrangian bound is proven for any
       multipliers and, when it is within ``rel_gap`` of the start, the call ends there;
       otherwise it caps the bound of the steps below;
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
    progress
        Called with the share of the work done (0 to 1) after each phase: reduction,
        warm start, LP bound, each HiGHS run (its share of the time left), the end.

    Examples
    --------
    >>> p = Coverage.build([[1, 0, 0], [1, 1, 0], [0, 1, 1], [0, 0, 1]], [4, 2, 3, 1])
    >>> s = exact(p, budget=1)
    >>> s.sites.tolist(), s.objective, s.gap
    ([0], 6.0, 0.0)
    """
    t0 = time.perf_counter()

    def report(done: float) -> None:
        if progress is not None:
            progress(min(1.0, done))

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
    report(0.05)
    if n_g == 0 or n_s == 0 or fits_all:
        report(1.0)
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
        report(0.3)

    # Routes the start hits twice or more rarely bind. On the large benchmark the LP
    # needs 8,809 of the 31,943 path rows, found in ≈ 1.6 s, where the LP over all rows
    # took HiGHS ≈ 10 s (interior point) or ≈ 23 s (dual simplex), and the MILP over the
    # working set proves the 1 % gap in ≈ 12 s where the full one took ≈ 37 s.
    deadline = t0 + float(time_limit) - 1.0  # a second to stop and to rank the sites
    dual_bound = math.inf
    if warm_start and rp.incidence.shape[0] >= _LAGRANGE_ROUTES and rel_gap >= _LAGRANGE_GAP:
        # Large models: route multipliers by subgradient steps prove a bound in seconds
        # (the LP over tens of thousands of binding route rows takes a minute); often it
        # is already within the gap of the start.
        t_dual = time.perf_counter()
        start_value = capture(rp, start_cols)
        dual_bound, _ = polish(
            rp,
            np.zeros(rp.incidence.shape[0]),
            budget=red.budget,
            cost_budget=red.cost_budget,
            target=start_value,
            deadline=t_dual + _LAGRANGE_SHARE * max(deadline - t_dual, 0.0),
            goal=start_value / (1.0 - float(rel_gap)) if rel_gap < 1 else math.inf,
        )
        stats["lagrange_seconds"] = time.perf_counter() - t_dual
        stats["lagrange_bound"] = red.constant + dual_bound
        report(0.4)
        if dual_bound <= 0 or (dual_bound - start_value) / dual_bound <= rel_gap:
            report(1.0)
            chosen = [*lim.must, *red.sites[np.asarray(start_cols, dtype=np.int64)].tolist()]
            return _finish(
                problem,
                lim,
                chosen,
                bound=red.constant + dual_bound,
                status="optimal",
                t0=t0,
                stats=stats,
            )
    relax = _Relaxation(rp, budget=red.budget, cost_budget=red.cost_budget)
    x_start = np.zeros(n_s)
    x_start[start_cols] = 1.0
    relax.add(np.flatnonzero(rp.incidence @ x_start < 1.5))
    t_lp = time.perf_counter()
    lp_bound = relax.solve_lp(deadline=deadline)
    stats["lp_seconds"] = time.perf_counter() - t_lp
    stats["lp_bound"] = red.constant + lp_bound
    report(0.45)
    t_highs = time.perf_counter()
    lazy = _lazy_milp(
        relax,
        start_cols if warm_start else None,
        bound=min(lp_bound, dual_bound),
        rel_gap=float(rel_gap),
        deadline=deadline,
        ran=lambda: report(
            0.45 + 0.5 * (time.perf_counter() - t_highs) / max(deadline - t_highs, 1e-9)
        ),
    )
    report(1.0)
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
    ran: Callable[[], None] = lambda: None,
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
        ran()
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
