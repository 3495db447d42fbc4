"""Overview (role ``donor`` and up): where people were recruited and exploited, and when.

A choropleth of people by country (or province) of origin or destination, the
origin→destination flows as curved lines, a trend by year and form of exploitation, and
headline numbers — every count suppressed below the threshold on the server. The filters
live in the URL query string so a view can be shared.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dash
from dash import ClientsideFunction, Dash, Input, Output, dcc, html

from dashboard import audit, components, i18n, ids
from dashboard.overview_model import OverviewState, clamp_years, render_overview
from dashboard.roles import allowed, current_role, requires_role
from dashboard.viewcache import cached_answer
from layers.schema import EXPLOITATION

#: The lowest role that may open this page.
ROLE = "donor"

dash.register_page(__name__, path="/", name="Overview", title="geotraf — overview", order=0)


def layout(**query: Any) -> html.Div:
    """Return the page shell, its controls preset from the URL query (no data)."""
    lang = i18n.current_language()
    t = i18n.translator(lang)
    if not allowed(current_role(), ROLE):
        return components.access_denied(t, required=ROLE)
    state = OverviewState.from_query(query)
    years = [state.year_min, state.year_max] if state.year_min and state.year_max else None
    forms = list(state.exploitation) or list(EXPLOITATION)
    filters = html.Section(
        [
            html.Div(
                [
                    html.Label(t("Years"), htmlFor=ids.OVERVIEW_YEARS, className="control-label"),
                    dcc.RangeSlider(
                        id=ids.OVERVIEW_YEARS,
                        min=2000,
                        max=2030,
                        step=1,
                        value=years,
                        allowCross=False,
                        marks=None,
                    ),
                ],
                className="control control-years",
            ),
            html.Fieldset(
                [
                    html.Legend(t("Forms of exploitation"), className="control-label"),
                    dcc.Checklist(
                        id=ids.OVERVIEW_EXPLOITATION,
                        options=[{"label": i18n.label(e, t), "value": e} for e in EXPLOITATION],
                        value=forms,
                        inline=True,
                        className="checklist",
                    ),
                ],
                className="control control-exploitation",
            ),
        ],
        className="filters panel",
        **{"aria-label": t("Filters")},  # type: ignore[arg-type]
    )
    map_controls = html.Div(
        [
            dcc.RadioItems(
                id=ids.OVERVIEW_SIDE,
                options=[
                    {"label": t("By origin"), "value": "origin"},
                    {"label": t("By destination"), "value": "destination"},
                ],
                value=state.side,
                inline=True,
                className="segmented",
            ),
            dcc.RadioItems(
                id=ids.OVERVIEW_LEVEL,
                options=[
                    {"label": t("Countries"), "value": "country"},
                    {"label": t("Provinces"), "value": "province"},
                ],
                value=state.level,
                inline=True,
                className="segmented",
            ),
            dcc.Checklist(
                id=ids.OVERVIEW_ARCS,
                options=[{"label": t("Flow lines"), "value": "arcs"}],
                value=["arcs"] if state.arcs else [],
                inline=True,
                className="segmented",
            ),
        ],
        className="map-controls",
    )
    return html.Div(
        [
            *components.page_shell(
                banner=ids.OVERVIEW_BANNER,
                title=t("Overview"),
                lead=t(
                    "Aggregated movements of trafficked people between places of "
                    "recruitment and exploitation. Counts, never persons."
                ),
                filters=filters,
                headline=ids.OVERVIEW_HEADLINE,
                note=ids.OVERVIEW_NOTE,
            ),
            html.Div(
                [
                    components.graph_panel(
                        [html.H2(t("Where people come from and go to")), map_controls],
                        ids.OVERVIEW_MAP,
                        lang=lang,
                    ),
                    components.graph_panel(
                        t("Trend by year and form of exploitation"),
                        ids.OVERVIEW_TREND,
                        lang=lang,
                        graph_class="trend-graph",
                        panel_class="panel panel-trend",
                    ),
                ],
                className="grid-overview",
            ),
            dcc.Store(id=ids.OVERVIEW_URL_SYNC),
        ],
        className="page page-overview",
    )


def register_callbacks(app: Dash) -> None:
    """Attach the Overview's callbacks to ``app``."""

    @app.callback(
        Output(ids.OVERVIEW_MAP, "figure"),
        Output(ids.OVERVIEW_TREND, "figure"),
        Output(ids.OVERVIEW_HEADLINE, "children"),
        Output(ids.OVERVIEW_BANNER, "children"),
        Output(ids.OVERVIEW_NOTE, "children"),
        Output(ids.OVERVIEW_YEARS, "min"),
        Output(ids.OVERVIEW_YEARS, "max"),
        Output(ids.OVERVIEW_YEARS, "marks"),
        Output(ids.OVERVIEW_YEARS, "value"),
        Output(ids.OVERVIEW_URL_SYNC, "data"),
        Input(ids.OVERVIEW_YEARS, "value"),
        Input(ids.OVERVIEW_EXPLOITATION, "value"),
        Input(ids.OVERVIEW_LEVEL, "value"),
        Input(ids.OVERVIEW_SIDE, "value"),
        Input(ids.OVERVIEW_ARCS, "value"),
    )
    @requires_role(ROLE)
    def update_overview(
        years: list[int] | None,
        exploitation: list[str] | None,
        level: str | None,
        side: str | None,
        arcs: list[str] | None,
    ) -> tuple[Any, ...]:
        from dashboard.data import current_view
        from geotraf.errors import GeotrafError

        t = i18n.translator(i18n.current_language())
        chosen = [e for e in (exploitation or []) if e in EXPLOITATION]
        state = OverviewState(
            year_min=int(years[0]) if years else None,
            year_max=int(years[1]) if years else None,
            # Every form ticked is the same view as no filter: keep the URL short.
            exploitation=() if len(chosen) == len(EXPLOITATION) else tuple(chosen),
            level="province" if level == "province" else "country",
            side="destination" if side == "destination" else "origin",
            arcs=bool(arcs),
        )
        if exploitation is not None and not chosen:
            message = t("Tick at least one form of exploitation to see flows.")
            return _message_outputs(message, state)
        try:
            view = current_view()
        except GeotrafError as exc:
            message = t("The region's data could not be loaded: {error}").format(error=exc)
            return _message_outputs(message, state, kind="error")
        answer = stored_answer(view, state)
        shown = clamp_years(state, view.years)
        audit.record(
            "view",
            page="overview",
            years=[shown.year_min, shown.year_max],
            exploitation=list(shown.exploitation),
            level=shown.level,
            side=shown.side,
        )
        return (*answer, shown.to_query())

    # Rewrite the address bar in place (replaceState): Dash's own location component is
    # not told, so the page is not rebuilt, yet a copied URL reopens this exact view.
    app.clientside_callback(
        ClientsideFunction(namespace="geotraf", function_name="syncUrl"),
        Output(ids.OVERVIEW_URL_SYNC, "id"),
        Input(ids.OVERVIEW_URL_SYNC, "data"),
        prevent_initial_call=True,
    )


