"""Check a layer's geometries: present, of the right type, finite, valid, in EPSG:4326.

Used by :mod:`layers._validate`; every finding goes through its ``problem`` callback so
that geometry problems are reported with the row's other problems.
"""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from layers._raw import RawLayer
from layers._values import (
    Finding,
)
from layers.schema import CRS as TARGET_CRS


def _check_geometry(
    raw: RawLayer,
    allowed: tuple[str, ...],
    problem: Callable[[int, str | None, object, Finding], None],
    *,
    required: bool,
    repair: bool,
) -> list[BaseGeometry | None]:
    """Check every geometry; return them 2-D, repaired if asked, in EPSG:4326."""
    geoms: list[BaseGeometry | None] = list(raw.frame["geometry"].array)
    out: list[BaseGeometry | None] = [None] * len(geoms)
    wanted = " or ".join(allowed)
    plain = _plainly_fine(geoms, allowed)
    for pos, cell in enumerate(geoms):
        if pos in raw.bad_rows:
            continue
        if plain[pos]:
            out[pos] = cell
            continue
        if cell is None or cell.is_empty:
            if required:
                problem(
                    pos,
                    raw.geometry_column,
                    None,
                    Finding("geometry is empty", f"give the feature a {wanted} or remove it"),
                )
            continue
        geom: BaseGeometry = cell
        if shapely.get_coordinate_dimension(geom) > 2:
            geom = shapely.force_2d(geom)
        if (
            geom.geom_type == "MultiPoint"
            and "Point" in allowed
            and shapely.get_num_geometries(geom) == 1
        ):
            geom = shapely.get_geometry(geom, 0)  # type: ignore[assignment]
        if geom.geom_type not in allowed:
            problem(
                pos,
                raw.geometry_column,
                geom.geom_type,
                Finding(
                    f"wrong geometry type; this layer needs {wanted}",
                    _type_fix(geom.geom_type, allowed),
                ),
            )
            continue
        if not np.isfinite(shapely.get_coordinates(geom)).all():
            problem(
                pos,
                raw.geometry_column,
                None,
                Finding(
                    "has a coordinate that is not a number (NaN or infinite)",
                    "give finite coordinates in decimal degrees (no repair can guess them)",
                ),
            )
            continue
        if not geom.is_valid:
            reason = shapely.is_valid_reason(geom)
            if not repair:
                problem(
                    pos,
                    raw.geometry_column,
                    None,
                    Finding(
                        f"invalid geometry: {reason}",
                        "pass --repair (repair=True) to fix it with make_valid, or fix it in a "
                        "GIS (QGIS: Fix geometries)",
                    ),
                )
                continue
            fixed = _repair(geom, allowed)
            if fixed is None:
                problem(
                    pos,
                    raw.geometry_column,
                    None,
                    Finding(
                        f"invalid geometry that make_valid cannot turn into {wanted}: {reason}",
                        "redraw the feature",
                    ),
                )
                continue
            geom = fixed
        out[pos] = geom
    return _to_target_crs(raw, out, problem)


def _plainly_fine(geoms: list[BaseGeometry | None], allowed: tuple[str, ...]) -> np.ndarray:
    """Which geometries need no look one by one: 2-D, of an allowed type, finite, valid.

    Decided for all rows at once (vectorised); the others go through the checks below.
    """
    arr = np.empty(len(geoms), dtype=object)
    arr[:] = geoms
    kinds = {"Point": 0, "LineString": 1, "Polygon": 3, "MultiLineString": 5, "MultiPolygon": 6}
    ok = ~shapely.is_missing(arr)
    ok[ok] = ~shapely.is_empty(arr[ok]) & (shapely.get_coordinate_dimension(arr[ok]) == 2)
    ok[ok] = np.isin(shapely.get_type_id(arr[ok]), [kinds[k] for k in allowed if k in kinds])
    if ok.any():
        xy, owner = shapely.get_coordinates(arr[ok], return_index=True)
        bad = np.bincount(owner[~np.isfinite(xy).all(axis=1)], minlength=int(ok.sum())) > 0
        ok[np.flatnonzero(ok)[bad]] = False
        ok[ok] = shapely.is_valid(arr[ok])
    return ok


def _type_fix(found: str, allowed: tuple[str, ...]) -> str:
    if "Point" in allowed and found in ("Polygon", "MultiPolygon"):
        return "use one point per feature, e.g. the polygon's representative point"
    return f"export the layer with {' or '.join(allowed)} geometries"


