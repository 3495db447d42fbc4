"""Logging in inside the dashboard: the callback behind the login form.

The form (:func:`dashboard.components.login_panel`, a layout piece that every page shows
to anonymous visitors) is part of the Dash app, so while a visitor types, the browser has already
loaded Dash and plotly.js (a hidden graph asks for plotly; compiling it is the slowest
step of a first visit). Submitting calls :func:`register_login_callbacks`' callback,
which checks the password on the server, starts the Flask-Login session (the response
sets the session cookie) and changes ``shell-session``, an input of Dash's page router:
the page the visitor asked for is rendered for their role without reloading anything.
The plain HTML form at ``/login`` (:mod:`dashboard.auth`) stays for scripts, benchmarks
and the test client.
"""

from __future__ import annotations

import time
from typing import Any

from dash import Dash, Input, Output, State, no_update
from dash.exceptions import PreventUpdate

from dashboard import components, i18n, ids
from dashboard.roles import public

Translator = i18n.Translator


def register_login_callbacks(app: Dash) -> None:
    """Attach the login callback to ``app``."""

    @app.callback(
        Output(ids.SHELL_SESSION, "data"),
        Output(ids.LOGIN_ERROR, "children"),
        Input(ids.LOGIN_SUBMIT, "n_clicks"),
        Input(ids.LOGIN_PASSWORD, "n_submit"),
        State(ids.LOGIN_USERNAME, "value"),
        State(ids.LOGIN_PASSWORD, "value"),
        prevent_initial_call=True,
    )
    @public
    def log_in(
        clicks: int | None, submits: int | None, username: str | None, password: str | None
    ) -> tuple[Any, Any]:
        from dashboard.auth import attempt_login

        if not (clicks or submits):
            # Dash calls this when the form is first drawn: nobody has tried anything, so
            # there is nothing to refuse and nothing to audit.
            raise PreventUpdate
        account, error, _ = attempt_login(username or "", password or "")
        if account is None:
            return no_update, components.notice(error, kind="error", role="alert")
        return {"user": account.username, "at": time.time()}, None
