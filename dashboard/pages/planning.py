"""Planning (role ``planner`` only): where and when to place checkpoints — RESTRICTED.

The planner sets the budget (sites), teams, days, shifts, method, evasion tolerance and
seed, and runs the plan as a Dash *background callback* (a separate process, with
progress and a Cancel button). The result: a map of the chosen sites sized by the share
they capture, the ranked table with reasons, capture before/after evasion, coverage
probabilities, and the randomised schedule as a days × shifts calendar; downloads of CSV,
GeoJSON and a PDF briefing. Every run and export is audited.

Role checks: the layout answers "access denied" below the planner role, every in-request
callback is wrapped by :func:`dashboard.roles.requires_role`, and — because a background
job runs outside the request — a ``before_request`` guard refuses any
``/_dash-update-component`` call that targets a ``planning-`` output for other roles
(also the job's polling requests).
"""

from __future__ import annotations

import contextlib
import functools
import os
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit

import dash
from dash import Dash, DiskcacheManager, Input, Output, State, dcc, html

from dashboard import audit, components, i18n, ids
from dashboard.roles import allowed, check_role, current_role, requires_role

#: The lowest role that may open this page (admin holds every right).
ROLE = "planner"
#: Prefix of every component id of this page (the request guard keys on it).
PREFIX = "planning-"
#: Flask config key of the folder holding finished plans for download.
PLAN_CACHE_KEY = "GEOTRAF_PLAN_CACHE"
#: Flask config key (and environment variable) of the seconds a finished plan, and the
#: job result it came from, stay on disk.
PLAN_TTL_KEY = "GEOTRAF_PLAN_TTL_S"
#: Default: a finished plan stays available for download for 24 hours.
PLAN_TTL_S = 24 * 3600
#: Position of the seed among the plan job's arguments (the run button, then the form).
_SEED_ARG = 8
#: Store holding the token of the plan on screen, so that the next run can discard it.
KEPT_PLAN = "planning-plan-kept"
_TTL_FILE = "plan_ttl"

P = ParamSpec("P")
R = TypeVar("R")

dash.register_page(__name__, path="/planning", name="Planning", title="geotraf — planning", order=2)


def _number(
    id_: str,
    label: str,
    value: float | None,
    *,
    low: float,
    high: float,
    step: float = 1,
) -> html.Div:
    return html.Div(
        [
            html.Label(label, htmlFor=id_, className="control-label"),
            dcc.Input(
                id=id_,
                type="number",
                value=value,
                min=low,
                max=high,
                step=step,
                required=True,
                debounce=True,
            ),
        ],
        className="control",
    )


