"""Read the ``sites`` layer: candidate checkpoint sites."""

from __future__ import annotations

import geopandas as gpd

from layers._read import layer_reader

KIND = "sites"

read_sites = layer_reader(
    KIND, gpd.GeoDataFrame, module=__name__, example="data/mekong/sites.csv", column="site_id"
)
