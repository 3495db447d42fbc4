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

from dashboard import figures
from geotraf.privacy import DEFAULT_THRESHOLD, format_count

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
    words, lines, line = str(text).split(), [], ""
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
) -> go.Scattermap | None:
    """Return hotspot markers sized by score, with the explanation on hover.

    Parameters
    ----------
    spots
        Suppressed hotspot table with ``lon``, ``lat``, ``name``, ``score``, ``load``,
        ``explanation`` (see :func:`dashboard.corridors_model.analysis_tables`).

    Examples
    --------
    >>> spots = pd.DataFrame({"lon": [100.0], "lat": [14.0], "name": ["Poipet"],
    ...     "rank": [1], "score": [0.8], "load": pd.array([pd.NA], "Float64"),
    ...     "explanation": ["Border crossing Poipet: 3.0% of the modelled flow passes."]})
    >>> tr = hotspot_trace(spots, unit="people/year")
    >>> tr.name, "<11 people/year" in tr.hovertext[0]
    ('Hotspots (size: score)', True)
    """
    if spots is None or len(spots) == 0:
        return None
    score = spots["score"].astype(float).to_numpy()
    sizes = 9 + 16 * np.clip(score, 0, 1)
    score_text = t("score {score}")
    text = [
        f"<b>#{int(r)} {n}</b><br>{score_text.format(score=f'{s:.2f}')} · "
        f"{format_count(v, threshold=threshold)} {unit}<br>{_wrap(e)}"
        for r, n, s, v, e in zip(
            spots["rank"], spots["name"], score, spots["load"], spots["explanation"], strict=True
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


def to_plain(traces: Sequence[go.BaseTraceType | None]) -> list[dict[str, Any]]:
    """Return traces as plotly JSON dicts (None dropped), for a ``dcc.Store``."""
    return [tr.to_plotly_json() for tr in traces if tr is not None]
