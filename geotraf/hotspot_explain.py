"""The explanation of a hotspot: its parts, and the English sentence made of them.

:func:`geotraf.hotspots.hotspots` gives every hotspot a plain-English ``explanation``
(the CLI and the library print it). The sentence is made of parts — what the place is,
the share of the modelled flow passing it, its main origin → destination pairs, its
corridor, candidate sites, recent incidents and the years of the flow data — which
``hotspots(..., explanation_parts=True)`` also returns as columns
(:data:`EXPLANATION_PARTS`), so that an interface can write the same sentence in its own
language. Every part comes from the flows the ranking was given (the released flows in
the CLI and the dashboard); an origin → destination pair carrying less than
:data:`geotraf.privacy.DEFAULT_THRESHOLD` is never named.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geotraf.privacy import DEFAULT_THRESHOLD, format_count

if TYPE_CHECKING:
    from geotraf.hotspot_index import HotspotIndex
    from geotraf.routing import Assignment

__all__ = [
    "EXPLANATION_PARTS",
    "Pair",
    "explain",
    "node_name",
    "pairs_and_years",
    "pairs_text",
]

#: What each explanation is made of, added by ``hotspots(..., explanation_parts=True)`` so
#: that a caller can write the sentence in another language (the dashboard does): the
#: node's own name (a junction's id when it has none), a crossing's status, the main
#: origin → destination pairs as ``(origin, destination, share of the node's flow)``
#: and the candidate sites as ``(name, risk grade or "")``. With ``kind``,
#: ``place_type``, ``share``, ``load``, ``corridor``, ``incident_density`` and ``years``
#: these are every part of the English ``explanation``.
EXPLANATION_PARTS = ["node_name", "crossing_status", "pairs", "candidate_sites"]

#: One origin → destination pair of an explanation: names and share of the node's flow.
Pair = tuple[str, str, float]


def pairs_and_years(
    assignment: Assignment, index: HotspotIndex, targets: set[int], top_pairs: int
) -> dict[int, tuple[tuple[Pair, ...], str]]:
    """Per target node position: its main origin → destination pairs and flow years.

    A pair is ``(origin name, destination name, share of the node's flow)``; a pair below
    the display threshold is left out.

    One pass over the paths for every target at once: the (path, node) rows at the targets
    (a flow counted once per node and path weight), their pair labels, and one grouped sum.
    """
    paths = assignment.paths
    if not targets or len(paths) == 0:
        return {}
    node_lists = paths["nodes"].to_numpy()
    lengths = np.fromiter(map(len, node_lists), dtype=np.int64, count=len(node_lists))
    # Which listed nodes are targets: one C-level pass (map, set lookup), no Python loop
    # per node, then positions for the few hits only.
    wanted = {index.nodes[p] for p in targets}
    flat = list(itertools.chain.from_iterable(node_lists))
    hit = np.fromiter(map(wanted.__contains__, flat), dtype=bool, count=len(flat))
    at = index.position
    hit_nodes = np.array([at[flat[i]] for i in np.flatnonzero(hit)], dtype=np.int64)
    path_row = np.repeat(np.arange(len(node_lists)), lengths)[hit]
    rows = pd.DataFrame(
        {
            "flow_id": paths["flow_id"].to_numpy()[path_row],
            "nodes": hit_nodes,
            "weight": paths["weight"].to_numpy()[path_row],
        }
    ).drop_duplicates(["flow_id", "nodes", "weight"])
    if rows.empty:
        return {}
    flows = assignment.flows
    at = flows.index.get_indexer(rows["flow_id"])
    ends = [
        (_label(o, index), _label(d, index))
        for o, d in zip(
            _column_at(flows, "origin", at), _column_at(flows, "destination", at), strict=True
        )
    ]
    labels = [f"{o} → {d}" for o, d in ends]
    named = dict(zip(labels, ends, strict=True))  # the text a pair sorts by → its two names
    rows["pair"] = labels
    sums = rows.groupby(["nodes", "pair"], sort=True)["weight"].sum()
    years: dict[int, str] = {}
    if "year" in flows.columns:
        rows["year"] = pd.to_numeric(_column_at(flows, "year", at), errors="coerce")
        span = rows.dropna(subset=["year"]).groupby("nodes")["year"].agg(["min", "max"])
        for pos, lo, hi in zip(span.index, span["min"], span["max"], strict=True):
            a, b = int(lo), int(hi)
            years[int(pos)] = f"{a}" if a == b else f"{a}–{b}"
    out: dict[int, tuple[tuple[Pair, ...], str]] = {}
    node_codes = sums.index.get_level_values(0).to_numpy()
    pair_names = sums.index.get_level_values(1).to_numpy()
    values = sums.to_numpy(dtype=float)
    bounds = np.flatnonzero(np.diff(node_codes)) + 1
    for start, stop in zip(
        np.concatenate([[0], bounds]), np.concatenate([bounds, [len(values)]]), strict=True
    ):
        weights = values[start:stop]
        order = np.argsort(-weights, kind="stable")  # heaviest first, ties by pair
        ranked = weights[order]
        total = float(ranked.sum())
        parts: list[Pair] = []
        for i, weight in zip(order[:top_pairs], ranked[:top_pairs], strict=False):
            # A pair below the display threshold is not named: a tiny group is never listed.
            if weight >= DEFAULT_THRESHOLD:
                origin, destination = named[pair_names[start + i]]
                parts.append((origin, destination, float(weight / total)))
        pos = int(node_codes[start])
        out[pos] = (tuple(parts), years.get(pos, ""))
    return out


def pairs_text(pairs: tuple[Pair, ...]) -> str:
    """Return the ``main_pairs`` text of explanation pairs.

    Examples
    --------
    >>> pairs_text((("Vientiane", "Bangkok", 0.81), ("LAO", "THA", 0.19)))
    'Vientiane → Bangkok (81%); LAO → THA (19%)'
    """
    return "; ".join(f"{o} → {d} ({share:.0%})" for o, d, share in pairs)


def _column_at(flows: pd.DataFrame, column: str, at: np.ndarray) -> np.ndarray:
    """``flows[column]`` at row positions ``at`` (NaN where -1: a flow id not in flows)."""
    values = flows[column].to_numpy(dtype=object)
    out = np.full(len(at), np.nan, dtype=object)
    found = at >= 0
    out[found] = values[at[found]]
    return out


def _label(code: object, index: HotspotIndex) -> str:
    text = str(code)
    return index.place_names.get(text, text)


def node_name(node: Any, data: Mapping[str, Any]) -> str:
    """Return the node's own name as its explanation gives it (a junction's id when unnamed).

    Examples
    --------
    >>> node_name("j:17", {"kind": "junction"}), node_name("x:1", {"kind": "crossing",
    ...     "name": "Mae Sot–Myawaddy"})
    ('j:17', 'Mae Sot–Myawaddy')
    """
    name = str(data.get("name", "") or "")
    if name or data.get("kind") in ("crossing", "place"):
        return name
    return str(node)


def explain(
    *,
    kind: str,
    place_type: str,
    node_name: str,
    crossing_status: str,
    load: float,
    share: float,
    pairs: tuple[Pair, ...],
    corridor: str,
    candidate_sites: tuple[tuple[str, str], ...],
    incident_density: float,
    years: str,
) -> str:
    """Return the English explanation of a hotspot from its parts.

    The parts are the columns of :data:`EXPLANATION_PARTS` and the hotspot table's
    ``kind``, ``place_type``, ``load``, ``share``, ``corridor``, ``incident_density`` and
    ``years``. A load under the display threshold gives no share (the share would give the
    load back).

    Examples
    --------
    >>> explain(kind="crossing", place_type="", node_name="Poipet", crossing_status="official",
    ...     load=92.0, share=0.124, pairs=(("Phnom Penh", "Bangkok", 0.04),), corridor="AH1",
    ...     candidate_sites=(("Checkpoint Poipet", "high"),), incident_density=17.0,
    ...     years="2018–2024")[:86]
    'Border crossing Poipet (official): 12.4% of the modelled flow passes here (92 people).'
    >>> explain(kind="junction", place_type="", node_name="j:1", crossing_status="", load=4.0,
    ...     share=0.01, pairs=(), corridor="", candidate_sites=(), incident_density=0.0, years="")
    'Junction j:1: a small part of the modelled flow passes here (<11 people).'
    """
    if kind == "crossing":
        what = f"Border crossing {node_name}" + (f" ({crossing_status})" if crossing_status else "")
    elif kind == "place":
        what = f"{place_type.replace('_', ' ').capitalize()} {node_name}"
    else:
        what = f"Junction {node_name}"
        if corridor:
            what += f" on {corridor}"
    if 0 < load < DEFAULT_THRESHOLD:  # a share would undo the <11 of its load
        parts = [f"{what.strip()}: a small part of the modelled flow passes here (<11 people)."]
    else:
        parts = [
            f"{what.strip()}: {share:.1%} of the modelled flow passes here "
            f"({format_count(load)} people)."
        ]
    if pairs:
        parts.append(f"Main origin → destination: {pairs_text(pairs)}.")
    if corridor:
        parts.append(f"Corridor {corridor}.")
    if candidate_sites:
        named = [f"{name} ({risk})" if risk else name for name, risk in candidate_sites]
        parts.append(f"Candidate site(s): {', '.join(named)}.")
    if incident_density > 0:
        parts.append(f"Recent incidents nearby (density {incident_density:.1f}).")
    if years:
        parts.append(f"Flow data {years}.")
    return " ".join(parts)
