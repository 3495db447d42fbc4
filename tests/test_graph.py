"""The border-aware route graph, checked on regions small enough to verify by hand."""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point

from geotraf import commands
from geotraf.cli_build import run_build_command
from geotraf.errors import GraphError
from geotraf.graph import (
    UnattachedPlacesWarning,
    build_route_graph,
    nearest_nodes,
    summarize,
)

# 10 m and 100 m expressed in degrees of longitude at the equator (1° = 111,319.49 m).
DEG_10_M = 10.0 / 111_319.49
DEG_100_M = 100.0 / 111_319.49


def roads(layer: Any, *rows: tuple[str, list[tuple[float, float]], dict[str, Any]]) -> Any:
    return layer(
        "roads",
        [
            {"road_id": rid, "road_class": "primary", "geometry": LineString(xy), **extra}
            for rid, xy, extra in rows
        ],
    )


def official_crossing(layer: Any, crossing_id: str, name: str, countries: str, at: Point) -> Any:
    return layer(
        "crossings",
        [
            {
                "crossing_id": crossing_id,
                "name": name,
                "countries": countries,
                "status": "official",
                "geometry": at,
            }
        ],
    )


def thai_place(place_id: str, name: str, role: str, place_type: str, at: Point) -> dict[str, Any]:
    return {
        "place_id": place_id,
        "name": name,
        "country": "THA",
        "role": role,
        "place_type": place_type,
        "geometry": at,
    }


def assert_border_edges_touch_crossings(G: nx.MultiDiGraph) -> None:
    for u, v, d in G.edges(data=True):
        cu, cv = G.nodes[u]["country"], G.nodes[v]["country"]
        assert d["border"] == bool(cu and cv and cu != cv), (u, v)
        if d["border"]:
            kinds = {G.nodes[u]["kind"], G.nodes[v]["kind"]}
            assert "crossing" in kinds, f"border edge {u}->{v} touches no crossing"
            assert d["crossing_id"], (u, v)


# --- noding -------------------------------------------------------------------------------


def test_plus_shaped_crossroads_gives_five_junctions_and_eight_edges(layer: Any) -> None:
    rd = roads(
        layer,
        ("ew", [(0.0, 0.0), (0.02, 0.0)], {}),
        ("ns", [(0.01, -0.01), (0.01, 0.01)], {}),
    )
    G = build_route_graph(rd, None, None, None)
    assert G.number_of_nodes() == 5
    assert G.number_of_edges() == 8
    assert {d["kind"] for _, d in G.nodes(data=True)} == {"junction"}
    centre = [n for n, d in G.nodes(data=True) if (d["x"], d["y"]) == (0.01, 0.0)]
    assert len(centre) == 1
    assert G.out_degree(centre[0]) == 4 and G.in_degree(centre[0]) == 4
    # East-west arms: 0.01° of longitude at the equator, 1,113.19 m; north-south arms:
    # 0.01° of latitude, 1,105.74 m.
    for _, _, d in G.edges(data=True):
        expected = 1113.19 if d["road_id"] == "ew" else 1105.74
        assert d["length_m"] == pytest.approx(expected, abs=0.05)
    assert G.graph["crs"] == "EPSG:4326"
    assert all(d["edge_id"] == f"{u}|{v}|{k}" for u, v, k, d in G.edges(keys=True, data=True))


def test_bridge_over_a_road_makes_no_junction(layer: Any) -> None:
    rd = roads(
        layer,
        ("ew", [(0.0, 0.0), (0.02, 0.0)], {}),
        ("ns", [(0.01, -0.01), (0.01, 0.01)], {"bridge": True}),
    )
    G = build_route_graph(rd, None, None, None)
    assert G.number_of_nodes() == 4
    assert G.number_of_edges() == 4


