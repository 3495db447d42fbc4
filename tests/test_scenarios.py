"""Closures and watches displace flows: numbers checked by hand on the corridor region."""

from __future__ import annotations

import networkx as nx
import pytest
from _routing_fixtures import corridor_flows, corridor_region

from geotraf.errors import GeotrafError
from geotraf.routing import assign
from geotraf.scenarios import close, displacement, resolve_targets, watch


@pytest.fixture(scope="module")
def region() -> nx.MultiDiGraph:
    return corridor_region()


def test_close_crossing_removes_its_border_edges_only(region: nx.MultiDiGraph) -> None:
    closed = close(region, crossings=["X1"])
    assert region.number_of_edges() - closed.number_of_edges() == 2
    assert not closed.has_edge("j1", "x:X1")
    assert not closed.has_edge("x:X1", "j1")
    assert closed.has_edge("x:X1", "j2")  # inside Thailand: not a border edge
    assert region.has_edge("j1", "x:X1")  # the input is untouched
    assert closed.graph["closed"] == {"crossings": ["X1"]}


def test_closing_the_only_crossing_of_a_corridor_moves_flow_to_the_next(
    region: nx.MultiDiGraph,
) -> None:
    result = displacement(region, corridor_flows(), close=["X1"])
    moved = result.moved.set_index("flow_id")
    assert moved.index.tolist() == [10, 11, 12, 16]
    assert moved.loc[10, "old_crossings"] == ("X1",)
    assert moved.loc[10, "new_crossings"] == ("X2",)
    assert moved.loc[10, "old_refs"] == ("AH12",)
    assert moved.loc[10, "new_refs"] == ("AH16",)
    # 1320 s via X1; 60 + 1800 + 300 + 300 + 1200 + 60 = 3720 s via X2.
    assert moved.loc[10, "old_time_s"] == 1320.0
    assert moved.loc[10, "new_time_s"] == 3720.0
    assert moved["added_time_s"].tolist() == [2400.0] * 4
    corridors = result.corridors.set_index("ref")
    assert corridors.loc["AH12"].tolist() == [155.0, 0.0, -155.0]
    assert corridors.loc["AH16"].tolist() == [0.0, 155.0, 155.0]
    crossings = result.crossings.set_index("crossing_id")
    assert crossings.loc["X2", "scenario"] == 155.0
    assert result.newly_unrouted.empty
    summary = result.summary()
    assert summary["flows_moved"] == 4
    assert summary["mean_added_time_min"] == 40.0


def test_closing_every_crossing_leaves_flows_unrouted_for_the_closure(
    region: nx.MultiDiGraph,
) -> None:
    result = displacement(region, corridor_flows(), close=["X1", "X2"])
    newly = result.newly_unrouted.set_index("flow_id")
    assert newly.index.tolist() == [10, 11, 12, 16]
    assert set(newly["reason"]) == {"closed"}
    assert "X1" in newly.loc[10, "detail"]
    # The island was never reachable: still "no_path", not blamed on the closure.
    assert result.scenario.unrouted.set_index("flow_id").loc[13, "reason"] == "no_path"


def test_watching_deters_only_when_the_detour_is_cheaper(region: nx.MultiDiGraph) -> None:
    flows = corridor_flows().loc[[10]]
    # Factor 3: the watched border edge costs 1800 s, X1 route 2520 s < 3720 s: stays.
    mild = displacement(region, flows, watch=["X1"], factor=3.0)
    assert mild.moved.empty
    # Factor 10: 6000 s on the border edge makes X1 cost 6720 s: flow detours via X2.
    strong = displacement(region, flows, watch=["X1"], factor=10.0)
    assert strong.moved["new_crossings"].tolist() == [("X2",)]
    assert strong.moved["added_time_s"].tolist() == [2400.0]  # real time, not deterred


def test_watch_sets_generalised_time(region: nx.MultiDiGraph) -> None:
    watched = watch(region, roads=["r16a"], factor=2.0, penalty_s=100.0)
    assert watched.edges["j1", "j3", 0]["generalised_time_s"] == 3700.0
    assert watched.edges["j1", "x:X1", 0]["generalised_time_s"] == 600.0
    assert "generalised_time_s" not in region.edges["j1", "j3", 0]


def test_close_a_road_by_id_and_route_around(region: nx.MultiDiGraph) -> None:
    closed = close(region, roads=["r12b"])
    paths = assign(closed, corridor_flows().loc[[10]]).paths
    assert paths.loc[0, "crossings"] == ("X2",)


def test_unknown_ids_are_reported(region: nx.MultiDiGraph) -> None:
    assert resolve_targets(region, ["X2", "r16a", "j1|j3|0"]) == {
        "crossings": ["X2"],
        "roads": ["r16a"],
        "edges": ["j1|j3|0"],
    }
    with pytest.raises(GeotrafError, match="X9"):
        resolve_targets(region, ["X9"])
    with pytest.raises(GeotrafError, match="crossing X9"):
        close(region, crossings=["X9"])
