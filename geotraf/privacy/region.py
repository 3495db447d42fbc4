"""A region's release: its declared keys, and the released flows every output uses.

The public key sets come from the schema and the region's geography, never from the
flows: countries are those of the borders and places layers, forms of exploitation and
age groups those of :mod:`layers.schema`, years the declared range (``years``; by
default the flows' own first and last year, which is then treated as public — pass the
range to avoid that).

:func:`released_flows` turns the release into a flows table (one row per released key)
that routing, hotspots, scenarios and the corridor page take instead of the raw flows.
Its counts are the key-selection table's noisy counts *calibrated* to the unbiased
country table: within each (origin country, destination country, year) the released
place-level flows are scaled so that they add up to that cell's released total. Both
are post-processing of the one release. Flows whose noisy count fell below the
key-selection threshold are not in it; their people are spread over the released flows
of the same country pair and year, or — when none was released — left out (the country
table still counts them on the Overview).

The release also counts the region's incidents per road node
(:mod:`geotraf.privacy.incidents`); :func:`geotraf.privacy.incidents.released_incidents`
gives them back as points for the density layer and the hotspot scores. The dataset
hash covers the incidents too, so new incidents are a new dataset version. The route
graph that supplies the incident keys is built only when a release is made.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geotraf.endpoints import code_areas
from geotraf.privacy.display import non_negative
from geotraf.privacy.incidents import (
    incident_input,
    incident_rows,
    region_graph,
    with_cell_coordinates,
)
from geotraf.privacy.release import (
    Release,
    ReleaseConfig,
    dataset_hash,
    joined_rows,
    make_release,
)
from geotraf.privacy.store import ReleaseStore, default_folder
from layers.schema import AGE_GROUPS, EXPLOITATION

#: Columns of the released flows table (the declared place-level keys plus ``count``).
CALIBRATE_BY: tuple[str, ...] = ("origin_country", "destination_country", "year")


def with_countries(flows: pd.DataFrame, places: pd.DataFrame | None) -> pd.DataFrame:
    """Return ``flows`` plus ``origin_country`` and ``destination_country`` (a new frame)."""
    return flows.assign(
        origin_country=code_areas(flows["origin"], places)["country"].to_numpy(),
        destination_country=code_areas(flows["destination"], places)["country"].to_numpy(),
    )


def region_domains(
    region: Any, flows: pd.DataFrame, *, years: tuple[int, int] | None = None
) -> dict[str, list[Any]]:
    """Return the declared values of every public key of a region's release.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> reg = SimpleNamespace(borders=None, places=pd.DataFrame({"country": ["THA"]}))
    >>> region_domains(reg, pd.DataFrame({"year": [2020, 2022]}))["year"]
    [2020, 2021, 2022]
    """
    countries: set[str] = set()
    for layer in (getattr(region, "borders", None), getattr(region, "places", None)):
        if layer is not None and "country" in layer.columns:
            countries |= {str(c) for c in layer["country"].dropna()}
    if years is None and len(flows):
        years = (int(flows["year"].min()), int(flows["year"].max()))
    span = list(range(years[0], years[1] + 1)) if years else []
    return {
        "origin_country": sorted(countries),
        "destination_country": sorted(countries),
        "year": span,
        "exploitation": list(EXPLOITATION),
        "age_group": list(AGE_GROUPS),
    }


def release_input(region: Any) -> tuple[pd.DataFrame, dict[str, list[Any]], str]:
    """Return the flows to release (with countries), their declared keys and their hash."""
    raw = getattr(region, "flows", None)
    flows = (
        pd.DataFrame(raw).drop(columns="geometry", errors="ignore")
        if raw is not None
        else (pd.DataFrame(columns=["origin", "destination", "year", "count"]))
    )
    flows = flows.reset_index(drop=True)
    for col, default in (
        ("sector", "unknown"),
        ("sex", "unknown"),
        ("age_group", "unknown"),
        ("mode", "unknown"),
        ("exploitation", "other"),
    ):
        if col not in flows.columns:
            flows[col] = default
    flows = with_countries(flows, getattr(region, "places", None))
    domains = region_domains(region, flows)
    keep = [c for c in flows.columns if c not in {"source", "synthetic", "via", "age_band"}]
    places = getattr(region, "places", None)
    geo = (
        pd.DataFrame(places).drop(columns="geometry", errors="ignore")
        if places is not None
        else pd.DataFrame()
    )
    rows = joined_rows(geo, missing="<NA>") if len(geo) else []
    hashed = {**domains, "places": sorted(rows)}
    events = incident_rows(getattr(region, "incidents", None))
    if events:  # (without incidents the hash is what it was before they were released)
        hashed["incidents"] = events
    digest = dataset_hash(flows[keep], hashed)
    return flows, domains, digest


def release_region(
    region: Any,
    *,
    store: ReleaseStore | Path | str | None = None,
    config: ReleaseConfig | None = None,
    force: bool = False,
    source: str = "",
    graph: Any = None,
) -> Release:
    """Return the release of ``region``'s flows and incidents, made once, then reused.

    ``store`` defaults to ``<instance>/releases`` (``$GEOTRAF_INSTANCE``). ``graph`` is
    the region's route graph, whose junctions and crossings key the incidents table, or
    a function returning it (called only when a release has to be made); without it the
    graph is built from the region when a release has to be made.
    """
    if not isinstance(store, ReleaseStore):
        store = ReleaseStore(Path(store) if store is not None else default_folder())
    flows, domains, digest = release_input(region)

    def maker(
        flows: pd.DataFrame, *, domains: dict[str, Any], config: ReleaseConfig, data_hash: str
    ) -> Release:
        incidents = getattr(region, "incidents", None)
        has_incidents = incidents is not None and len(incidents) > 0
        if not has_incidents:
            built = None if callable(graph) else graph  # a function is for incidents only
        elif callable(graph):
            built = graph()
        else:
            built = graph if graph is not None else region_graph(region)
        rows, cells = incident_input(incidents, built)
        release = make_release(
            flows,
            domains={**domains, "node": cells["node"].tolist()},
            config=config,
            data_hash=data_hash,
            incidents=rows,
        )
        return with_cell_coordinates(release, cells)

    return store.obtain(
        flows,
        domains=domains,
        data_hash=digest,
        config=config,
        force=force,
        source=source or str(getattr(region, "path", "")),
        maker=maker,
    )


def released_flows(
    release: Release,
    places: pd.DataFrame | None,
    *,
    calibrate_by: Sequence[str] = CALIBRATE_BY,
) -> pd.DataFrame:
    """Return the release as a flows table (place-level keys and calibrated ``count``).

    Examples
    --------
    >>> from geotraf.privacy.release import make_release
    >>> f = pd.DataFrame({"origin_country": ["LAO"], "destination_country": ["THA"],
    ...                   "origin": ["LAO"], "destination": ["THA"], "year": [2020],
    ...                   "exploitation": ["sexual"], "sector": ["other"], "sex": ["female"],
    ...                   "age_group": ["adult"], "mode": ["road"], "count": [900]})
    >>> doms = {"origin_country": ["LAO", "THA"], "destination_country": ["LAO", "THA"],
    ...         "year": [2020], "exploitation": ["sexual"], "age_group": ["adult"]}
    >>> out = released_flows(make_release(f, domains=doms), None)
    >>> out[["origin", "destination"]].values.tolist()
    [['LAO', 'THA']]
    >>> bool(abs(out["count"].iloc[0] - 900) < 60)
    True
    """
    flows = release.table("flows").copy()
    flows["count"] = flows["count"].astype(float)
    if not len(flows):
        return flows.assign(
            origin_country=pd.Series(dtype="string"), destination_country=pd.Series(dtype="string")
        )
    flows = with_countries(flows, places)
    if "country" in release.tables and calibrate_by:
        keys = list(calibrate_by)
        country = release.table("country")
        target = country.groupby(_joined(country, keys))["count"].sum()
        target = pd.Series(non_negative(target), index=target.index)
        joined = _joined(flows, keys)
        current = flows["count"].groupby(joined).transform("sum").to_numpy()
        wanted = target.reindex(joined).to_numpy(dtype=float)
        factor = np.where(
            np.isfinite(wanted) & (current > 0), wanted / np.maximum(current, 1.0), 1.0
        )
        flows["count"] = flows["count"].to_numpy() * factor
    flows = flows.loc[flows["count"] > 0].reset_index(drop=True)
    flows["synthetic"] = False
    return flows


def _joined(frame: pd.DataFrame, keys: Sequence[str]) -> np.ndarray:
    return np.array(joined_rows(frame[list(keys)], missing=""), dtype=object)
