"""Import roads from an OpenStreetMap extract (``.osm.pbf`` or ``.osm``).

GDAL's OSM driver (through pyogrio) gives the ``lines`` layer with ``highway`` and
``railway`` as columns and the remaining tags in ``other_tags`` (hstore text). Ways are
mapped to the roads schema; ways that are not roads, ferries or railways are dropped and
counted in ``attrs["dropped"]``.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

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
    return "untagged"


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

    Parameters
    ----------
    path
        ``.osm.pbf`` or ``.osm`` file.
    bbox
        (min lon, min lat, max lon, max lat): only ways intersecting it.

    Returns
    -------
    GeoDataFrame
        Roads schema, EPSG:4326; ``attrs["dropped"]`` counts the ways left out by tag.

    Raises
    ------
    LayerError
        When the file cannot be read or holds no usable way.

    Examples
    --------
    >>> roads = read_osm_roads("tests/data/osm/test.osm.pbf")  # doctest: +SKIP
    >>> roads["road_class"].value_counts()["motorway"]  # doctest: +SKIP
    12
    """
    path = Path(path)
    if not path.is_file():
        raise file_error(path.name, f"file not found: {path}", "check the path", kind="roads")
    if not (path.name.lower().endswith(".osm.pbf") or path.suffix.lower() in (".osm", ".pbf")):
        raise file_error(
            path.name,
            "not an OpenStreetMap file",
            "give a .osm.pbf or .osm extract (e.g. from a Geofabrik download)",
            kind="roads",
        )
    try:
        lines = pyogrio.read_dataframe(path, layer="lines", bbox=bbox)
    except Exception as exc:  # any GDAL failure means the same to a user: unreadable
        raise file_error(
            path.name, f"cannot be read ({exc})", "check that the file is complete", kind="roads"
        ) from None
    records: list[dict[str, object]] = []
    geoms: list[object] = []
    dropped: Counter[str] = Counter()
    for row in lines.itertuples(index=False):
        tags = parse_other_tags(getattr(row, "other_tags", None))
        highway, railway = getattr(row, "highway", None), getattr(row, "railway", None)
        road_class = _road_class(highway, railway, tags)
        if road_class is None:
            dropped[_dropped_key(highway, railway, tags)] += 1
            continue
        implied = highway in IMPLIED_ONEWAY or tags.get("junction") == "roundabout"
        oneway, reverse = parse_oneway(tags.get("oneway"), implied=implied)
        geom = row.geometry
        records.append(
            {
                "road_id": f"osm-w{row.osm_id}",
                "name": _clean(getattr(row, "name", None)),
                "ref": _clean(tags.get("ref")),
                "road_class": road_class,
                "maxspeed_kph": parse_maxspeed(tags.get("maxspeed")),
                "oneway": oneway,
                "bridge": any(tags.get(t, "no") not in ("no", "") for t in ("bridge", "tunnel")),
                "schematic": False,
            }
        )
        geoms.append(shapely.reverse(geom) if reverse else geom)
    if not records:
        raise file_error(
            path.name,
            f"has no roads, ferries or railways ({sum(dropped.values())} other ways)",
            "use an extract that covers roads, or widen bbox",
            kind="roads",
        )
    frame = gpd.GeoDataFrame(pd.DataFrame(records), geometry=geoms, crs=lines.crs or "EPSG:4326")
    out = validate(frame, "roads", source=path.name)
    assert isinstance(out, gpd.GeoDataFrame)
    out.attrs["dropped"] = dict(dropped.most_common())
    out.attrs["source"] = path.name
    return out


def _clean(value: object) -> str:
    """OSM text is free: keep it only when validation would accept it (else blank)."""
    if not isinstance(value, str):
        return ""
    text = value.strip()
    return "" if hostile(text) is not None else text
