"""``geotraf plan``: choose checkpoint sites, report evasion, draw a schedule, print it.

CLI glue (tested through the CLI), reached as :func:`geotraf.commands.run_plan`.
"""

from __future__ import annotations

import argparse

from geotraf.command_support import (
    assign_quietly,
    command_flows,
    load_region_and_graph,
    protection,
)


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
    flows = command_flows(
        reg, args.region, nothing_to="intercept", error=PlanError, raw=raw, graph=graph
    )
    stated = protection(reg, args.region, raw=raw)
    if reg.sites is None or len(reg.sites) == 0:
        raise PlanError(f"region {args.region!r} has no sites layer: add candidate checkpoints")
    result = assign_quietly(graph, reg, flows, method=args.assignment, dask=args.dask)
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
