"""Answers computed at start-up, so that the usual filter states are never cold.

A new Overview state costs a tenth to a third of a second of figure building, a new
Corridors state up to a fifth (more while other requests share the worker); under load
every such miss also holds up the requests queued behind it. The server therefore
stores, before users arrive, the answers to the filter states people open most: each
page's default view, and the states an operator lists in a JSON file (``$GEOTRAF_WARM_STATES``)::

    {"overview": ["", "?from=2023&to=2023&exploitation=sexual"],
     "corridors": ["?sex=female", "?from=2020&to=2024"]}

— page addresses' query strings, as the address bar shows them (the audit log's
``view`` lines tell which states are asked for). Each is computed for every role that
may open the page, in the default language, through the same code and the same cache
keys as the callbacks (:func:`dashboard.pages.corridors.warm_answer`,
:func:`dashboard.pages.overview.warm_answer`). A state is computed once, as the lowest
role that may open the page, and that answer is stored for the higher roles too: the
pages' answers do not depend on the role (a test compares them role by role), and were
one ever to, a higher role would be shown less, never a lower role more. Nothing is
audited: no user viewed anything. The Overview's answers hold the basemap's absolute
URLs, so they are computed for the address the server is reached at (``$GEOTRAF_URL``,
which ``geotraf serve`` sets from its bind address).

Several workers share the disk cache: each walks the list in its own order, so that two
workers compute different states at once, then reads every answer into its own memory.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from flask import Flask

__all__ = ["ENV_STATES", "ENV_URL", "read_states", "warm_answers"]

#: JSON file of the states to compute at start-up (page → list of query strings).
ENV_STATES = "GEOTRAF_WARM_STATES"
#: The root URL the server is reached at (``http://host:port/``).
ENV_URL = "GEOTRAF_URL"
#: Pages whose answers are warmed, with the lowest role that may open each.
PAGES: dict[str, str] = {"overview": "donor", "corridors": "analyst"}
#: States warmed when no file is given: each page's default view.
DEFAULT_STATES: dict[str, list[str]] = {page: [""] for page in PAGES}


def read_states(path: str | os.PathLike[str] | None) -> dict[str, list[str]]:
    """Return the states to warm: ``path``'s (page → query strings), else the defaults.

    Examples
    --------
    >>> read_states(None)
    {'overview': [''], 'corridors': ['']}
    """
    from geotraf.errors import GeotrafError

    if not path:
        return {page: list(states) for page, states in DEFAULT_STATES.items()}
    try:
        found = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise GeotrafError(
            f"{path}: cannot read the warm-up states ({exc}); fix the file or unset {ENV_STATES}"
        ) from exc
    if not isinstance(found, dict) or not all(
        page in PAGES and isinstance(v, list) and all(isinstance(q, str) for q in v)
        for page, v in found.items()
    ):
        raise GeotrafError(
            f"{path}: expected {{page: [query string, …]}} with pages among "
            f'{", ".join(PAGES)}, e.g. {{"overview": ["?from=2023&to=2023"]}}'
        )
    return {page: list(v) for page, v in found.items()}


def warm_answers(
    server: Flask,
    *,
    base_url: str,
    states: Mapping[str, Sequence[str]],
    seed: int | None = None,
) -> dict[str, Any]:
    """Compute (or read) and store the answers to ``states`` for every role of each page.

    Parameters
    ----------
    server
        The dashboard's Flask app (its view cache and data).
    base_url
        The root URL users reach the server at.
    states
        Page → query strings (see :func:`read_states`).
    seed
        Order of the walk (default: this process's id, so workers differ).

    Returns
    -------
    dict
        ``answers`` stored or found, ``failed`` (states whose answer raised; the callback
        will report them to the user) and ``seconds``.
    """
    from flask import g, session
    from flask_login import login_user

    from dashboard.auth import User
    from dashboard.data import SOURCE_SESSION_KEY
    from dashboard.pages import corridors, overview
    from dashboard.roles import ROLES, allowed
    from dashboard.viewcache import SHARE_WITH
    from geotraf.errors import GeotrafError

    warmers = {"overview": overview.warm_answer, "corridors": corridors.warm_answer}
    roles = {page: [r for r in ROLES if allowed(r, PAGES[page])] for page in states}
    # Computed once, as the lowest role that may open the page, stored for the others.
    walk = [(roles[page], page, query) for page, query in _pairs(states)]
    random.Random(os.getpid() if seed is None else seed).shuffle(walk)
    reads = [([role], page, query) for page, query in _pairs(states) for role in roles[page]]
    start = time.monotonic()
    failed: set[tuple[str, str]] = set()
    for order in (walk, reads):  # compute in this worker's order, then read all in
        for page_roles, page, query in order:
            with server.test_request_context("/", base_url=base_url):
                login_user(User("warm-up", page_roles[0]))
                session[SOURCE_SESSION_KEY] = "bundled"  # the region, not a workspace
                setattr(g, SHARE_WITH, tuple(page_roles[1:]))
                try:
                    warmers[page](dict(parse_qsl(query.lstrip("?"))))
                except GeotrafError:
                    failed.add((page, query))
    return {
        "answers": len(reads),
        "failed": sorted(failed),
        "seconds": round(time.monotonic() - start, 1),
    }


def _pairs(states: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    return [(page, query) for page, queries in states.items() for query in queries]


def warm_from_environment(server: Flask) -> None:
    """Warm the states of ``$GEOTRAF_WARM_STATES`` for ``$GEOTRAF_URL``; say so on stderr.

    Does nothing without ``$GEOTRAF_URL`` (the address is not known).
    """
    base_url = os.environ.get(ENV_URL, "")
    if not base_url:
        return
    from geotraf.errors import GeotrafError

    try:
        states = read_states(os.environ.get(ENV_STATES) or None)
    except GeotrafError as exc:
        print(f"geotraf warm-up: {exc}", file=sys.stderr, flush=True)
        return
    try:
        done = warm_answers(server, base_url=base_url, states=states)
    except Exception as exc:  # a background thread: say why, the server answers anyway
        print(f"geotraf warm-up failed: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        return
    print(
        f"geotraf warm-up done: {done['answers']} answers in {done['seconds']} s"
        + (f"; failed: {done['failed']}" if done["failed"] else ""),
        file=sys.stderr,
        flush=True,
    )
