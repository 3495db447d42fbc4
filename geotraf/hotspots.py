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

Only the loads depend on the flows. What depends on the graph and the sites layer alone
(candidates, vulnerability, dead-end neighbours, refs, names, the incident density) is a
:class:`~geotraf.hotspot_index.HotspotIndex`: built here, or passed as ``index=`` when
many assignments are ranked on one graph (the dashboard does it for every filter state).

Every number here is computed from the flows it is given: the CLI and the dashboard give
it the *released* flows (:func:`geotraf.privacy.region.released_flows`), so loads,
shares, scores and explanations are post-processing of the differentially private
release. A count below :data:`geotraf.privacy.DEFAULT_THRESHOLD` is written ``<11``, and
an origin → destination pair carrying less than that is not named at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely import Point

from geotraf.corridor_runs import corridors as corridors
from geotraf.errors import InputError
from geotraf.hotspot_explain import EXPLANATION_PARTS as EXPLANATION_PARTS
from geotraf.hotspot_explain import explain, node_name, pairs_and_years, pairs_text
from geotraf.hotspot_index import (
    CROSSING_VULNERABILITY as CROSSING_VULNERABILITY,
)
from geotraf.hotspot_index import (
    PLACE_VULNERABILITY as PLACE_VULNERABILITY,
)
from geotraf.hotspot_index import (
    RISK_VULNERABILITY as RISK_VULNERABILITY,
)
from geotraf.hotspot_index import (
    UNGRADED_SITE_VULNERABILITY as UNGRADED_SITE_VULNERABILITY,
)
from geotraf.hotspot_index import HotspotIndex as HotspotIndex
from geotraf.hotspot_index import hotspot_index as hotspot_index
from geotraf.incidents import incident_density as incident_density

if TYPE_CHECKING:
    import networkx as nx

    from geotraf.routing import Assignment

DEFAULT_WEIGHTS: dict[str, float] = {"load": 0.6, "vulnerability": 0.25, "incidents": 0.15}
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


def _passing_load(index: HotspotIndex, raw: np.ndarray) -> np.ndarray:
    """Load passing each node; a vulnerable dead-end place takes its neighbour's load."""
    out = raw.copy()
    for pos, around in zip(index.dead_ends, index.neighbours, strict=True):
        best = float(raw[around].max()) if len(around) else 0.0
        out[pos] = max(out[pos], best)
    return out


def _attachment(index: HotspotIndex, pos: int, raw: np.ndarray) -> int:
    """The node whose flows explain ``pos``: a dead-end place's busiest neighbour."""
    slot = index.dead_end_slot.get(pos)
    if slot is not None:
        around = index.neighbours[slot]
        if len(around):
            best = int(around[int(np.argmax(raw[around]))])  # the first, in id order
            if raw[best] > raw[pos]:
                return best
    return pos


