"""Audit log: one JSON line per login, page data view, plan run, export and refusal.

Lines are appended with a single ``write`` on a file opened ``O_APPEND`` so that several
gunicorn workers writing at once never interleave a line. Every line carries the time
(UTC), the user and their role; the log never holds counts or other data, only what was
looked at.
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

#: Flask config key holding the audit log path.
CONFIG_KEY = "GEOTRAF_AUDIT_LOG"
#: Longest user name and longest other text value written (characters).
MAX_USER = 64
MAX_TEXT = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def clean(value: Any, *, limit: int = MAX_TEXT) -> Any:
    """Return ``value`` fit for a log line: text cut to ``limit``, control characters out.

    Lists and dicts are cleaned item by item (at most 50 items); numbers, booleans and
    None pass as they are.

    Examples
    --------
    >>> clean("a\\nb" + "x" * 300)[:4], len(clean("x" * 300)), clean([1, "a\\tb"])
    ('a bx', 201, [1, 'a b'])
    """
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, list | tuple):
        return [clean(v, limit=limit) for v in list(value)[:50]]
    if isinstance(value, dict):
        return {clean(str(k), limit=40): clean(v, limit=limit) for k, v in list(value.items())[:50]}
    text = _CONTROL.sub(" ", str(value))
    return text if len(text) <= limit else text[:limit] + "…"


def append_line(path: str | os.PathLike[str], entry: dict[str, Any]) -> None:
    """Append one JSON object as a line to ``path`` atomically (one ``O_APPEND`` write).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "audit.jsonl"
    >>> append_line(p, {"event": "login"}); p.read_text()
    '{"event": "login"}\\n'
    """
    data = (json.dumps(entry, ensure_ascii=False, default=str) + "\n").encode("utf-8")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def record(event: str, *, user: str | None = None, role: str | None = None, **details: Any) -> None:
    """Write an audit line for the current request's user (or the given one).

    Parameters
    ----------
    event
        ``login``, ``login_failed``, ``logout``, ``view``, ``plan``, ``export`` or
        ``denied``.
    user, role
        Default to the logged-in user of the request.
    **details
        What was viewed or exported (page, filters, file type); never data values.
    """
    from flask import current_app, has_request_context, request

    from dashboard.identity import current_role, current_username

    path = current_app.config.get(CONFIG_KEY)
    if not path:
        return
    entry: dict[str, Any] = {
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "event": clean(event, limit=40),
        "user": clean(user if user is not None else current_username(), limit=MAX_USER),
        "role": clean(role if role is not None else current_role(), limit=40),
    }
    if has_request_context():
        entry["ip"] = clean(request.remote_addr, limit=64)
    for key, value in list(details.items())[:30]:
        entry.setdefault(clean(str(key), limit=40), clean(value))
    append_line(path, entry)


def read_log(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Return every entry of an audit log, oldest first (empty if the file is absent)."""
    p = Path(path)
    if not p.exists():
        return []
    return [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines() if line]
