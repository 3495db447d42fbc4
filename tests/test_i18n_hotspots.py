"""Hotspot explanations in the page's language: the Corridors answer a French or Spanish
analyst gets (hover text of the markers, titles of the hotspot table) holds no English
sentence, and its numbers are the English page's, from the same release."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _analysis_fixtures import dash_body, write_region
from _dashboard_fixtures import login
from babel.numbers import parse_decimal

from dashboard import i18n
from dashboard.app import create_app
from dashboard.auth import DEMO_ACCOUNTS, write_accounts

#: Pieces of geotraf's English explanation; none may reach a French or Spanish page.
ENGLISH = (
    "of the modelled flow passes",
    "a small part of the modelled flow",
    "Border crossing",
    "Main origin",
    "Corridor AH",
    "Candidate site",
    "Recent incidents",
    "Flow data",
    "people)",
    "(official)",
)
FILTERS = {"corridors-years.value": [2020, 2021], "corridors-method.value": "shortest"}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    region = write_region(tmp_path_factory.mktemp("hotspot-words") / "region")
    folder = tmp_path_factory.mktemp("instance")
    users = write_accounts(folder / "users.toml", DEMO_ACCOUNTS)
    yield create_app(region=str(region), users_file=users, secret_key="test")


def explanations(app: Any, lang: str) -> list[str]:
    """The explanation sentences of the Corridors answer for ``lang``: hover, then titles."""
    client = app.server.test_client()
    client.set_cookie(i18n.COOKIE, lang)
    login(client, "analyst")
    resp = client.post("/_dash-update-component", json=dash_body(app, "corridors-loads", FILTERS))
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    out = resp.get_json()["response"]
    above = out["corridors-overlay"]["data"]["above"]
    hover = [
        text.split("<br>", 2)[2].replace("<br>", " ")
        for trace in above
        if trace.get("legendgroup") == "hotspots" and trace.get("hovertext")
        for text in trace["hovertext"]
    ]
    titles = re.findall(r'"title": "([^"]*)"', json.dumps(out["corridors-hotspots"]))
    assert hover and titles, out["corridors-hotspots"]
    return hover + titles


def test_english_page_keeps_the_english_explanation(app: Any) -> None:
    text = " ".join(explanations(app, "en"))
    assert "Border crossing North Bridge (official): " in text
    assert "of the modelled flow passes here" in text and "Vientiane → Bangkok" in text


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("fr", ("Point de passage frontalier North Bridge (officiel)", "du flux modélisé")),
        ("es", ("Paso fronterizo North Bridge (oficial)", "del flujo modelado")),
    ],
)
def test_french_and_spanish_pages_have_no_english_explanation(
    app: Any, lang: str, words: tuple[str, ...]
) -> None:
    shown = explanations(app, lang)
    text = " ".join(shown)
    assert [w for w in ENGLISH if w in text] == [], text[:400]
    for word in words:
        assert word in text, text[:400]
    # Place names stay as they are.
    assert "Vientiane → Bangkok" in text


NUMBER = {
    "en": re.compile(r"\d[\d,]*(?:\.\d+)?"),
    "fr": re.compile(r"\d[\d\u202f\u00a0]*(?:,\d+)?"),
    "es": re.compile(r"\d[\d.]*(?:,\d+)?"),
}


def numbers(text: str, lang: str) -> list[float]:
    """Every number in ``text``, read in the language's convention."""
    found = [m.group(0).rstrip(".,\u202f\u00a0") for m in NUMBER[lang].finditer(text)]
    return sorted(float(parse_decimal(n, locale=lang, strict=False)) for n in found)


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_the_translated_sentences_carry_the_english_numbers(app: Any, lang: str) -> None:
    english, other = explanations(app, "en"), explanations(app, lang)
    assert len(english) == len(other)
    for en, tr in zip(english, other, strict=True):
        assert numbers(tr, lang) == numbers(en, "en"), (en, tr)
        assert "<11" not in en or "<11" in tr
