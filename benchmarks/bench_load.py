"""Load benchmark: N simulated users log in and filter against ``geotraf serve``.

Run: ``.venv/bin/python benchmarks/bench_load.py [--users 50] [--seconds 60] [--workers 2]``.
Not a test: it prints the figures recorded in ``benchmarks/README.md``.

Bounded by construction: the server is started here, on a free port of 127.0.0.1 only
(no other address is accepted), on a fresh instance folder with the demo accounts and
the bundled Mekong region; the users stop after ``--seconds`` (at most 300) and the
server's process group is stopped at the end, whatever happens.

Each simulated user (one thread, one HTTP session):

1. fetches ``/login`` and posts the form with its CSRF token (as analyst or planner;
   the four demo accounts are shared between the users);
2. then, until the time is up, repeats one interaction after a think time of
   0.3–1.2 s: either a Corridors filter change (the one server callback the browser
   sends for it, ``corridors-loads``: loads, headline, markers and tables; 60 %) or an
   Overview filter change (``overview-map``). Filter states are drawn from a small set —
   years, one or two categories — as people click the same few filters.

Every callback request's latency is recorded, from just before the request is sent to
the whole answer received (decompressed by ``requests``, never parsed as JSON); errors
are non-200 answers and failed connections. ``--kill-worker`` SIGKILLs one gunicorn
worker half-way through, to check that a new worker comes up and no session is lost.

The server warms up before the users start (``dashboard/warmup.py``): the benchmark
lists every filter state its users draw in ``$GEOTRAF_WARM_STATES`` (as an operator lists
the states people open), and waits until each worker says it has stored them, so round
1 measures a started server rather than its first minute. ``--cold`` leaves the list out
(each page's default view only), to show what a miss costs.

Beside the client's figures each round prints what does not depend on the client: the
server's own time per callback (gunicorn's access log, ``%(D)s``: from the request read
to the answer written, so without the time a request waits for a free thread) and the
CPU seconds the server's processes and this client used, since all of them share the
machine's cores.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
HOST = "127.0.0.1"
MAX_SECONDS = 300
#: Seconds into a round after which the 50 logins are over (shown apart).
SETTLED_S = 10.0
YEARS = [[2018, 2024], [2020, 2024], [2022, 2024], [2018, 2020], [2023, 2023]]
EXPLOITATION = [None, ["sexual"], ["forced_labour"], ["sexual", "forced_labour"]]
SEX = [None, ["female"], ["male"]]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _bodies() -> dict[str, Any]:
    """Callback bodies shaped from the app's own callback map (as the browser sends them)."""
    from _dashboard_fixtures import callback_body

    from dashboard.app import create_app
    from dashboard.auth import DEMO_ACCOUNTS, write_accounts

    tmp = Path(tempfile.mkdtemp(prefix="bench-load-bodies-"))
    users = write_accounts(tmp / "users.toml", DEMO_ACCOUNTS)
    app = create_app(region="mekong", users_file=users, secret_key="bench")
    return {
        "corridors": lambda v: callback_body(app, "corridors-loads", v),
        "overview": lambda v: callback_body(app, "overview-map", v),
    }


def _corridor_state(rng: random.Random) -> dict[str, Any]:
    return {
        "corridors-years.value": rng.choice(YEARS),
        "corridors-exploitation.value": rng.choice(EXPLOITATION),
        "corridors-sex.value": rng.choice(SEX),
    }


def _overview_state(rng: random.Random) -> dict[str, Any]:
    return {
        "overview-years.value": rng.choice(YEARS),
        "overview-exploitation.value": rng.choice(EXPLOITATION),
        "overview-level.value": rng.choice(["country", "country", "province"]),
        "overview-side.value": rng.choice(["origin", "destination"]),
        "overview-arcs.value": ["arcs"],
    }


def _warm_states() -> dict[str, list[str]]:
    """Every filter state the users draw, as the page queries the warm-up reads."""
    from itertools import product

    from dashboard.corridors_state import CorridorState
    from dashboard.overview_model import OverviewState

    corridors = [
        CorridorState.from_inputs(years, {"exploitation": forms, "sex": sex}, None).to_query()
        for years, forms, sex in product(YEARS, EXPLOITATION, SEX)
    ]
    overview = [
        OverviewState(
            year_min=years[0],
            year_max=years[1],
            exploitation=tuple(forms or ()),
            level=level,  # type: ignore[arg-type]
            side=side,  # type: ignore[arg-type]
        ).to_query()
        for years, forms, level, side in product(
            YEARS, EXPLOITATION, ["country", "province"], ["origin", "destination"]
        )
    ]
    return {"corridors": corridors, "overview": overview}


