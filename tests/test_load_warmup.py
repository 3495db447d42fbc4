"""Issue 11, item 12: the usual filter states are stored at start-up, for every role.

What is warmed must be exactly what a user's callback would look up: a user opening a
warmed state computes nothing, and gets the same answer as with no cache at all.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from _dashboard_fixtures import build_app, callback_body, login, overview_inputs, view_cache

from dashboard import audit, viewcache, warmup
from geotraf.errors import GeotrafError

STATES = {
    "overview": ["", "?from=2019&to=2021&side=destination", "?exploitation=sexual&level=province"],
    "corridors": ["", "?from=2020&to=2020&sex=female", "?exploitation=forced_labour,sexual"],
}


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    return build_app(tmp_path, monkeypatch)


def _ask(app: Any, client: Any, page: str, values: dict[str, Any]) -> dict[str, Any]:
    output = "overview-map" if page == "overview" else "corridors-loads"
    body = callback_body(app, output, overview_inputs(**values) if page == "overview" else values)
    resp = client.post("/_dash-update-component", json=body)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    answer: dict[str, Any] = resp.get_json()["response"]
    return answer


# The same states as the browser sends them (the controls' values).
ASKED = [
    ("overview", {}),
    ("overview", {"years": [2019, 2021], "side": "destination"}),
    ("overview", {"exploitation": ["sexual"], "level": "province"}),
    ("corridors", {}),
    ("corridors", {"corridors-years.value": [2020, 2020], "corridors-sex.value": ["female"]}),
    ("corridors", {"corridors-exploitation.value": ["sexual", "forced_labour"]}),
]


def test_warmed_states_are_answered_without_computing(app: Any) -> None:
    done = warmup.warm_answers(app.server, base_url="http://localhost/", states=STATES, seed=1)
    # donor, analyst, planner, admin open the Overview; all but the donor the Corridors.
    assert done["answers"] == 3 * 4 + 3 * 3 and done["failed"] == []
    misses = view_cache(app).misses
    for user in ("donor", "analyst", "planner"):
        client = app.server.test_client()
        login(client, user)
        for page, values in ASKED:
            if page == "corridors" and user == "donor":
                continue
            _ask(app, client, page, values)
    assert view_cache(app).misses == misses
    views = [e for e in audit.read_log(app.server.config[audit.CONFIG_KEY]) if e["event"] == "view"]
    assert len(views) == 3 + 6 + 6  # the users' views, none for the warm-up


@pytest.mark.parametrize("user", ["analyst", "planner", "admin"])
def test_warmed_answers_equal_each_roles_computed_ones(app: Any, user: str) -> None:
    """A state is computed once, as the lowest role of the page, and stored for the
    roles above: what each of them is served equals what it computes itself."""
    client = app.server.test_client()
    login(client, user)
    cache = app.server.extensions.pop(viewcache.EXTENSION)
    fresh = [_ask(app, client, page, values) for page, values in ASKED]
    app.server.extensions[viewcache.EXTENSION] = cache
    warmup.warm_answers(app.server, base_url="http://localhost/", states=STATES)
    misses = view_cache(app).misses
    assert [_ask(app, client, page, values) for page, values in ASKED] == fresh
    assert view_cache(app).misses == misses


def test_another_address_is_not_served_the_warmed_overview(app: Any) -> None:
    """The Overview's answer names the basemap by absolute URL: only its own address."""
    warmup.warm_answers(app.server, base_url="http://other.example:9/", states=STATES)
    client = app.server.test_client()
    login(client, "donor")
    misses = view_cache(app).misses
    answer = _ask(app, client, "overview", {})
    assert view_cache(app).misses == misses + 1
    assert "other.example" not in json.dumps(answer)


def test_states_file_is_read_or_refused_with_the_fix(tmp_path: Path) -> None:
    assert warmup.read_states(None) == {"overview": [""], "corridors": [""]}
    good = tmp_path / "states.json"
    good.write_text(json.dumps({"corridors": ["?sex=male"]}))
    assert warmup.read_states(good) == {"corridors": ["?sex=male"]}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"planning": ["?x=1"]}))
    with pytest.raises(GeotrafError, match=r"bad\.json.*pages among overview, corridors"):
        warmup.read_states(bad)
    with pytest.raises(GeotrafError, match=r"missing\.json: cannot read"):
        warmup.read_states(tmp_path / "missing.json")
