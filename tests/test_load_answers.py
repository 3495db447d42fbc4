"""Issue 11, item 12: a repeated filter state is answered from stored JSON.

Under load most answers are cache hits; what a hit costs is what the load figures show.
A hit must build no Dash component and no plotly figure (the encoding of the component
trees was half of a warm Corridors answer), and the stored answer must be the very
answer the page would compute without any cache, state by state.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from _dashboard_fixtures import build_app, callback_body, login, overview_inputs
from dash.development.base_component import Component
from plotly.basedatatypes import BaseFigure

from dashboard import audit, viewcache

CORRIDOR_STATES: list[dict[str, Any]] = [
    {},
    {"corridors-years.value": [2019, 2021]},
    {"corridors-exploitation.value": ["forced_labour", "sexual"]},
    {"corridors-sex.value": ["female"], "corridors-years.value": [2020, 2020]},
    {"corridors-exploitation.value": ["organ_removal"]},  # nothing left to rank
]
OVERVIEW_STATES: list[dict[str, Any]] = [
    {},
    {"years": [2019, 2021], "side": "destination"},
    {"level": "province", "exploitation": ["sexual"]},
    {"arcs": [], "exploitation": ["forced_labour", "sexual"]},
    {"exploitation": []},  # the warning answer, never cached
]


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    return build_app(tmp_path, monkeypatch)


def _post(app: Any, client: Any, body: dict[str, Any]) -> dict[str, Any]:
    resp = client.post("/_dash-update-component", json=body)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    answer: dict[str, Any] = resp.get_json()["response"]
    return answer


def _corridors(app: Any, client: Any, state: dict[str, Any]) -> dict[str, Any]:
    return _post(app, client, callback_body(app, "corridors-loads", state))


def _overview(app: Any, client: Any, state: dict[str, Any]) -> dict[str, Any]:
    return _post(app, client, callback_body(app, "overview-map", overview_inputs(**state)))


class _Encodings:
    """Counts Dash components and plotly figures turned into JSON while active."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.components = 0
        self.figures = 0
        component_json = Component.to_plotly_json
        figure_json = BaseFigure.to_plotly_json

        def count_component(obj: Any) -> Any:
            self.components += 1
            return component_json(obj)

        def count_figure(obj: Any) -> Any:
            self.figures += 1
            return figure_json(obj)

        monkeypatch.setattr(Component, "to_plotly_json", count_component)
        monkeypatch.setattr(BaseFigure, "to_plotly_json", count_figure)


def test_a_warm_corridors_answer_builds_no_component(app: Any, monkeypatch: Any) -> None:
    client = app.server.test_client()
    login(client, "analyst")
    state = {"corridors-exploitation.value": ["sexual"]}
    first = _corridors(app, client, state)
    with monkeypatch.context() as patch:
        count = _Encodings(patch)
        again = _corridors(app, client, state)
    assert (count.components, count.figures) == (0, 0)
    assert again == first
    views = [e for e in audit.read_log(app.server.config[audit.CONFIG_KEY]) if e["event"] == "view"]
    assert len(views) == 2  # a stored answer is still recorded


def test_a_warm_overview_answer_builds_no_component_or_figure(app: Any, monkeypatch: Any) -> None:
    client = app.server.test_client()
    login(client, "donor")
    state = {"years": [2019, 2021], "level": "province"}
    first = _overview(app, client, state)
    with monkeypatch.context() as patch:
        count = _Encodings(patch)
        again = _overview(app, client, state)
    assert (count.components, count.figures) == (0, 0)
    assert again == first
    views = [e for e in audit.read_log(app.server.config[audit.CONFIG_KEY]) if e["event"] == "view"]
    assert [v["years"] for v in views] == [[2019, 2021], [2019, 2021]]


def _fresh(app: Any, ask: Any) -> dict[str, Any]:
    """The answer computed with no view cache at all."""
    cache = app.server.extensions.pop(viewcache.EXTENSION)
    try:
        answer: dict[str, Any] = ask()
    finally:
        app.server.extensions[viewcache.EXTENSION] = cache
    return answer


@pytest.mark.parametrize("state", CORRIDOR_STATES)
def test_stored_corridors_answers_equal_computed_ones(app: Any, state: dict[str, Any]) -> None:
    client = app.server.test_client()
    login(client, "analyst")
    fresh = _fresh(app, lambda: _corridors(app, client, state))
    assert _corridors(app, client, state) == fresh  # computed and stored
    assert _corridors(app, client, state) == fresh  # from the store


@pytest.mark.parametrize("state", OVERVIEW_STATES)
def test_stored_overview_answers_equal_computed_ones(app: Any, state: dict[str, Any]) -> None:
    client = app.server.test_client()
    login(client, "analyst")
    fresh = _fresh(app, lambda: _overview(app, client, state))
    assert _overview(app, client, state) == fresh
    assert _overview(app, client, state) == fresh


def test_each_worker_keeps_enough_answers_for_the_usual_states(tmp_path: Path) -> None:
    """60 Corridors and 80 Overview states, for two roles, fit in the memory level."""
    cache = viewcache.ViewCache(tmp_path / "views")
    for i in range(2 * (60 + 80)):
        cache.get_or_compute(f"key-{i}", lambda i=i: f"answer {i}")
    cache.disk.clear()  # only the memory level is left
    assert cache.get_or_compute("key-0", lambda: "recomputed") == "answer 0"
