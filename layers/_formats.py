"""Which files geotraf reads, and what to say about one it cannot read.

:data:`FORMATS` maps extensions to readers; OpenStreetMap extracts are recognised by their
whole ending (``.osm.pbf``). :func:`unreadable` turns a reader's failure into words that
fit the file (cut short, a number too large, a Shapefile without its side-car files...)
and never passes the reader's own text on.
"""

from __future__ import annotations

import re
import sqlite3
import stat
from contextlib import closing
from pathlib import Path

import pandas as pd

from layers.errors import LayerError, file_error

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
