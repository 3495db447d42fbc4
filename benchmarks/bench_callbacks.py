"""Benchmark the Corridors filter callback at scale, and the first page load in chromium.

Run: ``.venv/bin/python benchmarks/bench_callbacks.py [--flows 50000] [--changes 60]``.
Not a test: it prints the figures recorded in ``benchmarks/README.md``.

Synthetic region (documented generator, seed 20240601)
------------------------------------------------------
- Roads: a 100 × 101 grid of junctions 0.1° apart over 95–105 °E, 10–20 °N; every pair
  of neighbours is joined by one two-way road piece, 19,999 road segments in all (39,998
  directed edges), geodesic lengths, classes trunk/primary/secondary by row and column.
- Places: 200 towns on random junctions, each attached by a 500 m access road (so the map
  has 20,199 segments); roles source, transit and destination.
- Flows: 50,000 rows between random pairs of towns, years 2015–2024, counts 1–200 (a
  quarter of them below the suppression threshold), every category of the schema drawn
  uniformly (exploitation, sector, sex, age group, mode).

The route graph is built directly (not from files) in the shape of docs/contracts.md, and
the dashboard's region reader and graph builder are swapped for it, as the dashboard tests
do; everything else — assignment, the cached sparse index, the callback, Flask, Dash's
JSON — is the production code path.

What is measured
----------------
1. One-off per process: the assignment and the sparse flows × segments index.
2. Server time of the Corridors filter callback (``update_corridors``: loads, headline,
   markers and tables, the one request a filter change makes) over ``--changes`` filter
   changes, through Flask's test client posting to ``/_dash-update-component`` as an
   analyst (role check, audit line and JSON included): p50 / p95 ms, payload KB.
3. The same callback on a few more new states (hotspots and corridors of the filtered
   flows computed, not cached).
4. First page load in headless Debian chromium (Playwright): login form submitted →
   Corridors map drawn with its corridor lines, caches warm.
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
from pyproj import Geod
from shapely.geometry import LineString, Point, box

from dashboard.offline import CHROMIUM, CHROMIUM_OFFLINE_ARGS

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

SEED = 20240601
COLS, ROWS = 100, 101
STEP = 0.1
WEST, SOUTH = 95.0, 10.0


@dataclass(frozen=True)
class SyntheticRegion:
    """The attributes of ``layers.Region`` the dashboard reads."""

    places: gpd.GeoDataFrame
    roads: gpd.GeoDataFrame
    borders: gpd.GeoDataFrame
    crossings: None
    flows: pd.DataFrame
    incidents: None
    sites: None
    path: Path
    synthetic: bool = True


def make_graph(n_places: int, rng: np.random.Generator) -> tuple[nx.MultiDiGraph, list[str]]:
    """Return the grid route graph and the place ids (see the module docstring)."""
    geod = Geod(ellps="WGS84")
    G = nx.MultiDiGraph(crs="EPSG:4326", name="bench")
    for i in range(COLS):
        for j in range(ROWS):
            G.add_node(
                f"j{i}_{j}",
                x=WEST + i * STEP,
                y=SOUTH + j * STEP,
                kind="junction",
                country="THA",
                name="",
            )
    pairs = [((i, j), (i + 1, j)) for i in range(COLS - 1) for j in range(ROWS)]
    pairs += [((i, j), (i, j + 1)) for i in range(COLS) for j in range(ROWS - 1)]
    lon0 = np.array([WEST + a[0] * STEP for a, _ in pairs])
    lat0 = np.array([SOUTH + a[1] * STEP for a, _ in pairs])
    lon1 = np.array([WEST + b[0] * STEP for _, b in pairs])
    lat1 = np.array([SOUTH + b[1] * STEP for _, b in pairs])
    _, _, dist = geod.inv(lon0, lat0, lon1, lat1)
    for k, ((a, b), length) in enumerate(zip(pairs, dist, strict=True)):
        horizontal = a[1] == b[1]
        line = a[1] if horizontal else a[0]
        road_class = "trunk" if line % 10 == 0 else "primary" if line % 3 == 0 else "secondary"
        speed = {"trunk": 80.0, "primary": 65.0, "secondary": 50.0}[road_class]
        ref = f"{'H' if horizontal else 'V'}{line}"
        u, v = f"j{a[0]}_{a[1]}", f"j{b[0]}_{b[1]}"
        geom = LineString([(lon0[k], lat0[k]), (lon1[k], lat1[k])])
        for s, t in ((u, v), (v, u)):
            G.add_edge(
                s,
                t,
                key=0,
                edge_id=f"{s}|{t}|0",
                length_m=float(length),
                travel_time_s=float(length) / speed * 3.6,
                speed_kph=speed,
                road_class=road_class,
                ref=ref,
                name=f"Road {ref}",
                road_id=f"r{k}",
                country="THA",
                border=False,
                crossing_id="",
                informal=False,
                schematic=False,
                geometry=geom if s == u else geom.reverse(),
            )
    chosen = rng.choice(COLS * ROWS, size=n_places, replace=False)
    places = []
    for n, cell in enumerate(chosen):
        i, j = divmod(int(cell), ROWS)
        pid, node = f"P{n}", f"p:P{n}"
        x, y = WEST + i * STEP + 0.004, SOUTH + j * STEP + 0.003
        G.add_node(
            node,
            x=x,
            y=y,
            kind="place",
            place_id=pid,
            name=f"Town {n}",
            country="THA",
            role="source;transit;destination",
            place_type="city",
            population=int(rng.integers(15_000, 2_000_000)),
        )
        junction = f"j{i}_{j}"
        geom = LineString([(x, y), (WEST + i * STEP, SOUTH + j * STEP)])
        for s, t in ((node, junction), (junction, node)):
            G.add_edge(
                s,
                t,
                key=0,
                edge_id=f"{s}|{t}|0",
                length_m=500.0,
                travel_time_s=60.0,
                speed_kph=30.0,
                road_class="access",
                ref="",
                name="",
                road_id="",
                country="THA",
                border=False,
                crossing_id="",
                informal=False,
                schematic=False,
                geometry=geom if s == node else geom.reverse(),
            )
        places.append(pid)
    return G, places


def make_region(n_flows: int, n_places: int, folder: Path) -> tuple[SyntheticRegion, Any]:
    """Return the synthetic region and its route graph."""
    from layers.schema import AGE_GROUPS, EXPLOITATION, MODES, SECTORS, SEXES

    rng = np.random.default_rng(SEED)
    G, place_ids = make_graph(n_places, rng)
    origin = rng.integers(0, n_places, n_flows)
    dest = (origin + rng.integers(1, n_places, n_flows)) % n_places
    flows = pd.DataFrame(
        {
            "origin": [place_ids[i] for i in origin],
            "destination": [place_ids[i] for i in dest],
            "year": rng.integers(2015, 2025, n_flows),
            "count": rng.integers(1, 201, n_flows),
            "exploitation": rng.choice(EXPLOITATION, n_flows),
            "sector": rng.choice(SECTORS, n_flows),
            "sex": rng.choice(SEXES, n_flows),
            "age_group": rng.choice(AGE_GROUPS, n_flows),
            "mode": rng.choice(MODES, n_flows),
            "synthetic": True,
        }
    )
    place_nodes = [(n, d) for n, d in G.nodes(data=True) if d.get("kind") == "place"]
    places = gpd.GeoDataFrame(
        {
            "place_id": [d["place_id"] for _, d in place_nodes],
            "name": [d["name"] for _, d in place_nodes],
            "country": "THA",
            "role": "source;transit;destination",
            "place_type": "city",
            "admin1": "",
            "population": [d["population"] for _, d in place_nodes],
        },
        geometry=[Point(d["x"], d["y"]) for _, d in place_nodes],
        crs="EPSG:4326",
    )
    roads = gpd.GeoDataFrame(
        {
            "road_id": [d["road_id"] for u, v, d in G.edges(data=True) if d["road_id"]][::2],
            "road_class": [d["road_class"] for *_, d in G.edges(data=True) if d["road_id"]][::2],
            "ref": [d["ref"] for *_, d in G.edges(data=True) if d["road_id"]][::2],
        },
        geometry=[d["geometry"] for *_, d in G.edges(data=True) if d["road_id"]][::2],
        crs="EPSG:4326",
    )
    borders = gpd.GeoDataFrame(
        {"country": ["THA"], "name": ["Synthetic land"]},
        geometry=[box(WEST - 1, SOUTH - 1, WEST + COLS * STEP + 1, SOUTH + ROWS * STEP + 1)],
        crs="EPSG:4326",
    )
    return SyntheticRegion(places, roads, borders, None, flows, None, None, folder), G


def _filters(rng: np.random.Generator) -> dict[str, Any]:
    from dashboard.corridors_model import CATEGORY_FILTERS

    values: dict[str, Any] = {"corridors-method.value": "shortest"}
    y0 = int(rng.integers(2015, 2025))
    values["corridors-years.value"] = [y0, int(rng.integers(y0, 2025))]
    controls = {
        "exploitation": "exploitation",
        "sector": "sector",
        "sex": "sex",
        "age_group": "age",
        "mode": "mode",
    }
    for name, (_, allowed, _) in CATEGORY_FILTERS.items():
        if rng.random() < 0.5:
            k = int(rng.integers(1, len(allowed)))
            values[f"corridors-{controls[name]}.value"] = list(
                rng.choice(allowed, k, replace=False)
            )
    return values


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--flows", type=int, default=50_000)
    parser.add_argument("--places", type=int, default=200)
    parser.add_argument("--changes", type=int, default=60)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    from _analysis_fixtures import dash_body
    from _dashboard_fixtures import login

    from dashboard import corridors_model as cm
    from dashboard import corridors_network, data
    from dashboard.app import create_app
    from dashboard.auth import DEMO_ACCOUNTS, write_accounts

    tmp = Path(tempfile.mkdtemp(prefix="bench-callbacks-"))
    t0 = time.perf_counter()
    region, graph = make_region(args.flows, args.places, tmp / "region")
    (tmp / "region").mkdir(parents=True, exist_ok=True)
    built = time.perf_counter() - t0
    n_segments = sum(1 for *_, d in graph.edges(data=True) if d["road_id"]) // 2
    print(
        f"synthetic region: {len(region.flows):,} flows, {n_segments:,} road segments "
        f"({graph.number_of_edges():,} directed edges incl. access), built in {built:.1f} s"
    )

    # The production code path, with the region reader and graph builder swapped.
    data.load_region = lambda path: region  # type: ignore[assignment]
    # The facade (the page imports it from there) and the module that builds the network.
    cm.route_graph = corridors_network.route_graph = lambda path: graph  # type: ignore[assignment]
    users = write_accounts(tmp / "instance" / "users.toml", DEMO_ACCOUNTS)
    app = create_app(region=str(tmp / "region"), users_file=users, secret_key="bench")
    path = str((tmp / "region").resolve())

    t0 = time.perf_counter()
    with app.server.app_context():  # the app's releases folder, as the callbacks use
        net = cm.corridor_network(path, "shortest")
    index_s = time.perf_counter() - t0
    print(
        f"one-off assignment + sparse index: {index_s:.1f} s; matrix "
        f"{net.segment_flow.shape[0]:,} segments × {net.segment_flow.shape[1]:,} flows, "
        f"{net.segment_flow.nnz:,} non-zeros"
    )

    client = app.server.test_client()
    login(client, "analyst")
    rng = np.random.default_rng(SEED)
    client.post("/_dash-update-component", json=dash_body(app, "corridors-loads", {}))
    times, sizes = [], []
    for _ in range(args.changes):
        body = dash_body(app, "corridors-loads", _filters(rng))
        t0 = time.perf_counter()
        resp = client.post("/_dash-update-component", json=body)
        times.append((time.perf_counter() - t0) * 1000)
        assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
        sizes.append(len(resp.data) / 1024)
    p50 = statistics.median(times)
    p95 = float(np.percentile(times, 95))
    print(
        f"corridor-filter callback over {args.changes} filter changes: p50 {p50:.0f} ms, "
        f"p95 {p95:.0f} ms, max {max(times):.0f} ms; payload median "
        f"{statistics.median(sizes):.0f} KB (max {max(sizes):.0f} KB)"
    )
    geometry = client.post(
        "/_dash-update-component",
        json=dash_body(app, "corridors-geometry", {"corridors-init.data": 0}),
    )
    print(f"geometry sent once per page load: {len(geometry.data) / 1024:.0f} KB")

    table_times = []
    for _ in range(3):
        body = dash_body(app, "corridors-loads", _filters(rng))
        t0 = time.perf_counter()
        resp = client.post("/_dash-update-component", json=body)
        table_times.append(time.perf_counter() - t0)
        assert resp.status_code == 200
    print(
        f"filter callback on 3 more new states (tables computed): "
        f"{', '.join(f'{s:.1f}' for s in table_times)} s"
    )

    result = {
        "flows": len(region.flows),
        "segments": n_segments,
        "p50_ms": round(p50, 1),
        "p95_ms": round(p95, 1),
        "payload_kb": round(statistics.median(sizes), 1),
    }
    if not args.no_browser:
        result["first_load_s"] = round(_first_load(app), 2)
        print(
            f"first page load, login submitted → Corridors map drawn (warm caches): "
            f"{result['first_load_s']:.2f} s"
        )
    print(
        json.dumps(
            {
                **result,
                "machine": platform.node(),
                "cpu": platform.processor() or platform.machine(),
                "date": time.strftime("%Y-%m-%d"),
            }
        )
    )
    return 0


def _first_load(app: Any) -> float:
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=str(CHROMIUM), args=list(CHROMIUM_OFFLINE_ARGS)
            )
            page = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
            page.set_default_timeout(120_000)
            page.goto(f"{url}/login?next=/corridors")
            page.fill("#username", "analyst")
            page.fill("#password", "analyst-demo")
            start = time.perf_counter()
            page.click("#login-submit")
            page.wait_for_function(
                """() => { const gd = document.querySelector('#corridors-map .js-plotly-plot');
                    return gd && gd.data && gd.data.some(t => t.legendgroup === 'corridors')
                        && gd._fullLayout.map && gd._fullLayout.map._subplot.map.loaded(); }"""
            )
            seconds = time.perf_counter() - start
            browser.close()
    finally:
        server.shutdown()
    return seconds


if __name__ == "__main__":
    raise SystemExit(main())
