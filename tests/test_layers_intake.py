"""Real OSM extracts and the CTDC export through every entry point: ``geotraf validate``,
a region folder, :func:`layers.import_layer` (what the dashboard upload calls) and
:func:`layers.read_layer`, with the summary of what was aggregated and dropped."""

from __future__ import annotations

import bz2
import json
import shutil
from pathlib import Path
from typing import Any

import osmium
import pytest

from geotraf.cli import main
from layers import import_layer, read_region
from layers._read import read_layer

DATA = Path(__file__).parent / "data"
PBF = DATA / "osm" / "test.osm.pbf"
CTDC = DATA / "ctdc" / "ctdc_sample.csv"

#: Two real places in the Kouvola extract (coordinates from the file's area, rounded).
KOUVOLA_PLACES = (
    "place_id,name,country,role,place_type,lon,lat\n"
    "kv-n,Kouvola north,FIN,source,city,26.945,60.537\n"
    "kv-s,Kouvola south,FIN,destination,city,26.955,60.523\n"
)


@pytest.fixture(scope="module")
def osm_copies(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The bundled PBF re-written as OSM XML and as bzip2-compressed XML by pyosmium."""
    folder = tmp_path_factory.mktemp("osm")
    xml = folder / "kouvola.osm"
    with osmium.SimpleWriter(str(xml)) as writer:
        for obj in osmium.FileProcessor(str(PBF)):
            writer.add(obj)
    packed = folder / "kouvola.osm.bz2"
    packed.write_bytes(bz2.compress(xml.read_bytes()))
    return {"pbf": PBF, "xml": xml, "bz2": packed}


@pytest.mark.parametrize("form", ["pbf", "xml", "bz2"])
def test_validate_reads_every_osm_form_with_a_summary(
    form: str, osm_copies: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(osm_copies[form])]) == 0
    out = capsys.readouterr().out
    assert ": 222 roads valid (EPSG:4326)" in out
    assert "29 roads cut by the extract boundary, kept as far as they go" in out
    assert "10 fewer than two nodes inside the extract" in out
    assert "81 highway=cycleway" in out


def test_validate_json_reports_the_intake(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(PBF), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["kind"] == "roads" and report["rows"] == 222
    assert report["intake"]["cut"] == 29
    assert report["intake"]["dropped"]["highway=footway"] == 30


@pytest.mark.parametrize("name", ["roads.osm.pbf", "roads.pbf"])
def test_region_folder_with_an_osm_roads_file(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(PBF, tmp_path / name)
    (tmp_path / "places.csv").write_text(KOUVOLA_PLACES, encoding="utf-8")
    region = read_region(tmp_path)
    assert len(region.roads) == 222
    assert main(["validate", str(tmp_path)]) == 0
    assert "region valid (2 places, 222 roads)" in capsys.readouterr().out


def test_region_builds_from_osm_and_ctdc(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(PBF, tmp_path / "roads.osm.pbf")
    shutil.copy(CTDC, tmp_path / "flows.csv")
    (tmp_path / "places.csv").write_text(KOUVOLA_PLACES, encoding="utf-8")
    region = read_region(tmp_path)
    assert region.flows is not None and region.flows["source"].eq("CTDC").all()
    assert int(region.flows["count"].sum()) == 25
    out = tmp_path / "graph.gpkg"
    assert main(["build", "--region", str(tmp_path), "--out", str(out)]) == 0
    assert out.exists()


def test_ctdc_is_recognised_by_its_header(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(CTDC)]) == 0
    out = capsys.readouterr().out
    assert "ctdc_sample.csv: 11 flows valid (no geometry)" in out
    assert "25 records aggregated into 11 flows" in out
    assert "1 unknown year" in out and "2 unknown citizenship" in out


def test_ctdc_upload_installs_aggregated_flows(tmp_path: Path) -> None:
    dest = import_layer(CTDC, tmp_path / "region", kind="flows")
    flows = read_layer(dest, "flows")
    assert int(flows["count"].sum()) == 25
    assert set(flows["source"]) == {"CTDC"}
    assert {"citizenship", "gender"}.isdisjoint(flows.columns)  # never person rows


def test_osm_upload_installs_roads(tmp_path: Path) -> None:
    dest = import_layer(PBF, tmp_path / "region", kind="roads")
    assert dest.name == "roads.gpkg"
    assert len(read_layer(dest, "roads")) == 222


def test_osm_file_for_another_layer_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(PBF), "--layer", "places"]) == 2
    err = capsys.readouterr().err
    assert "is an OpenStreetMap extract, which gives the roads (or sites) layer, not places" in err


def test_osm_nodes_give_sites(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(PBF), "--layer", "sites"]) == 0
    assert "test.osm.pbf: 2 sites valid (EPSG:4326)" in capsys.readouterr().out
    sites = read_layer(PBF, "sites")
    assert sites["site_id"].str.match(r"^osm-n\d+$").all()
    assert set(sites["site_type"]) == {"petrol_station"}


def _upload(path: Path, name: str, kind: str, tmp: Path) -> Any:
    import base64

    from dashboard.uploads import install_upload

    contents = (
        "data:application/octet-stream;base64," + base64.b64encode(path.read_bytes()).decode()
    )
    return install_upload(
        contents, name, kind=kind, workspace=tmp / "ws", user="analyst", bundled=tmp / "bundled"
    )


def test_dashboard_upload_takes_ctdc_and_osm(tmp_path: Path) -> None:
    (tmp_path / "bundled").mkdir()
    report = _upload(CTDC, "CTDC_global.csv", "flows", tmp_path)
    assert report.ok, report
    flows = read_layer(Path(report.path), "flows")
    assert int(flows["count"].sum()) == 25
    report = _upload(PBF, "kouvola.osm.pbf", "roads", tmp_path)
    assert report.ok, report
    assert len(read_layer(Path(report.path), "roads")) == 222


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("places_binary.geojson", "places", "is binary data, not GeoJSON text"),
        ("places_no_layers.gpkg", "places", "is a GeoPackage with no layers"),
        ("roads_corrupt.osm.pbf", "roads", "is not a readable OpenStreetMap file"),
        ("places_truncated.geojson", "places", "is not complete JSON"),
    ],
)
def test_upload_errors_show_no_server_path_nor_gdal_text(
    name: str, kind: str, expected: str, tmp_path: Path
) -> None:
    (tmp_path / "bundled").mkdir()
    report = _upload(DATA / "malformed" / name, name, kind, tmp_path)
    assert not report.ok
    text = json.dumps([report.message, report.problems])
    assert expected in text
    assert str(tmp_path) not in text and "uploads/" not in text
    assert "<DRIVER>" not in text and "not recognized as" not in text
