"""Accuracy and cost of the differentially private release on the demo region, by ε.

For each ε (default 0.25, 0.5, 1, 2, 4) and ``--repeats`` independent releases of the
demo region's flows and incidents (:func:`geotraf.privacy.release.make_release`) under a
``--design`` (``pairs``, the release's own, by default; ``--shares`` tries another split
of ε over the design's tables, in their order):

- ``pairs`` (the default tables, :data:`geotraf.privacy.release.DEFAULT_TABLES`): the
  country table, the public-key place ``pairs`` table, the attribute-level ``flows``
  (key selection, with ``via``), the ``routes`` table (people by country pair and
  transit places, key selection) and the incidents per road node. The corridor model is
  :func:`geotraf.privacy.region.released_flows` with ``table="pairs"``.
- ``fine`` (round 2's release, for comparison): country 0.4, attribute-level flows
  without ``via`` 0.4, incidents 0.2; the corridor model is the ``flows`` table scaled
  to the country table per country pair and year, as round 2 did (``table="flows"``).

Measured:

- **country-year error**: median over (origin country, year) of |released − true| / true,
  the released value being the non-negative sum of the country table's cells (as the
  Overview shows it);
- **top-10 hotspots kept**: how many of the 10 hotspots ranked on the raw flows and raw
  incidents are in the top 10 ranked on the released corridor model and released
  incidents (:func:`geotraf.privacy.incidents.released_incidents`), both assigned with
  ``shortest`` and ranked by the same function (:func:`geotraf.hotspots.hotspots`,
  ``top=10``: by score, then load, then node id);
- **incident density top 10 kept**: how many of the 10 road nodes of highest raw
  incident density are among the 10 highest from the released incidents;
- **corridor load error**: median relative error of the edge loads of the 20 most loaded
  edges (raw assignment) when the released corridor model is assigned instead;
- **plan capture difference**: a greedy plan of 5 sites chosen on the released model,
  evaluated on the raw assignment (share of people whose path passes a chosen site),
  minus the same for the plan chosen on the raw flows, in percentage points (negative:
  the release's plan captures less of the real flow);
- **release time**: wall time of one release (median over the repeats);
- **rows routed**: rows of the corridor model (median), and the attribute-level flows
  keys released.

``--incidents-by-year`` keys the incidents table by road node × year instead (the cells
of a node are summed over the years before the display threshold), to compare with the
design the release uses.

The machine may be shared: times are noisy; the raw assignment is timed in the same run
for reference.

Usage::

    PYTHONPATH=. .venv/bin/python benchmarks/bench_privacy.py [--repeats 3] [--eps 0.5 1]
        [--design pairs|fine] [--shares 0.25 0.25 0.2 0.1 0.2]
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from dataclasses import replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geotraf.checkpoints import plan
from geotraf.commands import load_region_and_graph
from geotraf.hotspots import hotspots
from geotraf.incidents import incident_density
from geotraf.privacy import DEFAULT_THRESHOLD, non_negative
from geotraf.privacy.incidents import incident_input, released_incidents, with_cell_coordinates
from geotraf.privacy.region import release_input, released_flows
from geotraf.privacy.release import DEFAULT_TABLES, ReleaseConfig, TableSpec, make_release
from geotraf.routing import Assignment, assign

EPSILONS = (0.25, 0.5, 1.0, 2.0, 4.0)
#: Round 2's release: no pairs or routes table, attribute-level flows without ``via``.
FINE_TABLES: tuple[TableSpec, ...] = (
    replace(DEFAULT_TABLES[0], share=0.4),
    TableSpec(
        "flows",
        ("origin", "destination", "year", "exploitation", "sector", "sex", "age_group", "mode"),
        0.4,
        "threshold",
    ),
    TableSpec("incidents", ("node",), 0.2, "public", "incidents"),
)
#: Per design: its tables, the corridor model (``released_flows``'s ``table``) and the
#: country-table keys that model is scaled to (None: the release's own).
DESIGNS: dict[str, tuple[tuple[TableSpec, ...], str, tuple[str, ...] | None]] = {
    "pairs": (DEFAULT_TABLES, "pairs", None),
    "fine": (FINE_TABLES, "flows", ("origin_country", "destination_country", "year")),
}


def captured_share(result: Assignment, nodes: set[str]) -> float:
    """Share of the assignment's people whose path passes one of ``nodes``."""
    paths = result.paths
    hit = np.array([bool(nodes.intersection(p)) for p in paths["nodes"]])
    total = float(paths["weight"].sum())
    return float(paths.loc[hit, "weight"].sum()) / total if total else 0.0


