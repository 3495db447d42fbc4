"""Import roads from an OpenStreetMap extract (``.osm.pbf``, ``.osm``, ``.osm.bz2``/``.gz``).

pyosmium streams the file (node locations in a compact index, ways one at a time). Ways
are mapped to the roads schema; ways that are not roads, ferries or railways, and road
ways with fewer than two nodes inside the extract, are dropped and counted in
``attrs["dropped"]``. :func:`parse_other_tags` reads GDAL's hstore text, for files
exported by GDAL's OSM driver.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import osmium
import pandas as pd
import shapely
from numpy.typing import NDArray

from layers._validate import validate
from layers._values import hostile
from layers.errors import file_error

#: OSM ``highway=*`` → geotraf road class.
HIGHWAY_CLASS: dict[str, str] = {
    "motorway": "motorway",
    "motorway_link": "motorway",
    "trunk": "trunk",
    "trunk_link": "trunk",
    "primary": "primary",
    "secondary": "secondary",
    "tertiary": "tertiary",
    "unclassified": "tertiary",
    "residential": "tertiary",
    "living_street": "tertiary",
    "service": "tertiary",
    "track": "track",
    "path": "track",
}
#: How ways with neither a ``highway`` nor a ``railway`` tag are counted.
NOT_A_ROAD = "no highway or railway tag"
#: Why a road way with no usable stretch is left out.
OUTSIDE = "fewer than two nodes inside the extract"
#: ``highway`` values OSM treats as one-way unless tagged ``oneway=no``.
IMPLIED_ONEWAY: frozenset[str] = frozenset({"motorway"})
MPH_TO_KPH = 1.609344

_TAG = re.compile(r'"((?:[^"\\]|\\.)*)"=>"((?:[^"\\]|\\.)*)"')
_SPEED = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?\s*$", re.IGNORECASE)


def parse_other_tags(text: object) -> dict[str, str]:
    """Parse GDAL's hstore ``other_tags`` text into a dict.

    Examples
    --------
    >>> parse_other_tags('"ref"=>"AH1","oneway"=>"yes"')
    {'ref': 'AH1', 'oneway': 'yes'}
    """
    if not isinstance(text, str):
        return {}
    return {k.replace('\\"', '"'): v.replace('\\"', '"') for k, v in _TAG.findall(text)}


def parse_maxspeed(value: object) -> float | None:
    """Return an OSM ``maxspeed`` in km/h; None for zone codes, ``none`` or bad values.

    Examples
    --------
    >>> parse_maxspeed("50"), parse_maxspeed("50 mph"), parse_maxspeed("RU:urban")
    (50.0, 80.4672, None)
    """
    if not isinstance(value, str):
        return None
    first = value.split(";")[0]
    match = _SPEED.match(first)
    if match is None:
        return None
    speed = float(match.group(1))
    if (match.group(2) or "").lower() == "mph":
        speed *= MPH_TO_KPH
    return round(speed, 4) if 0 < speed <= 200 else None


def parse_oneway(value: object, *, implied: bool = False) -> tuple[bool, bool]:
    """Return (one-way, reversed) from an OSM ``oneway`` value.

    ``-1`` means one-way against the way's drawing direction, so the geometry is
    reversed. Values such as ``reversible`` (changes by time of day) count as two-way.

    Examples
    --------
    >>> parse_oneway("yes"), parse_oneway("-1"), parse_oneway(None)
    ((True, False), (True, True), (False, False))
    """
    word = value.strip().lower() if isinstance(value, str) else ""
    if word in ("yes", "1", "true"):
        return True, False
    if word == "-1":
        return True, True
    if word in ("no", "0", "false"):
        return False, False
    return implied, False


def _road_class(highway: object, railway: object, tags: dict[str, str]) -> str | None:
    if tags.get("route") == "ferry":
        return "ferry"
    if railway == "rail":
        return "rail"
    if isinstance(highway, str):
        return HIGHWAY_CLASS.get(highway)
    return None


def _dropped_key(highway: object, railway: object, tags: dict[str, str]) -> str:
    for key, value in (("highway", highway), ("railway", railway)):
        if isinstance(value, str):
            return f"{key}={value}"
    return NOT_A_ROAD


def _open(path: Path) -> Any:
    """Return an osmium FileProcessor for ``path`` with node locations on ways."""
    fmt = "pbf" if path.name.lower().endswith(".pbf") else ""
    source = osmium.io.File(str(path), fmt) if fmt else str(path)
    return (
        osmium.FileProcessor(source, osmium.osm.NODE | osmium.osm.WAY)
        .with_locations()
        .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
    )


@dataclass(frozen=True, eq=False)
class OsmNodeIds:
    """The OpenStreetMap node id of every vertex of the roads read from an extract.

    Ways that meet share a node, so these ids are the network's own topology: the route
    graph builder splits roads at shared nodes instead of searching for intersections.
    Road ``road_id[i]`` has the ids ``ids[offsets[i]:offsets[i + 1]]``, one per vertex of
    its geometry in order (the parts of a MultiLineString one after the other).

    Kept in ``roads.attrs["osm_node_ids"]``; pandas copies ``attrs`` with ``deepcopy`` on
    most operations, so the (read-only) arrays are shared, not copied.

    Examples
    --------
    >>> import numpy as np
    >>> t = OsmNodeIds(("osm-w1", "osm-w2"), np.array([0, 2, 5]), np.array([7, 8, 8, 9, 10]))
    >>> t.vertex_ids(np.array(["osm-w2", "osm-w1"], dtype=object), np.array([3, 2]), 5)
    array([ 8,  9, 10,  7,  8])
    >>> t.vertex_ids(np.array(["osm-w1"], dtype=object), np.array([3]), 3) is None
    True
    """

    road_id: tuple[str, ...]
    offsets: NDArray[np.int64]
    ids: NDArray[np.int64]

    def __deepcopy__(self, memo: dict[int, Any]) -> OsmNodeIds:
        return self

    def vertex_ids(
        self, road_ids: NDArray[Any], n_coords: NDArray[Any], n_vertices: int
    ) -> NDArray[np.int64] | None:
        """Node ids of the vertices of roads ``road_ids`` (with ``n_coords`` vertices each).

        None when a road is not known here or its vertex count differs (the layer was
        edited since it was read), i.e. when the ids would not describe the geometry.
        """
        index = pd.Index(self.road_id)
        if not index.is_unique:
            return None
        pos = index.get_indexer(pd.Index(road_ids))
        if (pos < 0).any():
            return None
        counts = self.offsets[pos + 1] - self.offsets[pos]
        if len(counts) != len(n_coords) or not np.array_equal(counts, n_coords):
            return None
        if int(counts.sum()) != n_vertices:
            return None
        starts = np.repeat(
            self.offsets[pos] - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts
        )
        return np.asarray(self.ids[starts + np.arange(n_vertices)], dtype=np.int64)


def _runs(nodes: Any) -> tuple[list[tuple[list[tuple[float, float]], list[int]]], int]:
    """Split a way's node list into runs of nodes with a location (inside the extract).

    Returns the runs of at least two distinct points (their points and node ids) and how
    many nodes had no location.
    """
    runs: list[tuple[list[tuple[float, float]], list[int]]] = []
    current: list[tuple[float, float]] = []
    refs: list[int] = []
    missing = 0
    for nd in nodes:
        loc = nd.location
        if not loc.valid():
            missing += 1
            if len(current) >= 2:
                runs.append((current, refs))
            current, refs = [], []
            continue
        xy = (loc.lon, loc.lat)
        if not current or current[-1] != xy:
            current.append(xy)
            refs.append(nd.ref)
    if len(current) >= 2:
        runs.append((current, refs))
    return runs, missing


def read_osm_roads(
    path: str | Path, *, bbox: tuple[float, float, float, float] | None = None
) -> gpd.GeoDataFrame:
    """Read roads, ferries and railways from an OpenStreetMap extract.

    Mapping: ``highway`` motorway(+_link) → motorway, trunk(+_link) → trunk, primary,
    secondary, tertiary/unclassified/residential/living_street/service → tertiary,
    track/path → track; ``route=ferry`` → ferry; ``railway=rail`` → rail. ``maxspeed`` is
    converted to km/h (zone codes such as ``RU:urban`` give no speed), ``oneway=-1`` ways
    are reversed, ``motorway`` is one-way unless tagged otherwise, ``bridge`` or
    ``tunnel`` mark the way as grade-separated. ``road_id`` is ``osm-w<way id>``.

    The file is streamed with pyosmium (nodes' locations kept in a compact index, ways
    mapped one at a time; a way's geometry is made by libosmium as WKB and all of them
    are decoded in one vectorised call), so memory grows with the number of nodes, not
    with the tags. A way cut by the extract boundary is kept as far as it goes: the
    stretches of consecutive nodes inside the extract (a MultiLineString when there are
    several).

    Parameters
    ----------
    path
        ``.osm.pbf``, ``.pbf``, ``.osm``, ``.osm.bz2`` or ``.osm.gz`` file.
    bbox
        (min lon, min lat, max lon, max lat): only ways intersecting it.

    Returns
    -------
    GeoDataFrame
        Roads schema, EPSG:4326. ``attrs["dropped"]`` counts the ways left out, by tag
        (``highway=footway``) or reason (``fewer than two nodes inside the extract``);
        ``attrs["cut"]`` counts the roads kept in part because the extract cut them;
        ``attrs["ways"]`` is the number of ways read; ``attrs["osm_node_ids"]`` holds the
        node id of every vertex (:class:`OsmNodeIds`), which the route graph builder uses
        as the network's topology.

    Raises
    ------
    LayerError
        When the file cannot be read or holds no usable way.

    Examples
    --------
    >>> roads = read_osm_roads("tests/data/osm/test.osm.pbf")
    >>> roads["road_class"].value_counts()["motorway"]
    np.int64(12)
    """
    path = Path(path)
    if not path.is_file():
        raise file_error(path.name, f"file not found: {path}", "check the path", kind="roads")
    if not path.name.lower().endswith((".osm.pbf", ".pbf", ".osm", ".osm.bz2", ".osm.gz")):
        raise file_error(
            path.name,
            "not an OpenStreetMap file",
            "give a .osm.pbf or .osm extract (e.g. from a Geofabrik download)",
            kind="roads",
        )
    try:
        ways = _read_ways(path)
    except RuntimeError:  # libosmium's error for a damaged, truncated or non-OSM file
        raise file_error(
            path.name,
            "is not a readable OpenStreetMap file (damaged, cut short, or not OSM data)",
            "download the extract again (e.g. from Geofabrik) and check its size",
            kind="roads",
        ) from None
    dropped = ways.dropped
    if not ways.records:
        other = sum(dropped.values())
        raise file_error(
            path.name,
            f"has no roads, ferries or railways ({other} other way{'s' if other != 1 else ''})",
            "use an extract that covers roads, or widen bbox",
            kind="roads",
        )
    frame = gpd.GeoDataFrame(
        pd.DataFrame(ways.records, columns=_RECORD), geometry=ways.geometries(), crs="EPSG:4326"
    )
    node_ids = ways.node_ids
    if bbox is not None:
        inside = frame.intersects(shapely.box(*bbox)).to_numpy()
        dropped["outside bbox"] += int((~inside).sum())
        frame = frame[inside].reset_index(drop=True)
    out = validate(frame, "roads", source=path.name)
    assert isinstance(out, gpd.GeoDataFrame)
    out.attrs["dropped"] = dict(dropped.most_common())
    out.attrs["cut"] = ways.cut
    out.attrs["ways"] = ways.ways
    out.attrs["source"] = path.name
    out.attrs["osm_node_ids"] = node_ids
    return out


#: Columns of the records :func:`_read_ways` makes (the roads schema, geometry apart).
_RECORD = ("road_id", "name", "ref", "road_class", "maxspeed_kph", "oneway", "bridge", "schematic")


@dataclass
class _Ways:
    """What one pass over an extract's ways gives."""

    records: list[tuple[object, ...]] = field(default_factory=list)
    wkb: list[str | None] = field(default_factory=list)
    cut_geoms: dict[int, object] = field(default_factory=dict)
    refs: list[list[int]] = field(default_factory=list)
    flip: list[bool] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)
    cut: int = 0
    ways: int = 0

    def geometries(self) -> NDArray[np.object_]:
        """Every kept way's geometry: WKB decoded in one call, cut ways as built."""
        geoms = np.asarray(shapely.from_wkb(self.wkb), dtype=object)
        flip = np.flatnonzero(np.asarray(self.flip, dtype=bool))
        if len(flip):
            geoms[flip] = shapely.reverse(geoms[flip])
        for i, geom in self.cut_geoms.items():
            geoms[i] = geom
        return geoms

    @property
    def node_ids(self) -> OsmNodeIds:
        counts = np.fromiter((len(r) for r in self.refs), dtype=np.int64, count=len(self.refs))
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        flat = np.fromiter(
            itertools.chain.from_iterable(self.refs), dtype=np.int64, count=int(offsets[-1])
        )
        offsets.setflags(write=False)
        flat.setflags(write=False)
        return OsmNodeIds(tuple(str(r[0]) for r in self.records), offsets, flat)


