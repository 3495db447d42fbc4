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
import html
import os
import re
import secrets
import tempfile
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import Flask, current_app, make_response, redirect, request, session
from flask_login import LoginManager, UserMixin, login_user, logout_user
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from werkzeug.security import check_password_hash, generate_password_hash
from werkzeug.wrappers import Response

from dashboard import audit, i18n
from dashboard.roles import ROLES
from dashboard.store import InstanceStore
from dashboard.throttle import LoginThrottle
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
#: Flask config keys (and environment variables) of the session timeouts, in seconds.
IDLE_KEY = "GEOTRAF_SESSION_IDLE_S"
LIFETIME_KEY = "GEOTRAF_SESSION_LIFETIME_S"
DEFAULT_IDLE_S = 30 * 60
DEFAULT_LIFETIME_S = 12 * 3600
#: Key of the session id inside the signed cookie.
SID = "sid"
#: Name of the CSRF form field in every form of ours.
CSRF_FIELD = "csrf"
#: ``server.extensions`` keys of the instance store and the login throttle.
STORE_EXT = "geotraf_store"
THROTTLE_EXT = "geotraf_throttle"
_CONTROL = re.compile(r"[\x00-\x1f\x7f\\]")


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
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:  # mkstemp creates it 0600
            fh.write("\n".join(lines) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        if force:
            tmp.replace(target)
        else:
            try:
                # link() fails if the target exists: of several processes creating the
                # file at once exactly one wins, and nobody sees a half-written file.
                os.link(tmp, target)
            except FileExistsError:
                raise GeotrafError(
                    f"{target} already exists; pass --force to overwrite it"
                ) from None
    finally:
        tmp.unlink(missing_ok=True)
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


def safe_next(target: str | None) -> str:
    r"""Return ``target`` when it is a path on this site, else ``/``.

    Refused: anything with a scheme or host, ``//`` or ``/\`` (browsers read both as
    another host), control characters and spaces (browsers drop tabs and newlines, so
    ``/\t/host`` becomes ``//host``), and the same tricks percent-encoded.

    Examples
    --------
    >>> safe_next("/corridors?sex=female"), safe_next("//evil"), safe_next("/\t/evil")
    ('/corridors?sex=female', '/', '/')
    >>> safe_next("/%2F/evil"), safe_next("/\\evil"), safe_next("https:evil")
    ('/', '/', '/')
    """
    if not target or len(target) > 2000:
        return "/"
    for candidate in (target, unquote(target), unquote(unquote(target))):
        if _CONTROL.search(candidate) or " " in candidate:
            return "/"
        if not candidate.startswith("/") or candidate.startswith("//"):
            return "/"
        parts = urlsplit(candidate)
        if parts.scheme or parts.netloc:
            return "/"
        if "//" in parts.path.split("?")[0].replace("/./", "//"):
            return "/"
    return target


def store(server: Flask | None = None) -> InstanceStore:
    """Return the instance store of ``server`` (default: the current app)."""
    app = server or current_app
    found: InstanceStore = app.extensions[STORE_EXT]
    return found


def _seconds(server: Flask, key: str, default: int) -> float:
    value = server.config.get(key) or os.environ.get(key)
    try:
        return float(value) if value else float(default)
    except ValueError:
        raise GeotrafError(f"{key}={value!r}: give a number of seconds") from None


def start_session(account: Account) -> None:
    """Log ``account`` in: a fresh cookie naming a new server-side session."""
    session.clear()  # no session fixation: nothing from before the login survives
    session[SID] = store().create_session(account.username, account.role)
    login_user(User(account.username, account.role))


def attempt_login(username: str, password: str) -> tuple[Account | None, str, int]:
    """Check a login attempt against the throttle and the accounts; audit it.

    Returns the account (or None), the error message to show (empty on success) and the
    HTTP status that fits (200, 401 or 429). Used by both login forms.
    """
    t = i18n.translator(i18n.current_language())
    name = username.strip()
    address = request.remote_addr or "unknown"
    accounts = load_accounts(current_app.config[USERS_KEY])
    # A name that is no account is not written down: it may be a password typed into
    # the wrong field.
    shown = name if name in accounts else ""
    extra = {} if shown else {"unknown_user": True}
    throttle: LoginThrottle = current_app.extensions[THROTTLE_EXT]
    verdict = throttle.check(name, address)
    if not verdict.allowed:
        audit.record("throttled", user=shown, role="", limit=verdict.which, **extra)
        return None, verdict.message(t), 429
    account = authenticate(accounts, name, password)
    if account is None:
        throttle.failed(name, address)
        audit.record("login_failed", user=shown, role="", **extra)
        return None, t("Wrong user name or password."), 401
    start_session(account)
    audit.record("login", user=account.username, role=account.role)
    return account, "", 200


def _login_page(
    *, error: str = "", next_url: str = "/", status: int = 200, prefetch: Sequence[str] = ()
) -> Response:
    t = i18n.translator(i18n.current_language())
    token = generate_csrf()
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
<input type="hidden" name="{CSRF_FIELD}" value="{token}">
<input type="hidden" name="next" value="{html.escape(next_url)}">
<label for="username">{html.escape(t("User name"))}</label>
<input id="username" name="username" autocomplete="username" maxlength="64" required autofocus>
<label for="password">{html.escape(t("Password"))}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit" id="login-submit">{html.escape(t("Log in"))}</button>
</form>
<nav class="lang-links" aria-label="{html.escape(t("Language"))}">{languages}</nav>
</main></body></html>"""
    resp = make_response(body, status)
    resp.headers["Content-Type"] = "text/html; charset=utf-8"
    return resp


def _csrf_ok() -> bool:
    try:
        validate_csrf(request.form.get(CSRF_FIELD, ""))
    except (CSRFError, ValueError, Exception):  # flask_wtf raises ValidationError
        return False
    return True


def _same_origin() -> bool:
    """False for a request a browser marks as sent from another site."""
    site = request.headers.get("Sec-Fetch-Site")
    if site and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin")
    if origin and origin != "null":
        return urlsplit(origin).netloc == request.host
    return origin != "null"


def init_auth(
    server: Flask,
    *,
    users_file: Path,
    prefetch: Callable[[], Sequence[str]] | None = None,
    public_outputs: Callable[[], set[str]] | None = None,
) -> None:
    """Attach sessions, CSRF, throttling, the login/logout/language routes and the gate.

    ``prefetch`` returns the script URLs the dashboard needs right after a login through
    the plain ``/login`` form; that page asks the browser to fetch them while the user
    types. ``public_outputs`` returns the callback output keys anonymous visitors may call
    (logging in, the page frame, Dash's page router); every other callback call from an
    anonymous visitor is answered 401 (and audited) before it reaches Dash.

    Every POST must come from this site (``Origin``/``Sec-Fetch-Site``); the forms
    (login, logout) also carry a CSRF token bound to the session (Flask-WTF), and Dash's
    callback endpoint only takes JSON, which another site cannot send without a CORS
    pre-flight that this server never grants.
    """

    def hints() -> Sequence[str]:
        return prefetch() if prefetch else ()

    server.config[USERS_KEY] = str(users_file)
    server.config.setdefault("WTF_CSRF_FIELD_NAME", CSRF_FIELD)
    server.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # bound to the session instead
    store_path = Path(server.instance_path) / "security.sqlite"
    server.extensions[STORE_EXT] = InstanceStore(store_path)
    server.extensions[THROTTLE_EXT] = LoginThrottle(server, store_path=str(store_path))
    idle_s = _seconds(server, IDLE_KEY, DEFAULT_IDLE_S)
    lifetime_s = _seconds(server, LIFETIME_KEY, DEFAULT_LIFETIME_S)

    manager = LoginManager()
    manager.init_app(server)

    @manager.user_loader
    def _load_user(user_id: str) -> User | None:
        row = store(server).check_session(session.get(SID), idle_s=idle_s, lifetime_s=lifetime_s)
        if row is None or row.user != user_id:
            return None
        account = load_accounts(users_file).get(user_id)
        return User(account.username, account.role) if account else None

    @server.before_request
    def _gate() -> Response | None:
        from flask_login import current_user

        if request.method == "POST" and not _same_origin():
            audit.record("denied", what=request.path, required="same-origin")
            return make_response(("cross-site request refused", 403))
        path = request.path
        if current_user.is_authenticated or path.startswith(PUBLIC_DASH):
            return None
        if path == UPDATE_PATH:
            body = request.get_json(silent=True) or {}
            allowed = public_outputs() if public_outputs else set()
            if isinstance(body, dict) and body.get("output") in allowed:
                return None
        if path.startswith(API_PREFIXES):
            audit.record("denied", what=path[:80], required="login")
            return make_response(("log in first", 401))
        # Pages (the Dash index: no data) show the in-app login form.
        return None

    @server.route("/login", methods=["GET", "POST"])
    def _login() -> Response:
        t = i18n.translator(i18n.current_language())
        if request.method == "GET":
            return _login_page(next_url=safe_next(request.args.get("next")), prefetch=hints())
        next_url = safe_next(request.form.get("next"))
        if not _csrf_ok():
            return _login_page(
                error=t("The form expired; please try again."), next_url=next_url, status=400
            )
        account, error, status = attempt_login(
            request.form.get("username", ""), request.form.get("password", "")
        )
        if account is None:
            return _login_page(error=error, next_url=next_url, status=status)
        return redirect(next_url)

    @server.route("/logout", methods=["POST"])
    def _logout() -> Response:
        from flask_login import current_user

        if not _csrf_ok():
            return make_response(("The form expired; reload the page and log out again.", 400))
        if current_user.is_authenticated:
            audit.record("logout")
        store(server).revoke(session.get(SID))
        logout_user()
        session.clear()
        return redirect("/")

    @server.route("/language/<code>")
    def _language(code: str) -> Response:
        resp = redirect(safe_next(request.args.get("next")))
        if code in i18n.LANGUAGES:
            resp.set_cookie(i18n.COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax")
        return resp
