"""The Planning page's maps on the basemap (the candidate sites before a run, the chosen
sites after it), and the PDF briefing drawn around the plan map."""

from __future__ import annotations

from typing import Any

from dashboard import i18n


def _plan_figure(
    region_path: str,
    run: Any,
    view: Any,
    *,
    unit: str,
    t: i18n.Translator,
    base_url: str,
    inline: bool = False,
    releases: str | None = None,
    lang: str = i18n.DEFAULT_LANGUAGE,
) -> Any:
    """The plan map on the basemap (URL sources in the page, inline ones for the PDF)."""
    import numpy as np

    from dashboard import basemap, briefing, data, map_labels
    from dashboard.corridors_model import (
        CorridorState,
        corridor_network,
        segment_lines,
        segment_loads,
    )
    from dashboard.planning_figures import plan_map

    # The job process has no app: the view is read from the releases folder it was handed.
    region = data.region_view(region_path, releases)
    urls = {n: f"{base_url}basemap/{n}.geojson" for n in region.basemap_layers}
    # The page's map is labelled by MapLibre; the briefing's image gets its labels drawn
    # by Pillow (kaleido has no server to fetch glyphs from).
    style = (
        basemap.basemap_style(urls)
        if inline
        else map_labels.labelled_style(urls, view=region, base_url=base_url, lang=lang)
    )
    if inline:
        layers = {n: data.basemap_layer(region_path, n) for n in region.basemap_layers}
        style = briefing.inline_style(style, {k: v for k, v in layers.items() if v})
    center, zoom = basemap.fit_view(region.bounds)
    net = corridor_network(region_path, "shortest", releases=releases)
    loads = segment_loads(net, CorridorState())
    busy = (
        np.flatnonzero(loads >= np.quantile(loads[loads > 0], 0.75))
        if (loads > 0).any()
        else np.zeros(0, dtype=int)
    )
    figure = plan_map(
        view.sites,
        style=style,
        center=center,
        zoom=zoom,
        unit=unit,
        context=segment_lines(net.segments, busy),
        t=t,
    )
    return map_labels.under_labels(figure, style)


#: Candidate sites by risk grade (field teams' grading), darkest for the most at risk;
#: Okabe-Ito hues, ungraded sites grey.
RISK_COLORS: dict[str, str] = {
    "critical": "#D55E00",
    "high": "#E69F00",
    "medium": "#56B4E9",
    "low": "#0072B2",
    "": "#7a7a7a",
}


def candidate_map(
    region_path: str,
    *,
    base_url: str,
    t: i18n.Translator,
    lang: str = i18n.DEFAULT_LANGUAGE,
) -> Any:
    """Return the map shown before a run: every candidate site on the labelled basemap,
    coloured by risk grade, with a note saying what a run does.

    Candidate sites are places (crossings, stations, truck stops), never people, so the
    planner sees them all; nothing about flows is drawn before a plan is computed.
    """
    import plotly.graph_objects as go

    from dashboard import basemap, data, figures, map_labels
    from geotraf.naming import locate, site_label

    region = data.load_region(region_path)
    view_layers = tuple(
        n for n in basemap.BASEMAP_LAYERS if data.basemap_layer(data.base_path(region_path), n)
    )
    urls = {n: f"{base_url}basemap/{n}.geojson" for n in view_layers}
    borders = region.borders
    bounds = tuple(borders.total_bounds) if borders is not None and len(borders) else None
    view = _LabelView(region, region_path)
    style = map_labels.labelled_style(urls, view=view, base_url=base_url, lang=lang)
    center, zoom = basemap.fit_view(bounds or (92.0, 5.0, 110.0, 27.0))
    fig = go.Figure(
        layout=figures.base_map_layout(style, center=center, zoom=zoom, revision="plan")
    )
    sites = region.sites
    if sites is None or len(sites) == 0:
        fig.add_annotation(
            text=t("This region has no candidate sites: add a sites layer to plan."),
            x=0.5,
            y=0.5,
            xref="paper",
            yref="paper",
            showarrow=False,
            bgcolor="rgba(255,255,255,0.95)",
        )
        return map_labels.under_labels(fig, style)
    lon = sites.geometry.x.to_numpy()
    lat = sites.geometry.y.to_numpy()
    where = locate(lon, lat, places=region.places, roads=region.roads)
    risk = (
        sites["risk"].fillna("").astype(str).str.lower()
        if "risk" in sites
        else sites["name"].map(lambda _: "")
    )
    for grade, color in RISK_COLORS.items():
        chosen = (risk == grade).to_numpy()
        if not chosen.any():
            continue
        names = [
            site_label(str(n or ""), str(k or ""), loc)
            for n, k, loc, keep in zip(
                sites["name"], sites["site_type"], where, chosen, strict=True
            )
            if keep
        ]
        kinds = [i18n.label(str(k or "site"), t) for k in sites["site_type"][chosen]]
        label = t("risk: {grade}").format(grade=t(grade)) if grade else t("risk not graded")
        fig.add_trace(
            go.Scattermap(
                lon=lon[chosen],
                lat=lat[chosen],
                mode="markers",
                marker={"size": 9, "color": color, "opacity": 0.9},
                hovertext=[f"<b>{n}</b><br>{k}" for n, k in zip(names, kinds, strict=True)],
                hoverinfo="text",
                name=label,
                legendgroup="candidates",
                legendgrouptitle={"text": t("Candidate sites ({count})").format(count=len(sites))},
            )
        )
    fig.add_annotation(
        text=t("Set the budget and press Run plan: the chosen sites replace these."),
        x=0.5,
        y=0.02,
        xref="paper",
        yref="paper",
        yanchor="bottom",
        showarrow=False,
        bgcolor="rgba(255,255,255,0.95)",
        bordercolor="#c9ced6",
        borderpad=6,
        font={"size": 13},
    )
    return map_labels.under_labels(fig, style)


