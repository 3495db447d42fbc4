"""Save a route graph to a GeoPackage and load it back exactly.

The file holds three layers: ``nodes`` (Point, column ``node`` = node id), ``edges``
(LineString, columns ``u``, ``v``, ``key``) and ``graph``, a table of ``key``/``value``
rows with ``G.graph`` as JSON plus the Python type of every attribute column, so that
:func:`load_graph` can give back bools, ints, floats and strings as they were (GeoPackage
has no nullable booleans, and missing values would otherwise turn ints into floats). Any
GIS opens the file; QGIS shows nodes and edges as two layers.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pyogrio

from geotraf.convert import graph_from_gdfs, graph_to_gdfs
from geotraf.errors import GraphError
from layers.io import atomic_write

__all__ = ["FORMAT_VERSION", "load_graph", "save_graph", "save_layers"]

#: Version of the layout written by :func:`save_graph`.
FORMAT_VERSION = 1
_LAYERS = ("nodes", "edges", "graph")
_TYPES_KEY = "__types__"
_VERSION_KEY = "__geotraf_graph__"


def _column_type(values: pd.Series) -> str:
    kinds = {
        type(v.item() if isinstance(v, np.generic) else v)
        for v in values
        if v is not None and not _is_na(v)
    }
    if not kinds:
        return "str"
    if kinds <= {bool}:
        return "bool"
    if kinds <= {int}:
        return "int"
    if kinds <= {int, float}:
        return "float"
    if kinds <= {str}:
        return "str"
    return "json"


def _is_na(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _encode(frame: gpd.GeoDataFrame, types: dict[str, str]) -> gpd.GeoDataFrame:
    out = frame.copy()
    for col, kind in types.items():
        values = out[col]
        has_na = any(v is None or _is_na(v) for v in values)
        if kind == "json":
            out[col] = [None if _is_na(v) else json.dumps(v) for v in values]
        elif kind == "bool":
            # GeoPackage booleans cannot be NULL: store 1.0/0.0/NaN and cast back on load.
            out[col] = (
                [float(v) if not _is_na(v) else float("nan") for v in values]
                if has_na
                else values.astype(bool)
            )
        elif kind == "int":
            out[col] = values.astype("float64") if has_na else values.astype("int64")
        elif kind == "float":
            out[col] = values.astype("float64")
        else:
            out[col] = pd.Series(
                [None if _is_na(v) else str(v) for v in values], index=out.index, dtype=object
            )
    return out


def _decode_value(value: Any, kind: str) -> Any:
    if value is None or _is_na(value):
        return None
    if kind == "bool":
        return bool(value)
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    if kind == "json":
        return json.loads(value)
    return str(value)


def _decode(frame: gpd.GeoDataFrame, types: dict[str, str]) -> gpd.GeoDataFrame:
    out = frame.copy()
    for col, kind in types.items():
        if col not in out.columns:
            raise GraphError(f"column {col!r} is missing from the graph file")
        out[col] = pd.Series(
            [_decode_value(v, kind) for v in out[col].tolist()], index=out.index, dtype=object
        )
    return out


def save_graph(G: nx.MultiDiGraph, path: str | os.PathLike[str]) -> Path:
    """Write a route graph to a GeoPackage, atomically (a reader never sees half a file).

    Parameters
    ----------
    G
        A route graph; node ids and attribute names must be strings, edge keys ints.
    path
        The ``.gpkg`` file to write (replaced if it exists).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    GraphError
        When the folder does not exist or the graph cannot be written.

    Examples
    --------
    >>> import networkx as nx, tempfile, pathlib
    >>> G = nx.MultiDiGraph(crs="EPSG:4326", name="tiny")
    >>> G.add_node("a", x=0.0, y=0.0, kind="junction")
    >>> G.add_node("b", x=1.0, y=0.0, kind="junction")
    >>> _ = G.add_edge("a", "b", length_m=111319.5, border=False)
    >>> out = save_graph(G, pathlib.Path(tempfile.mkdtemp()) / "g.gpkg")
    >>> load_graph(out).graph["name"]
    'tiny'
    """
    target = Path(path)
    if not target.parent.is_dir():
        raise GraphError(f"cannot write {target}: folder {target.parent} does not exist")
    nodes, edges = graph_to_gdfs(G)
    node_types = {c: _column_type(nodes[c]) for c in nodes.columns if c != "geometry"}
    edge_types = {c: _column_type(edges[c]) for c in edges.columns if c != "geometry"}
    if "node" in node_types or {"u", "v", "key"} & set(edge_types):
        raise GraphError("node/edge attributes may not be called 'node', 'u', 'v' or 'key'")
    nodes_out = _encode(nodes, node_types)
    nodes_out.insert(0, "node", pd.Series([str(n) for n in nodes.index], index=nodes.index))
    nodes_out = nodes_out.reset_index(drop=True)
    edges_out = _encode(edges, edge_types)
    idx = edges.index
    edges_out.insert(0, "key", pd.Series(idx.get_level_values(2), index=idx, dtype="int64"))
    edges_out.insert(0, "v", pd.Series([str(v) for v in idx.get_level_values(1)], index=idx))
    edges_out.insert(0, "u", pd.Series([str(u) for u in idx.get_level_values(0)], index=idx))
    edges_out = edges_out.reset_index(drop=True)
    meta = {
        _VERSION_KEY: FORMAT_VERSION,
        _TYPES_KEY: {"nodes": node_types, "edges": edge_types},
        "graph": dict(G.graph),
    }
    table = pd.DataFrame(
        {
            "key": list(meta),
            "value": [json.dumps(v, ensure_ascii=False, default=str) for v in meta.values()],
        }
    )

    def write(tmp: Path) -> None:
        pyogrio.write_dataframe(nodes_out, tmp, layer="nodes", driver="GPKG", geometry_type="Point")
        pyogrio.write_dataframe(
            edges_out, tmp, layer="edges", driver="GPKG", geometry_type="LineString", append=False
        )
        pyogrio.write_dataframe(table, tmp, layer="graph", driver="GPKG")

    try:
        atomic_write(target, write)
    except (OSError, pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise GraphError(f"cannot write the route graph to {target}: {exc}") from exc
    return target


def load_graph(path: str | os.PathLike[str]) -> nx.MultiDiGraph:
    """Read a route graph written by :func:`save_graph`.

    Raises
    ------
    GraphError
        When the file does not exist, is not a GeoPackage, or lacks the ``nodes``,
        ``edges`` and ``graph`` layers (then it was not written by :func:`save_graph`:
        rebuild it with ``geotraf build --region ... --out FILE``).

    Examples
    --------
    >>> load_graph("no/such/file.gpkg")
    Traceback (most recent call last):
    ...
    geotraf.errors.GraphError: route graph file no/such/file.gpkg not found; ...
    """
    source = Path(path)
    rebuild = "rebuild it with `geotraf build --region REGION --out FILE`"
    if not source.is_file():
        raise GraphError(f"route graph file {source} not found; {rebuild}")
    try:
        layers = {str(row[0]) for row in pyogrio.list_layers(source)}
    except (pyogrio.errors.DataSourceError, OSError) as exc:
        raise GraphError(f"{source} is not a GeoPackage route graph ({exc}); {rebuild}") from exc
    missing = [name for name in _LAYERS if name not in layers]
    if missing:
        raise GraphError(
            f"{source} is not a geotraf route graph: layer(s) {', '.join(missing)} missing; "
            f"{rebuild}"
        )
    table = pyogrio.read_dataframe(source, layer="graph", read_geometry=False)
    meta = {str(k): json.loads(v) for k, v in zip(table["key"], table["value"], strict=True)}
    if meta.get(_VERSION_KEY) != FORMAT_VERSION or _TYPES_KEY not in meta:
        raise GraphError(
            f"{source} was written by another version of geotraf "
            f"(format {meta.get(_VERSION_KEY)!r}, expected {FORMAT_VERSION}); {rebuild}"
        )
    types = meta[_TYPES_KEY]
    nodes = pyogrio.read_dataframe(source, layer="nodes")
    edges = pyogrio.read_dataframe(source, layer="edges")
    for frame, cols, layer in ((nodes, ["node"], "nodes"), (edges, ["u", "v", "key"], "edges")):
        absent = [c for c in cols if c not in frame.columns]
        if absent:
            raise GraphError(f"{source}: layer {layer} lacks column(s) {absent}; {rebuild}")
    nodes = _decode(nodes, types["nodes"])
    nodes.index = pd.Index([str(n) for n in nodes["node"]], name="node", dtype=object)
    nodes = nodes.drop(columns="node")
    edges = _decode(edges, types["edges"])
    edges.index = pd.MultiIndex.from_arrays(
        [
            pd.Index([str(u) for u in edges["u"]], dtype=object),
            pd.Index([str(v) for v in edges["v"]], dtype=object),
            pd.Index([int(k) for k in edges["key"]], dtype="int64"),
        ],
        names=["u", "v", "key"],
    )
    edges = edges.drop(columns=["u", "v", "key"])
    graph_attrs = meta.get("graph") or {}
    return graph_from_gdfs(nodes, edges, graph_attrs=graph_attrs)


def save_layers(path: str | os.PathLike[str], layers: dict[str, gpd.GeoDataFrame]) -> Path:
    """Write result tables as the layers of one GeoPackage, atomically.

    For maps made of several results (roads with their loads, corridors, hotspots). Tuple
    and list values become ``;``-separated text and a table's named index is kept as
    columns (``u``/``v``/``key``) unless they are columns already. Nothing is suppressed here: pass
    tables that went through :func:`geotraf.privacy.suppress` first.

    Parameters
    ----------
    path
        The ``.gpkg`` file to write (replaced if it exists).
    layers
        Layer name → GeoDataFrame, written in this order.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from shapely import Point
    >>> spots = gpd.GeoDataFrame({"name": ["Bridge"], "years": [(2023, 2024)]},
    ...                          geometry=[Point(102.7, 17.9)], crs="EPSG:4326")
    >>> out = save_layers(pathlib.Path(tempfile.mkdtemp()) / "map.gpkg", {"hotspots": spots})
    >>> gpd.read_file(out, layer="hotspots")["years"].tolist()
    ['2023;2024']
    """
    from geotraf._write import _flat

    target = Path(path)
    if target.suffix.lower() != ".gpkg":
        raise GraphError(f"cannot write {target.name}: save_layers writes a .gpkg file")
    if not target.parent.is_dir():
        raise GraphError(f"cannot write {target}: folder {target.parent} does not exist")
    if not layers:
        raise GraphError("save_layers needs at least one layer")
    frames: dict[str, gpd.GeoDataFrame] = {}
    for name, frame in layers.items():
        if not isinstance(frame, gpd.GeoDataFrame):
            raise GraphError(f"layer {name!r} has no geometry: save_layers writes GeoDataFrames")
        names = [n for n in frame.index.names if n is not None]
        keep = bool(names) and not set(names) & set(frame.columns)  # hotspots keep ``node``
        flat = _flat(frame.reset_index() if keep else frame.reset_index(drop=True))
        frames[name] = gpd.GeoDataFrame(flat, geometry=frame.geometry.name, crs=frame.crs)

    def write(tmp: Path) -> None:
        for name, frame in frames.items():
            pyogrio.write_dataframe(frame, tmp, layer=name, driver="GPKG")

    try:
        atomic_write(target, write)
    except (OSError, pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise GraphError(f"cannot write {target}: {exc}") from exc
    return target
