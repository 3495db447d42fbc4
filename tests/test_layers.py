"""Reading, validating, normalising and writing layers (``layers`` package)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, Polygon

import layers
from geotraf.cli import main
from layers import (
    LayerError,
    Problem,
    import_layer,
    read_flows,
    read_incidents,
    read_places,
    read_region,
    read_roads,
    validate,
    write_layer,
)
from layers.schema import PLACES, SCHEMAS

DATA = Path(__file__).parent / "data"
VALID = DATA / "valid"
BANGKOK = (100.5018, 13.7563)


@pytest.mark.parametrize(
    "name",
    ["places.geojson", "places.gpkg", "places.shp", "places.parquet", "places.fgb", "places.csv"],
)
def test_valid_places_in_every_format(name: str) -> None:
    places = read_places(VALID / name)
    assert list(places.columns) == [*PLACES.columns, "geometry"]
    assert places.crs == "EPSG:4326"
    assert list(places.index) == [0, 1, 2, 3, 4]
    assert places["place_id"].tolist() == ["bkk", "vte", "pnh", "maesot", "poipet"]
    assert places.loc[0, "role"] == "destination;transit"
    assert places.loc[3, "place_type"] == "border_crossing"
    # optional columns absent from the files get the schema defaults, not NaN
    assert places["admin1"].tolist() == [""] * 5
    assert places["population"].tolist() == [0] * 5
    assert str(places["population"].dtype) == "int64"
    assert all(isinstance(v, str) for v in places["name"])
    assert places.geometry[0].x == pytest.approx(BANGKOK[0], abs=1e-9)
    assert places.geometry[0].y == pytest.approx(BANGKOK[1], abs=1e-9)


def test_projected_file_is_reprojected_to_lon_lat() -> None:
    # The file stores UTM 47N metres: Bangkok is about 662 km east, 1,521 km north.
    raw = gpd.read_file(VALID / "places_utm47.gpkg")
    assert raw.crs.to_epsg() == 32647
    assert raw.geometry[0].x == pytest.approx(662_300, abs=1_000)
    assert raw.geometry[0].y == pytest.approx(1_521_400, abs=1_000)
    places = read_places(VALID / "places_utm47.gpkg")
    assert places.crs == "EPSG:4326"
    assert places.attrs["source_crs"] == "EPSG:32647"
    assert places.geometry[0].x == pytest.approx(BANGKOK[0], abs=1e-7)
    assert places.geometry[0].y == pytest.approx(BANGKOK[1], abs=1e-7)


def test_csv_coordinates_with_user_crs(tmp_path: Path) -> None:
    utm = read_places(VALID / "places.csv").to_crs("EPSG:32647")
    table = pd.DataFrame(utm.drop(columns="geometry"))
    table["x"], table["y"] = utm.geometry.x, utm.geometry.y
    table.to_csv(tmp_path / "places.csv", index=False)
    with pytest.raises(LayerError, match="wrong CRS\\? the values look like metres"):
        read_places(tmp_path / "places.csv")
    places = read_places(tmp_path / "places.csv", crs="EPSG:32647")
    assert places.geometry[0].x == pytest.approx(BANGKOK[0], abs=1e-7)


def test_category_spelling_is_normalised(tmp_path: Path) -> None:
    text = (VALID / "places.csv").read_text().replace("border_crossing", "Border Crossing")
    (tmp_path / "places.csv").write_text(text.replace(",THA,", ",tha,"))
    places = read_places(tmp_path / "places.csv")
    assert places.loc[3, "place_type"] == "border_crossing"
    assert places.loc[0, "country"] == "THA"


def test_validate_in_memory_collects_all_problems() -> None:
    frame = pd.DataFrame(
        {
            "place_id": ["a", "a"],
            "name": ["Ok", "@SUM(A1)"],
            "country": ["THA", "THA"],
            "role": ["source", "buyer"],
            "place_type": ["city", "city"],
            "lon": [100.5, 100.6],
            "lat": [13.7, 13.8],
        }
    )
    with pytest.raises(LayerError) as info:
        validate(frame, "places", source="upload.csv")
    problems = info.value.problems
    # rows of in-memory frames are numbered from 1, with the id when there is one
    assert [(p.row, p.column) for p in problems] == [
        ("2 (place_id 'a')", "place_id"),
        ("2 (place_id 'a')", "name"),
        ("2 (place_id 'a')", "role"),
    ]
    assert all(p.file == "upload.csv" for p in problems)


def test_validate_does_not_mutate_and_keeps_crs() -> None:
    frame = gpd.GeoDataFrame(
        {"date": ["2024-03-15"], "kind": ["Rescue"], "count": ["12"], "extra": [1]},
        geometry=[Point(BANGKOK)],
        crs="EPSG:4326",
    )
    before = frame.copy()
    out = validate(frame, "incidents")
    pd.testing.assert_frame_equal(frame, before)
    assert list(out.columns) == ["date", "kind", "count", "source", "synthetic", "geometry"]
    assert out.loc[0, "date"] == pd.Timestamp("2024-03-15")
    assert out.loc[0, "kind"] == "rescue"
    assert out.loc[0, "count"] == 12
    assert out.loc[0, "synthetic"] is False or out.loc[0, "synthetic"] == False  # noqa: E712


def test_geodataframe_without_crs_is_rejected() -> None:
    frame = gpd.GeoDataFrame(
        {"date": ["2024-03-15"], "kind": ["rescue"], "count": [3]}, geometry=[Point(BANGKOK)]
    )
    with pytest.raises(LayerError, match="has no CRS"):
        validate(frame, "incidents")


def test_repair_turns_bow_tie_into_two_triangles() -> None:
    bowtie = Polygon([(100, 13), (101, 14), (101, 13), (100, 14), (100, 13)])
    frame = gpd.GeoDataFrame(
        {"country": ["THA"], "name": ["Thailand"]}, geometry=[bowtie], crs="EPSG:4326"
    )
    with pytest.raises(LayerError, match="Self-intersection"):
        validate(frame, "borders")
    fixed = validate(frame, "borders", repair=True)
    geom = fixed.geometry[0]
    assert geom.geom_type == "MultiPolygon"
    assert len(geom.geoms) == 2
    assert geom.area == pytest.approx(0.5)  # two triangles of 0.25 square degrees


def test_flows_csv_without_geometry_is_a_plain_dataframe() -> None:
    flows = read_flows(VALID / "flows.csv")
    assert not isinstance(flows, gpd.GeoDataFrame)
    assert flows["count"].tolist() == [12, 30]
    assert flows["via"].tolist() == ["", "maesot"]
    assert flows["synthetic"].tolist() == [True, False]
    assert flows["sector"].tolist() == ["unknown", "fishing"]


def test_roads_csv_with_wkt_geometry(tmp_path: Path) -> None:
    line = LineString([(98.57, 16.71), (100.5, 13.75)])
    (tmp_path / "roads.csv").write_text(
        f'road_id,ref,road_class,oneway,maxspeed_kph,geometry\nr1,AH1,Trunk,yes,,"{line.wkt}"\n'
    )
    roads = read_roads(tmp_path / "roads.csv")
    assert roads.loc[0, "road_class"] == "trunk"
    assert bool(roads.loc[0, "oneway"]) is True
    assert pd.isna(roads.loc[0, "maxspeed_kph"])
    assert roads.geometry[0].equals(line)


def test_problem_str_escapes_control_characters() -> None:
    problem = Problem("a\x1b.csv", 3, "name", "x\x00y\n", "bad\ttext", "fix\r")
    text = str(problem)
    assert text.isprintable()
    assert "x\\x00y\\n" in text
    assert text.startswith("a\\x1b.csv, row 3, column 'name'")
    long = str(Problem("f.csv", 2, "name", "z" * 300, "too long", "shorten"))
    assert "(300 characters)" in long
    assert "z" * 61 not in long


def test_unknown_kind_is_a_layer_error() -> None:
    with pytest.raises(LayerError, match="unknown layer kind"):
        validate(pd.DataFrame({"a": [1]}), "towns")


# --- write_layer / import_layer -------------------------------------------------------


@pytest.mark.parametrize("ext", [".gpkg", ".parquet", ".geojson", ".csv"])
def test_write_layer_round_trips(ext: str, tmp_path: Path) -> None:
    incidents = validate(
        gpd.GeoDataFrame(
            {"date": ["2024-03-15", "2023-12-01"], "kind": ["rescue", "arrest"], "count": [12, 3]},
            geometry=[Point(BANGKOK), Point(98.57, 16.713)],
            crs="EPSG:4326",
        ),
        "incidents",
    )
    path = write_layer(incidents, tmp_path / f"incidents{ext}", kind="incidents")
    assert path.exists()
    assert [p.name for p in tmp_path.iterdir()] == [f"incidents{ext}"]  # no temp file left
    back = read_incidents(path)
    assert back["date"].tolist() == [pd.Timestamp("2024-03-15"), pd.Timestamp("2023-12-01")]
    assert back["count"].tolist() == [12, 3]
    assert back.geometry[1].x == pytest.approx(98.57)


def test_write_layer_refuses_invalid_frame_and_writes_nothing(tmp_path: Path) -> None:
    bad = pd.DataFrame({"origin": ["LAO"], "destination": ["THA"], "year": [1850]})
    with pytest.raises(LayerError):
        write_layer(bad, tmp_path / "flows.csv", kind="flows")
    assert list(tmp_path.iterdir()) == []


def test_import_layer_replaces_only_after_validation(tmp_path: Path) -> None:
    region = tmp_path / "region"
    dest = import_layer(VALID / "places.geojson", region, kind="places")
    assert dest == region / "places.gpkg"
    before = dest.read_bytes()
    mtime = os.stat(dest).st_mtime_ns
    with pytest.raises(LayerError, match="lat/lon swapped"):
        import_layer(DATA / "malformed" / "places_swapped.csv", region, kind="places")
    assert dest.read_bytes() == before
    assert os.stat(dest).st_mtime_ns == mtime
    assert sorted(p.name for p in region.iterdir()) == ["places.gpkg"]
    # a valid import in another format replaces it (UTM file → lon/lat)
    import_layer(VALID / "places_utm47.gpkg", region, kind="places")
    assert read_places(dest).geometry[0].x == pytest.approx(BANGKOK[0], abs=1e-7)


def test_import_layer_sets_aside_other_format_of_same_kind(tmp_path: Path) -> None:
    (tmp_path / "places.csv").write_text((VALID / "places.csv").read_text())
    import_layer(VALID / "places.geojson", tmp_path, kind="places")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["places.csv.replaced", "places.gpkg"]


# --- regions --------------------------------------------------------------------------


def _write_region(region: Any, folder: Path, exts: dict[str, str]) -> None:
    for kind, frame in region.layers().items():
        write_layer(frame, folder / f"{kind}{exts.get(kind, '.geojson')}", kind=kind)


def test_read_region_folder_round_trip(tiny_region: Any, tmp_path: Path) -> None:
    _write_region(tiny_region, tmp_path, {"flows": ".csv", "crossings": ".csv", "roads": ".gpkg"})
    (tmp_path / "SOURCES.md").write_text("sources\n")
    (tmp_path / "provinces.geojson").write_text("{}")
    region = read_region(tmp_path)
    assert region.path == tmp_path
    assert region.synthetic is True
    assert region.incidents is None
    assert region.sites is not None
    assert len(region.places) == 3 and len(region.roads) == 4 and len(region.sites) == 2
    assert region.crossings is not None
    assert region.crossings["countries"].tolist() == ["THA;LAO", "THA;LAO"]
    assert region.crossings["hours"].tolist() == ["06:00-22:00", ""]
    assert region.roads.loc[0, "ref"] == "AH1"
    assert list(region.layers()) == ["places", "roads", "borders", "crossings", "flows", "sites"]


def test_read_region_geopackage(tiny_region: Any, tmp_path: Path) -> None:
    gpkg = tmp_path / "tiny.gpkg"
    for kind in ("places", "roads", "borders"):
        getattr(tiny_region, kind).to_file(gpkg, layer=kind, driver="GPKG")
    region = read_region(gpkg)
    assert region.flows is None and region.sites is None
    assert region.synthetic is False
    assert region.borders is not None and region.borders["country"].tolist() == ["THA", "LAO"]


def test_read_region_collects_problems_of_all_files(tmp_path: Path) -> None:
    (tmp_path / "places.csv").write_text((DATA / "malformed" / "places_swapped.csv").read_text())
    (tmp_path / "flows.csv").write_text(
        (DATA / "malformed" / "flows_negative_count.csv").read_text()
    )
    with pytest.raises(LayerError) as info:
        read_region(tmp_path)
    files = [p.file for p in info.value.problems]
    assert files == ["places.csv", "flows.csv", tmp_path.name]
    assert "required layer 'roads' is missing" in str(info.value)


def test_read_region_two_files_for_one_kind(tiny_region: Any, tmp_path: Path) -> None:
    _write_region(tiny_region, tmp_path, {})
    write_layer(tiny_region.places, tmp_path / "places.csv", kind="places")
    with pytest.raises(LayerError, match="2 files for the places layer"):
        read_region(tmp_path)


def test_cli_validates_a_region_folder(
    tiny_region: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write_region(tiny_region, tmp_path, {})
    assert main(["validate", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "region valid (3 places, 4 roads, 2 borders, 2 crossings, 1 flows, 2 sites)" in out


def test_cli_validate_json_valid(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(VALID / "places_utm47.gpkg"), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report == {
        "valid": True,
        "path": str(VALID / "places_utm47.gpkg"),
        "kind": "places",
        "rows": 5,
        "source_crs": "EPSG:32647",
        "crs": "EPSG:4326",
        "problems": [],
    }


def test_cli_text_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(VALID / "places.csv")]) == 0
    assert capsys.readouterr().out == "places.csv: 5 places valid (EPSG:4326)\n"


def test_cli_layers_markdown_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["layers", "--format", "markdown"]) == 0
    table = capsys.readouterr().out
    assert table.startswith("| layer | column | type | required |")
    n_fields = sum(len(s.fields) for s in SCHEMAS.values())
    assert table.count("\n") == 2 + len(SCHEMAS) + n_fields
    assert "| places | `place_type` | str | yes | city, village," in table
    assert main(["layers", "sites", "--format", "json"]) == 0
    (sites,) = json.loads(capsys.readouterr().out)
    assert sites["kind"] == "sites"
    risk = next(f for f in sites["fields"] if f["name"] == "risk")
    assert risk["allowed"] == ["critical", "high", "medium", "low"]
    assert main(["layers", "roads"]) == 0
    assert "maxspeed_kph" in capsys.readouterr().out
    assert main(["layers", "towns"]) == 2
    assert "unknown layer kind 'towns'" in capsys.readouterr().err


def test_public_api() -> None:
    for name in (
        "read_region",
        "Region",
        "validate",
        "write_layer",
        "import_layer",
        "read_osm_roads",
        "read_ctdc",
        *(f"read_{k}" for k in SCHEMAS),
    ):
        assert name in layers.__all__
        assert hasattr(layers, name)


def test_read_region_checks_links_between_layers(tiny_region: Any, tmp_path: Path) -> None:
    _write_region(tiny_region, tmp_path, {"flows": ".csv"})
    flows = tiny_region.flows.copy()
    flows.loc[0, "via"] = "bus;nowhere"
    extra = flows.iloc[[0]].assign(origin="Atlantis", via="")
    write_layer(pd.concat([flows, extra]), tmp_path / "flows.csv", kind="flows")
    sites = tiny_region.sites.copy()
    sites.loc[0, "crossing_id"] = "c9"
    write_layer(sites, tmp_path / "sites.geojson", kind="sites")
    with pytest.raises(LayerError) as info:
        read_region(tmp_path)
    found = [(p.file, p.row, p.column, p.value) for p in info.value.problems]
    assert found == [
        ("flows.csv", 3, "origin", "Atlantis"),
        ("flows.csv", 2, "via", "bus;nowhere"),
        ("sites.geojson", 1, "crossing_id", "c9"),
    ]


MEKONG = Path(__file__).parent.parent / "data" / "mekong"


@pytest.mark.skipif(not (MEKONG / "places.geojson").exists(), reason="demo region not built")
def test_bundled_mekong_region_is_valid() -> None:
    region = read_region(MEKONG)
    assert region.synthetic is True
    assert region.borders is not None
    assert set(region.borders["country"]) >= {"THA", "LAO", "KHM", "MMR", "VNM"}
    for kind, frame in region.layers().items():
        assert list(frame.columns)[: len(SCHEMAS[kind].columns)] == SCHEMAS[kind].columns
        if isinstance(frame, gpd.GeoDataFrame):
            assert frame.crs == "EPSG:4326"
            minx, miny, maxx, maxy = frame.total_bounds
            # Greater Mekong Subregion: roughly 92-110 E, 5-30 N
            assert 90 < minx < maxx < 111 and 4 < miny < maxy < 31
