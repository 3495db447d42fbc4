"""The offline basemap style and its compact GeoJSON."""

from __future__ import annotations

import json

import geopandas as gpd
from shapely.geometry import LineString, Point

from dashboard import basemap

URLS = {name: f"http://127.0.0.1:8050/basemap/{name}.geojson" for name in basemap.BASEMAP_LAYERS}


def test_style_has_only_local_geojson_and_no_glyphs_sprite_or_tiles() -> None:
    style = basemap.basemap_style(URLS)
    assert "glyphs" not in style and "sprite" not in style
    assert {s["type"] for s in style["sources"].values()} == {"geojson"}
    assert all(s["data"].startswith("http://127.0.0.1:8050/") for s in style["sources"].values())
    assert {layer["type"] for layer in style["layers"]} == {"background", "fill", "line"}
    ids = [layer["id"] for layer in style["layers"]]
    # water, land, region, province lines, roads, country lines: bottom to top
    assert ids == [
        "background",
        "context-fill",
        "borders-fill",
        "provinces-line",
        "roads-line",
        "borders-line",
    ]


def test_style_leaves_out_missing_layers() -> None:
    style = basemap.basemap_style({"roads": URLS["roads"]})
    assert [layer["id"] for layer in style["layers"]] == ["background", "roads-line"]


def test_compact_geojson_rounds_simplifies_and_keeps_only_named_properties() -> None:
    wiggly = LineString([(100 + i / 1000, 13 + (i % 2) / 100000) for i in range(1000)])
    gdf = gpd.GeoDataFrame(
        {"road_class": ["trunk", "track"], "secret": ["x", "y"]},
        geometry=[wiggly, LineString([(101.00049, 14.0), (102.0, 15.0)])],
        crs="EPSG:4326",
    )
    out = json.loads(basemap.compact_geojson(gdf, keep=("road_class",), tolerance=0.01))
    first, second = out["features"]
    assert first["properties"] == {"road_class": "trunk"}
    assert len(first["geometry"]["coordinates"]) == 2  # 1,000 points → its two ends
    assert second["geometry"]["coordinates"][0] == [101.0, 14.0]


def test_compact_geojson_reprojects_to_lon_lat() -> None:
    utm = gpd.GeoDataFrame(geometry=[Point(500000, 0)], crs="EPSG:32647")  # 99°E, equator
    out = json.loads(basemap.compact_geojson(utm))
    assert out["features"][0]["geometry"]["coordinates"] == [99.0, 0.0]


def test_fit_view_centres_and_zooms_to_the_bounds() -> None:
    centre, zoom = basemap.fit_view((92.0, 8.0, 110.0, 28.0))
    assert centre == {"lon": 101.0, "lat": 18.0}
    _, wider = basemap.fit_view((60.0, -10.0, 140.0, 50.0))
    assert wider < zoom and 3.5 < zoom < 5
