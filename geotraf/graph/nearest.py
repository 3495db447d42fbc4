"""Nearest-node queries on a built route graph."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike
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
    X: gpd.GeoDataFrame | gpd.GeoSeries | ArrayLike,  # noqa: N803 - as OSMnx
    Y: ArrayLike | None = None,  # noqa: N803 - as OSMnx
    *,
    kinds: str | Iterable[str] | None = None,
    max_distance_m: float | None = None,
    return_dist: bool = False,
) -> Any:
    """Return the id of the G node nearest to each point (great-circle distance).

    Called as OSMnx's ``nearest_nodes(G, X, Y)`` with longitudes ``X`` and latitudes
    ``Y`` (numbers or arrays), or with a GeoDataFrame/GeoSeries of points as ``X``.

    Parameters
    ----------
    G
        A route G.
    X
        Points (any CRS; other geometries use their centroid), or longitude(s) in degrees.
    Y
        Latitude(s) in degrees when ``X`` holds longitudes.
    kinds
        Only nodes of these kinds (``junction``, ``crossing``, ``place``).
    max_distance_m
        Points farther than this (geodesic metres) from every candidate get ``None``.
    return_dist
        Also return the geodesic distances in metres (as OSMnx does).

    Returns
    -------
    pandas.Series, numpy.ndarray or str
        For points: a Series indexed like them. For ``X, Y`` arrays: an array of node
        ids; for scalars, one id. With ``return_dist``, a tuple ``(nodes, distances)``.

    Raises
    ------
    GraphError
        When ``X`` and ``Y`` are numbers of different lengths, or only one is given.

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
    >>> nearest_nodes(G, 0.1, 0.0), nearest_nodes(G, [0.1, 0.8], [0.0, 0.0]).tolist()
    ('j0', ['j0', 'j1'])
    """
    scalar = False
    if isinstance(X, gpd.GeoDataFrame | gpd.GeoSeries):
        if Y is not None:
            raise GraphError("give points, or longitudes X and latitudes Y, not both")
        points: gpd.GeoDataFrame | gpd.GeoSeries = X
    else:
        if Y is None:
            raise GraphError("nearest_nodes(G, X, Y) needs latitudes Y with longitudes X")
        scalar = np.ndim(X) == 0 and np.ndim(Y) == 0
        xs = np.atleast_1d(np.asarray(X, dtype=float))
        ys = np.atleast_1d(np.asarray(Y, dtype=float))
        if xs.shape != ys.shape:
            raise GraphError(f"X and Y differ in length ({len(xs)} and {len(ys)})")
        points = gpd.GeoSeries(gpd.points_from_xy(xs, ys), crs=CRS)
    ids, dist = _nearest(G, points, kinds=kinds)
    values: list[str | None] = list(ids)
    if max_distance_m is not None:
        values = [n if d <= max_distance_m else None for n, d in zip(values, dist, strict=True)]
    result: Any
    if isinstance(X, gpd.GeoDataFrame | gpd.GeoSeries):
        result = pd.Series(values, index=points.index, dtype=object, name="node")
    elif scalar:
        result, dist = values[0], dist[0]
    else:
        result = np.asarray(values, dtype=object)
    return (result, dist) if return_dist else result


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
