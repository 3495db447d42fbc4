"""``geotraf init DIR --countries NGA,BEN,TGO,GHA,CIV``: a new region from bundled geography.

The world geography ships with geotraf (``geotraf/world/``, written by
``scripts/make_world.py``): Natural Earth countries and provinces (public domain) and
GeoNames towns of at least 15,000 people (CC BY 4.0). From it :func:`init_region`
writes a region folder that validates, builds and serves at once:

- ``borders.geojson`` (the chosen countries), ``provinces.geojson`` and
  ``context.geojson`` (neighbouring land, basemap only);
- ``places.csv``: every town with an id ``<ISO2>-<NAME>-<geonameid>``, its ISO3
  country, GeoNames admin-1 code and population, and default roles (every town a
  ``source``; ``destination`` from :data:`DESTINATION_POPULATION` people; ``transit``
  within :data:`TRANSIT_BORDER_M` of another chosen country);
- ``roads.geojson``: a *schematic* network (``schematic=true``) joining neighbouring
  towns (a Delaunay triangulation, long links dropped, the spanning tree kept so every
  town is reachable), to be replaced by real roads from an OpenStreetMap extract;
- ``README.md`` (what to add next) and ``ATTRIBUTION.txt`` (shown in the dashboard).
"""

from __future__ import annotations

import argparse
import re
import unicodedata
from importlib import resources
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import minimum_spanning_tree
from scipy.spatial import Delaunay

from geotraf._geo import LocalProjection
from geotraf.errors import GeotrafError
from layers import write_layer
from layers._values import hostile, iso3_codes, iso_table

#: Towns from this population are destinations by default.
DESTINATION_POPULATION = 100_000
#: Towns this close (metres) to another chosen country are transit places by default.
TRANSIT_BORDER_M = 50_000.0
#: Schematic links longer than this (metres) are dropped unless the spanning tree needs them.
MAX_LINK_M = 150_000.0
#: Neighbouring land within this margin (degrees) of the region is kept as basemap context.
CONTEXT_MARGIN_DEG = 3.0
ATTRIBUTION = "Borders and provinces: Natural Earth (public domain); towns: GeoNames (CC BY 4.0)."


def world_layer(name: str) -> pd.DataFrame:
    """Return one bundled world layer: ``countries``, ``provinces`` (GeoDataFrames) or
    ``towns`` (a table with lon/lat).

    Examples
    --------
    >>> world_layer("countries").query("country == 'GHA'")["name"].tolist()
    ['Ghana']
    """
    path = resources.files("geotraf").joinpath("world", f"{name}.parquet")
    with resources.as_file(path) as file:
        if name == "towns":
            return pd.read_parquet(file)
        return gpd.read_parquet(file)


def parse_countries(text: str) -> list[str]:
    """Return the ISO3 codes of a ``NGA,BEN`` list, or raise a GeotrafError naming the bad one.

    Examples
    --------
    >>> parse_countries("nga, BEN;tgo")
    ['NGA', 'BEN', 'TGO']
    """
    codes = [c.strip().upper() for c in re.split(r"[,; ]+", text) if c.strip()]
    if not codes:
        raise GeotrafError("--countries needs at least one ISO3 code, e.g. --countries GHA,TGO")
    bad = [c for c in codes if c not in iso3_codes()]
    if bad:
        raise GeotrafError(
            f"--countries: {', '.join(bad)} is not an ISO 3166-1 alpha-3 code; give three "
            "capital letters per country, separated by commas (e.g. NGA,BEN)"
        )
    return list(dict.fromkeys(codes))


def _slug(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Z0-9]+", "", text.upper())[:24] or "TOWN"