def _repair(geom: BaseGeometry, allowed: tuple[str, ...]) -> BaseGeometry | None:
    """make_valid, keeping only the parts of an allowed type (a bow-tie → 2 triangles)."""
    fixed = shapely.make_valid(geom)
    if fixed.geom_type in allowed:
        return fixed
    parts = [
        p
        for p in shapely.get_parts(fixed)
        if p.geom_type in allowed or ("Multi" + p.geom_type in allowed)
    ]
    if not parts:
        return None
    merged = shapely.union_all(parts)
    return merged if merged.geom_type in allowed and not merged.is_empty else None


def _diagnose(bounds: np.ndarray) -> Finding | None:
    """Say why bounds (minx, miny, maxx, maxy) are no lon/lat, or None when they are."""
    minx, miny, maxx, maxy = (float(b) for b in bounds)
    if minx >= -180 and maxx <= 180 and miny >= -90 and maxy <= 90:
        return None
    if minx >= -90 and maxx <= 90 and miny >= -180 and maxy <= 180:
        return Finding(
            "coordinates out of range for EPSG:4326 (latitude beyond ±90): lat/lon swapped?",
            "swap the coordinates: longitude (x) comes first, e.g. lon 100.5, lat 13.7",
        )
    if max(abs(minx), abs(maxx), abs(miny), abs(maxy)) > 1000:
        return Finding(
            "coordinates out of range for EPSG:4326: wrong CRS? the values look like metres",
            "pass --crs EPSG:xxxx with the projected CRS the data was made in "
            "(e.g. --crs EPSG:326NN for UTM zone NN north, EPSG:327NN south)",
        )
    return Finding(
        "coordinates out of range for EPSG:4326",
        "longitude must be within -180..180 and latitude within -90..90",
    )


def _where(geom: BaseGeometry, column: str) -> str:
    """Quote coordinates under the names the user wrote them with (lon/lat or x/y)."""
    x, y = column.split("/") if "/" in column else ("x", "y")
    minx, miny, maxx, maxy = geom.bounds
    if geom.geom_type == "Point":
        return f"{x} {minx:.6g}, {y} {miny:.6g}"
    return f"{x} {minx:.6g}..{maxx:.6g}, {y} {miny:.6g}..{maxy:.6g}"


def _to_target_crs(
    raw: RawLayer,
    geoms: list[BaseGeometry | None],
    problem: Callable[[int, str | None, object, Finding], None],
) -> list[BaseGeometry | None]:
    present = [pos for pos, g in enumerate(geoms) if g is not None]
    if not present:
        return geoms
    arr = np.array([geoms[pos] for pos in present], dtype=object)
    bounds = shapely.bounds(arr)
    if raw.crs is None:
        total = np.array(
            [bounds[:, 0].min(), bounds[:, 1].min(), bounds[:, 2].max(), bounds[:, 3].max()]
        )
        degrees = _diagnose(total) is None
        problem(
            -1,
            None,
            None,
            Finding(
                "file has no CRS (coordinate reference system)",
                "pass --crs EPSG:4326 if the coordinates are longitude/latitude degrees"
                if degrees
                else "the values look like metres: pass --crs EPSG:xxxx with the projected "
                "CRS the data was made in (e.g. --crs EPSG:326NN for UTM zone NN north, "
                "EPSG:327NN south)",
            ),
        )
        return geoms
    crs = raw.crs
    if crs.is_geographic:
        findings = [(pos, _diagnose(b)) for pos, b in zip(present, bounds, strict=True)]
        bad = [(pos, f) for pos, f in findings if f is not None]
        if len(bad) > 1 and len(bad) == len(present) and len({f for _, f in bad}) == 1:
            finding = bad[0][1]
            assert finding is not None
            problem(
                -1,
                None,
                None,
                Finding(f"all {len(bad)} features: {finding.message}", finding.fix),
            )
            return geoms
        for pos, finding in bad:
            assert finding is not None
            geom = geoms[pos]
            assert geom is not None
            problem(pos, raw.geometry_column, _where(geom, raw.geometry_column), finding)
        if bad or crs.equals(CRS(4326)):
            return geoms
    projected = gpd.GeoSeries(arr, crs=crs).to_crs(TARGET_CRS)
    out = list(geoms)
    for pos, geom in zip(present, projected.array, strict=True):
        b = shapely.bounds(geom)
        if not np.all(np.isfinite(b)) or _diagnose(b) is not None:
            original = geoms[pos]
            assert original is not None
            problem(
                pos,
                raw.geometry_column,
                _where(original, raw.geometry_column),
                Finding(
                    f"coordinates cannot be transformed from {crs.to_string()}: wrong CRS?",
                    "pass --crs EPSG:xxxx with the CRS the coordinates were made in",
                ),
            )
        out[pos] = geom
    return out
