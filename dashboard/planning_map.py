"""The Planning page's plan map on the basemap, and the PDF briefing drawn around it."""

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
) -> Any:
    """The plan map on the basemap (URL sources in the page, inline ones for the PDF)."""
    import numpy as np

    from dashboard import basemap, briefing, data
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
    style = basemap.basemap_style(urls)
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
    return plan_map(
        view.sites,
        style=style,
        center=center,
        zoom=zoom,
        unit=unit,
        context=segment_lines(net.segments, busy),
        t=t,
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
