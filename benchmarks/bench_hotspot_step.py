"""Benchmark the per-filter-state hotspot and corridor step: the original against today's.

Run: ``.venv/bin/python benchmarks/bench_hotspot_step.py [--synthetic] [--states 60]``.
Not a test: it prints the figures recorded in ``benchmarks/README.md`` ("Load").

What the Corridors tables callback computes for each new filter state is the filtered
assignment, then ``hotspots()`` (top 15) and ``corridors()`` of it. This runs, in one
process and interleaved state by state (so that a busy machine slows both alike):

- **original**: the frozen per-hotspot pandas version (``tests/_hotspots_reference.py``);
- **today**: ``geotraf.hotspots.hotspots``/``corridors`` given the network's
  :class:`geotraf.hotspot_index.HotspotIndex` (built once per region, timed apart);
- **tables**: the whole ``analysis_tables`` (filtered assignment, both rankings and the
  suppression) as the page calls it.

Each pair of results is checked equal (the benchmark stops if not). Region: the bundled
Mekong demo with its *released* flows, as the page assigns them (default), or the
synthetic 50,000-flow grid of ``bench_callbacks.py`` (``--synthetic``). Filter states:
the load benchmark's set (5 year ranges × 4 exploitation choices × 3 sex choices).
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

YEARS = [(2018, 2024), (2020, 2024), (2022, 2024), (2018, 2020), (2023, 2023)]
EXPLOITATION: list[tuple[str, ...]] = [
    (),
    ("sexual",),
    ("forced_labour",),
    ("sexual", "forced_labour"),
]
SEX: list[tuple[str, ...]] = [(), ("female",), ("male",)]


def _states(n: int) -> list[Any]:
    from dashboard.corridors_state import CorridorState

    every = [
        CorridorState(year_min=y[0], year_max=y[1], exploitation=e, sex=s)
        for y, e, s in itertools.product(YEARS, EXPLOITATION, SEX)
    ]
    return (every * (n // len(every) + 1))[:n]


def _mekong_network() -> Any:
    from dashboard import corridors_model as cm
    from dashboard.app import create_app
    from dashboard.auth import DEMO_ACCOUNTS, write_accounts

    tmp = Path(tempfile.mkdtemp(prefix="bench-hotspot-step-"))
    os.environ["GEOTRAF_INSTANCE"] = str(tmp / "instance")
    users = write_accounts(tmp / "users.toml", DEMO_ACCOUNTS)
    app = create_app(region="mekong", users_file=users, secret_key="bench")
    with app.server.test_request_context():
        from dashboard.data import current_view

        return cm.corridor_network(current_view().path)


def _synthetic_network() -> Any:
    from bench_callbacks import make_region

    from dashboard.corridors_network import build_network
    from geotraf.routing import assign

    tmp = Path(tempfile.mkdtemp(prefix="bench-hotspot-step-"))
    region, graph = make_region(50_000, 200, tmp / "region")
    flows = region.flows.reset_index(drop=True)
    assignment = assign(graph, flows, places=region.places)
    return build_network(str(tmp), "shortest", graph, region, assignment, synthetic=True)


def _ms(seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return (
        f"mean {statistics.fmean(ms):6.1f}  p50 {statistics.median(ms):6.1f}  "
        f"p95 {float(np.percentile(ms, 95)):6.1f}  max {max(ms):6.1f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--synthetic", action="store_true", help="the 50,000-flow grid")
    parser.add_argument("--states", type=int, default=60)
    args = parser.parse_args()

    import _hotspots_reference as reference
    from test_hotspots_equivalence import assert_same, assert_same_runs

    from dashboard.corridors_tables import analysis_tables, filtered_assignment
    from geotraf.hotspots import corridors, hotspots

    t0 = time.perf_counter()
    net = _synthetic_network() if args.synthetic else _mekong_network()
    print(
        f"region: {'synthetic grid' if args.synthetic else 'Mekong demo, released flows'}: "
        f"{net.n_flows:,} flow rows, {net.graph.number_of_nodes():,} nodes, "
        f"{net.graph.number_of_edges():,} edges (network built in {time.perf_counter() - t0:.1f} s)"
    )
    t0 = time.perf_counter()
    index = net.hotspot_index
    print(f"hotspot index, once per region: {(time.perf_counter() - t0) * 1000:.0f} ms")
    region = net.region
    layers = {"incidents": getattr(region, "incidents", None), "sites": region.sites}
    old, new, tables = [], [], []
    for state in _states(args.states):
        sub = filtered_assignment(net, state)
        if sub.routed <= 0:
            continue
        t0 = time.perf_counter()
        old_spots = reference.hotspots(net.graph, sub, **layers, top=15)
        old_runs = reference.corridors(net.graph, sub)
        old.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        new_spots = hotspots(net.graph, sub, **layers, top=15, index=index)
        new_runs = corridors(net.graph, sub, index=index)
        new.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        analysis_tables(net, state)
        tables.append(time.perf_counter() - t0)
        assert_same(new_spots, old_spots)
        assert_same_runs(new_runs, old_runs)
    print(
        f"{len(new)} filter states, hotspots (top 15) + corridors, results equal; "
        f"load average {os.getloadavg()[0]:.1f} ({platform.python_version()}, "
        f"{os.cpu_count()} cores)"
    )
    print(f"  original   {_ms(old)}")
    print(f"  today      {_ms(new)}")
    print(f"  tables     {_ms(tables)}  (whole analysis_tables, today)")
    ratio = statistics.median(o / n for o, n in zip(old, new, strict=True))
    print(f"  original / today, median of per-state ratios: {ratio:.1f}×")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
