"""The builder: layers in, border-aware route graph out."""

from __future__ import annotations

import itertools
from collections import defaultdict
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np

from geotraf._geo import (
    LocalProjection,
    line_lengths_m,
)
from geotraf.errors import GraphError
from geotraf.graph._common import AnyArray
from geotraf.graph.attachment import _attach_places, _place_anchors, country_disagreements
from geotraf.graph.borders import _border_cuts, _Countries, _CrossingTable, _Cut
from geotraf.graph.lines import (
    _cumulative,
    _cut,
    _explode_roads,
    _Lines,
    _linestrings,
    _text,
    _validate_layer,
)
from geotraf.graph.losses import auto_snap_tolerance, loss_report
from geotraf.graph.noding import _node_roads, _Pieces
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
    tol_source = "given" if snap_tolerance_m is not None else "auto"
    if snap_tolerance_m is None:
        snap_tolerance_m = auto_snap_tolerance(lines, proj)
    use_borders = borders_ is not None and len(borders_) > 0
    countries = _Countries.build(borders_, proj) if use_borders and borders_ is not None else None
    anchors = (
        _place_anchors(places_, countries, trust_declared=trust_declared_country)
        if places_ is not None
        else None
    )
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
    edge_coords: list[AnyArray] = []
    refs_at: dict[str, set[str]] = defaultdict(set)
    for (li, k, s, u, v, coords), length in zip(edge_rows, lengths, strict=True):
        attrs = _edge_attrs(lines, li, u, v, float(length), nodes, border_delay_s)
        sort_key = (lines.road_id[li], lines.part[li], k, s)
        edges.append((u, v, {**attrs, "_key": sort_key}))
        edge_coords.append(coords)
        if not lines.oneway[li]:
            edges.append((v, u, {**attrs, "_key": sort_key}))
            edge_coords.append(coords[::-1])
        if lines.ref[li]:
            refs_at[u].add(lines.ref[li])
            refs_at[v].add(lines.ref[li])
    # One vectorised call for every road edge's geometry (not one per edge).
    for (_, _, attrs), geom in zip(edges, _linestrings(edge_coords), strict=True):
        attrs["geometry"] = geom
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
            trust_declared=trust_declared_country,
        )

    graph = nx.MultiDiGraph(crs=CRS, name=name, unattached=unattached, unused_crossings=unused)
    for nid in sorted(nodes):
        graph.add_node(nid, **nodes[nid])
    edges.sort(key=lambda e: (e[0], e[1], e[2]["_key"]))
    # Keys as add_edge would give them (0, 1, ... per (u, v) in insertion order), in bulk.
    keyed: list[tuple[str, str, int, dict[str, Any]]] = []
    previous: tuple[str, str] | None = None
    key = 0
    for u, v, attrs in edges:
        key = key + 1 if previous == (u, v) else 0
        previous = (u, v)
        del attrs["_key"]
        attrs["edge_id"] = f"{u}|{v}|{key}"
        keyed.append((u, v, key, attrs))
    graph.add_edges_from(keyed)
    graph.graph["build_report"] = loss_report(
        [_text(v) for v in roads_["road_id"].tolist()],
        lines,
        graph,
        proj,
        tol=snap_tolerance_m,
        source=tol_source,
    )
    graph.graph["build_report"]["country_disagreements"] = (
        country_disagreements(places_, countries, trust_declared=trust_declared_country)
        if places_ is not None
        else []
    )
    return graph


def _junction_ids(clon: AnyArray, clat: AnyArray, pieces: _Pieces) -> dict[int, str]:
    """Number the clusters that pieces use, in lon/lat order (stable across input order)."""
    used = sorted(set(pieces.u) | set(pieces.v))
    order = sorted(used, key=lambda c: (round(float(clon[c]), 9), round(float(clat[c]), 9), c))
    return {c: f"j{n}" for n, c in enumerate(order)}


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
