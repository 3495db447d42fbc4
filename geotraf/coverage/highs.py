"""HiGHS runs with limits, and the plain unreduced MILP (benchmarks, oracle)."""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from geotraf.coverage.greedy import order_by_gain
from geotraf.coverage.problem import Coverage, FloatArray, Solution, _Limits, _limits, capture
from geotraf.coverage.reduce import _group_matrix


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
        keep = np.array(
            [g > 0 or int(s) in must for s, g in zip(sites, gains, strict=True)], dtype=bool
        )
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
