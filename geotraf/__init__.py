"""geotraf: trafficking routes between source, transit and destination places, and where
to intercept them.

Read a region, build its border-aware route graph, route the flows, then rank hotspots,
find corridors, plan checkpoints and draw a randomised schedule:

>>> import geotraf
>>> region = geotraf.load_region("mekong")          # bundled demo: synthetic counts
>>> G = geotraf.build_route_graph(region)
>>> result = geotraf.assign(G, region)
>>> result
Assignment(shortest, ... flows: 100% routed, 0 unrouted; ... paths)
>>> spots = geotraf.hotspots(G, result, sites=region.sites, top=5)
>>> spots.index.name, len(spots)
('node', 5)
>>> nodes, edges = geotraf.graph_to_gdfs(G)
>>> edges.index.names
FrozenList(['u', 'v', 'key'])

Everything here is a plain re-export; the modules behind it (``geotraf.routing``,
``geotraf.checkpoints``, ...) stay importable for the options the front door leaves out.
Shared numbers come from the differentially private release of the flows, made once per
dataset version and kept with a ledger: ``geotraf.release_region(region)`` returns it,
``geotraf.released_flows(release, region.places)`` gives the flows table to analyse.
``docs/tutorial.md`` walks from a region to a plan, a corridor map and a GeoPackage.
"""

from __future__ import annotations

from geotraf.api import (
    assign,
    build_route_graph,
    corridors,
    hotspots,
    load_region,
    scenario,
)
from geotraf.checkpoints import Plan, plan
from geotraf.convert import graph_from_gdfs, graph_to_gdfs
from geotraf.errors import (
    GeotrafError,
    GraphError,
    InputError,
    LayerError,
    NoRouteError,
    PlanError,
    PrivacyError,
)
from geotraf.export import write_plan
from geotraf.io import load_graph, save_graph, save_layers
from geotraf.privacy import (
    Release,
    ReleaseConfig,
    ReleaseStore,
    release_region,
    released_flows,
    suppress,
)
from geotraf.routing import Assignment
from geotraf.schedule import schedule

__version__ = "0.1.0"

__all__ = [
    "Assignment",
    "GeotrafError",
    "GraphError",
    "InputError",
    "LayerError",
    "NoRouteError",
    "Plan",
    "PlanError",
    "PrivacyError",
    "Release",
    "ReleaseConfig",
    "ReleaseStore",
    "__version__",
    "assign",
    "build_route_graph",
    "corridors",
    "graph_from_gdfs",
    "graph_to_gdfs",
    "hotspots",
    "load_graph",
    "load_region",
    "plan",
    "release_region",
    "released_flows",
    "save_graph",
    "save_layers",
    "scenario",
    "schedule",
    "suppress",
    "write_plan",
]
