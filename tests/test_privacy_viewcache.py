"""The shared view cache never serves the numbers of another release.

A forced re-release of the same data and settings keeps its release id but draws new
noise. The view cache (memory per worker, disk shared by all workers and restarts) keyed
only by the region files, inputs, language and role would keep answering from the old
release after it; its key carries the release's id and the fingerprint of its values.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from _analysis_fixtures import dash_body, write_region
from _dashboard_fixtures import login

from dashboard import corridors_model as cm
from dashboard import corridors_tables, data, viewcache
from dashboard.app import create_app
from dashboard.auth import DEMO_ACCOUNTS, write_accounts
from geotraf.privacy.region import release_region
from geotraf.privacy.store import ReleaseStore
from layers import read_region

FILTERS = {"corridors-years.value": [2020, 2021], "corridors-method.value": "shortest"}


def _restart() -> None:
    """What a worker restart forgets: every per-process cache (not the disk cache)."""
    for cached in (
        data.region_view,
        data.region_release,
        data.released_region_flows,
        data.load_region,
        corridors_tables._tables_cached,
        corridors_tables._incident_layer_cached,
    ):
        cached.cache_clear()
    cm.corridor_network.cache_clear()


def _tables(app: Any) -> Any:
    client = app.server.test_client()
    login(client, "analyst")
    resp = client.post("/_dash-update-component", json=dash_body(app, "corridors-overlay", FILTERS))
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    return resp.get_json()["response"]


def _key(app: Any) -> str:
    with app.server.test_request_context("/"):
        return viewcache.key_for("corridors-tables", ["same inputs"])


def test_a_forced_re_release_is_never_answered_from_the_cache(tmp_path: Path) -> None:
    region = write_region(tmp_path / "region").resolve()
    users = write_accounts(tmp_path / "instance" / "users.toml", DEMO_ACCOUNTS)
    _restart()
    first_app = create_app(region=str(region), users_file=users, secret_key="test")
    _tables(first_app)  # computed and cached from the first release
    key_before = _key(first_app)
    # The data owner forces a new release of the same data and settings (the old one's
    # folder was lost): same release id, new noise, recorded as forced.
    store = ReleaseStore(Path(first_app.server.config[data.RELEASES_KEY]))
    (line,) = store.ledger()
    shutil.rmtree(store.folder / line["release_id"])
    again = release_region(read_region(region), store=store, force=True)
    assert again.release_id == line["release_id"] and store.ledger()[-1]["forced"]
    # Workers restart on the new release; the disk cache is still there.
    _restart()
    app = create_app(region=str(region), users_file=users, secret_key="test")
    assert _key(app) != key_before
    served = _tables(app)
    cache: viewcache.ViewCache = app.server.extensions[viewcache.EXTENSION]
    cache.disk.clear()
    cache.memory.clear()
    fresh = _tables(app)
    assert served == fresh, "the cache served another release's numbers"
    _restart()


def test_the_same_release_keeps_its_key(tmp_path: Path) -> None:
    region = write_region(tmp_path / "region").resolve()
    users = write_accounts(tmp_path / "instance" / "users.toml", DEMO_ACCOUNTS)
    _restart()
    app = create_app(region=str(region), users_file=users, secret_key="test")
    first = _key(app)
    _restart()  # a restart reads the same stored release back
    assert _key(create_app(region=str(region), users_file=users, secret_key="test")) == first
    _restart()


@pytest.fixture(autouse=True)
def _instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEOTRAF_INSTANCE", str(tmp_path / "default-instance"))
