"""Region data for the dashboard, loaded once per worker process and never mutated.

Donors and analysts see only the region's differentially private release
(:mod:`geotraf.privacy`): the view carries the released country table and the released
place-level flows, never the raw flows. The release is made once per dataset version and
stored in the instance's ``releases`` folder, which every worker and restart reuses.

Nothing is read at import. The first callback of a worker calls :func:`region_view` with
the region's resolved path (from the Flask config), which reads the region through
:func:`layers.read_region` and derives what the pages need (country names, centroids,
map bounds); ``functools.lru_cache`` keeps it for the life of the process. Every gunicorn
worker does the same from the same files, so all workers answer alike. Callers must
treat the returned frames as read-only.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from dashboard.aggregates import with_areas
from dashboard.basemap import (
    BASEMAP_LAYERS,
    DECIMALS,
    KEEP_PROPERTIES,
    TOLERANCE_DEG,
    compact_geojson,
)

if TYPE_CHECKING:
    from geotraf.privacy.release import Release
    from layers.region import Region

#: Flask config key holding the resolved region path.
CONFIG_KEY = "GEOTRAF_REGION_PATH"
#: Flask config key holding the instance's releases folder.
RELEASES_KEY = "GEOTRAF_RELEASES"
#: Flask config key holding the users' workspace folder.
WORKSPACE_KEY = "GEOTRAF_WORKSPACE"
#: Session key: ``"bundled"`` when the user chose the bundled region over their own data.
SOURCE_SESSION_KEY = "geotraf_data"
#: Separates the parts of a workspace region key (bundled path, user folder, version).
WORKSPACE_SEP = "::"
#: Layers of the basemap that are extra files beside the region's own layers.
EXTRA_LAYERS: tuple[str, ...] = ("context", "provinces")
_EXTRA_SUFFIXES: tuple[str, ...] = (".geojson", ".json", ".gpkg")
#: Shown when a region has no geometry to fit the map to (the whole world).
WORLD_BOUNDS: tuple[float, float, float, float] = (-180.0, -60.0, 180.0, 75.0)

Point = tuple[float, float]


@dataclass(frozen=True)
class RegionView:
    """What the pages need from one region, derived once per process (read-only)."""

    path: str
    name: str
    synthetic: bool
    #: Released place-level flows (:func:`geotraf.privacy.region.released_flows`), areas added.
    flows: pd.DataFrame
    places: pd.DataFrame | None
    country_names: dict[str, str]
    country_centroids: dict[str, Point]
    province_centroids: dict[str, Point]
    province_key: str | None
    bounds: tuple[float, float, float, float]
    years: tuple[int, int] | None
    basemap_layers: tuple[str, ...] = field(default_factory=tuple)
    #: Released country table (noisy whole numbers; sums are made non-negative for display).
    country_table: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: ε, δ, release id of the release behind every number of this view.
    protection: dict[str, object] = field(default_factory=dict)
    #: The user's own data behind this view (files, uploaded, rows); None when bundled.
    source: dict[str, object] | None = None

    @property
    def has_provinces(self) -> bool:
        """True when flows can be mapped by province (places carry ``admin1``)."""
        return bool(self.province_centroids)


@functools.lru_cache(maxsize=4)
def load_region(path: str) -> Region:
    """Read and validate the region at ``path`` (once per process).

    A workspace key (:func:`workspace_key`) gives the bundled region with the user's
    uploaded layers in place of its own.
    """
    from layers import read_region

    if WORKSPACE_SEP in path:
        return _workspace_region(path)
    region: Region = read_region(Path(path))
    return region


def base_path(path: str) -> str:
    """Return the bundled region's path of a region key (itself when not a workspace key)."""
    return path.split(WORKSPACE_SEP, 1)[0]


def workspace_layers(user_dir: Path) -> dict[str, Path]:
    """Return the user's uploaded layer files by kind (``<kind>.<ext>`` in ``user_dir``)."""
    from layers.schema import LAYER_KINDS

    if not user_dir.is_dir():
        return {}
    return {p.stem: p for p in sorted(user_dir.iterdir()) if p.is_file() and p.stem in LAYER_KINDS}


