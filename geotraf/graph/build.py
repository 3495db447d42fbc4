"""The builder: layers in, border-aware route graph out."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

import geopandas as gpd
import networkx as nx
import numpy as np

from geotraf._geo import LocalProjection
from geotraf.errors import GraphError
from geotraf.graph._common import AnyArray
from geotraf.graph.assemble import assemble
from geotraf.graph.attachment import _attach_places, _place_anchors, country_disagreements
from geotraf.graph.borders import _border_cuts, _Countries, _CrossingTable, _Cut
from geotraf.graph.edges import _edge_table, _road_edges
from geotraf.graph.lines import (
    _explode_roads,
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
