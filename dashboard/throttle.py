"""Login throttling with Flask-Limiter, counted in the instance store shared by workers.

Flask-Limiter (through the ``limits`` package) does the rate arithmetic; its bundled
storages are in-process memory or network services (Redis, Memcached, MongoDB), and
``memory://`` would give each gunicorn worker its own count, so a guesser could spread
attempts over workers. :class:`InstanceStorage` registers the ``geotraf-sqlite`` scheme,
which keeps the counters in the instance's SQLite file (:mod:`dashboard.store`).

Two limits apply to *failed* logins (the plain form and the in-app form alike): per
account and per client address. Once either is reached every attempt on it is refused
with HTTP 429 (or the message in the in-app form) until the window ends, right password
or not, and an audit line ``throttled`` is written.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse_many
from limits.storage import Storage

from dashboard.store import InstanceStore

__all__ = ["CONFIG_ACCOUNT", "CONFIG_ADDRESS", "InstanceStorage", "LoginThrottle"]

#: Flask config keys (and environment variables of the same name) for the two limits.
CONFIG_ACCOUNT = "GEOTRAF_LOGIN_LIMIT_ACCOUNT"
CONFIG_ADDRESS = "GEOTRAF_LOGIN_LIMIT_ADDRESS"
DEFAULT_ACCOUNT = "5 per minute; 20 per hour"
DEFAULT_ADDRESS = "20 per minute; 100 per hour"


class InstanceStorage(Storage):
    """A ``limits`` storage on the instance SQLite file: ``geotraf-sqlite:///<path>``."""

    STORAGE_SCHEME = ["geotraf-sqlite"]  # noqa: RUF012 (the base class declares it so)

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **_: Any) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        path = (uri or "").split("://", 1)[-1]
        self.store = InstanceStore(path)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        import sqlite3

        return sqlite3.Error

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        return self.store.incr(key, expiry, amount)

    def get(self, key: str) -> int:
        return self.store.get(key)

    def get_expiry(self, key: str) -> float:
        return self.store.get_expiry(key)

    def check(self) -> bool:
        return True

    def reset(self) -> int | None:
        return self.store.clear_counters()

    def clear(self, key: str) -> None:
        self.store.clear(key)


@dataclass(frozen=True)
class Verdict:
    """Whether a login attempt may go ahead; if not, how long to wait."""

    allowed: bool
    retry_after_s: int = 0
    which: str = ""

    def message(self, t: Any) -> str:
        """The user-facing sentence (translated with ``t``)."""
        minutes = max(1, math.ceil(self.retry_after_s / 60))
        return str(
            t("Too many failed logins. Wait {minutes} min and try again.").format(minutes=minutes)
        )


class LoginThrottle:
    """Failed-login limits per account and per address, shared by every worker."""

    def __init__(self, server: Flask, *, store_path: str) -> None:
        self.limiter = Limiter(
            get_remote_address,
            app=server,
            storage_uri=f"geotraf-sqlite://{store_path}",
            strategy="fixed-window",
            default_limits=[],
            headers_enabled=False,
        )
        self.account_limits: list[RateLimitItem] = parse_many(
            str(server.config.get(CONFIG_ACCOUNT) or DEFAULT_ACCOUNT)
        )
        self.address_limits: list[RateLimitItem] = parse_many(
            str(server.config.get(CONFIG_ADDRESS) or DEFAULT_ADDRESS)
        )

    def _keys(self, username: str, address: str) -> list[tuple[RateLimitItem, str, str]]:
        return [
            *((item, "account", username.lower()[:64]) for item in self.account_limits),
            *((item, "address", address) for item in self.address_limits),
        ]

    def check(self, username: str, address: str) -> Verdict:
        """Return whether this account and address may try a password now."""
        strategy = self.limiter.limiter
        for item, which, ident in self._keys(username, address):
            if not strategy.test(item, "login-failed", which, ident):
                reset = strategy.get_window_stats(item, "login-failed", which, ident).reset_time
                return Verdict(False, int(max(1, reset - time.time())), which)
        return Verdict(True)

    def failed(self, username: str, address: str) -> None:
        """Count one failed attempt against the account and the address."""
        strategy = self.limiter.limiter
        for item, which, ident in self._keys(username, address):
            strategy.hit(item, "login-failed", which, ident)
