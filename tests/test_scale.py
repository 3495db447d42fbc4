"""Scale-out on Dask gives the same answers as one process."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from _routing_fixtures import corridor_flows, corridor_region

from geotraf import commands
from geotraf.cli import main
from geotraf.errors import GeotrafError
from geotraf.scale import dask_client


@pytest.fixture
def corridor(monkeypatch: pytest.MonkeyPatch) -> nx.MultiDiGraph:
    graph = corridor_region()
    region = SimpleNamespace(
        flows=corridor_flows(), places=None, incidents=None, sites=None, synthetic=True
    )
    monkeypatch.setattr(commands, "load_region_and_graph", lambda name: (region, graph))
    return graph


@pytest.mark.slow
def test_hotspots_on_a_local_dask_cluster_equal_the_single_process_run(
    corridor: nx.MultiDiGraph, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["hotspots", "--raw", "--region", "corridor", "--top", "5", "--format", "json"]
    assert main(argv) == 0
    alone = json.loads(capsys.readouterr().out)
    assert main([*argv, "--dask", "local"]) == 0
    on_dask = json.loads(capsys.readouterr().out)
    assert on_dask["hotspots"] == alone["hotspots"]
    assert on_dask["total_flow"] == alone["total_flow"] == "177"


def test_unreachable_scheduler_is_a_user_error() -> None:
    with (
        pytest.raises(GeotrafError, match="cannot reach the Dask scheduler"),
        dask_client("tcp://127.0.0.1:9", timeout_s=1),
    ):
        pass


def _road_network_module() -> Any:
    import importlib.util
    import sys
    from pathlib import Path

    path = Path(__file__).parents[1] / "benchmarks" / "road_network.py"
    spec = importlib.util.spec_from_file_location("road_network", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["road_network"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[nx.MultiDiGraph, pd.DataFrame]:
    """A CI-sized generated network (a real .osm.pbf), 30 places, 300 flows."""
    import geopandas as gpd

    from geotraf.graph import build_route_graph
    from layers.osm import read_osm_roads

    path = tmp_path_factory.mktemp("net") / "net.osm.pbf"
    stats = _road_network_module().write_road_network(path, ways=1500, seed=3)
    roads = read_osm_roads(path)
    assert len(roads) + roads.attrs["dropped"].get("highway=footway", 0) == stats.ways
    rng = np.random.default_rng(5)
    xy = roads.geometry.representative_point().sample(30, random_state=5)
    places = gpd.GeoDataFrame(
        {
            "place_id": [f"t{i}" for i in range(30)],
            "name": [f"Town {i}" for i in range(30)],
            "country": "BEN",
            "role": "source;destination",
            "place_type": "city",
        },
        geometry=xy.to_numpy(),
        crs="EPSG:4326",
    )
    G = build_route_graph(roads, None, None, places)
    pairs = rng.integers(0, 30, size=(300, 2))
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    flows = pd.DataFrame(
        {
            "origin": [f"t{a}" for a in pairs[:, 0]],
            "destination": [f"t{b}" for b in pairs[:, 1]],
            "count": rng.integers(11, 200, len(pairs)),
        }
    )
    return G, flows


@pytest.mark.slow
def test_dask_at_one_and_two_workers_gives_identical_assignments(
    generated: tuple[nx.MultiDiGraph, pd.DataFrame],
) -> None:
    from geotraf.routing import assign

    G, flows = generated
    methods = ("shortest", "k_shortest")
    alone = {m: assign(G, flows, method=m) for m in methods}
    assert alone["shortest"].edge_load.sum() > 0 and alone["shortest"].unrouted.empty
    for workers in (1, 2):
        with dask_client("local", n_workers=workers) as client:
            for method in methods:
                on_dask = assign(G, flows, method=method, client=client)
                pd.testing.assert_series_equal(on_dask.edge_load, alone[method].edge_load)
                pd.testing.assert_series_equal(on_dask.node_load, alone[method].node_load)
                assert on_dask.paths["nodes"].tolist() == alone[method].paths["nodes"].tolist()
