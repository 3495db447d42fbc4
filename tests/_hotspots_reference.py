"""The hotspot and corridor ranking as it was before it was vectorised (a frozen oracle).

A verbatim copy of ``geotraf.hotspots.hotspots`` and ``geotraf.corridor_runs.corridors``
(with their helpers) at commit edd931e, kept so that the tests can check that the fast
version gives identical tables on many filter states, and so that
``benchmarks/bench_callbacks.py`` can time both side by side. Not used by the package.
"""
# ruff: noqa

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely import LineString, Point
from shapely.ops import linemerge

from geotraf.errors import InputError
from geotraf.hotspots import (
    CROSSING_VULNERABILITY,
    HOTSPOT_COLUMNS,
    PLACE_VULNERABILITY,
    RISK_VULNERABILITY,
    UNGRADED_SITE_VULNERABILITY,
    _normalise,
    incident_density,
    node_load,
)
from geotraf.naming import hotspot_name
from geotraf.privacy import DEFAULT_THRESHOLD, format_count
from layers.schema import VULNERABLE_PLACE_TYPES

if TYPE_CHECKING:
    import networkx as nx

    from geotraf.routing import Assignment


def _vulnerability(
    G: nx.MultiDiGraph, sites: gpd.GeoDataFrame | None
) -> tuple[pd.Series, dict[str, list[str]]]:
    """Vulnerability per node and the names of the candidate sites snapped to each."""
    vuln: dict[Any, float] = {}
    for node, data in G.nodes(data=True):
        if data.get("kind") == "crossing":
            vuln[node] = CROSSING_VULNERABILITY
        elif data.get("kind") == "place" and data.get("place_type") in VULNERABLE_PLACE_TYPES:
            vuln[node] = PLACE_VULNERABILITY
    site_names: dict[str, list[str]] = {}
    if sites is not None and len(sites):
        from geotraf.sites import site_nodes  # the one rule, shared with checkpoint plans

        snapped = site_nodes(G, sites)
        for idx, node in snapped.dropna().items():
            row = sites.loc[idx]
            risk = str(row.get("risk", "") or "")
            if risk in RISK_VULNERABILITY:
                grade = RISK_VULNERABILITY[risk]
            elif row.get("site_type") in VULNERABLE_PLACE_TYPES:
                grade = UNGRADED_SITE_VULNERABILITY
            else:
                grade = 0.0
            vuln[node] = max(vuln.get(node, 0.0), grade)
            label = str(row.get("name", row.get("site_id", "")))
            site_names.setdefault(str(node), []).append(f"{label} ({risk})" if risk else label)
    return pd.Series(vuln, dtype=float), site_names


def _passing_load(G: nx.MultiDiGraph, loads: pd.Series) -> pd.Series:
    """Load passing each node; a vulnerable dead-end place takes its neighbour's load."""
    out = loads.copy()
    for node, data in G.nodes(data=True):
        if data.get("kind") == "place" and data.get("place_type") in VULNERABLE_PLACE_TYPES:
            neighbours = set(G.successors(node)) | set(G.predecessors(node))
            best = max((loads.get(n, 0.0) for n in neighbours), default=0.0)
            out[node] = max(out.get(node, 0.0), best)
    return out


def _candidates(G: nx.MultiDiGraph, site_nodes: set[str]) -> list[Any]:
    out = []
    for node, data in G.nodes(data=True):
        kind = data.get("kind")
        if kind == "crossing" or str(node) in site_nodes:
            out.append(node)
        elif kind == "place":
            if data.get("place_type") in VULNERABLE_PLACE_TYPES:
                out.append(node)
        elif len(set(G.successors(node)) | set(G.predecessors(node))) >= 3:
            out.append(node)
    return out


def _flow_label(code: object, G: nx.MultiDiGraph) -> str:
    text = str(code)
    node = f"p:{text}"
    if node in G and G.nodes[node].get("name"):
        return str(G.nodes[node]["name"])
    return text


def _node_flows(assignment: Assignment, nodes: set[Any]) -> dict[Any, pd.DataFrame]:
    """Per node, the (flow_id, weight) of paths through it."""
    paths = assignment.paths[["flow_id", "weight", "nodes"]].explode("nodes")
    paths = paths[paths["nodes"].isin(nodes)].drop_duplicates(["flow_id", "nodes", "weight"])
    return {node: group for node, group in paths.groupby("nodes")}


def _main_corridor(G: nx.MultiDiGraph, node: Any, loads: pd.Series) -> str:
    best, best_load = "", 0.0
    for u, v, k, d in (
        *G.in_edges(node, keys=True, data=True),
        *G.out_edges(node, keys=True, data=True),
    ):
        ref = str(d.get("ref", "") or "")
        load = float(loads.get((u, v, k), 0.0))
        if ref and load > best_load:
            best, best_load = ref, load
    if not best:
        refs = sorted(
            {
                str(d.get("ref", ""))
                for *_, d in (*G.in_edges(node, data=True), *G.out_edges(node, data=True))
                if d.get("ref")
            }
        )
        best = refs[0] if refs else ""
    return best


