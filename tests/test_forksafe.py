"""A forked plan job can open SQLite while the server's other threads are using it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

# Runs in a fresh interpreter: a thread hammers SQLite while the main thread forks
# children that each open a connection; a child that inherits SQLite's global mutex
# held hangs, and is counted after a grace period.
_SCRIPT = textwrap.dedent(
    """
    import os, sqlite3, sys, threading, time
    if sys.argv[1] == "dashboard":
        import dashboard  # noqa: F401  (configures SQLite before any connection)
    stop = threading.Event()
    def hammer():
        while not stop.is_set():
            con = sqlite3.connect(":memory:")
            con.execute("create table t(x)")
            con.executemany("insert into t values (?)", [(i,) for i in range(200)])
            con.close()
    workers = [threading.Thread(target=hammer) for _ in range(3)]
    for w in workers:
        w.start()
    pids = []
    for _ in range(int(sys.argv[2])):
        pid = os.fork()
        if pid == 0:
            sqlite3.connect(":memory:").execute("select 1").fetchone()
            os._exit(0)
        pids.append(pid)
        time.sleep(0.002)
    stop.set()
    deadline = time.monotonic() + 10
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


def _hung_children(mode: str, forks: int) -> int:
    out = subprocess.run(
        [sys.executable, "-c", _SCRIPT, mode, str(forks)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return int(out.stdout.split()[-1])


def test_forked_children_never_hang_on_sqlite_once_the_dashboard_is_imported() -> None:
    assert _hung_children("dashboard", 200) == 0
