"""Corridors page: filters → segment loads (hand-checked), suppression, what-if, hotspots,
server-side role checks, layer upload into the user's workspace."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from _analysis_fixtures import dash_body, dump, write_region
from _dashboard_fixtures import login

from dashboard import corridor_figures as cf
from dashboard import corridors_model as cm
from dashboard.app import create_app
from dashboard.auth import DEMO_ACCOUNTS, write_accounts


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_region(tmp_path_factory.mktemp("corridors") / "region")


@pytest.fixture(scope="module")
def net(region: Path) -> cm.CorridorNetwork:
    # The mechanics (filters, loads, what-if) on the raw flows, checkable by hand; the
    # pages use the released flows (test_privacy_release.py checks that).
    return cm.corridor_network(str(region.resolve()), source="raw")


@pytest.fixture(scope="module")
def app(region: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    folder = tmp_path_factory.mktemp("instance")
    users = write_accounts(folder / "users.toml", DEMO_ACCOUNTS)
    yield create_app(region=str(region), users_file=users, secret_key="test")


def resp_json(text: str) -> Any:
    """The JSON of a callback response's text."""
    import json

    return json.loads(text)


def region_path(app: Any) -> str:
    """The resolved region path the app serves."""
    from dashboard import data

    return str(app.server.config[data.CONFIG_KEY])


def _client(app: Any, user: str | None) -> Any:
    client = app.server.test_client()
    if user:
        login(client, user)
    return client


def _ah1(net: cm.CorridorNetwork, loads: list[int] | np.ndarray) -> set[int]:
    """Loads of the AH1 segments (all equal on this network)."""
    ah1 = net.segments.labels.index("AH1")
    return {int(v) for v, lab in zip(loads, net.segments.label, strict=True) if lab == ah1}


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        # 206 people over 2020–2021 → 103 people/year.
        (cm.CorridorState(), 103),
        # Only the 2020 sexual-exploitation flow: 100 people in one year.
        (cm.CorridorState(year_min=2020, year_max=2020, exploitation=("sexual",)), 100),
        # Only the 60 men of 2021, spread over the two years of the view: 30 per year.
        (cm.CorridorState(sex=("male",)), 30),
        # 2020 only: 100 + 40 (LAO → THA resolves to Vientiane → Bangkok).
        (cm.CorridorState(year_min=2020, year_max=2020), 140),
        # Country filters: everything goes Lao PDR → Thailand.
        (cm.CorridorState(origin=("LAO",), destination=("THA",)), 103),
        (cm.CorridorState(origin=("THA",)), 0),
        # 6 begging children over 2 years: 3 per year, suppressed (-1).
        (cm.CorridorState(exploitation=("begging",)), cm.SUPPRESSED),
    ],
)
def test_filters_change_the_corridor_loads_as_hand_checked(
    net: cm.CorridorNetwork, state: cm.CorridorState, expected: int
) -> None:
    payload = cm.corridor_payload(net, state, t=str)
    assert _ah1(net, payload["loads"]) == {expected}
    ah2 = net.segments.labels.index("AH2")
    assert {
        v for v, lab in zip(payload["loads"], net.segments.label, strict=True) if lab == ah2
    } == {0}


def test_loads_are_the_sparse_product_of_the_assignment(net: cm.CorridorNetwork) -> None:
    # Unfiltered Mᵀw over one "year" equals the assignment's own edge loads, summed over
    # the two directions of each segment.
    direct = net.edge_segment.T @ net.assignment.edge_load.to_numpy()
    assert np.allclose(net.segment_flow @ net.counts, direct)
    assert net.segment_flow.format == "csr"
    assert net.segment_flow.shape == (len(net.segments), 4)


def test_small_loads_never_leave_the_server(net: cm.CorridorNetwork) -> None:
    payload = cm.corridor_payload(net, cm.CorridorState(exploitation=("begging",)), t=str)
    assert payload["classes"] == []
    assert all(v in (0, cm.SUPPRESSED) or v >= 11 for v in payload["loads"])
    assert payload["suppressed"]["label"] == "<11 (suppressed)"
    cards = cm.headline(net, cm.CorridorState(exploitation=("begging",)), t=str)
    assert cards[0][0] == "<11"


