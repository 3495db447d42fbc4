"""Benchmark (e): national scale, from an ``.osm.pbf`` to a checkpoint plan.

For each size a road-like network is generated and written as a real ``.osm.pbf``
(``benchmarks/road_network.py``), then, in a fresh child process (so its peak memory is
its own):

1. ``layers.osm.read_osm_roads``: stream the PBF with pyosmium into the roads layer (with
   every vertex's OSM node id);
2. ``geotraf.graph.build_route_graph``: noding by OSM node ids (the default for OSM
   input), snapping, places, build report, the MultiDiGraph; up to ``--geometry-max-ways``
   also with ``noding="geometry"`` (intersection search, as for non-OSM input), which
   gives the same graph on these networks;
3. beside it, **NetworkX** as a peer: the plain ``nx.MultiDiGraph`` an OSMnx-style loader
   makes from the same ways (one edge per consecutive node pair, both directions, length
   by haversine, no noding, no report) -- the floor any NetworkX-based builder pays;
4. ``geotraf.routing.assign``: ``--flows`` flows between ``--places`` places;
5. ``geotraf.checkpoints.plan(method="greedy")`` over ``--sites`` candidate sites
   (its evasion step included).

Times are wall-clock seconds (``time.perf_counter``), memory the child's peak resident
set (``ru_maxrss``). The machine is shared: the load average before and after each size is
printed, and ratios (geotraf / NetworkX) are the figures to compare across runs.

Usage::

    python benchmarks/bench_scale.py --ways 30000 100000 --flows 10000
"""

from __future__ import annotations

import argparse
import itertools
import math
import multiprocessing as mp
import os
import platform
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from road_network import write_road_network


def _networkx_peer(path: Path) -> tuple[float, int]:
    """Build the OSMnx-style plain NetworkX graph of the roads in ``path``; (seconds, edges)."""
    import networkx as nx
    import osmium

    start = time.perf_counter()
    G = nx.MultiDiGraph()
    fp = osmium.FileProcessor(str(path)).with_locations()
    for obj in fp.with_filter(osmium.filter.KeyFilter("highway")):
        if not obj.is_way() or obj.tags.get("highway") == "footway":
            continue
        pts = [(n.ref, n.location.lon, n.location.lat) for n in obj.nodes]
        for (a, ax, ay), (b, bx, by) in itertools.pairwise(pts):
            dx = math.radians(bx - ax) * math.cos(math.radians((ay + by) / 2))
            length = 6_371_008.8 * math.hypot(dx, math.radians(by - ay))
            G.add_edge(a, b, length=length, osmid=obj.id)
            G.add_edge(b, a, length=length, osmid=obj.id)
    return time.perf_counter() - start, G.number_of_edges()


