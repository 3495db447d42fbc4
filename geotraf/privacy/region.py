"""A region's release: its declared keys, and the released flows every output uses.

The public key sets come from the schema and the region's geography, never from the
flows: countries are those of the borders and places layers, forms of exploitation and
age groups those of :mod:`layers.schema`, years the declared range (``years``; by
default the flows' own first and last year, which is then treated as public — pass the
range to avoid that).

:func:`released_flows` turns the release into a flows table that routing, hotspots,
scenarios and the corridor page take instead of the raw flows, in one of two forms, both
post-processing of the one release:

- ``table="pairs"`` — the corridor model of all people: one row per (origin,
  destination, via). The ``pairs`` table (public keys: every declared origin place by
  every declared destination place) gives each place pair's noisy count; a pair reaching
  :data:`PAIR_THRESHOLD` is routed, its people split over the transit places its country
  pair shows in the ``routes`` table (people by origin country, destination country and
  ``via``). Then, within each (origin country, destination country), the pairs are
  scaled to add up to the country table's total. Without the split the model would send
  people who cross at Mae Sot or Poipet by the shortest road instead. The CLI's
  shareable outputs, the unfiltered Corridors view and its hotspots use it.
- ``table="flows"`` — the attribute-level flows, for a view filtered by year or
  category: one row per released key of the key-selection ``flows`` table, scaled
  within each cell of the country table (origin country, destination country, year,
  form of exploitation, age group) to that cell's total. Flows whose noisy count fell
  below the key-selection threshold are not in it; their people are spread over the
  released flows of the same country-table cell, or — when none was released — left
  out (the country table still counts them on the Overview).

The release also counts the region's incidents per road node
(:mod:`geotraf.privacy.incidents`); :func:`geotraf.privacy.incidents.released_incidents`
gives them back as points for the density layer and the hotspot scores. The dataset
hash covers the incidents too, so new incidents are a new dataset version. The route
graph that supplies the incident keys is built only when a release is made.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from geotraf.endpoints import code_areas
from geotraf.errors import PrivacyError
from geotraf.privacy.display import DEFAULT_THRESHOLD, non_negative
from geotraf.privacy.incidents import (
    incident_input,
    incident_rows,
    region_graph,
    with_cell_coordinates,
)
from geotraf.privacy.release import (
    UNKNOWN,
    Release,
    ReleaseConfig,
    dataset_hash,
    joined_rows,
    make_release,
)
from geotraf.privacy.store import ReleaseStore, default_folder
from layers.schema import AGE_GROUPS, EXPLOITATION, LIST_SEPARATOR

#: Keys of the country table the released attribute-level flows are scaled to: all of
#: them, so that a view filtered by form of exploitation or age group counts only people
#: of those categories (scaled per country pair and year alone, the people of a
#: category none of whose flows was released were counted under the released ones).
CALIBRATE_BY: tuple[str, ...] = (
    "origin_country",
    "destination_country",
    "year",
    "exploitation",
    "age_group",
)
#: The same for the released place pairs (they have no year).
PAIR_CALIBRATE_BY: tuple[str, ...] = ("origin_country", "destination_country")
#: A place pair is routed when its noisy count reaches this (the display threshold): a
#: pair under it is mostly noise (the table lists every declared pair, most of them
#: empty). Its people are spread over the pairs of its country pair by the calibration.
PAIR_THRESHOLD: int = DEFAULT_THRESHOLD
#: What :func:`released_flows` gives: the attribute-level flows, or the place pairs.
Table = Literal["flows", "pairs"]
TABLES: tuple[str, ...] = ("flows", "pairs")


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
        "origin": [*place_ids(getattr(region, "places", None), "source"), *sorted(countries)],
        "destination": [
            *place_ids(getattr(region, "places", None), "destination"),
            *sorted(countries),
        ],
    }


def place_ids(places: pd.DataFrame | None, role: str) -> list[str]:
    """Return the ids of the places whose ``role`` includes ``role`` (every place if none).

    These are the declared endpoints of the ``pairs`` table: public, from the places
    layer (the region's geography), never from the flows.

    Examples
    --------
    >>> p = pd.DataFrame({"place_id": ["b", "a", "c"],
    ...                   "role": ["source", "source;transit", "destination"]})
    >>> place_ids(p, "source"), place_ids(p, "destination")
    (['a', 'b'], ['c'])
    """
    if places is None or "place_id" not in places.columns:
        return []
    ids = places["place_id"].astype("string")
    if "role" in places.columns:
        roles = places["role"].astype("string").fillna("").str.split(LIST_SEPARATOR)
        ids = ids[[role in {r.strip() for r in rs} for rs in roles]]
    return sorted({str(i) for i in ids.dropna()})


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
        ("via", None),
    ):
        if col not in flows.columns:
            flows[col] = default
    flows = with_countries(flows, getattr(region, "places", None))
    domains = region_domains(region, flows)
    keep = [c for c in flows.columns if c not in {"source", "synthetic", "age_band"}]
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
    table: Table = "flows",
    calibrate_by: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Return the release as a flows table (place-level keys and calibrated ``count``).

    Parameters
    ----------
    release
        The region's release.
    places
        The region's places (flow endpoints to countries).
    table
        ``"flows"``: one row per released key of the key-selection table, with every
        attribute (year, form of exploitation, sex, age group, sector, mode, ``via``):
        what a filtered view needs. ``"pairs"``: one row per (origin, destination, via)
        from the public-key ``pairs`` table — every place pair whose noisy count
        reaches :data:`PAIR_THRESHOLD`, its people split over the transit places
        (``via``) in the shares the released ``flows`` cells of its country pair show —
        with no attribute columns: the corridor model of all people (unfiltered views,
        hotspot ranking, the CLI). A release made before the ``pairs`` table existed
        gives ``"flows"``.
    calibrate_by
        Keys of the country table the counts are scaled to (default: every key of the
        country table for ``"flows"``, :data:`CALIBRATE_BY`; the two countries for
        ``"pairs"``); empty for none.

    Examples
    --------
    >>> from geotraf.privacy.release import make_release
    >>> f = pd.DataFrame({"origin_country": ["LAO"], "destination_country": ["THA"],
    ...                   "origin": ["LAO"], "destination": ["THA"], "via": [None],
    ...                   "year": [2020], "exploitation": ["sexual"], "sector": ["other"],
    ...                   "sex": ["female"], "age_group": ["adult"], "mode": ["road"],
    ...                   "count": [900]})
    >>> doms = {"origin_country": ["LAO", "THA"], "destination_country": ["LAO", "THA"],
    ...         "year": [2020], "exploitation": ["sexual"], "age_group": ["adult"],
    ...         "origin": ["LAO", "THA"], "destination": ["LAO", "THA"]}
    >>> release = make_release(f, domains=doms)
    >>> out = released_flows(release, None)
    >>> out[["origin", "destination"]].values.tolist()
    [['LAO', 'THA']]
    >>> bool(abs(out["count"].iloc[0] - 900) < 60)
    True
    >>> pairs = released_flows(release, None, table="pairs")
    >>> pairs.loc[pairs["count"] > 100, ["origin", "destination"]].values.tolist()
    [['LAO', 'THA']]
    """
    if table not in TABLES:
        raise PrivacyError(f"released_flows: table must be one of {TABLES}, got {table!r}")
    if table == "pairs" and "pairs" in release.tables:
        flows = _pair_rows(release, places)
        default: Sequence[str] = PAIR_CALIBRATE_BY
    else:
        flows = release.table("flows").copy()
        flows["count"] = flows["count"].astype(float)
        if len(flows):
            flows = with_countries(flows, places)
        default = CALIBRATE_BY
    if not len(flows):
        return flows.assign(
            origin_country=pd.Series(dtype="string"), destination_country=pd.Series(dtype="string")
        )
    keys = list(default if calibrate_by is None else calibrate_by)
    if "country" in release.tables and keys:
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
    if "via" in flows.columns:  # routing reads a missing via as None (not pd.NA: "<NA>")
        via = flows["via"].astype(object)
        flows["via"] = via.where(flows["via"].notna(), None)
    flows["synthetic"] = False
    return flows


def pairs_by_year(release: Release, places: pd.DataFrame | None) -> pd.DataFrame:
    """Return the released pairs split over the years, for a view filtered by years only.

    Each row of :func:`released_flows` (``table="pairs"``) becomes one row per year of the
    country table, its people split in the shares of its country pair's released yearly
    totals (made non-negative): post-processing of the release, so a year filter keeps
    every place pair instead of the few attribute-level flows that cleared their
    threshold. A pair's yearly row is an estimate, not a count of that year's flow.

    Examples
    --------
    >>> from geotraf.privacy.release import make_release
    >>> f = pd.DataFrame({"origin_country": ["LAO"] * 2, "destination_country": ["THA"] * 2,
    ...                   "origin": ["vte"] * 2, "destination": ["bkk"] * 2, "via": [None] * 2,
    ...                   "year": [2020, 2021], "exploitation": ["sexual"] * 2,
    ...                   "sector": ["other"] * 2, "sex": ["female"] * 2,
    ...                   "age_group": ["adult"] * 2, "mode": ["road"] * 2,
    ...                   "count": [900, 300]})
    >>> doms = {"origin_country": ["LAO", "THA"], "destination_country": ["LAO", "THA"],
    ...         "year": [2020, 2021], "exploitation": ["sexual"], "age_group": ["adult"],
    ...         "origin": ["vte"], "destination": ["bkk"]}
    >>> places = pd.DataFrame({"place_id": ["vte", "bkk"], "country": ["LAO", "THA"]})
    >>> release = make_release(f, domains=doms)
    >>> out = pairs_by_year(release, places)
    >>> out["year"].tolist()
    [2020, 2021]
    >>> pairs = released_flows(release, places, table="pairs")
    >>> bool(abs(out["count"].sum() - pairs["count"].sum()) < 1e-6)
    True
    """
    pairs = released_flows(release, places, table="pairs")
    if not len(pairs) or "country" not in release.tables:
        return pairs.assign(year=pd.Series(dtype=np.int64))
    by = list(PAIR_CALIBRATE_BY)
    country = release.table("country")
    sums = country.assign(pair=_joined(country, by)).groupby(["pair", "year"])["count"].sum()
    sums = pd.Series(non_negative(sums), index=sums.index, dtype=float)
    totals = sums.groupby(level=0).transform("sum")
    shares = (sums / totals.where(totals > 0)).dropna().rename("share").reset_index()
    out = pairs.assign(pair=_joined(pairs, by)).merge(shares, on="pair", how="inner")
    out["count"] = out["count"].to_numpy() * out["share"].to_numpy()
    out["year"] = out["year"].astype(np.int64)
    out = out.drop(columns=["pair", "share"])
    return out.loc[out["count"] > 0].reset_index(drop=True)


def _pair_rows(release: Release, places: pd.DataFrame | None) -> pd.DataFrame:
    """The pairs table's cells ≥ :data:`PAIR_THRESHOLD`, split over the released ``via``."""
    cells = release.table("pairs")
    cells = cells.loc[cells["origin"].notna() & cells["destination"].notna()]
    cells = cells.loc[cells["count"] >= PAIR_THRESHOLD, ["origin", "destination", "count"]]
    pairs = with_countries(cells.astype({"count": float}).reset_index(drop=True), places)
    # The routes table counts people by country pair and transit places; a release made
    # without it has the transit places of its attribute-level flows.
    if "routes" in release.tables:
        shares = via_shares(release.table("routes"))
    else:
        shares = via_shares(with_countries(release.table("flows"), places))
    by = ["origin_country", "destination_country"]
    out = pairs.merge(shares, on=by, how="left")
    out["share"] = out["share"].fillna(1.0)
    out["count"] = out["count"].to_numpy() * out["share"].to_numpy()
    out = out.drop(columns="share")
    return out.loc[out["count"] > 0].reset_index(drop=True)


def via_shares(flows: pd.DataFrame) -> pd.DataFrame:
    """Return each country pair's shares of people by transit places (``via``).

    Computed from released ``flows`` cells (post-processing): ``origin_country``,
    ``destination_country``, ``via`` (missing: no transit place) and ``share``.

    Examples
    --------
    >>> f = pd.DataFrame({"origin_country": ["MMR"] * 3, "destination_country": ["THA"] * 3,
    ...                   "via": ["mae_sot", None, "mae_sot"], "count": [30, 20, 50]})
    >>> via_shares(f)[["via", "share"]].values.tolist()
    [[<NA>, 0.2], ['mae_sot', 0.8]]
    """
    by = ["origin_country", "destination_country"]
    if not len(flows) or "via" not in flows.columns:
        empty = {k: pd.Series(dtype="string") for k in [*by, "via"]}
        return pd.DataFrame({**empty, "share": pd.Series(dtype=float)})
    frame = pd.DataFrame({k: flows[k].astype("string").fillna(UNKNOWN) for k in [*by, "via"]})
    frame["count"] = non_negative(flows["count"]).astype(float)
    sums = frame.groupby([*by, "via"], sort=True)["count"].sum()
    totals = sums.groupby(level=[0, 1]).transform("sum")
    shares = (sums / totals.where(totals > 0)).dropna().rename("share").reset_index()
    for k in [*by, "via"]:
        shares[k] = shares[k].astype("string").replace({UNKNOWN: pd.NA})
    return shares.loc[shares["share"] > 0].reset_index(drop=True)


def _joined(frame: pd.DataFrame, keys: Sequence[str]) -> np.ndarray:
    return np.array(joined_rows(frame[list(keys)], missing=""), dtype=object)
