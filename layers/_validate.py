"""Validate a raw layer against its schema and normalise it, collecting every problem.

Checks, in the order a user fixes them: columns (missing ones, with the closest name
found), cell values (empty, hostile text, unknown category, number, range, boolean, date,
country code), duplicate identifiers, then geometry (empty, type, validity, CRS and
coordinate range). Nothing stops at the first problem; all of them are raised together
in one :class:`~layers.errors.LayerError`.
"""

from __future__ import annotations

import contextlib
import difflib
from collections.abc import Callable

import geopandas as gpd
import pandas as pd
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from layers._geometry import _check_geometry
from layers._raw import RawLayer, find_column, geometry_from_columns
from layers._values import (
    Finding,
    hostile,
    is_missing,
    parse_bool,
    parse_category,
    parse_date,
    parse_float,
    parse_int,
    parse_iso3,
    parse_text,
    parse_year,
    show,
)
from layers.errors import LayerError, Problem, file_error
from layers.schema import CRS as TARGET_CRS
from layers.schema import Field, Schema, schema_for, split_list

#: Fields holding ISO 3166-1 alpha-3 codes, checked against the bundled code table.
ISO3_FIELDS: frozenset[tuple[str, str]] = frozenset(
    {("places", "country"), ("borders", "country"), ("crossings", "countries")}
)
#: Geometry a flows table may carry (drawn routes); most flow tables have none.
FLOW_GEOMETRY: tuple[str, ...] = ("LineString", "MultiLineString")

_PANDAS_DTYPE: dict[str, str] = {
    "str": "str",
    "list[str]": "str",
    "int": "int64",
    "float": "float64",
    "bool": "bool",
    "date": "datetime64[ns]",
}

Located = tuple[int, Problem]  # position (-1 for the whole file) and the problem


def validate(
    frame: pd.DataFrame, kind: str, *, source: str = "<upload>", repair: bool = False
) -> gpd.GeoDataFrame | pd.DataFrame:
    """Validate and normalise an in-memory table as layer ``kind``.

    A GeoDataFrame keeps its CRS (none is an error); a plain DataFrame of a geometric kind
    needs lon/lat columns (EPSG:4326). Rows are numbered from 1 in messages. The input is
    not modified.

    Parameters
    ----------
    frame
        The table, e.g. an upload parsed by the dashboard.
    kind
        Layer kind, one of :data:`layers.schema.LAYER_KINDS`.
    source
        Name to use in messages.
    repair
        Repair invalid geometries with ``shapely.make_valid`` instead of rejecting them.

    Returns
    -------
    GeoDataFrame or DataFrame
        Schema columns in order, fixed dtypes, geometry in EPSG:4326, index reset.

    Raises
    ------
    LayerError
        With every problem found.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"place_id": ["bkk"], "name": ["Bangkok"], "country": ["THA"],
    ...     "role": ["destination"], "place_type": ["city"], "lon": [100.5], "lat": [13.75]})
    >>> validate(table, "places").geometry[0].x
    100.5
    """
    try:
        schema = schema_for(kind)
    except KeyError as exc:
        raise LayerError(
            [Problem(source, None, None, str(kind), str(exc.args[0]), "pass a known layer kind")]
        ) from None
    table = pd.DataFrame(frame).reset_index(drop=True).copy()
    table.columns = [str(c).strip() for c in table.columns]
    raw = RawLayer(frame=table, source=source, numbers=list(range(1, len(table) + 1)))
    geometry_name = _active_geometry(frame)
    if geometry_name is not None:
        assert isinstance(frame, gpd.GeoDataFrame)
        geo = gpd.GeoDataFrame(table, geometry=geometry_name, crs=frame.crs)
        if geo.geometry.name != "geometry":
            geo = geo.rename_geometry("geometry")
        raw.frame = geo
        raw.crs, raw.crs_origin = (frame.crs, "file") if frame.crs is not None else (None, "none")
    elif schema.geometry is not None:
        raw.frame, found = geometry_from_columns(raw)
        if not found:
            raise file_error(
                source,
                f"no geometry and no coordinate columns (columns: {', '.join(table.columns)})",
                "add 'lon' and 'lat' columns in decimal degrees",
                kind=kind,
            )
        raw.crs, raw.crs_origin = CRS(4326), "default"
    if len(table) == 0:
        raise file_error(source, "has no rows", "add at least one row", kind=kind)
    return validate_raw(raw, kind, repair=repair)


