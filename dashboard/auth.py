"""Accounts, login and the gate in front of every dashboard URL.

Accounts live in a TOML file with hashed passwords (werkzeug scrypt)::

    [users.analyst]
    role = "analyst"
    password_hash = "scrypt:32768:8:1$..."

Flask-Login keeps the session. Anonymous visitors get the Dash page frame, whose pages
show the in-app login form (:mod:`dashboard.login`); a ``before_request`` gate answers
401 to their calls of any callback but the public ones (logging in, the frame, Dash's
page router) and of the basemap, so no data callback ever runs for them; each callback
also checks the role itself (:mod:`dashboard.roles`). A plain HTML form at ``/login``
does the same for scripts, benchmarks and the test client.
"""

from __future__ import annotations

import functools
import hmac
import html
import os
import secrets
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, make_response, redirect, request, session
from flask_login import LoginManager, UserMixin, login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash
from werkzeug.wrappers import Response

from dashboard import audit, i18n
from dashboard.roles import ROLES
from geotraf.errors import GeotrafError

#: Demo accounts: user name → (role, password). Printed by ``geotraf demo``; documented
#: in the README. For a demo on one machine only: create real accounts for anything else.
DEMO_ACCOUNTS: dict[str, tuple[str, str]] = {
    "donor": ("donor", "donor-demo"),
    "analyst": ("analyst", "analyst-demo"),
    "planner": ("planner", "planner-demo"),
    "admin": ("admin", "admin-demo"),
}

#: Paths answered 401 to anonymous visitors: callbacks (except the public ones, see
#: :func:`init_auth`), the basemap, and any other Dash machine endpoint not listed in
#: :data:`PUBLIC_DASH`.
API_PREFIXES: tuple[str, ...] = ("/_dash-", "/_reload-hash", "/basemap/")
#: Dash endpoints anyone may fetch: the page frame (no data), the callback list and the
#: JavaScript libraries, so that the in-app login form can be shown.
PUBLIC_DASH: tuple[str, ...] = ("/_dash-layout", "/_dash-dependencies", "/_dash-component-suites/")
#: The callback endpoint; anonymous calls pass only for the public callbacks.
UPDATE_PATH = "/_dash-update-component"
#: Flask config key holding the accounts file (set by :func:`init_auth`).
USERS_KEY = "GEOTRAF_USERS_FILE"


@dataclass(frozen=True)
class Account:
    """One user of the dashboard."""

    username: str
    role: str
    password_hash: str


class User(UserMixin):
    """The Flask-Login user of a session: user name and role, nothing else."""

    def __init__(self, username: str, role: str) -> None:
        self.id = username
        self.role = role


def write_accounts(
    path: str | os.PathLike[str], accounts: dict[str, tuple[str, str]], *, force: bool = False
) -> Path:
    """Write an accounts file with hashed passwords; return its path.

    Parameters
    ----------
    path
        The TOML file to write (folders are created).
    accounts
        User name → (role, clear-text password); only the hash is stored.
    force
        Overwrite an existing file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = write_accounts(pathlib.Path(tempfile.mkdtemp()) / "u.toml", {"ann": ("donor", "x")})
    >>> load_accounts(p)["ann"].role
    'donor'
    """
    target = Path(path)
    if target.exists() and not force:
        raise GeotrafError(f"{target} already exists; pass --force to overwrite it")
    lines = ["# geotraf dashboard accounts; passwords are stored hashed (werkzeug scrypt)."]
    for name, (role, password) in accounts.items():
        if role not in ROLES:
            raise GeotrafError(f"account {name!r}: unknown role {role!r}; use one of {ROLES}")
        if not name.replace("-", "").replace("_", "").isalnum():
            raise GeotrafError(f"account name {name!r}: use letters, digits, - and _ only")
        lines += [
            "",
            f"[users.{name}]",
            f'role = "{role}"',
            f'password_hash = "{generate_password_hash(password)}"',
        ]
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.chmod(0o600)
    tmp.replace(target)
    return target


def load_accounts(path: str | os.PathLike[str]) -> dict[str, Account]:
    """Read an accounts file (re-read when it changes on disk)."""
    p = Path(path)
    try:
        mtime = p.stat().st_mtime_ns
    except FileNotFoundError:
        raise GeotrafError(
            f"accounts file {p} not found; create it with `geotraf users --file {p}`"
        ) from None
    return _load_accounts(str(p), mtime)


@functools.lru_cache(maxsize=8)
def _load_accounts(path: str, mtime_ns: int) -> dict[str, Account]:
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    accounts: dict[str, Account] = {}
    for name, entry in data.get("users", {}).items():
        role = entry.get("role")
        if role not in ROLES or "password_hash" not in entry:
            raise GeotrafError(
                f"{path}: account {name!r} needs a role ({', '.join(ROLES)}) and a password_hash"
            )
        accounts[name] = Account(name, role, entry["password_hash"])
    return accounts


