"""No silent loss: every input road is an edge of the route graph or a line of its build
report; the snapping tolerance is an option whose default follows the data; degree-2
chains can be simplified without losing geometry or attributes."""

from __future__ import annotations

import json
import math
from pathlib import Path

import geopandas as gpd
import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import LineString

from geotraf.cli import main
from geotraf.graph import build_route_graph, simplify_graph

#: One metre in degrees of longitude at the equator.
M = 1.0 / 111_319.49


def roads_of(rows: list[tuple[str, list[tuple[float, float]]]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"road_id": [r for r, _ in rows], "road_class": ["tertiary"] * len(rows)},
        geometry=[LineString(xy) for _, xy in rows],
        crs="EPSG:4326",
    )


def graph_road_ids(G: nx.MultiDiGraph) -> set[str]:
    return {str(d["road_id"]) for _, _, d in G.edges(data=True) if d.get("road_id")}


def reported_ids(G: nx.MultiDiGraph) -> set[str]:
    return {row["road_id"] for row in G.graph["build_report"]["roads"]}


def street_with_driveways() -> gpd.GeoDataFrame:
    """A 300 m street with a 10 m and a 15.7 m driveway and an 89.6 m loop off it."""
    side = 89.6 / 4
    return roads_of(
        [
            ("street", [(0, 0), (300 * M, 0)]),
            ("drive10", [(50 * M, 0), (50 * M, 10 * M)]),
            ("drive16", [(120 * M, 0), (120 * M, -15.7 * M)]),
            (
                "loop",
                [
                    (200 * M, 0),
                    (200 * M, side * M),
                    (200 * M + side * M, side * M),
                    (200 * M + side * M, 0),
                    (200 * M, 0),
                ],
            ),
        ]
    )


def test_the_default_tolerance_keeps_short_real_roads() -> None:
    G = build_route_graph(street_with_driveways(), None, None, None)
    assert graph_road_ids(G) == {"street", "drive10", "drive16", "loop"}
    report = G.graph["build_report"]
    assert report["roads"] == []
    assert report["snap_tolerance_m"] < 10.0
    assert report["snap_tolerance_source"] == "auto"


def test_a_loop_road_is_kept_as_a_loop() -> None:
    G = build_route_graph(street_with_driveways(), None, None, None)
    loop = [d for _, _, d in G.edges(data=True) if d["road_id"] == "loop"]
    assert sum(d["length_m"] for d in loop) / 2 == pytest.approx(89.6, rel=1e-2)


def test_a_large_tolerance_reports_what_it_merged() -> None:
    G = build_route_graph(street_with_driveways(), None, None, None, snap_tolerance_m=25.0)
    rows = {row["road_id"]: row for row in G.graph["build_report"]["roads"]}
    assert set(rows) == {"drive10", "drive16", "loop"}
    assert "collapsed" in rows["loop"]["why"]
    assert rows["drive10"]["why"] == "shorter than the snap tolerance (25 m): both ends merged"
    assert rows["drive10"]["merged_into"] in G.nodes
    assert G.graph["build_report"]["snap_tolerance_source"] == "given"


def test_unusable_geometry_is_reported() -> None:
    roads = roads_of([("street", [(0, 0), (300 * M, 0)]), ("dot", [(5 * M, 5 * M)] * 2)])
    G = build_route_graph(roads, None, None, None)
    (row,) = G.graph["build_report"]["roads"]
    assert row["road_id"] == "dot" and "no two distinct points" in row["why"]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(0, 2000),
            st.floats(0, 2000),
            st.floats(0, 2 * math.pi),
            st.sampled_from([0.5, 3.0, 8.0, 15.0, 40.0, 300.0]),
        ),
        min_size=1,
        max_size=25,
    ),
    st.sampled_from([None, 0.0, 5.0, 25.0, 60.0]),
)
def test_no_input_road_disappears_without_a_report_line(
    segments: list[tuple[float, float, float, float]], tol: float | None
) -> None:
    rows = [
        (
            f"r{i}",
            [(x * M, y * M), ((x + length * math.cos(a)) * M, (y + length * math.sin(a)) * M)],
        )
        for i, (x, y, a, length) in enumerate(segments)
    ]
    G = build_route_graph(roads_of(rows), None, None, None, snap_tolerance_m=tol)
    ids = {r for r, _ in rows}
    kept, reported = graph_road_ids(G), reported_ids(G)
    assert kept | reported == ids
    assert not kept & reported


