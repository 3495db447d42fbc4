"""Write the malformed layer files that tests/test_layers_malformed.py feeds to the CLI.

Each file breaks one rule (its name says which). Run from the repository root to
regenerate them::

    .venv/bin/python tests/data/malformed/make_malformed.py

The valid counterparts in tests/data/valid/ are written by the same script. Places are
real Mekong towns (coordinates rounded from GeoNames).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from shapely.geometry import LineString, Polygon

HERE = Path(__file__).resolve().parent
VALID = HERE.parent / "valid"

PLACES: list[tuple[object, ...]] = [
    ("bkk", "Bangkok", "THA", "destination;transit", "city", 100.5018, 13.7563),
    ("vte", "Vientiane", "LAO", "source;transit", "city", 102.6331, 17.9757),
    ("pnh", "Phnom Penh", "KHM", "source", "city", 104.9160, 11.5625),
    ("maesot", "Mae Sot", "THA", "transit", "border_crossing", 98.5700, 16.7130),
    ("poipet", "Poipet", "KHM", "transit", "border_crossing", 102.5630, 13.6590),
]
PLACE_COLUMNS = ["place_id", "name", "country", "role", "place_type", "lon", "lat"]
HEADER = ",".join(PLACE_COLUMNS)


def places_frame() -> gpd.GeoDataFrame:
    """The five valid places as a GeoDataFrame in EPSG:4326."""
    table = pd.DataFrame(PLACES, columns=PLACE_COLUMNS)
    geometry = gpd.points_from_xy(table.pop("lon"), table.pop("lat"))
    return gpd.GeoDataFrame(table, geometry=geometry, crs="EPSG:4326")


def csv_rows(rows: Sequence[Sequence[object]], header: str = HEADER) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header.split(","))
    writer.writerows(rows)
    return buffer.getvalue()


def write(name: str, text: str | bytes) -> None:
    path = HERE / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")


def geojson(name: str, features: list[dict[str, object]]) -> None:
    write(name, json.dumps({"type": "FeatureCollection", "features": features}, indent=1))


def feature(props: dict[str, object], geometry: dict[str, object] | None) -> dict[str, object]:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def place_props(i: int) -> dict[str, object]:
    return dict(zip(PLACE_COLUMNS[:5], PLACES[i][:5], strict=True))


def make_valid() -> None:
    VALID.mkdir(exist_ok=True)
    places = places_frame()
    places.to_file(VALID / "places.geojson", driver="GeoJSON")
    places.to_file(VALID / "places.gpkg", layer="places", driver="GPKG")
    places.to_file(VALID / "places.shp", driver="ESRI Shapefile")
    # Without a spatial index FlatGeobuf keeps the features in their order.
    places.to_file(VALID / "places.fgb", driver="FlatGeobuf", SPATIAL_INDEX="NO")
    places.to_parquet(VALID / "places.parquet")
    (VALID / "places.csv").write_text(csv_rows(PLACES), encoding="utf-8")
    # Same places in UTM zone 47N (metres), to check reprojection by hand.
    places.to_crs("EPSG:32647").to_file(VALID / "places_utm47.gpkg", layer="places")
    # A flows table: no coordinates, optional columns partly given.
    (VALID / "flows.csv").write_text(
        csv_rows(
            [
                ("LAO", "THA", "", 2021, 12, "forced_labour", "", "female", "adult", "true"),
                (
                    "MMR",
                    "bkk",
                    "maesot",
                    2022,
                    30,
                    "forced_labour",
                    "fishing",
                    "male",
                    "adult",
                    "false",
                ),
            ],
            "origin,destination,via,year,count,exploitation,sector,sex,age_group,synthetic",
        ),
        encoding="utf-8",
    )


def make_malformed() -> None:
    utm = places_frame().to_crs("EPSG:32647")
    # 1. GeoJSON is EPSG:4326 by definition; these coordinates are UTM metres.
    geojson(
        "places_wrong_crs.geojson",
        [
            feature(
                place_props(i), {"type": "Point", "coordinates": [round(g.x, 1), round(g.y, 1)]}
            )
            for i, g in enumerate(utm.geometry)
        ],
    )
    # 2. Shapefile without its .prj.
    places_frame().to_file(HERE / "places_no_crs.shp", driver="ESRI Shapefile")
    (HERE / "places_no_crs.prj").unlink()
    (HERE / "places_no_crs.cpg").unlink(missing_ok=True)
    # 3. A bow-tie country polygon (self-intersection).
    bowtie = Polygon([(100, 13), (101, 14), (101, 13), (100, 14), (100, 13)])
    geojson(
        "borders_invalid_geometry.geojson",
        [
            feature({"country": "THA", "name": "Thailand"}, bowtie.__geo_interface__),
        ],
    )
    # 4. No features. 5. Zero bytes. 24. Header only.
    geojson("places_empty.geojson", [])
    write("places_zero_bytes.csv", b"")
    write("places_header_only.csv", HEADER + "\n")
    # 6. place_type column called "type".
    write("places_missing_column.csv", csv_rows(PLACES, HEADER.replace("place_type", "type")))
    # 7. Unknown place type on line 3.
    rows: list[tuple[object, ...]] = list(PLACES)
    rows[1] = (*rows[1][:4], "hotel", *rows[1][5:])
    write("places_unknown_category.csv", csv_rows(rows))
    # 8. Non-numeric count. 21. Negative count.
    flows_header = "origin,destination,year,count,exploitation,sex,age_group"
    write(
        "flows_non_numeric_count.csv",
        csv_rows([("LAO", "THA", 2021, "many", "forced_labour", "female", "adult")], flows_header),
    )
    write(
        "flows_negative_count.csv",
        csv_rows(
            [
                ("LAO", "THA", 2021, 12, "forced_labour", "female", "adult"),
                ("MMR", "THA", 2021, -5, "sexual", "female", "child"),
            ],
            flows_header,
        ),
    )
    # 9. lat/lon swapped on line 4.
    rows = list(PLACES)
    rows[2] = (*rows[2][:5], rows[2][6], rows[2][5])
    write("places_swapped.csv", csv_rows(rows))
    # 10. Out of range, neither swapped nor metres.
    rows = list(PLACES)
    rows[0] = (*rows[0][:5], 200.5, 95.0)
    write("places_out_of_range.csv", csv_rows(rows))
    # 11. Duplicate id on lines 2 and 5.
    rows = list(PLACES)
    rows[3] = ("bkk", *rows[3][1:])
    write("places_duplicate_ids.csv", csv_rows(rows))
    # 12-15. Hostile strings.
    rows = list(PLACES)
    rows[1] = (rows[1][0], '=HYPERLINK("http://evil.example","click")', *rows[1][2:])
    write("places_formula.csv", csv_rows(rows))
    rows = list(PLACES)
    rows[2] = (rows[2][0], "Phnom\x1b[31m Penh\x00", *rows[2][2:])
    write("places_control_chars.csv", csv_rows(rows))
    props = place_props(0)
    props["name"] = "<script>alert('x')</script>"
    geojson(
        "places_script_tag.geojson",
        [feature(props, {"type": "Point", "coordinates": [100.5018, 13.7563]})],
    )
    rows = list(PLACES)
    rows[4] = (rows[4][0], "Poipet " + "x" * 243, *rows[4][2:])
    write("places_long_text.csv", csv_rows(rows))
    # 16. A place drawn as a polygon.
    square = Polygon([(100.4, 13.6), (100.6, 13.6), (100.6, 13.8), (100.4, 13.8)])
    geojson(
        "places_wrong_geometry_type.geojson", [feature(place_props(0), square.__geo_interface__)]
    )
    # 17. Bad dates.
    incidents_header = "date,kind,count,lon,lat"
    write(
        "incidents_bad_date.csv",
        csv_rows(
            [
                ("2023-05-01", "interception", 14, 98.57, 16.713),
                ("2023-02-30", "rescue", 12, 102.563, 13.659),
                ("15/03/2024", "arrest", 11, 100.5018, 13.7563),
            ],
            incidents_header,
        ),
    )
    # 18. Unsupported extension.
    write("places_notes.txt", "Bangkok 100.5 13.75\n")
    # 19. Null geometry on the second feature.
    geojson(
        "places_empty_geometry.geojson",
        [
            feature(place_props(0), {"type": "Point", "coordinates": [100.5018, 13.7563]}),
            feature(place_props(1), None),
        ],
    )
    # 20. Bad oneway values (roads CSV with WKT geometry).
    roads_header = "road_id,ref,road_class,oneway,geometry"
    write(
        "roads_bad_oneway.csv",
        csv_rows(
            [
                ("r1", "AH1", "trunk", "yes", LineString([(98.57, 16.71), (99.0, 16.8)]).wkt),
                ("r2", "AH1", "trunk", "maybe", LineString([(99.0, 16.8), (100.5, 13.75)]).wkt),
                ("r3", "AH12", "primary", "-1", LineString([(100.5, 13.75), (102.6, 17.9)]).wkt),
            ],
            roads_header,
        ),
    )
    # 22. A crossing with one country. 23. ISO alpha-2 code.
    write(
        "crossings_one_country.csv",
        csv_rows(
            [("x1", "Mae Sot-Myawaddy", "THA", "official", 98.5700, 16.7130)],
            "crossing_id,name,countries,status,lon,lat",
        ),
    )
    rows = list(PLACES)
    rows[0] = (*rows[0][:2], "TH", *rows[0][3:])
    write("places_iso2_country.csv", csv_rows(rows))
    # 25. Unquoted comma: one field too many on line 3.
    text = csv_rows(PLACES).splitlines()
    text[2] = text[2].replace("Vientiane", "Vientiane, capital")
    write("places_ragged.csv", "\n".join(text) + "\n")
    # 26. Latin-1 bytes.
    rows = list(PLACES)
    rows[1] = (rows[1][0], "Vientiane (Viangchan) é", *rows[1][2:])
    write("places_not_utf8.csv", csv_rows(rows).encode("latin-1"))
    # 27. Numbers out of range and not whole.
    write(
        "sites_bad_values.csv",
        csv_rows(
            [
                ("s1", "Mae Sot bus station", "bus_station", 2.5, 10, "high", 98.57, 16.713),
                ("s2", "Poipet market", "market", 1, -3, "severe", 102.563, 13.659),
            ],
            "site_id,name,site_type,capacity,cost,risk,lon,lat",
        ),
    )
    write(
        "roads_maxspeed_out_of_range.csv",
        csv_rows(
            [("r1", "trunk", 500, LineString([(98.57, 16.71), (99.0, 16.8)]).wkt)],
            "road_id,road_class,maxspeed_kph,geometry",
        ),
    )
    # 28. Many problems in one file: all must be reported.
    rows = [
        ("a", "Ok", "THA", "source", "city", 100.5, 13.7),
        ("a", "=cmd", "XXX", "seller", "hotel", "east", 13.7),
        ("", "", "THA", "", "city", 100.5, 13.7),
    ]
    write("places_many_problems.csv", csv_rows(rows))
    # 29. A corrupt GeoPackage (not SQLite at all).
    write("places_corrupt.gpkg", b"this is not a GeoPackage\n" * 4)
    # 30. Roads file with points.
    points = places_frame()[["geometry"]].assign(road_id=["r1", "r2", "r3", "r4", "r5"])
    points["road_class"] = "trunk"
    pyogrio.write_dataframe(points, HERE / "roads_points.gpkg", layer="roads")


if __name__ == "__main__":
    make_valid()
    make_malformed()
    print("wrote", len(list(HERE.iterdir())), "files in", HERE)
