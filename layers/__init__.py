"""Layers: read any supported format, validate against a schema, return a GeoDataFrame in
EPSG:4326 with fixed columns. Nothing else happens here."""

from __future__ import annotations

from layers.errors import GeotrafError, LayerError, Problem
from layers.schema import LAYER_KINDS, SCHEMAS, Field, Schema, schema_for

__all__ = [
    "LAYER_KINDS",
    "SCHEMAS",
    "Field",
    "GeotrafError",
    "LayerError",
    "Problem",
    "Schema",
    "schema_for",
]
