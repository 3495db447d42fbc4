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
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

# Re-exported: the parameters lived here before; callers import them from this module.
from dashboard.planning_params import DEFAULT_DISTRIBUTION as DEFAULT_DISTRIBUTION
from dashboard.planning_params import LIMITS as LIMITS
from dashboard.planning_params import METHODS as METHODS
from dashboard.planning_params import PlanParams
from geotraf.errors import PlanError
from geotraf.privacy import DEFAULT_THRESHOLD, suppress

Translator = Callable[[str], str]
Progress = Callable[[int, str], None]

RESTRICTED = "RESTRICTED — checkpoint plan"


@dataclass(frozen=True)
class PlanRun:
    """A plan with what is needed to show it: region facts and the parameters."""

    plan: Any
    params: PlanParams
    years: tuple[int, int] | None
    synthetic: bool
    region: str
    #: Per chosen site (``site_id``): nearest town, its distance and direction, nearest road.
    locations: pd.DataFrame | None = None

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
        Called with (percent, message) as the plan is made: the stage (assignment, model,
        solve, evasion, schedule) and a percentage that only rises, from inside the solver
        and the evasion test (:func:`geotraf.checkpoints.plan` ``progress=``).
    """
    from dashboard.corridors_model import corridor_network
    from geotraf.checkpoints import plan
    from geotraf.schedule import schedule

    progress(2, "Stage 1 of 5, assignment: loading the region and routing its flows")
    net = corridor_network(path, "shortest", source="raw")  # the plan alone uses raw flows
    sites = getattr(net.region, "sites", None)
    if sites is None or len(sites) == 0:
        raise PlanError("This region has no candidate sites (sites layer): upload one first.")
    result = plan(
        net.graph,
        net.assignment,
        sites,
        budget=params.budget,
        method=params.method,
        evasion_tolerance=params.tolerance,
        evasion_aware=params.evasion_aware,
        progress=_plan_stages(progress),
    )
    progress(94, "Stage 5 of 5, schedule: drawing the teams' days and shifts")
    result = schedule(
        result, teams=params.teams, days=params.days, shifts=params.shifts, seed=params.seed
    )
    progress(96, "Preparing the tables and the map")
    return PlanRun(
        plan=result,
        params=params,
        years=net.years,
        synthetic=net.synthetic,
        region=Path(path).name,
        locations=site_locations(result.sites, net.region),
    )


#: The share of the page's progress bar each part of a plan takes, measured on the Mekong
#: demo (budget 8, evasion-aware): routing ≈ 2.4 s when not cached, the plan 3-19 s
#: (evasion ≈ 80-95 % of it), the schedule 0.02 s, the tables and map ≈ 1 s.
_PLAN_BAND = (20, 94)


def _plan_stages(progress: Progress) -> Callable[[str, float], None]:
    """Show :func:`geotraf.checkpoints.plan`'s stages on the page's bar, once per percent."""
    low, high = _PLAN_BAND
    shown: list[tuple[int, str]] = []

    def on_stage(stage: str, done: float) -> None:
        percent = low + int((high - low) * done)
        if shown and shown[-1] == (percent, stage):
            return
        shown.append((percent, stage))
        if stage == "model":
            progress(percent, "Stage 2 of 5, model: attaching the candidate sites to the roads")
        elif stage == "solve":
            progress(percent, "Stage 3 of 5, solve: choosing the sites that capture most")
        elif stage == "evasion":
            progress(percent, "Stage 4 of 5, evasion: testing detours around the sites")

    return on_stage


def site_locations(sites: gpd.GeoDataFrame, region: Any) -> pd.DataFrame:
    """Return ``site_id``, ``town``, ``town_km``, ``direction``, ``road`` of each site."""
    from geotraf.naming import locate

    found = locate(
        sites.geometry.x.to_numpy(),
        sites.geometry.y.to_numpy(),
        places=getattr(region, "places", None),
        roads=getattr(region, "roads", None),
    )
    return pd.DataFrame(
        {
            "site_id": sites["site_id"].astype(str).to_numpy(),
            "town": [f.town for f in found],
            "town_km": [f.km for f in found],
            "direction": [f.direction for f in found],
            "road": [f.road for f in found],
        }
    )


def where_text(town: str, km: float, direction: str, t: Translator) -> str:
    """Return "12 km NE of Udon Thani" in the chosen language (the town alone within 1 km).

    Examples
    --------
    >>> where_text("Udon Thani", 12.4, "NE", str)
    '12 km NE of Udon Thani'
    """
    if not town:
        return ""
    if km < 1:
        return town
    return t("{km} km {direction} of {town}").format(
        km=f"{km:.0f}", direction=t(direction), town=town
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


def plan_view(
    run: PlanRun, *, t: Translator, threshold: int = DEFAULT_THRESHOLD, lang: str = "en"
) -> PlanView:
    """Return the ranked sites (per year, suppressed), headline numbers and schedule.

    Headline numbers are written in ``lang``'s convention (Babel): "1 524" in French.
    """
    from dashboard import i18n

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
            i18n.percent(plan.captured_share, lang),
            t("of the modelled flow passes a chosen site"),
            f"{i18n.count(plan.captured / span, lang, threshold=threshold)} {unit}",
        ),
        (
            i18n.percent(plan.captured_after_evasion_share, lang),
            t("still captured after evasion"),
            t("detours up to +{p} travel time").format(p=i18n.percent(run.params.tolerance, lang)),
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
            "—" if plan.gap is None else i18n.number(100 * plan.gap, lang, decimals=1) + " %",
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
    safe = _with_locations(safe, run, t)
    names = dict(zip(safe["site_id"], safe["name"], strict=True))
    ranks = dict(zip(safe["site_id"], safe["rank"], strict=True))
    schedule = plan.schedule.assign(
        name=plan.schedule["site_id"].map(names).fillna(""),
        rank=plan.schedule["site_id"].map(ranks),
    )
    return PlanView(sites=safe, summary=summary, schedule=schedule, notes=notes)


def _with_locations(sites: pd.DataFrame, run: PlanRun, t: Translator) -> pd.DataFrame:
    """Add coordinates (decimal degrees, MGRS) and nearest town and road to the sites."""
    from geotraf.naming import decimal_degrees, grid_reference

    out = sites.copy()
    out["coordinates"] = [
        decimal_degrees(x, y) for x, y in zip(out["lon"], out["lat"], strict=True)
    ]
    out["mgrs"] = [grid_reference(x, y) for x, y in zip(out["lon"], out["lat"], strict=True)]
    loc = run.locations
    if loc is None or len(loc) == 0:
        loc = pd.DataFrame(
            {"site_id": out["site_id"], "town": "", "town_km": 0.0, "direction": "", "road": ""}
        )
    out = out.merge(loc, on="site_id", how="left", validate="one_to_one")
    for col in ("town", "direction", "road"):
        out[col] = out[col].fillna("").astype(str)
    out["town_km"] = out["town_km"].fillna(0.0).astype(float)
    out["where"] = [
        where_text(town, km, d, t)
        for town, km, d in zip(out["town"], out["town_km"], out["direction"], strict=True)
    ]
    out["name"] = [site_name(r, t) for r in out.itertuples()]
    return out


def site_name(row: Any, t: Translator) -> str:
    """The name a patrol uses for a site: "Restaurant, AH2 7 km SW of Bang Saphan".

    Named sites keep their name (with the road); generic roadside ones are named by
    kind, road and distance from the nearest town, in the chosen language.
    """
    from dashboard.i18n import label
    from geotraf.naming import Location, site_label

    loc = Location(str(row.town), float(row.town_km), str(row.direction), str(row.road))
    kind = label(str(row.site_type or "site"), t)
    return site_label(
        str(row.name or ""), str(row.site_type or ""), loc, kind=kind, where=str(row.where)
    )


def site_reason(row: Any, t: Translator, lang: str) -> str:
    """Why a site was chosen, in the chosen language.

    English keeps the library's full sentence (corridors, routes); other languages get
    the same facts that the translator can say: kind and road, share, detour share.
    """
    from dashboard import i18n

    if lang == i18n.DEFAULT_LANGUAGE:
        return str(row.reason)
    parts = [i18n.label(str(row.site_type or "site"), t)]
    if row.road:
        parts[0] = t("{kind}, {road}").format(kind=parts[0], road=row.road)
    if not pd.isna(row.share):
        share = i18n.percent(float(row.share), lang)
        parts.append(t("{share} of the modelled flow").format(share=share))
    captured, after = row.captured, row.captured_after_evasion
    if not pd.isna(captured) and not pd.isna(after) and float(captured) > 0:
        lost = 1 - float(after) / float(captured)
        if lost > 0.005:
            share = i18n.percent(lost, lang)
            parts.append(t("{share} of it could detour around checks").format(share=share))
    return "; ".join(parts)


#: Count columns of an export, in whole people per year.
EXPORT_COUNTS = {
    "captured": "captured_per_year",
    "marginal_gain": "marginal_gain_per_year",
    "captured_after_evasion": "captured_after_evasion_per_year",
}


def export_frame(run: PlanRun, *, threshold: int = DEFAULT_THRESHOLD) -> gpd.GeoDataFrame:
    """Return the ranked sites as a GeoDataFrame for export (per year, suppressed).

    Counts are whole people (a model does not know fractions of a person); every row
    carries the RESTRICTED marking, the region and the seed, so a file keeps them
    whatever program opens it.
    """
    from geotraf.checkpoints import SITE_COLUMNS

    view = plan_view(run, t=lambda s: s, threshold=threshold)
    # The plan's own columns, less the graph node: meaningless outside this region's graph.
    cols = [c for c in SITE_COLUMNS if c != "node"]
    extra = ["coordinates", "mgrs", "town", "town_km", "road"]
    frame = view.sites[cols + extra].rename(columns=EXPORT_COUNTS)
    for col in EXPORT_COUNTS.values():
        frame[col] = frame[col].astype("Float64").round(0).astype("Int64")
    frame = frame.assign(classification=RESTRICTED, region=run.region, seed=run.params.seed)
    return gpd.GeoDataFrame(
        frame,
        geometry=gpd.points_from_xy(view.sites["lon"], view.sites["lat"]),
        crs="EPSG:4326",
    )


def schedule_frame(run: PlanRun) -> pd.DataFrame:
    """Return the schedule with calendar dates and shift hours, one row per team post."""
    p = run.params
    view = plan_view(run, t=lambda s: s)
    dates = p.dates()
    hours = p.shift_times()
    sched = view.schedule.sort_values(["day", "shift", "team"], kind="stable")
    day = sched["day"].astype(int) - 1
    shift = sched["shift"].astype(int) - 1
    return pd.DataFrame(
        {
            "date": [dates[d].isoformat() if 0 <= d < len(dates) else "" for d in day],
            "start": [hours[s][0] if 0 <= s < len(hours) else "" for s in shift],
            "end": [hours[s][1] if 0 <= s < len(hours) else "" for s in shift],
            "day": sched["day"].astype(int).to_numpy(),
            "shift": sched["shift"].astype(int).to_numpy(),
            "team": sched["team"].astype(int).to_numpy(),
            "rank": sched["rank"].astype("Int64").to_numpy(),
            "site_id": sched["site_id"].astype(str).to_numpy(),
            "name": sched["name"].astype(str).to_numpy(),
            "classification": RESTRICTED,
        }
    )


def export_bytes(run: PlanRun, kind: str) -> bytes:
    """Return a plan export: ``csv`` (ranked sites), ``schedule`` (CSV) or ``geojson``.

    Every file says RESTRICTED: a ``classification`` column on every CSV row (the header
    stays the first line, so spreadsheets and GIS open the file as a table), and a
    ``classification`` member (and column) in GeoJSON.
    """
    from geotraf._write import write_table

    if kind == "schedule":
        buffer = io.StringIO()
        schedule_frame(run).to_csv(buffer, index=False)
        return buffer.getvalue().encode("utf-8")
    frame = export_frame(run)
    with tempfile.TemporaryDirectory() as tmp:
        if kind == "csv":
            path = write_table(frame, Path(tmp) / "plan.csv", layer="plan")
            return path.read_bytes()
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
