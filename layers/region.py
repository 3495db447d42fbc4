"""Read a whole region: one GeoPackage with a layer per kind, or a folder of layer files."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from layers._formats import ALL_ENDINGS, kind_stem, supported
from layers._read import read_layer
from layers._values import hostile, iso3_codes
from layers.errors import LayerError, Problem, file_error
from layers.schema import LAYER_KINDS, REQUIRED_KINDS, split_list


@dataclass(frozen=True, eq=False)
class Region:
    """The validated layers of one region (see ``docs/contracts.md``).

    Every layer is in EPSG:4326 with its schema's columns in order; an optional layer the
    region does not have is ``None``. ``flows`` is a plain DataFrame when it has no
    geometry.

    Examples
    --------
    >>> region = read_region("data/mekong")  # doctest: +SKIP
    >>> region.synthetic  # doctest: +SKIP
    True
    """

    places: gpd.GeoDataFrame
    roads: gpd.GeoDataFrame
    borders: gpd.GeoDataFrame | None = None
    crossings: gpd.GeoDataFrame | None = None
    flows: pd.DataFrame | None = None
    incidents: gpd.GeoDataFrame | None = None
    sites: gpd.GeoDataFrame | None = None
    path: Path | None = None

    def __repr__(self) -> str:
        """One line: where it came from and the rows of each layer it has.

        Examples
        --------
        >>> import geopandas as gpd
        >>> Region(places=gpd.GeoDataFrame(geometry=[]), roads=gpd.GeoDataFrame(geometry=[]))
        Region(places=0, roads=0)
        """
        where = [repr(self.path.name)] if self.path is not None else []
        rows = [f"{kind}={len(frame)}" for kind, frame in self.layers().items()]
        tail = ["synthetic"] if self.synthetic else []
        return f"Region({', '.join(where + rows + tail)})"

    @property
    def synthetic(self) -> bool:
        """True when any flow row is marked ``synthetic`` (made-up demo counts)."""
        return self.flows is not None and bool(self.flows["synthetic"].any())

    def layers(self) -> dict[str, pd.DataFrame]:
        """Return the layers the region has, by kind, in data-flow order."""
        found = {kind: getattr(self, kind) for kind in LAYER_KINDS}
        return {kind: frame for kind, frame in found.items() if frame is not None}


def region_files(folder: Path) -> tuple[dict[str, Path], list[Problem]]:
    """Return the layer file of each kind in ``folder``; two files for one kind is a problem.

    Files whose stem is not a layer kind (``provinces.geojson``, ``SOURCES.md``) are
    ignored, as are Shapefile side-car files.
    """
    candidates: dict[str, list[Path]] = {}
    for file in sorted(folder.iterdir()):
        if file.is_file() and kind_stem(file) in LAYER_KINDS and supported(file):
            candidates.setdefault(kind_stem(file), []).append(file)
    files: dict[str, Path] = {}
    problems: list[Problem] = []
    for kind, paths in candidates.items():
        if len(paths) > 1:
            names = ", ".join(p.name for p in paths)
            problems.append(
                Problem(
                    folder.name,
                    None,
                    None,
                    None,
                    f"has {len(paths)} files for the {kind} layer ({names})",
                    "keep one file per layer kind",
                )
            )
        files[kind] = paths[0]
    return files, problems


def region_layers(path: Path) -> list[str]:
    """Return the layer kinds a region GeoPackage or folder holds, in data-flow order."""
    if path.is_dir():
        found = set(region_files(path)[0])
    else:
        found = {str(name) for name in pyogrio.list_layers(path)[:, 0]}
    return [kind for kind in LAYER_KINDS if kind in found]


_ADMIN1 = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")


def _row(frame: pd.DataFrame, pos: int) -> int:
    """The row number a user sees: CSV line (header = 1) or 1-based feature number."""
    return pos + 2 if str(frame.attrs.get("source", "")).endswith(".csv") else pos + 1


def check_references(layers: dict[str, pd.DataFrame]) -> list[Problem]:
    """Check links between layers: flow ends and vias, and the crossings sites watch.

    A flow end is a ``place_id``, an ISO3 country code or an admin-1 code (``TH-50``);
    ``via`` items must be place ids; a site's ``crossing_id`` must be a crossing.
    """
    problems: list[Problem] = []
    places = layers.get("places")
    place_ids = set(places["place_id"]) if places is not None else set()
    countries = sorted(set(places["country"])) if places is not None else []
    flows = layers.get("flows")
    if flows is not None:
        source = str(flows.attrs.get("source", "flows"))
        for column in ("origin", "destination"):
            for pos, value in enumerate(flows[column]):
                known = value in place_ids or value in iso3_codes() or _ADMIN1.match(value)
                if not known:
                    problems.append(
                        Problem(
                            source,
                            _row(flows, pos),
                            column,
                            value,
                            "is not a place_id of the places layer, an ISO3 country code or "
                            "an admin-1 code",
                            "use a place_id from places"
                            + (f", e.g. {sorted(place_ids)[0]}" if place_ids else "")
                            + ", or a country's ISO3 code"
                            + (f" such as {countries[0]}" if countries else ""),
                        )
                    )
        for pos, value in enumerate(flows["via"]):
            missing = [item for item in split_list(value) if item not in place_ids]
            if missing:
                problems.append(
                    Problem(
                        source,
                        _row(flows, pos),
                        "via",
                        value,
                        f"transit place {missing[0]!r} is not in the places layer",
                        "list place_ids of the places layer, separated by ';'",
                    )
                )
    sites, crossings = layers.get("sites"), layers.get("crossings")
    if sites is not None:
        crossing_ids = set(crossings["crossing_id"]) if crossings is not None else set()
        source = str(sites.attrs.get("source", "sites"))
        for pos, value in enumerate(sites["crossing_id"]):
            if value and value not in crossing_ids:
                problems.append(
                    Problem(
                        source,
                        _row(sites, pos),
                        "crossing_id",
                        value,
                        "is not a crossing_id of the crossings layer",
                        "use a crossing_id from crossings, or leave it empty",
                    )
                )
    return problems


#: The file in a region folder whose first line the dashboard footer shows.
ATTRIBUTION_FILE = "ATTRIBUTION.txt"
#: Longest attribution shown.
MAX_ATTRIBUTION = 300


def region_attribution(path: str | Path) -> str:
    """Return the data sources a region folder names in ``ATTRIBUTION.txt`` (or ``""``).

    Only the first line is used, cut at :data:`MAX_ATTRIBUTION` characters; text that
    validation would refuse (control characters, markup) is not shown.

    Examples
    --------
    >>> region_attribution("data/mekong")
    ''
    """
    file = Path(path) / ATTRIBUTION_FILE
    if not file.is_file():
        return ""
    try:
        first = file.read_text(encoding="utf-8").strip().splitlines()[:1]
    except (OSError, UnicodeDecodeError):
        return ""
    text = first[0].strip()[:MAX_ATTRIBUTION] if first else ""
    return text if text and hostile(text) is None else ""


def country_notes(region: Region) -> list[str]:
    """Say which places' declared country differs from the border polygon they lie in.

    Nothing is changed here: ``geotraf build`` uses the polygon's country unless told
    ``--trust-declared-country``; these notes tell the user before it happens.

    Examples
    --------
    >>> country_notes(read_region("data/mekong"))  # doctest: +SKIP
    []
    """
    if region.borders is None or len(region.borders) == 0:
        return []
    points = region.places[["place_id", "country", "geometry"]].copy()
    points["geometry"] = points.geometry.representative_point()
    joined = gpd.sjoin(
        points, region.borders[["country", "geometry"]], predicate="within", how="inner"
    )
    notes = []
    for row in joined.itertuples(index=False):
        declared, polygon = str(row.country_left), str(row.country_right)
        if declared != polygon:
            notes.append(
                f"place {row.place_id}: declared {declared}, but its point lies in {polygon}'s "
                f"polygon; build uses {polygon} (pass --trust-declared-country to keep "
                f"{declared})"
            )
    return sorted(set(notes))


def read_region(path: str | Path, *, repair: bool = False) -> Region:
    """Read and validate every layer of a region.

    Parameters
    ----------
    path
        A GeoPackage whose layer names are the kinds (``places``, ``roads``, ...), or a
        folder with one file per kind named after it (``places.geojson``, ``flows.csv``),
        in any supported format. Other layers and files are ignored.
    repair
        Repair invalid geometries with ``shapely.make_valid`` instead of rejecting them.

    Returns
    -------
    Region
        ``None`` for each optional layer that is absent.

    Raises
    ------
    LayerError
        With the problems of every file together, one for each required layer
        (``places``, ``roads``) that is missing, and, once every file is valid, each
        broken link between layers (see :func:`check_references`).

    Examples
    --------
    >>> region = read_region("data/mekong")  # doctest: +SKIP
    >>> len(region.places) > 0  # doctest: +SKIP
    True
    """
    path = Path(path)
    source = path.name or str(path)
    if not path.exists():
        raise file_error(
            source, f"region not found: {path}", "give a GeoPackage or a folder of layer files"
        )
    problems: list[Problem] = []
    sources: dict[str, tuple[Path, str | None]] = {}
    if path.is_dir():
        files, problems = region_files(path)
        sources = {kind: (file, None) for kind, file in files.items()}
    elif path.suffix.lower() == ".gpkg":
        try:
            names = region_layers(path)
        except Exception as exc:  # any GDAL failure means the same to a user: unreadable
            raise file_error(source, f"cannot be read ({exc})", "check the file") from None
        sources = {kind: (path, kind) for kind in names}
    else:
        raise file_error(
            source,
            "a region is a GeoPackage or a folder",
            "give a .gpkg with one layer per kind, or a folder of layer files",
        )
    layers: dict[str, pd.DataFrame] = {}
    for kind in (k for k in LAYER_KINDS if k in sources):
        file, layer = sources[kind]
        try:
            layers[kind] = read_layer(file, kind, layer=layer, repair=repair)
        except LayerError as exc:
            problems.extend(exc.problems)
    if not problems:
        problems.extend(check_references(layers))
    for kind in REQUIRED_KINDS:
        if kind not in sources:
            where = f"a layer named {kind!r}" if path.is_file() else f"a file {kind}.<ext>"
            problems.append(
                Problem(
                    source,
                    None,
                    None,
                    None,
                    f"required layer {kind!r} is missing",
                    f"add {where} (formats: {', '.join(ALL_ENDINGS)})",
                )
            )
    if problems:
        raise LayerError(problems)
    return Region(
        places=layers["places"],
        roads=layers["roads"],
        borders=layers.get("borders"),
        crossings=layers.get("crossings"),
        flows=layers.get("flows"),
        incidents=layers.get("incidents"),
        sites=layers.get("sites"),
        path=path,
    )
