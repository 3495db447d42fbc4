"""Direction arrows on the Corridors map: they point the way the modelled flow runs, and
two-way roads get none."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from _analysis_fixtures import FLOWS, write_region

from dashboard import corridor_figures as cf
from dashboard import corridors_model as cm

SOUTHBOUND = FLOWS  # Vientiane (18° N) → Bangkok (14° N)
NORTHBOUND = [(d, o, *rest) for o, d, *rest in FLOWS]


def _net(folder: Path, flows: list) -> cm.CorridorNetwork:  # type: ignore[type-arg]
    return cm.corridor_network(str(write_region(folder, flows=flows).resolve()), source="raw")


def _heads(trace: object) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """(tip, base centre) of each drawn arrowhead."""
    lon = list(trace.lon)  # type: ignore[attr-defined]
    lat = list(trace.lat)  # type: ignore[attr-defined]
    out = []
    for i in range(0, len(lon), 5):
        tip = (lon[i], lat[i])
        base = ((lon[i + 1] + lon[i + 2]) / 2, (lat[i + 1] + lat[i + 2]) / 2)
        out.append((tip, base))
    return out


@pytest.mark.parametrize(("flows", "south"), [(SOUTHBOUND, True), (NORTHBOUND, False)])
def test_arrows_point_the_way_the_flow_runs(
    tmp_path: Path,
    flows: list,
    south: bool,  # type: ignore[type-arg]
) -> None:
    net = _net(tmp_path / "region", flows)
    weights = cm.flow_weights(net, cm.CorridorState())
    trace = cf.direction_trace(net, weights)
    assert trace is not None and trace.fill == "toself"
    heads = _heads(trace)
    assert heads
    for tip, base in heads:
        assert bool(tip[1] < base[1]) is south, (tip, base)


def test_two_way_traffic_gets_no_arrow(tmp_path: Path) -> None:
    net = _net(tmp_path / "region", SOUTHBOUND + NORTHBOUND)
    weights = cm.flow_weights(net, cm.CorridorState())
    assert cf.segment_directions(net, weights) == []
    assert cf.direction_trace(net, weights) is None


def test_no_arrow_below_the_threshold(tmp_path: Path) -> None:
    net = _net(tmp_path / "region", SOUTHBOUND)
    weights = np.full(net.n_flows, 5.0)  # 5 people per year per flow: under 11 on a road
    shown = cf.segment_directions(net, weights * (np.arange(net.n_flows) == 0))
    assert shown == []
