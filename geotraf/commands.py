"""Glue between the CLI and the analysis: load a region, build its graph, run, print.

Each ``run_*`` takes the parsed ``argparse.Namespace`` of its command and returns an exit
code; user mistakes are raised as :class:`~geotraf.errors.GeotrafError` and turned into
exit code 2 by :func:`geotraf.cli.main`. ``hotspots`` and ``scenario`` live here; ``plan``
and ``privacy`` in :mod:`geotraf._plan_command` and :mod:`geotraf._privacy_command`
(re-exported), and what they all share in :mod:`geotraf.command_support`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from geotraf._plan_command import run_plan as run_plan
from geotraf._privacy_command import run_privacy as run_privacy
from geotraf.command_support import RAW_NOTICE as RAW_NOTICE
from geotraf.command_support import (
    assign_quietly,
    command_flows,
    command_incidents,
    protection,
    unrouted_rows,
)
from geotraf.command_support import load_region as load_region
from geotraf.command_support import load_region_and_graph as load_region_and_graph
from geotraf.errors import GeotrafError
from geotraf.scale import dask_client

if TYPE_CHECKING:
    import pandas as pd


def run_hotspots(args: argparse.Namespace) -> int:
    """``geotraf hotspots``: assign the region's flows and rank interception hotspots.

    Counts below the suppression threshold never leave this function: the ``load`` column
    (and the ``share`` that would reveal it) is suppressed in the table, JSON and files.
    """
    from geotraf._output import print_json
    from geotraf.hotspots import corridors, hotspots
    from geotraf.privacy import format_count, suppress

    if args.top is not None and args.top < 1:
        raise GeotrafError(f"--top must be at least 1, got {args.top}")
    raw = bool(getattr(args, "raw", False))
    reg, graph = load_region_and_graph(args.region)
    flows = command_flows(reg, args.region, nothing_to="assign", raw=raw, graph=graph)
    stated = protection(reg, args.region, raw=raw)
    result = assign_quietly(graph, reg, flows, method=args.assignment, dask=args.dask)
    incidents = command_incidents(reg, args.region, raw=raw)  # released unless --raw
    spots = hotspots(graph, result, incidents=incidents, sites=reg.sites, top=args.top)
    safe = suppress(spots, count_col="load")
    safe["share"] = safe["share"].mask(safe["suppressed"])
    runs = corridors(graph, result)
    runs_safe = suppress(runs, count_col="load")
    runs_safe["share"] = runs_safe["share"].mask(runs_safe["suppressed"])
    if args.out:
        from geotraf._write import write_table

        write_table(
            safe.drop(columns="suppressed").assign(protection=stated["protection"]),
            args.out,
            layer="hotspots",
        )
    total, routed = result.total, result.routed
    unrouted = result.unrouted
    if args.format == "json":
        summary = {
            "region": args.region,
            **stated,
            "synthetic": bool(getattr(reg, "synthetic", False)),
            "assignment": result.method,
            "total_flow": format_count(total),
            "routed_share": round(routed / total, 4) if total else 0.0,
            "unrouted": unrouted_rows(unrouted, raw=raw),
            "hotspots": [
                {
                    "rank": int(r["rank"]),
                    "node": r["node"],
                    "name": r["name"],
                    "kind": r["kind"],
                    "place_type": r["place_type"],
                    "country": r["country"],
                    "score": round(float(r["score"]), 4),
                    "load": None if r["suppressed"] else round(float(r["load"]), 1),
                    "share": None if r["suppressed"] else round(float(r["share"]), 4),
                    "corridor": r["corridor"],
                    "years": r["years"],
                    "explanation": r["explanation"],
                    "lon": r.geometry.x,
                    "lat": r.geometry.y,
                }
                for _, r in safe.iterrows()
            ],
            "corridors": [
                {
                    "corridor_id": r["corridor_id"],
                    "ref": r["ref"],
                    "load": None if r["suppressed"] else round(float(r["load"]), 1),
                    "share": None if r["suppressed"] else round(float(r["share"]), 4),
                    "length_km": round(float(r["length_km"]), 1),
                    "start": r["start"],
                    "end": r["end"],
                    "crossings": r["crossings"],
                }
                for _, r in runs_safe.iterrows()
            ],
            "out": args.out,
        }
        print_json(summary)
        return 0
    note = " (synthetic demo counts)" if getattr(reg, "synthetic", False) else ""
    print(stated["protection"])
    print(
        f"{len(result.flows)} flows, {format_count(total)} people{note}; "
        f"{routed / total if total else 0:.0%} routed ({result.method}), "
        f"{len(unrouted)} flows unrouted."
    )
    for reason, n in unrouted["reason"].value_counts().sort_index().items():
        print(f"  unrouted: {n} flow(s) {reason}")
    print(f"\nTop {len(safe)} hotspots:")
    for _, r in safe.iterrows():
        print(
            f"{int(r['rank']):>3}. {r['name'] or r['node']} [{r['kind']}, {r['country']}] "
            f"score {r['score']:.2f}, load {format_count(r['load'])}"
        )
        print(f"     {r['explanation']}")
    if len(runs_safe):
        print("\nCorridors (runs of high-load edges along one road):")
        for _, r in runs_safe.iterrows():
            print(
                f"  {r['corridor_id']}: {r['start']} – {r['end']}, {r['length_km']:.0f} km, "
                f"load {format_count(r['load'])}"
            )
    if args.out:
        print(f"\nWrote {args.out}")
    return 0


def _moved_rows(
    moved: pd.DataFrame, *, raw: bool, safe: Callable[[float], float | None]
) -> list[dict[str, Any]]:
    """Moved flows: per flow for the data owner; else grouped by change of route, and a
    group below the threshold is not listed (no town pair is ever named)."""
    if len(moved) == 0:
        return []
    if raw:
        return [
            {
                "flow_id": r.flow_id,
                "origin": r.origin,
                "destination": r.destination,
                "count": safe(r.count),
                "old_crossings": list(r.old_crossings),
                "new_crossings": list(r.new_crossings),
                "old_refs": list(r.old_refs),
                "new_refs": list(r.new_refs),
                "added_time_min": round(r.added_time_s / 60.0, 1),
            }
            for r in moved.itertuples()
        ]
    import pandas as pd

    from geotraf.privacy import DEFAULT_THRESHOLD

    frame = pd.DataFrame(
        {
            "old_crossings": [";".join(c) for c in moved["old_crossings"]],
            "new_crossings": [";".join(c) for c in moved["new_crossings"]],
            "count": moved["count"].to_numpy(float),
            "minutes": moved["added_time_s"].to_numpy(float) / 60.0 * moved["count"].to_numpy(),
        }
    )
    grouped = frame.groupby(["old_crossings", "new_crossings"], as_index=False).sum()
    grouped = grouped.loc[grouped["count"] >= DEFAULT_THRESHOLD]
    grouped = grouped.sort_values("count", ascending=False, kind="stable")
    return [
        {
            "old_crossings": [c for c in r.old_crossings.split(";") if c],
            "new_crossings": [c for c in r.new_crossings.split(";") if c],
            "count": round(float(r.count), 1),
            "added_time_min": round(float(r.minutes) / float(r.count), 1),
        }
        for r in grouped.itertuples()
    ]


def run_scenario(args: argparse.Namespace) -> int:
    """``geotraf scenario``: close or watch crossings/roads and report the displacement.

    Counts below the suppression threshold are shown as ``<11`` (text) or ``null`` (JSON).
    """

    from geotraf._output import print_json
    from geotraf.privacy import DEFAULT_THRESHOLD, format_count
    from geotraf.scenarios import displacement

    close_ids = [s.strip() for s in (args.close or "").split(",") if s.strip()]
    watch_ids = [s.strip() for s in (args.watch or "").split(",") if s.strip()]
    if not close_ids and not watch_ids:
        raise GeotrafError("give crossing or road ids to --close and/or --watch, e.g. --close X1")
    raw = bool(getattr(args, "raw", False))
    reg, graph = load_region_and_graph(args.region)
    flows = command_flows(reg, args.region, nothing_to="displace", raw=raw, graph=graph)
    stated = protection(reg, args.region, raw=raw)
    with dask_client(args.dask) as client:
        result = displacement(
            graph,
            flows,
            close=close_ids,
            watch=watch_ids,
            method=args.assignment,
            places=reg.places,
            client=client,
        )

    def safe(value: float) -> float | None:
        return None if 0 < abs(value) < DEFAULT_THRESHOLD else round(float(value), 1)

    moved = result.moved
    changes = result.corridors[result.corridors["change"].abs() > 1e-9]
    crossings = result.crossings[result.crossings["change"].abs() > 1e-9]

    def change_rows(frame: pd.DataFrame, key: str) -> list[dict[str, Any]]:
        rows = []
        for r in frame.itertuples():
            base, scen = safe(r.base), safe(r.scenario)
            hidden = base is None or scen is None
            rows.append(
                {
                    key: getattr(r, key),
                    "base": base,
                    "scenario": scen,
                    "change": None if hidden else round(float(r.change), 1),
                }
            )
        return rows

    moved_total = float(moved["count"].sum()) if len(moved) else 0.0
    summary = result.summary()
    if args.format == "json":
        out = {
            "region": args.region,
            **stated,
            "assignment": args.assignment,
            "closed": close_ids,
            "watched": watch_ids,
            "flows_moved": summary["flows_moved"],
            "flow_moved": safe(moved_total),
            "mean_added_time_min": round(summary["mean_added_time_min"], 1),
            "moved": _moved_rows(moved, raw=raw, safe=safe),
            "corridors": change_rows(changes, "ref"),
            "crossings": change_rows(crossings, "crossing_id"),
            "newly_unrouted": unrouted_rows(result.newly_unrouted, raw=raw, count=safe),
        }
        print_json(out)
        return 0
    what = ", ".join(
        part
        for part in (
            f"closed {', '.join(close_ids)}" if close_ids else "",
            f"watched {', '.join(watch_ids)}" if watch_ids else "",
        )
        if part
    )
    print(f"Scenario: {what}.")
    print(stated["protection"])
    print(
        f"{summary['flows_moved']} flow(s) moved ({format_count(moved_total)} people), "
        f"mean added time {summary['mean_added_time_min']:.0f} min; "
        f"{summary['newly_unrouted']} flow(s) left without a route."
    )
    if len(moved):
        # One line per change of crossing (flows are many rows per year, sex, age...).
        shift = moved.assign(
            old=["/".join(c) or "-" for c in moved["old_crossings"]],
            new=["/".join(c) or "-" for c in moved["new_crossings"]],
            minutes=moved["added_time_s"] * moved["count"] / 60.0,
        )
        grouped = shift.groupby(["old", "new"], sort=False)[["count", "minutes"]].sum()
        grouped = grouped.sort_values("count", ascending=False, kind="stable")
        print("Moves between crossings (people, mean added time):")
        for (old, new), row in grouped.head(15).iterrows():
            mean = row["minutes"] / row["count"] if row["count"] else 0.0
            print(f"  {old} → {new}: {format_count(row['count'])}, +{mean:.0f} min")
        if len(grouped) > 15:
            print(f"  ... and {len(grouped) - 15} more (use --format json for every flow)")
    if len(changes):
        print("Corridor use, largest changes (people):")
        biggest = changes.reindex(changes["change"].abs().sort_values(ascending=False).index)
        for row in change_rows(biggest.head(10), "ref"):
            print(f"  {row['ref']}: {format_count(row['base'])} → {format_count(row['scenario'])}")
    if raw:
        for r in result.newly_unrouted.itertuples():
            print(
                f"  no route left: {r.origin} → {r.destination} ({format_count(r.count)}): "
                f"{r.detail}"
            )
    else:
        for row in unrouted_rows(result.newly_unrouted, raw=False):
            print(f"  no route left ({row['reason']}): {format_count(row['people'])} people")
    return 0
