"""What the Corridors page computes: modelled corridor loads under the analyst's filters.

The expensive work — building the route graph and assigning every flow
(:func:`geotraf.routing.assign`) — runs once per (region, method) per process
(:func:`corridor_network`, cached). From the assignment it keeps a sparse matrix of path
shares, flows × road segments (scipy CSR, transposed for the product). A filter is then a
boolean mask over the flows, turned into a weight vector ``w`` (people per year), and the
segment loads are one sparse product ``Mᵀw``: no re-routing, no per-flow loop.

A *segment* is one road piece drawn on the map: the two directed edges of a two-way road
are one segment whose load is the sum of both directions. The flows assigned are the
region's *released* flows (:func:`corridor_network`, ``source="release"``): every load,
headline, hotspot and what-if is post-processing of the differentially private release
(:mod:`geotraf.privacy`), values below the display threshold are shown as ``<11`` and no
flow row is ever sent.

This module is the page model's one import path; the work is done in
:mod:`dashboard.corridors_state` (filters), :mod:`dashboard.corridors_network` (the
cached sparse index), :mod:`dashboard.corridors_view` (map payload and headline),
:mod:`dashboard.corridors_tables` (hotspots and corridors) and
:mod:`dashboard.corridors_whatif` (close or watch).
"""

from __future__ import annotations

from dashboard.corridors_network import (
    GEOMETRY_DECIMALS,
    GEOMETRY_TOLERANCE,
    CorridorNetwork,
    Segments,
    build_network,
    corridor_network,
    flow_mask,
    flow_weights,
    segment_loads,
    year_span,
)
from dashboard.corridors_state import (
    CATEGORY_FILTERS,
    COUNTRY_FILTERS,
    DEFAULT_METHOD,
    METHODS,
    CorridorState,
    Translator,
    clamp_years,
)
from dashboard.corridors_tables import (
    Tables,
    analysis_tables,
    cached_tables,
    filtered_assignment,
    incident_layer,
)
from dashboard.corridors_view import (
    LOAD_COLORS,
    LOAD_WIDTHS,
    N_CLASSES,
    SUPPRESSED,
    SUPPRESSED_COLOR,
    corridor_payload,
    geometry_payload,
    headline,
    load_classes,
    protection_notes,
    unit_label,
)
from dashboard.corridors_whatif import (
    MAX_ROAD_OPTIONS,
    REF,
    WhatIf,
    expand_targets,
    segment_lines,
    what_if,
    whatif_options,
)
from dashboard.data import route_graph

__all__ = [
    "CATEGORY_FILTERS",
    "COUNTRY_FILTERS",
    "DEFAULT_METHOD",
    "GEOMETRY_DECIMALS",
    "GEOMETRY_TOLERANCE",
    "LOAD_COLORS",
    "LOAD_WIDTHS",
    "MAX_ROAD_OPTIONS",
    "METHODS",
    "N_CLASSES",
    "REF",
    "SUPPRESSED",
    "SUPPRESSED_COLOR",
    "CorridorNetwork",
    "CorridorState",
    "Segments",
    "Tables",
    "Translator",
    "WhatIf",
    "analysis_tables",
    "build_network",
    "cached_tables",
    "clamp_years",
    "corridor_network",
    "corridor_payload",
    "expand_targets",
    "filtered_assignment",
    "flow_mask",
    "flow_weights",
    "geometry_payload",
    "headline",
    "incident_layer",
    "load_classes",
    "protection_notes",
    "route_graph",
    "segment_lines",
    "segment_loads",
    "unit_label",
    "what_if",
    "whatif_options",
    "year_span",
]
