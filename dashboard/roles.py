"""Roles and the server-side check every callback and page layout goes through.

Roles are ranked ``donor < analyst < planner``; ``admin`` holds every right. A page that
is hidden from the navigation is not protected by that: :func:`requires_role` wraps each
callback so that a request posted straight to ``/_dash-update-component`` by a user below
the role is refused with HTTP 403 (and an audit line), whatever the browser shows.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from werkzeug.exceptions import Forbidden, Unauthorized

# Re-exported: pages and the app ask roles for the current user.
from dashboard.identity import current_role as current_role
from dashboard.identity import current_username as current_username

ROLES: tuple[str, ...] = ("donor", "analyst", "planner", "admin")
#: Rank of each role; a user may use what needs a rank at or below their own.
RANK: dict[str, int] = {role: rank for rank, role in enumerate(ROLES)}

P = ParamSpec("P")
R = TypeVar("R")


def allowed(role: str | None, required: str) -> bool:
    """Return True when ``role`` may use something that needs ``required``.

    Examples
    --------
    >>> allowed("planner", "analyst"), allowed("donor", "analyst"), allowed(None, "donor")
    (True, False, False)
    """
    if required not in RANK:
        raise ValueError(f"unknown role {required!r}; use one of {', '.join(ROLES)}")
    if role not in RANK:
        return False
    return RANK[role] >= RANK[required]


def check_role(required: str, *, what: str) -> None:
    """Raise 401/403 unless the request's user holds ``required``; audit a refusal.

    Parameters
    ----------
    required
        The lowest role allowed.
    what
        What was asked for (callback or page name), for the audit line.
    """
    from dashboard import audit

    role = current_role()
    if role is None:
        audit.record("denied", what=what, required="login")
        raise Unauthorized("log in first")
    if not allowed(role, required):
        audit.record("denied", what=what, required=required)
        raise Forbidden(f"{what} needs the {required} role")


def requires_role(required: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a Dash callback so it runs only for users holding ``required`` or above.

    Examples
    --------
    >>> @requires_role("analyst")
    ... def update(value: int) -> int:
    ...     return value
    >>> update.__wrapped__(3)
    3
    """
    if required not in RANK:
        raise ValueError(f"unknown role {required!r}; use one of {', '.join(ROLES)}")

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            check_role(required, what=func.__qualname__)
            return func(*args, **kwargs)

        wrapper.required_role = required  # type: ignore[attr-defined]
        return wrapper

    return decorate


def public(func: Callable[P, R]) -> Callable[P, R]:
    """Mark a callback that anonymous visitors may call (logging in, the page frame).

    Such a callback must return nothing but the login form or the frame's navigation.
    """
    func.public_callback = True  # type: ignore[attr-defined]
    return func


def is_public(func: Callable[..., Any]) -> bool:
    """Return True when a callback was marked with :func:`public`."""
    return bool(getattr(func, "public_callback", False))


def role_of(func: Callable[..., Any]) -> str | None:
    """Return the role a callback was decorated with, or None if it has no check."""
    role = getattr(func, "required_role", None)
    return role if isinstance(role, str) else None
