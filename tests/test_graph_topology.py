"""Route graph from OpenStreetMap topology (ways split at shared node ids) equals the graph
of geometric noding wherever ways meet only at shared nodes; bulk assembly equals NetworkX's
own ``add_edges_from``; no road disappears without a report line on either path."""

from __future__ import annotations

import importlib.util
import itertools
import math
import sys
import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import osmium
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import LineString

from geotraf.graph import build_route_graph
from geotraf.graph.assemble import _Edges, assemble
from layers.osm import OsmNodeIds, read_osm_roads

OSM = Path(__file__).parent / "data" / "osm" / "test.osm.pbf"
#: One metre in degrees of latitude.
M = 1.0 / 111_320.0


def _road_network() -> Any:
    path = Path(__file__).parents[1] / "benchmarks" / "road_network.py"
    spec = importlib.util.spec_from_file_location("road_network", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["road_network"] = module
    spec.loader.exec_module(module)
    return module


def places_on(roads: gpd.GeoDataFrame, n: int, seed: int) -> gpd.GeoDataFrame:
    points = roads.geometry.representative_point().sample(n, random_state=seed)
    return gpd.GeoDataFrame(
        {
            "place_id": [f"t{i}" for i in range(n)],
            "name": [f"Town {i}" for i in range(n)],
            "country": "BEN",
            "role": "source;destination",
            "place_type": "city",
        },
        # Off the road a little, so that places split roads where they pass nearest.
        geometry=points.translate(80 * M, 50 * M).to_numpy(),
        crs="EPSG:4326",
    )


def assert_same_graph(a: nx.MultiDiGraph, b: nx.MultiDiGraph) -> None:
    """Same nodes, edges (keys, order), attributes, geometry and build report.

    Coordinates and lengths agree to a micrometre: geometric noding finds a junction by
    intersecting lines, which can move it by ~1e-14 degrees.
    """
    assert list(a.nodes) == list(b.nodes)
    for n, da in a.nodes(data=True):
        db = b.nodes[n]
        assert da.keys() == db.keys(), n
        for k, value in da.items():
            if isinstance(value, float):
                assert value == pytest.approx(db[k], abs=1e-11), (n, k)
            else:
                assert value == db[k], (n, k)
    assert list(a.edges(keys=True)) == list(b.edges(keys=True))
    for (u, v, key, da), (_, _, _, db) in zip(
        a.edges(keys=True, data=True), b.edges(keys=True, data=True), strict=True
    ):
        assert list(da) == list(db), (u, v, key)
        for k, value in da.items():
            if k == "geometry":
                assert value.equals_exact(db[k], 1e-11), (u, v, key)
            elif isinstance(value, float):
                assert value == pytest.approx(db[k], abs=1e-6), (u, v, key, k)
            else:
                assert value == db[k], (u, v, key, k)
    report_a = {k: v for k, v in a.graph["build_report"].items() if k != "noding"}
    report_b = {k: v for k, v in b.graph["build_report"].items() if k != "noding"}
    assert report_a == report_b
    assert a.graph["build_report"]["noding"] == "geometry"
    assert b.graph["build_report"]["noding"] == "osm node ids"
    assert {k: v for k, v in a.graph.items() if k != "build_report"} == {
        k: v for k, v in b.graph.items() if k != "build_report"
    }


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> list[gpd.GeoDataFrame]:
    """Two generated road networks, written as real .osm.pbf files and read back."""
    folder = tmp_path_factory.mktemp("nets")
    out = []
    for ways, seed in ((900, 3), (400, 11)):
        path = folder / f"net{seed}.osm.pbf"
        _road_network().write_road_network(path, ways=ways, seed=seed)
        out.append(read_osm_roads(path))
    return out


def test_generated_networks_give_the_same_graph_by_ids_as_by_geometry(
    generated: list[gpd.GeoDataFrame],
) -> None:
    for roads in generated:
        places = places_on(roads, 25, seed=1)
        by_geometry = build_route_graph(roads, None, None, places, noding="geometry")
        by_ids = build_route_graph(roads, None, None, places)
        assert by_geometry.graph["build_report"]["snap_tolerance_m"] == 25.0
        assert by_ids.number_of_edges() > 900
        assert_same_graph(by_geometry, by_ids)


@pytest.mark.parametrize("tol", [0.0, 1.0])
def test_the_bundled_extract_gives_the_same_graph_by_ids_as_by_geometry(tol: float) -> None:
    roads = read_osm_roads(OSM)
    places = places_on(roads, 10, seed=2)
    by_geometry = build_route_graph(
        roads, None, None, places, snap_tolerance_m=tol, noding="geometry"
    )
    by_ids = build_route_graph(roads, None, None, places, snap_tolerance_m=tol)
    assert_same_graph(by_geometry, by_ids)


def test_at_the_default_tolerance_only_merged_junctions_sit_elsewhere() -> None:
    """Where OSM junction nodes a few metres apart merge (default 5.8 m here), geometric
    noding averages every point it snapped there, OSM noding the nodes themselves: such a
    junction can sit a little apart. Nodes, edges and every other attribute are the same."""
    roads = read_osm_roads(OSM)
    by_geometry = build_route_graph(roads, None, None, None, noding="geometry")
    by_ids = build_route_graph(roads, None, None, None)
    tol = by_ids.graph["build_report"]["snap_tolerance_m"]
    assert list(by_geometry.nodes) == list(by_ids.nodes)
    assert list(by_geometry.edges(keys=True)) == list(by_ids.edges(keys=True))
    shifts = {
        n: math.hypot(
            (d["x"] - by_geometry.nodes[n]["x"]) * math.cos(math.radians(d["y"])),
            d["y"] - by_geometry.nodes[n]["y"],
        )
        / M
        for n, d in by_ids.nodes(data=True)
    }
    moved = {n for n, shift in shifts.items() if shift > 1e-4}
    assert 0 < len(moved) < 5
    assert max(shifts.values()) < tol
    for (u, v, _, da), (_, _, _, db) in zip(
        by_geometry.edges(keys=True, data=True), by_ids.edges(keys=True, data=True), strict=True
    ):
        same = {k for k in da if k not in ("geometry", "length_m", "travel_time_s")}
        assert {k: da[k] for k in same} == {k: db[k] for k in same}
        limit = 2 * tol if {u, v} & moved else 1e-6
        assert abs(da["length_m"] - db["length_m"]) < limit


def test_shared_nodes_join_ways_and_crossings_without_one_do_not() -> None:
    """A T-junction at a shared node is a junction; two ways crossing without a shared
    node (a bridge drawn without its tag) stay apart, as OSM says."""
    roads = gpd.GeoDataFrame(
        {"road_id": ["a", "b", "c"], "road_class": ["primary"] * 3},
        geometry=[
            LineString([(0, 0), (500 * M, 0), (1000 * M, 0)]),
            LineString([(500 * M, 0), (500 * M, 400 * M)]),  # ends on a's node 2
            LineString([(800 * M, -300 * M), (800 * M, 300 * M)]),  # crosses a, no node
        ],
        crs="EPSG:4326",
    )
    roads.attrs["osm_node_ids"] = OsmNodeIds(
        ("a", "b", "c"), np.array([0, 3, 5, 7]), np.array([1, 2, 3, 2, 4, 5, 6])
    )
    G = build_route_graph(roads, None, None, None)
    degree = dict(G.degree())
    assert sorted(degree.values()) == [2, 2, 2, 2, 2, 6]  # the T-junction has 3 two-way roads
    assert G.graph["build_report"]["noding"] == "osm node ids"
    by_geometry = build_route_graph(roads, None, None, None, noding="geometry")
    assert by_geometry.number_of_nodes() == G.number_of_nodes() + 1  # the crossing


def test_roads_edited_after_reading_fall_back_to_geometric_noding() -> None:
    roads = read_osm_roads(OSM)
    edited = roads.copy()
    edited.loc[0, "geometry"] = shapely.LineString(list(edited.geometry[0].coords)[:2])
    assert edited.attrs["osm_node_ids"] is roads.attrs["osm_node_ids"]  # shared, not copied
    G = build_route_graph(edited, None, None, None)
    assert G.graph["build_report"]["noding"] == "geometry"
    subset = roads.iloc[::2]  # a subset still matches its ids by road_id
    assert build_route_graph(subset, None, None, None).graph["build_report"]["noding"] == (
        "osm node ids"
    )


def test_node_ids_line_up_with_the_vertices(tmp_path: Path) -> None:
    """Every vertex of every road read has the id of the OSM node at that location."""
    roads = read_osm_roads(OSM)
    where = {
        n.id: (n.location.lon, n.location.lat)
        for n in osmium.FileProcessor(str(OSM), osmium.osm.NODE)
        if n.location.valid()
    }
    topology = roads.attrs["osm_node_ids"]
    xy = shapely.get_coordinates(roads.geometry.values)
    assert topology.road_id == tuple(roads["road_id"])
    assert len(topology.ids) == len(xy)
    assert [where[i] for i in topology.ids.tolist()] == [tuple(p) for p in xy.tolist()]
    # Reversed one-ways (oneway=-1) and ways cut by the extract keep their ids in order.
    assert roads.attrs["cut"] > 0


def test_bulk_assembly_equals_add_edges_from(generated: list[gpd.GeoDataFrame]) -> None:
    G = build_route_graph(generated[1], None, None, places_on(generated[1], 10, seed=4))
    H = nx.MultiDiGraph()
    H.graph.update(G.graph)
    H.add_nodes_from(G.nodes(data=True))
    H.add_edges_from(G.edges(keys=True, data=True))
    assert nx.utils.graphs_equal(G, H)
    assert list(G.edges(keys=True)) == list(H.edges(keys=True))
    assert list(G.in_edges(keys=True)) == list(H.in_edges(keys=True))
    for n in list(G.nodes)[:50]:
        assert list(G.predecessors(n)) == list(H.predecessors(n))
        assert G.adj[n] == H.adj[n]
    # What NetworkX does with the graph afterwards works on it as on its own.
    G.remove_node(next(iter(G.nodes)))
    assert nx.number_weakly_connected_components(G) >= 1
    edges = _Edges()
    edges.add("a", "b", {}, "r", 0, 0, 0)
    with pytest.raises(ValueError, match="empty graph"):
        assemble(G, {"a": {}, "b": {}}, edges)


@st.composite
def osm_like(draw: st.DrawFn) -> gpd.GeoDataFrame:
    """Ways over a small pool of OSM nodes: shared nodes, closed ways, very short ways."""
    grid = draw(
        st.lists(
            st.tuples(st.integers(0, 300), st.integers(0, 300)),
            min_size=3,
            max_size=12,
            unique=True,
        )
    )
    xy = [(x * M, y * M) for x, y in grid]
    ways = draw(
        st.lists(st.lists(st.integers(0, len(xy) - 1), min_size=2, max_size=6), max_size=10)
    )
    # As the reader does: a node repeated in a row is one vertex; a way needs two.
    ways = [[w[0]] + [b for a, b in itertools.pairwise(w) if a != b] for w in ways]
    ways = [w for w in ways if len(w) >= 2] or [[0, 1]]
    geoms, ids = [], []
    for w in ways:
        geoms.append(LineString([xy[i] for i in w]))
        ids.append(w)
    roads = gpd.GeoDataFrame(
        {"road_id": [f"w{i}" for i in range(len(ways))], "road_class": ["tertiary"] * len(ways)},
        geometry=geoms,
        crs="EPSG:4326",
    )
    roads.attrs["osm_node_ids"] = OsmNodeIds(
        tuple(roads["road_id"]),
        np.concatenate([[0], np.cumsum([len(i) for i in ids])]),
        np.array([i for way in ids for i in way]),
    )
    return roads


@settings(max_examples=60, deadline=None)
@given(osm_like(), st.sampled_from([None, 0.0, 5.0, 25.0]))
def test_no_road_disappears_without_a_report_line_by_ids(
    roads: gpd.GeoDataFrame, tol: float | None
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        G = build_route_graph(roads, None, None, None, snap_tolerance_m=tol)
    assert G.graph["build_report"]["noding"] == "osm node ids"
    kept = {d["road_id"] for _, _, d in G.edges(data=True)}
    reported = {row["road_id"] for row in G.graph["build_report"]["roads"]}
    assert kept | reported == set(roads["road_id"])
    assert not kept & reported
    assert not any(u == v for u, v in G.edges())