def _wait_for_warm_up(log_path: Path, workers: int, limit_s: float = 600) -> list[str]:
    """Wait until every worker has written its warm-up line; return those lines."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        lines = [
            line
            for line in log_path.read_text(encoding="utf-8", errors="replace").splitlines()
            if line.startswith("geotraf warm-up")
        ]
        if len(lines) >= workers:
            return lines
        time.sleep(1)
    raise SystemExit(f"the workers did not finish warming up within {limit_s:.0f} s")


class Recorder:
    """Latencies (ms) and errors, from every user thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.by_kind: dict[str, list[float]] = {}
        self.errors: list[str] = []
        self.logins = 0
        self.login_ms: list[float] = []
        self.start = time.monotonic()
        #: (seconds into the round when the request was sent, ms) of every callback.
        self.timeline: list[tuple[float, float]] = []

    def add(self, ms: float, error: str | None, kind: str = "") -> None:
        with self.lock:
            self.latencies.append(ms)
            self.timeline.append((time.monotonic() - self.start - ms / 1000, ms))
            self.by_kind.setdefault(kind, []).append(ms)
            if error:
                self.errors.append(error)


def _user(index: int, base: str, bodies: dict[str, Any], until: float, rec: Recorder) -> None:
    import requests

    rng = random.Random(1000 + index)
    account = ("analyst", "planner")[index % 2]
    http = requests.Session()
    t_login = time.perf_counter()
    page = http.get(f"{base}/login", timeout=30).text
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    resp = http.post(
        f"{base}/login",
        data={
            "username": account,
            "password": f"{account}-demo",
            "csrf": token.group(1) if token else "",
            "next": "/",
        },
        allow_redirects=False,
        timeout=30,
    )
    if resp.status_code != 302:
        rec.add(0.0, f"login {resp.status_code}")
        return
    with rec.lock:
        rec.logins += 1
        rec.login_ms.append((time.perf_counter() - t_login) * 1000)

    def call(kind: str, body: dict[str, Any]) -> None:
        t0 = time.perf_counter()
        error = None
        try:
            r = http.post(f"{base}/_dash-update-component", json=body, timeout=60)
            if r.status_code != 200:
                error = f"HTTP {r.status_code}"
        except requests.RequestException as exc:
            error = f"{type(exc).__name__}: {str(exc)[:60]}"
        rec.add((time.perf_counter() - t0) * 1000, error, kind)

    while time.monotonic() < until:
        time.sleep(rng.uniform(0.3, 1.2))
        if time.monotonic() >= until:
            break
        if rng.random() < 0.6:
            call("corridors", bodies["corridors"](_corridor_state(rng)))
        else:
            call("overview", bodies["overview"](_overview_state(rng)))


def _wait_until_up(base: str, proc: subprocess.Popen[bytes], limit_s: float = 120) -> None:
    import requests

    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("geotraf serve exited before answering")
        try:
            if requests.get(f"{base}/login", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise SystemExit(f"geotraf serve did not answer within {limit_s:.0f} s")


def _warm(base: str, bodies: dict[str, Any]) -> None:
    """One user's first page, so that each worker has read the region (not measured)."""
    rec = Recorder()
    _user(0, base, bodies, time.monotonic() + 8, rec)


def _kill_one_worker(server_pid: int) -> int | None:
    import psutil

    children = psutil.Process(server_pid).children(recursive=True)
    if not children:
        return None
    victim = children[0].pid
    os.kill(victim, signal.SIGKILL)
    return victim


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=0, help="threads per worker (0: default)")
    parser.add_argument("--kill-worker", action="store_true")
    parser.add_argument("--label", default="")
    parser.add_argument(
        "--rounds", type=int, default=1, help="rounds of --seconds against one server"
    )
    parser.add_argument("--server-log", default="", help="write the server's output here")
    parser.add_argument("--cold", action="store_true", help="warm up each page's default view only")
    args = parser.parse_args()
    seconds = min(args.seconds, MAX_SECONDS)
    bodies = _bodies()
    instance = Path(tempfile.mkdtemp(prefix="bench-load-instance-"))
    from dashboard.auth import DEMO_ACCOUNTS, write_accounts

    write_accounts(instance / "users.toml", DEMO_ACCOUNTS)
    port = _free_port()
    base = f"http://{HOST}:{port}"
    env = {**os.environ, "GEOTRAF_INSTANCE": str(instance), "PYTHONPATH": str(ROOT)}
    if args.threads:
        env["GEOTRAF_SERVE_THREADS"] = str(args.threads)
    if not args.cold:
        states = instance / "warm-states.json"
        states.write_text(json.dumps(_warm_states()), encoding="utf-8")
        env["GEOTRAF_WARM_STATES"] = str(states)
    cmd = [sys.executable, "-m", "geotraf.cli", "serve", "--host", HOST, "--port", str(port)]
    cmd += ["--workers", str(args.workers)]
    log_path = Path(args.server_log) if args.server_log else instance / "server.log"
    log = open(log_path, "wb")  # noqa: SIM115 (closed in finally)
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    try:
        _wait_until_up(base, proc)
        started = time.monotonic()
        for line in _wait_for_warm_up(log_path, args.workers):
            print(f"  {line}")
        print(f"  warm-up over {time.monotonic() - started:.0f} s after the first answer")
        for _ in range(args.workers * 2):
            _warm(base, bodies)
        for round_ in range(max(1, args.rounds)):
            _round(args, seconds, base, bodies, proc, round_, log_path)
    finally:
        log.close()
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    return 0


