"""Reductions that shrink a flow-capturing problem without changing its optimum."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from geotraf.coverage.problem import Coverage, FloatArray, IntArray, _limits


@dataclass(frozen=True)
class Reduced:
    """A smaller problem with the same optimum, and the maps back to the original.

    Attributes
    ----------
    problem
        The reduced problem (only free sites, only distinct, capturable groups).
    sites
        Original index of each reduced site (column).
    representative
        For each original site, the reduced column that is at least as good (itself, or a
        site that dominates it), or -1 when the site adds nothing (forbidden, required,
        or covering no open route).
    constant
        Weight already captured by the required sites.
    budget, cost_budget
        What is left of the budgets after the required sites.
    stats
        Sizes before and after.
    """

    problem: Coverage
    sites: IntArray
    representative: IntArray
    constant: float
    budget: int | None
    cost_budget: float | None
    stats: dict[str, float]


def _row_keys(a: sp.csr_array) -> list[bytes]:
    ind = a.indices.astype(np.int32, copy=False)
    ptr = a.indptr
    return [ind[ptr[i] : ptr[i + 1]].tobytes() for i in range(a.shape[0])]


def _merge_groups(
    a: sp.csr_array, weights: FloatArray, groups: IntArray
) -> tuple[sp.csr_array, FloatArray, IntArray]:
    """Merge groups whose route sets are identical (summing weights); dedupe routes."""
    codes, _ = pd.factorize(pd.Series(_row_keys(a), dtype=object))
    n_groups = weights.size
    counts = np.bincount(groups, minlength=n_groups)
    if counts.max(initial=0) <= 1:
        _, first_row, inverse = np.unique(codes, return_index=True, return_inverse=True)
        new_w = np.bincount(inverse.ravel(), weights=weights[groups]).astype(np.float64)
        new_a = sp.csr_array(a[first_row])
        return new_a, new_w, np.arange(first_row.size, dtype=np.int64)
    per_group: dict[int, set[int]] = {}
    for r, g in enumerate(groups.tolist()):
        per_group.setdefault(g, set()).add(int(codes[r]))
    keys: dict[tuple[int, ...], int] = {}
    new_w_list: list[float] = []
    route_codes: list[int] = []
    route_groups: list[int] = []
    for g, cs in per_group.items():
        k = tuple(sorted(cs))
        if k in keys:
            new_w_list[keys[k]] += float(weights[g])
            continue
        keys[k] = len(new_w_list)
        new_w_list.append(float(weights[g]))
        route_codes.extend(k)
        route_groups.extend([keys[k]] * len(k))
    _, first_row = np.unique(codes, return_index=True)
    new_a = sp.csr_array(a[first_row[np.asarray(route_codes, dtype=np.int64)]])
    return (
        new_a,
        np.asarray(new_w_list, dtype=np.float64),
        np.asarray(route_groups, dtype=np.int64),
    )


def _dominated(a: sp.csr_array, cost: FloatArray, *, block: int = 512) -> IntArray:
    """For each column, a column that dominates it (-1 if none; -2 if it covers nothing).

    Column ``t`` dominates ``s`` when every route through ``s`` also passes ``t`` and ``t``
    costs no more; ties (same routes, same cost) go to the lower index, so the relation is
    a strict order and every dropped site has a kept dominator at the end of its chain.
    """
    n = a.shape[1]
    csc = sp.csc_array(a)
    deg = np.diff(csc.indptr)
    dom = np.full(n, -1, dtype=np.int64)
    dom[deg == 0] = -2
    if n == 0:  # every site dropped already: nothing to compare
        return dom
    # Identical columns first (cheap, by hashing), so the co-occurrence products are small.
    keys = [
        csc.indices[csc.indptr[j] : csc.indptr[j + 1]].astype(np.int32).tobytes() for j in range(n)
    ]
    codes, _ = pd.factorize(pd.Series(keys, dtype=object))
    order = np.lexsort((np.arange(n), cost, codes))
    sorted_codes = codes[order]
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
    leader = np.repeat(order[starts], np.diff(np.r_[starts, n]))
    dup = (leader != order) & (deg[order] > 0)
    dom[order[dup]] = leader[dup]
    live = np.flatnonzero(dom == -1)
    if live.size <= 1:
        return dom
    sub = sp.csc_array(csc[:, live])
    sub_t = sp.csr_array(sub.T)
    d = deg[live]
    c = cost[live]
    for lo in range(0, live.size, block):
        hi = min(lo + block, live.size)
        co = sp.coo_array(sub_t[lo:hi] @ sub)
        i = co.row.astype(np.int64) + lo
        j = co.col.astype(np.int64)
        v = co.data
        ok = (
            (i != j)
            & (v >= d[i] - 0.5)
            & (c[j] <= c[i])
            & ((d[j] > d[i]) | (c[j] < c[i]) | (j < i))
        )
        if not ok.any():
            continue
        i, j = i[ok], j[ok]
        # prefer the dominator covering most routes: fewer hops to a kept site
        pick = np.lexsort((-d[j], i))
        i, j = i[pick], j[pick]
        first = np.r_[True, i[1:] != i[:-1]]
        dom[live[i[first]]] = live[j[first]]
    return dom


def reduce(
    problem: Coverage,
    *,
    budget: int | None = None,
    cost_budget: float | None = None,
    must: Iterable[int] = (),
    forbid: Iterable[int] = (),
) -> Reduced:
    """Shrink a problem without changing its optimum.

    1. Required sites are fixed: the routes they pass are hit, groups fully hit become a
       constant, and the budgets shrink by their number and cost.
    2. Forbidden and required sites leave the model; a route left with no free site makes
       its group uncapturable, so the group leaves too (as do zero-weight groups).
    3. Groups with identical route sets are merged (weights summed) and duplicate routes
       dropped.
    4. Dominated sites are dropped: when every route through ``s`` also passes ``t`` and
       ``t`` costs no more (costs count only with a money budget), swapping ``s`` for ``t``
       never loses weight, and ``t`` is free to choose because forbidden and required sites
       are already out. Steps 3–4 repeat until nothing changes.

    Examples
    --------
    >>> p = Coverage.build([[1, 1, 0], [1, 1, 0], [0, 1, 1]], [3.0, 2.0, 4.0])
    >>> r = reduce(p, budget=1)
    >>> r.sites.tolist(), r.problem.weights.tolist()
    ([1], [9.0])
    """
    lim = _limits(problem, budget, cost_budget, must, forbid)
    a = problem.incidence
    n_sites = problem.n_sites
    stats: dict[str, float] = {
        "routes": float(a.shape[0]),
        "groups": float(problem.n_groups),
        "sites": float(n_sites),
        "nonzeros": float(a.nnz),
    }
    must_idx = np.asarray(lim.must, dtype=np.int64)
    must_mask = np.zeros(n_sites, dtype=bool)
    must_mask[must_idx] = True
    hit = (a @ must_mask.astype(np.float64)) > 0
    groups = problem.groups
    weights = problem.weights
    unhit = np.bincount(groups, weights=~hit, minlength=problem.n_groups)
    has_route = np.bincount(groups, minlength=problem.n_groups) > 0
    done = (unhit == 0) & has_route
    constant = float(weights[done].sum())

    free = ~must_mask
    free[list(lim.forbid)] = False
    free_idx = np.flatnonzero(free)
    a_free = sp.csr_array(a[:, free_idx])
    open_rows = ~hit
    empty = np.diff(a_free.indptr) == 0
    dead_groups = np.zeros(problem.n_groups, dtype=bool)
    dead_groups[groups[open_rows & empty]] = True
    keep_group = ~done & ~dead_groups & (weights > 0) & has_route
    keep_rows = open_rows & keep_group[groups]
    new_gid = np.cumsum(keep_group) - 1
    a_cur = sp.csr_array(a_free[np.flatnonzero(keep_rows)])
    g_cur = new_gid[groups[keep_rows]].astype(np.int64)
    w_cur = weights[keep_group].astype(np.float64)
    cost_all = problem.cost[free_idx]
    dom_cost = cost_all if lim.cost_budget is not None else np.zeros_like(cost_all)
    site_of_col = free_idx.copy()
    rep_col = np.arange(free_idx.size, dtype=np.int64)  # free col -> current col index
    alive_cols = np.arange(free_idx.size, dtype=np.int64)  # current col -> free col
    rounds = 0
    while True:
        rounds += 1
        a_cur, w_cur, g_cur = _merge_groups(a_cur, w_cur, g_cur)
        dom = _dominated(a_cur, dom_cost[alive_cols])
        if np.all(dom == -1):
            break
        # follow dominator chains to a kept column (the relation is acyclic): pointer
        # doubling reaches the end of every chain in log(length) steps
        parent = np.where(dom >= 0, dom, np.arange(dom.size))
        while True:
            nxt = parent[parent]
            if np.array_equal(nxt, parent):
                break
            parent = nxt
        keep = dom == -1
        new_index = np.cumsum(keep) - 1
        col_map = np.where(keep[parent], new_index[parent], -1)
        rep_col = np.where(rep_col >= 0, col_map[np.maximum(rep_col, 0)], -1)
        alive_cols = alive_cols[keep]
        a_cur = sp.csr_array(a_cur[:, np.flatnonzero(keep)])
    representative = np.full(n_sites, -1, dtype=np.int64)
    representative[free_idx] = rep_col
    reduced = Coverage(
        incidence=a_cur,
        weights=w_cur,
        groups=g_cur,
        cost=problem.cost[site_of_col[alive_cols]],
    )
    stats.update(
        {
            "reduced_routes": float(a_cur.shape[0]),
            "reduced_groups": float(w_cur.size),
            "reduced_sites": float(alive_cols.size),
            "reduced_nonzeros": float(a_cur.nnz),
            "reduction_rounds": float(rounds),
        }
    )
    return Reduced(
        problem=reduced,
        sites=site_of_col[alive_cols],
        representative=representative,
        constant=constant,
        budget=None if lim.budget is None else lim.budget - len(lim.must),
        cost_budget=None
        if lim.cost_budget is None
        else lim.cost_budget - float(problem.cost[must_idx].sum()),
        stats=stats,
    )


def _group_matrix(groups: IntArray, n_groups: int) -> sp.csr_array:
    rows = np.arange(groups.size)
    return sp.csr_array((np.ones(groups.size), (rows, groups)), shape=(groups.size, n_groups))
