"""``geotraf build``: build a region's route graph, save it, print what happened.

CLI glue only (the builder is :func:`geotraf.graph.build_route_graph`): the summary of
the graph and the build report of every input road that is not an edge of it.
"""

from __future__ import annotations

import argparse
import json
import warnings
from typing import Any

from geotraf.graph import UnattachedPlacesWarning, build_route_graph, simplify_graph, summarize

#: Roads not in the graph listed by the text summary (JSON lists all).
MAX_LISTED = 20


def _format_summary(s: dict[str, Any]) -> str:
    lines = [
        f"route graph {s['name']}: {s['nodes']} nodes ({s['junctions']} junctions, "
        f"{s['crossings']} crossings, {s['places']} places), {s['edges']} directed edges",
        f"border edges: {s['border_edges']}",
        f"official crossings used ({len(s['official_crossings'])}): "
        + (", ".join(s["official_crossings"]) or "none"),
        f"informal crossings ({len(s['informal_crossings'])}): "
        + (", ".join(s["informal_crossings"]) or "none"),
        f"road network: {s['components']} connected component(s)"
        + ("" if s["connected"] else " - NOT connected: some places cannot reach others"),
        f"unattached places ({len(s['unattached'])}): " + (", ".join(s["unattached"]) or "none"),
    ]
    report = s.get("build_report")
    if report:
        lost = report["roads"]
        lines.append(
            f"input roads: {report['roads_in']}, in the graph: {report['roads_in_graph']}; "
            f"snap tolerance {report['snap_tolerance_m']:g} m "
            f"({'from the data' if report['snap_tolerance_source'] == 'auto' else 'given'})"
        )
        for row in lost[:MAX_LISTED]:
            into = f" (into node {row['merged_into']})" if row.get("merged_into") else ""
            lines.append(f"  not in the graph: road {row['road_id']}: {row['why']}{into}")
        if len(lost) > MAX_LISTED:
            lines.append(
                f"  ... and {len(lost) - MAX_LISTED} more roads not in the graph "
                "(all of them in --format json)"
            )
        for row in report.get("country_disagreements", []):
            lines.append(
                f"  place {row['place_id']}: declared {row['declared']}, polygon "
                f"{row['polygon']}, used {row['used']}"
            )
    if s["unused_crossings"]:
        lines.append(
            f"crossings on no road ({len(s['unused_crossings'])}): "
            + ", ".join(s["unused_crossings"])
        )
    return "\n".join(lines)


def run_build_command(args: argparse.Namespace) -> int:
    """``geotraf build``: build a region's route graph, optionally save it, print a summary.

    Examples
    --------
    >>> import argparse
    >>> args = argparse.Namespace(region="mekong", out=None, format="json")
    >>> run_build_command(args)  # doctest: +SKIP
    0
    """
    from geotraf import commands

    region = commands.load_region(args.region)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UnattachedPlacesWarning)
        graph = build_route_graph(
            region.roads,
            region.borders,
            region.crossings,
            region.places,
            name=str(args.region),
            snap_tolerance_m=getattr(args, "snap_m", None),
            trust_declared_country=getattr(args, "trust_declared_country", False),
        )
    if getattr(args, "simplify", False):
        graph = simplify_graph(graph)
    summary = summarize(graph)
    summary["build_report"] = graph.graph.get("build_report")
    out = getattr(args, "out", None)
    if out:
        from geotraf.io import save_graph

        save_graph(graph, out)
        summary["out"] = str(out)
    if getattr(args, "format", "text") == "json":
        print(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        print(_format_summary(summary))
        if out:
            print(f"saved to {out}")
        for w in caught:
            if issubclass(w.category, UnattachedPlacesWarning):
                print(f"warning: {w.message}")
    return 0
