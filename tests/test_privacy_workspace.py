"""Uploads take effect: a user's uploaded flows are a new dataset version with its own
release and ledger line, drive that user's pages, and there is a way back."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from _analysis_fixtures import dash_body, dump, write_region
from _dashboard_fixtures import login, overview_inputs

from dashboard import data
from dashboard.app import create_app
from dashboard.auth import DEMO_ACCOUNTS, write_accounts
from dashboard.uploads import install_upload, user_region
from geotraf.privacy.store import ReleaseStore

MY_FLOWS = (
    "origin,destination,year,count,exploitation,sex,age_group,mode,sector,synthetic\n"
    "vte,bkk,2021,400,forced_labour,male,adult,road,construction,True\n"
    "vte,bkk,2022,300,sexual,female,adult,road,other,True\n"
)


def _overview(app: Any, client: Any) -> dict[str, Any]:
    resp = client.post(
        "/_dash-update-component", json=dash_body(app, "overview-map", overview_inputs())
    )
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    out: dict[str, Any] = resp.get_json()["response"]
    return out


def _corridors_note(app: Any, client: Any) -> str:
    resp = client.post("/_dash-update-component", json=dash_body(app, "corridors-overlay", {}))
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    return dump(resp.get_json()["response"]["corridors-note"])


def test_uploaded_flows_drive_the_users_pages_with_their_own_release(tmp_path: Path) -> None:
    region = write_region(tmp_path / "region")
    accounts = {**DEMO_ACCOUNTS, "analyst2": ("analyst", "analyst2-demo")}
    users = write_accounts(tmp_path / "instance" / "users.toml", accounts)
    app = create_app(region=str(region), users_file=users, secret_key="ws")
    workspace = Path(app.server.config[data.WORKSPACE_KEY])
    client = app.server.test_client()
    login(client, "admin")
    before = _overview(app, client)
    assert "Your data" not in dump(before)
    assert before["overview-years"]["max"] == 2021

    contents = "data:text/csv;base64," + base64.b64encode(MY_FLOWS.encode()).decode()
    report = install_upload(
        contents, "my_flows.csv", kind="flows", workspace=workspace, user="admin", bundled=region
    )
    assert report.ok, report.message
    mine = _overview(app, client)
    notes = dump(mine["overview-note"])
    assert "Your data: flows.gpkg" in notes and "2 rows" in notes
    assert "/data/bundled" in notes
    assert mine["overview-years"]["max"] == 2022  # the user's years, not the bundled ones
    # Its own release and ledger line, in the user's workspace; the bundled one unchanged.
    own = ReleaseStore(user_region(workspace, "admin").parent / "releases").ledger()
    assert len(own) == 1
    assert len(ReleaseStore(users.parent / "releases").ledger()) == 1
    # Another user still sees the bundled region.
    other = app.server.test_client()
    login(other, "donor")
    assert "Your data" not in dump(_overview(app, other))
    # A user of the same role asking the same filter state is never served the cached
    # answer computed from another user's own data (the view cache is keyed by whose data).
    report = install_upload(
        contents,
        "my_flows.csv",
        kind="flows",
        workspace=workspace,
        user="analyst",
        bundled=region,
    )
    assert report.ok, report.message
    owner = app.server.test_client()
    login(owner, "analyst")
    assert "Your data" in dump(_overview(app, owner))
    second = app.server.test_client()
    login(second, "analyst2", "analyst2-demo")
    same_role = _overview(app, second)
    assert "Your data" not in dump(same_role) and same_role["overview-years"]["max"] == 2021
    assert dump(same_role["overview-map"]) == dump(before["overview-map"])
    # The Corridors page's notice likewise: the owner sees their own file's row count,
    # labelled as theirs; the other analyst, served from the same view cache, does not.
    assert "Your data: flows.gpkg" in _corridors_note(app, owner)
    assert "2 rows" in _corridors_note(app, owner)
    assert "Your data" not in _corridors_note(app, second)
    assert "rows" not in _corridors_note(app, second)
    # The way back.
    assert client.get("/data/bundled").status_code == 302
    back = _overview(app, client)
    assert "Your data" not in dump(back) and back["overview-years"]["max"] == 2021
    client.get("/data/mine")
    assert "Your data" in dump(_overview(app, client))


@pytest.fixture(autouse=True)
def _clear() -> Any:
    for cached in (data.region_view, data.region_release, data.released_region_flows):
        cached.cache_clear()
    yield
