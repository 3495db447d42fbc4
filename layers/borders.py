"""Read the ``borders`` layer: country polygons; land boundaries are derived from them."""

from __future__ import annotations

import geopandas as gpd

from layers._read import layer_reader

KIND = "borders"

read_borders = layer_reader(
    KIND, gpd.GeoDataFrame, module=__name__, example="data/mekong/borders.gpkg", column="country"
)
