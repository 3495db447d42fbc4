"""The front door: the few calls a notebook needs, each taking what the last one returned.

``geotraf`` re-exports these (``geotraf.load_region``, ``geotraf.assign``, ...). They are
thin: each one accepts the friendliest input (a :class:`~layers.region.Region` where the
underlying function takes several layers) and calls the module that does the work, so
the rest of the package never depends on this one.

Conventions (``docs/contracts.md``): node results are indexed by node id, edge results
by ``(u, v, key)`` like :func:`geotraf.graph_to_gdfs`, hotspots by node, so
``edges.assign(load=...)`` and ``nodes.join(...)`` line up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from geotraf.errors import InputError, NoRouteError

# Imported here, not lazily: loading geotraf.hotspots binds the *module* as an attribute
# of the package, which must happen before ``geotraf.hotspots`` becomes this module's
# function in ``geotraf/__init__.py``.
from geotraf.hotspots import corridors as _corridors
from geotraf.hotspots import hotspots as _hotspots

if TYPE_CHECKING:
    import networkx as nx

    from geotraf.routing import Assignment
    from geotraf.scenarios import Displacement
    from layers.region import Region

__all__ = [
    "assign",
    "build_route_graph",
    "corridors",
    "hotspots",
    "load_region",
    "scenario",
]

#: Layers :func:`build_route_graph` reads from a Region or a mapping of layers.
GRAPH_LAYERS = ("roads", "borders", "crossings", "places")


def load_region(region: str | Path = "mekong", *, repair: bool = False) -> Region:
    """Read and validate every layer of a region.

    Parameters
    ----------
    region
        A bundled dataset name (``"mekong"``, see :data:`geotraf.datasets.AVAILABLE`), a
        GeoPackage with one layer per kind, or a folder with one file per kind.
    repair
        Repair invalid geometries instead of rejecting them.

    Returns
    -------
    layers.region.Region
        ``places``, ``roads``, ``borders``, ``crossings``, ``flows``, ``incidents``,
        ``sites`` (``None`` for an absent optional layer).

    Raises
    ------
    LayerError
        Every problem of every file (file, row, column, value and fix).

    Examples
    --------
    >>> region = load_region("mekong")
    >>> region.synthetic, len(region.roads) > 100
    (True, True)
    """
    from geotraf.datasets import resolve_region
    from layers.region import read_region

    return read_region(resolve_region(region), repair=repair)


def _layers(region_or_layers: Any) -> dict[str, Any]:
    if isinstance(region_or_layers, gpd.GeoDataFrame):
        return {"roads": region_or_layers}
    if isinstance(region_or_layers, Mapping):
        unknown = sorted(set(region_or_layers) - set(GRAPH_LAYERS))
        if unknown:
            raise InputError(
                f"build_route_graph takes the layers {', '.join(GRAPH_LAYERS)}; "
                f"not {', '.join(map(repr, unknown))}"
            )
        return dict(region_or_layers)
    if all(hasattr(region_or_layers, kind) for kind in GRAPH_LAYERS):
        return {kind: getattr(region_or_layers, kind) for kind in GRAPH_LAYERS}
    raise InputError(
        "build_route_graph needs a Region (geotraf.load_region), a dict of layers "
        f"({', '.join(GRAPH_LAYERS)}) or a roads GeoDataFrame, not "
        f"{type(region_or_layers).__name__}"
    )


def build_route_graph(region_or_layers: Any, **options: Any) -> nx.MultiDiGraph:
    """Build the border-aware route graph of a region.

    Parameters
    ----------
    region_or_layers
        A :class:`~layers.region.Region`, a mapping with ``roads`` and optionally
        ``borders``, ``crossings``, ``places``, or a roads GeoDataFrame alone (no border
        logic, no places).
    **options
        Keyword options of :func:`geotraf.graph.build_route_graph`: ``snap_tolerance_m``,
        ``crossing_snap_m``, ``max_attach_m``, ``access_speed_kph``, ``border_delay_s``,
        ``name``.

    Returns
    -------
    networkx.MultiDiGraph
        Nodes ``x``/``y``/``kind``/``country``/``name``; edges ``length_m``,
        ``travel_time_s``, ``ref``, ``border``, ``crossing_id``... (``docs/contracts.md``).

    Examples
    --------
    >>> G = build_route_graph(load_region("mekong"))
    >>> G.number_of_nodes() > 100, G.graph["crs"]
    (True, 'EPSG:4326')
    """
    from geotraf.graph import build_route_graph as build

    layers = _layers(region_or_layers)
    if layers.get("roads") is None:
        raise InputError("build_route_graph needs a roads layer")
    return build(
        layers["roads"],
        layers.get("borders"),
        layers.get("crossings"),
        layers.get("places"),
        **options,
    )


def _flows_and_places(
    flows: Any, places: pd.DataFrame | None
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    if isinstance(flows, pd.DataFrame):
        return flows, places
    if hasattr(flows, "flows") and hasattr(flows, "places"):
        if flows.flows is None or len(flows.flows) == 0:
            raise InputError("the region has no flows layer: there is nothing to route")
        return flows.flows, flows.places if places is None else places
    raise InputError(
        f"flows must be a DataFrame or a Region (geotraf.load_region), not {type(flows).__name__}"
    )


def assign(
    G: nx.MultiDiGraph,
    flows: Any,
    *,
    strict: bool = False,
    places: pd.DataFrame | None = None,
    **options: Any,
) -> Assignment:
    """Route every flow and add up the flow on each edge and node.

    Parameters
    ----------
    G
        The route graph (:func:`build_route_graph`).
    flows
        A flows table (``origin``, ``destination``, optional ``via`` and ``count``) or a
        Region, whose ``flows`` and ``places`` are used.
    strict
        Raise :class:`~geotraf.errors.NoRouteError` when any flow cannot be routed,
        instead of listing it in ``Assignment.unrouted``.
    places
        Places layer for country and province codes (a Region brings its own).
    **options
        Keyword options of :func:`geotraf.routing.assign`: ``method`` (``shortest``,
        ``k_shortest``, ``logit``), ``k``, ``theta``, ``max_detour``, ``weight``,
        ``client``, ``show_progress``.

    Returns
    -------
    geotraf.routing.Assignment

    Raises
    ------
    NoRouteError
        With ``strict=True``, naming each unroutable flow and why (also a
        ``networkx.NetworkXNoPath``); the rows are in its ``unrouted`` attribute.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("p:a", kind="place", place_id="a", country="LAO")
    >>> G.add_node("p:b", kind="place", place_id="b", country="THA")
    >>> G.add_node("p:c", kind="place", place_id="c", country="KHM")
    >>> _ = G.add_edge("p:a", "p:b", travel_time_s=60.0, length_m=1e3, edge_id="p:a|p:b|0")
    >>> flows = pd.DataFrame({"origin": ["a", "a"], "destination": ["b", "c"],
    ...                       "count": [12, 5]})
    >>> assign(G, flows).routed
    12.0
    >>> assign(G, flows, strict=True)
    Traceback (most recent call last):
    ...
    geotraf.errors.NoRouteError: 1 of 2 flows (29% of the modelled flow) have no route: ...
    """
    from geotraf.routing import assign as route

    table, places = _flows_and_places(flows, places)
    result = route(G, table, places=places, **options)
    if strict and len(result.unrouted):
        raise NoRouteError(_no_route_message(result, len(table)), unrouted=result.unrouted)
    return result


def _no_route_message(result: Assignment, n_flows: int, *, listed: int = 5) -> str:
    rows = result.unrouted
    # A share, not a count: the message reaches logs and terminals (small counts never do).
    people = float(pd.to_numeric(rows["count"], errors="coerce").fillna(0).sum())
    share = people / result.total if result.total > 0 else 0.0
    shown = [
        f"flow {r.flow_id} {r.origin} → {r.destination} ({r.reason})"
        for r in rows.head(listed).itertuples()
    ]
    more = f"; and {len(rows) - listed} more" if len(rows) > listed else ""
    return (
        f"{len(rows)} of {n_flows} flows ({share:.0%} of the modelled flow) have no route: "
        f"{'; '.join(shown)}{more}"
    )


def hotspots(G: nx.MultiDiGraph, assignment: Assignment, **options: Any) -> gpd.GeoDataFrame:
    """Rank nodes as interception hotspots, indexed by node id.

    The same table as :func:`geotraf.hotspots.hotspots` (``rank``, ``score``, ``load``,
    ``explanation``...), indexed by ``node`` (the column is kept) so it joins the nodes
    of :func:`geotraf.graph_to_gdfs`.

    Parameters
    ----------
    G, assignment
        The route graph and an assignment on it.
    **options
        ``incidents``, ``sites``, ``top``, ``weights``, ``bandwidth_m``, ``top_pairs``
        (see :func:`geotraf.hotspots.hotspots`).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("p:a", x=0.0, y=0.0, kind="place", place_id="a", name="A")
    >>> G.add_node("x:1", x=1.0, y=0.0, kind="crossing", crossing_id="1", name="Bridge")
    >>> G.add_node("p:b", x=2.0, y=0.0, kind="place", place_id="b", name="B")
    >>> _ = G.add_edge("p:a", "x:1", travel_time_s=1.0, ref="AH1", edge_id="e1")
    >>> _ = G.add_edge("x:1", "p:b", travel_time_s=1.0, ref="AH1", edge_id="e2")
    >>> flows = pd.DataFrame({"origin": ["a"], "destination": ["b"], "count": [40]})
    >>> spots = hotspots(G, assign(G, flows))
    >>> spots.index.name, float(spots.loc["x:1", "score"])
    ('node', 1.0)
    """
    spots = _hotspots(G, assignment, **options)
    return spots.set_index(pd.Index(spots["node"], name="node"))


def corridors(G: nx.MultiDiGraph, assignment: Assignment, **options: Any) -> gpd.GeoDataFrame:
    """Maximal runs of high-load edges along one road (see :func:`geotraf.hotspots.corridors`).

    Indexed by ``corridor_id`` (the column is kept); ``min_share`` sets what counts as
    high load.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> for n, x in [("p:a", 0.0), ("j1", 0.5), ("p:b", 1.0)]:
    ...     G.add_node(n, x=x, y=0.0, kind="place" if n[0] == "p" else "junction",
    ...                place_id=n[2:], name=n)
    >>> _ = G.add_edge("p:a", "j1", travel_time_s=60.0, ref="AH1", edge_id="e1")
    >>> _ = G.add_edge("j1", "p:b", travel_time_s=60.0, ref="AH1", edge_id="e2")
    >>> flows = pd.DataFrame({"origin": ["a"], "destination": ["b"], "count": [40]})
    >>> runs = corridors(G, assign(G, flows))
    >>> runs.index.tolist(), runs["n_edges"].tolist()
    (['AH1-1'], [2])
    """
    found = _corridors(G, assignment, **options)
    return found.set_index(pd.Index(found["corridor_id"], name="corridor_id"))


def scenario(
    G: nx.MultiDiGraph,
    flows: Any,
    *,
    close: Iterable[str] = (),
    watch: Iterable[str] = (),
    places: pd.DataFrame | None = None,
    **options: Any,
) -> Displacement:
    """Close and/or watch crossings, roads or edges, re-route, and compare with today.

    Parameters
    ----------
    G
        The route graph.
    flows
        A flows table or a Region (as for :func:`assign`).
    close, watch
        Crossing, road or edge ids.
    places
        Places layer (a Region brings its own).
    **options
        ``factor``, ``penalty_s``, ``method``, ``k``, ``theta``, ``client`` (see
        :func:`geotraf.scenarios.displacement`).

    Returns
    -------
    geotraf.scenarios.Displacement
        ``base`` and ``scenario`` assignments, ``moved`` flows, per-``corridors`` and
        per-``crossings`` changes.
    """
    from geotraf.scenarios import displacement

    table, places = _flows_and_places(flows, places)
    return displacement(G, table, close=close, watch=watch, places=places, **options)
