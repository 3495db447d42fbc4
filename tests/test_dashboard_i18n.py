"""Interface languages: catalogs parse, and every message of every page is translated."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file

from dashboard import i18n
from dashboard.corridors_model import CATEGORY_FILTERS
from dashboard.planning_model import METHODS
from layers.schema import LAYER_KINDS, PLACE_TYPES

DASHBOARD = Path(i18n.__file__).resolve().parent
#: Modules whose every message must be in the French and Spanish catalogs.
SHARED = (
    "app.py",
    "login.py",
    "auth.py",
    "components.py",
    "figures.py",
    "overview_model.py",
    "pages/overview.py",
)
#: The analyst and planner pages with their figure and model modules.
ANALYSIS = (
    "pages/corridors.py",
    "pages/planning.py",
    "planning_layout.py",
    "planning_map.py",
    "planning_tables.py",
    "corridor_figures.py",
    "planning_figures.py",
    "corridors_model.py",
    "corridors_controls.py",
    "corridors_layout.py",
    "corridors_render.py",
    "hotspot_text.py",
    "corridors_view.py",
    "corridors_whatif.py",
    "planning_model.py",
    "planning_params.py",
    "briefing.py",
    "briefing_map.py",
)
#: ``t(...)`` calls, and the planning job's ``progress(percent, message)`` (translated
#: by the page when it shows the progress text).
KEYWORDS = {"t": None, "gettext": None, "progress": (2,)}
#: Graph node kinds shown in the hotspot table when a node is not a place.
NODE_KINDS = ("crossing", "junction", "place")


def _messages(names: tuple[str, ...] = SHARED) -> set[str]:
    found: set[str] = set()
    for name in names:
        for _, message, _, _ in extract_from_file("python", DASHBOARD / name, keywords=KEYWORDS):
            if isinstance(message, str) and message:
                found.add(message)
    return found


def _category_labels() -> set[str]:
    """Messages built at run time from category codes (filters, place and layer kinds)."""
    english = i18n.translator("en")
    codes = {v for _, values, _ in CATEGORY_FILTERS.values() for v in values}
    codes |= set(PLACE_TYPES) | set(LAYER_KINDS) | set(NODE_KINDS)
    return {i18n.label(c, english) for c in codes} | set(METHODS)


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_every_shared_message_is_translated(lang: str) -> None:
    messages = _messages()
    assert len(messages) > 40
    missing = sorted(messages - set(i18n.catalog(lang)))
    assert missing == []


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_every_corridors_and_planning_message_is_translated(lang: str) -> None:
    messages = _messages(ANALYSIS) | _category_labels()
    # Pinned so that a broken extraction (say, t() hidden in f-strings) cannot pass empty.
    assert {"Run plan", "Evasion-aware (plan for detours)", "Top hotspots", "Done"} <= messages
    assert "Border crossing" in messages and len(messages) > 200
    missing = sorted(messages - set(i18n.catalog(lang)))
    assert missing == []


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_translations_keep_the_placeholders(lang: str) -> None:
    def fields(text: str) -> list[str]:
        return sorted(re.findall(r"\{[^{}]*\}", text))

    wrong = {m: s for m, s in i18n.catalog(lang).items() if fields(m) != fields(s)}
    assert wrong == {}


def test_domain_words() -> None:
    fr, es = i18n.translator("fr"), i18n.translator("es")
    assert i18n.label("border_crossing", fr) == "Point de passage frontalier"
    assert i18n.label("border_crossing", es) == "Paso fronterizo"
    assert fr("Captured") == "Capturés" and es("Captured") == "Interceptados"
    assert es("Shift {n}").format(n=2) == "Turno 2"


def test_translator_falls_back_to_english() -> None:
    assert i18n.translator("fr")("Overview") == "Vue d'ensemble"
    assert i18n.translator("es")("Overview") == "Resumen"
    assert i18n.translator("de")("Overview") == "Overview"
    assert i18n.translator("fr")("not a message") == "not a message"


def test_category_labels() -> None:
    assert i18n.label("domestic_servitude", i18n.translator("en")) == "Domestic servitude"
    assert i18n.label("domestic_servitude", i18n.translator("fr")) == "Servitude domestique"
