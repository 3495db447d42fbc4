"""Read a layer file of any supported format into a :class:`~layers._raw.RawLayer`.

Formats are chosen by extension. Problems that make a file unreadable (missing, 0 bytes,
unsupported, corrupt, no features) raise :class:`~layers.errors.LayerError` at once;
everything else is left to :mod:`layers._validate`, which reports all of it together.
"""

from __future__ import annotations

import _csv
import csv
import difflib
import warnings
from pathlib import Path
from typing import Protocol, TypeVar

import geopandas as gpd
import pandas as pd
import pyogrio
from pyproj import CRS
from pyproj.exceptions import CRSError

from layers._formats import (
    ALL_ENDINGS,
    FORMATS,
    _sniff,
    _special_reader,
    not_regular,
    unreadable,
)
from layers._raw import RawLayer, geometry_from_columns
from layers._validate import validate_raw
from layers.errors import LayerError, Problem, file_error
from layers.schema import schema_for


def parse_crs(crs: object, *, source: str, kind: str) -> CRS:
    """Return ``crs`` as a pyproj CRS or raise a LayerError naming the bad value."""
    try:
        return CRS.from_user_input(crs)
    except CRSError:
        raise LayerError(
            [
                Problem(
                    source,
                    None,
                    None,
                    str(crs),
                    "the CRS given is not one pyproj knows",
                    "give an EPSG code such as EPSG:4326 (degrees) or EPSG:326NN "
                    "(UTM zone NN north)",
                )
            ],
            kind=kind,
        ) from None


def read_raw(
    path: str | Path, kind: str, *, crs: object = None, layer: str | None = None
) -> RawLayer:
    """Read ``path`` as layer ``kind`` without validating its values.

    Parameters
    ----------
    path
        A ``.gpkg``, ``.geojson``/``.json``, ``.shp``, ``.parquet``, ``.fgb`` or ``.csv``.
    kind
        Layer kind (decides the default GeoPackage layer and whether geometry is needed).
    crs
        CRS of the coordinates; overrides the file's. CSV coordinates default to EPSG:4326.
    layer
        Layer inside a multi-layer file (default: the one named after ``kind``).
    """
    schema = schema_for(kind)
    path = Path(path)
    source = path.name
    if not path.exists():
        raise file_error(
            source, f"file not found: {path}", "check the path and file name", kind=kind
        )
    if path.is_dir():
        raise file_error(
            source,
            "is a folder, not a layer file",
            "give one file, or read the folder as a region with read_region",
            kind=kind,
        )
    special = not_regular(path)
    if special is not None:
        raise file_error(
            source,
            f"is not a regular file (it is {special})",
            "give a layer file saved on disk",
            kind=kind,
        )
    ext = path.suffix.lower()
    if ext not in FORMATS:
        raise file_error(
            source,
            f"unsupported file type {ext or '(no extension)'!r}",
            f"save it as one of {', '.join(ALL_ENDINGS)}",
            kind=kind,
        )
    if path.stat().st_size == 0:
        raise file_error(
            source,
            "file is empty (0 bytes)",
            "export the layer again; the file was not written completely",
            kind=kind,
        )
    user_crs = parse_crs(crs, source=source, kind=kind) if crs is not None else None
    if FORMATS[ext] == "CSV":
        raw = _read_csv(path, kind=kind)
        if schema.geometry is not None:
            frame, found = geometry_from_columns(raw)
            if not found:
                cols = ", ".join(str(c) for c in raw.frame.columns) or "none"
                raise file_error(
                    source,
                    f"no coordinate columns (columns found: {cols})",
                    "add 'lon' and 'lat' columns in decimal degrees (or a WKT 'geometry' column)",
                    kind=kind,
                )
            raw.frame = frame
            raw.crs, raw.crs_origin = (user_crs, "user") if user_crs else (CRS(4326), "default")
        return raw
    raw = _read_vector(path, ext, kind=kind, layer=layer)
    if user_crs is not None:
        raw.crs, raw.crs_origin = user_crs, "user"
    return raw


