"""The page shown for an address the dashboard does not have (Dash's ``not_found_404``).

It carries no data, so every visitor may see it: what went wrong and the way back.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import dcc, html

from dashboard import i18n

dash.register_page(__name__, path="/404", name="Not found", title="geotraf — page not found")


def layout(**_: Any) -> html.Div:
    """Return the styled "page not found" panel with links back to the pages."""
    t = i18n.translator(i18n.current_language())
    return html.Div(
        [
            html.H1(t("Page not found")),
            html.P(t("There is no page at this address. It may have moved, or the link is cut.")),
            html.Div(
                [
                    dcc.Link(t("Overview"), href="/", className="button"),
                    dcc.Link(t("Corridors"), href="/corridors", className="button-secondary"),
                    dcc.Link(t("Planning"), href="/planning", className="button-secondary"),
                ],
                className="button-row",
            ),
        ],
        className="not-found panel",
        role="alert",
    )


def register_callbacks(app: dash.Dash) -> None:
    """The page has no callbacks."""
