"""``geotraf init``: a ready region from the bundled world geography, which validates,
builds and serves at once."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from geotraf.cli import main
from geotraf.init_region import init_region, world_layer
from layers import read_region

WEST_AFRICA = "NGA,BEN,TGO,GHA,CIV"


@pytest.fixture(scope="module")
def west_africa(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("wa") / "west-africa"
    assert main(["init", str(folder), "--countries", WEST_AFRICA]) == 0
    return folder


def test_the_world_geography_ships_small_with_the_package() -> None:
    files = list((Path(__file__).parents[1] / "geotraf" / "world").glob("*.parquet"))
    assert {f.name for f in files} == {"countries.parquet", "provinces.parquet", "towns.parquet"}
    assert sum(f.stat().st_size for f in files) <= 5 * 2**20
    assert {"NGA", "BEN", "TGO", "GHA", "CIV"} <= set(world_layer("countries")["country"])


def test_init_writes_a_valid_region_with_codes_ids_and_roles(west_africa: Path) -> None:
    region = read_region(west_africa)
    assert sorted(region.borders["country"]) == ["BEN", "CIV", "GHA", "NGA", "TGO"]
    places = region.places
    assert set(places["country"]) == {"BEN", "CIV", "GHA", "NGA", "TGO"}
    assert places["place_id"].is_unique
    assert places["place_id"].str.match(r"^(NG|BJ|TG|GH|CI)-[A-Z0-9]+-\d+$").all()
    assert places["admin1"].str.match(r"^(NG|BJ|TG|GH|CI)-\w+$").mean() > 0.95
    assert (places["population"] >= 15_000).all()
    lagos = places[places["name"] == "Lagos"].iloc[0]
    assert {"source", "destination"} <= set(lagos["role"].split(";"))
    aflao = places[places["name"] == "Aflao"].iloc[0]
    assert "transit" in aflao["role"].split(";")  # on the Togo border
    assert region.roads["schematic"].all()
    provinces = json.loads((west_africa / "provinces.geojson").read_text(encoding="utf-8"))
    codes = {f["properties"]["admin1"] for f in provinces["features"]}
    assert len(set(places["admin1"]) & codes) > 50  # towns and provinces share codes
    readme = (west_africa / "README.md").read_text(encoding="utf-8")
    assert "roads.osm.pbf" in readme and "crossings" in readme and "CTDC" in readme


def test_init_region_builds_and_reports(
    west_africa: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["build", "--region", str(west_africa), "--format", "json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["connected"] is True
    assert summary["unattached"] == []
    report = summary["build_report"]
    assert report["roads_in"] == report["roads_in_graph"]
    disagree = {row["place_id"]: row for row in report["country_disagreements"]}
    aflao = next(pid for pid in disagree if "-AFLAO-" in pid)
    assert disagree[aflao]["declared"] == "GHA" and disagree[aflao]["used"] == "TGO"


def test_the_dashboard_serves_the_new_region(west_africa: Path, tmp_path: Path) -> None:
    from dashboard.app import create_app
    from dashboard.auth import DEMO_ACCOUNTS, write_accounts
    from dashboard.data import region_view

    users = write_accounts(tmp_path / "users.toml", DEMO_ACCOUNTS)
    app = create_app(region=west_africa, users_file=users)
    client = app.server.test_client()
    assert client.get("/").status_code == 200
    layout = client.get("/_dash-layout").get_data(as_text=True)
    assert "Natural Earth (public domain); towns: GeoNames" in layout
    assert "region-attribution" in layout
    with app.server.app_context():  # the view's release is in the app's folder
        view = region_view(str(west_africa.resolve()))
    assert view is not None


def test_init_refuses_bad_codes_and_a_full_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init", str(tmp_path / "x"), "--countries", "NGA,Narnia"]) == 2
    assert "NARNIA is not an ISO 3166-1 alpha-3 code" in capsys.readouterr().err
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["init", str(tmp_path / "full"), "--countries", "GHA"]) == 2
    assert "is not empty" in capsys.readouterr().err
    counts = init_region(tmp_path / "small", ["TGO"], min_population=100_000)
    assert counts["borders"] == 1
    towns = pd.read_csv(tmp_path / "small" / "places.csv")
    assert (towns["population"] >= 100_000).all()
