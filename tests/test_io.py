"""Saving and loading route graphs as GeoPackages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
import pyogrio
import pytest
from _graph_fixtures import assert_same_graph

import geotraf
from geotraf.errors import GraphError
from geotraf.io import load_graph, save_graph


@pytest.fixture
def tiny_graph(tiny_region: Any) -> nx.MultiDiGraph:
    r = tiny_region
    return geotraf.build_route_graph(r, name="tiny")


def test_save_then_load_gives_the_same_graph(tiny_graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    path = save_graph(tiny_graph, tmp_path / "g.gpkg")
    assert {row[0] for row in pyogrio.list_layers(path)} == {"nodes", "edges", "graph"}
    back = load_graph(path)
    assert_same_graph(tiny_graph, back)
    edge = back.edges["x:c1", "j1", 0]
    assert edge["border"] is True and type(edge["length_m"]) is float
    assert back.nodes["p:src"]["population"] == 50000
    assert back.graph["unused_crossings"] == ["c2"]


def test_save_replaces_atomically_and_leaves_no_temp_file(
    tiny_graph: nx.MultiDiGraph, tmp_path: Path
) -> None:
    path = tmp_path / "g.gpkg"
    path.write_text("old contents")
    save_graph(tiny_graph, path)
    save_graph(tiny_graph, path)
    assert [p.name for p in tmp_path.iterdir()] == ["g.gpkg"]
    assert load_graph(path).number_of_edges() == 18


def test_missing_attributes_and_ints_survive(tmp_path: Path) -> None:
    G = nx.MultiDiGraph(crs="EPSG:4326", name="mixed", tags=["a", "b"])
    G.add_node("a", x=0.0, y=0.0, kind="junction", rank=3, flag=True)
    G.add_node("b", x=1.0, y=0.0, kind="place")
    G.add_edge("a", "b", key=7, length_m=1.5, lanes=2, watched=False, note=None)
    G.add_edge("b", "a", key=0, length_m=1.5, extra={"k": [1, 2]})
    back = load_graph(save_graph(G, tmp_path / "m.gpkg"))
    assert back.nodes["a"] == {
        "x": 0.0,
        "y": 0.0,
        "kind": "junction",
        "rank": 3,
        "flag": True,
    }
    assert back.nodes["b"] == {"x": 0.0 + 1.0, "y": 0.0, "kind": "place"}
    assert back.edges["a", "b", 7]["lanes"] == 2 and back.edges["a", "b", 7]["watched"] is False
    assert "note" not in back.edges["a", "b", 7]
    assert back.edges["b", "a", 0]["extra"] == {"k": [1, 2]}
    assert back.graph["tags"] == ["a", "b"]


def test_wrong_files_raise_graph_error(tmp_path: Path) -> None:
    with pytest.raises(GraphError, match="not found"):
        load_graph(tmp_path / "none.gpkg")
    text = tmp_path / "notes.gpkg"
    text.write_text("not a geopackage")
    with pytest.raises(GraphError, match="geotraf build"):
        load_graph(text)
    import geopandas as gpd
    from shapely.geometry import Point

    other = tmp_path / "places.gpkg"
    gpd.GeoDataFrame({"a": [1]}, geometry=[Point(0, 0)], crs="EPSG:4326").to_file(other)
    with pytest.raises(GraphError, match="nodes, edges, graph missing"):
        load_graph(other)
    with pytest.raises(GraphError, match="does not exist"):
        save_graph(nx.MultiDiGraph(), tmp_path / "no" / "dir.gpkg")
