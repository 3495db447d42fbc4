"""Corridors from an assignment: maximal runs of high-load edges along one road ``ref``.

Like hotspots (:mod:`geotraf.hotspots`), corridors are computed from the flows they are
given: the CLI and the dashboard give them the *released* flows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely import LineString
from shapely.ops import linemerge

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
    import networkx as nx

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
        keys = edge_keys(edge_list)
        attrs = [d for *_, d in edge_list]
        refs = np.array([str(d.get("ref", "") or "") for d in attrs], dtype=object)
        loads = assignment.edge_load.reindex(keys, fill_value=0.0).to_numpy(dtype=float)
    else:
        keys, attrs, refs = index.edges, list(index.edge_attrs), index.edge_ref
        loads = index.edge_values(assignment.edge_load)
    # High-load edges with a ref, in the graph's order (only these are looked at).
    chosen = np.flatnonzero((refs != "") & ~(loads < min_share * total))
    by_ref: dict[str, nx.Graph] = {}
    for i in chosen:
        u, v, _ = keys[i]
        d, ref, load = attrs[i], str(refs[i]), float(loads[i])
        run = by_ref.setdefault(ref, nx.Graph())
        if run.has_edge(u, v):
            run[u][v]["load"] = max(run[u][v]["load"], load)
            continue
        run.add_edge(
            u,
            v,
            load=load,
            length_m=float(d.get("length_m", 0.0) or 0.0),
            geometry=d.get("geometry"),
            crossing_id=str(d.get("crossing_id", "") or ""),
        )
    rows = []
    for ref in sorted(by_ref):
        pieces = sorted(nx.connected_components(by_ref[ref]), key=lambda c: sorted(map(str, c)))
        for component in pieces:
            sub = by_ref[ref].subgraph(component)
            ends = sorted((n for n in sub if sub.degree(n) == 1), key=str) or sorted(sub, key=str)
            load = max(d["load"] for *_, d in sub.edges(data=True))
            lines = [
                d["geometry"] if d["geometry"] is not None else _straight(G, a, b)
                for a, b, d in sub.edges(data=True)
            ]
            crossings = sorted(
                {d["crossing_id"] for *_, d in sub.edges(data=True) if d["crossing_id"]}
                | {
                    str(G.nodes[n].get("crossing_id"))
                    for n in sub
                    if G.nodes[n].get("kind") == "crossing"
                }
            )
            countries = sorted(
                {str(G.nodes[n].get("country")) for n in sub if G.nodes[n].get("country")}
            )
            rows.append(
                {
                    "ref": ref,
                    "load": load,
                    "share": load / total,
                    "length_km": sum(d["length_m"] for *_, d in sub.edges(data=True)) / 1000,
                    "n_edges": sub.number_of_edges(),
                    "start": _node_name(G, ends[0]),
                    "end": _node_name(G, ends[-1]),
                    "countries": ";".join(countries),
                    "crossings": ";".join(crossings),
                    "geometry": linemerge(lines) if len(lines) > 1 else lines[0],
                }
            )
    frame = pd.DataFrame(rows, columns=[c for c in columns if c != "corridor_id"])
    frame = frame.sort_values(["load", "ref"], ascending=[False, True], kind="stable")
    frame.insert(0, "corridor_id", _corridor_ids(frame["ref"]))
    return gpd.GeoDataFrame(frame.reset_index(drop=True), geometry="geometry", crs="EPSG:4326")


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
