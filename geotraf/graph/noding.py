"""Noding: split road lines into pieces between clustered node points (step 1).

Examples
--------
Two roads that cross get a node where they cross: four pieces meet there, each drivable
both ways (degree 8), and the four road ends are nodes of degree 2:

>>> import geopandas as gpd
>>> from shapely import LineString
>>> from geotraf.graph import build_route_graph
>>> roads = gpd.GeoDataFrame({"road_id": ["a", "b"], "road_class": ["primary"] * 2},
...     geometry=[LineString([(0, 0), (0.02, 0)]), LineString([(0.01, -0.01), (0.01, 0.01)])],
...     crs="EPSG:4326")
>>> G = build_route_graph(roads, None, None, None)
>>> sorted(G.degree(n) for n in G.nodes)
[2, 2, 2, 2, 8]
>>> [(d["x"], d["y"]) for n, d in G.nodes(data=True) if G.degree(n) == 8]
[(0.01, 0.0)]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from geotraf._geo import (
    LocalProjection,
)
from geotraf.graph._common import _EPS, AnyArray
from geotraf.graph.lines import _cumulative, _cut, _Lines, _network_of

if TYPE_CHECKING:
    from geotraf.graph.borders import _Countries

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
    reach = max_m * 1.01
    # The nearest road (all equally near ones) decides, unless it passes through another
    # country than the place's: then every road within reach is a candidate.
    pi, li = tree.query_nearest(pts, max_distance=reach, all_matches=True)
    li = eligible[li]
    first = _choose_anchors(pi, li, pts, pgeoms, proj, anchors, countries)
    if countries is not None:
        wider = [p for p, (_, where) in first.items() if where != anchors.country[p]]
        if wider:
            pw, lw = tree.query(pts[wider], predicate="dwithin", distance=reach)
            first.update(
                _choose_anchors(
                    np.asarray(wider)[pw], eligible[lw], pts, pgeoms, proj, anchors, countries
                )
            )
    if not first:
        return
    chosen = sorted(first.items())
    li = np.array([c[1][0][0] for c in chosen], dtype=np.int64)
    lon = np.array([c[1][0][1] for c in chosen])
    lat = np.array([c[1][0][2] for c in chosen])
    events.add(li, _positions(lines, li, lon, lat), lon, lat, prio=1)


def _choose_anchors(
    pi: AnyArray,
    li: AnyArray,
    pts: AnyArray,
    pgeoms: AnyArray,
    proj: LocalProjection,
    anchors: _Anchors,
    countries: _Countries | None,
) -> dict[int, tuple[tuple[int, float, float], str]]:
    """Per place, the nearest candidate road in its own country, else the nearest one.

    Returns ``{place: ((line, lon, lat), country there)}``; ties go to the lower line.
    """
    if len(pi) == 0:
        return {}
    dist = shapely.distance(pts[pi], pgeoms[li])
    ppos = shapely.line_locate_point(pgeoms[li], pts[pi])
    nxy = shapely.get_coordinates(shapely.line_interpolate_point(pgeoms[li], ppos))
    lon, lat = proj.inverse(nxy[:, 0], nxy[:, 1])
    where = countries.locate(lon, lat) if countries is not None else [""] * len(pi)
    order = np.lexsort((li, dist, pi))
    chosen: dict[int, int] = {}
    for j in order.tolist():
        p = int(pi[j])
        own = anchors.country[p]
        if p not in chosen or (where[chosen[p]] != own and where[j] == own):
            chosen[p] = j
    return {p: ((int(li[j]), float(lon[j]), float(lat[j])), where[j]) for p, j in chosen.items()}


def _positions(lines: _Lines, li: AnyArray, lon: AnyArray, lat: AnyArray) -> AnyArray:
    """Position (planar, degrees) of each point along line ``li``."""
    return np.asarray(
        shapely.line_locate_point(lines.geoms_of(li), shapely.points(lon, lat)), dtype=float
    )


@dataclass
class _Pieces:
    """Road pieces between junction clusters.

    Piece ``k`` lies on line ``line[k]`` from cluster ``u[k]`` to ``v[k]``; its vertices
    are ``xy[offsets[k]:offsets[k + 1]]`` (also ``coords[k]``, a view).
    """

    line: AnyArray
    u: AnyArray
    v: AnyArray
    xy: AnyArray
    offsets: AnyArray

    @cached_property
    def coords(self) -> list[AnyArray]:
        """Each piece's vertices (views into ``xy``)."""
        return np.split(self.xy, self.offsets[1:-1]) if len(self) else []

    @classmethod
    def from_flat(
        cls, line: AnyArray, u: AnyArray, v: AnyArray, xy: AnyArray, offsets: AnyArray
    ) -> _Pieces:
        return cls(
            np.asarray(line, dtype=np.int64),
            np.asarray(u, dtype=np.int64),
            np.asarray(v, dtype=np.int64),
            xy,
            np.asarray(offsets, dtype=np.int64),
        )

    @classmethod
    def from_lists(
        cls, line: list[int], u: list[int], v: list[int], coords: list[AnyArray]
    ) -> _Pieces:
        sizes = [len(c) for c in coords]
        offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        xy = np.concatenate(coords) if coords else np.empty((0, 2))
        return cls.from_flat(np.array(line), np.array(u), np.array(v), xy, offsets)

    def __len__(self) -> int:
        return len(self.line)


