"""Join places to the road network by access edges (step 4).

Examples
--------
Vientiane lies 1 km off the road: the road is split at the nearest point (a new junction,
``y`` ≈ 0.3) and a two-way access edge joins the place to it:

>>> from shapely import LineString, Point, box
>>> from geotraf.graph import build_route_graph
>>> borders = gpd.GeoDataFrame({"country": ["LAO"], "name": ["Lao PDR"]},
...     geometry=[box(0, 0, 1, 1)], crs="EPSG:4326")
>>> road = gpd.GeoDataFrame({"road_id": ["r1"], "road_class": ["primary"]},
...     geometry=[LineString([(0.5, 0.9), (0.5, 0.1)])], crs="EPSG:4326")
>>> places = gpd.GeoDataFrame({"place_id": ["vte"], "name": ["Vientiane"],
...     "country": ["LAO"], "role": ["source"], "place_type": ["city"]},
...     geometry=[Point(0.51, 0.3)], crs="EPSG:4326")
>>> G = build_route_graph(road, borders, None, places)
>>> [(round(G.nodes[v]["y"], 3), d["road_class"]) for _, v, d in G.out_edges("p:vte", data=True)]
[(0.3, 'access')]
>>> G.has_edge(next(iter(G.successors("p:vte"))), "p:vte"), G.graph["unattached"]
(True, [])
"""

from __future__ import annotations

import warnings
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from geotraf._geo import (
    chord_for_distance,
    geodesic_distance,
    unit_vectors,
)
from geotraf.graph._common import (
    _ATTACH_CANDIDATES,
    ACCESS_CLASS,
    AnyArray,
    UnattachedPlacesWarning,
)
from geotraf.graph.borders import _Countries
from geotraf.graph.lines import _column, _text
from geotraf.graph.noding import _Anchors


def _place_points(places: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, AnyArray]:
    """Places with a usable geometry and their lon/lat (centroid of anything not a point)."""
    geoms = np.asarray(places.geometry.values)
    ok = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    sub = places[ok]
    xy = shapely.get_coordinates(shapely.centroid(np.asarray(sub.geometry.values)))
    return sub, xy.reshape(-1, 2)


def _place_countries(
    sub: gpd.GeoDataFrame, xy: AnyArray, countries: _Countries | None, *, trust_declared: bool
) -> list[str]:
    """Country of each place: its polygon's (or, trusted, the declared one), else declared."""
    layer_country = [_text(v) for v in _column(sub, "country", "")]
    if countries is None:
        return layer_country
    located = countries.locate(xy[:, 0], xy[:, 1])
    if trust_declared:
        return [lc or c for c, lc in zip(located, layer_country, strict=True)]
    return [c or lc for c, lc in zip(located, layer_country, strict=True)]


def country_disagreements(
    places: gpd.GeoDataFrame, countries: _Countries | None, *, trust_declared: bool
) -> list[dict[str, str]]:
    """Places whose declared country is not the polygon's, with the country used."""
    if countries is None:
        return []
    sub, xy = _place_points(places)
    declared = [_text(v) for v in _column(sub, "country", "")]
    located = countries.locate(xy[:, 0], xy[:, 1])
    used = _place_countries(sub, xy, countries, trust_declared=trust_declared)
    return [
        {"place_id": _text(pid), "declared": d, "polygon": p, "used": u}
        for pid, d, p, u in zip(sub["place_id"].tolist(), declared, located, used, strict=True)
        if d and p and d != p
    ]


def _place_anchors(
    places: gpd.GeoDataFrame, countries: _Countries | None, *, trust_declared: bool
) -> _Anchors:
    sub, xy = _place_points(places)
    return _Anchors(
        xy[:, 0], xy[:, 1], _place_countries(sub, xy, countries, trust_declared=trust_declared)
    )


# --- places ---------------------------------------------------------------------------------


