"""Pure figure builders: tables in, ``go.Figure`` out. No I/O, no Dash, no Flask.

Every builder takes tables that have already been through
:func:`geotraf.privacy.suppress`: a suppressed cell arrives as ``<NA>`` with
``suppressed=True`` and is drawn as "<11" (grey, its own legend entry), never with a
value. Colours are colour-blind safe: viridis for quantities, Okabe-Ito for categories.
Maps are MapLibre traces (``Choroplethmap``, ``Scattermap``) on the offline style of
:mod:`dashboard.basemap`; no trace uses text mode, which would need glyphs. The arcs of
the flow map are drawn by :mod:`dashboard.arcs`, the palettes and font are
:mod:`dashboard.figure_style`'s; both are re-exported here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboard import i18n
from dashboard.arcs import ARC_SAMPLES as ARC_SAMPLES
from dashboard.arcs import FLOW_WIDTHS as FLOW_WIDTHS
from dashboard.arcs import MAX_ARCS, flow_arcs
from dashboard.arcs import arc as arc
from dashboard.arcs import drawn_pairs as drawn_pairs
from dashboard.arcs import flow_classes as flow_classes
from dashboard.figure_style import (
    COUNT_SCALE,
    EXPLOITATION_COLORS,
    FONT,
    SUPPRESSED_COLOR,
    Point,
    Translator,
    identity,
    text_font,
)
from dashboard.figure_style import FLOW_COLOR as FLOW_COLOR
from dashboard.figure_style import OKABE_ITO as OKABE_ITO
from dashboard.figure_style import TEXT_COLOR as TEXT_COLOR
from geotraf.privacy import DEFAULT_THRESHOLD
from layers.schema import EXPLOITATION


def suppressed_label(threshold: int = DEFAULT_THRESHOLD) -> str:
    """Return how a suppressed count reads on screen, e.g. ``<11``."""
    return f"<{threshold}"


def base_map_layout(
    style: Mapping[str, Any], *, center: Mapping[str, float], zoom: float, revision: str
) -> dict[str, Any]:
    """Return the layout of a MapLibre map on the offline style, with a framed legend."""
    return {
        "map": {"style": dict(style), "center": dict(center), "zoom": zoom},
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
        "font": text_font(),
        "legend": {
            "x": 0.01,
            "y": 0.99,
            "xanchor": "left",
            "yanchor": "top",
            # Light grey, not white: the "No data" swatch is white like those areas.
            "bgcolor": "rgba(238,241,245,0.94)",
            "bordercolor": "#c9ced6",
            "borderwidth": 1,
            "font": {"size": 12},
            "groupclick": "toggleitem",
        },
        "uirevision": revision,
        "paper_bgcolor": "#ffffff",
    }


def flow_map(
    areas: pd.DataFrame,
    pairs: pd.DataFrame | None,
    *,
    geojson: str | Mapping[str, Any],
    featureidkey: str,
    names: Mapping[str, str],
    centroids: Mapping[str, Point],
    style: Mapping[str, Any],
    center: Mapping[str, float],
    zoom: float,
    area_title: str,
    unit: str,
    t: Translator = identity,
    threshold: int = DEFAULT_THRESHOLD,
    max_pairs: int = MAX_ARCS,
    lang: str = "en",
) -> go.Figure:
    """Return the overview map: areas shaded by people, flows as curved arcs.

    Parameters
    ----------
    areas
        Suppressed table ``area``, ``count``, ``suppressed`` (country ISO3 or province).
    pairs
        Suppressed table ``origin``, ``destination``, ``count``, ``suppressed``; None or
        empty draws no arcs. See :func:`drawn_pairs` for which pairs get an arc.
    geojson, featureidkey
        Polygons of the areas (URL or dict) and the property holding the area key, e.g.
        ``properties.country``.
    names
        Display name of each area key.
    centroids
        (lon, lat) of each area key, where arcs start and end.
    style, center, zoom
        Offline basemap style and view (:mod:`dashboard.basemap`).
    area_title
        Legend title of the shading, e.g. "People by country of origin".
    unit
        Unit of the counts, e.g. "people (modelled, synthetic)".
    t
        Translator for the words drawn on the map.
    lang
        Language of the numbers (Babel): ``1,604`` in English, ``1 604`` in French.

    Examples
    --------
    >>> areas = pd.DataFrame({"area": ["THA", "LAO"], "count": pd.array([120, pd.NA], "Int64"),
    ...                       "suppressed": [False, True]})
    >>> fig = flow_map(areas, None, geojson={"type": "FeatureCollection", "features": []},
    ...                featureidkey="properties.country", names={"THA": "Thailand"},
    ...                centroids={}, style={}, center={"lon": 0, "lat": 0}, zoom=1,
    ...                area_title="People", unit="people")
    >>> [tr.type for tr in fig.data], list(fig.data[0].z), fig.data[2].name, fig.data[3].name
    (['choroplethmap', 'choroplethmap', 'scattermap', 'scattermap'], [120.0], '<11 (suppressed)', \
'No data')
    """
    fig = go.Figure(layout=base_map_layout(style, center=center, zoom=zoom, revision="flows"))
    label = suppressed_label(threshold)
    shown = areas.loc[~areas["suppressed"].astype(bool)]
    values = [float(v) for v in shown["count"]]
    ticks = count_ticks(max(values, default=0.0))
    hidden = areas.loc[areas["suppressed"].astype(bool)]
    area_names = [names.get(a, a) for a in shown["area"]]
    shapes = geojson if isinstance(geojson, str) else dict(geojson)
    fig.add_trace(
        go.Choroplethmap(
            geojson=shapes,
            featureidkey=featureidkey,
            locations=list(shown["area"]),
            z=[float(v) for v in shown["count"]],
            customdata=[
                [n, i18n.count(v, lang, threshold=threshold)]
                for n, v in zip(area_names, shown["count"], strict=True)
            ],
            colorscale=COUNT_SCALE,
            zmin=0,
            zmax=max(ticks[-1], 1.0),
            marker={"opacity": 0.78, "line": {"width": 0.6, "color": "#ffffff"}},
            colorbar={
                "title": {"text": f"{area_title}<br><sup>{unit}</sup>", "side": "top"},
                "x": 0.99,
                "xanchor": "right",
                "y": 0.98,
                "yanchor": "top",
                "len": 0.45,
                "thickness": 12,
                "bgcolor": "rgba(255,255,255,0.92)",
                "outlinewidth": 0,
                "tickmode": "array",
                "tickvals": ticks,
                "ticktext": [i18n.number(v, lang) for v in ticks],
            },
            hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]} " + unit + "<extra></extra>",
            name=area_title,
            showlegend=False,
        )
    )
    fig.add_trace(
        go.Choroplethmap(
            geojson=shapes,
            featureidkey=featureidkey,
            locations=list(hidden["area"]),
            # A constant, not the count: the grey fill says "suppressed", nothing more.
            z=[0.0] * len(hidden),
            customdata=[[names.get(a, a)] for a in hidden["area"]],
            meta={"suppressed": True},
            colorscale=[[0.0, SUPPRESSED_COLOR], [1.0, SUPPRESSED_COLOR]],
            showscale=False,
            marker={"opacity": 0.7, "line": {"width": 0.6, "color": "#ffffff"}},
            hovertemplate="<b>%{customdata[0]}</b><br>"
            + label
            + " "
            + unit
            + " ("
            + t("suppressed")
            + ")<extra></extra>",
            name=f"{label} ({t('suppressed')})",
            showlegend=False,  # the legend entry is a swatch, shown even when none is hidden
            legendgroup="areas",
        )
    )
    for name, color in (
        (f"{label} ({t('suppressed')})", SUPPRESSED_COLOR),
        (t("No data"), "#ffffff"),
    ):
        fig.add_trace(legend_swatch(name, color))
    if pairs is not None and len(pairs):
        arcs = flow_arcs(
            pairs,
            names=names,
            centroids=centroids,
            unit=unit,
            t=t,
            threshold=threshold,
            max_pairs=max_pairs,
            lang=lang,
        )
        fig.add_traces(arcs)
    return fig


def legend_swatch(name: str, color: str, *, group: str = "areas") -> go.Scattermap:
    """Return a legend-only entry: a filled band of ``color`` (the legend's light grey
    background lets a white one read).

    Map legends need both area entries ("<11", "No data") even when no area is drawn
    so.

    Examples
    --------
    >>> sw = legend_swatch("No data", "#ffffff")
    >>> sw.fill, sw.fillcolor, sw.showlegend, list(sw.lon)
    ('toself', '#ffffff', True, [None])
    """
    return go.Scattermap(
        lon=[None],
        lat=[None],
        mode="lines",
        fill="toself",
        fillcolor=color,
        line={"color": color, "width": 0},
        name=name,
        hoverinfo="skip",
        showlegend=True,
        legendgroup=group,
    )


def count_ticks(top: float, *, most: int = 5) -> list[float]:
    """Return round, distinct colour-bar ticks from 0 to at least ``top`` (whole people).

    Examples
    --------
    >>> count_ticks(13), count_ticks(0), count_ticks(1604)
    ([0.0, 5.0, 10.0, 15.0], [0.0, 1.0], [0.0, 500.0, 1000.0, 1500.0, 2000.0])
    """
    import math

    if top <= 0:
        return [0.0, 1.0]
    raw = top / (most - 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    step = max(step, 1.0)
    n = math.ceil(top / step)
    return [float(i * step) for i in range(n + 1)]


def trend_chart(
    by_year: pd.DataFrame,
    *,
    unit: str,
    t: Translator = identity,
    threshold: int = DEFAULT_THRESHOLD,
) -> go.Figure:
    """Return people by year, stacked by form of exploitation; suppressed cells as ×.

    Parameters
    ----------
    by_year
        Suppressed table ``year``, ``exploitation``, ``count``, ``suppressed``.

    Examples
    --------
    >>> df = pd.DataFrame({"year": [2020, 2020, 2021], "exploitation": ["sexual", "begging",
    ...                    "sexual"], "count": pd.array([40, pd.NA, 25], "Int64"),
    ...                    "suppressed": [False, True, False]})
    >>> fig = trend_chart(df, unit="people")
    >>> [(tr.name, list(tr.y)) for tr in fig.data]
    [('Sexual', [40.0, 25.0]), ('<11 (suppressed)', [0])]
    """
    label = suppressed_label(threshold)
    fig = go.Figure()
    shown = by_year.loc[~by_year["suppressed"].astype(bool)]
    order = [e for e in EXPLOITATION if e in set(shown["exploitation"])]
    for name in order:
        rows = shown.loc[shown["exploitation"] == name]
        fig.add_trace(
            go.Bar(
                x=[int(y) for y in rows["year"]],
                y=[float(c) for c in rows["count"]],
                name=t(name.replace("_", " ").capitalize()),
                marker={"color": EXPLOITATION_COLORS.get(name, "#999999")},
                hovertemplate="%{x}: %{y:,} " + unit + "<extra>%{fullData.name}</extra>",
            )
        )
    hidden = by_year.loc[by_year["suppressed"].astype(bool)]
    if len(hidden):
        fig.add_trace(
            go.Scatter(
                x=[int(y) for y in hidden["year"]],
                y=[0] * len(hidden),
                mode="markers",
                marker={
                    "symbol": "x-thin-open",
                    "size": 10,
                    "color": "#444444",
                    "line": {"width": 2},
                },
                name=f"{label} ({t('suppressed')})",
                hovertext=[
                    f"{t(e.replace('_', ' ').capitalize())}, {y}: {label} {unit}"
                    for e, y in zip(hidden["exploitation"], hidden["year"], strict=True)
                ],
                hoverinfo="text",
            )
        )
    fig.update_layout(
        barmode="stack",
        font=text_font(),
        margin={"l": 60, "r": 10, "t": 10, "b": 40},
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
        legend={"orientation": "h", "y": -0.22, "x": 0, "font": {"size": 11}},
        xaxis={"title": {"text": t("year")}, "dtick": 1, "tickformat": "d", "showgrid": False},
        yaxis={
            "title": {"text": unit},
            "tickformat": ",d",
            "gridcolor": "#e5e7eb",
            "rangemode": "tozero",
        },
        hovermode="closest",
    )
    return fig


def empty_map(
    style: Mapping[str, Any], *, center: Mapping[str, float], zoom: float, message: str
) -> go.Figure:
    """Return the basemap alone with a message (no data matched, or none loaded)."""
    fig = go.Figure(
        go.Scattermap(lon=[], lat=[], mode="markers", showlegend=False, hoverinfo="skip"),
        layout=base_map_layout(style, center=center, zoom=zoom, revision="flows"),
    )
    fig.add_annotation(
        text=message,
        x=0.5,
        y=0.5,
        xref="paper",
        yref="paper",
        showarrow=False,
        bgcolor="rgba(255,255,255,0.95)",
        bordercolor="#c9ced6",
        borderpad=8,
        font={"size": 14},
    )
    return fig


def empty_chart(message: str) -> go.Figure:
    """Return an empty chart that says what to do instead of drawing blank axes."""
    fig = go.Figure()
    fig.add_annotation(
        text=message, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, font={"size": 14}
    )
    fig.update_layout(
        xaxis={"visible": False},
        yaxis={"visible": False},
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        font={"family": FONT},
    )
    return fig
