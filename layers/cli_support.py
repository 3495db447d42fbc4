"""The work behind ``geotraf validate`` and ``geotraf layers`` (layers cannot import geotraf).

Both take the parsed ``argparse.Namespace`` and return an exit code. Text output that
finds problems raises :class:`~layers.errors.LayerError` (the CLI prints it and exits 2);
``--format json`` prints the problems as JSON and returns 2 itself.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pyogrio

from layers._formats import ALL_ENDINGS, content_kind, supported
from layers._read import read_layer
from layers.errors import GeotrafError, LayerError, Problem
from layers.region import country_notes, read_region
from layers.schema import LAYER_KINDS, SCHEMAS, Schema, schema_for

EXIT_OK = 0
EXIT_INVALID = 2


def infer_kind(path: Path) -> str | None:
    """Return the layer kind a file name says (``places.csv``, ``roads_2024.gpkg``), or None.

    Examples
    --------
    >>> infer_kind(Path("data/places_laos.geojson"))
    'places'
    """
    stem = path.name.split(".")[0].lower()
    for kind in LAYER_KINDS:
        if stem == kind or stem.startswith((f"{kind}_", f"{kind}-")):
            return kind
    return None


def _gpkg_kinds(path: Path) -> list[str]:
    """Return the layer kinds a GeoPackage holds as layers (none for other files)."""
    if path.suffix.lower() != ".gpkg" or not path.is_file():
        return []
    try:
        names = {str(n) for n in pyogrio.list_layers(path)[:, 0]}
    except Exception:  # an unreadable file is reported by the single-file reader
        return []
    return [kind for kind in LAYER_KINDS if kind in names]


def _summary_line(path: Path, kind: str, frame: pd.DataFrame) -> str:
    crs = frame.attrs.get("source_crs")
    n = len(frame)
    if crs is None:
        where = "no geometry"
    elif crs == "EPSG:4326":
        where = "EPSG:4326"
    else:
        where = f"{crs} → EPSG:4326"
    noun = kind if n != 1 else kind.rstrip("s")
    line = f"{path.name}: {n} {noun} valid ({where})"
    return line + "".join(f"\n  {note}" for note in intake_notes(frame))


def intake_notes(frame: pd.DataFrame) -> list[str]:
    """Return what an aggregating reader (OSM, CTDC) kept, aggregated and dropped, and why.

    Examples
    --------
    >>> frame = pd.DataFrame({"count": [3]})
    >>> frame.attrs.update(records=5, dropped={"unknown year": 2})
    >>> intake_notes(frame)
    ['5 records aggregated into 1 flows', 'dropped 2: unknown year']
    """
    notes: list[str] = []
    if "records" in frame.attrs:
        notes.append(f"{frame.attrs['records']} records aggregated into {len(frame)} flows")
    if "ways" in frame.attrs:
        notes.append(f"{frame.attrs['ways']} OSM ways read, {len(frame)} kept as roads")
    if frame.attrs.get("cut"):
        notes.append(
            f"{frame.attrs['cut']} roads cut by the extract boundary, kept as far as they go"
        )
    dropped = frame.attrs.get("dropped") or {}
    if dropped:
        total = sum(dropped.values())
        notes.append(
            f"dropped {total}: "
            + ", ".join(
                f"{n} {why}" if n != total or len(dropped) > 1 else str(why)
                for why, n in dropped.items()
            )
        )
    return notes


def _check(args: argparse.Namespace) -> tuple[dict[str, Any], list[str]]:
    """Validate what ``args.path`` names; return the JSON report and summary lines."""
    path = Path(args.path)
    kind = getattr(args, "layer", None)
    if kind is not None and kind not in LAYER_KINDS:
        raise LayerError(
            [
                Problem(
                    path.name,
                    None,
                    None,
                    str(kind),
                    "unknown layer kind",
                    f"pass --layer with one of {', '.join(LAYER_KINDS)}",
                )
            ]
        )
    gpkg_kinds = _gpkg_kinds(path) if kind is None else []
    if kind is None and (path.is_dir() or len(gpkg_kinds) > 1):
        region = read_region(path, repair=args.repair)
        layers = region.layers()
        counts = {k: len(v) for k, v in layers.items()}
        line = (
            f"{path.name or path}: region valid ("
            + ", ".join(f"{n} {k}" for k, n in counts.items())
            + ")"
        )
        notes = country_notes(region)
        report = {
            "valid": True,
            "path": str(path),
            "region": True,
            "layers": counts,
            "notes": notes,
        }
        return report, [line, *(f"  note: {n}" for n in notes)]
    if kind is None:
        kind = infer_kind(path) or (gpkg_kinds[0] if gpkg_kinds else None)
    if kind is None:
        kind = content_kind(path)
    if kind is None:
        if not path.exists():
            fix, message = "check the path and file name", f"file not found: {path}"
        elif not supported(path):
            message = f"unsupported file type {path.suffix or '(no extension)'!r}"
            fix = f"save it as one of {', '.join(ALL_ENDINGS)}"
        else:
            message = "cannot tell which layer this file is from its name"
            fix = (
                f"pass --layer KIND (one of {', '.join(LAYER_KINDS)}) or name the file "
                "after its kind, e.g. places.csv"
            )
        raise LayerError([Problem(path.name, None, None, None, message, fix)])
    frame = read_layer(path, kind, crs=args.crs, repair=args.repair)
    report = {
        "valid": True,
        "path": str(path),
        "kind": kind,
        "rows": len(frame),
        "source_crs": frame.attrs.get("source_crs"),
        "crs": "EPSG:4326" if frame.attrs.get("source_crs") else None,
    }
    intake = {k: frame.attrs[k] for k in ("records", "ways", "cut", "dropped") if k in frame.attrs}
    if intake:
        report["intake"] = intake
    return report, [_summary_line(path, kind, frame)]


def run_validate(args: argparse.Namespace) -> int:
    """``geotraf validate PATH``: check a layer file or a region against the schemas.

    ``args`` has ``path``, ``layer`` (kind, or None to infer it from the file name, or
    to read a folder / multi-layer GeoPackage as a region), ``crs``, ``repair`` and
    ``format`` (``text`` or ``json``).

    Returns
    -------
    int
        0 when valid. Invalid input raises :class:`LayerError` in text mode; in JSON mode
        the problems are printed and 2 is returned.

    Examples
    --------
    >>> ns = argparse.Namespace(path="places.csv", layer=None, crs=None, repair=False,
    ...                         format="text")
    >>> run_validate(ns)  # doctest: +SKIP
    places.csv: 12 places valid (EPSG:4326)
    0
    """
    as_json = getattr(args, "format", "text") == "json"
    try:
        report, lines = _check(args)
    except LayerError as exc:
        if not as_json:
            raise
        print_json(
            {
                "valid": False,
                "path": str(args.path),
                "problems": [p.to_dict() for p in exc.problems],
            }
        )
        return EXIT_INVALID
    if as_json:
        report["problems"] = []
        print_json(report)
    else:
        print("\n".join(lines))
    return EXIT_OK


def print_json(obj: Any) -> None:
    """Print ``obj`` as the indented JSON every ``--format json`` command writes.

    Examples
    --------
    >>> print_json({"valid": True, "place": "Mae Sot"})
    {
      "valid": true,
      "place": "Mae Sot"
    }
    """
    json.dump(obj, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def schema_dict(schema: Schema) -> dict[str, Any]:
    """Return a layer schema as a JSON-ready dict."""
    return {
        "kind": schema.kind,
        "geometry": list(schema.geometry) if schema.geometry else None,
        "description": schema.description,
        "id_field": schema.id_field,
        "fields": [
            {
                "name": f.name,
                "dtype": f.dtype,
                "required": f.required,
                "allowed": [a for a in f.allowed if a] if f.allowed else None,
                "unique": f.unique,
                "default": f.default,
                "min": f.min,
                "max": f.max,
                "description": f.description,
            }
            for f in schema.fields
        ],
    }


def schemas_markdown(schemas: list[Schema]) -> str:
    """Return the schemas as one Markdown table (for the README)."""
    lines = [
        "| layer | column | type | required | allowed values / range | description |",
        "|---|---|---|---|---|---|",
    ]
    for schema in schemas:
        geometry = " / ".join(schema.geometry) if schema.geometry else "none (table)"
        lines.append(
            f"| **{schema.kind}** | *geometry* | {geometry} | yes |  | {schema.description} |"
        )
        for f in schema.fields:
            lines.append(
                f"| {schema.kind} | `{f.name}` | {f.dtype} | {'yes' if f.required else 'no'} "
                f"| {_allowed_text(f.allowed, f.min, f.max)} | {f.description} |"
            )
    return "\n".join(lines)


def _allowed_text(allowed: tuple[str, ...] | None, lo: float | None, hi: float | None) -> str:
    if allowed:
        return ", ".join(a for a in allowed if a)
    if lo is not None or hi is not None:
        return f"{'' if lo is None else f'{lo:g}'}..{'' if hi is None else f'{hi:g}'}"
    return ""


def schemas_text(schemas: list[Schema]) -> str:
    """Return the schemas as indented plain text (``geotraf layers``)."""
    out: list[str] = []
    for schema in schemas:
        geometry = " or ".join(schema.geometry) if schema.geometry else "no geometry"
        out.append(f"{schema.kind} ({geometry}): {schema.description}")
        width = max(len(f.name) for f in schema.fields)
        for f in schema.fields:
            flags = "required" if f.required else f"optional, default {f.default!r}"
            if f.unique:
                flags += ", unique"
            allowed = _allowed_text(f.allowed, f.min, f.max)
            extra = f" [{allowed}]" if allowed else ""
            out.append(f"  {f.name:<{width}}  {f.dtype:<9} {flags}. {f.description}{extra}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def run_layers(args: argparse.Namespace) -> int:
    """``geotraf layers [KIND]``: print the layer schemas as text, JSON or Markdown.

    Examples
    --------
    >>> run_layers(argparse.Namespace(kind="borders", format="text"))  # doctest: +SKIP
    0
    """
    kind = getattr(args, "kind", None)
    if kind is None:
        schemas = [SCHEMAS[k] for k in LAYER_KINDS]
    else:
        try:
            schemas = [schema_for(kind)]
        except KeyError as exc:
            raise GeotrafError(str(exc.args[0])) from None
    fmt = getattr(args, "format", "text")
    if fmt == "json":
        print_json([schema_dict(s) for s in schemas])
    elif fmt == "markdown":
        print(schemas_markdown(schemas))
    else:
        sys.stdout.write(schemas_text(schemas))
    return EXIT_OK
