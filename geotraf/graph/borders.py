"""Countries of nodes and the border cuts of road pieces (steps 2 and 3).

Examples
--------
A road from Laos into Thailand with no crossing in the ``crossings`` layer is cut where
it leaves Laos, at a new informal crossing; the piece that reaches Thailand is the border
edge:

>>> from shapely import LineString, box
>>> from geotraf.graph import build_route_graph
>>> borders = gpd.GeoDataFrame({"country": ["LAO", "THA"], "name": ["Lao PDR", "Thailand"]},
...     geometry=[box(0, 0, 1, 1), box(0, -1, 1, 0)], crs="EPSG:4326")
>>> road = gpd.GeoDataFrame({"road_id": ["ah12"], "road_class": ["primary"]},
...     geometry=[LineString([(0.5, 0.5), (0.5, -0.5)])], crs="EPSG:4326")
>>> G = build_route_graph(road, borders, None, None)
>>> G.nodes["i:ah12:1"]["name"], G.nodes["i:ah12:1"]["y"]
('informal crossing LAO-THA on ah12', 0.0)
>>> sorted({d["country"] for *_, d in G.edges(data=True) if d["border"]})
['LAO|THA']
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from geotraf._geo import (
    LocalProjection,
    geodesic_distance,
    line_lengths_m,
)
from geotraf.graph._common import COUNTRY_SNAP_M, AnyArray
from geotraf.graph.lines import _column, _Lines, _linestrings, _mode_of, _text
from geotraf.graph.noding import _Pieces
from layers.schema import split_list

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
