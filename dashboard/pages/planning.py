"""Planning (role ``planner`` and up): placeholder until the planning work replaces this file.

It already follows the page contract (see :mod:`dashboard.pages`): role-checked layout
with no data, callbacks attached by ``register_callbacks``.
"""

from __future__ import annotations

import dash
from dash import Dash, html

from dashboard import components, i18n, ids
from dashboard.roles import allowed, current_role

#: The lowest role that may open this page.
ROLE = "planner"

dash.register_page(__name__, path="/planning", name="Planning", title="geotraf — planning", order=2)


def layout(**query: str) -> html.Div:
    """Return the page shell (no data), or "access denied" below the page's role."""
    t = i18n.translator(i18n.current_language())
    if not allowed(current_role(), ROLE):
        return components.access_denied(t, required=ROLE)
    return html.Div(
        [
            html.H1(t("Planning")),
            components.notice(t("This page is being built."), kind="info"),
        ],
        id=ids.PLANNING_ROOT,
        className="page",
    )


def register_callbacks(app: Dash) -> None:
    """Attach the page's callbacks to ``app`` (none yet)."""