def test_state_round_trips_through_the_url() -> None:
    state = cm.CorridorState(
        year_min=2020,
        exploitation=("sexual", "begging"),
        sex=("female",),
        age_group=("child",),
        origin=("LAO",),
        method="logit",
    )
    query = state.to_query()
    assert query == (
        "?from=2020&exploitation=sexual,begging&sex=female&age=child&origin=LAO&method=logit"
    )
    parsed = cm.CorridorState.from_query(dict(p.split("=") for p in query[1:].split("&")))
    assert parsed == state
    # Ticking every value of a category is the same view as no filter.
    every = cm.CorridorState.from_inputs(
        None, {"sex": ["female", "male", "other", "unknown"]}, "shortest"
    )
    assert every.sex == () and every.to_query() == ""


def test_tables_rank_the_crossing_first_and_suppress_small_loads(
    net: cm.CorridorNetwork,
) -> None:
    tables = cm.analysis_tables(net, cm.CorridorState())
    top = tables.hotspots.iloc[0]
    assert (top["name"], float(top["load"]), float(top["score"])) == ("North Bridge", 103.0, 1.0)
    assert list(tables.corridors["ref"]) == ["AH1"]
    assert float(tables.corridors["load"].iloc[0]) == 103.0
    small = cm.analysis_tables(net, cm.CorridorState(exploitation=("begging",)))
    crossing = small.hotspots[small.hotspots["name"] == "North Bridge"].iloc[0]
    assert crossing["suppressed"] and pd.isna(crossing["load"]) and pd.isna(crossing["share"])
    trace = cf.hotspot_trace(small.hotspots, unit="people/year")
    assert trace is not None
    hover = " ".join(trace.hovertext)
    assert "<11 people/year" in hover and "3 people" not in hover


def test_closing_the_fast_crossing_moves_everyone_to_ah2(net: cm.CorridorNetwork) -> None:
    result = cm.what_if(net, cm.CorridorState(), close=["X1"], t=str)
    assert result.summary[0][0] == "103"
    # 2 × ~245 km at 50 instead of 80 km/h: 490 km × (1/50 − 1/80) h/km ≈ 220 min.
    assert 210 <= float(result.moved["added_min"].max()) <= 230
    change = result.corridors.set_index("ref")["change"].astype(float).to_dict()
    assert change == {"AH1": -103.0, "AH2": 103.0}
    labels = net.segments.labels
    assert {labels[net.segments.label[s]] for s in result.gained} == {"AH2"}
    assert {labels[net.segments.label[s]] for s in result.lost} == {"AH1"}
    assert result.closed_points[["id", "action"]].values.tolist() == [["X1", "close"]]
    traces = cf.change_traces(
        cm.segment_lines(net.segments, result.gained),
        cm.segment_lines(net.segments, result.lost),
        result.closed_points,
    )
    named = [t.name for t in traces if t.showlegend is not False]  # casings have no name
    assert named == ["Gained load (≥11/year)", "Lost load (≥11/year)", "Closed"]


def test_watching_the_fast_crossing_also_deters(net: cm.CorridorNetwork) -> None:
    # Watching X1 triples the cost of its ~245 km border piece of AH1 (3.1 h → 9.2 h), so
    # AH1 (12.3 h) becomes dearer than AH2 (9.8 h): everyone detours, nobody is stopped.
    result = cm.what_if(net, cm.CorridorState(), watch=["X1"], t=str)
    assert result.summary[0][0] == "103" and result.summary[2][0] == "0"
    assert result.closed_points["action"].tolist() == ["watch"]


def test_geometry_is_rounded_and_sent_once(net: cm.CorridorNetwork) -> None:
    geometry = cm.geometry_payload(net)
    assert len(geometry["offsets"]) == len(net.segments) + 1
    assert all(round(v, 3) == v for v in geometry["lon"] + geometry["lat"])
    assert {"AH1", "AH2"} <= set(geometry["labels"])


# --- through the app ---------------------------------------------------------------------

FILTERS = {"corridors-years.value": [2020, 2021], "corridors-method.value": "shortest"}