def _round(
    args: argparse.Namespace,
    seconds: float,
    base: str,
    bodies: dict[str, Any],
    proc: subprocess.Popen[bytes],
    round_: int,
    log_path: Path,
) -> None:
    rec = Recorder()
    before = os.getloadavg()[0]  # other jobs on the machine, before our users start
    log_from = log_path.stat().st_size
    cpu_server, cpu_client = _server_cpu(proc.pid), time.process_time()
    until = time.monotonic() + seconds
    start = time.monotonic()
    threads = [
        threading.Thread(target=_user, args=(i, base, bodies, until, rec), daemon=True)
        for i in range(args.users)
    ]
    for t in threads:
        t.start()
    killed = None
    if args.kill_worker:
        time.sleep(seconds / 2)
        killed = _kill_one_worker(proc.pid)
    for t in threads:
        t.join(timeout=seconds + 120)
    elapsed = time.monotonic() - start
    cpu_server, cpu_client = _server_cpu(proc.pid) - cpu_server, time.process_time() - cpu_client
    lat = sorted(rec.latencies)
    server_ms = _server_times(log_path, log_from)

    def pct(p: float, values: list[float] | None = None) -> float:
        v = lat if values is None else sorted(values)
        return v[min(len(v) - 1, round(p / 100 * (len(v) - 1)))] if v else 0.0

    load = os.getloadavg()
    print(
        f"bench_load {args.label} round {round_ + 1}: {args.users} users, {seconds:.0f} s, "
        f"--workers {args.workers}, {args.threads or 'default'} threads, "
        f"{'cold' if args.cold else 'warmed'} start, {os.cpu_count()} cores, "
        f"load average {before:.1f} before, {load[0]:.1f} after ({platform.python_version()})"
    )
    print(
        f"  logins {rec.logins}/{args.users}; callbacks {len(lat):,} "
        f"({len(lat) / elapsed:.0f}/s); errors {len(rec.errors)}"
        + (f" {sorted(set(rec.errors))}" if rec.errors else "")
    )
    if lat:
        print(
            f"  latency ms: p50 {pct(50):.0f}, p95 {pct(95):.0f}, p99 {pct(99):.0f}, "
            f"max {lat[-1]:.0f}, mean {statistics.fmean(lat):.0f}"
        )
        # Every user logs in at the start (a scrypt hash each, ~0.1 s of CPU): the
        # callbacks sent while those 50 logins are being checked are shown apart.
        settled = [ms for at, ms in rec.timeline if at >= SETTLED_S]
        if settled:
            print(
                f"    sent after the first {SETTLED_S:.0f} s: {len(settled):,} calls, "
                f"p50 {pct(50, settled):.0f}, p95 {pct(95, settled):.0f}, "
                f"p99 {pct(99, settled):.0f}; logins took p50 {pct(50, rec.login_ms):.0f}, "
                f"max {max(rec.login_ms, default=0):.0f} ms"
            )
        for kind, values in sorted(rec.by_kind.items()):
            print(
                f"    {kind}: {len(values):,} calls, p50 {pct(50, values):.0f}, "
                f"p95 {pct(95, values):.0f}, p99 {pct(99, values):.0f}"
            )
        if server_ms:
            print(
                f"  server time ms (access log): p50 {pct(50, server_ms):.0f}, "
                f"p95 {pct(95, server_ms):.0f}, p99 {pct(99, server_ms):.0f}, "
                f"max {max(server_ms):.0f} ({len(server_ms):,} callbacks)"
            )
    print(
        f"  CPU s: server {cpu_server:.1f}, client {cpu_client:.1f}, in {elapsed:.0f} s on "
        f"{os.cpu_count()} cores; server CPU per callback "
        f"{1000 * cpu_server / max(1, len(lat)):.1f} ms"
    )
    print(f"  worker memory (RSS) MB: {', '.join(f'{mb:.0f}' for mb in _worker_rss(proc.pid))}")
    if args.kill_worker:
        print(f"  killed worker pid {killed} half-way")


def _worker_rss(pid: int) -> list[float]:
    """Resident memory of each gunicorn worker, in MB."""
    import psutil

    sizes = []
    with contextlib.suppress(psutil.Error):
        for p in psutil.Process(pid).children(recursive=True):
            with contextlib.suppress(psutil.Error):
                sizes.append(p.memory_info().rss / 2**20)
    return sizes


def _server_cpu(pid: int) -> float:
    """CPU seconds (user + system) of the server's process and its live workers."""
    import psutil

    total = 0.0
    try:
        root = psutil.Process(pid)
        for p in [root, *root.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                times = p.cpu_times()
                total += times.user + times.system
    except psutil.Error:
        pass
    return total


def _server_times(log_path: Path, offset: int) -> list[float]:
    """Milliseconds per callback request from the access lines written after ``offset``."""
    with open(log_path, "rb") as fh:
        fh.seek(offset)
        text = fh.read().decode("utf-8", "replace")
    found = re.findall(r'"POST /_dash-update-component[^"]*" \d+ \S+ "[^"]*" "[^"]*" (\d+)', text)
    return [int(us) / 1000 for us in found]


if __name__ == "__main__":
    raise SystemExit(main())