def _pairs_text(
    group: pd.DataFrame | None, flows: pd.DataFrame, G: nx.MultiDiGraph, top_pairs: int
) -> tuple[str, str]:
    if group is None or group.empty:
        return "", ""
    joined = group.join(flows[["origin", "destination"]], on="flow_id")
    joined["pair"] = [
        f"{_flow_label(o, G)} → {_flow_label(d, G)}"
        for o, d in zip(joined["origin"], joined["destination"], strict=True)
    ]
    pairs = joined.groupby("pair")["weight"].sum().sort_values(ascending=False, kind="stable")
    total = float(pairs.sum())
    parts = []
    for pair, weight in pairs.head(top_pairs).items():
        # A pair below the display threshold is not named: a tiny group is never listed.
        if weight >= DEFAULT_THRESHOLD:
            parts.append(f"{pair} ({weight / total:.0%})")
    years = ""
    if "year" in flows.columns:
        ys = pd.to_numeric(flows.loc[joined["flow_id"].unique(), "year"], errors="coerce")
        ys = ys.dropna()
        if len(ys):
            lo, hi = int(ys.min()), int(ys.max())
            years = f"{lo}" if lo == hi else f"{lo}–{hi}"
    return "; ".join(parts), years


def hotspots(
    G: nx.MultiDiGraph,
    assignment: Assignment,
    *,
    incidents: gpd.GeoDataFrame | None = None,
    sites: gpd.GeoDataFrame | None = None,
    top: int | None = None,
    weights: Mapping[str, float] | None = None,
    bandwidth_m: float = 5000.0,
    top_pairs: int = 3,
) -> gpd.GeoDataFrame:
    """Rank nodes as interception hotspots, each with a plain-text explanation.

    Parameters
    ----------
    G
        Route graph the assignment was made on.
    assignment
        From :func:`geotraf.routing.assign`.
    incidents
        Optional ``incidents`` layer for the density part.
    sites
        Optional ``sites`` layer: risk grades raise vulnerability.
    top
        Keep the ``top`` best; None keeps every candidate with a positive score.
    weights
        ``{"load": .., "vulnerability": .., "incidents": ..}`` (see the module docstring).
    bandwidth_m
        Incident kernel radius along the roads.
    top_pairs
        How many origin → destination pairs each explanation names.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`HOTSPOT_COLUMNS`, ranked by score (then load, then node id), points
        in EPSG:4326. ``load`` is the raw modelled flow: suppress it before it leaves the
        server; ``explanation`` is already safe.

    Examples
    --------
    >>> import networkx as nx, pandas as pd
    >>> from geotraf.routing import assign
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("p:a", x=0.0, y=0.0, kind="place", place_id="a", name="A")
    >>> G.add_node("x:1", x=1.0, y=0.0, kind="crossing", crossing_id="1", name="Bridge")
    >>> G.add_node("p:b", x=2.0, y=0.0, kind="place", place_id="b", name="B")
    >>> _ = G.add_edge("p:a", "x:1", travel_time_s=1.0, ref="AH1")
    >>> _ = G.add_edge("x:1", "p:b", travel_time_s=1.0, ref="AH1")
    >>> flows = pd.DataFrame({"origin": ["a"], "destination": ["b"], "count": [40]})
    >>> spots = hotspots(G, assign(G, flows))
    >>> spots[["node", "score", "corridor"]].values.tolist()
    [['x:1', 1.0, 'AH1']]
    """
    w = _normalise(weights, incidents is not None and len(incidents) > 0)
    vuln, site_names = _vulnerability(G, sites)
    raw_loads = node_load(G, assignment)
    loads = _passing_load(G, raw_loads)
    e_loads = assignment.edge_load
    density = (
        incident_density(G, incidents, bandwidth_m=bandwidth_m)
        if incidents is not None and len(incidents)
        else pd.Series(0.0, index=pd.Index(list(G.nodes)))
    )
    nodes = _candidates(G, set(site_names))
    frame = pd.DataFrame(index=pd.Index(nodes, name="node"))
    frame["load"] = loads.reindex(frame.index).fillna(0.0)
    frame["vulnerability"] = vuln.reindex(frame.index).fillna(0.0)
    frame["incident_density"] = density.reindex(frame.index).fillna(0.0)
    max_load = float(frame["load"].max()) if len(frame) else 0.0
    max_density = float(frame["incident_density"].max()) if len(frame) else 0.0
    frame["score"] = (
        w["load"] * (frame["load"] / max_load if max_load > 0 else 0.0)
        + w["vulnerability"] * frame["vulnerability"]
        + w["incidents"] * (frame["incident_density"] / max_density if max_density > 0 else 0.0)
    ).round(6)
    frame = frame[(frame["score"] > 0) & (frame["load"] > 0)]  # only where flow passes
    frame = frame.assign(_id=[str(n) for n in frame.index]).sort_values(
        ["score", "load", "_id"], ascending=[False, False, True], kind="stable"
    )
    if top is not None:
        frame = frame.head(top)
    total = assignment.routed
    # A dead-end place is explained by the flows passing its attachment node.
    explain_node = {node: _attachment(G, node, raw_loads) for node in frame.index}
    through = _node_flows(assignment, set(explain_node.values()))
    rows = []
    for node, row in frame.iterrows():
        data = G.nodes[node]
        pairs, years = _pairs_text(through.get(explain_node[node]), assignment.flows, G, top_pairs)
        corridor = _main_corridor(G, explain_node[node], e_loads)
        share = float(row["load"]) / total if total > 0 else 0.0
        rows.append(
            {
                "node": str(node),
                "name": hotspot_name(G, node),
                "kind": str(data.get("kind", "")),
                "place_type": str(data.get("place_type", "") or ""),
                "country": str(data.get("country", "") or ""),
                "crossing_id": str(data.get("crossing_id", "") or ""),
                "score": float(row["score"]),
                "load": float(row["load"]),
                "share": share,
                "vulnerability": float(row["vulnerability"]),
                "incident_density": float(row["incident_density"]),
                "corridor": corridor,
                "years": years,
                "main_pairs": pairs,
                "explanation": _explain(
                    node, data, row, share, pairs, corridor, years, site_names.get(str(node), [])
                ),
                "geometry": Point(float(data.get("x", np.nan)), float(data.get("y", np.nan))),
            }
        )
    out = gpd.GeoDataFrame(
        pd.DataFrame(rows, columns=[c for c in HOTSPOT_COLUMNS if c != "rank"]),
        geometry="geometry",
        crs="EPSG:4326",
    )
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out


