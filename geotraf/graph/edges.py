"""Road edges of the route graph: noded pieces cut at border crossings, with attributes.

A two-way road piece gives an edge each way, a one-way piece one edge, in its direction:

>>> import geopandas as gpd
>>> from shapely import LineString
>>> from geotraf.graph import build_route_graph
>>> roads = gpd.GeoDataFrame(
...     {"road_id": ["a"], "road_class": ["primary"], "oneway": [True]},
...     geometry=[LineString([(0, 0), (0.01, 0)])], crs="EPSG:4326")
>>> G = build_route_graph(roads, None, None, None)
>>> [(u, v, round(d["length_m"]), d["road_id"]) for u, v, d in G.edges(data=True)]
[('j0', 'j1', 1113, 'a')]
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely

from geotraf.graph._common import AnyArray
from geotraf.graph.assemble import _Edges
from geotraf.graph.borders import _Cut
from geotraf.graph.lines import (
    _cumulative,
    _cut,
    _flat_lengths_m,
    _Lines,
    _linestrings_flat,
)
from geotraf.graph.noding import _Pieces


@dataclass
class _EdgeTable:
    """The road stretches that become edges (one per stretch, before directions)."""

    line: AnyArray
    piece: AnyArray
    stretch: AnyArray
    u: list[str]
    v: list[str]
    xy: AnyArray
    offsets: AnyArray


def _edge_table(
    lines: _Lines,
    pieces: _Pieces,
    jname: AnyArray,
    cuts_of: dict[int, list[_Cut]],
    alias: dict[str, str],
    nodes: dict[str, dict[str, Any]],
) -> _EdgeTable:
    """Each noded piece, cut at its border crossings, ends on its nodes' positions."""
    u_name, v_name = jname[pieces.u], jname[pieces.v]
    plain = pieces.u != pieces.v
    special = np.zeros(len(pieces), dtype=bool)
    if cuts_of:
        special[list(cuts_of)] = True
    if alias:
        aliased = np.array(list(alias), dtype=object)
        special |= np.isin(u_name, aliased) | np.isin(v_name, aliased)
    # A piece with no cut between two plain junctions is an edge as it is.
    simple = np.flatnonzero(plain & ~special)
    sizes = np.diff(pieces.offsets)[simple]
    starts = pieces.offsets[simple]
    rep = np.repeat(np.arange(len(simple)), sizes)
    step = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    xy_parts = [pieces.xy[starts[rep] + step]]
    size_parts = [sizes]
    line_parts = [pieces.line[simple]]
    piece_parts = [simple]
    stretch_parts = [np.zeros(len(simple), dtype=np.int64)]
    u_out, v_out = u_name[simple].tolist(), v_name[simple].tolist()

    def node_xy(nid: str) -> AnyArray:
        return np.array([nodes[nid]["x"], nodes[nid]["y"]])

    rows: list[tuple[int, int, int, AnyArray]] = []
    for k in np.flatnonzero(special).tolist():
        u = alias.get(u_name[k], u_name[k])
        v = alias.get(v_name[k], v_name[k])
        xy = pieces.coords[k]
        if k not in cuts_of:
            if u != v:
                coords = xy.copy()
                coords[0], coords[-1] = node_xy(u), node_xy(v)
                rows.append((int(pieces.line[k]), k, 0, coords))
                u_out.append(u)
                v_out.append(v)
            continue
        cum = _cumulative(xy)
        stops = [(0.0, u)] + [(c.pos, c.node) for c in cuts_of[k]] + [(cum[-1], v)]
        for s, (a, b) in enumerate(itertools.pairwise(stops)):
            if a[1] == b[1]:
                continue
            coords = _cut(xy, cum, a[0], b[0], node_xy(a[1]), node_xy(b[1]))
            rows.append((int(pieces.line[k]), k, s, coords))
            u_out.append(a[1])
            v_out.append(b[1])
    if rows:
        xy_parts.append(np.concatenate([r[3] for r in rows]))
        size_parts.append(np.array([len(r[3]) for r in rows]))
        line_parts.append(np.array([r[0] for r in rows]))
        piece_parts.append(np.array([r[1] for r in rows]))
        stretch_parts.append(np.array([r[2] for r in rows]))
    sizes_all = np.concatenate(size_parts)
    return _EdgeTable(
        line=np.concatenate(line_parts).astype(np.int64),
        piece=np.concatenate(piece_parts).astype(np.int64),
        stretch=np.concatenate(stretch_parts).astype(np.int64),
        u=u_out,
        v=v_out,
        xy=np.concatenate(xy_parts) if len(sizes_all) else np.empty((0, 2)),
        offsets=np.concatenate([[0], np.cumsum(sizes_all)]).astype(np.int64),
    )


def _road_edges(
    lines: _Lines, table: _EdgeTable, nodes: dict[str, dict[str, Any]], border_delay_s: float
) -> _Edges:
    """The directed road edges of ``table`` with their attributes (both ways unless one-way)."""
    lengths = _flat_lengths_m(table.xy, table.offsets).tolist()
    geoms = _linestrings_flat(table.xy, table.offsets)
    li_all = table.line.tolist()
    forward = [
        _edge_attrs(lines, li, u, v, length, nodes, border_delay_s)
        for li, u, v, length in zip(li_all, table.u, table.v, lengths, strict=True)
    ]
    back = np.flatnonzero(~np.asarray(lines.oneway, dtype=bool)[table.line])
    backward = [
        {**forward[i], "geometry": g}
        for i, g in zip(back.tolist(), shapely.reverse(geoms[back]).tolist(), strict=True)
    ]
    for attrs, geom in zip(forward, geoms.tolist(), strict=True):
        attrs["geometry"] = geom
    road_id = np.asarray(lines.road_id, dtype=object)[table.line]
    part = np.asarray(lines.part, dtype=np.int64)[table.line]
    edges = _Edges()
    edges.extend(
        table.u,
        table.v,
        forward,
        road_id.tolist(),
        part.tolist(),
        table.piece.tolist(),
        table.stretch.tolist(),
    )
    u_back, v_back = (
        np.asarray(table.v, dtype=object)[back],
        np.asarray(table.u, dtype=object)[back],
    )
    edges.extend(
        u_back.tolist(),
        v_back.tolist(),
        backward,
        road_id[back].tolist(),
        part[back].tolist(),
        table.piece[back].tolist(),
        table.stretch[back].tolist(),
    )
    refs_at: dict[str, set[str]] = defaultdict(set)
    for i in np.flatnonzero(np.asarray(lines.ref, dtype=object)[table.line] != "").tolist():
        ref = lines.ref[li_all[i]]
        refs_at[table.u[i]].add(ref)
        refs_at[table.v[i]].add(ref)
    for nid, refs in refs_at.items():
        if nodes[nid]["kind"] == "junction":
            nodes[nid]["name"] = " / ".join(sorted(refs))
    return edges


def _edge_attrs(
    lines: _Lines,
    li: int,
    u: str,
    v: str,
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
    }