def _read_ways(path: Path) -> _Ways:
    """Map every way of ``path`` to a roads record, or count why it was dropped."""
    out = _Ways()
    wkb = osmium.geom.WKBFactory()
    for way in _open(path):
        out.ways += 1
        tags = way.tags
        highway, railway = tags.get("highway"), tags.get("railway")
        route = tags.get("route")
        road_class = _road_class(highway, railway, {"route": route} if route else {})
        if road_class is None:
            out.dropped[_dropped_key(highway, railway, {})] += 1
            continue
        implied = highway in IMPLIED_ONEWAY or tags.get("junction") == "roundabout"
        oneway, reverse = parse_oneway(tags.get("oneway"), implied=implied)
        nodes = way.nodes
        refs = [nd.ref for nd in nodes]
        geom: str | None
        try:
            # One C++ call for the geometry (hex WKB; repeated points dropped).
            geom = wkb.create_linestring(nodes)
        except (osmium.InvalidLocationError, RuntimeError):
            geom = None  # nodes outside the extract, or fewer than two distinct points
        if geom is None or int.from_bytes(bytes.fromhex(geom[10:18]), "little") != len(refs):
            runs, missing = _runs(nodes)
            if not runs:
                out.dropped[OUTSIDE] += 1
                continue
            out.cut += missing > 0
            if reverse:
                runs = [(r[::-1], ids[::-1]) for r, ids in runs]
            lines = [shapely.LineString(r) for r, _ in runs]
            out.cut_geoms[len(out.records)] = (
                lines[0] if len(lines) == 1 else shapely.MultiLineString(lines)
            )
            refs = [ref for _, run_refs in runs for ref in run_refs]
            geom = None
        elif reverse:
            refs.reverse()
        out.flip.append(reverse and geom is not None)
        out.records.append(
            (
                f"osm-w{way.id}",
                _clean(tags.get("name")),
                _clean(tags.get("ref")),
                road_class,
                parse_maxspeed(tags.get("maxspeed")),
                oneway,
                tags.get("bridge", "no") not in ("no", "")
                or tags.get("tunnel", "no") not in ("no", ""),
                False,
            )
        )
        out.wkb.append(geom)
        out.refs.append(refs)
    return out


