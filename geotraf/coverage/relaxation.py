"""The MILP/LP relaxation of a reduced problem, its rows added as needed.

Examples
--------
Start the model with one route; the routes a site set leaves uncut are the ones to add,
and the LP loop adds only those it needs (3 of the 4 here) to prove the bound:

>>> import time
>>> p = Coverage.build([[1, 1, 0], [1, 0, 1], [0, 1, 0], [0, 0, 1]], [5, 5, 4, 4])
>>> r = _Relaxation(p, budget=2, cost_budget=None)
>>> r.add(np.array([0]))
>>> r.violated(r.start([0])).tolist()  # site 0 alone misses routes 2 and 3
[2, 3]
>>> r.solve_lp(deadline=time.perf_counter() + 10), r.n_routes
(18.0, 3)
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from geotraf.coverage.problem import Coverage, FloatArray, IntArray, captured_groups


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
