"""Candidate sites → route graph nodes: the one attachment rule of hotspots and plans.

A candidate checkpoint site (the ``sites`` layer) is where a police team could stand. Both
the hotspot ranking (which grades a node by the sites at it) and the checkpoint planner
(which counts the flow passing a site) must agree on *which node* a site watches, or a
hotspot's "critical truck stop" and a plan's truck stop would sit on different nodes. The
rule, in order:

1. a site naming a crossing (``crossing_id``) sits on that crossing's node ``x:<id>``;
2. a site of the same type as a place node within :data:`PLACE_SNAP_M` (a bus station, a
   port) sits on that place, so it sees the flows that start, end or change there;
3. any other site sits on the nearest junction or crossing within
   :data:`DEFAULT_SNAP_M` (geodesic): a team stands where roads meet, not in the middle
   of a road piece, and a site farther than that from every road is not usable (None).

See ``docs/algorithms.md`` ("Attaching sites").
"""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import pandas as pd

from layers.schema import CRS

__all__ = ["DEFAULT_SNAP_M", "PLACE_SNAP_M", "site_nodes"]

#: Sites farther than this from every junction or crossing (geodesic metres) are unusable.
DEFAULT_SNAP_M = 10_000.0
#: A site snaps to a place node of its own type (bus station, port, ...) this close.
PLACE_SNAP_M = 2_000.0


def site_nodes(
    G: nx.MultiDiGraph, sites: gpd.GeoDataFrame, *, max_distance_m: float = DEFAULT_SNAP_M
) -> pd.Series:
    """Attach each candidate site to a graph node (None when too far from every road).

    Parameters
    ----------
    G
        The route graph.
    sites
        Candidate sites (any CRS): ``site_type`` and ``crossing_id`` are used when present.
    max_distance_m
        Rule 3's reach (see the module docstring).

    Returns
    -------
    pandas.Series
        Named ``node``, indexed like ``sites``: a node id, or None.

    Examples
    --------
    >>> from shapely import Point
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("j1", x=100.0, y=15.0, kind="junction")
    >>> G.add_node("x:C1", x=101.0, y=15.0, kind="crossing", crossing_id="C1")
    >>> s = gpd.GeoDataFrame({"site_id": ["a", "b", "c"],
    ...                       "site_type": ["truck_stop", "other", "other"],
    ...                       "crossing_id": ["", "C1", ""]},
    ...                      geometry=[Point(100.01, 15.0), Point(100.0, 15.0),
    ...                                Point(100.5, 15.0)], crs=CRS)
    >>> site_nodes(G, s).tolist()
    ['j1', 'x:C1', None]
    """
    from geotraf.graph import nearest_nodes

    if sites.crs is not None and not sites.crs.equals(CRS):
        sites = sites.to_crs(CRS)
    out = nearest_nodes(G, sites, kinds=("junction", "crossing"), max_distance_m=max_distance_m)
    out = out.astype(object)
    types = sites["site_type"].astype(str) if "site_type" in sites else None
    if types is not None:
        place_types = {
            d.get("place_type") for _, d in G.nodes(data=True) if d.get("kind") == "place"
        }
        for ptype in sorted(t for t in set(types) if t in place_types):
            mask = types == ptype
            near = _nearest_place(G, sites[mask], ptype)
            for idx, node in near.items():
                if node is not None:
                    out[idx] = node
    if "crossing_id" in sites:
        for idx, cid in sites["crossing_id"].items():
            if isinstance(cid, str) and cid and G.has_node(f"x:{cid}"):
                out[idx] = f"x:{cid}"
    return out.rename("node")


def _nearest_place(G: nx.MultiDiGraph, sites: gpd.GeoDataFrame, ptype: str) -> pd.Series:
    from geotraf.graph import nearest_nodes

    sub = nx.subgraph_view(G, filter_node=lambda n: G.nodes[n].get("place_type") == ptype)
    return nearest_nodes(sub, sites, kinds="place", max_distance_m=PLACE_SNAP_M)