def test_rail_crossing_a_road_at_grade_does_not_join_them(layer: Any) -> None:
    rd = roads(
        layer,
        ("ew", [(0.0, 0.0), (0.02, 0.0)], {}),
        ("rail", [(0.01, -0.01), (0.01, 0.01)], {"road_class": "rail"}),
    )
    G = build_route_graph(rd, None, None, None)
    assert G.number_of_nodes() == 4


def test_endpoints_10_m_apart_snap_100_m_apart_do_not(layer: Any) -> None:
    near = roads(
        layer,
        ("a", [(0.0, 0.0), (0.01, 0.0)], {}),
        ("b", [(0.01 + DEG_10_M, 0.0), (0.02, 0.0)], {}),
    )
    G = build_route_graph(near, None, None, None)
    assert G.number_of_nodes() == 3
    assert nx.number_weakly_connected_components(G) == 1
    # The shared node sits halfway, 5 m from each end.
    mid = [d["x"] for _, d in G.nodes(data=True) if 0.005 < d["x"] < 0.015]
    assert mid == [pytest.approx(0.01 + DEG_10_M / 2, abs=1e-9)]

    far = roads(
        layer,
        ("a", [(0.0, 0.0), (0.01, 0.0)], {}),
        ("b", [(0.01 + DEG_100_M, 0.0), (0.02, 0.0)], {}),
    )
    G = build_route_graph(far, None, None, None)
    assert G.number_of_nodes() == 4
    assert nx.number_weakly_connected_components(G) == 2


def test_road_end_10_m_short_of_another_road_makes_a_t_junction(layer: Any) -> None:
    rd = roads(
        layer,
        ("through", [(0.0, 0.0), (0.02, 0.0)], {}),
        ("side", [(0.01, 0.01), (0.01, DEG_10_M)], {}),
    )
    G = build_route_graph(rd, None, None, None)
    assert G.number_of_nodes() == 4
    assert G.number_of_edges() == 6
    # The through road stays straight: the junction is on it, the side road's end moved.
    assert any(
        (d["x"], d["y"]) == pytest.approx((0.01, 0.0), abs=1e-9) for _, d in G.nodes(data=True)
    )
    summary = summarize(G)
    assert summary["connected"] is True


# --- lengths, times, direction -----------------------------------------------------------------


def test_one_degree_of_meridian_at_the_equator_is_110574_m(layer: Any) -> None:
    rd = roads(
        layer,
        ("m", [(0.0, 0.0), (0.0, 1.0)], {}),
        ("fast", [(2.0, 0.0), (2.0, 1.0)], {"maxspeed_kph": 90.0}),
    )
    G = build_route_graph(rd, None, None, None)
    by_road = {d["road_id"]: d for _, _, d in G.edges(data=True)}
    assert by_road["m"]["length_m"] == pytest.approx(110_574.0, abs=1.0)
    # primary defaults to 65 km/h: 110,574 m / (65 / 3.6) m/s ≈ 6,124 s
    assert by_road["m"]["travel_time_s"] == pytest.approx(
        by_road["m"]["length_m"] / (65 / 3.6), rel=1e-12
    )
    assert by_road["fast"]["travel_time_s"] == pytest.approx(110_574.0 / 25.0, abs=0.1)


def test_oneway_road_gives_one_directed_edge_in_the_digitised_direction(layer: Any) -> None:
    rd = roads(layer, ("ow", [(0.0, 0.0), (0.01, 0.0)], {"oneway": True}))
    G = build_route_graph(rd, None, None, None)
    assert G.number_of_edges() == 1
    u, v, d = next(iter(G.edges(data=True)))
    assert (G.nodes[u]["x"], G.nodes[v]["x"]) == (0.0, 0.01)
    assert list(d["geometry"].coords) == [(0.0, 0.0), (0.01, 0.0)]


