"""Read the ``incidents`` layer: aggregated interceptions, rescues, arrests, reports."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from layers._read import read_layer

KIND = "incidents"


def read_incidents(
    path: str | Path, *, crs: object = None, layer: str | None = None, repair: bool = False
) -> gpd.GeoDataFrame:
    """Read, validate and normalise a incidents layer file.

    Parameters
    ----------
    path
        GeoPackage (layer ``incidents`` by default), GeoJSON, Shapefile, GeoParquet,
        FlatGeobuf or CSV with lon/lat columns (EPSG:4326 unless ``crs`` is given).
    crs
        CRS of the coordinates when the file has none (or a wrong one), e.g. ``"EPSG:32647"``.
    layer
        Layer to read from a multi-layer file.
    repair
        Repair invalid geometries with ``shapely.make_valid`` instead of rejecting them.

    Returns
    -------
    GeoDataFrame
        The schema's columns in order (:data:`layers.schema.INCIDENTS`) and
        ``geometry`` in EPSG:4326, index reset.

    Raises
    ------
    LayerError
        Listing every problem with its file, row, column, value and fix.

    Examples
    --------
    >>> incidents = read_incidents("data/mekong/incidents.csv")  # doctest: +SKIP
    >>> incidents["kind"].head()  # doctest: +SKIP
    """
    out = read_layer(path, KIND, crs=crs, layer=layer, repair=repair)
    assert isinstance(out, gpd.GeoDataFrame)
    return out
