"""The Lagrangian bound of the exact solver: valid for any multipliers, tight when polished."""

from __future__ import annotations

import importlib
import time

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from test_coverage import _full_lp, brute_force, random_instance

from geotraf import coverage as cov
from geotraf.coverage.lagrange import lagrangian_bound, polish

# The module, not the function of the same name that geotraf.coverage exports.
exact_module = importlib.import_module("geotraf.coverage.exact")


@settings(max_examples=80)
@given(
    seed=st.integers(0, 10_000),
    with_cost=st.booleans(),
    multi=st.booleans(),
    scale=st.floats(0.0, 3.0),
    mu_seed=st.integers(0, 2**32 - 1),
)
def test_any_multipliers_bound_the_lp_and_every_plan(
    seed: int, with_cost: bool, multi: bool, scale: float, mu_seed: int
) -> None:
    problem, limits = random_instance(seed, with_cost=with_cost, multi_route=multi)
    red = cov.reduce(problem, **limits)  # type: ignore[arg-type]
    rp = red.problem
    if rp.n_groups == 0:
        return
    # Multipliers of any size, some negative (they count as 0), some above the weights.
    rng = np.random.default_rng(mu_seed)
    mu = rng.normal(0.5, 1.0, rp.incidence.shape[0]) * scale * rp.weights[rp.groups]
    bound = lagrangian_bound(rp, mu, budget=red.budget, cost_budget=red.cost_budget)
    lp = _full_lp(rp, budget=red.budget, cost_budget=red.cost_budget)
    assert bound >= lp - 1e-7 * max(1.0, lp)
    assert red.constant + bound >= brute_force(problem, **limits) - 1e-9  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", range(16))
def test_polished_multipliers_approach_the_lp_from_above(seed: int) -> None:
    problem, limits = random_instance(seed + 900, with_cost=seed % 2 == 1, multi_route=seed >= 8)
    red = cov.reduce(problem, **limits)  # type: ignore[arg-type]
    rp = red.problem
    if rp.n_groups == 0:
        return
    lp = _full_lp(rp, budget=red.budget, cost_budget=red.cost_budget)
    best = brute_force(problem, **limits) - red.constant  # type: ignore[arg-type]
    bound, mu = polish(
        rp,
        np.zeros(rp.incidence.shape[0]),
        budget=red.budget,
        cost_budget=red.cost_budget,
        target=best,
        deadline=time.perf_counter() + 20,
    )
    assert bound == lagrangian_bound(rp, mu, budget=red.budget, cost_budget=red.cost_budget)
    assert lp - 1e-7 * max(1.0, lp) <= bound <= float(rp.weights.sum())
    # From μ = 0 (the trivial bound, the total weight) to within a few % of the LP.
    assert bound <= lp * 1.05 + 1e-9


@pytest.mark.parametrize("seed", range(12))
def test_exact_through_the_lagrangian_bound_equals_brute_force(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exact_module, "_LAGRANGE_ROUTES", 0)  # small models take it too
    problem, limits = random_instance(seed + 40, with_cost=seed % 2 == 0, multi_route=seed >= 6)
    best = brute_force(problem, **limits)  # type: ignore[arg-type]
    tight = cov.exact(problem, **limits)  # type: ignore[arg-type]
    assert tight.objective == pytest.approx(best)
    loose = cov.exact(problem, rel_gap=0.1, **limits)  # type: ignore[arg-type]
    assert loose.objective <= best + 1e-9 <= loose.bound + 2e-9
    assert loose.gap is not None and loose.gap <= 0.1
    assert cov.capture(problem, loose.sites) == pytest.approx(loose.objective)


def _grid_plan_problem(side: int, zones: int, *, seed: int) -> cov.Coverage:
    """All zone pairs of a jittered grid, assigned by geotraf; every junction a site."""
    import networkx as nx

    from geotraf.routing import assign

    rng = np.random.default_rng(seed)
    G = nx.MultiDiGraph(crs="EPSG:4326")
    for i in range(side * side):
        G.add_node(f"j{i}", kind="junction", x=float(i % side), y=float(i // side))
    for i in range(side * side):
        for j in (i + 1, i + side):
            if (j == i + 1 and j % side == 0) or j >= side * side or rng.random() < 0.05:
                continue
            t = float(rng.uniform(30.0, 90.0))
            for a, b in ((i, j), (j, i)):
                G.add_edge(f"j{a}", f"j{b}", travel_time_s=t, length_m=t * 15.0)
    for z, j in enumerate(rng.choice(side * side, zones, replace=False).tolist()):
        G.add_node(f"p:Z{z}", kind="place", place_id=f"Z{z}", x=0.0, y=0.0)
        for a, b in ((f"p:Z{z}", f"j{j}"), (f"j{j}", f"p:Z{z}")):
            G.add_edge(a, b, travel_time_s=60.0, length_m=500.0)
    o, d = np.meshgrid(np.arange(zones), np.arange(zones), indexing="ij")
    keep = o.ravel() != d.ravel()
    flows = pd.DataFrame(
        {
            "origin": [f"Z{x}" for x in o.ravel()[keep]],
            "destination": [f"Z{x}" for x in d.ravel()[keep]],
            "count": rng.integers(1, 50, int(keep.sum())).astype(float),
        }
    )
    paths = assign(G, flows).paths
    column = {f"j{i}": i for i in range(side * side)}
    rows = [(r, column[n]) for r, nodes in enumerate(paths["nodes"]) for n in nodes if n in column]
    r, c = np.array(rows).T
    incidence = sp.csr_array((np.ones(len(r)), (r, c)), shape=(len(paths), side * side))
    return cov.Coverage.build(incidence, paths["weight"].to_numpy(float))


def test_city_shaped_plan_is_proven_by_the_lagrangian_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # All pairs of 70 zones on a 16 × 16 grid (4,830 routes); the path is taken on models
    # of 10,000 routes and more, so the threshold is lowered for this smaller city.
    problem = _grid_plan_problem(16, 70, seed=3)
    reference = cov.exact(problem, budget=5, rel_gap=1e-4, time_limit=60)
    monkeypatch.setattr(exact_module, "_LAGRANGE_ROUTES", 1_000)
    # 2 %: the multipliers alone prove it (no LP, no MILP); 1 % is below this instance's
    # LP gap plus the subgradient's slack, so the LP and the MILP go on from there.
    for target, alone in ((0.02, True), (0.01, False)):
        sol = cov.exact(problem, budget=5, rel_gap=target, time_limit=60)
        assert "lagrange_bound" in sol.stats
        assert ("lp_bound" not in sol.stats) is alone
        assert sol.status == "optimal" and sol.gap is not None and sol.gap <= target
        # The proven bound is above the optimum the MILP finds, the plan within target.
        assert sol.bound >= reference.objective - 1e-6
        assert sol.objective >= (1 - target) * reference.objective
        assert cov.capture(problem, sol.sites) == pytest.approx(sol.objective)