def workspace_key(bundled: str, user_dir: Path) -> str | None:
    """Return the key of a user's data version (None unless they uploaded flows).

    The key changes with every upload (it holds the files' modification time), so a new
    upload is a new dataset version: its own view, release and ledger line.
    """
    files = workspace_layers(user_dir)
    if "flows" not in files:
        return None
    version = max(f.stat().st_mtime_ns for f in files.values())
    return WORKSPACE_SEP.join((bundled, str(user_dir), str(version)))


def _workspace_region(key: str) -> Region:
    from dataclasses import replace

    from layers import read_region
    from layers._read import read_layer

    bundled, user_dir, _ = key.split(WORKSPACE_SEP)
    base: Region = read_region(Path(bundled))
    layers = {kind: read_layer(f, kind) for kind, f in workspace_layers(Path(user_dir)).items()}
    return replace(base, **layers)


def workspace_releases(key: str) -> str:
    """Return the releases folder of a workspace key: ``<workspace>/<user>/releases``."""
    return str(Path(key.split(WORKSPACE_SEP)[1]).parent / "releases")


def releases_for(path: str) -> str:
    """Return the releases folder of a region key (the user's own for workspace data)."""
    return workspace_releases(path) if WORKSPACE_SEP in path else releases_dir()


def data_source(path: str) -> dict[str, object] | None:
    """Return what the user's own data is (files, upload time, rows), or None if bundled."""
    if WORKSPACE_SEP not in path:
        return None
    from datetime import UTC, datetime

    files = workspace_layers(Path(path.split(WORKSPACE_SEP)[1]))
    flows = load_region(path).flows
    stamp = max(f.stat().st_mtime for f in files.values())
    return {
        "files": [f.name for f in files.values()],
        "uploaded": datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "rows": 0 if flows is None else len(flows),
    }


def active_key() -> str:
    """Return the region key of this request: the user's own data, unless they chose the
    bundled region (``/data/bundled``) or have uploaded no flows."""
    from flask import current_app, has_request_context, session

    bundled = str(current_app.config[CONFIG_KEY])
    workspace = current_app.config.get(WORKSPACE_KEY)
    if not workspace or not has_request_context():
        return bundled
    if session.get(SOURCE_SESSION_KEY) == "bundled":
        return bundled
    from flask_login import current_user

    if not getattr(current_user, "is_authenticated", False):
        return bundled
    from dashboard.uploads import user_region

    return workspace_key(bundled, user_region(workspace, str(current_user.id))) or bundled


def releases_dir() -> str:
    """Return the app's releases folder (its Flask config).

    The dashboard never falls back to the default instance folder: a release made
    there would be a second release of the same data, spending ε again, in a ledger the
    app does not show. Code that runs without the app (a background job, a benchmark)
    is handed the folder instead.

    Raises
    ------
    PrivacyError
        Outside an app context, or in an app without a releases folder.
    """
    from flask import current_app, has_app_context

    if has_app_context() and current_app.config.get(RELEASES_KEY):
        return str(current_app.config[RELEASES_KEY])
    from geotraf.errors import PrivacyError

    raise PrivacyError(
        "no releases folder is bound here (no dashboard app): pass the app's releases "
        f"folder (its config {RELEASES_KEY!r}) instead of letting a second release be made"
    )


@functools.lru_cache(maxsize=4)
def route_graph(path: str) -> Any:
    """Build the region's route graph (once per process; treat it as read-only)."""
    import warnings

    from geotraf.graph import build_route_graph

    region = load_region(path)
    with warnings.catch_warnings():
        # Unattached places are reported by `geotraf build`; the page shows unrouted flows.
        warnings.simplefilter("ignore")
        return build_route_graph(region.roads, region.borders, region.crossings, region.places)


@functools.lru_cache(maxsize=4)
def region_release(path: str, releases: str) -> Release:
    """Return the release of the region at ``path`` (made once, then read from ``releases``).

    A release to be made keys its incidents by this process's route graph (built once,
    shared with the Corridors page), not by a second build.
    """
    from geotraf.privacy.region import release_region

    region = load_region(path)
    return release_region(region, store=releases, source=path, graph=lambda: route_graph(path))


