"""Tests of the array-level flow-capturing solvers (geotraf.coverage)."""

from __future__ import annotations

import itertools
import math
import time

import numpy as np
import pytest
import scipy.sparse as sp

from geotraf import coverage as cov
from geotraf.errors import PlanError

ONE_MINUS_INV_E = 1 - 1 / math.e


def brute_force(
    problem: cov.Coverage,
    *,
    budget: int | None,
    cost_budget: float | None,
    must: tuple[int, ...] = (),
    forbid: tuple[int, ...] = (),
) -> float:
    """Best capture over every feasible subset (the oracle)."""
    free = [s for s in range(problem.n_sites) if s not in must and s not in forbid]
    best = -1.0
    max_extra = len(free) if budget is None else budget - len(must)
    for k in range(max_extra + 1):
        for extra in itertools.combinations(free, k):
            chosen = [*must, *extra]
            if cost_budget is not None and problem.cost[chosen].sum() > cost_budget + 1e-9:
                continue
            best = max(best, cov.capture(problem, chosen))
    return best


def random_instance(
    seed: int, *, with_cost: bool, multi_route: bool = False
) -> tuple[cov.Coverage, dict[str, object]]:
    """A small random instance with a few must/forbid sites (about a third of the seeds)."""
    rng = np.random.default_rng(seed)
    n_sites = int(rng.integers(6, 10))
    n_routes = int(rng.integers(8, 25))
    dense = rng.random((n_routes, n_sites)) < rng.uniform(0.15, 0.45)
    if multi_route:
        groups = np.sort(rng.integers(0, max(2, n_routes // 2), n_routes))
        groups = np.unique(groups, return_inverse=True)[1]
        n_groups = int(groups.max()) + 1
    else:
        groups = None
        n_groups = n_routes
    weights = rng.integers(1, 50, n_groups).astype(float)
    cost = rng.integers(1, 6, n_sites).astype(float) if with_cost else None
    problem = cov.Coverage.build(dense.astype(float), weights, groups=groups, cost=cost)
    must: tuple[int, ...] = ()
    forbid: tuple[int, ...] = ()
    if seed % 3 == 0:
        must = (int(rng.integers(0, n_sites)),)
    if seed % 3 == 1:
        forbid = tuple(int(s) for s in rng.choice(n_sites, 2, replace=False))
    if with_cost:
        must_cost = float(problem.cost[list(must)].sum())
        limits: dict[str, object] = {
            "budget": None,
            "cost_budget": must_cost + float(rng.integers(3, 10)),
        }
    else:
        limits = {"budget": int(rng.integers(1, 4)) + len(must), "cost_budget": None}
    limits["must"] = must
    limits["forbid"] = forbid
    return problem, limits


SEEDS = range(24)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("with_cost", [False, True])
def test_exact_equals_brute_force(seed: int, with_cost: bool) -> None:
    problem, limits = random_instance(seed, with_cost=with_cost)
    best = brute_force(problem, **limits)  # type: ignore[arg-type]
    sol = cov.exact(problem, **limits)  # type: ignore[arg-type]
    assert sol.objective == pytest.approx(best)
    assert sol.gap is not None and sol.gap <= 1e-4
    assert cov.capture(problem, sol.sites) == pytest.approx(sol.objective)
    assert set(limits["must"]) <= set(sol.sites.tolist())  # type: ignore[call-overload]
    assert not set(limits["forbid"]) & set(sol.sites.tolist())  # type: ignore[call-overload]


@pytest.mark.parametrize("seed", SEEDS)
def test_exact_with_several_routes_per_group_equals_brute_force(seed: int) -> None:
    problem, limits = random_instance(seed, with_cost=seed % 2 == 0, multi_route=True)
    best = brute_force(problem, **limits)  # type: ignore[arg-type]
    assert cov.exact(problem, **limits).objective == pytest.approx(best)  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("with_cost", [False, True])
def test_greedy_within_guarantee_of_optimum(seed: int, with_cost: bool) -> None:
    problem, limits = random_instance(seed, with_cost=with_cost)
    best = brute_force(problem, **limits)  # type: ignore[arg-type]
    sol = cov.greedy(problem, **limits)  # type: ignore[arg-type]
    # 1 - 1/e with a count budget (Nemhauser et al. 1978); with a money budget the
    # best-of-three greedy is only guaranteed (1 - 1/e) / 2 (Khuller et al. 1999).
    factor = ONE_MINUS_INV_E / 2 if with_cost else ONE_MINUS_INV_E
    assert sol.objective >= factor * best - 1e-9
    assert sol.objective <= best + 1e-9
    assert sol.gains.sum() == pytest.approx(sol.objective)
    assert cov.capture(problem, sol.sites) == pytest.approx(sol.objective)
    if limits["budget"] is not None:
        assert len(sol.sites) <= limits["budget"]  # type: ignore[operator]
    if limits["cost_budget"] is not None:
        assert problem.cost[sol.sites].sum() <= limits["cost_budget"] + 1e-9  # type: ignore[operator]


def test_greedy_count_budget_meets_one_minus_inv_e_on_every_instance() -> None:
    worst = min(
        cov.greedy(p, **lim).objective / brute_force(p, **lim)  # type: ignore[arg-type]
        for p, lim in (random_instance(s, with_cost=False) for s in SEEDS)
    )
    assert worst >= ONE_MINUS_INV_E


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("with_cost", [False, True])
def test_reduction_preserves_optimum(seed: int, with_cost: bool) -> None:
    problem, limits = random_instance(seed + 100, with_cost=with_cost)
    red = cov.reduce(problem, **limits)  # type: ignore[arg-type]
    naive = cov.naive_exact(problem, **limits)  # type: ignore[arg-type]
    # optimum of the reduced model, by brute force, plus what must-sites already capture
    reduced_best = red.constant + brute_force(
        red.problem, budget=red.budget, cost_budget=red.cost_budget
    )
    assert reduced_best == pytest.approx(naive.objective)
    assert red.problem.n_sites <= problem.n_sites


def test_greedy_lazy_picks_hand_checked_order() -> None:
    # routes: A passes sites 0,1; B passes 1; C passes 2; weights 10, 6, 7
    problem = cov.Coverage.build([[1, 1, 0], [0, 1, 0], [0, 0, 1]], [10.0, 6.0, 7.0])
    sol = cov.greedy(problem, budget=2)
    assert sol.sites.tolist() == [1, 2]
    assert sol.gains.tolist() == [16.0, 7.0]
    assert sol.objective == 23.0


def test_greedy_must_first_and_forbid_never() -> None:
    problem = cov.Coverage.build([[1, 1, 0], [0, 1, 0], [0, 0, 1]], [10.0, 6.0, 7.0])
    sol = cov.greedy(problem, budget=2, must=[2], forbid=[1])
    assert sol.sites.tolist() == [2, 0]
    assert sol.gains.tolist() == [7.0, 10.0]


def test_greedy_cost_budget_takes_best_single_when_ratio_greedy_is_poor() -> None:
    # cheap site 0 (cost 1) catches 2; site 1 (cost 10) catches 100; money 10
    problem = cov.Coverage.build([[1, 0], [0, 1]], [2.0, 100.0], cost=[1.0, 10.0])
    sol = cov.greedy(problem, cost_budget=10.0)
    assert sol.sites.tolist() == [1]
    assert sol.objective == 100.0


def test_reduce_merges_identical_routes_and_drops_dominated_sites() -> None:
    # sites 0 and 1 see the same two routes; site 2 sees a subset of site 3
    incidence = [[1, 1, 0, 0], [1, 1, 0, 1], [0, 0, 1, 1], [0, 0, 1, 1]]
    problem = cov.Coverage.build(incidence, [1.0, 2.0, 3.0, 4.0])
    red = cov.reduce(problem, budget=2)
    assert red.sites.tolist() == [0, 3]
    assert sorted(red.problem.weights.tolist()) == [1.0, 2.0, 7.0]
    assert red.representative.tolist() == [0, 0, 1, 1]


def test_reduce_keeps_cheaper_subset_site_under_money_budget() -> None:
    # site 0 sees a subset of site 1's routes but is cheaper: both must stay
    problem = cov.Coverage.build([[1, 1], [0, 1]], [5.0, 1.0], cost=[1.0, 3.0])
    assert cov.reduce(problem, cost_budget=2.0).sites.tolist() == [0, 1]
    assert cov.reduce(problem, budget=1).sites.tolist() == [1]


def test_reduce_fixes_must_sites_into_constant() -> None:
    problem = cov.Coverage.build([[1, 0], [1, 1], [0, 1]], [3.0, 2.0, 4.0])
    red = cov.reduce(problem, budget=2, must=[0])
    assert red.constant == 5.0
    assert red.budget == 1
    assert red.sites.tolist() == [1]
    assert red.problem.weights.tolist() == [4.0]


def test_group_captured_only_when_every_route_is_hit() -> None:
    # one group with two routes (a path and its detour): needs sites 0 and 1
    problem = cov.Coverage.build([[1, 0], [0, 1]], [5.0], groups=[0, 0])
    assert cov.capture(problem, [0]) == 0.0
    assert cov.capture(problem, [0, 1]) == 5.0
    assert cov.exact(problem, budget=2).objective == 5.0
    assert cov.greedy(problem, budget=2).objective == 5.0


def test_exact_reports_time_limited_gap_as_bound_minus_objective() -> None:
    rng = np.random.default_rng(7)
    incidence = sp.random_array((400, 60), density=0.08, rng=rng, format="csr")
    problem = cov.Coverage.build(incidence, rng.integers(1, 100, 400).astype(float))
    sol = cov.exact(problem, budget=6, time_limit=30)
    assert sol.bound >= sol.objective
    assert sol.gap == pytest.approx((sol.bound - sol.objective) / sol.bound)
    assert sol.objective >= cov.greedy(problem, budget=6).objective - 1e-9


def test_errors_say_what_to_change() -> None:
    problem = cov.Coverage.build([[1, 0], [0, 1]], [1.0, 1.0])
    with pytest.raises(PlanError, match="both required and forbidden"):
        cov.greedy(problem, budget=1, must=[0], forbid=[0])
    with pytest.raises(PlanError, match="raise the budget"):
        cov.exact(problem, budget=1, must=[0, 1])
    with pytest.raises(PlanError, match="give a budget"):
        cov.greedy(problem)
    with pytest.raises(PlanError, match="not among"):
        cov.greedy(problem, budget=1, forbid=[5])


def _two_swap_instance() -> cov.Coverage:
    # routes (sites; weight): {0,3};5  {4};5  {1,6};2  {1,3};9  {1,4};4  {2,5,6};6
    # {0,3,5};7  {1,2,5};8 — total 46. Greedy takes 1 (23), 5 (+13), 0 (+5) = 41; every
    # single swap of {0,1,5} also gives ≤ 41, but {3,4,5} and {2,3,4} miss only {1,6}: 44.
    rows = [[0, 3], [4], [1, 6], [1, 3], [1, 4], [2, 5, 6], [0, 3, 5], [1, 2, 5]]
    dense = np.zeros((len(rows), 7))
    for r, sites in enumerate(rows):
        dense[r, sites] = 1.0
    return cov.Coverage.build(dense, [5.0, 5.0, 2.0, 9.0, 4.0, 6.0, 7.0, 8.0])


def test_iterated_search_escapes_a_single_swap_local_optimum() -> None:
    problem = _two_swap_instance()
    assert cov.greedy(problem, budget=3).objective == 41.0
    far = time.perf_counter() + 30
    stuck = cov._swap_search(problem, [0, 1, 5], cost_budget=None, deadline=far)
    assert cov.capture(problem, stuck) == 41.0
    better = cov._iterated_search(problem, stuck, budget=3, cost_budget=None, deadline=far)
    assert better in ([3, 4, 5], [2, 3, 4])
    assert cov.capture(problem, better) == 44.0
    # same seed, same answer; and a spent deadline returns the input unchanged
    again = cov._iterated_search(problem, stuck, budget=3, cost_budget=None, deadline=far)
    assert again == better
    assert cov._iterated_search(problem, stuck, budget=3, cost_budget=None, deadline=0.0) == stuck


@pytest.mark.parametrize("seed", SEEDS)
def test_iterated_search_never_worsens_and_keeps_budgets(seed: int) -> None:
    problem, limits = random_instance(seed + 200, with_cost=seed % 2 == 0)
    red = cov.reduce(problem, **limits)  # type: ignore[arg-type]
    rp = red.problem
    if rp.n_sites < 2:
        return
    start = cov.greedy(rp, budget=red.budget, cost_budget=red.cost_budget).sites.tolist()
    far = time.perf_counter() + 30
    out = cov._iterated_search(
        rp, start, budget=red.budget, cost_budget=red.cost_budget, deadline=far, patience=50
    )
    assert cov.capture(rp, out) >= cov.capture(rp, start) - 1e-9
    if red.budget is not None:
        assert len(out) <= red.budget
    if red.cost_budget is not None:
        assert rp.cost[out].sum() <= red.cost_budget + 1e-9


@pytest.mark.parametrize("seed", range(8))
def test_exact_without_warm_start_equals_brute_force(seed: int) -> None:
    # no start: HiGHS's own primal heuristics stay on, a different code path
    problem, limits = random_instance(seed, with_cost=seed % 2 == 1)
    best = brute_force(problem, **limits)  # type: ignore[arg-type]
    sol = cov.exact(problem, warm_start=False, **limits)  # type: ignore[arg-type]
    assert sol.objective == pytest.approx(best)


def test_exact_stops_at_requested_gap_measured_against_the_bound() -> None:
    rng = np.random.default_rng(11)
    incidence = sp.random_array((600, 80), density=0.06, rng=rng, format="csr")
    problem = cov.Coverage.build(incidence, rng.integers(1, 100, 600).astype(float))
    sol = cov.exact(problem, budget=8, rel_gap=0.01, time_limit=10)
    assert sol.status == "optimal"
    assert sol.gap is not None and sol.gap <= 0.01
    assert sol.gap == pytest.approx((sol.bound - sol.objective) / sol.bound)


def _full_lp(problem: cov.Coverage, *, budget: int | None, cost_budget: float | None) -> float:
    """The LP relaxation over every route, written out whole and solved by linprog."""
    from scipy.optimize import linprog

    a = problem.incidence
    n_s, n_g = problem.n_sites, problem.n_groups
    rows = [sp.hstack([-a, cov._group_matrix(problem.groups, n_g)])]
    rhs = [np.zeros(a.shape[0])]
    if budget is not None:
        rows.append(sp.csr_array(np.r_[np.ones(n_s), np.zeros(n_g)][None, :]))
        rhs.append(np.array([budget], dtype=float))
    if cost_budget is not None:
        rows.append(sp.csr_array(np.r_[problem.cost, np.zeros(n_g)][None, :]))
        rhs.append(np.array([cost_budget]))
    res = linprog(
        np.r_[np.zeros(n_s), -problem.weights],
        A_ub=sp.vstack(rows, format="csr"),
        b_ub=np.concatenate(rhs),
        bounds=(0, 1),
        method="highs",
    )
    assert res.status == 0
    return float(-res.fun)


@pytest.mark.parametrize("seed", range(12))
def test_row_generation_reaches_the_lp_over_all_routes(seed: int) -> None:
    problem, limits = random_instance(seed + 400, with_cost=seed % 2 == 1, multi_route=seed >= 6)
    red = cov.reduce(problem, **limits)  # type: ignore[arg-type]
    rp = red.problem
    if rp.n_groups == 0:
        return
    relax = cov._Relaxation(rp, budget=red.budget, cost_budget=red.cost_budget)
    # from an empty working set, where every group counts as captured
    value = relax.solve_lp(deadline=time.perf_counter() + 30)
    full = _full_lp(rp, budget=red.budget, cost_budget=red.cost_budget)
    assert value == pytest.approx(full, rel=1e-7)
    assert relax.n_routes <= rp.incidence.shape[0]


def test_lazy_milp_adds_missed_routes_until_the_optimum_is_true() -> None:
    # Start from a working set with a single route: HiGHS then over-counts (every group
    # outside the set looks captured) and the loop must take in the routes its answers
    # miss until an answer's value holds on all routes.
    rerun = 0
    for seed in range(16):
        problem, limits = random_instance(
            seed + 600, with_cost=seed % 2 == 1, multi_route=seed % 4 == 3
        )
        red = cov.reduce(problem, **limits)  # type: ignore[arg-type]
        rp = red.problem
        if rp.n_groups == 0:
            continue
        relax = cov._Relaxation(rp, budget=red.budget, cost_budget=red.cost_budget)
        relax.add(np.array([0]))
        out = cov._lazy_milp(
            relax, None, bound=math.inf, rel_gap=1e-9, deadline=time.perf_counter() + 30
        )
        best = brute_force(rp, budget=red.budget, cost_budget=red.cost_budget)
        assert out.status == "optimal"
        assert out.value == pytest.approx(best)
        assert cov.capture(rp, out.sites) == pytest.approx(out.value)
        assert out.bound >= best - 1e-6
        rerun += out.runs > 1
    assert rerun >= 4


@pytest.mark.parametrize("method", ["exact", "greedy"])
def test_a_plan_where_no_site_can_capture_anything_is_empty_not_a_crash(method: str) -> None:
    # Every route passes only forbidden sites, or none: the reduction drops every site
    # (it once indexed an empty array and raised IndexError).
    p = cov.Coverage.build([[1, 0, 0], [0, 1, 0], [0, 0, 0]], [3.0, 2.0, 4.0])
    solve = cov.exact if method == "exact" else cov.greedy
    sol = solve(p, budget=1, forbid=[0, 1])
    assert sol.objective == 0.0 and sol.sites.tolist() in ([], [2])
    red = cov.reduce(p, budget=1, forbid=[0, 1])
    assert red.problem.n_groups == 0 and red.constant == 0.0
