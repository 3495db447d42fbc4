"""Small layout pieces shared by every page: the one graph maker, notices, headline cards.

:func:`graph` is the only way pages make a ``dcc.Graph``: it sets the offline config
(no plotly logo, no "send to cloud", topojson from ``/assets/topojson/``, the interface
language for plotly's own words) on every graph.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

from dash import dcc, html

from dashboard import i18n, ids

Translator = Callable[[str], str]

#: Where plotly finds topojson for ``scattergeo``/``choropleth``: the vendored copy.
TOPOJSON_URL = "/assets/topojson/"


def graph_config(lang: str = i18n.DEFAULT_LANGUAGE, **extra: Any) -> dict[str, Any]:
    """Return the ``dcc.Graph`` config used for every graph of the dashboard.

    Examples
    --------
    >>> cfg = graph_config("fr")
    >>> cfg["displaylogo"], cfg["showSendToCloud"], cfg["topojsonURL"], cfg["locale"]
    (False, False, '/assets/topojson/', 'fr')
    """
    config: dict[str, Any] = {
        "displaylogo": False,
        "showSendToCloud": False,
        "topojsonURL": TOPOJSON_URL,
        "locale": lang,
        "responsive": True,
        "modeBarButtonsToRemove": ["sendDataToCloud", "lasso2d", "select2d"],
        "toImageButtonOptions": {"format": "png", "scale": 2},
    }
    config.update(extra)
    return config


def graph(id_: str, *, lang: str = i18n.DEFAULT_LANGUAGE, **kwargs: Any) -> dcc.Graph:
    """Return an empty ``dcc.Graph`` with the dashboard's offline config.

    The figure is left empty: a callback fills it (layouts carry no data).
    """
    return dcc.Graph(
        id=id_,
        config=cast(Any, graph_config(lang)),
        figure={"data": [], "layout": {"paper_bgcolor": "#ffffff"}},
        **kwargs,
    )


def notice(text: str, *, kind: str = "info", role: str = "status") -> html.Div:
    """Return a notice box: ``info``, ``warning`` or ``error`` (screen readers hear it)."""
    return html.Div(text, className=f"notice notice-{kind}", role=role)


def access_denied(t: Translator, *, required: str) -> html.Div:
    """Return the page shown to a user whose role is below the page's.

    An anonymous visitor gets the login form instead: logging in then renders the page.
    """
    from dashboard.identity import current_role

    if current_role() is None:
        return login_panel(t)
    return html.Div(
        [
            html.H2(t("Access denied")),
            html.P(t("This page needs the {role} role.").format(role=t(required))),
            html.P(t("Ask an administrator for access, or go back to the overview.")),
            dcc.Link(t("Back to the overview"), href="/", className="button"),
        ],
        className="access-denied",
        role="alert",
    )


def login_panel(t: Translator) -> html.Div:
    """Return the login form (no data; shown to anonymous visitors on every page)."""
    languages = [
        html.A(name, href=f"/language/{code}?next=/", lang=code)
        for code, name in i18n.LANGUAGES.items()
    ]
    return html.Div(
        html.Div(
            [
                html.H1("geotraf", className="brand"),
                html.P(t("Trafficking routes and interception planning"), className="muted"),
                html.Div(id=ids.LOGIN_ERROR, role="alert"),
                html.Label(t("User name"), htmlFor=ids.LOGIN_USERNAME),
                dcc.Input(
                    id=ids.LOGIN_USERNAME,
                    maxLength=64,
                    autoComplete="username",
                    autoFocus=True,
                    required=True,
                ),
                html.Label(t("Password"), htmlFor=ids.LOGIN_PASSWORD),
                dcc.Input(
                    id=ids.LOGIN_PASSWORD,
                    type="password",
                    autoComplete="current-password",
                    required=True,
                ),
                html.Button(t("Log in"), id=ids.LOGIN_SUBMIT, n_clicks=0, type="button"),
                html.Nav(languages, className="lang-links", title=t("Language")),
                # Mounting a graph makes the browser load and compile plotly.js now, while
                # the visitor types, instead of after login (about a second on a slow CPU).
                graph(ids.LOGIN_WARMUP, style={"display": "none"}),
            ],
            className="login-card",
        ),
        className="login-screen",
    )


def synthetic_banner(t: Translator) -> html.Div:
    """Return the banner saying that the counts on screen are made up."""
    return html.Div(
        [
            html.Strong(t("SYNTHETIC DEMO DATA")),
            html.Span(
                " — "
                + t("the counts are invented to show how geotraf works; the geography is real.")
            ),
        ],
        className="banner-synthetic",
        role="note",
    )


def live_region(id_: str, *, class_name: str = "") -> html.Div:
    """Return an empty ``aria-live="polite"`` container that callbacks fill.

    Screen readers announce what a callback writes into it (headline numbers, results).
    """
    # Dash components take aria-* only as keyword strings, which mypy cannot type.
    extra: dict[str, str] = {"aria-live": "polite"}
    if class_name:
        extra["className"] = class_name
    return html.Div(id=id_, **extra)  # type: ignore[arg-type]


def page_title(title: str, lead: str) -> html.Div:
    """Return a page's heading and one-sentence lead (both already translated)."""
    return html.Div([html.H1(title), html.P(lead, className="lead")], className="page-title")


