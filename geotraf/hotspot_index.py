"""What the hotspot and corridor ranking needs from a graph and its sites, built once.

Of a hotspot ranking (:func:`geotraf.hotspots.hotspots`) only the loads depend on the
flows: which nodes are candidates, how vulnerable each is, which candidate sites are
snapped to it, which nodes a dead-end place hangs off, which road refs meet at a node
and the name people use for it are properties of the graph and the ``sites`` layer. A
:class:`HotspotIndex` holds them as arrays in the graph's own node and edge order, so
that ranking another set of flows on the same graph (the dashboard does it for every
filter state) is array arithmetic over the candidates and a little work per ranked
hotspot. Build it with :func:`hotspot_index`; it is read-only once built (its only
inner state is a memo of the names already asked for).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from layers.schema import RISK_LEVELS, VULNERABLE_PLACE_TYPES

if TYPE_CHECKING:
    import geopandas as gpd
    import networkx as nx

__all__ = [
    "CROSSING_VULNERABILITY",
    "PLACE_VULNERABILITY",
    "RISK_VULNERABILITY",
    "UNGRADED_SITE_VULNERABILITY",
    "HotspotIndex",
    "edge_keys",
    "hotspot_index",
]

CROSSING_VULNERABILITY = 1.0
PLACE_VULNERABILITY = 0.75
UNGRADED_SITE_VULNERABILITY = 0.5
#: critical 1.0, high 0.75, medium 0.5, low 0.25 (in the schema's order).
RISK_VULNERABILITY: dict[str, float] = {
    level: 1.0 - i / len(RISK_LEVELS) for i, level in enumerate(RISK_LEVELS)
}


@dataclass(frozen=True, eq=False)
class HotspotIndex:
    """A graph's flow-independent hotspot data (see the module docstring).

    Attributes
    ----------
    graph, sites
        The route graph and sites layer it was built from (ranking with another graph or
        sites layer is refused).
    nodes
        Node ids in ``graph``'s order; every array over nodes follows it.
    position
        Node id → its position in :attr:`nodes`.
    edges
        ``(u, v, key)`` of every edge in ``graph``'s order; arrays over edges follow it.
    edge_ends
        Each edge's ``(u, v)``, in that order.
    edge_attrs
        Each edge's attribute mapping (the graph's own; read-only), in that order.
    vulnerability
        Per node, the largest of the crossing, place and site grades (0 where none).
    site_names
        Per node id (as text), the candidate sites snapped to it: ``(name, risk)``, the
        risk grade "" where the field teams gave none.
    candidates
        Positions of the candidate nodes, in node order.
    id_rank
        Per node, its rank among the node ids as text (ties in a ranking sort by it).
    dead_ends
        Positions of the vulnerable places (they take the load of a neighbour).
    dead_end_slot
        Position of a dead end → its slot in :attr:`dead_ends` and :attr:`neighbours`.
    neighbours
        Per dead end (same order), its neighbours' positions sorted by id as text.
    node_edges
        Per node, the positions of its in-edges then out-edges (the graph's own order).
    edge_ref
        Per edge, its road ``ref`` as text ("" when none).
    fallback_ref
        Per node, the first of its edges' refs in text order ("" when none).
    place_names
        Flow endpoint code → the name of its place node ``p:<code>``.
    """

    graph: nx.MultiDiGraph
    sites: gpd.GeoDataFrame | None
    nodes: pd.Index
    position: dict[Any, int]
    edges: pd.MultiIndex
    edge_ends: tuple[tuple[Any, Any], ...]
    edge_attrs: tuple[dict[str, Any], ...]
    vulnerability: np.ndarray
    site_names: dict[str, list[tuple[str, str]]]
    candidates: np.ndarray
    id_rank: np.ndarray
    dead_ends: np.ndarray
    dead_end_slot: dict[int, int]
    neighbours: tuple[np.ndarray, ...]
    node_edges: tuple[np.ndarray, ...]
    edge_ref: np.ndarray
    fallback_ref: np.ndarray
    place_names: dict[str, str]
    _names: dict[Any, str] = field(default_factory=dict, repr=False)
    _densities: dict[tuple[int, float], tuple[Any, pd.Series]] = field(
        default_factory=dict, repr=False
    )

    def __repr__(self) -> str:
        return (
            f"HotspotIndex({len(self.nodes)} nodes, {len(self.edges)} edges, "
            f"{len(self.candidates)} candidates)"
        )

    def name(self, node: Any) -> str:
        """Return :func:`geotraf.naming.hotspot_name` of ``node`` (memoised)."""
        found = self._names.get(node)
        if found is None:
            from geotraf.naming import hotspot_name

            found = self._names[node] = hotspot_name(self.graph, node)
        return found

    def incident_density(self, incidents: gpd.GeoDataFrame, *, bandwidth_m: float) -> pd.Series:
        """Return :func:`geotraf.incidents.incident_density` on the graph (memoised).

        The memo holds the last few incident layers given (by identity, so treat a layer
        passed here as read-only); the result is shared: do not change it.
        """
        key = (id(incidents), float(bandwidth_m))
        found = self._densities.get(key)
        if found is not None and found[0] is incidents:
            return found[1]
        from geotraf.incidents import incident_density

        density = incident_density(self.graph, incidents, bandwidth_m=bandwidth_m)
        while len(self._densities) >= 4:
            self._densities.pop(next(iter(self._densities)))
        self._densities[key] = (incidents, density)  # the layer kept: its id stays unique
        return density

    def node_values(self, series: pd.Series) -> np.ndarray:
        """Return ``series`` (indexed by node id) over :attr:`nodes`, 0 where absent."""
        if series.index.equals(self.nodes):
            return series.to_numpy(dtype=float, copy=True)
        return series.reindex(self.nodes, fill_value=0.0).to_numpy(dtype=float)

    def edge_values(self, series: pd.Series) -> np.ndarray:
        """Return ``series`` (indexed by ``(u, v, key)``) over :attr:`edges`, 0 where absent."""
        if series.index is self.edges or series.index.equals(self.edges):
            return series.to_numpy(dtype=float, copy=True)
        return series.reindex(self.edges, fill_value=0.0).to_numpy(dtype=float)


def hotspot_index(G: nx.MultiDiGraph, *, sites: gpd.GeoDataFrame | None = None) -> HotspotIndex:
    """Return the flow-independent hotspot data of ``G`` and its candidate ``sites``.

    Pass it to :func:`geotraf.hotspots.hotspots` and :func:`geotraf.hotspots.corridors`
    (``index=``) when ranking several sets of flows on one graph; they build it
    themselves otherwise.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("p:a", x=0.0, y=0.0, kind="place", name="A")
    >>> G.add_node("x:1", x=1.0, y=0.0, kind="crossing", crossing_id="1", name="Bridge")
    >>> _ = G.add_edge("p:a", "x:1", ref="AH1")
    >>> index = hotspot_index(G)
    >>> index, index.vulnerability.tolist(), index.name("x:1")
    (HotspotIndex(2 nodes, 1 edges, 1 candidates), [0.0, 1.0], 'Bridge')
    """
    nodes = pd.Index(list(G.nodes), dtype=object, tupleize_cols=False, name="node")
    position = {node: i for i, node in enumerate(nodes)}
    edge_tuples = list(G.edges(keys=True, data=True))
    edges = edge_keys(edge_tuples)
    edge_position = {(u, v, k): i for i, (u, v, k, _) in enumerate(edge_tuples)}
    edge_ref = np.array([str(d.get("ref", "") or "") for *_, d in edge_tuples], dtype=object)

    vuln, site_names = _vulnerability(G, sites)
    vulnerability = np.zeros(len(nodes))
    for node, grade in vuln.items():
        vulnerability[position[node]] = grade
    candidates = np.array([position[n] for n in _candidates(G, set(site_names))], dtype=np.int64)
    text = [str(n) for n in nodes]
    id_rank = np.empty(len(nodes), dtype=np.int64)
    id_rank[np.argsort(np.array(text, dtype=object), kind="stable")] = np.arange(len(nodes))

    dead_ends, neighbours = [], []
    for node, data in G.nodes(data=True):
        if data.get("kind") == "place" and data.get("place_type") in VULNERABLE_PLACE_TYPES:
            around = sorted(set(G.successors(node)) | set(G.predecessors(node)), key=str)
            dead_ends.append(position[node])
            neighbours.append(np.array([position[n] for n in around], dtype=np.int64))
    # In-edges then out-edges, as G.in_edges(node) and G.out_edges(node) list them.
    pred, succ = G.pred, G.succ
    node_edges = tuple(
        np.array(
            [edge_position[(u, node, k)] for u, keys in pred[node].items() for k in keys]
            + [edge_position[(node, v, k)] for v, keys in succ[node].items() for k in keys],
            dtype=np.int64,
        )
        for node in nodes
    )
    fallback = []
    for edge_list in node_edges:
        refs = sorted(
            {str(edge_tuples[e][3].get("ref")) for e in edge_list if edge_tuples[e][3].get("ref")}
        )
        fallback.append(refs[0] if refs else "")
    place_names = {
        str(node)[2:]: str(data["name"])
        for node, data in G.nodes(data=True)
        if isinstance(node, str) and node.startswith("p:") and data.get("name")
    }
    return HotspotIndex(
        graph=G,
        sites=sites,
        nodes=nodes,
        position=position,
        edges=edges,
        edge_ends=tuple((u, v) for u, v, *_ in edge_tuples),
        edge_attrs=tuple(d for *_, d in edge_tuples),
        vulnerability=vulnerability,
        site_names=site_names,
        candidates=candidates,
        id_rank=id_rank,
        dead_ends=np.array(dead_ends, dtype=np.int64),
        dead_end_slot={pos: slot for slot, pos in enumerate(dead_ends)},
        neighbours=tuple(neighbours),
        node_edges=node_edges,
        edge_ref=edge_ref,
        fallback_ref=np.array(fallback, dtype=object),
        place_names=place_names,
    )


def edge_keys(edges: list[tuple[Any, Any, Any, Any]]) -> pd.MultiIndex:
    """Return the ``(u, v, key)`` index of ``G.edges(keys=True, data=True)`` rows."""
    if not edges:
        return pd.MultiIndex.from_arrays([[], [], []], names=["u", "v", "key"])
    return pd.MultiIndex.from_tuples([(u, v, k) for u, v, k, _ in edges], names=["u", "v", "key"])


def _vulnerability(
    G: nx.MultiDiGraph, sites: gpd.GeoDataFrame | None
) -> tuple[pd.Series, dict[str, list[tuple[str, str]]]]:
    """Vulnerability per node and the names of the candidate sites snapped to each."""
    vuln: dict[Any, float] = {}
    for node, data in G.nodes(data=True):
        if data.get("kind") == "crossing":
            vuln[node] = CROSSING_VULNERABILITY
        elif data.get("kind") == "place" and data.get("place_type") in VULNERABLE_PLACE_TYPES:
            vuln[node] = PLACE_VULNERABILITY
    site_names: dict[str, list[tuple[str, str]]] = {}
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
            site_names.setdefault(str(node), []).append((label, risk))
    return pd.Series(vuln, dtype=float), site_names


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
