"""Run one piece of untrusted-input work in a child process with a time and memory bound.

An upload is parsed by GDAL, pyarrow and pandas; a small file can still ask for minutes of
CPU or gigabytes of memory (a compressed extract, a pathological geometry). Parsing it in
the web worker would stall every user that worker serves. Here the work runs in a fresh
(``spawn``) child whose address space is capped with ``RLIMIT_AS`` and which is killed
when it overruns its time, so the worker only waits, and a bomb costs the child alone.
"""

from __future__ import annotations

import multiprocessing
import resource
from collections.abc import Callable
from typing import Any

from layers.errors import GeotrafError

__all__ = ["LimitError", "run_bounded"]

#: Address space a child may take (bytes): room for Python, GDAL and pyarrow plus data.
MEMORY_BYTES = 4 * 2**30
#: Seconds a child may run.
SECONDS = 60.0


class LimitError(GeotrafError):
    """The work ran out of its time or memory; ``what`` says which."""

    def __init__(self, what: str) -> None:
        self.what = what
        super().__init__(what)


def _child(conn: Any, memory_bytes: int, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    try:
        conn.send(("ok", fn(*args)))
    except MemoryError:
        conn.send(("memory", None))
    except Exception as exc:  # handed back to the parent, which decides what it means
        conn.send(("error", exc))
    finally:
        conn.close()


def run_bounded(
    fn: Callable[..., Any],
    *args: Any,
    seconds: float = SECONDS,
    memory_bytes: int = MEMORY_BYTES,
) -> Any:
    """Return ``fn(*args)`` computed in a child process, or raise what it raised.

    ``fn`` must be a module-level function and its arguments and result picklable.

    Raises
    ------
    LimitError
        ``"time"`` when the child ran past ``seconds`` (it is killed), ``"memory"`` when it
        could not get the memory it asked for, ``"crash"`` when it died without answering.

    Examples
    --------
    >>> run_bounded(divmod, 7, 2)
    (3, 1)
    """
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(child, memory_bytes, fn, args), daemon=True)
    process.start()
    child.close()
    try:
        if not parent.poll(seconds):
            raise LimitError("time")
        try:
            status, value = parent.recv()
        except EOFError:
            raise LimitError("crash") from None
    finally:
        if process.is_alive():
            process.kill()
        process.join(5)
        parent.close()
    if status == "ok":
        return value
    if status == "memory":
        raise LimitError("memory")
    raise value