class _LabelView:
    """What :func:`dashboard.map_labels.labelled_style` reads, from the region itself
    (no release is needed to name countries and towns)."""

    def __init__(self, region: Any, path: str) -> None:
        import pandas as pd

        borders = region.borders
        self.path = path
        self.places = None if region.places is None else pd.DataFrame(region.places)
        self.country_names = (
            {}
            if borders is None
            else dict(zip(borders["country"].astype(str), borders["name"].astype(str), strict=True))
        )
        self.country_centroids: dict[str, tuple[float, float]] = {}


def register_candidate_map(app: Any) -> None:
    """Fill the planning map with the candidate sites when the page opens (planner only)."""
    from dash import Input, Output

    from dashboard import ids
    from dashboard.planning_layout import ROLE
    from dashboard.roles import requires_role

    @app.callback(
        Output(ids.PLANNING_MAP, "figure", allow_duplicate=True),
        Input(ids.PLANNING_LANG, "data"),
        prevent_initial_call="initial_duplicate",
    )
    @requires_role(ROLE)
    def show_candidates(lang: str | None) -> Any:
        from flask import current_app, request

        from dashboard.data import CONFIG_KEY

        code = str(lang or i18n.DEFAULT_LANGUAGE)
        return candidate_map(
            str(current_app.config[CONFIG_KEY]),
            base_url=request.root_url,
            t=i18n.translator(code),
            lang=code,
        )


def _briefing(run: Any, t: i18n.Translator, lang: str = i18n.DEFAULT_LANGUAGE) -> tuple[bytes, Any]:
    from flask import current_app

    from dashboard import briefing
    from dashboard import planning_model as pm
    from dashboard.data import CONFIG_KEY
    from dashboard.roles import current_username

    view = pm.plan_view(run, t=t)
    unit = pm.unit_label(run, t)
    note = t("PDF briefing ready; recorded in the audit log.")
    try:
        figure = _plan_figure(
            str(current_app.config[CONFIG_KEY]),
            run,
            view,
            unit=unit,
            t=t,
            base_url="/",
            inline=True,
        )
        image: bytes | None = briefing.plan_map_image(
            figure, view.sites, towns=briefing.major_towns(str(current_app.config[CONFIG_KEY]))
        )
    except Exception:  # chromium missing or crashed: the briefing still goes out
        image = None
        note = t("PDF briefing ready without the map: chromium could not draw it.")
    payload = briefing.build_briefing(
        run,
        view,
        map_image=image,
        unit=unit,
        t=t,
        lang=lang,
        generated_by=current_username() or "",
    )
    return payload, note