def _read_csv(path: Path, *, kind: str) -> RawLayer:
    source = path.name
    head = path.open("rb").read(4)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise file_error(
            source,
            "is UTF-16 text, not UTF-8",
            "save the CSV as UTF-8 (in a spreadsheet: 'CSV UTF-8')",
            kind=kind,
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise file_error(
            source,
            f"is not UTF-8 text (byte {exc.start})",
            "save the CSV as UTF-8 (in a spreadsheet: 'CSV UTF-8')",
            kind=kind,
        ) from None
    first = text.split("\n", 1)[0]
    # Spreadsheets in many locales write ';'-separated CSV; list fields use ';' too, but
    # never in a header, so the header decides.
    delimiter = ";" if ";" in first and "," not in first else ","
    reader = csv.reader(text.splitlines(keepends=True), delimiter=delimiter)
    try:
        return _csv_records(reader, source=source, kind=kind, delimiter=delimiter)
    except csv.Error:
        # The csv module stops at a field over its limit (128 KiB): no layer has such text.
        raise file_error(
            source,
            f"line {reader.line_num} has a field longer than {csv.field_size_limit()} characters",
            "check that this is the right file: a layer's text fields are short "
            "(a quote left open makes the rest of the file one field)",
            kind=kind,
        ) from None


def _csv_records(reader: _csv.Reader, *, source: str, kind: str, delimiter: str) -> RawLayer:
    header = next(reader, None)
    if not header or not any(h.strip() for h in header):
        raise file_error(
            source, "file has no header line", "put the column names on line 1", kind=kind
        )
    columns = [h.strip() for h in header]
    problems: list[tuple[int, Problem]] = []
    records: list[list[str]] = []
    numbers: list[int] = []
    bad: set[int] = set()
    previous_end = reader.line_num
    for record in reader:
        start, previous_end = previous_end + 1, reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        pos = len(records)
        if len(record) != len(columns):
            problems.append(
                (
                    pos,
                    Problem(
                        source,
                        start,
                        None,
                        None,
                        f"has {len(record)} fields but the header has {len(columns)}",
                        f"quote values that contain '{delimiter}' and give one value per column",
                    ),
                )
            )
            bad.add(pos)
            record = (record + [""] * len(columns))[: len(columns)]
        records.append(record)
        numbers.append(start)
    if not records:
        raise file_error(
            source,
            "file has a header but no rows",
            "add at least one row, or leave the file out if the layer is not needed",
            kind=kind,
        )
    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    if duplicated:
        raise file_error(
            source,
            f"column names repeat: {', '.join(duplicated)}",
            "give every column a different name",
            kind=kind,
        )
    frame = pd.DataFrame(records, columns=columns, dtype=object)
    return RawLayer(
        frame=frame,
        source=source,
        numbers=numbers,
        line_numbers=True,
        problems=problems,
        bad_rows=set(bad),
        broken_rows=bad,
    )


def _pick_layer(path: Path, kind: str, layer: str | None) -> tuple[str | None, str]:
    """Return the layer to read and the name to use in messages."""
    try:
        names = [str(n) for n in pyogrio.list_layers(path)[:, 0]]
    except Exception as exc:  # any GDAL failure means the same to a user: unreadable
        raise unreadable(path, kind=kind, error=exc) from None
    if not names:
        raise file_error(
            path.name,
            "is a GeoPackage with no layers",
            f"add the {kind} layer to it (or give the file that has it)",
            kind=kind,
        )
    if layer is not None:
        wanted = layer
    elif kind in names or len(names) != 1:
        wanted = kind
    else:
        return names[0], path.name
    if wanted not in names:
        close = difflib.get_close_matches(wanted, names, n=1)
        hint = f" (closest: {close[0]!r})" if close else ""
        raise file_error(
            path.name,
            f"has no layer {wanted!r}; layers found: {', '.join(names) or 'none'}{hint}",
            f"name the layer {kind!r} or pass layer=<name>",
            kind=kind,
        )
    return wanted, path.name if len(names) == 1 else f"{path.name}:{wanted}"


def _read_vector(path: Path, ext: str, *, kind: str, layer: str | None) -> RawLayer:
    schema = schema_for(kind)
    source = path.name
    frame: pd.DataFrame
    if FORMATS[ext] == "GeoParquet":
        try:
            frame = gpd.read_parquet(path)
        except ValueError as exc:
            # Only geopandas' own "no geo metadata" is a readable table; the message of
            # a damaged file names its path, which may itself contain "geo".
            if "missing geo metadata" not in str(exc).lower():
                raise unreadable(path, kind=kind, error=exc) from None
            if schema.geometry is not None:
                raise file_error(
                    source,
                    "is a Parquet table without GeoParquet geometry",
                    "write it with GeoDataFrame.to_parquet (GeoParquet metadata)",
                    kind=kind,
                ) from None
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises many types for a damaged file
            raise unreadable(path, kind=kind, error=exc) from None
    else:
        layer_name: str | None = None
        _sniff(path, kind=kind)
        if FORMATS[ext] == "GPKG" or layer is not None:
            layer_name, source = _pick_layer(path, kind, layer)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # NaN coordinates: reported
                frame = pyogrio.read_dataframe(path, layer=layer_name)
        except Exception as exc:  # any GDAL failure means the same to a user: unreadable
            raise unreadable(path, kind=kind, error=exc) from None
    if len(frame) == 0:
        raise file_error(
            source,
            "has no features",
            "add at least one feature, or leave the file out if the layer is not needed",
            kind=kind,
        )
    frame = frame.reset_index(drop=True)
    frame.columns = [str(c).strip() for c in frame.columns]
    crs: CRS | None = None
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns:
        crs = frame.crs
        if frame.geometry.name != "geometry":
            frame = frame.rename_geometry("geometry")
    return RawLayer(
        frame=frame,
        source=source,
        numbers=list(range(1, len(frame) + 1)),
        crs=crs,
        crs_origin="file" if crs is not None else "none",
    )


def read_layer(
    path: str | Path,
    kind: str,
    *,
    crs: object = None,
    layer: str | None = None,
    repair: bool = False,
) -> gpd.GeoDataFrame | pd.DataFrame:
    """Read, validate and normalise one layer file (what every ``read_<kind>`` does).

    The result carries ``attrs["source"]`` (file name) and ``attrs["source_crs"]`` (the
    CRS the coordinates came in, as a string, or ``None`` for a table without geometry).
    """
    special = _special_reader(Path(path), kind)
    if special is not None:
        return special
    raw = read_raw(path, kind, crs=crs, layer=layer)
    out = validate_raw(raw, kind, repair=repair)
    out.attrs["source"] = raw.source
    out.attrs["source_crs"] = _crs_name(raw.crs) if isinstance(out, gpd.GeoDataFrame) else None
    return out


def _crs_name(crs: CRS | None) -> str | None:
    if crs is None:
        return None
    code = crs.to_epsg()
    return f"EPSG:{code}" if code is not None else crs.to_string()


_Frame = TypeVar("_Frame", bound=pd.DataFrame)
_Frame_co = TypeVar("_Frame_co", bound=pd.DataFrame, covariant=True)


class LayerReader(Protocol[_Frame_co]):
    """The signature every public ``read_<kind>`` has (built by :func:`layer_reader`)."""

    def __call__(
        self,
        path: str | Path,
        *,
        crs: object = None,
        layer: str | None = None,
        repair: bool = False,
    ) -> _Frame_co: ...


_READER_DOC = """Read, validate and normalise a {kind} layer file.

    Parameters
    ----------
    path
        GeoPackage (layer ``{kind}`` by default), GeoJSON, Shapefile, GeoParquet,
        FlatGeobuf or CSV {csv}.
    crs
        CRS of the coordinates when the file has none (or a wrong one), e.g. ``"EPSG:32647"``.
    layer
        Layer to read from a multi-layer file.
    repair
        Repair invalid geometries with ``shapely.make_valid`` instead of rejecting them.

    Returns
    -------
    {returns}

    Raises
    ------
    LayerError
        Listing every problem with its file, row, column, value and fix.

    Examples
    --------
    >>> {kind} = read_{kind}("{example}")  # doctest: +SKIP
    >>> {kind}["{column}"].head()  # doctest: +SKIP
    """

_GEOMETRY_RETURNS = """GeoDataFrame
        The schema's columns in order (:data:`layers.schema.{name}`) and
        ``geometry`` in EPSG:4326, index reset."""

_TABLE_RETURNS = """GeoDataFrame or DataFrame
        The schema's columns in order (:data:`layers.schema.{name}`); a plain DataFrame
        when the file has no geometry, else LineStrings in EPSG:4326."""


def layer_reader(
    kind: str, returns: type[_Frame], *, module: str, example: str, column: str
) -> LayerReader[_Frame]:
    """Build the public ``read_<kind>`` of one layer kind, documented from its schema.

    Parameters
    ----------
    kind
        Layer kind.
    returns
        What the reader returns: ``GeoDataFrame`` for a layer with required geometry,
        ``DataFrame`` for one whose geometry is optional (``flows``).
    module
        ``__name__`` of the module that exports the reader (for ``help`` and pickling).
    example, column
        A file and a column of it shown in the docstring's Examples section.

    Examples
    --------
    >>> import geopandas as gpd
    >>> read_sites = layer_reader(
    ...     "sites", gpd.GeoDataFrame, module="layers.sites",
    ...     example="data/mekong/sites.csv", column="site_id")
    >>> read_sites.__name__, read_sites.__doc__.splitlines()[0]
    ('read_sites', 'Read, validate and normalise a sites layer file.')
    """
    schema = schema_for(kind)
    geometry = schema.geometry is not None

    def read(
        path: str | Path, *, crs: object = None, layer: str | None = None, repair: bool = False
    ) -> _Frame:
        out = read_layer(path, kind, crs=crs, layer=layer, repair=repair)
        assert isinstance(out, returns)
        return out

    read.__name__ = read.__qualname__ = f"read_{kind}"
    read.__module__ = module
    read.__annotations__["return"] = returns.__name__  # for help(); mypy sees LayerReader
    read.__doc__ = _READER_DOC.format(
        kind=kind,
        csv="with lon/lat columns (EPSG:4326 unless ``crs`` is given)"
        if geometry
        else "(no coordinates needed)",
        returns=(_GEOMETRY_RETURNS if geometry else _TABLE_RETURNS).format(name=kind.upper()),
        example=example,
        column=column,
    )
    return read
