"""Hostile files (tests/data/malformed/make_hostile.py) through ``geotraf validate``.

Each must exit 2 with no traceback, a message that says what the file is and what is
wrong with it, never raw GDAL text, never a server path and never a fix that cannot work
(``--repair`` for a coordinate that is not a number).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from geotraf.cli import main

MALFORMED = Path(__file__).parent / "data" / "malformed"

#: Texts no message may contain: GDAL's own words, a suggestion that cannot work.
NEVER = ("<DRIVER>", "SHAPE_RESTORE_SHX", "IllegalArgumentException", "not recognized as")

# file → substrings the error message must contain
CASES: dict[str, list[str]] = {
    "places_bidi_override.csv": ["row 2", "column 'name'", "U+202E", "invisible or direction"],
    "places_zero_width_id.csv": ["row 2", "column 'place_id'", "U+200B"],
    "places_narnia.csv": ["value 'Narnia'", "not an ISO 3166-1 alpha-3", "three capital letters"],
    "crossings_dash_pair.csv": ["value 'KHM-THA'", "separate the two codes with ';'", "KHM;THA"],
    "roads_one_point.geojson": ["a line with a single point", "at least two points"],
    "roads_nan.geojson": ["row 1", "coordinate that is not a number", "give finite coordinates"],
    "roads_nan_wkt.csv": ["row 2", "coordinate that is not a number", "give finite coordinates"],
    "places_truncated.geojson": ["is not complete JSON", "line 15", "ends early"],
    "places_deep.json": ["is not GeoJSON", "a FeatureCollection"],
    "places_huge_number.geojson": ["1e400", "too large"],
    "places_no_layers.gpkg": ["is a GeoPackage with no layers", "add the places layer"],
    "places_binary.geojson": ["is binary data, not GeoJSON text"],
    "sites_binary.fgb": ["is not a FlatGeobuf file"],
    "incidents_binary.parquet": ["is not a Parquet file"],
    "borders_binary.shp": ["borders_binary.shx", "a Shapefile comes as"],
    "places_utf16.csv": ["UTF-16", "save the CSV as UTF-8"],
    "places_nul_bytes.csv": ["row 3", "column 'name'", "control characters"],
    "flows_bad_year.csv": ["column 'year'", "value '2021/22'", "a year as four digits, e.g. 2023"],
    "flows_fraction_count.csv": ["column 'count'", "value '2.5'", "whole number"],
    "incidents_no_coordinates.csv": ["no coordinate columns", "'lon' and 'lat'"],
    "roads_unknown_class.csv": ["value 'highway'", "allowed: motorway"],
    "crossings_bad_status.csv": ["value 'sometimes'", "allowed: official, informal"],
    "borders_points.geojson": ["needs Polygon or MultiPolygon", "value 'Point'"],
    "borders_unknown_country.geojson": ["value 'Narnia'", "three capital letters"],
    "places_no_rows.parquet": ["has no features"],
    "sites_metres_as_degrees.fgb": ["look like metres", "--crs EPSG:"],
    "places_wrong_role.geojson": ["item 'seller'", "allowed: source, transit, destination"],
    "roads_corrupt.osm.pbf": ["is not a readable OpenStreetMap file", "download the extract again"],
    "roads_no_roads.osm": ["has no roads, ferries or railways", "1 other way"],
    "roads_truncated.osm": ["is not a readable OpenStreetMap file"],
    "roads_not_bz2.osm.bz2": ["is not a readable OpenStreetMap file"],
    "roads_html.osm": ["is not a readable OpenStreetMap file"],
    "roads_bz2_of_text.osm.bz2": ["is not a readable OpenStreetMap file"],
    "flows_ctdc_missing_columns.csv": [
        "looks like the CTDC dataset",
        "column 'CountryOfExploitation'",
        "CTDC column is missing",
    ],
    "flows_ctdc_all_unknown.csv": ["no record with a known year", "3 records"],
}


def _validate(path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    code = main(["validate", str(path)])
    out, err = capsys.readouterr()
    assert code == 2, out
    assert out == ""
    assert err.startswith("geotraf validate: error: ")
    assert "Traceback" not in err
    assert str(path.parent) not in err, "the message shows a folder path"
    for text in NEVER:
        assert text not in err, f"{text!r} in:\n{err}"
    return err


def test_the_corpus_has_at_least_sixty_hostile_files() -> None:
    from tests.test_layers_malformed import CASES as OLD

    files = {
        p.name
        for p in MALFORMED.iterdir()
        if p.is_file() and p.suffix not in (".py", ".dbf", ".shx")
    }
    assert files <= set(CASES) | {name.split(" ")[0] for name in OLD}
    # + the three made below (1 MB field, FIFO, /dev/zero link)
    assert len(files) + 3 >= 60


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_file_gets_a_fitting_message(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    err = _validate(MALFORMED / name, capsys)
    for text in CASES[name]:
        assert text in err, f"{text!r} not in:\n{err}"


def test_a_one_megabyte_field_is_reported_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "places.csv"
    path.write_text(
        "place_id,name,country,role,place_type,lon,lat\n"
        f"bkk,{'x' * 1_048_576},THA,destination,city,100.5,13.7\n",
        encoding="utf-8",
    )
    err = _validate(path, capsys)
    assert "line 2" in err and "field longer than" in err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_not_a_layer_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "places.csv"
    os.mkfifo(path)
    err = _validate(path, capsys)
    assert "is not a regular file" in err and "empty" not in err


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_device_link_is_not_a_layer_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "places.csv"
    path.symlink_to("/dev/zero")
    err = _validate(path, capsys)
    assert "is not a regular file" in err and "empty" not in err


def test_a_damaged_parquet_in_a_folder_named_geo_is_still_damaged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # pyarrow's message names the file's path; a path holding "geo" (a clone in .../geotraf/)
    # once made a damaged file read as "a table without GeoParquet geometry".
    folder = tmp_path / "geotraf" / "geodata"
    folder.mkdir(parents=True)
    copy = folder / "incidents_binary.parquet"
    copy.write_bytes((MALFORMED / "incidents_binary.parquet").read_bytes())
    err = _validate(copy, capsys)
    assert "is not a Parquet file" in err
