"""WSGI entry point for gunicorn: ``gunicorn dashboard.wsgi:server``.

Configured from the environment (``geotraf serve`` sets these for its workers):

- ``GEOTRAF_REGION``: bundled region name or path (default ``mekong``);
- ``GEOTRAF_USERS``: accounts TOML file (default ``$GEOTRAF_INSTANCE/users.toml``);
- ``GEOTRAF_WORKSPACE``: folder for user uploads;
- ``GEOTRAF_SECRET_KEY`` / ``GEOTRAF_INSTANCE``: read by :func:`dashboard.app.create_app`.

Every worker builds its own app from the same settings; region data is read lazily and
cached per process, so all workers answer alike.
"""

from __future__ import annotations

import os

from dashboard.app import create_app

app = create_app(
    region=os.environ.get("GEOTRAF_REGION", "mekong"),
    users_file=os.environ.get("GEOTRAF_USERS") or None,
    workspace=os.environ.get("GEOTRAF_WORKSPACE") or None,
    preload=True,
)
server = app.server
