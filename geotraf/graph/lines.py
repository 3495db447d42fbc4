"""Road lines as the builder sees them: one part per LineString, with its attributes.

Examples
--------
A ferry drawn as a MultiLineString of two crossings becomes two parts of one road, each
with the road's attributes:

>>> from shapely import MultiLineString
>>> ferries = gpd.GeoDataFrame({"road_id": ["f1"], "road_class": ["ferry"]},
...     geometry=[MultiLineString([[(0, 0), (1, 0)], [(2, 0), (3, 0)]])], crs=CRS)
>>> lines = _explode_roads(ferries)
>>> len(lines), lines.road_id, lines.part, lines.road_class
(2, ['f1', 'f1'], [0, 1], ['ferry', 'ferry'])
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geotraf._geo import geodesic_distance
from geotraf.errors import GraphError
from geotraf.graph._common import AnyArray
from layers.schema import CRS, DEFAULT_SPEED_KPH, ROAD_CLASSES

# --- inputs -------------------------------------------------------------------------------


def _validate_layer(
    gdf: object, kind: str, required: tuple[str, ...], *, optional: bool = False
) -> gpd.GeoDataFrame | None:
    if gdf is None:
        if optional:
            return None
        raise GraphError(f"the {kind} layer is required to build a route graph")
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise GraphError(
            f"{kind} must be a GeoDataFrame (read it with layers.read_region), "
            f"got {type(gdf).__name__}"
        )
    missing = [c for c in required if c not in gdf.columns]
    if missing:
        raise GraphError(
            f"{kind} layer lacks column(s) {', '.join(missing)}; "
            f"validate it with `geotraf validate` first"
        )
    if len(gdf) and gdf.crs is None:
        raise GraphError(f"{kind} layer has no CRS; set it with .set_crs('{CRS}')")
    if len(gdf) and not gdf.crs.equals(CRS):
        raise GraphError(
            f"{kind} layer is in {gdf.crs.to_string()}, not {CRS}; convert it with .to_crs('{CRS}')"
        )
    return gdf


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if value is pd.NA:
        return ""
    return str(value)


def _flag(value: object) -> bool:
    if value is None or value is pd.NA:
        return False
    if isinstance(value, float) and math.isnan(value):
        return False
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "y", "t"}
    return bool(value)


def _column(gdf: gpd.GeoDataFrame, name: str, default: object) -> list[Any]:
    if name in gdf.columns:
        return list(gdf[name].tolist())
    return [default] * len(gdf)


# --- 1. road lines ------------------------------------------------------------------------


@dataclass
class _Lines:
    """Road parts (one per LineString) with their attributes, in input order.

    ``xy`` holds every vertex of every part, part after part; part ``i`` is
    ``xy[offsets[i]:offsets[i + 1]]`` (also ``coords[i]``, a view). ``node_id`` is the
    OpenStreetMap node id of each vertex when the roads came from an OSM extract with
    their topology, else ``None``.
    """

    road_id: list[str]
    part: list[int]
    name: list[str]
    ref: list[str]
    road_class: list[str]
    speed_kph: list[float]
    oneway: list[bool]
    bridge: list[bool]
    schematic: list[bool]
    xy: AnyArray = field(default_factory=lambda: np.empty((0, 2)))
    offsets: AnyArray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    node_id: AnyArray | None = None

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @cached_property
    def coords(self) -> list[AnyArray]:
        """Each part's vertices (views into ``xy``)."""
        return np.split(self.xy, self.offsets[1:-1]) if len(self) else []

    @cached_property
    def geoms(self) -> AnyArray:
        """Each part as a lon/lat LineString."""
        return _linestrings_flat(self.xy, self.offsets)

    def geoms_of(self, index: AnyArray) -> AnyArray:
        """The LineStrings of parts ``index`` only (without making all of them)."""
        index = np.asarray(index, dtype=np.int64)
        if "geoms" in self.__dict__:
            return np.asarray(self.geoms[index], dtype=object)
        sizes = np.diff(self.offsets)[index]
        take = np.repeat(self.offsets[index], sizes) + (
            np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        )
        return _linestrings_flat(self.xy[take], np.concatenate([[0], np.cumsum(sizes)]))


