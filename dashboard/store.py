"""The instance store: one SQLite file shared by every worker process of an instance.

It holds two small tables:

- ``sessions``: one row per login (random id, user, role, when it started, when it was
  last used, revoked or not). The signed session cookie only carries the id; every
  request is checked against this table, so logging out, an idle timeout or the
  absolute lifetime end a session even for a copy of the cookie.
- ``counters``: fixed-window counters for the login throttle (see
  :mod:`dashboard.throttle`), so that a guesser cannot spread attempts over workers.

SQLite in WAL mode with a busy timeout serialises writers across processes on one
machine without any extra service; each thread keeps its own connection.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["InstanceStore", "SessionRow"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    sid TEXT PRIMARY KEY,
    user TEXT NOT NULL,
    role TEXT NOT NULL,
    created REAL NOT NULL,
    seen REAL NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS counters (
    key TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    expires REAL NOT NULL
);
"""


@dataclass(frozen=True)
class SessionRow:
    """A live session: who, with which role, since when."""

    sid: str
    user: str
    role: str
    created: float
    seen: float


class InstanceStore:
    """Sessions and throttle counters in ``<instance>/security.sqlite``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> store = InstanceStore(pathlib.Path(tempfile.mkdtemp()) / "s.sqlite")
    >>> sid = store.create_session("ann", "donor")
    >>> store.check_session(sid, idle_s=60, lifetime_s=3600).user
    'ann'
    >>> store.revoke(sid); store.check_session(sid, idle_s=60, lifetime_s=3600) is None
    True
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = str(path)
        self._local = threading.local()
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        # Create the file private (0600) before SQLite opens it; WAL files copy its mode.
        os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
        conn = self._lock_free_connection()
        try:
            conn.executescript(_SCHEMA)
        finally:
            conn.close()

    def _lock_free_connection(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        conn.execute("PRAGMA busy_timeout = 30000")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "pid", None) != os.getpid():
            conn = self._lock_free_connection()
            self._local.conn = conn
            self._local.pid = os.getpid()
        return conn

    # -- sessions ----------------------------------------------------------------------

    def create_session(self, user: str, role: str, *, now: float | None = None) -> str:
        """Start a session; return its random id (256 bits from the OS)."""
        sid = secrets.token_urlsafe(32)
        at = time.time() if now is None else now
        self._conn().execute(
            "INSERT INTO sessions (sid, user, role, created, seen) VALUES (?, ?, ?, ?, ?)",
            (sid, user, role, at, at),
        )
        return sid

    def check_session(
        self, sid: object, *, idle_s: float, lifetime_s: float, now: float | None = None
    ) -> SessionRow | None:
        """Return the live session ``sid``, or None when unknown, revoked, idle or too old.

        A live session's last use is refreshed (at most once per ``idle_s / 10``, so a
        busy page does not write on every callback).
        """
        if not isinstance(sid, str) or not sid:
            return None
        at = time.time() if now is None else now
        row = (
            self._conn()
            .execute(
                "SELECT user, role, created, seen, revoked FROM sessions WHERE sid = ?", (sid,)
            )
            .fetchone()
        )
        if row is None:
            return None
        user, role, created, seen, revoked = row
        if revoked or at - created > lifetime_s or at - seen > idle_s:
            return None
        if at - seen > min(60.0, idle_s / 10):
            self._conn().execute("UPDATE sessions SET seen = ? WHERE sid = ?", (at, sid))
            seen = at
        return SessionRow(sid, user, role, created, seen)

    def revoke(self, sid: object) -> None:
        """End a session for good (logout)."""
        if isinstance(sid, str) and sid:
            self._conn().execute("UPDATE sessions SET revoked = 1 WHERE sid = ?", (sid,))

    def purge(self, *, older_than_s: float, now: float | None = None) -> int:
        """Delete sessions that started more than ``older_than_s`` ago; return how many."""
        at = time.time() if now is None else now
        cur = self._conn().execute("DELETE FROM sessions WHERE created < ?", (at - older_than_s,))
        return int(cur.rowcount)

    # -- counters ----------------------------------------------------------------------

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        """Add ``amount`` to a fixed-window counter; a window ends ``expiry`` s after it opened."""
        now = time.time()
        row = (
            self._conn()
            .execute(
                """
            INSERT INTO counters (key, count, expires) VALUES (?, ?, ?)
            ON CONFLICT(key) DO UPDATE SET
                count = CASE WHEN counters.expires <= ? THEN excluded.count
                             ELSE counters.count + excluded.count END,
                expires = CASE WHEN counters.expires <= ? THEN excluded.expires
                               ELSE counters.expires END
            RETURNING count
            """,
                (key, amount, now + expiry, now, now),
            )
            .fetchone()
        )
        return int(row[0])

    def get(self, key: str) -> int:
        """Return a counter's value in its current window (0 when none)."""
        row = (
            self._conn()
            .execute("SELECT count FROM counters WHERE key = ? AND expires > ?", (key, time.time()))
            .fetchone()
        )
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        """Return when a counter's window ends (now when it has none)."""
        row = self._conn().execute("SELECT expires FROM counters WHERE key = ?", (key,)).fetchone()
        return float(row[0]) if row else time.time()

    def clear(self, key: str) -> None:
        """Remove one counter."""
        self._conn().execute("DELETE FROM counters WHERE key = ?", (key,))

    def clear_counters(self) -> int:
        """Remove every counter; return how many there were."""
        return int(self._conn().execute("DELETE FROM counters").rowcount)
