"""The Corridors what-if: close or watch crossings and roads, see where the flow goes."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from dashboard import i18n
from dashboard.corridors_network import CorridorNetwork, Segments, flow_mask, year_span
from dashboard.corridors_state import CorridorState, Translator
from dashboard.corridors_view import unit_label
from geotraf.privacy import DEFAULT_THRESHOLD, suppress

if TYPE_CHECKING:
    import networkx as nx

#: Above this many road pieces the what-if lists whole roads (by ref) instead.
MAX_ROAD_OPTIONS = 1500
#: Prefix of a what-if pick that means "every piece of this road ref".
REF = "ref:"


def whatif_options(graph: nx.MultiDiGraph) -> list[dict[str, str]]:
    """Return the crossings and roads a scenario can close or watch (label, value).

    Crossings first (by name), then roads (by ref and name).
    """
    crossings: dict[str, str] = {}
    for _, d in graph.nodes(data=True):
        if d.get("kind") == "crossing" and d.get("crossing_id"):
            status = str(d.get("status", "") or "")
            crossings[str(d["crossing_id"])] = f"{d.get('name') or d['crossing_id']}" + (
                f" ({status})" if status else ""
            )
    roads: dict[str, str] = {}
    for *_, d in graph.edges(data=True):
        rid = str(d.get("road_id", "") or "")
        if rid and rid not in roads:
            ref = str(d.get("ref", "") or "")
            name = str(d.get("name", "") or "")
            roads[rid] = " · ".join(p for p in (ref, name) if p) or rid
    out = [
        {"label": f"Crossing: {label}", "value": cid}
        for cid, label in sorted(crossings.items(), key=lambda kv: kv[1])
    ]
    if len(roads) > MAX_ROAD_OPTIONS:
        # A large network lists whole roads by ref, not every piece (small page payload).
        refs = sorted({label.split(" · ")[0] for label in roads.values()})
        return out + [
            {"label": f"Road: {ref} (whole road)", "value": f"{REF}{ref}"} for ref in refs
        ]
    out += [
        {"label": f"Road: {label}", "value": rid}
        for rid, label in sorted(roads.items(), key=lambda kv: kv[1])
    ]
    return out


def expand_targets(graph: nx.MultiDiGraph, values: Sequence[str]) -> list[str]:
    """Turn what-if picks into crossing and road ids (``ref:AH1`` → every AH1 road id).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("a", "b", road_id="r1", ref="AH1")
    >>> _ = G.add_edge("b", "c", road_id="r2", ref="AH1")
    >>> expand_targets(G, ["X1", "ref:AH1"])
    ['X1', 'r1', 'r2']
    """
    wanted = {v[len(REF) :] for v in values if v.startswith(REF)}
    out = [v for v in values if not v.startswith(REF)]
    if wanted:
        ids = {
            str(d["road_id"])
            for *_, d in graph.edges(data=True)
            if d.get("road_id") and str(d.get("ref", "")) in wanted
        }
        out += sorted(ids)
    return out


@dataclass(frozen=True)
class WhatIf:
    """A scenario's displacement, ready to show (counts suppressed, people per year)."""

    summary: list[tuple[str, str, str]]
    moved: pd.DataFrame
    corridors: pd.DataFrame
    gained: np.ndarray
    lost: np.ndarray
    closed_points: pd.DataFrame
    notes: list[str]


def what_if(
    net: CorridorNetwork,
    state: CorridorState,
    *,
    close: Sequence[str] = (),
    watch: Sequence[str] = (),
    factor: float = 3.0,
    t: Translator,
    threshold: int = DEFAULT_THRESHOLD,
    top: int = 12,
    lang: str = "en",
) -> WhatIf:
    """Close and/or watch crossings or roads for the filtered flows and compare.

    Calls :func:`geotraf.scenarios.displacement` on the filtered flows (people per year)
    with the page's assignment method, then aggregates for display: moved flows by
    origin → destination, road refs that gained or lost load, and the segments whose
    load changed by at least ``threshold`` (``gained``/``lost`` are segment indices).
    """
    from geotraf.scenarios import displacement

    mask = flow_mask(net, state)
    scale = 1.0 / year_span(net, state)
    flows = net.assignment.flows.loc[mask].drop(
        columns=["origin_node", "destination_node"], errors="ignore"
    )
    flows = flows.assign(count=flows["count"] * scale)
    result = displacement(
        net.graph,
        flows,
        close=expand_targets(net.graph, close),
        watch=expand_targets(net.graph, watch),
        factor=factor,
        method=net.method,
        places=getattr(net.region, "places", None),
    )
    diff_edges = (
        result.scenario.edge_load.reindex(net.assignment.edge_load.index, fill_value=0.0).to_numpy()
        - result.base.edge_load.reindex(net.assignment.edge_load.index, fill_value=0.0).to_numpy()
    )
    diff = np.asarray(net.edge_segment.T @ diff_edges)
    gained = np.flatnonzero(diff >= threshold)
    lost = np.flatnonzero(diff <= -threshold)
    moved = _moved_table(result.moved, net.graph, threshold=threshold, top=top)
    # Changes below the threshold are neither shown nor hinted at: a table of "<11" rows
    # says nothing and a change could reveal a small flow.
    changes = result.corridors[result.corridors["change"].abs() >= threshold].copy()
    change_table = _change_table(changes, threshold=threshold, top=top)
    summary = result.summary()
    moved_people = float(result.moved["count"].sum()) if len(result.moved) else 0.0
    newly = float(result.newly_unrouted["count"].sum()) if len(result.newly_unrouted) else 0.0
    unit = unit_label(net.synthetic, t)
    cards = [
        (i18n.count(moved_people, lang, threshold=threshold), t("moved to other routes"), unit),
        (
            f"+{i18n.number(summary['mean_added_time_min'], lang)} min",
            t("added travel time"),
            t("mean, weighted by people"),
        ),
        (
            i18n.count(newly, lang, threshold=threshold) if newly else "0",
            t("left without a route"),
            unit,
        ),
    ]
    notes = []
    if not len(result.moved) and not newly:
        notes.append(t("No modelled flow changes route: nothing in the filter uses these."))
    return WhatIf(
        summary=cards,
        moved=moved,
        corridors=change_table,
        gained=gained,
        lost=lost,
        closed_points=_target_points(
            net.graph,
            expand_targets(net.graph, [*close, *watch]),
            closed=set(expand_targets(net.graph, close)),
        ),
        notes=notes,
    )


