"""The dashboard's one-off per-process assignment, timed on ``bench_callbacks``' region.

``python benchmarks/bench_assignment.py dashboard [--flows 50000] [--repeat 3]``: builds
the synthetic region of ``bench_callbacks.py`` (a 100 × 101 junction grid, 200 towns,
``--flows`` flow rows), then times, ``--repeat`` times each (medians): ``assign`` alone,
reading its per-flow table, and the Corridors page's ``corridor_network`` (assignment +
flows × segments sparse index, the region reader and graph builder swapped as in
``bench_callbacks``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="dashboard one-off assignment")
    parser.add_argument("--flows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    here = Path(__file__).resolve().parent
    sys.path[:0] = [str(here.parent), str(here.parent / "tests")]
    from bench_callbacks import make_region

    from dashboard import corridors_network, data
    from geotraf.routing import assign

    tmp = Path(tempfile.mkdtemp(prefix="bench-oneoff-"))
    region, graph = make_region(args.flows, 200, tmp / "region")
    (tmp / "region").mkdir(parents=True, exist_ok=True)
    data.load_region = lambda path: region  # type: ignore[assignment]
    corridors_network.route_graph = lambda path: graph  # type: ignore[assignment]
    # The uncached builder behind the page's corridor_network, on the raw flows (the page
    # assigns the DP release of them: the same work on as many flows).
    cached = corridors_network._corridor_network
    build = getattr(cached, "__wrapped__", cached)
    a_s, a_cpu, p_s, n_s, load = [], [], [], [], []
    net = None
    assign(graph, region.flows.head(10), places=region.places)  # compiled code loaded once
    for _ in range(args.repeat):
        load.append(os.getloadavg()[0])
        start, cpu = time.perf_counter(), time.process_time()
        result = assign(graph, region.flows, places=region.places)
        a_s.append(time.perf_counter() - start)
        a_cpu.append(time.process_time() - cpu)
        start = time.perf_counter()
        _ = result.paths
        p_s.append(time.perf_counter() - start)
        start = time.perf_counter()
        net = build(str((tmp / "region").resolve()), "shortest", "raw", "")
        n_s.append(time.perf_counter() - start)
    assert net is not None
    print(
        f"{graph.number_of_nodes():,} nodes, {graph.number_of_edges():,} edges, "
        f"{len(region.flows):,} flows: assign {statistics.median(a_s):.2f} s "
        f"({statistics.median(a_cpu):.2f} s CPU), reading the "
        f"per-flow table {statistics.median(p_s):.2f} s, corridor_network "
        f"{statistics.median(n_s):.2f} s; sparse index {net.segment_flow.shape}, "
        f"{net.segment_flow.nnz:,} non-zeros; load average {statistics.median(load):.1f}"
    )
