"""Read the ``incidents`` layer: aggregated interceptions, rescues, arrests, reports."""

from __future__ import annotations

import geopandas as gpd

from layers._read import layer_reader

KIND = "incidents"

read_incidents = layer_reader(
    KIND, gpd.GeoDataFrame, module=__name__, example="data/mekong/incidents.csv", column="kind"
)
