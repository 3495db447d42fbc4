"""Progress of a checkpoint plan (geotraf.checkpoints.plan ``progress=``), and stopping it.

The two-corridor region of tests/_routing_fixtures: the Friendship Bridge X1 carries every
routed flow, the Mukdahan bridge X2 is the 3720 s detour. With a generous tolerance every
checked path can detour, so an evasion-aware plan runs several rounds of solve + evasion.
"""

from __future__ import annotations

import itertools
from typing import Any

import geopandas as gpd
import networkx as nx
import pandas as pd
import pytest
from _routing_fixtures import corridor_flows, corridor_region
from shapely.geometry import Point

from geotraf.checkpoints import STAGES, plan
from geotraf.evasion import evade
from geotraf.routing import assign
from layers.schema import CRS


@pytest.fixture(scope="module")
def region() -> nx.MultiDiGraph:
    return corridor_region()


@pytest.fixture(scope="module")
def assignment(region: nx.MultiDiGraph) -> Any:
    return assign(region, corridor_flows())


@pytest.fixture(scope="module")
def sites() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "site_id": ["s_x1", "s_x2", "s_j3", "s_bus"],
            "name": ["Friendship Bridge", "Mukdahan bridge", "Km 40", "Udon bus terminal"],
            "site_type": ["border_crossing", "border_crossing", "truck_stop", "bus_station"],
            "cost": [3.0, 2.0, 1.0, 1.0],
        },
        geometry=[
            Point(102.70, 17.88),
            Point(104.72, 16.55),
            Point(104.69, 16.61),
            Point(102.0, 17.0),
        ],
        crs=CRS,
    )


@pytest.mark.parametrize("method", ["greedy", "exact"])
@pytest.mark.parametrize("aware", [False, True])
def test_progress_names_each_stage_in_order_and_only_rises(
    region: nx.MultiDiGraph, assignment: Any, sites: gpd.GeoDataFrame, method: str, aware: bool
) -> None:
    calls: list[tuple[str, float]] = []
    options: dict[str, Any] = {
        "budget": 1,
        "method": method,
        "evasion_aware": aware,
        "evasion_tolerance": 2.0,  # the X2 detour (3720 s vs 1320 s) is acceptable
    }
    quiet = plan(region, assignment, sites, **options)
    told = plan(region, assignment, sites, **options, progress=lambda s, d: calls.append((s, d)))
    # Reporting changes nothing in the plan.
    pd.testing.assert_frame_equal(
        quiet.sites.drop(columns="geometry"), told.sites.drop(columns="geometry")
    )
    assert told.captured_after_evasion == quiet.captured_after_evasion
    stages = [s for s, _ in calls]
    done = [d for _, d in calls]
    assert set(stages) <= set(STAGES)
    assert stages[0] == "model" and calls[-1] == ("done", 1.0)
    assert done == sorted(done) and done[0] >= 0.0 and done[-1] == 1.0
    # Solve comes before evasion in each round; an evasion-aware plan here needs a round
    # more (the bridge's detour over X2 joins the model), so the pair repeats.
    pairs = set(itertools.pairwise(stages))
    assert ("solve", "evasion") in pairs
    rounds = told.meta["rounds"]
    assert rounds >= (2 if aware else 1)
    changes = [a for a, b in itertools.pairwise(stages) if a != b] + [stages[-1]]
    assert changes.count("solve") == rounds and changes.count("evasion") == rounds
    # The evasion test reports as it goes, not only at its start and end.
    assert len([s for s in stages if s == "evasion"]) >= 2 * rounds


def test_evade_reports_the_share_of_checked_paths_tested(
    region: nx.MultiDiGraph, assignment: Any
) -> None:
    shares: list[float] = []
    paths = assignment.paths.reset_index(drop=True)
    out = evade(region, paths, ["x:X1"], tolerance=2.0, progress=shares.append)
    n_checked = int(out["checked"].sum())
    assert n_checked >= 2
    assert shares[0] == 0.0 and shares[-1] == 1.0 and shares == sorted(shares)
    # One report per path here (fewer than 50 checked paths), then the end.
    assert len(shares) == n_checked + 1


class StoppedError(Exception):
    """What a caller raises from ``progress`` to stop a plan (a notebook's Cancel)."""


def test_a_progress_callable_that_raises_stops_the_plan(
    region: nx.MultiDiGraph, assignment: Any, sites: gpd.GeoDataFrame
) -> None:
    seen: list[str] = []

    def stop_at_evasion(stage: str, done: float) -> None:
        seen.append(stage)
        if stage == "evasion":
            raise StoppedError

    with pytest.raises(StoppedError):
        plan(region, assignment, sites, budget=1, progress=stop_at_evasion)
    assert seen[-1] == "evasion" and "done" not in seen