def _active_geometry(frame: pd.DataFrame) -> str | None:
    if not isinstance(frame, gpd.GeoDataFrame):
        return None
    try:
        return str(frame.geometry.name)
    except AttributeError:  # a GeoDataFrame without an active geometry column
        return None


def validate_raw(
    raw: RawLayer, kind: str, *, repair: bool = False
) -> gpd.GeoDataFrame | pd.DataFrame:
    """Check ``raw`` against the schema of ``kind``; return the normalised layer.

    Raises
    ------
    LayerError
        With every problem, ordered by row (whole-file problems first).
    """
    schema = schema_for(kind)
    problems: list[Located] = list(raw.problems)
    frame = raw.frame
    columns = [str(c) for c in frame.columns if c != "geometry"]
    mapping = _map_columns(schema, columns, raw, problems)
    labels = _labels(raw, schema, mapping)

    def problem(pos: int, column: str | None, cell: object, finding: Finding) -> None:
        value = None if cell is None else show(cell)
        row = labels[pos] if pos >= 0 else None
        problems.append(
            (pos, Problem(raw.source, row, column, value, finding.message, finding.fix))
        )

    values: dict[str, list[object]] = {}
    for fld in schema.fields:
        col = mapping.get(fld.name)
        if col is None:
            values[fld.name] = [fld.default] * len(frame)
            continue
        out: list[object] = []
        # A cell's verdict depends on its value only: check each distinct value once.
        seen: dict[tuple[type, object], tuple[object, Finding | None]] = {}
        for pos, cell in enumerate(frame[col].tolist()):
            if pos in raw.broken_rows:
                out.append(fld.default)
                continue
            try:
                value, finding = seen[(type(cell), cell)]
            except (KeyError, TypeError):
                value, finding = _check_cell(kind, fld, cell)
                if not fld.unique:
                    with contextlib.suppress(TypeError):  # an unhashable cell
                        seen[(type(cell), cell)] = (value, finding)
            if finding is not None:
                problem(pos, col, None if is_missing(cell) else cell, finding)
            out.append(value)
        values[fld.name] = out
        if fld.unique:
            _check_unique(fld, col, out, problem, labels)

    geometry: list[BaseGeometry | None] | None = None
    if "geometry" in frame.columns and (
        schema.geometry is not None or frame["geometry"].notna().any()
    ):
        allowed = schema.geometry or FLOW_GEOMETRY
        geometry = _check_geometry(
            raw, allowed, problem, required=schema.geometry is not None, repair=repair
        )
    elif schema.geometry is not None:
        problem(
            -1,
            None,
            None,
            Finding(
                "has no geometry",
                f"give each feature a {' or '.join(schema.geometry)} geometry",
            ),
        )

    if problems:
        problems.sort(key=lambda item: item[0])
        raise LayerError([p for _, p in problems], kind=kind)
    return _assemble(schema, values, geometry)


def _map_columns(
    schema: Schema, columns: list[str], raw: RawLayer, problems: list[Located]
) -> dict[str, str]:
    """Match schema fields to file columns; report required ones that are missing."""
    mapping: dict[str, str] = {}
    for fld in schema.fields:
        col = find_column(columns, fld.name)
        if col is not None:
            mapping[fld.name] = col
        elif fld.required:
            unused = [c for c in columns if c not in mapping.values()]
            close = difflib.get_close_matches(fld.name, unused, n=1, cutoff=0.5)
            close = close or [c for c in unused if fld.name in c.lower() or c.lower() in fld.name]
            hint = (
                f"rename column {close[0]!r} to {fld.name!r}"
                if close
                else (f"add a column {fld.name!r} ({fld.description or fld.dtype})")
            )
            found = ", ".join(columns) or "none"
            problems.append(
                (
                    -1,
                    Problem(
                        raw.source,
                        None,
                        fld.name,
                        None,
                        f"required column is missing (columns found: {found})",
                        hint,
                    ),
                )
            )
    return mapping


def _labels(raw: RawLayer, schema: Schema, mapping: dict[str, str]) -> list[int | str]:
    """Row labels: CSV line numbers, else feature numbers with the feature's id."""
    labels: list[int | str] = list(raw.numbers)
    id_col = mapping.get(schema.id_field) if schema.id_field else None
    if raw.line_numbers or id_col is None:
        return labels
    for pos, cell in enumerate(raw.frame[id_col].tolist()):
        if is_missing(cell):
            continue
        text = parse_text(cell)
        if hostile(text) is None and len(text) <= 40:
            labels[pos] = f"{raw.numbers[pos]} ({schema.id_field} {text!r})"
    return labels


