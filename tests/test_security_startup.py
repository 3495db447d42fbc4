"""Issue 11, item 10: the secret key and accounts file under concurrency, and `geotraf serve`
stopping its workers."""

from __future__ import annotations

import contextlib
import multiprocessing
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
from dashboard.app import _secret_key
from dashboard.auth import DEMO_ACCOUNTS, load_accounts

ROOT = Path(__file__).resolve().parent.parent


def _key_worker(folder: str, barrier: object, out: object) -> None:
    barrier.wait()  # type: ignore[attr-defined]
    out.put(_secret_key(None, Path(folder)))  # type: ignore[attr-defined]


def _accounts_worker(path: str, barrier: object, out: object) -> None:
    barrier.wait()  # type: ignore[attr-defined]
    out.put(server.ensure_demo_accounts(Path(path)))  # type: ignore[attr-defined]


def _race(target: object, arg: str, n: int = 4) -> list[object]:
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(n)
    out = ctx.Queue()
    procs = [ctx.Process(target=target, args=(arg, barrier, out)) for _ in range(n)]  # type: ignore[arg-type]
    for p in procs:
        p.start()
    results = [out.get(timeout=30) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    return results


def test_processes_creating_the_secret_key_at_once_all_get_the_same_key(tmp_path: Path) -> None:
    for round_ in range(25):
        keys = _race(_key_worker, str(tmp_path / f"i{round_}"))
        assert len(set(keys)) == 1 and len(str(keys[0])) >= 32, keys
        assert os.stat(tmp_path / f"i{round_}" / "secret_key").st_mode & 0o077 == 0


def test_processes_creating_the_demo_accounts_at_once_write_one_valid_file(
    tmp_path: Path,
) -> None:
    for round_ in range(10):
        path = tmp_path / f"i{round_}" / "users.toml"
        created = _race(_accounts_worker, str(path))
        assert created.count(True) == 1, created
        assert set(load_accounts(path)) == set(DEMO_ACCOUNTS)
        assert [p.name for p in path.parent.iterdir()] == ["users.toml"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2):
            return True
    except OSError:
        return False


@pytest.mark.slow
def test_stopping_geotraf_serve_stops_its_workers(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    server.ensure_demo_accounts(instance / "users.toml")
    port = _free_port()
    env = {**os.environ, "GEOTRAF_INSTANCE": str(instance)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "geotraf.cli", "serve", "--port", str(port), "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while not _answers(port) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert _answers(port), "geotraf serve did not answer within 90 s"
        proc.send_signal(signal.SIGTERM)  # the geotraf process only, not its group
        proc.wait(timeout=30)
        deadline = time.monotonic() + 20
        while _answers(port) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert not _answers(port), "a worker still answers after geotraf serve stopped"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