def _pair_name(graph: nx.MultiDiGraph, code: object) -> str:
    node = f"p:{code}"
    if node in graph and graph.nodes[node].get("name"):
        return str(graph.nodes[node]["name"])
    return str(code)


def _crossing_names(graph: nx.MultiDiGraph, ids: Sequence[str]) -> str:
    names = []
    for cid in ids:
        node = f"x:{cid}"
        name = str(graph.nodes[node].get("name") or cid) if node in graph else str(cid)
        names.append(name.split(" (")[0].strip() or name)  # short: "Mae Sot–Myawaddy"
    return " / ".join(names) or "—"


def _moved_table(
    moved: pd.DataFrame, graph: nx.MultiDiGraph, *, threshold: int, top: int
) -> pd.DataFrame:
    columns = ["pair", "crossing_before", "crossing_after", "count", "added_min", "suppressed"]
    if len(moved) == 0:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(
        {
            "pair": [
                f"{_pair_name(graph, o)} → {_pair_name(graph, d)}"
                for o, d in zip(moved["origin"], moved["destination"], strict=True)
            ],
            "crossing_before": [_crossing_names(graph, c) for c in moved["old_crossings"]],
            "crossing_after": [_crossing_names(graph, c) for c in moved["new_crossings"]],
            "count": moved["count"].to_numpy(float),
            "minutes": moved["added_time_s"].to_numpy(float) / 60.0 * moved["count"].to_numpy(),
        }
    )
    grouped = frame.groupby(["pair", "crossing_before", "crossing_after"], as_index=False)[
        ["count", "minutes"]
    ].sum()
    grouped["added_min"] = grouped["minutes"] / grouped["count"].where(grouped["count"] > 0)
    # A group below the threshold is not listed: its town pair is never named.
    grouped = grouped.loc[grouped["count"] >= threshold]
    grouped = grouped.sort_values("count", ascending=False, kind="stable").head(top)
    safe = suppress(grouped.drop(columns="minutes"), threshold=threshold)
    return safe[columns].reset_index(drop=True)


def _change_table(changes: pd.DataFrame, *, threshold: int, top: int) -> pd.DataFrame:
    columns = ["ref", "base", "scenario", "change", "suppressed"]
    if len(changes) == 0:
        return pd.DataFrame(columns=columns)
    order = changes["change"].abs().sort_values(ascending=False, kind="stable").index
    frame = changes.loc[order[:top]].reset_index(drop=True)
    hidden = np.zeros(len(frame), dtype=bool)
    for col in ("base", "scenario", "change"):
        v = frame[col].abs().to_numpy(float)
        hidden |= (v > 0) & (v < threshold)
    out = frame.copy()
    for col in ("base", "scenario", "change"):
        out[col] = out[col].astype("Float64").round(0).mask(hidden)
    out["suppressed"] = hidden
    return out[columns]


def _target_points(
    graph: nx.MultiDiGraph, targets: Sequence[str], *, closed: set[str]
) -> pd.DataFrame:
    """Where the closed/watched elements are: a crossing's node, a road's midpoint."""
    rows = []
    wanted = set(targets)
    for _, d in graph.nodes(data=True):
        cid = str(d.get("crossing_id", "") or "")
        if d.get("kind") == "crossing" and cid in wanted:
            rows.append((cid, str(d.get("name") or cid), float(d["x"]), float(d["y"])))
            wanted.discard(cid)
    for *_, d in graph.edges(data=True):
        rid = str(d.get("road_id", "") or "")
        if rid in wanted and d.get("geometry") is not None:
            mid = d["geometry"].interpolate(0.5, normalized=True)
            rows.append((rid, str(d.get("ref") or rid), float(mid.x), float(mid.y)))
            wanted.discard(rid)
    frame = pd.DataFrame(rows, columns=["id", "name", "lon", "lat"])
    frame["action"] = ["close" if i in closed else "watch" for i in frame["id"]]
    return frame


def segment_lines(segments: Segments, which: np.ndarray) -> tuple[list[float], list[float]]:
    """Return lon/lat lists of the chosen segments, separated by NaN (one trace)."""
    lons: list[float] = []
    lats: list[float] = []
    for s in which:
        a, b = int(segments.offsets[s]), int(segments.offsets[s + 1])
        lons += [*segments.lon[a:b].tolist(), math.nan]
        lats += [*segments.lat[a:b].tolist(), math.nan]
    return lons, lats
