"""Text colours of the stylesheet against their backgrounds: WCAG 2 contrast ≥ 4.5:1."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = Path(__file__).resolve().parents[1] / "dashboard" / "assets" / "style.css"


def _vars() -> dict[str, str]:
    return dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", CSS.read_text(encoding="utf-8")))


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two sRGB colours.

    >>> round(contrast("#000000", "#ffffff"), 1)
    21.0
    """
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


V = _vars()
#: (what, text colour, background) for the text the pages show.
PAIRS = [
    ("body text on the page", V["ink"], V["bg"]),
    ("body text on a panel", V["ink"], V["panel"]),
    ("muted notes on a panel", V["muted"], V["panel"]),
    ("muted notes on the page", V["muted"], V["bg"]),
    ("links on a panel", V["accent"], V["panel"]),
    ("button text", V["accent-ink"], V["accent"]),
    ("navigation on the header", "#cfd8e3", V["header"]),
    ("warning notice text", V["ink"], V["warn-bg"]),
    ("error notice text", V["ink"], V["error-bg"]),
    ("RESTRICTED banner", "#ffe8e8", "#2b1d1d"),
]


@pytest.mark.parametrize(("what", "fg", "bg"), PAIRS, ids=[p[0] for p in PAIRS])
def test_text_contrast_is_at_least_4_5(what: str, fg: str, bg: str) -> None:
    assert contrast(fg, bg) >= 4.5, f"{what}: {contrast(fg, bg):.2f}:1"
