"""The plan table as a planner reads it: what each site adds in rank order sums to what
the plan captures, beside what each captures alone; the text output names its seed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from _analysis_fixtures import write_region

from dashboard import i18n
from dashboard import planning_model as pm


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_region(tmp_path_factory.mktemp("table") / "region").resolve()


@pytest.fixture(scope="module")
def overlap() -> pm.PlanRun:
    """Two sites on one corridor: the bus terminal (20 people) and the bridge (155) share
    20 people, so the bridge adds 135 to the plan though it captures 155 alone."""
    import geopandas as gpd
    from _routing_fixtures import corridor_flows, corridor_region
    from shapely.geometry import Point

    from geotraf.checkpoints import plan
    from geotraf.routing import assign

    G = corridor_region()
    sites = gpd.GeoDataFrame(
        {
            "site_id": ["s_x1", "s_bus"],
            "name": ["Friendship Bridge", "Udon bus terminal"],
            "site_type": ["border_crossing", "bus_station"],
            "cost": [1.0, 1.0],
            "crossing_id": ["X1", ""],
        },
        geometry=[Point(102.70, 17.88), Point(102.0, 17.0)],
        crs="EPSG:4326",
    )
    result = plan(
        G,
        assign(G, corridor_flows()),
        sites,
        budget=2,
        must=["s_bus"],
        teams=1,
        days=1,
        shifts=1,
        seed=7,
    )
    params = pm.PlanParams(budget=2, teams=1, days=1, shifts=1, seed=7)
    return pm.PlanRun(plan=result, params=params, years=None, synthetic=True, region="c")


def test_adds_column_sums_to_the_plans_capture(overlap: pm.PlanRun) -> None:
    view = pm.plan_view(overlap, t=str)
    assert view.sites["captured"].astype(float).tolist() == [20.0, 155.0]
    assert view.sites["marginal_gain"].astype(float).tolist() == [20.0, 135.0]
    assert view.sites["marginal_gain"].astype(float).sum() == overlap.plan.captured == 155.0
    frame = pm.export_frame(overlap)
    assert frame["marginal_gain_per_year"].tolist() == [20, 135]


@pytest.fixture(scope="module")
def app(region: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    from dashboard.app import create_app
    from dashboard.auth import DEMO_ACCOUNTS, write_accounts

    users = write_accounts(tmp_path_factory.mktemp("users") / "users.toml", DEMO_ACCOUNTS)
    return create_app(region=str(region), users_file=users, secret_key="test")


def test_page_table_shows_alone_and_adds_with_a_total(overlap: pm.PlanRun, app: Any) -> None:
    from dashboard.pages.planning import _sites_table  # importable once an app exists

    view = pm.plan_view(overlap, t=str)
    table = _sites_table(view, unit="people/year", t=i18n.translator("en"))
    text = re.sub(r"\s+", " ", " ".join(_texts(table)))
    assert "Adds (in rank order)" in text and "Captured alone" in text
    # Rows: alone 20 / adds 20, alone 155 / adds 135; the total row adds up to 155.
    assert re.search(r"\b20 \S+ 20 .*\b155 \S+ 135 ", text), text
    assert re.search(r"Plan total 155\b", text), text


def _texts(node: Any) -> list[str]:
    """Every string in a Dash component tree, in document order."""
    if isinstance(node, str | int | float):
        return [str(node)]
    if isinstance(node, list | tuple):
        return [s for child in node for s in _texts(child)]
    children = getattr(node, "children", None)
    return [] if children is None else _texts(children)


def test_text_output_never_prints_seed_none(
    region: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from geotraf.cli import main

    code = main(
        [
            "plan",
            "--region",
            str(region),
            "--budget",
            "1",
            "--teams",
            "1",
            "--days",
            "2",
            "--shifts",
            "1",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "seed None" not in out
    assert re.search(r"seed \d+\)", out)


def test_page_table_and_cards_write_numbers_in_the_chosen_language(
    overlap: pm.PlanRun, app: Any
) -> None:
    from dashboard.pages.planning import _sites_table

    view = pm.plan_view(overlap, t=i18n.translator("fr"), lang="fr")
    # 155 of 176 routed people: "88 %" in French (a space before the sign), not "88%".
    assert view.summary[0][0] == "88\xa0%"
    text = " ".join(_texts(_sites_table(view, unit="p", t=i18n.translator("fr"), lang="fr")))
    assert "88\xa0%" in text and "88%" not in text
