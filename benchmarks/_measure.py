"""Run a solver in a forked child and read its time and peak memory (bench_plan cases)."""

from __future__ import annotations

import multiprocessing as mp
import resource
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np

from geotraf import coverage as cov


def _rss_kib(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _child(fn: Callable[[], cov.Solution], conn: Any) -> None:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")  # reset VmHWM to the current RSS
    except OSError:
        pass
    start_rss = _rss_kib("VmRSS")
    tracemalloc.start()
    t0 = time.perf_counter()
    sol = fn()
    wall = time.perf_counter() - t0
    _, py_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    conn.send(
        {
            "objective": sol.objective,
            "bound": sol.bound,
            "gap": sol.gap,
            "status": sol.status,
            "sites": len(sol.sites),
            "seconds": wall,
            "stats": sol.stats,
            "peak_rss_mib": _rss_kib("VmHWM") / 1024,
            "delta_rss_mib": (_rss_kib("VmHWM") - start_rss) / 1024,
            "tracemalloc_mib": py_peak / 2**20,
        }
    )
    conn.close()


def measure(fn: Callable[[], cov.Solution], *, timeout: float) -> dict[str, Any]:
    """Run ``fn`` in a forked child; return its results and memory figures."""
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(fn, child))
    t0 = time.perf_counter()
    proc.start()
    child.close()
    if parent.poll(timeout):
        out: dict[str, Any] = parent.recv()
    else:
        proc.kill()
        out = {"status": "killed", "seconds": time.perf_counter() - t0}
    proc.join()
    return out


def _fmt(x: Any, spec: str) -> str:
    if x is None or (isinstance(x, float) and not np.isfinite(x)):
        return "—"
    return format(x, spec)
