"""The differentially private release of a flows table, made with OpenDP.

**Privacy unit.** One person contributes one to the ``count`` of at most
``contributions`` flows rows (default 1: a person is one unit of one row). Adding or
removing a person therefore changes at most ``contributions`` cells of each released
table, each by one.

**Tables.** A release is a few tables of noisy counts over declared keys (see
:data:`DEFAULT_TABLES`), each spending a declared share of ε; a person is in every table,
so the ε's add up (sequential composition) and the release as a whole is
``(ε, δ)``-differentially private with ``ε = Σ εᵢ`` and ``δ = Σ δᵢ``.

- A *public-key* table (``country``) releases every combination of its keys' declared
  values — countries from the region's geography, years of the declared range, the
  schema's forms of exploitation and age groups — so which keys exist reveals nothing
  (δ = 0). Its noise is OpenDP's geometric (discrete Laplace) mechanism
  (:func:`opendp.measurements.make_geometric`) of scale ``contributions / εᵢ``. Cells
  are kept as the mechanism returned them (whole numbers, possibly negative) so that
  sums over many cells stay unbiased; every shown value is a sum made non-negative and
  whole (:func:`geotraf.privacy.display.non_negative`).
- The ``pairs`` table is public-key too: people per (origin place, destination place),
  over every pair of a declared origin (a place whose role includes ``source``, or a
  country) and a declared destination (role ``destination``, or a country) — about
  25,000 cells on the demo region, all from its geography. Its cells are the corridor
  model's input (:func:`geotraf.privacy.region.released_flows` with
  ``table="pairs"``): every place pair keeps its people, however small, instead of
  falling under a selection threshold. An endpoint outside the declared places (an
  admin-1 code, say) is not in this table; the country table still counts its people.
- A *key-selection* table (``flows``: place to place, with the transit places ``via``
  and every attribute) has far too many possible keys to list, so it releases only keys
  whose noisy count clears a threshold — OpenDP's
  :func:`opendp.measurements.make_laplace_threshold` — at the cost of a small δ. The
  threshold is the smallest that keeps δ within the table's share. It serves the
  filtered views (by year, form of exploitation, sex, age group, sector, mode). The
  ``routes`` table (origin country, destination country, ``via``) is key-selected the
  same way; its few large cells give the shares in which each released pair's people
  travel by their transit places. The key-selection tables share δ equally.
- The ``incidents`` table counts the people concerned by the incidents layer's events
  per road node (junctions and crossings of the route graph, a public key set), over the
  whole period, with the same geometric mechanism (:mod:`geotraf.privacy.incidents`).
  Its input is the incidents, not the flows (``TableSpec.source``); the privacy unit is
  the same: one person counts in at most ``contributions`` incident rows.

Nothing here samples noise itself: every random number comes from OpenDP.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import numpy as np
import pandas as pd

from geotraf.errors import PrivacyError

#: Total ε of a release unless configured (chosen from benchmarks/bench_privacy.py).
DEFAULT_EPSILON = 1.0
#: Total δ of a release unless configured (spent by key selection only).
DEFAULT_DELTA = 1e-6
#: Written in a string key for a missing value (an endpoint known to no area).
UNKNOWN = ""
_SEP = "\x1f"

#: Keys a flows table may lack (the schema's optional ``via``): absent means missing.
OPTIONAL_KEYS: tuple[str, ...] = ("via",)

Selection = Literal["public", "threshold"]
#: Which input a table counts: the flows, or the incidents keyed by road node.
Source = Literal["flows", "incidents"]
SOURCES: tuple[str, ...] = ("flows", "incidents")


@dataclass(frozen=True)
class TableSpec:
    """One released table: its name, keys, share of ε and how its keys are handled.

    Examples
    --------
    >>> TableSpec("country", ("origin_country", "year"), 0.5, "public").keys
    ('origin_country', 'year')
    """

    name: str
    keys: tuple[str, ...]
    share: float
    selection: Selection
    source: Source = "flows"


#: The default release: country table for the Overview, place pairs for the corridor
#: model and the hotspot ranking, place-level flows with every attribute for filtered
#: views, incidents per road node for the density layer and the hotspot scores (shares
#: of ε chosen from benchmarks/bench_privacy.py).
DEFAULT_TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        "country",
        ("origin_country", "destination_country", "year", "exploitation", "age_group"),
        0.3,
        "public",
    ),
    TableSpec("pairs", ("origin", "destination"), 0.25, "public"),
    TableSpec(
        "flows",
        (
            "origin",
            "destination",
            "via",
            "year",
            "exploitation",
            "sector",
            "sex",
            "age_group",
            "mode",
        ),
        0.2,
        "threshold",
    ),
    TableSpec("routes", ("origin_country", "destination_country", "via"), 0.05, "threshold"),
    TableSpec("incidents", ("node",), 0.2, "public", "incidents"),
)


@dataclass(frozen=True)
class ReleaseConfig:
    """What a release spends and over which keys.

    Examples
    --------
    >>> ReleaseConfig(epsilon=0.5).table_epsilon("incidents")
    0.1
    """

    epsilon: float = DEFAULT_EPSILON
    delta: float = DEFAULT_DELTA
    contributions: int = 1
    tables: tuple[TableSpec, ...] = field(default_factory=lambda: DEFAULT_TABLES)

    def __post_init__(self) -> None:
        if not self.epsilon > 0:
            raise PrivacyError(f"ε must be positive, got {self.epsilon}")
        if not 0 < self.delta < 1:
            raise PrivacyError(f"δ must be between 0 and 1, got {self.delta}")
        if self.contributions < 1:
            raise PrivacyError(f"contributions must be at least 1, got {self.contributions}")
        for t in self.tables:
            if t.source not in SOURCES:
                raise PrivacyError(f"table {t.name!r}: source must be one of {SOURCES}")
        total = sum(t.share for t in self.tables)
        if abs(total - 1.0) > 1e-9:
            raise PrivacyError(f"the tables' shares of ε must add up to 1, got {total:g}")

    def table_epsilon(self, name: str) -> float:
        """Return the ε spent on table ``name``."""
        return self.epsilon * self.spec(name).share

    def spec(self, name: str) -> TableSpec:
        """Return the spec of table ``name``."""
        for spec in self.tables:
            if spec.name == name:
                return spec
        raise PrivacyError(f"the release has no table {name!r}")

    def describe(self) -> dict[str, Any]:
        """Return the configuration as plain values (hashed into the release id)."""
        return asdict(self)


@dataclass(frozen=True)
class TableRelease:
    """One released table: keys plus noisy ``count`` (whole numbers) and how it was made."""

    name: str
    frame: pd.DataFrame
    epsilon: float
    delta: float
    scale: float
    threshold: int | None


@dataclass(frozen=True)
class Release:
    """A differentially private release of one dataset version (read-only)."""

    dataset_hash: str
    config: ReleaseConfig
    tables: Mapping[str, TableRelease]
    created: str
    seconds: float

    @property
    def release_id(self) -> str:
        """The id of this dataset version and configuration."""
        return release_id(self.dataset_hash, self.config)

    @property
    def fingerprint(self) -> str:
        """A digest of the released values themselves (unlike :attr:`release_id`).

        A forced re-release of the same data and settings keeps its id but draws new
        noise: the fingerprint tells the two apart (caches key on it).
        """
        digest = hashlib.sha256(self.created.encode())
        for name in sorted(self.tables):
            digest.update(name.encode())
            counts = self.tables[name].frame["count"].to_numpy(dtype=np.int64)
            digest.update(np.ascontiguousarray(counts).tobytes())
        return digest.hexdigest()[:20]

    @property
    def epsilon(self) -> float:
        """Total ε (sequential composition over the tables)."""
        return float(sum(t.epsilon for t in self.tables.values()))

    @property
    def delta(self) -> float:
        """Total δ."""
        return float(sum(t.delta for t in self.tables.values()))

    def table(self, name: str) -> pd.DataFrame:
        """Return released table ``name`` (a copy is not made: treat it as read-only)."""
        if name not in self.tables:
            raise PrivacyError(f"the release has no table {name!r}")
        return self.tables[name].frame

    def summary(self) -> dict[str, Any]:
        """Return what the ledger and ``geotraf privacy status`` show of this release."""
        return {
            "release_id": self.release_id,
            "dataset_hash": self.dataset_hash,
            "epsilon": round(self.epsilon, 6),
            "delta": self.delta,
            "contributions": self.config.contributions,
            "tables": {
                name: {
                    "keys": list(self.config.spec(name).keys),
                    "selection": self.config.spec(name).selection,
                    "source": self.config.spec(name).source,
                    "epsilon": round(t.epsilon, 6),
                    "delta": t.delta,
                    "scale": t.scale,
                    "threshold": t.threshold,
                    "cells": len(t.frame),
                }
                for name, t in self.tables.items()
            },
            "created": self.created,
            "seconds": round(self.seconds, 3),
        }


def dataset_hash(flows: pd.DataFrame, domains: Mapping[str, Sequence[Any]]) -> str:
    """Return a hash of the data a release is made from (rows in any order) and its keys.

    Examples
    --------
    >>> f = pd.DataFrame({"year": [2020, 2021], "count": [3, 4]})
    >>> dataset_hash(f, {}) == dataset_hash(f.iloc[::-1], {})
    True
    """
    columns = sorted(str(c) for c in flows.columns if c != "geometry")
    text = joined_rows(flows[columns], missing="<NA>")
    digest = hashlib.sha256()
    for line in sorted(text):
        digest.update(line.encode("utf-8") + b"\n")
    digest.update(
        json.dumps({k: [str(v) for v in vs] for k, vs in domains.items()}, sort_keys=True).encode()
    )
    return digest.hexdigest()


def joined_rows(frame: pd.DataFrame, *, missing: str = UNKNOWN, sep: str = _SEP) -> list[str]:
    """Return each row of ``frame`` as one string (values joined by ``sep``).

    Examples
    --------
    >>> joined_rows(pd.DataFrame({"a": ["x", None], "b": [1, 2]}), sep="|")
    ['x|1', '|2']
    """
    columns = [
        ["" if v is None else str(v) for v in frame[c].astype("string").fillna(missing).tolist()]
        for c in frame.columns
    ]
    return [sep.join(row) for row in zip(*columns, strict=True)] if columns else []


def release_id(data_hash: str, config: ReleaseConfig) -> str:
    """Return the id of a release: a hash of the dataset hash and the configuration."""
    text = data_hash + json.dumps(config.describe(), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def make_release(
    flows: pd.DataFrame,
    *,
    domains: Mapping[str, Sequence[Any]],
    config: ReleaseConfig | None = None,
    data_hash: str | None = None,
    incidents: pd.DataFrame | None = None,
) -> Release:
    """Release ``flows`` under ``config``: every table's noisy counts, from OpenDP.

    Parameters
    ----------
    flows
        One row per flows row, with a ``count`` column and every key column of every
        table (``origin_country`` etc. resolved beforehand); never changed.
    domains
        The declared (public) values of each key of the public-key tables. A value in
        the data outside its domain (or missing) is counted under :data:`UNKNOWN`.
    config
        ε, δ, contributions and tables (default :class:`ReleaseConfig`).
    data_hash
        Precomputed :func:`dataset_hash` (computed when None).
    incidents
        Input of the tables whose ``source`` is ``"incidents"``: one row per incident
        with its key columns (``node``) and ``count``; never changed. None (no incidents
        layer) releases those tables with no cells (their ε is still counted).

    Examples
    --------
    >>> f = pd.DataFrame({"origin_country": ["LAO"] * 2, "destination_country": ["THA"] * 2,
    ...                   "origin": ["vte"] * 2, "destination": ["bkk"] * 2,
    ...                   "year": [2020, 2021], "exploitation": ["sexual"] * 2,
    ...                   "sector": ["other"] * 2, "sex": ["female"] * 2,
    ...                   "age_group": ["adult"] * 2, "mode": ["road"] * 2,
    ...                   "count": [500, 3]})
    >>> doms = {"origin_country": ["LAO", "THA"], "destination_country": ["LAO", "THA"],
    ...         "year": [2020, 2021], "exploitation": ["sexual"], "age_group": ["adult"],
    ...         "origin": ["vte"], "destination": ["bkk"]}
    >>> r = make_release(f, domains=doms)
    >>> len(r.table("country"))  # every declared combination (3 × 3 × 2), "" = unknown
    18
    >>> r.epsilon, r.delta <= 1e-6
    (1.0, True)
    >>> len(r.table("incidents"))  # no incidents given: that table has no cells
    0
    """
    config = config or ReleaseConfig()
    started = time.perf_counter()
    import opendp.prelude as dp

    dp.enable_features("contrib")
    inputs = {"flows": _with_optional(flows), "incidents": incidents}
    for source, frame in inputs.items():
        if frame is not None:
            _check_columns(frame, config, source)
    tables: dict[str, TableRelease] = {}
    n_threshold = sum(1 for t in config.tables if t.selection == "threshold")
    for spec in config.tables:
        eps = config.table_epsilon(spec.name)
        frame = inputs[spec.source]
        if frame is None:
            empty = pd.DataFrame({**{k: pd.Series(dtype="string") for k in spec.keys}})
            empty["count"] = pd.Series(dtype=np.int64)
            tables[spec.name] = TableRelease(
                spec.name, empty, eps, 0.0, config.contributions / eps, None
            )
        elif spec.selection == "public":
            tables[spec.name] = _public_table(dp, frame, spec, domains, eps, config.contributions)
        else:
            delta = config.delta / n_threshold
            tables[spec.name] = _threshold_table(dp, frame, spec, eps, delta, config.contributions)
    return Release(
        dataset_hash=data_hash or dataset_hash(flows, domains),
        config=config,
        tables=tables,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        seconds=time.perf_counter() - started,
    )


def _with_optional(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every absent optional key column added, all missing (a new frame)."""
    absent = [k for k in OPTIONAL_KEYS if k not in frame.columns]
    return (
        frame.assign(**{k: pd.Series(pd.NA, index=frame.index, dtype="string") for k in absent})
        if absent
        else frame
    )


