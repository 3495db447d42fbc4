"""Bundled datasets, found by name (like ``momepy.datasets.get_path``)."""

from __future__ import annotations

from pathlib import Path

from geotraf.errors import GeotrafError

#: Datasets shipped with geotraf and what each one is.
AVAILABLE: dict[str, str] = {
    "mekong": "Greater Mekong Subregion demo: real geography, synthetic flow counts",
}


def get_path(name: str) -> Path:
    """Return the folder of a bundled dataset.

    Installed wheels carry the data inside the package (``geotraf/_data``); an editable
    install or a source checkout reads it from the repository's ``data/`` folder.

    Parameters
    ----------
    name
        One of :data:`AVAILABLE`.

    Examples
    --------
    >>> get_path("mekong").name
    'mekong'
    """
    if name not in AVAILABLE:
        raise GeotrafError(f"unknown dataset {name!r}; available: {', '.join(sorted(AVAILABLE))}")
    here = Path(__file__).resolve().parent
    for candidate in (here / "_data" / name, here.parent / "data" / name):
        if candidate.is_dir():
            return candidate
    raise GeotrafError(
        f"dataset {name!r} is not installed; reinstall geotraf (pip install geotraf)"
    )


def resolve_region(region: str | Path) -> Path:
    """Return the path of a region given as a bundled dataset name or a path.

    Examples
    --------
    >>> resolve_region("mekong") == get_path("mekong")
    True
    """
    if isinstance(region, str) and region in AVAILABLE:
        return get_path(region)
    path = Path(region)
    if not path.exists():
        raise GeotrafError(
            f"region {str(region)!r} not found: give a bundled name "
            f"({', '.join(sorted(AVAILABLE))}), a GeoPackage or a folder of layer files"
        )
    return path
