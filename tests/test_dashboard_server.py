"""``geotraf demo`` / ``serve`` / ``users``: accounts, the printed banner, a real start."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from dashboard import server
from dashboard.auth import DEMO_ACCOUNTS, load_accounts
from geotraf.errors import GeotrafError

ROOT = Path(__file__).resolve().parent.parent


def test_demo_text_lists_every_account_and_the_address() -> None:
    text = server.demo_accounts_text("http://127.0.0.1:8050/", Path("instance/users.toml"))
    assert "http://127.0.0.1:8050/" in text and "SYNTHETIC" in text
    for name, (role, password) in DEMO_ACCOUNTS.items():
        assert f"{name:<10} {role:<9} {password}" in text


def test_users_command_writes_hashed_accounts_once(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "users.toml"
    args = argparse.Namespace(file=str(path), force=False)
    assert server.run_users(args) == 0
    assert set(load_accounts(path)) == set(DEMO_ACCOUNTS)
    assert "planner-demo" in capsys.readouterr().out
    with pytest.raises(GeotrafError, match="--force"):
        server.run_users(args)
    assert server.run_users(argparse.Namespace(file=str(path), force=True)) == 0


def test_demo_accounts_are_created_only_when_missing(tmp_path: Path) -> None:
    path = tmp_path / "instance" / "users.toml"
    assert server.ensure_demo_accounts(path) is True
    before = path.read_text()
    assert server.ensure_demo_accounts(path) is False
    assert path.read_text() == before


def test_serve_without_accounts_says_how_to_create_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEOTRAF_INSTANCE", str(tmp_path))
    args = argparse.Namespace(region="mekong", host="127.0.0.1", port=1, workers=1, debug=False)
    with pytest.raises(GeotrafError, match="geotraf users"):
        server.run_serve(args)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.mark.slow
def test_geotraf_demo_answers_and_prints_the_accounts(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "GEOTRAF_INSTANCE": str(tmp_path / "instance")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "geotraf.cli", "demo", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        start = time.monotonic()
        status = None
        # A generous deadline: this checks that the demo comes up, not how fast (speed is
        # measured in benchmarks/, never asserted in tests).
        while time.monotonic() - start < 90:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as resp:
                    status = resp.status
                    page = resp.read().decode()
                break
            except OSError:
                time.sleep(0.2)
        assert status == 200, "geotraf demo did not answer within 90 s"
        assert "_dash-config" in page  # the dashboard, showing its login form
        assert (tmp_path / "instance" / "users.toml").exists()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        output, _ = proc.communicate(timeout=20)
    assert f"http://127.0.0.1:{port}/" in output
    for name, (role, password) in DEMO_ACCOUNTS.items():
        assert name in output and role in output and password in output
