"""A forked plan job can open SQLite while the server's other threads are using it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

# Runs in a fresh interpreter: threads hammer SQLite while the main thread forks
# children that each open a connection; a child that inherits one of SQLite's global
# mutexes held hangs for good, and is counted after a grace period. ``files`` uses
# database files (as the sessions, throttle, view cache and Dash's job cache do), which
# also takes the file-system and page-cache mutexes; ``memory`` uses in-memory ones.
_SCRIPT = textwrap.dedent(
    """
    import os, sqlite3, sys, threading, time
    if sys.argv[1] == "dashboard":
        import dashboard  # noqa: F401  (configures SQLite before any connection)
    import tempfile
    files = sys.argv[3] == "files"
    folder = tempfile.mkdtemp()
    def database(name):
        return os.path.join(folder, name + ".sqlite") if files else ":memory:"
    stop = threading.Event()
    def hammer(i):
        while not stop.is_set():
            con = sqlite3.connect(database(f"thread{i}"))
            con.execute("create table if not exists t(x)")
            con.executemany("insert into t values (?)", [(j,) for j in range(50)])
            con.commit()
            con.execute("select count(*) from t").fetchone()
            con.close()
    workers = [threading.Thread(target=hammer, args=(i,)) for i in range(6)]
    for w in workers:
        w.start()
    pids = []
    for _ in range(int(sys.argv[2])):
        pid = os.fork()
        if pid == 0:
            con = sqlite3.connect(database(f"child{len(pids)}"))
            con.execute("create table t(x)")
            con.execute("insert into t values (1)")
            con.commit()
            os._exit(0)
        pids.append(pid)
        time.sleep(0.001)
    stop.set()
    deadline = time.monotonic() + float(sys.argv[4])
    hung = 0
    for pid in pids:
        while time.monotonic() < deadline:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.01)
        else:
            hung += 1
            os.kill(pid, 9)
            os.waitpid(pid, 0)
    print(hung)
    """
)


def _hung_children(mode: str, forks: int, storage: str, grace_s: float) -> int:
    out = subprocess.run(
        [sys.executable, "-c", _SCRIPT, mode, str(forks), storage, str(grace_s)],
        capture_output=True,
        text=True,
        timeout=grace_s + 120,
        check=True,
    )
    return int(out.stdout.split()[-1])


@pytest.mark.parametrize("storage", ["memory", "files"])
def test_forked_children_never_hang_on_sqlite_once_the_dashboard_is_imported(
    storage: str,
) -> None:
    # A hung child waits for good, a slow one (busy machine) finishes: a long grace
    # period costs nothing when none hangs.
    assert _hung_children("dashboard", 400, storage, grace_s=60) == 0


def test_without_the_dashboard_forked_children_do_hang() -> None:
    # What the guard is for: the same script without it leaves children hung.
    assert _hung_children("plain", 200, "files", grace_s=5) > 0
