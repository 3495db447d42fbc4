"""Move a route graph to GeoDataFrames and back (like OSMnx's ``graph_to_gdfs``).

Nodes become a GeoDataFrame indexed by node id (index name ``node``) with Point
geometries; edges a GeoDataFrame indexed by ``(u, v, key)`` with LineString geometries;
both in EPSG:4326. An attribute a node or edge does not have is missing (NA) in the frame,
and a missing value is not set on the way back, so ``graph_from_gdfs(*graph_to_gdfs(G))``
gives the same graph. ``G.graph`` travels in ``nodes.attrs["graph"]``.
"""

from __future__ import annotations

import copy
import math
from typing import Any, Literal, overload

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely

from geotraf.errors import GraphError
from layers.schema import CRS

__all__ = ["graph_from_gdfs", "graph_to_gdfs"]

#: Node attributes placed first, in this order; the others follow sorted.
_NODE_FIRST = ("x", "y", "kind", "country", "name")
#: Edge attributes placed first, in this order; the others follow sorted.
_EDGE_FIRST = (
    "edge_id",
    "length_m",
    "travel_time_s",
    "road_class",
    "ref",
    "name",
    "road_id",
    "country",
    "border",
    "crossing_id",
    "informal",
)


def _ordered(keys: set[str], first: tuple[str, ...]) -> list[str]:
    return [k for k in first if k in keys] + sorted(keys - set(first) - {"geometry"})


@overload
def graph_to_gdfs(
    G: nx.MultiDiGraph, *, nodes: Literal[True] = ..., edges: Literal[True] = ...
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]: ...


@overload
def graph_to_gdfs(
    G: nx.MultiDiGraph, *, nodes: Literal[True] = ..., edges: Literal[False]
) -> gpd.GeoDataFrame: ...


@overload
def graph_to_gdfs(
    G: nx.MultiDiGraph, *, nodes: Literal[False], edges: Literal[True] = ...
) -> gpd.GeoDataFrame: ...


def graph_to_gdfs(
    G: nx.MultiDiGraph, *, nodes: bool = True, edges: bool = True
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame] | gpd.GeoDataFrame:
    """Return the nodes and/or edges of a route graph as GeoDataFrames.

    Parameters
    ----------
    G
        A route graph (nodes need ``x`` and ``y``).
    nodes, edges
        Which frames to return; both by default, as a ``(nodes, edges)`` tuple.

    Returns
    -------
    GeoDataFrame or tuple of GeoDataFrame
        Nodes indexed by node id, edges by ``(u, v, key)``; CRS ``G.graph["crs"]`` or
        EPSG:4326. An edge without ``geometry`` gets the straight line between its nodes.

    Raises
    ------
    GraphError
        If neither frame is asked for, or a node has no ``x``/``y``.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph(crs="EPSG:4326")
    >>> G.add_node("a", x=0.0, y=0.0, kind="junction")
    >>> G.add_node("b", x=1.0, y=0.0, kind="junction")
    >>> _ = G.add_edge("a", "b", length_m=111319.5)
    >>> n, e = graph_to_gdfs(G)
    >>> list(n.index), list(e.index)
    (['a', 'b'], [('a', 'b', 0)])
    """
    if not (nodes or edges):
        raise GraphError("graph_to_gdfs needs nodes=True or edges=True (or both)")
    crs = G.graph.get("crs", CRS)
    out: list[gpd.GeoDataFrame] = []
    xy: dict[Any, tuple[float, float]] = {}
    for n, d in G.nodes(data=True):
        if "x" not in d or "y" not in d:
            raise GraphError(f"node {n!r} has no x/y coordinates; every node needs x and y")
        xy[n] = (float(d["x"]), float(d["y"]))
    if nodes:
        keys: set[str] = set()
        for _, d in G.nodes(data=True):
            keys.update(d)
        cols = _ordered(keys, _NODE_FIRST)
        ids = list(G.nodes)
        index = pd.Index(ids, name="node", dtype=object)
        data = {c: _series([G.nodes[n].get(c, None) for n in ids], index) for c in cols}
        geom = shapely.points(np.array([xy[n] for n in ids]).reshape(-1, 2))
        frame = gpd.GeoDataFrame(data, geometry=np.asarray(geom), index=index, crs=crs)
        frame.attrs["graph"] = copy.deepcopy(dict(G.graph))
        out.append(frame)
    if edges:
        ekeys: set[str] = set()
        for _, _, d in G.edges(data=True):
            ekeys.update(d)
        cols = _ordered(ekeys, _EDGE_FIRST)
        triples = list(G.edges(keys=True, data=True))
        geoms = [
            d["geometry"] if d.get("geometry") is not None else shapely.LineString([xy[u], xy[v]])
            for u, v, _, d in triples
        ]
        index = pd.MultiIndex.from_tuples(
            [(u, v, k) for u, v, k, _ in triples], names=["u", "v", "key"]
        )
        if not triples:
            index = pd.MultiIndex.from_arrays(
                [pd.Index([], dtype=object), pd.Index([], dtype=object), pd.Index([], dtype=int)],
                names=["u", "v", "key"],
            )
        data = {c: _series([d.get(c, None) for _, _, _, d in triples], index) for c in cols}
        out.append(
            gpd.GeoDataFrame(data, geometry=np.asarray(geoms, dtype=object), index=index, crs=crs)
        )
    return out[0] if len(out) == 1 else (out[0], out[1])