def _places(
    towns: pd.DataFrame, borders: gpd.GeoDataFrame, proj: LocalProjection
) -> gpd.GeoDataFrame:
    towns = towns[[hostile(str(n)) is None for n in towns["name"]]].copy()
    iso2 = {a3: a2 for a2, (a3, _) in iso_table().items()}
    towns["place_id"] = [
        f"{iso2.get(c, c[:2])}-{_slug(n)}-{g}"
        for c, n, g in zip(towns["country"], towns["name"], towns["geonameid"], strict=True)
    ]
    x, y = proj.forward(towns["lon"].to_numpy(), towns["lat"].to_numpy())
    pts = shapely.points(x, y)
    near_other = np.zeros(len(towns), dtype=bool)
    for row in borders.itertuples(index=False):
        other = towns["country"].to_numpy() != row.country
        poly = proj.project_geometries(np.array([row.geometry], dtype=object))[0]
        near_other |= other & (shapely.distance(pts, poly) <= TRANSIT_BORDER_M)
    roles = []
    for pop, transit in zip(towns["population"], near_other, strict=True):
        role = ["source"]
        if transit:
            role.append("transit")
        if pop >= DESTINATION_POPULATION:
            role.append("destination")
        roles.append(";".join(role))
    frame = pd.DataFrame(
        {
            "place_id": towns["place_id"],
            "name": towns["name"],
            "country": towns["country"],
            "role": roles,
            "place_type": "city",
            "admin1": towns["admin1"],
            "population": towns["population"].astype(int),
        }
    )
    return gpd.GeoDataFrame(
        frame.reset_index(drop=True),
        geometry=gpd.points_from_xy(towns["lon"], towns["lat"]),
        crs="EPSG:4326",
    )


