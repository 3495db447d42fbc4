"""The release: OpenDP accounting, public keys, key selection, storage, the ledger across
restarts and two worker processes, and the CLI's outputs as functions of the release."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from _analysis_fixtures import write_region

from geotraf.errors import PrivacyError
from geotraf.privacy.region import release_input, release_region, released_flows
from geotraf.privacy.release import ReleaseConfig, make_release
from geotraf.privacy.store import ReleaseStore, status
from layers import read_region
from layers.schema import AGE_GROUPS, EXPLOITATION

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def region_dir(tmp_path: Path) -> Path:
    return write_region(tmp_path / "region")


def test_release_spends_the_declared_budget_and_lists_every_public_key(region_dir: Path) -> None:
    flows, domains, digest = release_input(read_region(region_dir))
    config = ReleaseConfig(epsilon=0.8, delta=1e-7)
    release = make_release(flows, domains=domains, config=config, data_hash=digest)
    assert release.epsilon == pytest.approx(0.8)
    assert 0 < release.delta <= 1e-7
    country = release.table("country")
    # Every combination of declared values (countries + unknown, years, forms, ages).
    n_countries = len(domains["origin_country"]) + 1
    expected = n_countries**2 * len(domains["year"]) * len(EXPLOITATION) * len(AGE_GROUPS)
    assert len(country) == expected
    assert country["count"].dtype.kind == "i"
    # Key selection: only keys whose noisy count cleared the threshold; the 6-person
    # begging flow (far below it) is not there.
    table = release.tables["flows"]
    assert table.threshold is not None and table.threshold > 11
    assert (table.frame["count"] >= table.threshold).all()
    assert "begging" not in set(table.frame["exploitation"])


def test_same_data_reuses_the_stored_release_and_a_second_release_is_refused(
    region_dir: Path, tmp_path: Path
) -> None:
    store = ReleaseStore(tmp_path / "releases")
    region = read_region(region_dir)
    first = release_region(region, store=store)
    again = release_region(read_region(region_dir), store=store)
    assert again.release_id == first.release_id
    pd.testing.assert_frame_equal(again.table("country"), first.table("country"))
    with pytest.raises(PrivacyError, match="already released"):
        release_region(region, store=store, config=ReleaseConfig(epsilon=0.5))
    forced = release_region(region, store=store, config=ReleaseConfig(epsilon=0.5), force=True)
    ledger = store.ledger()
    assert [e["forced"] for e in ledger] == [False, True]
    assert ledger[1]["release_id"] == forced.release_id
    assert {"dataset_hash", "keys", "epsilon", "delta", "time"} <= set(ledger[0])
    spent = status(store)["datasets"][first.dataset_hash]
    assert spent["releases"] == 2 and spent["epsilon"] == pytest.approx(1.5)
    # Changed data is a new dataset version: its own release, its own ledger line.
    changed = region.flows.assign(count=region.flows["count"] + 1)
    other = release_region(_with_flows(region, changed), store=store)
    assert other.dataset_hash != first.dataset_hash and len(store.ledger()) == 3


def _with_flows(region: object, flows: pd.DataFrame) -> object:
    from dataclasses import replace

    return replace(region, flows=flows)  # type: ignore[type-var]


_WORKER = """
import json, sys
from geotraf.privacy.region import release_region
from layers import read_region
r = release_region(read_region(sys.argv[1]), store=sys.argv[2])
print(json.dumps({"id": r.release_id, "sum": int(r.table("country")["count"].abs().sum())}))
"""


def test_two_workers_and_a_restart_share_one_release_and_one_ledger_line(
    region_dir: Path, tmp_path: Path
) -> None:
    store = tmp_path / "instance" / "releases"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GEOTRAF_INSTANCE": str(tmp_path / "instance")}
    cmd = [sys.executable, "-c", _WORKER, str(region_dir), str(store)]
    workers = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    answers = [json.loads(w.communicate(timeout=120)[0]) for w in workers]
    assert all(w.returncode == 0 for w in workers)
    assert answers[0] == answers[1]
    restarted = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert json.loads(restarted.stdout) == answers[0]
    assert len(ReleaseStore(store).ledger()) == 1
    shown = subprocess.run(
        [sys.executable, "-m", "geotraf.cli", "privacy", "status", "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shown.returncode == 0, shown.stderr
    report = json.loads(shown.stdout)
    assert [e["release_id"] for e in report["releases"]] == [answers[0]["id"]]
    text = subprocess.run(
        [sys.executable, "-m", "geotraf.cli", "privacy", "status"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    assert answers[0]["id"] in text and "ε = 1" in text
    # The budget split is printed with each release: every table's share.
    assert (
        "split — country ε = 0.3, flows ε = 0.2, incidents ε = 0.2, pairs ε = 0.25, "
        "routes ε = 0.05" in text
    )


def test_cli_hotspots_are_computed_from_the_released_flows(
    region_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from geotraf import commands
    from geotraf.cli import main
    from geotraf.hotspots import hotspots
    from geotraf.routing import assign

    args = ["hotspots", "--region", str(region_dir), "--top", "5", "--format", "json"]
    assert main(args) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["protection"] == "differentially private, ε = 1; below 11 shown as <11"
    reg, graph = commands.load_region_and_graph(str(region_dir))
    released = released_flows(release_region(reg), reg.places, table="pairs")
    result = assign(graph, released, method="k_shortest", places=reg.places, show_progress=None)
    spots = hotspots(graph, result, incidents=reg.incidents, sites=reg.sites, top=5)
    want = {
        r.node: round(float(r.load), 1) for r in spots.itertuples() if r.load >= 11 or r.load == 0
    }
    got = {h["node"]: h["load"] for h in shown["hotspots"] if h["load"] is not None}
    assert got == want
    for h in shown["hotspots"]:
        assert "Begging" not in h["explanation"]
    assert main([*args, "--raw"]) == 0
    raw = json.loads(capsys.readouterr().out)
    assert raw["classification"] == "RESTRICTED"
    assert raw["total_flow"] == "206"


def test_cli_plan_totals_come_from_the_release_unless_raw(
    region_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from geotraf import commands
    from geotraf.cli import main

    args = ["plan", "--region", str(region_dir), "--budget", "1", "--method", "greedy"]
    assert main([*args, "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    reg = commands.load_region(str(region_dir))
    released = released_flows(release_region(reg), reg.places, table="pairs")
    assert shown["protection"].startswith("differentially private, ε = 1")
    assert shown["total"] == round(float(released["count"].sum()), 1)
    assert main([*args, "--format", "json", "--raw"]) == 0
    raw = json.loads(capsys.readouterr().out)
    assert raw["total"] == 206.0 and raw["classification"].startswith("RESTRICTED")
    assert "not differentially private" in raw["protection"]
