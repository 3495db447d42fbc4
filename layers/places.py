"""Read the ``places`` layer: where people are recruited, moved through or exploited."""

from __future__ import annotations

import geopandas as gpd

from layers._read import layer_reader

KIND = "places"

read_places = layer_reader(
    KIND, gpd.GeoDataFrame, module=__name__, example="data/mekong/places.geojson", column="place_id"
)
