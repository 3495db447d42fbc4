"""Every malformed file in tests/data/malformed/ is rejected by ``geotraf validate`` with
exit code 2, no traceback, and a message naming the file, the row, the column and the fix.

The files are written by tests/data/malformed/make_malformed.py; CSV rows are line
numbers (header = line 1), other formats the 1-based feature number with its id.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geotraf.cli import main

MALFORMED = Path(__file__).parent / "data" / "malformed"

# file → (extra CLI args, substrings the error message must contain)
CASES: dict[str, tuple[list[str], list[str]]] = {
    "places_wrong_crs.geojson": (
        [],
        [
            "places_wrong_crs.geojson",
            "all 5 features",
            "wrong CRS? the values look like metres",
            "--crs EPSG:",
        ],
    ),
    "places_no_crs.shp": (
        [],
        ["places_no_crs.shp", "has no CRS", "pass --crs EPSG:4326"],
    ),
    "borders_invalid_geometry.geojson": (
        [],
        [
            "borders_invalid_geometry.geojson",
            "row 1 (country 'THA')",
            "column 'geometry'",
            "invalid geometry: Self-intersection",
            "--repair",
        ],
    ),
    "places_empty.geojson": ([], ["places_empty.geojson", "has no features", "add at least one"]),
    "places_zero_bytes.csv": ([], ["places_zero_bytes.csv", "empty (0 bytes)", "export the layer"]),
    "places_header_only.csv": ([], ["places_header_only.csv", "header but no rows"]),
    "places_missing_column.csv": (
        [],
        [
            "places_missing_column.csv",
            "column 'place_type'",
            "required column is missing",
            "columns found: place_id, name, country, role, type",
            "rename column 'type' to 'place_type'",
        ],
    ),
    "places_unknown_category.csv": (
        [],
        [
            "places_unknown_category.csv",
            "row 3",
            "column 'place_type'",
            "value 'hotel'",
            "allowed: city, village",
            "use 'motel'",
        ],
    ),
    "flows_non_numeric_count.csv": (
        [],
        [
            "flows_non_numeric_count.csv",
            "row 2",
            "column 'count'",
            "value 'many'",
            "is not a number",
            "give a whole number",
        ],
    ),
    "flows_negative_count.csv": (
        [],
        [
            "flows_negative_count.csv",
            "1 problem",
            "row 3",
            "column 'count'",
            "value '-5'",
            "is negative",
            "at least 0",
        ],
    ),
    "places_swapped.csv": (
        [],
        [
            "places_swapped.csv",
            "row 4",
            "column 'lon/lat'",
            "lat/lon swapped?",
            "lon 11.5625, lat 104.916",
            "longitude (x) comes first",
        ],
    ),
    "places_out_of_range.csv": (
        [],
        [
            "places_out_of_range.csv",
            "row 2",
            "out of range for EPSG:4326",
            "lon 200.5, lat 95",
            "within -180..180",
        ],
    ),
    "places_duplicate_ids.csv": (
        [],
        [
            "places_duplicate_ids.csv",
            "row 5",
            "column 'place_id'",
            "value 'bkk'",
            "same value is on row 2",
            "its own place_id",
        ],
    ),
    "places_formula.csv": (
        [],
        [
            "places_formula.csv",
            "row 3",
            "column 'name'",
            "spreadsheet formula",
            "remove the leading '='",
        ],
    ),
    "places_control_chars.csv": (
        [],
        [
            "places_control_chars.csv",
            "row 4",
            "column 'name'",
            "control characters",
            r"Phnom\x1b[31m Penh\x00",
        ],
    ),
    "places_script_tag.geojson": (
        [],
        [
            "places_script_tag.geojson",
            "row 1 (place_id 'bkk')",
            "column 'name'",
            "HTML/script tag",
            "remove the '<...>' markup",
        ],
    ),
    "places_long_text.csv": (
        [],
        [
            "places_long_text.csv",
            "row 6",
            "column 'name'",
            "250 characters long",
            "shorten the text to 200",
        ],
    ),
    "places_wrong_geometry_type.geojson": (
        [],
        [
            "places_wrong_geometry_type.geojson",
            "row 1",
            "wrong geometry type",
            "needs Point",
            "value 'Polygon'",
            "representative point",
        ],
    ),
    "incidents_bad_date.csv": (
        [],
        [
            "incidents_bad_date.csv",
            "2 problems",
            "row 3",
            "value '2023-02-30'",
            "not a real date",
            "row 4",
            "value '15/03/2024'",
            "YYYY-MM-DD",
        ],
    ),
    "places_notes.txt": (
        [],
        ["places_notes.txt", "unsupported file type '.txt'", ".csv", ".gpkg"],
    ),
    "places_empty_geometry.geojson": (
        [],
        [
            "places_empty_geometry.geojson",
            "row 2 (place_id 'vte')",
            "geometry is empty",
            "give the feature a Point",
        ],
    ),
    "roads_bad_oneway.csv": (
        [],
        [
            "roads_bad_oneway.csv",
            "2 problems",
            "row 3",
            "column 'oneway'",
            "value 'maybe'",
            "write true or false",
            "row 4",
            "'-1'",
            "reverse the line",
        ],
    ),
    "crossings_one_country.csv": (
        [],
        ["crossings_one_country.csv", "row 2", "column 'countries'", "names 1 country", "THA;BBB"],
    ),
    "places_iso2_country.csv": (
        [],
        ["places_iso2_country.csv", "row 2", "column 'country'", "alpha-2", "use 'THA'"],
    ),
    "places_ragged.csv": (
        [],
        [
            "places_ragged.csv",
            "1 problem",
            "row 3",
            "has 8 fields but the header has 7",
            "quote values",
        ],
    ),
    "places_not_utf8.csv": ([], ["places_not_utf8.csv", "not UTF-8", "CSV UTF-8"]),
    "sites_bad_values.csv": (
        [],
        [
            "sites_bad_values.csv",
            "4 problems",
            "column 'capacity'",
            "not a whole number",
            "column 'site_type'",
            "value 'market'",
            "column 'cost'",
            "is negative",
            "column 'risk'",
            "value 'severe'",
        ],
    ),
    "roads_maxspeed_out_of_range.csv": (
        [],
        [
            "roads_maxspeed_out_of_range.csv",
            "row 2",
            "column 'maxspeed_kph'",
            "above the maximum 200",
        ],
    ),
    "places_many_problems.csv": (
        [],
        [
            "places_many_problems.csv",
            "9 problems",
            "value 'east'",
            "same value is on row 2",
            "value '=cmd'",
            "value 'XXX'",
            "value 'seller'",
            "value 'hotel'",
            "row 4",
            "column 'place_id': required value is empty",
            "column 'role': required value",
        ],
    ),
    "places_corrupt.gpkg": ([], ["places_corrupt.gpkg", "is not a GeoPackage file", "damaged"]),
    "roads_points.gpkg": (
        [],
        [
            "roads_points.gpkg",
            "5 problems",
            "row 1 (road_id 'r1')",
            "needs LineString or MultiLineString",
            "value 'Point'",
        ],
    ),
    # the kind comes from --layer when the name does not say it
    "places_swapped.csv --layer sites": (
        ["--layer", "sites"],
        ["places_swapped.csv", "in sites layer", "column 'site_id'", "required column"],
    ),
}


def test_there_are_at_least_twenty_malformed_files() -> None:
    files = {p.name for p in MALFORMED.iterdir() if p.suffix not in (".py", ".dbf", ".shx")}
    assert len(files) >= 20  # every file has a case here or in tests/test_layers_hostile.py


@pytest.mark.parametrize("case", sorted(CASES))
def test_validate_rejects_with_actionable_message(
    case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args, expected = CASES[case]
    path = MALFORMED / case.split(" ")[0]
    code = main(["validate", str(path), *args])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.startswith("geotraf validate: error: ")
    assert "Traceback" not in err
    assert "\x1b" not in err and "\x00" not in err
    for text in expected:
        assert text in err, f"{text!r} not in:\n{err}"


@pytest.mark.parametrize(
    "name", ["places_swapped.csv", "places_zero_bytes.csv", "places_many_problems.csv"]
)
def test_validate_json_lists_problems(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["validate", str(MALFORMED / name), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 2
    assert report["valid"] is False
    assert all(p["file"] == name for p in report["problems"])
    expected_count = {"places_swapped.csv": 1, "places_zero_bytes.csv": 1}.get(name, 9)
    assert len(report["problems"]) == expected_count


def test_swapped_json_names_row_and_column(capsys: pytest.CaptureFixture[str]) -> None:
    main(["validate", str(MALFORMED / "places_swapped.csv"), "--format", "json"])
    (problem,) = json.loads(capsys.readouterr().out)["problems"]
    assert problem["row"] == 4
    assert problem["column"] == "lon/lat"
    assert problem["value"] == "lon 11.5625, lat 104.916"


def test_no_crs_file_is_valid_once_crs_is_given(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["validate", str(MALFORMED / "places_no_crs.shp"), "--crs", "EPSG:4326"])
    assert code == 0
    assert capsys.readouterr().out == "places_no_crs.shp: 5 places valid (EPSG:4326)\n"


def test_wrong_crs_geojson_is_valid_with_the_right_crs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["validate", str(MALFORMED / "places_wrong_crs.geojson"), "--crs", "EPSG:32647"])
    assert code == 0
    assert "5 places valid (EPSG:32647 → EPSG:4326)" in capsys.readouterr().out


def test_invalid_polygon_is_valid_with_repair(capsys: pytest.CaptureFixture[str]) -> None:
    path = MALFORMED / "borders_invalid_geometry.geojson"
    assert main(["validate", str(path), "--repair"]) == 0
    assert "1 border valid" in capsys.readouterr().out
