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
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

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
    """Road parts (one per LineString) with their attributes, in input order."""

    coords: list[AnyArray]
    geoms: AnyArray
    road_id: list[str]
    part: list[int]
    name: list[str]
    ref: list[str]
    road_class: list[str]
    speed_kph: list[float]
    oneway: list[bool]
    bridge: list[bool]
    schematic: list[bool]

    def __len__(self) -> int:
        return len(self.coords)


def _network_of(road_class: str) -> str:
    """Which network a class belongs to: ``road`` and ``rail`` meet at ends only."""
    if road_class == "rail":
        return "rail"
    if road_class == "ferry":
        return "ferry"
    return "road"


def _mode_of(road_class: str) -> str:
    return {"rail": "rail", "ferry": "boat"}.get(road_class, "road")


def _explode_roads(roads: gpd.GeoDataFrame) -> _Lines:
    ids = [_text(v) for v in roads["road_id"].tolist()]
    classes = [_text(v) for v in roads["road_class"].tolist()]
    unknown = sorted({c for c in classes if c not in DEFAULT_SPEED_KPH})
    if unknown:
        raise GraphError(
            f"roads layer has road_class value(s) {', '.join(unknown)}; use one of "
            f"{', '.join(ROAD_CLASSES)}"
        )
    maxspeed = _column(roads, "maxspeed_kph", None)
    names = [_text(v) for v in _column(roads, "name", "")]
    refs = [_text(v) for v in _column(roads, "ref", "")]
    oneway = [_flag(v) for v in _column(roads, "oneway", False)]
    bridge = [_flag(v) for v in _column(roads, "bridge", False)]
    schematic = [_flag(v) for v in _column(roads, "schematic", False)]

    parts, index = shapely.get_parts(np.asarray(roads.geometry.values), return_index=True)
    is_line = np.array([g is not None for g in parts], dtype=bool)
    is_line[is_line] = shapely.get_type_id(parts[is_line]) == 1  # 1 = LineString
    parts, index = parts[is_line], index[is_line]
    # All vertices at once; repeated vertices make zero-length segments that confuse
    # positions, so a vertex equal to the one before it (in the same part) is dropped.
    xy, owner = shapely.get_coordinates(parts, return_index=True)
    same = np.zeros(len(xy), dtype=bool)
    if len(xy) > 1:
        same[1:] = (owner[1:] == owner[:-1]) & np.all(xy[1:] == xy[:-1], axis=1)
    xy, owner = xy[~same], owner[~same]
    counts = np.bincount(owner, minlength=len(parts))
    usable = np.flatnonzero(counts >= 2)
    keep_vertex = counts[owner] >= 2
    xy, owner = xy[keep_vertex], owner[keep_vertex]
    coords = np.split(xy, np.cumsum(counts[usable])[:-1]) if len(usable) else []
    out = _Lines([], np.empty(0, dtype=object), [], [], [], [], [], [], [], [], [])
    part_no: dict[int, int] = defaultdict(int)
    for xy_part, p in zip(coords, usable, strict=True):
        row = int(index[p])
        speed = maxspeed[row]
        spd = float(speed) if speed is not None and not pd.isna(speed) else math.nan
        if not (spd > 0):
            spd = DEFAULT_SPEED_KPH[classes[row]]
        out.coords.append(xy_part)
        out.road_id.append(ids[row])
        out.part.append(part_no[row])
        part_no[row] += 1
        out.name.append(names[row])
        out.ref.append(refs[row])
        out.road_class.append(classes[row])
        out.speed_kph.append(spd)
        out.oneway.append(oneway[row])
        out.bridge.append(bridge[row])
        out.schematic.append(schematic[row])
    out.geoms = _linestrings(out.coords)
    if len(out) == 0:
        raise GraphError("the roads layer has no usable LineString; a route graph needs roads")
    return out


def _linestrings(coords: list[AnyArray]) -> AnyArray:
    """One LineString per coordinate array, built in a single vectorised call."""
    if not coords:
        return np.empty(0, dtype=object)
    index = np.repeat(np.arange(len(coords)), [len(c) for c in coords])
    return np.asarray(shapely.linestrings(np.concatenate(coords), indices=index), dtype=object)


def _cumulative(xy: AnyArray) -> AnyArray:
    seg = np.hypot(np.diff(xy[:, 0]), np.diff(xy[:, 1]))
    return np.concatenate([[0.0], np.cumsum(seg)])


def _cut(xy: AnyArray, cum: AnyArray, p0: float, p1: float, a: AnyArray, b: AnyArray) -> AnyArray:
    """Return the stretch of a polyline between positions p0 < p1, ends moved to a and b."""
    i0 = int(np.searchsorted(cum, p0 + 1e-9 * (cum[-1] + 1.0), side="right"))
    i1 = int(np.searchsorted(cum, p1 - 1e-9 * (cum[-1] + 1.0), side="left"))
    mid = xy[i0:i1] if i1 > i0 else np.empty((0, 2))
    return np.vstack([a.reshape(1, 2), mid, b.reshape(1, 2)])
