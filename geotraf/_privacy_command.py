"""``geotraf privacy status|release``: print the ledger of releases, or make one.

CLI glue (tested through the CLI), reached as :func:`geotraf.commands.run_privacy`.
"""

from __future__ import annotations

import argparse

from geotraf.command_support import load_region
from geotraf.errors import GeotrafError


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
        split = e.get("split") or {}  # (ledger lines written before the split was recorded)
        if split:
            parts = ", ".join(f"{name} ε = {float(t['epsilon']):g}" for name, t in split.items())
            print(f"      split — {parts}")
    print("Budget spent per dataset (releases of the same data add up):")
    for digest, d in report["datasets"].items():
        print(
            f"  data {digest[:12]}: {d['releases']} release(s), ε = {d['epsilon']:g}, "
            f"δ = {d['delta']:.2g}, forced {d['forced']}"
        )
    return 0
