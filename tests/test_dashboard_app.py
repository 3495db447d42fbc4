"""The app through Flask's test client: Overview callback, privacy of every response,
shareable URL state, data-free layouts, basemap route, languages."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from _dashboard_fixtures import (
    PERSON_FIELDS,
    build_app,
    callback_body,
    dump,
    figure_numbers,
    login,
    overview_inputs,
)

from dashboard.overview_model import OverviewState
from layers.schema import EXPLOITATION


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with pytest.MonkeyPatch.context() as mp:
        yield build_app(tmp_path_factory.mktemp("app"), mp)


@pytest.fixture
def donor(app: Any) -> Any:
    client = app.server.test_client()
    login(client, "donor")
    return client


def _overview(app: Any, client: Any, **changes: Any) -> dict[str, Any]:
    body = callback_body(app, "overview-map", overview_inputs(**changes))
    resp = client.post("/_dash-update-component", json=body)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    response: dict[str, Any] = resp.get_json()["response"]
    return response


def _view(app: Any) -> Any:
    from dashboard import data

    with app.server.app_context():
        return data.current_view()


def _released(table: pd.DataFrame, column: str, **where: Any) -> dict[str, float]:
    """Released people by ``column``: non-negative sums of 11 or more (computed here)."""
    for key, values in where.items():
        table = table.loc[table[key].isin(values)]
    sums = table.groupby(column)["count"].sum().clip(lower=0)
    return {str(k): float(v) for k, v in sums.items() if v >= 11}


def test_overview_map_and_trend_come_from_the_release(app: Any, donor: Any) -> None:
    out = _overview(app, donor)
    view = _view(app)
    map_traces = out["overview-map"]["figure"]["data"]
    shown = dict(zip(map_traces[0]["locations"], map_traces[0]["z"], strict=True))
    assert shown == _released(view.country_table, "origin_country")
    # The release is close to the hand-added totals (LAO 240, MMR 230): within 6 standard
    # deviations of the sum of the country's cells' discrete Laplace noise (scale 2).
    a = math.exp(-1 / 2.0)
    cells = int((view.country_table["origin_country"] == "LAO").sum())
    tolerance = 6 * math.sqrt(cells * 2 * a / (1 - a) ** 2)
    assert abs(shown["LAO"] - 240) < tolerance and abs(shown["MMR"] - 230) < tolerance
    bars = {
        t["name"]: sum(v for v in t["y"] if v is not None)
        for t in out["overview-trend"]["figure"]["data"]
        if t["type"] == "bar"
    }
    sexual = _released(view.country_table, "year", exploitation=["sexual"])
    assert bars.get("Sexual", 0) == sum(sexual.values())
    cards = dump(out["overview-headline"])
    total = max(0, int(view.country_table["count"].sum()))
    assert f'"{total:,}"' in cards
    assert "ifferentially private, ε = 1; below 11 shown as <11" in dump(out["overview-note"])
    assert out["overview-years"] == {
        "min": 2019,
        "max": 2021,
        "marks": {"2019": "2019", "2020": "2020", "2021": "2021"},
        "value": [2019, 2021],
    }


def test_province_level_by_destination(app: Any, donor: Any) -> None:
    out = _overview(app, donor, level="province", side="destination")
    shaded = out["overview-map"]["figure"]["data"][0]
    view = _view(app)
    got = dict(zip(shaded["locations"], shaded["z"], strict=True))
    want = {k: round(v) for k, v in _released(view.flows, "destination_province").items()}
    assert {k: round(v) for k, v in got.items()} == want
    assert shaded["featureidkey"] == "properties.name"


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"years": [2021, 2021]},
        {"exploitation": ["begging"]},
        {"exploitation": ["begging", "sexual"], "side": "destination"},
        {"level": "province"},
        {"level": "province", "years": [2021, 2021]},
        {"years": [2020, 2021], "side": "destination", "level": "province"},
    ],
)
def test_no_response_carries_a_small_count_or_a_person_row(
    app: Any, donor: Any, changes: dict[str, Any]
) -> None:
    out = _overview(app, donor, **changes)
    drawn = figure_numbers(out)
    assert all(v == 0 or v >= 11 for v in drawn), drawn
    text = dump(out)
    # Counts written in hover texts and cards: "<11" or a number of at least 11.
    for number in re.findall(r"(?<![\w<.,])(\d[\d,]*) people", text):
        assert int(number.replace(",", "")) >= 11, number
    assert not any(field in text for field in PERSON_FIELDS)
    cards = re.findall(r'"children": "([^"]*)", "className": "card-value"', text)
    assert all(c == "<11" or int(c.replace(",", "")) >= 11 or c.isdigit() for c in cards)


def test_begging_alone_shows_only_released_values(app: Any, donor: Any) -> None:
    out = _overview(app, donor, exploitation=["begging"])
    traces = out["overview-map"]["figure"]["data"]
    view = _view(app)
    want = _released(view.country_table, "origin_country", exploitation=["begging"])
    # The shaded areas; a release in which no country reaches 11 begging cases draws
    # the empty map (no area trace at all), which must then be what the release says.
    shaded = [
        t
        for t in traces
        if t.get("type") == "choroplethmap" and not (t.get("meta") or {}).get("suppressed")
    ]
    got = dict(zip(shaded[0]["locations"], shaded[0]["z"], strict=True)) if shaded else {}
    assert got == want
    assert all(v >= 11 for v in got.values())


def test_filters_are_written_to_the_url_and_read_back(app: Any, donor: Any) -> None:
    out = _overview(
        app, donor, years=[2020, 2021], exploitation=["sexual", "begging"], side="destination"
    )
    query = out["overview-url-sync"]["data"]
    assert query == "?from=2020&to=2021&exploitation=sexual,begging&side=destination"
    state = OverviewState.from_query(dict(p.split("=") for p in query[1:].split("&")))
    assert (state.year_min, state.year_max, state.side) == (2020, 2021, "destination")
    assert state.exploitation == ("sexual", "begging")
    everything = _overview(app, donor, exploitation=list(EXPLOITATION))
    assert everything["overview-url-sync"]["data"] == "?from=2019&to=2021"


def test_page_layout_is_preset_from_the_query_and_carries_no_data(app: Any, donor: Any) -> None:
    body = callback_body(
        app,
        "_pages_content",
        {"_pages_location.pathname": "/", "_pages_location.search": "?from=2020&to=2021"},
    )
    layout = donor.post("/_dash-update-component", json=body).get_data(as_text=True)
    assert '"value":[2020,2021]' in layout.replace(" ", "")
    for secret in ("535", "240", "Thailand", "Bangkok"):
        assert secret not in layout
    shell = donor.get("/_dash-layout").get_data(as_text=True)
    assert "535" not in shell and "Thailand" not in shell


def test_every_graph_has_the_offline_config(app: Any, donor: Any) -> None:
    body = callback_body(
        app, "_pages_content", {"_pages_location.pathname": "/", "_pages_location.search": ""}
    )
    layout = donor.post("/_dash-update-component", json=body).get_json()
    graphs: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Graph":
                graphs.append(node["props"]["config"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(layout)
    assert len(graphs) == 2
    for config in graphs:
        assert config["displaylogo"] is False and config["showSendToCloud"] is False
        assert config["topojsonURL"] == "/assets/topojson/"


def test_synthetic_banner_follows_the_data(tmp_path: Any, monkeypatch: Any) -> None:
    for synthetic in (True, False):
        app = build_app(tmp_path / str(synthetic), monkeypatch, synthetic=synthetic)
        client = app.server.test_client()
        login(client, "donor")
        out = _overview(app, client)
        assert ("SYNTHETIC DEMO DATA" in dump(out["overview-banner"])) is synthetic
        unit = "people (modelled, synthetic)" if synthetic else "people (modelled)"
        assert out["overview-trend"]["figure"]["layout"]["yaxis"]["title"]["text"] == unit


def test_no_form_ticked_says_what_to_do(app: Any, donor: Any) -> None:
    out = _overview(app, donor, exploitation=[])
    assert "Tick at least one form" in dump(out["overview-note"])
    assert figure_numbers(out) == []


def test_basemap_is_served_small_and_offline(app: Any, donor: Any) -> None:
    out = _overview(app, donor)
    style = out["overview-map"]["figure"]["layout"]["map"]["style"]
    # Labels use glyph files this app serves, never a glyph server; no sprite, no tiles.
    assert "sprite" not in style
    assert style["glyphs"] == "http://localhost/assets/glyphs/{fontstack}/{range}.pbf"
    assert {layer["type"] for layer in style["layers"]} <= {
        "background",
        "fill",
        "line",
        "circle",
        "symbol",
    }
    for name, source in style["sources"].items():
        if name == "labels":  # inline points, in the page's language
            assert source["data"]["type"] == "FeatureCollection"
        else:
            assert source["data"].startswith("http://localhost/basemap/")
    glyphs = donor.get("/assets/glyphs/DejaVu%20Sans%20Book/0-255.pbf")
    assert glyphs.status_code == 200 and len(glyphs.data) > 10_000
    resp = donor.get("/basemap/borders.geojson")
    borders = json.loads(resp.data)
    assert resp.mimetype == "application/geo+json"
    assert {f["properties"]["country"] for f in borders["features"]} == {"THA", "LAO", "KHM", "MMR"}
    assert donor.get("/basemap/secret.geojson").status_code == 404


def test_french_interface(app: Any) -> None:
    client = app.server.test_client()
    login(client, "donor")
    client.get("/language/fr?next=/")
    shell = dump(client.get("/_dash-layout").get_json())
    assert "Vue d'ensemble" in shell and "Se déconnecter" in shell
    out = _overview(app, client)
    assert "personnes (modélisé, synthétique)" in dump(out["overview-trend"])
    assert "Travail forcé" in dump(out["overview-trend"])
