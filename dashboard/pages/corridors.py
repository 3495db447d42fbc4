"""Corridors (role ``analyst`` and up): modelled corridors, hotspots, what-if, uploads.

The road network's modelled loads under the analyst's filters, hotspot markers with their
explanations, incident density, a what-if panel (close or watch crossings and roads, see
where the flow goes), top corridors and hotspots, and a layer upload with its validation
report. Filters live in the URL so a view can be shared.

Callbacks stay thin (parse inputs → :mod:`dashboard.corridors_model` → figure pieces).
The geometry of the segments is sent once per page load; a filter change is one request
whose answer holds one rounded, suppressed load per segment (the browser redraws the
lines, :data:`COMPOSE_MAP_FN`), the headline, the markers and the tables. Every server
callback checks the role on the server.

The page's shell is built in :mod:`dashboard.corridors_layout`, its result tables and
reports in :mod:`dashboard.corridors_render`, its role and control words in
:mod:`dashboard.corridors_controls`; this module registers the page and its callbacks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dash
from dash import ClientsideFunction, Dash, Input, Output, State, html

from dashboard import audit, components, i18n, ids
from dashboard.corridors_controls import (
    FILTER_IDS,
    ROLE,
    filter_labels,
    method_labels,
    reason_label,
)
from dashboard.corridors_layout import page_shell
from dashboard.corridors_model import CorridorState, clamp_years
from dashboard.corridors_render import (
    corridor_table,
    crossing_names,
    hotspot_table,
    source_link,
    table_notes,
    upload_report,
    whatif_result,
)
from dashboard.roles import allowed, check_role, current_role, requires_role
from dashboard.viewcache import cached_answer

__all__ = [
    "COMPOSE_MAP_FN",
    "DROP_WHATIF_FN",
    "FILTER_IDS",
    "ROLE",
    "URL_SYNC_FN",
    "filter_labels",
    "layout",
    "method_labels",
    "reason_label",
    "register_callbacks",
    "stored_answer",
    "warm_answer",
]


dash.register_page(
    __name__, path="/corridors", name="Corridors", title="geotraf — corridors", order=1
)

#: The client-side functions (``dashboard/assets/geotraf-clientside.js``): one draws the
#: corridor lines from the geometry (sent once) and the loads (per filter), one rewrites
#: the address bar, one drops a stale what-if result. Kept out of Python so that the page
#: runs under a CSP without inline scripts.
COMPOSE_MAP_FN = ClientsideFunction(namespace="geotraf", function_name="composeCorridorMap")
URL_SYNC_FN = ClientsideFunction(namespace="geotraf", function_name="syncUrl")
#: Clears a what-if result when the filters or picks it was run with change.
DROP_WHATIF_FN = ClientsideFunction(namespace="geotraf", function_name="dropStaleWhatif")


def layout(**query: Any) -> html.Div:
    """Return the page shell, its controls preset from the URL query (no data)."""
    lang = i18n.current_language()
    t = i18n.translator(lang)
    if not allowed(current_role(), ROLE):
        return components.access_denied(t, required=ROLE)
    state = CorridorState.from_query(query)
    return page_shell(state, t=t, lang=lang)


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
        from dashboard.map_labels import country_names, labelled_style

        t = i18n.translator(i18n.current_language())
        view = current_view()
        net_graph = route_graph(view.path)
        geometry = _geometry(view.path)
        urls = {n: f"{request.root_url}basemap/{n}.geojson" for n in view.basemap_layers}
        center, zoom = basemap.fit_view(view.bounds)
        style = labelled_style(
            urls, view=view, base_url=request.root_url, lang=i18n.current_language()
        )
        layout_ = map_layout(style, center=center, zoom=zoom)
        countries = sorted(
            set(view.flows.get("origin_country", []))
            | set(view.flows.get("destination_country", []))
        )
        names = country_names(view.country_names, i18n.current_language())
        options = [
            {"label": f"{names.get(c, c)} ({c})", "value": c}
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
        Output(ids.CORRIDORS_OVERLAY, "data"),
        Output(ids.CORRIDORS_TABLE, "children"),
        Output(ids.CORRIDORS_HOTSPOTS, "children"),
        Output(ids.CORRIDORS_NOTE, "children"),
        *_filter_inputs(),
        running=[(Output(ids.CORRIDORS_BUSY, "className"), "busy busy-on", "busy")],
    )
    @requires_role(ROLE)
    def update_corridors(years: Any, *rest: Any) -> tuple[Any, ...]:
        """One answer per filter change: the loads and headline, the markers and tables.

        The answer (all but the address) is stored as JSON per data version, filter
        state, language and role; the view is audited every time.
        """
        state = _state(years, rest[:-1], rest[-1])
        net = _network(state.method)
        shown = clamp_years(state, net.years)
        audit.record("view", page="corridors", **_audit_filters(shown))
        loads, cards, *tables = stored_answer(net, shown)
        return (loads, cards, state.to_query(), *tables)

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

        lang = i18n.current_language()
        t = i18n.translator(lang)
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
            result = cm.what_if(net, shown, close=close, watch=watch, t=t, lang=lang)
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
        return cf.to_plain(traces), whatif_result(result, unit=unit, t=t, lang=lang), keep, keep

    # A what-if result is for the filters and picks it was run with: any change drops it
    # (in the browser: nothing to ask the server).
    app.clientside_callback(
        DROP_WHATIF_FN,
        Output(ids.CORRIDORS_WHATIF, "data", allow_duplicate=True),
        Output(ids.CORRIDORS_WHATIF_RESULT, "children", allow_duplicate=True),
        *_filter_inputs(),
        Input(ids.CORRIDORS_CLOSE, "value"),
        Input(ids.CORRIDORS_WATCH, "value"),
        prevent_initial_call=True,
    )

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
        return upload_report(report, t, filename=filename or "upload", kind=str(kind))

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


def stored_answer(net: Any, shown: CorridorState) -> list[Any]:
    """The answer to a filter change but the address, as stored JSON values.

    Keyed per data version, (clamped) filter state, language and role
    (:func:`dashboard.viewcache.cached_answer`); the caller checks the role and audits.
    """
    lang = i18n.current_language()
    t = i18n.translator(lang)
    answer: list[Any] = cached_answer("corridors", [shown], lambda: _answer(net, shown, t, lang))
    return answer


def warm_answer(query: Mapping[str, str]) -> None:
    """Store the answer to the filter state of a page address's ``query`` (for warm-up)."""
    state = CorridorState.from_query(query)
    net = _network(state.method)
    stored_answer(net, clamp_years(state, net.years))


