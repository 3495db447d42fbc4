"""The look every dashboard figure shares: colour-blind safe palettes, the font, and the
types of points and translators the figure builders take."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from layers.schema import EXPLOITATION

Point = tuple[float, float]
Translator = Callable[[str], str]

#: Okabe & Ito (2008) palette, safe for the common colour-vision deficiencies.
OKABE_ITO: tuple[str, ...] = (
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#999999",
    "#000000",
)
#: Fixed colour per form of exploitation, so a category keeps its colour under filters.
EXPLOITATION_COLORS: dict[str, str] = {
    name: OKABE_ITO[i % len(OKABE_ITO)] for i, name in enumerate(EXPLOITATION)
}
#: Sequential scale for counts: light (few) to dark (many); viridis is perceptually
#: uniform and reads in grey and for colour-blind users.
COUNT_SCALE = "Viridis_r"
SUPPRESSED_COLOR = "#bdbdbd"
FLOW_COLOR = "#D55E00"
TEXT_COLOR = "#1f2933"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif"


def identity(message: str) -> str:
    """The translator that leaves every word as it is (English)."""
    return message


def text_font() -> dict[str, Any]:
    """Return the font of a figure's text."""
    # A fresh dict per call rather than a module-level one: no mutable module state.
    return {"family": FONT, "size": 12, "color": TEXT_COLOR}
