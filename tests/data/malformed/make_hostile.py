"""Write the hostile layer files that tests/test_layers_hostile.py feeds to the CLI.

These are files no careful user writes but real ones arrive as: huge fields, invisible
or direction-changing characters, damaged or truncated files of every format, OSM and
CTDC files that are not what they claim. Run from the repository root::

    .venv/bin/python tests/data/malformed/make_hostile.py

(``make_malformed.py`` writes the older, one-rule-each corpus beside these.)
"""

from __future__ import annotations

import bz2
import sqlite3
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from make_malformed import HEADER, PLACES, csv_rows, feature, geojson, place_props, places_frame
from shapely.geometry import Point

HERE = Path(__file__).resolve().parent

_OSM_HEAD = "<?xml version='1.0' encoding='UTF-8'?>\n<osm version='0.6' generator='hand'>\n"


def write(name: str, data: str | bytes) -> None:
    path = HERE / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8", newline="")


def _place_row(i: int, **changes: object) -> tuple[object, ...]:
    row = dict(zip(HEADER.split(","), PLACES[i], strict=True))
    row.update(changes)
    return tuple(row.values())


def _osm(
    nodes: list[tuple[int, float, float]], ways: list[tuple[int, list[int], dict[str, str]]]
) -> str:
    lines = [_OSM_HEAD]
    for nid, lon, lat in nodes:
        lines.append(f"  <node id='{nid}' version='1' lat='{lat}' lon='{lon}'/>\n")
    for wid, refs, tags in ways:
        lines.append(f"  <way id='{wid}' version='1'>\n")
        lines += [f"    <nd ref='{r}'/>\n" for r in refs]
        lines += [f"    <tag k='{k}' v='{v}'/>\n" for k, v in tags.items()]
        lines.append("  </way>\n")
    lines.append("</osm>\n")
    return "".join(lines)


def _empty_gpkg(path: Path) -> None:
    """A real GeoPackage (SQLite, application id GPKG) whose only layer was dropped."""
    path.unlink(missing_ok=True)
    pyogrio.write_dataframe(places_frame(), path, layer="places", driver="GPKG")
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE places")
        for table in ("gpkg_contents", "gpkg_geometry_columns"):
            db.execute(f"DELETE FROM {table}")
        for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name LIKE 'rtree_places%'"
        ).fetchall():
            db.execute(f"DROP TABLE IF EXISTS {name}")
    db.close()


