"""Aggregations behind the Overview page, over *released* tables only.

Pure functions over a table of the differentially private release (the released country
table, or the released place-level flows for provinces) and the ``places`` layer. Every
sum is post-processing of the release: made a non-negative whole number, then a value
below the display threshold is ``<NA>`` with ``suppressed=True``
(:func:`geotraf.privacy.suppress`). Areas the release holds nobody for are left out.
Flow endpoints may be place ids, ISO3 codes or admin-1 codes (docs/contracts.md);
:func:`endpoint_areas` maps them to a country or a province.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from geotraf.endpoints import code_areas
from geotraf.privacy import DEFAULT_THRESHOLD, safe_total, suppress

Level = Literal["country", "province"]
Side = Literal["origin", "destination"]


@dataclass(frozen=True)
class FlowFilter:
    """What the user picked: a year range and forms of exploitation (empty = all).

    Examples
    --------
    >>> FlowFilter(2019, 2021, ("sexual",)).describe()
    {'years': [2019, 2021], 'exploitation': ['sexual']}
    """

    year_min: int | None = None
    year_max: int | None = None
    exploitation: tuple[str, ...] = field(default_factory=tuple)

    def describe(self) -> dict[str, object]:
        """Return the filter as plain values for the audit log."""
        return {"years": [self.year_min, self.year_max], "exploitation": list(self.exploitation)}


def filter_flows(flows: pd.DataFrame, flt: FlowFilter) -> pd.DataFrame:
    """Return the flow rows inside the filter (a new frame; ``flows`` is untouched).

    Examples
    --------
    >>> f = pd.DataFrame({"year": [2018, 2020], "exploitation": ["sexual", "begging"],
    ...                   "count": [12, 30]})
    >>> filter_flows(f, FlowFilter(2019, None, ()))["count"].tolist()
    [30]
    """
    keep = pd.Series(True, index=flows.index)
    if flt.year_min is not None:
        keep &= flows["year"] >= flt.year_min
    if flt.year_max is not None:
        keep &= flows["year"] <= flt.year_max
    if flt.exploitation:
        keep &= flows["exploitation"].isin(flt.exploitation)
    return flows.loc[keep]


def endpoint_areas(values: pd.Series, places: pd.DataFrame | None, *, level: Level) -> pd.Series:
    """Map flow endpoints (place id, ISO3 or admin-1 code) to a country or a province.

    The precedence is :func:`geotraf.endpoints.code_areas`, the one routing uses.

    Parameters
    ----------
    values
        The ``origin`` or ``destination`` column.
    places
        The places layer (``place_id``, ``country``, optional ``admin1``).
    level
        ``country`` gives ISO3 codes; ``province`` gives ``admin1`` values, ``<NA>`` for an
        endpoint known only by its country.

    Examples
    --------
    >>> places = pd.DataFrame({"place_id": ["bkk"], "country": ["THA"],
    ...                        "admin1": ["Bangkok"]})
    >>> endpoint_areas(pd.Series(["bkk", "LAO", "Bangkok"]), places, level="country").tolist()
    ['THA', 'LAO', 'THA']
    >>> endpoint_areas(pd.Series(["bkk", "LAO"]), places, level="province").tolist()
    ['Bangkok', <NA>]
    """
    column = "country" if level == "country" else "admin1"
    return code_areas(values, places)[column].rename(values.name)


def with_areas(flows: pd.DataFrame, places: pd.DataFrame | None) -> pd.DataFrame:
    """Return ``flows`` plus the area of each end at both levels (a new frame).

    Adds ``origin_country``, ``destination_country``, ``origin_province`` and
    ``destination_province``; the aggregations use them when present instead of
    resolving the endpoints again, so a region is resolved once per process.

    Examples
    --------
    >>> f = pd.DataFrame({"origin": ["LAO"], "destination": ["THA"]})
    >>> with_areas(f, None).columns.tolist()[2:4]
    ['origin_country', 'destination_country']
    """
    columns = {
        f"{side}_{level}": endpoint_areas(flows[side], places, level=level)
        for level in ("country", "province")
        for side in ("origin", "destination")
    }
    return flows.assign(**columns)


def areas_of(
    flows: pd.DataFrame, places: pd.DataFrame | None, *, side: Side, level: Level
) -> pd.Series:
    """Return the area of one end of each flow (precomputed by :func:`with_areas` or not)."""
    column = f"{side}_{level}"
    if column in flows.columns:
        return flows[column]
    return endpoint_areas(flows[side], places, level=level)


def totals_by_area(
    flows: pd.DataFrame,
    places: pd.DataFrame | None,
    *,
    level: Level,
    side: Side,
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """Return released people by country/province of origin or destination.

    Returns
    -------
    pandas.DataFrame
        ``area``, ``count`` (``<NA>`` below the threshold), ``suppressed``; largest first.

    Examples
    --------
    >>> f = pd.DataFrame({"origin": ["LAO", "LAO", "KHM", "MMR", "VNM"],
    ...                   "destination": ["THA"] * 5, "count": [20, 15, 5, 40, -2]})
    >>> t = totals_by_area(f, None, level="country", side="origin")
    >>> t[["area", "count"]].values.tolist()
    [['MMR', 40], ['LAO', 35], ['KHM', <NA>]]
    """
    areas = areas_of(flows, places, side=side, level=level)
    table = (
        pd.DataFrame({"area": areas, "count": flows["count"]})
        .dropna(subset=["area"])
        .groupby("area", as_index=False)["count"]
        .sum()
    )
    return _suppressed(table, threshold=threshold, by=None)


def totals_by_pair(
    flows: pd.DataFrame,
    places: pd.DataFrame | None,
    *,
    level: Level,
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """Return released people by (origin area, destination area) pair.

    Movements inside one area are left out (they draw no line).

    Returns
    -------
    pandas.DataFrame
        ``origin``, ``destination``, ``count``, ``suppressed``; largest first.
    """
    table = pd.DataFrame(
        {
            "origin": areas_of(flows, places, side="origin", level=level),
            "destination": areas_of(flows, places, side="destination", level=level),
            "count": flows["count"],
        }
    ).dropna(subset=["origin", "destination"])
    table = table.loc[table["origin"] != table["destination"]]
    table = table.groupby(["origin", "destination"], as_index=False)["count"].sum()
    return _suppressed(table, threshold=threshold, by=None)


def totals_by_year(flows: pd.DataFrame, *, threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """Return released people by year and form of exploitation (zeros left out).

    Returns
    -------
    pandas.DataFrame
        ``year``, ``exploitation``, ``count``, ``suppressed``; sorted by year.
    """
    table = flows.groupby(["year", "exploitation"], as_index=False)["count"].sum()
    out = suppress(table, count_col="count", threshold=threshold)
    out = out.loc[out["suppressed"] | (out["count"].fillna(0) > 0)]
    return out.sort_values(["year", "exploitation"]).reset_index(drop=True)


def headline(
    flows: pd.DataFrame,
    places: pd.DataFrame | None,
    *,
    threshold: int = DEFAULT_THRESHOLD,
) -> dict[str, float | str | None]:
    """Return the headline figures; each count is None when below the threshold.

    Keys: ``people`` (total), ``children``, ``origins`` and ``destinations`` (number of
    countries), ``top_origin`` / ``top_destination`` (ISO3 of the largest unsuppressed
    area, or None), ``year_min``/``year_max``.

    Examples
    --------
    >>> f = pd.DataFrame({"origin": ["LAO", "KHM", "MMR"], "destination": ["THA"] * 3,
    ...                   "count": [30, 4, 20], "age_group": ["child", "adult", "adult"],
    ...                   "year": [2020, 2021, 2021]})
    >>> h = headline(f, None)
    >>> h["people"], h["children"], h["top_origin"], h["top_destination"]
    (54.0, 30.0, 'LAO', 'THA')
    >>> headline(f.assign(count=[30, 4, -20]), None)["people"]
    14.0
    """
    people = safe_total(flows["count"], threshold=threshold)
    if "age_group" in flows.columns:
        children = safe_total(
            flows.loc[flows["age_group"] == "child", "count"], threshold=threshold
        )
    else:
        children = None
    origins = totals_by_area(flows, places, level="country", side="origin", threshold=threshold)
    dests = totals_by_area(flows, places, level="country", side="destination", threshold=threshold)
    return {
        "people": people,
        "children": children,
        "origins": float(len(origins)),
        "destinations": float(len(dests)),
        "top_origin": _top(origins),
        "top_destination": _top(dests),
        "year_min": float(flows["year"].min()) if len(flows) else None,
        "year_max": float(flows["year"].max()) if len(flows) else None,
    }


def _top(table: pd.DataFrame) -> str | None:
    shown = table.dropna(subset=["count"])
    return str(shown.iloc[0]["area"]) if len(shown) else None


def _suppressed(table: pd.DataFrame, *, threshold: int, by: list[str] | None) -> pd.DataFrame:
    del by
    out = suppress(table, count_col="count", threshold=threshold)
    out = out.loc[out["suppressed"] | (out["count"].fillna(0) > 0)]
    order = out["count"].astype("Float64").fillna(-1.0)
    return (
        out.assign(_o=order)
        .sort_values("_o", ascending=False, kind="stable")
        .drop(columns="_o")
        .reset_index(drop=True)
    )
