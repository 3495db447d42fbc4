"""Read the ``roads`` layer: the road, ferry and rail links the route graph is built from."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from layers._read import read_layer

KIND = "roads"


def read_roads(
    path: str | Path, *, crs: object = None, layer: str | None = None, repair: bool = False
) -> gpd.GeoDataFrame:
    """Read, validate and normalise a roads layer file.

    Parameters
    ----------
    path
        GeoPackage (layer ``roads`` by default), GeoJSON, Shapefile, GeoParquet,
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
        The schema's columns in order (:data:`layers.schema.ROADS`) and
        ``geometry`` in EPSG:4326, index reset.

    Raises
    ------
    LayerError
        Listing every problem with its file, row, column, value and fix.

    Examples
    --------
    >>> roads = read_roads("data/mekong/roads.gpkg")  # doctest: +SKIP
    >>> roads["road_id"].head()  # doctest: +SKIP
    """
    out = read_layer(path, KIND, crs=crs, layer=layer, repair=repair)
    assert isinstance(out, gpd.GeoDataFrame)
    return out