def layout(**query: str) -> html.Div:
    """Return the page shell (no data), or "access denied" below the planner role."""
    lang = i18n.current_language()
    t = i18n.translator(lang)
    if not allowed(current_role(), ROLE):
        return components.access_denied(t, required=ROLE)
    form = html.Section(
        [
            _number(ids.PLANNING_BUDGET, t("Sites to choose"), 8, low=1, high=50),
            _number(ids.PLANNING_TEAMS, t("Teams per shift"), 4, low=1, high=20),
            _number(ids.PLANNING_DAYS, t("Days"), 14, low=1, high=60),
            _number(ids.PLANNING_SHIFTS, t("Shifts per day"), 2, low=1, high=4),
            _number(
                ids.PLANNING_TOLERANCE,
                t("Evasion tolerance (share of extra time)"),
                0.3,
                low=0,
                high=2,
                step=0.05,
            ),
            # No default seed: a fixed one would give every run on the defaults the same,
            # predictable schedule. Blank draws one from the OS; the result shows it.
            _number(ids.PLANNING_SEED, t("Seed (blank: random)"), None, low=0, high=2**31 - 1),
            *_operation_fields(t),
            # Method, detours and the buttons share one full-width row: squeezed into the
            # number fields' narrow grid cells, their labels overflowed onto each other.
            html.Div(
                [
                    html.Fieldset(
                        [
                            html.Legend(t("Method"), className="control-label"),
                            dcc.RadioItems(
                                id=ids.PLANNING_METHOD,
                                options=[
                                    {"label": t("Greedy (fast)"), "value": "greedy"},
                                    {"label": t("Exact (MILP)"), "value": "exact"},
                                ],
                                value="greedy",
                                inline=True,
                                className="segmented",
                            ),
                        ],
                        className="control",
                    ),
                    html.Fieldset(
                        [
                            html.Legend(t("Detours"), className="control-label"),
                            dcc.Checklist(
                                id=ids.PLANNING_EVASION_AWARE,
                                options=[
                                    {
                                        "label": t("Evasion-aware (plan for detours)"),
                                        "value": "on",
                                    }
                                ],
                                value=[],
                                className="segmented",
                            ),
                        ],
                        className="control",
                    ),
                    html.Div(
                        [
                            html.Button(t("Run plan"), id=ids.PLANNING_RUN, n_clicks=0),
                            html.Button(
                                t("Cancel"),
                                id=ids.PLANNING_CANCEL,
                                n_clicks=0,
                                disabled=True,
                                className="button-secondary",
                            ),
                        ],
                        className="button-row",
                    ),
                ],
                className="planning-actions",
            ),
        ],
        className="filters filters-planning panel planning-form",
        **{"aria-label": t("Plan settings")},  # type: ignore[arg-type]
    )
    progress = html.Div(
        [
            html.Progress(id=ids.PLANNING_PROGRESS, value="0", max="100"),
            html.Span(
                id=ids.PLANNING_PROGRESS_TEXT,
                className="muted small",
                **{"aria-live": "polite"},  # type: ignore[arg-type]
            ),
        ],
        className="progress-row",
    )
    downloads = html.Div(
        [
            html.Button(
                t("Ranked sites (CSV)"), id=ids.PLANNING_DOWNLOAD_CSV, n_clicks=0, disabled=True
            ),
            html.Button(
                t("Schedule (CSV)"), id=ids.PLANNING_DOWNLOAD_SCHEDULE, n_clicks=0, disabled=True
            ),
            html.Button(
                t("Sites (GeoJSON)"), id=ids.PLANNING_DOWNLOAD_GEOJSON, n_clicks=0, disabled=True
            ),
            html.Button(t("PDF briefing"), id=ids.PLANNING_DOWNLOAD_PDF, n_clicks=0, disabled=True),
            dcc.Download(id=ids.PLANNING_DOWNLOAD),
        ],
        className="download-row",
    )
    return html.Div(
        [
            html.Div(
                t(
                    "RESTRICTED — checkpoint plan. Plans are secret: do not share them beyond "
                    "the operation team. Every run and download is recorded."
                ),
                className="restricted",
                role="note",
            ),
            components.page_title(
                t("Planning"),
                t(
                    "Choose checkpoint sites that intercept the most modelled flow, test "
                    "how much remains when traffickers detour, and draw an unpredictable "
                    "schedule for the teams."
                ),
            ),
            form,
            progress,
            html.Div(id=ids.PLANNING_STATUS, className="notes"),
            html.Div(id=ids.PLANNING_AUDIT, className="muted small"),
            components.live_region(ids.PLANNING_SUMMARY, class_name="cards"),
            html.Div(
                [
                    html.Section(
                        [
                            html.Div(html.H2(t("Chosen sites")), className="panel-head"),
                            html.Div(
                                components.graph(
                                    ids.PLANNING_MAP, lang=lang, className="map-graph"
                                ),
                                className="map-frame",
                            ),
                        ],
                        className="panel panel-map",
                    ),
                    html.Section(
                        [
                            html.Div(html.H2(t("Ranked sites")), className="panel-head"),
                            html.Div(id=ids.PLANNING_TABLE),
                        ],
                        className="panel",
                    ),
                ],
                className="grid-planning",
            ),
            html.Section(
                [
                    html.Div(html.H2(t("Schedule: days × shifts")), className="panel-head"),
                    html.Div(id=ids.PLANNING_CALENDAR),
                ],
                className="panel",
            ),
            html.Section(
                [
                    html.Div(html.H2(t("Downloads (RESTRICTED)")), className="panel-head"),
                    downloads,
                    html.Div(id=ids.PLANNING_EXPORT_NOTE, className="muted small"),
                ],
                className="panel",
            ),
            dcc.Store(id=ids.PLANNING_PLAN),
            dcc.Store(id=KEPT_PLAN),
            dcc.Store(id=ids.PLANNING_LANG, data=lang),
        ],
        id=ids.PLANNING_ROOT,
        className="page page-planning",
    )


