"""Cache of callback results keyed by (data version, normalised filter state).

Under load most requests repeat a filter state someone has already asked for (people
click the same few filters), yet the Corridors tables take about a second and the
Overview figures half a second to build. The cache sits at the callback layer, above the
models, so what the models compute may change freely: a result is reused only for the
same callback, the same region files (their names, sizes and modification times), the
same release (its id and the fingerprint of its values: a forced re-release of the same
data draws new noise under the same id), the same normalised inputs, the same language
and the same role.

Two levels: a small in-memory LRU per worker (no copy, no I/O), then a disk cache in the
instance folder shared by every worker (``diskcache``, SQLite; files 0600), so a state
computed by one worker is not computed again by the other. Within a worker, concurrent
requests for the same new state, in any worker, wait for one computation instead of
each doing it.
Role checks and audit lines stay outside: a cached answer is still checked and recorded.

A whole callback answer is stored as the JSON text Dash would send (:func:`cached_answer`):
a hit decodes it to plain lists and dicts, which Dash re-encodes at C speed, so a hit
builds no Dash component and no plotly figure (building and encoding the component
trees was half of a warm Corridors answer), and the text is small to keep and to share.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

__all__ = [
    "EXTENSION",
    "ViewCache",
    "cached",
    "cached_answer",
    "cached_callback",
    "data_version",
    "normalise",
]

#: ``server.extensions`` key of the app's cache.
EXTENSION = "geotraf_views"
#: Seconds a result stays in the shared disk cache.
TTL_S = 3600
#: ``flask.g`` attribute: roles a computed answer is stored for too (the warm-up's).
SHARE_WITH = "geotraf_answer_also_for"
#: Results kept in each worker's memory: the usual filter states of both pages (60 + 80
#: in the load benchmark) for a few roles and languages; an answer is ~50 KB of text.
MEMORY_ITEMS = 1024

P = ParamSpec("P")
R = TypeVar("R")


def normalise(value: Any) -> Any:
    """Return a filter value in a canonical form: lists of text sorted, tuples as lists.

    Examples
    --------
    >>> normalise([["sex", ["male", "female"]], None, [2018, 2024]])
    [['sex', ['female', 'male']], None, [2018, 2024]]
    """
    if isinstance(value, list | tuple):
        items = [normalise(v) for v in value]
        if items and all(isinstance(v, str) for v in items):
            return sorted(items)
        return items
    if isinstance(value, dict):
        return {str(k): normalise(v) for k, v in sorted(value.items())}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return normalise(dataclasses.asdict(value))
    return value


def data_version(path: str | os.PathLike[str]) -> str:
    """Return a short fingerprint of a region's files (names, sizes, modification times).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> before = data_version(folder)
    >>> _ = (folder / "flows.csv").write_text("x")
    >>> before != data_version(folder)
    True
    """
    p = Path(path)
    entries: list[tuple[str, int, int]] = []
    try:
        st = p.stat()
        entries.append((p.name, st.st_mtime_ns, st.st_size))
        if p.is_dir():
            with os.scandir(p) as it:
                for entry in it:
                    est = entry.stat()
                    entries.append((entry.name, est.st_mtime_ns, est.st_size))
    except OSError:
        entries.append(("missing", 0, 0))
    return hashlib.sha256(repr(sorted(entries)).encode()).hexdigest()[:16]


class ViewCache:
    """Memory LRU in front of a disk cache shared by the instance's workers."""

    def __init__(self, folder: str | os.PathLike[str], *, memory_items: int = MEMORY_ITEMS) -> None:
        import diskcache

        Path(folder).mkdir(parents=True, exist_ok=True, mode=0o700)
        self.disk = diskcache.Cache(str(folder), size_limit=256 * 2**20)
        for item in [Path(folder), *Path(folder).rglob("*")]:
            item.chmod(0o700 if item.is_dir() else 0o600)
        self.memory: OrderedDict[str, Any] = OrderedDict()
        self.memory_items = memory_items
        self.lock = threading.Lock()
        self.computing: dict[str, threading.Lock] = {}
        self.hits = 0
        self.misses = 0

    def get_or_compute(self, key: str, compute: Callable[[], R]) -> R:
        """Return the cached result for ``key``, computing (and storing) it when absent."""
        found, value = self._lookup(key)
        if found:
            return value
        with self.lock:
            gate = self.computing.setdefault(key, threading.Lock())
        import diskcache

        # One computation per key: threads of this worker wait on ``gate``, the other
        # workers on a lock in the shared cache (held at most a minute).
        with gate, diskcache.Lock(self.disk, f"computing:{key}", expire=60):
            found, value = self._lookup(key)
            if found:
                return value
            result = compute()
            with self.lock:
                self.misses += 1
                self._remember(key, result)
                self.computing.pop(key, None)
            # A result that cannot be pickled stays in this worker's memory only.
            with contextlib.suppress(Exception):
                self.disk.set(key, result, expire=TTL_S)
            return result

    def put(self, key: str, value: Any) -> None:
        """Store ``value`` under ``key`` (both levels) unless it is there already."""
        found, _ = self._lookup(key)
        if not found:
            with self.lock:
                self._remember(key, value)
            self.disk.set(key, value, expire=TTL_S)

    def _lookup(self, key: str) -> tuple[bool, Any]:
        with self.lock:
            if key in self.memory:
                self.memory.move_to_end(key)
                self.hits += 1
                return True, self.memory[key]
        missing = object()
        value = self.disk.get(key, default=missing)
        if value is missing:
            return False, None
        with self.lock:
            self.hits += 1
            self._remember(key, value)
        return True, value

    def _remember(self, key: str, value: Any) -> None:
        self.memory[key] = value
        self.memory.move_to_end(key)
        while len(self.memory) > self.memory_items:
            self.memory.popitem(last=False)


