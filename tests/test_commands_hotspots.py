"""``geotraf hotspots`` and ``geotraf scenario`` on the hand-built corridor region."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import geopandas as gpd
import networkx as nx
import pandas as pd
import pytest
from _routing_fixtures import corridor_flows, corridor_region

from geotraf import commands
from geotraf.cli import main


@pytest.fixture
def corridor(monkeypatch: pytest.MonkeyPatch) -> nx.MultiDiGraph:
    graph = corridor_region()
    region = SimpleNamespace(
        flows=corridor_flows(), places=None, incidents=None, sites=None, synthetic=True
    )

    def fake_load(name: str) -> tuple[SimpleNamespace, nx.MultiDiGraph]:
        assert name == "corridor"
        return region, graph

    monkeypatch.setattr(commands, "load_region_and_graph", fake_load)
    return graph


def _numbers(obj: Any, keys: tuple[str, ...]) -> list[float]:
    """Every number stored under one of ``keys`` anywhere in a JSON document."""
    found: list[float] = []
    if isinstance(obj, dict):
        for key, value in obj.items():
            if key in keys and isinstance(value, int | float):
                found.append(float(value))
            found += _numbers(value, keys)
    elif isinstance(obj, list):
        for item in obj:
            found += _numbers(item, keys)
    return found


def test_hotspots_json(corridor: nx.MultiDiGraph, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["hotspots", "--raw", "--region", "corridor", "--top", "3", "--format", "json"]) == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["synthetic"] is True
    assert [h["node"] for h in out["hotspots"]] == ["x:X1", "p:BUS", "j1"]
    assert out["hotspots"][0]["load"] == 155.0
    assert out["total_flow"] == "177"
    assert out["routed_share"] == round(155 / 177, 4)
    assert {u["reason"] for u in out["unrouted"]} == {
        "no_path",
        "unattached_place",
        "unknown_place",
    }
    assert out["corridors"][0]["ref"] == "AH12"
    assert all(not 0 < v < 11 for v in _numbers(out, ("load", "count")))


def test_hotspots_text(corridor: nx.MultiDiGraph, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hotspots", "--raw", "--region", "corridor", "--top", "2"]) == 0
    text = capsys.readouterr().out
    assert "7 flows, 177 people (synthetic demo counts); 88% routed" in text
    assert "1. Friendship Bridge [crossing, THA] score 1.00, load 155" in text
    assert "Pak" not in text  # below the threshold: never named
    assert "AH12-1: j1 – j2, 24 km, load 155" in text


@pytest.mark.parametrize("ext", [".csv", ".geojson", ".gpkg"])
def test_hotspots_out_files(
    corridor: nx.MultiDiGraph, tmp_path: Path, capsys: pytest.CaptureFixture[str], ext: str
) -> None:
    target = tmp_path / f"spots{ext}"
    assert main(["hotspots", "--raw", "--region", "corridor", "--out", str(target)]) == 0
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no temp file left
    back = pd.read_csv(target) if ext == ".csv" else gpd.read_file(target)
    assert back["node"].tolist()[:2] == ["x:X1", "p:BUS"]
    assert back["load"].iloc[0] == 155.0
    if ext == ".csv":
        assert back[["lon", "lat"]].iloc[0].tolist() == [102.70, 17.88]


def test_hotspots_bad_out_is_a_user_error(
    corridor: nx.MultiDiGraph, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["hotspots", "--raw", "--region", "corridor", "--out", str(tmp_path / "x.xlsx")]) == 2
    )
    assert ".csv, .geojson or .gpkg" in capsys.readouterr().err


def test_scenario_json(corridor: nx.MultiDiGraph, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["scenario", "--raw", "--region", "corridor", "--close", "X1", "--format", "json"])
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["flows_moved"] == 4
    assert out["flow_moved"] == 155.0
    assert out["mean_added_time_min"] == 40.0
    moved = {m["flow_id"]: m for m in out["moved"]}
    assert moved[10]["new_crossings"] == ["X2"]
    assert moved[10]["count"] == 100.0
    assert moved[12]["count"] is None  # 5 people: suppressed
    assert {c["ref"]: c["change"] for c in out["corridors"]} == {"AH12": -155.0, "AH16": 155.0}
    assert all(not 0 < v < 11 for v in _numbers(out, ("count", "base", "scenario")))


def test_scenario_text_and_errors(
    corridor: nx.MultiDiGraph, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scenario", "--raw", "--region", "corridor", "--close", "X1,X2"]) == 0
    text = capsys.readouterr().out
    assert "Scenario: closed X1, X2." in text
    assert "4 flow(s) left without a route" in text
    assert main(["scenario", "--raw", "--region", "corridor"]) == 2
    assert "--close" in capsys.readouterr().err
    assert main(["scenario", "--raw", "--region", "corridor", "--close", "X9"]) == 2
    assert "X9" in capsys.readouterr().err


def test_hotspots_and_scenario_take_the_assignment_method(
    corridor: nx.MultiDiGraph, capsys: pytest.CaptureFixture[str]
) -> None:
    # logit sends part of the flow over the slower X2 corridor (AH16) even before closing
    hot = ["hotspots", "--raw", "--region", "corridor", "--top", "3", "--format", "json"]
    assert main([*hot, "--assignment", "logit"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["assignment"] == "logit"
    loads = {h["node"]: h["load"] for h in out["hotspots"]}
    assert loads["p:BUS"] == 155.0
    assert 100.0 < loads["x:X1"] < 155.0
    scen = ["scenario", "--raw", "--region", "corridor", "--close", "X1", "--format", "json"]
    assert main([*scen, "--assignment", "logit"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["assignment"] == "logit"
    change = {c["ref"]: (c["base"], c["change"]) for c in out["corridors"]}
    assert change["AH12"] == (loads["x:X1"], -loads["x:X1"])
    assert 0 < change["AH16"][0] < 155.0
    assert out["mean_added_time_min"] < 40.0  # part of the flow already went the long way
    with pytest.raises(SystemExit) as exit_info:  # argparse rejects it with its usage line
        main([*scen, "--assignment", "fastest"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'fastest'" in capsys.readouterr().err


def test_cli_offers_every_assignment_method() -> None:
    from geotraf import cli, routing

    assert cli.ASSIGNMENTS == routing.METHODS
