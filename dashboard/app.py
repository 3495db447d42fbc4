"""The dashboard's app factory: :func:`create_app` builds a fresh, configured Dash app.

Nothing is loaded at import and nothing is kept at module level: the region's path, the
accounts file, the audit log and the workspace go into the Flask config of the app being
built, and the region itself is read lazily by :mod:`dashboard.data` (cached per
process). A gunicorn worker that imports :mod:`dashboard.wsgi` therefore behaves exactly
like every other worker.

Pages (``dashboard/pages``) declare their layout with ``dash.register_page`` and attach
their callbacks in ``register_callbacks(app)``, which this factory calls: callbacks are
bound to this app, never to Dash's global callback list.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import os
import secrets
import tempfile
import threading
from pathlib import Path
from typing import Any

import dash
from dash import Input, Output, dcc, html
from flask import Flask, Response, abort, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import generate_csrf

from dashboard import audit, auth, data, headers, i18n, ids, login, viewcache
from dashboard.roles import allowed, current_role, current_username, is_public, public
from geotraf.datasets import resolve_region
from geotraf.errors import GeotrafError
from layers.region import region_attribution

HERE = Path(__file__).resolve().parent
PAGES_FOLDER = HERE / "pages"
ASSETS_FOLDER = HERE / "assets"
#: Page modules in navigation order, with the lowest role that may open each.
PAGES: tuple[tuple[str, str, str, str], ...] = (
    # (module, path, label, role)
    ("overview", "/", "Overview", "donor"),
    ("corridors", "/corridors", "Corridors", "analyst"),
    ("planning", "/planning", "Planning", "planner"),
)
#: Environment variables read when an argument is not given.
ENV_INSTANCE = "GEOTRAF_INSTANCE"
ENV_SECRET = "GEOTRAF_SECRET_KEY"
#: ``1``: session cookies are always ``Secure`` (else only on https requests).
ENV_SECURE = "GEOTRAF_SECURE_COOKIES"
#: ``1``: trust one proxy's ``X-Forwarded-For/-Proto/-Host`` (TLS ends at the proxy).
ENV_PROXY = "GEOTRAF_TRUST_PROXY"
#: Environment settings copied into the Flask config when set.
ENV_SETTINGS = (
    "GEOTRAF_SESSION_IDLE_S",
    "GEOTRAF_SESSION_LIFETIME_S",
    "GEOTRAF_PLAN_TTL_S",
    "GEOTRAF_LOGIN_LIMIT_ACCOUNT",
    "GEOTRAF_LOGIN_LIMIT_ADDRESS",
)


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, ``Secure`` when configured or on an https request."""

    def get_cookie_secure(self, app: Flask) -> bool:
        configured = bool(app.config.get("SESSION_COOKIE_SECURE"))
        return configured or (has_request_context() and request.is_secure)


def instance_dir() -> Path:
    """Return the instance folder (accounts, secret key, audit log): ``$GEOTRAF_INSTANCE``
    or ``./instance``."""
    return Path(os.environ.get(ENV_INSTANCE) or Path.cwd() / "instance")


def default_users_file() -> Path:
    """Return the accounts file used when none is given: ``<instance>/users.toml``."""
    return instance_dir() / "users.toml"


