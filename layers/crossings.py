"""Read the ``crossings`` layer: official and informal border crossing points."""

from __future__ import annotations

import geopandas as gpd

from layers._read import layer_reader

KIND = "crossings"

read_crossings = layer_reader(
    KIND,
    gpd.GeoDataFrame,
    module=__name__,
    example="data/mekong/crossings.csv",
    column="crossing_id",
)