def test_two_way_edges_draw_their_geometry_from_u_to_v(tiny_region: Any) -> None:
    r = tiny_region
    G = build_route_graph(r.roads, r.borders, r.crossings, r.places)
    for u, v, d in G.edges(data=True):
        first, last = d["geometry"].coords[0], d["geometry"].coords[-1]
        assert first == pytest.approx((G.nodes[u]["x"], G.nodes[u]["y"]))
        assert last == pytest.approx((G.nodes[v]["x"], G.nodes[v]["y"]))


# --- borders --------------------------------------------------------------------------------


def test_crossing_1_km_from_the_border_point_carries_the_border_edges(
    layer: Any, two_countries: gpd.GeoDataFrame
) -> None:
    rd = roads(layer, ("r1", [(0.5, 0.5), (1.5, 0.5)], {}))
    # 0.009° of latitude ≈ 995 m north of where r1 meets the boundary.
    cx = official_crossing(layer, "c1", "Bridge", "THA;LAO", Point(1.0, 0.509))
    G = build_route_graph(rd, two_countries, cx, None)
    assert_border_edges_touch_crossings(G)
    assert "x:c1" in G
    node = G.nodes["x:c1"]
    assert (node["x"], node["y"]) == (1.0, 0.509)
    assert node["kind"] == "crossing" and node["status"] == "official"
    assert node["country"] in {"THA", "LAO"}
    assert not [n for n in G if n.startswith("i:")]
    border = [(u, v, d) for u, v, d in G.edges(data=True) if d["border"]]
    assert len(border) == 2  # one piece, both directions
    assert all("x:c1" in (u, v) and d["crossing_id"] == "c1" for u, v, d in border)
    assert {d["country"] for _, _, d in border} == {"LAO|THA"}
    assert not any(d["informal"] for _, _, d in border)
    # The geometry bends through the crossing: two pieces of ≈ 55.67 km.
    lengths = sorted(d["length_m"] for _, _, d in G.edges(data=True))
    assert lengths == pytest.approx([55_666.5] * 4, abs=1.0)


def test_road_crossing_away_from_any_crossing_gets_a_flagged_informal_node(
    layer: Any, two_countries: gpd.GeoDataFrame
) -> None:
    rd = roads(layer, ("r1", [(0.5, 0.5), (1.5, 0.5)], {}))
    G = build_route_graph(rd, two_countries, None, None)
    assert_border_edges_touch_crossings(G)
    node = G.nodes["i:r1:1"]
    assert (node["x"], node["y"]) == pytest.approx((1.0, 0.5))
    assert node["status"] == "informal" and node["crossing_id"] == "i:r1:1"
    border = [d for _, _, d in G.edges(data=True) if d["border"]]
    assert len(border) == 2 and all(d["informal"] for d in border)
    assert summarize(G)["informal_crossings"] == ["i:r1:1"]


def test_crossing_of_another_country_pair_is_not_used(
    layer: Any, two_countries: gpd.GeoDataFrame
) -> None:
    rd = roads(layer, ("r1", [(0.5, 0.5), (1.5, 0.5)], {}))
    cx = official_crossing(layer, "cm", "Wrong pair", "THA;MMR", Point(1.0, 0.5))
    G = build_route_graph(rd, two_countries, cx, None)
    assert "x:cm" not in G and "i:r1:1" in G
    assert G.graph["unused_crossings"] == ["cm"]


def test_two_roads_one_crossing_give_one_official_and_one_informal(
    tiny_region: Any,
) -> None:
    r = tiny_region
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        G = build_route_graph(r.roads, r.borders, r.crossings, r.places)
    assert_border_edges_touch_crossings(G)
    s = summarize(G)
    assert s["official_crossings"] == ["Friendship Bridge"]
    assert s["informal_crossings"] == ["i:r2:1"]
    assert s["border_edges"] == 4
    assert s["unused_crossings"] == ["c2"]  # the boat landing: no road reaches it
    assert s["connected"] is True and s["components"] == 1
    # 4 junctions + x:c1 + i:r2:1 + 3 places; 4 roads x 2 pieces? no: r1, r2 split in two.
    assert (s["junctions"], s["crossings"], s["places"]) == (4, 2, 3)
    assert s["edges"] == 2 * (2 + 2 + 1 + 1) + 2 * 3
    assert G.nodes["x:c1"]["name"] == "Friendship Bridge"


