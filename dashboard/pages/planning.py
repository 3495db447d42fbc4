"""Planning (role ``planner`` only): where and when to place checkpoints — RESTRICTED.

The planner sets the budget (sites), teams, days, shifts, method, evasion tolerance and
seed, and runs the plan as a Dash *background callback* (a separate process, with
progress and a Cancel button). The result: a map of the chosen sites sized by the share
they capture, the ranked table with reasons, capture before/after evasion, coverage
probabilities, and the randomised schedule as a days × shifts calendar; downloads of CSV,
GeoJSON and a PDF briefing. Every run and export is audited.

Role checks: the layout answers "access denied" below the planner role, every in-request
callback is wrapped by :func:`dashboard.roles.requires_role`, and — because Dash starts a
background job before any callback code runs — a ``before_request`` guard refuses any
``/_dash-update-component`` call that targets a ``planning-`` output for other roles
(also the job's polling requests); the job checks the role once more itself.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit

import dash
from dash import Dash, DiskcacheManager, Input, Output, State, dcc

from dashboard import audit, components, i18n, ids

# The page's parts live beside it: its layout (Dash reads ``layout`` from this module),
# the plan map and PDF briefing, and the result tables.
from dashboard.planning_layout import KEPT_PLAN, ROLE
from dashboard.planning_layout import layout as layout
from dashboard.planning_map import _briefing, _plan_figure
from dashboard.planning_tables import _calendar, _sites_table
from dashboard.roles import check_role, requires_role

#: Prefix of every component id of this page (the request guard keys on it).
PREFIX = "planning-"
#: Flask config key of the folder holding finished plans for download.
PLAN_CACHE_KEY = "GEOTRAF_PLAN_CACHE"
#: Flask config key (and environment variable) of the seconds a finished plan, and the
#: job result it came from, stay on disk.
PLAN_TTL_KEY = "GEOTRAF_PLAN_TTL_S"
#: Default: a finished plan stays available for download for 24 hours.
PLAN_TTL_S = 24 * 3600
#: Position of the seed among the form's values (see :func:`_form_states`).
_SEED_FIELD = 7
_TTL_FILE = "plan_ttl"

P = ParamSpec("P")
R = TypeVar("R")

dash.register_page(__name__, path="/planning", name="Planning", title="geotraf — planning", order=2)


def _job_settings() -> tuple[str, str, str]:
    """This app's region path, plan folder and releases folder, read inside the job.

    Dash's :class:`~dash.DiskcacheManager` starts the job in a process forked from the
    request that asked for it, so the job still sees that request's Flask context: its
    app (the config of *this* app, even with several apps in one process) and its user.
    A manager that runs jobs elsewhere (Celery, a spawned process) would not, and the
    job says so instead of planning for the wrong region.
    """
    from flask import current_app, has_request_context

    from dashboard.data import CONFIG_KEY, RELEASES_KEY
    from geotraf.errors import PlanError

    if not has_request_context():
        raise PlanError(
            "the plan job runs only under dash.DiskcacheManager (a process forked from "
            "the request that started it); it has no app here"
        )
    config = current_app.config
    return str(config[CONFIG_KEY]), str(config[PLAN_CACHE_KEY]), str(config[RELEASES_KEY])


def _run_details(form: tuple[Any, ...]) -> dict[str, Any]:
    from dashboard.planning_model import PlanParams
    from geotraf.errors import PlanError

    try:
        return PlanParams.from_inputs(**_form_values(form)).to_dict()
    except PlanError as exc:
        return {"invalid": str(exc), "seed": _form_values(form)["seed"]}


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

    cache_root = Path(app.server.instance_path) / "cache"
    plan_dir = cache_root / "plans"
    plan_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    ttl = _ttl(app.server)
    app.server.config[PLAN_CACHE_KEY] = str(plan_dir)
    app.server.config[PLAN_TTL_KEY] = ttl
    jobs = diskcache.Cache(str(cache_root / "jobs"))
    # run_plan_job needs no Flask context (tests call it directly): the plans' lifetime
    # is kept beside them.
    (cache_root / _TTL_FILE).write_text(str(ttl), encoding="utf-8")
    _private_tree(cache_root)
    manager = DiskcacheManager(jobs, expire=ttl)
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
    )(plan_job)

    @app.callback(
        Output(ids.PLANNING_AUDIT, "children"),
        Input(ids.PLANNING_RUN, "n_clicks"),
        *_form_states(),
        prevent_initial_call=True,
    )
    @requires_role(ROLE)
    def record_run(_: int, *form: Any) -> str:
        # The audit line itself is written by the job (plan_job), so a run is recorded
        # whoever asks for it; this only tells the planner.
        t = i18n.translator(i18n.current_language())
        when = datetime.now(UTC).strftime("%H:%M UTC")
        return t("Run requested at {when}; recorded in the audit log.").format(when=when)

    @app.callback(
        Output(ids.PLANNING_STATUS, "children", allow_duplicate=True),
        Output(ids.PLANNING_RUN, "disabled", allow_duplicate=True),
        Output(ids.PLANNING_CANCEL, "disabled", allow_duplicate=True),
        Input(ids.PLANNING_CANCEL, "n_clicks"),
        prevent_initial_call=True,
    )
    @requires_role(ROLE)
    def say_cancelled(_: int) -> tuple[Any, bool, bool]:
        # Dash's cancel= ends the job process (and its children, HiGHS included) and
        # empties the progress line; this tells the planner why, in the status line the
        # next run replaces. A cancelled job never answers, so Dash never turns its
        # running= state off: the buttons are set back here.
        t = i18n.translator(i18n.current_language())
        text = t("Cancelled: the plan job was stopped; no plan was made or stored.")
        return components.notice(text, kind="warning", role="status"), False, True

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

    Dash starts the job process before any of the job's code runs, so the request guard
    refuses the call (and its polling) first; the job checks again inside
    (:func:`plan_job`). The mark lets :func:`dashboard.roles.role_of` (and the test that
    every callback is checked) see the role.
    """

    def mark(func: Callable[P, R]) -> Callable[P, R]:
        func.required_role = required  # type: ignore[attr-defined]
        return func

    return mark