def page_shell(
    *, banner: str, title: str, lead: str, filters: Any, headline: str, note: str
) -> list[Any]:
    """Return the top of an analysis page: banner, title and lead, filters, cards, notes.

    The banner, headline cards and notes are empty containers (ids ``banner``,
    ``headline``, ``note``) that callbacks fill; ``title`` and ``lead`` are translated.

    Examples
    --------
    >>> top = page_shell(banner="b", title="Overview", lead="Counts, never persons.",
    ...                  filters=html.Div(id="f"), headline="h", note="n")
    >>> [getattr(c, "id", None) for c in top]
    ['b', None, 'f', 'h', 'n']
    """
    return [
        html.Div(id=banner),
        page_title(title, lead),
        filters,
        live_region(headline, class_name="cards"),
        html.Div(id=note, className="notes"),
    ]


def graph_panel(
    heading: Any,
    graph_id: str,
    *,
    lang: str,
    graph_class: str = "map-graph",
    panel_class: str = "panel panel-map",
    frame_class: str | None = None,
) -> html.Section:
    """Return a panel: its heading (an ``H2`` text, or a ready panel head) over a graph.

    The graph (:func:`graph`) sits in a ``dcc.Loading`` that shows after 400 ms, inside
    ``frame_class`` when given.

    Examples
    --------
    >>> panel = graph_panel("Trend", "trend", lang="en", graph_class="trend-graph")
    >>> panel.className, panel.children[0].children.children
    ('panel panel-map', 'Trend')
    """
    head = html.H2(heading) if isinstance(heading, str) else heading
    frame: dict[str, Any] = {"parent_className": frame_class} if frame_class else {}
    return html.Section(
        [
            html.Div(head, className="panel-head"),
            dcc.Loading(
                graph(graph_id, lang=lang, className=graph_class),
                type="dot",
                delay_show=400,
                **frame,
            ),
        ],
        className=panel_class,
    )


def labelled(label: str, control: Any, *, class_name: str = "control") -> html.Div:
    """Return a form field: its label (linked to the control's id) above the control.

    Examples
    --------
    >>> field = labelled("Days", dcc.Input(id="days", type="number"))
    >>> field.children[0].htmlFor, field.className
    ('days', 'control')
    """
    return html.Div(
        [html.Label(label, htmlFor=control.id, className="control-label"), control],
        className=class_name,
    )


def headline_cards(items: Sequence[tuple[str, str, str]]) -> list[html.Div]:
    """Return headline cards from ``(value, label, note)`` triples (values pre-formatted)."""
    return [
        html.Div(
            [
                html.Div(value, className="card-value"),
                html.Div(label, className="card-label"),
                html.Div(note, className="card-note") if note else None,
            ],
            className="card",
        )
        for value, label, note in items
    ]