def test_road_ending_on_the_boundary_makes_its_end_the_crossing(
    layer: Any, two_countries: gpd.GeoDataFrame
) -> None:
    # Two roads meet exactly on the boundary: the meeting node itself becomes the crossing.
    rd = roads(
        layer,
        ("west", [(0.5, 0.5), (1.0, 0.5)], {}),
        ("east", [(1.0, 0.5), (1.5, 0.5)], {}),
    )
    G = build_route_graph(rd, two_countries, None, None)
    assert_border_edges_touch_crossings(G)
    assert G.number_of_nodes() == 3
    crossings = [n for n, d in G.nodes(data=True) if d["kind"] == "crossing"]
    assert len(crossings) == 1
    assert (G.nodes[crossings[0]]["x"], G.nodes[crossings[0]]["y"]) == (1.0, 0.5)


def test_road_that_dips_across_the_border_and_back_near_a_crossing_passes_it_once(
    layer: Any, two_countries: gpd.GeoDataFrame
) -> None:
    rd = roads(layer, ("r", [(0.5, 0.5), (1.01, 0.5), (1.01, 0.52), (0.5, 0.52)], {}))
    cx = official_crossing(layer, "c", "Gate", "THA;LAO", Point(1.0, 0.51))
    G = build_route_graph(rd, two_countries, cx, None)
    assert sorted(G.nodes) == ["j0", "j1", "x:c"]
    assert G.number_of_edges() == 4  # no x:c -> x:c loop
    assert_border_edges_touch_crossings(G)


def test_border_edges_are_the_ones_between_countries(tiny_region: Any) -> None:
    r = tiny_region
    G = build_route_graph(r.roads, r.borders, r.crossings, r.places)
    countries = {d["country"] for _, _, d in G.edges(data=True) if not d["border"]}
    assert countries == {"THA", "LAO"}
    assert G.nodes["p:src"]["country"] == "LAO" and G.nodes["p:dst"]["country"] == "THA"


def test_border_edges_cost_the_border_delay_and_others_do_not(tiny_region: Any) -> None:
    r = tiny_region
    G = build_route_graph(r.roads, r.borders, r.crossings, None, border_delay_s=600.0)
    for _, _, d in G.edges(data=True):
        drive_s = d["length_m"] / (d["speed_kph"] / 3.6)
        expected = 600.0 if d["border"] else 0.0
        assert d["border_delay_s"] == expected
        assert d["travel_time_s"] == pytest.approx(drive_s + expected)
    assert any(d["border"] for _, _, d in G.edges(data=True))


def test_short_excursion_across_the_border_is_noise(
    layer: Any, two_countries: gpd.GeoDataFrame
) -> None:
    # A THA road that pokes 5 m into LAO (less than the 25 m snap tolerance) for 10 m.
    d5 = 5.0 / 111_319.49
    rd = roads(
        layer,
        ("r", [(0.5, 0.5), (1.0 + d5, 0.5), (1.0 + d5, 0.5 + DEG_10_M), (0.5, 0.6)], {}),
    )
    G = build_route_graph(rd, two_countries, None, None)
    assert all(d["kind"] == "junction" for _, d in G.nodes(data=True))
    assert G.number_of_edges() == 2


# --- places ---------------------------------------------------------------------------------


