"""The numbers that say whether a route graph is usable."""

from __future__ import annotations

from typing import Any

import networkx as nx


def summarize(G: nx.MultiDiGraph) -> dict[str, Any]:
    """Return the numbers that say whether a route G is usable.

    Returns
    -------
    dict
        ``nodes``, ``edges``, ``junctions``, ``crossings``, ``places``, ``border_edges``
        (directed), ``official_crossings`` (sorted names of official crossings on a border
        edge), ``informal_crossings`` (sorted ids of informal crossing nodes on a border
        edge), ``unattached`` (place ids), ``unused_crossings``, ``components`` (weakly
        connected components of the road network, access edges and places ignored) and
        ``connected`` (one component).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("j0", kind="junction")
    >>> summarize(G)["components"]
    1
    """
    kind = nx.get_node_attributes(G, "kind")
    border_nodes: set[str] = set()
    n_border = 0
    for u, v, d in G.edges(data=True):
        if d.get("border"):
            n_border += 1
            border_nodes.update(n for n in (u, v) if kind.get(n) == "crossing")
    official = sorted(
        {
            str(G.nodes[n].get("name", n))
            for n in border_nodes
            if G.nodes[n].get("status") == "official"
        }
    )
    informal = sorted(n for n in border_nodes if G.nodes[n].get("status") == "informal")
    road = G.subgraph([n for n in G.nodes if kind.get(n) != "place"])
    components = nx.number_weakly_connected_components(road) if road.number_of_nodes() else 0
    return {
        "name": str(G.graph.get("name", "")),
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
        "junctions": sum(1 for k in kind.values() if k == "junction"),
        "crossings": sum(1 for k in kind.values() if k == "crossing"),
        "places": sum(1 for k in kind.values() if k == "place"),
        "border_edges": n_border,
        "official_crossings": official,
        "informal_crossings": informal,
        "unattached": list(G.graph.get("unattached", [])),
        "unused_crossings": list(G.graph.get("unused_crossings", [])),
        "components": components,
        "connected": components == 1,
    }
