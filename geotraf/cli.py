"""The ``geotraf`` command line.

Every command prints a human summary by default and a machine-readable one with
``--format json``. A user mistake (any :class:`~geotraf.errors.GeotrafError`) prints its
message and exits with code 2 — never a traceback. This is the one module allowed to reach
the dashboard, lazily, for ``geotraf demo`` and ``geotraf serve``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, TypeAlias

from geotraf.errors import GeotrafError

EXIT_USER_ERROR = 2

REGION_HELP = "region: 'mekong' (bundled demo) or a GeoPackage / folder of layer files"
ASSIGNMENTS = ("shortest", "k_shortest", "logit")
ASSIGNMENT_HELP = (
    "how flows take routes: 'shortest' (one fastest path), 'k_shortest' (equal split over "
    "the k fastest loopless paths) or 'logit' (split by travel time); default: %(default)s"
)
RAW_HELP = (
    "data owner only: compute from the raw flows instead of the differentially private "
    "release; output is marked RESTRICTED and must not be shared"
)
DASK_HELP = (
    "run shortest-path batches on Dask: 'local' starts a LocalCluster, or give a "
    "scheduler address (tcp://host:8786); default: this process only"
)

if TYPE_CHECKING:  # argparse's class is not subscriptable at run time
    SubParsers: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]
Runner = Callable[[argparse.Namespace], int]


# --- shared arguments ----------------------------------------------------------------------


def _command(
    sub: SubParsers, name: str, *, help: str, description: str, run: Runner | None = None
) -> argparse.ArgumentParser:
    """Add the sub-command ``name`` that ``run`` carries out (default: :func:`_run`)."""
    p = sub.add_parser(name, help=help, description=description)
    p.set_defaults(run=run or _run)
    return p


def _format(p: argparse.ArgumentParser, *choices: str) -> None:
    """``--format``: a human summary (text, the default) or a machine-readable one."""
    p.add_argument("--format", choices=("text", *(choices or ("json",))), default="text")


def _region(p: argparse.ArgumentParser) -> None:
    p.add_argument("--region", required=True, help=REGION_HELP)


def _assignment(p: argparse.ArgumentParser, default: str) -> None:
    p.add_argument("--assignment", choices=ASSIGNMENTS, default=default, help=ASSIGNMENT_HELP)


def _analysis_tail(p: argparse.ArgumentParser) -> None:
    """The last options of every analysis command: output format, Dask, raw flows."""
    _format(p)
    p.add_argument("--dask", metavar="ADDRESS", help=DASK_HELP)
    p.add_argument("--raw", action="store_true", help=RAW_HELP)


def _host_port(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8050)


def _run(args: argparse.Namespace) -> int:
    """Run a data command, importing its module only then (``geotraf --help`` stays fast)."""
    command = args.command
    if command in ("validate", "layers"):
        from layers import cli_support

        return (
            cli_support.run_validate(args)
            if command == "validate"
            else cli_support.run_layers(args)
        )
    if command == "init":
        from geotraf import init_region

        return init_region.run_init(args)
    if command == "build":
        from geotraf import cli_build

        return cli_build.run_build_command(args)
    from geotraf import commands

    run: Runner = {
        "hotspots": commands.run_hotspots,
        "plan": commands.run_plan,
        "scenario": commands.run_scenario,
        "privacy": commands.run_privacy,
    }[command]
    return run(args)


# --- the data commands -------------------------------------------------------------------


def _add_validate(sub: SubParsers) -> None:
    p = _command(
        sub,
        "validate",
        help="check a layer file or a region against the schemas",
        description="Check a layer file (or a whole region) against geotraf's schemas. "
        "Exit 0 with a one-line summary when valid; exit 2 with every problem (file, row, "
        "column, value, fix) when not.",
    )
    p.add_argument("path", help="a layer file, a region GeoPackage or a folder of layer files")
    p.add_argument("--layer", choices=None, metavar="KIND", help="layer kind of a single file")
    p.add_argument(
        "--crs", help="CRS of a file that has none, e.g. EPSG:326NN for UTM zone NN north"
    )
    p.add_argument("--repair", action="store_true", help="repair invalid geometries (make_valid)")
    _format(p)


def _add_layers(sub: SubParsers) -> None:
    p = _command(
        sub,
        "layers",
        help="list the layer kinds and their columns",
        description="Print every layer kind with its columns, types and allowed values.",
    )
    p.add_argument("kind", nargs="?", help="only this layer kind")
    _format(p, "json", "markdown")


def _add_init(sub: SubParsers) -> None:
    p = _command(
        sub,
        "init",
        help="write a new region from the bundled world geography",
        description="Write a ready region folder for some countries: borders, provinces and "
        "towns (Natural Earth, GeoNames) with ISO3 codes, place ids, admin-1 codes, default "
        "roles and a schematic road sketch, plus a README saying what to add.",
    )
    p.add_argument("folder", help="the new region folder")
    p.add_argument(
        "--countries", required=True, help="ISO3 codes separated by commas, e.g. NGA,BEN"
    )
    p.add_argument(
        "--min-population", type=int, default=15_000, help="smallest town kept (default 15000)"
    )
    p.add_argument("--force", action="store_true", help="write into a folder that has files")


def _add_build(sub: SubParsers) -> None:
    p = _command(
        sub,
        "build",
        help="build the route graph of a region",
        description="Build the border-aware route graph of a region and report nodes, edges, "
        "border edges, crossings used and places left unattached.",
    )
    _region(p)
    p.add_argument("--out", help="write the graph to this GeoPackage (nodes + edges layers)")
    p.add_argument(
        "--snap-m",
        type=float,
        default=None,
        metavar="M",
        help="join road ends and intersections closer than M metres; default: from the data "
        "(half the 1st percentile of road lengths, 0.5-25 m)",
    )
    p.add_argument(
        "--trust-declared-country",
        action="store_true",
        help="a place keeps its declared country when its point lies in another country's "
        "polygon (default: the polygon's; every disagreement is reported)",
    )
    p.add_argument(
        "--simplify",
        action="store_true",
        help="merge chains of pass-through junctions into single edges (geometry kept)",
    )
    _format(p)


def _add_hotspots(sub: SubParsers) -> None:
    p = _command(
        sub,
        "hotspots",
        help="rank interception hotspots along roads and borders",
        description="Assign the region's flows to the route graph and rank hotspots by "
        "load, place vulnerability and recent incidents, each with its explanation.",
    )
    _region(p)
    p.add_argument("--top", type=int, default=10, help="how many hotspots (default 10)")
    _assignment(p, "k_shortest")
    p.add_argument("--out", help="write hotspots to .csv, .geojson or .gpkg")
    _analysis_tail(p)


def _add_plan(sub: SubParsers) -> None:
    p = _command(
        sub,
        "plan",
        help="plan checkpoints for a budget of teams and shifts (secret: planners only)",
        description="Choose at most BUDGET checkpoint sites that capture the most modelled "
        "flow, report capture before and after evasion, and draw a randomised schedule.",
    )
    _region(p)
    p.add_argument("--budget", type=int, required=True, help="number of sites to choose")
    p.add_argument("--method", choices=("greedy", "exact"), default="exact")
    _assignment(p, "k_shortest")
    p.add_argument(
        "--evasion-tolerance",
        type=float,
        default=0.3,
        help="detour (share of travel time) traffickers accept to avoid a checkpoint",
    )
    p.add_argument("--evasion-aware", action="store_true", help="optimise after-evasion capture")
    p.add_argument("--time-limit", type=float, default=60.0, help="exact solver limit, seconds")
    p.add_argument("--teams", type=int, default=4)
    p.add_argument("--days", type=int, default=14)
    p.add_argument("--shifts", type=int, default=2, help="shifts per day")
    p.add_argument("--seed", type=int, default=None, help="seed of the randomised schedule")
    p.add_argument("--out", help="write the plan to .csv, .geojson or .gpkg")
    _analysis_tail(p)


def _add_scenario(sub: SubParsers) -> None:
    p = _command(
        sub,
        "scenario",
        help="close or watch crossings/roads and show where flows move",
        description="Close (or watch) crossings or roads, re-assign the flows and report the "
        "displacement: which flows moved, to which corridors, with what added time.",
    )
    _region(p)
    p.add_argument("--close", default="", help="crossing or road ids, comma-separated")
    p.add_argument("--watch", default="", help="crossing or road ids, comma-separated")
    _assignment(p, "shortest")
    _analysis_tail(p)


# --- privacy -------------------------------------------------------------------------------


def _add_privacy(sub: SubParsers) -> None:
    p = sub.add_parser(
        "privacy",
        help="the differentially private releases of this instance and their budget",
        description="Show the ledger of releases (dataset, keys, ε, δ, time) and the "
        "cumulative privacy loss per dataset, or make a region's release.",
    )
    verbs = p.add_subparsers(dest="verb", metavar="VERB")
    status = verbs.add_parser("status", help="print the ledger and the budget spent")
    _format(status)
    status.set_defaults(run=_run)
    release = verbs.add_parser("release", help="make (or reuse) a region's release")
    _region(release)
    release.add_argument("--epsilon", type=float, default=None, help="total ε (default 1)")
    release.add_argument(
        "--force", action="store_true", help="release data already released (recorded)"
    )
    _format(release)
    release.set_defaults(run=_run)
    p.set_defaults(run=_run, verb=None)


# --- demo / serve / users ------------------------------------------------------------------


def _add_serve(sub: SubParsers) -> None:
    demo = _command(
        sub,
        "demo",
        run=_run_demo,
        help="start the dashboard on the bundled Mekong demo region",
        description="Create the demo accounts if needed, print them, and start the "
        "dashboard on the bundled Mekong region (offline).",
    )
    _host_port(demo)

    serve = _command(
        sub,
        "serve",
        run=_run_serve,
        help="serve the dashboard (gunicorn with --workers N, Flask only with --debug)",
        description="Serve the dashboard for a region.",
    )
    serve.add_argument("--region", default="mekong", help=REGION_HELP)
    _host_port(serve)
    serve.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    serve.add_argument("--debug", action="store_true", help="Flask dev server with reloader")

    users = _command(
        sub,
        "users",
        run=_run_users,
        help="create the demo accounts file (hashed passwords)",
        description="Write the accounts TOML file with hashed passwords for the demo roles.",
    )
    users.add_argument("--file", help="accounts file (default: instance/users.toml)")
    users.add_argument("--force", action="store_true", help="overwrite an existing file")


def _dashboard_server(command: str) -> ModuleType:
    """Import the dashboard, or say which extra to install when it is not there."""
    try:
        from dashboard import server
    except ModuleNotFoundError as exc:
        missing = (exc.name or "").split(".")[0]
        if missing in ("dashboard", "geotraf", "layers"):
            raise
        raise GeotrafError(
            f"`geotraf {command}` needs the dashboard, which is not installed "
            f"(missing package {missing!r}): pip install 'geotraf[dashboard]'"
        ) from None
    return server


def _run_demo(args: argparse.Namespace) -> int:
    return _dashboard_server("demo").run_demo(args)


def _run_serve(args: argparse.Namespace) -> int:
    return _dashboard_server("serve").run_serve(args)


def _run_users(args: argparse.Namespace) -> int:
    return _dashboard_server("users").run_users(args)


_COMMANDS: tuple[Callable[[SubParsers], None], ...] = (
    _add_validate,
    _add_layers,
    _add_init,
    _add_build,
    _add_hotspots,
    _add_plan,
    _add_scenario,
    _add_privacy,
    _add_serve,
)


def build_parser() -> argparse.ArgumentParser:
    """Return the ``geotraf`` argument parser with every sub-command."""
    parser = argparse.ArgumentParser(
        prog="geotraf",
        description="Map trafficking routes between source, transit and destination places "
        "and plan where to intercept them.",
    )
    from geotraf import __version__

    parser.add_argument("--version", action="version", version=f"geotraf {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in _COMMANDS:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 2 user error)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return EXIT_USER_ERROR
    try:
        code: int = args.run(args)
    except GeotrafError as exc:
        print(f"geotraf {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