def test_places_attach_by_access_edge_or_are_left_out_with_a_warning(layer: Any) -> None:
    rd = roads(layer, ("r", [(0.0, 0.0), (0.1, 0.0)], {}))
    pl = layer(
        "places",
        [
            thai_place("near", "Near", "source;transit", "city", Point(0.0, 0.01)),
            # 0.45° of latitude ≈ 49.8 km from the road's nearest node
            thai_place("far", "Far away", "destination", "village", Point(0.1, 0.45)),
        ],
    )
    with pytest.warns(UnattachedPlacesWarning, match=r"far \(Far away\)"):
        G = build_route_graph(rd, None, None, pl)
    assert G.graph["unattached"] == ["far"]
    assert "p:far" not in G
    node = G.nodes["p:near"]
    assert node["kind"] == "place" and node["role"] == "source;transit"
    access = G.get_edge_data("p:near", "j0")[0]
    # 0.01° of latitude at the equator: 1,105.74 m; at 30 km/h that is 132.7 s.
    assert access["length_m"] == pytest.approx(1105.74, abs=0.05)
    assert access["travel_time_s"] == pytest.approx(1105.74 / (30 / 3.6), abs=0.01)
    assert access["road_class"] == "access" and access["road_id"] == ""
    assert G.has_edge("j0", "p:near")
    # Places do not join road components.
    assert summarize(G)["components"] == 1


def test_place_prefers_a_node_of_its_own_country(
    layer: Any, two_countries: gpd.GeoDataFrame
) -> None:
    # A THA place 100 m west of the boundary; the LAO road end is nearer than the THA one.
    rd = roads(
        layer,
        ("tha", [(0.99, 0.5), (0.9, 0.5)], {}),
        ("lao", [(1.0005, 0.5), (1.1, 0.5)], {}),
    )
    pl = layer("places", [thai_place("p", "P", "source", "village", Point(0.999, 0.5))])
    G = build_route_graph(rd, two_countries, None, pl)
    (target,) = list(G.successors("p:p"))
    assert G.nodes[target]["country"] == "THA"


def test_place_beside_a_long_road_joins_it_where_it_passes_nearest(layer: Any) -> None:
    rd = roads(layer, ("r", [(0.0, 0.0), (0.1, 0.0)], {}))
    pl = layer("places", [thai_place("mid", "Midway", "source", "village", Point(0.05, 0.01))])
    G = build_route_graph(rd, None, None, pl)
    (target,) = list(G.successors("p:mid"))
    assert (G.nodes[target]["x"], G.nodes[target]["y"]) == pytest.approx((0.05, 0.0), abs=1e-9)
    assert G.edges["p:mid", target, 0]["length_m"] == pytest.approx(1105.74, abs=0.05)
    # The road is split there: two pieces of 0.05° of longitude ≈ 5,565.97 m each way.
    road = [d["length_m"] for _, _, d in G.edges(data=True) if d["road_id"] == "r"]
    assert road == pytest.approx([5565.97] * 4, abs=0.05)


def test_place_with_only_foreign_roads_nearby_is_left_out(
    layer: Any, two_countries: gpd.GeoDataFrame
) -> None:
    rd = roads(layer, ("lao", [(1.01, 0.5), (1.5, 0.5)], {}))
    pl = layer("places", [thai_place("t", "Thai village", "source", "village", Point(0.99, 0.5))])
    with pytest.warns(UnattachedPlacesWarning, match="no road of their own country"):
        G = build_route_graph(rd, two_countries, None, pl)
    assert G.graph["unattached"] == ["t"]


def test_border_town_may_attach_to_a_crossing_of_its_border(
    layer: Any, two_countries: gpd.GeoDataFrame
) -> None:
    # The road crosses at lat 0.6; the gate, 0.03° (≈ 3.3 km) south, takes the crossing; a
    # Thai town 0.001° (≈ 111 m) west of the gate joins the road there.
    rd = roads(layer, ("r", [(0.9, 0.6), (1.1, 0.6)], {}))
    cx = official_crossing(layer, "c", "Gate", "THA;LAO", Point(1.0, 0.57))
    pl = layer(
        "places", [thai_place("t", "Thai border town", "source", "village", Point(0.999, 0.57))]
    )
    G = build_route_graph(rd, two_countries, cx, pl)
    assert list(G.successors("p:t")) == ["x:c"]
    assert G.edges["p:t", "x:c", 0]["length_m"] == pytest.approx(111.3, abs=0.1)
    assert_border_edges_touch_crossings(G)


