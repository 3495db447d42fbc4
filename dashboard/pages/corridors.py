"""Corridors (role ``analyst`` and up): modelled corridors, hotspots, what-if, uploads.

The road network's modelled loads under the analyst's filters, hotspot markers with their
explanations, incident density, a what-if panel (close or watch crossings and roads, see
where the flow goes), top corridors and hotspots, and a layer upload with its validation
report. Filters live in the URL so a view can be shared.

Callbacks stay thin (parse inputs → :mod:`dashboard.corridors_model` → figure pieces).
The geometry of the segments is sent once per page load; a filter change sends one
rounded, suppressed load per segment and the browser redraws the lines
(:data:`COMPOSE_MAP_FN`). Every server callback checks the role on the server.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import ClientsideFunction, Dash, Input, Output, State, dcc, html

from dashboard import audit, components, i18n, ids
from dashboard.corridors_model import (
    CATEGORY_FILTERS,
    METHODS,
    CorridorState,
    clamp_years,
)
from dashboard.roles import allowed, check_role, current_role, requires_role
from dashboard.viewcache import cached_callback
from layers.schema import LAYER_KINDS

#: The lowest role that may open this page.
ROLE = "analyst"
#: Filter control id per state attribute.
FILTER_IDS: dict[str, str] = {
    "exploitation": ids.CORRIDORS_EXPLOITATION,
    "sector": ids.CORRIDORS_SECTOR,
    "sex": ids.CORRIDORS_SEX,
    "age_group": ids.CORRIDORS_AGE,
    "mode": ids.CORRIDORS_MODE,
    "origin": ids.CORRIDORS_ORIGIN,
    "destination": ids.CORRIDORS_DESTINATION,
}


def filter_labels(t: i18n.Translator) -> dict[str, str]:
    """Return the label of each filter control, in the language of ``t``."""
    return {
        "exploitation": t("Form of exploitation"),
        "sector": t("Sector"),
        "sex": t("Sex"),
        "age_group": t("Age group"),
        "mode": t("Transport mode"),
        "origin": t("Origin country"),
        "destination": t("Destination country"),
    }


def method_labels(t: i18n.Translator) -> dict[str, str]:
    """Return the label of each route model, in the language of ``t``."""
    return {
        "shortest": t("Fastest route"),
        "k_shortest": t("Alternatives (k shortest)"),
        "logit": t("Logit split"),
    }


def reason_label(reason: object, t: i18n.Translator) -> str:
    """Return why flows went unrouted, in words (an unknown code is shown as it is)."""
    words = {
        "unknown_place": t("place not in the places layer"),
        "unattached_place": t("place too far from any road"),
        "no_path": t("no road connects the two ends"),
        "closed": t("every route uses a closed crossing or road"),
    }
    return words.get(str(reason), str(reason).replace("_", " "))


dash.register_page(
    __name__, path="/corridors", name="Corridors", title="geotraf — corridors", order=1
)

#: The client-side functions (``dashboard/assets/geotraf-clientside.js``): one draws the
#: corridor lines from the geometry (sent once) and the loads (per filter), one rewrites
#: the address bar. Kept out of Python so that the page runs under a CSP without inline
#: scripts.
COMPOSE_MAP_FN = ClientsideFunction(namespace="geotraf", function_name="composeCorridorMap")
URL_SYNC_FN = ClientsideFunction(namespace="geotraf", function_name="syncUrl")


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


def layout(**query: Any) -> html.Div:
    """Return the page shell, its controls preset from the URL query (no data)."""
    lang = i18n.current_language()
    t = i18n.translator(lang)
    if not allowed(current_role(), ROLE):
        return components.access_denied(t, required=ROLE)
    state = CorridorState.from_query(query)
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
                    html.Div(
                        [
                            html.Label(
                                t("Layer kind"),
                                htmlFor=ids.CORRIDORS_UPLOAD_KIND,
                                className="control-label",
                            ),
                            dcc.Dropdown(
                                id=ids.CORRIDORS_UPLOAD_KIND,
                                options=[
                                    {"label": i18n.label(k, t), "value": k} for k in LAYER_KINDS
                                ],
                                value="flows",
                                clearable=False,
                            ),
                        ],
                        className="control upload-kind",
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
            html.Div(id=ids.CORRIDORS_BANNER),
            components.page_title(
                t("Corridors"),
                t(
                    "Modelled routes of the recorded flows on the road network: where "
                    "people are moved, where to look, and what happens if a crossing "
                    "closes. Loads are model estimates, not observations."
                ),
            ),
            filters,
            components.live_region(ids.CORRIDORS_HEADLINE, class_name="cards"),
            html.Div(id=ids.CORRIDORS_NOTE, className="notes"),
            html.Div(
                [
                    html.Section(
                        [
                            html.Div(
                                html.H2(t("Modelled corridors, hotspots and incidents")),
                                className="panel-head",
                            ),
                            dcc.Loading(
                                components.graph(
                                    ids.CORRIDORS_MAP, lang=lang, className="map-graph"
                                ),
                                type="dot",
                                delay_show=400,
                                parent_className="map-frame",
                            ),
                        ],
                        className="panel panel-map",
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


def _filter_inputs() -> list[Input]:
    return [
        Input(ids.CORRIDORS_YEARS, "value"),
        *[Input(control, "value") for control in FILTER_IDS.values()],
        Input(ids.CORRIDORS_METHOD, "value"),
    ]


def _state(years: Any, choices: tuple[Any, ...], method: Any) -> CorridorState:
    return CorridorState.from_inputs(years, dict(zip(FILTER_IDS, choices, strict=True)), method)


def register_callbacks(app: Dash) -> None:
    """Attach the Corridors page's callbacks (and a request guard) to ``app``."""
    _guard_requests(app)

    @app.callback(
        Output(ids.CORRIDORS_GEOMETRY, "data"),
        Output(ids.CORRIDORS_LAYOUT, "data"),
        Output(ids.CORRIDORS_ORIGIN, "options"),
        Output(ids.CORRIDORS_DESTINATION, "options"),
        Output(ids.CORRIDORS_CLOSE, "options"),
        Output(ids.CORRIDORS_WATCH, "options"),
        Output(ids.CORRIDORS_YEARS, "min"),
        Output(ids.CORRIDORS_YEARS, "max"),
        Output(ids.CORRIDORS_YEARS, "marks"),
        Output(ids.CORRIDORS_YEARS, "value"),
        Output(ids.CORRIDORS_BANNER, "children"),
        Input(ids.CORRIDORS_INIT, "data"),
        State(ids.CORRIDORS_YEARS, "value"),
    )
    @requires_role(ROLE)
    def load_network(_: Any, years: list[int] | None) -> tuple[Any, ...]:
        from flask import request

        from dashboard import basemap
        from dashboard.corridor_figures import map_layout
        from dashboard.corridors_model import route_graph, whatif_options
        from dashboard.data import current_view

        t = i18n.translator(i18n.current_language())
        view = current_view()
        net_graph = route_graph(view.path)
        geometry = _geometry(view.path)
        urls = {n: f"{request.root_url}basemap/{n}.geojson" for n in view.basemap_layers}
        center, zoom = basemap.fit_view(view.bounds)
        layout_ = map_layout(basemap.basemap_style(urls), center=center, zoom=zoom)
        countries = sorted(
            set(view.flows.get("origin_country", []))
            | set(view.flows.get("destination_country", []))
        )
        options = [
            {"label": f"{view.country_names.get(c, c)} ({c})", "value": c}
            for c in countries
            if isinstance(c, str) and c
        ]
        targets = whatif_options(net_graph)
        low, high = view.years or (2000, 2030)
        step = max(1, (high - low) // 6)
        marks = {str(y): str(y) for y in range(low, high + 1) if (y - low) % step == 0}
        state = clamp_years(
            CorridorState(
                year_min=int(years[0]) if years else None,
                year_max=int(years[1]) if years else None,
            ),
            view.years,
        )
        value = [state.year_min, state.year_max] if view.years else None
        return (
            geometry,
            layout_,
            options,
            options,
            targets,
            targets,
            low,
            high,
            marks,
            value,
            components.synthetic_banner(t) if view.synthetic else None,
        )

    @app.callback(
        Output(ids.CORRIDORS_LOADS, "data"),
        Output(ids.CORRIDORS_HEADLINE, "children"),
        Output(ids.CORRIDORS_URL_SYNC, "data"),
        *_filter_inputs(),
        running=[(Output(ids.CORRIDORS_BUSY, "className"), "busy busy-on", "busy")],
    )
    @requires_role(ROLE)
    def update_corridors(years: Any, *rest: Any) -> tuple[Any, ...]:
        from dashboard.corridors_model import corridor_payload, headline

        t = i18n.translator(i18n.current_language())
        state = _state(years, rest[:-1], rest[-1])
        net = _network(state.method)
        shown = clamp_years(state, net.years)
        audit.record("view", page="corridors", **_audit_filters(shown))
        return (
            corridor_payload(net, shown, t=t),
            components.headline_cards(headline(net, shown, t=t)),
            state.to_query(),
        )

    @app.callback(
        Output(ids.CORRIDORS_OVERLAY, "data"),
        Output(ids.CORRIDORS_TABLE, "children"),
        Output(ids.CORRIDORS_HOTSPOTS, "children"),
        Output(ids.CORRIDORS_NOTE, "children"),
        *_filter_inputs(),
    )
    @requires_role(ROLE)
    @cached_callback("corridors-tables")  # about 1 s to build; repeated states reuse it
    def update_tables(years: Any, *rest: Any) -> tuple[Any, ...]:
        from dashboard import corridor_figures as cf
        from dashboard import corridors_model as cm

        t = i18n.translator(i18n.current_language())
        state = _state(years, rest[:-1], rest[-1])
        net = _network(state.method)
        shown = clamp_years(state, net.years)
        tables = cm.cached_tables(net, shown)
        unit = cm.unit_label(net.synthetic, t)
        since = f"{shown.year_min}-01-01" if shown.year_min is not None else None
        density = cm.incident_layer(net.path, since)
        overlay = {
            "below": cf.to_plain([cf.density_trace(density, t=t)]),
            "above": cf.to_plain(
                [
                    cf.hotspot_halo(tables.hotspots),
                    cf.hotspot_trace(tables.hotspots, unit=unit, t=t),
                ]
            ),
        }
        notes = _source_link(net.path, t)
        notes += [components.notice(n) for n in cm.protection_notes(net.path, t=t)]
        notes += [components.notice(n, kind="warning") for n in _notes(tables, t)]
        return (
            overlay,
            _corridor_table(tables.corridors, unit=unit, t=t),
            _hotspot_table(tables.hotspots, unit=unit, t=t),
            notes or None,
        )

    @app.callback(
        Output(ids.CORRIDORS_WHATIF, "data", allow_duplicate=True),
        Output(ids.CORRIDORS_WHATIF_RESULT, "children", allow_duplicate=True),
        *_filter_inputs(),
        Input(ids.CORRIDORS_CLOSE, "value"),
        Input(ids.CORRIDORS_WATCH, "value"),
        prevent_initial_call=True,
    )
    @requires_role(ROLE)
    def drop_stale_whatif(*_: Any) -> tuple[Any, Any]:
        """A result is for the filters and picks it was run with: any change drops it."""
        return [], None

    @app.callback(
        Output(ids.CORRIDORS_WHATIF, "data"),
        Output(ids.CORRIDORS_WHATIF_RESULT, "children"),
        Output(ids.CORRIDORS_CLOSE, "value"),
        Output(ids.CORRIDORS_WATCH, "value"),
        Input(ids.CORRIDORS_WHATIF_RUN, "n_clicks"),
        Input(ids.CORRIDORS_WHATIF_CLEAR, "n_clicks"),
        State(ids.CORRIDORS_CLOSE, "value"),
        State(ids.CORRIDORS_WATCH, "value"),
        *[State(i.component_id, i.component_property) for i in _filter_inputs()],
        prevent_initial_call=True,
    )
    @requires_role(ROLE)
    def run_whatif(
        _run: int, _clear: int, close: list[str] | None, watch: list[str] | None, *rest: Any
    ) -> tuple[Any, ...]:
        from dashboard import corridor_figures as cf
        from dashboard import corridors_model as cm
        from geotraf.errors import GeotrafError

        t = i18n.translator(i18n.current_language())
        keep = dash.no_update
        if dash.ctx.triggered_id == ids.CORRIDORS_WHATIF_CLEAR:
            return [], None, [], []  # everything: the result and the picks
        close, watch = list(close or []), [w for w in (watch or []) if w not in (close or [])]
        if not close and not watch:
            return (
                [],
                components.notice(
                    t("Pick at least one crossing or road to close or watch."), kind="warning"
                ),
                keep,
                keep,
            )
        state = _state(rest[0], rest[1:-1], rest[-1])
        net = _network(state.method)
        shown = clamp_years(state, net.years)
        try:
            result = cm.what_if(net, shown, close=close, watch=watch, t=t)
        except GeotrafError as exc:
            return [], components.notice(str(exc), kind="error", role="alert"), keep, keep
        audit.record(
            "scenario", page="corridors", close=close, watch=watch, **_audit_filters(shown)
        )
        traces = cf.change_traces(
            cm.segment_lines(net.segments, result.gained),
            cm.segment_lines(net.segments, result.lost),
            result.closed_points,
            t=t,
        )
        unit = cm.unit_label(net.synthetic, t)
        return cf.to_plain(traces), _whatif_result(result, unit=unit, t=t), keep, keep

    @app.callback(
        Output(ids.CORRIDORS_UPLOAD_REPORT, "children"),
        Input(ids.CORRIDORS_UPLOAD, "contents"),
        State(ids.CORRIDORS_UPLOAD, "filename"),
        State(ids.CORRIDORS_UPLOAD_KIND, "value"),
        prevent_initial_call=True,
    )
    @requires_role(ROLE)
    def upload_layer(contents: str | None, filename: str | None, kind: str | None) -> Any:
        from flask import current_app

        from dashboard.data import CONFIG_KEY
        from dashboard.roles import current_username
        from dashboard.uploads import install_upload

        t = i18n.translator(i18n.current_language())
        if not contents:
            return None
        report = install_upload(
            contents,
            filename or "upload",
            kind=str(kind),
            workspace=current_app.config["GEOTRAF_WORKSPACE"],
            user=current_username() or "user",
            bundled=current_app.config[CONFIG_KEY],
        )
        audit.record("upload", page="corridors", kind=kind, file=filename, ok=report.ok)
        return _upload_report(report, t, filename=filename or "upload", kind=str(kind))

    app.clientside_callback(
        COMPOSE_MAP_FN,
        Output(ids.CORRIDORS_MAP, "figure"),
        Input(ids.CORRIDORS_GEOMETRY, "data"),
        Input(ids.CORRIDORS_LOADS, "data"),
        Input(ids.CORRIDORS_OVERLAY, "data"),
        Input(ids.CORRIDORS_WHATIF, "data"),
        Input(ids.CORRIDORS_LAYOUT, "data"),
    )
    app.clientside_callback(
        URL_SYNC_FN,
        Output(ids.CORRIDORS_URL_SYNC, "id"),
        Input(ids.CORRIDORS_URL_SYNC, "data"),
        prevent_initial_call=True,
    )


def _guard_requests(app: Dash) -> None:
    """Refuse Dash calls aimed at this page's outputs below the role, before Dash parses them.

    Each callback checks the role too; this also covers malformed bodies, which would
    otherwise fail inside Dash (500) before reaching that check.
    """

    @app.server.before_request
    def _corridors_guard() -> None:
        from flask import request

        if request.method != "POST" or not request.path.endswith("/_dash-update-component"):
            return
        body = request.get_json(silent=True)
        if isinstance(body, dict) and "corridors-" in str(body.get("output", "")):
            check_role(ROLE, what="corridors callback")


def _network(method: str) -> Any:
    from dashboard.corridors_model import corridor_network
    from dashboard.data import current_view

    return corridor_network(current_view().path, method)


def _geometry(path: str) -> dict[str, Any]:
    from dashboard.corridors_model import corridor_network, geometry_payload

    return geometry_payload(corridor_network(path))


def _audit_filters(state: CorridorState) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in state.describe().items()}


