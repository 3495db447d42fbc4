"""Differencing attacks against what a donor, an analyst and the CLI are shown.

Each test asks the questions an attacker would (a total with every form of exploitation,
then with all forms but one; all transport modes, then all but one) and subtracts. Under
per-query suppression that gives back every suppressed count exactly. Under the
differentially private release every number is post-processing of one noisy release, so
the differences are the true counts plus noise: the tests bound how often a small cell
(1–10 people) comes back exactly.

The bound: a released cell's noise is discrete Laplace (OpenDP's geometric mechanism) of
scale ``s = contributions / ε_table``; ``P(noise = 0) = tanh(1 / (2s))``, 0.197 at the
default ε = 1 (0.4 of it on each flows table, ``s = 2.5``). A difference sums one or
more such noises (or is 0 when the cells fell under the release's key-selection
threshold), so it equals the true count at most that often. The tests allow
:data:`MAX_EXACT` (0.35), and require at least :data:`MIN_CELLS` small cells, so that the
test could fail.

The same question asked twice must give the same answer (no averaging attack).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from _dashboard_fixtures import callback_body, login, overview_inputs

from dashboard import data
from dashboard.aggregates import with_areas
from dashboard.app import create_app
from dashboard.auth import DEMO_ACCOUNTS, write_accounts
from geotraf.datasets import resolve_region
from layers import read_region
from layers.schema import EXPLOITATION, MODES

pytestmark = pytest.mark.xdist_group("privacy_attacks")

#: Largest fraction of small cells an attack may recover exactly (see module docstring).
MAX_EXACT = 0.35
#: Fewest small cells an attack must be tried on for the bound to mean anything.
MIN_CELLS = 40


@pytest.fixture(scope="module")
def instance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("attack_instance")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GEOTRAF_INSTANCE", str(folder))
        yield folder


@pytest.fixture(scope="module")
def demo_path() -> str:
    return str(Path(resolve_region("mekong")).resolve())


@pytest.fixture(scope="module")
def raw(demo_path: str) -> pd.DataFrame:
    region = read_region(Path(demo_path))
    assert region.flows is not None
    return with_areas(pd.DataFrame(region.flows), region.places)


@pytest.fixture(scope="module")
def app(instance: Path, demo_path: str) -> Any:
    for cached in (data.region_view, data.basemap_layer, data.extra_layer, data.load_region):
        cached.cache_clear()
    users = write_accounts(instance / "users.toml", DEMO_ACCOUNTS, force=True)
    return create_app(region=demo_path, users_file=users, secret_key="attack-secret")


def _overview(app: Any, client: Any, **changes: Any) -> dict[str, Any]:
    body = callback_body(app, "overview-map", overview_inputs(**changes))
    resp = client.post("/_dash-update-component", json=body)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    response: dict[str, Any] = resp.get_json()["response"]
    return response


def _shown_areas(response: dict[str, Any]) -> dict[str, float]:
    """Area → count of every area the map shades with a number (not the suppressed ones)."""
    shown: dict[str, float] = {}
    for trace in response["overview-map"]["figure"]["data"]:
        if trace.get("type") != "choroplethmap" or (trace.get("meta") or {}).get("suppressed"):
            continue
        shown.update(zip(trace["locations"], (float(z) for z in trace["z"]), strict=True))
    return shown


def test_donor_overview_differencing_recovers_no_more_than_noise_allows(
    app: Any, raw: pd.DataFrame
) -> None:
    client = app.server.test_client()
    login(client, "donor")
    years = sorted(int(y) for y in raw["year"].unique())
    tried = exact = 0
    for level in ("country", "province"):
        for side in ("origin", "destination"):
            column = f"{side}_{level}"
            truth = raw.groupby([column, "year", "exploitation"])["count"].sum()
            for year in years:
                everything = _overview(
                    app, client, years=[year, year], level=level, side=side, arcs=[]
                )
                if level == "country" and side == "origin" and year == years[0]:
                    again = _overview(
                        app, client, years=[year, year], level=level, side=side, arcs=[]
                    )
                    assert again == everything, "the same question gave two answers"
                totals = _shown_areas(everything)
                for form in EXPLOITATION:
                    rest = [f for f in EXPLOITATION if f != form]
                    but_one = _shown_areas(
                        _overview(
                            app,
                            client,
                            years=[year, year],
                            exploitation=rest,
                            level=level,
                            side=side,
                            arcs=[],
                        )
                    )
                    for (area, y, f), count in truth.items():
                        if y != year or f != form or not 0 < count < 11:
                            continue
                        tried += 1
                        if area in totals and area in but_one:
                            exact += int(round(totals[area] - but_one[area]) == int(count))
    assert tried >= MIN_CELLS
    assert exact / tried <= MAX_EXACT, f"{exact} of {tried} small cells recovered exactly"


def _people(cards: list[tuple[str, str, str]]) -> float | None:
    text = cards[0][0]
    if text.startswith("<"):
        return None
    return float(re.sub(r"[^0-9.]", "", text) or "nan")


def test_analyst_corridor_headline_and_segment_differencing(
    instance: Path, demo_path: str, raw: pd.DataFrame
) -> None:
    from dashboard.corridors_model import (
        SUPPRESSED,
        CorridorState,
        corridor_network,
        corridor_payload,
        headline,
        segment_loads,
    )

    for cached in (data.region_view, data.load_region):
        cached.cache_clear()
    corridor_network.cache_clear()
    net = corridor_network(demo_path, "shortest", releases=str(instance / "releases"))
    raw_net = corridor_network(demo_path, "shortest", source="raw")

    def t(s: str) -> str:
        return s

    keys = ["origin_country", "destination_country", "year", "exploitation", "sex", "mode"]
    truth = raw.groupby(keys)["count"].sum()
    tried = exact = 0
    seg_tried = seg_exact = 0
    for (origin, dest, year, form, sex, mode), count in truth.items():
        if not 0 < count < 11 or mode not in MODES:
            continue
        base = CorridorState(
            year_min=year,
            year_max=year,
            exploitation=(form,),
            sex=(sex,),
            origin=(origin,),
            destination=(dest,),
        )
        others = tuple(m for m in MODES if m != mode)
        rest = replace(base, mode=others)
        tried += 1
        a, b = _people(headline(net, base, t=t)), _people(headline(net, rest, t=t))
        assert headline(net, base, t=t) == headline(net, base, t=t)
        if a is not None and b is not None:
            exact += int(round(a - b) == int(count))
        # Segment loads: the mode's loads, shown suppressed alone, by difference.
        alone = replace(base, mode=(mode,))
        true_loads = segment_loads(raw_net, alone)
        shown_alone = corridor_payload(net, alone, t=t)["loads"]
        la = corridor_payload(net, base, t=t)["loads"]
        lb = corridor_payload(net, rest, t=t)["loads"]
        for i, true_load in enumerate(true_loads):
            if not 1 <= true_load < 11 or shown_alone[i] not in (SUPPRESSED, 0):
                continue
            if la[i] > 0 and lb[i] > 0:
                seg_tried += 1
                seg_exact += int(abs((la[i] - lb[i]) - true_load) < 0.5)
            elif la[i] > 0 and lb[i] == 0:
                seg_tried += 1
                seg_exact += int(abs(la[i] - true_load) < 0.5)
            else:
                seg_tried += 1
        if tried >= 60:
            break
    assert tried >= MIN_CELLS
    assert exact / tried <= MAX_EXACT, f"headline: {exact} of {tried} recovered exactly"
    assert seg_tried >= MIN_CELLS
    assert seg_exact / seg_tried <= MAX_EXACT, f"segments: {seg_exact} of {seg_tried} exact"


def test_cli_scenario_json_lists_no_small_flow_rows(
    instance: Path, demo_path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from geotraf.cli import main

    args = ["scenario", "--region", demo_path, "--close", "TH-MM-MAESOT"]
    code = main([*args, "--format", "json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    for row in out.get("moved", []):
        assert "flow_id" not in row, "per-flow rows listed"
        assert row.get("count") is not None and row["count"] >= 11
    text = json.dumps(out)
    assert "differentially private" in text