# --- queries ----------------------------------------------------------------------------------


def test_nearest_nodes_by_kind_and_distance(tiny_region: Any) -> None:
    r = tiny_region
    G = build_route_graph(r.roads, r.borders, r.crossings, r.places)
    pts = gpd.GeoDataFrame(
        geometry=[Point(1.0, 0.49), Point(1.52, 0.5), Point(1.9, 0.95)],
        index=["a", "b", "c"],
        crs="EPSG:4326",
    )
    any_kind = nearest_nodes(G, pts)
    assert any_kind.loc["a"] == "x:c1"
    crossings = nearest_nodes(G, pts, kinds="crossing", max_distance_m=5000)
    assert crossings.tolist() == ["x:c1", None, None]
    places = nearest_nodes(G, pts, kinds=["place"], max_distance_m=2000)
    assert places.loc["b"] == "p:src" and places.loc["c"] is None
    assert list(places.index) == ["a", "b", "c"]


# --- inputs ------------------------------------------------------------------------------------


def test_inputs_are_not_mutated(tiny_region: Any) -> None:
    r = tiny_region
    before = [f.copy() for f in (r.roads, r.borders, r.crossings, r.places)]
    build_route_graph(r.roads, r.borders, r.crossings, r.places)
    for old, new in zip(before, (r.roads, r.borders, r.crossings, r.places), strict=True):
        pd.testing.assert_frame_equal(old, new)


def test_wrong_crs_or_empty_roads_raise_graph_error(tiny_region: Any) -> None:
    r = tiny_region
    with pytest.raises(GraphError, match=r"to_crs\('EPSG:4326'\)"):
        build_route_graph(r.roads.to_crs("EPSG:32647"), r.borders, None, None)
    with pytest.raises(GraphError, match="empty"):
        build_route_graph(r.roads.iloc[0:0], r.borders, None, None)
    with pytest.raises(GraphError, match="road_class"):
        build_route_graph(r.roads.drop(columns="road_class"), None, None, None)


def test_node_ids_do_not_depend_on_row_order(tiny_region: Any) -> None:
    r = tiny_region
    a = build_route_graph(r.roads, r.borders, r.crossings, r.places)
    b = build_route_graph(r.roads.iloc[::-1], r.borders, r.crossings, r.places.iloc[::-1])
    assert list(a.nodes) == list(b.nodes) == sorted(a.nodes)
    assert [(u, v) for u, v in a.edges()] == [(u, v) for u, v in b.edges()]


# --- performance --------------------------------------------------------------------------------


def _grid(layer: Any, n: int, step: float = 0.01) -> Any:
    """An n x n street grid drawn as unit segments: 2 * n * (n - 1) road rows."""
    rows: list[tuple[str, list[tuple[float, float]], dict[str, Any]]] = []
    for i in range(n):
        for j in range(n - 1):
            rows.append((f"h{i}-{j}", [(j * step, i * step), ((j + 1) * step, i * step)], {}))
            rows.append((f"v{i}-{j}", [(i * step, j * step), (i * step, (j + 1) * step)], {}))
    return roads(layer, *rows)


def test_grid_of_840_segments_gives_a_node_per_crossroads(layer: Any) -> None:
    rd = _grid(layer, 21)
    G = build_route_graph(rd, None, None, None)
    assert G.number_of_nodes() == 21 * 21
    assert G.number_of_edges() == 2 * len(rd)


@pytest.mark.slow
def test_grid_of_20k_segments_gives_a_node_per_crossroads(layer: Any) -> None:
    rd = _grid(layer, 101)  # 20,200 segments; build speed is measured in benchmarks/
    G = build_route_graph(rd, None, None, None)
    assert G.number_of_nodes() == 101 * 101
    assert G.number_of_edges() == 2 * 20_200


