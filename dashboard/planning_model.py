"""What the Planning page computes: a checkpoint plan and its safe, shareable views.

:func:`run_plan` parses nothing and draws nothing: it takes validated
:class:`PlanParams`, reuses the region's cached assignment
(:func:`dashboard.corridors_model.corridor_network`) and calls
:func:`geotraf.checkpoints.plan`. :func:`plan_view` turns the result into what a planner
sees — people per year, suppressed below the threshold — and :func:`export_bytes` into the
CSV / GeoJSON files, each marked RESTRICTED. Plans are operationally secret: callers
restrict them to planners and audit every run and export.
"""

from __future__ import annotations

import io
import json
import math
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geotraf.errors import PlanError
from geotraf.privacy import DEFAULT_THRESHOLD, format_count, suppress

Translator = Callable[[str], str]
Progress = Callable[[int, str], None]

METHODS: tuple[str, ...] = ("greedy", "exact")
RESTRICTED = "RESTRICTED — checkpoint plan"
#: Bounds of the inputs (inclusive): what a planner can ask for.
LIMITS: dict[str, tuple[float, float]] = {
    "budget": (1, 50),
    "teams": (1, 20),
    "days": (1, 60),
    "shifts": (1, 4),
    "tolerance": (0.0, 2.0),
    "seed": (0, 2**31 - 1),
}


