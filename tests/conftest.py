"""Shared fixtures: tiny regions whose numbers can be checked by hand.

Every layer is built directly as a GeoDataFrame with the columns of ``layers.schema`` in
order (optional columns filled with their defaults), in EPSG:4326, near the equator so
that 0.01 degree is about 1.1 km.

``tiny_region`` (a :class:`layers.region.Region`) is two square countries side by side::

    lat 1 +---------------------+---------------------+
          |        THA          |         LAO         |
          |                     |   c2 (boat, 1.0,0.8) unused by any road
     0.5  |  dst j(0.5,0.5) ==r1 AH1 primary== x:c1 (1.0,0.5) ==r1== j(1.5,0.5) src
          |   |r3 secondary     |                     |  r4 secondary
     0.2  |  j(0.5,0.2) --r2 track-- informal (1.0,0.2) --r2-- j(1.5,0.2)
        0 +---------------------+---------------------+
         lon 0                  1                     2

- roads: ``r1`` AH1 primary (0.5,0.5)→(1.5,0.5) through the official crossing ``c1``
  (Friendship Bridge) at (1.0, 0.5); ``r2`` track (0.5,0.2)→(1.5,0.2) crossing where no
  crossing exists (→ informal node ``i:r2:1``); ``r3``/``r4`` secondary north-south
  links, one per country. Each east-west half is 0.5° of longitude ≈ 55.66 km.
- places: ``src`` (LAO, source) at (1.5, 0.51) and ``dst`` (THA, destination) at
  (0.5, 0.49), each 0.01° of latitude ≈ 1,105.7 m from its road node; ``bus`` (THA,
  transit bus station) at (0.5, 0.21).
- crossings: ``c1`` official road crossing THA;LAO on r1; ``c2`` a boat landing that no
  road reaches.
- flows: one synthetic flow src → dst (20 people, 2023).
- sites: one at ``c1``, one at the informal crossing point.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
from hypothesis import settings
from shapely.geometry import LineString, Point, box
from shapely.geometry.base import BaseGeometry

from layers.schema import CRS, SCHEMAS

LayerFactory = Callable[..., Any]

# Property tests judge what a function returns, never how fast: no per-example deadline
# (hypothesis's 200 ms default fails them on a loaded machine).
settings.register_profile("geotraf", deadline=None)
settings.load_profile("geotraf")


def make_layer(kind: str, records: list[dict[str, Any]]) -> gpd.GeoDataFrame | pd.DataFrame:
    """Return a layer frame with the schema's columns in order, defaults filled.

    Each record is a dict of column values, plus ``geometry`` for spatial layers.
    """
    schema = SCHEMAS[kind]
    data: dict[str, list[Any]] = {}
    for f in schema.fields:
        default = f.default
        if default is None and f.dtype == "str":
            default = ""
        data[f.name] = [r.get(f.name, default) for r in records]
    frame = pd.DataFrame(data)
    for f in schema.fields:
        if f.dtype == "bool":
            frame[f.name] = frame[f.name].astype(bool)
        elif f.dtype == "float":
            frame[f.name] = pd.to_numeric(frame[f.name], errors="coerce").astype("float64")
        elif f.dtype == "int":
            frame[f.name] = frame[f.name].astype("int64")
    if schema.geometry is None and not any("geometry" in r for r in records):
        return frame
    geoms: list[BaseGeometry | None] = [r.get("geometry") for r in records]
    return gpd.GeoDataFrame(frame, geometry=geoms, crs=CRS)


@pytest.fixture
def layer() -> LayerFactory:
    """``layer(kind, records)``: build a schema-shaped layer (see :func:`make_layer`)."""
    return make_layer


@pytest.fixture
def two_countries() -> gpd.GeoDataFrame:
    """Borders: THA = box(0, 0, 1, 1), LAO = box(1, 0, 2, 1), sharing the meridian lon 1."""
    return make_layer(
        "borders",
        [
            {"country": "THA", "name": "Thailand", "geometry": box(0, 0, 1, 1)},
            {"country": "LAO", "name": "Lao PDR", "geometry": box(1, 0, 2, 1)},
        ],
    )


@pytest.fixture
def tiny_roads() -> gpd.GeoDataFrame:
    """The four roads of ``tiny_region``."""
    return make_layer(
        "roads",
        [
            {
                "road_id": "r1",
                "name": "Friendship Highway",
                "ref": "AH1",
                "road_class": "primary",
                "geometry": LineString([(0.5, 0.5), (1.5, 0.5)]),
            },
            {
                "road_id": "r2",
                "name": "smugglers' track",
                "road_class": "track",
                "geometry": LineString([(0.5, 0.2), (1.5, 0.2)]),
            },
            {
                "road_id": "r3",
                "ref": "T3",
                "road_class": "secondary",
                "geometry": LineString([(0.5, 0.2), (0.5, 0.5)]),
            },
            {
                "road_id": "r4",
                "ref": "L4",
                "road_class": "secondary",
                "geometry": LineString([(1.5, 0.2), (1.5, 0.5)]),
            },
        ],
    )


@pytest.fixture
def tiny_crossings() -> gpd.GeoDataFrame:
    """``c1`` official road crossing on r1 at (1.0, 0.5); ``c2`` boat landing on no road."""
    return make_layer(
        "crossings",
        [
            {
                "crossing_id": "c1",
                "name": "Friendship Bridge",
                "countries": "THA;LAO",
                "status": "official",
                "hours": "06:00-22:00",
                "modes": "road",
                "geometry": Point(1.0, 0.5),
            },
            {
                "crossing_id": "c2",
                "name": "Boat landing",
                "countries": "THA;LAO",
                "status": "official",
                "modes": "boat",
                "geometry": Point(1.0, 0.8),
            },
        ],
    )


@pytest.fixture
def tiny_places() -> gpd.GeoDataFrame:
    """``src`` (LAO source), ``dst`` (THA destination), ``bus`` (THA transit)."""
    return make_layer(
        "places",
        [
            {
                "place_id": "src",
                "name": "Source town",
                "country": "LAO",
                "role": "source",
                "place_type": "city",
                "population": 50000,
                "geometry": Point(1.51, 0.5),
            },
            {
                "place_id": "dst",
                "name": "Destination city",
                "country": "THA",
                "role": "destination",
                "place_type": "city",
                "population": 400000,
                "geometry": Point(0.49, 0.5),
            },
            {
                "place_id": "bus",
                "name": "Border bus station",
                "country": "THA",
                "role": "transit",
                "place_type": "bus_station",
                "geometry": Point(0.49, 0.2),
            },
        ],
    )


@pytest.fixture
def tiny_flows() -> pd.DataFrame:
    """One synthetic flow ``src`` → ``dst``: 20 adult women, sexual exploitation, 2023."""
    return make_layer(
        "flows",
        [
            {
                "origin": "src",
                "destination": "dst",
                "year": 2023,
                "count": 20,
                "exploitation": "sexual",
                "sector": "entertainment_sex_industry",
                "sex": "female",
                "age_group": "adult",
                "mode": "road",
                "source": "test",
                "synthetic": True,
            }
        ],
    )


@pytest.fixture
def tiny_sites() -> gpd.GeoDataFrame:
    """Checkpoint candidates at the official crossing and at the informal crossing point."""
    return make_layer(
        "sites",
        [
            {
                "site_id": "s1",
                "name": "Friendship Bridge checkpoint",
                "site_type": "border_crossing",
                "crossing_id": "c1",
                "geometry": Point(1.0, 0.5),
            },
            {
                "site_id": "s2",
                "name": "Track crossing patrol",
                "site_type": "other",
                "geometry": Point(1.0, 0.2),
            },
        ],
    )


@pytest.fixture
def tiny_region(
    tiny_places: gpd.GeoDataFrame,
    tiny_roads: gpd.GeoDataFrame,
    two_countries: gpd.GeoDataFrame,
    tiny_crossings: gpd.GeoDataFrame,
    tiny_flows: pd.DataFrame,
    tiny_sites: gpd.GeoDataFrame,
) -> Any:
    """The whole two-country region as a :class:`layers.region.Region`."""
    from layers.region import Region

    return Region(
        places=tiny_places,
        roads=tiny_roads,
        borders=two_countries,
        crossings=tiny_crossings,
        flows=tiny_flows,
        incidents=None,
        sites=tiny_sites,
        path=None,
    )


@pytest.fixture(autouse=True, scope="session")
def _routing_kernels_loaded() -> None:
    """Compile (or load from numba's cache) the routing kernels once per test process,
    before any test: a fresh clone has no cache, and a live server's first page must not
    wait tens of seconds for the compiler."""
    from geotraf._warm import warm_up

    warm_up()


@pytest.fixture(autouse=True, scope="session")
def _release_instance(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Keep differentially private releases made outside an app out of the worktree.

    Code that runs without an app (the CLI, models called directly) stores releases in
    ``$GEOTRAF_INSTANCE/releases``; tests point it at a temporary folder unless set.
    """
    import os

    if os.environ.get("GEOTRAF_INSTANCE"):
        yield None
        return
    os.environ["GEOTRAF_INSTANCE"] = str(tmp_path_factory.mktemp("instance"))
    try:
        yield None
    finally:
        os.environ.pop("GEOTRAF_INSTANCE", None)
