"""Words for planners: each chosen site's row of a plan and the sentence explaining it.

Every sentence respects small-count suppression: flows under
:data:`geotraf.privacy.DEFAULT_THRESHOLD` are "under 11 modelled persons", and an origin →
destination pair is named only when it carries at least that much flow.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable
from typing import Any

import networkx as nx
import pandas as pd

from geotraf import coverage as cov
from geotraf.privacy import DEFAULT_THRESHOLD

#: Columns of ``Plan.sites`` (before ``geometry``), in order.
SITE_COLUMNS = [
    "rank",
    "site_id",
    "name",
    "site_type",
    "node",
    "captured",
    "share",
    "marginal_gain",
    "captured_after_evasion",
    "coverage_probability",
    "reason",
]


def _share_text(value: float, total: float) -> str:
    if value < DEFAULT_THRESHOLD:
        return f"under {DEFAULT_THRESHOLD} modelled persons"
    pct = 100 * value / total if total > 0 else 0.0
    return f"{pct:.0f}% of modelled flow" if pct >= 1 else "under 1% of modelled flow"


def _place_name(G: nx.MultiDiGraph, node: Hashable) -> str:
    data = G.nodes[node] if G.has_node(node) else {}
    return str(data.get("name") or data.get("place_id") or node)


def _top(weights: dict[Any, float], n: int) -> list[tuple[Any, float]]:
    return sorted(weights.items(), key=lambda kv: (-kv[1], str(kv[0])))[:n]


def _road_of(G: nx.MultiDiGraph, node: Hashable, refs: dict[str, float]) -> str:
    if refs:
        return str(_top(refs, 1)[0][0])
    around = Counter(str(d.get("ref", "")) for _, _, d in G.edges(node, data=True) if d.get("ref"))
    return around.most_common(1)[0][0] if around else ""


def _reason(
    G: nx.MultiDiGraph,
    row: pd.Series,
    through: pd.DataFrame,
    total: float,
    after: float,
) -> str:
    kind = str(row.get("site_type", "") or "site").replace("_", " ")
    refs: dict[str, float] = defaultdict(float)
    pairs: dict[tuple[str, str], float] = defaultdict(float)
    for nodes, path_refs, w in zip(
        through["nodes"],
        through.get("refs", [()] * len(through)),
        through["weight"],
        strict=True,
    ):
        for r in set(path_refs or ()):
            if r:
                refs[str(r)] += float(w)
        pairs[(_place_name(G, nodes[0]), _place_name(G, nodes[-1]))] += float(w)
    road = _road_of(G, row["node"], refs)
    name = str(row.get("name") or "")
    head = kind[:1].upper() + kind[1:]
    head += f" on {road}" if road else ""
    if name and name.lower().startswith(head.lower()):
        head = name  # the name already says it ("Truck stop on AH12 between …")
    elif name:
        head += f" ({name})"
    parts = [head, _share_text(float(row["captured"]), total)]
    corridors = [r for r, _ in _top(refs, 3)]
    if corridors:
        parts.append("main corridors: " + ", ".join(corridors))
    # Only name origin→destination pairs carrying enough flow not to point at anyone.
    routes = [f"{o} → {d}" for (o, d), w in _top(pairs, 2) if w >= DEFAULT_THRESHOLD]
    if routes:
        parts.append("main routes: " + ", ".join(routes))
    captured = float(row["captured"])
    if captured >= DEFAULT_THRESHOLD and captured - after > 0.005 * captured:
        parts.append(f"{100 * (1 - after / captured):.0f}% of it could detour around checks")
    return "; ".join(parts)


def ranked_sites(
    G: nx.MultiDiGraph,
    paths: pd.DataFrame,
    cand: pd.DataFrame,
    base: cov.Coverage,
    sol: cov.Solution,
    ev: pd.DataFrame,
    total: float,
) -> pd.DataFrame:
    csc = base.incidence.tocsc()
    kept = (ev["checked"] & ~ev["evades"]).to_numpy()
    rows: list[dict[str, Any]] = []
    for rank, (s, gain) in enumerate(zip(sol.sites, sol.gains, strict=True), start=1):
        through_idx = csc.indices[csc.indptr[s] : csc.indptr[s + 1]]
        through = paths.iloc[through_idx]
        captured = float(base.weights[through_idx].sum())
        after = float(base.weights[through_idx][kept[through_idx]].sum())
        site = cand.iloc[int(s)]
        row = {
            "rank": rank,
            "site_id": str(site["site_id"]),
            "name": str(site.get("name", "") or ""),
            "site_type": str(site.get("site_type", "") or ""),
            "node": site["node"],
            "captured": captured,
            "share": captured / total if total > 0 else 0.0,
            "marginal_gain": float(gain),
            "captured_after_evasion": after,
            "geometry": site.geometry,
        }
        row["reason"] = _reason(G, pd.Series(row), through, total, after)
        rows.append(row)
    columns = [c for c in SITE_COLUMNS if c != "coverage_probability"] + ["geometry"]
    return pd.DataFrame(rows, columns=columns)