def _main_corridor(index: HotspotIndex, pos: int, e_loads: np.ndarray) -> str:
    """The ref of the busiest road at the node (else the first ref there, in text order)."""
    best, best_load = "", 0.0
    for edge in index.node_edges[pos]:
        ref = index.edge_ref[edge]
        load = float(e_loads[edge])
        if ref and load > best_load:
            best, best_load = ref, load
    return str(best or index.fallback_ref[pos])


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
    index: HotspotIndex | None = None,
    explanation_parts: bool = False,
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
    index
        :func:`hotspot_index` of ``G`` and ``sites``, when ranking several assignments on
        one graph (built here otherwise): the same table, without redoing what does not
        depend on the flows.
    explanation_parts
        Also return the :data:`EXPLANATION_PARTS` columns (before ``geometry``): what the
        ``explanation`` is made of, to write it in another language. They hold tuples, so
        leave them out when writing the table to a file.

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
    >>> parts = hotspots(G, assign(G, flows), explanation_parts=True).iloc[0]
    >>> parts["node_name"], parts["pairs"], parts["explanation"][:33]
    ('Bridge', (('A', 'B', 1.0),), 'Border crossing Bridge: 100.0% of')
    """
    w = _normalise(weights, incidents is not None and len(incidents) > 0)
    index = _checked_index(G, index, sites=sites)
    raw_loads = index.node_values(assignment.node_load)
    loads = _passing_load(index, raw_loads)
    e_loads = index.edge_values(assignment.edge_load)
    density = (
        index.incident_density(incidents, bandwidth_m=bandwidth_m)
        if incidents is not None and len(incidents)
        else pd.Series(0.0, index=pd.Index(list(G.nodes)))
    )
    nodes = index.candidates
    load = loads[nodes]
    vulnerability = index.vulnerability[nodes]
    dens = density.reindex(index.nodes[nodes]).fillna(0.0).to_numpy(dtype=float)
    max_load = float(load.max()) if len(nodes) else 0.0
    max_density = float(dens.max()) if len(nodes) else 0.0
    score = np.round(
        w["load"] * (load / max_load if max_load > 0 else 0.0)
        + w["vulnerability"] * vulnerability
        + w["incidents"] * (dens / max_density if max_density > 0 else 0.0),
        6,
    )
    keep = np.flatnonzero((score > 0) & (load > 0))  # only where flow passes
    # By score, then load (both descending), then node id.
    ranked = keep[np.lexsort((index.id_rank[nodes[keep]], -load[keep], -score[keep]))]
    if top is not None:
        ranked = ranked[:top]
    total = assignment.routed
    # A dead-end place is explained by the flows passing its attachment node.
    explain_node = {int(nodes[i]): _attachment(index, int(nodes[i]), raw_loads) for i in ranked}
    through = pairs_and_years(assignment, index, set(explain_node.values()), top_pairs)
    rows = []
    for i in ranked:
        pos = int(nodes[i])
        node = index.nodes[pos]
        data = G.nodes[node]
        pairs, years = through.get(explain_node[pos], ((), ""))
        corridor = _main_corridor(index, explain_node[pos], e_loads)
        share = float(load[i]) / total if total > 0 else 0.0
        own_name = node_name(node, data)
        status = str(data.get("status", "") or "")
        candidate_sites = tuple(index.site_names.get(str(node), []))
        rows.append(
            {
                "node": str(node),
                "name": index.name(node),
                "kind": str(data.get("kind", "")),
                "place_type": str(data.get("place_type", "") or ""),
                "country": str(data.get("country", "") or ""),
                "crossing_id": str(data.get("crossing_id", "") or ""),
                "score": float(score[i]),
                "load": float(load[i]),
                "share": share,
                "vulnerability": float(vulnerability[i]),
                "incident_density": float(dens[i]),
                "corridor": corridor,
                "years": years,
                "main_pairs": pairs_text(pairs),
                "explanation": explain(
                    kind=str(data.get("kind", "")),
                    place_type=str(data.get("place_type", "place")),
                    load=float(load[i]),
                    share=share,
                    corridor=corridor,
                    incident_density=float(dens[i]),
                    years=years,
                    node_name=own_name,
                    crossing_status=status,
                    pairs=pairs,
                    candidate_sites=candidate_sites,
                ),
                "node_name": own_name,
                "crossing_status": status,
                "pairs": pairs,
                "candidate_sites": candidate_sites,
                "geometry": Point(float(data.get("x", np.nan)), float(data.get("y", np.nan))),
            }
        )
    columns = [c for c in HOTSPOT_COLUMNS if c != "rank"]
    if explanation_parts:
        columns[-1:-1] = EXPLANATION_PARTS
    out = gpd.GeoDataFrame(
        pd.DataFrame(rows, columns=columns),
        geometry="geometry",
        crs="EPSG:4326",
    )
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out


def _checked_index(
    G: nx.MultiDiGraph, index: HotspotIndex | None, *, sites: gpd.GeoDataFrame | None
) -> HotspotIndex:
    """Return ``index`` if it was built for ``G`` and ``sites``, else build it."""
    if index is None:
        return hotspot_index(G, sites=sites)
    if index.graph is not G or index.sites is not sites:
        raise InputError(
            "the hotspot index was built for another graph or sites layer; build it with "
            "hotspot_index(G, sites=sites) for the graph and sites you rank"
        )
    return index