def _network_of(road_class: str) -> str:
    """Which network a class belongs to: ``road`` and ``rail`` meet at ends only."""
    if road_class == "rail":
        return "rail"
    if road_class == "ferry":
        return "ferry"
    return "road"


def _mode_of(road_class: str) -> str:
    return {"rail": "rail", "ferry": "boat"}.get(road_class, "road")


def _flags(roads: gpd.GeoDataFrame, name: str) -> AnyArray:
    """A boolean column as a numpy array (False where absent or empty)."""
    if name not in roads.columns:
        return np.zeros(len(roads), dtype=bool)
    column = roads[name]
    if column.dtype == bool:
        return column.to_numpy(dtype=bool)
    return np.array([_flag(v) for v in column.tolist()], dtype=bool)


def _texts(roads: gpd.GeoDataFrame, name: str) -> AnyArray:
    return np.array([_text(v) for v in _column(roads, name, "")], dtype=object)


def _vertex_node_ids(
    roads: gpd.GeoDataFrame, ids: AnyArray, geoms: AnyArray, n_vertices: int
) -> AnyArray | None:
    """OSM node id of every vertex of ``geoms`` (in order), or None when not known.

    The ids come from ``roads.attrs["osm_node_ids"]`` (kept by
    :func:`layers.osm.read_osm_roads`), matched by ``road_id``; a road that is not there,
    or whose vertex count changed since it was read, means the topology is not known.
    """
    from layers.osm import OsmNodeIds

    topology = roads.attrs.get("osm_node_ids")
    if not isinstance(topology, OsmNodeIds):
        return None
    return topology.vertex_ids(ids, np.asarray(shapely.get_num_coordinates(geoms)), n_vertices)


def _explode_roads(roads: gpd.GeoDataFrame, *, topology: bool = True) -> _Lines:
    """Split the roads layer into LineString parts with their attributes (vectorised).

    With ``topology`` and OSM node ids on ``roads`` (see :func:`_vertex_node_ids`) the
    parts carry them in ``node_id``.
    """
    ids = np.array([_text(v) for v in roads["road_id"].tolist()], dtype=object)
    classes = np.array([_text(v) for v in roads["road_class"].tolist()], dtype=object)
    unknown = sorted({c for c in set(classes.tolist()) if c not in DEFAULT_SPEED_KPH})
    if unknown:
        raise GraphError(
            f"roads layer has road_class value(s) {', '.join(unknown)}; use one of "
            f"{', '.join(ROAD_CLASSES)}"
        )
    maxspeed = np.array(
        [
            float(s) if s is not None and not pd.isna(s) else math.nan
            for s in _column(roads, "maxspeed_kph", None)
        ],
        dtype=float,
    )
    default_speed = np.array([DEFAULT_SPEED_KPH[c] for c in classes.tolist()], dtype=float)
    with np.errstate(invalid="ignore"):
        speed = np.where(maxspeed > 0, maxspeed, default_speed)

    in_geoms = np.asarray(roads.geometry.values)
    parts, index = shapely.get_parts(in_geoms, return_index=True)
    is_line = np.array([g is not None for g in parts], dtype=bool)
    is_line[is_line] = shapely.get_type_id(parts[is_line]) == 1  # 1 = LineString
    # All vertices at once (of every part, so that OSM node ids line up with them).
    xy, owner = shapely.get_coordinates(parts, return_index=True)
    node_id = _vertex_node_ids(roads, ids, in_geoms, len(xy)) if topology else None
    keep = is_line[owner]
    # Repeated vertices make zero-length segments that confuse positions, so a vertex
    # equal to the one before it (in the same part) is dropped.
    same = np.zeros(len(xy), dtype=bool)
    if len(xy) > 1:
        same[1:] = (owner[1:] == owner[:-1]) & np.all(xy[1:] == xy[:-1], axis=1)
    keep &= ~same
    counts = np.bincount(owner[keep], minlength=len(parts))
    keep &= counts[owner] >= 2
    xy, owner = xy[keep], owner[keep]
    if node_id is not None:
        node_id = node_id[keep]
    usable = np.flatnonzero(counts >= 2)
    if len(usable) == 0:
        raise GraphError("the roads layer has no usable LineString; a route graph needs roads")
    rows = index[usable]
    # Part number of each usable part within its road (parts of a road are consecutive).
    first = np.ones(len(rows), dtype=bool)
    first[1:] = rows[1:] != rows[:-1]
    start = np.maximum.accumulate(np.where(first, np.arange(len(rows)), 0))
    part = np.arange(len(rows)) - start
    offsets = np.concatenate([[0], np.cumsum(counts[usable])]).astype(np.int64)
    out = _Lines(
        road_id=ids[rows].tolist(),
        part=part.tolist(),
        name=_texts(roads, "name")[rows].tolist(),
        ref=_texts(roads, "ref")[rows].tolist(),
        road_class=classes[rows].tolist(),
        speed_kph=speed[rows].tolist(),
        oneway=_flags(roads, "oneway")[rows].tolist(),
        bridge=_flags(roads, "bridge")[rows].tolist(),
        schematic=_flags(roads, "schematic")[rows].tolist(),
        xy=xy,
        offsets=offsets,
        node_id=node_id,
    )
    return out