def _operation_fields(t: i18n.Translator) -> list[html.Div]:
    """Start date, first shift, shift length and distribution: what the briefing prints."""
    from datetime import timedelta

    tomorrow = (datetime.now(UTC).date() + timedelta(days=1)).isoformat()
    return [
        html.Div(
            [
                html.Label(
                    t("Start date"), htmlFor=ids.PLANNING_START_DATE, className="control-label"
                ),
                dcc.DatePickerSingle(
                    id=ids.PLANNING_START_DATE,
                    date=tomorrow,
                    display_format="YYYY-MM-DD",
                    first_day_of_week=1,
                ),
            ],
            className="control",
        ),
        html.Div(
            [
                html.Label(
                    t("First shift starts (HH:MM)"),
                    htmlFor=ids.PLANNING_FIRST_SHIFT,
                    className="control-label",
                ),
                dcc.Input(
                    id=ids.PLANNING_FIRST_SHIFT,
                    type="text",
                    value="06:00",
                    placeholder="06:00",
                    maxLength=5,
                    pattern=r"[0-2]?[0-9]:[0-5][0-9]",
                    debounce=True,
                ),
            ],
            className="control",
        ),
        _number(ids.PLANNING_SHIFT_HOURS, t("Shift length (hours)"), 8, low=1, high=24),
        html.Div(
            [
                html.Label(
                    t("Distribution (who may read the briefing)"),
                    htmlFor=ids.PLANNING_DISTRIBUTION,
                    className="control-label",
                ),
                dcc.Input(
                    id=ids.PLANNING_DISTRIBUTION,
                    type="text",
                    placeholder=t("Operation team only"),
                    maxLength=200,
                    debounce=True,
                ),
            ],
            className="control",
        ),
    ]


class PlanJobManager(DiskcacheManager):
    """Dash's disk-cache manager that hands :func:`run_plan_job` this app's settings.

    Dash registers background functions by their source text in a process-wide registry,
    so a closure over one app's region would be shared by every app of the process. The
    job is therefore a plain module function, and each app's manager binds its own region
    path and plan folder to it when it builds the job.
    """

    def __init__(self, cache: Any, *, region_path: str, plan_dir: str, expire: float) -> None:
        self.region_path = region_path
        self.plan_dir = plan_dir
        super().__init__(cache, expire=expire)

    def make_job_fn(self, fn: Any, progress: Any, key: Any = None) -> Any:
        """Bind this app's region path and plan folder to the plan job."""
        if getattr(fn, "__name__", "") == run_plan_job.__name__:
            fn = functools.partial(fn, self.region_path, self.plan_dir)
        return super().make_job_fn(fn, progress, key)

    def call_job_fn(self, key: Any, job_fn: Any, args: Any, context: Any) -> Any:
        """Start a plan job: check the role, draw the seed, audit the run, then start it.

        Dash calls this (inside the request) for every job it starts, whichever callback
        or hand-written request asked for it, so this is where a run is recorded.
        """
        check_role(ROLE, what="planning job")
        args = list(args)
        if len(args) > _SEED_ARG and args[_SEED_ARG] in (None, ""):
            args[_SEED_ARG] = secrets.randbelow(2**31)  # OS entropy, never a default
        details = _run_details(args)
        audit.record("plan", page="planning", **details)
        return super().call_job_fn(key, functools.partial(_private_job, job_fn), args, context)