def _notes(tables: Any, t: i18n.Translator) -> list[str]:
    from geotraf.privacy import format_count

    notes = []
    for row in tables.unrouted.itertuples():
        notes.append(
            t("{count} people/year of the selection could not be routed ({reason}).").format(
                count=format_count(row.count), reason=reason_label(row.reason, t)
            )
        )
    if len(tables.hotspots) == 0:
        notes.append(t("No flow matches these filters. Clear a filter or widen the years."))
    return notes


def _table(
    header: list[str], rows: list[list[Any]], *, numeric: set[int], caption: str
) -> html.Div:
    table = html.Table(
        [
            html.Caption(caption, className="sr-only"),
            html.Thead(
                html.Tr(
                    [
                        html.Th(h, scope="col", className="num" if i in numeric else None)
                        for i, h in enumerate(header)
                    ]
                )
            ),
            html.Tbody(
                [
                    html.Tr(
                        [
                            html.Td(c, className="num" if i in numeric else None)
                            for i, c in enumerate(r)
                        ]
                    )
                    for r in rows
                ]
            ),
        ],
        className="data-table",
    )
    return html.Div(table, className="table-scroll")


def _short(name: object, limit: int = 28) -> str:
    text = str(name)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _share(value: Any) -> str:
    import pandas as pd

    return "<11" if value is None or pd.isna(value) else f"{float(value):.1%}"


