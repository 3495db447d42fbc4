"""Hotspot explanations in the page's language, built from the parts geotraf returns.

:func:`geotraf.hotspots.hotspots` writes each explanation as an English sentence (the CLI
and the library print it) and, with ``explanation_parts=True``, the parts it is made of
(:data:`geotraf.hotspots.EXPLANATION_PARTS`). The Corridors page builds the sentence here
from those parts with the interface's translations and Babel's numbers, so a French or
Spanish analyst reads it in their language. Every number comes from the suppressed table
the page already holds: a load shown ``<11`` gives no share, and a pair of towns below
the threshold was never named. Place names stay as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from dashboard import i18n
from geotraf.privacy import DEFAULT_THRESHOLD

__all__ = ["STATUS_WORDS", "explanation", "explanations"]

Translator = Callable[[str], str]

#: Crossing statuses of the ``crossings`` layer, translated as words of the interface.
STATUS_WORDS: tuple[str, ...] = ("official", "informal")


def _number(value: Any) -> float | None:
    """``value`` as a float; None where it is missing (suppressed)."""
    if value is None or value is pd.NA:
        return None
    number = float(value)
    return None if number != number else number


def _what(row: Mapping[str, Any], t: Translator) -> str:
    """The place the sentence is about: "Border crossing X (official)", "Junction …"."""
    name = str(row.get("node_name") or "")
    kind = str(row.get("kind") or "")
    corridor = str(row.get("corridor") or "")
    if kind == "crossing":
        status = str(row.get("crossing_status") or "")
        if status:
            return t("Border crossing {name} ({status})").format(name=name, status=t(status))
        return t("Border crossing {name}").format(name=name)
    if kind == "place":
        place_type = str(row.get("place_type") or "place")
        return t("{kind} {name}").format(kind=i18n.label(place_type, t), name=name)
    if corridor:
        return t("Junction {name} on {corridor}").format(name=name, corridor=corridor)
    return t("Junction {name}").format(name=name)


def explanation(
    row: Mapping[str, Any], *, t: Translator, lang: str, threshold: int = DEFAULT_THRESHOLD
) -> str:
    """Return one hotspot's explanation in ``lang``, from its parts.

    ``row`` is a row of the suppressed hotspot table: ``load`` and ``share`` are missing
    where the load is shown ``<threshold``.

    Examples
    --------
    >>> row = {"kind": "crossing", "node_name": "North Bridge", "crossing_status": "official",
    ...        "load": 92.0, "share": 1.0, "pairs": (("Vientiane", "Bangkok", 0.81),),
    ...        "corridor": "AH1", "candidate_sites": (("North Bridge post", "high"),),
    ...        "incident_density": 25.0, "years": "2020–2021"}
    >>> print(explanation(row, t=i18n.translator("en"), lang="en"))
    Border crossing North Bridge (official): 100.0% of the modelled flow passes here (92 \
people). Main origin → destination: Vientiane → Bangkok (81%). Corridor AH1. Candidate \
site(s): North Bridge post (high). Recent incidents nearby (density 25.0). Flow data \
2020–2021.
    >>> explanation(row, t=i18n.translator("fr"), lang="fr")[:61]
    'Point de passage frontalier North Bridge (officiel) : 100,0\xa0%'
    """
    what = _what(row, t).strip()
    share = _number(row.get("share"))
    count = i18n.count(row.get("load"), lang, threshold=threshold)
    if share is None or count.startswith("<"):  # a share would undo the <11
        parts = [
            t("{what}: a small part of the modelled flow passes here ({count} people).").format(
                what=what, count=f"<{threshold}"
            )
        ]
    else:
        parts = [
            t("{what}: {share} of the modelled flow passes here ({count} people).").format(
                what=what, share=i18n.percent(share, lang, decimals=1), count=count
            )
        ]
    pairs = row.get("pairs") or ()
    if len(pairs):
        listed = "; ".join(
            f"{origin} → {destination} ({i18n.percent(float(part), lang)})"
            for origin, destination, part in pairs
        )
        parts.append(t("Main origin → destination: {pairs}.").format(pairs=listed))
    corridor = str(row.get("corridor") or "")
    if corridor:
        parts.append(t("Corridor {corridor}.").format(corridor=corridor))
    sites = row.get("candidate_sites") or ()
    if len(sites):
        named = ", ".join(f"{name} ({t(risk)})" if risk else str(name) for name, risk in sites)
        parts.append(t("Candidate site(s): {sites}.").format(sites=named))
    density = _number(row.get("incident_density"))
    if density is not None and density > 0:
        parts.append(
            t("Recent incidents nearby (density {density}).").format(
                density=i18n.number(density, lang, decimals=1)
            )
        )
    years = str(row.get("years") or "")
    if years:
        parts.append(t("Flow data {years}.").format(years=years))
    return " ".join(parts)


def explanations(
    frame: pd.DataFrame, *, t: Translator, lang: str, threshold: int = DEFAULT_THRESHOLD
) -> list[str]:
    """Return :func:`explanation` of every row of a suppressed hotspot table, in order.

    Examples
    --------
    >>> frame = pd.DataFrame({"kind": ["junction"], "node_name": ["AH1 / AH2"],
    ...     "load": pd.array([pd.NA], "Float64"), "share": [float("nan")], "corridor": ["AH1"]})
    >>> [text] = explanations(frame, t=i18n.translator("es"), lang="es")
    >>> text[:40], text[-29:]
    ('Cruce AH1 / AH2 en AH1: por aquí pasa un', '(<11 personas). Corredor AH1.')
    """
    return [
        explanation(row, t=t, lang=lang, threshold=threshold)
        for row in frame.to_dict(orient="records")
    ]
