"""Build the border-aware route graph of a region.

The graph is a :class:`networkx.MultiDiGraph` whose nodes are road junctions and ends,
border crossings and places, and whose edges are road pieces and place access links; its
exact shape is fixed in ``docs/contracts.md`` ("Route graph").

How a region becomes a graph
----------------------------
1. Road (Multi)LineStrings are split into parts and *noded*: a node sits at every road
   end and at every true intersection. Two roads intersect truly unless either is a
   ``bridge``; rail meets road and ferries meet anything only at their ends or where an
   end is snapped onto them, because nobody boards a train at a level crossing. Ends and
   intersections closer than ``snap_tolerance_m`` (measured in a local
   azimuthal-equidistant projection) become one node, and a road end within that distance
   of another road splits that road there (a T-junction drawn a few metres short).
2. Every node gets the country whose polygon contains it, or the nearest polygon within
   :data:`COUNTRY_SNAP_M` (nodes on a river boundary, ports), or ``""``.
3. Each road piece is walked along its length; wherever its country changes (polygon to
   polygon, or across a thin gap or overlap between polygons) the piece is split at a
   *crossing node*: the nearest crossing of the ``crossings`` layer for that pair of
   countries and that mode within ``crossing_snap_m`` (the geometry is bent to pass
   through it), else a new informal crossing ``i:<road_id>:<n>``. A country change within
   ``snap_tolerance_m`` of a node turns that node into the crossing. Stretches in a third
   country shorter than ``snap_tolerance_m`` are treated as digitising noise.
4. Places attach by a two-way access edge (``road_class="access"``, ``access_speed_kph``)
   to the road network where it passes nearest: the nearest road of the place's own
   country is split there (a new junction, unless a node is within ``snap_tolerance_m``),
   so a town beside a long schematic highway is not left to reach its far-away ends. The
   access edge goes to the nearest node within ``max_attach_m`` that is in the same
   country or is a crossing, never straight into another country (that would let flows
   skip the border). Other places are listed in ``G.graph["unattached"]`` and named by an
   :class:`UnattachedPlacesWarning`.

Choices worth knowing
---------------------
- A crossing node's ``country`` is one of *its own pair*: the member whose polygon holds
  the crossing point, else the nearer one. So of the two road pieces meeting at a crossing,
  exactly one is a ``border`` edge (ends in different countries), and it touches the
  crossing. A border edge's ``country`` is the sorted pair, e.g. ``"LAO|THA"``, the same
  in both directions.
- Crossings of the layer that no road uses are *not* added (an isolated node would only
  split the network and attract nearest-node snaps); their ids are in
  ``G.graph["unused_crossings"]``.
- Self-loops (a road piece that starts and ends at the same node) are dropped.
- Edges also carry ``speed_kph`` (the speed used for ``travel_time_s``) and ``schematic``.
- Nodes are added in sorted id order and edges in sorted ``(u, v, road_id, part, piece)``
  order, so iteration order (and the CSR view built on it) is deterministic.

Modules: :mod:`~geotraf.graph.lines` (road parts), :mod:`~geotraf.graph.noding`,
:mod:`~geotraf.graph.borders`, :mod:`~geotraf.graph.attachment`,
:mod:`~geotraf.graph.build`, :mod:`~geotraf.graph.nearest` and
:mod:`~geotraf.graph.report`; everything public is re-exported here.

Examples
--------
Two crossing roads, then the node nearest a point (x = longitude, y = latitude, as in
OSMnx) and the graph's summary:

>>> import geopandas as gpd
>>> from shapely import LineString
>>> roads = gpd.GeoDataFrame({"road_id": ["a", "b"], "road_class": ["primary"] * 2},
...     geometry=[LineString([(0, 0), (0.02, 0)]), LineString([(0.01, -0.01), (0.01, 0.01)])],
...     crs="EPSG:4326")
>>> G = build_route_graph(roads, None, None, None)
>>> G.number_of_nodes(), G.number_of_edges()
(5, 8)
>>> node = nearest_nodes(G, 0.011, 0.001)
>>> (G.nodes[node]["x"], G.nodes[node]["y"]), summarize(G)["components"]
((0.01, 0.0), 1)
"""

from __future__ import annotations

from geotraf.graph._common import (
    ACCESS_CLASS,
    COUNTRY_SNAP_M,
    NODE_KINDS,
    UnattachedPlacesWarning,
)
from geotraf.graph.build import build_route_graph
from geotraf.graph.nearest import nearest_nodes
from geotraf.graph.report import summarize
from geotraf.graph.simplify import simplify_graph

__all__ = [
    "ACCESS_CLASS",
    "COUNTRY_SNAP_M",
    "NODE_KINDS",
    "UnattachedPlacesWarning",
    "build_route_graph",
    "nearest_nodes",
    "simplify_graph",
    "summarize",
]