def _attach_places(
    places: gpd.GeoDataFrame,
    nodes: dict[str, dict[str, Any]],
    edges: list[tuple[str, str, dict[str, Any]]],
    countries: _Countries | None,
    *,
    max_attach_m: float,
    access_speed_kph: float,
    trust_declared: bool,
) -> list[str]:
    """Add place nodes and access edges; return the ids of places left unattached."""
    sub, xy = _place_points(places)
    ids = [_text(v) for v in sub["place_id"].tolist()]
    pcountry = _place_countries(sub, xy, countries, trust_declared=trust_declared)
    road_ids = sorted(nodes)
    unattached = sorted(set(_text(v) for v in places["place_id"].tolist()) - set(ids))
    if not road_ids:
        return sorted(unattached + ids)
    rlon = np.array([nodes[n]["x"] for n in road_ids])
    rlat = np.array([nodes[n]["y"] for n in road_ids])
    tree = cKDTree(unit_vectors(rlon, rlat))
    k = min(_ATTACH_CANDIDATES, len(road_ids))
    _, idx = tree.query(
        unit_vectors(xy[:, 0], xy[:, 1]),
        k=k,
        distance_upper_bound=chord_for_distance(max_attach_m * 1.01),
    )
    idx = np.asarray(idx).reshape(len(ids), k)
    found = idx < len(road_ids)
    idx = np.where(found, idx, 0)
    dist = geodesic_distance(xy[:, [0]], xy[:, [1]], rlon[idx], rlat[idx])
    dist = np.where(found, dist, np.inf)
    speed = access_speed_kph / 3.6
    for i, pid in enumerate(ids):
        # Never across a border except at a crossing: a Thai town joined straight to a Lao
        # road would let its flows skip the border.
        own = [
            j
            for j in np.argsort(dist[i], kind="stable")
            if dist[i, j] <= max_attach_m
            and (
                not pcountry[i]
                or nodes[road_ids[idx[i, j]]]["country"] in ("", pcountry[i])
                or nodes[road_ids[idx[i, j]]]["kind"] == "crossing"
            )
        ]
        if not own:
            unattached.append(pid)
            continue
        j = own[0]
        target = road_ids[idx[i, j]]
        row = sub.iloc[i]
        pnode = f"p:{pid}"
        nodes[pnode] = {
            "x": float(xy[i, 0]),
            "y": float(xy[i, 1]),
            "kind": "place",
            "country": pcountry[i],
            "name": _text(row.get("name", "")),
            "place_id": pid,
            "place_type": _text(row.get("place_type", "")),
            "role": _text(row.get("role", "")),
        }
        if "admin1" in sub.columns:
            nodes[pnode]["admin1"] = _text(row["admin1"])
        if "population" in sub.columns and not pd.isna(row["population"]):
            nodes[pnode]["population"] = int(row["population"])
        a = xy[i]
        b = np.array([nodes[target]["x"], nodes[target]["y"]])
        length = float(dist[i, j])
        ca, cb = pcountry[i], nodes[target]["country"]
        border = bool(ca and cb and ca != cb)  # only ever to a crossing node
        base = {
            "length_m": length,
            "travel_time_s": length / speed,
            "speed_kph": float(access_speed_kph),
            "road_class": ACCESS_CLASS,
            "ref": "",
            "name": nodes[pnode]["name"],
            "road_id": "",
            "country": "|".join(sorted((ca, cb))) if border else (ca or cb),
            "border": border,
            "crossing_id": nodes[target]["crossing_id"] if border else "",
            "informal": border and nodes[target]["status"] == "informal",
            "schematic": False,
        }
        out_geom = shapely.linestrings(np.vstack([a, b]))
        back_geom = shapely.linestrings(np.vstack([b, a]))
        edges.append((pnode, target, {**base, "geometry": out_geom, "_key": ("", 0, 0, 0)}))
        edges.append((target, pnode, {**base, "geometry": back_geom, "_key": ("", 0, 0, 0)}))
    if unattached:
        unattached = sorted(unattached)
        names = dict(zip(places["place_id"].astype(str), places["name"].astype(str), strict=True))
        listed = ", ".join(f"{p} ({names.get(p, '?')})" for p in unattached[:20])
        more = f" and {len(unattached) - 20} more" if len(unattached) > 20 else ""
        warnings.warn(
            UnattachedPlacesWarning(
                f"{len(unattached)} place(s) have no road of their own country (nor a border "
                f"crossing) within {max_attach_m:g} m and were left out of the route graph: "
                f"{listed}{more}. Add roads near them or raise max_attach_m."
            ),
            stacklevel=3,
        )
    return unattached