@functools.lru_cache(maxsize=4)
def released_region_flows(path: str, releases: str) -> pd.DataFrame:
    """Return the released place-level flows of the region at ``path`` (read-only)."""
    from geotraf.privacy.region import released_flows

    return released_flows(region_release(path, releases), load_region(path).places)


@functools.lru_cache(maxsize=4)
def released_region_pairs(path: str, releases: str) -> pd.DataFrame:
    """Return the released place pairs of the region at ``path`` (read-only).

    One row per routed (origin, destination, via) of the release's ``pairs`` table
    (:func:`geotraf.privacy.region.released_flows` with ``table="pairs"``): the corridor
    model of all people, behind the unfiltered Corridors view and its hotspots.
    """
    from geotraf.privacy.region import released_flows

    return released_flows(region_release(path, releases), load_region(path).places, table="pairs")


@functools.lru_cache(maxsize=4)
def released_region_pairs_by_year(path: str, releases: str) -> pd.DataFrame:
    """Return the released place pairs split over the years (read-only).

    :func:`geotraf.privacy.region.pairs_by_year`: behind a Corridors view filtered by
    years only.
    """
    from geotraf.privacy.region import pairs_by_year

    return pairs_by_year(region_release(path, releases), load_region(path).places)


@functools.lru_cache(maxsize=4)
def region_view(path: str, releases: str | None = None) -> RegionView:
    """Return the dashboard's view of the region at ``path`` (once per process).

    ``releases`` is the releases folder (default :func:`releases_dir`).
    """
    releases = releases or releases_dir()
    region = load_region(path)
    release = region_release(path, releases)
    flows = released_region_flows(path, releases)
    places = region.places
    borders = region.borders
    provinces = extra_layer(base_path(path), "provinces")
    province_key = _province_key(provinces, places)
    country = release.table("country")
    years = (int(country["year"].min()), int(country["year"].max())) if len(country) else None
    available = tuple(
        name for name in BASEMAP_LAYERS if basemap_layer(base_path(path), name) is not None
    )
    return RegionView(
        path=path,
        name=Path(base_path(path)).stem,
        synthetic=bool(getattr(region, "synthetic", False)),
        flows=with_areas(pd.DataFrame(flows), places),
        places=None if places is None else pd.DataFrame(places),
        country_names=_country_names(borders, places),
        country_centroids=_country_centroids(borders, places),
        province_centroids=_province_centroids(provinces, province_key, places),
        province_key=province_key,
        bounds=_bounds(borders, places),
        years=years,
        basemap_layers=available,
        country_table=country,
        source=data_source(path),
        protection={
            "epsilon": release.epsilon,
            "delta": release.delta,
            "release_id": release.release_id,
            "fingerprint": release.fingerprint,
            "created": release.created,
        },
    )


@functools.lru_cache(maxsize=8)
def extra_layer(path: str, name: str) -> gpd.GeoDataFrame | None:
    """Read a basemap-only layer (``context``, ``provinces``) stored beside the region.

    A folder region holds it as ``<name>.geojson`` (or ``.gpkg``); a GeoPackage region as
    a layer called ``name``. Returns None when there is none.
    """
    p = Path(path)
    if p.is_dir():
        for suffix in _EXTRA_SUFFIXES:
            candidate = p / f"{name}{suffix}"
            if candidate.exists():
                return gpd.read_file(candidate)
        return None
    import pyogrio

    if p.suffix.lower() == ".gpkg" and name in {str(n) for n, _ in pyogrio.list_layers(p)}:
        return gpd.read_file(p, layer=name)
    return None


@functools.lru_cache(maxsize=16)
def basemap_layer(path: str, name: str) -> bytes | None:
    """Return the compact GeoJSON of one basemap layer of a region, or None if absent."""
    if name not in BASEMAP_LAYERS:
        return None
    if name in EXTRA_LAYERS:
        gdf = extra_layer(path, name)
    else:
        gdf = getattr(load_region(path), name, None)
    if gdf is None or len(gdf) == 0:
        return None
    return compact_geojson(
        gdf, keep=KEEP_PROPERTIES[name], tolerance=TOLERANCE_DEG[name], decimals=DECIMALS[name]
    )