def _answer(net: Any, shown: CorridorState, t: Any, lang: str) -> tuple[Any, ...]:
    """The loads, headline cards, markers, tables and notes of a state (no address)."""
    from dashboard.corridors_model import corridor_payload, headline

    return (
        corridor_payload(net, shown, t=t, lang=lang),
        components.headline_cards(headline(net, shown, t=t, lang=lang)),
        *_tables_view(net, shown, t, lang),
    )


def _tables_view(net: Any, shown: CorridorState, t: Any, lang: str) -> tuple[Any, ...]:
    """The hotspot, direction and density markers, the two tables and the notes of a state."""
    from dashboard import corridor_figures as cf
    from dashboard import corridors_model as cm

    tables = cm.cached_tables(net, shown)
    unit = cm.unit_label(net.synthetic, t)
    density = cm.incident_layer(net)  # released incidents, every year
    overlay = {
        "below": cf.to_plain([cf.density_trace(density, t=t)]),
        "above": cf.to_plain(
            [
                cf.direction_trace(net, cm.flow_weights(net, shown), t=t),
                cf.hotspot_halo(tables.hotspots),
                cf.hotspot_trace(tables.hotspots, unit=unit, t=t, lang=lang),
            ]
        ),
    }
    notes = source_link(net.path, t)
    notes += [components.notice(n) for n in cm.protection_notes(net.path, t=t)]
    notes += [components.notice(n, kind="warning") for n in table_notes(tables, t, lang)]
    return (
        overlay,
        corridor_table(
            tables.corridors,
            unit=unit,
            t=t,
            crossings=crossing_names(net.graph),
            lang=lang,
        ),
        hotspot_table(tables.hotspots, unit=unit, t=t, lang=lang),
        notes or None,
    )


def _geometry(path: str) -> dict[str, Any]:
    from dashboard.corridors_model import corridor_network, geometry_payload

    return geometry_payload(corridor_network(path))


def _audit_filters(state: CorridorState) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in state.describe().items()}
