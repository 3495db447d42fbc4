"""Read a layer file of any supported format into a :class:`~layers._raw.RawLayer`.

Formats are chosen by extension. Problems that make a file unreadable (missing, 0 bytes,
unsupported, corrupt, no features) raise :class:`~layers.errors.LayerError` at once;
everything else is left to :mod:`layers._validate`, which reports all of it together.
"""

from __future__ import annotations

import _csv
import csv
import difflib
import re
import sqlite3
import stat
import warnings
from contextlib import closing
from pathlib import Path
from typing import Protocol, TypeVar

import geopandas as gpd
import pandas as pd
import pyogrio
from pyproj import CRS
from pyproj.exceptions import CRSError

from layers._raw import RawLayer, geometry_from_columns
from layers._validate import validate_raw
from layers.errors import LayerError, Problem, file_error
from layers.schema import schema_for

#: Extension → reader. GeoParquet goes through geopandas (pyarrow), the rest through GDAL.
FORMATS: dict[str, str] = {
    ".gpkg": "GPKG",
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".shp": "ESRI Shapefile",
    ".parquet": "GeoParquet",
    ".geoparquet": "GeoParquet",
    ".fgb": "FlatGeobuf",
    ".csv": "CSV",
}


#: Whole-name endings of OpenStreetMap extracts (read by :mod:`layers.osm`, roads only).
OSM_ENDINGS: tuple[str, ...] = (".osm.pbf", ".osm.bz2", ".osm.gz", ".osm", ".pbf")
#: Every ending a layer file may have, for messages.
ALL_ENDINGS: tuple[str, ...] = (*sorted(FORMATS), *OSM_ENDINGS)


def is_osm(path: Path) -> bool:
    """Return True when ``path`` is named like an OpenStreetMap extract.

    Examples
    --------
    >>> is_osm(Path("roads.osm.pbf")), is_osm(Path("niger.osm.bz2")), is_osm(Path("a.csv"))
    (True, True, False)
    """
    return path.name.lower().endswith(OSM_ENDINGS)


def supported(path: Path) -> bool:
    """Return True when ``path`` has an extension geotraf reads (OSM extracts included)."""
    return path.suffix.lower() in FORMATS or is_osm(path)


def kind_stem(path: Path) -> str:
    """Return the part of a file name before its first dot (``roads.osm.pbf`` → ``roads``)."""
    return path.name.split(".")[0]