def key_for(name: str, parts: Hashable | Any, *, role: str | None = None) -> str:
    """Return the cache key of ``name`` for the current request's data, language and role
    (or ``role``).

    ``parts`` should already be normalised (:func:`normalise`) where order does not matter.
    """
    from flask import current_app

    from dashboard import i18n
    from dashboard.data import CONFIG_KEY, active_key
    from dashboard.roles import current_role

    # The active key names the user's own workspace data (and its version) when they have
    # uploaded some, so one user's results are never served to another.
    material = [
        name,
        active_key(),
        data_version(str(current_app.config[CONFIG_KEY])),
        _release_of_view(),
        i18n.current_language(),
        role or current_role(),
        parts,
    ]
    text = json.dumps(material, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()


def _release_of_view() -> list[Any]:
    """The release behind this request's numbers: its id and values' fingerprint.

    A worker that still holds an older release keys its answers by that one, so no
    worker is ever served another release's numbers from the shared disk cache.
    """
    from dashboard.data import current_view
    from geotraf.errors import GeotrafError

    try:
        protection = current_view().protection
    except GeotrafError:  # the callback reports it; nothing of a release to key on
        return ["no release"]
    return [protection.get("release_id"), protection.get("fingerprint")]


def cached(name: str, parts: list[Any], compute: Callable[[], R]) -> R:
    """Return ``compute()``, reused for the same ``name``, inputs and data version.

    Each of ``parts`` is normalised (:func:`normalise`; dataclasses by their fields).
    """
    from flask import current_app

    cache: ViewCache | None = current_app.extensions.get(EXTENSION)
    if cache is None:
        return compute()
    key = key_for(name, [normalise(part) for part in parts])
    return cache.get_or_compute(key, compute)


def cached_answer(name: str, parts: list[Any], compute: Callable[[], Any]) -> Any:
    """Return ``compute()`` as the plain JSON values Dash would send, stored as JSON text.

    Like :func:`cached`, keyed by ``name``, the normalised ``parts``, data, release,
    language and role. The result is encoded once, the way Dash encodes callback outputs
    (:func:`plotly.io.json.to_json_plotly`), so the answer sent is the same either way.
    Without a cache (an app built without one) ``compute()`` is returned as it is.

    Examples
    --------
    >>> from flask import Flask
    >>> with Flask("doc").app_context():
    ...     cached_answer("doc", [], lambda: ("a", 1))
    ('a', 1)
    """
    from flask import current_app

    cache: ViewCache | None = current_app.extensions.get(EXTENSION)
    if cache is None:
        return compute()

    def encoded() -> str:
        from plotly.io.json import to_json_plotly

        text: str = to_json_plotly(compute())
        return text

    normalised = [normalise(part) for part in parts]
    text = cache.get_or_compute(key_for(f"answer:{name}", normalised), encoded)
    from flask import g

    # The warm-up computes a state once, as the lowest role that may see it, and stores
    # the same answer for the roles above (which see at least as much, never less).
    for role in g.get(SHARE_WITH, ()):
        cache.put(key_for(f"answer:{name}", normalised, role=role), text)
    return json.loads(text)


def cached_callback(name: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a callback whose result depends only on its inputs and the region data.

    Put it *under* :func:`dashboard.roles.requires_role`, so the role is checked on every
    call, and only on callbacks that write no audit line themselves.
    """

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            return cached(name, [*args, kwargs], lambda: func(*args, **kwargs))

        return wrapper

    return decorate
