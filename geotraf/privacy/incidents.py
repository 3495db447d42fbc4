"""Incidents in the release: people concerned per road node, released once with the flows.

The incidents layer (interceptions, rescues, arrests, reports, each with the number of
people concerned) feeds the incident-density layer of the Corridors map and the
incident part of hotspot scores. Those are donor/analyst outputs, so they are computed
from the release's ``incidents`` table, never from the raw points.

- **Privacy unit**: one person is concerned in at most ``contributions`` incident rows
  (the release's bound, default 1); adding or removing that person changes one cell by
  one. The same person may also be in the flows, so the table's ε adds to the others'
  (sequential composition: the release's ε is the sum).
- **Keys (public)**: the junctions and crossings of the region's route graph — the
  nodes the raw density snapped incidents to — derived from the roads, crossings,
  borders and places layers, never from the incidents. Each incident is snapped to the
  nearest one within :data:`SNAP_M` (5 km, the density's bandwidth); an incident farther
  from every road node is not counted (the raw density ignored it too).
- **No year key**: the table counts each node over the whole period. Split by year the
  noise is added once per year and per node, and on the demo region the density's top 10
  nodes kept fell from 7 to 2 (``benchmarks/bench_privacy.py``); so the density layer
  shows every year's incidents, and says so.
- **Display**: a node's released count is made a non-negative whole number, and a node
  under the display threshold (11) is left out, so noise alone rarely draws a spot.
"""

from __future__ import annotations

import warnings
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely import points as make_points

from geotraf.privacy.display import DEFAULT_THRESHOLD, non_negative
from geotraf.privacy.release import Release, TableRelease, joined_rows

if TYPE_CHECKING:
    import networkx as nx

#: Table of the release holding the incidents.
TABLE = "incidents"
#: Snap distance of an incident to its road node (the density's bandwidth), metres.
SNAP_M = 5000.0
#: Kinds of node an incident is counted at.
NODE_KINDS: tuple[str, ...] = ("junction", "crossing")


def incident_rows(incidents: pd.DataFrame | None) -> list[str]:
    """Return the incidents as text rows (date, kind, count, point), for the dataset hash.

    Examples
    --------
    >>> from shapely import Point
    >>> inc = gpd.GeoDataFrame({"date": ["2021-01-02"], "kind": ["rescue"], "count": [3]},
    ...                        geometry=[Point(100.5, 13.75)], crs="EPSG:4326")
    >>> incident_rows(inc)
    ['2021-01-02|rescue|3|POINT (100.5 13.75)']
    >>> incident_rows(None)
    []
    """
    if incidents is None or len(incidents) == 0:
        return []
    columns = [c for c in ("date", "kind", "count") if c in incidents.columns]
    frame = pd.DataFrame(incidents[columns]).astype("string")
    if "geometry" in incidents.columns:
        frame["geometry"] = gpd.GeoSeries(incidents.geometry).to_wkt().to_numpy()
    return sorted(joined_rows(frame, missing="<NA>", sep="|"))


def incident_cells(graph: nx.MultiDiGraph | None) -> pd.DataFrame:
    """Return the public key set of the incidents table: ``node``, ``lon``, ``lat``.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("x:1", x=101.0, y=16.0, kind="crossing")
    >>> G.add_node("p:a", x=102.0, y=18.0, kind="place")
    >>> incident_cells(G).values.tolist()
    [['x:1', 101.0, 16.0]]
    """
    rows = (
        [
            (str(n), float(d["x"]), float(d["y"]))
            for n, d in graph.nodes(data=True)
            if d.get("kind") in NODE_KINDS and "x" in d and "y" in d
        ]
        if graph is not None
        else []
    )
    cells = pd.DataFrame(rows, columns=["node", "lon", "lat"])
    return cells.sort_values("node", kind="stable").reset_index(drop=True)


