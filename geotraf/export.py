"""Write checkpoint plans to CSV, GeoJSON or GeoPackage — marked RESTRICTED, atomically.

Plans tell traffickers where the police will be, so every file says it is restricted
where the format allows: a ``classification`` column on every CSV row (the header stays
the first line, so spreadsheets and GIS read the file as a table), a ``classification``
member in GeoJSON, dataset and layer metadata in GeoPackage. Counts of people are whole
numbers; those below the suppression threshold
(:data:`geotraf.privacy.DEFAULT_THRESHOLD`) are written as empty.
Each file is written to a temporary file in the same folder and moved into place with
:func:`os.replace`, so a reader never sees half a plan.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geotraf.errors import PlanError
from layers.io import atomic_write

if TYPE_CHECKING:
    from geotraf.checkpoints import Plan

#: The marking written into every plan file.
RESTRICTED = "RESTRICTED — checkpoint plan"
NOTICE = f"{RESTRICTED}: operationally secret, share only with authorised planners"
FORMATS = {".csv": "csv", ".geojson": "geojson", ".json": "geojson", ".gpkg": "gpkg"}
#: Columns holding modelled counts of people (suppressed below the threshold).
COUNT_COLUMNS = ("captured", "marginal_gain", "captured_after_evasion")


def _threshold() -> int:
    try:
        from geotraf.privacy import DEFAULT_THRESHOLD
    except ImportError:  # pragma: no cover - privacy is part of geotraf
        return 11
    return int(DEFAULT_THRESHOLD)


def plan_tables(plan: Plan) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the ranked sites (with ``lon``/``lat``, small counts blanked) and schedule.

    Examples
    --------
    >>> # see tests/test_export.py for a full plan
    >>> callable(plan_tables)
    True
    """
    sites = pd.DataFrame(plan.sites.drop(columns="geometry"))
    sites["lon"] = plan.sites.geometry.x.to_numpy()
    sites["lat"] = plan.sites.geometry.y.to_numpy()
    limit = _threshold()
    for col in COUNT_COLUMNS:
        if col in sites:
            values = sites[col].astype(float)
            kept = values.where(~((values > 0) & (values < limit)), np.nan)
            sites[col] = kept.round(0).astype("Int64")  # whole people
    return sites, plan.schedule.copy()


def summary(plan: Plan) -> dict[str, Any]:
    """Return the plan's headline figures (for file metadata and ``--format json``).

    Totals under the suppression threshold are given as None.
    """
    limit = _threshold()

    def count(v: float) -> int | None:
        return None if 0 < v < limit else round(float(v))

    return {
        "classification": RESTRICTED,
        "method": plan.method,
        "captured": count(plan.captured),
        "total": count(plan.total),
        "captured_share": round(plan.captured_share, 4),
        "captured_after_evasion": count(plan.captured_after_evasion),
        "captured_after_evasion_share": round(plan.captured_after_evasion_share, 4),
        "evasion_tolerance": plan.evasion_tolerance,
        "evasion_aware": plan.evasion_aware,
        "gap": None if plan.gap is None else round(plan.gap, 6),
    }


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    marked = frame.assign(classification=RESTRICTED)

    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            marked.to_csv(fh, index=False)

    atomic_write(path, write)


def _write_geojson(plan: Plan, sites: pd.DataFrame, schedule: pd.DataFrame, path: Path) -> None:
    features = []
    for rec in json.loads(sites.drop(columns=["lon", "lat"]).to_json(orient="records")):
        features.append(rec)
    geoms = list(zip(sites["lon"], sites["lat"], strict=True))
    doc = {
        "type": "FeatureCollection",
        # foreign members (RFC 7946 §6.1): readers that do not know them ignore them
        "classification": RESTRICTED,
        "notice": NOTICE,
        "summary": summary(plan),
        "schedule": json.loads(schedule.to_json(orient="records")),
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [float(x), float(y)]},
                "properties": props,
            }
            for props, (x, y) in zip(features, geoms, strict=True)
        ],
    }

    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, ensure_ascii=False, indent=1)

    atomic_write(path, write)


def _write_gpkg(plan: Plan, sites: pd.DataFrame, schedule: pd.DataFrame, path: Path) -> None:
    import geopandas as gpd
    import pyogrio

    gdf = gpd.GeoDataFrame(
        sites.drop(columns=["lon", "lat"]),
        geometry=gpd.points_from_xy(sites["lon"], sites["lat"]),
        crs=plan.sites.crs or "EPSG:4326",
    )
    meta = {k: "" if v is None else str(v) for k, v in summary(plan).items()}
    meta["NOTICE"] = NOTICE

    def write(tmp: Path) -> None:
        pyogrio.write_dataframe(
            gdf,
            tmp,
            layer="sites",
            driver="GPKG",
            dataset_metadata=meta,
            layer_metadata={"DESCRIPTION": f"{RESTRICTED}: ranked sites"},
        )
        pyogrio.write_dataframe(
            schedule,
            tmp,
            layer="schedule",
            driver="GPKG",
            append=False,
            layer_metadata={"DESCRIPTION": f"{RESTRICTED}: randomised schedule"},
        )

    atomic_write(path, write)


def schedule_path(path: str | Path) -> Path:
    """Where the schedule of a CSV plan goes: ``plan.csv`` → ``plan_schedule.csv``.

    Examples
    --------
    >>> schedule_path("out/plan.csv").as_posix()
    'out/plan_schedule.csv'
    """
    p = Path(path)
    return p.with_name(f"{p.stem}_schedule{p.suffix}")


def write_plan(plan: Plan, path: str | Path, *, fmt: str | None = None) -> list[Path]:
    """Write a plan's ranked sites and schedule; return the files written.

    Parameters
    ----------
    plan
        A :class:`geotraf.checkpoints.Plan`.
    path
        Target file. ``.csv`` writes the sites there and the schedule next to it
        (:func:`schedule_path`); ``.geojson`` writes one FeatureCollection with the schedule
        as a foreign member; ``.gpkg`` writes layers ``sites`` and ``schedule``.
    fmt
        ``csv``, ``geojson`` or ``gpkg`` to override the suffix.

    Examples
    --------
    >>> # see tests/test_export.py for a round trip of each format
    >>> sorted(set(FORMATS.values()))
    ['csv', 'geojson', 'gpkg']
    """
    p = Path(path)
    kind = fmt or FORMATS.get(p.suffix.lower())
    if kind not in set(FORMATS.values()):
        raise PlanError(
            f"cannot write a plan to {p.name!r}: use a .csv, .geojson or .gpkg file name"
        )
    sites, schedule = plan_tables(plan)
    if kind == "csv":
        _write_csv(sites, p)
        _write_csv(schedule, schedule_path(p))
        return [p, schedule_path(p)]
    if kind == "geojson":
        _write_geojson(plan, sites, schedule, p)
        return [p]
    _write_gpkg(plan, sites, schedule, p)
    return [p]