def _corridor_table(frame: Any, *, unit: str, t: i18n.Translator) -> Any:
    from geotraf.privacy import format_count

    if frame is None or len(frame) == 0:
        return html.P(t("No corridor carries 5 % of the selected flow."), className="muted")
    rows = [
        [
            r.ref,
            f"{_short(r.start)} – {_short(r.end)}",
            f"{float(r.length_km):,.0f}",
            format_count(r.load),
            _share(r.share),
            str(r.crossings).replace(";", ", ") or "—",
        ]
        for r in frame.itertuples()
    ]
    return [
        html.P(
            t("Runs of roads carrying at least 5 % of the selected flow. Loads in {unit}.").format(
                unit=unit
            ),
            className="muted small",
        ),
        _table(
            [
                t("Road"),
                t("From – to"),
                t("Length (km)"),
                t("Peak load"),
                t("Share"),
                t("Border crossings"),
            ],
            rows,
            numeric={2, 3, 4},
            caption=t("Top corridors"),
        ),
    ]


def _hotspot_table(frame: Any, *, unit: str, t: i18n.Translator) -> Any:
    from geotraf.privacy import format_count

    if frame is None or len(frame) == 0:
        return html.P(t("No hotspot for these filters."), className="muted")
    rows = [
        [
            int(r.rank),
            html.Span(_short(r.name or r.node, 40), title=r.explanation),
            i18n.label(str(r.place_type or r.kind), t),
            r.country,
            f"{float(r.score):.2f}",
            format_count(r.load),
            r.corridor or "—",
        ]
        for r in frame.itertuples()
    ]
    return [
        html.P(
            t(
                "Ranked by load, vulnerability of the place and recent incidents; hover a "
                "name or a map marker for the explanation. Loads in {unit}."
            ).format(unit=unit),
            className="muted small",
        ),
        _table(
            ["#", t("Place"), t("Kind"), t("Country"), t("Score (0–1)"), t("Load"), t("Corridor")],
            rows,
            numeric={0, 4, 5},
            caption=t("Top hotspots"),
        ),
    ]