def authenticate(accounts: dict[str, Account], username: str, password: str) -> Account | None:
    """Return the account when the password matches, else None (same time either way)."""
    account = accounts.get(username)
    if account is None:
        # Hash anyway so a wrong name takes as long as a wrong password.
        check_password_hash(_dummy_hash(), password)
        return None
    return account if check_password_hash(account.password_hash, password) else None


@functools.lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_hex(8))


def _safe_next(target: str | None) -> str:
    """Return a local path to go to after login (never another host)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _login_page(
    *, error: str = "", next_url: str = "/", status: int = 200, prefetch: Sequence[str] = ()
) -> Response:
    t = i18n.translator(i18n.current_language())
    token = session.setdefault("csrf", secrets.token_urlsafe(24))
    languages = " ".join(
        f'<a href="/language/{code}?next=/login">{html.escape(name)}</a>'
        for code, name in i18n.LANGUAGES.items()
    )
    err = f'<p class="form-error" role="alert">{html.escape(error)}</p>' if error else ""
    hints = "\n".join(
        f'<link rel="prefetch" as="script" href="{html.escape(url)}">' for url in prefetch
    )
    body = f"""<!DOCTYPE html>
<html lang="{i18n.current_language()}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>geotraf — {html.escape(t("Log in"))}</title>
<link rel="stylesheet" href="/assets/style.css">
{hints}</head>
<body class="login-body"><main class="login-card">
<h1 class="brand">geotraf</h1>
<p class="muted">{html.escape(t("Trafficking routes and interception planning"))}</p>
{err}
<form method="post" action="/login">
<input type="hidden" name="csrf" value="{token}">
<input type="hidden" name="next" value="{html.escape(next_url)}">
<label for="username">{html.escape(t("User name"))}</label>
<input id="username" name="username" autocomplete="username" required autofocus>
<label for="password">{html.escape(t("Password"))}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit" id="login-submit">{html.escape(t("Log in"))}</button>
</form>
<nav class="lang-links" aria-label="{html.escape(t("Language"))}">{languages}</nav>
</main></body></html>"""
    resp = make_response(body, status)
    resp.headers["Content-Type"] = "text/html; charset=utf-8"
    return resp


def init_auth(
    server: Flask,
    *,
    users_file: Path,
    prefetch: Callable[[], Sequence[str]] | None = None,
    public_outputs: Callable[[], set[str]] | None = None,
) -> None:
    """Attach Flask-Login, the login/logout/language routes and the gate to ``server``.

    ``prefetch`` returns the script URLs the dashboard needs right after a login through
    the plain ``/login`` form; that page asks the browser to fetch them while the user
    types. ``public_outputs`` returns the callback output keys anonymous visitors may call
    (logging in, the page frame, Dash's page router); every other callback call from an
    anonymous visitor is answered 401 before it reaches Dash.
    """

    def hints() -> Sequence[str]:
        return prefetch() if prefetch else ()

    server.config[USERS_KEY] = str(users_file)

    manager = LoginManager()
    manager.init_app(server)

    @manager.user_loader
    def _load_user(user_id: str) -> User | None:
        account = load_accounts(users_file).get(user_id)
        return User(account.username, account.role) if account else None

    @server.before_request
    def _gate() -> Response | None:
        from flask_login import current_user

        path = request.path
        if current_user.is_authenticated or path.startswith(PUBLIC_DASH):
            return None
        if path == UPDATE_PATH:
            body = request.get_json(silent=True) or {}
            allowed = public_outputs() if public_outputs else set()
            if isinstance(body, dict) and body.get("output") in allowed:
                return None
        if path.startswith(API_PREFIXES):
            return make_response(("log in first", 401))
        # Pages (the Dash index: no data) show the in-app login form.
        return None

    @server.route("/login", methods=["GET", "POST"])
    def _login() -> Response:
        t = i18n.translator(i18n.current_language())
        if request.method == "GET":
            return _login_page(next_url=_safe_next(request.args.get("next")), prefetch=hints())
        next_url = _safe_next(request.form.get("next"))
        sent = request.form.get("csrf", "")
        if not hmac.compare_digest(sent, session.get("csrf", "")):
            return _login_page(
                error=t("The form expired; please try again."), next_url=next_url, status=400
            )
        username = request.form.get("username", "").strip()
        account = authenticate(
            load_accounts(users_file), username, request.form.get("password", "")
        )
        if account is None:
            audit.record("login_failed", user=username, role="")
            return _login_page(
                error=t("Wrong user name or password."), next_url=next_url, status=401
            )
        login_user(User(account.username, account.role))
        session.pop("csrf", None)
        audit.record("login", user=account.username, role=account.role)
        return redirect(next_url)

    @server.route("/logout")
    def _logout() -> Response:
        from flask_login import current_user

        if current_user.is_authenticated:
            audit.record("logout")
        logout_user()
        return redirect("/")

    @server.route("/language/<code>")
    def _language(code: str) -> Response:
        resp = redirect(_safe_next(request.args.get("next")))
        if code in i18n.LANGUAGES:
            resp.set_cookie(i18n.COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax")
        return resp
