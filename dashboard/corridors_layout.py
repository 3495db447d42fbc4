"""The Corridors page's shell: filters, map, what-if, tables and upload panels (no data)."""

from __future__ import annotations

from dash import dcc, html

from dashboard import components, i18n, ids
from dashboard.corridors_controls import FILTER_IDS, filter_labels, method_labels
from dashboard.corridors_model import CATEGORY_FILTERS, METHODS, CorridorState
from layers.schema import LAYER_KINDS


def _dropdown(name: str, values: tuple[str, ...], t: i18n.Translator) -> html.Div:
    control = FILTER_IDS[name]
    options: list[dict[str, str]] = []
    if name in CATEGORY_FILTERS:
        options = [{"label": i18n.label(v, t), "value": v} for v in CATEGORY_FILTERS[name][1]]
    elif values:
        # Country options arrive with the region; keep the URL's picks meanwhile.
        options = [{"label": v, "value": v} for v in values]
    return html.Div(
        [
            html.Label(filter_labels(t)[name], htmlFor=control, className="control-label"),
            dcc.Dropdown(
                id=control,
                options=options,
                value=list(values),
                multi=True,
                placeholder=t("All"),
                className="filter-dropdown",
            ),
        ],
        className="control",
    )


def page_shell(state: CorridorState, *, t: i18n.Translator, lang: str) -> html.Div:
    """Return the page's components, its controls preset from ``state``."""
    years = [state.year_min, state.year_max] if state.year_min and state.year_max else None
    filters = html.Section(
        [
            html.Div(
                [
                    html.Label(t("Years"), htmlFor=ids.CORRIDORS_YEARS, className="control-label"),
                    dcc.RangeSlider(
                        id=ids.CORRIDORS_YEARS,
                        min=2000,
                        max=2030,
                        step=1,
                        value=years,
                        allowCross=False,
                        marks=None,
                        tooltip={"placement": "bottom", "always_visible": True},
                    ),
                ],
                className="control control-years",
            ),
            html.Div(
                [
                    html.Label(
                        t("Route model"), htmlFor=ids.CORRIDORS_METHOD, className="control-label"
                    ),
                    dcc.Dropdown(
                        id=ids.CORRIDORS_METHOD,
                        options=[{"label": method_labels(t)[m], "value": m} for m in METHODS],
                        value=state.method,
                        clearable=False,
                    ),
                    html.Div(  # shown while the corridors are recomputed (callback running)
                        t("Recomputing the corridors…"),
                        id=ids.CORRIDORS_BUSY,
                        className="busy",
                        role="status",
                    ),
                ],
                className="control",
            ),
            *[_dropdown(name, getattr(state, name), t) for name in FILTER_IDS],
        ],
        className="filters filters-corridors panel",
        **{"aria-label": t("Filters")},  # type: ignore[arg-type]
    )
    whatif = html.Section(
        [
            html.Div(html.H2(t("What if")), className="panel-head"),
            html.P(
                t(
                    "Close or watch border crossings and roads: the modelled flows re-route "
                    "and the map shows where they go."
                ),
                className="muted small",
            ),
            html.Label(t("Close"), htmlFor=ids.CORRIDORS_CLOSE, className="control-label"),
            dcc.Dropdown(
                id=ids.CORRIDORS_CLOSE, multi=True, placeholder=t("Crossings or roads to close")
            ),
            html.Label(t("Watch"), htmlFor=ids.CORRIDORS_WATCH, className="control-label"),
            dcc.Dropdown(
                id=ids.CORRIDORS_WATCH,
                multi=True,
                placeholder=t("Crossings or roads to watch (3× cost)"),
            ),
            html.Div(
                [
                    html.Button(t("Show displacement"), id=ids.CORRIDORS_WHATIF_RUN, n_clicks=0),
                    html.Button(
                        t("Clear"),
                        id=ids.CORRIDORS_WHATIF_CLEAR,
                        n_clicks=0,
                        className="button-secondary",
                    ),
                ],
                className="button-row",
            ),
            dcc.Loading(
                components.live_region(ids.CORRIDORS_WHATIF_RESULT),
                type="dot",
                delay_show=300,
            ),
        ],
        className="panel panel-whatif",
    )
    upload = html.Section(
        [
            html.Div(html.H2(t("Upload a layer to your workspace")), className="panel-head"),
            html.P(
                t(
                    "The file is validated against the layer's schema; if valid it is saved in "
                    "your own workspace. The bundled region is never changed."
                ),
                className="muted small",
            ),
            html.Div(
                [
                    components.labelled(
                        t("Layer kind"),
                        dcc.Dropdown(
                            id=ids.CORRIDORS_UPLOAD_KIND,
                            options=[{"label": i18n.label(k, t), "value": k} for k in LAYER_KINDS],
                            value="flows",
                            clearable=False,
                        ),
                        class_name="control upload-kind",
                    ),
                    dcc.Upload(
                        id=ids.CORRIDORS_UPLOAD,
                        children=html.Div(
                            [
                                t("Drop a file here or "),
                                html.A(t("choose one"), href="#"),
                                html.Span(
                                    " (CSV, GeoJSON, GeoPackage, Shapefile, GeoParquet)",
                                    className="muted",
                                ),
                            ]
                        ),
                        multiple=False,
                        className="upload-box",
                    ),
                ],
                className="upload-row",
            ),
            dcc.Loading(html.Div(id=ids.CORRIDORS_UPLOAD_REPORT), type="dot", delay_show=300),
        ],
        className="panel panel-upload",
    )
    return html.Div(
        [
            *components.page_shell(
                banner=ids.CORRIDORS_BANNER,
                title=t("Corridors"),
                lead=t(
                    "Modelled routes of the recorded flows on the road network: where "
                    "people are moved, where to look, and what happens if a crossing "
                    "closes. Loads are model estimates, not observations."
                ),
                filters=filters,
                headline=ids.CORRIDORS_HEADLINE,
                note=ids.CORRIDORS_NOTE,
            ),
            html.Div(
                [
                    components.graph_panel(
                        t("Modelled corridors, hotspots and incidents"),
                        ids.CORRIDORS_MAP,
                        lang=lang,
                        frame_class="map-frame",
                    ),
                    whatif,
                ],
                className="grid-corridors",
            ),
            html.Div(
                [
                    html.Section(
                        [
                            html.Div(html.H2(t("Top corridors")), className="panel-head"),
                            dcc.Loading(html.Div(id=ids.CORRIDORS_TABLE), type="dot"),
                        ],
                        className="panel",
                    ),
                    html.Section(
                        [
                            html.Div(html.H2(t("Top hotspots")), className="panel-head"),
                            dcc.Loading(html.Div(id=ids.CORRIDORS_HOTSPOTS), type="dot"),
                        ],
                        className="panel",
                    ),
                ],
                className="grid-tables",
            ),
            upload,
            dcc.Store(id=ids.CORRIDORS_INIT, data=0),
            dcc.Store(id=ids.CORRIDORS_GEOMETRY),
            dcc.Store(id=ids.CORRIDORS_LAYOUT),
            dcc.Store(id=ids.CORRIDORS_LOADS),
            dcc.Store(id=ids.CORRIDORS_OVERLAY),
            dcc.Store(id=ids.CORRIDORS_WHATIF),
            dcc.Store(id=ids.CORRIDORS_URL_SYNC),
        ],
        id=ids.CORRIDORS_ROOT,
        className="page page-corridors",
    )
