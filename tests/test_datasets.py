"""The bundled ``mekong`` demo region: found by name, schema-shaped, real-shaped, synthetic.

Files are read with plain geopandas/pyogrio so these tests do not depend on the layer
readers; every check is independent of the script that wrote the data.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
import shapely.ops

from geotraf import datasets
from geotraf.errors import GeotrafError
from layers import schema

GEOD = pyproj.Geod(ellps="WGS84")
GEO_KINDS = ("places", "roads", "borders", "crossings", "incidents", "sites")


@pytest.fixture(scope="module")
def region() -> Path:
    return datasets.get_path("mekong")


@pytest.fixture(scope="module")
def layers(region: Path) -> dict[str, gpd.GeoDataFrame]:
    return {k: gpd.read_file(region / f"{k}.geojson", engine="pyogrio") for k in GEO_KINDS}


@pytest.fixture(scope="module")
def flows(region: Path) -> pd.DataFrame:
    return pd.read_csv(region / "flows.csv", keep_default_na=False)


def _split(value: str) -> list[str]:
    return [v for v in str(value).split(";") if v]


def test_get_path_finds_the_bundled_folder(region: Path) -> None:
    assert region.name == "mekong"
    assert (region / "SOURCES.md").is_file()
    assert datasets.resolve_region("mekong") == region
    assert datasets.resolve_region(region) == region


def test_unknown_dataset_name_is_a_user_error() -> None:
    with pytest.raises(GeotrafError, match="available: mekong"):
        datasets.get_path("atlantis")


@pytest.mark.parametrize("kind", GEO_KINDS)
def test_geo_layers_have_schema_columns_crs_and_valid_geometry(
    layers: dict[str, gpd.GeoDataFrame], kind: str
) -> None:
    gdf = layers[kind]
    spec = schema.schema_for(kind)
    assert [c for c in gdf.columns if c != "geometry"] == spec.columns
    assert gdf.crs is not None and gdf.crs.to_epsg() == 4326
    assert len(gdf) > 0
    assert gdf.geometry.is_valid.all()
    assert spec.geometry is not None
    assert set(gdf.geom_type) <= set(spec.geometry)
    if spec.id_field:
        assert gdf[spec.id_field].is_unique


@pytest.mark.parametrize("kind", GEO_KINDS)
def test_coordinates_are_rounded_to_five_decimals(
    layers: dict[str, gpd.GeoDataFrame], kind: str
) -> None:
    xy = shapely.get_coordinates(layers[kind].geometry.values)
    assert np.abs(xy - np.round(xy, 5)).max() < 1e-9


def test_flows_have_schema_columns_and_allowed_values(flows: pd.DataFrame) -> None:
    assert list(flows.columns) == schema.FLOWS.columns
    for col in ("exploitation", "sector", "sex", "age_group", "mode"):
        allowed = schema.FLOWS.field(col).allowed
        assert allowed is not None
        assert set(flows[col]) <= set(allowed), col
    assert set(flows["year"]) == set(range(2018, 2025))
    assert (flows["count"] >= 1).all()
    # Children are under 18: their raw bands end at 17 or below.
    assert set(flows.loc[flows["age_group"] == "child", "age_band"]) <= {"0--8", "9--17"}


def test_extra_polygon_files(region: Path) -> None:
    prov = gpd.read_file(region / "provinces.geojson")
    ctx = gpd.read_file(region / "context.geojson")
    assert [c for c in prov.columns if c != "geometry"] == ["admin1", "name", "country"]
    assert [c for c in ctx.columns if c != "geometry"] == ["country", "name"]
    assert prov["admin1"].is_unique
    assert prov["admin1"].str.match(r"^[A-Z]{2}-[A-Z0-9]{1,3}$").all()
    assert {"TH-10", "KH-12", "LA-VT", "VN-SG", "MM-06", "CN-YN"} <= set(prov["admin1"])
    assert {"IND", "BGD", "MYS", "CHN"} <= set(ctx["country"])
    assert prov.geometry.is_valid.all() and ctx.geometry.is_valid.all()


def test_borders_are_the_five_countries_and_yunnan(layers: dict[str, gpd.GeoDataFrame]) -> None:
    borders = layers["borders"]
    assert sorted(borders["country"]) == ["CHN", "KHM", "LAO", "MMR", "THA", "VNM"]
    assert borders.set_index("country").loc["CHN", "name"] == "China (Yunnan)"
    # Yunnan is about 394,000 km2; the whole of China would be 24 times larger.
    yunnan = borders.loc[borders["country"] == "CHN"]
    area_km2 = abs(GEOD.geometry_area_perimeter(yunnan.geometry.iloc[0])[0]) / 1e6
    assert 350_000 < area_km2 < 440_000


def test_at_least_150_towns_from_5_countries(layers: dict[str, gpd.GeoDataFrame]) -> None:
    places = layers["places"]
    towns = places[places["place_type"] == "city"]
    assert len(towns) >= 150
    assert towns["country"].nunique() >= 5
    for roles in places["role"]:
        assert _split(roles) and set(_split(roles)) <= set(schema.ROLES)
    bangkok = places[places["name"] == "Bangkok"].iloc[0]
    assert "destination" in _split(bangkok["role"])
    assert abs(bangkok.geometry.x - 100.50) < 0.05 and abs(bangkok.geometry.y - 13.75) < 0.05


def test_place_admin1_codes_exist_in_provinces(
    region: Path, layers: dict[str, gpd.GeoDataFrame]
) -> None:
    prov = gpd.read_file(region / "provinces.geojson")
    assert set(layers["places"]["admin1"]) <= set(prov["admin1"])


def test_crossings_official_and_informal(layers: dict[str, gpd.GeoDataFrame]) -> None:
    crossings = layers["crossings"]
    official = crossings[crossings["status"] == "official"]
    assert len(official) >= 12
    assert (crossings["status"] == "informal").sum() >= 4
    for pair in crossings["countries"]:
        assert len(_split(pair)) == 2
    names = " ".join(official["name"])
    for town in ("Mae Sot", "Poipet", "Moc Bai", "Lao Bao", "Boten", "Hekou", "Muse"):
        assert town in names


def test_roads_at_least_2000_km_geodesic(layers: dict[str, gpd.GeoDataFrame]) -> None:
    km = sum(GEOD.geometry_length(g) for g in layers["roads"].geometry) / 1000
    assert km >= 2000
    refs = set(layers["roads"]["ref"])
    assert {"AH1", "AH2", "AH3", "AH12", "AH13", "AH15", "AH16"} <= refs
    assert layers["roads"]["schematic"].all()


def test_roads_form_one_connected_network(layers: dict[str, gpd.GeoDataFrame]) -> None:
    parent: dict[tuple[float, float], tuple[float, float]] = {}

    def find(p: tuple[float, float]) -> tuple[float, float]:
        while parent.setdefault(p, p) != p:
            p = parent[p]
        return p

    for geom in layers["roads"].geometry:
        xy = shapely.get_coordinates(geom)
        a = find((float(xy[0][0]), float(xy[0][1])))
        b = find((float(xy[-1][0]), float(xy[-1][1])))
        parent[a] = b
    roots = {find(p) for p in list(parent)}
    assert len(roots) == 1


def test_road_pieces_meet_only_at_their_ends(layers: dict[str, gpd.GeoDataFrame]) -> None:
    # Schematic lines that crossed mid-piece would make false junctions in the graph.
    geoms = list(layers["roads"].geometry)
    tree = shapely.STRtree(geoms)
    false_junctions = []
    for i, g in enumerate(geoms):
        ends_i = {tuple(c) for c in shapely.get_coordinates(g)[[0, -1]]}
        for j in tree.query(g):
            if j <= i:
                continue
            ends = ends_i | {tuple(c) for c in shapely.get_coordinates(geoms[j])[[0, -1]]}
            for xy in shapely.get_coordinates(g.intersection(geoms[j])):
                if tuple(xy) not in ends:
                    false_junctions.append((i, int(j)))
    assert false_junctions == []


def test_every_land_boundary_crossing_is_near_a_crossing_point(
    layers: dict[str, gpd.GeoDataFrame],
) -> None:
    borders = layers["borders"].reset_index(drop=True)
    shared = []
    for i in range(len(borders)):
        for j in range(i + 1, len(borders)):
            line = shapely.intersection(
                borders.geometry.iloc[i].boundary, borders.geometry.iloc[j].boundary
            )
            if not line.is_empty and line.length > 0:
                shared.append(line)
    assert len(shared) >= 8  # TH-MM, TH-LA, TH-KH, LA-KH, LA-VN, KH-VN, LA-CN, VN-CN, MM-CN...
    boundary = shapely.union_all(shared)
    xs = layers["crossings"].geometry.x.to_numpy()
    ys = layers["crossings"].geometry.y.to_numpy()
    far = []
    n_hits = 0
    for road in layers["roads"].itertuples():
        hit = road.geometry.intersection(boundary)
        for lon, lat in shapely.get_coordinates(hit):
            n_hits += 1
            d = GEOD.inv(np.full_like(xs, lon), np.full_like(ys, lat), xs, ys)[2].min()
            if d > 5_000:
                far.append((road.road_id, round(lon, 4), round(lat, 4), round(d)))
    assert n_hits >= 20
    assert far == []


def test_official_crossings_lie_on_the_boundary(layers: dict[str, gpd.GeoDataFrame]) -> None:
    borders = layers["borders"].set_index("country")
    for x in layers["crossings"].itertuples():
        if x.modes == "boat":  # the Ranong-Kawthaung boats cross an estuary
            continue
        a, b = _split(x.countries)
        line = borders.loc[a].geometry.boundary.intersection(borders.loc[b].geometry.boundary)
        assert x.geometry.distance(line) < 0.02, x.crossing_id  # ~2 km


def test_flows_are_synthetic_between_known_places_with_roles(
    flows: pd.DataFrame, layers: dict[str, gpd.GeoDataFrame]
) -> None:
    assert 2000 <= len(flows) <= 8000
    assert (flows["synthetic"].astype(str).str.lower() == "true").all()
    assert (flows["source"] == "geotraf synthetic demo").all()
    roles = layers["places"].set_index("place_id")["role"].map(_split)
    assert set(flows["origin"]) <= set(roles.index)
    assert set(flows["destination"]) <= set(roles.index)
    assert all("source" in roles[o] for o in flows["origin"].unique())
    assert all("destination" in roles[d] for d in flows["destination"].unique())
    vias = {v for cell in flows["via"] for v in _split(cell)}
    assert vias and all("transit" in roles[v] for v in vias)
    assert (flows["count"] < 11).mean() > 0.3  # suppression has work to do
    assert (flows["mode"] == "road").mean() > 0.8
    assert (flows["age_group"] == "child").any()


def test_flows_follow_the_domain_shape(
    flows: pd.DataFrame, layers: dict[str, gpd.GeoDataFrame]
) -> None:
    country = layers["places"].set_index("place_id")["country"]
    dest = flows.groupby(flows["destination"].map(country))["count"].sum()
    assert dest.idxmax() == "THA"  # Thailand the main destination
    into_tha = flows[flows["destination"].map(country) == "THA"]
    by_origin = into_tha.groupby(into_tha["origin"].map(country))["count"].sum()
    assert {"LAO", "KHM", "MMR"} <= set(by_origin.index)
    marriage = flows[flows["exploitation"] == "forced_marriage"]
    assert set(marriage["destination"].map(country)) == {"CHN"}
    by_year = flows.groupby("year")["count"].sum()
    assert by_year[2021] < by_year[2019] < by_year[2024]  # closures, then recovery


def test_incidents_are_synthetic_and_dated(layers: dict[str, gpd.GeoDataFrame]) -> None:
    inc = layers["incidents"]
    assert 200 <= len(inc) <= 400
    assert inc["synthetic"].all()
    assert set(inc["kind"]) <= set(schema.INCIDENT_KINDS)
    years = pd.to_datetime(inc["date"]).dt.year
    assert years.min() >= 2018 and years.max() <= 2024


def test_sites_cover_crossings_and_sit_on_roads(layers: dict[str, gpd.GeoDataFrame]) -> None:
    sites = layers["sites"]
    assert 60 <= len(sites) <= 150
    assert set(sites["site_type"]) <= set(schema.PLACE_TYPES)
    assert set(sites["risk"]) <= set(schema.RISK_LEVELS)
    watched = set(sites["crossing_id"]) - {""}
    assert watched == set(layers["crossings"]["crossing_id"])
    roadside = sites[sites["site_type"].isin(["truck_stop", "petrol_station", "motel"])]
    assert len(roadside) >= 10
    net = shapely.union_all(layers["roads"].geometry.values)
    for site in roadside.geometry:
        on_road = shapely.ops.nearest_points(net, site)[0]
        assert GEOD.inv(site.x, site.y, on_road.x, on_road.y)[2] < 1_000


def test_total_size_under_15_mb(region: Path) -> None:
    size = sum(p.stat().st_size for p in region.iterdir() if p.is_file())
    assert size < 15e6
