"""Dask scaling of the assignment: one process beside a LocalCluster of 1, 2, … workers.

``python benchmarks/bench_dask.py [--sizes 1000 4000 12000] [--zones 300] [--workers 1 2]``

For each size, a road-like grid (:func:`bench_assignment.road_like_graph`) with
``--zones`` places and all ordered pairs between them (:func:`_od_cases.road_case`) is
assigned on free-flow time, in this one process, by:

- geotraf ``assign(G, flows)`` in the calling process (no Dask);
- the same call with ``client=`` a ``dask.distributed`` ``LocalCluster`` of each worker
  count in ``--workers`` (one thread per worker; the cluster is started before the clock
  and the CSR graph is scattered inside the timed call, as the CLI's ``--dask`` does);
- plain NetworkX (``single_source_dijkstra`` per origin plus the path walk) on
  ``--nx-origins`` origins, extrapolated linearly to all origins.

Each engine runs ``--repeat`` times, interleaved; medians are printed with each time's
ratio to the one-process run, and the edge loads of every Dask run are checked equal to
the one-process loads (the script fails otherwise). On a machine with C cores, worker
counts above C measure only overhead: record the machine's cores with the table.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from _od_cases import road_case
from _peers import networkx_aon

from geotraf.routing import assign
from geotraf.scale import dask_client


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def _row(G: nx.MultiDiGraph, flows: pd.DataFrame, args: argparse.Namespace) -> list[str]:
    """Time one size on every engine (interleaved) and return its table cells."""
    assign(G, flows.head(50), show_progress=None)  # kernels loaded before the clock
    alone: list[float] = []
    on_dask: dict[int, list[float]] = {w: [] for w in args.workers}
    reference = None
    identical = True
    with contextlib.ExitStack() as stack:
        clients = {w: stack.enter_context(dask_client("local", n_workers=w)) for w in args.workers}
        for _ in range(args.repeat):
            seconds, result = _timed(lambda: assign(G, flows, show_progress=None))
            alone.append(seconds)
            reference = result.edge_load if reference is None else reference
            for w, client in clients.items():
                seconds, got = _timed(
                    lambda c=client: assign(G, flows, client=c, show_progress=None)
                )
                on_dask[w].append(seconds)
                identical = identical and bool((got.edge_load - reference).abs().max() <= 1e-9)
    if not identical:
        raise SystemExit("Dask loads differ from the one-process loads")
    origins = flows["origin"].unique()
    sample = flows[flows["origin"].isin(origins[: args.nx_origins])]
    peer = networkx_aon(G, sample)
    nx_full = peer.setup_s + peer.assign_s * len(origins) / min(args.nx_origins, len(origins))
    base = statistics.median(alone)
    cells = [
        f"{G.number_of_nodes():,} / {G.number_of_edges():,}",
        f"{len(flows):,}",
        f"**{base:.2f} s**",
    ]
    for w in args.workers:
        t = statistics.median(on_dask[w])
        cells.append(f"{t:.2f} s ({base / t:.2f}×)")
    cells.append(f"{nx_full:.1f} s ({nx_full / base:.0f}× slower)")
    cells.append("identical")
    return cells


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 4000, 12000])
    parser.add_argument("--zones", type=int, default=300)
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--nx-origins", type=int, default=10)
    args = parser.parse_args(argv)

    print(f"machine: {os.cpu_count()} cores; load average before: {os.getloadavg()[0]:.1f}")
    header = ["nodes / links", "OD pairs", "one process"]
    header += [f"Dask {w} worker{'s' if w > 1 else ''}" for w in args.workers]
    header += ["NetworkX (extrapolated)", "loads"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for size in args.sizes:
        G, flows = road_case(size, args.zones, seed=size)
        print("| " + " | ".join(_row(G, flows, args)) + " |", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.1f}; numpy {np.__version__}")


if __name__ == "__main__":
    main()
