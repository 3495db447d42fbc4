"""Where a point is, in the words a patrol uses: nearest town, road, grid reference.

Plans and hotspots are read by people who drive to the place. This module turns a
lon/lat into what they ask for:

- :func:`locate` — the nearest named town (geodesic distance and compass direction from
  it) and the nearest road's reference (``AH2``), from the region's own ``places`` and
  ``roads`` layers;
- :func:`grid_reference` — the MGRS grid reference (10 m) printed on military and police
  topographic maps and typed into handheld GPS units;
- :func:`decimal_degrees` — latitude, longitude with 5 decimals (about 1 m);
- :func:`site_label` — a short name such as ``"Restaurant, AH2 35 km NE of Udon Thani"``.

All functions are pure: they read the frames they are given and return new values.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geotraf._geo import GEOD, LocalProjection

#: Compass points, clockwise from north (8-wind rose).
COMPASS: tuple[str, ...] = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")
#: Place types that count as towns (a crossing point or a hub is not where one drives to).
TOWN_TYPES: tuple[str, ...] = ("capital", "city", "town", "village")


@dataclass(frozen=True)
class Location:
    """A point described from the nearest town and road.

    Attributes
    ----------
    town
        Name of the nearest town ("" when the region has no named place).
    km
        Geodesic distance from the town, kilometres (rounded to 1 decimal).
    direction
        Compass point of the site *as seen from the town* (``"NE"``); "" under 1 km.
    road
        Reference (or name) of the nearest road ("" when the region has none).
    """

    town: str
    km: float
    direction: str
    road: str

    def describe(self) -> str:
        """Return ``"12 km NE of Udon Thani"`` (or ``"Udon Thani"`` when within 1 km).

        Examples
        --------
        >>> Location("Udon Thani", 12.3, "NE", "AH2").describe()
        '12 km NE of Udon Thani'
        >>> Location("Udon Thani", 0.4, "", "AH2").describe()
        'Udon Thani'
        """
        if not self.town:
            return ""
        if self.km < 1:
            return self.town
        return f"{self.km:.0f} km {self.direction} of {self.town}"


def compass(azimuth_deg: float) -> str:
    """Return the 8-wind compass point of an azimuth in degrees (0 = north, clockwise).

    Examples
    --------
    >>> compass(0), compass(44), compass(46), compass(-90), compass(350)
    ('N', 'NE', 'NE', 'W', 'N')
    """
    return COMPASS[int(((azimuth_deg % 360) + 22.5) // 45) % 8]


def _towns(places: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    if places is None or len(places) == 0 or "name" not in places:
        return gpd.GeoDataFrame({"name": []}, geometry=[], crs="EPSG:4326")
    named = places[places["name"].fillna("").astype(str).str.strip() != ""]
    if "place_type" in named:
        towns = named[named["place_type"].isin(TOWN_TYPES)]
        if len(towns):
            named = towns
    return named


def locate(
    lon: Sequence[float] | np.ndarray,
    lat: Sequence[float] | np.ndarray,
    *,
    places: gpd.GeoDataFrame | None,
    roads: gpd.GeoDataFrame | None,
) -> list[Location]:
    """Return, for each point, the nearest town (distance, direction) and nearest road.

    Parameters
    ----------
    lon, lat
        Points in degrees (EPSG:4326).
    places
        The region's places layer (``name``, optional ``place_type``). Towns are places
        of a :data:`TOWN_TYPES` type when there are any, else every named place.
    roads
        The region's roads layer (``ref``, else ``name``).

    Examples
    --------
    >>> from shapely.geometry import LineString, Point
    >>> towns = gpd.GeoDataFrame({"name": ["Udon Thani", "Vientiane"],
    ...     "place_type": ["city", "capital"]},
    ...     geometry=[Point(102.79, 17.41), Point(102.61, 17.97)], crs="EPSG:4326")
    >>> roads = gpd.GeoDataFrame({"ref": ["AH12"], "name": ["Mittraphap"]},
    ...     geometry=[LineString([(102.8, 16.0), (102.8, 18.0)])], crs="EPSG:4326")
    >>> loc = locate([102.80], [17.60], places=towns, roads=roads)[0]
    >>> loc.town, loc.direction, loc.road, loc.describe()
    ('Udon Thani', 'N', 'AH12', '21 km N of Udon Thani')
    """
    x = np.asarray(lon, dtype=float)
    y = np.asarray(lat, dtype=float)
    towns = _towns(places)
    out: list[Location] = []
    tx = towns.geometry.x.to_numpy() if len(towns) else np.zeros(0)
    ty = towns.geometry.y.to_numpy() if len(towns) else np.zeros(0)
    names = towns["name"].astype(str).to_numpy() if len(towns) else np.zeros(0, dtype=object)
    road_refs = _nearest_roads(x, y, roads)
    for i in range(len(x)):
        if len(tx) == 0:
            out.append(Location("", 0.0, "", road_refs[i]))
            continue
        az, _, dist = GEOD.inv(tx, ty, np.full(len(tx), x[i]), np.full(len(tx), y[i]))
        j = int(np.argmin(dist))
        km = round(float(dist[j]) / 1000, 1)
        out.append(
            Location(str(names[j]), km, compass(float(az[j])) if km >= 1 else "", road_refs[i])
        )
    return out


def _nearest_roads(x: np.ndarray, y: np.ndarray, roads: gpd.GeoDataFrame | None) -> list[str]:
    if roads is None or len(roads) == 0 or len(x) == 0:
        return [""] * len(x)
    label = pd.Series([""] * len(roads), index=roads.index, dtype=object)
    for col in ("name", "ref"):  # ref wins where both exist
        if col in roads:
            text = roads[col].fillna("").astype(str).str.strip()
            label = label.where(text == "", text)
    proj = LocalProjection.around(np.column_stack([x, y]))
    lines = proj.project_geometries(roads.geometry.to_numpy())
    px, py = proj.forward(x, y)
    points = gpd.GeoSeries.from_xy(px, py)
    tree = gpd.GeoSeries(lines).sindex
    _, nearest = tree.nearest(points.to_numpy(), return_all=False)
    return [str(label.iloc[int(j)]) for j in nearest]


def grid_reference(lon: float, lat: float) -> str:
    """Return the MGRS grid reference of a point to 10 m, spaced as printed on maps.

    Outside MGRS's latitude band (beyond 84° N / 80° S) an empty string is returned.

    Examples
    --------
    >>> grid_reference(98.5702, 16.7001)
    '47Q MU 5417 4642'
    """
    import mgrs

    try:
        ref = str(mgrs.MGRS().toMGRS(float(lat), float(lon), MGRSPrecision=4))
    except Exception:  # polar points have no MGRS square
        return ""
    zone, square, digits = ref[:-10], ref[-10:-8], ref[-8:]
    return f"{zone} {square} {digits[:4]} {digits[4:]}"


def decimal_degrees(lon: float, lat: float) -> str:
    """Return ``"lat, lon"`` in decimal degrees with 5 decimals (GPS entry order).

    Examples
    --------
    >>> decimal_degrees(98.57021, 16.7)
    '16.70000, 98.57021'
    """
    return f"{float(lat):.5f}, {float(lon):.5f}"


def site_label(
    name: str,
    site_type: str,
    location: Location,
    *,
    kind: str | None = None,
    where: str | None = None,
) -> str:
    """Return a short site name people use: kind, road and distance from a town.

    A site named after a place ("Mae Sot bus terminal") keeps its name and gains the road
    in brackets; a generic roadside site ("Restaurant on AH2 between …") becomes the kind,
    the road and where it is from the nearest town. A leading "Checkpoint " says nothing
    on a plan of checkpoints and is dropped.

    Parameters
    ----------
    name, site_type
        The site's own name and type (``bus_station``).
    location
        Where it is (:func:`locate`).
    kind, where
        The kind and the "12 km NE of Udon Thani" text in another language (defaults:
        English from ``site_type`` and :meth:`Location.describe`).

    Examples
    --------
    >>> loc = Location("Udon Thani", 35.2, "NE", "AH2")
    >>> site_label("Restaurant on AH2 between Udon Thani and Nong Khai", "restaurant", loc)
    'Restaurant, AH2 35 km NE of Udon Thani'
    >>> site_label("Mae Sot bus terminal", "bus_station", Location("Mae Sot", 0.8, "", "AH1"))
    'Mae Sot bus terminal (AH1)'
    >>> site_label("Checkpoint Mae Sai–Tachileik", "border_crossing",
    ...            Location("Mae Sai", 0.5, "", "AH2"))
    'Mae Sai–Tachileik (AH2)'
    >>> site_label("", "truck_stop", Location("", 0.0, "", ""))
    'Truck stop'
    """
    kind = kind or (site_type.replace("_", " ").strip().capitalize() or "Site")
    text = name.strip()
    if text.lower().startswith("checkpoint "):
        text = text[len("checkpoint ") :].strip()
    generic = not text or " between " in text or text.lower() == kind.lower()
    road = location.road
    if not generic:
        return f"{text} ({road})" if road and road not in text else text
    place = location.describe() if where is None else where
    tail = " ".join(p for p in (road, place) if p)
    return f"{kind}, {tail}" if tail else kind


def hotspot_name(G: Any, node: Any, *, max_refs: int = 3) -> str:
    """Return the name people use for a graph node: a place, a crossing or a junction.

    A place keeps its name and gains its main road (``"Mae Sot bus terminal (AH1)"``); a
    crossing keeps its name (never its id); a junction of roads is named by its roads and
    where it is from the nearest town (``"AH1 / AH2 junction, 12 km N of Udon Thani"``).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("p:u", x=102.79, y=17.41, kind="place", name="Udon Thani", place_type="city")
    >>> G.add_node("j:1", x=102.80, y=17.60, kind="junction", name="AH12 / AH2")
    >>> G.add_node("p:b", x=102.81, y=17.42, kind="place", name="Udon bus terminal",
    ...            place_type="bus_station")
    >>> _ = G.add_edge("p:u", "j:1", ref="AH12"); _ = G.add_edge("j:1", "p:b", ref="AH2")
    >>> _ = G.add_edge("p:u", "p:b", ref="AH2")
    >>> hotspot_name(G, "j:1"), hotspot_name(G, "p:b")
    ('AH12 / AH2 junction, 21 km N of Udon Thani', 'Udon bus terminal (AH2)')
    """
    data = G.nodes[node]
    kind = data.get("kind")
    name = str(data.get("name", "") or "")
    refs = Counter(
        str(d.get("ref"))
        for _, _, d in [*G.out_edges(node, data=True), *G.in_edges(node, data=True)]
        if d.get("ref")
    )
    if kind == "crossing":
        return name or str(data.get("crossing_id", "") or node)
    if kind == "place":
        road = refs.most_common(1)[0][0] if refs else ""
        return f"{name} ({road})" if name and road and road not in name else name or str(node)
    roads = " / ".join(sorted(refs)[:max_refs])
    head = f"{roads} junction" if roads else "Junction"
    towns = [
        (n, d)
        for n, d in G.nodes(data=True)
        if d.get("kind") == "place" and d.get("place_type") in TOWN_TYPES and d.get("name")
    ]
    if not towns or "x" not in data:
        return head
    tx = np.array([float(d["x"]) for _, d in towns])
    ty = np.array([float(d["y"]) for _, d in towns])
    az, _, dist = GEOD.inv(
        tx, ty, np.full(len(tx), float(data["x"])), np.full(len(tx), float(data["y"]))
    )
    j = int(np.argmin(dist))
    km = round(float(dist[j]) / 1000, 1)
    where = Location(str(towns[j][1]["name"]), km, compass(float(az[j])) if km >= 1 else "", "")
    return f"{head}, {where.describe()}"
