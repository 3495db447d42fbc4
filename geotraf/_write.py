"""Write result tables (hotspots, corridors, plans) atomically as CSV, GeoJSON or GeoPackage.

``layers.io.write_layer`` validates against a *layer* schema; results are not layers, so
they are written here with the same rule (:func:`layers.io.atomic_write`): a temporary
file in the target folder moved over the target, so a reader never sees half a file.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geotraf.errors import GeotrafError
from layers.io import atomic_write

#: Extension → pyogrio driver (``None``: plain CSV with lon/lat columns for points).
FORMATS: dict[str, str | None] = {".csv": None, ".geojson": "GeoJSON", ".gpkg": "GPKG"}


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """Tuples and lists become ``;``-separated strings (every format can hold them)."""
    out = frame.copy()
    for col in out.columns:
        if col == "geometry" or out[col].dtype != object:
            continue
        if out[col].map(lambda v: isinstance(v, tuple | list)).any():
            out[col] = out[col].map(
                lambda v: ";".join(map(str, v)) if isinstance(v, tuple | list) else v
            )
    return out


def write_table(frame: pd.DataFrame, path: str | os.PathLike[str], *, layer: str) -> Path:
    """Write ``frame`` to ``path`` (.csv, .geojson or .gpkg) atomically.

    Parameters
    ----------
    frame
        A (Geo)DataFrame; CSV writes point geometry as ``lon``/``lat`` and other
        geometry as WKT.
    path
        Target file; its extension picks the format.
    layer
        Layer name inside a GeoPackage.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> out = write_table(pd.DataFrame({"a": [(1, 2)]}), tempfile.mkdtemp() + "/t.csv",
    ...                   layer="t")
    >>> out.read_text().splitlines()
    ['a', '1;2']
    """
    target = Path(path)
    ext = target.suffix.lower()
    if ext not in FORMATS:
        raise GeotrafError(f"cannot write {target.name}: use a .csv, .geojson or .gpkg file name")
    flat = _flat(frame)

    def write(tmp: Path) -> None:
        if ext == ".csv":
            table = pd.DataFrame(flat)
            if isinstance(flat, gpd.GeoDataFrame) and flat.geometry.name in flat.columns:
                geom = flat.geometry
                table = pd.DataFrame(flat.drop(columns=flat.geometry.name))
                if len(geom) and (geom.geom_type == "Point").all():
                    table["lon"], table["lat"] = geom.x.to_numpy(), geom.y.to_numpy()
                else:
                    table["geometry"] = geom.to_wkt()
            table.to_csv(tmp, index=False)
        else:
            if not isinstance(flat, gpd.GeoDataFrame):
                raise GeotrafError(f"{target.name}: only results with geometry go to {ext}")
            flat.to_file(tmp, driver=FORMATS[ext], layer=layer, engine="pyogrio")

    atomic_write(target, write)
    return target
