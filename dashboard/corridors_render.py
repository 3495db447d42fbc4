"""HTML pieces of the Corridors page's results: tables, notes, what-if and upload reports."""

from __future__ import annotations

from typing import Any

from dash import html

from dashboard import components, hotspot_text, i18n
from dashboard.corridors_controls import reason_label


def table_notes(tables: Any, t: i18n.Translator, lang: str = "en") -> list[str]:
    notes = []
    for row in tables.unrouted.itertuples():
        notes.append(
            t("{count} people/year of the selection could not be routed ({reason}).").format(
                count=i18n.count(row.count, lang), reason=reason_label(row.reason, t)
            )
        )
    if len(tables.hotspots) == 0:
        notes.append(t("No flow matches these filters. Clear a filter or widen the years."))
    return notes


def _table(
    header: list[str], rows: list[list[Any]], *, numeric: set[int], caption: str
) -> html.Div:
    table = html.Table(
        [
            html.Caption(caption, className="sr-only"),
            html.Thead(
                html.Tr(
                    [
                        html.Th(h, scope="col", className="num" if i in numeric else None)
                        for i, h in enumerate(header)
                    ]
                )
            ),
            html.Tbody(
                [
                    html.Tr(
                        [
                            html.Td(c, className="num" if i in numeric else None)
                            for i, c in enumerate(r)
                        ]
                    )
                    for r in rows
                ]
            ),
        ],
        className="data-table",
    )
    return html.Div(table, className="table-scroll")


def _short(name: object, limit: int = 28) -> str:
    text = str(name)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _share(value: Any, lang: str = "en") -> str:
    import pandas as pd
    from babel.numbers import format_percent

    if value is None or pd.isna(value):
        return "<11"
    return str(format_percent(float(value), format="#,##0.0%", locale=lang))


def crossing_names(graph: Any) -> dict[str, str]:
    """Return each crossing's short name (before any bracket) by its id, from the graph.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("x:TH-MM-MAESOT", kind="crossing", crossing_id="TH-MM-MAESOT",
    ...            name="Mae Sot–Myawaddy (1st Thai–Myanmar Friendship Bridge)")
    >>> crossing_names(G)
    {'TH-MM-MAESOT': 'Mae Sot–Myawaddy'}
    """
    out: dict[str, str] = {}
    for _, d in graph.nodes(data=True):
        cid = str(d.get("crossing_id") or "")
        if d.get("kind") == "crossing" and cid:
            out[cid] = str(d.get("name") or cid).split(" (")[0].strip() or cid
    return out


def _crossings_text(value: object, names: dict[str, str]) -> str:
    ids = [c.strip() for c in str(value or "").replace(",", ";").split(";") if c.strip()]
    return ", ".join(names.get(c, c) for c in ids) or "—"


def corridor_table(
    frame: Any,
    *,
    unit: str,
    t: i18n.Translator,
    crossings: dict[str, str] | None = None,
    lang: str = "en",
) -> Any:
    """The top corridors; ``crossings`` names the border crossings (id → name)."""
    if frame is None or len(frame) == 0:
        return html.P(t("No corridor carries 5 % of the selected flow."), className="muted")
    rows = [
        [
            r.ref,
            f"{_short(r.start)} – {_short(r.end)}",
            i18n.number(float(r.length_km), lang),
            i18n.count(r.load, lang),
            _share(r.share, lang),
            _crossings_text(r.crossings, crossings or {}),
        ]
        for r in frame.itertuples()
    ]
    return [
        html.P(
            t("Runs of roads carrying at least 5 % of the selected flow. Loads in {unit}.").format(
                unit=unit
            ),
            className="muted small",
        ),
        _table(
            [
                t("Road"),
                t("From – to"),
                t("Length (km)"),
                t("Peak load"),
                t("Share"),
                t("Border crossings"),
            ],
            rows,
            numeric={2, 3, 4},
            caption=t("Top corridors"),
        ),
    ]


