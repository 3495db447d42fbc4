"""Pure figure pieces of the Corridors map: hotspots, incident density, what-if overlays.

The corridor lines themselves are drawn in the browser from the geometry sent once and
the per-filter loads (:data:`COMPOSE_MAP_FN`), so a filter change ships a few numbers per
segment instead of the whole network. Everything here takes tables that were already
suppressed (:mod:`geotraf.privacy`); colours are colour-blind safe (Okabe-Ito for
categories, viridis/cividis for quantities). No trace uses text mode (no glyphs offline).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard import figures, hotspot_text, i18n
from geotraf.privacy import DEFAULT_THRESHOLD

Translator = Callable[[str], str]

HOTSPOT_COLOR = "#CC79A7"
HOTSPOT_LINE = "#5a1d44"
#: What-if change: the ends of ColorBrewer's diverging RdGy (red gained, dark grey lost),
#: hues the corridor classes (viridis: yellow-green → purple) do not use; each line on a
#: white casing, so a change reads apart from the corridor under it.
GAINED_COLOR = "#B2182B"
LOST_COLOR = "#5a5a5a"
CASING_COLOR = "#ffffff"
CLOSED_COLOR = "#000000"
WATCHED_COLOR = "#E69F00"
#: Incident density: cividis, transparent at zero so the basemap shows through.
DENSITY_SCALE: list[list[Any]] = [
    [0.0, "rgba(0,34,78,0)"],
    [0.15, "rgba(65,77,107,0.45)"],
    [0.5, "rgba(124,123,120,0.65)"],
    [0.8, "rgba(200,175,95,0.8)"],
    [1.0, "rgba(254,232,56,0.9)"],
]


def _identity(message: str) -> str:
    return message


def map_layout(
    style: Mapping[str, Any], *, center: Mapping[str, float], zoom: float
) -> dict[str, Any]:
    """Return the Corridors map layout: the offline basemap, a framed legend on the left."""
    layout = figures.base_map_layout(style, center=center, zoom=zoom, revision="corridors")
    layout["legend"]["tracegroupgap"] = 6
    layout["legend"]["font"] = {"size": 11}
    layout["hoverlabel"] = {"align": "left", "namelength": -1, "font": {"size": 12}}
    return layout


def _wrap(text: str, width: int = 60) -> str:
    """Break ``text`` into lines at plain spaces (never inside "1\u202f524" or "5\xa0%")."""
    words, lines, line = [w for w in str(text).split(" ") if w], [], ""
    for word in words:
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    return "<br>".join(lines)


def hotspot_trace(
    spots: pd.DataFrame,
    *,
    unit: str,
    t: Translator = _identity,
    threshold: int = DEFAULT_THRESHOLD,
    lang: str = "en",
) -> go.Scattermap | None:
    """Return hotspot markers sized by score, with the explanation on hover.

    Parameters
    ----------
    spots
        Suppressed hotspot table with ``lon``, ``lat``, ``name``, ``score``, ``load`` and
        the explanation's parts (see :func:`dashboard.corridors_model.analysis_tables`),
        written in ``lang`` by :func:`dashboard.hotspot_text.explanations`.

    Examples
    --------
    >>> spots = pd.DataFrame({"lon": [100.0], "lat": [14.0], "name": ["Poipet"],
    ...     "rank": [1], "score": [0.8], "load": pd.array([pd.NA], "Float64"),
    ...     "share": [float("nan")], "kind": ["crossing"], "node_name": ["Poipet"]})
    >>> tr = hotspot_trace(spots, unit="people/year")
    >>> tr.name, "<11 people/year" in tr.hovertext[0]
    ('Hotspots (size: score)', True)
    >>> fr = hotspot_trace(spots, unit="personnes/an", t=i18n.translator("fr"), lang="fr")
    >>> fr.hovertext[0].split("<br>")[2]
    'Point de passage frontalier Poipet : une petite part du flux'
    """
    if spots is None or len(spots) == 0:
        return None
    score = spots["score"].astype(float).to_numpy()
    sizes = 9 + 16 * np.clip(score, 0, 1)
    score_text = t("score {score}")
    said = hotspot_text.explanations(spots, t=t, lang=lang, threshold=threshold)
    text = [
        f"<b>#{int(r)} {n}</b><br>{score_text.format(score=i18n.number(s, lang, decimals=2))}"
        f" · {i18n.count(v, lang, threshold=threshold)} {unit}<br>{_wrap(e)}"
        for r, n, s, v, e in zip(
            spots["rank"], spots["name"], score, spots["load"], said, strict=True
        )
    ]
    return go.Scattermap(
        lon=spots["lon"].astype(float).to_numpy(),
        lat=spots["lat"].astype(float).to_numpy(),
        mode="markers",
        marker={"size": sizes, "color": HOTSPOT_COLOR, "opacity": 0.9},
        hovertext=text,
        hoverinfo="text",
        name=t("Hotspots (size: score)"),
        legendgroup="hotspots",
        legendgrouptitle={"text": t("Interception hotspots")},
    )


def hotspot_halo(spots: pd.DataFrame) -> go.Scattermap | None:
    """Return a dark ring under each hotspot so it reads on light and dark lines alike."""
    if spots is None or len(spots) == 0:
        return None
    score = spots["score"].astype(float).to_numpy()
    return go.Scattermap(
        lon=spots["lon"].astype(float).to_numpy(),
        lat=spots["lat"].astype(float).to_numpy(),
        mode="markers",
        marker={"size": 12 + 16 * np.clip(score, 0, 1), "color": HOTSPOT_LINE, "opacity": 0.9},
        hoverinfo="skip",
        showlegend=False,
        legendgroup="hotspots",
    )


def density_trace(density: pd.DataFrame, *, t: Translator = _identity) -> go.Densitymap | None:
    """Return the incident density as a heat layer (no values on hover: only where).

    ``density`` is computed from the release's incidents (every year: that table has no
    year key), so the layer does not follow the page's year filter, and says so.

    Examples
    --------
    >>> d = pd.DataFrame({"lon": [100.0, 101.0], "lat": [14.0, 15.0], "density": [2.0, 8.0]})
    >>> density_trace(d).type
    'densitymap'
    """
    if density is None or len(density) == 0:
        return None
    return go.Densitymap(
        lon=density["lon"].astype(float).to_numpy(),
        lat=density["lat"].astype(float).to_numpy(),
        z=density["density"].astype(float).to_numpy(),
        radius=22,
        colorscale=DENSITY_SCALE,
        showscale=True,
        colorbar={
            "title": {
                "text": t("Incident density")
                + "<br><sup>"
                + t("people in incidents nearby, all years (released)")
                + "</sup>",
                "side": "top",
            },
            "x": 0.99,
            "xanchor": "right",
            "y": 0.02,
            "yanchor": "bottom",
            "len": 0.3,
            "thickness": 10,
            "bgcolor": "rgba(255,255,255,0.92)",
            "outlinewidth": 0,
            "tickvals": [],
        },
        hoverinfo="skip",
        name=t("Incident density"),
        showlegend=True,
        legendgroup="incidents",
        opacity=0.8,
    )


def change_traces(
    gained: tuple[Sequence[float], Sequence[float]],
    lost: tuple[Sequence[float], Sequence[float]],
    points: pd.DataFrame,
    *,
    t: Translator = _identity,
    threshold: int = DEFAULT_THRESHOLD,
) -> list[go.Scattermap]:
    """Return the what-if overlay: roads that gained / lost load, closed/watched places.

    ``gained`` and ``lost`` are lon/lat lists of segments (NaN-separated) whose load
    changed by at least ``threshold`` people per year.

    Examples
    --------
    >>> pts = pd.DataFrame({"id": ["X1"], "name": ["Mae Sot"], "lon": [98.5], "lat": [16.7],
    ...                     "action": ["close"]})
    >>> [tr.name for tr in change_traces(([98.0, 99.0], [16.0, 17.0]), ([], []), pts)
    ...  if tr.showlegend is not False]
    ['Gained load (≥11/year)', 'Closed']
    """
    traces: list[go.Scattermap] = []
    for (lons, lats), color, label in (
        (gained, GAINED_COLOR, t("Gained load")),
        (lost, LOST_COLOR, t("Lost load")),
    ):
        if len(lons):
            traces.append(
                go.Scattermap(  # the casing: sets the change apart from the corridors
                    lon=np.asarray(lons, dtype=float),
                    lat=np.asarray(lats, dtype=float),
                    mode="lines",
                    line={"width": 9, "color": CASING_COLOR},
                    hoverinfo="skip",
                    showlegend=False,
                    legendgroup="whatif",
                )
            )
            traces.append(
                go.Scattermap(
                    lon=np.asarray(lons, dtype=float),
                    lat=np.asarray(lats, dtype=float),
                    mode="lines",
                    line={"width": 5, "color": color},
                    opacity=0.9,
                    hoverinfo="name",
                    name=t("{what} (≥{threshold}/year)").format(what=label, threshold=threshold),
                    legendgroup="whatif",
                    legendgrouptitle={"text": t("What if")},
                )
            )
    for action, color, label in (
        ("close", CLOSED_COLOR, t("Closed")),
        ("watch", WATCHED_COLOR, t("Watched")),
    ):
        rows = points[points["action"] == action] if len(points) else points
        if len(rows):
            traces.append(
                go.Scattermap(
                    lon=rows["lon"].astype(float).to_numpy(),
                    lat=rows["lat"].astype(float).to_numpy(),
                    mode="markers",
                    marker={"size": 22, "color": CASING_COLOR, "opacity": 1.0},
                    hoverinfo="skip",
                    showlegend=False,
                    legendgroup="whatif",
                )
            )
            traces.append(
                go.Scattermap(
                    lon=rows["lon"].astype(float).to_numpy(),
                    lat=rows["lat"].astype(float).to_numpy(),
                    mode="markers",
                    marker={"size": 16, "color": color, "opacity": 1.0},
                    hovertext=[f"{label}: {n}" for n in rows["name"]],
                    hoverinfo="text",
                    name=label,
                    legendgroup="whatif",
                    legendgrouptitle={"text": t("What if")},
                )
            )
    return traces


#: Arrow colour on the corridors: white with a dark outline reads on every load class.
ARROW_FILL = "#ffffff"
ARROW_LINE = "#1f2933"
#: Arrow size (degrees of latitude, centre to tip) and how many segments get one.
ARROW_DEG = 0.25
ARROW_SEGMENTS = 30
#: Least distance (degrees) between two arrows' segments.
ARROW_SPACING_DEG = 0.9
#: A segment gets an arrow only when one direction carries at least this share of it.
ONE_WAY_SHARE = 2 / 3


def segment_directions(
    net: Any,
    weights: np.ndarray,
    *,
    threshold: int = DEFAULT_THRESHOLD,
    top: int = ARROW_SEGMENTS,
    spacing: float = ARROW_SPACING_DEG,
) -> list[tuple[int, int]]:
    """Return ``(segment, +1 or -1)`` for busy segments whose flow runs mostly one way.

    ``weights`` are people per year of each flow (:func:`dashboard.corridors_network.
    flow_weights`). +1 means along the segment's drawn vertices, -1 against them. The
    busiest segments come first; a segment is left out below ``threshold``, when neither
    direction carries :data:`ONE_WAY_SHARE` of its load (two-way traffic has no one
    direction to show), when its ends are closer than an arrow is long, or within
    ``spacing`` degrees of a segment already chosen (so the arrows spread over the
    network instead of crowding the busiest junctions).
    """
    edge_load = np.asarray(net.flow_edge.T @ weights, dtype=float)
    by_segment = net.edge_segment.tocsc()
    seg_load = np.asarray(by_segment.T @ edge_load, dtype=float)
    tails = [u for u, _, _ in net.graph.edges(keys=True)]  # aligned with net.edge_ids
    seg = net.segments
    out: list[tuple[int, int]] = []
    placed: list[tuple[float, float]] = []
    for s in np.argsort(-seg_load, kind="stable"):
        if seg_load[s] < threshold or len(out) >= top:
            break
        a, b = int(seg.offsets[s]), int(seg.offsets[s + 1])
        if b - a < 2:
            continue
        first = (float(seg.lon[a]), float(seg.lat[a]))
        last = (float(seg.lon[b - 1]), float(seg.lat[b - 1]))
        middle = ((first[0] + last[0]) / 2, (first[1] + last[1]) / 2)
        # A piece shorter than its arrow (an access link, a junction stub) shows nothing.
        too_short = _dist(first, last) < ARROW_DEG
        if too_short or any(_dist(middle, p) < spacing for p in placed):
            continue
        along = against = 0.0
        for e in by_segment.indices[by_segment.indptr[s] : by_segment.indptr[s + 1]]:
            node = net.graph.nodes[tails[e]]
            tail = (float(node["x"]), float(node["y"]))
            if _dist(tail, first) <= _dist(tail, last):
                along += edge_load[e]
            else:
                against += edge_load[e]
        total = along + against
        if total > 0 and max(along, against) / total >= ONE_WAY_SHARE:
            out.append((int(s), 1 if along >= against else -1))
            placed.append(middle)
    return out


def _dist(p: tuple[float, float], q: tuple[float, float]) -> float:
    return float(np.hypot(p[0] - q[0], p[1] - q[1]))


def direction_trace(
    net: Any, weights: np.ndarray, *, t: Translator = _identity, threshold: int = DEFAULT_THRESHOLD
) -> go.Scattermap | None:
    """Return arrowheads at the middle of the busiest one-way segments, pointing the way
    the modelled flow runs (filled polygons: marker symbols would need a sprite)."""
    from dashboard.arcs import triangle

    seg = net.segments
    lons: list[float] = []
    lats: list[float] = []
    for s, sign in segment_directions(net, weights, threshold=threshold):
        a, b = int(seg.offsets[s]), int(seg.offsets[s + 1])
        xs, ys = seg.lon[a:b][::sign], seg.lat[a:b][::sign]
        if len(xs) == 2:
            centre = ((xs[0] + xs[1]) / 2, (ys[0] + ys[1]) / 2)
            heading = (xs[1] - xs[0], ys[1] - ys[0])
        else:
            mid = len(xs) // 2
            centre = (xs[mid], ys[mid])
            heading = (xs[mid + 1] - xs[mid - 1], ys[mid + 1] - ys[mid - 1])
        at = (float(centre[0]), float(centre[1]))
        for x, y in triangle(at, (float(heading[0]), float(heading[1])), ARROW_DEG):
            lons.append(x)
            lats.append(y)
        lons.append(np.nan)
        lats.append(np.nan)
    if not lons:
        return None
    return go.Scattermap(
        lon=np.asarray(lons[:-1]),
        lat=np.asarray(lats[:-1]),
        mode="lines",
        fill="toself",
        fillcolor=ARROW_FILL,
        line={"width": 1.2, "color": ARROW_LINE},
        hoverinfo="skip",
        name=t("arrow: main direction of the modelled flow"),
        legendgroup="direction",
    )


def to_plain(traces: Sequence[go.BaseTraceType | None]) -> list[dict[str, Any]]:
    """Return traces as plotly JSON dicts (None dropped), for a ``dcc.Store``."""
    return [tr.to_plotly_json() for tr in traces if tr is not None]