def _linestrings_flat(xy: AnyArray, offsets: AnyArray) -> AnyArray:
    """One LineString per ``xy[offsets[i]:offsets[i + 1]]``, in a single vectorised call."""
    if len(offsets) < 2:
        return np.empty(0, dtype=object)
    index = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
    return np.asarray(shapely.linestrings(xy, indices=index), dtype=object)


def _linestrings(coords: list[AnyArray]) -> AnyArray:
    """One LineString per coordinate array, built in a single vectorised call."""
    if not coords:
        return np.empty(0, dtype=object)
    index = np.repeat(np.arange(len(coords)), [len(c) for c in coords])
    return np.asarray(shapely.linestrings(np.concatenate(coords), indices=index), dtype=object)


def _flat_lengths_m(xy: AnyArray, offsets: AnyArray) -> AnyArray:
    """Geodesic length (m) of each polyline ``xy[offsets[i]:offsets[i + 1]]``.

    The same numbers as :func:`geotraf._geo.line_lengths_m` on the list of polylines,
    without making the list.
    """
    n = len(offsets) - 1
    if n <= 0:
        return np.zeros(0)
    seg = geodesic_distance(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])
    seg[offsets[1:-1] - 1] = 0.0  # the step from one line's end to the next line's start
    total = np.add.reduceat(np.append(seg, 0.0), offsets[:-1])
    total[np.diff(offsets) < 2] = 0.0
    return np.asarray(total, dtype=float)


def _cumulative(xy: AnyArray) -> AnyArray:
    seg = np.hypot(np.diff(xy[:, 0]), np.diff(xy[:, 1]))
    return np.concatenate([[0.0], np.cumsum(seg)])


def _cut(xy: AnyArray, cum: AnyArray, p0: float, p1: float, a: AnyArray, b: AnyArray) -> AnyArray:
    """Return the stretch of a polyline between positions p0 < p1, ends moved to a and b."""
    i0 = int(np.searchsorted(cum, p0 + 1e-9 * (cum[-1] + 1.0), side="right"))
    i1 = int(np.searchsorted(cum, p1 - 1e-9 * (cum[-1] + 1.0), side="left"))
    mid = xy[i0:i1] if i1 > i0 else np.empty((0, 2))
    return np.vstack([a.reshape(1, 2), mid, b.reshape(1, 2)])
