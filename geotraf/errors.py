"""geotraf's exception hierarchy.

Every error raised on purpose derives from :class:`GeotrafError`, so the CLI and the
dashboard can tell a user mistake (print the message, exit 2) from a bug (traceback).

    GeotrafError
    ├── LayerError      (layers: file, row, column, value, fix for every problem)
    ├── GraphError      (the route graph cannot be built or loaded)
    ├── NoRouteError    (a flow has no path: unattached place, disconnected, closed)
    ├── PrivacyError    (a request would reveal suppressed or person-level data)
    └── PlanError       (a checkpoint plan cannot be made with these inputs)
"""

from __future__ import annotations

from layers.errors import GeotrafError, LayerError, Problem

__all__ = [
    "GeotrafError",
    "GraphError",
    "LayerError",
    "NoRouteError",
    "PlanError",
    "PrivacyError",
    "Problem",
]


class GraphError(GeotrafError):
    """The route graph cannot be built, loaded or used as asked."""


class NoRouteError(GeotrafError):
    """No path joins the places of a flow."""


class PrivacyError(GeotrafError):
    """The request would reveal individual records or suppressed counts."""


class PlanError(GeotrafError):
    """A checkpoint plan cannot be made with the given inputs."""