def _private_job(job_fn: Any, *args: Any) -> Any:
    """Run a job with umask 077 (in its own process): what it writes is the server's only."""
    os.umask(0o077)
    return job_fn(*args)


def _run_details(args: list[Any]) -> dict[str, Any]:
    from dashboard.planning_model import PlanParams
    from geotraf.errors import PlanError

    try:
        return PlanParams.from_inputs(**_form_values(tuple(args[1 : _SEED_ARG + 1]))).to_dict()
    except PlanError as exc:
        return {"invalid": str(exc), "seed": args[_SEED_ARG]}


def _private_tree(folder: str | Path) -> None:
    """Make a cache folder and everything in it readable by the server's user only."""
    root = Path(folder)
    for path in [root, *root.rglob("*")]:
        with contextlib.suppress(FileNotFoundError):
            path.chmod(0o700 if path.is_dir() else 0o600)


def _ttl(server: Any) -> float:
    value = server.config.get(PLAN_TTL_KEY) or os.environ.get(PLAN_TTL_KEY)
    return float(value) if value else float(PLAN_TTL_S)


def register_callbacks(app: Dash) -> None:
    """Attach the Planning page's callbacks and its request guard to ``app``."""
    import diskcache

    from dashboard.data import CONFIG_KEY

    cache_root = Path(app.server.instance_path) / "cache"
    plan_dir = cache_root / "plans"
    plan_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    ttl = _ttl(app.server)
    app.server.config[PLAN_CACHE_KEY] = str(plan_dir)
    app.server.config[PLAN_TTL_KEY] = ttl
    jobs = diskcache.Cache(str(cache_root / "jobs"))
    # The job process has no Flask config: the plans' lifetime is kept beside them.
    (cache_root / _TTL_FILE).write_text(str(ttl), encoding="utf-8")
    _private_tree(cache_root)
    manager = PlanJobManager(
        jobs,
        region_path=str(app.server.config[CONFIG_KEY]),
        plan_dir=str(plan_dir),
        expire=ttl,
    )
    _guard_requests(app)

    app.callback(
        Output(ids.PLANNING_MAP, "figure"),
        Output(ids.PLANNING_TABLE, "children"),
        Output(ids.PLANNING_CALENDAR, "children"),
        Output(ids.PLANNING_SUMMARY, "children"),
        Output(ids.PLANNING_PLAN, "data"),
        Output(ids.PLANNING_STATUS, "children"),
        Input(ids.PLANNING_RUN, "n_clicks"),
        *_form_states(),
        State(ids.PLANNING_LANG, "data"),
        State("_pages_location", "href"),
        background=True,
        manager=manager,
        progress=[
            Output(ids.PLANNING_PROGRESS, "value"),
            Output(ids.PLANNING_PROGRESS_TEXT, "children"),
        ],
        progress_default=["0", ""],
        running=[
            (Output(ids.PLANNING_RUN, "disabled"), True, False),
            (Output(ids.PLANNING_CANCEL, "disabled"), False, True),
        ],
        cancel=[Input(ids.PLANNING_CANCEL, "n_clicks")],
        prevent_initial_call=True,
    )(run_plan_job)

    @app.callback(
        Output(ids.PLANNING_AUDIT, "children"),
        Input(ids.PLANNING_RUN, "n_clicks"),
        *_form_states(),
        prevent_initial_call=True,
    )
    @requires_role(ROLE)
    def record_run(_: int, *form: Any) -> str:
        # The audit line itself is written where the job starts (PlanJobManager), so a
        # run is recorded whoever asks for it; this only tells the planner.
        t = i18n.translator(i18n.current_language())
        when = datetime.now(UTC).strftime("%H:%M UTC")
        return t("Run requested at {when}; recorded in the audit log.").format(when=when)

    @app.callback(
        Output(KEPT_PLAN, "data"),
        Input(ids.PLANNING_PLAN, "data"),
        State(KEPT_PLAN, "data"),
        prevent_initial_call=True,
    )
    @requires_role(ROLE)
    def discard_previous(stored: dict[str, Any] | None, kept: str | None) -> str | None:
        from flask import current_app

        token = stored.get("token") if isinstance(stored, dict) else None
        if isinstance(kept, str) and kept and kept != token:
            _discard_run(str(current_app.config[PLAN_CACHE_KEY]), kept)
        return token if isinstance(token, str) else None

    @app.callback(
        Output(ids.PLANNING_DOWNLOAD_CSV, "disabled"),
        Output(ids.PLANNING_DOWNLOAD_SCHEDULE, "disabled"),
        Output(ids.PLANNING_DOWNLOAD_GEOJSON, "disabled"),
        Output(ids.PLANNING_DOWNLOAD_PDF, "disabled"),
        Input(ids.PLANNING_PLAN, "data"),
    )
    @requires_role(ROLE)
    def enable_downloads(stored: dict[str, Any] | None) -> tuple[bool, ...]:
        ready = bool(stored and stored.get("token"))
        return (not ready,) * 4

    @app.callback(
        Output(ids.PLANNING_DOWNLOAD, "data"),
        Output(ids.PLANNING_EXPORT_NOTE, "children"),
        Input(ids.PLANNING_DOWNLOAD_CSV, "n_clicks"),
        Input(ids.PLANNING_DOWNLOAD_SCHEDULE, "n_clicks"),
        Input(ids.PLANNING_DOWNLOAD_GEOJSON, "n_clicks"),
        Input(ids.PLANNING_DOWNLOAD_PDF, "n_clicks"),
        State(ids.PLANNING_PLAN, "data"),
        prevent_initial_call=True,
        running=[(Output(ids.PLANNING_DOWNLOAD_PDF, "disabled"), True, False)],
    )
    @requires_role(ROLE)
    def download(*args: Any) -> tuple[Any, Any]:
        from flask import current_app

        t = i18n.translator(i18n.current_language())
        stored = args[-1] or {}
        kind = {
            ids.PLANNING_DOWNLOAD_CSV: "csv",
            ids.PLANNING_DOWNLOAD_SCHEDULE: "schedule",
            ids.PLANNING_DOWNLOAD_GEOJSON: "geojson",
            ids.PLANNING_DOWNLOAD_PDF: "pdf",
        }.get(str(dash.ctx.triggered_id))
        run = _stored_run(str(current_app.config[PLAN_CACHE_KEY]), stored.get("token"))
        if kind is None or run is None:
            return dash.no_update, components.notice(
                t("This plan is no longer available: run it again."), kind="warning"
            )
        name = f"checkpoint-plan-{run.region}-seed{run.params.seed}"
        audit.record(
            "export",
            page="planning",
            format=kind,
            seed=run.params.seed,
            method=run.params.method,
            budget=run.params.budget,
        )
        if kind == "pdf":
            payload, note = _briefing(run, t, i18n.current_language())
            return dcc.send_bytes(payload, f"{name}.pdf"), note
        from dashboard.planning_model import export_bytes

        suffix = {"csv": "-sites.csv", "schedule": "-schedule.csv", "geojson": ".geojson"}[kind]
        return (
            dcc.send_bytes(export_bytes(run, kind), f"{name}{suffix}"),
            t("Downloaded {file}; recorded in the audit log.").format(file=f"{name}{suffix}"),
        )


