"""Read the ``flows`` layer: aggregated movements (counts, never persons)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from layers._read import read_layer

KIND = "flows"


def read_flows(
    path: str | Path, *, crs: object = None, layer: str | None = None, repair: bool = False
) -> gpd.GeoDataFrame | pd.DataFrame:
    """Read, validate and normalise a flows layer file.

    Parameters
    ----------
    path
        GeoPackage (layer ``flows`` by default), GeoJSON, Shapefile, GeoParquet,
        FlatGeobuf or CSV (no coordinates needed).
    crs
        CRS of the coordinates when the file has none (or a wrong one), e.g. ``"EPSG:32647"``.
    layer
        Layer to read from a multi-layer file.
    repair
        Repair invalid geometries with ``shapely.make_valid`` instead of rejecting them.

    Returns
    -------
    GeoDataFrame or DataFrame
        The schema's columns in order (:data:`layers.schema.FLOWS`); a plain DataFrame
        when the file has no geometry, else LineStrings in EPSG:4326.

    Raises
    ------
    LayerError
        Listing every problem with its file, row, column, value and fix.

    Examples
    --------
    >>> flows = read_flows("data/mekong/flows.csv")  # doctest: +SKIP
    >>> flows["origin"].head()  # doctest: +SKIP
    """
    return read_layer(path, KIND, crs=crs, layer=layer, repair=repair)
