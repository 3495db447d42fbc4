"""Interception hotspots from an assignment, with plain explanations.

Corridors (runs of high-load edges) are computed by :mod:`geotraf.corridor_runs` and the
incident density by :mod:`geotraf.incidents`; both are re-exported here.

A hotspot is a node of the route graph where much modelled flow passes, where the place
is one the sources call vulnerable (border crossings, stations, ports, truck stops, the
petrol stations, motels and bars along highways) and where incidents were recorded
recently. Its score is a weighted sum of three parts, each in [0, 1]:

- **load**: the flow passing the node divided by the largest such flow. A vulnerable
  place that hangs off the network by its access edge (a truck stop, a motel) takes the
  load of the node it is attached to: the flow passes right by it.
- **vulnerability**: 1 for a border crossing (official or informal), 0.75 for a place
  whose ``place_type`` is in :data:`layers.schema.VULNERABLE_PLACE_TYPES`, and the field
  teams' grade of a candidate site attached to the node (:mod:`geotraf.sites`: the rule
  checkpoint plans use; critical 1, high 0.75, medium 0.5, low 0.25; an ungraded
  vulnerable site 0.5); the largest applies.
- **incidents**: network-constrained kernel density of the incidents (see
  :func:`incident_density`) divided by its maximum.

Default weights are 0.6 load, 0.25 vulnerability, 0.15 incidents (renormalised over the
parts present). Candidate nodes are crossings, vulnerable places, nodes with a candidate
site, and junctions where three or more neighbours meet (interchanges); the interior of a
road, and towns that are only origins or destinations, are not hotspots.

Every number here is computed from the flows it is given: the CLI and the dashboard give
it the *released* flows (:func:`geotraf.privacy.region.released_flows`), so loads,
shares, scores and explanations are post-processing of the differentially private
release. A count below :data:`geotraf.privacy.DEFAULT_THRESHOLD` is written ``<11``, and
an origin → destination pair carrying less than that is not named at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely import Point

from geotraf.corridor_runs import corridors as corridors
from geotraf.errors import InputError
from geotraf.incidents import incident_density as incident_density
from geotraf.naming import hotspot_name
from geotraf.privacy import DEFAULT_THRESHOLD, format_count
from layers.schema import RISK_LEVELS, VULNERABLE_PLACE_TYPES

if TYPE_CHECKING:
    import networkx as nx

    from geotraf.routing import Assignment

DEFAULT_WEIGHTS: dict[str, float] = {"load": 0.6, "vulnerability": 0.25, "incidents": 0.15}
CROSSING_VULNERABILITY = 1.0
PLACE_VULNERABILITY = 0.75
UNGRADED_SITE_VULNERABILITY = 0.5
#: critical 1.0, high 0.75, medium 0.5, low 0.25 (in the schema's order).
RISK_VULNERABILITY: dict[str, float] = {
    level: 1.0 - i / len(RISK_LEVELS) for i, level in enumerate(RISK_LEVELS)
}
HOTSPOT_COLUMNS = [
    "rank",
    "node",
    "name",
    "kind",
    "place_type",
    "country",
    "crossing_id",
    "score",
    "load",
    "share",
    "vulnerability",
    "incident_density",
    "corridor",
    "years",
    "main_pairs",
    "explanation",
    "geometry",
]


def edge_load(G: nx.MultiDiGraph, assignment: Assignment) -> pd.Series:
    """Return the assigned flow on every edge of ``G``, indexed by ``(u, v, key)``.

    Examples
    --------
    >>> import networkx as nx, pandas as pd
    >>> from geotraf.routing import assign
    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("p:a", "p:b", travel_time_s=1.0, edge_id="e")
    >>> flows = pd.DataFrame({"origin": ["a"], "destination": ["b"], "count": [30]})
    >>> edge_load(G, assign(G, flows)).to_dict()
    {('p:a', 'p:b', 0): 30.0}
    """
    index = pd.MultiIndex.from_tuples(list(G.edges(keys=True)), names=["u", "v", "key"])
    return assignment.edge_load.reindex(index, fill_value=0.0)


def node_load(G: nx.MultiDiGraph, assignment: Assignment) -> pd.Series:
    """Return the assigned flow through every node of ``G`` (origins and destinations too).

    Examples
    --------
    >>> import networkx as nx, pandas as pd
    >>> from geotraf.routing import assign
    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("p:a", "p:b", travel_time_s=1.0)
    >>> G.add_node("c")
    >>> flows = pd.DataFrame({"origin": ["a"], "destination": ["b"], "count": [30]})
    >>> node_load(G, assign(G, flows)).to_dict()
    {'p:a': 30.0, 'p:b': 30.0, 'c': 0.0}
    """
    return assignment.node_load.reindex(pd.Index(list(G.nodes), name="node"), fill_value=0.0)


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


def _normalise(weights: Mapping[str, float] | None, has_incidents: bool) -> dict[str, float]:
    chosen = dict(DEFAULT_WEIGHTS if weights is None else weights)
    unknown = set(chosen) - set(DEFAULT_WEIGHTS)
    if unknown:
        raise InputError(
            f"unknown hotspot weight(s) {sorted(unknown)}; use {sorted(DEFAULT_WEIGHTS)}"
        )
    if not has_incidents:
        chosen["incidents"] = 0.0
    total = sum(max(w, 0.0) for w in chosen.values())
    if total <= 0:
        raise InputError("hotspot weights must include a positive value")
    return {k: max(chosen.get(k, 0.0), 0.0) / total for k in DEFAULT_WEIGHTS}


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