def _clean(value: object) -> str:
    """OSM text is free: keep it only when validation would accept it (else blank)."""
    if not isinstance(value, str):
        return ""
    text = value.strip()
    return "" if hostile(text) is not None else text


#: OSM node tags → site type of the sites layer (checkpoint candidates).
SITE_TAGS: dict[tuple[str, str], str] = {
    ("amenity", "fuel"): "petrol_station",
    ("highway", "rest_area"): "truck_stop",
    ("highway", "services"): "truck_stop",
    ("amenity", "bus_station"): "bus_station",
    ("barrier", "border_control"): "border_crossing",
    ("railway", "station"): "rail_station",
    ("amenity", "ferry_terminal"): "ferry_terminal",
    ("tourism", "motel"): "motel",
}


def read_osm_sites(path: str | Path) -> gpd.GeoDataFrame:
    """Read checkpoint candidate sites from the tagged nodes of an OpenStreetMap extract.

    ``amenity=fuel`` → petrol_station, ``highway=rest_area``/``services`` → truck_stop,
    ``amenity=bus_station``, ``barrier=border_control`` → border_crossing,
    ``railway=station`` → rail_station, ``amenity=ferry_terminal``, ``tourism=motel``.
    ``site_id`` is ``osm-n<node id>``; a site without a usable ``name`` is named after its
    type. (Sites drawn as areas are not read: only nodes.)

    Returns
    -------
    GeoDataFrame
        Sites schema, EPSG:4326; ``attrs["by_type"]`` counts the sites per type.

    Raises
    ------
    LayerError
        When the file cannot be read or has no such node.

    Examples
    --------
    >>> sites = read_osm_sites("tests/data/osm/test.osm.pbf")
    >>> sites["site_type"].tolist()
    ['petrol_station', 'petrol_station']
    """
    path = Path(path)
    records: list[dict[str, object]] = []
    points: list[object] = []
    try:
        for node in osmium.FileProcessor(str(path), osmium.osm.NODE):
            if not isinstance(node, osmium.osm.Node):
                continue
            tags = node.tags
            site_type = next((t for (k, v), t in SITE_TAGS.items() if tags.get(k) == v), None)
            if site_type is None or not node.location.valid():
                continue
            name = _clean(tags.get("name")) or site_type.replace("_", " ")
            records.append({"site_id": f"osm-n{node.id}", "name": name, "site_type": site_type})
            points.append(shapely.Point(node.location.lon, node.location.lat))
    except RuntimeError:
        raise file_error(
            path.name,
            "is not a readable OpenStreetMap file (damaged, cut short, or not OSM data)",
            "download the extract again (e.g. from Geofabrik) and check its size",
            kind="sites",
        ) from None
    if not records:
        raise file_error(
            path.name,
            "has no node tagged as a site (fuel, rest area, bus station, border control...)",
            "give the sites layer as its own file",
            kind="sites",
        )
    frame = gpd.GeoDataFrame(pd.DataFrame(records), geometry=points, crs="EPSG:4326")
    out = validate(frame, "sites", source=path.name)
    assert isinstance(out, gpd.GeoDataFrame)
    out.attrs["by_type"] = dict(Counter(out["site_type"]).most_common())
    out.attrs["source"] = path.name
    return out
