"""Noding by OpenStreetMap topology: split ways where they share a node (step 1, OSM input).

Ways of an OpenStreetMap extract that meet share a node id, so the junctions are known
without any geometric search: a vertex is a node of the route graph when it ends its
way, or when its node id is shared with another way that may meet this one there (the
same rules as geometric noding: bridges and tunnels are entered only at their ends, rail
and road meet only where one of them ends, ferries only at their ends). Everything else
follows :func:`geotraf.graph.noding._node_roads` -- closed ways get two nodes inside
them, roads are split where they pass nearest to a place, and node points closer than the
snapping tolerance become one node -- so on data where ways meet only at shared nodes
both give the same graph (``tests/test_graph_topology.py``).

What is *not* done, because the ids say it: ways that cross without a shared node do not
meet (OSM draws a bridge or a tunnel that way, or a missing ``layer`` tag), and a way
ending a few metres short of another stays a dead end, as in OSMnx.

All of it is numpy over the flat vertex arrays of :class:`~geotraf.graph.lines._Lines`;
no Python loop runs per way or per vertex.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from geotraf._geo import LocalProjection
from geotraf.graph._common import _EPS, AnyArray
from geotraf.graph.lines import _Lines, _linestrings_flat, _network_of
from geotraf.graph.noding import _anchor_events, _Anchors, _Events, _Pieces

if TYPE_CHECKING:
    from geotraf.graph.borders import _Countries

#: Network codes (``_network_of``): road, rail, ferry.
_ROAD, _RAIL, _FERRY = 0, 1, 2


def _network_codes(lines: _Lines) -> AnyArray:
    code = {"road": _ROAD, "rail": _RAIL, "ferry": _FERRY}
    return np.array([code[_network_of(c)] for c in lines.road_class], dtype=np.int8)


def _shared_breaks(
    node_id: AnyArray,
    line_of: AnyArray,
    is_end: AnyArray,
    network: AnyArray,
    bridge: AnyArray,
    tol: float,
) -> tuple[AnyArray, AnyArray]:
    """Which vertices are split points because another way meets them there.

    Returns ``(inner, meets)``: ``inner`` marks inner vertices where a way is split
    (another way crosses or ends there and may meet it); ``meets`` counts, per vertex,
    the meetings geometric noding would find there -- one per other way that crosses
    this one there, one more per other way that ends on it -- which weigh that point
    when nearby points merge.

    Examples
    --------
    Way 0 runs through nodes 1, 2, 3; way 1 starts at node 2 (a T-junction):

    >>> ids, line = np.array([1, 2, 3, 2, 4]), np.array([0, 0, 0, 1, 1])
    >>> end = np.array([True, False, True, True, True])
    >>> roads, no_bridge = np.zeros(2, dtype=np.int8), np.zeros(2, dtype=bool)
    >>> inner, meets = _shared_breaks(ids, line, end, roads, no_bridge, 5.0)
    >>> inner.tolist(), meets.tolist()
    ([False, True, False, False, False], [0, 2, 0, 1, 0])
    """
    n = len(node_id)
    inner = np.zeros(n, dtype=bool)
    meets = np.zeros(n, dtype=np.int64)
    order = np.argsort(node_id, kind="stable")
    sid = node_id[order]
    first = np.ones(n, dtype=bool)
    first[1:] = sid[1:] != sid[:-1]
    starts = np.flatnonzero(first)
    sizes = np.diff(np.append(starts, n))
    shared = sizes >= 2
    if not shared.any():
        return inner, meets
    g_start, g_size = starts[shared], sizes[shared]
    # Every ordered pair (a, b), a != b, of occurrences of one node id.
    reps = g_size * g_size
    pair_group = np.repeat(np.arange(len(g_start)), reps)
    within = np.arange(int(reps.sum())) - np.repeat(np.cumsum(reps) - reps, reps)
    size = g_size[pair_group]
    a = order[g_start[pair_group] + within // size]
    b = order[g_start[pair_group] + within % size]
    keep = line_of[a] != line_of[b]
    a, b = a[keep], b[keep]
    la, lb = line_of[a], line_of[b]
    na, nb = network[la], network[lb]
    free_a, free_b = ~bridge[la], ~bridge[lb]
    # Two ways truly intersect (rule of geometric noding's intersection step).
    crossing = (na == nb) & (na != _FERRY) & free_a & free_b
    # Way b ends on way a: joins it midway (rule of the snapping step).
    end_on = is_end[b] & (tol > 0) & free_a & ((na == _ROAD) | (na == nb))
    joins = crossing | end_on
    np.logical_or.at(inner, a[joins & ~is_end[a]], True)
    np.add.at(meets, a, crossing.astype(np.int64) + end_on.astype(np.int64))
    return inner, meets


def _node_by_ids(
    lines: _Lines,
    proj: LocalProjection,
    tol: float,
    *,
    anchors: _Anchors | None = None,
    countries: _Countries | None = None,
    max_attach_m: float = 0.0,
    pgeoms: AnyArray | None = None,
) -> tuple[_Pieces, AnyArray, AnyArray]:
    """Split lines into pieces between clustered node points, using OSM node ids.

    Same contract as :func:`geotraf.graph.noding._node_roads`: the pieces and the lon,
    lat arrays of the clusters (pieces' ``u``/``v`` index them). ``pgeoms``: the lines
    projected with ``proj``, if at hand (only needed to attach places).
    """
    assert lines.node_id is not None
    xy, offsets, node_id = lines.xy, lines.offsets, lines.node_id
    n_lines = len(lines)
    counts = np.diff(offsets)
    line_of = np.repeat(np.arange(n_lines), counts)
    local = np.arange(len(xy)) - offsets[line_of]
    is_end = (local == 0) | (local == counts[line_of] - 1)
    network = _network_codes(lines)
    bridge = np.asarray(lines.bridge, dtype=bool)
    inner, meets = _shared_breaks(node_id, line_of, is_end, network, bridge, tol)

    # Planar (degree) position of every vertex along its line, as noding measures it.
    seg = np.hypot(np.diff(xy[:, 0]), np.diff(xy[:, 1]))
    seg[is_end[1:] & (local[1:] == 0)] = 0.0  # no segment from one line to the next
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    cum = cum - cum[offsets[line_of]]

    vertex = np.flatnonzero(is_end | inner)
    ev_line = line_of[vertex]
    ev_pos = cum[vertex]
    ev_start = local[vertex] + 1  # a piece leaving this point starts with the next vertex
    ev_stop = local[vertex]  # ... and one arriving ends with the one before
    ev_prio = np.where(meets[vertex] > 0, 1, 0).astype(np.int64)
    # How many points geometric noding would put here: the meetings, else the way end.
    ev_weight = np.where(meets[vertex] > 0, meets[vertex], is_end[vertex]).astype(np.int64)
    ev_site = node_id[vertex]
    ev_lon, ev_lat = xy[vertex, 0], xy[vertex, 1]

    extra = _Events()
    # Closed ways get two nodes inside (as _loop_events): ends within tol of each other.
    sx, sy = proj.forward(xy[offsets[:-1], 0], xy[offsets[:-1], 1])
    ex, ey = proj.forward(xy[offsets[1:] - 1, 0], xy[offsets[1:] - 1, 1])
    closed = np.flatnonzero(np.hypot(ex - sx, ey - sy) <= max(tol, 0.0))
    if len(closed):
        loops = lines.geoms_of(closed)
        for share in (1 / 3, 2 / 3):
            pos = np.asarray(shapely.length(loops), dtype=float) * share
            pts = shapely.line_interpolate_point(loops, pos)
            pxy = shapely.get_coordinates(pts)
            extra.add(closed, pos, pxy[:, 0], pxy[:, 1], prio=0)
    if anchors is not None and len(anchors.lon):
        if pgeoms is None:
            pgeoms = _linestrings_flat(np.column_stack(proj.forward(xy[:, 0], xy[:, 1])), offsets)
        _anchor_events(lines, pgeoms, proj, anchors, countries, max_attach_m, extra)
    if extra.line:
        x_line, x_pos, x_lon, x_lat, x_prio = extra.arrays()
        x_pos = np.clip(x_pos, 0.0, np.asarray(shapely.length(lines.geoms_of(x_line)), dtype=float))
        x_start, x_stop = _vertex_span(cum, offsets, x_line, x_pos)
        # Points off the vertices are sites of their own (negative ids never clash).
        x_site = -1 - np.arange(len(x_line), dtype=np.int64)
        ev_line = np.concatenate([ev_line, x_line])
        ev_pos = np.concatenate([ev_pos, x_pos])
        ev_start = np.concatenate([ev_start, x_start])
        ev_stop = np.concatenate([ev_stop, x_stop])
        ev_prio = np.concatenate([ev_prio, x_prio])
        ev_weight = np.concatenate([ev_weight, np.ones(len(x_line), dtype=np.int64)])
        ev_site = np.concatenate([ev_site, x_site])
        ev_lon = np.concatenate([ev_lon, x_lon])
        ev_lat = np.concatenate([ev_lat, x_lat])

    label, clon, clat = _cluster_sites(ev_site, ev_lon, ev_lat, ev_prio, ev_weight, proj, tol)

    order = np.lexsort((ev_pos, ev_line))
    line, pos, lab = ev_line[order], ev_pos[order], label[order]
    start, stop = ev_start[order], ev_stop[order]
    # Runs of one cluster collapse; a piece runs from the last event of one run to the
    # first event of the next (as in _node_roads).
    k = np.flatnonzero(
        (line[1:] == line[:-1]) & (lab[1:] != lab[:-1]) & (pos[1:] - pos[:-1] > _EPS)
    )
    p_line, u, v = line[k], lab[k], lab[k + 1]
    first_v = offsets[p_line] + start[k]
    last_v = offsets[p_line] + stop[k + 1]
    inner_n = np.maximum(last_v - first_v, 0)
    sizes = inner_n + 2
    p_off = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    out = np.empty((int(p_off[-1]), 2))
    out[p_off[:-1]] = np.column_stack([clon[u], clat[u]])
    out[p_off[1:] - 1] = np.column_stack([clon[v], clat[v]])
    rep = np.repeat(np.arange(len(k)), inner_n)
    step = np.arange(int(inner_n.sum())) - np.repeat(np.cumsum(inner_n) - inner_n, inner_n)
    out[p_off[:-1][rep] + 1 + step] = xy[first_v[rep] + step]
    pieces = _Pieces.from_flat(p_line, u, v, out, p_off)
    return pieces, clon, clat


def _vertex_span(
    cum: AnyArray, offsets: AnyArray, line: AnyArray, pos: AnyArray
) -> tuple[AnyArray, AnyArray]:
    """For points at ``pos`` on ``line``: the first vertex after and the end of those before.

    As ``_cut`` decides it: vertices within ``1e-9`` of the line's length of the point
    are not kept.
    """
    start = np.empty(len(line), dtype=np.int64)
    stop = np.empty(len(line), dtype=np.int64)
    for i, (li, p) in enumerate(zip(line.tolist(), pos.tolist(), strict=True)):
        c = cum[offsets[li] : offsets[li + 1]]
        tiny = 1e-9 * (c[-1] + 1.0)
        start[i] = np.searchsorted(c, p + tiny, side="right")
        stop[i] = np.searchsorted(c, p - tiny, side="left")
    return start, stop


def _cluster_sites(
    site: AnyArray,
    lon: AnyArray,
    lat: AnyArray,
    prio: AnyArray,
    weight: AnyArray,
    proj: LocalProjection,
    tol: float,
) -> tuple[AnyArray, AnyArray, AnyArray]:
    """Merge node points closer than ``tol``; return each event's cluster and the centres.

    Every event of one site (an OSM node, or a point off the vertices) is at one place,
    so sites are clustered, not events. A cluster sits at the weighted mean of its sites
    of the highest priority (where ways meet, before mere way ends; a junction of more
    ways weighs more), so a short way's end moves onto the junction, not the junction
    onto it -- as geometric noding averages the points it found there.
    """
    sites, inverse = np.unique(site, return_inverse=True)
    first = np.full(len(sites), -1, dtype=np.int64)
    first[inverse[::-1]] = np.arange(len(site))[::-1]
    s_lon, s_lat = lon[first], lat[first]
    s_prio = np.zeros(len(sites), dtype=np.int64)
    np.maximum.at(s_prio, inverse, prio)
    s_weight = np.zeros(len(sites), dtype=float)
    np.add.at(s_weight, inverse, np.where(prio == s_prio[inverse], weight, 0))
    m = len(sites)
    if tol > 0:
        x, y = proj.forward(s_lon, s_lat)
        pairs = cKDTree(np.column_stack([x, y])).query_pairs(r=tol, output_type="ndarray")
    else:
        pairs = np.empty((0, 2), dtype=np.int64)
    label: AnyArray = np.arange(m)
    if len(pairs):
        graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(m, m))
        label = connected_components(graph.tocsr(), directed=False)[1]
    if tol <= 0:
        # Exact duplicates always merge, whatever the tolerance.
        key = pd.Series(list(zip(s_lon.round(12), s_lat.round(12), strict=True)))
        label = pd.factorize(key)[0]
    n_clusters = int(label.max()) + 1 if m else 0
    top = np.full(n_clusters, -1, dtype=np.int64)
    np.maximum.at(top, label, s_prio)
    member = s_prio == top[label]
    w = s_weight[member]
    total = np.bincount(label[member], weights=w, minlength=n_clusters)
    clon = np.bincount(label[member], weights=w * s_lon[member], minlength=n_clusters) / total
    clat = np.bincount(label[member], weights=w * s_lat[member], minlength=n_clusters) / total
    single = np.bincount(label[member], minlength=n_clusters) == 1
    # A cluster of one site sits exactly on it (no rounding through a mean).
    one = member & single[label]
    clon[label[one]] = s_lon[one]
    clat[label[one]] = s_lat[one]
    return label[inverse], clon, clat