# --- CLI ---------------------------------------------------------------------------------------


def test_build_command_prints_json_and_saves(
    tiny_region: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Any
) -> None:
    monkeypatch.setattr(commands, "load_region", lambda name: tiny_region)
    out = tmp_path / "tiny.gpkg"
    args = argparse.Namespace(region="tiny", out=str(out), format="json")
    assert run_build_command(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["official_crossings"] == ["Friendship Bridge"]
    assert report["informal_crossings"] == ["i:r2:1"]
    assert report["connected"] is True
    assert out.is_file()


def test_build_command_text_summary_through_the_cli(
    tiny_region: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    from geotraf.cli import main

    monkeypatch.setattr(commands, "load_region", lambda name: tiny_region)
    assert main(["build", "--region", "tiny"]) == 0
    text = capsys.readouterr().out
    assert "official crossings used (1): Friendship Bridge" in text
    assert "informal crossings (1): i:r2:1" in text
    assert "1 connected component" in text


# --- the bundled Mekong region ------------------------------------------------------------------

MEKONG = Path(__file__).resolve().parents[1] / "data" / "mekong"


def _mekong_layers() -> dict[str, Any]:
    try:
        from layers import read_region

        region = read_region(MEKONG)
        return {k: getattr(region, k) for k in ("roads", "borders", "crossings", "places")}
    except ImportError:  # pragma: no cover - layers.read_region not there yet
        out: dict[str, Any] = {}
        for kind in ("roads", "borders", "crossings", "places"):
            files = sorted(MEKONG.glob(f"{kind}.*"))
            out[kind] = gpd.read_file(files[0]) if files else None
        return out


@pytest.mark.skipif(not any(MEKONG.glob("roads.*")), reason="data/mekong has no roads layer yet")
def test_mekong_graph_is_connected_and_every_border_edge_is_a_known_crossing() -> None:
    lay = _mekong_layers()
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UnattachedPlacesWarning)
        G = build_route_graph(lay["roads"], lay["borders"], lay["crossings"], lay["places"])
    elapsed = time.perf_counter() - start
    s = summarize(G)
    print(json.dumps({**s, "seconds": round(elapsed, 2), "warnings": len(caught)}, indent=1))
    assert s["connected"], f"{s['components']} road components"
    assert_border_edges_touch_crossings(G)
    assert len(s["official_crossings"]) >= 12
    places = lay["places"]
    endpoints = places[places["role"].astype(str).str.contains("source|destination", regex=True)][
        "place_id"
    ]
    assert not set(endpoints.astype(str)) & set(s["unattached"])
    # Build speed is measured in benchmarks/bench_scale.py, not asserted here (a shared
    # machine under load took 12 s for what takes 3 s alone).
    assert np.isfinite([d["travel_time_s"] for _, _, d in G.edges(data=True)]).all()


def test_nearest_nodes_osmnx_style_x_y() -> None:
    G = nx.MultiDiGraph()
    G.add_node("j0", x=0.0, y=0.0, kind="junction")
    G.add_node("j1", x=1.0, y=0.0, kind="junction")
    assert nearest_nodes(G, 0.2, 0.1) == "j0"
    assert nearest_nodes(G, [0.2, 0.9], [0.1, -0.1]).tolist() == ["j0", "j1"]
    ids, dist = nearest_nodes(G, [0.9], [0.0], return_dist=True)
    assert ids.tolist() == ["j1"] and dist[0] == pytest.approx(11_131.9, rel=1e-3)
    with pytest.raises(GraphError, match="needs latitudes"):
        nearest_nodes(G, [0.2])
    with pytest.raises(GraphError, match="differ in length"):
        nearest_nodes(G, [0.2, 0.3], [0.1])
