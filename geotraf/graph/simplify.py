"""Merge chains of degree-2 junctions into single edges, as OSMnx's ``simplify_graph`` does.

An OpenStreetMap extract draws a curved road as many short ways and a way as many
vertices; after noding, a node that only joins two edges of the same kind of road carries
no routing choice. :func:`simplify_graph` removes such nodes and joins their edges,
keeping the full geometry, the summed lengths and times, and every merged road id.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np
import shapely

#: Edge attributes that must agree for two edges to be merged.
SAME_ALONG: tuple[str, ...] = (
    "road_class",
    "speed_kph",
    "country",
    "border",
    "crossing_id",
    "informal",
    "schematic",
)
#: Edge attributes that are summed along a merged chain.
SUMMED: tuple[str, ...] = ("length_m", "travel_time_s", "border_delay_s")


def _key(d: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(d.get(a) for a in SAME_ALONG)


def _interior(G: nx.MultiDiGraph, n: Any) -> bool:
    """True for a junction that only passes one road through (both ways or one way)."""
    if G.nodes[n].get("kind") != "junction":
        return False
    preds, succs = set(G.predecessors(n)) - {n}, set(G.successors(n)) - {n}
    if len(preds | succs) != 2 or G.has_edge(n, n):
        return False
    ins = list(G.in_edges(n, data=True))
    outs = list(G.out_edges(n, data=True))
    if len(ins) == len(outs) == 2 and preds == succs:
        pairs = [(a, b) for a in ins for b in outs if a[0] != b[1]]
    elif len(ins) == len(outs) == 1 and preds != succs:
        pairs = [(ins[0], outs[0])]
    else:
        return False
    return all(_key(a[2]) == _key(b[2]) for a, b in pairs)


def _joined(values: list[Any], sep: str) -> str:
    return sep.join(dict.fromkeys(str(v) for v in values if v not in (None, "")))


def _merge(chain: list[dict[str, Any]]) -> dict[str, Any]:
    out = dict(chain[0])
    for attr in SUMMED:
        if attr in out:
            out[attr] = float(sum(d.get(attr, 0.0) for d in chain))
    out["road_id"] = _joined([d.get("road_id") for d in chain], ";")
    out["name"] = _joined([d.get("name") for d in chain], " / ")
    out["ref"] = _joined([d.get("ref") for d in chain], " / ")
    coords = [shapely.get_coordinates(d["geometry"]) for d in chain]
    out["geometry"] = shapely.linestrings(np.vstack([coords[0], *(c[1:] for c in coords[1:])]))
    out["merged_edges"] = len(chain)
    return out


def simplify_graph(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Return a copy of ``G`` with chains of pass-through junctions merged into one edge.

    A junction is removed when it joins exactly two neighbours by edges that agree on
    :data:`SAME_ALONG` (class, speed, country, border, schematic). Crossings and places
    always stay. A merged edge keeps the first edge's attributes, sums
    :data:`SUMMED`, joins ``road_id`` (``;``), ``name`` and ``ref`` (`` / ``), concatenates
    the geometry and counts ``merged_edges``. ``G`` is not changed.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import LineString
    >>> from geotraf.graph import build_route_graph
    >>> roads = gpd.GeoDataFrame({"road_id": ["a", "b"], "road_class": ["primary"] * 2},
    ...     geometry=[LineString([(0, 0), (0.01, 0)]), LineString([(0.01, 0), (0.02, 0)])],
    ...     crs="EPSG:4326")
    >>> G = build_route_graph(roads, None, None, None)
    >>> S = simplify_graph(G)
    >>> G.number_of_nodes(), S.number_of_nodes()
    (3, 2)
    >>> sorted(d["road_id"] for *_, d in S.edges(data=True))
    ['a;b', 'b;a']
    """
    interior = {n for n in G.nodes if _interior(G, n)}
    out = nx.MultiDiGraph(**dict(G.graph))
    out.graph["simplified"] = True
    for n, d in G.nodes(data=True):
        if n not in interior:
            out.add_node(n, **d)
    edges: list[tuple[Any, Any, dict[str, Any]]] = []
    for u, v, d in G.edges(data=True):
        if u in interior:
            continue
        chain = [d]
        prev, node = u, v
        while node in interior and node != u:
            nxt = [(b, dd) for _, b, dd in G.out_edges(node, data=True) if b != prev]
            if not nxt:
                break
            prev, (node, dd) = node, nxt[0]
            chain.append(dd)
        if node in interior:  # a ring of pass-through junctions: keep as it was
            continue
        edges.append((u, node, d if len(chain) == 1 else _merge(chain)))
    edges.sort(key=lambda e: (str(e[0]), str(e[1]), str(e[2].get("road_id", ""))))
    for u, v, d in edges:
        attrs = {k: val for k, val in d.items() if k != "edge_id"}
        key = out.add_edge(u, v, **attrs)
        out.edges[u, v, key]["edge_id"] = f"{u}|{v}|{key}"
    return out
