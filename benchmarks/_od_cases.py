"""Many-OD assignment cases: geotraf beside AequilibraE and NetworkX, loads link by link.

``python benchmarks/bench_assignment.py od [--repeat 3] [--big-nodes 12000 --big-zones 600]``
``python benchmarks/bench_assignment.py od --alternatives`` (k = 3 on the 93k-pair city)

Cases (all-or-nothing on free-flow time, every OD pair with demand):

- ``road-1k``: the perturbed grid of :func:`bench_assignment.road_like_graph` with about
  1,000 junctions, 400 zones (places on random junctions by 2-minute access edges), all
  159,600 ordered zone pairs with random counts;
- ``road-big``: the same with ``--big-nodes`` junctions and ``--big-zones`` zones;
- ``sioux-falls``: the Sioux Falls network and demand shipped inside the AequilibraE wheel
  (``aequilibrae/reference_files/sioux_falls.zip``: 24 nodes, all centroids, 76 links,
  528 OD pairs), once on its own integer free-flow times (ties: equal-cost paths may be
  chosen differently; total travel time is compared) and once with a 1e-6 s random
  perturbation per link (no ties: loads compared link by link).

Engines, run in turn in this one process ``--repeat`` times (medians reported):

- geotraf ``assign(G, flows)`` end to end (graph → CSR, endpoint resolution, searches,
  loads; the per-flow table is lazy and not built); then split as AequilibraE is:
  ``prepare(G)`` (CSR view, resolver, labels: its *setup*) and ``assign(network, flows)``
  (endpoint resolution, searches, loads: its *assignment step*) on 1 and on 2 threads;
- AequilibraE 1.7 ``allOrNothing`` with 1 and 2 threads: its graph/matrix preparation is
  timed apart (``setup``) from the assignment (``assign``);
- NetworkX ``single_source_dijkstra`` per origin plus a path walk, timed on
  ``--nx-origins`` origins and extrapolated linearly (on Sioux Falls: all origins).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import io
import os
import platform
import sqlite3
import statistics
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from _peers import aequilibrae_aon, compare, networkx_aon
from bench_assignment import add_places, road_like_graph

from geotraf.routing import assign, prepare


def road_case(n_nodes: int, n_zones: int, *, seed: int) -> tuple[nx.MultiDiGraph, pd.DataFrame]:
    """A road-like grid with ``n_zones`` places and all ordered pairs between them."""
    G = road_like_graph(n_nodes, seed=seed)
    rng = np.random.default_rng(seed)
    junctions = [f"j{i}" for i in rng.choice(G.number_of_nodes(), n_zones, replace=False)]
    zones = add_places(G, junctions, seed=seed)
    o, d = np.meshgrid(np.arange(n_zones), np.arange(n_zones), indexing="ij")
    keep = o.ravel() != d.ravel()
    names = np.asarray(zones, dtype=object)
    flows = pd.DataFrame(
        {
            "origin": names[o.ravel()[keep]],
            "destination": names[d.ravel()[keep]],
            "count": rng.integers(1, 50, int(keep.sum())).astype(float),
        }
    )
    return G, flows


def sioux_falls(*, perturb: bool, seed: int = 0) -> tuple[nx.MultiDiGraph, pd.DataFrame]:
    """Sioux Falls from the AequilibraE wheel: links, free-flow times, the demand matrix."""
    import aequilibrae
    from aequilibrae.matrix import AequilibraeMatrix

    archive = Path(aequilibrae.__file__).parent / "reference_files" / "sioux_falls.zip"
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(archive) as zf:
            zf.extract("project_database.sqlite", tmp)
            zf.extract("matrices/demand.aem", tmp)
        with contextlib.closing(sqlite3.connect(Path(tmp) / "project_database.sqlite")) as db:
            links = pd.read_sql(
                "select link_id, a_node, b_node, distance, free_flow_time from links "
                "where direction = 1 order by link_id",
                db,
            )
        matrix = AequilibraeMatrix()
        matrix.load(str(Path(tmp) / "matrices" / "demand.aem"))
        demand = np.array(matrix.matrices[:, :, 0], dtype=float)
        index = [int(i) for i in matrix.index]
        matrix.close()
    rng = np.random.default_rng(seed)
    times = links["free_flow_time"].to_numpy(float)
    if perturb:
        times = times + rng.uniform(0, 1e-6, len(times))
    G = nx.MultiDiGraph(crs="EPSG:4326", name="sioux-falls")
    for node in sorted(set(links["a_node"]) | set(links["b_node"])):
        G.add_node(f"p:{node}", kind="place", place_id=str(node), x=0.0, y=0.0, country="USA")
    for (a, b, dist), t in zip(
        links[["a_node", "b_node", "distance"]].itertuples(index=False), times, strict=True
    ):
        key = G.add_edge(f"p:{a}", f"p:{b}", travel_time_s=float(t), length_m=float(dist))
        G.edges[f"p:{a}", f"p:{b}", key]["edge_id"] = f"p:{a}|p:{b}|{key}"
    o, d = np.nonzero(demand)
    flows = pd.DataFrame(
        {
            "origin": [str(index[i]) for i in o],
            "destination": [str(index[j]) for j in d],
            "count": demand[o, d],
        }
    )
    return G, flows[flows["origin"] != flows["destination"]].reset_index(drop=True)


def _quiet(fn: Callable[[], Any]) -> Any:
    """Run ``fn`` with stderr swallowed (AequilibraE draws a progress bar there)."""
    with contextlib.redirect_stderr(io.StringIO()):
        return fn()


def _total_time(G: nx.MultiDiGraph, loads: pd.Series | dict[Any, float]) -> float:
    return float(sum(v * G.edges[k]["travel_time_s"] for k, v in loads.items() if v))


@contextlib.contextmanager
def _threads(n: int) -> Iterator[None]:
    """Run geotraf's kernels on ``n`` threads (``GEOTRAF_THREADS``, read at each call)."""
    before = os.environ.get("GEOTRAF_THREADS")
    os.environ["GEOTRAF_THREADS"] = str(n)
    try:
        yield
    finally:
        if before is None:
            del os.environ["GEOTRAF_THREADS"]
        else:
            os.environ["GEOTRAF_THREADS"] = before


