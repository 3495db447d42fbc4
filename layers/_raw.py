"""A layer as read, before validation: the frame, where each row came from, the CRS.

Both the file readers (:mod:`layers._read`) and the in-memory path
(:func:`layers.validate`) produce a :class:`RawLayer`; :mod:`layers._validate` turns it
into a normalised GeoDataFrame or a :class:`~layers.errors.LayerError`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from layers.errors import Problem

#: Column pairs accepted as point coordinates in tables, tried in this order.
COORDINATE_PAIRS: tuple[tuple[str, str], ...] = (
    ("lon", "lat"),
    ("longitude", "latitude"),
    ("lng", "lat"),
    ("x", "y"),
)
#: Columns accepted as WKT geometry in tables (lines and polygons cannot use lon/lat).
WKT_COLUMNS: tuple[str, ...] = ("geometry", "wkt", "geom")

CrsOrigin = Literal["file", "user", "default", "none"]


@dataclass
class RawLayer:
    """A table as read from a file or handed over in memory.

    Attributes
    ----------
    frame
        Attribute columns as read (names stripped), plus ``geometry`` when there is one.
    source
        Name used in messages (file name, ``file.gpkg:layer`` or ``<upload>``).
    numbers
        Per row, the number a user finds it by: the CSV line (header = 1) or the 1-based
        feature number.
    line_numbers
        True when ``numbers`` are CSV lines.
    crs
        The coordinates' CRS, ``None`` when unknown.
    crs_origin
        Where ``crs`` came from: the file, the user, the CSV default (EPSG:4326) or nowhere.
    problems
        Findings made while reading (rows with a wrong number of fields, bad coordinates).
    bad_rows
        Positions already reported as unusable, skipped by the checks that follow.
    broken_rows
        Positions whose cells cannot be trusted at all (a CSV line with the wrong number
        of fields): reported once, no other check runs on them.
    geometry_column
        What to call the geometry in messages: ``lon/lat`` when built from a table.
    """

    frame: pd.DataFrame
    source: str
    numbers: list[int]
    line_numbers: bool = False
    crs: CRS | None = None
    crs_origin: CrsOrigin = "none"
    problems: list[tuple[int, Problem]] = field(default_factory=list)
    bad_rows: set[int] = field(default_factory=set)
    geometry_column: str = "geometry"
    broken_rows: set[int] = field(default_factory=set)

    def label(self, pos: int) -> int:
        """Return the row label of position ``pos`` for a :class:`Problem`."""
        return self.numbers[pos]


def find_column(columns: list[str], name: str) -> str | None:
    """Return the column matching ``name`` exactly, else case- and space-insensitively."""
    if name in columns:
        return name
    wanted = name.strip().lower()
    for col in columns:
        if str(col).strip().lower() == wanted:
            return col
    return None


def coordinate_columns(columns: list[str]) -> tuple[str, str] | None:
    """Return the (x, y) columns of the first accepted coordinate pair, if any."""
    for x_name, y_name in COORDINATE_PAIRS:
        x_col, y_col = find_column(columns, x_name), find_column(columns, y_name)
        if x_col is not None and y_col is not None:
            return x_col, y_col
    return None


def _number(cell: object) -> float | None:
    if cell is None:
        return None
    text = str(cell).strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if np.isfinite(value) else None


def geometry_from_columns(raw: RawLayer) -> tuple[pd.DataFrame, bool]:
    """Build a ``geometry`` column from lon/lat (or WKT) columns of a table.

    Rows whose coordinates are missing or not numbers are reported on ``raw`` and get no
    geometry. Returns the new frame and whether a geometry source was found.
    """
    frame = raw.frame
    columns = [str(c) for c in frame.columns]
    pair = coordinate_columns(columns)
    geoms: list[BaseGeometry | None] = [None] * len(frame)
    if pair is not None:
        x_col, y_col = pair
        for pos, (xv, yv) in enumerate(zip(frame[x_col], frame[y_col], strict=True)):
            if pos in raw.broken_rows:
                continue
            x, y = _number(xv), _number(yv)
            if x is not None and y is not None:
                geoms[pos] = shapely.Point(x, y)
                continue
            bad_col, bad = (x_col, xv) if x is None else (y_col, yv)
            empty = bad is None or not str(bad).strip()
            raw.problems.append(
                (
                    pos,
                    Problem(
                        file=raw.source,
                        row=raw.label(pos),
                        column=bad_col,
                        value=None if empty else str(bad),
                        message="missing coordinate" if empty else "coordinate is not a number",
                        fix=f"give decimal degrees in {x_col!r} (-180 to 180) and "
                        f"{y_col!r} (-90 to 90)",
                    ),
                )
            )
            raw.bad_rows.add(pos)
        rest = frame.drop(columns=[x_col, y_col])
        raw.geometry_column = f"{x_col}/{y_col}"
        return _with_geometry(rest, geoms), True
    wkt_col = next((c for c in (find_column(columns, n) for n in WKT_COLUMNS) if c), None)
    if wkt_col is None:
        return frame, False
    for pos, text in enumerate(frame[wkt_col]):
        if pos in raw.broken_rows:
            continue
        if text is None or not str(text).strip():
            continue  # reported later as an empty geometry
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # NaN: reported as such later
                geoms[pos] = shapely.from_wkt(str(text))
        except shapely.errors.GEOSException as exc:
            raw.problems.append(
                (
                    pos,
                    Problem(
                        file=raw.source,
                        row=raw.label(pos),
                        column=wkt_col,
                        value=str(text),
                        message=f"geometry is not valid WKT ({exc})",
                        fix="write the geometry as WKT, e.g. LINESTRING (100.5 13.7, 100.6 13.8)",
                    ),
                )
            )
            raw.bad_rows.add(pos)
    raw.geometry_column = wkt_col
    return _with_geometry(frame.drop(columns=[wkt_col]), geoms), True


def _with_geometry(frame: pd.DataFrame, geoms: list[BaseGeometry | None]) -> pd.DataFrame:
    out = pd.DataFrame(frame).reset_index(drop=True)
    return gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(geoms), crs=None)
