"""Read the ``roads`` layer: the road, ferry and rail links the route graph is built from."""

from __future__ import annotations

import geopandas as gpd

from layers._read import layer_reader

KIND = "roads"

read_roads = layer_reader(
    KIND, gpd.GeoDataFrame, module=__name__, example="data/mekong/roads.gpkg", column="road_id"
)