def _clock(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    """``fn()``, its wall time and the process's CPU time (all threads) while it ran."""
    start, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - start, time.process_time() - cpu


def run_case(
    name: str,
    G: nx.MultiDiGraph,
    flows: pd.DataFrame,
    *,
    repeat: int,
    nx_origins: int | None,
    block_centroids: bool,
    ties: bool,
) -> list[str]:
    """Time every engine ``repeat`` times (interleaved) and return the table rows.

    geotraf runs three ways: ``assign(G, flows)`` end to end; ``prepare(G)`` (its setup,
    like AequilibraE's graph and matrix preparation); ``assign(network, flows)`` (its
    assignment step) on 1 thread and on 2. Wall and CPU time (``time.process_time``: all
    threads of the process) are kept for each.
    """
    times: dict[str, list[float]] = {}

    def keep(key: str, value: float) -> None:
        times.setdefault(key, []).append(value)

    ours = ours1 = ours2 = aeq1 = aeq2 = None
    assign(G, flows.head(10))  # compiled code loaded once per process, as in use
    for _ in range(repeat):
        keep("load", os.getloadavg()[0])
        ours, wall, cpu = _clock(lambda: assign(G, flows))
        keep("e2e", wall)
        keep("e2e_cpu", cpu)
        net, wall, cpu = _clock(lambda: prepare(G))
        keep("prep", wall)
        keep("prep_cpu", cpu)
        with _threads(1):
            ours1, wall, cpu = _clock(functools.partial(assign, net, flows))
        keep("one", wall)
        keep("one_cpu", cpu)
        with _threads(2):
            ours2, wall, cpu = _clock(functools.partial(assign, net, flows))
        keep("two", wall)
        keep("two_cpu", cpu)
        aeq1 = _quiet(lambda: aequilibrae_aon(G, flows, cores=1, block_centroids=block_centroids))
        keep("aeq1", aeq1.assign_s)
        keep("aeq1_cpu", aeq1.assign_cpu_s)
        keep("aeq_setup", aeq1.setup_s)
        aeq2 = _quiet(lambda: aequilibrae_aon(G, flows, cores=2, block_centroids=block_centroids))
        keep("aeq2", aeq2.assign_s)
        keep("aeq2_cpu", aeq2.assign_cpu_s)
    assert ours is not None and ours1 is not None and ours2 is not None
    assert aeq1 is not None and aeq2 is not None
    # Prepared or not, 1 or 2 threads: the same loads to the last bit.
    for other in (ours1, ours2):
        pd.testing.assert_series_equal(ours.edge_load, other.edge_load, check_exact=True)
        pd.testing.assert_series_equal(ours.node_load, other.node_load, check_exact=True)
    origins = list(dict.fromkeys(flows["origin"]))
    sub = origins if nx_origins is None else origins[:nx_origins]
    nx_run = networkx_aon(G, flows[flows["origin"].isin(sub)])
    nx_s = nx_run.assign_s * len(origins) / len(sub)
    ours_sub = assign(G, flows[flows["origin"].isin(sub)])
    d_aeq, n_aeq = compare(ours.edge_load, aeq1.loads)
    d_aeq2, n_aeq2 = compare(ours.edge_load, aeq2.loads)
    d_nx, n_nx = compare(ours_sub.edge_load, nx_run.loads)
    med = {k: statistics.median(v) for k, v in times.items()}
    loaded = int((ours.edge_load > 0).sum())
    if ties:
        tt_ours, tt_aeq = _total_time(G, ours.edge_load), _total_time(G, aeq1.loads)
        agree = (
            f"ties: {n_aeq} of {loaded} loaded links differ from AequilibraE; total travel "
            f"time {tt_ours:,.0f} vs {tt_aeq:,.0f} (Δ {abs(tt_ours - tt_aeq) / tt_aeq:.1e})"
        )
    else:
        assert n_aeq == n_aeq2 == n_nx == 0, (name, d_aeq, n_aeq, d_aeq2, n_aeq2, d_nx, n_nx)
        agree = f"identical: max \\|Δ\\| {d_aeq:.1g} vs AequilibraE, {d_nx:.1g} vs NetworkX"
    nx_note = "" if nx_origins is None else f" ({len(sub)} origins → {len(origins)})"
    cpu_ratio = med["aeq1_cpu"] / med["one_cpu"]
    setup_ratio = (med["aeq_setup"] + med["aeq1"]) / (med["prep"] + med["one"])
    wall2_ratio = med["aeq2"] / med["two"]
    return [
        f"| {name} | {G.number_of_nodes():,} / {G.number_of_edges():,} | {len(flows):,} "
        f"| {med['e2e']:.3f} s ({med['e2e_cpu']:.3f}) "
        f"| {med['prep']:.3f} s "
        f"| **{med['one']:.3f} s ({med['one_cpu']:.3f})** "
        f"| {med['two']:.3f} s ({med['two_cpu']:.3f}) "
        f"| {med['aeq_setup']:.3f} s "
        f"| **{med['aeq1']:.3f} s ({med['aeq1_cpu']:.3f})** "
        f"| {med['aeq2']:.3f} s ({med['aeq2_cpu']:.3f}) "
        f"| {nx_s:.{1 if nx_s >= 1 else 3}f} s{nx_note} "
        f"| {cpu_ratio:.2f}× / {setup_ratio:.2f}× / {wall2_ratio:.2f}× "
        f"| {nx_s / med['one']:.0f}× | {agree} | {med['load']:.1f} |"
    ]


def alternatives_case(
    G: nx.MultiDiGraph, flows: pd.DataFrame, *, sample: int, full: bool, seed: int
) -> list[str]:
    """k = 3 alternatives: a like-for-like sample against NetworkX, then the full set."""
    import itertools

    rows = []
    pairs = flows.sample(min(sample, len(flows)), random_state=seed)
    assign(G, pairs.head(20), method="k_shortest", k=3)  # compiled code loaded once, as in use
    start = time.perf_counter()
    assign(G, pairs, method="k_shortest", k=3, max_detour=None)
    ours = time.perf_counter() - start
    simple = nx.DiGraph()
    for u, v, t in G.edges(data="travel_time_s"):
        if not simple.has_edge(u, v) or simple[u][v]["travel_time_s"] > t:
            simple.add_edge(u, v, travel_time_s=t)
    start = time.perf_counter()
    for o, d in zip(pairs["origin"], pairs["destination"], strict=True):
        paths = nx.shortest_simple_paths(simple, f"p:{o}", f"p:{d}", weight="travel_time_s")
        list(itertools.islice(paths, 3))
    theirs = time.perf_counter() - start
    rows.append(
        f"| {len(pairs)} sampled pairs, all 3 alternatives searched (`max_detour=None`) "
        f"| {ours:.2f} s | {theirs:.2f} s (`shortest_simple_paths`) | {theirs / ours:.0f}× |"
    )
    if full:
        for label, options in (
            ("k_shortest, default max_detour=0.5", {"method": "k_shortest"}),
            ("k_shortest, max_detour=None", {"method": "k_shortest", "max_detour": None}),
            ("logit (theta 0.05/min)", {"method": "logit"}),
        ):
            start, cpu = time.perf_counter(), time.process_time()
            assign(G, flows, k=3, **options)  # type: ignore[arg-type]
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu
            rows.append(
                f"| all {len(flows):,} pairs, {label} | {wall:.1f} s ({cpu:.1f} s CPU, "
                f"load average {os.getloadavg()[0]:.1f}) | — | — |"
            )
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="many-OD assignment beside AequilibraE")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--big-nodes", type=int, default=12_000)
    parser.add_argument("--big-zones", type=int, default=600)
    parser.add_argument("--nx-origins", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-big", action="store_true")
    parser.add_argument(
        "--alternatives",
        action="store_true",
        help="only the k = 3 alternatives on the city case (306 zones, 93,330 pairs)",
    )
    parser.add_argument("--no-full", action="store_true", help="alternatives: sample only")
    args = parser.parse_args(argv)
    if args.alternatives:
        G, flows = road_case(900, 306, seed=args.seed)
        print(f"# k = 3 alternatives, {G.number_of_nodes():,} nodes, {len(flows):,} OD pairs")
        print("| run | geotraf | NetworkX | ratio |\n|---|---|---|---|")
        for row in alternatives_case(G, flows, sample=200, full=not args.no_full, seed=1):
            print(row, flush=True)
        return
    from importlib.metadata import version

    import scipy

    print(f"# many-OD assignment (all-or-nothing) — {dt.date.today().isoformat()}")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores (shared with other jobs), "
        f"Python {platform.python_version()}, networkx {nx.__version__}, scipy "
        f"{scipy.__version__}, aequilibrae {version('aequilibrae')}; median of "
        f"{args.repeat} interleaved runs in one process"
    )
    print()
    print(
        "| case | nodes / links | OD pairs | geotraf `assign(G)` end to end (CPU) "
        "| geotraf setup `prepare(G)` | geotraf assign, 1 thread (CPU) "
        "| geotraf assign, 2 threads (CPU) | AequilibraE setup | AequilibraE 1 thread (CPU) "
        "| AequilibraE 2 threads (CPU) | NetworkX "
        "| AequilibraE ÷ geotraf: 1-thread CPU / setup + 1 thread / 2-thread wall "
        "| NetworkX ÷ geotraf | loads | load average |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    cases: list[tuple[str, Callable[[], tuple[nx.MultiDiGraph, pd.DataFrame]], dict[str, Any]]]
    cases = [
        ("sioux-falls (own integer times)", lambda: sioux_falls(perturb=False), {"ties": True}),
        ("sioux-falls (tie-free times)", lambda: sioux_falls(perturb=True), {"ties": False}),
        ("road-1k, 400 zones", lambda: road_case(1_000, 400, seed=args.seed), {"ties": False}),
    ]
    if not args.skip_big:
        cases.append(
            (
                f"road-{args.big_nodes // 1000}k, {args.big_zones} zones",
                lambda: road_case(args.big_nodes, args.big_zones, seed=args.seed),
                {"ties": False},
            )
        )
    for name, build, opts in cases:
        G, flows = build()
        sioux = name.startswith("sioux")
        for row in run_case(
            name,
            G,
            flows,
            repeat=args.repeat,
            nx_origins=None if sioux else args.nx_origins,
            block_centroids=not sioux,
            ties=opts["ties"],
        ):
            print(row, flush=True)
