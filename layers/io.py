"""Write layers atomically, and import a user's file into a region folder.

A reader never sees a half-written layer: every write goes to a hidden temporary file in
the destination folder and is moved over the target with :func:`os.replace` (atomic on
one file system). An import validates first, so a bad file never replaces a good one.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from layers._formats import kind_stem, supported
from layers._read import file_error, read_layer
from layers._validate import validate
from layers.schema import schema_for

#: Extension → how :func:`write_layer` writes it.
WRITE_FORMATS: dict[str, str] = {
    ".gpkg": "GPKG",
    ".parquet": "GeoParquet",
    ".geoparquet": "GeoParquet",
    ".geojson": "GeoJSON",
    ".csv": "CSV",
}


def write_layer(frame: pd.DataFrame, path: str | Path, *, kind: str) -> Path:
    """Validate ``frame`` as layer ``kind`` and write it atomically to ``path``.

    The format follows the extension: ``.gpkg`` (layer named ``kind``), ``.parquet``
    (GeoParquet), ``.geojson`` or ``.csv`` (points as ``lon``/``lat``, other geometry as
    WKT in ``geometry``). Dates are written as ``YYYY-MM-DD``.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    LayerError
        When ``frame`` does not validate or the extension is not writable; nothing is
        written then.

    Examples
    --------
    >>> write_layer(places, "out/places.gpkg", kind="places")  # doctest: +SKIP
    PosixPath('out/places.gpkg')
    """
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in WRITE_FORMATS:
        raise file_error(
            path.name,
            f"cannot write {ext or '(no extension)'!r} files",
            f"use one of {', '.join(sorted(WRITE_FORMATS))}",
            kind=kind,
        )
    clean = validate(frame, kind, source=path.name)
    return atomic_write(path, lambda tmp: _write(clean, tmp, fmt=WRITE_FORMATS[ext], kind=kind))


def atomic_write(path: str | os.PathLike[str], write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp)`` on a hidden temporary sibling of ``path``, then move it into place.

    The temporary file keeps ``path``'s extension, lower-cased (drivers pick the format by
    it), and does not exist when ``write`` is called (GDAL drivers want to create it
    themselves). Missing folders are created; when ``write`` fails, ``path`` is left as it
    was and the temporary file is removed.

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "sub" / "note.txt"
    >>> atomic_write(target, lambda tmp: tmp.write_text("done")).read_text()
    'done'
    >>> [p.name for p in target.parent.iterdir()]
    ['note.txt']
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.stem}.{uuid.uuid4().hex}.tmp{path.suffix.lower()}"
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _dates_as_text(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    out = frame.copy()
    for fld in schema_for(kind).fields:
        if fld.dtype == "date":
            out[fld.name] = out[fld.name].dt.strftime("%Y-%m-%d")
    return out


def _write(frame: pd.DataFrame, tmp: Path, *, fmt: str, kind: str) -> None:
    if fmt == "GeoParquet":
        frame.to_parquet(tmp, index=False)
        return
    frame = _dates_as_text(frame, kind)
    if fmt == "CSV":
        _to_table(frame).to_csv(tmp, index=False, lineterminator="\n")
        return
    if isinstance(frame, gpd.GeoDataFrame):
        pyogrio.write_dataframe(frame, tmp, layer=kind, driver=fmt)
    else:
        # GDAL writes attribute-only tables to GeoPackage and GeoJSON (null geometries).
        pyogrio.write_dataframe(
            gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([None] * len(frame)), crs="EPSG:4326"),
            tmp,
            layer=kind,
            driver=fmt,
        )


def _to_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a plain table: points as lon/lat, other geometry as WKT, none for tables."""
    if not isinstance(frame, gpd.GeoDataFrame):
        return pd.DataFrame(frame)
    table = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    geoms = frame.geometry
    if (geoms.geom_type == "Point").all():
        table["lon"] = geoms.x.round(7)
        table["lat"] = geoms.y.round(7)
    else:
        table["geometry"] = shapely.to_wkt(geoms.array, rounding_precision=7)
    return table


def import_layer(
    src: str | Path,
    dest_dir: str | Path,
    *,
    kind: str,
    crs: object = None,
    repair: bool = False,
) -> Path:
    """Validate ``src`` as layer ``kind`` and, only if it is valid, install it in a region.

    The file is read in any supported format, normalised to EPSG:4326 and written to
    ``dest_dir/<kind>.gpkg``, atomically replacing any earlier file: a failed import
    leaves the previous layer untouched. An earlier layer of the same kind in another
    format (``places.csv``) is renamed ``places.csv.replaced`` so the region stays
    unambiguous.

    Parameters
    ----------
    src
        The user's file.
    dest_dir
        Region folder (created if needed).
    kind
        Layer kind of ``src``.
    crs
        CRS of ``src`` when it has none, e.g. ``"EPSG:32647"``.
    repair
        Repair invalid geometries with ``shapely.make_valid``.

    Returns
    -------
    Path
        The installed file.

    Raises
    ------
    LayerError
        With every problem of ``src``; ``dest_dir`` is not changed then.

    Examples
    --------
    >>> import_layer("upload/towns.csv", "data/myregion", kind="places")  # doctest: +SKIP
    PosixPath('data/myregion/places.gpkg')
    """
    frame = read_layer(src, kind, crs=crs, repair=repair)
    dest = write_layer(frame, Path(dest_dir) / f"{kind}.gpkg", kind=kind)
    for other in dest.parent.glob(f"{kind}.*"):
        if other != dest and kind_stem(other) == kind and supported(other):
            # Two files of one kind make the region ambiguous; keep the old one aside.
            os.replace(other, other.with_name(other.name + ".replaced"))
    return dest