def not_regular(path: Path) -> str | None:
    """Return what ``path`` is when it is not a regular file (a pipe, a device), else None."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


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
            if "geo" not in str(exc).lower():
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


#: Format names for messages.
_FORMAT_NAMES: dict[str, str] = {
    "GPKG": "GeoPackage",
    "GeoJSON": "GeoJSON",
    "ESRI Shapefile": "Shapefile",
    "GeoParquet": "Parquet",
    "FlatGeobuf": "FlatGeobuf",
    "CSV": "CSV",
}
_JSON_LINE = re.compile(r"[Aa]t line (\d+)")


def _sniff(path: Path, *, kind: str) -> None:
    """Refuse a GeoJSON file that is binary, or JSON that is not a GeoJSON object."""
    if FORMATS[path.suffix.lower()] != "GeoJSON":
        return
    with path.open("rb") as handle:
        head = handle.read(4096)
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = "\x00" if b"\x00" in head else head.decode("latin-1")
    if "\x00" in text or not text.strip() or text.lstrip()[0] not in "{[":
        raise file_error(
            path.name,
            "is binary data, not GeoJSON text" if "\x00" in text else "is not JSON text",
            "export the layer again as GeoJSON, or give the right file",
            kind=kind,
        )
    if text.lstrip()[0] == "[":
        raise file_error(
            path.name,
            "is not GeoJSON: it is a JSON list, and a GeoJSON file is an object "
            "(a FeatureCollection)",
            "export the layer as GeoJSON from a GIS (QGIS: Export > Save Features As)",
            kind=kind,
        )


def _gpkg_layer_count(path: Path) -> int | None:
    """Return how many tables a GeoPackage lists, or None when it is not SQLite at all."""
    with path.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            return None
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            return int(db.execute("SELECT count(*) FROM gpkg_contents").fetchone()[0])
    except sqlite3.Error:
        return None


def unreadable(path: Path, *, kind: str, error: BaseException) -> LayerError:
    """Return the error for a file its reader refused, in words (never the reader's text).

    The reader's message only picks which explanation fits: a file cut short, a number
    too large, a line with one point, a Shapefile without its side-car files, or a file
    whose content is not the format its extension says.
    """
    text = str(error)
    ext = path.suffix.lower()
    fmt = _FORMAT_NAMES.get(FORMATS.get(ext, ""), ext.lstrip(".") or "layer")
    message, fix = (
        f"is not a {fmt} file (its content is not in that format, or it is damaged)",
        f"export the layer again as {fmt}, or give the right file",
    )
    if fmt == "GeoPackage" and _gpkg_layer_count(path) == 0:
        message, fix = (
            "is a GeoPackage with no layers",
            f"add the {kind} layer to it (or give the file that has it)",
        )
    elif "point array must contain" in text or ("LineString" in text and "point" in text):
        message, fix = (
            "has a line with a single point",
            "give every line at least two points (or remove that feature)",
        )
    elif fmt == "Shapefile" and (".shx" in text.lower() or "SHAPE_RESTORE_SHX" in text):
        message, fix = (
            f"has no {path.with_suffix('.shx').name} beside it",
            "a Shapefile comes as several files (.shp, .shx, .dbf, .prj): give them all",
        )
    elif fmt == "GeoJSON" and "Unrecognized number" in text:
        number = text.rsplit(":", 1)[-1].strip()
        message, fix = (
            f"has a number too large for a coordinate ({number[:20]})",
            "write coordinates as decimal degrees (longitude -180 to 180, latitude -90 to 90)",
        )
    elif fmt == "GeoJSON" and ("Unterminated" in text or "Failed to read" in text):
        line = _JSON_LINE.search(text)
        where = f" (at line {line.group(1)})" if line else ""
        message, fix = (
            f"is not complete JSON{where}: it ends early or a bracket is missing",
            "export the layer again; the file seems cut off",
        )
    return file_error(path.name, message, fix, kind=kind)


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


def _special_reader(path: Path, kind: str) -> pd.DataFrame | None:
    """Read an OpenStreetMap extract (roads) or a CTDC export (flows); None for others.

    Both readers aggregate: ``attrs["dropped"]`` says what was left out and why.
    """
    if path.is_file() and not_regular(path) is None and is_osm(path):
        if kind not in ("roads", "sites"):
            raise file_error(
                path.name,
                f"is an OpenStreetMap extract, which gives the roads (or sites) layer, not {kind}",
                f"give the {kind} layer as its own file, or pass --layer roads",
                kind=kind,
            )
        from layers.osm import read_osm_roads, read_osm_sites

        out = read_osm_roads(path) if kind == "roads" else read_osm_sites(path)
        out.attrs["source_crs"] = "EPSG:4326"
        return out
    if kind == "flows" and path.suffix.lower() == ".csv" and _looks_like_ctdc(path):
        from layers.ctdc import read_ctdc

        out = read_ctdc(path)
        out.attrs["source_crs"] = None
        return out
    return None


def content_kind(path: Path) -> str | None:
    """Return the layer kind a file's format or header says: OSM → roads, CTDC → flows.

    Examples
    --------
    >>> content_kind(Path("tests/data/osm/test.osm.pbf"))
    'roads'
    """
    if is_osm(path):
        return "roads"
    if path.suffix.lower() == ".csv" and _looks_like_ctdc(path):
        return "flows"
    return None


def _looks_like_ctdc(path: Path) -> bool:
    """True when the header has CTDC's own column names (``citizenship`` and two more)."""
    if not path.is_file() or not_regular(path) is not None:
        return False
    from layers.ctdc import REQUIRED_COLUMNS

    with path.open("rb") as handle:
        first = handle.readline(65536).decode("utf-8-sig", errors="replace")
    names = {c.strip().strip('"') for c in re.split(r"[;,]", first)}
    return "citizenship" in names and len(names & set(REQUIRED_COLUMNS)) >= 3


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
