"""A route graph prepared once for many assignments (:func:`prepare`, :class:`Network`).

:func:`geotraf.routing.assign` needs, besides the graph, its CSR view (one Python pass
over every edge), the endpoint resolver (the places table), the attributes the per-flow
table reads and the ``(u, v, key)`` labels of the loads. For one call that is a fraction
of the work; a user who assigns many OD matrices, scenarios or samples on the same graph
builds them once here and hands the :class:`Network` to ``assign`` in place of the graph,
as AequilibraE's ``Graph.prepare_graph`` does for its assignments.

A :class:`Network` is a snapshot: a graph changed after :func:`prepare` must be prepared
again (``assign`` refuses a network whose graph has gained or lost nodes; edge changes
it cannot see cheaply, so prepare again after any change).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from geotraf import _csr, _routes
from geotraf.endpoints import EndpointResolver
from geotraf.errors import InputError

if TYPE_CHECKING:
    import networkx as nx


@dataclass(frozen=True)
class Network:
    """A route graph with what every assignment on it reads, built once by :func:`prepare`.

    Attributes
    ----------
    graph
        The route graph (not copied: prepare again after changing it).
    weight
        The edge attribute the view routes on.
    view
        The CSR view (:func:`geotraf._csr.csr_view`) with the per-flow table's columns.
    resolver
        Resolves flow codes to place nodes (codes already seen are answered from its cache).
    attrs
        Edge and node attributes the per-flow table reads.
    edge_labels, node_labels
        ``(u, v, key)`` of every edge and the node ids: the loads' indexes.
    nodes
        Number of nodes of the graph when it was prepared.
    """

    graph: nx.MultiDiGraph
    weight: str
    view: _csr.CSRGraph
    resolver: EndpointResolver
    attrs: _routes.PathAttributes
    edge_labels: pd.MultiIndex
    node_labels: pd.Index
    nodes: int

    def __repr__(self) -> str:
        return f"Network({self.nodes} nodes, {len(self.edge_labels)} edges, on {self.weight})"

    def check(self, *, weight: str, places: pd.DataFrame | None) -> None:
        """Refuse options that differ from the network's or a graph changed since.

        Raises
        ------
        InputError
            When ``weight`` is not the one prepared, ``places`` is given (the resolver
            was built with the places of :func:`prepare`), or the graph's node count
            changed.
        """
        if weight != self.weight:
            raise InputError(
                f"the network was prepared on {self.weight!r}, not {weight!r}: call "
                f"geotraf.routing.prepare(G, weight={weight!r}) for that weight"
            )
        if places is not None:
            raise InputError(
                "a prepared network resolves codes with the places given to prepare(): pass "
                "places= to geotraf.routing.prepare, not to assign"
            )
        if self.graph.number_of_nodes() != self.nodes:
            raise InputError(
                f"the graph has {self.graph.number_of_nodes()} nodes, {self.nodes} when it "
                "was prepared: prepare it again after changing it"
            )


def prepare(
    G: nx.MultiDiGraph, *, weight: str = "travel_time_s", places: pd.DataFrame | None = None
) -> Network:
    """Build once what :func:`geotraf.routing.assign` reads from ``G`` on every call.

    Parameters
    ----------
    G
        Route graph (docs/contracts.md "Route graph").
    weight
        Edge attribute to route on (``assign`` must be called with the same one).
    places
        Optional places layer for country and province codes (as ``assign(places=)``).

    Raises
    ------
    GraphError
        When an edge lacks the weight or has a negative one.

    Examples
    --------
    >>> import networkx as nx, pandas as pd
    >>> from geotraf.routing import assign
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("p:a", kind="place", place_id="a", role="source", country="LAO")
    >>> G.add_node("p:b", kind="place", place_id="b", role="destination", country="THA")
    >>> _ = G.add_edge("p:a", "p:b", travel_time_s=60.0, length_m=1000.0, edge_id="e1")
    >>> net = prepare(G)
    >>> net
    Network(2 nodes, 1 edges, on travel_time_s)
    >>> flows = pd.DataFrame({"origin": ["a"], "destination": ["b"], "count": [3.0]})
    >>> float(assign(net, flows).edge_load[("p:a", "p:b", 0)])
    3.0
    """
    view = _csr.csr_view(G, weight=weight, columns=_routes.COLUMNS)
    return Network(
        graph=G,
        weight=weight,
        view=view,
        resolver=EndpointResolver(G, places),
        attrs=_routes.PathAttributes.of(G, view),
        edge_labels=_routes.edge_index(view),
        node_labels=pd.Index(view.node_ids, name="node"),
        nodes=G.number_of_nodes(),
    )
