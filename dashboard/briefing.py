"""The PDF briefing of a checkpoint plan: map, ranked sites, schedule — RESTRICTED.

The map is rendered to PNG by kaleido (≥ 1) driving Debian chromium, offline: the basemap
style carries its GeoJSON inline (no URL to fetch, no login needed) and MathJax is off (it
would be fetched from a CDN). The PDF is laid out with fpdf2; every page carries the
"RESTRICTED — checkpoint plan" marking in its header and footer.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboard.offline import CHROMIUM
from dashboard.planning_model import RESTRICTED, PlanRun, PlanView, schedule_grid
from geotraf.privacy import format_count

Translator = Callable[[str], str]
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
#: Map image size in CSS pixels (scaled ×2 for print).
MAP_SIZE = (1000, 700)


def inline_style(style: Mapping[str, Any], layers: Mapping[str, bytes]) -> dict[str, Any]:
    """Return a copy of a basemap style whose GeoJSON sources are inline, not URLs.

    Examples
    --------
    >>> s = {"version": 8, "sources": {"borders": {"type": "geojson", "data": "http://x"}},
    ...      "layers": []}
    >>> inline_style(s, {"borders": b'{"type":"FeatureCollection","features":[]}'})["sources"]
    {'borders': {'type': 'geojson', 'data': {'type': 'FeatureCollection', 'features': []}}}
    """
    out = json.loads(json.dumps(style))
    for name, source in out.get("sources", {}).items():
        if name in layers:
            source["data"] = json.loads(layers[name])
    return out


def map_png(fig: go.Figure, *, width: int = MAP_SIZE[0], height: int = MAP_SIZE[1]) -> bytes:
    """Render a figure to PNG with kaleido and the local chromium (no network).

    Raises
    ------
    RuntimeError
        When chromium cannot be started (the briefing is then made without the map).
    """
    import kaleido

    if CHROMIUM.exists():
        os.environ.setdefault("BROWSER_PATH", str(CHROMIUM))
    png: bytes = kaleido.calc_fig_sync(
        fig.to_dict(),
        opts={"format": "png", "width": width, "height": height, "scale": 2},
        kopts={"mathjax": False},
    )
    return png


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
    generated_by: str = "",
    generated_at: datetime | None = None,
) -> bytes:
    """Return the PDF briefing: parameters and headline, map, ranked sites, schedule.

    Parameters
    ----------
    run, view
        The plan (:func:`dashboard.planning_model.run_plan`) and its safe view.
    map_image
        PNG of the plan map, or None (the briefing says the map could not be drawn).
    unit
        Unit of the counts, e.g. ``people/year (modelled)``.
    t
        Translator for the words printed.
    generated_by, generated_at
        Who asked and when (printed under the title).
    """
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    when = (generated_at or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    marking = t(RESTRICTED)

    class Briefing(FPDF):
        family = "Helvetica"

        def header(self) -> None:
            self.set_font(self.family, "B", 10)
            self.set_text_color(170, 0, 0)
            self.cell(
                0, 6, _latin(marking, self.family), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )
            self.set_draw_color(170, 0, 0)
            self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
            self.ln(3)
            self.set_text_color(31, 41, 51)

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(self.family, "", 8)
            self.set_text_color(170, 0, 0)
            text = (
                f"{marking} · {t('do not share beyond the operation team')} · "
                f"{t('page')} {self.page_no()}/{{nb}}"
            )
            self.cell(0, 6, _latin(text, self.family), align="C")
            self.set_text_color(31, 41, 51)

    pdf = Briefing(orientation="landscape", unit="mm", format="A4")
    Briefing.family = _fonts(pdf)
    fam = Briefing.family
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.alias_nb_pages()
    pdf.set_title(_latin(f"{marking}: {run.region}", fam))
    pdf.add_page()
    pdf.set_font(fam, "B", 16)
    pdf.cell(
        0,
        9,
        _latin(t("Checkpoint plan") + f" — {run.region}", fam),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_font(fam, "", 9)
    p = run.params
    lines = [
        t("Generated {when} by {user}.").format(when=when, user=generated_by or "—"),
        t(
            "Method {method}; {budget} sites; {teams} teams × {shifts} shifts × {days} days; "
            "evasion tolerance +{tol:.0%}; evasion-aware: {aware}; seed {seed}."
        ).format(
            method=p.method,
            budget=p.budget,
            teams=p.teams,
            shifts=p.shifts,
            days=p.days,
            tol=p.tolerance,
            aware=t("yes") if p.evasion_aware else t("no"),
            seed=p.seed,
        ),
        "  ·  ".join(f"{value} {label}" for value, label, _ in view.summary[:2]),
        t("Counts are modelled {unit}; below 11 they are shown as <11.").format(unit=unit),
    ]
    if run.synthetic:
        lines.append(t("SYNTHETIC DEMO DATA: the counts are invented."))
    for line in lines:
        pdf.multi_cell(0, 5, _latin(line, fam), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    if map_image:
        import io

        width = pdf.w - pdf.l_margin - pdf.r_margin
        height = min(pdf.h - pdf.get_y() - 18, width * MAP_SIZE[1] / MAP_SIZE[0])
        pdf.image(
            io.BytesIO(map_image), x=pdf.l_margin, w=height * MAP_SIZE[0] / MAP_SIZE[1], h=height
        )
    else:
        pdf.multi_cell(0, 6, _latin(t("The map could not be drawn (chromium unavailable)."), fam))

    pdf.add_page()
    pdf.set_font(fam, "B", 12)
    pdf.cell(0, 8, _latin(t("Ranked sites"), fam), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _sites_table(pdf, view.sites, fam=fam, unit=unit, t=t)

    pdf.add_page()
    pdf.set_font(fam, "B", 12)
    pdf.cell(
        0,
        8,
        _latin(t("Randomised schedule (days × shifts)"), fam),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_font(fam, "", 8)
    pdf.multi_cell(
        0,
        4.5,
        _latin(
            t(
                "Drawn at random with each site's coverage probability so that checks cannot be "
                "predicted. Keep this page with the operation team only."
            ),
            fam,
        ),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(1)
    grid = schedule_grid(view.schedule, days=p.days, shifts=p.shifts)
    _schedule_table(pdf, grid, fam=fam, t=t)
    return bytes(pdf.output())


def _sites_table(pdf: Any, sites: pd.DataFrame, *, fam: str, unit: str, t: Translator) -> None:
    headings = [
        "#",
        t("Site"),
        t("Type"),
        t("Captured"),
        t("Share"),
        t("After evasion"),
        t("Staffed"),
        t("Why"),
    ]
    rows = []
    for r in sites.itertuples():
        share = "<11" if pd.isna(r.share) else f"{float(r.share):.0%}"
        rows.append(
            [
                str(int(r.rank)),
                str(r.name),
                str(r.site_type).replace("_", " "),
                format_count(r.captured),
                share,
                format_count(r.captured_after_evasion),
                f"{float(r.coverage_probability):.0%}",
                str(r.reason),
            ]
        )
    widths = (8, 58, 24, 20, 14, 22, 16, 115)
    pdf.set_font(fam, "", 7.5)
    with pdf.table(
        col_widths=widths,
        text_align=("RIGHT", "LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "LEFT"),
        line_height=4,
        first_row_as_headings=True,
    ) as table:
        table.row([_latin(h, fam) for h in headings])
        for row in rows:
            table.row([_latin(c, fam) for c in row])
    pdf.set_font(fam, "", 7.5)
    pdf.ln(1)
    pdf.multi_cell(0, 4, _latin(t("Captured and after evasion: {unit}.").format(unit=unit), fam))


def _schedule_table(
    pdf: Any, grid: Sequence[Sequence[Sequence[str]]], *, fam: str, t: Translator
) -> None:
    shifts = len(grid[0]) if grid else 0
    usable = pdf.w - pdf.l_margin - pdf.r_margin - 14
    widths = (14, *([usable / max(shifts, 1)] * shifts))
    pdf.set_font(fam, "", 7)
    with pdf.table(col_widths=widths, line_height=3.6, first_row_as_headings=True) as table:
        table.row([t("Day"), *[f"{t('Shift')} {s + 1}" for s in range(shifts)]])
        for day, cells in enumerate(grid, start=1):
            table.row([str(day), *[_latin("\n".join(c) or "—", fam) for c in cells]])