def _country_names(borders: pd.DataFrame | None, places: pd.DataFrame | None) -> dict[str, str]:
    names: dict[str, str] = {}
    if places is not None:
        names.update({c: c for c in places["country"].astype(str).unique()})
    if borders is not None:
        names.update(zip(borders["country"].astype(str), borders["name"].astype(str), strict=True))
    return names


def _rep_points(gdf: gpd.GeoDataFrame, key: str) -> dict[str, Point]:
    points = gdf.geometry.representative_point()
    return {
        str(k): (round(float(p.x), 4), round(float(p.y), 4))
        for k, p in zip(gdf[key], points, strict=True)
        if p is not None and not p.is_empty
    }


def _place_means(places: pd.DataFrame | None, key: str) -> dict[str, Point]:
    if places is None or key not in places.columns or "geometry" not in places.columns:
        return {}
    geo = gpd.GeoSeries(places["geometry"])
    frame = pd.DataFrame({"k": places[key].astype("string"), "x": geo.x, "y": geo.y})
    frame = frame.replace({"k": {"": pd.NA}}).dropna(subset=["k"])
    means = frame.groupby("k")[["x", "y"]].mean()
    return {str(k): (round(float(r.x), 4), round(float(r.y), 4)) for k, r in means.iterrows()}


def _country_centroids(
    borders: gpd.GeoDataFrame | None, places: pd.DataFrame | None
) -> dict[str, Point]:
    out = _place_means(places, "country")
    if borders is not None and len(borders):
        out.update(_rep_points(borders, "country"))
    return out


def _province_key(provinces: gpd.GeoDataFrame | None, places: pd.DataFrame | None) -> str | None:
    """Return the provinces' property whose values match the places' ``admin1`` best."""
    if provinces is None or places is None or "admin1" not in places.columns:
        return None
    wanted = set(places["admin1"].astype(str)) - {"", "nan", "None"}
    if not wanted:
        return None
    best, hits = None, 0
    for col in KEEP_PROPERTIES["provinces"]:
        if col in provinces.columns:
            n = len(wanted & set(provinces[col].astype(str)))
            if n > hits:
                best, hits = col, n
    return best


def _province_centroids(
    provinces: gpd.GeoDataFrame | None, key: str | None, places: pd.DataFrame | None
) -> dict[str, Point]:
    out = _place_means(places, "admin1")
    if provinces is not None and key is not None:
        polygons = _rep_points(provinces, key)
        out.update({k: v for k, v in polygons.items() if k in out})
    return out


def _bounds(
    borders: gpd.GeoDataFrame | None, places: pd.DataFrame | None
) -> tuple[float, float, float, float]:
    # Places first: a border polygon may be a whole large country (China for Yunnan).
    for layer, pad in ((places, 0.5), (borders, 0.0)):
        if layer is not None and len(layer) and "geometry" in layer.columns:
            west, south, east, north = gpd.GeoSeries(layer["geometry"]).total_bounds
            return float(west) - pad, float(south) - pad, float(east) + pad, float(north) + pad
    return WORLD_BOUNDS


def warm(path: str, releases: str | None = None) -> None:
    """Load the region and its basemap into this process's caches (call from a thread).

    Lets a freshly started worker answer its first map request without the load delay;
    a failure is left for the first callback to report to the user.
    """
    from geotraf.errors import GeotrafError

    try:
        view = region_view(path, releases)
        for name in view.basemap_layers:
            basemap_layer(path, name)
    except GeotrafError:
        return


def current_view() -> RegionView:
    """Return the region view of the app serving this request."""
    key = active_key()
    return region_view(key, releases_for(key))


def register_source_routes(server: Any) -> None:
    """Add ``/data/bundled`` and ``/data/mine``: switch this user's pages between the
    bundled region and their own uploaded data (kept in their session)."""
    from flask import redirect, session

    def choose(choice: str) -> Any:
        session[SOURCE_SESSION_KEY] = "bundled" if choice == "bundled" else "mine"
        return redirect("/")

    server.add_url_rule("/data/<choice>", "choose_data_source", choose)
