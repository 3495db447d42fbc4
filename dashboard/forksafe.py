"""SQLite that a forked plan job can use while other server threads use it too.

Dash's disk-cache manager starts each background job (the plan) by forking the server
process, and that process has other threads (request threads, the preload thread) that
use SQLite at the same moment: sessions, throttling, the view cache and Dash's own job
cache. A thread inside SQLite at the instant of the fork can hold SQLite's global
memory-statistics mutex, which every allocation takes; the child inherits it locked and
hangs on its first SQLite call (seen as a plan that never finishes). SQLite keeps that
mutex only for its memory statistics, which geotraf never reads, so
:func:`disable_sqlite_memstatus` turns the statistics off before any connection is open.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

#: ``SQLITE_CONFIG_MEMSTATUS`` (sqlite3.h).
_CONFIG_MEMSTATUS = 9


@functools.cache  # once per process
def disable_sqlite_memstatus() -> bool:
    """Turn SQLite's memory statistics (and their global mutex) off; True when done.

    Must run before this process opens its first SQLite connection (it re-initialises
    the library); later calls do nothing. Returns False where the library cannot be
    reached or refuses (nothing changes then).

    Examples
    --------
    >>> isinstance(disable_sqlite_memstatus(), bool)
    True
    """
    name = ctypes.util.find_library("sqlite3")
    try:
        lib = ctypes.CDLL(name) if name else None
    except OSError:  # pragma: no cover - depends on the system
        lib = None
    return lib is not None and (
        lib.sqlite3_shutdown() == 0
        and lib.sqlite3_config(_CONFIG_MEMSTATUS, 0) == 0
        and lib.sqlite3_initialize() == 0
    )
