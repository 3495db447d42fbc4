"""geotraf's exception hierarchy.

Every error raised on purpose derives from :class:`GeotrafError`, so the CLI and the
dashboard can tell a user mistake (print the message, exit 2) from a bug (traceback).
As in NetworkX and OSMnx, an error that means "this value is wrong" is also a
:class:`ValueError`, so a notebook's ``except ValueError`` catches it, and a missing route
is also a :class:`networkx.NetworkXNoPath`::

    GeotrafError
    ├── LayerError      ValueError   (layers: file, row, column, value, fix for every problem)
    ├── InputError      ValueError   (an argument is out of range or of the wrong kind)
    ├── GraphError      ValueError   (the route graph cannot be built, loaded or used so)
    ├── PrivacyError    ValueError   (a request would reveal suppressed or person-level data)
    ├── PlanError       ValueError   (a checkpoint plan cannot be made with these inputs)
    └── NoRouteError    NetworkXNoPath (a flow has no path and the caller asked for one)

Examples
--------
>>> issubclass(PlanError, ValueError), issubclass(NoRouteError, nx.NetworkXNoPath)
(True, True)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx

from layers.errors import GeotrafError, LayerError, Problem

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "GeotrafError",
    "GraphError",
    "InputError",
    "LayerError",
    "NoRouteError",
    "PlanError",
    "PrivacyError",
    "Problem",
]


class InputError(GeotrafError, ValueError):
    """An argument has a value the function cannot use (out of range, unknown name)."""


class GraphError(GeotrafError, ValueError):
    """The route graph cannot be built, loaded or used as asked."""


class PrivacyError(GeotrafError, ValueError):
    """The request would reveal individual records or suppressed counts."""


class PlanError(GeotrafError, ValueError):
    """A checkpoint plan cannot be made with the given inputs."""


class NoRouteError(GeotrafError, nx.NetworkXNoPath):
    """No path joins the places of a flow, and the caller asked for every flow routed.

    Raised by ``geotraf.assign(..., strict=True)``; without ``strict`` unroutable flows
    are listed in ``Assignment.unrouted`` instead.

    Attributes
    ----------
    unrouted
        The ``Assignment.unrouted`` rows (``flow_id``, ``origin``, ``destination``,
        ``reason``, ``detail``, ``count``), or None.
    """

    def __init__(self, message: str, *, unrouted: pd.DataFrame | None = None) -> None:
        super().__init__(message)
        self.unrouted = unrouted
