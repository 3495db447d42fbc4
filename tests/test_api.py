"""The front door: ``import geotraf`` gives a notebook user the whole workflow.

The curated names exist and work on a real (tiny) region, errors are what a notebook
catches (``ValueError``, ``networkx.NetworkXNoPath``), reprs fit on a line.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

import geotraf
from geotraf.graph import build_route_graph as build_from_layers
from layers.region import Region

ROOT = Path(__file__).resolve().parents[1]

WORKFLOW = (
    "load_region",
    "build_route_graph",
    "assign",
    "hotspots",
    "corridors",
    "plan",
    "schedule",
    "scenario",
    "graph_to_gdfs",
    "graph_from_gdfs",
    "save_graph",
    "load_graph",
)


def test_the_workflow_is_exported_at_the_top() -> None:
    assert set(WORKFLOW) <= set(geotraf.__all__)
    for name in geotraf.__all__:
        assert hasattr(geotraf, name), name
        assert not name.startswith("_") or name == "__version__"
    assert all(callable(getattr(geotraf, name)) for name in WORKFLOW)


def test_the_package_says_it_is_typed() -> None:
    assert (ROOT / "geotraf" / "py.typed").is_file()
    assert (ROOT / "layers" / "py.typed").is_file()


def test_front_door_functions_stay_functions_after_their_modules_are_imported() -> None:
    # geotraf.hotspots and geotraf.schedule are both a module and a front-door function;
    # importing the module by name afterwards must not rebind the package attribute.
    code = (
        "import geotraf\n"
        "from geotraf.hotspots import corridors\n"
        "from geotraf.schedule import draw_schedule\n"
        "import geotraf.scenarios, geotraf.checkpoints, geotraf.routing\n"
        "assert callable(geotraf.hotspots) and callable(geotraf.schedule)\n"
        "print(geotraf.hotspots.__module__, geotraf.schedule.__module__)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.split() == ["geotraf.api", "geotraf.schedule"]


def test_build_route_graph_takes_a_region_or_its_layers(tiny_region: Region) -> None:
    r = tiny_region
    by_layers = build_from_layers(r.roads, r.borders, r.crossings, r.places)
    from_region = geotraf.build_route_graph(r)
    from_dict = geotraf.build_route_graph(
        {"roads": r.roads, "borders": r.borders, "crossings": r.crossings, "places": r.places}
    )
    for G in (from_region, from_dict):
        assert set(G.nodes) == set(by_layers.nodes)
        assert set(G.edges(keys=True)) == set(by_layers.edges(keys=True))
    roads_only = geotraf.build_route_graph(r.roads, name="roads only")
    assert roads_only.graph["name"] == "roads only"
    assert not any(d.get("kind") == "place" for _, d in roads_only.nodes(data=True))


def test_build_route_graph_refuses_what_it_cannot_use(tiny_region: Region) -> None:
    with pytest.raises(ValueError, match="dict of layers"):
        geotraf.build_route_graph([tiny_region.roads])
    with pytest.raises(ValueError, match="'rivers'"):
        geotraf.build_route_graph({"roads": tiny_region.roads, "rivers": tiny_region.roads})


def test_assign_takes_a_region(tiny_region: Region) -> None:
    G = geotraf.build_route_graph(tiny_region)
    result = geotraf.assign(G, tiny_region)
    assert result.total == float(tiny_region.flows["count"].sum()) > 0
    assert len(result.unrouted) == 0


def test_short_reprs(tiny_region: Region) -> None:
    G = geotraf.build_route_graph(tiny_region)
    result = geotraf.assign(G, tiny_region)
    chosen = geotraf.plan(G, result, tiny_region.sites, budget=1)
    drawn = geotraf.schedule(chosen, teams=1, days=2, shifts=1, seed=0)
    texts = [repr(tiny_region), repr(result), repr(chosen), repr(drawn)]
    assert all(len(t) < 160 and "\n" not in t for t in texts), texts
    assert texts[0].startswith("Region(") and "roads=4" in texts[0]
    assert texts[1].startswith("Assignment(shortest, 1 flow: 100% routed, 0 unrouted")
    assert texts[2].endswith("no schedule)") and "2 posts over 2 days" in texts[3]
    # No count of people in a repr (they end up in logs): the tiny flow has 20.
    assert not any("20" in t for t in texts[1:])


# --- errors a notebook catches ------------------------------------------------------------


def test_bad_values_are_value_errors(tiny_region: Region) -> None:
    G = geotraf.build_route_graph(tiny_region)
    result = geotraf.assign(G, tiny_region)
    with pytest.raises(ValueError, match="hotspot weight"):
        geotraf.hotspots(G, result, weights={"load": 1.0, "fame": 2.0})
    with pytest.raises(ValueError, match="positive"):
        geotraf.hotspots(G, result, weights={"load": 0.0, "vulnerability": 0.0})
    with pytest.raises(ValueError, match="method"):
        geotraf.assign(G, tiny_region, method="fastest")
    with pytest.raises(ValueError, match="budget"):
        geotraf.plan(G, result, tiny_region.sites, budget=0)
    with pytest.raises(ValueError, match=r"unknown dataset|not found"):
        geotraf.load_region("atlantis")
    for error in (geotraf.GraphError, geotraf.PlanError, geotraf.PrivacyError, geotraf.LayerError):
        assert issubclass(error, ValueError) and issubclass(error, geotraf.GeotrafError)


def test_strict_assign_raises_no_route_error(tiny_region: Region) -> None:
    G = geotraf.build_route_graph(tiny_region)
    flows = pd.concat(
        [
            tiny_region.flows,
            tiny_region.flows.assign(origin="bus", destination="nowhere_place", count=3),
        ],
        ignore_index=True,
    )
    lenient = geotraf.assign(G, flows, places=tiny_region.places)
    assert len(lenient.unrouted) == 1
    with pytest.raises(geotraf.NoRouteError, match=r"1 of 2 flows .* nowhere_place") as info:
        geotraf.assign(G, flows, strict=True, places=tiny_region.places)
    assert isinstance(info.value, nx.NetworkXNoPath)
    assert info.value.unrouted is not None and info.value.unrouted["flow_id"].tolist() == [1]
    assert " 3 " not in str(info.value)  # a share, never the count
