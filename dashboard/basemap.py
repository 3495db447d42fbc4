"""The offline basemap: a MapLibre style dict over the region's own GeoJSON, no tiles.

The style has a background (water), the context land polygons, the region's country
fills, province and country outlines and the roads by class, and optionally country and
town labels. There is no sprite and no tile source, and the label glyphs are files the
app itself serves (``/assets/glyphs/``, made by ``scripts/make_glyphs.py``), so MapLibre
fetches nothing but what the app serves: the GeoJSON at ``/basemap/<layer>.geojson``
(compacted once per process: simplified, rounded to ~100 m, only the properties the
style reads) and those glyphs. Sources are URLs, not inline data, so a filter change
re-sends only the traces while the browser keeps the basemap cached; the few labels are
inline (they are in the page's language).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

#: Basemap layers, drawn bottom to top.
BASEMAP_LAYERS: tuple[str, ...] = ("context", "borders", "provinces", "roads")
#: Properties kept per layer (what the style or the choropleth reads).
KEEP_PROPERTIES: dict[str, tuple[str, ...]] = {
    "context": (),
    "borders": ("country", "name"),
    "provinces": ("admin1", "name", "iso_3166_2", "country", "adm0_a3", "code"),
    "roads": ("road_class", "ref"),
}
#: Simplification tolerance in degrees (≈ 1 km at the equator), per layer.
TOLERANCE_DEG: dict[str, float] = {
    "context": 0.05,
    "borders": 0.01,
    "provinces": 0.03,
    "roads": 0.005,
}
#: Decimal places kept per layer: 3 ≈ 110 m, 2 ≈ 1.1 km; either is finer than a screen
#: pixel at the zooms the region is shown at (the whole region fits at zoom 4-5).
DECIMALS: dict[str, int] = {"context": 2, "borders": 3, "provinces": 2, "roads": 3}

#: Basemap colours: quiet greys so the data's colours carry the meaning.
COLORS: dict[str, str] = {
    "water": "#dbe6ef",
    "land": "#f4f3ef",
    "region": "#ffffff",
    "country_line": "#6b6b6b",
    "province_line": "#c9c6bd",
    "road_major": "#b9a88f",
    "road_minor": "#d4c9b8",
    "ferry": "#8fb3cf",
}
_MAJOR_ROADS = ("motorway", "trunk", "primary")
#: The fontstack of map labels: glyph ranges under ``dashboard/assets/glyphs/``.
LABEL_FONT = "DejaVu Sans Book"
#: The lowest label layer: data traces are inserted below it (plotly's ``below``), so
#: names stay readable over the shading and the lines.
LABELS_BELOW = "labels-town-dot"
#: Towns ranked above this are labelled from zoom 5.5 on (the whole region is ~4.5).
MAJOR_TOWNS = 12


def compact_geojson(
    gdf: gpd.GeoDataFrame,
    *,
    keep: tuple[str, ...] = (),
    tolerance: float = 0.01,
    decimals: int = 3,
) -> bytes:
    """Return a small GeoJSON FeatureCollection of ``gdf`` (a new object; input untouched).

    Geometries are simplified (topology kept), coordinates rounded to ``decimals`` and only
    the ``keep`` columns that exist are written.

    Examples
    --------
    >>> from shapely.geometry import LineString
    >>> g = gpd.GeoDataFrame({"road_class": ["trunk"], "x": [1]},
    ...                      geometry=[LineString([(100.123456, 13.5), (101, 14)])],
    ...                      crs="EPSG:4326")
    >>> feature = json.loads(compact_geojson(g, keep=("road_class",)))["features"][0]
    >>> feature["properties"], feature["geometry"]["coordinates"]
    ({'road_class': 'trunk'}, [[100.123, 13.5], [101.0, 14.0]])
    """
    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        gdf = gdf.to_crs("EPSG:4326")
    geoms = shapely.simplify(gdf.geometry.to_numpy(), tolerance, preserve_topology=True)
    geoms = shapely.transform(geoms, lambda xy: np.round(xy, decimals))
    cols = [c for c in keep if c in gdf.columns]
    features = []
    for i, geom in enumerate(geoms):
        if geom is None or geom.is_empty:
            continue
        props = {c: _plain(gdf[c].iloc[i]) for c in cols}
        features.append(
            {"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(geom)}
        )
    collection = {"type": "FeatureCollection", "features": features}
    return json.dumps(collection, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _plain(value: object) -> object:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value if isinstance(value, int | float | bool) else str(value)


def basemap_style(
    sources: Mapping[str, str],
    *,
    labels: Mapping[str, Any] | None = None,
    glyphs: str | None = None,
) -> dict[str, Any]:
    """Return a MapLibre style dict drawing the given GeoJSON sources (name → URL).

    Layers missing from ``sources`` are simply left out. With ``labels`` (a GeoJSON
    FeatureCollection of points with ``name``, ``kind`` "country" or "town" and ``rank``,
    see :func:`dashboard.map_labels.label_points`) and ``glyphs`` (the app's own glyph
    URL template), country and town names are drawn on top. No ``sprite``: nothing
    outside the app is ever requested.

    Examples
    --------
    >>> s = basemap_style({"borders": "http://127.0.0.1:8050/basemap/borders.geojson"})
    >>> [layer["id"] for layer in s["layers"]]
    ['background', 'borders-fill', 'borders-line']
    >>> "glyphs" in s or "sprite" in s
    False
    >>> points = {"type": "FeatureCollection", "features": []}
    >>> s = basemap_style({}, labels=points, glyphs="/assets/glyphs/{fontstack}/{range}.pbf")
    >>> [layer["id"] for layer in s["layers"]][1:3], s["glyphs"]
    (['labels-town-dot', 'labels-town-minor-dot'], '/assets/glyphs/{fontstack}/{range}.pbf')
    """
    major = ["in", ["get", "road_class"], ["literal", list(_MAJOR_ROADS)]]
    # Bottom to top. Roads are one layer with data-driven paint, not one per class: each
    # layer costs a render pass, which shows on machines without a GPU.
    drawn: list[tuple[str, str, dict[str, Any]]] = [
        ("context", "fill", {"fill-color": COLORS["land"], "fill-outline-color": "#d9d6cc"}),
        ("borders", "fill", {"fill-color": COLORS["region"]}),
        ("provinces", "line", {"line-color": COLORS["province_line"], "line-width": 0.5}),
        (
            "roads",
            "line",
            {
                "line-color": ["case", major, COLORS["road_major"], COLORS["road_minor"]],
                "line-width": ["case", major, 1.2, 0.6],
            },
        ),
        ("borders", "line", {"line-color": COLORS["country_line"], "line-width": 1.0}),
    ]
    layers: list[dict[str, Any]] = [
        {"id": "background", "type": "background", "paint": {"background-color": COLORS["water"]}}
    ]
    layers += [
        {"id": f"{source}-{kind}", "type": kind, "source": source, "paint": paint}
        for source, kind, paint in drawn
        if source in sources
    ]
    style: dict[str, Any] = {
        "version": 8,
        "name": "geotraf offline",
        "sources": {name: {"type": "geojson", "data": url} for name, url in sources.items()},
        "layers": layers,
    }
    if labels is not None and glyphs:
        style["glyphs"] = glyphs
        style["sources"]["labels"] = {"type": "geojson", "data": dict(labels)}
        style["layers"] = layers + label_layers()
    return style


def label_layers() -> list[dict[str, Any]]:
    """Return the label layers: town dots, town names (major, then more when zoomed in),
    country names on top (MapLibre places the upper layers' labels first)."""
    town = ["==", ["get", "kind"], "town"]
    major = ["all", town, ["<=", ["get", "rank"], MAJOR_TOWNS]]
    halo = {"text-halo-color": "rgba(255,255,255,0.92)", "text-halo-width": 1.6}
    town_text = {
        "text-field": ["get", "name"],
        "text-font": [LABEL_FONT],
        "text-size": 11,
        "text-anchor": "left",
        "text-offset": [0.45, 0],
        "text-max-width": 9,
        "symbol-sort-key": ["get", "rank"],
    }
    minor = ["all", town, [">", ["get", "rank"], MAJOR_TOWNS]]
    dot = {
        "circle-radius": 2.6,
        "circle-color": "#2b2f33",
        "circle-stroke-color": "#ffffff",
        "circle-stroke-width": 1,
    }
    return [
        {"id": LABELS_BELOW, "type": "circle", "source": "labels", "filter": major, "paint": dot},
        {
            "id": "labels-town-minor-dot",
            "type": "circle",
            "source": "labels",
            "minzoom": 5.5,
            "filter": minor,
            "paint": {**dot, "circle-radius": 2.0},
        },
        {
            "id": "labels-town",
            "type": "symbol",
            "source": "labels",
            "filter": major,
            "layout": town_text,
            "paint": {"text-color": "#2b2f33", **halo},
        },
        {
            "id": "labels-town-minor",
            "type": "symbol",
            "source": "labels",
            "minzoom": 5.5,
            "filter": minor,
            "layout": {**town_text, "text-size": 10},
            "paint": {"text-color": "#3d434a", **halo},
        },
        {
            "id": "labels-country",
            "type": "symbol",
            "source": "labels",
            "filter": ["==", ["get", "kind"], "country"],
            "layout": {
                "text-field": ["get", "name"],
                "text-font": [LABEL_FONT],
                "text-size": 13,
                "text-transform": "uppercase",
                "text-letter-spacing": 0.12,
                "text-max-width": 8,
                "symbol-sort-key": ["get", "rank"],
            },
            "paint": {"text-color": "#1f2933", **halo, "text-halo-width": 2},
        },
    ]


def fit_view(
    bounds: tuple[float, float, float, float],
    *,
    width_px: int = 820,
    height_px: int = 540,
) -> tuple[dict[str, float], float]:
    """Return the map centre and zoom that show ``bounds`` (west, south, east, north).

    Examples
    --------
    >>> centre, zoom = fit_view((92.0, 8.0, 110.0, 28.0))
    >>> centre, round(zoom, 1)
    ({'lon': 101.0, 'lat': 18.0}, 4.0)
    """
    west, south, east, north = bounds
    lon_span = max(east - west, 1e-3)
    # Web-map zoom is linear in log2 of the Mercator y span, not of latitude degrees.
    y_span = abs(_merc_y(north) - _merc_y(south)) or 1e-3
    zoom_x = math.log2(360.0 * width_px / (512.0 * lon_span))
    zoom_y = math.log2(2 * math.pi * height_px / (512.0 * y_span))
    centre = {"lon": round((west + east) / 2, 4), "lat": round((south + north) / 2, 4)}
    return centre, max(0.0, min(zoom_x, zoom_y) - 0.15)


def _merc_y(lat: float) -> float:
    lat = max(min(lat, 85.0), -85.0)
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