def plan_nodes(graph: Any, result: Assignment, sites: Any) -> set[str]:
    """Nodes of a greedy 5-site plan on ``result``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        chosen = plan(graph, result, sites, budget=5, method="greedy")
    return {str(n) for n in chosen.sites["node"]}


def _summed_over_years(release: Any) -> gpd.GeoDataFrame | None:
    """Released node × year cells summed per node, then the display threshold (11)."""
    frame = release.table("incidents")
    per_node = frame.groupby(["node", "lon", "lat"], as_index=False)["count"].sum()
    per_node["count"] = non_negative(per_node["count"])
    per_node = per_node[per_node["count"] >= DEFAULT_THRESHOLD]
    if not len(per_node):
        return None
    return gpd.GeoDataFrame(
        {"count": per_node["count"].to_numpy()},
        geometry=gpd.points_from_xy(per_node["lon"], per_node["lat"]),
        crs="EPSG:4326",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--eps", type=float, nargs="*", default=list(EPSILONS))
    parser.add_argument("--design", choices=sorted(DESIGNS), default="pairs")
    parser.add_argument(
        "--shares",
        type=float,
        nargs="+",
        help="shares of ε of the design's tables, in order (pairs: country, pairs, flows, "
        "routes, incidents; fine: country, flows, incidents); default: the design's own",
    )
    parser.add_argument(
        "--incidents-by-year",
        action="store_true",
        help="key the incidents table by road node × year (summed over the years before "
        "the threshold) instead of by node: the design the release does not use",
    )
    args = parser.parse_args()
    tables, model, calibrate_by = DESIGNS[args.design]
    if args.shares:
        if len(args.shares) != len(tables):
            parser.error(f"--shares: {len(tables)} values for the {args.design} design")
        tables = tuple(replace(t, share=v) for t, v in zip(tables, args.shares, strict=True))

    reg, graph = load_region_and_graph("mekong")
    flows, domains, digest = release_input(reg)
    incident_rows, cells = incident_input(reg.incidents, graph)
    assert incident_rows is not None
    domains = {**domains, "node": cells["node"].tolist()}
    if args.incidents_by_year:
        tables = tuple(
            replace(t, keys=("node", "year")) if t.name == "incidents" else t for t in tables
        )
        years = pd.to_datetime(reg.incidents["date"]).dt.year.to_numpy()
        incident_rows = incident_rows.assign(year=years)
        domains["year"] = sorted({*domains["year"], *(int(y) for y in years)})
    raw_density = incident_density(graph, reg.incidents)
    raw_density_top = set(raw_density.sort_values(ascending=False).head(10).index)
    truth = flows.groupby(["origin_country", "year"])["count"].sum()
    started = time.perf_counter()
    raw = assign(graph, reg.flows, method="shortest", places=reg.places, show_progress=None)
    raw_seconds = time.perf_counter() - started
    raw_spots = hotspots(graph, raw, incidents=reg.incidents, sites=reg.sites, top=10)
    raw_top = set(raw_spots["node"])
    top_edges = raw.edge_load.sort_values(ascending=False).head(20)
    raw_plan_share = captured_share(raw, plan_nodes(graph, raw, reg.sites))

    print(
        f"demo region: {len(flows)} flows rows, {int(flows['count'].sum())} people; "
        f"{len(reg.incidents)} incidents, {int(reg.incidents['count'].sum())} people, "
        f"{len(cells)} road nodes; raw assignment {raw_seconds:.2f} s; design {args.design}, "
        "shares "
        + " / ".join(f"{t.name} {t.share:g}" for t in tables)
        + ("; incidents by node × year" if args.incidents_by_year else "")
    )
    print(
        "| ε | country-year median rel. error | top-10 hotspots kept | "
        "incident density top 10 kept | "
        "top-20 edge load median rel. error | plan capture diff. (pp) | "
        "release time (s) | δ | rows routed | flows keys released |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for eps in args.eps:
        errors, kept, loads, plans, seconds, kept_keys, routed = [], [], [], [], [], [], []
        dens_kept = []
        delta = 0.0
        for _ in range(args.repeats):
            config = ReleaseConfig(epsilon=eps, tables=tables)
            t0 = time.perf_counter()
            release = make_release(
                flows, domains=domains, config=config, data_hash=digest, incidents=incident_rows
            )
            seconds.append(time.perf_counter() - t0)
            release = with_cell_coordinates(release, cells)
            incidents = (
                _summed_over_years(release)
                if args.incidents_by_year
                else released_incidents(release)
            )
            density = incident_density(graph, incidents)
            dens_kept.append(len(raw_density_top & set(density.nlargest(10).index)))
            delta = release.delta
            country = release.table("country")
            noisy = country.groupby(["origin_country", "year"])["count"].sum().clip(lower=0)
            rel = (noisy.reindex(truth.index).fillna(0) - truth).abs() / truth
            errors.append(float(rel.median()))
            released = released_flows(
                release,
                reg.places,
                table=model,  # type: ignore[arg-type]
                calibrate_by=calibrate_by,
            )
            kept_keys.append(len(release.table("flows")))
            routed.append(len(released))
            result = assign(
                graph, released, method="shortest", places=reg.places, show_progress=None
            )
            spots = hotspots(graph, result, incidents=incidents, sites=reg.sites, top=10)
            kept.append(len(raw_top & set(spots["node"])))
            got = result.edge_load.reindex(top_edges.index).fillna(0.0)
            loads.append(float(((got - top_edges).abs() / top_edges).median()))
            share = captured_share(raw, plan_nodes(graph, result, reg.sites))
            plans.append(100 * (share - raw_plan_share))
        print(
            f"| {eps:g} | {statistics.median(errors):.1%} | {statistics.median(kept):g} "
            f"(min {min(kept)}) | {statistics.median(dens_kept):g} (min {min(dens_kept)}) | "
            f"{statistics.median(loads):.1%} | "
            f"{statistics.median(plans):+.1f} | {statistics.median(seconds):.2f} | "
            f"{delta:.1e} | {int(statistics.median(routed)):,} | "
            f"{int(statistics.median(kept_keys)):,} |"
        )


if __name__ == "__main__":
    main()