def _whatif_result(result: Any, *, unit: str, t: i18n.Translator) -> list[Any]:
    from geotraf.privacy import format_count

    parts: list[Any] = [html.Div(components.headline_cards(result.summary), className="cards")]
    parts += [components.notice(n) for n in result.notes]
    if len(result.moved):
        rows = [
            [
                r.pair,
                r.crossing_before,
                r.crossing_after,
                format_count(r.count),
                "—" if r.added_min != r.added_min else f"+{float(r.added_min):.0f}",
            ]
            for r in result.moved.itertuples()
        ]
        parts.append(html.H3(t("Flows that moved")))
        parts.append(
            _table(
                [
                    t("Origin → destination"),
                    t("Crossing before"),
                    t("Crossing after"),
                    t("People/year"),
                    t("Added time (min)"),
                ],
                rows,
                numeric={3, 4},
                caption=t("Flows that moved"),
            )
        )
    if not len(result.corridors):
        parts.append(
            html.P(t("No road's load changed by 11 people/year or more."), className="muted small")
        )
    else:
        rows = [
            [
                r.ref,
                format_count(r.base),
                format_count(r.scenario),
                "<11" if r.suppressed else f"{float(r.change):+,.0f}",
            ]
            for r in result.corridors.itertuples()
        ]
        parts.append(html.H3(t("Roads that gained or lost flow")))
        parts.append(
            _table(
                [t("Road"), t("Before"), t("After"), t("Change")],
                rows,
                numeric={1, 2, 3},
                caption=t("Roads that gained or lost flow"),
            )
        )
    return parts