def _loop_events(
    lines: _Lines, pgeoms: AnyArray, lengths: AnyArray, tol: float, events: _Events
) -> None:
    """Put two nodes inside every loop (a way whose ends meet), so it is not a self-loop.

    A closed way (a roundabout, a cul-de-sac loop) would otherwise run from a node to the
    same node and be dropped; at a third and two thirds of its length it becomes a
    triangle of edges.
    """
    starts = shapely.get_point(pgeoms, 0)
    ends = shapely.get_point(pgeoms, -1)
    closed = np.flatnonzero(shapely.distance(starts, ends) <= max(tol, 0.0))
    for share in (1 / 3, 2 / 3):
        pos = lengths[closed] * share
        xy = shapely.get_coordinates(shapely.line_interpolate_point(lines.geoms[closed], pos))
        events.add(closed, pos, xy[:, 0], xy[:, 1], prio=0)


def _node_roads(
    lines: _Lines,
    proj: LocalProjection,
    tol: float,
    *,
    anchors: _Anchors | None = None,
    countries: _Countries | None = None,
    max_attach_m: float = 0.0,
    pgeoms: AnyArray | None = None,
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
    if pgeoms is None:
        pgeoms = proj.project_geometries(lines.geoms)
    _loop_events(lines, pgeoms, lengths, tol, events)
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
    p_line: list[int] = []
    p_u: list[int] = []
    p_v: list[int] = []
    p_coords: list[AnyArray] = []
    for seg_line, seg_pos, seg_lab in zip(
        np.split(line, bounds), np.split(pos, bounds), np.split(label, bounds), strict=True
    ):
        li = int(seg_line[0])
        xy = lines.coords[li]
        full = float(lengths[li])
        tiny = 1e-9 * (full + 1.0)  # as _cut: positions this close are the same
        cum: AnyArray | None = None
        # Runs of one cluster collapse; a piece runs from the last event of one run to the
        # first event of the next.
        change = np.flatnonzero(np.diff(seg_lab) != 0)
        for k in change:
            a, b = int(seg_lab[k]), int(seg_lab[k + 1])
            p0, p1 = float(seg_pos[k]), float(seg_pos[k + 1])
            if p1 - p0 <= _EPS:
                continue
            p_line.append(li)
            p_u.append(a)
            p_v.append(b)
            if p0 <= tiny and p1 >= full - tiny:  # the whole line: only its ends move
                coords = xy.copy()
                coords[0] = (clon[a], clat[a])
                coords[-1] = (clon[b], clat[b])
            else:
                if cum is None:
                    cum = _cumulative(xy)
                coords = _cut(
                    xy, cum, p0, p1, np.array([clon[a], clat[a]]), np.array([clon[b], clat[b]])
                )
            p_coords.append(coords)
    return _Pieces.from_lists(p_line, p_u, p_v, p_coords), clon, clat
