"""Pure figure builders: tables in, ``go.Figure`` out. No I/O, no Dash, no Flask.

Every builder takes tables that have already been through
:func:`geotraf.privacy.suppress`: a suppressed cell arrives as ``<NA>`` with
``suppressed=True`` and is drawn as "<11" (grey, its own legend entry), never with a
value. Colours are colour-blind safe: viridis for quantities, Okabe-Ito for categories.
Maps are MapLibre traces (``Choroplethmap``, ``Scattermap``) on the offline style of
:mod:`dashboard.basemap`; no trace uses text mode, which would need glyphs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from geotraf.privacy import DEFAULT_THRESHOLD, format_count
from layers.schema import EXPLOITATION

Point = tuple[float, float]
Translator = Callable[[str], str]

#: Okabe & Ito (2008) palette, safe for the common colour-vision deficiencies.
OKABE_ITO: tuple[str, ...] = (
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#999999",
    "#000000",
)
#: Fixed colour per form of exploitation, so a category keeps its colour under filters.
EXPLOITATION_COLORS: dict[str, str] = {
    name: OKABE_ITO[i % len(OKABE_ITO)] for i, name in enumerate(EXPLOITATION)
}
#: Sequential scale for counts: light (few) to dark (many); viridis is perceptually
#: uniform and reads in grey and for colour-blind users.
COUNT_SCALE = "Viridis_r"
SUPPRESSED_COLOR = "#bdbdbd"
FLOW_COLOR = "#D55E00"
TEXT_COLOR = "#1f2933"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif"
#: Most arcs drawn: beyond that the map is unreadable and the payload large.
MAX_ARCS = 40
#: Points per arc: smooth at the zooms used, small on the wire.
ARC_SAMPLES = 13
#: Line widths (px) of the flow classes, thinnest first.
FLOW_WIDTHS: tuple[float, ...] = (1.5, 3.0, 5.0, 8.0)


def _identity(message: str) -> str:
    return message


def _text_font() -> dict[str, Any]:
    # A fresh dict per call rather than a module-level one: no mutable module state.
    return {"family": FONT, "size": 12, "color": TEXT_COLOR}


def suppressed_label(threshold: int = DEFAULT_THRESHOLD) -> str:
    """Return how a suppressed count reads on screen, e.g. ``<11``."""
    return f"<{threshold}"


def arc(
    start: Point, end: Point, *, bend: float = 0.18, samples: int = 17
) -> tuple[list[float], list[float]]:
    """Return the lon and lat lists of a curved line from ``start`` to ``end``.

    A quadratic Bézier whose control point is pushed ``bend`` × the distance to the left
    of the straight line, so that A→B and B→A curve apart and every arc bends the same
    way (the bend shows the direction, as on origin-destination maps).

    Examples
    --------
    >>> lons, lats = arc((100.0, 10.0), (102.0, 10.0), samples=3)
    >>> lons, [round(v, 2) for v in lats]
    ([100.0, 101.0, 102.0], [10.0, 10.18, 10.0])
    """
    (x0, y0), (x2, y2) = start, end
    dx, dy = x2 - x0, y2 - y0
    x1 = (x0 + x2) / 2 - bend * dy
    y1 = (y0 + y2) / 2 + bend * dx
    s = np.linspace(0.0, 1.0, samples)
    xs = (1 - s) ** 2 * x0 + 2 * (1 - s) * s * x1 + s**2 * x2
    ys = (1 - s) ** 2 * y0 + 2 * (1 - s) * s * y1 + s**2 * y2
    return [round(float(v), 4) for v in xs], [round(float(v), 4) for v in ys]


def flow_classes(
    counts: Sequence[float], *, n: int = len(FLOW_WIDTHS), threshold: int = DEFAULT_THRESHOLD
) -> list[tuple[float, float]]:
    """Return up to ``n`` count classes ``(low, high)`` with round limits (quantile breaks).

    The lowest class starts at the smallest count rounded down (never below the
    threshold: smaller counts are suppressed and never drawn), so no class is empty.

    Examples
    --------
    >>> flow_classes([12, 40, 90, 300, 1200], n=3)
    [(11, 50), (50, 200), (200, 1200)]
    >>> flow_classes([205, 450, 520, 690], n=2)
    [(200, 500), (500, 690)]
    >>> flow_classes([])
    []
    """
    values = np.asarray([c for c in counts if c is not None and not pd.isna(c)], dtype=float)
    if len(values) == 0:
        return []
    qs = np.quantile(values, np.linspace(0, 1, n + 1)[1:-1]) if n > 1 else np.array([])
    low = max(threshold, _nice_floor(float(values.min())))
    if low >= values.max():
        low = threshold
    edges = sorted({_nice(q) for q in qs if low < _nice(q) < values.max()})
    limits = [low, *edges, math.ceil(values.max())]
    return [(limits[i], limits[i + 1]) for i in range(len(limits) - 1)]


def _nice_floor(value: float) -> int:
    """Round down to 1, 2 or 5 times a power of ten."""
    if value < 1:
        return 0
    power = 10 ** math.floor(math.log10(value))
    return int(max(m for m in (1, 2, 5) if m * power <= value) * power)


def _nice(value: float) -> int:
    """Round to 1, 2 or 5 times a power of ten (legend limits people can read)."""
    if value <= 0:
        return 0
    power = 10 ** math.floor(math.log10(value))
    return int(min((1, 2, 5, 10), key=lambda m: abs(m * power - value)) * power)


def base_map_layout(
    style: Mapping[str, Any], *, center: Mapping[str, float], zoom: float, revision: str
) -> dict[str, Any]:
    """Return the layout of a MapLibre map on the offline style, with a framed legend."""
    return {
        "map": {"style": dict(style), "center": dict(center), "zoom": zoom},
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
        "font": _text_font(),
        "legend": {
            "x": 0.01,
            "y": 0.99,
            "xanchor": "left",
            "yanchor": "top",
            "bgcolor": "rgba(255,255,255,0.92)",
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
    t: Translator = _identity,
    threshold: int = DEFAULT_THRESHOLD,
    max_pairs: int = MAX_ARCS,
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

    Examples
    --------
    >>> areas = pd.DataFrame({"area": ["THA", "LAO"], "count": pd.array([120, pd.NA], "Int64"),
    ...                       "suppressed": [False, True]})
    >>> fig = flow_map(areas, None, geojson={"type": "FeatureCollection", "features": []},
    ...                featureidkey="properties.country", names={"THA": "Thailand"},
    ...                centroids={}, style={}, center={"lon": 0, "lat": 0}, zoom=1,
    ...                area_title="People", unit="people")
    >>> [tr.type for tr in fig.data], list(fig.data[0].z), fig.data[1].name
    (['choroplethmap', 'choroplethmap', 'scattermap'], [120.0], '<11 (suppressed)')
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
                [n, format_count(v)] for n, v in zip(area_names, shown["count"], strict=True)
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
                "ticktext": [f"{v:,.0f}" for v in ticks],
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
            showlegend=True,
            legendgroup="areas",
        )
    )
    fig.add_trace(
        go.Scattermap(  # a legend entry only: what the white areas mean
            lon=[None],
            lat=[None],
            mode="markers",
            marker={"size": 12, "color": "#ffffff", "symbol": "circle"},
            name=t("No data"),
            hoverinfo="skip",
            showlegend=True,
            legendgroup="areas",
        )
    )
    if pairs is not None and len(pairs):
        arcs = flow_arcs(
            pairs,
            names=names,
            centroids=centroids,
            unit=unit,
            t=t,
            threshold=threshold,
            max_pairs=max_pairs,
        )
        fig.add_traces(arcs)
    return fig


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


def flow_arcs(
    pairs: pd.DataFrame,
    *,
    names: Mapping[str, str],
    centroids: Mapping[str, Point],
    unit: str,
    t: Translator = _identity,
    threshold: int = DEFAULT_THRESHOLD,
    max_pairs: int = MAX_ARCS,
) -> list[go.Scattermap]:
    """Return the arc traces of origin→destination pairs, one trace per width class.

    Only unsuppressed pairs are drawn (a suppressed pair has no value to give a width),
    at most the ``max_pairs`` largest. A dot near each destination end shows the
    direction (MapLibre traces cannot draw arrow heads without a sprite).

    Examples
    --------
    >>> pairs = pd.DataFrame({"origin": ["LAO", "KHM"], "destination": ["THA", "THA"],
    ...                       "count": pd.array([500, pd.NA], "Int64"),
    ...                       "suppressed": [False, True]})
    >>> cent = {"LAO": (102.5, 19.0), "KHM": (105.0, 12.5), "THA": (101.0, 15.0)}
    >>> [tr.name for tr in flow_arcs(pairs, names={}, centroids=cent, unit="people")]
    ['11–500 people', 'direction: dot at destination end']
    """
    drawable = drawn_pairs(pairs, centroids=centroids, max_pairs=max_pairs)
    counts = drawable["count"].astype(float).to_numpy()
    classes = flow_classes(list(counts), threshold=threshold)
    widths = FLOW_WIDTHS[: len(classes)]
    labels = [_pair_text(row, names, unit) for row in drawable.itertuples(index=False)]
    traces: list[go.Scattermap] = []
    heads: list[tuple[float, float, str, float]] = []
    for i, ((low, high), width) in enumerate(zip(classes, widths, strict=True)):
        upper = counts <= high if i == len(classes) - 1 else counts < high
        members = np.flatnonzero((counts >= low) & upper)
        lons, lats, text = _arc_lines(
            drawable.iloc[members], [labels[m] for m in members], centroids=centroids
        )
        for m in members:
            row = drawable.iloc[m]
            hx, hy = _head(centroids[row["origin"]], centroids[row["destination"]])
            heads.append((hx, hy, labels[m], 4.0 + width))
        traces.append(
            go.Scattermap(
                lon=lons,
                lat=lats,
                mode="lines",
                line={"width": width, "color": FLOW_COLOR},
                opacity=0.7,
                hovertext=text,
                hoverinfo="text",
                name=f"{low:,}–{high:,} {t('people')}",
                legendgroup="flows",
                legendgrouptitle={"text": t("Flows, origin → destination")} if i == 0 else None,
            )
        )
    if heads:
        head_lon, head_lat, head_text, head_size = zip(*heads, strict=True)
        traces.append(
            go.Scattermap(
                lon=np.asarray(head_lon),
                lat=np.asarray(head_lat),
                mode="markers",
                marker={"size": np.asarray(head_size), "color": "#7a2e00", "opacity": 0.9},
                hovertext=list(head_text),
                hoverinfo="text",
                name=t("direction: dot at destination end"),
                legendgroup="flows",
            )
        )
    return traces


def drawn_pairs(
    pairs: pd.DataFrame, *, centroids: Mapping[str, Point], max_pairs: int = MAX_ARCS
) -> pd.DataFrame:
    """Return the pairs that get an arc: unsuppressed, both ends placed, the largest first.

    Examples
    --------
    >>> pairs = pd.DataFrame({"origin": ["A", "B", "C"], "destination": ["Z", "Z", "Z"],
    ...                       "count": [30, 50, 12], "suppressed": [False, False, False]})
    >>> cent = {k: (0.0, 0.0) for k in "ABZ"}
    >>> drawn_pairs(pairs, centroids=cent, max_pairs=1)["origin"].tolist()
    ['B']
    """
    placed = pairs["origin"].isin(centroids) & pairs["destination"].isin(centroids)
    usable = pairs.loc[placed & ~pairs["suppressed"].astype(bool)]
    order = usable["count"].astype(float).sort_values(ascending=False, kind="stable").index
    return usable.loc[order[:max_pairs]]


def _pair_text(row: Any, names: Mapping[str, str], unit: str) -> str:
    origin = names.get(row.origin, row.origin)
    destination = names.get(row.destination, row.destination)
    return f"{origin} → {destination}: {format_count(row.count)} {unit}"


def _arc_lines(
    rows: pd.DataFrame, labels: Sequence[str], *, centroids: Mapping[str, Point]
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Return the arcs of ``rows`` as lon/lat arrays split by NaN, and a text per point."""
    lons: list[float] = []
    lats: list[float] = []
    text: list[str] = []
    for (origin, destination), label in zip(
        rows[["origin", "destination"]].itertuples(index=False), labels, strict=True
    ):
        xs, ys = arc(centroids[origin], centroids[destination], samples=ARC_SAMPLES)
        lons += [*xs, math.nan]
        lats += [*ys, math.nan]
        text += [label] * (len(xs) + 1)
    return np.asarray(lons), np.asarray(lats), text


def _head(start: Point, end: Point) -> Point:
    xs, ys = arc(start, end, samples=21)
    return xs[-3], ys[-3]


def trend_chart(
    by_year: pd.DataFrame,
    *,
    unit: str,
    t: Translator = _identity,
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
        font=_text_font(),
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
