"""Flow-capturing location solvers over plain arrays (no graphs, no GeoDataFrames).

The flow-capturing location model (Hodgson 1990; Berman, Larson & Fouska 1992) chooses
checkpoint sites so that the most flow passes at least one of them. Here a problem is

- a 0/1 *incidence* matrix, routes × candidate sites (``scipy.sparse`` CSR): route ``r``
  passes site ``s``;
- ``groups``: the group (flow, or flow path) each route belongs to, and ``weights`` per
  group. A group is captured when *every* one of its routes passes a chosen site. The plain
  plan has one route per group (a path of a flow, weighted by count × share); the
  evasion-aware plan gives a group several routes (its path and the detours traffickers
  would take around checkpoints), so it is only captured when no acceptable detour is left;
- optional site ``cost`` with a money budget, a count budget, and ``must`` / ``forbid`` sets.

Solvers: :func:`greedy` (lazy greedy), :func:`exact` (a reduced MILP solved with HiGHS,
warm-started from greedy improved by local search, its path rows generated as needed,
with a proven gap) and
:func:`naive_exact` (the unreduced MILP handed to :func:`scipy.optimize.milp`; for
benchmarks and as an oracle). :func:`capture` evaluates any chosen set.

Modules: :mod:`~geotraf.coverage.problem` (the problem and evaluation),
:mod:`~geotraf.coverage.greedy`, :mod:`~geotraf.coverage.reduce`,
:mod:`~geotraf.coverage.exact` (with :mod:`~geotraf.coverage.relaxation` and
:mod:`~geotraf.coverage.highs`) and :mod:`~geotraf.coverage.search` (local search).

Examples
--------
Four routes (rows) over three candidate sites (columns), two sites to choose. Greedy takes
the busiest site first and then cannot reach the best pair, which :func:`exact` finds and
proves optimal (gap 0):

>>> p = Coverage.build([[1, 1, 0], [1, 0, 1], [0, 1, 0], [0, 0, 1]], [5, 5, 4, 4])
>>> g = greedy(p, budget=2)
>>> g.sites.tolist(), g.objective
([0, 2], 14.0)
>>> s = exact(p, budget=2)
>>> s.sites.tolist(), s.objective, s.gap
([1, 2], 18.0, 0.0)
>>> capture(p, [0, 2]), capture(p, [1, 2])
(14.0, 18.0)
"""

from __future__ import annotations

from geotraf.coverage.exact import _lazy_milp, exact
from geotraf.coverage.greedy import greedy, order_by_gain
from geotraf.coverage.highs import naive_exact
from geotraf.coverage.problem import Coverage, Solution, capture, captured_groups
from geotraf.coverage.reduce import Reduced, _group_matrix, reduce
from geotraf.coverage.relaxation import _Relaxation
from geotraf.coverage.search import _iterated_search, _swap_search

__all__ = [
    "Coverage",
    "Reduced",
    "Solution",
    "_Relaxation",
    "_group_matrix",
    "_iterated_search",
    "_lazy_milp",
    "_swap_search",
    "capture",
    "captured_groups",
    "exact",
    "greedy",
    "naive_exact",
    "order_by_gain",
    "reduce",
]
