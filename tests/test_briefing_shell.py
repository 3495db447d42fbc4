"""The page frame in the user's language: ``<html lang>`` follows the language cookie."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from _analysis_fixtures import write_region

from dashboard import i18n


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from dashboard.app import create_app
    from dashboard.auth import DEMO_ACCOUNTS, write_accounts

    folder: Path = tmp_path_factory.mktemp("shell")
    region = write_region(folder / "region").resolve()
    users = write_accounts(folder / "users.toml", DEMO_ACCOUNTS)
    return create_app(region=str(region), users_file=users, secret_key="test")


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_html_lang_is_the_interface_language(app: Any, lang: str) -> None:
    client = app.server.test_client()
    client.set_cookie(i18n.COOKIE, lang)
    page = client.get("/corridors").get_data(as_text=True)
    assert f'<html lang="{lang}">' in page


def test_language_route_keeps_the_page_and_query(app: Any) -> None:
    client = app.server.test_client()
    resp = client.get("/language/fr?next=%2Fcorridors%3Fsex%3Dfemale")
    assert resp.status_code == 302 and resp.headers["Location"] == "/corridors?sex=female"
