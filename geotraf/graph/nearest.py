"""Nearest-node queries on a built route graph."""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from geotraf._geo import (
    geodesic_distance,
    unit_vectors,
)
from geotraf.errors import GraphError
from geotraf.graph._common import AnyArray
from layers.schema import CRS

# --- queries --------------------------------------------------------------------------------


def nearest_nodes(
    G: nx.MultiDiGraph,
    points: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    kinds: str | Iterable[str] | None = None,
    max_distance_m: float | None = None,
) -> pd.Series:
    """Return the id of the G node nearest to each point (great-circle distance).

    Parameters
    ----------
    G
        A route G.
    points
        Points (any CRS; other geometries use their centroid).
    kinds
        Only nodes of these kinds (``junction``, ``crossing``, ``place``).
    max_distance_m
        Points farther than this (geodesic metres) from every candidate get ``None``.

    Returns
    -------
    pandas.Series
        Indexed like ``points``; node ids, or ``None``.

    Examples
    --------
    >>> import geopandas as gpd, networkx as nx
    >>> from shapely import Point
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("j0", x=0.0, y=0.0, kind="junction")
    >>> G.add_node("j1", x=1.0, y=0.0, kind="junction")
    >>> pts = gpd.GeoDataFrame(geometry=[Point(0.9, 0.1), Point(5, 5)], crs="EPSG:4326")
    >>> nearest_nodes(G, pts, max_distance_m=50_000).tolist()
    ['j1', None]
    """
    ids, dist = _nearest(G, points, kinds=kinds)
    values: list[str | None] = list(ids)
    if max_distance_m is not None:
        values = [n if d <= max_distance_m else None for n, d in zip(values, dist, strict=True)]
    return pd.Series(values, index=points.index, dtype=object, name="node")


def _nearest(
    G: nx.MultiDiGraph,
    points: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    kinds: str | Iterable[str] | None = None,
) -> tuple[list[str | None], AnyArray]:
    if not isinstance(points, gpd.GeoDataFrame | gpd.GeoSeries):
        raise GraphError("points must be a GeoDataFrame or GeoSeries of points")
    geo = points.geometry if isinstance(points, gpd.GeoDataFrame) else points
    if geo.crs is not None and not geo.crs.equals(CRS):
        geo = geo.to_crs(CRS)
    wanted = {kinds} if isinstance(kinds, str) else (set(kinds) if kinds is not None else None)
    cand = [
        (n, d["x"], d["y"])
        for n, d in G.nodes(data=True)
        if wanted is None or d.get("kind") in wanted
    ]
    n_pts = len(geo)
    if not cand:
        return [None] * n_pts, np.full(n_pts, np.inf)
    arr = np.asarray(geo.values)
    valid = ~shapely.is_missing(arr) & ~shapely.is_empty(arr)
    xy = np.full((n_pts, 2), np.nan)
    if valid.any():
        xy[valid] = shapely.get_coordinates(shapely.centroid(arr[valid]))
    clon = np.array([c[1] for c in cand], dtype=float)
    clat = np.array([c[2] for c in cand], dtype=float)
    tree = cKDTree(unit_vectors(clon, clat))
    ids: list[str | None] = [None] * n_pts
    dist = np.full(n_pts, np.inf)
    if valid.any():
        _, idx = tree.query(unit_vectors(xy[valid, 0], xy[valid, 1]))
        idx = np.asarray(idx, dtype=np.int64)
        d = geodesic_distance(xy[valid, 0], xy[valid, 1], clon[idx], clat[idx])
        for pos, i, dd in zip(np.flatnonzero(valid), idx, d, strict=True):
            ids[pos] = cand[int(i)][0]
            dist[pos] = float(dd)
    return ids, dist
