"""Layers: read any supported format, validate against a schema, return a GeoDataFrame in
EPSG:4326 with fixed columns. Nothing else happens here.

Examples
--------
>>> import layers
>>> places = layers.read_places("data/mekong/places.geojson")
>>> places.crs.to_string(), list(places.columns[:5])
('EPSG:4326', ['place_id', 'name', 'country', 'role', 'place_type'])
>>> try:  # the flows table has no coordinates: one problem, with its fix
...     layers.read_places("data/mekong/flows.csv")
... except layers.LayerError as err:
...     print(err.problems[0].fix)
add 'lon' and 'lat' columns in decimal degrees (or a WKT 'geometry' column)
"""

from __future__ import annotations

from layers._validate import validate
from layers.borders import read_borders
from layers.crossings import read_crossings
from layers.ctdc import read_ctdc
from layers.errors import GeotrafError, LayerError, Problem
from layers.flows import read_flows
from layers.incidents import read_incidents
from layers.io import import_layer, write_layer
from layers.osm import read_osm_roads, read_osm_sites
from layers.places import read_places
from layers.region import Region, read_region
from layers.roads import read_roads
from layers.schema import LAYER_KINDS, SCHEMAS, Field, Schema, schema_for, split_list
from layers.sites import read_sites

__all__ = [
    "LAYER_KINDS",
    "SCHEMAS",
    "Field",
    "GeotrafError",
    "LayerError",
    "Problem",
    "Region",
    "Schema",
    "import_layer",
    "read_borders",
    "read_crossings",
    "read_ctdc",
    "read_flows",
    "read_incidents",
    "read_osm_roads",
    "read_osm_sites",
    "read_places",
    "read_region",
    "read_roads",
    "read_sites",
    "schema_for",
    "split_list",
    "validate",
    "write_layer",
]
