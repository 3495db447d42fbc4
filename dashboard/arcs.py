"""Origin → destination arcs on MapLibre maps: the curves, their width classes with round
limits, and the arrowheads that show each arc's direction.

Only unsuppressed pairs are drawn: a suppressed pair has no value to give a width.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard import i18n
from dashboard.figure_style import FLOW_COLOR, Point, Translator, identity
from geotraf.privacy import DEFAULT_THRESHOLD

#: Most arcs drawn: beyond that the map is unreadable and the payload large.
MAX_ARCS = 40
#: Points per arc: smooth at the zooms used, small on the wire.
ARC_SAMPLES = 13
#: Line widths (px) of the flow classes, thinnest first.
FLOW_WIDTHS: tuple[float, ...] = (1.5, 3.0, 5.0, 8.0)
#: Where along each arc its arrowhead sits (0 origin, 1 destination): clear of the
#: crowd of arcs meeting at a destination, yet plainly near its end.
ARROW_AT = 0.7
#: Arrowhead half-length in degrees of latitude for a 0 px line (grows with the width).
HEAD_DEG = 0.16
HEAD_COLOR = "#6b2300"


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


def flow_arcs(
    pairs: pd.DataFrame,
    *,
    names: Mapping[str, str],
    centroids: Mapping[str, Point],
    unit: str,
    t: Translator = identity,
    threshold: int = DEFAULT_THRESHOLD,
    max_pairs: int = MAX_ARCS,
    lang: str = "en",
) -> list[go.Scattermap]:
    """Return the arc traces of origin→destination pairs, one trace per width class.

    Only unsuppressed pairs are drawn (a suppressed pair has no value to give a width),
    at most the ``max_pairs`` largest. A filled arrowhead 70 % along each arc points to
    its destination (drawn as a polygon: MapLibre marker symbols would need a sprite).

    Examples
    --------
    >>> pairs = pd.DataFrame({"origin": ["LAO", "KHM"], "destination": ["THA", "THA"],
    ...                       "count": pd.array([500, pd.NA], "Int64"),
    ...                       "suppressed": [False, True]})
    >>> cent = {"LAO": (102.5, 19.0), "KHM": (105.0, 12.5), "THA": (101.0, 15.0)}
    >>> [tr.name for tr in flow_arcs(pairs, names={}, centroids=cent, unit="people")]
    ['11–500 people', 'arrowhead: towards the destination']
    """
    drawable = drawn_pairs(pairs, centroids=centroids, max_pairs=max_pairs)
    counts = drawable["count"].astype(float).to_numpy()
    classes = flow_classes(list(counts), threshold=threshold)
    widths = FLOW_WIDTHS[: len(classes)]
    labels = [_pair_text(row, names, unit, lang) for row in drawable.itertuples(index=False)]
    traces: list[go.Scattermap] = []
    heads: list[tuple[Point, Point, float]] = []
    for i, ((low, high), width) in enumerate(zip(classes, widths, strict=True)):
        upper = counts <= high if i == len(classes) - 1 else counts < high
        members = np.flatnonzero((counts >= low) & upper)
        lons, lats, text = _arc_lines(
            drawable.iloc[members], [labels[m] for m in members], centroids=centroids
        )
        for m in members:
            row = drawable.iloc[m]
            heads.append((centroids[row["origin"]], centroids[row["destination"]], width))
        traces.append(
            go.Scattermap(
                lon=lons,
                lat=lats,
                mode="lines",
                line={"width": width, "color": FLOW_COLOR},
                opacity=0.7,
                hovertext=text,
                hoverinfo="text",
                name=f"{i18n.number(low, lang)}–{i18n.number(high, lang)} {t('people')}",
                legendgroup="flows",
                legendgrouptitle={"text": t("Flows, origin → destination")} if i == 0 else None,
            )
        )
    if heads:
        head_lon, head_lat = arrowheads(heads)
        traces.append(
            go.Scattermap(
                lon=head_lon,
                lat=head_lat,
                mode="lines",
                fill="toself",
                fillcolor=HEAD_COLOR,
                line={"width": 1, "color": HEAD_COLOR},
                hoverinfo="skip",
                name=t("arrowhead: towards the destination"),
                legendgroup="flows",
            )
        )
    return traces


def arrowheads(
    arcs: Sequence[tuple[Point, Point, float]], *, at: float = ARROW_AT
) -> tuple[np.ndarray, np.ndarray]:
    """Return filled-triangle arrowheads (lon/lat, NaN between) ``at`` along each arc.

    Each arc is ``(start, end, line width px)``; the head points along the curve towards
    ``end`` and grows with the line (at most an eighth of the arc's span). Triangles are
    built in a local frame where a degree of longitude is shortened by cos(latitude), so
    they are not skewed on the map.

    Examples
    --------
    >>> lon, lat = arrowheads([((100.0, 10.0), (104.0, 10.0), 3.0)])
    >>> len(lon), bool(lon[0] > lon[1])  # tip, two base corners, back to the tip
    (4, True)
    """
    lons: list[float] = []
    lats: list[float] = []
    for start, end, width in arcs:
        xs, ys = arc(start, end, samples=41)
        i = round(at * (len(xs) - 1))
        shrink = math.cos(math.radians(ys[i]))
        # Short arcs get smaller heads, so the head stays a mark on its arc.
        chord = math.hypot((end[0] - start[0]) * shrink, end[1] - start[1])
        size = min(HEAD_DEG * (1.0 + width / 4.0), 0.12 * chord)
        heading = (xs[i + 1] - xs[i - 1], ys[i + 1] - ys[i - 1])
        for x, y in triangle((xs[i], ys[i]), heading, size):
            lons.append(x)
            lats.append(y)
        lons.append(math.nan)
        lats.append(math.nan)
    return np.asarray(lons[:-1]), np.asarray(lats[:-1])


def triangle(at: Point, heading: Point, size: float) -> list[Point]:
    """Return a closed arrowhead (tip, left, right, tip) around ``at`` pointing along
    ``heading`` (a lon/lat difference), ``size`` degrees of latitude from centre to tip.

    Built in a local frame where a degree of longitude is cos(latitude) long, so the
    head is not skewed on a web map.

    Examples
    --------
    >>> tip, left, right, again = triangle((100.0, 0.0), (1.0, 0.0), 1.0)
    >>> tip, left, right, tip == again
    ((101.0, 0.0), (99.4, 0.7), (99.4, -0.7), True)
    """
    x, y = at
    shrink = math.cos(math.radians(y)) or 1e-9
    dx, dy = heading[0] * shrink, heading[1]
    norm = math.hypot(dx, dy) or 1.0
    ux, uy = dx / norm, dy / norm
    back = (-0.6 * size * ux, -0.6 * size * uy)
    side = (-uy * size * 0.7, ux * size * 0.7)
    local = [
        (ux * size, uy * size),
        (back[0] + side[0], back[1] + side[1]),
        (back[0] - side[0], back[1] - side[1]),
    ]
    points = [(round(x + px / shrink, 4), round(y + py, 4)) for px, py in local]
    return [*points, points[0]]


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


def _pair_text(row: Any, names: Mapping[str, str], unit: str, lang: str) -> str:
    origin = names.get(row.origin, row.origin)
    destination = names.get(row.destination, row.destination)
    return f"{origin} → {destination}: {i18n.count(row.count, lang)} {unit}"


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
