"""Issue 11, items 1-6: CSRF, redirects, throttling, revocable sessions, headers, audit.

Every test drives the real Flask/Dash app through its test client, as a browser or an
attacker's script would, with the real accounts file, instance store and audit log.
"""

from __future__ import annotations

import base64
import hashlib
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from _dashboard_fixtures import build_app, callback_body, login, overview_inputs

from dashboard import audit, data

BASEMAP = "/basemap/borders.geojson"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with pytest.MonkeyPatch.context() as mp:
        yield build_app(tmp_path_factory.mktemp("security"), mp)


@pytest.fixture
def fresh_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """An app with its own instance folder (throttle counters and sessions start empty)."""
    return build_app(tmp_path, monkeypatch)


def _client(app: Any, address: str = "127.0.0.1") -> Any:
    client = app.server.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _token(client: Any, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "no CSRF token in the form"
    return found.group(1)


def _log(app: Any) -> list[dict[str, Any]]:
    return audit.read_log(app.server.config[audit.CONFIG_KEY])


def _post_login(client: Any, user: str, password: str, *, next_url: str = "/") -> Any:
    return client.post(
        "/login",
        data={"username": user, "password": password, "csrf": _token(client), "next": next_url},
    )


def _session_cookie(client: Any) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None, "no session cookie"
    return str(cookie.value)


# -- 1. CSRF ---------------------------------------------------------------------------


def test_login_without_a_token_or_cookie_is_refused(app: Any) -> None:
    client = _client(app)
    resp = client.post("/login", data={"username": "admin", "password": "admin-demo"})
    assert resp.status_code == 400
    assert client.get(BASEMAP).status_code == 401


def test_login_with_another_visitors_token_is_refused(app: Any) -> None:
    attacker = _client(app)
    token = _token(attacker)
    victim = _client(app)
    resp = victim.post(
        "/login", data={"username": "admin", "password": "admin-demo", "csrf": token}
    )
    assert resp.status_code == 400 and victim.get(BASEMAP).status_code == 401


def test_logout_is_a_post_with_a_token(app: Any) -> None:
    client = _client(app)
    login(client, "analyst")
    client.get("/logout")  # a link or an <img> cannot log anyone out
    assert client.get(BASEMAP).status_code == 200
    assert client.post("/logout").status_code == 400
    assert client.get(BASEMAP).status_code == 200  # a forged logout does nothing
    token = _frame_token(client)
    resp = client.post("/logout", data={"csrf": token})
    assert resp.status_code == 302 and client.get(BASEMAP).status_code == 401


def test_cross_site_callback_posts_are_refused(app: Any) -> None:
    client = _client(app)
    body = callback_body(
        app,
        "shell-session",
        {"login-submit.n_clicks": 1, "username.value": "admin", "password.value": "admin-demo"},
    )
    evil = client.post(
        "/_dash-update-component", json=body, headers={"Origin": "http://evil.example"}
    )
    assert evil.status_code == 403
    fetch_meta = client.post(
        "/_dash-update-component", json=body, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert fetch_meta.status_code == 403
    plain = client.post(
        "/_dash-update-component",
        data=str(body).replace("'", '"'),
        content_type="text/plain",
    )
    assert plain.status_code in (400, 401, 403, 415)
    assert client.get(BASEMAP).status_code == 401


# -- 2. redirects ----------------------------------------------------------------------

HOSTILE_NEXT = [
    "//evil.example/x",
    "/\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    " //evil.example",
    "http://evil.example/",
    "https:evil.example",
    "javascript:alert(1)",
    "/%2F/evil.example",
    "/%5Cevil.example",
    "/%09/evil.example",
    "\\\\evil.example",
    "/.//evil.example",
]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_language_switch_never_redirects_off_site(app: Any, target: str) -> None:
    resp = _client(app).get(f"/language/en?next={quote(target, safe='')}")
    location = resp.headers["Location"]
    assert resp.status_code == 302 and _is_local(location), location


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_login_never_redirects_off_site(app: Any, target: str) -> None:
    resp = _post_login(_client(app), "donor", "donor-demo", next_url=target)
    location = resp.headers["Location"]
    assert resp.status_code == 302 and _is_local(location), location


def test_local_next_with_a_query_is_kept(app: Any) -> None:
    resp = _client(app).get("/language/fr?next=" + quote("/corridors?sex=female", safe=""))
    assert resp.headers["Location"] == "/corridors?sex=female"


def test_the_login_form_keeps_only_a_local_next(app: Any) -> None:
    page = _client(app).get("/login?next=" + quote("/%09/evil.example", safe=""))
    assert 'name="next" value="/"' in page.get_data(as_text=True)


def _is_local(location: str) -> bool:
    """True when a browser would stay on this host (also after it strips tabs/newlines)."""
    cleaned = re.sub(r"[\t\n\r]", "", location).replace("\\", "/")
    parts = urlsplit(cleaned)
    return cleaned.startswith("/") and not cleaned.startswith("//") and not parts.netloc


# -- 3. throttling ---------------------------------------------------------------------


def test_repeated_wrong_passwords_for_an_account_are_throttled(fresh_app: Any) -> None:
    statuses = [
        _post_login(_client(fresh_app, f"10.0.0.{i}"), "planner", "guess").status_code
        for i in range(12)
    ]
    assert statuses[0] == 401 and statuses[-1] == 429
    refused = _post_login(_client(fresh_app, "10.0.1.1"), "planner", "planner-demo")
    assert refused.status_code == 429 and "Too many" in refused.get_data(as_text=True)
    assert any(e["event"] == "throttled" for e in _log(fresh_app))
    # Other accounts are not locked by it.
    assert _post_login(_client(fresh_app, "10.0.1.2"), "donor", "donor-demo").status_code == 302


def test_one_address_trying_many_accounts_is_throttled(fresh_app: Any) -> None:
    client = _client(fresh_app, "10.9.9.9")
    statuses = [_post_login(client, f"user{i}", "guess").status_code for i in range(40)]
    assert statuses[0] == 401 and statuses[-1] == 429
    assert _post_login(_client(fresh_app, "10.9.9.8"), "donor", "donor-demo").status_code == 302


def test_the_in_app_login_is_throttled_too(fresh_app: Any) -> None:
    client = _client(fresh_app, "10.2.0.1")
    text = ""
    for i in range(12):
        body = callback_body(
            fresh_app,
            "shell-session",
            {"login-submit.n_clicks": i + 1, "username.value": "admin", "password.value": "x"},
        )
        text = client.post("/_dash-update-component", json=body).get_data(as_text=True)
    assert "Too many" in text


def test_throttle_counts_are_shared_by_every_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two apps on one instance folder stand for two gunicorn worker processes."""
    first = build_app(tmp_path, monkeypatch)
    from dashboard.app import create_app

    second = create_app(
        region=first.server.config[data.CONFIG_KEY],
        users_file=tmp_path / "instance" / "users.toml",
        secret_key="test-secret",
    )
    for i in range(12):
        _post_login(_client(first, f"10.3.0.{i}"), "admin", "guess")
    assert _post_login(_client(second, "10.3.1.1"), "admin", "admin-demo").status_code == 429


# -- 4. sessions -----------------------------------------------------------------------


def test_a_cookie_saved_before_logout_is_refused_after(app: Any) -> None:
    client = _client(app)
    login(client, "analyst")
    saved = _session_cookie(client)
    thief = _client(app)
    thief.set_cookie("session", saved)
    assert thief.get(BASEMAP).status_code == 200
    client.post("/logout", data={"csrf": _frame_token(client)})
    replay = _client(app)
    replay.set_cookie("session", saved)
    assert replay.get(BASEMAP).status_code == 401


def test_a_forged_old_style_cookie_is_refused(app: Any) -> None:
    """Cookies signed with the real key (now and 30 days ago) naming a user, no session."""
    from unittest import mock

    from flask.sessions import SecureCookieSessionInterface

    serializer = SecureCookieSessionInterface().get_signing_serializer(app.server)
    assert serializer is not None
    payload = {"_user_id": "admin", "_fresh": True}
    now = serializer.dumps(payload)
    with mock.patch("itsdangerous.timed.time.time", return_value=time.time() - 30 * 86400):
        old = serializer.dumps(payload)
    for forged in (now, old):
        client = _client(app)
        client.set_cookie("session", str(forged))
        assert client.get(BASEMAP).status_code == 401


def test_sessions_end_after_the_idle_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEOTRAF_SESSION_IDLE_S", "2")
    idle = build_app(tmp_path, monkeypatch)
    client = _client(idle)
    login(client, "donor")
    seen = time.monotonic()
    answer = client.get(BASEMAP).status_code
    if time.monotonic() - seen < 2:  # on a loaded machine the request itself may be slow
        assert answer == 200
    time.sleep(3)
    assert client.get(BASEMAP).status_code == 401


def test_sessions_end_after_their_lifetime_even_when_busy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lifetime = 3.0
    monkeypatch.setenv("GEOTRAF_SESSION_LIFETIME_S", str(int(lifetime)))
    short = build_app(tmp_path, monkeypatch)
    client = _client(short)
    started = time.monotonic()
    login(client, "donor")
    busy = 0
    while time.monotonic() - started < lifetime - 1:
        answer = client.get(BASEMAP).status_code
        if time.monotonic() - started < lifetime:  # answered inside the lifetime
            assert answer == 200
            busy += 1
        time.sleep(0.2)
    assert busy >= 1
    time.sleep(max(0.0, lifetime + 0.5 - (time.monotonic() - started)))
    assert client.get(BASEMAP).status_code == 401


def test_cookies_are_secure_when_configured_or_over_https(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, app: Any
) -> None:
    plain = _client(app)
    login(plain, "donor")
    https = app.server.test_client()
    https.get("https://localhost/login")
    token = _token_from(https.get("https://localhost/login"))
    resp = https.post(
        "https://localhost/login",
        data={"username": "donor", "password": "donor-demo", "csrf": token},
    )
    assert "Secure" in resp.headers.get("Set-Cookie", "")
    monkeypatch.setenv("GEOTRAF_SECURE_COOKIES", "1")
    secure = build_app(tmp_path, monkeypatch)
    resp = _client(secure).get("/login")
    assert "Secure" in resp.headers.get("Set-Cookie", "")


def _token_from(resp: Any) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', resp.get_data(as_text=True))
    assert found
    return found.group(1)


def _frame_token(client: Any) -> str:
    """The CSRF token of the logout form in the page frame (as the browser has it)."""

    def walk(node: Any) -> str | None:
        if isinstance(node, dict):
            props = node.get("props")
            if isinstance(props, dict) and props.get("name") == "csrf" and props.get("value"):
                return str(props["value"])
            return next((v for v in map(walk, node.values()) if v), None)
        if isinstance(node, list):
            return next((v for v in map(walk, node) if v), None)
        return None

    found = walk(client.get("/_dash-layout").get_json())
    assert found, "no CSRF token in the frame's logout form"
    return found


# -- 5. headers ------------------------------------------------------------------------


def test_security_headers_on_every_response(app: Any) -> None:
    client = _client(app)
    paths = ["/", "/login", "/_dash-layout", "/assets/style.css", BASEMAP, "/no-such-page"]
    for path in paths:
        resp = client.get(path)
        csp = resp.headers.get("Content-Security-Policy", "")
        assert "frame-ancestors 'none'" in csp, path
        assert "default-src 'self'" in csp, path
        script_src = re.search(r"script-src ([^;]*)", csp)
        assert script_src and "'unsafe-inline'" not in script_src.group(1), path
        assert resp.headers.get("X-Frame-Options") == "DENY", path
        assert resp.headers.get("X-Content-Type-Options") == "nosniff", path
        assert resp.headers.get("Referrer-Policy") in ("no-referrer", "same-origin"), path


def test_every_inline_script_of_the_page_is_allowed_by_hash(app: Any) -> None:
    resp = _client(app).get("/")
    csp = resp.headers["Content-Security-Policy"]
    page = re.sub(r"<!--.*?-->", "", resp.get_data(as_text=True), flags=re.S)
    scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", page, flags=re.S)
    executable = [body for attrs, body in scripts if "application/json" not in attrs]
    assert executable, "expected Dash's renderer start-up script"
    for body in executable:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp, body[:80]


def test_no_python_source_carries_inline_javascript() -> None:
    import dashboard

    root = Path(dashboard.__file__).parent
    offenders = [
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if re.search(r"clientside_callback\(\s*(\"\"\"|'''|\"|'|[A-Z_]+_JS)", p.read_text())
    ]
    assert offenders == []


# -- 6. audit --------------------------------------------------------------------------


def test_an_untouched_login_form_shows_no_error_and_writes_no_line(app: Any) -> None:
    client = _client(app)
    before = len(_log(app))
    client.get("/login")
    body = callback_body(
        app,
        "shell-session",
        {"login-submit.n_clicks": 0, "login-password.n_submit": None},
    )
    resp = client.post("/_dash-update-component", json=body)
    assert "Wrong user name" not in resp.get_data(as_text=True)
    assert len(_log(app)) == before


def test_audit_fields_are_bounded_and_never_hold_a_password(app: Any) -> None:
    client = _client(app, "10.7.0.1")
    huge = "x" * 200_000
    _post_login(client, huge, "guess")
    _post_login(_client(app, "10.7.0.2"), "Tr0ub4dor&3-secret", "guess")
    lines = Path(app.server.config[audit.CONFIG_KEY]).read_text().splitlines()
    assert max(len(line) for line in lines) < 1_000
    assert not any("Tr0ub4dor" in line for line in lines)


def test_anonymous_refusals_are_audited(app: Any) -> None:
    client = _client(app, "10.8.0.1")
    before = len(_log(app))
    assert client.get(BASEMAP).status_code == 401
    body = callback_body(app, "overview-map", overview_inputs())
    assert client.post("/_dash-update-component", json=body).status_code == 401
    new = _log(app)[before:]
    assert [e["event"] for e in new] == ["denied", "denied"]
    assert all(e["required"] == "login" and e["ip"] == "10.8.0.1" for e in new)
