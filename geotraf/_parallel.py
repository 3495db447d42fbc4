"""Chunks of work for the compiled kernels, run side by side on a few threads.

The kernels of :mod:`geotraf._kernels` and :mod:`geotraf._yen_kernels` release the GIL;
these helpers split origins (or legs) into chunks that never depend on the number of
threads, and run them on as many threads as the process may use.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import numpy as np

from geotraf._csr import IntArray

T = TypeVar("T")


def by_origin(src: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """Group pair indices by origin: (pair order, distinct origins, offsets into the order).

    The pairs of ``origins[r]`` are ``order[offsets[r]:offsets[r + 1]]``, in input order.

    Examples
    --------
    >>> order, origins, offsets = by_origin(np.array([4, 2, 4]))
    >>> order.tolist(), origins.tolist(), offsets.tolist()
    ([1, 0, 2], [2, 4], [0, 1, 3])
    """
    order = np.argsort(src, kind="stable").astype(np.int64)
    origins, starts = np.unique(src[order], return_index=True)
    offsets = np.append(starts, len(src)).astype(np.int64)
    return order, origins.astype(np.int64), offsets


def threads() -> int:
    """Threads for the kernels: the CPUs this process may use (``GEOTRAF_THREADS`` caps)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        cpus = os.cpu_count() or 1
    cap = os.environ.get("GEOTRAF_THREADS", "")
    return max(1, min(cpus, int(cap))) if cap.isdigit() else max(1, cpus)


def run_chunks(fn: Callable[..., T], jobs: Sequence[tuple[Any, ...]]) -> Iterator[T]:
    """Yield ``fn(*job)`` for every job, run on a few threads, in the jobs' order.

    The kernels release the GIL, so chunks of origins run side by side; results come back
    in job order, so sums over them do not depend on the number of threads.

    Examples
    --------
    >>> list(run_chunks(pow, [(2, 3), (3, 2)]))
    [8, 9]
    """
    workers = min(threads(), len(jobs))
    if workers <= 1:
        yield from (fn(*job) for job in jobs)
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(lambda job: fn(*job), jobs)


def chunks(count: int, size: int | None = None) -> list[tuple[int, int]]:
    """Split ``range(count)`` into ``(lo, hi)`` slices of ``size`` (default: 16 slices).

    The split depends only on ``count`` and ``size``, never on the number of threads.

    Examples
    --------
    >>> chunks(5, 2)
    [(0, 2), (2, 4), (4, 5)]
    """
    step = size or max(1, -(-count // 16))
    return [(lo, min(lo + step, count)) for lo in range(0, count, step)]