def stored_answer(view: Any, state: OverviewState) -> list[Any]:
    """Every output of a state but the address, as stored JSON values (no figure built
    when stored). Keyed per data version, state, root URL (the basemap's absolute URLs),
    language and role; the caller checks the role and audits."""
    from flask import request

    t = i18n.translator(i18n.current_language())
    answer: list[Any] = cached_answer(
        "overview",
        [state, request.root_url],
        lambda: _answer(view, state, base_url=request.root_url, t=t),
    )
    return answer


def warm_answer(query: Mapping[str, str]) -> None:
    """Store the answer to the filter state of a page address's ``query`` (for warm-up)."""
    from dashboard.data import current_view

    stored_answer(current_view(), OverviewState.from_query(query))


def _answer(view: Any, state: OverviewState, *, base_url: str, t: Any) -> tuple[Any, ...]:
    """Every output of a state but the address: figures, cards, notes, the year slider."""
    result = render_overview(view, state, base_url=base_url, t=t, lang=i18n.current_language())
    shown = result.state
    low, high = view.years or (2000, 2030)
    marks = {y: str(y) for y in range(low, high + 1) if (y - low) % max(1, (high - low) // 6) == 0}
    return (
        result.map_figure,
        result.trend_figure,
        components.headline_cards(result.headline),
        components.synthetic_banner(t) if view.synthetic else None,
        _source_link(view, t) + [components.notice(n) for n in result.notes] or None,
        low,
        high,
        {str(k): v for k, v in marks.items()},
        [shown.year_min, shown.year_max] if view.years else None,
    )


def _message_outputs(
    message: str, state: OverviewState, *, kind: str = "warning"
) -> tuple[Any, ...]:
    from dashboard import figures

    empty = figures.empty_chart(message)
    return (
        empty,
        empty,
        None,
        None,
        components.notice(message, kind=kind, role="alert"),
        dash.no_update,
        dash.no_update,
        dash.no_update,
        dash.no_update,
        state.to_query(),
    )


def _source_link(view: Any, t: Any) -> list[Any]:
    """The notice naming the user's own data, with the way back to the bundled region."""
    from dashboard.overview_model import source_notice

    found = source_notice(view, t=t)
    if found is None:
        return []
    text, label, href = found
    return [html.Div([text, " ", html.A(label, href=href)], className="notice notice-info")]