def _run(
    path: str,
    n_places: int,
    n_flows: int,
    n_sites: int,
    with_plan: bool,
    with_geometry: bool,
    out: Any,
) -> None:
    import geopandas as gpd
    import pandas as pd

    from geotraf.checkpoints import plan
    from geotraf.graph import build_route_graph
    from geotraf.routing import assign
    from layers.osm import read_osm_roads

    times: dict[str, float] = {}
    t = time.perf_counter()
    roads = read_osm_roads(path)
    times["read"] = time.perf_counter() - t
    rng = np.random.default_rng(11)
    points = roads.geometry.representative_point()
    picks = rng.choice(len(points), n_places + n_sites, replace=False)
    places = gpd.GeoDataFrame(
        {
            "place_id": [f"t{i}" for i in range(n_places)],
            "name": [f"Town {i}" for i in range(n_places)],
            "country": "BEN",
            "role": "source;destination",
            "place_type": "city",
        },
        geometry=points.iloc[picks[:n_places]].to_numpy(),
        crs="EPSG:4326",
    )
    t = time.perf_counter()
    G = build_route_graph(roads, None, None, places)
    times["build"] = time.perf_counter() - t
    if with_geometry:
        t = time.perf_counter()
        H = build_route_graph(roads, None, None, places, noding="geometry")
        times["build_geometry"] = time.perf_counter() - t
        same = list(H.edges(keys=True)) == list(G.edges(keys=True))
        del H
    segments = int(sum(len(g.coords) - 1 for g in roads.geometry.explode().to_numpy()))
    peer_s, peer_edges = _networkx_peer(Path(path))
    times["networkx_peer"] = peer_s
    pairs = rng.integers(0, n_places, size=(n_flows, 2))
    pairs[:, 1] = np.where(pairs[:, 0] == pairs[:, 1], (pairs[:, 1] + 1) % n_places, pairs[:, 1])
    flows = pd.DataFrame(
        {
            "origin": [f"t{a}" for a in pairs[:, 0]],
            "destination": [f"t{b}" for b in pairs[:, 1]],
            "count": rng.integers(11, 300, n_flows),
        }
    )
    t = time.perf_counter()
    result = assign(G, flows, method="shortest")
    times["assign"] = time.perf_counter() - t
    sites = gpd.GeoDataFrame(
        {
            "site_id": [f"s{i}" for i in range(n_sites)],
            "name": [f"Site {i}" for i in range(n_sites)],
            "site_type": "truck_stop",
        },
        geometry=points.iloc[picks[n_places:]].to_numpy(),
        crs="EPSG:4326",
    )
    chosen = None
    if with_plan:
        t = time.perf_counter()
        chosen = plan(G, result, sites, budget=20, method="greedy")
        times["plan"] = time.perf_counter() - t
    out.put(
        {
            "roads": len(roads),
            "segments": segments,
            "nodes": G.number_of_nodes(),
            "edges": G.number_of_edges(),
            "peer_edges": peer_edges,
            "lost": len(G.graph["build_report"]["roads"]),
            "noding": G.graph["build_report"]["noding"],
            "same_as_geometry": same if with_geometry else None,
            "snap_m": G.graph["build_report"]["snap_tolerance_m"],
            "unrouted": len(result.unrouted),
            "chosen": len(chosen.sites) if chosen is not None else 0,
            "times": times,
            "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ways", type=int, nargs="+", default=[30_000, 100_000])
    parser.add_argument("--places", type=int, default=300)
    parser.add_argument("--flows", type=int, default=10_000)
    parser.add_argument("--sites", type=int, default=400)
    parser.add_argument(
        "--plan-max-ways",
        type=int,
        default=10_000_000,
        help="run the greedy plan only up to this many ways",
    )
    parser.add_argument(
        "--geometry-max-ways",
        type=int,
        default=100_000,
        help="also build with geometric noding up to this many ways (slow: intersections)",
    )
    args = parser.parse_args()
    print(f"# geotraf benchmark (e): national scale — {time.strftime('%Y-%m-%d')}")
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; the machine is shared with other work: load "
        "average (1 min) is printed before and after each size."
    )
    print()
    print(
        "| ways | segments | graph edges | write PBF s | read s | build s | NetworkX peer s "
        "| build / peer | geometric noding s | assign s | greedy plan s | peak RSS GB "
        "| load before/after |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    ctx = mp.get_context("spawn")
    for ways in args.ways:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "net.osm.pbf"
            stats = write_road_network(path, ways=ways)
            before = os.getloadavg()[0]
            queue = ctx.Queue()
            child = ctx.Process(
                target=_run,
                args=(
                    str(path),
                    args.places,
                    args.flows,
                    args.sites,
                    ways <= args.plan_max_ways,
                    ways <= args.geometry_max_ways,
                    queue,
                ),
            )
            child.start()
            r = queue.get()
            child.join()
            after = os.getloadavg()[0]
        t = r["times"]
        plan_s = f"{t['plan']:.1f}" if "plan" in t else "not run"
        geo_s = (
            f"{t['build_geometry']:.1f}{'' if r['same_as_geometry'] else ' (differs)'}"
            if "build_geometry" in t
            else "not run"
        )
        print(
            f"| {r['roads']:,} | {r['segments']:,} | {r['edges']:,} | {stats.seconds:.1f} "
            f"| {t['read']:.1f} | {t['build']:.1f} | {t['networkx_peer']:.1f} "
            f"| {t['build'] / t['networkx_peer']:.2f} | {geo_s} | {t['assign']:.1f} "
            f"| {plan_s} "
            f"| {r['peak_rss_gb']:.2f} | {before:.1f}/{after:.1f} |",
            flush=True,
        )
    print()
    print(
        f"{args.flows:,} flows between {args.places} places; greedy plan of 20 sites out of "
        f"{args.sites}. Build report: every road in the graph or listed (lost roads are "
        "counted in the JSON of `geotraf build`); noding: "
        f"{r['noding']}, {r['lost']} road(s) listed as merged."
    )


if __name__ == "__main__":
    main()
