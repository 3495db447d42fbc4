"""Constants and types shared by the route-graph modules."""

from __future__ import annotations

from typing import Any

from numpy.typing import NDArray

#: Node kinds of the route graph.
NODE_KINDS: tuple[str, ...] = ("junction", "crossing", "place")
#: ``road_class`` of the edges that join a place to the road network.
ACCESS_CLASS = "access"
#: A node outside every polygon takes the country of the nearest one within this distance.
COUNTRY_SNAP_M = 5000.0
#: How many nearest road nodes a place considers when looking for one of its own country.
_ATTACH_CANDIDATES = 64
#: Positions along a line closer than this (degrees) are the same position.
_EPS = 1e-12

AnyArray = NDArray[Any]


class UnattachedPlacesWarning(UserWarning):
    """Some places are farther than ``max_attach_m`` from every road and were left out."""
