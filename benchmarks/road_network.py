"""Generate a road-like network and write it as a real OpenStreetMap ``.osm.pbf``.

No national extract can be had offline, so the scale benchmark builds its own, shaped
like real road networks rather than like a lattice:

- **Junctions** on a jittered grid whose row and column spacing follow a smooth density
  profile: town bands (blocks of about 120 m) fade into countryside (about 1.5 km), so
  street lengths span an order of magnitude and more, as they do in OSM extracts.
- **Degree**: 22 % of the grid links are removed at random, leaving dead ends (degree 1),
  pass-through nodes (2), T-junctions (3) and crossroads (4), in roughly the shares of
  real extracts (most junctions of degree 3, about 10 % dead ends).
- **Ways**: every link is one OSM way of 2 to 5 nodes (0 to 3 shape nodes bowing it
  sideways), so it has several segments, like digitised roads.
- **Tags**: every 40th grid row/column is a ``primary`` road (``ref`` ``P<k>``,
  ``maxspeed`` 80), every 160th a ``trunk`` (100), the rest ``residential`` or
  ``unclassified``; 8 % of residential ways are ``oneway=yes``; 1 % are ``highway=footway``
  (which the reader drops and counts).

Node and way ids are sequential, so a file is the same for the same arguments.

Usage::

    python benchmarks/road_network.py --ways 1000000 --out /tmp/national.osm.pbf
"""

from __future__ import annotations

import argparse
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import osmium
import shapely

#: Degrees of latitude per metre.
DEG_PER_M = 1.0 / 111_320.0


@dataclass(frozen=True)
class NetworkStats:
    """What :func:`write_road_network` wrote."""

    nodes: int
    ways: int
    segments: int
    seconds: float


def _grid(ways: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, int]:
    """Junction lon/lat of a jittered, density-varying grid with about ``ways`` links."""
    keep = 0.78
    side = math.ceil(math.sqrt(ways / (2 * keep))) + 1
    t = np.arange(side) / side
    # Density along each axis: town centres of different sizes over countryside. Rows and
    # columns are spaced separately (a separable field), so streets never fold over.
    centres = [(0.3, 0.08), (0.7, 0.05), (0.2, 0.04), (0.85, 0.03)]
    dense = np.clip(sum(np.exp(-((t - a) ** 2) / (2 * s**2)) for a, s in centres), 0, 1)
    spacing = 1500.0 / (1.0 + 11.5 * dense)  # metres: ~120 in towns, 1500 outside
    x = np.cumsum(spacing) * DEG_PER_M
    y = np.cumsum(spacing[::-1]) * DEG_PER_M
    local = np.minimum.outer(spacing, spacing[::-1]) * DEG_PER_M  # the smaller block side
    lon = 2.0 + x[:, None] + rng.normal(0, 0.15, (side, side)) * local
    lat = 6.5 + y[None, :] + rng.normal(0, 0.15, (side, side)) * local
    return lon.ravel(), lat.ravel(), side


def _bend(
    lon: np.ndarray, lat: np.ndarray, a: int, b: int, n_shape: int, sideways: float
) -> np.ndarray:
    """The shape points of the link ``a``-``b``: ``n_shape`` points bowing it sideways."""
    ax, ay, bx, by = lon[a], lat[a], lon[b], lat[b]
    t = np.arange(1, n_shape + 1) / (n_shape + 1)
    off = sideways * np.sin(np.pi * t)
    return np.column_stack(
        [ax + (bx - ax) * t - (by - ay) * off, ay + (by - ay) * t + (bx - ax) * off]
    )


#: No way passes closer than this to a junction that is not one of its ends (metres):
#: OSM ways join only at shared nodes, and the route graph's largest snapping tolerance
#: (25 m) must not see a junction where there is none.
CLEARANCE_M = 30.0


def _crossing_links(
    lon: np.ndarray, lat: np.ndarray, links: np.ndarray, bends: list[np.ndarray], keep: np.ndarray
) -> np.ndarray:
    """Kept links that cross another kept link, or pass by a junction they do not end at."""
    idx = np.flatnonzero(keep)
    coords = [
        np.vstack(
            [[lon[links[i, 0]], lat[links[i, 0]]], bends[i], [lon[links[i, 1]], lat[links[i, 1]]]]
        )
        for i in idx.tolist()
    ]
    owner = np.repeat(np.arange(len(coords)), [len(c) for c in coords])
    geoms = shapely.linestrings(np.concatenate(coords), indices=owner)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="crosses")
    pairs = left < right
    used = np.unique(links[idx, :2])
    junctions = shapely.points(lon[used], lat[used])
    j, line = tree.query(junctions, predicate="dwithin", distance=CLEARANCE_M * DEG_PER_M)
    passing = (used[j] != links[idx[line], 0]) & (used[j] != links[idx[line], 1])
    return np.unique(idx[np.concatenate([left[pairs], right[pairs], line[passing]])])


