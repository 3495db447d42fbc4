"""Glue between the CLI and the analysis: load a region, build its graph, run, print.

Each ``run_*`` takes the parsed ``argparse.Namespace`` of its command and returns an exit
code; user mistakes are raised as :class:`~geotraf.errors.GeotrafError` and turned into
exit code 2 by :func:`geotraf.cli.main`.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx

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


def run_hotspots(args: argparse.Namespace) -> int:
    """``geotraf hotspots``: rank hotspots (owned by the routing/hotspots work)."""
    raise NotImplementedError


def run_scenario(args: argparse.Namespace) -> int:
    """``geotraf scenario``: closures and displacement (owned by the scenarios work)."""
    raise NotImplementedError


def run_plan(args: argparse.Namespace) -> int:
    """``geotraf plan``: checkpoint plan (owned by the checkpoints work)."""
    raise NotImplementedError
