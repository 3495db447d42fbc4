"""Issue 11, item 12: the callback-layer cache behind the load figures.

Repeated filter states are answered from the cache, but never across data versions,
languages or roles, and the role check and audit line still happen on every call.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from _dashboard_fixtures import build_app, callback_body, login, overview_inputs, view_cache

from dashboard import audit, viewcache


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    return build_app(tmp_path, monkeypatch)


def _overview(app: Any, client: Any, **changes: Any) -> Any:
    body = callback_body(app, "overview-map", overview_inputs(**changes))
    resp = client.post("/_dash-update-component", json=body)
    assert resp.status_code == 200
    return resp.get_json()["response"]


def test_a_repeated_state_is_served_from_the_cache_and_still_audited(app: Any) -> None:
    client = app.server.test_client()
    login(client, "donor")
    first = _overview(app, client, exploitation=["sexual", "forced_labour"])
    misses = view_cache(app).misses
    again = _overview(app, client, exploitation=["forced_labour", "sexual"])  # same state
    first.pop("overview-url-sync")  # the address keeps the user's own order
    again.pop("overview-url-sync")
    assert again == first and view_cache(app).misses == misses and view_cache(app).hits >= 1
    views = [e for e in audit.read_log(app.server.config[audit.CONFIG_KEY]) if e["event"] == "view"]
    assert len(views) == 2


def test_changed_region_files_are_never_answered_from_theview_cache(app: Any) -> None:
    from dashboard.data import CONFIG_KEY

    client = app.server.test_client()
    login(client, "donor")
    _overview(app, client)
    misses = view_cache(app).misses
    (Path(app.server.config[CONFIG_KEY]) / "flows-new.csv").write_text("new release\n")
    _overview(app, client)
    assert view_cache(app).misses == misses + 1


def test_languages_and_roles_get_their_own_entries(app: Any) -> None:
    donor = app.server.test_client()
    login(donor, "donor")
    _overview(app, donor)
    misses = view_cache(app).misses
    donor.set_cookie("geotraf_lang", "fr")
    _overview(app, donor)
    analyst = app.server.test_client()
    login(analyst, "analyst")
    _overview(app, analyst)
    assert view_cache(app).misses == misses + 2


def test_the_role_is_checked_before_theview_cache(app: Any) -> None:
    analyst = app.server.test_client()
    login(analyst, "analyst")
    body = callback_body(app, "corridors-loads", {})
    assert analyst.post("/_dash-update-component", json=body).status_code == 200
    donor = app.server.test_client()
    login(donor, "donor")
    assert donor.post("/_dash-update-component", json=body).status_code == 403


def test_normalise_ignores_the_order_of_ticked_options_only() -> None:
    assert viewcache.normalise(["b", "a"]) == viewcache.normalise(["a", "b"])
    assert viewcache.normalise([2024, 2018]) != viewcache.normalise([2018, 2024])
    assert viewcache.normalise({"x": ("b", "a")}) == {"x": ["a", "b"]}


def test_a_corridors_filter_change_is_one_server_request(app: Any) -> None:
    """Every server callback the Corridors filters trigger (the browser posts one request
    per callback): only the one that answers loads, headline, markers and tables."""
    filters = {"corridors-years.value", "corridors-exploitation.value", "corridors-sex.value"}
    triggered = [
        key
        for key, spec in app.callback_map.items()
        if "callback" in spec  # client-side ones cost no request
        and filters & {f"{i['id']}.{i['property']}" for i in spec["inputs"]}
    ]
    assert len(triggered) == 1, triggered
    outputs = triggered[0]
    for part in ("corridors-loads", "corridors-overlay", "corridors-hotspots", "corridors-table"):
        assert part in outputs


def test_a_repeated_corridors_state_reuses_the_tables_and_is_still_audited(app: Any) -> None:
    client = app.server.test_client()
    login(client, "analyst")

    def corridors(**values: Any) -> dict[str, Any]:
        body = callback_body(app, "corridors-loads", values)
        resp = client.post("/_dash-update-component", json=body)
        assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
        out: dict[str, Any] = resp.get_json()["response"]
        return out

    first = corridors(**{"corridors-exploitation.value": ["sexual", "forced_labour"]})
    misses = view_cache(app).misses
    again = corridors(**{"corridors-exploitation.value": ["forced_labour", "sexual"]})
    assert view_cache(app).misses == misses and view_cache(app).hits >= 1
    for part in ("corridors-overlay", "corridors-table", "corridors-hotspots", "corridors-note"):
        assert again[part] == first[part]
    assert again["corridors-loads"]["data"]["loads"] == first["corridors-loads"]["data"]["loads"]
    corridors(**{"corridors-exploitation.value": ["begging"]})  # a new state: computed
    assert view_cache(app).misses == misses + 1
    views = [e for e in audit.read_log(app.server.config[audit.CONFIG_KEY]) if e["event"] == "view"]
    assert len([v for v in views if v.get("page") == "corridors"]) == 3