def test_analyst_gets_loads_and_the_url(app: Any) -> None:
    client = _client(app, "analyst")
    body = dash_body(
        app, "corridors-loads", {**FILTERS, "corridors-exploitation.value": ["sexual"]}
    )
    resp = client.post("/_dash-update-component", json=body)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    out = resp.get_json()["response"]
    # The page routes the released flows: its loads are those of the release (100 people
    # over 2 years is 50/year in the raw data; the release is close to it).
    with app.server.app_context():
        released = cm.corridor_network(str(region_path(app)))
    state = cm.CorridorState(year_min=2020, year_max=2021, exploitation=("sexual",))
    want = cm.corridor_payload(released, state, t=str)["loads"]
    assert out["corridors-loads"]["data"]["loads"] == want
    assert abs(max(want) - 50) <= 15
    assert out["corridors-url-sync"]["data"] == "?from=2020&to=2021&exploitation=sexual"
    assert f'"{max(want)}"' in dump(out["corridors-headline"])


@pytest.mark.parametrize(
    "prefix",
    [
        "corridors-loads",
        "corridors-overlay",
        "corridors-geometry",
        "corridors-whatif",
        "corridors-upload-report",
    ],
)
def test_donor_and_anonymous_are_refused_on_the_server(app: Any, prefix: str) -> None:
    body = dash_body(app, prefix, FILTERS)
    assert _client(app, "donor").post("/_dash-update-component", json=body).status_code == 403
    assert _client(app, None).post("/_dash-update-component", json=body).status_code == 401


def test_no_callback_response_carries_a_small_count(app: Any) -> None:
    client = _client(app, "analyst")
    values = {
        **FILTERS,
        "corridors-exploitation.value": ["begging"],
        "corridors-init.data": 0,
        "corridors-whatif-run.n_clicks": 1,
        "corridors-close.value": ["X1"],
    }
    texts = []
    for prefix in (
        "corridors-loads",
        "corridors-overlay",
        "corridors-whatif",
        "corridors-geometry",
    ):
        resp = client.post("/_dash-update-component", json=dash_body(app, prefix, values))
        assert resp.status_code == 200, (prefix, resp.get_data(as_text=True)[:300])
        texts.append(resp.get_data(as_text=True))
    text = " ".join(texts)
    for number in re.findall(r"(?<![\w<.,\-])(\d[\d,]*) people", text):
        value = int(number.replace(",", ""))
        assert value == 0 or value >= 11, number  # zero reveals no one
    assert "age_band" not in text and '"count"' not in text
    loads = re.search(r'"loads":\s*\[([^\]]*)\]', texts[0])
    assert loads and all(int(v) in (0, -1) for v in loads.group(1).split(","))
    # The page states the protection behind its numbers.
    notes = resp_json(texts[1])["response"]["corridors-note"]["children"]
    assert "ifferentially private, ε = 1; below 11 shown as <11" in dump(notes)


def test_upload_reports_problems_and_installs_valid_files_in_the_workspace(
    app: Any, region: Path
) -> None:
    client = _client(app, "analyst")
    before = sorted(p.name for p in region.iterdir())

    def post(name: str, text: str, kind: str) -> str:
        contents = "data:text/csv;base64," + base64.b64encode(text.encode()).decode()
        body = dash_body(
            app,
            "corridors-upload-report",
            {
                "corridors-upload.contents": contents,
                "corridors-upload.filename": name,
                "corridors-upload-kind.value": kind,
            },
        )
        resp = client.post("/_dash-update-component", json=body)
        assert resp.status_code == 200
        return dump(resp.get_json())

    bad = post(
        "flows.csv",
        "origin,destination,year,count,exploitation,sex,age_group\n"
        "vte,bkk,20x0,12,sexual,female,adult\n",
        "flows",
    )
    assert "nothing was installed" in bad and "year" in bad and "20x0" in bad
    good = post(
        "../towns.csv",
        "place_id,name,country,role,place_type,lon,lat\n"
        "hx,Huay Xai,LAO,transit,city,100.41,20.27\n",
        "places",
    )
    assert "installed as your places layer" in good
    workspace = Path(app.server.config["GEOTRAF_WORKSPACE"])
    assert (workspace / "analyst" / "region" / "places.gpkg").exists()
    assert sorted(p.name for p in region.iterdir()) == before  # bundled region untouched
