"""Accounts, login, the gate, role checks on every callback, and the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _dashboard_fixtures import build_app, callback_body, login, overview_inputs
from dash import Input, Output

from dashboard import audit, roles
from dashboard.auth import DEMO_ACCOUNTS, authenticate, load_accounts, write_accounts
from geotraf.errors import GeotrafError


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with pytest.MonkeyPatch.context() as mp:
        dash_app = build_app(tmp_path_factory.mktemp("auth"), mp)

        # A stand-in analyst callback: the real Corridors page is built separately, the
        # protection under test is the decorator every callback wears.
        @dash_app.callback(Output("probe-out", "children"), Input("probe-in", "value"))
        @roles.requires_role("analyst")
        def probe(value: str) -> str:
            return f"analyst data {value}"

        yield dash_app


def _audit(app: Any) -> list[dict[str, Any]]:
    return audit.read_log(app.server.config[audit.CONFIG_KEY])


def test_role_order() -> None:
    assert roles.allowed("donor", "donor") and not roles.allowed("donor", "analyst")
    assert roles.allowed("planner", "analyst") and not roles.allowed("analyst", "planner")
    assert roles.allowed("admin", "planner")
    assert not roles.allowed(None, "donor") and not roles.allowed("guest", "donor")
    with pytest.raises(ValueError, match="unknown role"):
        roles.requires_role("root")


def test_accounts_file_stores_hashes_only(tmp_path: Path) -> None:
    path = write_accounts(tmp_path / "users.toml", DEMO_ACCOUNTS)
    text = path.read_text()
    assert "donor-demo" not in text and "scrypt:" in text
    accounts = load_accounts(path)
    assert {a.role for a in accounts.values()} == {"donor", "analyst", "planner", "admin"}
    assert authenticate(accounts, "analyst", "analyst-demo") is not None
    assert authenticate(accounts, "analyst", "donor-demo") is None
    assert authenticate(accounts, "nobody", "x") is None
    with pytest.raises(GeotrafError, match="--force"):
        write_accounts(path, DEMO_ACCOUNTS)
    with pytest.raises(GeotrafError, match="unknown role"):
        write_accounts(tmp_path / "bad.toml", {"x": ("boss", "pw")})


def test_missing_accounts_file_says_how_to_create_it(tmp_path: Path) -> None:
    with pytest.raises(GeotrafError, match="geotraf users"):
        load_accounts(tmp_path / "none.toml")


def test_anonymous_visitors_get_the_frame_and_login_form_but_no_data(app: Any) -> None:
    client = app.server.test_client()
    assert client.get("/corridors").status_code == 200  # the Dash index: no data
    shell = client.get("/_dash-layout")
    links = {h for h in _hrefs(shell.get_json()) if not h.startswith("#")}  # skip link
    assert shell.status_code == 200 and links == set()  # logging out is a POST form
    assert client.get("/_dash-dependencies").status_code == 200
    assert client.get("/basemap/borders.geojson").status_code == 401
    body = callback_body(app, "overview-map", overview_inputs())
    assert client.post("/_dash-update-component", json=body).status_code == 401
    probe = callback_body(app, "probe-out", {"probe-in.value": "x"})
    assert client.post("/_dash-update-component", json=probe).status_code == 401
    for path in ("/", "/corridors", "/planning"):
        router = callback_body(
            app, "_pages_content", {"_pages_location.pathname": path, "_pages_location.search": ""}
        )
        page = client.post("/_dash-update-component", json=router).get_data(as_text=True)
        assert '"login-submit"' in page and "Access denied" not in page
    assert client.get("/login").status_code == 200
    assert client.get("/assets/style.css").status_code == 200


def test_in_app_login_starts_the_session(app: Any) -> None:
    client = app.server.test_client()
    body = callback_body(
        app,
        "shell-session",
        {"login-submit.n_clicks": 1, "username.value": "analyst", "password.value": "bad"},
    )
    refused = client.post("/_dash-update-component", json=body).get_json()["response"]
    assert "shell-session" not in refused and "Wrong user name" in str(refused)
    assert client.get("/basemap/borders.geojson").status_code == 401
    body = callback_body(
        app,
        "shell-session",
        {"login-submit.n_clicks": 2, "username.value": "analyst", "password.value": "analyst-demo"},
    )
    resp = client.post("/_dash-update-component", json=body)
    assert resp.status_code == 200 and "session=" in resp.headers.get("Set-Cookie", "")
    assert resp.get_json()["response"]["shell-session"]["data"]["user"] == "analyst"
    assert client.get("/basemap/borders.geojson").status_code == 200
    frame = callback_body(app, "shell-nav", {"shell-session.data": {"user": "analyst"}})
    links = client.post("/_dash-update-component", json=frame).get_json()
    assert _hrefs(links) == {"/", "/corridors"}
    events = [(e["event"], e["user"]) for e in _audit(app) if e["event"].startswith("login")]
    assert events[-2:] == [("login_failed", "analyst"), ("login", "analyst")]


def test_wrong_password_and_missing_csrf_are_refused_and_audited(app: Any) -> None:
    client = app.server.test_client()
    assert login(client, "donor", "guess").status_code == 401
    no_token = client.post("/login", data={"username": "donor", "password": "donor-demo"})
    assert no_token.status_code == 400
    assert client.get("/basemap/borders.geojson").status_code == 401
    failed = [e for e in _audit(app) if e["event"] == "login_failed"]
    assert failed and failed[-1]["user"] == "donor"


def test_login_redirects_only_to_local_paths(app: Any) -> None:
    client = app.server.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf" value="')[1].split('"')[0]
    resp = client.post(
        "/login",
        data={"username": "donor", "password": "donor-demo", "csrf": token, "next": "//evil"},
    )
    assert resp.status_code == 302 and resp.headers["Location"] == "/"


def test_donor_posting_to_an_analyst_callback_is_refused(app: Any) -> None:
    client = app.server.test_client()
    login(client, "donor")
    body = callback_body(app, "probe-out", {"probe-in.value": "x"})
    resp = client.post("/_dash-update-component", json=body)
    assert resp.status_code == 403
    assert "analyst data" not in resp.get_data(as_text=True)
    denied = [e for e in _audit(app) if e["event"] == "denied"]
    assert denied[-1]["user"] == "donor" and denied[-1]["required"] == "analyst"


@pytest.mark.parametrize("user", ["analyst", "planner", "admin"])
def test_analyst_and_above_pass_the_check(app: Any, user: str) -> None:
    client = app.server.test_client()
    login(client, user)
    body = callback_body(app, "probe-out", {"probe-in.value": "x"})
    resp = client.post("/_dash-update-component", json=body)
    assert resp.status_code == 200 and "analyst data x" in resp.get_data(as_text=True)


@pytest.mark.parametrize(
    ("path", "user", "denied"),
    [
        ("/corridors", "donor", True),
        ("/planning", "donor", True),
        ("/planning", "analyst", True),
        ("/corridors", "analyst", False),
        ("/planning", "planner", False),
        ("/planning", "admin", False),
    ],
)
def test_page_layouts_above_the_role_show_access_denied(
    app: Any, path: str, user: str, denied: bool
) -> None:
    client = app.server.test_client()
    login(client, user)
    client.get("/")  # Dash adds its page router on the first request
    body = callback_body(
        app, "_pages_content", {"_pages_location.pathname": path, "_pages_location.search": ""}
    )
    text = client.post("/_dash-update-component", json=body).get_data(as_text=True)
    assert ("Access denied" in text) is denied


def test_every_callback_checks_a_role(app: Any) -> None:
    app.server.test_client().get("/login")
    server_side = {k: s["callback"] for k, s in app.callback_map.items() if "callback" in s}
    # Dash's own page router only calls the page layouts, which check the role themselves
    # (test above); the public ones are logging in and the frame's navigation.
    assert sorted(k for k, f in server_side.items() if roles.is_public(f)) == [
        "..shell-nav.children...shell-user.children...shell-logout.style..",
        "..shell-session.data...login-error.children..",
    ]
    unchecked = [
        key
        for key, func in server_side.items()
        if roles.role_of(func) is None
        and "_pages_content" not in key
        and not roles.is_public(func)
        # Dash's own "cancel a background job" callback; the planning page's request
        # guard refuses it below the planner role (tests/test_dashboard_planning.py).
        and func.__name__ != "cancel_call"
    ]
    assert len(server_side) >= 3 and unchecked == []


def test_navigation_shows_only_the_pages_of_the_role(app: Any) -> None:
    client = app.server.test_client()
    login(client, "donor")
    assert _hrefs(client.get("/_dash-layout").get_json()) >= {"/"}
    assert not _hrefs(client.get("/_dash-layout").get_json()) & {"/corridors", "/planning"}
    client = app.server.test_client()
    login(client, "planner")
    assert _hrefs(client.get("/_dash-layout").get_json()) >= {"/", "/corridors", "/planning"}


def _hrefs(node: Any) -> set[str]:
    """Return every link target in a serialised Dash layout."""
    found: set[str] = set()
    if isinstance(node, dict):
        if isinstance(node.get("href"), str) and not node["href"].startswith("/language"):
            found.add(node["href"])
        for value in node.values():
            found |= _hrefs(value)
    elif isinstance(node, list):
        for value in node:
            found |= _hrefs(value)
    return found


def test_login_view_and_logout_are_audited_with_user_and_role(app: Any) -> None:
    client = app.server.test_client()
    login(client, "analyst")
    client.post(
        "/_dash-update-component", json=callback_body(app, "overview-map", overview_inputs())
    )
    client.post("/logout", data={"csrf": _logout_token(client)})
    events = [(e["event"], e["user"], e["role"]) for e in _audit(app)[-3:]]
    assert events == [
        ("login", "analyst", "analyst"),
        ("view", "analyst", "analyst"),
        ("logout", "analyst", "analyst"),
    ]
    body = callback_body(app, "overview-map", overview_inputs())
    assert client.post("/_dash-update-component", json=body).status_code == 401


def _logout_token(client: Any) -> str:
    """The CSRF token of the frame's logout form."""
    import re

    layout = client.get("/_dash-layout").get_data(as_text=True)
    found = re.search(r'"name":\s*"csrf"[^}]*?"value":\s*"([^"]+)"', layout) or re.search(
        r'"value":\s*"([^"]+)"[^}]*?"name":\s*"csrf"', layout
    )
    assert found, "no CSRF token in the logout form"
    return found.group(1)
