"""What the Overview page shows, computed from a region view and the user's filters.

Pure: :func:`render_overview` takes a :class:`~dashboard.data.RegionView`, an
:class:`OverviewState` and the basemap URLs, and returns the figures, headline and notes
(every count computed from the region's differentially private release, values below
the display threshold shown as ``<11``). The page's callback only parses its inputs, calls this,
and returns the result, so the same code is unit-tested and benchmarked without a server.
The filter state round-trips through the URL query string (:meth:`OverviewState.to_query`
/ :meth:`OverviewState.from_query`) so that a view can be shared.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal
from urllib.parse import urlencode

import plotly.graph_objects as go

from dashboard import aggregates, basemap, figures, i18n, map_labels
from dashboard.aggregates import FlowFilter
from dashboard.data import RegionView
from dashboard.years import clamp_range, years_from_query, years_query
from geotraf.privacy import (
    DEFAULT_THRESHOLD,
    DONOR_NOTE,
    protection_note,
)
from layers.schema import EXPLOITATION

Translator = Callable[[str], str]
LEVELS: tuple[str, ...] = ("country", "province")
SIDES: tuple[str, ...] = ("origin", "destination")


@dataclass(frozen=True)
class OverviewState:
    """The Overview's filters: years, forms of exploitation, map level and side, arcs.

    ``exploitation`` empty means every form.

    Examples
    --------
    >>> s = OverviewState.from_query({"from": "2019", "to": "2021", "exploitation": "sexual"})
    >>> s.to_query()
    '?from=2019&to=2021&exploitation=sexual'
    >>> OverviewState.from_query({"level": "planet", "from": "soon"}) == OverviewState()
    True
    """

    year_min: int | None = None
    year_max: int | None = None
    exploitation: tuple[str, ...] = field(default_factory=tuple)
    level: Literal["country", "province"] = "country"
    side: Literal["origin", "destination"] = "origin"
    arcs: bool = True

    @classmethod
    def from_query(cls, query: Mapping[str, Any]) -> OverviewState:
        """Parse URL query parameters, ignoring values that make no sense."""
        forms = tuple(f for f in str(query.get("exploitation", "")).split(",") if f in EXPLOITATION)
        level = query.get("level")
        side = query.get("side")
        year_min, year_max = years_from_query(query)
        return cls(
            year_min=year_min,
            year_max=year_max,
            exploitation=forms,
            level="province" if level == "province" else "country",
            side="destination" if side == "destination" else "origin",
            arcs=str(query.get("arcs", "1")) != "0",
        )

    def to_query(self) -> str:
        """Return the URL query string (with ``?``) of the non-default settings."""
        params = years_query(self.year_min, self.year_max)
        if self.exploitation:
            params["exploitation"] = ",".join(self.exploitation)
        if self.level != "country":
            params["level"] = self.level
        if self.side != "origin":
            params["side"] = self.side
        if not self.arcs:
            params["arcs"] = "0"
        return "?" + urlencode(params, safe=",") if params else ""

    def flow_filter(self) -> FlowFilter:
        """Return the flow filter of this state."""
        return FlowFilter(self.year_min, self.year_max, self.exploitation)


def clamp_years(state: OverviewState, years: tuple[int, int] | None) -> OverviewState:
    """Return ``state`` with its year range inside the region's years (full range if unset).

    Examples
    --------
    >>> clamp_years(OverviewState(year_min=1990), (2015, 2023)).year_min
    2015
    """
    year_min, year_max = clamp_range(state.year_min, state.year_max, years)
    return replace(state, year_min=year_min, year_max=year_max)


@dataclass(frozen=True)
class OverviewResult:
    """Everything the Overview callback returns, counts already suppressed."""

    map_figure: go.Figure
    trend_figure: go.Figure
    headline: list[tuple[str, str, str]]
    notes: list[str]
    state: OverviewState


def unit_label(view: RegionView, t: Translator) -> str:
    """Return the unit of the counts on screen, e.g. ``people (modelled, synthetic)``."""
    return t("people (modelled, synthetic)") if view.synthetic else t("people (modelled)")


def render_overview(
    view: RegionView,
    state: OverviewState,
    *,
    base_url: str,
    t: Translator,
    lang: str = "en",
    threshold: int = DEFAULT_THRESHOLD,
) -> OverviewResult:
    """Compute the Overview's map, trend chart, headline and notes for ``state``.

    Parameters
    ----------
    view
        The region, as :func:`dashboard.data.region_view` derives it.
    state
        The filters (years are clamped to the region's years).
    base_url
        The app's root URL (``http://host:port/``) the basemap GeoJSON is served under;
        MapLibre loads sources in a web worker, where only absolute URLs resolve.
    t
        Translator for every word drawn.
    lang
        The page's language: country names (CLDR) and numbers (Babel) follow it.
    """
    state = clamp_years(state, view.years)
    notes: list[str] = []
    urls = {name: f"{base_url}basemap/{name}.geojson" for name in view.basemap_layers}
    style = map_labels.labelled_style(urls, view=view, base_url=base_url, lang=lang)
    center, zoom = basemap.fit_view(view.bounds)
    unit = unit_label(view, t)
    notes.extend(protection_notes(view, t=t, threshold=threshold))
    country = aggregates.filter_flows(view.country_table, state.flow_filter())

    level = state.level
    if level == "province" and not view.has_provinces:
        notes.append(t("This region's places carry no provinces; the map shows countries."))
        level = "country"
    # Countries from the released country table; provinces from the released flows.
    flows = (
        country if level == "country" else aggregates.filter_flows(view.flows, state.flow_filter())
    )
    areas = aggregates.totals_by_area(
        flows, view.places, level=level, side=state.side, threshold=threshold
    )
    if len(areas) == 0:
        message = t(
            "No flows match these filters. Widen the year range or tick more forms of exploitation."
        )
        return OverviewResult(
            map_figure=map_labels.under_labels(
                figures.empty_map(style, center=center, zoom=zoom, message=message), style
            ),
            trend_figure=figures.empty_chart(message),
            headline=_headline_items(view, country, t=t, unit=unit, threshold=threshold, lang=lang),
            notes=notes,
            state=state,
        )

    pairs = (
        aggregates.totals_by_pair(flows, view.places, level=level, threshold=threshold)
        if state.arcs
        else None
    )
    if level == "province":
        centroids = view.province_centroids
        names = {k: k for k in centroids}
        if view.province_key and "provinces" in urls:
            geojson: str = urls["provinces"]
            key = f"properties.{view.province_key}"
        else:
            geojson, key = urls.get("borders", ""), "properties.country"
            notes.append(
                t("No province outlines in this region: provinces show as flow ends only.")
            )
        missing = aggregates.areas_of(flows, view.places, side=state.side, level="province")
        if missing.isna().any():
            notes.append(t("Flows known only by country are left out of the province map."))
    else:
        centroids = view.country_centroids
        names = map_labels.country_names(view.country_names, lang)
        geojson, key = urls.get("borders", ""), "properties.country"
    title = (
        t("People by country of origin")
        if state.side == "origin"
        else t("People by country of destination")
    )
    if level == "province":
        title = (
            t("People by province of origin")
            if state.side == "origin"
            else t("People by province of destination")
        )
    if pairs is not None and len(pairs):
        drawn = len(figures.drawn_pairs(pairs, centroids=centroids))
        if drawn < len(pairs):
            notes.append(
                t(
                    "Flow lines show the {drawn} largest of {total} movements between areas; "
                    "movements under {threshold} people are never drawn."
                ).format(drawn=drawn, total=len(pairs), threshold=threshold)
            )
    map_figure = figures.flow_map(
        areas,
        pairs,
        geojson=geojson,
        featureidkey=key,
        names=names,
        centroids=centroids,
        style=style,
        center=center,
        zoom=zoom,
        area_title=title,
        unit=unit,
        t=t,
        threshold=threshold,
        lang=lang,
    )
    trend = figures.trend_chart(
        aggregates.totals_by_year(country, threshold=threshold),
        unit=unit,
        t=t,
        threshold=threshold,
    )
    return OverviewResult(
        map_figure=map_labels.under_labels(map_figure, style),
        trend_figure=trend,
        headline=_headline_items(view, country, t=t, unit=unit, threshold=threshold, lang=lang),
        notes=notes,
        state=state,
    )


def source_notice(view: RegionView, *, t: Translator) -> tuple[str, str, str] | None:
    """Return (text, link label, link) naming the user's own data, or None when bundled."""
    if not view.source:
        return None
    files = ", ".join(str(f) for f in view.source["files"])  # type: ignore[attr-defined]
    text = t("Your data: {files}, uploaded {uploaded}, {rows} rows.").format(
        files=files, uploaded=view.source["uploaded"], rows=view.source["rows"]
    )
    return text, t("Back to the bundled region"), "/data/bundled"


def protection_notes(
    view: RegionView, *, t: Translator, threshold: int = DEFAULT_THRESHOLD
) -> list[str]:
    """Return the on-screen statement of the protection and the plain note for donors."""
    epsilon = float(view.protection.get("epsilon", 0.0) or 0.0)  # type: ignore[arg-type]
    return [protection_note(epsilon, threshold=threshold).capitalize() + ".", t(DONOR_NOTE)]


def _headline_items(
    view: RegionView, flows: Any, *, t: Translator, unit: str, threshold: int, lang: str = "en"
) -> list[tuple[str, str, str]]:
    h = aggregates.headline(flows, view.places, threshold=threshold)
    years = ""
    if h["year_min"] is not None and h["year_max"] is not None:
        years = f"{int(float(h['year_min']))}–{int(float(h['year_max']))}"

    names = map_labels.country_names(view.country_names, lang)

    def name(code: object) -> str:
        return names.get(str(code), str(code)) if code else "—"

    return [
        (i18n.count(h["people"], lang, threshold=threshold), unit, years),
        (i18n.count(h["children"], lang, threshold=threshold), t("children (under 18)"), unit),
        (
            f"{int(float(h['origins'] or 0))}",
            t("countries of origin"),
            t("largest: {name}").format(name=name(h["top_origin"])),
        ),
        (
            f"{int(float(h['destinations'] or 0))}",
            t("countries of destination"),
            t("largest: {name}").format(name=name(h["top_destination"])),
        ),
    ]
