"""Tests of the randomised checkpoint schedule (geotraf.schedule)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geotraf.errors import PlanError
from geotraf.schedule import coverage_probabilities, draw_schedule, systematic_sample

VALUES = pd.Series(
    {"x:maesot": 500.0, "x:maesai": 300.0, "s:ts1": 120.0, "s:bus": 60.0, "s:motel": 0.0},
    name="captured",
)


def test_probabilities_proportional_capped_and_sum_to_teams() -> None:
    p = coverage_probabilities(pd.Series({"a": 6.0, "b": 3.0, "c": 1.0}), teams=2)
    # a: 2*0.6 = 1.2 → capped at 1; the other team is shared 3:1 between b and c
    assert p.tolist() == pytest.approx([1.0, 0.75, 0.25])
    assert p.sum() == pytest.approx(2.0)


def test_site_with_no_value_still_gets_floor_probability() -> None:
    p = coverage_probabilities(VALUES, teams=2)
    assert p.sum() == pytest.approx(2.0)
    assert (p > 0).all()
    # floor: the motel's value is raised to 5 % of the top value (25 of 500)
    assert p["s:motel"] == pytest.approx(p["x:maesot"] * 25 / 500)
    assert p.is_monotonic_decreasing


def test_more_teams_than_sites_staffs_every_site() -> None:
    prob, sched = draw_schedule(VALUES.iloc[:2], teams=4, days=2, shifts=1, seed=0)
    assert prob.tolist() == [1.0, 1.0]
    assert len(sched) == 4  # two sites × two shifts; spare teams unscheduled
    assert set(sched.team) == {1, 2}


def test_each_shift_staffs_exactly_teams_distinct_sites() -> None:
    _, sched = draw_schedule(VALUES, teams=3, days=14, shifts=2, seed=5)
    per_shift = sched.groupby(["day", "shift"])
    assert len(per_shift) == 28
    assert (per_shift.site_id.nunique() == 3).all()
    assert (per_shift.team.apply(sorted).apply(tuple) == (1, 2, 3)).all()


def test_empirical_coverage_matches_stated_probabilities() -> None:
    teams, draws = 2, 4_000
    prob, sched = draw_schedule(VALUES, teams=teams, days=draws // 2, shifts=2, seed=20260101)
    freq = sched.site_id.value_counts().reindex(prob.index, fill_value=0) / draws
    sigma = np.sqrt(prob * (1 - prob) / draws)
    # 4 sigma: Bonferroni over 5 sites at a family-wise error of about 0.03 %
    assert (np.abs(freq - prob) <= 4 * sigma + 1e-12).all(), pd.DataFrame({"p": prob, "freq": freq})


def test_coverage_over_many_seeds_matches_probabilities() -> None:
    prob = coverage_probabilities(VALUES, teams=2)
    counts = pd.Series(0.0, index=prob.index)
    seeds = 1_000
    for seed in range(seeds):
        _, sched = draw_schedule(VALUES, teams=2, days=1, shifts=2, seed=seed)
        counts += sched.site_id.value_counts().reindex(prob.index, fill_value=0)
    draws = 2 * seeds
    freq = counts / draws
    sigma = np.sqrt(prob * (1 - prob) / draws)
    assert (np.abs(freq - prob) <= 4 * sigma + 1e-12).all()


def test_reproducible_with_seed_and_different_between_seeds() -> None:
    _, a = draw_schedule(VALUES, teams=2, days=14, shifts=2, seed=42)
    _, b = draw_schedule(VALUES, teams=2, days=14, shifts=2, seed=42)
    _, c = draw_schedule(VALUES, teams=2, days=14, shifts=2, seed=43)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_systematic_sample_marginals_exact_on_enumeration() -> None:
    # With a fixed order, systematic sampling is a deterministic function of u: integrate
    # over u on a fine grid and the inclusion frequencies equal p to grid precision.
    p = np.array([0.9, 0.6, 0.3, 0.2])
    hits = np.zeros(4)
    grid = 10_000

    class FixedU:
        def __init__(self, u: float) -> None:
            self.u = u

        def random(self) -> float:
            return self.u

    for i in range(grid):
        picked = systematic_sample(p, FixedU((i + 0.5) / grid), shuffle=False)  # type: ignore[arg-type]
        assert len(set(picked.tolist())) == 2
        hits[picked] += 1
    assert hits / grid == pytest.approx(p, abs=2 / grid)


def test_bad_inputs_raise_plan_error() -> None:
    with pytest.raises(PlanError, match="teams"):
        draw_schedule(VALUES, teams=0, days=1, shifts=1)
    with pytest.raises(PlanError, match="no sites"):
        coverage_probabilities(pd.Series(dtype=float), teams=1)
    with pytest.raises(PlanError, match="days and shifts"):
        draw_schedule(VALUES, teams=1, days=0, shifts=1)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=30),
    st.integers(min_value=1, max_value=12),
)
def test_coverage_probabilities_are_capped_shares_of_the_teams(
    values: list[float], teams: int
) -> None:
    v = pd.Series(values, index=[f"s{i}" for i in range(len(values))])
    p = coverage_probabilities(v, teams=teams)
    assert ((p > 0) & (p <= 1 + 1e-12)).all()  # every planned site can be staffed
    assert p.sum() == pytest.approx(min(teams, len(v)))
    # More value never means less coverage.
    order = np.argsort(v.to_numpy(), kind="stable")
    assert (np.diff(p.to_numpy()[order]) >= -1e-9).all()


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.floats(min_value=0.1, max_value=100), min_size=1, max_size=8),
    st.integers(min_value=1, max_value=5),
    st.integers(min_value=0, max_value=2**32 - 1),
)
def test_every_shift_staffs_distinct_sites_one_per_team(
    values: list[float], teams: int, seed: int
) -> None:
    v = pd.Series(values, index=[f"s{i}" for i in range(len(values))])
    _, sched = draw_schedule(v, teams=teams, days=3, shifts=2, seed=seed)
    per_shift = sched.groupby(["day", "shift"])
    assert len(per_shift) == 6
    assert (per_shift["site_id"].nunique() == min(teams, len(v))).all()
    assert (per_shift["team"].nunique() == min(teams, len(v))).all()
