"""Glue between the CLI and the analysis: load a region, build its graph, run, print.

Each ``run_*`` takes the parsed ``argparse.Namespace`` of its command and returns an exit
code; user mistakes are raised as :class:`~geotraf.errors.GeotrafError` and turned into
exit code 2 by :func:`geotraf.cli.main`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from geotraf.errors import GeotrafError
from geotraf.scale import dask_client

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd

    from geotraf.routing import Assignment
    from layers.region import Region


def load_region(region: str) -> Region:
    """Read a region by bundled name (``mekong``) or path."""
    from geotraf.datasets import resolve_region
    from layers import read_region

    return read_region(resolve_region(region))


def load_region_and_graph(region: str) -> tuple[Region, nx.MultiDiGraph]:
    """Read a region and build its route graph."""
    from geotraf.graph import build_route_graph

    reg = load_region(region)
    graph = build_route_graph(reg.roads, reg.borders, reg.crossings, reg.places)
    return reg, graph


def _flows(
    reg: Region,
    region: str,
    *,
    nothing_to: str,
    error: type[GeotrafError] = GeotrafError,
    raw: bool = False,
) -> pd.DataFrame:
    """Return the flows the command works on; raise ``error`` when the region has none.

    By default the region's *released* flows (:func:`geotraf.privacy.region.released_flows`,
    made once per dataset version and reused from the instance's releases folder): every
    number the command prints or writes is then post-processing of the differentially
    private release and may be shared. ``raw=True`` (``--raw``, the data owner) returns
    the raw flows; those outputs are RESTRICTED.
    """
    if reg.flows is None or len(reg.flows) == 0:
        raise error(f"region {region!r} has no flows layer: nothing to {nothing_to}")
    if raw:
        return reg.flows
    from geotraf.privacy.region import release_region, released_flows

    flows = released_flows(release_region(reg, source=region), reg.places)
    if len(flows) == 0:
        raise error(
            f"region {region!r}: the differentially private release holds no flows above its "
            f"threshold: nothing to {nothing_to}. Fix: use more data, or --raw (data owner)"
        )
    return flows


def protection(reg: Region, region: str, *, raw: bool) -> dict[str, Any]:
    """Return the protection statement every shareable output carries.

    Examples
    --------
    >>> protection(None, "x", raw=True)["protection"]  # type: ignore[arg-type]
    'RESTRICTED — computed from raw flows, not differentially private; do not share'
    """
    if raw:
        return {"protection": RAW_NOTICE, "classification": "RESTRICTED"}
    from geotraf.privacy import protection_note
    from geotraf.privacy.region import release_region

    release = release_region(reg, source=region)
    return {
        "protection": protection_note(release.epsilon),
        "epsilon": round(release.epsilon, 6),
        "delta": release.delta,
        "release_id": release.release_id,
    }


def _unrouted_rows(unrouted: pd.DataFrame, *, raw: bool) -> list[dict[str, Any]]:
    """Unrouted flows: per flow for the data owner (``--raw``), else people by reason."""
    from geotraf.privacy import DEFAULT_THRESHOLD

    if raw:
        return [
            {
                "flow_id": r.flow_id,
                "origin": r.origin,
                "destination": r.destination,
                "reason": r.reason,
            }
            for r in unrouted.itertuples()
        ]
    if len(unrouted) == 0:
        return []
    by_reason = unrouted.groupby("reason")["count"].sum()
    return [
        {"reason": str(reason), "people": round(float(n), 1)}
        for reason, n in by_reason.items()
        if n >= DEFAULT_THRESHOLD
    ]


#: What an output computed from raw flows (``--raw``) says about itself.
RAW_NOTICE = "RESTRICTED — computed from raw flows, not differentially private; do not share"


def _assign(
    graph: nx.MultiDiGraph, reg: Region, flows: pd.DataFrame, *, method: str, dask: str | None
) -> Assignment:
    """Assign ``flows`` on ``graph`` (on Dask when ``dask`` is given), without progress bars."""
    from geotraf.routing import assign

    with dask_client(dask) as client:
        return assign(
            graph, flows, method=method, places=reg.places, show_progress=None, client=client
        )


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
    flows = _flows(reg, args.region, nothing_to="assign", raw=raw)
    stated = protection(reg, args.region, raw=raw)
    result = _assign(graph, reg, flows, method=args.assignment, dask=args.dask)
    spots = hotspots(graph, result, incidents=reg.incidents, sites=reg.sites, top=args.top)
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
            "unrouted": _unrouted_rows(unrouted, raw=raw),
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


def _newly_unrouted_rows(
    frame: pd.DataFrame, *, raw: bool, safe: Callable[[float], float | None]
) -> list[dict[str, Any]]:
    if raw:
        return [
            {
                "flow_id": r.flow_id,
                "origin": r.origin,
                "destination": r.destination,
                "reason": r.reason,
                "count": safe(r.count),
            }
            for r in frame.itertuples()
        ]
    return _unrouted_rows(frame, raw=False)


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
    flows = _flows(reg, args.region, nothing_to="displace", raw=raw)
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
            "newly_unrouted": _newly_unrouted_rows(result.newly_unrouted, raw=raw, safe=safe),
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
        for row in _unrouted_rows(result.newly_unrouted, raw=False):
            print(f"  no route left ({row['reason']}): {format_count(row['people'])} people")
    return 0


def run_plan(args: argparse.Namespace) -> int:
    """``geotraf plan``: choose checkpoint sites, report evasion, draw a schedule.

    The plan is operationally secret: every output says RESTRICTED, and counts of people
    below the suppression threshold are never printed or written.
    """
    from geotraf._output import print_json
    from geotraf.checkpoints import plan
    from geotraf.errors import PlanError
    from geotraf.export import RESTRICTED, summary, write_plan
    from geotraf.schedule import schedule

    raw = bool(getattr(args, "raw", False))
    reg, graph = load_region_and_graph(args.region)
    flows = _flows(reg, args.region, nothing_to="intercept", error=PlanError, raw=raw)
    stated = protection(reg, args.region, raw=raw)
    if reg.sites is None or len(reg.sites) == 0:
        raise PlanError(f"region {args.region!r} has no sites layer: add candidate checkpoints")
    result = _assign(graph, reg, flows, method=args.assignment, dask=args.dask)
    if args.seed is None:  # draw one and print it, so the schedule can be drawn again
        import secrets

        args.seed = secrets.randbelow(10**6)
    p = plan(
        graph,
        result,
        reg.sites,
        budget=args.budget,
        method=args.method,
        evasion_tolerance=args.evasion_tolerance,
        evasion_aware=args.evasion_aware,
        time_limit=args.time_limit,
    )
    p = schedule(p, teams=args.teams, days=args.days, shifts=args.shifts, seed=args.seed)
    written = [str(f) for f in write_plan(p, args.out)] if args.out else []
    head = summary(p)
    total = p.total
    sites = [
        {
            "rank": int(r["rank"]),
            "site_id": r["site_id"],
            "name": r["name"],
            "type": r["site_type"],
            "node": r["node"],
            "captured_share": round(float(r["captured"]) / total, 4) if total else 0.0,
            "marginal_share": round(float(r["marginal_gain"]) / total, 4) if total else 0.0,
            "captured_after_evasion_share": (
                round(float(r["captured_after_evasion"]) / total, 4) if total else 0.0
            ),
            "coverage_probability": round(float(r["coverage_probability"]), 4),
            "reason": r["reason"],
        }
        for _, r in p.sites.iterrows()
    ]
    if args.format == "json":
        out = {
            **stated,
            **head,
            "region": args.region,
            "synthetic": bool(getattr(reg, "synthetic", False)),
            "assignment": args.assignment,
            "budget": args.budget,
            "status": p.status,
            "sites": sites,
            "unattached_sites": list(p.unattached_sites),
            "schedule": {
                "teams": args.teams,
                "days": args.days,
                "shifts": args.shifts,
                "seed": args.seed,
                "posts": p.schedule.to_dict(orient="records"),
            },
            "files": written,
        }
        print_json(out)
        return 0
    synthetic = " — synthetic demo counts" if getattr(reg, "synthetic", False) else ""
    gap = "" if p.gap is None else f", proven gap {100 * p.gap:.2f}%"
    print(f"{RESTRICTED}: share only with authorised planners{synthetic}")
    print(stated["protection"])
    print(
        f"{len(p.sites)} of {args.budget} sites by {p.method}{gap}; they capture "
        f"{100 * p.captured_share:.1f}% of modelled flow, "
        f"{100 * p.captured_after_evasion_share:.1f}% after evasion "
        f"(detours up to +{100 * p.evasion_tolerance:.0f}% travel time"
        f"{', evasion-aware' if p.evasion_aware else ''})"
    )
    print()
    print(f"{'#':>2}  {'site':<32} {'type':<16} {'share':>6} {'after':>6} {'p/shift':>7}")
    for s in sites:
        print(
            f"{s['rank']:>2}  {str(s['name'] or s['site_id'])[:32]:<32} {s['type'][:16]:<16} "
            f"{100 * s['captured_share']:>5.1f}% {100 * s['captured_after_evasion_share']:>5.1f}% "
            f"{s['coverage_probability']:>7.2f}"
        )
        print(f"    {s['reason']}")
    print()
    print(
        f"Schedule: {args.teams} teams × {args.days} days × {args.shifts} shifts "
        f"({len(p.schedule)} posts, seed {args.seed})."
    )
    if p.unattached_sites:
        print(f"Left out (too far from any road): {', '.join(p.unattached_sites)}")
    print("Written: " + ", ".join(written) if written else "Use --out FILE to save it.")
    return 0


def run_privacy(args: argparse.Namespace) -> int:
    """``geotraf privacy status|release``: the ledger of releases, or make one.

    ``status`` prints every release made in this instance (dataset hash, keys, ε, δ, time,
    forced or not) and the cumulative ε and δ per dataset (basic composition: the ε's of
    releases of the same data add up). ``release`` makes a region's release, or reuses it
    when this version of the data was already released with these settings; a different
    release of data already released is refused unless ``--force`` (recorded).
    """
    from geotraf.privacy.region import release_region
    from geotraf.privacy.release import ReleaseConfig
    from geotraf.privacy.store import ReleaseStore, default_folder, status
    from layers.cli_support import print_json

    store = ReleaseStore(default_folder())
    if args.verb == "release":
        reg = load_region(args.region)
        config = ReleaseConfig() if args.epsilon is None else ReleaseConfig(epsilon=args.epsilon)
        before = len(store.ledger())
        release = release_region(
            reg, store=store, config=config, force=args.force, source=args.region
        )
        made = len(store.ledger()) > before
        if args.format == "json":
            print_json({**release.summary(), "new": made, "folder": str(store.folder)})
            return 0
        verb = "made" if made else "reused (this data and settings were released before)"
        print(
            f"Release {release.release_id} {verb}: ε = {release.epsilon:g}, "
            f"δ = {release.delta:.2g}, in {store.folder}"
        )
        return 0
    if args.verb != "status":
        raise GeotrafError("say what to do: `geotraf privacy status` or `geotraf privacy release`")
    report = status(store)
    if args.format == "json":
        print_json(report)
        return 0
    if not report["releases"]:
        print(f"No release made yet in {store.folder}.")
        return 0
    print(f"Releases in {store.folder}:")
    for e in report["releases"]:
        forced = " FORCED" if e.get("forced") else ""
        keys = "; ".join(f"{name}: {', '.join(k)}" for name, k in e["keys"].items())
        print(
            f"  {e['time']}  {e['release_id']}  data {e['dataset_hash'][:12]}  "
            f"ε = {e['epsilon']:g}  δ = {float(e['delta']):.2g}{forced}  ({e['source']})"
        )
        print(f"      keys — {keys}")
    print("Budget spent per dataset (releases of the same data add up):")
    for digest, d in report["datasets"].items():
        print(
            f"  data {digest[:12]}: {d['releases']} release(s), ε = {d['epsilon']:g}, "
            f"δ = {d['delta']:.2g}, forced {d['forced']}"
        )
    return 0
