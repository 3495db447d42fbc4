"""Fixtures for the Corridors and Planning tests: a tiny real region written to disk.

Two countries split at latitude 16: Lao PDR to the north, Thailand to the south. Two roads
join Vientiane (102, 18) to Bangkok (102, 14): ``AH1`` (trunk, 80 km/h) through the crossing
``X1`` at (101, 16) and ``AH2`` (secondary, 50 km/h) through ``X2`` at (103, 16). Both are
the same length, so every flow takes AH1 until X1 is closed.

Flows (people, hand-checkable; years 2020–2021, so loads per year are halves)::

    vte → bkk  2020  100  sexual              female adult  road
    vte → bkk  2021   60  forced_labour       male   adult  road
    vte → bkk  2021    6  begging             female child  road   (small: never shown)
    LAO → THA  2020   40  domestic_servitude  female adult  road   (country codes)

Total 206 people over 2 years = 103 people/year on every AH1 segment.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
from _dashboard_fixtures import callback_body, dump
from shapely.geometry import LineString, Point, box

__all__ = ["FLOWS", "dash_body", "dump", "write_region"]

#: The body of a Dash callback request (one helper for every dashboard test).
dash_body = callback_body

FLOWS: list[tuple[str, str, int, int, str, str, str]] = [
    ("vte", "bkk", 2020, 100, "sexual", "female", "adult"),
    ("vte", "bkk", 2021, 60, "forced_labour", "male", "adult"),
    ("vte", "bkk", 2021, 6, "begging", "female", "child"),
    ("LAO", "THA", 2020, 40, "domestic_servitude", "female", "adult"),
]


def write_region(
    folder: Path, *, flows: list[tuple[str, str, int, int, str, str, str]] | None = None
) -> Path:
    """Write the test region as GeoJSON/CSV files in ``folder``; return the folder.

    ``flows`` replaces :data:`FLOWS` (same columns).
    """
    folder.mkdir(parents=True, exist_ok=True)
    crs = "EPSG:4326"
    gpd.GeoDataFrame(
        {"country": ["LAO", "THA"], "name": ["Lao PDR", "Thailand"]},
        geometry=[box(100, 16, 104, 20), box(100, 12, 104, 16)],
        crs=crs,
    ).to_file(folder / "borders.geojson")
    gpd.GeoDataFrame(
        {
            "place_id": ["vte", "bkk"],
            "name": ["Vientiane", "Bangkok"],
            "country": ["LAO", "THA"],
            "role": ["source", "destination"],
            "place_type": ["city", "city"],
            "population": [900_000, 8_000_000],
        },
        geometry=[Point(102.0, 18.0), Point(102.0, 14.0)],
        crs=crs,
    ).to_file(folder / "places.geojson")
    gpd.GeoDataFrame(
        {
            "road_id": ["ah1", "ah2"],
            "name": ["Western road", "Eastern road"],
            "ref": ["AH1", "AH2"],
            "road_class": ["trunk", "secondary"],
        },
        geometry=[
            LineString([(102.0, 18.0), (101.0, 16.0), (102.0, 14.0)]),
            LineString([(102.0, 18.0), (103.0, 16.0), (102.0, 14.0)]),
        ],
        crs=crs,
    ).to_file(folder / "roads.geojson")
    gpd.GeoDataFrame(
        {
            "crossing_id": ["X1", "X2"],
            "name": ["North Bridge", "South Ford"],
            "countries": ["LAO;THA", "LAO;THA"],
            "status": ["official", "official"],
        },
        geometry=[Point(101.0, 16.0), Point(103.0, 16.0)],
        crs=crs,
    ).to_file(folder / "crossings.geojson")
    gpd.GeoDataFrame(
        {
            "site_id": ["S1", "S2", "S3"],
            "name": ["North Bridge post", "South Ford post", "AH2 truck stop"],
            "site_type": ["border_crossing", "border_crossing", "truck_stop"],
            "cost": [1.0, 1.0, 1.0],
            "crossing_id": ["X1", "X2", ""],
        },
        geometry=[Point(101.0, 16.0), Point(103.0, 16.0), Point(102.5, 15.0)],
        crs=crs,
    ).to_file(folder / "sites.geojson")
    gpd.GeoDataFrame(
        {
            "date": ["2021-03-01", "2021-05-01"],
            "kind": ["interception", "report"],
            "count": [12, 20],
        },
        geometry=[Point(101.0, 16.0), Point(101.01, 16.01)],
        crs=crs,
    ).to_file(folder / "incidents.geojson")
    pd.DataFrame(
        FLOWS if flows is None else flows,
        columns=["origin", "destination", "year", "count", "exploitation", "sex", "age_group"],
    ).assign(mode="road", sector="unknown", synthetic=True).to_csv(
        folder / "flows.csv", index=False
    )
    return folder