def _secret_key(given: str | None, folder: Path) -> str:
    """Return the session signing key shared by every worker of this instance.

    A random per-process key would log users out whenever a request reached another
    gunicorn worker, so the key comes from the argument, ``$GEOTRAF_SECRET_KEY``, or a
    file in the instance folder created once (``O_EXCL``: the first worker wins).
    """
    if given:
        return given
    if os.environ.get(ENV_SECRET):
        return os.environ[ENV_SECRET]
    path = folder / "secret_key"
    folder.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # Write the whole key to a private temporary file, then link it into place:
        # link() fails when the key exists, so of several workers starting at once one
        # wins and every other reads a complete key (never an empty, half-written file).
        fd, tmp = tempfile.mkstemp(prefix=".secret_key.", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(secrets.token_hex(32))
                fh.flush()
                os.fsync(fh.fileno())
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            os.unlink(tmp)
    key = path.read_text(encoding="utf-8").strip()
    if len(key) < 32:
        raise GeotrafError(f"{path} holds no usable key; delete it and start again")
    return key


def create_app(
    *,
    region: str | os.PathLike[str] = "mekong",
    users_file: str | os.PathLike[str] | None = None,
    workspace: str | os.PathLike[str] | None = None,
    secret_key: str | None = None,
    audit_log: str | os.PathLike[str] | None = None,
    preload: bool = False,
    compress: bool = True,
) -> dash.Dash:
    """Build the dashboard app for a region.

    Parameters
    ----------
    region
        Bundled region name (``mekong``) or a region GeoPackage/folder.
    users_file
        Accounts TOML file (default ``<instance>/users.toml``); must exist
        (``geotraf users`` writes one). Its folder also holds the secret key and, by
        default, the audit log.
    workspace
        Folder for users' uploads (default ``<accounts folder>/workspace``); the bundled
        region is never written to.
    secret_key
        Session signing key; by default ``$GEOTRAF_SECRET_KEY`` or the instance's
        ``secret_key`` file.
    audit_log
        JSON-lines audit log (default ``<accounts folder>/audit.jsonl``).
    preload
        Start loading the region in a background thread now, so the first map is fast
        (servers set it; tests and imports leave it off).
    compress
        Compress responses (zstd, brotli or gzip, whichever the browser accepts): plotly.js
        goes from 4.8 MB to 1.4 MB. ``benchmarks/bench_first_load.py`` turns it off to
        compare.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from dashboard.auth import DEMO_ACCOUNTS, write_accounts
    >>> users = write_accounts(pathlib.Path(tempfile.mkdtemp()) / "users.toml", DEMO_ACCOUNTS)
    >>> app = create_app(users_file=users)
    >>> client = app.server.test_client()
    >>> client.get("/").status_code, client.get("/basemap/borders.geojson").status_code
    (200, 401)
    """
    region_path = Path(resolve_region(str(region))).resolve()
    users = Path(users_file) if users_file else default_users_file()
    if not users.exists():
        raise GeotrafError(
            f"accounts file {users} not found; create it with `geotraf users --file {users}`"
        )
    folder = users.resolve().parent
    server = Flask("dashboard", instance_path=str(folder))
    secure = os.environ.get(ENV_SECURE, "") in ("1", "true", "yes")
    server.config.update(
        SECRET_KEY=_secret_key(secret_key, folder),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure,
        MAX_CONTENT_LENGTH=64 * 1024 * 1024,
    )
    server.config.update({k: os.environ[k] for k in ENV_SETTINGS if os.environ.get(k)})
    server.session_interface = _SessionInterface()
    if os.environ.get(ENV_PROXY, "") in ("1", "true", "yes"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        server.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            server.wsgi_app, x_for=1, x_proto=1, x_host=1
        )

    server.config[data.CONFIG_KEY] = str(region_path)
    server.config[data.RELEASES_KEY] = str(folder / "releases")
    server.config[audit.CONFIG_KEY] = str(audit_log or folder / "audit.jsonl")
    server.config["GEOTRAF_WORKSPACE"] = str(Path(workspace) if workspace else folder / "workspace")
    server.extensions[viewcache.EXTENSION] = viewcache.ViewCache(folder / "cache" / "views")
    _add_basemap_route(server)
    data.register_source_routes(server)
    if compress:
        _enable_compression(server)

    app = dash.Dash(
        "dashboard",
        server=server,  # type: ignore[arg-type]
        use_pages=True,
        pages_folder=str(PAGES_FOLDER),
        assets_folder=str(ASSETS_FOLDER),
        serve_locally=True,
        suppress_callback_exceptions=True,
        title="geotraf",
        update_title="",
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
        # Logging in changes this store: the page router re-renders for the new role.
        routing_callback_inputs={"session": Input(ids.SHELL_SESSION, "data")},
    )
    app.layout = functools.partial(shell, attribution=region_attribution(region_path))
    auth.init_auth(
        server,
        users_file=users,
        prefetch=lambda: script_urls(app),
        public_outputs=lambda: public_outputs(app),
    )
    login.register_login_callbacks(app)
    _register_shell_callbacks(app)
    for module, *_ in PAGES:
        page = importlib.import_module(f"dashboard.pages.{module}")
        page.register_callbacks(app)
    headers.init_headers(server, script_hashes=app.csp_hashes)
    if preload:
        threading.Thread(target=_warm, args=(server, str(region_path)), daemon=True).start()
    return app


def _warm(server: Flask, path: str) -> None:
    """Load the routing kernels, read the region and its release, build the corridor
    network, then store the answers to the usual filter states (:mod:`dashboard.warmup`).

    Without it, the first Corridors request each worker gets waits for the assignment (10 s
    on Mekong). It runs in the app context so that it uses this app's releases folder.
    """
    from geotraf._warm import warm_up

    warm_up()  # the compiled routing kernels: loaded from numba's cache, compiled once
    with server.app_context():
        data.warm(path, data.releases_dir())
        from dashboard.corridors_model import corridor_network

        with contextlib.suppress(GeotrafError):
            corridor_network(path, "shortest").hotspot_index  # noqa: B018 (built on first use)
    from dashboard.warmup import warm_from_environment

    warm_from_environment(server)  # the usual filter states' answers (needs $GEOTRAF_URL)


def public_outputs(app: dash.Dash) -> set[str]:
    """Return the callback outputs anonymous visitors may ask for: login, frame, router.

    Dash's page router only calls page layouts, which show the login form to anonymous
    visitors (:func:`dashboard.components.access_denied`).
    """
    return {
        key
        for key, spec in app.callback_map.items()
        if "_pages_content" in key or is_public(spec.get("callback", _no_callback))
    }


def _no_callback() -> None:
    """Stand-in for clientside callbacks (they have no server function)."""


def script_urls(app: dash.Dash) -> list[str]:
    """Return the script URLs a dashboard page loads, plotly.js included (for prefetch)."""
    import re

    html_tags = app._generate_scripts_html()
    urls = re.findall(r'<script src="([^"]+)"', html_tags)
    suites = f"{app.config.requests_pathname_prefix}_dash-component-suites"
    return [
        *urls,
        f"{suites}/dash/dcc/async-graph.js",
        f"{suites}/dash/dcc/async-slider.js",
        f"{suites}/plotly/package_data/plotly.min.js",
    ]


def _enable_compression(server: Flask) -> None:
    """Compress the app's scripts, JSON and GeoJSON responses (Flask-Compress).

    zstd comes first: at level 3 it compresses plotly.js in ~25 ms, gzip's level 6 takes
    ~190 ms for a slightly larger result, and nothing caches the compressed bytes (a
    cache keyed by URL would mix up callback responses). Streamed responses (files sent
    from the assets folder) are left as they are.
    """
    from flask_compress import Compress

    server.config.update(
        COMPRESS_ALGORITHM=["zstd", "br", "gzip"],
        COMPRESS_STREAMS=False,
        COMPRESS_MIMETYPES=[
            "text/html",
            "text/css",
            "text/javascript",
            "application/javascript",
            "application/json",
            "application/geo+json",
            "image/svg+xml",
        ],
    )
    Compress(server)


def _add_basemap_route(server: Flask) -> None:
    @server.route("/basemap/<name>.geojson")
    def _basemap(name: str) -> Response:
        from flask import current_app

        payload = data.basemap_layer(str(current_app.config[data.CONFIG_KEY]), name)
        if payload is None:
            abort(404)
        resp = Response(payload, mimetype="application/geo+json")
        resp.headers["Cache-Control"] = "private, max-age=3600"
        return resp


def shell(attribution: str = "") -> html.Div:
    """Return the frame around every page: navigation for the user's role, user, language.

    Carries no region data: Dash serves it to anonymous visitors too (they see the login
    form in place of the page).
    """
    lang = i18n.current_language()
    t = i18n.translator(lang)
    nav, user, logout_style = _frame_for_user(t)
    languages = [
        html.A(
            code.upper(),
            id=f"{ids.SHELL_LANG_PREFIX}{code}",
            href=f"/language/{code}?next=/",  # assets/lang.js keeps the page and query
            title=name,
            lang=code,
            className="lang-link" + (" active" if code == lang else ""),
        )
        for code, name in i18n.LANGUAGES.items()
    ]
    skip = html.A(t("Skip to content"), href="#main", className="skip-link")
    header = html.Header(
        [
            html.Div(
                [html.Span("geotraf", className="brand"), html.Nav(nav, id=ids.SHELL_NAV)],
                className="header-left",
            ),
            html.Div(
                [
                    html.Span(user, id=ids.SHELL_USER, className="user"),
                    html.Span(languages, className="lang-links", title=t("Language")),
                    html.Form(
                        [
                            dcc.Input(type="hidden", name=auth.CSRF_FIELD, value=_csrf_token()),
                            html.Button(t("Log out"), type="submit", className="logout"),
                        ],
                        method="POST",
                        action="/logout",
                        id=ids.SHELL_LOGOUT,
                        className="logout-form",
                        style=logout_style,
                    ),
                ],
                className="header-right",
            ),
        ],
        className="app-header",
    )
    footer = html.Footer(
        [
            t(
                "Counts below 11 people are suppressed. Basemap: Natural Earth (public domain); "
                "towns: GeoNames (CC BY 4.0)."
            ),
            # The region's own sources (its ATTRIBUTION.txt), in the data's own words.
            *(
                [html.Span(f" {attribution}", className="region-attribution")]
                if attribution
                else []
            ),
        ],
        className="app-footer",
    )
    return html.Div(
        [
            skip,
            header,
            html.Main(dash.page_container, id="main", tabIndex="-1", className="app-main"),
            footer,
            dcc.Store(id=ids.SHELL_SESSION),
        ]
    )


def _csrf_token() -> str:
    """The session's CSRF token for the logout form (none outside a request)."""
    return generate_csrf() if has_request_context() else ""


def _set_html_lang(app: dash.Dash) -> None:
    """Serve every page with ``<html lang="…">`` set to the interface language."""
    plain = app.interpolate_index

    def interpolate_index(**kwargs: Any) -> str:
        page = plain(**kwargs)
        return page.replace("<html>", f'<html lang="{i18n.current_language()}">', 1)

    app.interpolate_index = interpolate_index  # type: ignore[method-assign,assignment]


def _frame_for_user(t: i18n.Translator) -> tuple[list[dcc.Link], str, dict[str, str]]:
    """Return the navigation links, the user label and the logout link's style."""
    role = current_role()
    user = current_username()
    links = [
        dcc.Link(t(label), href=path, className="nav-link")
        for _, path, label, needed in PAGES
        if allowed(role, needed)
    ]
    label = f"{user} · {t(role)}" if user and role else ""
    return links, label, {} if role else {"display": "none"}


def _register_shell_callbacks(app: dash.Dash) -> None:
    _set_html_lang(app)

    @app.callback(
        Output(ids.SHELL_NAV, "children"),
        Output(ids.SHELL_USER, "children"),
        Output(ids.SHELL_LOGOUT, "style"),
        Input(ids.SHELL_SESSION, "data"),
        prevent_initial_call=True,
    )
    @public
    def refresh_frame(session: object) -> tuple[list[dcc.Link], str, dict[str, str]]:
        return _frame_for_user(i18n.translator(i18n.current_language()))
