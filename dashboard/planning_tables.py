"""The Planning page's result tables: the ranked sites and the schedule calendar."""

from __future__ import annotations

from typing import Any

from dash import html

from dashboard import i18n


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
