"""Fixtures for the dashboard tests: a small hand-checkable region and a logged-in client.

The region has four countries drawn as boxes, six places with provinces and a flows
table whose totals a person can add up (see ``FLOWS``). It stands in for
``layers.read_region`` so the dashboard tests do not depend on the demo data.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry import LineString, box

from dashboard import data, viewcache
from dashboard.app import create_app
from dashboard.auth import DEMO_ACCOUNTS, write_accounts

#: Field names that would mean person-level data had reached the browser.
PERSON_FIELDS: tuple[str, ...] = ("age_band", "victim", "person_id", "case_id", "date_of_birth")

#: (origin, destination, year, count, exploitation, age_group)
FLOWS: list[tuple[str, str, int, int, str, str]] = [
    ("vte", "bkk", 2020, 120, "sexual", "adult"),
    ("vte", "bkk", 2021, 80, "forced_labour", "adult"),
    ("pp", "bkk", 2020, 60, "forced_labour", "child"),
    ("pp", "cm", 2021, 5, "begging", "child"),  # small: must never be shown
    ("ygn", "bkk", 2021, 200, "forced_labour", "adult"),
    ("ygn", "cm", 2020, 30, "sexual", "adult"),
    ("LAO", "THA", 2019, 40, "domestic_servitude", "adult"),
]


@dataclass(frozen=True)
class FakeRegion:
    """The attributes of ``layers.Region`` the dashboard reads."""

    places: gpd.GeoDataFrame
    roads: gpd.GeoDataFrame
    borders: gpd.GeoDataFrame
    crossings: None
    flows: pd.DataFrame
    incidents: None
    sites: None
    path: Path
    synthetic: bool


def make_region(path: Path, *, synthetic: bool = True) -> FakeRegion:
    """Return the test region (``path`` is only recorded)."""
    borders = gpd.GeoDataFrame(
        {
            "country": ["THA", "LAO", "KHM", "MMR"],
            "name": ["Thailand", "Lao PDR", "Cambodia", "Myanmar"],
        },
        geometry=[
            box(98, 6, 105, 20),
            box(100, 14, 107.5, 22.5),
            box(102, 10, 107.5, 14),
            box(92, 10, 98, 28),
        ],
        crs="EPSG:4326",
    )
    places = gpd.GeoDataFrame(
        {
            "place_id": ["bkk", "cm", "vte", "pp", "ygn", "mae_sot"],
            "name": ["Bangkok", "Chiang Mai", "Vientiane", "Phnom Penh", "Yangon", "Mae Sot"],
            "country": ["THA", "THA", "LAO", "KHM", "MMR", "THA"],
            "role": ["destination", "destination", "source", "source", "source", "transit"],
            "place_type": ["city"] * 5 + ["border_crossing"],
            "admin1": ["Bangkok", "Chiang Mai", "Vientiane", "Phnom Penh", "Yangon", "Tak"],
            "population": [8_000_000, 130_000, 900_000, 2_000_000, 5_000_000, 50_000],
        },
        geometry=gpd.points_from_xy(
            [100.5, 98.98, 102.6, 104.9, 96.15, 98.57], [13.75, 18.79, 17.97, 11.56, 16.8, 16.71]
        ),
        crs="EPSG:4326",
    )
    roads = gpd.GeoDataFrame(
        {"road_id": ["r1"], "name": ["AH1"], "ref": ["AH1"], "road_class": ["trunk"]},
        geometry=[LineString([(98.57, 16.71), (100.5, 13.75)])],
        crs="EPSG:4326",
    )
    flows = pd.DataFrame(
        FLOWS, columns=["origin", "destination", "year", "count", "exploitation", "age_group"]
    ).assign(sex="female", synthetic=synthetic)
    return FakeRegion(places, roads, borders, None, flows, None, None, path, synthetic)


def write_provinces(folder: Path) -> None:
    """Write a provinces.geojson beside the region (one box per admin1)."""
    boxes = {
        "Bangkok": (100, 13, 101, 14.5),
        "Chiang Mai": (98, 18, 99.5, 19.5),
        "Vientiane": (102, 17.5, 103, 18.5),
        "Phnom Penh": (104.5, 11, 105.5, 12),
        "Yangon": (95.5, 16.3, 96.8, 17.3),
    }
    gdf = gpd.GeoDataFrame(
        {"name": list(boxes)}, geometry=[box(*b) for b in boxes.values()], crs="EPSG:4326"
    )
    gdf.to_file(folder / "provinces.geojson", driver="GeoJSON")


def build_app(
    tmp: Path, monkeypatch: Any, *, synthetic: bool = True, provinces: bool = True
) -> Any:
    """Return a dashboard app on the test region, with the demo accounts in ``tmp``.

    ``monkeypatch`` replaces the region reader (restored by pytest after the test/module).
    """
    folder = tmp / "region"
    folder.mkdir(parents=True, exist_ok=True)
    if provinces:
        write_provinces(folder)
    region = make_region(folder, synthetic=synthetic)
    monkeypatch.setattr(data, "load_region", lambda path: region)
    for cached in (data.region_view, data.basemap_layer, data.extra_layer):
        cached.cache_clear()
    users = write_accounts(tmp / "instance" / "users.toml", DEMO_ACCOUNTS, force=True)
    return create_app(region=str(folder), users_file=users, secret_key="test-secret")


def view_cache(app: Any) -> viewcache.ViewCache:
    """The app's view cache (the one its callbacks store answers in)."""
    cache: viewcache.ViewCache = app.server.extensions[viewcache.EXTENSION]
    return cache