def _check_columns(frame: pd.DataFrame, config: ReleaseConfig, source: str = "flows") -> None:
    wanted = {k for t in config.tables if t.source == source for k in t.keys} | {"count"}
    missing = sorted(wanted - set(frame.columns))
    if missing:
        raise PrivacyError(
            f"cannot release the {source}: no column(s) {missing}; declare keys the {source} have"
        )
    counts = pd.to_numeric(frame["count"], errors="coerce")
    bad = frame.index[counts.isna() | (counts < 0) | (counts % 1 != 0)]
    if len(bad):
        raise PrivacyError(
            f"{source} row {bad[0]}: count {frame.loc[bad[0], 'count']!r} is not a whole "
            f"number of people ≥ 0; fix the {source} table"
        )


def _key_values(column: pd.Series, domain: Sequence[Any] | None) -> pd.Series:
    values = column.astype("string").fillna(UNKNOWN)
    if domain is not None:
        allowed = {str(v) for v in domain}
        values = values.where(values.isin(allowed), UNKNOWN)
    return values


def _public_table(
    dp: Any,
    flows: pd.DataFrame,
    spec: TableSpec,
    domains: Mapping[str, Sequence[Any]],
    epsilon: float,
    contributions: int,
) -> TableRelease:
    levels = []
    for key in spec.keys:
        if key not in domains:
            raise PrivacyError(f"public-key table {spec.name!r}: no declared values for {key!r}")
        declared = [str(v) for v in dict.fromkeys(domains[key])]
        if UNKNOWN not in declared and key.endswith(("_country", "_province")):
            declared.append(UNKNOWN)
        levels.append(declared)
    index = pd.MultiIndex.from_product(levels, names=list(spec.keys))
    keyed = pd.DataFrame({k: _key_values(flows[k], domains[k]) for k in spec.keys})
    keyed["count"] = pd.to_numeric(flows["count"]).astype(np.int64).to_numpy()
    true = keyed.groupby(list(spec.keys))["count"].sum().reindex(index, fill_value=0)
    scale = contributions / epsilon
    space = dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int)
    meas = dp.m.make_geometric(*space, scale=scale)
    spent = float(meas.map(contributions))
    if spent > epsilon * (1 + 1e-9):
        raise PrivacyError(f"table {spec.name!r} would spend ε = {spent} > {epsilon}")
    noisy = np.asarray(meas(true.astype(int).tolist()), dtype=np.int64)
    frame = index.to_frame(index=False).assign(count=noisy)
    return TableRelease(spec.name, _typed(frame), spent, 0.0, scale, None)