@dataclass(frozen=True)
class PlanParams:
    """A planner's request: sites, teams, days, shifts, method, evasion, seed.

    Examples
    --------
    >>> PlanParams.from_inputs(budget=6, teams=3, days=7, shifts=2, method="exact",
    ...                        tolerance=0.25, evasion_aware=True, seed=42)
    PlanParams(budget=6, teams=3, days=7, shifts=2, method='exact', tolerance=0.25, \
evasion_aware=True, seed=42)
    >>> PlanParams.from_inputs(budget=0, teams=3, days=7, shifts=2, method="greedy",
    ...                        tolerance=0.3, evasion_aware=False, seed=None)
    Traceback (most recent call last):
    ...
    geotraf.errors.PlanError: Sites to choose must be between 1 and 50, not 0.
    """

    budget: int = 8
    teams: int = 4
    days: int = 14
    shifts: int = 2
    method: str = "greedy"
    tolerance: float = 0.3
    evasion_aware: bool = False
    seed: int = 0

    @classmethod
    def from_inputs(
        cls,
        *,
        budget: Any,
        teams: Any,
        days: Any,
        shifts: Any,
        method: Any,
        tolerance: Any,
        evasion_aware: Any,
        seed: Any,
    ) -> PlanParams:
        """Validate the form's values; raise :class:`PlanError` saying what to change.

        A missing seed draws a fresh one, recorded in the result so the same schedule
        can be reproduced (and exported) later.
        """
        names = {
            "budget": "Sites to choose",
            "teams": "Teams per shift",
            "days": "Days",
            "shifts": "Shifts per day",
            "tolerance": "Evasion tolerance",
            "seed": "Seed",
        }
        given = {
            "budget": budget,
            "teams": teams,
            "days": days,
            "shifts": shifts,
            "tolerance": tolerance,
            "seed": seed,
        }
        if given["seed"] in (None, ""):
            import secrets

            given["seed"] = secrets.randbelow(10**6)
        values: dict[str, Any] = {}
        for key, raw in given.items():
            try:
                number = float(raw)
            except (TypeError, ValueError):
                raise PlanError(f"{names[key]}: enter a number.") from None
            low, high = LIMITS[key]
            if not math.isfinite(number) or not low <= number <= high:
                shown = f"{number:g}" if math.isfinite(number) else str(raw)
                raise PlanError(f"{names[key]} must be between {low:g} and {high:g}, not {shown}.")
            values[key] = number if key == "tolerance" else int(number)
        if method not in METHODS:
            raise PlanError(f"Method must be one of {', '.join(METHODS)}.")
        if values["teams"] > values["budget"]:
            raise PlanError(
                "More teams per shift than sites: lower the teams or choose more sites."
            )
        return cls(method=str(method), evasion_aware=bool(evasion_aware), **values)

    def to_dict(self) -> dict[str, Any]:
        """Return the parameters as plain values (store, audit log)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PlanParams:
        """Rebuild parameters from :meth:`to_dict` output, re-validated."""
        return cls.from_inputs(
            budget=data.get("budget"),
            teams=data.get("teams"),
            days=data.get("days"),
            shifts=data.get("shifts"),
            method=data.get("method"),
            tolerance=data.get("tolerance"),
            evasion_aware=data.get("evasion_aware"),
            seed=data.get("seed"),
        )


@dataclass(frozen=True)
class PlanRun:
    """A plan with what is needed to show it: region facts and the parameters."""

    plan: Any
    params: PlanParams
    years: tuple[int, int] | None
    synthetic: bool
    region: str

    @property
    def span(self) -> int:
        """Years of flow data the plan covers (counts are shown per year)."""
        return self.years[1] - self.years[0] + 1 if self.years else 1


def _no_progress(percent: int, message: str) -> None:
    return None


def run_plan(path: str, params: PlanParams, *, progress: Progress = _no_progress) -> PlanRun:
    """Plan checkpoints for the region at ``path`` with ``params``.

    Parameters
    ----------
    path
        Resolved region path (the app's config).
    params
        Validated parameters.
    progress
        Called with (percent, message) between the stages.
    """
    from dashboard.corridors_model import corridor_network
    from geotraf.checkpoints import plan

    progress(5, "Loading the region and assigning its flows to the roads")
    net = corridor_network(path, "shortest", source="raw")  # the plan alone uses raw flows
    sites = getattr(net.region, "sites", None)
    if sites is None or len(sites) == 0:
        raise PlanError("This region has no candidate sites (sites layer): upload one first.")
    progress(35, "Choosing sites, testing evasion and drawing the schedule")
    result = plan(
        net.graph,
        net.assignment,
        sites,
        budget=params.budget,
        method=params.method,
        evasion_tolerance=params.tolerance,
        evasion_aware=params.evasion_aware,
        teams=params.teams,
        days=params.days,
        shifts=params.shifts,
        seed=params.seed,
    )
    progress(95, "Preparing the tables")
    return PlanRun(
        plan=result,
        params=params,
        years=net.years,
        synthetic=net.synthetic,
        region=Path(path).name,
    )


def unit_label(run: PlanRun, t: Translator) -> str:
    """Unit of the plan's counts: people per year (modelled)."""
    return t("people/year (modelled, synthetic)") if run.synthetic else t("people/year (modelled)")


@dataclass(frozen=True)
class PlanView:
    """What the planner sees, counts per year and suppressed."""

    sites: pd.DataFrame
    summary: list[tuple[str, str, str]]
    schedule: pd.DataFrame
    notes: list[str]


def plan_view(run: PlanRun, *, t: Translator, threshold: int = DEFAULT_THRESHOLD) -> PlanView:
    """Return the ranked sites (per year, suppressed), headline numbers and schedule."""
    plan = run.plan
    span = run.span
    frame = pd.DataFrame(plan.sites.drop(columns="geometry"))
    frame["lon"] = plan.sites.geometry.x.to_numpy()
    frame["lat"] = plan.sites.geometry.y.to_numpy()
    # The plan is computed from the raw flows; what is displayed is rounded to whole
    # people per year (shares to whole percent) and thresholded.
    for col in ("captured", "marginal_gain", "captured_after_evasion"):
        frame[col] = (frame[col].astype(float) / span).round(0)
    frame["share"] = frame["share"].astype(float).round(2)
    safe = suppress(frame, count_col="captured", threshold=threshold)
    for col in ("marginal_gain", "captured_after_evasion"):
        values = safe[col].astype(float)
        small = (values > 0) & (values < threshold)
        safe[col] = values.astype("Float64").mask(small | safe["suppressed"])
    safe["share"] = safe["share"].astype("Float64").mask(safe["suppressed"])
    unit = unit_label(run, t)
    summary = [
        (
            f"{plan.captured_share:.0%}",
            t("of the modelled flow passes a chosen site"),
            f"{format_count(plan.captured / span, threshold=threshold)} {unit}",
        ),
        (
            f"{plan.captured_after_evasion_share:.0%}",
            t("still captured after evasion"),
            t("detours up to +{p:.0%} travel time").format(p=run.params.tolerance),
        ),
        (
            str(len(plan.sites)),
            t("sites chosen"),
            t("{method}, {teams} teams × {shifts} shifts × {days} days").format(
                method=t(plan.method),
                teams=run.params.teams,
                shifts=run.params.shifts,
                days=run.params.days,
            ),
        ),
        (
            "—" if plan.gap is None else f"{plan.gap:.1%}",
            t("optimality gap (exact only)"),
            t("seed {seed}").format(seed=run.params.seed),
        ),
    ]
    notes = [
        t(
            "RESTRICTED: this plan is computed from the raw flows, not the differentially "
            "private release; captures are rounded and below {threshold} shown as <{threshold}."
        ).format(threshold=threshold)
    ]
    if plan.unattached_sites:
        notes.append(
            t("{n} candidate site(s) are too far from any road and were left out: {ids}.").format(
                n=len(plan.unattached_sites), ids=", ".join(plan.unattached_sites[:8])
            )
        )
    names = dict(zip(safe["site_id"], safe["name"], strict=True))
    schedule = plan.schedule.assign(name=plan.schedule["site_id"].map(names).fillna(""))
    return PlanView(sites=safe, summary=summary, schedule=schedule, notes=notes)


def export_frame(run: PlanRun, *, threshold: int = DEFAULT_THRESHOLD) -> gpd.GeoDataFrame:
    """Return the ranked sites as a GeoDataFrame for export (per year, suppressed)."""
    from geotraf.checkpoints import SITE_COLUMNS

    view = plan_view(run, t=lambda s: s, threshold=threshold)
    # The plan's own columns, less the graph node: meaningless outside this region's graph.
    cols = [c for c in SITE_COLUMNS if c != "node"]
    frame = view.sites[cols].rename(
        columns={
            "captured": "captured_per_year",
            "marginal_gain": "marginal_gain_per_year",
            "captured_after_evasion": "captured_after_evasion_per_year",
        }
    )
    frame = frame.assign(classification=RESTRICTED, seed=run.params.seed)
    return gpd.GeoDataFrame(
        frame,
        geometry=gpd.points_from_xy(view.sites["lon"], view.sites["lat"]),
        crs="EPSG:4326",
    )


def export_bytes(run: PlanRun, kind: str) -> bytes:
    """Return a plan export: ``csv`` (ranked sites), ``schedule`` (CSV) or ``geojson``.

    Every file says RESTRICTED: a first comment line in CSV, a ``classification`` member
    (and column) in GeoJSON.
    """
    from geotraf._write import write_table

    head = f"# {RESTRICTED}; region {run.region}; seed {run.params.seed}\n"
    if kind == "schedule":
        names = dict(zip(run.plan.sites["site_id"], run.plan.sites["name"], strict=True))
        sched = run.plan.schedule.assign(name=run.plan.schedule["site_id"].map(names))
        buffer = io.StringIO()
        sched.to_csv(buffer, index=False)
        return (head + buffer.getvalue()).encode("utf-8")
    frame = export_frame(run)
    with tempfile.TemporaryDirectory() as tmp:
        if kind == "csv":
            path = write_table(frame, Path(tmp) / "plan.csv", layer="plan")
            return (head + path.read_text(encoding="utf-8")).encode("utf-8")
        if kind == "geojson":
            path = write_table(frame, Path(tmp) / "plan.geojson", layer="plan")
            doc = json.loads(path.read_text(encoding="utf-8"))
            doc = {
                "type": doc["type"],
                "name": "checkpoint_plan",
                "classification": RESTRICTED,
                **{k: v for k, v in doc.items() if k not in {"type", "name"}},
            }
            return json.dumps(doc, ensure_ascii=False).encode("utf-8")
    raise PlanError(f"unknown export {kind!r}; use csv, schedule or geojson")


def schedule_grid(schedule: pd.DataFrame, *, days: int, shifts: int) -> list[list[list[str]]]:
    """Return the schedule as ``grid[day][shift] = ["Team 1: <site>", ...]`` (1-based in text).

    Examples
    --------
    >>> s = pd.DataFrame({"day": [1, 1, 2], "shift": [1, 2, 1], "team": [1, 1, 1],
    ...                   "site_id": ["a", "b", "a"], "name": ["Poipet", "Mae Sot", "Poipet"]})
    >>> schedule_grid(s, days=2, shifts=2)
    [[['Team 1: Poipet'], ['Team 1: Mae Sot']], [['Team 1: Poipet'], []]]
    """
    grid: list[list[list[str]]] = [[[] for _ in range(shifts)] for _ in range(days)]
    ordered = schedule.sort_values(["day", "shift", "team"], kind="stable")
    for row in ordered.itertuples(index=False):
        d, s = int(row.day) - 1, int(row.shift) - 1
        if 0 <= d < days and 0 <= s < shifts:
            label = str(getattr(row, "name", "") or row.site_id)
            grid[d][s].append(f"Team {int(row.team)}: {label}")
    return grid