def _upload_report(report: Any, t: i18n.Translator, *, filename: str, kind: str) -> list[Any]:
    if report.ok:
        message = t("{file} is valid and was installed as your {kind} layer.")
        return [
            components.notice(
                message.format(file=filename, kind=i18n.label(kind, t).lower()), kind="info"
            )
        ]
    # Problems found in the file are counted here; other refusals (unreadable upload,
    # file too large, misconfigured workspace) keep the upload module's own wording.
    text = (
        t("{count} problem(s) in {file}: nothing was installed.").format(
            count=len(report.problems), file=filename
        )
        if report.problems
        else report.message
    )
    parts: list[Any] = [components.notice(text, kind="error", role="alert")]
    if report.problems:
        rows = [
            [
                p["file"],
                p["row"] if p["row"] is not None else "—",
                p["column"] or "—",
                p["value"] if p["value"] is not None else "",
                p["message"],
                p["fix"],
            ]
            for p in report.problems[:200]
        ]
        parts.append(
            _table(
                [t("File"), t("Row"), t("Column"), t("Value"), t("Problem"), t("How to fix")],
                rows,
                numeric=set(),
                caption=t("Validation report"),
            )
        )
    return parts


def _source_link(path: str, t: Any) -> list[Any]:
    """The notice naming the user's own data, with the way back to the bundled region."""
    from dashboard.data import region_view, releases_for
    from dashboard.overview_model import source_notice

    found = source_notice(region_view(path, releases_for(path)), t=t)
    if found is None:
        return []
    text, label, href = found
    return [html.Div([text, " ", html.A(label, href=href)], className="notice notice-info")]