def write_road_network(path: str | Path, *, ways: int, seed: int = 7) -> NetworkStats:
    """Write about ``ways`` road ways (and their nodes) to ``path`` (.osm.pbf or .osm).

    Examples
    --------
    >>> import tempfile
    >>> stats = write_road_network(Path(tempfile.mkdtemp()) / "n.osm.pbf", ways=500)
    >>> 450 < stats.ways < 560, stats.segments > stats.ways
    (True, True)
    """
    start = time.perf_counter()
    rng = np.random.default_rng(seed)
    lon, lat, side = _grid(ways, rng)
    path = Path(path)
    path.unlink(missing_ok=True)
    n_junctions = side * side
    next_node = n_junctions + 1
    n_ways = n_segments = 0
    links = []
    for a in range(n_junctions):
        r, c = divmod(a, side)
        if r + 1 < side:
            links.append((a, a + side, c))
        if c + 1 < side:
            links.append((a, a + 1, r))
    links_arr = np.array(links)
    links_arr = links_arr[rng.random(len(links_arr)) < 0.78]
    shapes = rng.integers(0, 4, len(links_arr))
    bow = rng.normal(0, 0.08, len(links_arr))
    kind = rng.random(len(links_arr))
    # Ways meet only at their shared junction nodes, as in OSM (where ways that cross
    # without a shared node are bridges, tunnels or errors): a bowed way that crosses
    # another or passes by a junction is drawn straight, and the few straight links that
    # still do are left out.
    bends = [
        _bend(lon, lat, a, b, n, w) for (a, b, _), n, w in zip(links_arr, shapes, bow, strict=True)
    ]
    keep = np.ones(len(links_arr), dtype=bool)
    for attempt in range(2):
        crossing = _crossing_links(lon, lat, links_arr, bends, keep)
        for i in crossing.tolist():
            if attempt == 0:
                bends[i] = np.empty((0, 2))
            else:
                keep[i] = False
    links_arr = links_arr[keep]
    kind = kind[keep]
    bends = [b for b, k in zip(bends, keep, strict=True) if k]
    # Pass 1: shape nodes (OSM files hold every node before the ways).
    shape_xy: list[tuple[float, float]] = []
    way_refs: list[list[int]] = []
    for (a, b, _), bend in zip(links_arr, bends, strict=True):
        refs = [int(a) + 1]
        for x, y in bend.tolist():
            shape_xy.append((x, y))
            refs.append(next_node)
            next_node += 1
        refs.append(int(b) + 1)
        way_refs.append(refs)
    with osmium.SimpleWriter(str(path)) as writer:
        for k in range(n_junctions):
            writer.add_node(osmium.osm.mutable.Node(id=k + 1, location=(lon[k], lat[k])))
        for k, xy in enumerate(shape_xy):
            writer.add_node(osmium.osm.mutable.Node(id=n_junctions + 1 + k, location=xy))
        for refs, (_, _, line), pick in zip(way_refs, links_arr, kind, strict=True):
            if line % 160 == 0:
                tags = {"highway": "trunk", "ref": f"T{line // 160}", "maxspeed": "100"}
            elif line % 40 == 0:
                tags = {"highway": "primary", "ref": f"P{line // 40}", "maxspeed": "80"}
            elif pick < 0.01:
                tags = {"highway": "footway"}
            elif pick < 0.09:
                tags = {"highway": "residential", "oneway": "yes"}
            else:
                tags = {"highway": "residential" if pick < 0.7 else "unclassified"}
            n_ways += 1
            writer.add_way(osmium.osm.mutable.Way(id=n_ways, nodes=refs, tags=tags))
            n_segments += len(refs) - 1
    return NetworkStats(next_node - 1, n_ways, n_segments, time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ways", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    stats = write_road_network(args.out, ways=args.ways, seed=args.seed)
    size = args.out.stat().st_size / 1e6
    print(
        f"{args.out}: {stats.ways:,} ways, {stats.segments:,} segments, {stats.nodes:,} nodes, "
        f"{size:.1f} MB, written in {stats.seconds:.1f} s"
    )


if __name__ == "__main__":
    main()
