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
from flask import current_app
from flask_login import login_user

from dashboard import audit, components, i18n, ids
from dashboard.roles import public


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
        from dashboard.auth import USERS_KEY, User, authenticate, load_accounts

        t = i18n.translator(i18n.current_language())
        name = (username or "").strip()
        account = authenticate(load_accounts(current_app.config[USERS_KEY]), name, password or "")
        if account is None:
            audit.record("login_failed", user=name, role="")
            return no_update, components.notice(
                t("Wrong user name or password."), kind="error", role="alert"
            )
        login_user(User(account.username, account.role))
        audit.record("login", user=account.username, role=account.role)
        return {"user": account.username, "at": time.time()}, None
