"""The Planning page's layout: the planner's form, the result panes and the downloads."""

from __future__ import annotations

from datetime import UTC, datetime

from dash import dcc, html

from dashboard import components, i18n, ids
from dashboard.roles import allowed, current_role

#: The lowest role that may open the Planning page (admin holds every right).
ROLE = "planner"
#: Store holding the token of the plan on screen, so that the next run can discard it.
KEPT_PLAN = "planning-plan-kept"


def _number(
    id_: str,
    label: str,
    value: float | None,
    *,
    low: float,
    high: float,
    step: float = 1,
) -> html.Div:
    return components.labelled(
        label,
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
        components.labelled(
            t("Start date"),
            dcc.DatePickerSingle(
                id=ids.PLANNING_START_DATE,
                date=tomorrow,
                display_format="YYYY-MM-DD",
                first_day_of_week=1,
            ),
        ),
        components.labelled(
            t("First shift starts (HH:MM)"),
            dcc.Input(
                id=ids.PLANNING_FIRST_SHIFT,
                type="text",
                value="06:00",
                placeholder="06:00",
                maxLength=5,
                pattern=r"[0-2]?[0-9]:[0-5][0-9]",
                debounce=True,
            ),
        ),
        _number(ids.PLANNING_SHIFT_HOURS, t("Shift length (hours)"), 8, low=1, high=24),
        components.labelled(
            t("Distribution (who may read the briefing)"),
            dcc.Input(
                id=ids.PLANNING_DISTRIBUTION,
                type="text",
                placeholder=t("Operation team only"),
                maxLength=200,
                debounce=True,
            ),
        ),
    ]
