"""Hotspots, corridors and incident density of the filtered flows (counts suppressed).

The incidents behind the density layer and the hotspot scores are the network's
(``CorridorNetwork.incidents``): on every released network the release's incidents per
road node (:func:`geotraf.privacy.incidents.released_incidents`), never the raw layer.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from dashboard import corridors_network
from dashboard.corridors_network import CorridorNetwork, flow_mask, year_span
from dashboard.corridors_state import CorridorState
from geotraf.privacy import DEFAULT_THRESHOLD, suppress

if TYPE_CHECKING:
    from geotraf.routing import Assignment


def filtered_assignment(net: CorridorNetwork, state: CorridorState) -> Assignment:
    """Return the assignment restricted to the filtered flows, in people per year.

    Nothing is re-routed: paths are selected, their weights scaled, and the loads taken
    from the cached matrices.
    """
    mask = flow_mask(net, state)
    scale = 1.0 / year_span(net, state)
    a = net.assignment
    weights = net.counts * mask * scale
    path_keep = mask[net.path_flow] if len(net.path_flow) else np.zeros(0, dtype=bool)
    paths = a.paths.loc[path_keep].copy()
    paths["weight"] = paths["weight"] * scale
    flows = a.flows.loc[mask].copy()
    flows["count"] = flows["count"] * scale
    kept_ids = set(flows.index)
    unrouted = a.unrouted[a.unrouted["flow_id"].isin(kept_ids)].copy()
    unrouted["count"] = unrouted["count"] * scale
    return replace(
        a,
        paths=paths,
        flows=flows,
        unrouted=unrouted,
        edge_load=pd.Series(net.flow_edge.T @ weights, index=a.edge_load.index),
        node_load=pd.Series(net.flow_node.T @ weights, index=a.node_load.index),
    )


@dataclass(frozen=True)
class Tables:
    """The filtered view's top hotspots and corridors, counts suppressed."""

    hotspots: pd.DataFrame
    corridors: pd.DataFrame
    unrouted: pd.DataFrame


@functools.lru_cache(maxsize=32)
def _tables_cached(path: str, method: str, releases: str, state: CorridorState, top: int) -> Tables:
    net = corridors_network.corridor_network(path, method, releases=releases)
    return analysis_tables(net, state, top=top)


def cached_tables(net: CorridorNetwork, state: CorridorState, *, top: int = 15) -> Tables:
    """Return :func:`analysis_tables` for a cached network (memoised per filter state).

    Keyed by the network's releases folder too, so that it never fetches (or makes) a
    release anywhere else; a raw network is not cached.
    """
    if not net.releases:
        return analysis_tables(net, state, top=top)
    return _tables_cached(net.path, net.method, net.releases, state, top)


def analysis_tables(
    net: CorridorNetwork,
    state: CorridorState,
    *,
    top: int = 15,
    threshold: int = DEFAULT_THRESHOLD,
) -> Tables:
    """Rank hotspots and corridors of the filtered flows; suppress every small count.

    Calls :func:`geotraf.hotspots.hotspots` and :func:`geotraf.hotspots.corridors` on
    :func:`filtered_assignment`; ``load`` (and the ``share`` that would reveal it) is
    suppressed below ``threshold`` people per year.
    """
    from geotraf.hotspots import corridors, hotspots

    sub = filtered_assignment(net, state)
    region = net.region
    if sub.routed <= 0:
        empty = pd.DataFrame(columns=["load", "share", "suppressed"])
        return Tables(empty, empty, _unrouted_table(sub, threshold=threshold))
    spots = hotspots(
        net.graph,
        sub,
        incidents=net.incidents,  # the release's on a released network
        sites=getattr(region, "sites", None),
        top=top,
        index=net.hotspot_index,
        explanation_parts=True,  # the page writes the sentence in its language
    )
    safe_spots = suppress(pd.DataFrame(spots), count_col="load", threshold=threshold)
    safe_spots["share"] = safe_spots["share"].mask(safe_spots["suppressed"])
    safe_spots["lon"] = spots.geometry.x.to_numpy()
    safe_spots["lat"] = spots.geometry.y.to_numpy()
    safe_spots = safe_spots.drop(columns=["geometry", "explanation"])  # no English text
    runs = corridors(net.graph, sub, index=net.hotspot_index)
    safe_runs = suppress(
        pd.DataFrame(runs).drop(columns="geometry"), count_col="load", threshold=threshold
    )
    safe_runs["share"] = safe_runs["share"].mask(safe_runs["suppressed"])
    return Tables(
        safe_spots.reset_index(drop=True),
        safe_runs.head(top).reset_index(drop=True),
        _unrouted_table(sub, threshold=threshold),
    )


def _unrouted_table(sub: Assignment, *, threshold: int) -> pd.DataFrame:
    """People per year left unrouted, by reason (suppressed)."""
    if len(sub.unrouted) == 0:
        return pd.DataFrame(columns=["reason", "count", "suppressed"])
    by_reason = sub.unrouted.groupby("reason", as_index=False)["count"].sum()
    return suppress(by_reason, threshold=threshold)


def incident_layer(net: CorridorNetwork) -> pd.DataFrame:
    """Network-constrained incident density at the nodes (``lon``, ``lat``, ``density``).

    Calls :func:`geotraf.hotspots.incident_density` on the network's incidents — the
    release's, over the whole period (the release has no year key: see
    :mod:`geotraf.privacy.incidents`) — cached per region and releases folder; nodes
    without incidents nearby are left out.
    """
    if not net.releases:
        return _density_frame(net.graph, net.incidents)
    return _incident_layer_cached(net.path, net.method, net.releases)


@functools.lru_cache(maxsize=8)
def _incident_layer_cached(path: str, method: str, releases: str) -> pd.DataFrame:
    net = corridors_network.corridor_network(path, method, releases=releases)
    return _density_frame(net.graph, net.incidents)


def _density_frame(graph: Any, incidents: Any) -> pd.DataFrame:
    from geotraf.hotspots import incident_density

    if incidents is None or len(incidents) == 0:
        return pd.DataFrame(columns=["lon", "lat", "density"])
    density = incident_density(graph, incidents)
    density = density[density > 0]
    return pd.DataFrame(
        {
            "lon": [round(float(graph.nodes[n]["x"]), 4) for n in density.index],
            "lat": [round(float(graph.nodes[n]["y"]), 4) for n in density.index],
            "density": density.round(3).to_numpy(),
        }
    )
