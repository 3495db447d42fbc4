"""What-if scenarios: close or watch crossings and roads, re-assign, measure displacement.

Interventions displace flows ("routes change all the time"): closing a crossing sends its
flow to the next one, watching it makes traffickers detour if the detour is cheap enough.
Every function returns a new graph or result; the input graph is never changed.

- :func:`close` removes the edges of the closed elements (a crossing's border edges, a
  road's pieces, single edges). The removed edges are kept in ``G.graph["closed_edges"]``
  so that :func:`geotraf.routing.assign` can tell "no path because of the closure"
  (reason ``closed``) from a network that was never connected.
- :func:`watch` keeps every edge but gives the watched ones a *generalised* time
  ``generalised_time_s = travel_time_s × factor + penalty_s`` (others: ``travel_time_s``).
  Routing on it models deterrence; reported times stay real travel times.
- :func:`displacement` runs the base and the scenario assignment and compares them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from geotraf.errors import InputError
from geotraf.routing import DEFAULT_THETA, Assignment, assign

if TYPE_CHECKING:
    import networkx as nx

#: Edge attribute routed on in a watch scenario.
GENERALISED = "generalised_time_s"
#: Default deterrence: a watched edge costs three times its travel time.
DEFAULT_FACTOR = 3.0


def _edge_index(G: nx.MultiDiGraph) -> dict[str, dict[str, set[tuple[Any, Any, Any]]]]:
    index: dict[str, dict[str, set[tuple[Any, Any, Any]]]] = {
        "crossings": {},
        "roads": {},
        "edges": {},
    }
    for u, v, key, data in G.edges(keys=True, data=True):
        edge = (u, v, key)
        index["edges"].setdefault(str(data.get("edge_id", f"{u}|{v}|{key}")), set()).add(edge)
        road = str(data.get("road_id", "") or "")
        if road:
            index["roads"].setdefault(road, set()).add(edge)
        crossing = str(data.get("crossing_id", "") or "")
        if crossing:
            index["crossings"].setdefault(crossing, set()).add(edge)
    # A crossing's border edges always touch its node; catch them even without crossing_id.
    for node, data in G.nodes(data=True):
        if data.get("kind") != "crossing":
            continue
        cid = str(data.get("crossing_id", str(node).removeprefix("x:")))
        touching = {
            (u, v, k)
            for u, v, k, d in (
                *G.in_edges(node, keys=True, data=True),
                *G.out_edges(node, keys=True, data=True),
            )
            if d.get("border")
        }
        if touching:
            index["crossings"].setdefault(cid, set()).update(touching)
    return index


def resolve_targets(G: nx.MultiDiGraph, ids: Iterable[str]) -> dict[str, list[str]]:
    """Sort ids given on a command line into crossings, roads and edges.

    A crossing id wins over a road id, which wins over an edge id.

    Raises
    ------
    InputError
        Naming every id that is none of them.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("a", "b", crossing_id="X1", road_id="r1", edge_id="a|b|0")
    >>> resolve_targets(G, ["X1", "r1"])
    {'crossings': ['X1'], 'roads': ['r1'], 'edges': []}
    """
    index = _edge_index(G)
    out: dict[str, list[str]] = {"crossings": [], "roads": [], "edges": []}
    unknown = []
    for raw in ids:
        item = str(raw).strip()
        if not item:
            continue
        for kind in ("crossings", "roads", "edges"):
            if item in index[kind]:
                out[kind].append(item)
                break
        else:
            unknown.append(item)
    if unknown:
        some = ", ".join(sorted(index["crossings"])[:10])
        raise InputError(
            f"unknown crossing, road or edge id(s): {', '.join(unknown)}; "
            f"crossings in this region include {some or 'none'}"
        )
    return out


def _selected(
    G: nx.MultiDiGraph, edges: Iterable[str], crossings: Iterable[str], roads: Iterable[str]
) -> tuple[set[tuple[Any, Any, Any]], dict[str, list[str]]]:
    index = _edge_index(G)
    wanted = {"edges": list(edges), "crossings": list(crossings), "roads": list(roads)}
    chosen: set[tuple[Any, Any, Any]] = set()
    missing = []
    for kind, ids in wanted.items():
        for item in ids:
            if item not in index[kind]:
                missing.append(f"{kind[:-1]} {item}")
                continue
            chosen |= index[kind][item]
    if missing:
        raise InputError(
            f"not in the route graph: {', '.join(missing)}; check the ids with "
            "`geotraf build --region ...`"
        )
    return chosen, {kind: sorted(ids) for kind, ids in wanted.items() if ids}


def close(
    G: nx.MultiDiGraph,
    *,
    edges: Iterable[str] = (),
    crossings: Iterable[str] = (),
    roads: Iterable[str] = (),
) -> nx.MultiDiGraph:
    """Return a copy of ``G`` without the edges of the closed elements.

    Parameters
    ----------
    G
        Route graph.
    edges, crossings, roads
        ``edge_id``, ``crossing_id`` (removes the crossing's border edges) and ``road_id``
        values to close.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("a", "x:X1", crossing_id="X1", border=True)
    >>> closed = close(G, crossings=["X1"])
    >>> closed.number_of_edges(), G.number_of_edges(), closed.graph["closed"]
    (0, 1, {'crossings': ['X1']})
    """
    chosen, what = _selected(G, edges, crossings, roads)
    out = G.copy()
    removed = list(out.graph.get("closed_edges", []))
    for u, v, key in sorted(chosen, key=str):
        removed.append((u, v, key, dict(out.edges[u, v, key])))
        out.remove_edge(u, v, key)
    merged = {k: list(v) for k, v in out.graph.get("closed", {}).items()}
    for kind, ids in what.items():
        merged[kind] = sorted(set(merged.get(kind, [])) | set(ids))
    out.graph["closed"] = merged
    out.graph["closed_edges"] = removed
    return out


def watch(
    G: nx.MultiDiGraph,
    *,
    edges: Iterable[str] = (),
    crossings: Iterable[str] = (),
    roads: Iterable[str] = (),
    factor: float = DEFAULT_FACTOR,
    penalty_s: float = 0.0,
) -> nx.MultiDiGraph:
    """Return a copy of ``G`` where passing a watched element costs more.

    Every edge gets ``generalised_time_s``: ``travel_time_s × factor + penalty_s`` on the
    watched elements' edges, ``travel_time_s`` elsewhere; route on it with
    ``assign(..., weight="generalised_time_s")``.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("a", "b", travel_time_s=100.0, road_id="r1")
    >>> watched = watch(G, roads=["r1"], factor=2.0, penalty_s=60.0)
    >>> watched.edges["a", "b", 0]["generalised_time_s"]
    260.0
    """
    if factor < 1 or penalty_s < 0:
        raise InputError(
            f"deterrence must not make watched roads cheaper: factor {factor} must be ≥ 1 "
            f"and penalty_s {penalty_s} ≥ 0"
        )
    chosen, what = _selected(G, edges, crossings, roads)
    out = G.copy()
    for u, v, key, data in out.edges(keys=True, data=True):
        base = float(data.get(GENERALISED, data.get("travel_time_s", 0.0)))
        data[GENERALISED] = base * factor + penalty_s if (u, v, key) in chosen else base
        data["watched"] = bool(data.get("watched", False) or (u, v, key) in chosen)
    merged = {k: list(v) for k, v in out.graph.get("watched", {}).items()}
    for kind, ids in what.items():
        merged[kind] = sorted(set(merged.get(kind, [])) | set(ids))
    out.graph["watched"] = merged
    return out


# displacement() takes ``close`` and ``watch`` keywords that shadow the functions.
_close_graph = close
_watch_graph = watch


@dataclass(frozen=True)
class Displacement:
    """Base and scenario assignments and where the flow went.

    Attributes
    ----------
    base, scenario
        The two assignments.
    moved
        One row per flow whose paths changed: ``flow_id``, ``origin``, ``destination``,
        ``count``, ``old_crossings``, ``new_crossings``, ``old_refs``, ``new_refs`` (of the
        flow's main path: highest share), ``old_time_s``, ``new_time_s`` (share-weighted
        real travel time) and ``added_time_s``.
    corridors
        Per road ref: ``base``, ``scenario`` flow using it and ``change``.
    crossings
        Per crossing id: the same.
    newly_unrouted
        Scenario ``unrouted`` rows of flows that were routed in the base.
    """

    base: Assignment
    scenario: Assignment
    moved: pd.DataFrame
    corridors: pd.DataFrame
    crossings: pd.DataFrame
    newly_unrouted: pd.DataFrame

    def summary(self) -> dict[str, Any]:
        """A JSON-ready overview (flows are named by origin → destination, counts raw)."""
        return {
            "flows_moved": len(self.moved),
            "flow_moved": float(self.moved["count"].sum()) if len(self.moved) else 0.0,
            "mean_added_time_min": (
                float(
                    (self.moved["added_time_s"] * self.moved["count"]).sum()
                    / self.moved["count"].sum()
                    / 60.0
                )
                if len(self.moved) and self.moved["count"].sum() > 0
                else 0.0
            ),
            "newly_unrouted": len(self.newly_unrouted),
        }


def _main_path(paths: pd.DataFrame) -> pd.DataFrame:
    ordered = paths.sort_values(["flow_id", "share", "path_rank"], ascending=[True, False, True])
    return ordered.drop_duplicates("flow_id").set_index("flow_id")


def _mean_time(paths: pd.DataFrame) -> pd.Series:
    weighted = paths.assign(t=paths["time_s"] * paths["share"])
    return weighted.groupby("flow_id")["t"].sum()


def _signature(paths: pd.DataFrame) -> dict[Any, tuple[Any, ...]]:
    out: dict[Any, list[tuple[Any, float]]] = {}
    for fid, nodes, share in zip(paths["flow_id"], paths["nodes"], paths["share"], strict=True):
        out.setdefault(fid, []).append((nodes, round(float(share), 9)))
    return {fid: tuple(sorted(items)) for fid, items in out.items()}


def _usage(paths: pd.DataFrame, column: str) -> pd.Series:
    exploded = paths[[column, "weight"]].explode(column).dropna(subset=[column])
    exploded = exploded[exploded[column] != ""]
    return exploded.groupby(column)["weight"].sum()


def _change(base: pd.Series, scenario: pd.Series, name: str) -> pd.DataFrame:
    frame = pd.concat([base.rename("base"), scenario.rename("scenario")], axis=1).fillna(0.0)
    frame["change"] = frame["scenario"] - frame["base"]
    frame.index.name = name
    frame = frame.reset_index()
    return frame.sort_values(["change", name], ascending=[True, True]).reset_index(drop=True)


def displacement(
    G: nx.MultiDiGraph,
    flows: pd.DataFrame,
    *,
    close: Iterable[str] = (),
    watch: Iterable[str] = (),
    factor: float = DEFAULT_FACTOR,
    penalty_s: float = 0.0,
    method: str = "shortest",
    k: int = 3,
    theta: float = DEFAULT_THETA,
    places: pd.DataFrame | None = None,
    client: Any = None,
) -> Displacement:
    """Close and/or watch elements (crossing, road or edge ids), re-assign, compare.

    Parameters
    ----------
    G
        Route graph.
    flows
        Flows as for :func:`geotraf.routing.assign`.
    close, watch
        Ids of crossings, roads or edges (sorted out by :func:`resolve_targets`).
    factor, penalty_s
        Deterrence of watched elements (see :func:`watch`).
    method, k, theta, places, client
        Passed to :func:`geotraf.routing.assign`.

    Examples
    --------
    >>> import networkx as nx, pandas as pd
    >>> G = nx.MultiDiGraph()
    >>> for u, v, t, c in [("p:a", "x:1", 10, "1"), ("x:1", "p:b", 10, ""),
    ...                    ("p:a", "x:2", 30, "2"), ("x:2", "p:b", 30, "")]:
    ...     _ = G.add_edge(u, v, travel_time_s=float(t), crossing_id=c, border=bool(c))
    >>> flows = pd.DataFrame({"origin": ["a"], "destination": ["b"], "count": [50]})
    >>> result = displacement(G, flows, close=["1"])
    >>> result.moved[["old_crossings", "new_crossings", "added_time_s"]].values.tolist()
    [[('1',), ('2',), 40.0]]
    """
    options = {"method": method, "k": k, "theta": theta, "places": places, "client": client}
    base = assign(G, flows, **options)
    scenario_graph = G
    closing = resolve_targets(G, close)
    watching = resolve_targets(G, watch)
    if any(closing.values()):
        scenario_graph = _close_graph(scenario_graph, **closing)
    weight = "travel_time_s"
    if any(watching.values()):
        scenario_graph = _watch_graph(
            scenario_graph, **watching, factor=factor, penalty_s=penalty_s
        )
        weight = GENERALISED
    scenario = assign(scenario_graph, flows, weight=weight, **options)

    both = sorted(
        set(base.paths["flow_id"]) & set(scenario.paths["flow_id"]),
        key=lambda fid: flows.index.get_loc(fid),
    )
    old_sig, new_sig = _signature(base.paths), _signature(scenario.paths)
    moved_ids = [fid for fid in both if old_sig[fid] != new_sig[fid]]
    old_main, new_main = _main_path(base.paths), _main_path(scenario.paths)
    old_time, new_time = _mean_time(base.paths), _mean_time(scenario.paths)
    moved = pd.DataFrame(
        {
            "flow_id": moved_ids,
            "origin": [flows.at[f, "origin"] for f in moved_ids],
            "destination": [flows.at[f, "destination"] for f in moved_ids],
            "count": [float(base.flows.at[f, "count"]) for f in moved_ids],
            "old_crossings": [old_main.at[f, "crossings"] for f in moved_ids],
            "new_crossings": [new_main.at[f, "crossings"] for f in moved_ids],
            "old_refs": [old_main.at[f, "refs"] for f in moved_ids],
            "new_refs": [new_main.at[f, "refs"] for f in moved_ids],
            "old_time_s": [float(old_time[f]) for f in moved_ids],
            "new_time_s": [float(new_time[f]) for f in moved_ids],
        }
    )
    moved["added_time_s"] = moved["new_time_s"] - moved["old_time_s"]
    was_unrouted = set(base.unrouted["flow_id"])
    newly = scenario.unrouted[~scenario.unrouted["flow_id"].isin(was_unrouted)]
    return Displacement(
        base=base,
        scenario=scenario,
        moved=moved,
        corridors=_change(_usage(base.paths, "refs"), _usage(scenario.paths, "refs"), "ref"),
        crossings=_change(
            _usage(base.paths, "crossings"), _usage(scenario.paths, "crossings"), "crossing_id"
        ),
        newly_unrouted=newly.reset_index(drop=True),
    )
