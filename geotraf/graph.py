"""Build the border-aware route graph of a region (docs/algorithms.md, "Route graph").

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
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import warnings
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from geotraf._geo import (
    LocalProjection,
    chord_for_distance,
    geodesic_distance,
    line_lengths_m,
    unit_vectors,
)
from geotraf.errors import GraphError
from layers.schema import CRS, DEFAULT_SPEED_KPH, ROAD_CLASSES, split_list

__all__ = [
    "ACCESS_CLASS",
    "COUNTRY_SNAP_M",
    "NODE_KINDS",
    "UnattachedPlacesWarning",
    "build_route_graph",
    "nearest_nodes",
    "run_build_command",
    "summarize",
]

#: Node kinds of the route graph.
NODE_KINDS: tuple[str, ...] = ("junction", "crossing", "place")
#: ``road_class`` of the edges that join a place to the road network.
ACCESS_CLASS = "access"
#: A node outside every polygon takes the country of the nearest one within this distance.
COUNTRY_SNAP_M = 5000.0
#: How many nearest road nodes a place considers when looking for one of its own country.
_ATTACH_CANDIDATES = 64
#: Positions along a line closer than this (degrees) are the same position.
_EPS = 1e-12

AnyArray = NDArray[Any]


class UnattachedPlacesWarning(UserWarning):
    """Some places are farther than ``max_attach_m`` from every road and were left out."""


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
    out = _Lines([], np.empty(0, dtype=object), [], [], [], [], [], [], [], [], [])
    keep: list[Any] = []
    part_no: dict[int, int] = defaultdict(int)
    for geom, row in zip(parts, index, strict=True):
        if geom is None or shapely.get_type_id(geom) != 1:  # 1 = LineString
            continue
        xy = shapely.get_coordinates(geom)
        if len(xy) > 1:
            # Repeated vertices make zero-length segments that confuse positions.
            step = np.any(np.diff(xy, axis=0) != 0.0, axis=1)
            xy = np.vstack([xy[:1], xy[1:][step]])
        if len(xy) < 2:
            continue
        speed = maxspeed[row]
        spd = float(speed) if speed is not None and not pd.isna(speed) else math.nan
        if not (spd > 0):
            spd = DEFAULT_SPEED_KPH[classes[row]]
        out.coords.append(xy)
        keep.append(shapely.linestrings(xy))
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
    out.geoms = np.asarray(keep, dtype=object)
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


# --- 2. noding ------------------------------------------------------------------------------


@dataclass
class _Events:
    """Candidate node points on lines: where they are and how much they weigh."""

    line: list[AnyArray] = field(default_factory=list)
    pos: list[AnyArray] = field(default_factory=list)
    lon: list[AnyArray] = field(default_factory=list)
    lat: list[AnyArray] = field(default_factory=list)
    prio: list[AnyArray] = field(default_factory=list)

    def add(self, line: AnyArray, pos: AnyArray, lon: AnyArray, lat: AnyArray, prio: int) -> None:
        self.line.append(np.asarray(line, dtype=np.int64))
        self.pos.append(np.asarray(pos, dtype=float))
        self.lon.append(np.asarray(lon, dtype=float))
        self.lat.append(np.asarray(lat, dtype=float))
        self.prio.append(np.full(len(self.line[-1]), prio, dtype=np.int64))

    def arrays(self) -> tuple[AnyArray, AnyArray, AnyArray, AnyArray, AnyArray]:
        return (
            np.concatenate(self.line),
            np.concatenate(self.pos),
            np.concatenate(self.lon),
            np.concatenate(self.lat),
            np.concatenate(self.prio),
        )


def _intersection_events(lines: _Lines, events: _Events) -> None:
    geoms = lines.geoms
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    bridge = np.asarray(lines.bridge, dtype=bool)
    network = np.asarray([_network_of(c) for c in lines.road_class])
    keep = (left < right) & ~bridge[left] & ~bridge[right] & (network[left] == network[right])
    keep &= network[left] != "ferry"
    left, right = left[keep], right[keep]
    if len(left) == 0:
        return
    inter = shapely.intersection(geoms[left], geoms[right])
    parts, pair = shapely.get_parts(inter, return_index=True)
    kinds = shapely.get_type_id(parts)
    pts_xy: list[AnyArray] = []
    pts_pair: list[AnyArray] = []
    is_point = kinds == 0
    if is_point.any():
        pts_xy.append(shapely.get_coordinates(parts[is_point]))
        pts_pair.append(pair[is_point])
    is_line = kinds == 1
    if is_line.any():
        # Roads that share a stretch meet where the shared stretch begins and ends.
        bounds = shapely.boundary(parts[is_line])
        bparts, bidx = shapely.get_parts(bounds, return_index=True)
        pts_xy.append(shapely.get_coordinates(bparts))
        pts_pair.append(pair[is_line][bidx])
    if not pts_xy:
        return
    xy = np.concatenate(pts_xy)
    which = np.concatenate(pts_pair)
    pts = shapely.points(xy)
    for side in (left, right):
        owner = side[which]
        pos = shapely.line_locate_point(geoms[owner], pts)
        events.add(owner, pos, xy[:, 0], xy[:, 1], prio=1)


def _snap_events(
    lines: _Lines, pgeoms: AnyArray, proj: LocalProjection, tol: float, events: _Events
) -> None:
    if tol <= 0:
        return
    starts = np.array([c[0] for c in lines.coords])
    ends = np.array([c[-1] for c in lines.coords])
    end_xy = np.vstack([starts, ends])
    owner = np.concatenate([np.arange(len(lines)), np.arange(len(lines))])
    px, py = proj.forward(end_xy[:, 0], end_xy[:, 1])
    pend = np.asarray(shapely.points(px, py), dtype=object)
    tree = shapely.STRtree(pgeoms)
    e, target = tree.query(pend, predicate="dwithin", distance=tol)
    bridge = np.asarray(lines.bridge, dtype=bool)
    network = np.asarray([_network_of(c) for c in lines.road_class])
    # Any end may join a road midway (a ferry landing, a railhead); rail and ferry lines are
    # entered midway only by their own kind, and bridges never.
    keep = (
        (target != owner[e])
        & ~bridge[target]
        & ((network[target] == "road") | (network[target] == network[owner[e]]))
    )
    e, target = e[keep], target[keep]
    if len(e) == 0:
        return
    ppos = shapely.line_locate_point(pgeoms[target], pend[e])
    near = shapely.line_interpolate_point(pgeoms[target], ppos)
    nxy = shapely.get_coordinates(near)
    lon, lat = proj.inverse(nxy[:, 0], nxy[:, 1])
    pos = shapely.line_locate_point(lines.geoms[target], shapely.points(lon, lat))
    events.add(target, pos, lon, lat, prio=1)


@dataclass(frozen=True)
class _Anchors:
    """Places to be joined to the road network where it passes nearest."""

    lon: AnyArray
    lat: AnyArray
    country: list[str]


def _anchor_events(
    lines: _Lines,
    pgeoms: AnyArray,
    proj: LocalProjection,
    anchors: _Anchors,
    countries: _Countries | None,
    max_m: float,
    events: _Events,
) -> None:
    """Split roads where they pass nearest to each place (its own country's roads first).

    Without this a town beside a long schematic highway would have to reach the
    highway's far-away ends. Bridges, rail and ferries are not entered midway.
    """
    eligible = np.flatnonzero(
        ~np.asarray(lines.bridge, dtype=bool)
        & np.array([_network_of(c) == "road" for c in lines.road_class], dtype=bool)
    )
    if len(anchors.lon) == 0 or len(eligible) == 0:
        return
    px, py = proj.forward(anchors.lon, anchors.lat)
    pts = np.asarray(shapely.points(px, py), dtype=object)
    # A little slack: the final, geodesic max_attach_m test happens on the access edge.
    tree = shapely.STRtree(pgeoms[eligible])
    pi, li = tree.query(pts, predicate="dwithin", distance=max_m * 1.01)
    if len(pi) == 0:
        return
    li = eligible[li]
    dist = shapely.distance(pts[pi], pgeoms[li])
    ppos = shapely.line_locate_point(pgeoms[li], pts[pi])
    nxy = shapely.get_coordinates(shapely.line_interpolate_point(pgeoms[li], ppos))
    lon, lat = proj.inverse(nxy[:, 0], nxy[:, 1])
    where = countries.locate(lon, lat) if countries is not None else [""] * len(pi)
    order = np.lexsort((li, dist, pi))
    chosen: dict[int, int] = {}
    for j in order:
        p = int(pi[j])
        own = anchors.country[p]
        if p not in chosen or (where[chosen[p]] != own and where[j] == own):
            chosen[p] = int(j)
    pick = np.array(sorted(chosen.values()), dtype=np.int64)
    pos = shapely.line_locate_point(lines.geoms[li[pick]], shapely.points(lon[pick], lat[pick]))
    events.add(li[pick], pos, lon[pick], lat[pick], prio=1)


@dataclass
class _Pieces:
    """Road pieces between junction clusters."""

    line: list[int]
    u: list[int]
    v: list[int]
    coords: list[AnyArray]


def _node_roads(
    lines: _Lines,
    proj: LocalProjection,
    tol: float,
    *,
    anchors: _Anchors | None = None,
    countries: _Countries | None = None,
    max_attach_m: float = 0.0,
) -> tuple[_Pieces, AnyArray, AnyArray]:
    """Split lines into pieces between clustered node points.

    Returns the pieces and the lon, lat arrays of the clusters (pieces' ``u``/``v`` index
    them).
    """
    n = len(lines)
    events = _Events()
    lengths = np.asarray(shapely.length(lines.geoms), dtype=float)
    starts = np.array([c[0] for c in lines.coords])
    ends = np.array([c[-1] for c in lines.coords])
    events.add(np.arange(n), np.zeros(n), starts[:, 0], starts[:, 1], prio=0)
    events.add(np.arange(n), lengths, ends[:, 0], ends[:, 1], prio=0)
    _intersection_events(lines, events)
    pgeoms = proj.project_geometries(lines.geoms)
    _snap_events(lines, pgeoms, proj, tol, events)
    if anchors is not None:
        _anchor_events(lines, pgeoms, proj, anchors, countries, max_attach_m, events)
    line, pos, lon, lat, prio = events.arrays()
    pos = np.clip(pos, 0.0, lengths[line])

    x, y = proj.forward(lon, lat)
    m = len(line)
    if tol > 0:
        pairs = cKDTree(np.column_stack([x, y])).query_pairs(r=tol, output_type="ndarray")
    else:
        pairs = np.empty((0, 2), dtype=np.int64)
    # Exact duplicates always merge, whatever the tolerance.
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(m, m)).tocsr()
    _, label = connected_components(graph, directed=False)
    if tol <= 0:
        key = pd.Series(list(zip(lon.round(12), lat.round(12), strict=True)))
        label = pd.factorize(key)[0]
    # Cluster position: mean of its highest-priority members (a T-junction keeps the
    # through road straight and moves the short road's end).
    frame = pd.DataFrame({"label": label, "prio": prio, "lon": lon, "lat": lat})
    top = frame.groupby("label")["prio"].transform("max")
    centre = frame[frame["prio"] == top].groupby("label")[["lon", "lat"]].mean()
    clon = centre["lon"].to_numpy()
    clat = centre["lat"].to_numpy()

    order = np.lexsort((pos, line))
    line, pos, label = line[order], pos[order], label[order]
    bounds = np.flatnonzero(np.diff(line)) + 1
    pieces = _Pieces([], [], [], [])
    for seg_line, seg_pos, seg_lab in zip(
        np.split(line, bounds), np.split(pos, bounds), np.split(label, bounds), strict=True
    ):
        li = int(seg_line[0])
        xy = lines.coords[li]
        cum = _cumulative(xy) if len(seg_lab) > 2 or len(xy) > 2 else None
        # Runs of one cluster collapse; a piece runs from the last event of one run to the
        # first event of the next.
        change = np.flatnonzero(np.diff(seg_lab) != 0)
        for k in change:
            a, b = int(seg_lab[k]), int(seg_lab[k + 1])
            p0, p1 = float(seg_pos[k]), float(seg_pos[k + 1])
            if p1 - p0 <= _EPS:
                continue
            pieces.line.append(li)
            pieces.u.append(a)
            pieces.v.append(b)
            if cum is None:  # a plain two-point segment: only its ends move
                coords = np.array([[clon[a], clat[a]], [clon[b], clat[b]]])
            else:
                coords = _cut(
                    xy, cum, p0, p1, np.array([clon[a], clat[a]]), np.array([clon[b], clat[b]])
                )
            pieces.coords.append(coords)
    return pieces, clon, clat


# --- 3. countries -------------------------------------------------------------------------


def _polygonal(geom: Any) -> Any:
    """The polygon parts of a geometry (``make_valid`` may add stray lines or points)."""
    if shapely.get_type_id(geom) in (3, 6):  # Polygon, MultiPolygon
        return geom
    parts = [p for p in shapely.get_parts(geom) if shapely.get_type_id(p) in (3, 6)]
    polys = [q for p in parts for q in shapely.get_parts(p)]
    return shapely.MultiPolygon(polys) if polys else shapely.Polygon()


@dataclass
class _Countries:
    """Country polygons prepared for point-in-polygon and nearest look-ups."""

    codes: list[str]
    polys: AnyArray
    rings: AnyArray
    ppolys: AnyArray
    tree: shapely.STRtree
    ptree: shapely.STRtree
    proj: LocalProjection

    @classmethod
    def build(cls, borders: gpd.GeoDataFrame, proj: LocalProjection) -> _Countries:
        valid = borders[~borders.geometry.isna() & ~borders.geometry.is_empty]
        codes = [_text(c) for c in valid["country"].tolist()]
        polys = np.asarray(
            [_polygonal(g) for g in shapely.make_valid(np.asarray(valid.geometry.values))],
            dtype=object,
        )
        ppolys = proj.project_geometries(polys)
        rings = np.asarray(shapely.boundary(polys), dtype=object)
        return cls(
            codes, polys, rings, ppolys, shapely.STRtree(polys), shapely.STRtree(ppolys), proj
        )

    def locate(
        self, lon: AnyArray, lat: AnyArray, *, within_m: float = COUNTRY_SNAP_M
    ) -> list[str]:
        """Country code of each point: containing polygon, else nearest within ``within_m``."""
        lon = np.asarray(lon, dtype=float)
        lat = np.asarray(lat, dtype=float)
        out = [""] * len(lon)
        if len(lon) == 0 or not self.codes:
            return out
        pts = shapely.points(lon, lat)
        idx_pt, idx_poly = self.tree.query(pts, predicate="intersects")
        # Sort so the first polygon (by code) wins where polygons overlap.
        order = np.lexsort((np.asarray(self.codes, dtype=object)[idx_poly].astype(str), idx_pt))
        for i, p in zip(idx_pt[order], idx_poly[order], strict=True):
            if out[i] == "":
                out[i] = self.codes[p]
        missing = np.array([i for i, c in enumerate(out) if c == ""], dtype=np.int64)
        if len(missing) and within_m > 0:
            x, y = self.proj.forward(lon[missing], lat[missing])
            ppts = shapely.points(x, y)
            i_pt, i_poly = self.ptree.query_nearest(ppts, max_distance=within_m, all_matches=True)
            best: dict[int, str] = {}
            for i, p in zip(i_pt, i_poly, strict=True):
                code = self.codes[p]
                if i not in best or code < best[i]:
                    best[i] = code
            for i, code in best.items():
                out[int(missing[i])] = code
        return out

    def pick(self, lon: float, lat: float, pair: Iterable[str]) -> str:
        """Of the countries in ``pair``, the one whose polygon holds the point, else nearest."""
        pair = sorted({c for c in pair if c})
        if not pair:
            return ""
        pt = shapely.Point(lon, lat)
        x, y = self.proj.forward([lon], [lat])
        ppt = shapely.Point(float(x[0]), float(y[0]))
        best, best_d = pair[0], math.inf
        for code in pair:
            for k, c in enumerate(self.codes):
                if c != code:
                    continue
                if shapely.intersects(self.polys[k], pt):
                    return code
                d = float(shapely.distance(self.ppolys[k], ppt))
                if d < best_d:
                    best, best_d = code, d
        return best


@dataclass
class _CrossingTable:
    """The crossings layer as arrays for matching by country pair, mode and distance."""

    ids: list[str]
    names: list[str]
    status: list[str]
    pairs: list[frozenset[str]]
    modes: list[frozenset[str]]
    lon: AnyArray
    lat: AnyArray

    @classmethod
    def build(cls, crossings: gpd.GeoDataFrame | None) -> _CrossingTable:
        if crossings is None or len(crossings) == 0:
            empty = np.zeros(0)
            return cls([], [], [], [], [], empty, empty)
        pts = np.asarray(crossings.geometry.values)
        ok = ~shapely.is_missing(pts) & ~shapely.is_empty(pts)
        sub = crossings[ok]
        xy = shapely.get_coordinates(shapely.centroid(np.asarray(sub.geometry.values)))
        return cls(
            ids=[_text(v) for v in sub["crossing_id"].tolist()],
            names=[_text(v) for v in sub["name"].tolist()],
            status=[_text(v) or "official" for v in sub["status"].tolist()],
            pairs=[frozenset(split_list(v)) for v in sub["countries"].tolist()],
            modes=[frozenset(split_list(v)) for v in _column(sub, "modes", "")],
            lon=xy[:, 0],
            lat=xy[:, 1],
        )

    def match(
        self, lon: float, lat: float, pair: frozenset[str], mode: str, max_m: float
    ) -> int | None:
        """Index of the nearest crossing for ``pair`` and ``mode`` within ``max_m``."""
        cand = [
            k
            for k in range(len(self.ids))
            if self.pairs[k] == pair
            and (
                not self.modes[k]
                or mode in self.modes[k]
                or "unknown" in self.modes[k]
                or (mode == "road" and "foot" in self.modes[k])
            )
        ]
        if not cand:
            return None
        d = geodesic_distance(lon, lat, self.lon[cand], self.lat[cand])
        k = int(np.argmin(d))
        return cand[k] if d[k] <= max_m else None


# --- 4. border splitting --------------------------------------------------------------------


@dataclass
class _Cut:
    """A country change on a piece: where, between which countries, and its node."""

    pos: float
    node: str


def _label_runs(
    piece: shapely.LineString,
    xy: AnyArray,
    cand: list[int],
    countries: _Countries,
    cu: str,
    cv: str,
    length_m: float,
    tol_m: float,
) -> list[tuple[float, float, str]]:
    """Country runs ``(start, end, code)`` along a piece, node countries at both ends."""
    total = float(shapely.length(piece))
    cuts = [0.0, total]
    for k in cand:
        inter = shapely.intersection(piece, countries.rings[k])
        if inter.is_empty:
            continue
        for part in shapely.get_parts(inter):
            if shapely.get_type_id(part) == 0:
                cuts.append(float(shapely.line_locate_point(piece, part)))
            else:
                for c in shapely.get_coordinates(part)[[0, -1]]:
                    cuts.append(float(shapely.line_locate_point(piece, shapely.Point(c))))
    pos = np.unique(np.clip(np.asarray(cuts), 0.0, total))
    runs: list[tuple[float, float, str]] = [(0.0, 0.0, cu)]
    if len(pos) > 1:
        mids = shapely.line_interpolate_point(piece, (pos[:-1] + pos[1:]) / 2.0)
        mx, my = shapely.get_x(mids), shapely.get_y(mids)
        prev = cu
        for s, e, x, y in zip(pos[:-1], pos[1:], mx, my, strict=True):
            inside = [
                countries.codes[k]
                for k in cand
                if shapely.contains_xy(countries.polys[k], float(x), float(y))
            ]
            code = prev if prev in inside else (min(inside) if inside else "")
            if code and code != prev and (e - s) / total * length_m < tol_m:
                code = ""  # a few metres into another country: digitising noise
            runs.append((float(s), float(e), code))
            if code:
                prev = code
    runs.append((total, total, cv))
    merged: list[tuple[float, float, str]] = []
    for s, e, code in runs:
        if not code:
            continue
        if merged and merged[-1][2] == code:
            merged[-1] = (merged[-1][0], e, code)
        else:
            merged.append((s, e, code))
    return merged


# --- the builder ----------------------------------------------------------------------------


def build_route_graph(
    roads: gpd.GeoDataFrame,
    borders: gpd.GeoDataFrame | None,
    crossings: gpd.GeoDataFrame | None,
    places: gpd.GeoDataFrame | None,
    *,
    snap_tolerance_m: float = 25.0,
    crossing_snap_m: float = 5000.0,
    max_attach_m: float = 20000.0,
    access_speed_kph: float = 30.0,
    border_delay_s: float = 1800.0,
    name: str = "geotraf route graph",
) -> nx.MultiDiGraph:
    """Build the border-aware route graph of a region.

    Parameters
    ----------
    roads
        Validated ``roads`` layer (EPSG:4326).
    borders
        Country polygons; ``None`` turns border logic off (no crossings, countries ``""``).
    crossings
        Border crossings; ``None`` makes every border crossing of a road informal.
    places
        Places to attach by access edges; ``None`` for none.
    snap_tolerance_m
        Road ends and intersections closer than this become one node.
    crossing_snap_m
        A road crossing a land boundary uses a crossing of the layer within this distance.
    max_attach_m
        Places farther than this from every road node are left out (and warned about).
    access_speed_kph
        Speed on place access edges.
    border_delay_s
        Time added to ``travel_time_s`` of every border edge of a road: passing a border
        (formalities, waiting, finding a boat) costs time, which also keeps fastest
        routes from zig-zagging across a border and back. Stored as ``border_delay_s``.
    name
        Stored as ``G.graph["name"]``.

    Returns
    -------
    networkx.MultiDiGraph
        Shaped as in ``docs/contracts.md`` ("Route graph").

    Raises
    ------
    GraphError
        When a layer is not a GeoDataFrame in EPSG:4326 with the schema's columns, or when
        no road is usable.

    Warns
    -----
    UnattachedPlacesWarning
        Naming the places left out.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import LineString
    >>> roads = gpd.GeoDataFrame(
    ...     {"road_id": ["a", "b"], "road_class": ["primary", "primary"]},
    ...     geometry=[LineString([(0, 0), (0.02, 0)]), LineString([(0.01, -0.01), (0.01, 0.01)])],
    ...     crs="EPSG:4326",
    ... )
    >>> graph = build_route_graph(roads, None, None, None)
    >>> graph.number_of_nodes(), graph.number_of_edges()
    (5, 8)
    """
    for label, value in (
        ("snap_tolerance_m", snap_tolerance_m),
        ("crossing_snap_m", crossing_snap_m),
        ("max_attach_m", max_attach_m),
    ):
        if not (value >= 0):
            raise GraphError(f"{label} must be a distance in metres >= 0, got {value}")
    if not (access_speed_kph > 0):
        raise GraphError(f"access_speed_kph must be > 0, got {access_speed_kph}")
    if not (border_delay_s >= 0):
        raise GraphError(f"border_delay_s must be a time in seconds >= 0, got {border_delay_s}")
    roads_ = _validate_layer(roads, "roads", ("road_id", "road_class"))
    assert roads_ is not None
    borders_ = _validate_layer(borders, "borders", ("country",), optional=True)
    crossings_ = _validate_layer(
        crossings, "crossings", ("crossing_id", "name", "countries", "status"), optional=True
    )
    places_ = _validate_layer(
        places, "places", ("place_id", "name", "place_type", "role"), optional=True
    )
    if len(roads_) == 0:
        raise GraphError("the roads layer is empty; a route graph needs roads")

    lines = _explode_roads(roads_)
    proj = LocalProjection.around(np.vstack(lines.coords))
    use_borders = borders_ is not None and len(borders_) > 0
    countries = _Countries.build(borders_, proj) if use_borders and borders_ is not None else None
    anchors = _place_anchors(places_, countries) if places_ is not None else None
    pieces, clon, clat = _node_roads(
        lines,
        proj,
        snap_tolerance_m,
        anchors=anchors,
        countries=countries,
        max_attach_m=max_attach_m,
    )
    ccountry = countries.locate(clon, clat) if countries is not None else [""] * len(clon)

    nodes: dict[str, dict[str, Any]] = {}
    junction_of = _junction_ids(clon, clat, pieces)
    alias: dict[str, str] = {}
    cuts_of: dict[int, list[_Cut]] = {}
    unused: list[str] = []
    if countries is not None:
        table = _CrossingTable.build(crossings_)
        cuts_of = _border_cuts(
            lines,
            pieces,
            clon,
            clat,
            ccountry,
            junction_of,
            countries,
            table,
            proj,
            snap_tolerance_m=snap_tolerance_m,
            crossing_snap_m=crossing_snap_m,
            nodes=nodes,
            alias=alias,
        )
        used = {n.get("crossing_id") for n in nodes.values()}
        unused = sorted(cid for cid in table.ids if cid not in used)
    elif crossings_ is not None:
        unused = sorted(_text(v) for v in crossings_["crossing_id"].tolist())

    for c, jid in junction_of.items():
        if jid in alias:
            continue
        nodes[jid] = {
            "x": float(clon[c]),
            "y": float(clat[c]),
            "kind": "junction",
            "country": ccountry[c],
            "name": "",
        }

    def node_xy(nid: str) -> AnyArray:
        return np.array([nodes[nid]["x"], nodes[nid]["y"]])

    # Final edge pieces: each noded piece cut at its crossings, ends on node positions.
    edge_rows: list[tuple[int, int, int, str, str, AnyArray]] = []
    for k in range(len(pieces.line)):
        u = alias.get(junction_of[pieces.u[k]], junction_of[pieces.u[k]])
        v = alias.get(junction_of[pieces.v[k]], junction_of[pieces.v[k]])
        xy = pieces.coords[k]
        if k not in cuts_of:
            if u != v:
                coords = xy.copy()
                coords[0], coords[-1] = node_xy(u), node_xy(v)
                edge_rows.append((pieces.line[k], k, 0, u, v, coords))
            continue
        cum = _cumulative(xy)
        stops = [(0.0, u)] + [(c.pos, c.node) for c in cuts_of[k]] + [(cum[-1], v)]
        for s, (a, b) in enumerate(itertools.pairwise(stops)):
            if a[1] == b[1]:
                continue
            coords = _cut(xy, cum, a[0], b[0], node_xy(a[1]), node_xy(b[1]))
            edge_rows.append((pieces.line[k], k, s, a[1], b[1], coords))

    lengths = line_lengths_m([r[5] for r in edge_rows])
    edges: list[tuple[str, str, dict[str, Any]]] = []
    refs_at: dict[str, set[str]] = defaultdict(set)
    for (li, k, s, u, v, coords), length in zip(edge_rows, lengths, strict=True):
        attrs = _edge_attrs(lines, li, u, v, coords, float(length), nodes, border_delay_s)
        sort_key = (lines.road_id[li], lines.part[li], k, s)
        edges.append((u, v, {**attrs, "_key": sort_key}))
        if not lines.oneway[li]:
            rev = {**attrs, "geometry": shapely.linestrings(coords[::-1]), "_key": sort_key}
            edges.append((v, u, rev))
        if lines.ref[li]:
            refs_at[u].add(lines.ref[li])
            refs_at[v].add(lines.ref[li])
    for nid, refs in refs_at.items():
        if nodes[nid]["kind"] == "junction":
            nodes[nid]["name"] = " / ".join(sorted(refs))

    unattached: list[str] = []
    if places_ is not None and len(places_):
        unattached = _attach_places(
            places_,
            nodes,
            edges,
            countries,
            max_attach_m=max_attach_m,
            access_speed_kph=access_speed_kph,
        )

    graph = nx.MultiDiGraph(crs=CRS, name=name, unattached=unattached, unused_crossings=unused)
    for nid in sorted(nodes):
        graph.add_node(nid, **nodes[nid])
    edges.sort(key=lambda e: (e[0], e[1], e[2]["_key"]))
    for u, v, attrs in edges:
        del attrs["_key"]
        key = graph.add_edge(u, v, **attrs)
        graph.edges[u, v, key]["edge_id"] = f"{u}|{v}|{key}"
    return graph


def _place_points(places: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, AnyArray]:
    """Places with a usable geometry and their lon/lat (centroid of anything not a point)."""
    geoms = np.asarray(places.geometry.values)
    ok = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    sub = places[ok]
    xy = shapely.get_coordinates(shapely.centroid(np.asarray(sub.geometry.values)))
    return sub, xy.reshape(-1, 2)


def _place_countries(
    sub: gpd.GeoDataFrame, xy: AnyArray, countries: _Countries | None
) -> list[str]:
    """Polygon country of each place, else the country the places layer gives."""
    layer_country = [_text(v) for v in _column(sub, "country", "")]
    if countries is None:
        return layer_country
    located = countries.locate(xy[:, 0], xy[:, 1])
    return [c or lc for c, lc in zip(located, layer_country, strict=True)]


def _place_anchors(places: gpd.GeoDataFrame, countries: _Countries | None) -> _Anchors:
    sub, xy = _place_points(places)
    return _Anchors(xy[:, 0], xy[:, 1], _place_countries(sub, xy, countries))


def _junction_ids(clon: AnyArray, clat: AnyArray, pieces: _Pieces) -> dict[int, str]:
    """Number the clusters that pieces use, in lon/lat order (stable across input order)."""
    used = sorted(set(pieces.u) | set(pieces.v))
    order = sorted(used, key=lambda c: (round(float(clon[c]), 9), round(float(clat[c]), 9), c))
    return {c: f"j{n}" for n, c in enumerate(order)}


def _border_cuts(
    lines: _Lines,
    pieces: _Pieces,
    clon: AnyArray,
    clat: AnyArray,
    ccountry: list[str],
    junction_of: dict[int, str],
    countries: _Countries,
    table: _CrossingTable,
    proj: LocalProjection,
    *,
    snap_tolerance_m: float,
    crossing_snap_m: float,
    nodes: dict[str, dict[str, Any]],
    alias: dict[str, str],
) -> dict[int, list[_Cut]]:
    """Find where each piece changes country and make (or reuse) the crossing nodes there.

    Fills ``nodes`` with crossing nodes and ``alias`` with junctions that became crossings.
    """
    geoms = _linestrings(pieces.coords)
    p_idx, poly_idx = countries.tree.query(geoms, predicate="intersects")
    cand: dict[int, list[int]] = defaultdict(list)
    for p, q in zip(p_idx, poly_idx, strict=True):
        cand[int(p)].append(int(q))
    covered = np.zeros(len(geoms), dtype=bool)
    single = [p for p, qs in cand.items() if len(qs) == 1]
    if single:
        polys = countries.polys[[cand[p][0] for p in single]]
        covered[single] = shapely.covered_by(geoms[single], polys)
    lengths = line_lengths_m(pieces.coords)
    informal_n: dict[str, int] = defaultdict(int)
    out: dict[int, list[_Cut]] = {}
    cluster_of = {jid: c for c, jid in junction_of.items()}

    def xy_of(jid: str) -> tuple[float, float]:
        return float(clon[cluster_of[jid]]), float(clat[cluster_of[jid]])

    order = sorted(
        range(len(geoms)),
        key=lambda k: (lines.road_id[pieces.line[k]], lines.part[pieces.line[k]], k),
    )
    for k in order:
        cu, cv = ccountry[pieces.u[k]], ccountry[pieces.v[k]]
        qs = cand.get(k, [])
        if not qs and (cu == cv or not cu or not cv):
            continue
        if covered[k] and cu == cv == countries.codes[qs[0]]:
            continue
        runs = _label_runs(
            geoms[k],
            pieces.coords[k],
            qs,
            countries,
            cu,
            cv,
            float(lengths[k]),
            snap_tolerance_m,
        )
        if len(runs) < 2:
            continue
        li = pieces.line[k]
        mode = _mode_of(lines.road_class[li])
        total = float(shapely.length(geoms[k]))
        ends = {0.0: junction_of[pieces.u[k]], total: junction_of[pieces.v[k]]}
        for (_, e0, a), (s1, _, b) in itertools.pairwise(runs):
            pos = (e0 + s1) / 2.0
            pt = shapely.line_interpolate_point(geoms[k], pos)
            lon, lat = float(pt.x), float(pt.y)
            pair = frozenset((a, b))
            # A change of country this close to a node makes that node the crossing.
            near_end = None
            for end_pos, jid in ends.items():
                d = float(geodesic_distance(lon, lat, *xy_of(jid)))
                if d <= snap_tolerance_m and (near_end is None or d < near_end[0]):
                    near_end = (d, end_pos, jid)
            hit = table.match(lon, lat, pair, mode, crossing_snap_m)
            if near_end is not None and near_end[2] in alias:
                continue  # that end is a crossing already
            if hit is not None:
                nid = f"x:{table.ids[hit]}"
                if nid not in nodes:
                    nodes[nid] = {
                        "x": float(table.lon[hit]),
                        "y": float(table.lat[hit]),
                        "kind": "crossing",
                        "country": countries.pick(
                            float(table.lon[hit]), float(table.lat[hit]), table.pairs[hit]
                        ),
                        "name": table.names[hit],
                        "crossing_id": table.ids[hit],
                        "status": table.status[hit],
                    }
            else:
                road = lines.road_id[li]
                informal_n[road] += 1
                nid = f"i:{road}:{informal_n[road]}"
                if near_end is not None:
                    lon, lat = xy_of(near_end[2])
                nodes[nid] = {
                    "x": lon,
                    "y": lat,
                    "kind": "crossing",
                    "country": countries.pick(lon, lat, pair),
                    "name": f"informal crossing {'-'.join(sorted(pair))} on "
                    f"{lines.ref[li] or lines.name[li] or road}",
                    "crossing_id": nid,
                    "status": "informal",
                }
            if near_end is not None:
                alias[near_end[2]] = nid
            else:
                out.setdefault(k, []).append(_Cut(pos, nid))
    return out


def _edge_attrs(
    lines: _Lines,
    li: int,
    u: str,
    v: str,
    coords: AnyArray,
    length: float,
    nodes: dict[str, dict[str, Any]],
    border_delay_s: float,
) -> dict[str, Any]:
    cu, cv = nodes[u]["country"], nodes[v]["country"]
    border = bool(cu and cv and cu != cv)
    crossing = ""
    informal = False
    if border:
        ends = [n for n in (u, v) if nodes[n]["kind"] == "crossing"]
        if ends:
            node = nodes[min(ends)]
            crossing = node["crossing_id"]
            informal = node["status"] == "informal"
    speed = lines.speed_kph[li]
    delay = border_delay_s if border else 0.0
    return {
        "length_m": length,
        "travel_time_s": length / (speed / 3.6) + delay,
        "border_delay_s": delay,
        "speed_kph": speed,
        "road_class": lines.road_class[li],
        "ref": lines.ref[li],
        "name": lines.name[li],
        "road_id": lines.road_id[li],
        "country": "|".join(sorted((cu, cv))) if border else (cu or cv),
        "border": border,
        "crossing_id": crossing,
        "informal": informal,
        "schematic": lines.schematic[li],
        "geometry": shapely.linestrings(coords),
    }


# --- places ---------------------------------------------------------------------------------


def _attach_places(
    places: gpd.GeoDataFrame,
    nodes: dict[str, dict[str, Any]],
    edges: list[tuple[str, str, dict[str, Any]]],
    countries: _Countries | None,
    *,
    max_attach_m: float,
    access_speed_kph: float,
) -> list[str]:
    """Add place nodes and access edges; return the ids of places left unattached."""
    sub, xy = _place_points(places)
    ids = [_text(v) for v in sub["place_id"].tolist()]
    pcountry = _place_countries(sub, xy, countries)
    road_ids = sorted(nodes)
    unattached = sorted(set(_text(v) for v in places["place_id"].tolist()) - set(ids))
    if not road_ids:
        return sorted(unattached + ids)
    rlon = np.array([nodes[n]["x"] for n in road_ids])
    rlat = np.array([nodes[n]["y"] for n in road_ids])
    tree = cKDTree(unit_vectors(rlon, rlat))
    k = min(_ATTACH_CANDIDATES, len(road_ids))
    _, idx = tree.query(
        unit_vectors(xy[:, 0], xy[:, 1]),
        k=k,
        distance_upper_bound=chord_for_distance(max_attach_m * 1.01),
    )
    idx = np.asarray(idx).reshape(len(ids), k)
    found = idx < len(road_ids)
    idx = np.where(found, idx, 0)
    dist = geodesic_distance(xy[:, [0]], xy[:, [1]], rlon[idx], rlat[idx])
    dist = np.where(found, dist, np.inf)
    speed = access_speed_kph / 3.6
    for i, pid in enumerate(ids):
        # Never across a border except at a crossing: a Thai town joined straight to a Lao
        # road would let its flows skip the border.
        own = [
            j
            for j in np.argsort(dist[i], kind="stable")
            if dist[i, j] <= max_attach_m
            and (
                not pcountry[i]
                or nodes[road_ids[idx[i, j]]]["country"] in ("", pcountry[i])
                or nodes[road_ids[idx[i, j]]]["kind"] == "crossing"
            )
        ]
        if not own:
            unattached.append(pid)
            continue
        j = own[0]
        target = road_ids[idx[i, j]]
        row = sub.iloc[i]
        pnode = f"p:{pid}"
        nodes[pnode] = {
            "x": float(xy[i, 0]),
            "y": float(xy[i, 1]),
            "kind": "place",
            "country": pcountry[i],
            "name": _text(row.get("name", "")),
            "place_id": pid,
            "place_type": _text(row.get("place_type", "")),
            "role": _text(row.get("role", "")),
        }
        if "admin1" in sub.columns:
            nodes[pnode]["admin1"] = _text(row["admin1"])
        if "population" in sub.columns and not pd.isna(row["population"]):
            nodes[pnode]["population"] = int(row["population"])
        a = xy[i]
        b = np.array([nodes[target]["x"], nodes[target]["y"]])
        length = float(dist[i, j])
        ca, cb = pcountry[i], nodes[target]["country"]
        border = bool(ca and cb and ca != cb)  # only ever to a crossing node
        base = {
            "length_m": length,
            "travel_time_s": length / speed,
            "speed_kph": float(access_speed_kph),
            "road_class": ACCESS_CLASS,
            "ref": "",
            "name": nodes[pnode]["name"],
            "road_id": "",
            "country": "|".join(sorted((ca, cb))) if border else (ca or cb),
            "border": border,
            "crossing_id": nodes[target]["crossing_id"] if border else "",
            "informal": border and nodes[target]["status"] == "informal",
            "schematic": False,
        }
        out_geom = shapely.linestrings(np.vstack([a, b]))
        back_geom = shapely.linestrings(np.vstack([b, a]))
        edges.append((pnode, target, {**base, "geometry": out_geom, "_key": ("", 0, 0, 0)}))
        edges.append((target, pnode, {**base, "geometry": back_geom, "_key": ("", 0, 0, 0)}))
    if unattached:
        unattached = sorted(unattached)
        names = dict(zip(places["place_id"].astype(str), places["name"].astype(str), strict=True))
        listed = ", ".join(f"{p} ({names.get(p, '?')})" for p in unattached[:20])
        more = f" and {len(unattached) - 20} more" if len(unattached) > 20 else ""
        warnings.warn(
            UnattachedPlacesWarning(
                f"{len(unattached)} place(s) have no road of their own country (nor a border "
                f"crossing) within {max_attach_m:g} m and were left out of the route graph: "
                f"{listed}{more}. Add roads near them or raise max_attach_m."
            ),
            stacklevel=3,
        )
    return unattached


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


def summarize(G: nx.MultiDiGraph) -> dict[str, Any]:
    """Return the numbers that say whether a route G is usable.

    Returns
    -------
    dict
        ``nodes``, ``edges``, ``junctions``, ``crossings``, ``places``, ``border_edges``
        (directed), ``official_crossings`` (sorted names of official crossings on a border
        edge), ``informal_crossings`` (sorted ids of informal crossing nodes on a border
        edge), ``unattached`` (place ids), ``unused_crossings``, ``components`` (weakly
        connected components of the road network, access edges and places ignored) and
        ``connected`` (one component).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("j0", kind="junction")
    >>> summarize(G)["components"]
    1
    """
    kind = nx.get_node_attributes(G, "kind")
    border_nodes: set[str] = set()
    n_border = 0
    for u, v, d in G.edges(data=True):
        if d.get("border"):
            n_border += 1
            border_nodes.update(n for n in (u, v) if kind.get(n) == "crossing")
    official = sorted(
        {
            str(G.nodes[n].get("name", n))
            for n in border_nodes
            if G.nodes[n].get("status") == "official"
        }
    )
    informal = sorted(n for n in border_nodes if G.nodes[n].get("status") == "informal")
    road = G.subgraph([n for n in G.nodes if kind.get(n) != "place"])
    components = nx.number_weakly_connected_components(road) if road.number_of_nodes() else 0
    return {
        "name": str(G.graph.get("name", "")),
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
        "junctions": sum(1 for k in kind.values() if k == "junction"),
        "crossings": sum(1 for k in kind.values() if k == "crossing"),
        "places": sum(1 for k in kind.values() if k == "place"),
        "border_edges": n_border,
        "official_crossings": official,
        "informal_crossings": informal,
        "unattached": list(G.graph.get("unattached", [])),
        "unused_crossings": list(G.graph.get("unused_crossings", [])),
        "components": components,
        "connected": components == 1,
    }


# --- CLI ------------------------------------------------------------------------------------


def _format_summary(s: dict[str, Any]) -> str:
    lines = [
        f"route graph {s['name']}: {s['nodes']} nodes ({s['junctions']} junctions, "
        f"{s['crossings']} crossings, {s['places']} places), {s['edges']} directed edges",
        f"border edges: {s['border_edges']}",
        f"official crossings used ({len(s['official_crossings'])}): "
        + (", ".join(s["official_crossings"]) or "none"),
        f"informal crossings ({len(s['informal_crossings'])}): "
        + (", ".join(s["informal_crossings"]) or "none"),
        f"road network: {s['components']} connected component(s)"
        + ("" if s["connected"] else " - NOT connected: some places cannot reach others"),
        f"unattached places ({len(s['unattached'])}): " + (", ".join(s["unattached"]) or "none"),
    ]
    if s["unused_crossings"]:
        lines.append(
            f"crossings on no road ({len(s['unused_crossings'])}): "
            + ", ".join(s["unused_crossings"])
        )
    return "\n".join(lines)


def run_build_command(args: argparse.Namespace) -> int:
    """``geotraf build``: build a region's route graph, optionally save it, print a summary.

    Examples
    --------
    >>> import argparse
    >>> args = argparse.Namespace(region="mekong", out=None, format="json")
    >>> run_build_command(args)  # doctest: +SKIP
    0
    """
    from geotraf import commands

    region = commands.load_region(args.region)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UnattachedPlacesWarning)
        graph = build_route_graph(
            region.roads,
            region.borders,
            region.crossings,
            region.places,
            name=str(args.region),
        )
    summary = summarize(graph)
    out = getattr(args, "out", None)
    if out:
        from geotraf.io import save_graph

        save_graph(graph, out)
        summary["out"] = str(out)
    if getattr(args, "format", "text") == "json":
        print(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        print(_format_summary(summary))
        if out:
            print(f"saved to {out}")
        for w in caught:
            if issubclass(w.category, UnattachedPlacesWarning):
                print(f"warning: {w.message}")
    return 0
