"""The flow-capturing problem over plain arrays, its solution, and evaluation."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
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