def _check_cell(kind: str, fld: Field, cell: object) -> tuple[object, Finding | None]:
    """Return the normalised value of one cell, or the default and what is wrong."""
    if is_missing(cell):
        if fld.required:
            return fld.default, Finding("required value is empty", f"fill in {fld.name}")
        return fld.default, None
    if fld.dtype in ("str", "list[str]"):
        text = parse_text(cell)
        bad = hostile(text)
        if bad is not None:
            return fld.default, bad
        if fld.dtype == "list[str]":
            return _check_list(kind, fld, text)
        value, finding = _parse_text_value(kind, fld, text)
        return (fld.default, finding) if finding else (value, None)
    parsers: dict[str, Callable[[object], tuple[object, Finding | None]]] = {
        "int": parse_int,
        "float": parse_float,
        "bool": parse_bool,
        "date": parse_date,
    }
    parser = parse_year if fld.dtype == "int" and fld.name == "year" else parsers[fld.dtype]
    parsed, finding = parser(cell)
    if finding is not None:
        if fld.dtype == "bool" and str(cell).strip() == "-1":
            finding = Finding(
                "'-1' (one-way against the drawing direction) is not accepted",
                "reverse the line's direction and write true",
            )
        return fld.default, finding
    if isinstance(parsed, int | float) and not isinstance(parsed, bool):
        if fld.min is not None and parsed < fld.min:
            word = "negative" if fld.min == 0 else f"below the minimum {fld.min:g}"
            return fld.default, Finding(f"is {word}", f"give a value of at least {fld.min:g}")
        if fld.max is not None and parsed > fld.max:
            return fld.default, Finding(
                f"is above the maximum {fld.max:g}", f"give a value of at most {fld.max:g}"
            )
    return parsed, None


def _parse_text_value(kind: str, fld: Field, text: str) -> tuple[object, Finding | None]:
    """Check one text value (a cell, or one item of a list) against the field's rule."""
    if fld.allowed is not None:
        return parse_category(text, fld.allowed)
    if (kind, fld.name) in ISO3_FIELDS:
        return parse_iso3(text)
    return text, None


def _check_list(kind: str, fld: Field, text: str) -> tuple[object, Finding | None]:
    items = split_list(text)
    if not items:
        if fld.required:
            return fld.default, Finding("required value is empty", f"fill in {fld.name}")
        return fld.default, None
    out: list[str] = []
    for item in items:
        value, finding = _parse_text_value(kind, fld, item)
        if finding is not None:
            return fld.default, Finding(f"item {item!r} {finding.message}", finding.fix)
        if value not in out:
            out.append(str(value))
    if kind == "crossings" and fld.name == "countries" and len(out) != 2:
        return fld.default, Finding(
            f"names {len(out)} {'country' if len(out) == 1 else 'countries'}; a crossing joins two",
            "give the two ISO3 codes separated by ';', e.g. "
            f"{out[0] if out else 'AAA'};{'BBB' if not out or out[0] != 'BBB' else 'CCC'}",
        )
    return ";".join(out), None


def _check_unique(
    fld: Field,
    col: str,
    values: list[object],
    problem: Callable[[int, str | None, object, Finding], None],
    labels: list[int | str],
) -> None:
    first: dict[object, int] = {}
    for pos, value in enumerate(values):
        if value is None or value == "":
            continue
        if value in first:
            problem(
                pos,
                col,
                value,
                Finding(
                    f"duplicate {fld.name}: the same value is on row {labels[first[value]]}",
                    f"give each row its own {fld.name}",
                ),
            )
        else:
            first[value] = pos


def _assemble(
    schema: Schema,
    values: dict[str, list[object]],
    geometry: list[BaseGeometry | None] | None,
) -> gpd.GeoDataFrame | pd.DataFrame:
    data = {
        fld.name: pd.Series(values[fld.name], dtype=_PANDAS_DTYPE[fld.dtype])
        for fld in schema.fields
    }
    frame = pd.DataFrame(data)
    if geometry is None:
        return frame
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry), crs=TARGET_CRS)
