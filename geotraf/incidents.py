"""Incident density on the route graph: a network-constrained kernel over road distance.

The ``incidents`` part of a hotspot's score (:func:`geotraf.hotspots.hotspots`) is this
density divided by its maximum.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.sparse.csgraph import dijkstra

from geotraf import _csr
from geotraf.errors import InputError

if TYPE_CHECKING:
    import networkx as nx


def incident_density(
    G: nx.MultiDiGraph,
    incidents: gpd.GeoDataFrame,
    *,
    bandwidth_m: float = 5000.0,
    count_col: str | None = "count",
    since: str | None = None,
) -> pd.Series:
    """Network-constrained kernel density of incidents at every node.

    Each incident is snapped to its nearest junction or crossing (within ``bandwidth_m``;
    farther ones are ignored) and spreads an Epanechnikov kernel over *road* distance
    (``length_m``, both directions): ``density(v) = Σ_i c_i · (1 − (d_iv / h)²)`` for
    ``d_iv < h``, where ``c_i`` is the incident's count (1 without ``count_col``) and ``h``
    the bandwidth. The value at an incident's own node is its count; it is a weighted
    number of incidents nearby, not a probability density.

    Parameters
    ----------
    G
        Route graph.
    incidents
        The ``incidents`` layer (points).
    bandwidth_m
        Kernel radius along the roads, metres.
    count_col
        Column weighting each incident; None counts events.
    since
        Keep incidents dated on or after this ISO date (``"2022-01-01"``).

    Examples
    --------
    >>> import geopandas as gpd, networkx as nx
    >>> from shapely import Point
    >>> G = nx.MultiDiGraph()
    >>> for n, x in (("a", 0.0), ("b", 0.01), ("c", 0.5)):
    ...     G.add_node(n, x=x, y=0.0, kind="junction")
    >>> _ = G.add_edge("a", "b", length_m=1000.0)
    >>> _ = G.add_edge("b", "c", length_m=50000.0)
    >>> inc = gpd.GeoDataFrame({"count": [4]}, geometry=[Point(0, 0)], crs="EPSG:4326")
    >>> incident_density(G, inc, bandwidth_m=2000).round(2).to_dict()
    {'a': 4.0, 'b': 3.0, 'c': 0.0}
    """
    from geotraf.graph import nearest_nodes

    if bandwidth_m <= 0:
        raise InputError(f"bandwidth_m must be positive, got {bandwidth_m}")
    nodes = list(G.nodes)
    density = pd.Series(0.0, index=pd.Index(nodes, name="node"))
    if incidents is None or len(incidents) == 0 or not nodes:
        return density
    pts = incidents
    if since is not None and "date" in pts.columns:
        pts = pts[pd.to_datetime(pts["date"], errors="coerce") >= pd.Timestamp(since)]
    if len(pts) == 0:
        return density
    snapped = nearest_nodes(G, pts, kinds=("junction", "crossing"), max_distance_m=bandwidth_m)
    weights = (
        pd.to_numeric(pts[count_col], errors="coerce").fillna(0.0)
        if count_col and count_col in pts.columns
        else pd.Series(1.0, index=pts.index)
    )
    per_node = weights.groupby(snapped.dropna()).sum()
    per_node = per_node[per_node > 0]
    if per_node.empty:
        return density
    view = _csr.csr_view(G, weight="length_m")
    matrix = view.core.matrix()
    rows = np.array([view.node_index[n] for n in per_node.index], dtype=np.int64)
    values = np.zeros(view.n)
    step = max(1, _csr.BATCH_CELLS // max(view.n, 1))
    for start in range(0, len(rows), step):
        block = rows[start : start + step]
        dist = np.atleast_2d(dijkstra(matrix, directed=False, indices=block, limit=bandwidth_m))
        kernel = np.where(dist < bandwidth_m, 1.0 - (dist / bandwidth_m) ** 2, 0.0)
        values += per_node.to_numpy()[start : start + step] @ kernel
    density.loc[list(view.node_ids)] = values
    return density