def overview_inputs(**changes: Any) -> dict[str, Any]:
    """Return the Overview callback's inputs (defaults: everything, by origin, arcs on)."""
    values: dict[str, Any] = {
        "overview-years.value": None,
        "overview-exploitation.value": None,
        "overview-level.value": "country",
        "overview-side.value": "origin",
        "overview-arcs.value": ["arcs"],
    }
    values.update({f"overview-{k}.value": v for k, v in changes.items()})
    return values


def login(client: Any, username: str, password: str | None = None) -> Any:
    """Log ``username`` in through the real login form (CSRF token included)."""
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token, "login form has no CSRF token"
    return client.post(
        "/login",
        data={
            "username": username,
            "password": password if password is not None else DEMO_ACCOUNTS[username][1],
            "csrf": token.group(1),
            "next": "/",
        },
    )


def callback_body(app: Any, output_prefix: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """Return the JSON a browser posts to ``/_dash-update-component`` for a callback.

    ``output_prefix`` picks the callback whose output key starts with it (else a server
    callback with an output starting with it); ``inputs`` maps
    ``"<id>.<prop>"`` to the value sent (for inputs and states alike; absent ones are None).
    """
    matches = [k for k in app.callback_map if k.lstrip(".").startswith(output_prefix)]
    if not matches:  # a server callback with that output among others
        matches = [
            k
            for k in app.callback_map
            if "callback" in app.callback_map[k]
            and any(o.startswith(output_prefix) for o in k.lstrip(".").split("..."))
        ]
    if not matches:
        raise KeyError(output_prefix)
    key = matches[0]
    spec = app.callback_map[key]
    outputs = [
        {"id": o.split(".")[0], "property": o.split(".")[1]}
        for o in key.lstrip(".").split("...")
        if o
    ]

    def values(deps: list[dict[str, str]]) -> list[dict[str, Any]]:
        return [
            {
                "id": d["id"],
                "property": d["property"],
                "value": inputs.get(f"{d['id']}.{d['property']}"),
            }
            for d in deps
        ]

    return {
        "output": key,
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": values(spec["inputs"]),
        "changedPropIds": [f"{d['id']}.{d['property']}" for d in spec["inputs"]][:1],
        "state": values(spec["state"]),
    }


def figure_numbers(payload: dict[str, Any]) -> list[float]:
    """Return every count drawn in a callback response (z of maps, y of bars)."""
    numbers: list[float] = []

    def walk(obj: Any) -> None:
        if isinstance(obj, dict):
            drawn = not (obj.get("meta") or {}).get("suppressed")
            if obj.get("type") in {"choroplethmap", "bar"} and drawn:
                key = "z" if obj["type"] == "choroplethmap" else "y"
                numbers.extend(float(v) for v in obj.get(key, []) if v is not None)
            for value in obj.values():
                walk(value)
        elif isinstance(obj, list):
            for value in obj:
                walk(value)

    walk(payload)
    return numbers


def dump(obj: Any) -> str:
    """Return ``obj`` as JSON text (for substring checks)."""
    return json.dumps(obj, default=str, ensure_ascii=False)
