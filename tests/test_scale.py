"""Scale-out on Dask gives the same answers as one process."""

from __future__ import annotations

import json
from types import SimpleNamespace

import networkx as nx
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
