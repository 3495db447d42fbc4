"""Country and town names on the live maps, in the page's language, without a glyph server.

The labels are a small inline GeoJSON source of the offline style
(:func:`dashboard.basemap.basemap_style`): one point per country of the region (its
representative point, named by CLDR in the page's language) and the largest towns
(ranked by population; MapLibre hides a label that would collide with a higher one).
The glyphs they are drawn with are files the app serves itself.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import pandas as pd

from dashboard import basemap, i18n
from dashboard.figure_style import Point

__all__ = [
    "GLYPHS_PATH",
    "country_names",
    "label_points",
    "labelled_style",
    "towns",
    "under_labels",
]

#: Where the app serves the glyph ranges (``dashboard/assets/glyphs/``), under its root.
GLYPHS_PATH = "assets/glyphs/{fontstack}/{range}.pbf"
#: Towns labelled at most (the lower ranks only show when zoomed in).
MAX_TOWNS = 40


def country_names(names: Mapping[str, str], lang: str) -> dict[str, str]:
    """Return the region's country names in ``lang`` (CLDR), keyed by ISO3.

    Examples
    --------
    >>> country_names({"THA": "Thailand", "LAO": "Lao PDR"}, "es")
    {'THA': 'Tailandia', 'LAO': 'Laos'}
    """
    return {code: i18n.country_name(code, lang, default=name) for code, name in names.items()}


def label_points(
    centroids: Mapping[str, Point],
    names: Mapping[str, str],
    towns: pd.DataFrame | None,
    *,
    max_towns: int = MAX_TOWNS,
) -> dict[str, Any]:
    """Return the labels as a GeoJSON FeatureCollection (``name``, ``kind``, ``rank``).

    ``names`` are already in the page's language; ``towns`` has ``name``, ``lon``,
    ``lat`` and is ordered largest first (:func:`towns`).

    Examples
    --------
    >>> towns = pd.DataFrame({"name": ["Bangkok", "Hat Yai"], "lon": [100.5, 100.47],
    ...                       "lat": [13.75, 7.0]})
    >>> fc = label_points({"THA": (101.7, 13.0)}, {"THA": "Thaïlande"}, towns)
    >>> [(f["properties"]["name"], f["properties"]["kind"], f["properties"]["rank"])
    ...  for f in fc["features"]]
    [('Thaïlande', 'country', 0), ('Bangkok', 'town', 1), ('Hat Yai', 'town', 2)]
    """
    features = [
        _point(lon, lat, name=names.get(code, code), kind="country", rank=0)
        for code, (lon, lat) in sorted(centroids.items())
    ]
    if towns is not None and len(towns):
        head = towns.head(max_towns)
        features += [
            _point(float(r.lon), float(r.lat), name=str(r.name), kind="town", rank=i + 1)
            for i, r in enumerate(head.itertuples(index=False))
        ]
    return {"type": "FeatureCollection", "features": features}


def _point(lon: float, lat: float, *, name: str, kind: str, rank: int) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"name": name, "kind": kind, "rank": rank},
        "geometry": {"type": "Point", "coordinates": [round(lon, 4), round(lat, 4)]},
    }


def towns(places: pd.DataFrame | None) -> pd.DataFrame:
    """Return the towns among ``places`` (``name``, ``lon``, ``lat``), largest first.

    Examples
    --------
    >>> from shapely.geometry import Point as P
    >>> places = pd.DataFrame({"name": ["Poipet", "Bangkok", "Mae Sot"],
    ...     "place_type": ["border_crossing", "city", "city"],
    ...     "population": [None, 5104476, 120569], "geometry": [P(102.5, 13.7),
    ...     P(100.5, 13.75), P(98.6, 16.7)]})
    >>> towns(places)["name"].tolist()
    ['Bangkok', 'Mae Sot']
    """
    from geotraf.naming import TOWN_TYPES

    if places is None or len(places) == 0 or "geometry" not in places:
        return pd.DataFrame(columns=["name", "lon", "lat"])
    chosen = places[places["place_type"].isin(TOWN_TYPES)] if "place_type" in places else places
    population = (
        pd.to_numeric(chosen["population"], errors="coerce")
        if "population" in chosen
        else pd.Series(0.0, index=chosen.index)
    )
    out = pd.DataFrame(
        {
            "name": chosen["name"].astype(str).to_numpy(),
            "lon": [g.x for g in chosen["geometry"]],
            "lat": [g.y for g in chosen["geometry"]],
            "population": population.to_numpy(),
        }
    )
    return out.sort_values("population", ascending=False, na_position="last", kind="stable")


@functools.lru_cache(maxsize=8)
def country_label_points(region_path: str) -> dict[str, Point]:
    """Return where each country's name goes: the pole of inaccessibility of its largest
    polygon (the point farthest inside it), not a centroid that can sit on a coast.

    Empty when the region cannot be read: the labels then sit at the view's centroids.
    """
    from shapely.ops import polylabel

    from dashboard import data
    from geotraf.errors import GeotrafError

    try:
        borders = data.load_region(region_path).borders
    except GeotrafError:  # the view was made, so only the label places are lost
        return {}
    if borders is None or len(borders) == 0:
        return {}
    out: dict[str, Point] = {}
    for code, geom in zip(borders["country"].astype(str), borders.geometry, strict=True):
        if geom is None or geom.is_empty:
            continue
        largest = max(getattr(geom, "geoms", [geom]), key=lambda part: part.area)
        point = polylabel(largest, tolerance=0.05)
        out[code] = (round(float(point.x), 3), round(float(point.y), 3))
    return out


def labelled_style(
    urls: Mapping[str, str], *, view: Any, base_url: str, lang: str
) -> dict[str, Any]:
    """Return the offline basemap style with the region's country and town labels.

    ``urls`` are the basemap sources (name → URL), ``view`` the
    :class:`~dashboard.data.RegionView`; ``base_url`` the app's root URL (MapLibre
    resolves the glyph URL outside the page, so it is absolute).
    """
    names = country_names(view.country_names, lang)
    centres = {**view.country_centroids, **country_label_points(view.path)}
    points = label_points(centres, names, towns(view.places))
    return basemap.basemap_style(urls, labels=points, glyphs=base_url + GLYPHS_PATH)


def under_labels(figure: Any, style: Mapping[str, Any]) -> Any:
    """Return a copy of ``figure`` whose traces are drawn below the style's labels.

    A ``below`` naming a layer the style lacks would drop the trace, so it is only set
    when the label layers are there.

    Examples
    --------
    >>> import plotly.graph_objects as go
    >>> style = basemap.basemap_style({}, labels={"type": "FeatureCollection",
    ...                                "features": []}, glyphs="/g/{fontstack}/{range}.pbf")
    >>> fig = go.Figure(go.Scattermap(lon=[100], lat=[15]))
    >>> under_labels(fig, style).data[0].below, fig.data[0].below
    ('labels-town-dot', None)
    """
    import plotly.graph_objects as go

    out = go.Figure(figure)
    if any(layer.get("id") == basemap.LABELS_BELOW for layer in style.get("layers", [])):
        out.update_traces(below=basemap.LABELS_BELOW)
    return out