def _series(values: list[Any], index: pd.Index) -> pd.Series:
    """A column that keeps Python types: nullable Int64/boolean where some values are missing."""
    present = [v for v in values if v is not None]
    if len(present) == len(values):
        return pd.Series(values, index=index)
    kinds = {type(v) for v in present}
    if kinds and kinds <= {int}:
        return pd.Series(values, index=index, dtype="Int64")
    if kinds and kinds <= {bool}:
        return pd.Series(values, index=index, dtype="boolean")
    if kinds and kinds <= {int, float}:
        return pd.Series(values, index=index, dtype="float64")
    return pd.Series(values, index=index, dtype=object)


def _python(value: Any) -> tuple[bool, Any]:
    """``(present, value)`` with numpy scalars turned into Python ones."""
    if value is None or value is pd.NA or value is pd.NaT:
        return False, None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return False, None
    return True, value


def graph_from_gdfs(
    nodes: gpd.GeoDataFrame,
    edges: gpd.GeoDataFrame,
    *,
    graph_attrs: dict[str, Any] | None = None,
) -> nx.MultiDiGraph:
    """Return the route graph whose nodes and edges are these GeoDataFrames.

    Parameters
    ----------
    nodes
        Indexed by node id; ``x``/``y`` columns, else taken from the Point geometry.
    edges
        Indexed by ``(u, v, key)``; the geometry column becomes the ``geometry`` attribute.
    graph_attrs
        ``G.graph``; by default ``nodes.attrs["graph"]`` (set by :func:`graph_to_gdfs`),
        else ``{"crs": <nodes' CRS>}``.

    Returns
    -------
    networkx.MultiDiGraph
        Missing (NA) values are left unset; numpy scalars become Python values.

    Raises
    ------
    GraphError
        When the edges are not indexed by ``(u, v, key)`` or name nodes that are not in
        ``nodes``.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph(crs="EPSG:4326")
    >>> G.add_node("a", x=0.0, y=0.0)
    >>> G.add_node("b", x=1.0, y=0.0)
    >>> _ = G.add_edge("a", "b", length_m=111319.5)
    >>> H = graph_from_gdfs(*graph_to_gdfs(G))
    >>> list(H.edges(keys=True, data="length_m"))
    [('a', 'b', 0, 111319.5)]
    """
    if edges.index.nlevels != 3:
        raise GraphError(
            "edges must be indexed by (u, v, key), as graph_to_gdfs returns them; "
            "use edges.set_index(['u', 'v', 'key'])"
        )
    if graph_attrs is None:
        graph_attrs = copy.deepcopy(nodes.attrs.get("graph")) or {}
        if "crs" not in graph_attrs:
            graph_attrs["crs"] = nodes.crs.to_string() if nodes.crs is not None else CRS
    G = nx.MultiDiGraph(**graph_attrs)
    ncols = [c for c in nodes.columns if c != nodes.geometry.name]
    geo = np.asarray(nodes.geometry.values)
    records = nodes[ncols].to_dict(orient="records") if ncols else [{} for _ in range(len(nodes))]
    for n, rec, g in zip(nodes.index, records, geo, strict=True):
        attrs = {}
        for k, v in rec.items():
            present, val = _python(v)
            if present:
                attrs[str(k)] = val
        if ("x" not in attrs or "y" not in attrs) and g is not None and not g.is_empty:
            attrs.setdefault("x", float(shapely.get_x(g)))
            attrs.setdefault("y", float(shapely.get_y(g)))
        G.add_node(_python(n)[1], **attrs)
    ecols = [c for c in edges.columns if c != edges.geometry.name]
    egeo = np.asarray(edges.geometry.values)
    erecs = edges[ecols].to_dict(orient="records") if ecols else [{} for _ in range(len(edges))]
    for (u, v, k), rec, g in zip(edges.index, erecs, egeo, strict=True):
        u, v, k = _python(u)[1], _python(v)[1], _python(k)[1]
        if u not in G or v not in G:
            missing = u if u not in G else v
            raise GraphError(
                f"edge ({u!r}, {v!r}, {k!r}) names node {missing!r} that is not in the nodes "
                f"frame; pass the nodes frame that goes with these edges"
            )
        attrs = {}
        for key, val in rec.items():
            present, value = _python(val)
            if present:
                attrs[str(key)] = value
        if g is not None:
            attrs["geometry"] = g
        G.add_edge(u, v, key=k, **attrs)
    return G
