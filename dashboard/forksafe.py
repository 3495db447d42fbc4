"""SQLite that a forked plan job can use while other server threads use it too.

Dash's disk-cache manager starts each background job (the plan) by forking the server
process, and that process has other threads (request threads, the preload thread) that
use SQLite at the same moment: sessions, throttling, the view cache and Dash's own job
cache. A thread inside SQLite at the instant of the fork can hold one of SQLite's global
("static") mutexes — memory statistics, the file-system lock table, the page cache, the
random-number generator…; the child inherits it locked and hangs on its first SQLite
call that needs it (seen as a plan that never finishes).

Two measures, both through SQLite's public C interface:

- :func:`disable_sqlite_memstatus` turns the memory statistics off before any connection
  is open: their mutex is taken by every allocation, and geotraf never reads them;
- :func:`guard_forks` registers fork handlers (:func:`os.register_at_fork`) that take
  every static SQLite mutex just before a fork and let them go just after it, in the
  parent and in the child, so the child never starts with one held by a thread it does
  not have. The mutexes are taken with ``sqlite3_mutex_try`` and all let go whenever one
  is busy, then tried again, so the handler never waits while holding one (no deadlock
  with a thread that takes two).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
import time

#: ``SQLITE_CONFIG_MEMSTATUS`` (sqlite3.h).
_CONFIG_MEMSTATUS = 9
#: ``SQLITE_MUTEX_STATIC_MAIN`` … ``SQLITE_MUTEX_STATIC_VFS3`` (sqlite3.h): main, memory,
#: open, PRNG, LRU, page memory, three for applications, three for the VFS.
_STATIC_MUTEXES = tuple(range(2, 14))
#: ``SQLITE_OK``.
_OK = 0
#: How long a fork waits at most for SQLite's mutexes before it goes ahead anyway.
_FORK_WAIT_S = 5.0


@functools.cache  # once per process
def _library() -> ctypes.CDLL | None:
    """The SQLite library this process's :mod:`sqlite3` uses, or None."""
    name = ctypes.util.find_library("sqlite3")
    try:
        lib = ctypes.CDLL(name) if name else None
    except OSError:  # pragma: no cover - depends on the system
        return None
    if lib is not None:
        lib.sqlite3_mutex_alloc.restype = ctypes.c_void_p
        lib.sqlite3_mutex_alloc.argtypes = [ctypes.c_int]
        for fn in (lib.sqlite3_mutex_try, lib.sqlite3_mutex_leave):
            fn.argtypes = [ctypes.c_void_p]
        lib.sqlite3_mutex_try.restype = ctypes.c_int
    return lib


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
    lib = _library()
    return lib is not None and (
        lib.sqlite3_shutdown() == 0
        and lib.sqlite3_config(_CONFIG_MEMSTATUS, 0) == 0
        and lib.sqlite3_initialize() == 0
    )


class _StaticMutexes:
    """SQLite's static mutexes, taken all together or not at all."""

    def __init__(self, lib: ctypes.CDLL) -> None:
        self._lib = lib
        handles = (lib.sqlite3_mutex_alloc(i) for i in _STATIC_MUTEXES)
        # A library built without threads has no mutexes (NULL).
        self._handles = [h for h in handles if h]
        self._held: list[int] = []

    def take(self) -> None:
        """Take every mutex; never wait while holding one."""
        deadline = time.monotonic() + _FORK_WAIT_S
        while True:
            for handle in self._handles:
                if self._lib.sqlite3_mutex_try(handle) != _OK:
                    self.release()
                    break
                self._held.append(handle)
            else:
                return
            if time.monotonic() > deadline:  # pragma: no cover - a stuck SQLite thread
                return
            time.sleep(0.0002)

    def release(self) -> None:
        """Let go of the mutexes taken (in reverse order)."""
        while self._held:
            self._lib.sqlite3_mutex_leave(self._held.pop())


@functools.cache  # once per process: fork handlers cannot be unregistered
def guard_forks() -> bool:
    """Make every fork of this process wait for SQLite's global mutexes; True when set.

    Returns False where the SQLite library cannot be reached (nothing changes then).

    Examples
    --------
    >>> isinstance(guard_forks(), bool)
    True
    """
    lib = _library()
    if lib is None:
        return False
    mutexes = _StaticMutexes(lib)
    os.register_at_fork(
        before=mutexes.take,
        after_in_parent=mutexes.release,
        after_in_child=mutexes.release,
    )
    return True
