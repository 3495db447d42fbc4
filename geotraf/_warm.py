"""Load the compiled routing kernels before they are needed (see :func:`warm_up`)."""

from __future__ import annotations

import networkx as nx
import numpy as np

from geotraf import _alternatives, _paths, _trees, _yen
from geotraf._csr import csr_view


def warm_up() -> None:
    """Load (or, without a cache, compile) every routing kernel on a 3-node graph.

    numba compiles a kernel on its first call (tens of seconds without a cache, about a
    second with one). Call this once at start so that no request waits for it (the test
    session does, in tests/conftest.py).

    Examples
    --------
    >>> warm_up()
    """
    G = nx.MultiDiGraph()
    for u, v, t in [("a", "b", 1.0), ("b", "c", 1.0), ("a", "c", 3.0), ("c", "a", 1.0)]:
        G.add_edge(u, v, travel_time_s=t)
    view = csr_view(G)
    _trees.tree_loads(view, [0], [2], [1.0])
    ps = _paths.shortest_paths(view, [0], [2])
    _yen.path_costs(view, ps.edges, ps.edge_offsets)
    _yen.yen(view, ps.node_path(0), 3, _yen.distances_to(view, [2])[0])
    _alternatives.direct_routes(view, np.array([0]), np.array([2]), 2, "k_shortest", 0.05, None)