def _guard_requests(app: Dash) -> None:
    """Refuse every Dash callback request aimed at this page's outputs below the role."""

    @app.server.before_request
    def _planning_guard() -> None:
        from flask import request

        if request.method != "POST" or not request.path.endswith("/_dash-update-component"):
            return
        body = request.get_json(silent=True)
        if isinstance(body, dict) and PREFIX in str(body.get("output", "")):
            check_role(ROLE, what="planning callback")


def _form_states() -> list[State]:
    return [
        State(ids.PLANNING_BUDGET, "value"),
        State(ids.PLANNING_TEAMS, "value"),
        State(ids.PLANNING_DAYS, "value"),
        State(ids.PLANNING_SHIFTS, "value"),
        State(ids.PLANNING_METHOD, "value"),
        State(ids.PLANNING_TOLERANCE, "value"),
        State(ids.PLANNING_EVASION_AWARE, "value"),
        State(ids.PLANNING_SEED, "value"),
        State(ids.PLANNING_START_DATE, "date"),
        State(ids.PLANNING_FIRST_SHIFT, "value"),
        State(ids.PLANNING_SHIFT_HOURS, "value"),
        State(ids.PLANNING_DISTRIBUTION, "value"),
    ]


def _form_values(form: tuple[Any, ...]) -> dict[str, Any]:
    budget, teams, days, shifts, method, tolerance, aware, seed, *operation = form
    start, first, hours, distribution = (*operation, None, None, None, None)[:4]
    return {
        "start_date": start,
        "first_shift": first,
        "shift_hours": hours,
        "distribution": distribution,
        "budget": budget,
        "teams": teams,
        "days": days,
        "shifts": shifts,
        "method": method,
        "tolerance": tolerance,
        "evasion_aware": bool(aware),
        "seed": seed,
    }


