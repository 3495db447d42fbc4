"""docs/tutorial.md runs, in order, with only ``import geotraf``, and its results line up.

The tutorial's code blocks are executed once (in a temporary folder, where it writes its
GeoPackages); the tests then read what it made.
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
import pytest

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "docs" / "tutorial.md"

pytestmark = pytest.mark.xdist_group("tutorial")


def code_blocks(text: str) -> list[str]:
    """The ```python blocks of a Markdown page, in order."""
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


@pytest.fixture(scope="module")
def tutorial(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("tutorial")
    namespace: dict[str, Any] = {"__name__": "tutorial"}
    printed = io.StringIO()
    cwd = Path.cwd()
    os.chdir(folder)
    try:
        with contextlib.redirect_stdout(printed):
            for i, block in enumerate(code_blocks(TUTORIAL.read_text(encoding="utf-8")), 1):
                exec(compile(block, f"{TUTORIAL.name} block {i}", "exec"), namespace)
    finally:
        os.chdir(cwd)
    namespace["_folder"] = folder
    namespace["_printed"] = printed.getvalue()
    return namespace


def test_the_tutorial_imports_only_geotraf() -> None:
    code = "\n".join(code_blocks(TUTORIAL.read_text(encoding="utf-8")))
    imported = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
    assert imported == {"geotraf"}


def test_the_tutorial_runs_from_a_region_to_a_plan(tutorial: dict[str, Any]) -> None:
    plan = tutorial["plan"]
    assert 0 < len(plan.sites) <= 4 and 0 < plan.captured_share <= 1
    assert len(plan.schedule) == 2 * 7 * 2  # teams × days × shifts
    assert plan.sites["coverage_probability"].between(0, 1).all()
    assert "Region('mekong'" in tutorial["_printed"]


def test_every_loaded_edge_has_its_load_on_the_edges_frame(tutorial: dict[str, Any]) -> None:
    # The trap of issue 10: edges.assign(load=...) must line up with graph_to_gdfs' index.
    result, edges = tutorial["result"], tutorial["edges"]
    loaded = result.edge_load[result.edge_load > 0]
    assert len(loaded) > 0
    assert edges["load"].notna().all(), f"{int(edges['load'].isna().sum())} edges lost their load"
    assert int((edges["load"] > 0).sum()) == len(loaded)
    assert float(edges["load"].sum()) == pytest.approx(float(result.edge_load.sum()))
    nodes, spots = tutorial["nodes"], tutorial["spots"]
    assert nodes["load"].notna().all()
    assert set(spots.index) <= set(nodes.index)


def test_the_corridor_map_is_a_geopackage_with_nothing_small_in_it(
    tutorial: dict[str, Any],
) -> None:
    path = tutorial["_folder"] / "mekong_corridors.gpkg"
    assert [name for name, _ in pyogrio.list_layers(path)] == ["roads", "corridors", "hotspots"]
    for layer in ("roads", "corridors", "hotspots"):
        frame = gpd.read_file(path, layer=layer)
        assert len(frame) > 0 and frame.crs == "EPSG:4326"
        shown = frame["load"].dropna()
        assert ((shown == 0) | (shown >= 11)).all(), layer
    runs = gpd.read_file(path, layer="corridors")
    assert len(runs) == len(tutorial["runs"])


def test_the_plan_export_is_restricted(tutorial: dict[str, Any]) -> None:
    names = sorted(p.name for p in tutorial["written"])
    assert "mekong_plan.gpkg" in names
    sites = gpd.read_file(tutorial["_folder"] / "mekong_plan.gpkg", layer="sites")
    assert len(sites) == len(tutorial["plan"].sites)
