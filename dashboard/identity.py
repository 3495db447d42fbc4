"""Who is asking: the logged-in user of the current request (Flask-Login).

Its own module so that both :mod:`dashboard.roles` (which checks rights and records
refusals) and :mod:`dashboard.audit` (which writes who did what) read the user without
importing each other.
"""

from __future__ import annotations


def current_role() -> str | None:
    """Return the role of the logged-in user of this request, or None when anonymous."""
    from flask_login import current_user

    if not getattr(current_user, "is_authenticated", False):
        return None
    role: str = current_user.role
    return role


def current_username() -> str | None:
    """Return the user name of this request, or None when anonymous."""
    from flask_login import current_user

    if not getattr(current_user, "is_authenticated", False):
        return None
    name: str = current_user.id
    return name