def hotspot_table(frame: Any, *, unit: str, t: i18n.Translator, lang: str = "en") -> Any:
    if frame is None or len(frame) == 0:
        return html.P(t("No hotspot for these filters."), className="muted")
    said = hotspot_text.explanations(frame, t=t, lang=lang)
    rows = [
        [
            int(r.rank),
            html.Span(_short(r.name or r.node, 40), title=explained),
            i18n.label(str(r.place_type or r.kind), t),
            r.country,
            i18n.number(float(r.score), lang, decimals=2),
            i18n.count(r.load, lang),
            r.corridor or "—",
        ]
        for r, explained in zip(frame.itertuples(), said, strict=True)
    ]
    return [
        html.P(
            t(
                "Ranked by load, vulnerability of the place and recent incidents; hover a "
                "name or a map marker for the explanation. Loads in {unit}."
            ).format(unit=unit),
            className="muted small",
        ),
        _table(
            ["#", t("Place"), t("Kind"), t("Country"), t("Score (0–1)"), t("Load"), t("Corridor")],
            rows,
            numeric={0, 4, 5},
            caption=t("Top hotspots"),
        ),
    ]


def whatif_result(result: Any, *, unit: str, t: i18n.Translator, lang: str = "en") -> list[Any]:
    parts: list[Any] = [html.Div(components.headline_cards(result.summary), className="cards")]
    parts += [components.notice(n) for n in result.notes]
    tables: list[Any] = []
    if len(result.moved):
        rows = [
            [
                r.pair,
                r.crossing_before,
                r.crossing_after,
                i18n.count(r.count, lang),
                "—" if r.added_min != r.added_min else f"+{i18n.number(float(r.added_min), lang)}",
            ]
            for r in result.moved.itertuples()
        ]
        tables.append(
            _section(
                t("Flows that moved"),
                [
                    t("Origin → destination"),
                    t("Crossing before"),
                    t("Crossing after"),
                    t("People/year"),
                    t("Added time (min)"),
                ],
                rows,
                numeric={3, 4},
                caption=t("Flows that moved"),
            )
        )
    if not len(result.corridors):
        tables.append(
            html.P(t("No road's load changed by 11 people/year or more."), className="muted small")
        )
    else:
        rows = [
            [
                r.ref,
                i18n.count(r.base, lang),
                i18n.count(r.scenario, lang),
                "<11" if r.suppressed else _signed(float(r.change), lang),
            ]
            for r in result.corridors.itertuples()
        ]
        tables.append(
            _section(
                t("Roads that gained or lost flow"),
                [t("Road"), t("Before"), t("After"), t("Change")],
                rows,
                numeric={1, 2, 3},
                caption=t("Roads that gained or lost flow"),
            )
        )
    parts.append(html.Div(tables, className="whatif-tables"))
    return parts


def _signed(value: float, lang: str) -> str:
    """A change with its sign, in the language's convention: +23, −1 204."""
    return ("+" if value >= 0 else "−") + i18n.number(abs(value), lang)


def _section(
    title: str, header: list[str], rows: list[list[Any]], *, numeric: set[int], caption: str
) -> html.Div:
    """A titled table of the what-if result (the result lays these side by side)."""
    return html.Div([html.H3(title), _table(header, rows, numeric=numeric, caption=caption)])


def upload_report(report: Any, t: i18n.Translator, *, filename: str, kind: str) -> list[Any]:
    if report.ok:
        message = t("{file} is valid and was installed as your {kind} layer.")
        return [
            components.notice(
                message.format(file=filename, kind=i18n.label(kind, t).lower()), kind="info"
            )
        ]
    # Problems found in the file are counted here; other refusals (unreadable upload,
    # file too large, misconfigured workspace) keep the upload module's own wording.
    text = (
        t("{count} problem(s) in {file}: nothing was installed.").format(
            count=len(report.problems), file=filename
        )
        if report.problems
        else report.message
    )
    parts: list[Any] = [components.notice(text, kind="error", role="alert")]
    if report.problems:
        rows = [
            [
                p["file"],
                p["row"] if p["row"] is not None else "—",
                p["column"] or "—",
                p["value"] if p["value"] is not None else "",
                p["message"],
                p["fix"],
            ]
            for p in report.problems[:200]
        ]
        parts.append(
            _table(
                [t("File"), t("Row"), t("Column"), t("Value"), t("Problem"), t("How to fix")],
                rows,
                numeric=set(),
                caption=t("Validation report"),
            )
        )
    return parts


def source_link(path: str, t: Any) -> list[Any]:
    """The notice naming the user's own data, with the way back to the bundled region."""
    from dashboard.data import region_view, releases_for
    from dashboard.overview_model import source_notice

    found = source_notice(region_view(path, releases_for(path)), t=t)
    if found is None:
        return []
    text, label, href = found
    return [html.Div([text, " ", html.A(label, href=href)], className="notice notice-info")]