def incident_input(
    incidents: gpd.GeoDataFrame | None, graph: nx.MultiDiGraph | None
) -> tuple[pd.DataFrame | None, pd.DataFrame]:
    """Return the incidents keyed by road node (``node``, ``count``) and the public cells.

    ``None`` for the first when there is nothing to key (no incidents, or no road node).
    An incident farther than :data:`SNAP_M` from every node gets no node (not counted).

    Examples
    --------
    >>> import networkx as nx
    >>> from shapely import Point
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("x:1", x=101.0, y=16.0, kind="crossing")
    >>> inc = gpd.GeoDataFrame({"count": [12, 5]},
    ...                        geometry=[Point(101.01, 16.0), Point(103.0, 16.0)],
    ...                        crs="EPSG:4326")
    >>> rows, cells = incident_input(inc, G)
    >>> rows["node"].tolist(), rows["count"].tolist()
    (['x:1', <NA>], [12, 5])
    """
    cells = incident_cells(graph)
    if incidents is None or len(incidents) == 0 or graph is None or not len(cells):
        return None, cells
    from geotraf.graph import nearest_nodes

    snapped = nearest_nodes(graph, incidents, kinds=NODE_KINDS, max_distance_m=SNAP_M)
    rows = pd.DataFrame(
        {
            "node": pd.Series(snapped.to_numpy(), dtype="string"),
            "count": pd.to_numeric(incidents["count"], errors="coerce").to_numpy(),
        }
    )
    return rows, cells


def region_graph(region: Any) -> nx.MultiDiGraph | None:
    """Build the route graph of ``region`` for its incident cells (None without roads)."""
    roads = getattr(region, "roads", None)
    if roads is None or len(roads) == 0:
        return None
    from geotraf.graph import build_route_graph

    with warnings.catch_warnings():  # unattached places are `geotraf build`'s to report
        warnings.simplefilter("ignore")
        graph: nx.MultiDiGraph = build_route_graph(
            roads,
            getattr(region, "borders", None),
            getattr(region, "crossings", None),
            getattr(region, "places", None),
        )
    return graph


def with_cell_coordinates(release: Release, cells: pd.DataFrame) -> Release:
    """Return ``release`` with each incident cell's public ``lon``/``lat`` beside it."""
    if TABLE not in release.tables:
        return release
    table = release.tables[TABLE]
    located = table.frame.merge(cells, on="node", how="left")
    tables = {**release.tables, TABLE: replace(table, frame=located)}
    return replace(release, tables=tables)


def released_incidents(
    release: Release, *, threshold: int = DEFAULT_THRESHOLD
) -> gpd.GeoDataFrame | None:
    """Return the release's incidents as points: one per road node with ≥ ``threshold``.

    The ``count`` of each point is the node's released count made a non-negative whole
    number; nodes below the display threshold are left out. Feed it wherever the raw
    incidents layer went (:func:`geotraf.hotspots.hotspots`,
    :func:`geotraf.incidents.incident_density`): everything computed from it is
    post-processing of the release. None when the release holds no incident cell.

    Examples
    --------
    >>> from geotraf.privacy.release import make_release
    >>> f = pd.DataFrame({"origin_country": ["LAO"], "destination_country": ["THA"],
    ...                   "origin": ["LAO"], "destination": ["THA"], "year": [2020],
    ...                   "exploitation": ["sexual"], "sector": ["other"], "sex": ["female"],
    ...                   "age_group": ["adult"], "mode": ["road"], "count": [900]})
    >>> doms = {"origin_country": ["LAO", "THA"], "destination_country": ["LAO", "THA"],
    ...         "year": [2020], "exploitation": ["sexual"], "age_group": ["adult"],
    ...         "origin": ["LAO"], "destination": ["THA"], "node": ["x:1", "x:2"]}
    >>> inc = pd.DataFrame({"node": ["x:1"], "count": [400]})
    >>> cells = pd.DataFrame({"node": ["x:1", "x:2"], "lon": [101.0, 103.0],
    ...                       "lat": [16.0, 16.0]})
    >>> r = with_cell_coordinates(make_release(f, domains=doms, incidents=inc), cells)
    >>> out = released_incidents(r)
    >>> out.loc[out["node"] == "x:1", "geometry"].iloc[0].wkt
    'POINT (101 16)'
    >>> bool(abs(out.loc[out["node"] == "x:1", "count"].iloc[0] - 400) < 60)
    True
    """
    table: TableRelease | None = release.tables.get(TABLE)
    if table is None or not len(table.frame) or "lon" not in table.frame.columns:
        return None
    frame = table.frame
    counts = non_negative(frame["count"])
    keep = (counts >= threshold) & frame["lon"].notna().to_numpy()
    if not keep.any():
        return None
    kept = frame.loc[keep]
    geometry = make_points(kept["lon"].to_numpy(dtype=float), kept["lat"].to_numpy(dtype=float))
    return gpd.GeoDataFrame(
        {
            "node": kept["node"].astype(str).to_numpy(),
            "count": counts[keep].astype(np.int64),
        },
        geometry=list(geometry),
        crs="EPSG:4326",
    )
