"""Benchmark (a): many-to-many assignment, geotraf's CSR engine vs plain NetworkX.

A road-like graph (a perturbed grid: jittered junctions, random speeds, a few roads
removed, two directed edges per road, places hanging off junctions by access edges, all
attributes as in docs/contracts.md) carries flows from ``--origins`` origin places to
``--dests`` destination places each. Both engines compute every flow's fastest path on
``travel_time_s`` and add the flow's count to the edges it uses:

- NetworkX: one ``nx.single_source_dijkstra`` per origin, then walk each path and add the
  count to the cheapest parallel edge of every hop (what one would write by hand);
- geotraf: ``geotraf.routing.assign(method="shortest")``, CSR view + ``scipy`` Dijkstra
  grouped by origin, vectorised path walk and load accumulation (graph → CSR included).

NetworkX at full size takes many minutes, so by default it runs on the first
``--nx-origins`` origins and its time is extrapolated linearly to all origins (its work is
one independent Dijkstra per origin). Loads are compared on that subset: geotraf is run
on the same subset flows and the maximum absolute difference of edge and node loads is
printed and asserted to be zero (up to float summation, 1e-9).

Peak memory is measured with :mod:`tracemalloc` (Python and numpy allocations during the
call, graph already built) in a separate run, since tracing slows Python code.

Usage::

    python benchmarks/bench_assignment.py --nodes 202500 --origins 200 --dests 5
    python benchmarks/bench_assignment.py od    # many-OD cases beside AequilibraE

The ``od`` cases are described in ``benchmarks/_od_cases.py``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import math
import os
import platform
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from geotraf.routing import assign


def road_like_graph(n_nodes: int, *, seed: int) -> nx.MultiDiGraph:
    """A perturbed grid of about ``n_nodes`` junctions, two directed edges per road."""
    rng = np.random.default_rng(seed)
    side = math.isqrt(n_nodes - 1) + 1
    ids = np.arange(side * side).reshape(side, side)
    # ~1 km spacing around Laos/Thailand, jittered so that lengths differ.
    lon = 100.0 + np.arange(side)[None, :] * 0.009 + rng.uniform(-0.003, 0.003, (side, side))
    lat = 14.0 + np.arange(side)[:, None] * 0.009 + rng.uniform(-0.003, 0.003, (side, side))
    lon, lat = lon.ravel(), lat.ravel()
    u = np.concatenate([ids[:, :-1].ravel(), ids[:-1, :].ravel()])
    v = np.concatenate([ids[:, 1:].ravel(), ids[1:, :].ravel()])
    keep = rng.random(len(u)) > 0.05  # a few missing roads make the grid irregular
    u, v = u[keep], v[keep]
    coslat = np.cos(np.radians(lat[u]))
    length = 111_320.0 * np.hypot((lon[u] - lon[v]) * coslat, lat[u] - lat[v])
    speed = rng.choice([40.0, 50.0, 65.0, 80.0, 100.0], len(u), p=[0.4, 0.3, 0.15, 0.1, 0.05])
    speed = speed * rng.uniform(0.8, 1.2, len(u))  # random floats: unique shortest paths
    time_s = length / (speed / 3.6)
    G = nx.MultiDiGraph(crs="EPSG:4326", name=f"grid-{side}x{side}", unattached=[])
    G.add_nodes_from(
        (
            f"j{i}",
            {
                "x": float(lon[i]),
                "y": float(lat[i]),
                "kind": "junction",
                "country": "THA",
                "name": "",
            },
        )
        for i in range(side * side)
    )
    edges = []
    for a, b, t, m in zip(u.tolist(), v.tolist(), time_s.tolist(), length.tolist(), strict=True):
        for s, d in ((a, b), (b, a)):
            edges.append(
                (
                    f"j{s}",
                    f"j{d}",
                    0,
                    {
                        "travel_time_s": t,
                        "length_m": m,
                        "road_class": "primary",
                        "ref": "",
                        "name": "",
                        "road_id": "",
                        "country": "THA",
                        "border": False,
                        "crossing_id": "",
                        "informal": False,
                        "edge_id": f"j{s}|j{d}|0",
                    },
                )
            )
    G.add_edges_from(edges)
    return G


def add_places(G: nx.MultiDiGraph, junctions: list[str], *, seed: int) -> list[str]:
    """Attach one place per junction by a 2-minute access edge; return the place_ids."""
    rng = np.random.default_rng(seed)
    out = []
    for i, j in enumerate(junctions):
        pid = f"P{i}"
        G.add_node(
            f"p:{pid}",
            x=G.nodes[j]["x"],
            y=G.nodes[j]["y"],
            kind="place",
            country="THA",
            name=pid,
            place_id=pid,
            place_type="city",
            role="source;destination",
            population=int(rng.integers(1000, 10**6)),
        )
        for s, d in ((f"p:{pid}", j), (j, f"p:{pid}")):
            G.add_edge(
                s,
                d,
                key=0,
                travel_time_s=120.0,
                length_m=1000.0,
                road_class="access",
                ref="",
                edge_id=f"{s}|{d}|0",
                crossing_id="",
            )
        out.append(pid)
    return out


def networkx_loads(
    G: nx.MultiDiGraph, flows: pd.DataFrame
) -> tuple[dict[tuple[str, str, int], float], dict[str, float]]:
    """Plain NetworkX: one Dijkstra per origin, walk each path, add counts."""
    edge_load: dict[tuple[str, str, int], float] = {}
    node_load: dict[str, float] = {}
    for origin, group in flows.groupby("origin", sort=False):
        _, paths = nx.single_source_dijkstra(G, f"p:{origin}", weight="travel_time_s")
        for dest, count in zip(group["destination"], group["count"], strict=True):
            path = paths.get(f"p:{dest}")
            if path is None:
                continue
            for node in path:
                node_load[node] = node_load.get(node, 0.0) + count
            for a, b in itertools.pairwise(path):
                parallel = G[a][b]
                key = min(parallel, key=lambda k: (parallel[k]["travel_time_s"], k))
                edge_load[(a, b, key)] = edge_load.get((a, b, key), 0.0) + count
    return edge_load, node_load


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def peak_mb(fn: Callable[[], Any]) -> float:
    tracemalloc.start()
    tracemalloc.reset_peak()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def grid_main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=202_500, help="grid junctions")
    parser.add_argument("--origins", type=int, default=200)
    parser.add_argument("--dests", type=int, default=5, help="destinations per origin")
    parser.add_argument(
        "--nx-origins",
        type=int,
        default=8,
        help="origins NetworkX is timed on (extrapolated to --origins)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc runs")
    args = parser.parse_args(argv)

    (G, build_s) = timed(lambda: road_like_graph(args.nodes, seed=args.seed))
    rng = np.random.default_rng(args.seed)
    junctions = [f"j{i}" for i in rng.choice(G.number_of_nodes(), args.origins * 2, replace=False)]
    places = add_places(G, junctions, seed=args.seed)
    origins, dest_pool = places[: args.origins], places[args.origins :]
    flows = pd.DataFrame(
        [
            {"origin": o, "destination": d, "count": int(rng.integers(1, 200))}
            for o in origins
            for d in rng.choice(dest_pool, args.dests, replace=False)
        ]
    )
    n_sub = min(args.nx_origins, args.origins)
    subset = flows[flows["origin"].isin(origins[:n_sub])]

    print(f"# geotraf benchmark (a): many-to-many assignment — {dt.date.today().isoformat()}")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, networkx {nx.__version__}"
    )
    print(
        f"graph: {G.number_of_nodes():,} nodes, {G.number_of_edges():,} edges "
        f"(built in {build_s:.1f} s); {len(flows):,} flows from {args.origins} origins "
        f"× {args.dests} destinations"
    )

    ours, ours_s = timed(lambda: assign(G, flows, method="shortest"))
    ours_sub, ours_sub_s = timed(lambda: assign(G, subset, method="shortest"))
    (nx_edges, nx_nodes), nx_sub_s = timed(lambda: networkx_loads(G, subset))
    nx_full_s = nx_sub_s * args.origins / n_sub

    edge_ref = pd.Series(
        list(nx_edges.values()),
        index=pd.MultiIndex.from_tuples(list(nx_edges), names=["u", "v", "key"]),
        dtype=float,
    ).reindex(ours_sub.edge_load.index, fill_value=0.0)
    node_ref = pd.Series(nx_nodes, dtype=float).reindex(ours_sub.node_load.index, fill_value=0.0)
    edge_diff = float((ours_sub.edge_load - edge_ref).abs().max())
    node_diff = float((ours_sub.node_load - node_ref).abs().max())
    assert len(ours.unrouted) == 0, ours.unrouted
    assert edge_diff <= 1e-9 and node_diff <= 1e-9, (edge_diff, node_diff)
    assert set(edge_ref.index[edge_ref > 0]) == set(nx_edges)

    ratio = nx_full_s / ours_s
    rows = [
        (
            "networkx, per-origin Dijkstra + path walk",
            f"{nx_sub_s:.2f} s on {n_sub} origins",
            f"{nx_full_s:.1f} s (extrapolated)",
        ),
        (
            "geotraf assign (CSR + scipy)",
            f"{ours_sub_s:.2f} s on {n_sub} origins",
            f"{ours_s:.2f} s (measured)",
        ),
    ]
    print()
    print(f"| engine | subset | all {args.origins} origins |")
    print("|---|---|---|")
    for row in rows:
        print(f"| {' | '.join(row)} |")
    print(
        f"\nspeed-up at {args.origins} origins: {ratio:.0f}× "
        f"(NetworkX extrapolated linearly from {n_sub} origins)"
    )
    print(
        f"loads on the subset: max |Δ edge load| = {edge_diff:.3g}, "
        f"max |Δ node load| = {node_diff:.3g} ({len(nx_edges):,} loaded edges) — identical"
    )
    if not args.no_memory:
        nx_peak = peak_mb(lambda: networkx_loads(G, subset[subset["origin"] == origins[0]]))
        ours_peak = peak_mb(lambda: assign(G, flows, method="shortest"))
        print(
            f"peak memory (tracemalloc, allocations during the call, graph excluded): "
            f"networkx {nx_peak:.0f} MB for one origin (it holds one origin's dist+paths "
            f"at a time), geotraf {ours_peak:.0f} MB for all {args.origins} origins"
        )
    assert ratio >= 20, f"speed-up {ratio:.1f}× is below the 20× target"


def main() -> None:
    """``bench_assignment.py [grid|od|dashboard] [options]``: the 200k-node grid (default),
    the many-OD cases (:mod:`_od_cases`: generated networks and Sioux Falls beside
    AequilibraE) or the dashboard's one-off assignment (:mod:`_dashboard_oneoff`)."""
    import sys

    argv = sys.argv[1:]
    case = argv.pop(0) if argv and argv[0] in ("grid", "od", "dashboard") else "grid"
    if case == "dashboard":
        from _dashboard_oneoff import main as oneoff_main

        oneoff_main(argv)
    elif case == "od":
        from _od_cases import main as od_main

        od_main(argv)
    else:
        grid_main(argv)


if __name__ == "__main__":
    main()