def make_hostile() -> None:
    # Oversized and invisible text.
    # (a 1 MB field, a FIFO and a /dev/zero link are made by the test itself)
    write("places_bidi_override.csv", csv_rows([_place_row(0, name="Bang\u202ekok")]))
    write("places_zero_width_id.csv", csv_rows([_place_row(0, place_id="bk\u200bk")]))
    # Countries that are not codes.
    write("places_narnia.csv", csv_rows([_place_row(0, country="Narnia")]))
    write(
        "crossings_dash_pair.csv",
        csv_rows(
            [("x1", "Poipet-Aranyaprathet", "KHM-THA", "official", 102.563, 13.659)],
            "crossing_id,name,countries,status,lon,lat",
        ),
    )
    # Geometry that no repair can fix.
    write(
        "roads_one_point.geojson",
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
        '{"road_id":"r1","road_class":"trunk"},"geometry":{"type":"LineString",'
        '"coordinates":[[100.5,13.7]]}}]}',
    )
    write(
        "roads_nan.geojson",
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
        '{"road_id":"r1","road_class":"trunk"},"geometry":{"type":"LineString",'
        '"coordinates":[[100.5,13.7],[NaN,13.9]]}}]}',
    )
    write(
        "roads_nan_wkt.csv",
        csv_rows(
            [("r1", "trunk", "LINESTRING (100.5 13.7, nan 13.9)")], "road_id,road_class,geometry"
        ),
    )
    # Broken JSON of three kinds.
    full = (HERE / "places_empty_geometry.geojson").read_text(encoding="utf-8")
    write("places_truncated.geojson", full[: len(full) // 2])
    write("places_deep.json", "[" * 100_000 + "]" * 100_000)
    write(
        "places_huge_number.geojson",
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
        '{"place_id":"bkk","name":"Bangkok","country":"THA","role":"destination",'
        '"place_type":"city"},"geometry":{"type":"Point","coordinates":[1e400,13.75]}}]}',
    )
    # Files that are not what their extension says.
    _empty_gpkg(HERE / "places_no_layers.gpkg")
    binary = bytes(range(256)) * 64
    write("places_binary.geojson", b"\x89PNG\r\n\x1a\n" + binary)
    write("sites_binary.fgb", b"\x00\x01\x02\x03" + binary)
    write("incidents_binary.parquet", b"PAR1" + binary)
    write("borders_binary.shp", b"\x00\x00\x27\x0a" + binary)
    write("places_utf16.csv", csv_rows(PLACES).encode("utf-16"))
    write("places_nul_bytes.csv", csv_rows(PLACES).replace("Vientiane", "Vien\x00tiane"))
    # Values that are the wrong kind of number.
    write(
        "flows_bad_year.csv",
        csv_rows(
            [("LAO", "THA", "2021/22", 12, "forced_labour", "female", "adult")],
            "origin,destination,year,count,exploitation,sex,age_group",
        ),
    )
    write(
        "flows_fraction_count.csv",
        csv_rows(
            [("LAO", "THA", 2021, 2.5, "forced_labour", "female", "adult")],
            "origin,destination,year,count,exploitation,sex,age_group",
        ),
    )
    write(
        "incidents_no_coordinates.csv",
        csv_rows([("2023-05-01", "rescue", 4, "Mae Sot")], "date,kind,count,place"),
    )
    write(
        "roads_unknown_class.csv",
        csv_rows(
            [("r1", "highway", "LINESTRING (98.57 16.71, 99.0 16.8)")],
            "road_id,road_class,geometry",
        ),
    )
    write(
        "crossings_bad_status.csv",
        csv_rows(
            [("x1", "Mae Sot-Myawaddy", "MMR;THA", "sometimes", 98.57, 16.713)],
            "crossing_id,name,countries,status,lon,lat",
        ),
    )
    geojson(
        "borders_points.geojson",
        [feature({"country": "THA"}, {"type": "Point", "coordinates": [100.5, 13.7]})],
    )
    geojson(
        "borders_unknown_country.geojson",
        [
            feature(
                {"country": "Narnia"},
                {"type": "Polygon", "coordinates": [[[100, 13], [101, 13], [101, 14], [100, 13]]]},
            )
        ],
    )
    # Other formats, empty or wrong.
    empty = gpd.GeoDataFrame(
        pd.DataFrame({c: pd.Series(dtype=object) for c in HEADER.split(",")[:5]}),
        geometry=gpd.GeoSeries([], crs="EPSG:4326"),
    )
    empty.to_parquet(HERE / "places_no_rows.parquet")
    sites = gpd.GeoDataFrame(
        {"site_id": ["s1"], "name": ["Mae Sot bus station"], "site_type": ["bus_station"]},
        geometry=[Point(98.57, 16.713)],
        crs="EPSG:4326",
    ).to_crs("EPSG:32647")
    # UTM metres in a file that says EPSG:4326.
    sites = sites.set_crs("EPSG:4326", allow_override=True)
    sites.to_file(HERE / "sites_metres_as_degrees.fgb", driver="FlatGeobuf", SPATIAL_INDEX="NO")
    geojson(
        "places_wrong_role.geojson",
        [
            feature(
                {**place_props(0), "role": "seller"},
                {"type": "Point", "coordinates": [100.5, 13.7]},
            )
        ],
    )
    # OpenStreetMap files that are damaged or hold no roads.
    write("roads_corrupt.osm.pbf", b"\x00\x00\x00\x0d\x0a\x09OSMHeader" + binary)
    osm = _osm(
        [(1, 100.50, 13.70), (2, 100.51, 13.71), (3, 100.52, 13.70)],
        [(10, [1, 2, 3, 1], {"building": "yes"})],
    )
    write("roads_no_roads.osm", osm)
    roads_osm = _osm(
        [(1, 100.50, 13.70), (2, 100.51, 13.71)], [(10, [1, 2], {"highway": "primary"})]
    )
    write("roads_truncated.osm", roads_osm[: len(roads_osm) // 2])
    write("roads_not_bz2.osm.bz2", b"BZh9 but not really" + binary)
    write("roads_html.osm", "<!DOCTYPE html><html><body>Too many requests</body></html>\n")
    write("roads_bz2_of_text.osm.bz2", bz2.compress(b"this is not OpenStreetMap XML\n"))
    # CTDC-shaped files with too little in them.
    ctdc_cols = ["yearOfRegistration", "gender", "ageBroad", "citizenship"]
    write(
        "flows_ctdc_missing_columns.csv",
        ";".join(ctdc_cols) + "\n" + "2019;Female;18--20;PH\n",
    )
    full_cols = [
        "yearOfRegistration",
        "gender",
        "ageBroad",
        "majorityStatus",
        "citizenship",
        "CountryOfExploitation",
        "isForcedLabour",
        "isSexualExploit",
    ]
    write(
        "flows_ctdc_all_unknown.csv",
        ";".join(full_cols) + "\n" + "-99;Female;-99;Adult;-99;-99;1;0\n" * 3,
    )


if __name__ == "__main__":
    make_hostile()
    print("wrote the hostile corpus in", HERE)
