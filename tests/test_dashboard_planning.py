"""Planning page: parameters, plan on the two-road region (hand-checked), suppression,
RESTRICTED exports and PDF, planner-only callbacks (donor and analyst refused on the
server, also on the background job's endpoint), audit of runs and exports."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from _analysis_fixtures import FLOWS, dash_body, dump, write_region
from _dashboard_fixtures import login
from _planning_fixtures import run_in_background

from dashboard import audit, briefing, data
from dashboard import planning_model as pm
from dashboard.app import create_app
from dashboard.auth import DEMO_ACCOUNTS, write_accounts
from geotraf.errors import PlanError
from geotraf.privacy.store import ReleaseStore, default_folder

FORM = {
    "planning-budget.value": 1,
    "planning-teams.value": 1,
    "planning-days.value": 2,
    "planning-shifts.value": 2,
    "planning-method.value": "greedy",
    "planning-tolerance.value": 0.3,
    "planning-evasion-aware.value": [],
    "planning-seed.value": 7,
    "planning-start-date.date": "2027-03-01",
    "planning-first-shift.value": "07:30",
    "planning-shift-hours.value": 6,
    "planning-distribution.value": "Region 4 commander",
}


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_region(tmp_path_factory.mktemp("planning") / "region").resolve()


@pytest.fixture(scope="module")
def run(region: Path) -> pm.PlanRun:
    return pm.run_plan(str(region), pm.PlanParams(budget=1, teams=1, days=2, shifts=2, seed=7))


@pytest.fixture(scope="module")
def app(region: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    folder = tmp_path_factory.mktemp("instance")
    users = write_accounts(folder / "users.toml", DEMO_ACCOUNTS)
    yield create_app(region=str(region), users_file=users, secret_key="test")


def _releases_of(region: Path, folder: Path) -> int:
    return sum(line["source"] == str(region) for line in ReleaseStore(folder).ledger())


def _client(app: Any, user: str) -> Any:
    client = app.server.test_client()
    login(client, user)
    return client


def test_parameters_are_validated_with_a_fix() -> None:
    with pytest.raises(PlanError, match="More teams per shift than sites"):
        pm.PlanParams.from_inputs(
            budget=2,
            teams=3,
            days=7,
            shifts=2,
            method="greedy",
            tolerance=0.3,
            evasion_aware=False,
            seed=1,
        )
    # The browser sends an out-of-range number field (budget 0 or 500) as empty.
    with pytest.raises(PlanError, match="Days: enter a number from 1 to 60"):
        pm.PlanParams.from_inputs(
            budget=2,
            teams=1,
            days=None,
            shifts=2,
            method="greedy",
            tolerance=0.3,
            evasion_aware=False,
            seed=1,
        )
    drawn = pm.PlanParams.from_inputs(
        budget=2,
        teams=1,
        days=7,
        shifts=2,
        method="exact",
        tolerance=0,
        evasion_aware=True,
        seed="",
    )
    assert 0 <= drawn.seed < 10**6 and pm.PlanParams.from_dict(drawn.to_dict()) == drawn


def test_progress_names_the_five_stages_with_a_rising_percentage(region: Path) -> None:
    seen: list[tuple[int, str]] = []
    params = pm.PlanParams(
        budget=1, teams=1, days=2, shifts=2, seed=7, method="exact", evasion_aware=True
    )
    pm.run_plan(str(region), params, progress=lambda p, m: seen.append((p, m)))
    percents = [p for p, _ in seen]
    assert percents == sorted(percents) and percents[0] > 0 and percents[-1] < 100
    stages = [m.split(",")[0] for m in dict.fromkeys(m for _, m in seen)]
    assert stages == [
        "Stage 1 of 5",
        "Stage 2 of 5",
        "Stage 3 of 5",
        "Stage 4 of 5",
        "Stage 5 of 5",
        "Preparing the tables and the map",
    ]
    # The solve and evasion stages report from inside geotraf.checkpoints.plan: a value
    # between the band's ends, not only the stage's first mark.
    inside = [p for p, m in seen if m.startswith(("Stage 3", "Stage 4"))]
    assert len(set(inside)) >= 3 and all(20 <= p <= 94 for p in inside)


def test_one_site_at_the_fast_crossing_captures_everyone(run: pm.PlanRun) -> None:
    view = pm.plan_view(run, t=str)
    site = view.sites.iloc[0]
    # 206 people over 2020–2021 = 103 per year, all through X1 on AH1.
    assert (site["site_id"], float(site["captured"]), float(site["share"])) == ("S1", 103.0, 1.0)
    # AH2 is 1.6 × slower (50 vs 80 km/h): beyond a +30 % tolerance, nobody evades.
    assert float(site["captured_after_evasion"]) == 103.0
    assert view.summary[0][:2] == ("100%", "of the modelled flow passes a chosen site")
    assert float(site["coverage_probability"]) == 1.0
    assert len(view.schedule) == 2 * 2 and set(view.schedule["site_id"]) == {"S1"}
    grid = pm.schedule_grid(view.schedule, days=2, shifts=2)
    assert grid == [[["Team 1: North Bridge post (AH1)"]] * 2] * 2


def test_with_a_generous_tolerance_everyone_evades(region: Path) -> None:
    loose = pm.run_plan(
        str(region), pm.PlanParams(budget=1, teams=1, days=1, shifts=1, tolerance=1.0, seed=1)
    )
    view = pm.plan_view(loose, t=str)
    assert view.summary[1][0] == "0%"
    assert (
        pd.isna(view.sites.iloc[0]["captured_after_evasion"])
        or float(view.sites.iloc[0]["captured_after_evasion"]) == 0.0
    )


def test_small_captures_are_suppressed(tmp_path: Path) -> None:
    folder = write_region(
        tmp_path / "small",
        flows=[
            ("vte", "bkk", 2020, 8, "sexual", "female", "adult"),
            ("vte", "bkk", 2021, 6, "begging", "female", "child"),
        ],
    )
    small = pm.run_plan(
        str(folder.resolve()), pm.PlanParams(budget=1, teams=1, days=1, shifts=1, seed=1)
    )
    view = pm.plan_view(small, t=str)
    site = view.sites.iloc[0]
    assert site["suppressed"] and pd.isna(site["captured"]) and pd.isna(site["share"])
    assert view.summary[0][2].startswith("<11")  # 7 people/year
    frame = pm.export_frame(small)
    assert frame["captured_per_year"].isna().all()


def test_exports_are_marked_restricted(run: pm.PlanRun) -> None:
    csv = pm.export_bytes(run, "csv").decode()
    assert csv.startswith("rank,site_id,")  # header first: opens as a table anywhere
    table = pd.read_csv(io.StringIO(csv))
    assert table[["rank", "site_id", "captured_per_year"]].values.tolist() == [[1, "S1", 103]]
    assert str(table["captured_per_year"].dtype) == "int64"  # whole people
    assert (table["classification"] == pm.RESTRICTED).all()
    assert (table["seed"] == 7).all() and (table["region"] == "region").all()
    doc = json.loads(pm.export_bytes(run, "geojson"))
    assert doc["classification"] == pm.RESTRICTED
    assert doc["features"][0]["geometry"]["coordinates"] == [101.0, 16.0]
    text = pm.export_bytes(run, "schedule").decode()
    assert text.startswith("date,")
    schedule = pd.read_csv(io.StringIO(text))
    assert len(schedule) == 4 and set(schedule["name"]) == {"North Bridge post (AH1)"}
    assert (schedule["classification"] == pm.RESTRICTED).all()
    assert {"date", "start", "end", "rank"} <= set(schedule.columns)


def test_pdf_briefing_is_restricted_on_every_page(run: pm.PlanRun) -> None:
    from pypdf import PdfReader

    view = pm.plan_view(run, t=str)
    pdf = briefing.build_briefing(
        run, view, map_image=None, unit="people/year (modelled)", t=str, generated_by="planner"
    )
    reader = PdfReader(io.BytesIO(pdf))
    texts = [p.extract_text() for p in reader.pages]
    # Summary, map, ranked sites, schedule.
    assert len(texts) == 4
    assert all("RESTRICTED — checkpoint plan" in text for text in texts)
    assert "North Bridge post" in texts[2] and "103" in texts[2]
    assert "Team 1: #1 North Bridge post (AH1)" in texts[3]


@pytest.mark.slow
def test_map_image_is_drawn_offline_by_kaleido(app: Any, run: pm.PlanRun, region: Path) -> None:
    from dashboard.pages import planning as page  # importable once an app exists

    if not briefing.CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed")
    view = pm.plan_view(run, t=str)
    figure = page._plan_figure(
        str(region),
        run,
        view,
        unit="people/year",
        t=str,
        base_url="/",
        inline=True,
        releases=app.server.config[data.RELEASES_KEY],  # no app here: handed its folder
    )
    sources = figure.layout.map.style["sources"]
    assert all(isinstance(s["data"], dict) for s in sources.values())  # nothing to fetch
    png = briefing.map_png(figure, width=400, height=300)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


# --- through the app ---------------------------------------------------------------------


@pytest.mark.parametrize("user", ["donor", "analyst"])
@pytest.mark.parametrize(
    "prefix", ["planning-map", "planning-audit", "planning-download", "planning-download-csv"]
)
def test_only_planners_reach_planning_callbacks(app: Any, user: str, prefix: str) -> None:
    client = _client(app, user)
    resp = client.post("/_dash-update-component", json=dash_body(app, prefix, FORM))
    assert resp.status_code == 403
    assert "S1" not in resp.get_data(as_text=True)
    # The background job's polling request is refused too.
    resp = client.post(
        "/_dash-update-component?cacheKey=x&job=1", json=dash_body(app, prefix, FORM)
    )
    assert resp.status_code == 403
    log = audit.read_log(app.server.config[audit.CONFIG_KEY])
    assert any(e["event"] == "denied" and e["user"] == user for e in log)


def test_cancelling_a_job_is_planner_only_too(app: Any) -> None:
    app.server.test_client().get("/login")  # Dash adds its cancel callback on first request
    body = dash_body(app, "planning-cancel.id", {"planning-cancel.n_clicks": 1})
    for user, status in (("analyst", 403), ("donor", 403), ("planner", 200)):
        resp = _client(app, user).post("/_dash-update-component?cancelJob=1", json=body)
        assert resp.status_code == status, (user, resp.status_code)


def test_cancel_tells_the_planner_the_job_was_stopped(app: Any) -> None:
    body = dash_body(app, "planning-status.", {"planning-cancel.n_clicks": 1})
    resp = _client(app, "planner").post("/_dash-update-component", json=body)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    out = resp.get_json()["response"]
    assert "Cancelled" in dump(out["planning-status"]["children"])
    # Run is possible again, Cancel has nothing left to stop.
    assert out["planning-run"]["disabled"] is False and out["planning-cancel"]["disabled"]
    resp = _client(app, "analyst").post("/_dash-update-component", json=body)
    assert resp.status_code == 403


def test_planner_layout_has_no_data_and_lower_roles_see_access_denied(app: Any) -> None:
    body = dash_body(
        app,
        "_pages_content",
        {"_pages_location.pathname": "/planning", "_pages_location.search": ""},
    )
    planner = _client(app, "planner").post("/_dash-update-component", json=body)
    assert planner.status_code == 200 and "Run plan" in planner.get_data(as_text=True)
    assert "North Bridge" not in planner.get_data(as_text=True)
    analyst = _client(app, "analyst").post("/_dash-update-component", json=body)
    assert "Access denied" in analyst.get_data(as_text=True)
    assert "Run plan" not in analyst.get_data(as_text=True)


def test_planner_runs_and_downloads_and_everything_is_audited(app: Any, region: Path) -> None:
    from dashboard.pages import planning as page  # importable once an app exists

    client = _client(app, "planner")
    ran = client.post(
        "/_dash-update-component",
        json=dash_body(app, "planning-audit", {"planning-run.n_clicks": 1, **FORM}),
    )
    assert ran.status_code == 200 and "recorded in the audit log" in dump(ran.get_json())
    # The background job Dash starts is what writes the "plan" audit line.
    result = run_in_background(app, client, {"planning-run.n_clicks": 1, **FORM})
    assert result["planning-plan"]["data"]["params"]["seed"] == 7
    # The background job itself, called as Dash's worker process calls it.
    progress: list[Any] = []
    values = list(FORM.values())
    releases = app.server.config[data.RELEASES_KEY]
    out = page.run_plan_job(
        str(region),
        app.server.config[page.PLAN_CACHE_KEY],
        releases,
        progress.append,
        1,
        *values,
        "en",
        "http://127.0.0.1:8050/planning",
    )
    stored = out[4]
    assert stored["params"]["seed"] == 7 and progress[-1] == ("100", "Done")
    # The map's busy roads come from this app's release (the job is handed its folder),
    # and no second release of the region is made in the default instance folder: the
    # dashboard refuses to guess a folder outside an app (dashboard.data.releases_dir).
    ledger = ReleaseStore(Path(releases)).ledger()
    assert [line["source"] for line in ledger] == [str(region)]
    assert _releases_of(region, Path(releases)) == 1
    assert _releases_of(region, default_folder()) == 0
    # The operation fields of the form reach the plan (and so the briefing).
    assert stored["params"]["start_date"] == "2027-03-01"
    assert stored["params"]["first_shift"] == "07:30" and stored["params"]["shift_hours"] == 6
    assert stored["params"]["distribution"] == "Region 4 commander"
    assert "103 people/year" in dump(out[3])  # headline card: captured people/year
    body = dash_body(
        app,
        "planning-download.",
        {"planning-download-csv.n_clicks": 1, "planning-plan.data": stored},
    )
    resp = client.post("/_dash-update-component", json=body)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    sent = resp.get_json()["response"]["planning-download"]["data"]
    assert sent["filename"] == "checkpoint-plan-region-seed7-sites.csv"
    text = base64.b64decode(sent["content"]).decode()
    assert text.startswith("rank,site_id,") and "RESTRICTED — checkpoint plan" in text
    log = audit.read_log(app.server.config[audit.CONFIG_KEY])
    events = [(e["event"], e.get("format")) for e in log if e["user"] == "planner"]
    assert ("plan", None) in events and ("export", "csv") in events
    # A forged token gets nothing.
    body["state"][0]["value"] = {"token": "forged"}
    resp = client.post("/_dash-update-component", json=body)
    assert "no longer available" in resp.get_data(as_text=True)


def test_each_app_plans_its_own_region_in_dashs_job(app: Any, region: Path, tmp_path: Path) -> None:
    """Two apps in one process (the second created last): each job reads its own app's
    region, plan folder and audit log, as a Flask request of that app would."""
    from dashboard.pages import planning as page

    doubled = [(*f[:3], 2 * f[3], *f[4:]) for f in FLOWS]
    other_region = write_region(tmp_path / "other", flows=doubled).resolve()
    users = write_accounts(tmp_path / "users.toml", DEMO_ACCOUNTS)
    other = create_app(region=str(other_region), users_file=users, secret_key="test-2")
    results = {}
    for name, one in (("first", app), ("other", other)):
        client = _client(one, "planner")
        results[name] = run_in_background(one, client, {"planning-run.n_clicks": 3, **FORM})
    assert "103 people/year" in dump(results["first"]["planning-summary"])
    assert "206 people/year" in dump(results["other"]["planning-summary"])
    for name, one, stranger in (("first", app, other), ("other", other, app)):
        token = results[name]["planning-plan"]["data"]["token"]
        assert page._stored_run(one.server.config[page.PLAN_CACHE_KEY], token) is not None
        assert page._stored_run(stranger.server.config[page.PLAN_CACHE_KEY], token) is None
    other_log = audit.read_log(other.server.config[audit.CONFIG_KEY])
    assert [e["user"] for e in other_log if e["event"] == "plan"] == ["planner"]


def test_the_job_outside_a_forked_request_refuses_instead_of_guessing_the_app(
    app: Any,
) -> None:
    from dashboard.pages import planning as page

    with pytest.raises(PlanError, match="DiskcacheManager"):
        page.plan_job(lambda _: None, 1, *FORM.values(), "en", "")
