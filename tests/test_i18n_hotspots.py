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
from babel.messages.extract import extract_from_file
from babel.numbers import parse_decimal
from hypothesis import given
from hypothesis import strategies as st

from dashboard import i18n
from dashboard.app import create_app
from dashboard.auth import DEMO_ACCOUNTS, write_accounts
from dashboard.hotspot_text import STATUS_WORDS, explanation
from geotraf.hotspot_explain import explain as geotraf_explain
from geotraf.hotspot_index import RISK_VULNERABILITY
from layers.schema import PLACE_TYPES

#: Pieces of geotraf's English explanation; none may reach a French or Spanish page
#: ("Corridor AH1." is French as well).
ENGLISH = (
    "of the modelled flow passes",
    "a small part of the modelled flow",
    "Border crossing",
    "Main origin",
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
    titles = re.findall(
        r'"title": "([^"]*)"', json.dumps(out["corridors-hotspots"], ensure_ascii=False)
    )
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


# --- every part, in every language ---------------------------------------------------------

DASHBOARD = Path(i18n.__file__).resolve().parent


def _explanation_messages() -> set[str]:
    """The ``t("...")`` messages of the explanation builder, extracted as Babel does."""
    found = {
        str(message)
        for _, message, _, _ in extract_from_file(
            "python", DASHBOARD / "hotspot_text.py", keywords={"t": None}
        )
        if message
    }
    assert len(found) >= 12, found  # a broken extraction must not pass empty
    return found


#: The words the builder translates at run time: crossing statuses, risk grades, place kinds.
WORDS = (
    set(STATUS_WORDS)
    | set(RISK_VULNERABILITY)
    | {i18n.label(p, i18n.translator("en")) for p in (*PLACE_TYPES, "place")}
)


@pytest.mark.parametrize("lang", ["fr", "es"])
@pytest.mark.parametrize("message", sorted(_explanation_messages() | WORDS))
def test_every_explanation_part_has_a_translation(lang: str, message: str) -> None:
    translated = i18n.catalog(lang).get(message)
    assert translated, f"{message!r} has no {lang} translation"
    fields = re.compile(r"\{[^{}]*\}")
    assert sorted(fields.findall(translated)) == sorted(fields.findall(message))


NAMES = st.sampled_from(["Mae Sot", "Lao Cai–Hekou", "AH1 / AH2", "Bangkok Mo Chit", "LAO"])
#: Shares and densities off the rounding ties (x.5 of the last digit shown), where Python's
#: and Babel's roundings of a binary float may differ by one.
SHARES = st.integers(0, 999).map(lambda k: (k + 0.3) / 1000)


@st.composite
def parts(draw: st.DrawFn) -> dict[str, Any]:
    """A hotspot's explanation parts as :func:`geotraf.hotspots.hotspots` returns them."""
    return {
        "kind": draw(st.sampled_from(["crossing", "place", "junction"])),
        "place_type": draw(st.sampled_from(PLACE_TYPES)),
        "node_name": draw(NAMES),
        "crossing_status": draw(st.sampled_from(["", *STATUS_WORDS])),
        "load": float(draw(st.one_of(st.integers(1, 10), st.integers(11, 2_000_000)))),
        "share": draw(SHARES),
        "pairs": tuple(draw(st.lists(st.tuples(NAMES, NAMES, SHARES), max_size=3))),
        "corridor": draw(st.sampled_from(["", "AH1", "TH35"])),
        "candidate_sites": tuple(
            draw(st.lists(st.tuples(NAMES, st.sampled_from(["", *RISK_VULNERABILITY])), max_size=2))
        ),
        "incident_density": draw(
            st.one_of(st.just(0.0), st.integers(0, 9998).map(lambda k: (k + 0.3) / 10))
        ),
        "years": draw(st.sampled_from(["", "2021", "2018–2024"])),
    }


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    """The row as the page holds it: a load under 11 (and its share) suppressed."""
    small = row["load"] < 11
    return {**row, "load": None if small else row["load"], "share": None if small else row["share"]}


@given(row=parts())
def test_the_english_page_sentence_is_geotrafs(row: dict[str, Any]) -> None:
    """Built from the parts, the English sentence is the library's: no part is missing."""
    page = explanation(_shown(row), t=i18n.translator("en"), lang="en")
    assert page == geotraf_explain(**row)


@given(row=parts(), lang=st.sampled_from(["fr", "es"]))
def test_every_sentence_is_in_the_language_with_the_same_numbers(
    row: dict[str, Any], lang: str
) -> None:
    english = explanation(_shown(row), t=i18n.translator("en"), lang="en")
    other = explanation(_shown(row), t=i18n.translator(lang), lang=lang)
    assert "{" not in other and "}" not in other
    assert [w for w in ENGLISH if w in other] == [], other
    assert numbers(other, lang) == numbers(english, "en"), (english, other)


def test_the_view_cache_keeps_one_answer_per_language(app: Any) -> None:
    """The Corridors answers are cached with the language in the key: after an English and
    a French view of the same filters, each language is answered from the cache in its
    own words."""
    from dashboard import viewcache

    cache = app.server.extensions[viewcache.EXTENSION]
    english, french = explanations(app, "en"), explanations(app, "fr")
    hits = cache.hits
    assert explanations(app, "fr") == french and explanations(app, "en") == english
    assert cache.hits >= hits + 2  # both answered from the cache
    assert english != french and "du flux modélisé" in " ".join(french)