def _threshold_table(
    dp: Any,
    flows: pd.DataFrame,
    spec: TableSpec,
    epsilon: float,
    delta: float,
    contributions: int,
) -> TableRelease:
    keyed = pd.DataFrame({k: _key_values(flows[k], None) for k in spec.keys})
    keys = np.array(joined_rows(keyed, missing=UNKNOWN), dtype=object)
    true = pd.to_numeric(flows["count"]).astype(np.int64).groupby(keys).sum()
    true = true[true > 0]
    scale = contributions / epsilon
    domain = dp.map_domain(dp.atom_domain(T=str), dp.atom_domain(T=int))
    metric = dp.l01inf_distance(dp.absolute_distance(T=int))
    d_in = (contributions, contributions, 1)

    def build(threshold: int) -> Any:
        return dp.m.make_laplace_threshold(domain, metric, scale=scale, threshold=threshold)

    low, high = 1, 1 << 20
    while low < high:  # smallest threshold whose δ fits the table's share
        mid = (low + high) // 2
        if build(mid).map(d_in)[1] <= delta:
            high = mid
        else:
            low = mid + 1
    meas = build(low)
    spent_eps, spent_delta = (float(v) for v in meas.map(d_in))
    if spent_eps > epsilon * (1 + 1e-9) or spent_delta > delta:
        raise PrivacyError(f"table {spec.name!r} would spend ({spent_eps}, {spent_delta})")
    noisy: dict[str, int] = meas({str(k): int(v) for k, v in true.items()}) if len(true) else {}
    rows = [k.split(_SEP) for k in noisy]
    frame = (
        pd.DataFrame(rows, columns=list(spec.keys))
        if rows
        else pd.DataFrame(columns=list(spec.keys))
    )
    frame["count"] = np.asarray(list(noisy.values()), dtype=np.int64)
    frame = frame.sort_values(list(spec.keys), kind="stable").reset_index(drop=True)
    return TableRelease(spec.name, _typed(frame), spent_eps, spent_delta, scale, low)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Years back to integers, unknown keys back to missing, counts to int64."""
    out = frame.copy()
    if "year" in out.columns:
        out["year"] = pd.to_numeric(out["year"]).astype(np.int64)
    for col in out.columns:
        if col not in {"year", "count"}:
            out[col] = out[col].astype("string").replace({UNKNOWN: pd.NA})
    out["count"] = out["count"].astype(np.int64)
    return out
