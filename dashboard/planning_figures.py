"""Pure figure builders of the Planning page: the chosen checkpoint sites on the map.

Sites are circles sized by the share of the modelled flow they capture, on the offline
basemap, over the modelled corridors in grey for context. Tables arrive suppressed
(:func:`dashboard.planning_model.plan_view`); a suppressed site is drawn small and grey
with "<11", never with its value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard import figures, i18n
from geotraf.privacy import DEFAULT_THRESHOLD, format_count

Translator = Callable[[str], str]
SITE_COLOR = "#D55E00"
CONTEXT_COLOR = "#8c8c8c"


def _identity(message: str) -> str:
    return message


def plan_map(
    sites: pd.DataFrame,
    *,
    style: Mapping[str, Any],
    center: Mapping[str, float],
    zoom: float,
    unit: str,
    context: tuple[Sequence[float], Sequence[float]] | None = None,
    t: Translator = _identity,
    threshold: int = DEFAULT_THRESHOLD,
) -> go.Figure:
    """Return the map of chosen sites, sized by captured share, ranked on hover.

    Parameters
    ----------
    sites
        Suppressed ranked sites (``rank``, ``name``, ``site_type``, ``captured``, ``share``,
        ``coverage_probability``, ``reason``, ``lon``, ``lat``, ``suppressed``).
    context
        Optional lon/lat lists (NaN-separated) of the main corridors, drawn in grey.

    Examples
    --------
    >>> s = pd.DataFrame({"rank": [1, 2], "name": ["Poipet", "Mae Sot"],
    ...     "site_type": ["border_crossing"] * 2, "captured": pd.array([120.0, pd.NA], "Float64"),
    ...     "share": pd.array([0.3, pd.NA], "Float64"), "coverage_probability": [1.0, 0.5],
    ...     "reason": ["r1", "r2"], "lon": [102.5, 98.5], "lat": [13.7, 16.7],
    ...     "suppressed": [False, True]})
    >>> fig = plan_map(s, style={}, center={"lon": 100, "lat": 15}, zoom=4, unit="people/year")
    >>> [tr.name for tr in fig.data]
    ['Chosen sites (size: share captured)', '<11 captured (suppressed)']
    """
    fig = go.Figure(
        layout=figures.base_map_layout(style, center=center, zoom=zoom, revision="plan")
    )
    if context is not None and len(context[0]):
        fig.add_trace(
            go.Scattermap(
                lon=np.asarray(context[0], dtype=float),
                lat=np.asarray(context[1], dtype=float),
                mode="lines",
                line={"width": 2, "color": CONTEXT_COLOR},
                opacity=0.55,
                hoverinfo="skip",
                name=t("Main modelled corridors"),
            )
        )
    hidden = sites["suppressed"].astype(bool).to_numpy()
    shown = sites.loc[~hidden]
    if len(shown):
        share = shown["share"].astype(float).fillna(0).to_numpy()
        sizes = 12 + 40 * np.sqrt(np.clip(share, 0, 1))
        fig.add_trace(
            go.Scattermap(
                lon=shown["lon"].astype(float).to_numpy(),
                lat=shown["lat"].astype(float).to_numpy(),
                mode="markers",
                marker={"size": sizes, "color": SITE_COLOR, "opacity": 0.85},
                hovertext=[_hover(r, unit, t, threshold) for r in shown.itertuples()],
                hoverinfo="text",
                name=t("Chosen sites (size: share captured)"),
            )
        )
    low = sites.loc[hidden]
    if len(low):
        fig.add_trace(
            go.Scattermap(
                lon=low["lon"].astype(float).to_numpy(),
                lat=low["lat"].astype(float).to_numpy(),
                mode="markers",
                marker={"size": 11, "color": figures.SUPPRESSED_COLOR, "opacity": 0.95},
                hovertext=[_hover(r, unit, t, threshold) for r in low.itertuples()],
                hoverinfo="text",
                name=t("<{threshold} captured (suppressed)").format(threshold=threshold),
            )
        )
    return fig


def _hover(row: Any, unit: str, t: Translator, threshold: int) -> str:
    share = "" if pd.isna(row.share) else f" ({float(row.share):.0%})"
    captured = t("Captured: {count}").format(
        count=f"{format_count(row.captured, threshold=threshold)} {unit}{share}"
    )
    staffed = t("Staffed in {share} of shifts").format(
        share=f"{float(row.coverage_probability):.0%}"
    )
    return (
        f"<b>#{int(row.rank)} {row.name}</b><br>{i18n.label(str(row.site_type), t)}<br>"
        f"{captured}<br>{staffed}"
    )
