"""The PDF briefing of a checkpoint plan, laid out as an operations document.

Read by a highway-police commander who sends teams out, so it answers what they ask:

1. a one-page summary — what the plan achieves, when (real dates, shift hours), who may
   read it (the distribution line) and each site with its number and grid reference;
2. the map — numbered markers that match the ranked table, major towns, a scale bar and
   north arrow (drawn onto the image, since the offline basemap has no glyphs for text);
3. the ranked sites — coordinates in decimal degrees and as an MGRS grid reference,
   nearest town (distance and direction) and road, what each site captures alone and
   what it adds in rank order, and why it was chosen;
4. the schedule — one row per calendar date, one column per shift with its hours.

Everything printed goes through the translator and Babel (numbers, dates), so a French
briefing is French throughout. Every page carries the RESTRICTED marking in its header
and footer.

The map (:mod:`dashboard.briefing_map`) is rendered to PNG by kaleido (≥ 1) driving
Debian chromium, offline: the basemap style carries its GeoJSON inline (no URL to fetch,
no login needed) and MathJax is off (it would be fetched from a CDN).
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from dashboard import i18n

# Re-exported: the map half of the briefing lived here; callers use these names from here.
from dashboard.briefing_map import CHROMIUM as CHROMIUM
from dashboard.briefing_map import FONT_DIR, MAP_SIZE
from dashboard.briefing_map import MAP_SCALE as MAP_SCALE
from dashboard.briefing_map import MAX_TOWNS as MAX_TOWNS
from dashboard.briefing_map import MAX_ZOOM as MAX_ZOOM
from dashboard.briefing_map import annotate as annotate
from dashboard.briefing_map import briefing_view as briefing_view
from dashboard.briefing_map import inline_style as inline_style
from dashboard.briefing_map import major_towns as major_towns
from dashboard.briefing_map import map_png as map_png
from dashboard.briefing_map import plan_map_image as plan_map_image
from dashboard.briefing_map import scale_bar as scale_bar
from dashboard.briefing_map import to_pixels as to_pixels
from dashboard.planning_model import (
    DEFAULT_DISTRIBUTION,
    RESTRICTED,
    PlanRun,
    PlanView,
    site_reason,
)

Translator = Callable[[str], str]
#: Sites listed on the summary page (it stays one page; all are in the ranked table).
GLANCE_ROWS = 14


def _fonts(pdf: Any) -> str:
    """Register DejaVu Sans (full Unicode: place names, arrows, dashes) when available."""
    regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
    if regular.exists() and bold.exists():
        pdf.add_font("DejaVu", "", str(regular))
        pdf.add_font("DejaVu", "B", str(bold))
        return "DejaVu"
    return "Helvetica"


def _latin(text: str, family: str) -> str:
    if family != "Helvetica":
        return text
    swap = {"—": "-", "–": "-", "→": "->", "×": "x", "≥": ">="}
    out = "".join(swap.get(c, c) for c in text)
    return out.encode("latin-1", "replace").decode("latin-1")


def build_briefing(
    run: PlanRun,
    view: PlanView,
    *,
    map_image: bytes | None,
    unit: str,
    t: Translator,
    lang: str = i18n.DEFAULT_LANGUAGE,
    generated_by: str = "",
    generated_at: datetime | None = None,
) -> bytes:
    """Return the PDF briefing: summary page, map, ranked sites, dated schedule.

    Parameters
    ----------
    run, view
        The plan (:func:`dashboard.planning_model.run_plan`) and its safe view
        (:func:`dashboard.planning_model.plan_view`, made with the same translator).
    map_image
        PNG of the plan map (:func:`plan_map_image`), or None (the briefing says the map
        could not be drawn).
    unit
        Unit of the counts, e.g. ``people/year (modelled)``, already translated.
    t, lang
        Translator for the words printed and the language of numbers and dates.
    generated_by, generated_at
        Who asked and when (printed under the title).
    """
    from fpdf import FPDF

    stamp = generated_at or datetime.now(UTC)
    when = f"{i18n.day(stamp.date(), lang)} {stamp:%H:%M} UTC"
    marking = t(RESTRICTED)

    class Briefing(FPDF):
        family = "Helvetica"

        def header(self) -> None:
            self.set_font(self.family, "B", 10)
            self.set_text_color(170, 0, 0)
            self.cell(0, 6, _latin(marking, self.family), align="C", new_x="LMARGIN", new_y="NEXT")
            self.set_draw_color(170, 0, 0)
            self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
            self.ln(3)
            self.set_text_color(31, 41, 51)

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(self.family, "", 8)
            self.set_text_color(170, 0, 0)
            text = " · ".join(
                [
                    marking,
                    t("do not share beyond the operation team"),
                    t("page {n} of {total}").format(n=self.page_no(), total="{nb}"),
                ]
            )
            self.cell(0, 6, _latin(text, self.family), align="C")
            self.set_text_color(31, 41, 51)

    pdf = Briefing(orientation="landscape", unit="mm", format="A4")
    Briefing.family = _fonts(pdf)
    fam = Briefing.family
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.alias_nb_pages()
    pdf.set_title(_latin(f"{marking}: {run.region}", fam))
    pdf.set_lang(lang)
    ctx = _Context(pdf=pdf, fam=fam, t=t, lang=lang, unit=unit)

    pdf.add_page()
    _summary_page(ctx, run, view, when=when, user=generated_by)
    pdf.add_page()
    _heading(ctx, t("Map of the chosen sites"))
    if map_image:
        width = pdf.w - pdf.l_margin - pdf.r_margin
        height = min(pdf.h - pdf.get_y() - 26, width * MAP_SIZE[1] / MAP_SIZE[0])
        pdf.image(
            io.BytesIO(map_image), x=pdf.l_margin, w=height * MAP_SIZE[0] / MAP_SIZE[1], h=height
        )
        pdf.ln(1)
        _para(
            ctx,
            t(
                "Numbered circles are the chosen sites, numbered as in the ranked table; "
                "black dots are major towns. The scale bar holds at the map's centre."
            ),
            size=8,
        )
    else:
        _para(ctx, t("The map could not be drawn (chromium unavailable)."))

    pdf.add_page()
    _heading(ctx, t("Ranked sites"))
    _sites_table(ctx, view.sites)
    pdf.add_page()
    _heading(ctx, t("Schedule: dates × shifts"))
    _para(
        ctx,
        t(
            "Drawn at random with each site's coverage probability so that checks cannot be "
            "predicted. Keep this page with the operation team only."
        ),
        size=8,
    )
    _schedule_table(ctx, run, view)
    return bytes(pdf.output())


class _Context:
    """What every page writer needs: the PDF, its font, translator, language and unit."""

    def __init__(self, *, pdf: Any, fam: str, t: Translator, lang: str, unit: str) -> None:
        self.pdf, self.fam, self.t, self.lang, self.unit = pdf, fam, t, lang, unit

    def count(self, value: object) -> str:
        return i18n.count(value, self.lang)

    def pct(self, value: object) -> str:
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            return "<11"
        return i18n.percent(float(value), self.lang)  # type: ignore[arg-type]


def _heading(ctx: _Context, text: str, *, size: float = 12) -> None:
    ctx.pdf.set_font(ctx.fam, "B", size)
    ctx.pdf.cell(0, 8, _latin(text, ctx.fam), new_x="LMARGIN", new_y="NEXT")


def _para(ctx: _Context, text: str, *, size: float = 9, bold: bool = False) -> None:
    ctx.pdf.set_font(ctx.fam, "B" if bold else "", size)
    ctx.pdf.multi_cell(0, size * 0.55, _latin(text, ctx.fam), new_x="LMARGIN", new_y="NEXT")


def _summary_page(ctx: _Context, run: PlanRun, view: PlanView, *, when: str, user: str) -> None:
    t, p, plan = ctx.t, run.params, run.plan
    pdf = ctx.pdf
    pdf.set_font(ctx.fam, "B", 16)
    pdf.cell(
        0,
        9,
        _latin(t("Checkpoint plan") + f" — {run.region}", ctx.fam),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    who = t(p.distribution) if p.distribution == DEFAULT_DISTRIBUTION else p.distribution
    _para(ctx, t("Distribution: {who}").format(who=who), bold=True, size=10)
    _para(ctx, t("Generated {when} by {user}.").format(when=when, user=user or "—"), size=8)
    pdf.ln(1)
    dates = p.dates()
    hours = ", ".join(f"{a}–{b}" for a, b in p.shift_times())
    span = run.span
    lines = [
        t("Operation: {first} to {last}; {shifts} shift(s) a day: {hours}.").format(
            first=i18n.day(dates[0], ctx.lang),
            last=i18n.day(dates[-1], ctx.lang),
            shifts=p.shifts,
            hours=hours,
        ),
        t(
            "{n} sites capture {share} of the modelled flow ({count} {unit}); {after} is "
            "still captured when traffickers detour up to +{tol} travel time."
        ).format(
            n=len(plan.sites),
            share=i18n.percent(plan.captured_share, ctx.lang),
            count=ctx.count(plan.captured / span),
            unit=ctx.unit,
            after=i18n.percent(plan.captured_after_evasion_share, ctx.lang),
            tol=i18n.percent(p.tolerance, ctx.lang),
        ),
        t(
            "Method: {method}; evasion-aware: {aware}; {teams} team(s) per shift; "
            "optimality gap: {gap}; seed {seed}."
        ).format(
            method=t(p.method),
            aware=t("yes") if p.evasion_aware else t("no"),
            teams=p.teams,
            gap="—"
            if plan.gap is None
            else i18n.number(100 * plan.gap, ctx.lang, decimals=1) + " %",
            seed=p.seed,
        ),
        t("Counts are in {unit}; below 11 they are shown as <11.").format(unit=ctx.unit),
    ]
    if run.synthetic:
        lines.append(t("SYNTHETIC DEMO DATA: the counts are invented."))
    for line in lines:
        _para(ctx, line)
    pdf.ln(2)
    _heading(ctx, t("Sites at a glance"), size=11)
    headings = ["#", t("Site"), t("Nearest town"), t("Grid reference (MGRS)"), t("Staffed")]
    rows = [
        [
            str(int(r.rank)),
            _site_name(r),
            str(r.where),
            str(r.mgrs),
            ctx.pct(float(r.coverage_probability)),
        ]
        for r in view.sites.itertuples()
    ]
    more = len(rows) - GLANCE_ROWS
    _table(ctx, headings, rows[:GLANCE_ROWS], widths=(8, 100, 70, 50, 20), align="RLLLR", size=8)
    if more > 0:
        _para(ctx, t("… and {n} more sites in the ranked table.").format(n=more), size=8)


def _site_name(row: Any) -> str:
    return str(row.name)  # already the name people use (planning_model.site_name)


def _sites_table(ctx: _Context, sites: pd.DataFrame) -> None:
    t = ctx.t
    headings = [
        "#",
        t("Site"),
        t("Coordinates (lat, lon) and MGRS"),
        t("Nearest town"),
        t("Captured"),
        t("Alone"),
        t("Adds"),
        t("After evasion"),
        t("Staffed"),
        t("Why"),
    ]
    rows = []
    for r in sites.itertuples():
        rows.append(
            [
                str(int(r.rank)),
                _site_name(r),
                f"{r.coordinates}\n{r.mgrs}",
                str(r.where),
                ctx.count(r.captured),
                ctx.pct(r.share),
                ctx.count(r.marginal_gain),
                ctx.count(r.captured_after_evasion),
                ctx.pct(float(r.coverage_probability)),
                site_reason(r, ctx.t, ctx.lang),
            ]
        )
    _table(
        ctx,
        headings,
        rows,
        widths=(7, 46, 36, 36, 17, 14, 15, 17, 15, 74),
        align="RLLLRRRRRL",
        size=7.5,
    )
    _para(
        ctx,
        t(
            "Captured: what the site captures alone ({unit}); Alone: its share of all the "
            "modelled flow; Adds: what it adds to the sites ranked above it (the column sums "
            "to the plan's capture); After evasion: what it still captures once flows that "
            "can detour do so; Staffed: share of shifts with a team."
        ).format(unit=ctx.unit),
        size=7.5,
    )


def _table(
    ctx: _Context,
    headings: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    widths: Sequence[float],
    align: str,
    size: float,
) -> None:
    names = {"L": "LEFT", "R": "RIGHT", "C": "CENTER"}
    ctx.pdf.set_font(ctx.fam, "", size)
    with ctx.pdf.table(
        col_widths=tuple(widths),
        text_align=tuple(names[a] for a in align),
        line_height=size * 0.53,
        first_row_as_headings=True,
    ) as table:
        table.row([_latin(h, ctx.fam) for h in headings])
        for row in rows:
            table.row([_latin(c, ctx.fam) for c in row])
    ctx.pdf.ln(1)


def _schedule_table(ctx: _Context, run: PlanRun, view: PlanView) -> None:
    t, p = ctx.t, run.params
    dates = p.dates()
    hours = p.shift_times()
    grid: list[list[list[str]]] = [[[] for _ in range(p.shifts)] for _ in range(p.days)]
    ordered = view.schedule.sort_values(["day", "shift", "team"], kind="stable")
    for row in ordered.itertuples(index=False):
        d, s = int(row.day) - 1, int(row.shift) - 1
        if 0 <= d < p.days and 0 <= s < p.shifts:
            rank = "" if pd.isna(row.rank) else str(int(row.rank))
            grid[d][s].append(
                t("Team {team}: #{rank} {site}").format(
                    team=int(row.team), rank=rank, site=row.name
                )
            )
    usable = ctx.pdf.w - ctx.pdf.l_margin - ctx.pdf.r_margin - 30
    widths = (30, *([usable / max(p.shifts, 1)] * p.shifts))
    headings = [
        t("Date"),
        *[
            t("Shift {n}").format(n=s + 1) + f" · {hours[s][0]}–{hours[s][1]}"
            for s in range(p.shifts)
        ],
    ]
    rows = [
        [i18n.day(dates[d], ctx.lang), *["\n".join(c) or "—" for c in cells]]
        for d, cells in enumerate(grid)
    ]
    _table(ctx, headings, rows, widths=widths, align="L" * (p.shifts + 1), size=7)


# --- the map image ------------------------------------------------------------------------