def _schematic_roads(places: gpd.GeoDataFrame, proj: LocalProjection) -> gpd.GeoDataFrame:
    lon, lat = places.geometry.x.to_numpy(), places.geometry.y.to_numpy()
    x, y = proj.forward(lon, lat)
    xy = np.column_stack([x, y])
    if len(xy) < 2:
        raise GeotrafError("the countries have fewer than two towns; add places by hand")
    if len(xy) == 2:
        pairs = np.array([[0, 1]])
    else:
        tri = Delaunay(xy)
        sides = np.vstack(
            [tri.simplices[:, [0, 1]], tri.simplices[:, [1, 2]], tri.simplices[:, [0, 2]]]
        )
        pairs = np.unique(np.sort(sides, axis=1), axis=0)
    length = np.hypot(*(xy[pairs[:, 0]] - xy[pairs[:, 1]]).T)
    n = len(xy)
    tree = minimum_spanning_tree(
        coo_matrix((length + 1e-6, (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    ).tocoo()
    in_tree = {(min(a, b), max(a, b)) for a, b in zip(tree.row, tree.col, strict=True)}
    keep = [k for k, (a, b) in enumerate(pairs) if length[k] <= MAX_LINK_M or (a, b) in in_tree]
    ids = places["place_id"].tolist()
    return gpd.GeoDataFrame(
        {
            "road_id": [f"s-{ids[pairs[k, 0]]}-{ids[pairs[k, 1]]}" for k in keep],
            "road_class": "secondary",
            "schematic": True,
        },
        geometry=[
            shapely.LineString(
                [(lon[pairs[k, 0]], lat[pairs[k, 0]]), (lon[pairs[k, 1]], lat[pairs[k, 1]])]
            )
            for k in keep
        ],
        crs="EPSG:4326",
    )


def init_region(
    folder: str | Path, countries: list[str], *, min_population: int = 15_000, force: bool = False
) -> dict[str, int]:
    """Write a ready region for ``countries`` (ISO3 codes) into ``folder``.

    Parameters
    ----------
    folder
        Created if needed; must be empty unless ``force``.
    countries
        ISO 3166-1 alpha-3 codes.
    min_population
        Leave out towns smaller than this (the bundled towns start at 15,000).
    force
        Write into a folder that already has files (layers are replaced atomically).

    Returns
    -------
    dict
        How many features each written layer has.

    Raises
    ------
    GeotrafError
        When a country is not in the bundled geography, or the folder is not empty.

    Examples
    --------
    >>> import tempfile
    >>> counts = init_region(tempfile.mkdtemp(), ["GHA", "TGO"])
    >>> counts["borders"], counts["places"] > 50
    (2, True)
    """
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()) and not force:
        raise GeotrafError(f"{folder} is not empty; give a new folder or pass --force")
    world = world_layer("countries")
    chosen = world[world["country"].isin(countries)]
    missing = sorted(set(countries) - set(chosen["country"]))
    if missing:
        raise GeotrafError(
            f"no bundled geography for {', '.join(missing)} (Natural Earth has no polygon "
            "for it); leave it out and add its border polygon by hand"
        )
    borders = gpd.GeoDataFrame(
        chosen[["country", "name"]], geometry=chosen.geometry.values, crs="EPSG:4326"
    ).reset_index(drop=True)
    proj = LocalProjection.around(shapely.get_coordinates(borders.geometry.envelope.values))
    towns = world_layer("towns")
    towns = towns[towns["country"].isin(countries) & (towns["population"] >= min_population)]
    places = _places(towns, borders, proj)
    roads = _schematic_roads(places, proj)
    provinces = world_layer("provinces")
    provinces = provinces[provinces["country"].isin(countries)].reset_index(drop=True)
    box = shapely.box(*borders.total_bounds).buffer(CONTEXT_MARGIN_DEG)
    context = world[~world["country"].isin(countries) & world.intersects(box)].copy()
    context["geometry"] = context.geometry.intersection(box)
    folder.mkdir(parents=True, exist_ok=True)
    write_layer(borders, folder / "borders.geojson", kind="borders")
    write_layer(places, folder / "places.csv", kind="places")
    write_layer(roads, folder / "roads.geojson", kind="roads")
    _atomic_text(
        folder / "provinces.geojson",
        provinces[["admin1", "name", "country", "geometry"]].to_json(drop_id=True),
    )
    _atomic_text(
        folder / "context.geojson", context[["country", "name", "geometry"]].to_json(drop_id=True)
    )
    counts = {
        "borders": len(borders),
        "places": len(places),
        "roads": len(roads),
        "provinces": len(provinces),
        "context": len(context),
    }
    _atomic_text(folder / "README.md", _readme(folder.name, countries, counts))
    _atomic_text(folder / "ATTRIBUTION.txt", ATTRIBUTION + "\n")
    return counts


def _atomic_text(path: Path, text: str) -> None:
    from layers.io import atomic_write

    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def _readme(name: str, countries: list[str], counts: dict[str, int]) -> str:
    return f"""# Region {name}: {", ".join(countries)}

Written by `geotraf init` from the geography bundled with geotraf. It validates, builds
and serves as it is (`geotraf build --region {name}`, `geotraf serve --region {name}`),
but its roads are a sketch.

## What is here

- `borders.geojson`: {counts["borders"]} countries (Natural Earth, public domain).
- `provinces.geojson`: {counts["provinces"]} admin-1 areas (Natural Earth); `admin1` is
  the GeoNames admin-1 code (`<ISO2>-<code>`, FIPS 10-4 based for most countries).
- `context.geojson`: {counts["context"]} neighbouring countries, for the basemap only.
- `places.csv`: {counts["places"]} towns of at least 15,000 people (GeoNames, CC BY 4.0),
  ids `<ISO2>-<NAME>-<geonameid>`. Default roles: every town `source`; `destination`
  from {DESTINATION_POPULATION:,} people; `transit` within {TRANSIT_BORDER_M / 1000:g} km of
  another of the countries. Edit the roles to what your cases show.
- `roads.geojson`: {counts["roads"]} **schematic** straight links between neighbouring
  towns (`schematic=true`), only so that the region builds. Routes on them are guesses.

## What to add

1. **Roads** from an OpenStreetMap extract: download the countries from a Geofabrik
   mirror, save the file here as `roads.osm.pbf` and delete `roads.geojson` (one file per
   layer). `geotraf validate roads.osm.pbf` says what it kept and dropped.
2. **Crossings** (`crossings.csv`): the official border posts with their two ISO3 codes,
   e.g. `countries = GHA;TGO`. Without them every road crossing a border is an informal
   crossing.
3. **Flows** (`flows.csv`): your counts, or the CTDC global dataset CSV as downloaded
   (recognised by its header and counted into flows; no person row is kept).
4. **Sites** and **incidents** where you have them (`geotraf layers` lists the columns).

Then `geotraf validate {name}` and `geotraf build --region {name}`: the build report lists
every road it could not use and every place whose declared country differs from its
polygon (Natural Earth borders are generalised to a few kilometres).
"""


def run_init(args: argparse.Namespace) -> int:
    """``geotraf init DIR --countries ...``: write the region and say what was written."""
    countries = parse_countries(args.countries)
    counts = init_region(
        args.folder, countries, min_population=args.min_population, force=args.force
    )
    print(
        f"{args.folder}: region written ("
        + ", ".join(f"{n} {k}" for k, n in counts.items())
        + f"). Next: read {Path(args.folder) / 'README.md'}, then "
        f"`geotraf build --region {args.folder}`"
    )
    return 0