@_guarded(ROLE)
def plan_job(set_progress: Any, clicks: int, *rest: Any) -> tuple[Any, ...]:
    """The background callback: what Dash's job process runs for every plan request.

    Whichever callback or hand-written request started it, this is where a run is
    checked and recorded: the planner role again (the request guard refused lower roles
    before Dash started the job), a seed from OS entropy when the form has none (never a
    default), the ``plan`` audit line with the parameters and that seed, then
    :func:`run_plan_job` with this app's folders (:func:`_job_settings`). Its process is
    its own, so umask 077 makes everything it writes the server user's only.
    """
    region_path, plan_dir, releases = _job_settings()
    os.umask(0o077)
    check_role(ROLE, what="planning job")
    *form, lang, href = rest
    if len(form) > _SEED_FIELD and form[_SEED_FIELD] in (None, ""):
        form[_SEED_FIELD] = secrets.randbelow(2**31)
    audit.record("plan", page="planning", **_run_details(tuple(form)))
    return run_plan_job(region_path, plan_dir, releases, set_progress, clicks, *form, lang, href)


def run_plan_job(
    region_path: str,
    plan_dir: str,
    releases: str,
    set_progress: Any,
    _: int,
    *rest: Any,
) -> tuple[Any, ...]:
    """The work of a plan job: validate, plan, store the result for download, draw it.

    Called by :func:`plan_job` (which checked the role and audited the run) with this
    app's region path, plan folder and releases folder, so the map's busy roads come
    from this app's release; it needs no Flask context of its own.
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
    figure = _plan_figure(
        region_path, run, view, unit=unit, t=t, base_url=_root(href), releases=releases
    )
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