def _attachment(G: nx.MultiDiGraph, node: Any, loads: pd.Series) -> Any:
    data = G.nodes[node]
    if data.get("kind") == "place" and data.get("place_type") in VULNERABLE_PLACE_TYPES:
        neighbours = sorted(set(G.successors(node)) | set(G.predecessors(node)), key=str)
        if neighbours:
            best = max(neighbours, key=lambda n: loads.get(n, 0.0))
            if loads.get(best, 0.0) > loads.get(node, 0.0):
                return best
    return node


def _explain(
    node: Any,
    data: Mapping[str, Any],
    row: pd.Series,
    share: float,
    pairs: str,
    corridor: str,
    years: str,
    sites: list[str],
) -> str:
    kind = data.get("kind")
    name = str(data.get("name", "") or "")
    if kind == "crossing":
        status = str(data.get("status", "") or "")
        what = f"Border crossing {name}" + (f" ({status})" if status else "")
    elif kind == "place":
        what = f"{str(data.get('place_type', 'place')).replace('_', ' ').capitalize()} {name}"
    else:
        what = f"Junction {name or node}"
        if corridor:
            what += f" on {corridor}"
    load = float(row["load"])
    if 0 < load < DEFAULT_THRESHOLD:  # a share would undo the <11 of its load
        parts = [f"{what.strip()}: a small part of the modelled flow passes here (<11 people)."]
    else:
        parts = [
            f"{what.strip()}: {share:.1%} of the modelled flow passes here "
            f"({format_count(row['load'])} people)."
        ]
    if pairs:
        parts.append(f"Main origin → destination: {pairs}.")
    if corridor:
        parts.append(f"Corridor {corridor}.")
    if sites:
        parts.append(f"Candidate site(s): {', '.join(sites)}.")
    if row["incident_density"] > 0:
        parts.append(f"Recent incidents nearby (density {row['incident_density']:.1f}).")
    if years:
        parts.append(f"Flow data {years}.")
    return " ".join(parts)


def corridors(
    G: nx.MultiDiGraph, assignment: Assignment, *, min_share: float = 0.05
) -> gpd.GeoDataFrame:
    """Maximal runs of high-load edges along one road ``ref``.

    An edge is high-load when it carries at least ``min_share`` of the routed flow. For
    each ref, the high-load edges (both directions of a road counted as one piece) form
    connected runs; each run is a corridor.

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
    loads = assignment.edge_load
    by_ref: dict[str, nx.Graph] = {}
    for u, v, k, d in G.edges(keys=True, data=True):
        ref = str(d.get("ref", "") or "")
        load = float(loads.get((u, v, k), 0.0))
        if not ref or load < min_share * total:
            continue
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
