"""Corridors from an assignment: maximal runs of high-load edges along one road ``ref``.

Like hotspots (:mod:`geotraf.hotspots`), corridors are computed from the flows they are
given: the CLI and the dashboard give them the *released* flows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import LineString

from geotraf.errors import InputError

if TYPE_CHECKING:
    import networkx as nx

    from geotraf.hotspot_index import HotspotIndex
    from geotraf.routing import Assignment


def corridors(
    G: nx.MultiDiGraph,
    assignment: Assignment,
    *,
    min_share: float = 0.05,
    index: HotspotIndex | None = None,
) -> gpd.GeoDataFrame:
    """Maximal runs of high-load edges along one road ``ref``.

    An edge is high-load when it carries at least ``min_share`` of the routed flow. For
    each ref, the high-load edges (both directions of a road counted as one piece) form
    connected runs; each run is a corridor. ``index`` (:func:`geotraf.hotspot_index.
    hotspot_index` of ``G``) saves listing the graph's edges when ranking several
    assignments on one graph.

    Returns
    -------
    geopandas.GeoDataFrame
        ``corridor_id`` (``<ref>-<n>``), ``ref``, ``load`` (largest edge load along the
        run), ``share`` (of the routed flow), ``length_km`` (geodesic), ``n_edges``,
        ``start``/``end`` (names of the run's end nodes), ``countries``, ``crossings``,
        line geometry; sorted by load.

    Examples
    --------
    >>> import networkx as nx, pandas as pd
    >>> from geotraf.routing import assign
    >>> G = nx.MultiDiGraph()
    >>> for i in range(3):
    ...     G.add_node(f"p:{i}", x=float(i), y=0.0, kind="place", place_id=str(i),
    ...                name=f"T{i}", country="THA")
    >>> for a, b in (("p:0", "p:1"), ("p:1", "p:2")):
    ...     _ = G.add_edge(a, b, travel_time_s=1.0, length_m=1000.0, ref="AH1")
    >>> flows = pd.DataFrame({"origin": ["0"], "destination": ["2"], "count": [20]})
    >>> corridors(G, assign(G, flows))[["corridor_id", "load", "length_km"]].values.tolist()
    [['AH1-1', 20.0, 2.0]]
    """
    from geotraf.hotspot_index import edge_keys

    if not 0 < min_share <= 1:
        raise InputError(f"min_share must be in (0, 1], got {min_share}")
    total = assignment.routed
    columns = [
        "corridor_id",
        "ref",
        "load",
        "share",
        "length_km",
        "n_edges",
        "start",
        "end",
        "countries",
        "crossings",
        "geometry",
    ]
    if total <= 0:
        return gpd.GeoDataFrame(pd.DataFrame(columns=columns), geometry="geometry", crs="EPSG:4326")
    if index is not None and index.graph is not G:
        raise InputError(
            "the hotspot index was built for another graph; build it with hotspot_index(G)"
        )
    if index is None:
        edge_list = list(G.edges(keys=True, data=True))
        attrs: Sequence[dict[str, Any]] = [d for *_, d in edge_list]
        ends: Sequence[tuple[Any, Any]] = [(u, v) for u, v, *_ in edge_list]
        refs = np.array([str(d.get("ref", "") or "") for d in attrs], dtype=object)
        loads = assignment.edge_load.reindex(edge_keys(edge_list), fill_value=0.0).to_numpy(
            dtype=float
        )
    else:
        attrs, ends, refs = index.edge_attrs, index.edge_ends, index.edge_ref
        loads = index.edge_values(assignment.edge_load)
    # High-load edges with a ref, in the graph's order (only these are looked at).
    chosen = np.flatnonzero((refs != "") & ~(loads < min_share * total))
    # Per ref, the undirected road pieces: (a, b) → [load, length_m, geometry, crossing_id],
    # the two directions of a road one piece (its larger load, its first direction's data).
    by_ref: dict[str, dict[tuple[Any, Any], list[Any]]] = {}
    for i in chosen.tolist():
        u, v = ends[i]
        d, ref, load = attrs[i], str(refs[i]), float(loads[i])
        pieces = by_ref.setdefault(ref, {})
        piece = pieces.get((u, v)) or pieces.get((v, u))
        if piece is not None:
            piece[0] = max(piece[0], load)
            continue
        pieces[(u, v)] = [
            load,
            float(d.get("length_m", 0.0) or 0.0),
            d.get("geometry"),
            str(d.get("crossing_id", "") or ""),
        ]
    rows = []
    for ref in sorted(by_ref):
        for nodes, edges in _runs(by_ref[ref]):
            rows.append(_corridor_row(G, ref, nodes, edges, total))
    frame = pd.DataFrame(rows, columns=[c for c in columns if c != "corridor_id"])
    frame = frame.sort_values(["load", "ref"], ascending=[False, True], kind="stable")
    frame.insert(0, "corridor_id", _corridor_ids(frame["ref"]))
    return gpd.GeoDataFrame(frame.reset_index(drop=True), geometry="geometry", crs="EPSG:4326")


def _runs(
    pieces: dict[tuple[Any, Any], list[Any]],
) -> list[tuple[list[Any], list[tuple[Any, Any, list[Any]]]]]:
    """Connected runs of one ref's pieces: (nodes, pieces), ordered by their node ids."""
    around: dict[Any, list[Any]] = {}
    for a, b in pieces:
        around.setdefault(a, []).append(b)
        around.setdefault(b, []).append(a)
    seen: set[Any] = set()
    runs: list[list[Any]] = []
    for start in around:
        if start in seen:
            continue
        seen.add(start)
        component, stack = [start], [start]
        while stack:
            for nbr in around[stack.pop()]:
                if nbr not in seen:
                    seen.add(nbr)
                    component.append(nbr)
                    stack.append(nbr)
        runs.append(component)
    out = []
    for component in sorted(runs, key=lambda c: sorted(map(str, c))):
        members = set(component)
        edges = [(a, b, p) for (a, b), p in pieces.items() if a in members]
        out.append((component, edges))
    return out


def _corridor_row(
    G: nx.MultiDiGraph,
    ref: str,
    nodes: list[Any],
    edges: list[tuple[Any, Any, list[Any]]],
    total: float,
) -> dict[str, Any]:
    """One corridor: a run's load (its largest piece's), length, ends, countries, line."""
    degree: dict[Any, int] = dict.fromkeys(nodes, 0)
    for a, b, _ in edges:
        degree[a] += 1
        degree[b] += 1  # a loop counts twice, as in a graph's degree
    ends = sorted((n for n in nodes if degree[n] == 1), key=str) or sorted(nodes, key=str)
    load = max(p[0] for *_, p in edges)
    lines = [p[2] if p[2] is not None else _straight(G, a, b) for a, b, p in edges]
    data = [G.nodes[n] for n in nodes]
    crossings = sorted(
        {p[3] for *_, p in edges if p[3]}
        | {str(d.get("crossing_id")) for d in data if d.get("kind") == "crossing"}
    )
    countries = sorted({str(d.get("country")) for d in data if d.get("country")})
    return {
        "ref": ref,
        "load": load,
        "share": load / total,
        # Correctly rounded, so the same whatever order the pieces come in.
        "length_km": math.fsum(p[1] for *_, p in edges) / 1000,
        "n_edges": len(edges),
        "start": _node_name(G, ends[0]),
        "end": _node_name(G, ends[-1]),
        "countries": ";".join(countries),
        "crossings": ";".join(crossings),
        "geometry": (
            shapely.line_merge(shapely.multilinestrings(lines)) if len(lines) > 1 else lines[0]
        ),
    }


def _corridor_ids(refs: pd.Series) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for ref in refs:
        seen[ref] = seen.get(ref, 0) + 1
        out.append(f"{ref}-{seen[ref]}")
    return out


def _straight(G: nx.MultiDiGraph, a: Any, b: Any) -> LineString:
    return LineString(
        [
            (G.nodes[a].get("x", 0.0), G.nodes[a].get("y", 0.0)),
            (G.nodes[b].get("x", 0.0), G.nodes[b].get("y", 0.0)),
        ]
    )


def _node_name(G: nx.MultiDiGraph, node: Any) -> str:
    return str(G.nodes[node].get("name") or node)