def _guarded(required: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Mark a background job as role-checked by :func:`_guard_requests`.

    The job runs in another process, outside any request, so it cannot check the user
    itself; the request guard refuses the call (and its polling) before Dash starts it.
    The mark lets :func:`dashboard.roles.role_of` (and the test that every callback is
    checked) see the role.
    """

    def mark(func: Callable[P, R]) -> Callable[P, R]:
        func.required_role = required  # type: ignore[attr-defined]
        return func

    return mark


@_guarded(ROLE)
def run_plan_job(
    region_path: str,
    plan_dir: str,
    set_progress: Any,
    _: int,
    *rest: Any,
) -> tuple[Any, ...]:
    """The background job: validate, plan, store the result for download, draw it.

    Runs in a separate process (no Flask request): the role was checked by the request
    guard before Dash started it, and the run was audited by ``record_run``. The region
    path and plan folder are bound by :class:`PlanJobManager`.
    """
    import diskcache

    from dashboard import planning_model as pm
    from geotraf.errors import GeotrafError

    *form, lang, href = rest
    t = i18n.translator(str(lang or i18n.DEFAULT_LANGUAGE))

    def progress(percent: int, message: str) -> None:
        # Stage and percentage, so a long solve never sits silent on an empty bar.
        text = f"{percent}% · {t(message)}" if message and percent < 100 else t(message)
        set_progress((str(percent), text))

    try:
        params = pm.PlanParams.from_inputs(**_form_values(tuple(form)))
        run = pm.run_plan(region_path, params, progress=progress)
    except GeotrafError as exc:
        empty = dash.no_update
        progress(0, "")
        return (
            empty,
            empty,
            empty,
            empty,
            None,
            components.notice(str(exc), kind="error", role="alert"),
        )
    token = secrets.token_urlsafe(18)
    with diskcache.Cache(plan_dir) as cache:
        cache.expire()  # drop plans past their time
        cache.set(token, run, expire=_stored_ttl(plan_dir))
    _private_tree(plan_dir)
    view = pm.plan_view(run, t=t, lang=str(lang or i18n.DEFAULT_LANGUAGE))
    unit = pm.unit_label(run, t)
    figure = _plan_figure(region_path, run, view, unit=unit, t=t, base_url=_root(href))
    progress(100, "Done")
    notes = [components.notice(n, kind="warning") for n in view.notes]
    return (
        figure,
        _sites_table(view, unit=unit, t=t, lang=str(lang or i18n.DEFAULT_LANGUAGE)),
        _calendar(view, run, t=t, lang=str(lang or i18n.DEFAULT_LANGUAGE)),
        components.headline_cards(view.summary),
        {"token": token, "params": run.params.to_dict()},
        notes or None,
    )


def _root(href: str | None) -> str:
    parts = urlsplit(href or "")
    return f"{parts.scheme}://{parts.netloc}/" if parts.scheme and parts.netloc else "/"


def _plan_figure(
    region_path: str,
    run: Any,
    view: Any,
    *,
    unit: str,
    t: i18n.Translator,
    base_url: str,
    inline: bool = False,
) -> Any:
    """The plan map on the basemap (URL sources in the page, inline ones for the PDF)."""
    import numpy as np

    from dashboard import basemap, briefing, data
    from dashboard.corridors_model import (
        CorridorState,
        corridor_network,
        segment_lines,
        segment_loads,
    )
    from dashboard.planning_figures import plan_map

    region = data.region_view(region_path)
    urls = {n: f"{base_url}basemap/{n}.geojson" for n in region.basemap_layers}
    style = basemap.basemap_style(urls)
    if inline:
        layers = {n: data.basemap_layer(region_path, n) for n in region.basemap_layers}
        style = briefing.inline_style(style, {k: v for k, v in layers.items() if v})
    center, zoom = basemap.fit_view(region.bounds)
    net = corridor_network(region_path, "shortest")
    loads = segment_loads(net, CorridorState())
    busy = (
        np.flatnonzero(loads >= np.quantile(loads[loads > 0], 0.75))
        if (loads > 0).any()
        else np.zeros(0, dtype=int)
    )
    return plan_map(
        view.sites,
        style=style,
        center=center,
        zoom=zoom,
        unit=unit,
        context=segment_lines(net.segments, busy),
        t=t,
    )


def _stored_ttl(plan_dir: str) -> float:
    """The plan lifetime, kept beside the plans (the job process has no Flask config)."""
    try:
        return float((Path(plan_dir).parent / _TTL_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return float(PLAN_TTL_S)


def _stored_run(plan_dir: str, token: object) -> Any:
    import diskcache

    if not isinstance(token, str) or not token:
        return None
    with diskcache.Cache(plan_dir) as cache:
        cache.expire()
        return cache.get(token)


def _discard_run(plan_dir: str, token: str) -> None:
    """Delete a stored plan the planner replaced with a new run."""
    import diskcache

    with diskcache.Cache(plan_dir) as cache:
        cache.delete(token)


def _briefing(run: Any, t: i18n.Translator, lang: str = i18n.DEFAULT_LANGUAGE) -> tuple[bytes, Any]:
    from flask import current_app

    from dashboard import briefing
    from dashboard import planning_model as pm
    from dashboard.data import CONFIG_KEY
    from dashboard.roles import current_username

    view = pm.plan_view(run, t=t)
    unit = pm.unit_label(run, t)
    note = t("PDF briefing ready; recorded in the audit log.")
    try:
        figure = _plan_figure(
            str(current_app.config[CONFIG_KEY]),
            run,
            view,
            unit=unit,
            t=t,
            base_url="/",
            inline=True,
        )
        image: bytes | None = briefing.plan_map_image(
            figure, view.sites, towns=briefing.major_towns(str(current_app.config[CONFIG_KEY]))
        )
    except Exception:  # chromium missing or crashed: the briefing still goes out
        image = None
        note = t("PDF briefing ready without the map: chromium could not draw it.")
    payload = briefing.build_briefing(
        run,
        view,
        map_image=image,
        unit=unit,
        t=t,
        lang=lang,
        generated_by=current_username() or "",
    )
    return payload, note


def _sites_table(
    view: Any, *, unit: str, t: i18n.Translator, lang: str = i18n.DEFAULT_LANGUAGE
) -> Any:
    """Ranked sites: what each captures alone beside what it adds in rank order.

    "Adds" sums to what the plan captures (a total row shows it); "alone" does not when
    sites share flows, so the two stand side by side.
    """

    from dashboard.planning_model import site_reason

    def format_count(value: Any) -> str:
        return i18n.count(value, lang)

    def pct(value: Any) -> str:
        return "<11" if value is None or value != value else i18n.percent(float(value), lang)

    rows = []
    for r in view.sites.itertuples():
        reason = site_reason(r, t, lang)
        town = str(getattr(r, "where", ""))
        town = "" if town and town in str(r.name) else town  # already in the name
        where = " · ".join(p for p in (town, str(getattr(r, "mgrs", ""))) if p)
        rows.append(
            html.Tr(
                [
                    html.Td(int(r.rank), className="num"),
                    html.Td(
                        [
                            html.Strong(r.name),
                            html.Br(),
                            html.Span(where, className="small"),
                            html.Br(),
                            html.Span(
                                _clip(reason, 150),
                                className="muted small",
                                title=reason,
                            ),
                        ]
                    ),
                    html.Td(format_count(r.captured), className="num"),
                    html.Td(pct(r.share), className="num"),
                    html.Td(format_count(r.marginal_gain), className="num"),
                    html.Td(format_count(r.captured_after_evasion), className="num"),
                    html.Td(pct(r.coverage_probability), className="num"),
                ]
            )
        )
    gains = view.sites["marginal_gain"].astype("Float64")
    total = format_count(None if gains.isna().any() else float(gains.sum()))
    header = [
        "#",
        t("Site and reason"),
        t("Captured alone"),
        t("Share alone"),
        t("Adds (in rank order)"),
        t("After evasion"),
        t("Staffed (share of shifts)"),
    ]
    foot = html.Tr(
        [
            html.Td(""),
            html.Th(t("Plan total"), scope="row"),
            html.Td(""),
            html.Td(""),
            html.Td(total, className="num"),
            html.Td(""),
            html.Td(""),
        ]
    )
    return [
        html.P(
            t(
                "Counts in {unit}. Captured alone: the flow through the site; Adds: what it "
                "adds to the sites ranked above it, so that column sums to the plan's capture."
            ).format(unit=unit),
            className="muted small",
        ),
        html.Div(
            html.Table(
                [
                    html.Caption(t("Ranked sites"), className="sr-only"),
                    html.Thead(
                        html.Tr(
                            [
                                html.Th(h, scope="col", className=None if i == 1 else "num")
                                for i, h in enumerate(header)
                            ]
                        )
                    ),
                    html.Tbody(rows),
                    html.Tfoot(foot),
                ],
                className="data-table",
            ),
            className="table-scroll",
        ),
    ]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _calendar(view: Any, run: Any, *, t: i18n.Translator, lang: str = i18n.DEFAULT_LANGUAGE) -> Any:
    from dashboard.planning_model import schedule_grid

    p = run.params
    grid = schedule_grid(view.schedule, days=p.days, shifts=p.shifts)
    dates, hours = p.dates(), p.shift_times()
    head = html.Tr(
        [
            html.Th(t("Date"), scope="col"),
            *[
                html.Th(
                    [t("Shift {n}").format(n=s + 1), html.Br(), f"{hours[s][0]}–{hours[s][1]}"],
                    scope="col",
                )
                for s in range(p.shifts)
            ],
        ]
    )
    body = [
        html.Tr(
            [
                html.Th(i18n.day(dates[d], lang), scope="row"),
                *[
                    html.Td([html.Span(c, className="team", title=c) for c in cell] or "—")
                    for cell in cells
                ],
            ]
        )
        for d, cells in enumerate(grid)
    ]
    return html.Div(
        [
            html.P(
                t(
                    "Drawn at random with each site's coverage probability, so that no "
                    "check can be predicted. Seed {seed}."
                ).format(seed=p.seed),
                className="muted small",
            ),
            html.Table([html.Thead(head), html.Tbody(body)], className="calendar"),
        ],
        className="table-scroll",
    )
