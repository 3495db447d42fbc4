"""Interface languages: catalogs parse, and every message of the shared pages is translated."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file

from dashboard import i18n

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


def _messages() -> set[str]:
    found: set[str] = set()
    for name in SHARED:
        for _, message, _, _ in extract_from_file(
            "python", DASHBOARD / name, keywords={"t": None, "gettext": None}
        ):
            if isinstance(message, str) and message:
                found.add(message)
    return found


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_every_shared_message_is_translated(lang: str) -> None:
    messages = _messages()
    assert len(messages) > 40
    missing = sorted(messages - set(i18n.catalog(lang)))
    assert missing == []


def test_translator_falls_back_to_english() -> None:
    assert i18n.translator("fr")("Overview") == "Vue d'ensemble"
    assert i18n.translator("es")("Overview") == "Resumen"
    assert i18n.translator("de")("Overview") == "Overview"
    assert i18n.translator("fr")("not a message") == "not a message"


def test_category_labels() -> None:
    assert i18n.label("domestic_servitude", i18n.translator("en")) == "Domestic servitude"
    assert i18n.label("domestic_servitude", i18n.translator("fr")) == "Servitude domestique"