def test_build_prints_and_saves_the_report(
    tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["build", "--region", "mekong", "--snap-m", "25", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["build_report"]["snap_tolerance_m"] == 25.0
    assert report["build_report"]["roads_in"] >= report["build_report"]["roads_in_graph"]
    assert main(["build", "--region", "mekong"]) == 0
    out = capsys.readouterr().out
    assert "input roads:" in out and "snap tolerance" in out


def test_simplify_merges_degree_two_chains_keeping_geometry_and_attributes() -> None:
    roads = roads_of(
        [
            ("a", [(0, 0), (100 * M, 0)]),
            ("b", [(100 * M, 0), (200 * M, 10 * M)]),
            ("c", [(200 * M, 10 * M), (300 * M, 0)]),
            ("spur", [(300 * M, 0), (300 * M, 100 * M)]),
            ("d", [(300 * M, 0), (400 * M, 0)]),
        ]
    )
    G = build_route_graph(roads, None, None, None)
    simple = simplify_graph(G)
    assert simple is not G and G.number_of_edges() == 10  # the input is left as it was
    assert simple.number_of_nodes() == 4
    assert simple.number_of_edges() == 6
    chain = [
        d for _, _, d in simple.edges(data=True) if set(d["road_id"].split(";")) == {"a", "b", "c"}
    ]
    assert len(chain) == 2  # one per direction
    edge = chain[0]
    abc = [d for _, _, d in G.edges(data=True) if d["road_id"] in {"a", "b", "c"}]
    assert edge["length_m"] == pytest.approx(sum(d["length_m"] for d in abc) / 2)
    assert edge["travel_time_s"] == pytest.approx(sum(d["travel_time_s"] for d in abc) / 2)
    assert edge["geometry"].length == pytest.approx(sum(d["geometry"].length for d in abc) / 2)
    assert edge["merged_edges"] == 3
    assert sum(d["length_m"] for _, _, d in simple.edges(data=True)) == pytest.approx(
        sum(d["length_m"] for _, _, d in G.edges(data=True))
    )


def _aflao_region() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Ghana and Togo as two boxes meeting at lon 1.2; Aflao (declared GHA) just east."""
    from shapely import Point, box

    borders = gpd.GeoDataFrame(
        {"country": ["GHA", "TGO"], "name": ["Ghana", "Togo"]},
        geometry=[box(0.0, 5.5, 1.2, 7.0), box(1.2, 5.5, 2.0, 7.0)],
        crs="EPSG:4326",
    )
    roads = roads_of([("coast", [(0.5, 6.1), (1.6, 6.1)])])
    places = gpd.GeoDataFrame(
        {
            "place_id": ["aflao", "lome"],
            "name": ["Aflao", "Lomé"],
            "country": ["GHA", "TGO"],
            "role": ["transit", "destination"],
            "place_type": ["city", "city"],
        },
        geometry=[Point(1.205, 6.11), Point(1.6, 6.12)],
        crs="EPSG:4326",
    )
    return roads, borders, places


def test_a_declared_country_that_disagrees_is_reported_with_the_choice() -> None:
    roads, borders, places = _aflao_region()
    G = build_route_graph(roads, borders, None, places)
    (row,) = G.graph["build_report"]["country_disagreements"]
    assert row == {"place_id": "aflao", "declared": "GHA", "polygon": "TGO", "used": "TGO"}
    assert G.nodes["p:aflao"]["country"] == "TGO"


def test_the_declaration_can_be_trusted() -> None:
    roads, borders, places = _aflao_region()
    G = build_route_graph(roads, borders, None, places, trust_declared_country=True)
    (row,) = G.graph["build_report"]["country_disagreements"]
    assert row["used"] == "GHA"
    assert G.nodes["p:aflao"]["country"] == "GHA"


def test_validate_says_which_country_a_disagreeing_place_gets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    roads, borders, places = _aflao_region()
    roads.to_file(tmp_path / "roads.geojson")
    borders.to_file(tmp_path / "borders.geojson")
    places.to_file(tmp_path / "places.geojson")
    assert main(["validate", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "aflao: declared GHA, but its point lies in TGO" in out
    assert "--trust-declared-country" in out
    assert main(["build", "--region", str(tmp_path), "--trust-declared-country"]) == 0
    assert "aflao: declared GHA, polygon TGO, used GHA" in capsys.readouterr().out
