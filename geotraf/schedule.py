"""Randomised checkpoint schedules: who stands where, shift by shift, unpredictably.

Traffickers pay informants to learn when a route is watched, so a fixed rota is a gift to
them (``docs/algorithms.md``, "Randomised schedules"). Following ARMOR at Los Angeles
airport (Pita et al. 2008, "Deployed ARMOR protection: the application of a game
theoretic model for security at the Los Angeles International Airport"), teams are placed
by a *mixed strategy*: each shift, a random set of sites is staffed, with each site's
probability of being staffed fixed in advance — higher where more flow passes, never
zero for a site in the plan.

Coverage probabilities
    ``p_i ∝ v_i`` (the value site ``i`` protects), with every value first raised to at
    least ``floor × max(v)`` so no planned site is left out, then capped at 1 and
    re-normalised (water-filling) so that ``Σ p_i = teams``.

Sampling each shift
    Systematic πps sampling (Madow 1949): shuffle the sites, lay the probabilities end to
    end on ``[0, teams)``, draw ``u ~ U[0, 1)`` and staff the sites whose interval holds
    one of ``u, u + 1, …, u + teams − 1``. Because every ``p_i ≤ 1``, no interval holds two
    points, so exactly ``teams`` *distinct* sites are staffed and site ``i`` is staffed with
    probability exactly ``p_i``. The fresh shuffle each shift keeps pairs of sites from
    always being staffed together (which a fixed order would do). Teams are assigned to the
    staffed sites in random order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geotraf.errors import PlanError

if TYPE_CHECKING:
    from geotraf.checkpoints import Plan

__all__ = ["coverage_probabilities", "draw_schedule", "schedule", "systematic_sample"]

#: Smallest value a planned site is given, as a share of the most valuable site's value.
DEFAULT_FLOOR = 0.05


def coverage_probabilities(
    values: pd.Series, *, teams: int, floor: float = DEFAULT_FLOOR
) -> pd.Series:
    """Return per-shift staffing probabilities ∝ value, capped at 1, summing to ``teams``.

    When there are no more sites than teams every site gets probability 1.

    Parameters
    ----------
    values
        Value each site protects (e.g. flow captured there), indexed by site id.
    teams
        Teams on duty per shift.
    floor
        Values below ``floor × max(values)`` are raised to it (0 < floor ≤ 1), so every
        site is staffed with a positive probability.

    Examples
    --------
    >>> v = pd.Series({"a": 60.0, "b": 30.0, "c": 10.0})
    >>> coverage_probabilities(v, teams=1).round(3).tolist()
    [0.6, 0.3, 0.1]
    >>> coverage_probabilities(v, teams=2).round(3).tolist()
    [1.0, 0.75, 0.25]
    """
    _check_teams(teams)
    if not 0 < floor <= 1:
        raise PlanError(f"floor must lie in (0, 1], not {floor}")
    if values.empty:
        raise PlanError("no sites to schedule: the plan chose none")
    if not values.index.is_unique:
        raise PlanError("site ids in a schedule must be unique")
    v = pd.to_numeric(values, errors="coerce").astype(float).to_numpy()
    if np.any(~np.isfinite(v)) or np.any(v < 0):
        raise PlanError("site values must be finite and non-negative")
    n = v.size
    if teams >= n:
        return pd.Series(1.0, index=values.index, name="coverage_probability")
    top = v.max()
    v = np.maximum(v, floor * top) if top > 0 else np.ones(n)
    p = np.zeros(n)
    capped = np.zeros(n, dtype=bool)
    # Water-filling: sites whose proportional share exceeds 1 are capped at 1 and the
    # remaining teams are shared among the others in proportion to value.
    while True:
        free_teams = teams - capped.sum()
        share = v * ~capped
        p = np.where(capped, 1.0, free_teams * share / share.sum())
        over = (p > 1.0) & ~capped
        if not over.any():
            break
        capped |= over
    return pd.Series(np.minimum(p, 1.0), index=values.index, name="coverage_probability")


def _check_teams(teams: int) -> None:
    if int(teams) != teams or teams < 1:
        raise PlanError(f"teams must be a whole number ≥ 1, not {teams}")


def systematic_sample(
    p: np.ndarray, rng: np.random.Generator, *, shuffle: bool = True
) -> np.ndarray:
    """Draw ``round(Σ p)`` distinct indices, index ``i`` with probability ``p[i]``.

    ``p`` must lie in [0, 1] and sum to a whole number (Madow's systematic sampling).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> sorted(systematic_sample(np.array([1.0, 0.5, 0.5]), rng).tolist()) in ([0, 1], [0, 2])
    True
    """
    k = round(float(p.sum()))
    order = rng.permutation(p.size) if shuffle else np.arange(p.size)
    cum = np.cumsum(p[order])
    cum *= k / cum[-1]  # absorb rounding so the last interval ends exactly at k
    u = rng.random()
    points = u + np.arange(k)
    pos = np.minimum(np.searchsorted(cum, points, side="right"), p.size - 1)
    picked = order[pos]
    if np.unique(picked).size != k:  # only possible through float ties at a boundary
        return systematic_sample(p, rng, shuffle=shuffle)
    return picked


def draw_schedule(
    sites_values: pd.Series,
    *,
    teams: int,
    days: int,
    shifts: int,
    seed: int | None = None,
    floor: float = DEFAULT_FLOOR,
) -> tuple[pd.Series, pd.DataFrame]:
    """Draw a randomised schedule of teams × shifts over a period.

    Parameters
    ----------
    sites_values
        Value each planned site protects, indexed by site id.
    teams
        Teams on duty each shift (when there are fewer sites, every site is staffed every
        shift and the spare teams are not scheduled).
    days, shifts
        Length of the period and shifts per day.
    seed
        Seed of the draw: the same seed gives the same schedule.
    floor
        See :func:`coverage_probabilities`.

    Returns
    -------
    coverage_probability : pandas.Series
        Per-shift probability that each site is staffed (indexed by site id).
    schedule : pandas.DataFrame
        One row per staffed post: ``day`` (1…days), ``shift`` (1…shifts), ``team``
        (1…teams), ``site_id``.

    References
    ----------
    .. [1] Pita, J. et al. (2008). Deployed ARMOR protection: the application of a game
       theoretic model for security at the Los Angeles International Airport. *AAMAS*.
    .. [2] Madow, W. G. (1949). On the theory of systematic sampling, II. *Annals of
       Mathematical Statistics* 20(3), 333–354.

    Examples
    --------
    >>> v = pd.Series({"a": 60.0, "b": 30.0, "c": 10.0})
    >>> prob, sched = draw_schedule(v, teams=2, days=3, shifts=2, seed=1)
    >>> len(sched), sched.groupby(["day", "shift"]).site_id.nunique().eq(2).all()
    (12, np.True_)
    """
    if int(days) != days or days < 1 or int(shifts) != shifts or shifts < 1:
        raise PlanError(f"days and shifts must be whole numbers ≥ 1, not {days} and {shifts}")
    prob = coverage_probabilities(sites_values, teams=teams, floor=floor)
    rng = np.random.default_rng(seed)
    ids = prob.index.to_numpy()
    p = prob.to_numpy()
    on_duty = min(int(teams), p.size)
    rows: list[tuple[int, int, int, object]] = []
    for day in range(1, int(days) + 1):
        for shift in range(1, int(shifts) + 1):
            picked = systematic_sample(p, rng)
            team_order = rng.permutation(on_duty) + 1
            rows.extend(
                (day, shift, int(t), ids[s]) for t, s in zip(team_order, picked, strict=True)
            )
    schedule = pd.DataFrame(rows, columns=["day", "shift", "team", "site_id"])
    schedule = schedule.sort_values(["day", "shift", "team"], ignore_index=True)
    return prob, schedule


def schedule(
    plan: Plan,
    *,
    teams: int = 4,
    days: int = 14,
    shifts: int = 2,
    seed: int | None = None,
    floor: float = DEFAULT_FLOOR,
) -> Plan:
    """Return a copy of ``plan`` with a randomised schedule of its sites drawn.

    Each site's per-shift staffing probability is proportional to the flow it captures
    (:func:`coverage_probabilities`); the posts are drawn by :func:`draw_schedule`. The
    plan given is not changed.

    Parameters
    ----------
    plan
        A :class:`geotraf.checkpoints.Plan` (from :func:`geotraf.checkpoints.plan`).
    teams
        Teams on duty each shift.
    days, shifts
        Length of the period and shifts per day.
    seed
        Seed of the draw: the same seed gives the same schedule.
    floor
        See :func:`coverage_probabilities`.

    Returns
    -------
    Plan
        ``schedule`` filled (``day``, ``shift``, ``team``, ``site_id``) and the sites'
        ``coverage_probability`` set; ``meta["schedule"]`` holds the parameters.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> from geotraf.checkpoints import Plan
    >>> sites = gpd.GeoDataFrame({"site_id": ["a", "b"], "captured": [60.0, 20.0],
    ...     "coverage_probability": [float("nan")] * 2},
    ...     geometry=[Point(100, 15), Point(101, 15)], crs="EPSG:4326")
    >>> p = Plan(sites=sites, captured=80.0, total=100.0, captured_share=0.8,
    ...     captured_after_evasion=80.0, captured_after_evasion_share=0.8, gap=None,
    ...     method="greedy", schedule=pd.DataFrame(), evasion=pd.DataFrame(),
    ...     evasion_tolerance=0.3, evasion_aware=False, status="optimal", seconds=0.0)
    >>> drawn = schedule(p, teams=1, days=2, shifts=2, seed=0)
    >>> len(drawn.schedule), drawn.sites["coverage_probability"].tolist()
    (4, [0.75, 0.25])
    >>> len(p.schedule)  # the plan given is left alone
    0
    """
    import dataclasses

    if plan.sites.empty:
        raise PlanError("the plan has no sites to schedule")
    probability, posts = draw_schedule(
        plan.sites.set_index("site_id")["captured"],
        teams=teams,
        days=days,
        shifts=shifts,
        seed=seed,
        floor=floor,
    )
    sites = plan.sites.copy()
    sites["coverage_probability"] = sites["site_id"].map(probability).astype(float)
    meta = {
        **plan.meta,
        "schedule": {"teams": teams, "days": days, "shifts": shifts, "seed": seed},
    }
    return dataclasses.replace(plan, sites=sites, schedule=posts, meta=meta)
