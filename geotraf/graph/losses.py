"""The build report: the snapping tolerance used and every input road not in the graph.

A road can vanish from a noded network for two reasons only: its geometry has no two
distinct points, or all its pieces collapsed because their ends fell within the snapping
tolerance of each other. Both are listed, with the node a collapsed road merged into.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np
import shapely
from scipy.spatial import cKDTree

from geotraf._geo import LocalProjection
from geotraf.graph._common import AnyArray
from geotraf.graph.lines import _Lines

#: Bounds of the automatic snapping tolerance, in metres.
AUTO_SNAP_MIN_M = 0.5
AUTO_SNAP_MAX_M = 25.0


def auto_snap_tolerance(
    lines: _Lines, proj: LocalProjection, *, pgeoms: AnyArray | None = None
) -> float:
    """Return a snapping tolerance that keeps the data's own short roads.

    Half the 1st percentile of the road parts' lengths (``pgeoms``: the parts already
    projected with ``proj``, if at hand), between
    :data:`AUTO_SNAP_MIN_M` and :data:`AUTO_SNAP_MAX_M`: a schematic network of long
    roads gets 25 m (gaps in hand-drawn lines close), an OpenStreetMap extract with 8 m
    driveways a few metres (OSM roads already share their junction nodes).

    Examples
    --------
    >>> import numpy as np
    >>> from geotraf.graph.lines import _explode_roads
    >>> import geopandas as gpd
    >>> from shapely import LineString
    >>> m = 1 / 111_319.49
    >>> roads = gpd.GeoDataFrame({"road_id": ["a", "b"], "road_class": ["primary"] * 2},
    ...     geometry=[LineString([(0, 0), (500 * m, 0)]), LineString([(0, 0), (0, 8 * m)])],
    ...     crs="EPSG:4326")
    >>> lines = _explode_roads(roads)
    >>> round(auto_snap_tolerance(lines, LocalProjection.around(np.vstack(lines.coords))), 1)
    6.4
    """
    if pgeoms is None:
        pgeoms = proj.project_geometries(lines.geoms)
    lengths = shapely.length(pgeoms)
    q = float(np.quantile(np.asarray(lengths, dtype=float), 0.01))
    return float(np.clip(0.5 * q, AUTO_SNAP_MIN_M, AUTO_SNAP_MAX_M))


def loss_report(
    road_ids: list[str],
    lines: _Lines,
    graph: nx.MultiDiGraph,
    proj: LocalProjection,
    *,
    tol: float,
    source: str,
    kept: set[str] | None = None,
) -> dict[str, Any]:
    """Return the build report of ``graph`` built from roads ``road_ids`` (input order).

    ``kept``: the road ids that have an edge in ``graph``, when the caller knows them.
    """
    if kept is None:
        kept = {str(d.get("road_id")) for _, _, d in graph.edges(data=True)}
    usable = set(lines.road_id)
    rows: list[dict[str, Any]] = []
    missing = [rid for rid in dict.fromkeys(road_ids) if rid not in kept]
    first_part: dict[str, int] = {}
    tree: cKDTree | None = None
    nodes: list[str] = []
    if missing:
        for li, rid in enumerate(lines.road_id):
            first_part.setdefault(rid, li)
        nodes = [n for n, d in graph.nodes(data=True) if d.get("kind") != "place"]
    if missing and nodes:
        xy = np.array([[graph.nodes[n]["x"], graph.nodes[n]["y"]] for n in nodes])
        tree = cKDTree(np.column_stack(proj.forward(xy[:, 0], xy[:, 1])))
    for rid in missing:
        if rid not in usable:
            rows.append(
                {
                    "road_id": rid,
                    "why": "geometry has no two distinct points (not a line)",
                    "merged_into": None,
                }
            )
            continue
        li = first_part[rid]
        length = float(shapely.length(proj.project_geometries(lines.geoms_of(np.array([li]))))[0])
        start: AnyArray = lines.xy[lines.offsets[li]]
        into = None
        if tree is not None:
            px, py = proj.forward(np.array([start[0]]), np.array([start[1]]))
            into = nodes[int(tree.query([px[0], py[0]])[1])]
        why = (
            f"shorter than the snap tolerance ({tol:g} m): both ends merged"
            if length <= tol
            else f"all its pieces collapsed: their ends lie within the snap tolerance "
            f"({tol:g} m) of each other"
        )
        rows.append({"road_id": rid, "why": why, "merged_into": into})
    return {
        "snap_tolerance_m": round(float(tol), 3),
        "snap_tolerance_source": source,
        "roads_in": len(dict.fromkeys(road_ids)),
        "roads_in_graph": len(kept & set(road_ids)),
        "roads": rows,
    }
