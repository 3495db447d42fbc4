"""The city case of ``bench_plan.py --city`` (issue 13): see that script's docstring."""

from __future__ import annotations

import os
import sys
import time

import scipy.sparse as sp
from _measure import _fmt, measure

from geotraf import coverage as cov


def city_instance(n_nodes: int, n_zones: int, *, seed: int = 0) -> cov.Coverage:
    """All zone pairs of a road-like city network; every junction a candidate site."""
    import numpy as np
    import pandas as pd

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from bench_assignment import add_places, road_like_graph

    from geotraf.routing import assign

    G = road_like_graph(n_nodes, seed=seed)
    rng = np.random.default_rng(seed)
    junctions = [f"j{i}" for i in rng.choice(G.number_of_nodes(), n_zones, replace=False)]
    zones = np.asarray(add_places(G, junctions, seed=seed), dtype=object)
    o, d = np.meshgrid(np.arange(n_zones), np.arange(n_zones), indexing="ij")
    keep = o.ravel() != d.ravel()
    flows = pd.DataFrame(
        {
            "origin": zones[o.ravel()[keep]],
            "destination": zones[d.ravel()[keep]],
            "count": rng.integers(1, 50, int(keep.sum())).astype(float),
        }
    )
    paths = assign(G, flows).paths
    site_ids = [n for n in G.nodes if not str(n).startswith("p:")]
    column = {n: i for i, n in enumerate(site_ids)}
    lengths = paths["nodes"].map(len).to_numpy()
    flat = [column.get(n, -1) for nodes in paths["nodes"] for n in nodes]
    rows = np.repeat(np.arange(len(paths)), lengths)
    cols = np.asarray(flat, dtype=np.int64)
    ok = cols >= 0
    incidence = sp.csr_array(
        (np.ones(int(ok.sum())), (rows[ok], cols[ok])), shape=(len(paths), len(site_ids))
    )
    return cov.Coverage.build(incidence, paths["weight"].to_numpy(float))


def run_city(
    *, nodes: int, zones: int, naive_limit: float, exact_limit: float, seed: int
) -> list[str]:
    """The city case: budgets 10 and 50, greedy / exact / plain milp side by side."""
    t0 = time.perf_counter()
    problem = city_instance(nodes, zones, seed=seed)
    gen = time.perf_counter() - t0
    a = problem.incidence
    print(
        f"\n## city: {problem.n_sites:,} candidate junctions, {a.shape[0]:,} routes (all OD "
        f"pairs of {zones} zones), {a.nnz:,} route–site pairs, total weight "
        f"{problem.weights.sum():,.0f} (built in {gen:.1f} s, assignment included)",
        flush=True,
    )
    lines: list[str] = [
        "| budget | method | time (s) | status | objective | % of exact | proven gap |",
        "|---|---|---|---|---|---|---|",
    ]
    for budget, target in ((10, 0.01), (50, 0.02)):
        results = {
            "greedy": measure(lambda b=budget: cov.greedy(problem, budget=b), timeout=600),
            "exact": measure(
                lambda b=budget, g=target: cov.exact(
                    problem, budget=b, time_limit=exact_limit, rel_gap=g
                ),
                timeout=exact_limit + 300,
            ),
            "scipy milp": measure(
                lambda b=budget: cov.naive_exact(problem, budget=b, time_limit=naive_limit),
                timeout=naive_limit + 600,
            ),
        }
        st = results["exact"].get("stats", {})
        if st:
            print(
                f"budget {budget}: reduced model {st['reduced_sites']:,.0f} sites, "
                f"{st['reduced_groups']:,.0f} groups, {st['reduced_nonzeros']:,.0f} nonzeros "
                f"(from {st['sites']:,.0f} / {st['groups']:,.0f} / {st['nonzeros']:,.0f}), "
                f"reduction {st['reduce_seconds']:.2f} s; Lagrangian bound "
                f"{st.get('lagrange_bound', float('nan')):,.1f} in "
                f"{st.get('lagrange_seconds', float('nan')):.1f} s; LP bound "
                f"{st.get('lp_bound', float('nan')):,.1f} over "
                f"{st.get('model_routes', float('nan')):,.0f} rows in "
                f"{st.get('lp_seconds', float('nan')):.1f} s; warm start "
                f"{st.get('start_objective', float('nan')):,.1f} "
                f"({st.get('search_seconds', float('nan')):.1f} s); MILP "
                f"{st.get('highs_seconds', float('nan')):.1f} s",
                flush=True,
            )
        best = results["exact"].get("objective", float("nan"))
        for name, r in results.items():
            obj = r.get("objective")
            ratio = 100 * float(obj) / best if obj is not None and best else None
            gap = r.get("gap")
            lines.append(
                f"| {budget} | {name} | {_fmt(r.get('seconds'), '.2f')} | {r.get('status')} | "
                f"{_fmt(obj, ',.1f')} | {_fmt(ratio, '.2f')} | "
                f"{_fmt(None if gap is None else 100 * gap, '.2f')}"
                f"{'' if gap is None else ' %'} |"
            )
        ex = results["exact"]
        ok = (ex.get("gap") if ex.get("gap") is not None else 1.0) <= target and ex.get(
            "seconds", 1e9
        ) <= 60
        print(
            f"target {'met' if ok else 'MISSED'}: budget {budget}, proven gap ≤ "
            f"{target:.0%} in ≤ 60 s",
            flush=True,
        )
    print("\n".join(lines), flush=True)
    return lines
