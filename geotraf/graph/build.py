"""The builder: layers in, border-aware route graph out."""

from __future__ import annotations

import gc
import itertools
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely

from geotraf._geo import LocalProjection
from geotraf.errors import GraphError
from geotraf.graph._common import AnyArray
from geotraf.graph.assemble import _Edges, assemble
from geotraf.graph.attachment import _attach_places, _place_anchors, country_disagreements
from geotraf.graph.borders import _border_cuts, _Countries, _CrossingTable, _Cut
from geotraf.graph.lines import (
    _cumulative,
    _cut,
    _explode_roads,
    _flat_lengths_m,
    _Lines,
    _linestrings_flat,
    _text,
    _validate_layer,
)
from geotraf.graph.losses import auto_snap_tolerance, loss_report
from geotraf.graph.noding import _node_roads, _Pieces
from geotraf.graph.topology import _node_by_ids
from layers.schema import CRS

# --- the builder ----------------------------------------------------------------------------


def build_route_graph(
    roads: gpd.GeoDataFrame,
    borders: gpd.GeoDataFrame | None,
    crossings: gpd.GeoDataFrame | None,
    places: gpd.GeoDataFrame | None,
    *,
    snap_tolerance_m: float | None = None,
    crossing_snap_m: float = 5000.0,
    max_attach_m: float = 20000.0,
    access_speed_kph: float = 30.0,
    border_delay_s: float = 1800.0,
    name: str = "geotraf route graph",
    trust_declared_country: bool = False,
    noding: Literal["auto", "geometry"] = "auto",
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
        Road ends and intersections closer than this become one node. ``None`` (the
        default) derives it from the data (:func:`~geotraf.graph.losses.auto_snap_tolerance`:
        half the 1st percentile of road lengths, 0.5-25 m), so short real roads stay.
        Every road that still collapses is listed in ``G.graph["build_report"]``.
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
    trust_declared_country
        A place whose declared ``country`` differs from the polygon its point lies in
        (a border town digitised a few hundred metres off) gets the polygon's country by
        default; True keeps the declared one. Either way every disagreement is listed in
        ``G.graph["build_report"]["country_disagreements"]`` with the country used.
    noding
        ``"auto"``: roads read from an OpenStreetMap extract (which keep their node ids,
        see :func:`layers.osm.read_osm_roads`) are split where ways share a node
        (:mod:`~geotraf.graph.topology`, fast), other roads where they intersect
        (:mod:`~geotraf.graph.noding`). ``"geometry"``: always by intersection (for an
        extract whose ways cross without sharing nodes). The build report says which
        (``"noding"``).

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
        ("snap_tolerance_m", 0.0 if snap_tolerance_m is None else snap_tolerance_m),
        ("crossing_snap_m", crossing_snap_m),
        ("max_attach_m", max_attach_m),
    ):
        if not (value >= 0):
            raise GraphError(f"{label} must be a distance in metres >= 0, got {value}")
    if not (access_speed_kph > 0):
        raise GraphError(f"access_speed_kph must be > 0, got {access_speed_kph}")
    if not (border_delay_s >= 0):
        raise GraphError(f"border_delay_s must be a time in seconds >= 0, got {border_delay_s}")
    if noding not in ("auto", "geometry"):
        raise GraphError(f"noding must be 'auto' or 'geometry', got {noding!r}")
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
    with _no_cyclic_gc():
        return _build(
            roads_,
            borders_,
            crossings_,
            places_,
            snap_tolerance_m=snap_tolerance_m,
            crossing_snap_m=crossing_snap_m,
            max_attach_m=max_attach_m,
            access_speed_kph=access_speed_kph,
            border_delay_s=border_delay_s,
            name=name,
            trust_declared_country=trust_declared_country,
            noding=noding,
        )


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while the graph is made.

    A build makes millions of dicts and lists, none in a reference cycle; each of them
    counts towards the next collection, and every full collection walks all of them
    again -- about 40 % of the build of a million-segment network. Reference counting
    still frees everything as usual; the collector's previous state is restored.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _build(
    roads_: gpd.GeoDataFrame,
    borders_: gpd.GeoDataFrame | None,
    crossings_: gpd.GeoDataFrame | None,
    places_: gpd.GeoDataFrame | None,
    *,
    snap_tolerance_m: float | None,
    crossing_snap_m: float,
    max_attach_m: float,
    access_speed_kph: float,
    border_delay_s: float,
    name: str,
    trust_declared_country: bool,
    noding: str,
) -> nx.MultiDiGraph:
    lines = _explode_roads(roads_, topology=noding == "auto")
    proj = LocalProjection.around(lines.xy)
    # The parts in local metres, once (the tolerance, snapping and places all use them).
    pgeoms = _linestrings_flat(
        np.column_stack(proj.forward(lines.xy[:, 0], lines.xy[:, 1])), lines.offsets
    )
    tol_source = "given" if snap_tolerance_m is not None else "auto"
    if snap_tolerance_m is None:
        snap_tolerance_m = auto_snap_tolerance(lines, proj, pgeoms=pgeoms)
    use_borders = borders_ is not None and len(borders_) > 0
    countries = _Countries.build(borders_, proj) if use_borders and borders_ is not None else None
    anchors = (
        _place_anchors(places_, countries, trust_declared=trust_declared_country)
        if places_ is not None
        else None
    )
    node = _node_by_ids if lines.node_id is not None else _node_roads
    pieces, clon, clat = node(
        lines,
        proj,
        snap_tolerance_m,
        anchors=anchors,
        countries=countries,
        max_attach_m=max_attach_m,
        pgeoms=pgeoms,
    )
    ccountry = countries.locate(clon, clat) if countries is not None else [""] * len(clon)

    nodes: dict[str, dict[str, Any]] = {}
    jname, junction_of = _junction_ids(clon, clat, pieces)
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

    xs, ys = clon.tolist(), clat.tolist()
    for c, jid in junction_of.items():
        if jid in alias:
            continue
        nodes[jid] = {
            "x": xs[c],
            "y": ys[c],
            "kind": "junction",
            "country": ccountry[c],
            "name": "",
        }

    table_ = _edge_table(lines, pieces, jname, cuts_of, alias, nodes)
    edges = _road_edges(lines, table_, nodes, border_delay_s)

    unattached: list[str] = []
    access: list[tuple[str, str, dict[str, Any]]] = []
    if places_ is not None and len(places_):
        unattached = _attach_places(
            places_,
            nodes,
            access,
            countries,
            max_attach_m=max_attach_m,
            access_speed_kph=access_speed_kph,
            trust_declared=trust_declared_country,
        )
    for u, v, attrs in access:
        del attrs["_key"]
        edges.add(u, v, attrs, "", 0, 0, 0)
    kept = {lines.road_id[li] for li in np.unique(table_.line).tolist()}
    if access:
        kept.add("")

    graph = nx.MultiDiGraph(crs=CRS, name=name, unattached=unattached, unused_crossings=unused)
    assemble(graph, nodes, edges)
    graph.graph["build_report"] = loss_report(
        [_text(v) for v in roads_["road_id"].tolist()],
        lines,
        graph,
        proj,
        tol=snap_tolerance_m,
        source=tol_source,
        kept=kept,
    )
    graph.graph["build_report"]["noding"] = (
        "osm node ids" if lines.node_id is not None else "geometry"
    )
    graph.graph["build_report"]["country_disagreements"] = (
        country_disagreements(places_, countries, trust_declared=trust_declared_country)
        if places_ is not None
        else []
    )
    return graph


def _junction_ids(
    clon: AnyArray, clat: AnyArray, pieces: _Pieces
) -> tuple[AnyArray, dict[int, str]]:
    """Number the clusters that pieces use, in lon/lat order (stable across input order).

    Returns the name of every cluster (``None`` for unused ones) and the used clusters'
    names in that order.
    """
    used = np.unique(np.concatenate([pieces.u, pieces.v]))
    # Python's round (correctly rounded), as the names have always been given.
    klon = np.array([round(x, 9) for x in clon[used].tolist()], dtype=float)
    klat = np.array([round(y, 9) for y in clat[used].tolist()], dtype=float)
    order = used[np.lexsort((used, klat, klon))]
    names = [f"j{n}" for n in range(len(order))]
    jname = np.full(len(clon), None, dtype=object)
    jname[order] = names
    return jname, dict(zip(order.tolist(), names, strict=True))


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
